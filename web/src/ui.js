// Small view components shared by the pages.
import { h } from './lib/dom.js';
import { errorText, getLang, t } from './i18n.js';

export function pageHeading(text, sub = '') {
  return h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, text), sub ? h('p', { class: 'lead' }, sub) : null);
}

// kind: 'info' | 'ok' | 'warn' | 'error'
export function notice(kind, ...content) {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...content);
}

export function errorNotice(e) {
  return notice('error', errorText(e));
}

export function loading() {
  return h('p', { class: 'loading', role: 'status' }, t('common.loading'));
}

// Status badge of a certificate. kind: valid | suspended | revoked | expired |
// superseded | replaced | not_yet_valid | not_genuine. The text says it; colour only helps.
export function statusBadge(kind) {
  return h('span', { class: `badge badge-${kind}`, dataset: { status: kind } }, t(`status.${kind}`));
}

// The badge kind of a cert_verify answer.
export function badgeKind(v) {
  if (!v || (!v.genuine && !v.type_code)) return 'not_genuine';
  if (v.invalid_reason === 'REPLACED') return 'replaced';
  const status = v.status_at_time && v.status_at_time !== 'unspecified' ? v.status_at_time : v.status;
  if (status === 'revoked') return 'revoked';
  if (status === 'suspended') return 'suspended';
  if (status === 'superseded') return 'superseded';
  if (v.invalid_reason === 'EXPIRED') return 'expired';
  if (v.invalid_reason === 'NOT_YET_VALID' || v.invalid_reason === 'NOT_YET_ISSUED') return 'not_yet_valid';
  if (v.invalid_reason === 'REVOKED') return 'revoked';
  if (v.invalid_reason === 'SUSPENDED') return 'suspended';
  if (v.invalid_reason === 'SUPERSEDED') return 'superseded';
  return v.valid_at_time ? 'valid' : 'expired';
}

export function mono(text, title = '') {
  return h('code', { class: 'mono', title: title || null }, text);
}

export function link(href, text, attrs = {}) {
  return h('a', { href, ...attrs }, text);
}

// A section with a heading.
export function section(title, ...children) {
  const id = `s-${Math.random().toString(36).slice(2, 9)}`;
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

// A button that copies `text` to the clipboard and says so.
export function copyButton(text) {
  const btn = h('button', { type: 'button', class: 'btn btn-small' }, t('common.copy'));
  btn.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      btn.textContent = t('common.copied');
    } catch {
      btn.textContent = t('common.copyFailed');
    }
    setTimeout(() => (btn.textContent = t('common.copy')), 2000);
  });
  return btn;
}

// A certificate field's name for people: the type's label (Chinese, from the
// chain); in English, the field name first with the label after it.
export function fieldLabel(type, name) {
  const label = type?.fields?.find((f) => f.name === name)?.label ?? '';
  if (!label) return name;
  return getLang() === 'en' ? `${name.replace(/_/g, ' ')} (${label})` : label;
}
