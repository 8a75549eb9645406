// The measured loop shared by the Node and the Chromium benchmark: verifies the
// fixture proofs over and over for `ms` milliseconds each, and measures the raw
// Ed25519 verification rate of the same engine as the reference.
import { ed25519 } from '@noble/curves/ed25519.js';
import { verifyCertificateProof } from '../src/index.js';

function rate(fn, ms) {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    fn();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

export function runBench(genesis, cases, ms = 3000) {
  const secret = ed25519.utils.randomSecretKey();
  const message = new TextEncoder().encode('civicledger bench');
  const sig = ed25519.sign(message, secret);
  const pub = ed25519.getPublicKey(secret);
  const ed25519PerSec = rate(() => ed25519.verify(sig, message, pub, { zip215: false }), ms);
  const rows = [];
  for (const p of cases.proofs) {
    const bytes = p.answer.proto.length;
    const perSec = rate(() => verifyCertificateProof({ proof: p.answer, genesis, id: p.id, atMs: p.at_ms, nowMs: cases.now_ms }), ms);
    rows.push({ name: p.name, proofBytes: Math.floor((bytes * 3) / 4), perSec, msPerProof: 1000 / perSec });
  }
  return { ed25519PerSec, rows };
}
