// Selective disclosure, verify links and holder files (src/lib/disclosure.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  claimsDigestHex, compareWithClaims, disclosureLink, fieldDigestHex, fieldDisclosure,
  parseHolderCertificate, parseVerifyInput, verificationLink, QR_MAX_BYTES,
} from '../../src/lib/disclosure.js';
import { fromBase64url, fromUtf8, toHex, utf8 } from '../../src/lib/bytes.js';

const ORIGIN = 'http://127.0.0.1:26657';
const ID = '1.2.156.3005.2.11510700008207313A001.11510700008207313A.0000000001.001.G';
const holderCopy = {
  id: ID,
  type_code: '11510700008207313A001',
  issuer_org: '11510700008207313A',
  holder: { code_type: 'citizen_id', code: '510703198805161236', salt: 'hsalt' },
  fields: [
    { name: 'name', value: '张伟', salt: 'QmFzZTY0U2FsdE9uZQ' },
    { name: 'birth_date', value: '1988-05-16', salt: 'U2FsdFR3b1R3b1R3bw' },
    { name: 'address', value: '四川省绵阳市涪城区临园路15号', salt: 'c2FsdDM' },
  ],
  valid_from_ms: 0,
  valid_until_ms: 0,
};

test('the field disclosure is the compact JSON array, as on the node (SD-JWT)', () => {
  // Same triple as tests/unit/contracts/client_test.cc.
  const d = fieldDisclosure('_26bc4LT-ac6q2KI6cBW5es', 'family_name', 'Möbius');
  assert.equal(fromUtf8(fromBase64url(d)), '["_26bc4LT-ac6q2KI6cBW5es","family_name","Möbius"]');
  assert.equal(fieldDigestHex('_26bc4LT-ac6q2KI6cBW5es', 'family_name', 'Möbius'), toHex(sha256(utf8(d))));
  // Quotes and control characters are escaped like Boost.JSON does.
  assert.equal(fromUtf8(fromBase64url(fieldDisclosure('s', 'n', 'a"b\n'))), '["s","n","a\\"b\\n"]');
  assert.equal(fromUtf8(fromBase64url(fieldDisclosure('s', 'n', '\u0001'))), '["s","n","\\u0001"]');
  assert.notEqual(fieldDigestHex('s', 'n', 'v1'), fieldDigestHex('s', 'n', 'v2'));
});

test('the claims digest hashes the field digests in name order', () => {
  const fields = holderCopy.fields;
  const sorted = ['address', 'birth_date', 'name'].map((n) => fields.find((f) => f.name === n));
  const concat = new Uint8Array(96);
  sorted.forEach((f, i) => concat.set(sha256(utf8(fieldDisclosure(f.salt, f.name, f.value))), i * 32));
  assert.equal(claimsDigestHex(fields), toHex(sha256(concat)));
  assert.equal(claimsDigestHex([...fields].reverse()), claimsDigestHex(fields));
});

test('holder fields are compared with the digests on chain', () => {
  const claims = holderCopy.fields.slice(0, 2).map((f) => ({ name: f.name, digest: fieldDigestHex(f.salt, f.name, f.value) }));
  claims[1].digest = '00'.repeat(32);
  assert.deepEqual(compareWithClaims(holderCopy.fields, claims).map((c) => c.match), ['match', 'mismatch', 'not_on_certificate']);
});

test('a disclosure link round-trips in the standard form', async () => {
  const { link, form } = await disclosureLink(ORIGIN, ID, holderCopy.fields.slice(0, 2));
  assert.equal(form, 'sd');
  assert.ok(link.startsWith(`${verificationLink(ORIGIN, ID)}&sd=`));
  const req = await parseVerifyInput(link);
  assert.equal(req.id, ID);
  assert.deepEqual(req.fields, {
    name: { salt: 'QmFzZTY0U2FsdE9uZQ', value: '张伟' },
    birth_date: { salt: 'U2FsdFR3b1R3b1R3bw', value: '1988-05-16' },
  });
});

test('a long disclosure switches to the compact form and still round-trips', async () => {
  const { link, form } = await disclosureLink(ORIGIN, ID, holderCopy.fields, { threshold: 0 });
  assert.equal(form, 'z');
  const standard = await disclosureLink(ORIGIN, ID, holderCopy.fields);
  assert.ok(link.length < standard.link.length);
  const req = await parseVerifyInput(link);
  assert.equal(req.fields.address.value, '四川省绵阳市涪城区临园路15号');
  assert.equal(Object.keys(req.fields).length, 3);
});

test('a disclosure too large for a QR code is refused; an empty one too', async () => {
  const many = Array.from({ length: 60 }, (_, i) => ({ name: `f${i}`, value: `${i}`.repeat(30) + crypto.randomUUID(), salt: crypto.randomUUID() }));
  await assert.rejects(disclosureLink(ORIGIN, ID, many), { code: 'DISCLOSURE_TOO_LARGE' });
  await assert.rejects(disclosureLink(ORIGIN, ID, []), { code: 'NOTHING_DISCLOSED' });
  assert.ok(QR_MAX_BYTES > 2000);
});

test('verify input: bare id, REST URL, the hash part alone, a holder file', async () => {
  assert.equal((await parseVerifyInput(`  ${ID} `)).id, ID);
  const rest = await parseVerifyInput(`${ORIGIN}/v1/certificates/${ID}/verify?at=2025-06-01T00:00:00Z`);
  assert.equal(rest.id, ID);
  assert.equal(rest.at, '2025-06-01T00:00:00Z');
  assert.equal((await parseVerifyInput(`#/verify?id=${ID}&at=1700000000000`)).at, '1700000000000');
  const file = await parseVerifyInput(JSON.stringify(holderCopy));
  assert.equal(file.id, ID);
  assert.equal(file.holder.fields.length, 3);
  assert.deepEqual(file.holder.raw, holderCopy);
});

test('verify input: bad input gets a typed error', async () => {
  await assert.rejects(parseVerifyInput(''), { code: 'EMPTY_INPUT' });
  await assert.rejects(parseVerifyInput('hello world!'), { code: 'UNRECOGNISED_INPUT' });
  await assert.rejects(parseVerifyInput(`${ORIGIN}/v1/certificates/%E0%A4%A/verify`), { code: 'UNRECOGNISED_INPUT' });
  await assert.rejects(parseVerifyInput(`${ORIGIN}/#/verify?id=${ID}&sd=***`), { code: 'BAD_DISCLOSURE' });
  await assert.rejects(parseVerifyInput(`${ORIGIN}/#/verify?id=${ID}&sd=${fieldDisclosure('a', 'b', 'c').slice(0, 5)}`), { code: 'BAD_DISCLOSURE' });
  const twice = `${fieldDisclosure('a', 'name', 'x')}~${fieldDisclosure('b', 'name', 'y')}`;
  await assert.rejects(parseVerifyInput(`${ORIGIN}/#/verify?id=${ID}&sd=${twice}`), { code: 'BAD_DISCLOSURE' });
  await assert.rejects(parseVerifyInput(`${ORIGIN}/#/verify?id=${ID}&z=AAAA`), { code: 'BAD_DISCLOSURE' });
  await assert.rejects(parseVerifyInput('{"fields": 3}'), { code: 'HOLDER_FILE_MALFORMED' });
});

test('holder files: malformed ones are named precisely', () => {
  assert.throws(() => parseHolderCertificate('not json'), { code: 'HOLDER_FILE_MALFORMED' });
  assert.throws(() => parseHolderCertificate('[]'), { code: 'HOLDER_FILE_MALFORMED' });
  assert.throws(() => parseHolderCertificate({ ...holderCopy, fields: [] }), { code: 'HOLDER_FILE_MALFORMED' });
  assert.throws(() => parseHolderCertificate({ ...holderCopy, fields: [{ name: 'a', value: 1, salt: 's' }] }), /field 1/);
  assert.throws(() => parseHolderCertificate({ ...holderCopy, fields: [holderCopy.fields[0], holderCopy.fields[0]] }), /twice/);
  assert.equal(parseHolderCertificate(JSON.stringify(holderCopy)).fields[0].value, '张伟');
});
