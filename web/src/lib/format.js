// Formatting and small validators used across the views. Pure functions.

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

// Unified social credit code (GB 32100): 18 characters, the last a check character.
// Returns '' when valid, else 'BAD_USCC_LENGTH' | 'BAD_USCC_CHARACTER' | 'BAD_USCC_CHECK'.
export function usccProblem(code) {
  if (typeof code !== 'string' || code.length !== 18) return 'BAD_USCC_LENGTH';
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_ALPHABET.indexOf(code[i]);
    if (v < 0) return 'BAD_USCC_CHARACTER';
    sum += v * USCC_WEIGHTS[i];
  }
  let check = 31 - (sum % 31);
  if (check === 31) check = 0;
  if (USCC_ALPHABET.indexOf(code[17]) < 0) return 'BAD_USCC_CHARACTER';
  return code[17] === USCC_ALPHABET[check] ? '' : 'BAD_USCC_CHECK';
}

// What a search box text most likely names.
// Returns {kind: 'height'|'hash'|'cert'|'uscc'|'unknown', value}.
export function classifySearch(text) {
  const q = String(text ?? '').trim();
  if (/^\d{1,15}$/.test(q)) return { kind: 'height', value: Number(q) };
  if (/^(0x)?[0-9a-fA-F]{64}$/.test(q)) return { kind: 'hash', value: q.replace(/^0x/, '').toLowerCase() };
  if (/^1\.2\.156\.3005\.2\./.test(q)) return { kind: 'cert', value: q };
  if (/^[0-9A-Za-z]{18}$/.test(q)) return { kind: 'uscc', value: q.toUpperCase() };
  return { kind: 'unknown', value: q };
}

export function shortHex(hex, keep = 8) {
  if (typeof hex !== 'string') return '';
  const i = hex.indexOf(':');
  const body = i >= 0 ? hex.slice(i + 1) : hex;
  const prefix = i >= 0 ? hex.slice(0, i + 1) : '';
  return body.length <= keep * 2 + 1 ? hex : `${prefix}${body.slice(0, keep)}…${body.slice(-4)}`;
}

// Times are shown in China Standard Time (UTC+08:00, no daylight saving), as the
// civic CLI reads dates, whatever the reader's own time zone.
const CST_OFFSET_MS = 8 * 3600 * 1000;

// "2025-01-01 08:00:01" in China Standard Time.
export function formatTime(ms) {
  if (!Number.isFinite(ms) || ms <= 0) return '';
  const d = new Date(ms + CST_OFFSET_MS);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

export function formatDate(ms) {
  return formatTime(ms).slice(0, 10);
}

// ms from an <input type="datetime-local"> value read as China Standard Time; NaN
// when empty or malformed.
export function fromLocalInput(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value ?? '');
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, Number.isFinite(s) ? s : 0) - CST_OFFSET_MS;
}

// The last parts of a certificate id (serial, version, check), enough to tell
// certificates of one type and issuer apart in a list.
export function shortCertId(id) {
  const parts = String(id ?? '').split('.');
  return parts.length > 3 ? `…${parts.slice(-3).join('.')}` : String(id ?? '');
}

// Seconds between two ms times, rounded, never negative.
export function secondsBetween(a, b) {
  return Math.max(0, Math.round((b - a) / 1000));
}

// Blocks per minute from a list of block times (ms), newest or oldest first.
export function blocksPerMinute(times) {
  if (times.length < 2) return null;
  const sorted = [...times].sort((a, b) => a - b);
  const span = sorted[sorted.length - 1] - sorted[0];
  if (span <= 0) return null;
  return ((sorted.length - 1) * 60000) / span;
}

export function prettyJson(value) {
  return JSON.stringify(value, null, 2);
}

// "2026-03-01" style day key in UTC from ms or an RFC 3339 / day string.
export function dayKey(value) {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  if (Number.isFinite(value)) return new Date(value).toISOString().slice(0, 10);
  return '';
}
