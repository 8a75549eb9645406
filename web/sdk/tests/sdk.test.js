// The SDK against a live one-node network with sample data (the browser tests'
// harness). Run by scripts/web-test: node --experimental-websocket --test web/sdk/tests/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { civic, startNetwork } from '../../tests/browser/harness.js';
import { Client, Auditor, CivicError, Issuer, Verdict, VerifyError, disclose } from '../src/index.js';

const UNKNOWN = '1.2.156.3005.2.11510700008207313A001.11510700008207313A.0000000099.001.C';
let net;
let client;
let holder;

let configPath;
before(async () => {
  net = await startNetwork({
    configure: async (config) => {
      configPath = config;
      // The [issuer] section civic net init writes, turned on.
      const text = await readFile(config, 'utf8');
      assert.ok(text.includes('[issuer]\nenabled = false\n'));
      await writeFile(config, text.replace('[issuer]\nenabled = false\n',
        '[issuer]\nenabled = true\norg = "11510700008207313A"\norg_key_file = "../orgs/psb.key"\n'));
    },
  });
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

test('the issuer API: issue once however often retried, revoke, refusals', async () => {
  const made = JSON.parse(await civic(['issuer', 'token', 'create', '--node-dir', dirname(configPath),
    '--scope', 'cert.issue:11510700008207313A001,cert.revoke:*', '--expires', '1d', '--label', 'js-sdk', '--json']));
  const issuer = new Issuer(net.url, made.token);
  const person = { name: '吴刚', sex: '男', ethnicity: '汉族', birth_date: '1985-07-09', address: '四川省绵阳市游仙区绵州大道3号',
    id_number: '510703198507090011', issuing_authority: '绵阳市公安局涪城区分局' };
  const cert = { type_code: '11510700008207313A001', holder_code_type: 'citizen_id', holder_code: person.id_number, fields: person };
  const first = await issuer.issue(cert, { idempotencyKey: 'js-issue-1' });
  assert.equal(first.committed, true);
  const copy = first.certificates[0].holder_certificate;
  assert.equal((await client.verify(copy.id, { holderCertificate: copy })).verdict, Verdict.VALID);
  const again = await issuer.issue(cert, { idempotencyKey: 'js-issue-1' });
  assert.deepEqual([again.tx_id, again.replayed], [first.tx_id, true]);
  await assert.rejects(issuer.issue({ ...cert, fields: { ...person, name: '吴强' } }, { idempotencyKey: 'js-issue-1' }),
    (e) => e.appCode === 'IDEMPOTENCY_KEY_REUSED' && e.httpStatus === 409);
  await issuer.revoke(copy.id, 'issued in error');
  const v = await client.verify(copy.id, { holderCertificate: copy });
  assert.deepEqual([v.verdict, v.verdict_reason], [Verdict.INVALID, 'REVOKED']);
  await assert.rejects(issuer.suspend(net.valid.id, 'outside the scope'), (e) => e.appCode === 'ISSUER_SCOPE_DENIED');
  await assert.rejects(new Issuer(net.url, 'civic_it_0000000000000000_nope').revoke(net.valid.id, 'x'),
    (e) => e.kind === 'permission_denied');
});
