// Checks a node's certificate answer against its signed proof, in the browser,
// with the verifier package (web/verifier): the page needs the node only to
// fetch the proof and the genesis, never to believe it. The genesis comes from
// the node that served this page, so the page pins its hash on first use and
// says so when it changes.
import { verifyCertificateProof, hex } from '../../verifier/src/index.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { compareWithClaims } from './disclosure.js';
import { call, nodeBase } from './rpc.js';

const PIN_KEY = 'civic.genesisHash';

async function genesisText() {
  const response = await fetch(`${nodeBase()}/v1/genesis`);
  if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status}`), { code: 'GENESIS_UNAVAILABLE' });
  return response.text();
}

function pinGenesis(text) {
  const hash = hex(sha256(new TextEncoder().encode(text)));
  let pinned = null;
  try {
    pinned = localStorage.getItem(PIN_KEY);
    if (!pinned) localStorage.setItem(PIN_KEY, hash);
  } catch {
    // Storage may be off (private mode): then every visit is a first use.
  }
  return { hash, changed: Boolean(pinned) && pinned !== hash };
}

// The outcome for the page: {state: 'verified' | 'contradicts' | 'unverified',
// signers, validators, height, reason, genesisHash, genesisChanged, proven}.
// `answer` is the node's cert_verify answer; `presented` the fields shown
// ({name: {salt, value}}).
export async function checkCertificateProof(answer, presented = {}) {
  let genesis;
  let proof;
  try {
    [genesis, proof] = await Promise.all([genesisText(), call('cert_proof', { id: answer.id, at: answer.at_ms })]);
  } catch (e) {
    return { state: 'unverified', reason: e.appCode || e.code || 'NETWORK_ERROR' };
  }
  const pin = pinGenesis(genesis);
  let proven;
  try {
    proven = verifyCertificateProof({ proof, genesis, id: answer.id, atMs: answer.at_ms });
  } catch (e) {
    return { state: 'unverified', reason: e.code || 'LIGHT_MALFORMED', genesisHash: pin.hash, genesisChanged: pin.changed };
  }
  const base = {
    signers: proven.signers, validators: proven.validators, height: proven.blockHeight, genesisHash: pin.hash,
    genesisChanged: pin.changed, proven,
  };
  return { ...base, state: agrees(answer, proven, presented) ? 'verified' : 'contradicts' };
}

// Whether the proven record supports the node's verdict: same status verdict,
// and for presented fields the same match against the proven digests.
function agrees(answer, proven, presented) {
  const shown = Object.entries(presented).map(([name, f]) => ({ name, salt: f.salt, value: f.value }));
  if (proven.verdict === 'unknown_id') return answer.verdict === 'unknown_id';
  const claims = proven.certificate.claims.map((c) => ({ name: c.name, digest: hex(c.digest) }));
  const fieldsMatch = compareWithClaims(shown, claims).every((r) => r.match === 'match');
  if (!fieldsMatch) return answer.verdict === 'not_genuine';
  if (answer.verdict === 'not_genuine') return ['HOLDER_MISMATCH', 'COPY_MISMATCH'].includes(answer.verdict_reason);
  return answer.verdict === proven.verdict && (answer.verdict_reason ?? '') === proven.verdict_reason;
}
