// Verify page: scan a QR code with the camera, paste a link or an id, or load a
// file (a holder's certificate file or a picture of a QR code); the node's
// cert_verify answers, and the page says in plain words whether the certificate
// is genuine, who issued it, its status and validity at the chosen time, and
// which disclosed fields match.
import { h, clear, dl, field, table } from '../lib/dom.js';
import { call, certTypes, orgs } from '../lib/rpc.js';
import { formatDate, formatTime, fromLocalInput, shortHex } from '../lib/format.js';
import { parseVerifyInput } from '../lib/disclosure.js';
import { checkCertificateProof } from '../lib/proof_check.js';
import { readQrFromFile, scanWithCamera } from '../lib/qr.js';
import { errorText, t } from '../i18n.js';
import { badgeKind, errorNotice, fieldLabel, link, loading, mono, notice, pageHeading, section, statusBadge } from '../ui.js';

function atParam(raw) {
  if (raw === '' || raw === undefined || raw === null) return undefined;
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

// The node's one verdict (cert_verify `verdict`): 'valid' | 'invalid' |
// 'not_genuine' | 'unknown_id'. The page never derives its own.
export function verdictOf(v) {
  return v.verdict ?? 'unknown_id';
}

function headline(v, kind) {
  const verdict = verdictOf(v);
  if (verdict === 'unknown_id') return t(v.verdict_reason === 'BAD_CERT_ID' ? 'verify.notAnId' : 'verify.unknownId');
  if (verdict === 'not_genuine') return t('verify.mismatch');
  if (verdict === 'valid') return t('verify.genuineValid');
  if (v.verdict_reason === 'REPLACED') return t('verify.replaced');
  if (v.verdict_reason === 'SUPERSEDED') return t('verify.superseded');
  return t('verify.genuineInvalid', { status: t(`status.${kind}`) });
}

// What the top of the verdict adds to the headline: why (for answers without a
// record), the newer version, or a status now that differs from the one at the
// chosen time.
function verdictDetail(v, kind) {
  const verdict = verdictOf(v);
  if (!v.type_code) return h('p', {}, reasonText(v.verdict_reason));
  const lines = [h('p', {}, `${t('verify.certState')} `, statusBadge(kind))];
  if (verdict === 'not_genuine') lines.push(h('p', {}, reasonText(v.verdict_reason)));
  if (v.next_id) {
    lines.push(h('p', { id: 'verify-successor' }, `${t('verify.successor')} `,
      link(`#/verify?id=${encodeURIComponent(v.next_id)}`, v.next_id, { class: 'mono break' })));
  }
  if (verdict === 'valid' && v.status && v.status !== 'active') {
    lines.push(h('p', { id: 'verify-now', class: 'verdict-now' }, t('verify.notValidNow', { status: t(`certstatus.${v.status}`) })));
  }
  return lines;
}

function reasonText(reason) {
  const key = `notgenuine.${reason}`;
  return t(key) === key ? (reason ?? '') : t(key);
}

async function renderResult(box, v, presented) {
  const [types, orgList] = await Promise.all([certTypes().catch(() => []), orgs().catch(() => [])]);
  const type = types.find((x) => x.code === v.type_code);
  const label = (name) => fieldLabel(type, name);
  const kind = badgeKind(v);
  const verdict = verdictOf(v);
  const icon = verdict === 'valid' ? '✓' : '✗';
  const fieldRows = Object.entries(v.fields ?? {}).map(([name, match]) => ({ name, match, value: presented[name]?.value ?? '' }));
  const issuerName = v.issuer?.name || orgList.find((o) => o.code === v.issuer?.code)?.name || '';
  // Not an id at all: there is no claim a proof could back.
  const checkable = v.verdict_reason !== 'BAD_CERT_ID';
  const proofBox = checkable ? h('p', { id: 'verify-proof', class: 'proof-line', dataset: { proof: 'checking' } }, t('verify.proofChecking')) : null;
  clear(box,
    h('div', { class: `verdict verdict-${verdict}`, id: 'verdict', dataset: { verdict, status: kind, reason: v.verdict_reason ?? '' } },
      h('p', { class: 'verdict-head' }, h('span', { class: 'verdict-icon', 'aria-hidden': 'true' }, icon), ' ', headline(v, kind)),
      verdictDetail(v, kind),
      proofBox),
    v.type_code ? dl([
      [t('verify.certificate'), link(`#/cert/${encodeURIComponent(v.id)}`, v.id, { class: 'mono break' })],
      [t('cert.type'), `${v.type_name || type?.name || ''} (${v.type_code})`],
      [t('verify.issuer'), h('span', { id: 'verify-issuer' }, `${issuerName} (${v.issuer?.code ?? ''})`)],
      [t('verify.at'), `${formatTime(v.at_ms)}`],
      [t('verify.statusAt'), h('span', { id: 'verify-status-at' }, t(`certstatus.${v.status_at_time}`), v.status_reason_at_time ? ` — ${v.status_reason_at_time}` : '')],
      [t('verify.statusNow'), h('span', {}, t(`certstatus.${v.status}`), v.status_reason ? ` — ${v.status_reason}` : '')],
      [t('verify.validity'), `${formatDate(v.valid_from_ms)} — ${v.valid_until_ms ? formatDate(v.valid_until_ms) : t('cert.noExpiry')}`],
      [t('verify.validAt'), v.valid_at_time ? t('common.yes') : (v.invalid_reason ? t('verify.notValidBecause', { reason: t(`invalid.${v.invalid_reason}`) }) : t('common.no'))],
      [t('verify.holder'), v.holder_match === undefined ? null : (v.holder_match ? t('verify.holderMatch') : t('verify.holderMismatch'))],
      [t('cert.next'), v.next_id ? link(`#/cert/${encodeURIComponent(v.next_id)}`, v.next_id, { class: 'mono break' }) : null],
      [t('cert.seal'), mono(shortHex(v.issuer_key ?? '', 10), v.issuer_key)],
      [t('cert.issuingTx'), v.issuing_tx_id ? link(`#/tx/${v.issuing_tx_id}`, shortHex(v.issuing_tx_id), { class: 'mono' }) : null],
    ]) : null,
    fieldRows.length ? h('div', { id: 'verify-fields' },
      h('h3', {}, t('verify.fields')),
      v.fields_match ? notice('ok', t('verify.fieldsAllMatch')) : notice('error', t('verify.fieldsSomeDiffer')),
      table([
        { label: t('verify.field'), cell: (r) => label(r.name) },
        { label: t('verify.value'), cell: (r) => r.value },
        { label: t('verify.match'), cell: (r) => h('span', { class: `tag ${r.match === 'match' ? 'tag-ok' : 'tag-fail'}`, dataset: { field: r.name, match: r.match } }, `${r.match === 'match' ? '✓' : '✗'} ${t(`match.${r.match}`)}`) },
      ], fieldRows, { caption: t('verify.fields') })) : (v.type_code ? h('p', { class: 'hint' }, t('verify.noFields')) : null));
  if (checkable) showProof(proofBox, await checkCertificateProof(v, presented));
}

// Says whose word the answer rests on: the signatures of the departments (the
// proof verified in this browser) or only this node's.
function showProof(box, outcome) {
  box.dataset.proof = outcome.state;
  if (outcome.state === 'verified') {
    box.textContent = t('verify.proofChecked', { n: outcome.signers, m: outcome.validators, h: outcome.height });
  } else if (outcome.state === 'contradicts') {
    box.textContent = t('verify.proofContradicts', { verdict: outcome.proven.verdict });
  } else {
    box.textContent = t('verify.nodeWordOnly', { reason: outcome.reason });
  }
  if (outcome.genesisChanged) box.append(h('br'), t('verify.genesisChanged', { hash: outcome.genesisHash.slice(0, 16) }));
}

export function renderVerify(root, { query }) {
  const resultBox = h('div', { id: 'verify-result', class: 'result', 'aria-live': 'polite' });
  const text = h('textarea', { rows: '3', spellcheck: 'false', autocomplete: 'off' });
  const textField = field('verify-input', t('verify.paste'), text, t('verify.pasteHint'));
  const fileInput = h('input', { type: 'file', accept: '.json,application/json,image/*' });
  const fileField = field('verify-file', t('verify.load'), fileInput, t('verify.loadHint'));
  const atInput = h('input', { type: 'datetime-local', step: '60' });
  const atField = field('verify-at', t('verify.time'), atInput, t('verify.timeHint'));
  const video = h('video', { class: 'scanner', muted: true, playsinline: true, hidden: true, 'aria-label': t('verify.cameraView') });
  const scanBtn = h('button', { type: 'button', class: 'btn', id: 'scan-start' }, t('verify.scan'));
  const scanNote = h('p', { class: 'hint', 'aria-live': 'polite' });
  let stopScan = null;

  const run = async () => {
    clear(resultBox, loading());
    let req;
    try {
      req = await parseVerifyInput(text.value);
    } catch (e) {
      clear(resultBox, notice('error', errorText(e)));
      return;
    }
    const at = Number.isFinite(fromLocalInput(atInput.value)) ? fromLocalInput(atInput.value) : atParam(req.at);
    const params = {};
    if (req.holder) {
      params.holder_certificate = req.holder.raw;
    } else {
      params.id = req.id;
      if (Object.keys(req.fields).length) params.fields = req.fields;
    }
    if (at !== undefined) params.at = at;
    try {
      const v = await call('cert_verify', params);
      const presented = req.holder ? Object.fromEntries(req.holder.fields.map((f) => [f.name, f])) : req.fields;
      await renderResult(resultBox, v, presented);
      const top = resultBox.getBoundingClientRect().top;
      if (top < 0 || top > window.innerHeight - 80) resultBox.scrollIntoView({ block: 'start' });
    } catch (e) {
      clear(resultBox, errorNotice(e));
    }
  };

  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    try {
      if (file.type.startsWith('image/')) {
        const found = await readQrFromFile(file);
        if (!found) {
          clear(resultBox, notice('error', t('verify.noQrInImage')));
          return;
        }
        text.value = found;
      } else {
        text.value = await file.text();
      }
      await run();
    } catch (e) {
      clear(resultBox, notice('error', errorText(e)));
    }
  });

  scanBtn.addEventListener('click', async () => {
    if (stopScan) {
      stopScan();
      stopScan = null;
      video.hidden = true;
      scanBtn.textContent = t('verify.scan');
      scanNote.textContent = '';
      return;
    }
    try {
      video.hidden = false;
      scanNote.textContent = t('verify.scanning');
      stopScan = await scanWithCamera(video, (found) => {
        stopScan = null;
        video.hidden = true;
        scanBtn.textContent = t('verify.scan');
        scanNote.textContent = t('verify.scanned');
        text.value = found;
        run();
      });
      scanBtn.textContent = t('verify.stopScan');
    } catch (e) {
      video.hidden = true;
      stopScan = null;
      scanNote.textContent = t('verify.noCamera');
    }
  });

  const hasCamera = Boolean(navigator.mediaDevices?.getUserMedia);
  const resultSection = section(t('verify.result'), resultBox);
  const fromLink = Boolean(query.get('id'));
  clear(root,
    pageHeading(t('verify.title'), t('verify.lead')),
    // Opened from a QR code: the answer first, where a phone shows it.
    fromLink ? resultSection : null,
    section(t('verify.input'),
      hasCamera ? h('div', { class: 'scan-row' }, scanBtn, scanNote, video) : h('p', { class: 'hint' }, t('verify.noCamera')),
      h('form', { onsubmit: (e) => { e.preventDefault(); run(); } },
        textField.wrap, fileField.wrap, atField.wrap,
        h('button', { type: 'submit', class: 'btn btn-primary', id: 'verify-go' }, t('verify.go')))),
    fromLink ? null : resultSection);

  if (fromLink) {
    text.value = `${location.origin}/#/verify?${query.toString()}`;
    run();
  } else {
    clear(resultBox, h('p', { class: 'muted' }, t('verify.waiting')));
  }
  return () => stopScan?.();
}
