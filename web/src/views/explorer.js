// Explorer: live chain status over the WebSocket, latest blocks and txs with
// their decoded contents, one block, one tx, and search.
import { h, clear, dl, table } from '../lib/dom.js';
import { batch, call, orgs } from '../lib/rpc.js';
import { blocksPerMinute, classifySearch, formatTime, prettyJson, secondsBetween, shortCertId, shortHex } from '../lib/format.js';
import { liveState, onBlock, onState, seed } from '../lib/live.js';
import { t } from '../i18n.js';
import { errorNotice, link, loading, mono, notice, pageHeading, section } from '../ui.js';

const LATEST = 10;
const SCAN_BACK = 300; // blocks searched backwards for the latest txs
const SCAN_BATCH = 50; // blocks per JSON-RPC batch while searching

function orgLabel(orgList, code) {
  const o = orgList.find((x) => x.code === code);
  return o ? o.name : code;
}

// One line that says what a decoded tx does. A redacted tx (chain_getTx leaves
// out what only auditors may see) is named by its call only: its counts and
// texts are not there to summarize.
export function summarizeTx(body, redacted = false) {
  const callJson = body?.call;
  if (!callJson || typeof callJson !== 'object') return body?.contract ? t('tx.summary.raw', { contract: body.contract }) : '';
  const [kind] = Object.keys(callJson);
  if (redacted) return t('tx.summary.redacted', { contract: body.contract, kind });
  const c = callJson[kind] ?? {};
  const key = `tx.summary.${body.contract}.${kind}`;
  const vars = {
    count: [c.certificates, c.entries, c.accesses, c.acks].find(Array.isArray)?.length ?? 1,
    entry: c.entry_id ?? '',
    decision: c.approve ? t('tx.decision.yes') : t('tx.decision.no'),
    commitment: c.commitment_id ?? '',
    id: shortCertId(c.id ?? c.previous_id ?? ''),
    reason: c.reason ?? '',
    title: c.title ?? '',
    proposal: c.proposal_id ?? '',
    vote: c.yes ? t('tx.vote.yes') : t('tx.vote.no'),
    name: c.type?.name ?? c.resource?.name ?? c.name ?? '',
    grant: c.grant?.id ?? c.grant_id ?? '',
    kind,
  };
  const text = t(key, vars);
  return text === key ? t('tx.summary.other', { contract: body.contract, kind }) : text;
}

function searchForm(initial = '') {
  const input = h('input', { type: 'search', id: 'search-q', name: 'q', value: initial, autocomplete: 'off', placeholder: t('search.placeholder'), 'aria-describedby': 'search-hint' });
  return h('form', {
    class: 'search', role: 'search', onsubmit: (e) => {
      e.preventDefault();
      const q = input.value.trim();
      if (q) location.hash = `#/search/${encodeURIComponent(q)}`;
    },
  },
  h('label', { for: 'search-q' }, t('search.label')),
  h('div', { class: 'search-row' }, input, h('button', { type: 'submit', class: 'btn btn-primary' }, t('search.go'))),
  h('small', { id: 'search-hint', class: 'hint' }, t('search.hint')));
}

function resultBadge(result) {
  if (!result) return h('span', { class: 'tag' }, '—');
  return result.ok
    ? h('span', { class: 'tag tag-ok' }, t('tx.ok'))
    : h('span', { class: 'tag tag-fail', title: result.message ?? '' }, `${t('tx.failed')}: ${result.app_code ?? ''}`);
}

function blockRows(blocks) {
  return table([
    { label: t('block.height'), cell: (b) => link(`#/block/${b.height}`, String(b.height)) },
    { label: t('block.time'), cell: (b) => formatTime(b.time_ms) },
    { label: t('block.txCount'), cell: (b) => String(b.tx_count), class: 'num' },
    { label: t('block.proposer'), cell: (b) => mono(shortHex(b.proposer, 6), b.proposer) },
    { label: t('block.hash'), cell: (b) => mono(shortHex(b.hash), b.hash) },
  ], blocks, { caption: t('explorer.latestBlocks'), empty: t('explorer.noBlocks') });
}

function txRows(txs, orgList) {
  return table([
    { label: t('tx.id'), cell: (x) => link(`#/tx/${x.id}`, shortHex(x.id), { class: 'mono', title: x.id }) },
    { label: t('block.height'), cell: (x) => link(`#/block/${x.height}`, String(x.height)) },
    { label: t('tx.org'), cell: (x) => orgLabel(orgList, x.body?.org ?? x.org ?? '') },
    { label: t('tx.what'), cell: (x) => summarizeTx(x.body, x.redacted) || [x.contract, x.method].filter(Boolean).join(': ') },
    { label: t('tx.result'), cell: (x) => resultBadge(x.result) },
  ], txs, { caption: t('explorer.latestTxs'), empty: t('explorer.noTxs') });
}

function blockEvent(b) {
  return { height: b.height, hash: b.hash, time_ms: b.header?.time_ms ?? b.time_ms, tx_count: b.header?.tx_count ?? b.txs?.length ?? b.tx_count ?? 0, proposer: b.header?.proposer ?? b.proposer };
}

// The latest `want` txs at or below `fromHeight`, newest first, with decoded bodies.
async function latestTxs(fromHeight, want, knownBlocks = []) {
  const ids = [];
  const seen = new Map(knownBlocks.map((b) => [b.height, b]));
  let h = fromHeight;
  const stop = Math.max(1, fromHeight - SCAN_BACK + 1);
  while (h >= stop && ids.length < want) {
    const heights = [];
    for (let x = h; x >= stop && heights.length < SCAN_BATCH; x--) if (!seen.has(x)) heights.push(x);
    const answers = heights.length ? await batch(heights.map((x) => ['chain_getBlock', { height: x }])) : [];
    answers.forEach((a, i) => a.ok && seen.set(heights[i], a.result));
    for (let x = h; x > h - SCAN_BATCH && x >= stop && ids.length < want; x--) {
      const b = seen.get(x);
      for (const tx of [...(b?.txs ?? [])].reverse()) {
        if (ids.length < want) ids.push({ id: tx.id, height: x, org: tx.org, contract: tx.contract, result: tx.result });
      }
    }
    h -= SCAN_BATCH;
  }
  const decoded = await batch(ids.map((x) => ['chain_getTx', { id: x.id }]));
  return ids.map((x, i) => (decoded[i].ok ? decoded[i].result : x));
}

export async function renderExplorer(root) {
  const statusBox = h('div', { class: 'stats' }, loading());
  const validatorsBox = h('div', {}, loading());
  const blocksBox = h('div', {}, loading());
  const txsBox = h('div', {}, loading());
  clear(root,
    pageHeading(t('explorer.title'), t('explorer.lead')),
    searchForm(),
    section(t('explorer.status'), statusBox),
    h('div', { class: 'two-col' },
      section(t('explorer.latestBlocks'), blocksBox),
      section(t('explorer.latestTxs'), txsBox)),
    section(t('explorer.validators'), validatorsBox));

  let status;
  let orgList = [];
  let blocks = [];
  let txs = [];
  let alive = true;
  // Blocks announced while the first page of data loads are applied afterwards.
  let onNewBlock = null;
  const early = [];
  const offBlock = onBlock((ev) => (onNewBlock ? onNewBlock(ev) : early.push(ev)));
  try {
    [status, orgList] = await Promise.all([call('chain_status'), orgs().catch(() => [])]);
  } catch (e) {
    offBlock();
    clear(statusBox, errorNotice(e));
    clear(blocksBox);
    clear(txsBox);
    clear(validatorsBox);
    return undefined;
  }

  const paintStatus = () => {
    const s = liveState();
    const height = Math.max(s.height, status.height);
    const lastMs = s.lastBlockTimeMs || status.latest_block_time_ms;
    const rate = blocksPerMinute(s.recentTimes);
    const ago = s.lastBlockSeenAt ? secondsBetween(s.lastBlockSeenAt, Date.now()) : null;
    clear(statusBox,
      stat(t('explorer.chainId'), status.chain_id, 'chain-id'),
      stat(t('explorer.height'), String(height), 'height'),
      stat(t('explorer.validatorCount'), String(status.validators?.length ?? 0), 'validators'),
      stat(t('explorer.blockRate'), rate === null ? '—' : t('explorer.perMinute', { n: rate.toFixed(1) }), 'rate'),
      stat(t('explorer.lastCommit'), lastMs ? formatTime(lastMs) : '—', 'last-commit',
        ago === null ? '' : t('explorer.secondsAgo', { n: ago })),
      stat(t('explorer.connection'), s.connected ? t('live.connected') : t('live.reconnecting'), 'connection'),
      stat(t('explorer.node'), status.node?.moniker ?? '', 'node', t('explorer.peers', { n: status.node?.peers ?? 0 })),
      stat(t('explorer.mempool'), String(status.mempool_size ?? 0), 'mempool'));
  };

  clear(validatorsBox, table([
    { label: t('validator.org'), cell: (v) => orgLabel(orgList, v.org) },
    { label: t('validator.key'), cell: (v) => mono(shortHex(v.pub_key, 8), v.pub_key) },
    { label: t('validator.power'), cell: (v) => String(v.power), class: 'num' },
  ], status.validators ?? [], { caption: t('explorer.validators'), empty: t('explorer.noValidators') }));

  const height = status.height;
  if (height >= 1) {
    const heights = [];
    for (let x = height; x >= 1 && heights.length < LATEST; x--) heights.push(x);
    const answers = await batch(heights.map((x) => ['chain_getBlock', { height: x }])).catch(() => []);
    const full = answers.filter((a) => a.ok).map((a) => a.result);
    blocks = full.map(blockEvent);
    seed({ height, timeMs: status.latest_block_time_ms, times: blocks.map((b) => b.time_ms) });
    clear(blocksBox, blockRows(blocks));
    try {
      txs = await latestTxs(height, LATEST, full);
      clear(txsBox, txRows(txs, orgList));
    } catch (e) {
      clear(txsBox, errorNotice(e));
    }
  } else {
    clear(blocksBox, notice('info', t('explorer.noBlocks')));
    clear(txsBox, notice('info', t('explorer.noTxs')));
  }
  paintStatus();

  let lastStatusFetch = Date.now();
  onNewBlock = async (ev) => {
    if (!alive) return;
    blocks = [ev, ...blocks.filter((b) => b.height !== ev.height)].sort((a, b) => b.height - a.height).slice(0, LATEST);
    clear(blocksBox, blockRows(blocks));
    if (ev.tx_count > 0) {
      try {
        const block = await call('chain_getBlock', { height: ev.height });
        const decoded = await batch((block.txs ?? []).map((x) => ['chain_getTx', { id: x.id }]));
        const fresh = decoded.filter((d) => d.ok).map((d) => d.result).reverse();
        txs = [...fresh, ...txs.filter((x) => !fresh.some((f) => f.id === x.id))].slice(0, LATEST);
        if (alive) clear(txsBox, txRows(txs, orgList));
      } catch {
        // This block's txs stay out of the list; they are still reachable by search.
      }
    }
    if (Date.now() - lastStatusFetch > 3000) {
      lastStatusFetch = Date.now();
      try {
        status = await call('chain_status');
      } catch {
        // Keep the last status.
      }
    }
    if (alive) paintStatus();
  };
  for (const ev of early.splice(0)) if (ev.height > height) onNewBlock(ev);
  const offState = onState(() => alive && paintStatus());
  const timer = setInterval(paintStatus, 1000);
  // Without the WebSocket (a proxy that drops it, or while it reconnects), poll.
  let shownHeight = Math.max(height, ...blocks.map((b) => b.height));
  const offNew = onBlock((ev) => { shownHeight = Math.max(shownHeight, ev.height); });
  const poll = setInterval(async () => {
    if (!alive || liveState().connected) return;
    try {
      status = await call('chain_status');
      const missing = [];
      for (let x = status.height; x > shownHeight && missing.length < LATEST; x--) missing.push(x);
      shownHeight = Math.max(shownHeight, status.height);
      const answers = await batch(missing.reverse().map((x) => ['chain_getBlock', { height: x }]));
      for (const a of answers) if (a.ok) onNewBlock(blockEvent(a.result));
      seed({ height: status.height, timeMs: status.latest_block_time_ms });
    } catch {
      // The node is away too; the header says so.
    }
  }, 5000);
  return () => {
    alive = false;
    offBlock();
    offNew();
    offState();
    clearInterval(timer);
    clearInterval(poll);
  };
}

function stat(label, value, key, sub = '') {
  return h('div', { class: 'stat', dataset: { stat: key } },
    h('div', { class: 'stat-label' }, label),
    h('div', { class: 'stat-value' }, value),
    sub ? h('div', { class: 'stat-sub' }, sub) : null);
}

export async function renderBlock(root, { args }) {
  const [ref] = args;
  clear(root, pageHeading(t('block.title', { ref: shortHex(ref) })), loading());
  let b;
  try {
    b = await call('chain_getBlock', /^\d+$/.test(ref) ? { height: Number(ref) } : { hash: ref });
  } catch (e) {
    clear(root, pageHeading(t('block.title', { ref: shortHex(ref) })), errorNotice(e), searchForm(ref));
    return;
  }
  const orgList = await orgs().catch(() => []);
  const hd = b.header ?? {};
  const txBox = h('div', {}, loading());
  clear(root,
    pageHeading(t('block.title', { ref: String(b.height) })),
    h('nav', { class: 'pager', 'aria-label': t('block.nav') },
      b.height > 1 ? link(`#/block/${b.height - 1}`, `← ${t('block.prev')}`) : h('span'),
      link(`#/block/${b.height + 1}`, `${t('block.next')} →`)),
    section(t('block.header'), dl([
      [t('block.height'), String(b.height)],
      [t('block.hash'), mono(b.hash)],
      [t('block.time'), `${formatTime(hd.time_ms)} (${hd.time})`],
      [t('block.txCount'), String(hd.tx_count ?? b.txs?.length ?? 0)],
      [t('block.proposer'), mono(hd.proposer ?? '')],
      [t('block.prevHash'), hd.prev_block_hash ? link(`#/block/${b.height - 1}`, hd.prev_block_hash, { class: 'mono' }) : '—'],
      [t('block.txRoot'), mono(hd.tx_root ?? '')],
      [t('block.stateRoot'), mono(hd.state_root ?? '')],
      [t('block.validatorsHash'), mono(hd.validators_hash ?? '')],
      [t('block.chainId'), hd.chain_id],
    ])),
    section(t('block.txs'), txBox),
    section(t('block.commit'), dl([
      [t('block.commitRound'), String(b.commit?.round ?? 0)],
      [t('block.signatures'), String(b.commit?.signatures?.length ?? 0)],
    ]), table([
      { label: t('validator.key'), cell: (s) => mono(shortHex(s.validator, 8), s.validator) },
      { label: t('block.signature'), cell: (s) => mono(shortHex(s.sig, 10), s.sig) },
    ], b.commit?.signatures ?? [], { caption: t('block.commit') })));
  const decoded = await batch((b.txs ?? []).map((x) => ['chain_getTx', { id: x.id }])).catch(() => []);
  const rows = (b.txs ?? []).map((x, i) => (decoded[i]?.ok ? decoded[i].result : { ...x, height: b.height }));
  clear(txBox, txRows(rows, orgList));
}

export async function renderTx(root, { args }) {
  const [id] = args;
  clear(root, pageHeading(t('tx.title')), loading());
  let x;
  try {
    x = await call('chain_getTx', { id });
  } catch (e) {
    clear(root, pageHeading(t('tx.title')), errorNotice(e), searchForm(id));
    return;
  }
  const orgList = await orgs().catch(() => []);
  const body = x.body ?? {};
  const certIds = new Set();
  const walk = (v) => {
    if (typeof v === 'string' && /^1\.2\.156\.3005\.2\./.test(v)) certIds.add(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(body.call);
  clear(root,
    pageHeading(t('tx.title'), summarizeTx(body, x.redacted)),
    section(t('tx.facts'), dl([
      [t('tx.id'), mono(x.id)],
      [t('tx.block'), link(`#/block/${x.height}`, `${x.height} #${x.index}`)],
      [t('tx.result'), h('span', {}, resultBadge(x.result), x.result?.message ? ` ${x.result.message}` : '')],
      [t('tx.org'), `${orgLabel(orgList, body.org)} (${body.org ?? ''})`],
      [t('tx.contract'), body.contract],
      [t('tx.signer'), mono(x.signer ?? '')],
      [t('tx.validUntil'), String(body.valid_until_height ?? '')],
      [t('tx.size'), t('tx.bytes', { n: x.size })],
      [t('tx.certificates'), certIds.size ? h('ul', { class: 'plain' }, [...certIds].map((c) => h('li', {}, link(`#/cert/${encodeURIComponent(c)}`, c, { class: 'mono' })))) : null],
    ])),
    section(t('tx.decoded'),
      x.redacted ? notice('info', t('tx.redacted')) : null,
      body.call ? h('pre', { class: 'json', tabindex: '0', 'aria-label': t('tx.decoded') }, prettyJson(body.call))
        : notice('info', body.call_error ?? t('tx.noDecoder'))));
}

export async function renderSearch(root, { args }) {
  const [q] = args;
  const c = classifySearch(q);
  const go = (hash) => location.replace(hash);
  // A verification or disclosure link pasted into the search box.
  const at = q.indexOf('#/verify?');
  if (at >= 0) return go(q.slice(at));
  if (c.kind === 'height') return go(`#/block/${c.value}`);
  if (c.kind === 'cert') return go(`#/cert/${encodeURIComponent(c.value)}`);
  if (c.kind === 'uscc') return go(`#/credit/${c.value}`);
  clear(root, pageHeading(t('search.title')), loading());
  if (c.kind === 'hash') {
    const [tx, block] = await batch([['chain_getTx', { id: c.value }], ['chain_getBlock', { hash: c.value }]]).catch((e) => [{ ok: false, error: e }, { ok: false, error: e }]);
    if (tx.ok) return go(`#/tx/${c.value}`);
    if (block.ok) return go(`#/block/${block.result.height}`);
    clear(root, pageHeading(t('search.title')), notice('warn', t('search.hashNotFound', { q: c.value })), searchForm(q));
    return undefined;
  }
  clear(root, pageHeading(t('search.title')), notice('warn', t('search.unknown', { q })), searchForm(q));
  return undefined;
}

