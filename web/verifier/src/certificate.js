// A certificate's status at a time T from a verified proof alone. The record
// under "cert/c/<id>" holds its whole status history and version links, so the
// proven record decides the status at every earlier time. Reasons are those of
// cert_verify (docs/RPC.md): the verdict is 'valid', 'invalid' with
// NOT_YET_ISSUED | NOT_YET_VALID | EXPIRED | SUSPENDED | REVOKED | REPLACED |
// SUPERSEDED, or 'unknown_id' with CERT_NOT_FOUND (absence proven).
import { decode } from './protobuf.js';
import { findEntry } from './proof.js';
import { refuse } from './errors.js';

const ClaimDigest = { 1: ['name', 'string'], 2: ['digest', 'bytes'] };
const CertEvent = {
  1: ['kind', 'int'], 2: ['time_ms', 'int'], 3: ['height', 'int'], 4: ['tx_id', 'bytes'], 5: ['org', 'string'],
  6: ['reason', 'string'], 7: ['status_after', 'int'], 8: ['related_id', 'string'],
};
export const Certificate = {
  1: ['id', 'string'], 2: ['type_code', 'string'], 3: ['issuer_org', 'string'], 4: ['issuer_key_algo', 'int'],
  5: ['issuer_key', 'bytes'], 6: ['holder_commitment', 'bytes'], 7: ['claims_digest', 'bytes'], 8: ['claims', ClaimDigest, true],
  9: ['issued_at_ms', 'int'],
  10: ['valid_from_ms', 'int'], 11: ['valid_until_ms', 'int'], 12: ['status', 'int'], 13: ['status_reason', 'string'],
  14: ['previous_id', 'string'], 15: ['version', 'int'], 16: ['issuing_tx_id', 'bytes'], 17: ['height', 'int'],
  18: ['next_id', 'string'], 19: ['serial', 'string'], 20: ['events', CertEvent, true],
};
const STATUS = ['unspecified', 'active', 'suspended', 'revoked', 'superseded'];
const ACTIVE = 1;
const REVOKED = 3;

export const certificateKey = (id) => new TextEncoder().encode(`cert/c/${id}`);

export function statusAt(cert, atMs) {
  if (atMs < cert.issued_at_ms) return { status: 0, reason: '' };
  let out = { status: ACTIVE, reason: '' };
  for (const e of cert.events) {
    if (e.time_ms > atMs) break;
    out = { status: e.status_after, reason: e.status_after === ACTIVE ? '' : e.reason };
  }
  return out;
}

export function invalidReasonAt(cert, atMs) {
  if (atMs < cert.issued_at_ms) return 'NOT_YET_ISSUED';
  if (atMs < cert.valid_from_ms) return 'NOT_YET_VALID';
  if (cert.valid_until_ms !== 0 && atMs >= cert.valid_until_ms) return 'EXPIRED';
  const { status } = statusAt(cert, atMs);
  if (status === REVOKED && cert.next_id) return 'REPLACED';
  if (status !== ACTIVE) return (STATUS[status] ?? 'unspecified').toUpperCase();
  return '';
}

// The verdict for certificate `id` at `atMs` from `proven` (verifyProof's result).
// T after the proven state's validity is answered as of the latest proven instant.
export function decideCertificate(proven, id, atMs) {
  const entry = findEntry(proven, certificateKey(id));
  if (!entry) throw refuse('LIGHT_KEY_MISMATCH', `the proof holds no entry for certificate ${id.slice(0, 64)}`);
  const evaluatedAtMs = Math.min(atMs, proven.provenUntilMs);
  const base = { id, height: proven.height, askedAtMs: atMs, evaluatedAtMs };
  if (!entry.exists) return { ...base, verdict: 'unknown_id', verdict_reason: 'CERT_NOT_FOUND', certificate: null };
  let cert;
  try {
    cert = decode(entry.value, Certificate, 'the certificate record');
  } catch {
    throw refuse('LIGHT_RECORD_MALFORMED', `the proven record is not certificate ${id.slice(0, 64)}`);
  }
  if (cert.id !== id) throw refuse('LIGHT_RECORD_MALFORMED', `the proven record is not certificate ${id.slice(0, 64)}`);
  const reason = invalidReasonAt(cert, evaluatedAtMs);
  const at = statusAt(cert, evaluatedAtMs);
  return {
    ...base, verdict: reason ? 'invalid' : 'valid', verdict_reason: reason, statusAt: STATUS[at.status] ?? 'unspecified',
    statusReasonAt: at.reason, certificate: cert,
  };
}
