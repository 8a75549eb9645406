// Strings of the page in two dictionaries (src/i18n/zh.js, src/i18n/en.js).
// Chinese by default; the choice is kept in localStorage and can be forced with
// ?lang=en or ?lang=zh in the page address.
import zh from './i18n/zh.js';
import en from './i18n/en.js';

export const DICTIONARIES = { zh, en };
const STORE_KEY = 'civic.lang';
const listeners = new Set();

function initialLang() {
  try {
    const forced = new URLSearchParams(location.search).get('lang');
    if (forced && DICTIONARIES[forced]) return forced;
    const saved = localStorage.getItem(STORE_KEY);
    if (saved && DICTIONARIES[saved]) return saved;
  } catch {
    // No storage (private mode): Chinese.
  }
  return 'zh';
}

let lang = typeof location === 'undefined' ? 'zh' : initialLang();

export function getLang() {
  return lang;
}

export function setLang(next) {
  if (!DICTIONARIES[next] || next === lang) return;
  lang = next;
  try {
    localStorage.setItem(STORE_KEY, next);
  } catch {
    // Not kept; still switched for this page.
  }
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  for (const fn of listeners) fn(next);
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// t("key", {name: "x"}) -> the string with {name} replaced; the key itself when missing.
export function t(key, vars = {}) {
  const text = DICTIONARIES[lang][key] ?? DICTIONARIES.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

// True when the key is in the dictionaries.
export function has(key) {
  return key in DICTIONARIES[lang];
}

// A person-readable message for an error thrown by rpc.js or the libraries:
// the translated app code when the dictionary knows it, else the node's message.
export function errorText(e) {
  const code = e?.appCode || e?.code;
  if (typeof code === 'string' && has(`err.${code}`)) {
    const detail = e.detail ? ` (${e.detail})` : '';
    return t(`err.${code}`) + detail;
  }
  if (e?.network) return t('err.NETWORK_ERROR');
  return e?.message ? String(e.message) : t('err.UNKNOWN');
}
