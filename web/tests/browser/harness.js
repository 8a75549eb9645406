// Test harness for the browser tests: a one-node CivicLedger network with sample
// data, started with the project's own tools (civic net init/up, civic cert ...),
// and Debian's Chromium driven by playwright-core with a fresh user data dir.
//
// Environment (scripts/web-test sets them): CIVIC_BIN, CIVICD_BIN, CHROMIUM,
// WEB_ARTIFACTS (screenshots).
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import jsQR from 'jsqr';

const run = promisify(execFile);
const REPO = resolve(new URL('../../..', import.meta.url).pathname);
export const WEB_DIST = join(REPO, 'web', 'dist');
const CIVIC = process.env.CIVIC_BIN || join(REPO, 'build/release/tools/civic');
const CIVICD = process.env.CIVICD_BIN || join(REPO, 'build/release/node/civicd');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = process.env.WEB_ARTIFACTS || join(REPO, 'build/web-artifacts');

// Certificate types of the sample genesis (contracts/genesis.cc).
export const ID_CARD = '11510700008207313A001';
export const PSB_ORG = '11510700008207313A';

export async function civic(args, { timeout = 60000 } = {}) {
  try {
    const { stdout } = await run(CIVIC, args, { timeout, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    throw new Error(`civic ${args.join(' ')} failed: ${e.stderr || e.message}`);
  }
}

function idOf(holderJson) {
  return JSON.parse(holderJson).id;
}

// Starts the network and loads the sample data. Returns a handle with the RPC
// base URL, file paths and the ids the tests look at; stop() ends it all.
// `configure(configPath)` may edit node0's config before the node starts.
export async function startNetwork({ configure } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'civic-web-'));
  const net = join(dir, 'net');
  // civic picks the ports (below the ephemeral range, skipping those that
  // tests running at once hold reserved).
  const init = JSON.parse(await civic(['net', 'init', '1', '--dir', net, '--base-port', 'auto',
    '--web-root', WEB_DIST, '--force', '--json']));
  const url = init.nodes[0].rpc;
  const handle = {
    dir, net, url,
    keys: { psb: join(net, 'orgs/psb.key'), gss: join(net, 'orgs/gss.key'), amr: join(net, 'orgs/amr.key') },
    async stop() {
      await civic(['net', 'down', '--dir', net]).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    if (configure) await configure(join(net, 'node0', 'config.toml'));
    await civic(['net', 'up', '--dir', net, '--civicd', CIVICD, '--timeout', '60'], { timeout: 90000 });
    const psb = handle.keys.psb;
    const issue = async (name, holder, fields, from = '2016-03-01', until = '2036-03-01') => {
      const out = join(dir, `${name}.json`);
      // Personal values go in files, never on the command line.
      const holderFile = join(dir, `${name}.holder`);
      const fieldsFile = join(dir, `${name}.fields`);
      await writeFile(holderFile, `${holder}\n`, { mode: 0o600 });
      await writeFile(fieldsFile, Object.entries(fields).map(([k, v]) => `${k}=${v}\n`).join(''), { mode: 0o600 });
      await civic(['cert', 'issue', '--type', ID_CARD, '--holder-type', 'citizen', '--holder-id-file', holderFile,
        '--fields-file', fieldsFile, '--valid-from', from, '--valid-until', until,
        '--out', out, '--force', '--key', psb, '--node', url, '--wait']);
      return { file: out, id: idOf(await readFile(out, 'utf8')) };
    };
    const person = (name, id, address) => ({
      name, sex: '男', ethnicity: '汉族', birth_date: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
      address, id_number: id, issuing_authority: '绵阳市公安局涪城区分局',
    });
    handle.valid = await issue('zhang-wei', '510703198805161236', person('张伟', '510703198805161236', '四川省绵阳市涪城区临园路15号'));
    handle.revoked = await issue('li-na', '11010519491231002X', person('李娜', '11010519491231002X', '四川省绵阳市游仙区剑南路8号'));
    handle.suspended = await issue('wang-fang', '440524188001010014', person('王芳', '440524188001010014', '四川省绵阳市安州区花荄镇1号'));
    handle.expired = await issue('zhao-lei', '510703197001010016', person('赵磊', '510703197001010016', '四川省绵阳市涪城区长虹大道1号'), '2005-01-01', '2015-01-01');
    await civic(['cert', 'revoke', handle.revoked.id, '--reason', '持证人死亡', '--key', psb, '--node', url, '--wait']);
    await civic(['cert', 'suspend', handle.suspended.id, '--reason', '正在调查', '--key', psb, '--node', url, '--wait']);
    // Lost and replaced: the old version is revoked as "replaced", next_id names the new one.
    handle.replaced = await issue('liu-yang', '510703199001010015', person('刘洋', '510703199001010015', '四川省绵阳市涪城区滨江路2号'));
    await civic(['cert', 'replace', handle.replaced.id, '--reason', '遗失', '--holder-file', handle.replaced.file,
      '--out', join(dir, 'liu-yang-2.json'), '--key', psb, '--node', url, '--wait']);
    // A bulk import, so the explorer shows a busier chain.
    const csv = join(dir, 'stock.csv');
    await civic(['sample', 'certificates', '--type', ID_CARD, '--count', '5', '--seed', '7', '--genesis', join(net, 'genesis.json'), '--out', csv]);
    await civic(['import', '--type', ID_CARD, '--file', csv, '--key', psb, '--node', url, '--no-progress']);
    // Sample credit lists (black, red, repaired, expired entries) and sample
    // data-sharing records (a few hundred, some touching 张伟's data).
    handle.creditSample = JSON.parse(await civic(['credit', 'sample', '--net', net, '--node', url, '--json'], { timeout: 120000 }));
    handle.sharingSample = JSON.parse(await civic(['sharing', 'sample', '--net', net, '--node', url, '--records', '400',
      '--subject-holder', handle.valid.file, '--json'], { timeout: 120000 }));
  } catch (e) {
    await handle.stop();
    throw e;
  }
  return handle;
}

// Uncaught script errors of every page opened through startBrowser().newPage().
export const pageErrors = [];

// Chromium headless, without sandbox (tests run as root), with nothing that phones
// home, and a new empty user data dir. `camera`: a .y4m file played as the camera.
export async function startBrowser({ camera = '' } = {}) {
  const profile = await mkdtemp(join(tmpdir(), 'civic-chromium-'));
  const cameraArgs = camera ? ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${camera}`] : [];
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', ...cameraArgs],
    viewport: { width: 1280, height: 900 },
    locale: 'zh-CN',
  });
  return {
    context,
    async newPage(options = {}) {
      const page = await context.newPage();
      if (options.viewport) await page.setViewportSize(options.viewport);
      page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
      return page;
    },
    async stop() {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page, name, options = {}) {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true, ...options });
  return path;
}

// Decodes the QR code drawn in `locator` (a canvas) from a screenshot of it,
// i.e. from the pixels a person would scan.
export async function decodeQr(locator) {
  const png = PNG.sync.read(await locator.screenshot());
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  if (!code) throw new Error('no QR code found in the rendered canvas');
  return code.data;
}

export async function rpc(url, method, params = {}) {
  const res = await fetch(`${url}/rpc`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return res.json();
}

export async function writeTemp(dir, name, text) {
  const p = join(dir, name);
  await writeFile(p, text, { mode: 0o600 });
  return p;
}

// Writes a short camera clip (YUV4MPEG2, 4:2:0) that shows the PNG picture
// `png` centred on white, for Chromium's fake camera.
export async function writeCameraClip(png, path, { width = 640, height = 480, frames = 10 } = {}) {
  const img = PNG.sync.read(png);
  const scale = Math.max(1, Math.floor(Math.min((width - 40) / img.width, (height - 40) / img.height)));
  const ox = Math.floor((width - img.width * scale) / 2);
  const oy = Math.floor((height - img.height * scale) / 2);
  const Y = Buffer.alloc(width * height, 235);
  for (let y = 0; y < img.height * scale; y++) {
    for (let x = 0; x < img.width * scale; x++) {
      const i = (Math.floor(y / scale) * img.width + Math.floor(x / scale)) * 4;
      const luma = 0.299 * img.data[i] + 0.587 * img.data[i + 1] + 0.114 * img.data[i + 2];
      Y[(oy + y) * width + ox + x] = Math.round(16 + (luma * 219) / 255);
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2), 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), Y, chroma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  await writeFile(path, Buffer.concat([header, ...Array(frames).fill(frame)]));
  return path;
}
