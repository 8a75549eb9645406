// Auditor request signatures (src/lib/auth.js) and key files (src/lib/keyfile.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { authMessage, signedParams, AUTH_DOMAIN } from '../../src/lib/auth.js';
import { loadSigningKey, readKeyFileInfo } from '../../src/lib/keyfile.js';
import { fromHex, fromUtf8, toHex } from '../../src/lib/bytes.js';

// RFC 8032 test 1 key.
const SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const PUB = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const plainEd = JSON.stringify({ algo: 'ed25519', public_key: PUB, secret_key: SEED });

const AUDIENCE = 'ed25519:3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29';

test('the signed bytes are domain, chain id, audience, method, timestamp, nonce and request joined by NUL', () => {
  const bytes = authMessage({ chainId: 'mianyang-1', audience: AUDIENCE, method: 'sharing_query', timestampMs: 1767225600000, nonce: '00112233445566778899aabbccddeeff', request: '{"limit":20}' });
  assert.equal(AUTH_DOMAIN, 'civicledger/rpc-auth/v2');
  assert.equal(fromUtf8(bytes), `${AUTH_DOMAIN}\0mianyang-1\0${AUDIENCE}\0sharing_query\x001767225600000\x0000112233445566778899aabbccddeeff\0{"limit":20}`);
});

test('signed params carry the exact request text and an ed25519 signature over it (fixed vector)', async () => {
  const key = await loadSigningKey(plainEd);
  assert.equal(key.keyString, `ed25519:${PUB}`);
  const p = signedParams({
    key, org: '11510700MB160296X2', chainId: 'mianyang-1', audience: AUDIENCE, method: 'sharing_query',
    params: { org: '11510700008207313A', limit: 20 }, timestampMs: 1767225600000, nonce: '00112233445566778899aabbccddeeff',
  });
  assert.equal(p.request, '{"org":"11510700008207313A","limit":20}');
  assert.deepEqual(Object.keys(p.auth), ['version', 'org', 'key', 'audience', 'timestamp_ms', 'nonce', 'sig']);
  assert.equal(p.auth.version, 2);
  const msg = authMessage({ chainId: 'mianyang-1', audience: AUDIENCE, method: 'sharing_query', timestampMs: 1767225600000, nonce: p.auth.nonce, request: p.request });
  assert.ok(ed25519.verify(fromHex(p.auth.sig), msg, fromHex(PUB)));
  // The vector web/README.md gives for the node's side (checked with another
  // Ed25519 implementation).
  assert.equal(p.auth.sig, '9532d85d0862c66e9c8aa71177781f668d6c4136ab376503ba2ae6a87fa6f0a3b2e5c2bf21984f70022cd78828a833d1d941ad546ca2d30e3458be1f144cd20c');
  // Another node, method, chain or request does not verify.
  const elsewhere = authMessage({ chainId: 'mianyang-1', audience: 'ed25519:00', method: 'sharing_query', timestampMs: 1767225600000, nonce: p.auth.nonce, request: p.request });
  assert.ok(!ed25519.verify(fromHex(p.auth.sig), elsewhere, fromHex(PUB)));
  const other = authMessage({ chainId: 'mianyang-2', audience: AUDIENCE, method: 'sharing_query', timestampMs: 1767225600000, nonce: p.auth.nonce, request: p.request });
  assert.ok(!ed25519.verify(fromHex(p.auth.sig), other, fromHex(PUB)));
  key.forget();
  assert.throws(() => key.sign(new Uint8Array(1)), { code: 'KEY_FORGOTTEN' });
});

test('secp256k1 keys sign SHA-256 of the bytes with a low-S compact signature', async () => {
  const sk = secp256k1.utils.randomSecretKey();
  const pub = secp256k1.getPublicKey(sk, true);
  const key = await loadSigningKey(JSON.stringify({ algo: 'secp256k1', public_key: toHex(pub), secret_key: toHex(sk) }));
  const p = signedParams({ key, org: 'X', chainId: 'c', audience: 'n', method: 'sharing_stats', params: {} });
  const msg = authMessage({ chainId: 'c', audience: 'n', method: 'sharing_stats', timestampMs: p.auth.timestamp_ms, nonce: p.auth.nonce, request: p.request });
  const sig = fromHex(p.auth.sig);
  assert.equal(sig.length, 64);
  assert.ok(secp256k1.verify(sig, sha256(msg), pub, { prehash: false, lowS: true }));
  assert.match(p.auth.nonce, /^[0-9a-f]{32}$/);
  // An uncompressed public key in the file is accepted too.
  const full = await loadSigningKey(JSON.stringify({ algo: 'secp256k1', public_key: toHex(secp256k1.getPublicKey(sk, false)), secret_key: toHex(sk) }));
  assert.equal(full.publicKeyHex, toHex(pub));
});

test('key files: bad ones get typed errors', async () => {
  await assert.rejects(loadSigningKey('nope'), { code: 'KEYFILE_MALFORMED' });
  await assert.rejects(loadSigningKey(JSON.stringify({ algo: 'rsa', public_key: PUB, secret_key: SEED })), { code: 'UNSUPPORTED_ALGORITHM' });
  await assert.rejects(loadSigningKey(JSON.stringify({ algo: 'sm2', public_key: '04' + '11'.repeat(64), secret_key: SEED })), { code: 'UNSUPPORTED_ALGORITHM' });
  await assert.rejects(loadSigningKey(JSON.stringify({ algo: 'ed25519', public_key: PUB })), { code: 'KEYFILE_MALFORMED' });
  await assert.rejects(loadSigningKey(JSON.stringify({ algo: 'ed25519', public_key: PUB, secret_key: 'zz' })), { code: 'KEYFILE_MALFORMED' });
  await assert.rejects(loadSigningKey(JSON.stringify({ algo: 'ed25519', public_key: PUB, secret_key: '11'.repeat(32) })), { code: 'KEY_MISMATCH' });
  // A 64-byte libsodium secret (seed || public key) works.
  assert.equal((await loadSigningKey(JSON.stringify({ algo: 'ed25519', public_key: PUB, secret_key: SEED + PUB }))).publicKeyHex, PUB);
  assert.equal(readKeyFileInfo(plainEd).encrypted, false);
});

// Written by `civic keygen --passphrase-env` (crypto/keyfile.cc: Argon2id + secretbox).
const ENCRYPTED = new URL('./fixtures/encrypted-ed25519.key', import.meta.url);
const ENCRYPTED_PUB = '34dac6eb88a9f77c904a2c338070847239dfd9d7647407a253da8ed98314fd54';

test('an encrypted key file written by the civic CLI opens with its passphrase only', async () => {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(ENCRYPTED, 'utf8');
  assert.equal(readKeyFileInfo(text).encrypted, true);
  await assert.rejects(loadSigningKey(text), { code: 'PASSPHRASE_NEEDED' });
  await assert.rejects(loadSigningKey(text, 'wrong passphrase'), { code: 'BAD_PASSPHRASE' });
  const key = await loadSigningKey(text, 'correct horse battery staple');
  assert.equal(key.publicKeyHex, ENCRYPTED_PUB);
  // A modified ciphertext is refused like a wrong passphrase.
  const doc = JSON.parse(text);
  doc.ciphertext = (doc.ciphertext[0] === '0' ? '1' : '0') + doc.ciphertext.slice(1);
  await assert.rejects(loadSigningKey(JSON.stringify(doc), 'correct horse battery staple'), { code: 'BAD_PASSPHRASE' });
  doc.opslimit = 1;
  await assert.rejects(loadSigningKey(JSON.stringify(doc), 'x'), { code: 'KEYFILE_MALFORMED' });
});
