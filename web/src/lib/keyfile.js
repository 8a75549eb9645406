// Key files in the browser (format of crypto/keyfile.h):
//   plain:     {"algo":"ed25519","public_key":"<hex>","secret_key":"<hex>"}
//   encrypted: {"algo":..,"public_key":..,"kdf":"argon2id13","salt":..,"opslimit":..,
//               "memlimit":..,"nonce":..,"ciphertext":..}  (libsodium crypto_pwhash
//               Argon2id v1.3, parallelism 1, then crypto_secretbox XSalsa20-Poly1305)
// The secret stays in this module's closures; nothing is stored or sent.
// Signing: ed25519 signs the message (RFC 8032); secp256k1 signs SHA-256(message)
// with a low-S 64-byte r||s signature, as crypto/signature.h verifies. SM2 keys
// are refused (no SM2 signer in the page).
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { secretbox } from '@noble/ciphers/salsa.js';
import { equalBytes, fromHex, toHex, utf8 } from './bytes.js';
import { InputError } from './errors.js';

const MIN_OPS = 2;
const MAX_OPS = 16;
const MIN_MEM = 64 * 1024 * 1024;
const MAX_MEM = 1024 * 1024 * 1024;

function malformed(detail) {
  return new InputError('KEYFILE_MALFORMED', detail);
}

// The public part of a key file: {algo, public_key (hex), encrypted}. Throws InputError.
export function readKeyFileInfo(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('not JSON');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw malformed('not a JSON object');
  if (typeof doc.algo !== 'string') throw malformed('missing "algo"');
  if (!['ed25519', 'secp256k1', 'sm2'].includes(doc.algo)) throw new InputError('UNSUPPORTED_ALGORITHM', doc.algo);
  if (typeof doc.public_key !== 'string' || !fromHex(doc.public_key)) throw malformed('"public_key" must be hex');
  const plain = 'secret_key' in doc;
  const encrypted = 'ciphertext' in doc;
  if (plain === encrypted) throw malformed('needs exactly one of "secret_key" or "ciphertext"');
  return { algo: doc.algo, public_key: doc.public_key.toLowerCase(), encrypted, doc };
}

function hexField(doc, name, min, max) {
  const v = typeof doc[name] === 'string' ? fromHex(doc[name]) : null;
  if (!v) throw malformed(`"${name}" must be hex`);
  if (v.length < min || v.length > max) throw malformed(`"${name}" has the wrong length`);
  return v;
}

async function decryptSecret(doc, passphrase, onProgress) {
  if (!passphrase) throw new InputError('PASSPHRASE_NEEDED');
  if (doc.kdf !== 'argon2id13') throw malformed('"kdf" must be "argon2id13"');
  const salt = hexField(doc, 'salt', 16, 16);
  const nonce = hexField(doc, 'nonce', 24, 24);
  const ciphertext = hexField(doc, 'ciphertext', 17, 16 + 64);
  const ops = doc.opslimit;
  const mem = doc.memlimit;
  if (!Number.isSafeInteger(ops) || !Number.isSafeInteger(mem) || ops < MIN_OPS || ops > MAX_OPS || mem < MIN_MEM || mem > MAX_MEM) {
    throw malformed('passphrase hash limits out of range');
  }
  const key = await argon2idAsync(utf8(passphrase), salt, {
    t: ops,
    m: Math.floor(mem / 1024),
    p: 1,
    dkLen: 32,
    version: 0x13,
    asyncTick: 20,
    onProgress,
  });
  try {
    return secretbox(key, nonce).open(ciphertext);
  } catch {
    throw new InputError('BAD_PASSPHRASE');
  } finally {
    key.fill(0);
  }
}

function publicKeyFor(algo, secret) {
  if (algo === 'ed25519') return ed25519.getPublicKey(secret);
  return secp256k1.getPublicKey(secret, true);
}

// Loads a key file for signing. `passphrase` is needed for encrypted files.
// Returns {algo, publicKeyHex, keyString ("<algo>:<hex>"), sign(bytes) -> Uint8Array(64), forget()}.
// Throws InputError: KEYFILE_MALFORMED, UNSUPPORTED_ALGORITHM, PASSPHRASE_NEEDED,
// BAD_PASSPHRASE, KEY_MISMATCH.
export async function loadSigningKey(text, passphrase = '', onProgress = undefined) {
  const info = readKeyFileInfo(text);
  if (info.algo === 'sm2') throw new InputError('UNSUPPORTED_ALGORITHM', 'sm2');
  let secret = info.encrypted ? await decryptSecret(info.doc, passphrase, onProgress) : hexField(info.doc, 'secret_key', 1, 64);
  if (info.algo === 'ed25519') {
    if (secret.length === 64) secret = secret.slice(0, 32);
    if (secret.length !== 32) throw malformed('an ed25519 secret is 32 bytes');
  } else if (secret.length !== 32) {
    throw malformed('a secp256k1 secret is 32 bytes');
  }
  let pub;
  try {
    pub = publicKeyFor(info.algo, secret);
  } catch {
    throw malformed('the secret key is not valid');
  }
  const declared = fromHex(info.public_key);
  const declaredCompressed = info.algo === 'secp256k1' && declared.length === 65
    ? secp256k1.Point.fromBytes(declared).toBytes(true) : declared;
  if (!equalBytes(pub, declaredCompressed)) throw new InputError('KEY_MISMATCH');
  const publicKeyHex = toHex(pub);
  return {
    algo: info.algo,
    publicKeyHex,
    keyString: `${info.algo}:${publicKeyHex}`,
    sign(message) {
      if (!secret) throw new InputError('KEY_FORGOTTEN');
      if (info.algo === 'ed25519') return ed25519.sign(message, secret);
      return secp256k1.sign(message, secret, { prehash: true, lowS: true, format: 'compact' });
    },
    forget() {
      if (secret) secret.fill(0);
      secret = null;
    },
  };
}
