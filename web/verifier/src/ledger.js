// The ledger's wire types and hashes, as docs/RPC.md "Proofs and the light
// client" defines them byte by byte: block hash, vote sign bytes, validator set
// hash, commit check and state-tree proofs.
import { sha256 } from '@noble/hashes/sha2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { decode } from './protobuf.js';
import { refuse } from './errors.js';

export const ED25519 = 1;
const PRECOMMIT = 2;
const encoder = new TextEncoder();

export const PublicKey = { 1: ['algo', 'int'], 2: ['key', 'bytes'] };
export const Validator = { 1: ['pub_key', PublicKey], 2: ['power', 'uint'], 3: ['org', 'string'] };
export const ValidatorSet = { 1: ['validators', Validator, true] };
export const CommitSig = { 1: ['validator', PublicKey], 2: ['sig', 'bytes'] };
export const Commit = { 1: ['height', 'int'], 2: ['round', 'int'], 3: ['block_hash', 'bytes'], 4: ['sigs', CommitSig, true] };
export const BlockHeader = {
  1: ['chain_id', 'string'], 2: ['height', 'int'], 3: ['time_ms', 'int'], 4: ['prev_block_hash', 'bytes'],
  5: ['tx_root', 'bytes'], 6: ['state_root', 'bytes'], 7: ['last_results_hash', 'bytes'],
  8: ['validators_hash', 'bytes'], 9: ['next_validators_hash', 'bytes'], 10: ['proposer', PublicKey],
  11: ['last_commit_hash', 'bytes'], 12: ['tx_count', 'int'], 13: ['evidence_hash', 'bytes'],
};
export const StateProof = {
  1: ['key', 'bytes'], 2: ['value', 'bytes'], 3: ['exists', 'bool'], 4: ['version', 'int'], 5: ['root', 'bytes'],
  6: ['siblings', 'bytes', true], 7: ['leaf_path', 'bytes'], 8: ['leaf_value_hash', 'bytes'], 9: ['depth', 'int'],
};
export const LightBlock = { 1: ['header', 'bytes'], 2: ['commit', Commit], 3: ['validators', ValidatorSet], 4: ['next_validators', ValidatorSet] };
export const LightProof = {
  1: ['chain_id', 'string'], 2: ['height', 'int'], 3: ['block', LightBlock], 4: ['entries', StateProof, true],
  5: ['validator_path', LightBlock, true], 6: ['at_ms', 'int'],
};
export const LightHeaders = { 1: ['blocks', LightBlock, true] };

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equal(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

export function compare(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(text) {
  if (!/^([0-9a-fA-F]{2})*$/.test(text)) throw refuse('LIGHT_MALFORMED', 'not hex');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function be(value, bytes) {
  const out = new Uint8Array(bytes);
  let v = BigInt(value);
  for (let i = bytes - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export const blockHash = (headerBytes) => sha256(headerBytes);

// "civicledger/vote/v1" 0x00 || chain_id || 0x00 || BE32 type || BE64 height || BE32 round || block_hash
export function voteSignBytes(chainId, type, height, round, hash) {
  return concat(encoder.encode('civicledger/vote/v1\0'), encoder.encode(chainId), new Uint8Array([0]),
    be(type, 4), be(height, 8), be(round, 4), hash);
}

// RFC 6962-style Merkle root: leaf = SHA-256(0x00 || leaf), node = SHA-256(0x01 ||
// left || right), the last node of an odd level moves up as is; no leaves = SHA-256("").
export function merkleRoot(leaves) {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  let level = leaves.map((l) => sha256(concat(new Uint8Array([0]), l)));
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(sha256(concat(new Uint8Array([1]), level[i], level[i + 1])));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}

// Leaf = u8 algo || u8 key length || key || BE64 power || org (UTF-8), in set order.
export function validatorSetHash(set) {
  return merkleRoot(set.validators.map((v) => concat(new Uint8Array([v.pub_key?.algo ?? 0, v.pub_key?.key.length ?? 0]),
    v.pub_key?.key ?? new Uint8Array(0), be(v.power, 8), encoder.encode(v.org))));
}

const keyId = (pk) => `${pk?.algo ?? 0}:${hex(pk?.key ?? new Uint8Array(0))}`;

export function totalPower(set) {
  return set.validators.reduce((n, v) => n + v.power, 0n);
}

// More than 2/3 of `set`'s power signed precommits for (height, block hash).
// Returns the signed power and the signers' count.
export function verifyCommit(chainId, set, commit, height, hash) {
  const bad = (why) => refuse('LIGHT_COMMIT_INVALID', `block ${height}: ${why}`);
  if (!commit) throw bad('no commit');
  if (commit.height !== height) throw bad(`commit is for height ${commit.height}`);
  if (hash.length === 0 || !equal(commit.block_hash, hash)) throw bad('commit is for another block');
  const powerOf = new Map(set.validators.map((v) => [keyId(v.pub_key), v.power]));
  const total = totalPower(set);
  if (total === 0n) throw bad('validator set is empty or has no voting power');
  const message = voteSignBytes(chainId, PRECOMMIT, height, commit.round, hash);
  const seen = new Set();
  let signed = 0n;
  commit.sigs.forEach((sig, i) => {
    const id = keyId(sig.validator);
    if (!powerOf.has(id)) throw bad(`signature ${i} is not by a validator of this height`);
    if (seen.has(id)) throw bad(`a validator signed the commit twice`);
    seen.add(id);
    if (sig.validator.algo !== ED25519 || !verifyEd25519(sig.sig, message, sig.validator.key)) {
      throw bad(`signature ${i} does not verify`);
    }
    signed += powerOf.get(id);
  });
  if (signed * 3n <= total * 2n) throw bad(`commit has voting power ${signed} of ${total}; more than 2/3 is needed`);
  return { signedPower: signed, totalPower: total, signers: seen.size, validators: set.validators.length };
}

function verifyEd25519(sig, message, key) {
  if (sig.length !== 64 || key.length !== 32) return false;
  try {
    return ed25519.verify(sig, message, key, { zip215: false });
  } catch {
    return false;
  }
}

const pathBit = (path, i) => (path[i >> 3] >> (7 - (i & 7))) & 1;
const leafHash = (path, valueHash) => sha256(concat(new Uint8Array([0]), path, valueHash));
const internalHash = (left, right) => sha256(concat(new Uint8Array([1]), left, right));

// The state tree (binary sparse Merkle tree over SHA-256(key), leaves at their
// shortest unique prefix): true when `proof` hashes to proof.root.
export function verifyStateProof(proof) {
  if (proof.root.length !== 32 || proof.depth > 256 || proof.siblings.length !== proof.depth) return false;
  if (proof.siblings.some((s) => s.length !== 32)) return false;
  const path = sha256(proof.key);
  let hash;
  if (proof.exists) {
    if (proof.leaf_path.length || proof.leaf_value_hash.length) return false;
    hash = leafHash(path, sha256(proof.value));
  } else if (proof.leaf_path.length) {
    if (proof.value.length || proof.leaf_path.length !== 32 || proof.leaf_value_hash.length !== 32) return false;
    if (equal(proof.leaf_path, path)) return false;
    for (let i = 0; i < proof.depth; i++) if (pathBit(proof.leaf_path, i) !== pathBit(path, i)) return false;
    hash = leafHash(proof.leaf_path, proof.leaf_value_hash);
  } else {
    if (proof.value.length || proof.leaf_value_hash.length) return false;
    hash = new Uint8Array(32);
  }
  for (let level = proof.depth; level-- > 0;) {
    const sibling = proof.siblings[proof.depth - 1 - level];
    hash = pathBit(path, level) ? internalHash(sibling, hash) : internalHash(hash, sibling);
  }
  return equal(hash, proof.root);
}

export const decodeHeader = (bytes) => decode(bytes, BlockHeader, 'the header');
export const decodeLightProof = (bytes) => decode(bytes, LightProof, 'the proof');
export const decodeLightHeaders = (bytes) => decode(bytes, LightHeaders, 'the headers');
