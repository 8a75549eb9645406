// Certificate page: public summary, status badge, QR code of the verification
// link, history; and the holder side: load the holder's copy, choose fields,
// show them as a QR code. The holder's copy never leaves the browser: its fields
// are checked here against the digests on chain.
import { h, clear, dl, field, table } from '../lib/dom.js';
import { batch, certTypes, orgs } from '../lib/rpc.js';
import { formatDate, formatTime, shortHex } from '../lib/format.js';
import { compareWithClaims, disclosureLink, parseHolderCertificate, restVerifyPath, verificationLink } from '../lib/disclosure.js';
import { drawQr } from '../lib/qr.js';
import { errorText, t } from '../i18n.js';
import { badgeKind, copyButton, fieldLabel, errorNotice, link, loading, mono, notice, pageHeading, section, statusBadge } from '../ui.js';

// The holder's copy loaded on the wallet page, handed to the certificate page.
let walletCopy = null;

function origin() {
  return location.origin;
}

// Field names in the order of the type's schema (unknown names last, by name).
function schemaOrder(type, names) {
  const order = (type?.fields ?? []).map((f) => f.name);
  const rank = (n) => (order.includes(n) ? order.indexOf(n) : order.length);
  return [...names].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
}

async function qrBlock(id, text, caption, { fullscreen = false } = {}) {
  const canvas = h('canvas', { id, class: 'qr', role: 'img', 'aria-label': caption });
  const wrap = h('figure', { class: 'qr-wrap' }, canvas, h('figcaption', {}, caption));
  // Showing a code to a scanner (亮证): the code alone, as large as the screen allows.
  if (fullscreen && document.fullscreenEnabled) {
    wrap.append(h('button', {
      type: 'button', class: 'btn btn-small', onclick: () => (document.fullscreenElement ? document.exitFullscreen() : wrap.requestFullscreen()),
    }, t('holder.fullscreen')));
  }
  try {
    await drawQr(canvas, text);
  } catch (e) {
    wrap.replaceChildren(notice('error', errorText(e)));
  }
  return wrap;
}

function eventRows(events, orgList) {
  const name = (code) => orgList.find((o) => o.code === code)?.name ?? code;
  return table([
    { label: t('cert.event'), cell: (e) => t(`event.${e.kind}`) === `event.${e.kind}` ? e.kind : t(`event.${e.kind}`) },
    { label: t('cert.eventTime'), cell: (e) => formatTime(e.time_ms) },
    { label: t('tx.org'), cell: (e) => name(e.org) },
    { label: t('cert.reason'), cell: (e) => e.reason ?? '' },
    { label: t('cert.statusAfter'), cell: (e) => t(`certstatus.${e.status_after}`) },
    { label: t('tx.id'), cell: (e) => link(`#/tx/${e.tx_id}`, shortHex(e.tx_id), { class: 'mono' }) },
    { label: t('cert.related'), cell: (e) => (e.related_id ? link(`#/cert/${encodeURIComponent(e.related_id)}`, shortHex(e.related_id, 12), { class: 'mono' }) : '') },
  ], events, { caption: t('cert.history') });
}

export async function renderCertificate(root, { args }) {
  const [id] = args;
  clear(root, pageHeading(t('cert.title')), loading());
  let cert;
  let verification;
  let history;
  let types = [];
  let orgList = [];
  try {
    const [a, b, c] = await batch([['cert_get', { id }], ['cert_verify', { id }], ['cert_history', { id }]]);
    if (!a.ok) throw a.error;
    cert = a.result;
    verification = b.ok ? b.result : null;
    history = c.ok ? c.result : null;
    [types, orgList] = await Promise.all([certTypes().catch(() => []), orgs().catch(() => [])]);
  } catch (e) {
    clear(root, pageHeading(t('cert.title')), errorNotice(e), h('p', {}, link('#/verify', t('nav.verify'))));
    return;
  }
  const type = types.find((x) => x.code === cert.type_code);
  const issuer = orgList.find((o) => o.code === cert.issuer_org);
  const kind = badgeKind(verification ?? { genuine: true, status: cert.status, valid_at_time: cert.status === 'active' });
  const vlink = verificationLink(origin(), cert.id);

  const holderBox = h('div', {});
  clear(root,
    pageHeading(type?.name ?? t('cert.title'), cert.id),
    h('div', { class: 'status-line', role: 'status' }, statusBadge(kind),
      cert.status_reason ? h('span', { class: 'muted' }, t('cert.reasonIs', { reason: cert.status_reason })) : null,
      cert.next_id ? h('span', {}, ' ', link(`#/cert/${encodeURIComponent(cert.next_id)}`, t('cert.newVersion'))) : null),
    h('div', { class: 'two-col' },
      section(t('cert.summary'), dl([
        [t('cert.id'), mono(cert.id)],
        [t('cert.type'), `${type?.name ?? ''} (${cert.type_code})`],
        [t('cert.issuer'), `${issuer?.name ?? ''} (${cert.issuer_org})`],
        [t('cert.serial'), cert.serial],
        [t('cert.version'), String(cert.version)],
        [t('cert.issuedAt'), formatTime(cert.issued_at_ms)],
        [t('cert.validFrom'), formatDate(cert.valid_from_ms)],
        [t('cert.validUntil'), cert.valid_until_ms ? formatDate(cert.valid_until_ms) : t('cert.noExpiry')],
        [t('cert.status'), t(`certstatus.${cert.status}`)],
        [t('cert.fields'), schemaOrder(type, (cert.claims ?? []).map((c) => c.name)).map((n) => fieldLabel(type, n)).join(t('common.listSep'))],
        [t('cert.previous'), cert.previous_id ? link(`#/cert/${encodeURIComponent(cert.previous_id)}`, cert.previous_id, { class: 'mono' }) : null],
        [t('cert.next'), cert.next_id ? link(`#/cert/${encodeURIComponent(cert.next_id)}`, cert.next_id, { class: 'mono' }) : null],
        [t('cert.issuingTx'), link(`#/tx/${cert.issuing_tx_id}`, shortHex(cert.issuing_tx_id), { class: 'mono', title: cert.issuing_tx_id })],
        [t('cert.height'), link(`#/block/${cert.height}`, String(cert.height))],
        [t('cert.holderCommitment'), mono(shortHex(cert.holder_commitment, 10), cert.holder_commitment)],
        [t('cert.seal'), mono(shortHex(cert.issuer_key, 10), cert.issuer_key)],
      ]), h('p', { class: 'hint' }, t('cert.privacy'))),
      section(t('cert.qrTitle'),
        await qrBlock('verify-qr', vlink, t('cert.qrCaption')),
        h('p', { class: 'link-line' }, h('a', { id: 'verify-link', href: vlink, class: 'mono break' }, vlink), ' ', copyButton(vlink)),
        h('p', { class: 'hint' }, t('cert.restHint'), ' ', h('a', { href: restVerifyPath(cert.id), class: 'mono break' }, restVerifyPath(cert.id))))),
    section(t('cert.history'), history ? eventRows(history.events ?? [], orgList) : notice('info', t('cert.noHistory')),
      history && history.versions?.length > 1 ? h('p', {}, t('cert.versions'), ' ',
        history.versions.map((v, i) => [i ? ' → ' : '', v === cert.id ? h('strong', { class: 'mono' }, shortHex(v, 14)) : link(`#/cert/${encodeURIComponent(v)}`, shortHex(v, 14), { class: 'mono' })])) : null),
    section(t('holder.title'), holderBox));

  renderHolderPanel(holderBox, cert, type);
}

// The holder side of the certificate page.
function renderHolderPanel(box, cert, type) {
  const result = h('div', { class: 'holder-result', 'aria-live': 'polite' });
  const input = h('input', { type: 'file', accept: '.json,application/json' });
  const f = field('holder-file', t('holder.load'), input, t('holder.loadHint'));
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    if (!file) return;
    try {
      const copy = parseHolderCertificate(await file.text());
      showCopy(copy);
    } catch (e) {
      clear(result, notice('error', errorText(e)));
    }
  });
  clear(box, h('p', {}, t('holder.lead')), f.wrap, result);

  function showCopy(copy) {
    if (copy.id && copy.id !== cert.id) {
      clear(result, notice('error', t('holder.otherCert', { id: copy.id })), h('p', {}, link(`#/cert/${encodeURIComponent(copy.id)}`, t('holder.openOther'))));
      return;
    }
    const ordered = schemaOrder(type, copy.fields.map((f) => f.name)).map((n) => copy.fields.find((f) => f.name === n));
    copy = { ...copy, fields: ordered };
    const checks = compareWithClaims(copy.fields, cert.claims);
    const allMatch = checks.every((c) => c.match === 'match');
    const boxes = copy.fields.map((fl, i) => {
      const check = checks[i];
      const cb = h('input', { type: 'checkbox', id: `disclose-${i}`, name: 'disclose', value: fl.name, checked: fl.name === 'name', disabled: check.match !== 'match' });
      return {
        fl,
        cb,
        row: h('li', { class: 'choice' }, cb,
          h('label', { for: `disclose-${i}` }, h('span', { class: 'choice-label' }, fieldLabel(type, fl.name)), ' ', h('span', { class: 'choice-value' }, fl.value)),
          h('span', { class: `tag ${check.match === 'match' ? 'tag-ok' : 'tag-fail'}` }, t(`match.${check.match}`))),
      };
    });
    const qrBox = h('div', { class: 'disclosure', 'aria-live': 'polite' });
    const make = async () => {
      const chosen = boxes.filter((b) => b.cb.checked).map((b) => b.fl);
      try {
        const { link: dlink, form } = await disclosureLink(origin(), cert.id, chosen);
        clear(qrBox,
          await qrBlock('disclosure-qr', dlink, t('holder.qrCaption', { n: chosen.length }), { fullscreen: true }),
          h('p', { class: 'hint' }, t(form === 'z' ? 'holder.formCompact' : 'holder.formStandard'), ' ', t('holder.length', { n: dlink.length })),
          h('p', { class: 'link-line' }, h('a', { id: 'disclosure-link', href: dlink, class: 'mono break' }, dlink), ' ', copyButton(dlink)));
      } catch (e) {
        clear(qrBox, notice('error', errorText(e)));
      }
    };
    clear(result,
      allMatch ? notice('ok', t('holder.matches')) : notice('warn', t('holder.someDiffer')),
      h('fieldset', { class: 'choices' }, h('legend', {}, t('holder.choose')), h('ul', { class: 'plain' }, boxes.map((b) => b.row))),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'btn btn-primary', id: 'make-disclosure', onclick: make }, t('holder.makeQr')),
        h('button', { type: 'button', class: 'btn', onclick: () => { boxes.forEach((b) => (b.cb.checked = !b.cb.disabled)); } }, t('holder.all')),
        h('button', { type: 'button', class: 'btn', onclick: () => { boxes.forEach((b) => (b.cb.checked = false)); } }, t('holder.none'))),
      h('p', { class: 'hint' }, t('holder.stays')),
      qrBox);
  }

  if (walletCopy && walletCopy.id === cert.id) showCopy(walletCopy);
}

export function renderWallet(root) {
  const result = h('div', { 'aria-live': 'polite' });
  const input = h('input', { type: 'file', accept: '.json,application/json' });
  const f = field('wallet-file', t('holder.load'), input, t('holder.loadHint'));
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    if (!file) return;
    try {
      const copy = parseHolderCertificate(await file.text());
      if (!copy.id) throw Object.assign(new Error(), { code: 'HOLDER_FILE_NO_ID' });
      walletCopy = copy;
      location.hash = `#/cert/${encodeURIComponent(copy.id)}`;
    } catch (e) {
      clear(result, notice('error', errorText(e)));
    }
  });
  const idInput = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const idField = field('wallet-id', t('wallet.byId'), idInput, t('wallet.byIdHint'));
  clear(root,
    pageHeading(t('wallet.title'), t('wallet.lead')),
    section(t('wallet.fromFile'), f.wrap, h('p', { class: 'hint' }, t('holder.stays')), result),
    section(t('wallet.lookUp'), h('form', {
      onsubmit: (e) => {
        e.preventDefault();
        const v = idInput.value.trim();
        if (v) location.hash = `#/cert/${encodeURIComponent(v)}`;
      },
    }, idField.wrap, h('button', { type: 'submit', class: 'btn btn-primary' }, t('wallet.open')))));
}
