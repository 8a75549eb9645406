// The same measurement in headless Chromium (Debian's chromium, through
// playwright-core): a tiny static server hands the page the verifier's modules
// and the fixtures; the page runs bench/run.js and returns the figures.
// Usage: node web/verifier/bench/chromium.mjs [ms per measurement]
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, normalize } from 'node:path';
import { chromium } from 'playwright-core';

const WEB = new URL('../../', import.meta.url);
const types = { '.js': 'text/javascript', '.json': 'application/json', '.html': 'text/html' };
const page = `<!doctype html><script type="importmap">{"imports":{
  "@noble/hashes/": "/node_modules/@noble/hashes/", "@noble/curves/": "/node_modules/@noble/curves/"}}</script>`;

const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^\/+/, '');
  if (path === '' || path === 'bench.html') {
    res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    return;
  }
  try {
    const body = await readFile(new URL(path, WEB));
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const tab = await browser.newPage();
  await tab.goto(`${base}/bench.html`);
  const ms = Number(process.argv[2] ?? 3000);
  const result = await tab.evaluate(async (ms) => {
    const { runBench } = await import('/verifier/bench/run.js');
    const genesis = await (await fetch('/verifier/tests/fixtures/genesis.json')).text();
    const cases = await (await fetch('/verifier/tests/fixtures/cert-proofs.json')).json();
    return { ua: navigator.userAgent, ...runBench(genesis, cases, ms) };
  }, ms);
  console.log(`engine: ${result.ua.match(/Chrome\/[\d.]+/)?.[0] ?? result.ua}, one thread`);
  console.log(`raw Ed25519 verify: ${result.ed25519PerSec.toFixed(0)}/s`);
  for (const r of result.rows) {
    console.log(`${r.name.padEnd(24)} ${String(r.proofBytes).padStart(5)} B  ${r.perSec.toFixed(0).padStart(6)} proofs/s  ${r.msPerProof.toFixed(2)} ms/proof  = ${(r.perSec / result.ed25519PerSec).toFixed(3)} x raw verify`);
  }
} finally {
  await browser.close();
  server.close();
}
