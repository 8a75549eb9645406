// Writes tests/fixtures from a running network (scripts/make-proof-fixtures
// starts one): the genesis, and cert_proof answers with the node's cert_verify
// verdicts for a valid, a suspended, a revoked, a replaced, a revoked-later and
// an unknown certificate.
//
// Usage: node make-fixtures.mjs RPC_URL GENESIS_FILE SAMPLE_DIR
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const [url, genesisFile, sampleDir] = process.argv.slice(2);
if (!url || !genesisFile || !sampleDir) {
  console.error('usage: node make-fixtures.mjs RPC_URL GENESIS_FILE SAMPLE_DIR');
  process.exit(2);
}
const out = new URL('./fixtures/', import.meta.url);
mkdirSync(out, { recursive: true });

let nextId = 1;
async function rpc(method, params) {
  const response = await fetch(`${url}/rpc`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
  });
  const json = await response.json();
  if (json.error) throw new Error(`${method}: ${JSON.stringify(json.error)}`);
  return json.result;
}

const issued = JSON.parse(readFileSync(`${sampleDir}/zhang-wei.json`, 'utf8')).id;
const [suspended, revoked, replaced] = readFileSync(`${sampleDir}/lifecycle-ids`, 'utf8').trim().split('\n');
const revokedCert = await rpc('cert_get', { id: revoked });

// A well-formed id that no certificate has: the check character that makes it valid.
let unknown = null;
for (const c of '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
  const candidate = issued.replace(/\.\d{3}\.[0-9A-Z]$/, `.009.${c}`);
  const v = await rpc('cert_verify', { id: candidate });
  if (v.verdict_reason === 'CERT_NOT_FOUND') {
    unknown = candidate;
    break;
  }
}
if (!unknown) throw new Error('no well-formed unknown id found');

const cases = [
  ['valid', issued, undefined],
  ['suspended', suspended, undefined],
  ['revoked', revoked, undefined],
  ['replaced', replaced, undefined],
  ['valid-then-revoked-now', revoked, revokedCert.issued_at_ms + 1],
  ['unknown', unknown, undefined],
];
const proofs = [];
for (const [name, id, at] of cases) {
  const params = at === undefined ? { id } : { id, at };
  const verdict = await rpc('cert_verify', params);
  const answer = await rpc('cert_proof', { id, at: verdict.at_ms });
  proofs.push({ name, id, at_ms: verdict.at_ms, expect: { verdict: verdict.verdict, verdict_reason: verdict.verdict_reason ?? '' }, answer: answer.proof });
}
const status = await rpc('chain_status', {});
copyFileSync(genesisFile, new URL('genesis.json', out));
writeFileSync(new URL('cert-proofs.json', out), `${JSON.stringify({ now_ms: status.latest_block_time_ms, proofs }, null, 1)}\n`);
console.log(`wrote ${proofs.length} proofs at height ${status.height}`);
