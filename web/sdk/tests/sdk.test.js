// The SDK against a live one-node network with sample data (the browser tests'
// harness). Run by scripts/web-test: node --experimental-websocket --test web/sdk/tests/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startNetwork } from '../../tests/browser/harness.js';
import { Client, Auditor, CivicError, Verdict, VerifyError, disclose } from '../src/index.js';

const UNKNOWN = '1.2.156.3005.2.11510700008207313A001.11510700008207313A.0000000099.001.C';
let net;
let client;
let holder;

before(async () => {
  net = await startNetwork();
  client = new Client(net.url);
  holder = JSON.parse(await readFile(net.valid.file, 'utf8'));
});
after(async () => { await net?.stop(); });

test('reads', async () => {
  const status = await client.status();
  assert.equal(status.chain_id, 'mianyang-1');
  const cert = await client.certificate(net.valid.id);
  assert.equal(cert.status, 'active');
  assert.equal((await client.tx(cert.issuing_tx_id)).id, cert.issuing_tx_id);
  assert.equal((await client.rest('/v1/blocks/1')).height, 1);
});

test('verdicts, with selective disclosure', async () => {
  assert.equal((await client.verify(net.valid.id, { fields: disclose(holder, 'name') })).verdict, Verdict.VALID);
  assert.equal((await client.verify(net.valid.id, { holderCertificate: holder })).verdict, Verdict.VALID);
  const forged = { name: { ...disclose(holder, 'name').name, value: '李四' } };
  const v = await client.verify(net.valid.id, { fields: forged });
  assert.deepEqual([v.verdict, v.verdict_reason], [Verdict.NOT_GENUINE, 'FIELD_MISMATCH']);
  assert.equal((await client.verify(net.revoked.id)).verdict, Verdict.INVALID);
  assert.equal((await client.verify(UNKNOWN)).verdict, Verdict.UNKNOWN_ID);
  assert.throws(() => disclose(holder, 'no_such_field'), (e) => e.appCode === 'FIELD_NOT_ON_CERTIFICATE');
});

test('verification against the departments\' signatures', async () => {
  const genesis = await readFile(`${net.net}/genesis.json`, 'utf8');  // the city's copy, not the node's
  const valid = await client.verifyWithProof(net.valid.id, { genesis });
  assert.equal(valid.verdict, Verdict.VALID);
  assert.equal(valid.signers, valid.validators);
  const revoked = await client.verifyWithProof(net.revoked.id, { genesis });
  assert.deepEqual([revoked.verdict, revoked.verdict_reason], [Verdict.INVALID, 'REVOKED']);
  // Another chain's genesis: the proof does not hold.
  const other = JSON.stringify({ ...JSON.parse(genesis), chain_id: 'elsewhere-1' });
  await assert.rejects(client.verifyWithProof(net.valid.id, { genesis: other }), (e) => e instanceof VerifyError);
  await assert.rejects(client.verifyWithProof(net.valid.id, {}), (e) => e.appCode === 'GENESIS_REQUIRED');
});

test('typed errors', async () => {
  await assert.rejects(client.certificate(UNKNOWN), (e) => e instanceof CivicError && e.appCode === 'CERT_NOT_FOUND' && e.kind === 'not_found');
  await assert.rejects(client.certificate('not an id'), (e) => e.appCode === 'BAD_CERT_ID' && e.kind === 'invalid_input');
  await assert.rejects(client.rest('/v1/blocks/nope'), (e) => e.appCode === 'BAD_HEIGHT' && e.httpStatus === 400);
  await assert.rejects(client.call('no_such_method'), (e) => e.appCode === 'METHOD_NOT_FOUND');
  await assert.rejects(new Client('http://127.0.0.1:1', { timeoutMs: 2000 }).status(), (e) => e.appCode === 'UNREACHABLE');
  assert.throws(() => new Client('ftp://x'), (e) => e.appCode === 'BAD_URL');
});

test('auditor queries are signed; a non-auditor is refused', async () => {
  const gss = await readFile(`${net.net}/orgs/gss.key`, 'utf8');
  const gssOrg = (await readFile(`${net.net}/orgs/gss.key.org`, 'utf8')).trim();
  const auditor = await Auditor.fromKeyFile(client, gss, gssOrg);
  const page = await auditor.accesses({ limit: 5 });
  assert.ok(page.total > 0);
  assert.ok(page.records.length <= 5);
  const psb = await readFile(net.keys.psb, 'utf8');
  const psbOrg = (await readFile(`${net.keys.psb}.org`, 'utf8')).trim();
  const notAuditor = await Auditor.fromKeyFile(client, psb, psbOrg);
  await assert.rejects(notAuditor.accesses({ limit: 1 }), (e) => e.appCode === 'AUTH_NOT_AUDITOR' && e.kind === 'permission_denied');
});

test('a subject sees who read its data', async () => {
  const mine = await client.myAccesses(holder.holder);
  assert.ok(mine.records.length > 0);
});

test('live blocks', async () => {
  const start = (await client.status()).height;
  const block = await new Promise((resolve, reject) => {
    const sub = client.subscribe('blocks', (b) => { sub.close(); resolve(b); }, { onError: reject });
  });
  assert.ok(block.height >= start);
  const bad = client.subscribe('no_such_topic', () => {});
  await assert.rejects(bad.ready, (e) => e.appCode === 'UNKNOWN_TOPIC');
  bad.close();
});
