// Offline proof verification in Node.js (V8, as in Chromium): proofs/s per
// proof kind against this engine's raw Ed25519 verify rate in the same run.
// Usage: node web/verifier/bench/node.mjs [ms per measurement]
import { readFileSync } from 'node:fs';
import { runBench } from './run.js';

const fixture = (name) => readFileSync(new URL(`../tests/fixtures/${name}`, import.meta.url), 'utf8');
const { ed25519PerSec, rows } = runBench(fixture('genesis.json'), JSON.parse(fixture('cert-proofs.json')), Number(process.argv[2] ?? 3000));
console.log(`engine: Node.js ${process.versions.node} (V8 ${process.versions.v8}), one thread`);
console.log(`raw Ed25519 verify: ${ed25519PerSec.toFixed(0)}/s`);
for (const r of rows) {
  console.log(`${r.name.padEnd(24)} ${String(r.proofBytes).padStart(5)} B  ${r.perSec.toFixed(0).padStart(6)} proofs/s  ${r.msPerProof.toFixed(2)} ms/proof  = ${(r.perSec / ed25519PerSec).toFixed(3)} x raw verify`);
}
