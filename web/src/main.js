// The page shell: header with navigation, language switch and live chain
// status; a hash router (#/..., so the node can serve one index.html and links
// work without server routes) that renders one view into <main>.
//
// Routes:
//   #/                      explorer (live status, latest blocks and txs, search)
//   #/block/<height|hash>   one block        #/tx/<id>         one tx
//   #/search/<text>         resolves a search to the right page
//   #/cert/<id>             certificate page (public summary, status, QR; holder side)
//   #/wallet                holder: load a certificate file, choose fields, show a QR code
//   #/verify?id=..&sd=..    verification (also scan, paste, load a file)
//   #/credit[/<uscc>]       credit report      #/audit          auditor console
import './styles.css';
import { h, clear } from './lib/dom.js';
import { errorText, getLang, onLangChange, setLang, t } from './i18n.js';
import { liveState, onState, seed, startLive } from './lib/live.js';
import { call } from './lib/rpc.js';
import { formatTime } from './lib/format.js';
import { renderExplorer, renderBlock, renderTx, renderSearch } from './views/explorer.js';

// Pages other than the explorer load their code when first opened.
const lazy = (load, name) => async (root, r) => (await load())[name](root, r);
const renderCertificate = lazy(() => import('./views/certificate.js'), 'renderCertificate');
const renderWallet = lazy(() => import('./views/certificate.js'), 'renderWallet');
const renderVerify = lazy(() => import('./views/verify.js'), 'renderVerify');
const renderCredit = lazy(() => import('./views/credit.js'), 'renderCredit');
const renderAudit = lazy(() => import('./views/audit.js'), 'renderAudit');

const routes = [
  { match: /^\/?$/, view: renderExplorer, nav: 'explorer' },
  { match: /^\/block\/([^/]+)$/, view: renderBlock, nav: 'explorer' },
  { match: /^\/tx\/([^/]+)$/, view: renderTx, nav: 'explorer' },
  { match: /^\/search\/(.*)$/, view: renderSearch, nav: 'explorer' },
  { match: /^\/cert\/([^/]+)$/, view: renderCertificate, nav: 'wallet' },
  { match: /^\/wallet$/, view: renderWallet, nav: 'wallet' },
  { match: /^\/verify$/, view: renderVerify, nav: 'verify' },
  { match: /^\/credit(?:\/([^/]+))?$/, view: renderCredit, nav: 'credit' },
  { match: /^\/audit$/, view: renderAudit, nav: 'audit' },
];

const NAV = [
  ['explorer', '#/'],
  ['wallet', '#/wallet'],
  ['verify', '#/verify'],
  ['credit', '#/credit'],
  ['audit', '#/audit'],
];

let cleanup = null;
let firstRoute = true;
let routeGeneration = 0;
let main;
let header;

// A path segment decoded; as it is when its %-escapes are malformed.
function safeDecode(segment) {
  if (segment === undefined) return '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
  return { path, query };
}

// Three linked blocks, drawn inline so no font or file is needed.
function logo() {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '22');
  svg.setAttribute('height', '22');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'logo');
  svg.innerHTML = '<rect x="1" y="8" width="7" height="8" rx="1.5" fill="#fff"/><rect x="16" y="8" width="7" height="8" rx="1.5" fill="#fff"/>'
    + '<rect x="8.5" y="3" width="7" height="8" rx="1.5" fill="#9cc3ff"/><rect x="8.5" y="13" width="7" height="8" rx="1.5" fill="#9cc3ff"/>';
  return svg;
}

let livePill;
function paintLive(s) {
  livePill.className = `live-pill ${s.connected ? 'on' : 'off'}`;
  livePill.textContent = s.height
    ? t('live.pill', { height: s.height, state: s.connected ? t('live.connected') : t('live.reconnecting') })
    : (s.connected ? t('live.connected') : t('live.connecting'));
  livePill.title = s.lastBlockTimeMs ? t('live.lastBlock', { time: formatTime(s.lastBlockTimeMs) }) : '';
}

function renderHeader(activeNav) {
  if (!livePill) {
    livePill = h('span', { class: 'live-pill', id: 'live-pill', role: 'status', 'aria-live': 'off' });
    onState(paintLive);
  }
  paintLive(liveState());
  const other = getLang() === 'zh' ? 'en' : 'zh';
  clear(header,
    h('a', { class: 'skip', href: '#main', onclick: (e) => { e.preventDefault(); main.focus(); } }, t('nav.skip')),
    h('div', { class: 'bar' },
      h('a', { class: 'brand', href: '#/' }, logo(), h('span', {}, t('app.name'))),
      livePill,
      h('button', {
        type: 'button', class: 'btn btn-lang', id: 'lang-switch', lang: other === 'zh' ? 'zh-CN' : 'en',
        'aria-label': t('nav.switchTo'), onclick: () => setLang(other),
      }, t('nav.otherLang'))),
    h('nav', { 'aria-label': t('nav.label') },
      h('ul', {}, NAV.map(([key, href]) => h('li', {},
        h('a', { href, 'aria-current': key === activeNav ? 'page' : null, dataset: { nav: key } }, t(`nav.${key}`)))))));
}

async function route() {
  if (cleanup) {
    try {
      cleanup();
    } catch {
      // A view's cleanup must not stop navigation.
    }
    cleanup = null;
  }
  const { path, query } = parseHash();
  const found = routes.find((r) => r.match.test(path));
  const args = found ? path.match(found.match).slice(1).map(safeDecode) : [];
  renderHeader(found?.nav ?? '');
  // Each navigation renders into a fresh element: a slower earlier page that is
  // still loading then writes only into its own detached element.
  const generation = ++routeGeneration;
  const view = h('div', { class: 'view' });
  clear(main, view);
  document.title = t('app.title');
  if (!found) {
    view.append(h('h1', { tabindex: '-1' }, t('common.notFound')), h('p', {}, h('a', { href: '#/' }, t('nav.explorer'))));
    return;
  }
  let c;
  try {
    c = await found.view(view, { args, query });
  } catch (e) {
    // A page that failed to load (e.g. its code could not be fetched) says so.
    view.append(h('div', { class: 'notice notice-error', role: 'alert' }, errorText(e)));
  }
  if (generation !== routeGeneration) {
    if (typeof c === 'function') c();
    return;
  }
  if (typeof c === 'function') cleanup = c;
  const title = main.querySelector('h1')?.textContent;
  document.title = title ? `${title} · ${t('app.name')}` : t('app.title');
  // After a navigation (not the first page load), move focus to the new page's
  // heading so screen readers announce it, unless the page focused something itself.
  const focusLost = document.activeElement === document.body || header.contains(document.activeElement);
  if (!firstRoute && focusLost) main.querySelector('h1')?.focus({ preventScroll: true });
  firstRoute = false;
}

function start() {
  document.documentElement.lang = getLang() === 'zh' ? 'zh-CN' : 'en';
  const app = document.getElementById('app');
  header = h('header', { class: 'site' });
  main = h('main', { id: 'main', tabindex: '-1' });
  const footer = h('footer', { class: 'site' });
  const fillFooter = () => clear(footer, h('p', {}, t('app.footer')));
  fillFooter();
  clear(app, header, main, footer);
  startLive();
  call('chain_status').then((st) => seed({ height: st.height, timeMs: st.latest_block_time_ms })).catch(() => {});
  window.addEventListener('hashchange', route);
  onLangChange(() => {
    document.documentElement.lang = getLang() === 'zh' ? 'zh-CN' : 'en';
    fillFooter();
    route().then(() => document.getElementById('lang-switch')?.focus());
  });
  route();
}

start();
