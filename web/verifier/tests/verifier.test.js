// The verifier against proofs taken from a live 4-validator network
// (tests/fixtures, written by scripts/make-proof-fixtures): each verifies
// with only the genesis, and every single-field tampering is refused with its
// named reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  LightClient, VerifyError, decodeLightProof, fromBase64, trustFromGenesis, verifyCertificateProof, verifyProof,
} from '../src/index.js';

const fixture = (name) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const genesis = fixture('genesis.json');
const cases = JSON.parse(fixture('cert-proofs.json'));
const NOW = cases.now_ms;

function proofOf(name) {
  return cases.proofs.find((p) => p.name === name);
}

function verifyDecoded(decoded, g = genesis) {
  return verifyProof(new LightClient(trustFromGenesis(g), { nowMs: NOW }), decoded);
}

function refusedWith(code, fn) {
  assert.throws(fn, (e) => e instanceof VerifyError && e.code === code, `expected ${code}`);
}

test('every fixture proof verifies against the genesis and gives the node\'s verdict', () => {
  assert.ok(cases.proofs.length >= 4);
  for (const p of cases.proofs) {
    const r = verifyCertificateProof({ proof: p.answer, genesis, id: p.id, atMs: p.at_ms, nowMs: NOW });
    assert.equal(r.verdict, p.expect.verdict, p.name);
    assert.equal(r.verdict_reason, p.expect.verdict_reason ?? '', p.name);
    assert.equal(r.validators, 4, p.name);
    assert.ok(r.signers >= 3, `${p.name}: ${r.signers} signers`);
  }
});

test('an unknown id is proven absent', () => {
  const p = proofOf('unknown');
  const r = verifyCertificateProof({ proof: p.answer, genesis, id: p.id, atMs: p.at_ms, nowMs: NOW });
  assert.equal(r.verdict, 'unknown_id');
  assert.equal(r.verdict_reason, 'CERT_NOT_FOUND');
  assert.equal(r.certificate, null);
});

test('a proof for one id does not answer for another', () => {
  const p = proofOf('valid');
  refusedWith('LIGHT_KEY_MISMATCH', () => verifyCertificateProof({ proof: p.answer, genesis, id: proofOf('revoked').id, nowMs: NOW }));
});

// Each tampering: a name, what to change in the decoded proof, the reason.
const flip = (bytes, i = 0) => {
  const out = Uint8Array.from(bytes);
  out[i % out.length] ^= 0x01;
  return out;
};
const tamperings = [
  ['record value', (d) => { d.entries[0].value = flip(d.entries[0].value, 7); }, 'LIGHT_STATE_PROOF_INVALID'],
  ['record key', (d) => { d.entries[0].key = flip(d.entries[0].key, 9); }, 'LIGHT_STATE_PROOF_INVALID'],
  ['exists flag', (d) => { d.entries[0].exists = !d.entries[0].exists; }, 'LIGHT_STATE_PROOF_INVALID'],
  ['a sibling', (d) => { d.entries[0].siblings[0] = flip(d.entries[0].siblings[0]); }, 'LIGHT_STATE_PROOF_INVALID'],
  ['the last sibling', (d) => { const s = d.entries[0].siblings; s[s.length - 1] = flip(s[s.length - 1], 31); }, 'LIGHT_STATE_PROOF_INVALID'],
  ['a sibling dropped', (d) => { d.entries[0].siblings.pop(); }, 'LIGHT_STATE_PROOF_INVALID'],
  ['entry root', (d) => { d.entries[0].root = flip(d.entries[0].root); }, 'LIGHT_ROOT_MISMATCH'],
  ['entry version', (d) => { d.entries[0].version += 1; }, 'LIGHT_HEIGHT_MISMATCH'],
  ['proof height', (d) => { d.height -= 1; }, 'LIGHT_HEIGHT_MISMATCH'],
  ['chain id', (d) => { d.chain_id = 'other-chain'; }, 'LIGHT_WRONG_CHAIN'],
  ['header byte', (d) => { d.block.header = flip(d.block.header, d.block.header.length - 3); }, 'LIGHT_HEADER_HASH_MISMATCH'],
  ['commit height', (d) => { d.block.commit.height += 1; }, 'LIGHT_HEIGHT_MISMATCH'],
  ['commit block hash', (d) => { d.block.commit.block_hash = flip(d.block.commit.block_hash); }, 'LIGHT_HEADER_HASH_MISMATCH'],
  ['commit round', (d) => { d.block.commit.round += 1; }, 'LIGHT_COMMIT_INVALID'],
  ['a commit signature', (d) => { d.block.commit.sigs[0].sig = flip(d.block.commit.sigs[0].sig, 5); }, 'LIGHT_COMMIT_INVALID'],
  ['a signature twice', (d) => { d.block.commit.sigs[1] = d.block.commit.sigs[0]; }, 'LIGHT_COMMIT_INVALID'],
  ['signatures below 2/3', (d) => { d.block.commit.sigs = d.block.commit.sigs.slice(0, 2); }, 'LIGHT_COMMIT_INVALID'],
  ['a validator\'s power', (d) => { d.block.validators.validators[0].power += 1n; }, 'LIGHT_VALIDATORS_HASH_MISMATCH'],
  ['a validator\'s key', (d) => { const v = d.block.validators.validators[0]; v.pub_key.key = flip(v.pub_key.key); }, 'LIGHT_VALIDATORS_HASH_MISMATCH'],
  ['a validator dropped', (d) => { d.block.validators.validators.pop(); }, 'LIGHT_VALIDATORS_HASH_MISMATCH'],
  ['no entries', (d) => { d.entries = []; }, 'LIGHT_MALFORMED'],
];

for (const [what, change, code] of tamperings) {
  test(`tampered ${what} is refused with ${code}`, () => {
    const d = decodeLightProof(fromBase64(proofOf('valid').answer.proto));
    verifyDecoded(d);  // untouched, it verifies
    const t = decodeLightProof(fromBase64(proofOf('valid').answer.proto));
    change(t);
    refusedWith(code, () => verifyDecoded(t));
  });
}

test('every single bit of the proof bytes flipped is refused or verifies to the same answer', () => {
  const bytes = fromBase64(proofOf('revoked').answer.proto);
  const p = proofOf('revoked');
  let refused = 0;
  // Every 7th bit keeps the run short; the positions cover every part of the message.
  for (let bit = 0; bit < bytes.length * 8; bit += 7) {
    const t = Uint8Array.from(bytes);
    t[bit >> 3] ^= 1 << (bit & 7);
    try {
      const r = verifyCertificateProof({ proof: t, genesis, id: p.id, atMs: p.at_ms, nowMs: NOW });
      // Bits that do not reach a hash or signature (e.g. an unused field's tag)
      // must not change the answer.
      assert.equal(r.verdict, p.expect.verdict);
    } catch (e) {
      assert.ok(e instanceof VerifyError, String(e));
      refused++;
    }
  }
  assert.ok(refused > 0);
});

test('a genesis with other validators does not vouch for the proof', () => {
  const g = JSON.parse(genesis);
  // Same orgs and powers, other keys: none of the signers is trusted.
  for (const v of g.validators) v.pub_key = v.pub_key.replace(/[0-9a-f]{2}$/, (b) => (b === '00' ? '01' : '00'));
  const d = decodeLightProof(fromBase64(proofOf('valid').answer.proto));
  assert.throws(() => verifyDecoded(d, JSON.stringify(g)), (e) => e instanceof VerifyError &&
    ['LIGHT_UNTRUSTED_VALIDATORS', 'LIGHT_TRUST_OVERLAP_TOO_LOW'].includes(e.code));
});

test('a genesis of another chain is refused', () => {
  const g = JSON.parse(genesis);
  g.chain_id = 'elsewhere-1';
  const d = decodeLightProof(fromBase64(proofOf('valid').answer.proto));
  refusedWith('LIGHT_WRONG_CHAIN', () => verifyDecoded(d, JSON.stringify(g)));
});

test('bad input is a typed error', () => {
  refusedWith('LIGHT_MALFORMED', () => verifyCertificateProof({ proof: '%%%', genesis, id: 'x' }));
  refusedWith('LIGHT_MALFORMED', () => verifyCertificateProof({ proof: new Uint8Array([0xff, 0xff]), genesis, id: 'x' }));
  refusedWith('LIGHT_MALFORMED', () => trustFromGenesis('{'));
  refusedWith('LIGHT_MALFORMED', () => trustFromGenesis({ chain_id: 'a', genesis_time: 0, validators: [{ pub_key: 'rsa:00', power: 1 }] }));
});
