// Credit report for an enterprise by its unified social credit code: current
// red/black status, entries, repairs and the joint measures that apply
// (credit_report; credit_check for measures when the report has none).
// A node without the credit module answers "method not found": the page says
// the report is not available on this node.
import { h, clear, field, table } from '../lib/dom.js';
import { call, orgs } from '../lib/rpc.js';
import { formatDate, prettyJson, usccProblem } from '../lib/format.js';
import { t } from '../i18n.js';
import { errorNotice, loading, notice, pageHeading, section } from '../ui.js';

const pick = (o, ...names) => {
  for (const n of names) if (o && o[n] !== undefined && o[n] !== null && o[n] !== '') return o[n];
  return undefined;
};

function when(o, name) {
  const ms = pick(o, `${name}_ms`);
  if (Number.isFinite(ms) && ms > 0) return formatDate(ms);
  const text = pick(o, name);
  return typeof text === 'string' ? text.slice(0, 10) : '';
}

function entriesOf(report) {
  const e = pick(report, 'entries', 'history', 'items');
  return Array.isArray(e) ? e : [];
}

// 'black' | 'red' | 'none': black wins over red; only entries still published count.
export function currentList(report) {
  const declared = pick(report, 'current_list', 'list_status', 'status');
  if (typeof declared === 'string' && ['black', 'red', 'none'].includes(declared)) return declared;
  const current = pick(report, 'current');
  const live = Array.isArray(current) ? current : entriesOf(report).filter((e) => (pick(e, 'state', 'status') ?? 'listed') === 'listed');
  if (live.some((e) => pick(e, 'list') === 'black')) return 'black';
  if (live.some((e) => pick(e, 'list') === 'red')) return 'red';
  return 'none';
}

function orgName(orgList, code) {
  return orgList.find((o) => o.code === code)?.name ?? code ?? '';
}

function listTag(list) {
  return h('span', { class: `tag tag-${list === 'black' ? 'fail' : list === 'red' ? 'red' : 'plain'}` }, t(`credit.list.${list}`) === `credit.list.${list}` ? list : t(`credit.list.${list}`));
}

function stateText(s) {
  return t(`credit.state.${s}`) === `credit.state.${s}` ? s : t(`credit.state.${s}`);
}

// Applications (repairs or objections) of the entries, newest first, with their entry id.
function applicationsOf(report, entries, name) {
  if (Array.isArray(report[name])) return report[name];
  return entries.flatMap((e) => (Array.isArray(e[name]) ? e[name].map((a) => ({ ...a, entry: pick(e, 'id', 'entry_id') })) : []))
    .sort((a, b) => (pick(b, 'filed_at_ms') ?? 0) - (pick(a, 'filed_at_ms') ?? 0));
}

// The applicant and the decision note are shown only to entitled callers; the
// public report has the facts (entry, dates, outcome), so empty columns are left out.
function applicationTable(rows, orgList, caption, empty) {
  const has = (name) => rows.some((r) => pick(r, name));
  return table([
    { label: t('credit.entry'), cell: (r) => String(pick(r, 'entry', 'entry_id') ?? '') },
    has('applicant_org') ? { label: t('credit.applicant'), cell: (r) => orgName(orgList, pick(r, 'applicant_org')) } : null,
    { label: t('credit.filedAt'), cell: (r) => when(r, 'filed_at') },
    { label: t('credit.state'), cell: (r) => stateText(pick(r, 'state', 'status', 'outcome') ?? '') },
    { label: t('credit.decidedAt'), cell: (r) => when(r, 'decided_at') },
    has('decision_note') ? { label: t('credit.note'), cell: (r) => pick(r, 'decision_note', 'note') ?? '' } : null,
  ].filter(Boolean), rows, { caption, empty });
}

async function showReport(box, uscc) {
  clear(box, loading());
  let report;
  try {
    report = await call('credit_report', { subject: uscc });
  } catch (e) {
    if (e.methodMissing) {
      clear(box, notice('warn', h('strong', {}, t('credit.unavailable')), h('p', {}, t('credit.unavailableHint'))));
      box.dataset.state = 'unavailable';
      return;
    }
    clear(box, errorNotice(e));
    box.dataset.state = 'error';
    return;
  }
  const orgList = await orgs().catch(() => []);
  let measures = pick(report, 'measures', 'applicable_measures');
  if (!Array.isArray(measures)) {
    try {
      const check = await call('credit_check', { subject: uscc });
      measures = pick(check, 'measures') ?? [];
    } catch {
      measures = [];
    }
  }
  const entries = entriesOf(report);
  const repairs = applicationsOf(report, entries, 'repairs');
  const objections = applicationsOf(report, entries, 'objections');
  const list = currentList(report);
  const subjectName = pick(report.subject ?? {}, 'name') ?? pick(report, 'subject_name', 'name');
  box.dataset.state = list;
  clear(box,
    h('div', { class: `verdict verdict-credit-${list}`, id: 'credit-status', dataset: { list } },
      h('p', { class: 'verdict-head' }, t(`credit.current.${list}`)),
      h('p', {}, t('credit.subject'), ' ', h('code', { class: 'mono' }, uscc), typeof subjectName === 'string' ? ` ${subjectName}` : '')),
    h('h3', {}, t('credit.entries')),
    table([
      { label: t('credit.entry'), cell: (e) => String(pick(e, 'id', 'entry_id') ?? '') },
      { label: t('credit.list'), cell: (e) => listTag(pick(e, 'list') ?? '') },
      { label: t('credit.category'), cell: (e) => pick(e, 'category_name', 'category') ?? '' },
      { label: t('credit.reason'), cell: (e) => pick(e, 'reason') ?? '' },
      { label: t('credit.basis'), cell: (e) => pick(e, 'legal_basis') ?? '' },
      { label: t('credit.decision'), cell: (e) => pick(e, 'decision_doc_no') ?? '' },
      { label: t('credit.decidedBy'), cell: (e) => orgName(orgList, pick(e, 'deciding_org', 'org')) },
      { label: t('credit.listedAt'), cell: (e) => when(e, 'decided_at') || when(e, 'listed_at') },
      { label: t('credit.publicityEnd'), cell: (e) => when(e, 'publicity_end') },
      { label: t('credit.state'), cell: (e) => stateText(pick(e, 'state', 'status') ?? 'listed') },
    ], entries, { caption: t('credit.entries'), empty: t('credit.noEntries') }),
    h('h3', {}, t('credit.repairs')),
    applicationTable(repairs, orgList, t('credit.repairs'), t('credit.noRepairs')),
    objections.length ? [h('h3', {}, t('credit.objections')), applicationTable(objections, orgList, t('credit.objections'), '')] : null,
    h('h3', {}, t('credit.measures')),
    table([
      { label: t('credit.measure'), cell: (m) => pick(m, 'description', 'name', 'measure', 'code') ?? '' },
      { label: t('credit.appliedBy'), cell: (m) => orgName(orgList, pick(m, 'org', 'applying_org')) },
      { label: t('credit.matter'), cell: (m) => pick(m, 'matter', 'kind') ?? '' },
      { label: t('credit.category'), cell: (m) => pick(m, 'category_name', 'category') ?? '' },
    ], measures, { caption: t('credit.measures'), empty: t('credit.noMeasures') }),
    h('h3', {}, t('credit.commitments')),
    table([
      { label: t('credit.matter'), cell: (c) => pick(c, 'matter') ?? '' },
      { label: t('credit.summary'), cell: (c) => pick(c, 'summary') ?? '' },
      { label: t('credit.recordedBy'), cell: (c) => orgName(orgList, pick(c, 'recorded_by')) },
      { label: t('credit.madeAt'), cell: (c) => when(c, 'made_at') },
      { label: t('credit.state'), cell: (c) => stateText(pick(c, 'state') ?? '') },
    ], Array.isArray(report.commitments) ? report.commitments : [], { caption: t('credit.commitments'), empty: t('credit.noCommitments') }),
    h('details', { class: 'raw' }, h('summary', {}, t('common.raw')), h('pre', { class: 'json' }, prettyJson(report))));
}

export function renderCredit(root, { args }) {
  const [given] = args;
  const input = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: '18', value: given ?? '', placeholder: '91510700MA62XXXXXX' });
  const f = field('credit-uscc', t('credit.uscc'), input, t('credit.usccHint'));
  const box = h('div', { id: 'credit-result', 'aria-live': 'polite' });
  clear(root,
    pageHeading(t('credit.title'), t('credit.lead')),
    section(t('credit.query'), h('form', {
      onsubmit: (e) => {
        e.preventDefault();
        const v = input.value.trim().toUpperCase();
        const problem = usccProblem(v);
        if (problem) {
          clear(box, notice('error', t(`err.${problem}`)));
          input.setAttribute('aria-invalid', 'true');
          return;
        }
        input.removeAttribute('aria-invalid');
        if (v === given) showReport(box, v);
        else location.hash = `#/credit/${v}`;
      },
    }, f.wrap, h('button', { type: 'submit', class: 'btn btn-primary' }, t('credit.go')))),
    section(t('credit.report'), box));
  if (given) {
    const problem = usccProblem(given);
    if (problem) clear(box, notice('error', t(`err.${problem}`)));
    else showReport(box, given);
  } else {
    clear(box, h('p', { class: 'muted' }, t('credit.waiting')));
  }
}
