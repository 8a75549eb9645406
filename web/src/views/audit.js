// Auditor console: load an auditor's key file (plain, or encrypted and unlocked
// here with its passphrase); every query is signed in the page (lib/auth.js) and
// the key never leaves the browser. A key whose org does not hold AUDITOR on
// chain is refused before any query is sent. Filters, paged tables of access
// records and violations, and per-day statistics as an SVG chart.
import { h, clear, field, table } from '../lib/dom.js';
import { call, cached, orgs } from '../lib/rpc.js';
import { loadSigningKey, readKeyFileInfo } from '../lib/keyfile.js';
import { signedParams } from '../lib/auth.js';
import { dayChart } from '../lib/chart.js';
import { dayKey, formatTime, fromLocalInput, shortHex } from '../lib/format.js';
import { errorText, t } from '../i18n.js';
import { errorNotice, loading, mono, notice, pageHeading, section } from '../ui.js';

// Violation reasons of contracts/sharing/sharing.proto, as the node names them.
const VIOLATION_REASONS = ['NO_GRANT', 'GRANT_EXPIRED', 'GRANT_REVOKED', 'FIELDS_BEYOND_GRANT', 'RESOURCE_NOT_SHARED',
  'PURPOSE_MISMATCH', 'DIGEST_MISMATCH', 'UNACKNOWLEDGED'];

// The loaded key and its org; kept in memory only, for this page's lifetime.
let session = null; // {key, org}

const pick = (o, ...names) => {
  for (const n of names) if (o && o[n] !== undefined && o[n] !== null) return o[n];
  return undefined;
};

// The chain and the node (its id is the audience a signed request names).
async function chainAndNode() {
  return cached('chain_and_node', async () => {
    const status = await call('chain_status');
    return { chainId: status.chain_id, audience: status.node?.node_id ?? '' };
  }, 3600000);
}

async function signedCall(method, params) {
  const { chainId, audience } = await chainAndNode();
  const envelope = signedParams({ key: session.key, org: session.org.code, chainId, audience, method, params });
  return call(method, envelope);
}

// The org that registered `keyString` (not revoked), or null.
export function orgOfKey(orgList, keyString) {
  return orgList.find((o) => !o.removed && (o.keys ?? []).some((k) => k.pub_key === keyString && !k.revoked)) ?? null;
}

export function isAuditor(org) {
  return (org?.roles ?? []).some((r) => (typeof r === 'string' ? r : r.role) === 'AUDITOR');
}

function roleList(org) {
  return (org?.roles ?? []).map((r) => (typeof r === 'string' ? r : r.role)).join(', ');
}

function forget() {
  session?.key.forget();
  session = null;
}

export function renderAudit(root) {
  const keyBox = h('div', { id: 'audit-key-status', 'aria-live': 'polite' });
  const consoleBox = h('div', { id: 'audit-console' });
  const fileInput = h('input', { type: 'file', accept: '.json,.key,application/json' });
  const keyField = field('audit-key', t('audit.keyFile'), fileInput, t('audit.keyHint'));
  const pass = h('input', { type: 'password', autocomplete: 'off' });
  const passField = field('audit-pass', t('audit.passphrase'), pass, t('audit.passphraseHint'));
  passField.wrap.hidden = true;
  const unlock = h('button', { type: 'button', class: 'btn btn-primary', id: 'audit-unlock', hidden: true }, t('audit.unlock'));
  let fileText = '';

  const setKeyState = (state, ...content) => {
    keyBox.dataset.state = state;
    clear(keyBox, ...content);
  };

  const accept = async (key) => {
    let orgList;
    try {
      orgList = await orgs();
    } catch (e) {
      key.forget();
      setKeyState('error', errorNotice(e));
      return;
    }
    const org = orgOfKey(orgList, key.keyString);
    if (!org) {
      key.forget();
      setKeyState('refused', notice('error', h('strong', {}, t('audit.refused')), h('p', {}, t('audit.unknownKey', { key: shortHex(key.keyString, 10) }))));
      return;
    }
    if (!isAuditor(org)) {
      key.forget();
      setKeyState('refused', notice('error', h('strong', {}, t('audit.refused')), h('p', {}, t('audit.notAuditor', { org: org.name, code: org.code, roles: roleList(org) }))));
      return;
    }
    session = { key, org };
    fileText = '';
    showReady();
    renderConsole(consoleBox);
  };

  const showReady = () => {
    setKeyState('ready', notice('ok', h('strong', {}, t('audit.ready', { org: session.org.name })),
      h('p', {}, t('audit.keyIs'), ' ', mono(shortHex(session.key.keyString, 10), session.key.keyString), ' · ', session.org.code)),
    h('button', {
      type: 'button', class: 'btn', id: 'audit-forget', onclick: () => {
        forget();
        fileInput.value = '';
        setKeyState('none', h('p', { class: 'muted' }, t('audit.forgotten')));
        clear(consoleBox);
      },
    }, t('audit.forget')));
  };

  const tryLoad = async () => {
    setKeyState('working', h('p', { role: 'status' }, t('audit.checking')));
    try {
      const key = await loadSigningKey(fileText, pass.value, (p) => {
        keyBox.firstChild && (keyBox.firstChild.textContent = t('audit.deriving', { pct: Math.round(p * 100) }));
      });
      pass.value = '';
      await accept(key);
    } catch (e) {
      setKeyState('error', notice('error', errorText(e)));
    }
  };

  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    forget();
    clear(consoleBox);
    fileText = await file.text();
    let info;
    try {
      info = readKeyFileInfo(fileText);
    } catch (e) {
      setKeyState('error', notice('error', errorText(e)));
      return;
    }
    if (info.algo === 'sm2') {
      setKeyState('error', notice('error', t('err.UNSUPPORTED_ALGORITHM')));
      return;
    }
    if (info.encrypted) {
      passField.wrap.hidden = false;
      unlock.hidden = false;
      setKeyState('locked', notice('info', t('audit.encrypted')));
      pass.focus();
      return;
    }
    passField.wrap.hidden = true;
    unlock.hidden = true;
    await tryLoad();
  });
  unlock.addEventListener('click', tryLoad);
  pass.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      tryLoad();
    }
  });

  clear(root,
    pageHeading(t('audit.title'), t('audit.lead')),
    section(t('audit.key'), keyField.wrap, passField.wrap, unlock, h('p', { class: 'hint' }, t('audit.keyStays')), keyBox),
    consoleBox);
  if (session) {
    showReady();
    renderConsole(consoleBox);
  } else {
    setKeyState('none', h('p', { class: 'muted' }, t('audit.noKey')));
  }
  return undefined;
}

function verdictTag(r) {
  const v = pick(r, 'verdict') ?? '';
  const bad = v && v !== 'authorized';
  return h('span', { class: `tag ${bad ? 'tag-fail' : 'tag-ok'}` }, t(`audit.verdict.${bad ? 'violation' : 'authorized'}`));
}

// A violation reason code in words when the dictionary knows it, else the code.
function violationText(code) {
  if (!code) return '';
  const key = `audit.why.${code}`;
  return t(key) === key ? String(code) : t(key);
}

// Every finding of a record ("fields beyond the grant: id_number"), else its first reason.
function findingsText(r) {
  if (Array.isArray(r.findings) && r.findings.length) {
    return r.findings.map((f) => violationText(f.reason) + (f.detail ? `: ${f.detail}` : '')).join('; ');
  }
  return violationText(pick(r, 'violation_reason', 'reason'));
}

function ackText(status) {
  if (!status) return '';
  const key = `audit.ackStatus.${status}`;
  return t(key) === key ? status : t(key);
}

function recordTable(records, orgList, caption) {
  const name = (code) => orgList.find((o) => o.code === code)?.name ?? code ?? '';
  return table([
    { label: t('audit.time'), cell: (r) => formatTime(pick(r, 'accessed_at_ms', 'time_ms') ?? 0) },
    { label: t('audit.requester'), cell: (r) => name(pick(r, 'requester', 'requester_org')) },
    { label: t('audit.provider'), cell: (r) => name(pick(r, 'provider', 'provider_org')) },
    { label: t('audit.resource'), cell: (r) => String(pick(r, 'resource_name', 'resource') ?? '') },
    { label: t('audit.purpose'), cell: (r) => String(pick(r, 'purpose') ?? '') },
    { label: t('audit.fields'), cell: (r) => (Array.isArray(r.fields) ? r.fields.join(', ') : '') },
    { label: t('audit.count'), cell: (r) => String(pick(r, 'record_count') ?? ''), class: 'num' },
    { label: t('audit.verdict'), cell: (r) => verdictTag(r) },
    { label: t('audit.reason'), cell: (r) => findingsText(r) },
    { label: t('audit.ack'), cell: (r) => ackText(r.ack?.status) },
  ], records, { caption, empty: t('audit.noRecords') });
}

function renderConsole(box) {
  const tabs = ['records', 'violations', 'stats'];
  let active = 'records';
  const panel = h('div', { role: 'tabpanel', id: 'audit-panel', tabindex: '0' });
  const tabButtons = tabs.map((name) => h('button', {
    type: 'button', role: 'tab', id: `audit-tab-${name}`, 'aria-controls': 'audit-panel', class: 'tab',
    onclick: () => select(name),
    onkeydown: (e) => {
      const i = tabs.indexOf(name);
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
        select(next);
        document.getElementById(`audit-tab-${next}`)?.focus();
      }
    },
  }, t(`audit.tab.${name}`)));

  // Filters shared by the three tabs.
  const orgSelect = h('select', {}, h('option', { value: '' }, t('audit.anyOrg')));
  orgs().then((list) => list.forEach((o) => orgSelect.append(h('option', { value: o.code }, `${o.name} (${o.code})`)))).catch(() => {});
  const roleSelect = h('select', {}, ['any', 'requester', 'provider'].map((r) => h('option', { value: r }, t(`audit.role.${r}`))));
  const resource = h('input', { type: 'text', autocomplete: 'off' });
  const purpose = h('input', { type: 'text', autocomplete: 'off' });
  const verdict = h('select', {}, ['', 'authorized', 'violation'].map((v) => h('option', { value: v }, v ? t(`audit.verdict.${v}`) : t('audit.anyVerdict'))));
  const reason = h('select', {}, ['', ...VIOLATION_REASONS].map((v) => h('option', { value: v }, v ? violationText(v) : t('audit.anyReason'))));
  const from = h('input', { type: 'datetime-local' });
  const to = h('input', { type: 'datetime-local' });
  const subject = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', pattern: '[0-9a-fA-F]{64}' });
  const limit = h('select', {}, ['20', '50', '100'].map((n) => h('option', { value: n }, n)));
  const filters = h('form', { class: 'filters', id: 'audit-filters', onsubmit: (e) => { e.preventDefault(); cursors = ['']; page = 0; load(); } },
    field('f-org', t('audit.org'), orgSelect).wrap,
    field('f-role', t('audit.orgRole'), roleSelect).wrap,
    field('f-resource', t('audit.resource'), resource).wrap,
    field('f-purpose', t('audit.purpose'), purpose).wrap,
    field('f-verdict', t('audit.verdict'), verdict).wrap,
    field('f-reason', t('audit.reason'), reason).wrap,
    field('f-from', t('audit.from'), from).wrap,
    field('f-to', t('audit.to'), to).wrap,
    field('f-subject', t('audit.subject'), subject, t('audit.subjectHint')).wrap,
    field('f-limit', t('audit.pageSize'), limit).wrap,
    h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('audit.apply'))));

  let cursors = [''];
  let page = 0;

  const filterParams = () => {
    const p = {};
    if (orgSelect.value) {
      p.org = orgSelect.value;
      if (roleSelect.value !== 'any') p.org_role = roleSelect.value;
    }
    if (resource.value.trim()) p.resource = resource.value.trim();
    if (purpose.value.trim()) p.purpose = purpose.value.trim();
    if (verdict.value) p.verdict = verdict.value;
    if (reason.value) p.reason = reason.value;
    const f = fromLocalInput(from.value);
    const tt = fromLocalInput(to.value);
    if (Number.isFinite(f)) p.from_ms = f;
    if (Number.isFinite(tt)) p.to_ms = tt;
    if (subject.value.trim()) p.subject_key = subject.value.trim().toLowerCase();
    return p;
  };

  const unavailable = () => notice('warn', h('strong', {}, t('audit.unavailable')), h('p', {}, t('audit.unavailableHint')));

  async function load() {
    panel.dataset.state = 'loading';
    clear(panel, loading());
    const orgList = await orgs().catch(() => []);
    try {
      if (active === 'stats') {
        const p = filterParams();
        delete p.verdict;
        const s = await signedCall('sharing_stats', p);
        renderStats(panel, s, orgList);
        panel.dataset.state = 'ok';
        return;
      }
      const method = active === 'records' ? 'sharing_query' : 'sharing_violations';
      const p = { ...filterParams(), limit: Number(limit.value) };
      if (active === 'violations') delete p.verdict;
      if (cursors[page]) p.cursor = cursors[page];
      const res = await signedCall(method, p);
      const records = pick(res, 'records', 'items', 'accesses', 'violations') ?? [];
      const next = pick(res, 'next_cursor') || '';
      cursors[page + 1] = next;
      const total = pick(res, 'total', 'total_count');
      const pages = Number.isFinite(total) ? Math.max(1, Math.ceil(total / Number(limit.value))) : null;
      clear(panel,
        h('p', { class: 'muted', role: 'status' }, Number.isFinite(total) ? t('audit.total', { n: total, page: page + 1, pages }) : t('audit.page', { page: page + 1 })),
        recordTable(records, orgList, t(`audit.tab.${active}`)),
        h('nav', { class: 'pager', 'aria-label': t('audit.pages') },
          h('button', { type: 'button', class: 'btn', disabled: page === 0, onclick: () => { page -= 1; load(); } }, `← ${t('audit.prev')}`),
          h('button', { type: 'button', class: 'btn', disabled: !next, onclick: () => { page += 1; load(); } }, `${t('audit.next')} →`)));
    } catch (e) {
      if (e.methodMissing) clear(panel, unavailable());
      else clear(panel, errorNotice(e));
      panel.dataset.state = e.methodMissing ? 'unavailable' : 'error';
      return;
    }
    panel.dataset.state = 'ok';
  }

  function select(name) {
    active = name;
    tabButtons.forEach((b, i) => {
      const on = tabs[i] === name;
      b.setAttribute('aria-selected', on ? 'true' : 'false');
      b.tabIndex = on ? 0 : -1;
    });
    panel.setAttribute('aria-labelledby', `audit-tab-${name}`);
    cursors = [''];
    page = 0;
    load();
  }

  clear(box,
    section(t('audit.filters'), filters),
    h('section', { class: 'card' }, h('div', { role: 'tablist', 'aria-label': t('audit.views'), class: 'tabs' }, tabButtons), panel));
  select('records');
}

export function statsDays(s) {
  const raw = pick(s, 'days', 'per_day', 'by_day') ?? [];
  return raw.map((d) => ({
    day: dayKey(pick(d, 'day', 'date') ?? pick(d, 'day_ms')),
    total: Number(pick(d, 'total', 'count', 'accesses') ?? 0),
    violations: Number(pick(d, 'violations', 'violation_count') ?? 0),
  })).filter((d) => d.day).sort((a, b) => (a.day < b.day ? -1 : 1));
}

function renderStats(panel, s, orgList) {
  const days = statsDays(s);
  const name = (code) => orgList.find((o) => o.code === code)?.name ?? code ?? '';
  const byOrg = pick(s, 'by_org', 'per_org', 'orgs') ?? [];
  const byRes = pick(s, 'by_resource', 'per_resource', 'resources') ?? [];
  clear(panel,
    h('h3', {}, t('audit.perDay')),
    days.length ? dayChart(days, { title: t('audit.perDay'), total: t('audit.accesses'), violations: t('audit.violations') }) : h('p', { class: 'muted' }, t('audit.noRecords')),
    h('h3', {}, t('audit.perOrg')),
    table([
      { label: t('audit.org'), cell: (r) => name(pick(r, 'org', 'code')) },
      { label: t('audit.asRequester'), cell: (r) => String(pick(r, 'as_requester', 'requested', 'total') ?? ''), class: 'num' },
      { label: t('audit.asProvider'), cell: (r) => String(pick(r, 'as_provider', 'provided') ?? ''), class: 'num' },
      { label: t('audit.violations'), cell: (r) => String(pick(r, 'violations') ?? 0), class: 'num' },
    ], byOrg, { caption: t('audit.perOrg'), empty: t('audit.noRecords') }),
    h('h3', {}, t('audit.perResource')),
    table([
      { label: t('audit.resource'), cell: (r) => String(pick(r, 'resource_name', 'resource') ?? '') },
      { label: t('audit.accesses'), cell: (r) => String(pick(r, 'total', 'count') ?? ''), class: 'num' },
      { label: t('audit.violations'), cell: (r) => String(pick(r, 'violations') ?? 0), class: 'num' },
    ], byRes, { caption: t('audit.perResource'), empty: t('audit.noRecords') }));
}
