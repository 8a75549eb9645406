// Validators and formatting (src/lib/format.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blocksPerMinute, classifySearch, dayKey, formatTime, fromLocalInput, shortCertId, shortHex, usccProblem } from '../../src/lib/format.js';

test('USCC check characters (GB 32100), as contracts/codes.cc checks them', () => {
  assert.equal(usccProblem('914403001922038216'), '');
  assert.equal(usccProblem('11510700008207313A'), '');
  assert.equal(usccProblem('914403001922038217'), 'BAD_USCC_CHECK');
  assert.equal(usccProblem('91440300192203821'), 'BAD_USCC_LENGTH');
  assert.equal(usccProblem('9144030019220382I6'), 'BAD_USCC_CHARACTER');
  assert.equal(usccProblem(undefined), 'BAD_USCC_LENGTH');
});

test('search text is classified by shape', () => {
  assert.deepEqual(classifySearch(' 42 '), { kind: 'height', value: 42 });
  assert.equal(classifySearch('AB'.repeat(32)).kind, 'hash');
  assert.equal(classifySearch(`0x${'ab'.repeat(32)}`).value, 'ab'.repeat(32));
  assert.equal(classifySearch('1.2.156.3005.2.11510700008207313A001.11510700008207313A.0000000001.001.G').kind, 'cert');
  assert.deepEqual(classifySearch('914403001922038216'), { kind: 'uscc', value: '914403001922038216' });
  assert.equal(classifySearch('91510700mb1537205j').value, '91510700MB1537205J');
  assert.equal(classifySearch('hello').kind, 'unknown');
});

test('block rate and small formatters', () => {
  assert.equal(blocksPerMinute([0, 1000, 2000]), 60);
  assert.equal(blocksPerMinute([5000]), null);
  assert.equal(blocksPerMinute([7, 7]), null);
  assert.equal(shortHex('ed25519:' + 'a'.repeat(64), 4), 'ed25519:aaaa…aaaa');
  assert.equal(shortHex('abcd'), 'abcd');
  assert.equal(dayKey('2026-03-01T10:00:00Z'), '2026-03-01');
  assert.equal(dayKey(Date.UTC(2026, 2, 1, 23)), '2026-03-01');
});

test('times are China Standard Time both ways', () => {
  const ms = Date.UTC(2016, 1, 29, 16, 0, 0); // 2016-03-01 00:00 in UTC+8
  assert.equal(formatTime(ms), '2016-03-01 00:00:00');
  assert.equal(fromLocalInput('2016-03-01T00:00'), ms);
  assert.ok(Number.isNaN(fromLocalInput('')));
  assert.ok(Number.isNaN(fromLocalInput('yesterday')));
  assert.equal(formatTime(0), '');
  assert.equal(shortCertId('1.2.156.3005.2.11510700008207313A001.11510700008207313A.0000000001.001.G'), '…0000000001.001.G');
});
