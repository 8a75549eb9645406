// The web page in headless Chromium against a running node with sample data:
// every page shows real data, QR codes decode to the verification link, the
// verify page reports revoked certificates and tampered fields, the auditor
// console refuses a non-auditor key. Screenshots go to build/web-artifacts/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { PSB_ORG, decodeQr, pageErrors, rpc, screenshot, startBrowser, startNetwork, writeCameraClip, writeTemp } from './harness.js';
import { fieldDisclosure } from '../../src/lib/disclosure.js';

let net;
let browser;

before(async () => {
  net = await startNetwork();
  browser = await startBrowser();
}, { timeout: 240000 });

after(async () => {
  await browser?.stop();
  await net?.stop();
});

async function open(path, options) {
  const page = await browser.newPage(options);
  await page.goto(`${net.url}/${path}`);
  return page;
}

test('the explorer shows live chain status, blocks and decoded txs', async () => {
  const status = (await rpc(net.url, 'chain_status')).result;
  const page = await open('');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  await page.locator('[data-stat="chain-id"] .stat-value').filter({ hasText: 'mianyang-1' }).waitFor();
  const shown = Number(await page.locator('[data-stat="height"] .stat-value').textContent());
  assert.ok(shown >= status.height, `height ${shown} >= ${status.height}`);
  assert.equal(await page.locator('[data-stat="validators"] .stat-value').textContent(), '1');
  // Live: the node makes a heartbeat block every second; the WebSocket brings it.
  await page.locator('#live-pill.on').waitFor();
  await page.waitForFunction((h) => Number(document.querySelector('[data-stat="height"] .stat-value').textContent) > h, shown, { timeout: 15000 });
  await page.locator('[data-stat="rate"] .stat-value').filter({ hasText: '块/分钟' }).waitFor();
  // Latest txs decoded: the last of the sample data are data-sharing records,
  // the revocation of a grant and the providers' acknowledgements. Access logs
  // and acknowledgements are auditor-only: the public sees which call they are.
  const txTable = page.locator('section').filter({ hasText: '最新交易' }).locator('tbody');
  await txTable.locator('tr').first().waitFor();
  const txText = await txTable.textContent();
  assert.match(txText, /sharing：log_access（详情仅审计机构可见）/);
  assert.match(txText, /sharing：acknowledge（详情仅审计机构可见）/);
  assert.doesNotMatch(txText, /登记数据访问 \d+ 条/);
  assert.match(txText, /撤销数据共享授权 G-NDRC-INS/);
  assert.match(txText, /绵阳市人力资源和社会保障局/);
  await screenshot(page, 'explorer');

  // Search: a certificate id leads to its page, a height to its block.
  await page.fill('#search-q', net.valid.id);
  await page.press('#search-q', 'Enter');
  await page.locator('#verify-qr').waitFor();
  await page.goto(`${net.url}/#/search/2`);
  await page.locator('h1').filter({ hasText: '区块 2' }).waitFor();
  await page.goto(`${net.url}/#/search/${PSB_ORG}`);
  await page.locator('#credit-uscc').waitFor();
  assert.equal(await page.inputValue('#credit-uscc'), PSB_ORG);
  await page.close();
});

test('a block page and a tx page show decoded contents', async () => {
  const tx = (await rpc(net.url, 'cert_get', { id: net.revoked.id })).result.issuing_tx_id;
  const page = await open(`#/search/${tx}`);
  await page.locator('h1').filter({ hasText: '交易' }).waitFor();
  await page.locator('pre.json').filter({ hasText: '"issue"' }).waitFor();
  const facts = await page.locator('dl.facts').textContent();
  assert.match(facts, /绵阳市公安局/);
  assert.match(facts, /成功/);
  await page.click('dl.facts a[href^="#/block/"]');
  await page.locator('h1').filter({ hasText: '区块' }).waitFor();
  await page.locator('tbody tr').filter({ hasText: '签发 1 张证照' }).first().waitFor();
  await screenshot(page, 'block');
  await page.close();
});

test('the certificate page shows status, summary and a QR code that decodes to the verification link', async () => {
  const page = await open(`#/cert/${encodeURIComponent(net.valid.id)}`);
  await page.locator('.status-line [data-status="valid"]').waitFor();
  const summary = await page.locator('dl.facts').first().textContent();
  assert.match(summary, /居民身份证/);
  assert.match(summary, /绵阳市公安局/);
  assert.ok(!summary.includes('张伟'), 'no personal data on the public page');
  const link = await decodeQr(page.locator('#verify-qr'));
  assert.equal(link, `${net.url}/#/verify?id=${net.valid.id}`);
  assert.equal(await page.locator('#verify-link').textContent(), link);
  await screenshot(page, 'certificate-valid');

  // Following the decoded link verifies it, and the browser checks the answer
  // against the proof the validators signed (1 of 1 in this one-node network).
  await page.goto(link);
  await page.locator('#verdict[data-verdict="valid"]').waitFor();
  await page.locator('#verify-proof[data-proof="verified"]').waitFor({ timeout: 20000 });
  assert.match(await page.locator('#verify-proof').textContent(), /1 个部门中 1 个部门在区块高度 \d+ 的签名/);
  assert.match(await page.locator('#verify-issuer').textContent(), /绵阳市公安局/);
  await page.close();
});

test('revoked and suspended certificates carry their badges', async () => {
  const page = await open(`#/cert/${encodeURIComponent(net.revoked.id)}`);
  await page.locator('.status-line [data-status="revoked"]').filter({ hasText: '已吊销' }).waitFor();
  assert.match(await page.locator('.status-line').textContent(), /持证人死亡/);
  await page.locator('tbody tr').filter({ hasText: '吊销' }).first().waitFor();
  await screenshot(page, 'certificate-revoked');
  await page.goto(`${net.url}/#/cert/${encodeURIComponent(net.suspended.id)}`);
  await page.locator('.status-line [data-status="suspended"]').filter({ hasText: '已暂停' }).waitFor();
  await page.goto(`${net.url}/#/cert/${encodeURIComponent(net.expired.id)}`);
  await page.locator('.status-line [data-status="expired"]').filter({ hasText: '已过期' }).waitFor();
  await screenshot(page, 'certificate-expired');
  await page.close();
});

test('the verify page reports a revoked certificate as revoked, in plain words', async () => {
  const page = await open(`#/verify?id=${net.revoked.id}`);
  const verdict = page.locator('#verdict');
  await verdict.waitFor();
  assert.equal(await verdict.getAttribute('data-verdict'), 'invalid');
  assert.equal(await verdict.getAttribute('data-status'), 'revoked');
  assert.match(await verdict.textContent(), /证照真实，但在所选时间无效：已吊销/);
  await page.locator('#verify-proof[data-proof="verified"]').waitFor({ timeout: 20000 });
  await screenshot(page, 'verify-revoked');
  // Verified at a time before the revocation it was valid.
  const cert = (await rpc(net.url, 'cert_get', { id: net.revoked.id })).result;
  await page.goto(`${net.url}/#/verify?id=${net.revoked.id}&at=${cert.issued_at_ms + 1}`);
  await page.locator('#verdict[data-verdict="valid"]').waitFor();
  // ... and the top says it is revoked now.
  assert.match(await page.locator('#verify-now').textContent(), /现在的状态是：吊销/);
  // An id no certificate has, and input that is no certificate id at all.
  const unknown = net.valid.id.replace(/\.\d{3}\.[0-9A-Z]$/, '.009.X');
  await page.goto(`${net.url}/#/verify?id=${unknown}`);
  await page.locator('#verdict[data-verdict="unknown_id"]').waitFor();
  await page.goto(`${net.url}/#/verify?id=hello`);
  await page.locator('#verdict[data-verdict="unknown_id"][data-reason="BAD_CERT_ID"]').waitFor();
  assert.match(await page.locator('#verdict').textContent(), /这不是证照标识/);
  // A replaced certificate reads as replaced, with its successor, not as revoked.
  await page.goto(`${net.url}/#/verify?id=${net.replaced.id}`);
  await page.locator('#verdict[data-verdict="invalid"][data-reason="REPLACED"]').waitFor();
  assert.equal(await page.locator('#verdict').getAttribute('data-status'), 'replaced');
  assert.match(await page.locator('#verdict').textContent(), /已补发/);
  assert.doesNotMatch(await page.locator('.verdict-head').textContent(), /吊销/);
  await page.click('#verify-successor a');
  await page.locator('#verdict[data-verdict="valid"]').waitFor();
  await page.close();
});

test('the holder discloses chosen fields as a QR code; a tampered field does not match', async () => {
  const page = await open(`#/cert/${encodeURIComponent(net.valid.id)}`);
  await page.setInputFiles('#holder-file', net.valid.file);
  await page.locator('.notice-ok').filter({ hasText: '相符' }).waitFor();
  // Disclose name and birth date only.
  const box = (field) => page.locator(`input[name="disclose"][value="${field}"]`);
  await box('name').check();
  await box('birth_date').check();
  await page.click('#make-disclosure');
  const link = await decodeQr(page.locator('#disclosure-qr'));
  assert.equal(link, await page.locator('#disclosure-link').textContent());
  assert.ok(link.startsWith(`${net.url}/#/verify?id=${net.valid.id}&sd=`));
  assert.ok(!link.includes('510703198805161236'), 'the id number is not disclosed');
  await screenshot(page, 'holder-disclosure');

  await page.goto(link);
  const verdict = page.locator('#verdict');
  await verdict.waitFor();
  assert.equal(await verdict.getAttribute('data-verdict'), 'valid');
  assert.equal(await page.locator('[data-field="name"]').getAttribute('data-match'), 'match');
  assert.equal(await page.locator('[data-field="birth_date"]').getAttribute('data-match'), 'match');
  assert.match(await page.locator('#verify-fields').textContent(), /张伟/);

  // Tamper: same salt, another name.
  const holder = JSON.parse(await readFile(net.valid.file, 'utf8'));
  const salt = holder.fields.find((f) => f.name === 'name').salt;
  const tampered = `${net.url}/#/verify?id=${net.valid.id}&sd=${fieldDisclosure(salt, 'name', '李四')}`;
  await page.goto(`${net.url}/#/verify`);
  await page.fill('#verify-input', tampered);
  await page.click('#verify-go');
  await page.locator('#verdict[data-verdict="not_genuine"][data-reason="FIELD_MISMATCH"]').waitFor();
  assert.equal(await page.locator('[data-field="name"]').getAttribute('data-match'), 'mismatch');
  assert.match(await page.locator('#verify-result').textContent(), /不相符/);
  await screenshot(page, 'verify-tampered');
  await page.close();
});

test('the verify page takes a holder file and a picture of a QR code', async () => {
  const page = await open('#/verify');
  await page.setInputFiles('#verify-file', net.valid.file);
  await page.locator('#verdict[data-verdict="valid"]').waitFor();
  assert.match(await page.locator('#verify-result').textContent(), /与链上记录相符/);
  // A file whose address was edited is reported as not matching.
  const holder = JSON.parse(await readFile(net.valid.file, 'utf8'));
  holder.fields.find((f) => f.name === 'address').value = '四川省成都市';
  await page.setInputFiles('#verify-file', await writeTemp(net.dir, 'edited.json', JSON.stringify(holder)));
  await page.locator('#verdict[data-verdict="not_genuine"][data-reason="FIELD_MISMATCH"]').waitFor();
  assert.equal(await page.locator('[data-field="address"]').getAttribute('data-match'), 'mismatch');
  // A screenshot of the revoked certificate's QR code, loaded as a picture.
  const certPage = await open(`#/cert/${encodeURIComponent(net.revoked.id)}`);
  const png = await certPage.locator('#verify-qr').screenshot({ path: `${net.dir}/qr.png` });
  assert.ok(png.length > 0);
  await certPage.close();
  await page.setInputFiles('#verify-file', `${net.dir}/qr.png`);
  await page.locator('#verdict[data-status="revoked"]').waitFor();
  await page.close();
});

test('the verify page reads a QR code from the camera', async () => {
  // The revoked certificate's QR code, as rendered, played by a fake camera.
  const certPage = await open(`#/cert/${encodeURIComponent(net.revoked.id)}`);
  const clip = await writeCameraClip(await certPage.locator('#verify-qr').screenshot(), `${net.dir}/camera.y4m`);
  await certPage.close();
  const cameraBrowser = await startBrowser({ camera: clip });
  try {
    const page = await cameraBrowser.newPage();
    await page.goto(`${net.url}/#/verify`);
    await page.click('#scan-start');
    await page.locator('#verdict[data-status="revoked"]').waitFor({ timeout: 30000 });
    assert.match(await page.locator('#verify-input').inputValue(), /#\/verify\?id=/);
    await screenshot(page, 'verify-camera');
  } finally {
    await cameraBrowser.stop();
  }
});

test('the credit page answers for a USCC with its red/black status and entries', async () => {
  const page = await open('#/credit');
  await page.fill('#credit-uscc', '11510700008207313B');
  await page.click('form button[type="submit"]');
  await page.locator('#credit-result').filter({ hasText: '校验位不正确' }).waitFor();
  await page.fill('#credit-uscc', PSB_ORG);
  await page.click('form button[type="submit"]');
  const box = page.locator('#credit-result');
  await page.waitForFunction(() => ['unavailable', 'black', 'red', 'none'].includes(document.querySelector('#credit-result')?.dataset.state));
  const probe = await rpc(net.url, 'credit_report', { subject: PSB_ORG });
  assert.equal(await box.getAttribute('data-state'), probe.result.current_list);
  await page.locator('#credit-status').waitFor();
  await screenshot(page, 'credit');
  // The sample's black- and red-listed enterprises show their entries.
  const black = (await rpc(net.url, 'credit_list', { list: 'black', limit: 1 })).result?.entries?.[0];
  const red = (await rpc(net.url, 'credit_list', { list: 'red', limit: 1 })).result?.entries?.[0];
  assert.ok(black && red, 'the credit sample has black and red listed enterprises');
  await page.goto(`${net.url}/#/credit/${black.subject.uscc}`);
  await page.locator('#credit-status[data-list="black"]').waitFor();
  assert.ok((await box.textContent()).includes(black.reason || black.category));
  await screenshot(page, 'credit-black');
  await page.goto(`${net.url}/#/credit/${red.subject.uscc}`);
  await page.locator('#credit-status[data-list="red"]').waitFor();
  await page.close();
});

test('the auditor console refuses a non-auditor key and accepts an auditor key', async () => {
  const page = await open('#/audit');
  await page.setInputFiles('#audit-key', net.keys.psb);
  const status = page.locator('#audit-key-status');
  await page.locator('#audit-key-status[data-state="refused"]').waitFor();
  assert.match(await status.textContent(), /AUDITOR/);
  assert.match(await status.textContent(), /绵阳市公安局/);
  assert.equal(await page.locator('#audit-console').textContent(), '');
  await screenshot(page, 'audit-refused');

  const sent = [];
  page.on('request', (r) => r.url().endsWith('/rpc') && sent.push(r.postData() ?? ''));
  await page.setInputFiles('#audit-key', net.keys.gss);
  await page.locator('#audit-key-status[data-state="ready"]').waitFor();
  await page.waitForFunction(() => ['ok', 'unavailable', 'error'].includes(document.querySelector('#audit-panel')?.dataset.state));
  const state = await page.getAttribute('#audit-panel', 'data-state');
  // The node checked the page's signature and answered (unsigned calls are refused).
  assert.equal(state, 'ok', await page.locator('#audit-panel').textContent());
  const probe = await rpc(net.url, 'sharing_query', {});
  assert.equal(probe.error?.data?.app_code, 'AUTH_REQUIRED');
  // The sample's access records fill the table, with their total.
  await page.locator('#audit-panel tbody tr').first().waitFor();
  assert.match(await page.locator('#audit-panel p[role="status"]').textContent(), new RegExp(`^共 ${net.sharingSample.records} 条`));
  await page.click('#audit-tab-violations');
  await page.locator('#audit-panel[data-state="ok"]').waitFor();
  await page.locator('#audit-panel tbody tr').filter({ hasText: '违规' }).first().waitFor();
  await screenshot(page, 'audit-violations');
  await page.click('#audit-tab-stats');
  await page.locator('#audit-panel[data-state="ok"]').waitFor();
  await page.locator('#audit-panel h3').first().waitFor();
  // The secret key never leaves the page; the request is signed.
  const secret = JSON.parse(await readFile(net.keys.gss, 'utf8')).secret_key;
  assert.ok(sent.length > 0);
  assert.ok(sent.every((body) => !body.includes(secret)));
  const signed = sent.map((b) => JSON.parse(b)).flat().find((c) => c.method === 'sharing_query');
  assert.ok(signed.params.auth.sig.length === 128 && typeof signed.params.request === 'string');
  await screenshot(page, 'audit-console');

  // An encrypted key file (written by civic keygen) is unlocked in the page; this
  // one belongs to no department, so it is refused after unlocking.
  await page.setInputFiles('#audit-key', new URL('../unit/fixtures/encrypted-ed25519.key', import.meta.url).pathname);
  await page.locator('#audit-key-status[data-state="locked"]').waitFor();
  assert.equal(await page.locator('#audit-console').textContent(), '');
  await page.fill('#audit-pass', 'not the passphrase');
  await page.press('#audit-pass', 'Enter');
  await page.locator('#audit-key-status[data-state="error"]').filter({ hasText: '口令不正确' }).waitFor({ timeout: 60000 });
  await page.fill('#audit-pass', 'correct horse battery staple');
  await page.click('#audit-unlock');
  await page.locator('#audit-key-status[data-state="refused"]').filter({ hasText: '未在链上登记' }).waitFor({ timeout: 60000 });
  await page.close();
});

test('English switch, phone-sized screens and labelled controls', async () => {
  const page = await open(`#/cert/${encodeURIComponent(net.valid.id)}`, { viewport: { width: 390, height: 844 } });
  await page.locator('.status-line [data-status="valid"]').waitFor();
  await page.click('#lang-switch');
  await page.locator('.status-line [data-status="valid"]').filter({ hasText: 'Valid' }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.locator('nav [data-nav="explorer"]').textContent(), 'Explorer');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling on a phone (overflow ${overflow}px)`);
  await screenshot(page, 'phone-certificate-en');
  for (const route of ['#/', '#/verify', '#/credit', '#/audit', '#/wallet']) {
    await page.goto(`${net.url}/${route}`);
    await page.locator('h1').waitFor();
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label')).map((el) => el.outerHTML));
    assert.deepEqual(unlabelled, [], route);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(wide <= 0, `${route}: no sideways scrolling (overflow ${wide}px)`);
  }
  await page.goto(`${net.url}/#/verify?id=${net.revoked.id}`);
  await page.locator('#verdict').filter({ hasText: 'Genuine, but not valid at the chosen time: Revoked' }).waitFor();
  await screenshot(page, 'phone-verify-en');
  // Back to Chinese for the other pages of this browser profile.
  await page.click('#lang-switch');
  await page.close();
});

test('no page had an uncaught script error', () => {
  assert.deepEqual(pageErrors, []);
});
