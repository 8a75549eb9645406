// @civicledger/verifier: check a CivicLedger node's answer with no node trusted
// but the chain's genesis. See README.md and docs/RPC.md "Proofs and the light
// client" for the algorithm.
import { decodeLightProof, decodeLightHeaders, hex } from './ledger.js';
import { LightClient } from './light.js';
import { verifyProof } from './proof.js';
import { decideCertificate } from './certificate.js';
import { trustFromGenesis } from './genesis.js';
import { refuse } from './errors.js';

export { VerifyError } from './errors.js';
export { LightClient, trustGenesis, verifyLightBlock, verifyAgainstTrust } from './light.js';
export { verifyProof, findEntry } from './proof.js';
export { decideCertificate, certificateKey, statusAt, invalidReasonAt } from './certificate.js';
export { trustFromGenesis } from './genesis.js';
export { verifyStateProof, validatorSetHash, voteSignBytes, blockHash, merkleRoot, decodeLightProof, decodeLightHeaders, decodeHeader, hex, fromHex } from './ledger.js';

// base64url (or base64) text to bytes.
export function fromBase64(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_\-+/]*={0,2}$/.test(text)) throw refuse('LIGHT_MALFORMED', 'the proof is not base64');
  const std = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(std + '='.repeat((4 - (std.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

// The proof's protobuf bytes from what cert_proof / state_proof answered (the
// `proto` member), from base64 text or from bytes.
export function proofBytes(proof) {
  if (proof instanceof Uint8Array) return proof;
  if (typeof proof === 'string') return fromBase64(proof);
  if (proof && typeof proof.proto === 'string') return fromBase64(proof.proto);
  if (proof?.proof && typeof proof.proof.proto === 'string') return fromBase64(proof.proof.proto);
  throw refuse('LIGHT_MALFORMED', 'give the proof as bytes, base64 or the answer of cert_proof');
}

// Verifies a cert_proof answer for certificate `id` at `atMs` against the
// genesis. Returns the verdict (decideCertificate) and who vouched for it:
// { verdict, verdict_reason, height, blockHash, signers, validators,
//   signedPower, totalPower, ... }. Throws VerifyError with a named reason.
export function verifyCertificateProof({ proof, genesis, id, atMs, nowMs = Date.now(), client }) {
  const decoded = decodeLightProof(proofBytes(proof));
  const light = client ?? new LightClient(trustFromGenesis(genesis), { nowMs });
  const proven = verifyProof(light, decoded);
  const verdict = decideCertificate(proven, id, atMs ?? (decoded.at_ms || proven.provenUntilMs));
  return {
    ...verdict, chainId: proven.chainId, blockHash: hex(proven.blockHash), blockHeight: proven.height + 1,
    signers: proven.signatures.signers, validators: proven.signatures.validators,
    signedPower: proven.signatures.signedPower, totalPower: proven.signatures.totalPower,
  };
}
