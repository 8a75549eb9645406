// Both dictionaries hold the same keys, and every key the sources use exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import zh from '../../src/i18n/zh.js';
import en from '../../src/i18n/en.js';

const SRC = new URL('../../src/', import.meta.url).pathname;

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'i18n' ? [] : sources(p);
    return p.endsWith('.js') ? [p] : [];
  });
}

test('zh and en have the same keys and no empty strings', () => {
  assert.deepEqual(Object.keys(en).sort(), Object.keys(zh).sort());
  for (const [k, v] of [...Object.entries(zh), ...Object.entries(en)]) assert.ok(typeof v === 'string' && v.length > 0, k);
});

test('placeholders agree between the languages', () => {
  const vars = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  for (const k of Object.keys(zh)) assert.equal(vars(en[k]), vars(zh[k]), k);
});

test('every literal key the sources use is in the dictionaries', () => {
  const missing = [];
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bt\('([a-zA-Z][\w.]*)'/g)) if (!(m[1] in zh)) missing.push(`${m[1]} (${file})`);
  }
  assert.deepEqual(missing, []);
});

test('keys built from values the node sends exist', () => {
  const families = {
    status: ['valid', 'suspended', 'revoked', 'expired', 'superseded', 'replaced', 'not_yet_valid', 'not_genuine'],
    certstatus: ['active', 'suspended', 'revoked', 'superseded', 'none'],
    event: ['issued', 'renewed', 'replaced', 'suspended', 'reinstated', 'revoked', 'superseded'],
    invalid: ['NOT_YET_ISSUED', 'NOT_YET_VALID', 'EXPIRED', 'SUSPENDED', 'REVOKED', 'REPLACED', 'SUPERSEDED'],
    notgenuine: ['BAD_CERT_ID', 'CERT_NOT_FOUND', 'COPY_MISMATCH', 'HOLDER_MISMATCH', 'FIELD_MISMATCH', 'FIELD_NOT_ON_CERTIFICATE'],
    match: ['match', 'mismatch', 'not_on_certificate'],
    'credit.current': ['black', 'red', 'none'],
    'audit.tab': ['records', 'violations', 'stats'],
    'audit.role': ['any', 'requester', 'provider'],
    'audit.verdict': ['authorized', 'violation'],
    nav: ['explorer', 'wallet', 'verify', 'credit', 'audit'],
    err: ['BAD_USCC_LENGTH', 'BAD_USCC_CHARACTER', 'BAD_USCC_CHECK', 'KEYFILE_MALFORMED', 'BAD_PASSPHRASE', 'PASSPHRASE_NEEDED', 'KEY_MISMATCH', 'UNSUPPORTED_ALGORITHM'],
  };
  for (const [prefix, values] of Object.entries(families)) {
    for (const v of values) assert.ok(`${prefix}.${v}` in zh, `${prefix}.${v}`);
  }
});
