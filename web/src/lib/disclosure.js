// The holder's copy of a certificate, selective disclosure and the links that a
// QR code carries. Pure functions (no DOM), shared by the page and unit tests.
//
// Holder certificate file (written by `civic cert issue --out`, rpc/codec/holder_certificate.h):
//   {"id","type_code","issuer_org","holder":{"code_type","code","salt"},
//    "fields":[{"name","value","salt"},...],"valid_from_ms","valid_until_ms"}
//
// Field digest (SD-JWT disclosure digest, as on chain):
//   SHA-256( ASCII( base64url( UTF-8( JSON [salt, name, value] ) ) ) )
// JSON.stringify of an array of strings gives the same text as Boost.JSON's
// serializer (compact, minimal escaping, lower-case \u00xx, UTF-8 as is).
//
// Links (web/README.md):
//   verification link  <origin>/#/verify?id=<id>
//   disclosure link    <origin>/#/verify?id=<id>&sd=<disclosure>~<disclosure>...
//                      each <disclosure> = base64url(JSON [salt, name, value])
//   compact disclosure <origin>/#/verify?id=<id>&z=<base64url(deflate-raw(JSON [[salt,name,value],...]))>
//                      used when the sd form is longer than a comfortable QR code
// Optional on every form: &at=<ms since the epoch or RFC 3339>, the time to verify at.
import { sha256 } from '@noble/hashes/sha2.js';
import { base64url, concatBytes, fromBase64url, fromUtf8, toHex, utf8 } from './bytes.js';
import { InputError } from './errors.js';

// Disclosure strings longer than this switch the QR code to the compact form.
export const COMPACT_THRESHOLD = 900;
// Largest text a QR code holds in byte mode at error correction level L (version 40).
export const QR_MAX_BYTES = 2953;

export function fieldDisclosure(salt, name, value) {
  return base64url(utf8(JSON.stringify([salt, name, value])));
}

export function fieldDigestHex(salt, name, value) {
  return toHex(sha256(utf8(fieldDisclosure(salt, name, value))));
}

// SHA-256 over the field digests in ascending name order (byte order of the UTF-8
// names, as std::string comparison orders them on the node).
export function claimsDigestHex(fields) {
  const sorted = [...fields].sort((a, b) => compareUtf8(a.name, b.name));
  const digests = sorted.map((f) => sha256(utf8(fieldDisclosure(f.salt, f.name, f.value))));
  return toHex(sha256(concatBytes(...digests)));
}

function compareUtf8(a, b) {
  const x = utf8(a);
  const y = utf8(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

function isString(v) {
  return typeof v === 'string';
}

// Parses and checks a holder certificate file; throws InputError(HOLDER_FILE_MALFORMED).
export function parseHolderCertificate(text) {
  let doc;
  try {
    doc = typeof text === 'string' ? JSON.parse(text) : text;
  } catch (e) {
    throw new InputError('HOLDER_FILE_MALFORMED', 'not JSON');
  }
  const bad = (what) => {
    throw new InputError('HOLDER_FILE_MALFORMED', what);
  };
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) bad('not a JSON object');
  if (!isString(doc.id ?? '')) bad('"id" must be a string');
  if (!isString(doc.type_code)) bad('missing "type_code"');
  if (!isString(doc.issuer_org)) bad('missing "issuer_org"');
  if (!Array.isArray(doc.fields) || doc.fields.length === 0) bad('missing "fields"');
  const names = new Set();
  const fields = doc.fields.map((f, i) => {
    if (!f || !isString(f.name) || !isString(f.value) || !isString(f.salt) || f.name === '' || f.salt === '') {
      bad(`field ${i + 1} needs string "name", "value" and "salt"`);
    }
    if (names.has(f.name)) bad(`field "${f.name}" appears twice`);
    names.add(f.name);
    return { name: f.name, value: f.value, salt: f.salt };
  });
  const holder = doc.holder && typeof doc.holder === 'object' ? doc.holder : null;
  return {
    id: doc.id ?? '',
    type_code: doc.type_code,
    issuer_org: doc.issuer_org,
    holder: holder ? { code_type: String(holder.code_type ?? ''), code: String(holder.code ?? ''), salt: String(holder.salt ?? '') } : null,
    fields,
    valid_from_ms: Number(doc.valid_from_ms ?? 0),
    valid_until_ms: Number(doc.valid_until_ms ?? 0),
    raw: doc,
  };
}

// Compares the holder's fields with the digests on chain (cert_get's "claims").
// Returns [{name, match: 'match'|'mismatch'|'not_on_certificate'}] in the copy's order.
export function compareWithClaims(fields, claims) {
  const onChain = new Map((claims ?? []).map((c) => [c.name, c.digest]));
  return fields.map((f) => {
    const digest = onChain.get(f.name);
    if (digest === undefined) return { name: f.name, match: 'not_on_certificate' };
    return { name: f.name, match: digest === fieldDigestHex(f.salt, f.name, f.value) ? 'match' : 'mismatch' };
  });
}

export function verificationLink(origin, id) {
  return `${origin}/#/verify?id=${encodeURIComponent(id)}`;
}

// The REST route a program can call with the same id.
export function restVerifyPath(id) {
  return `/v1/certificates/${encodeURIComponent(id)}/verify`;
}

async function deflateRaw(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function inflateRaw(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function canCompress() {
  return typeof CompressionStream === 'function' && typeof DecompressionStream === 'function';
}

// The link for a QR code that discloses `fields` ([{name, value, salt}]) of certificate `id`.
// Returns {link, form: 'sd'|'z'}; throws InputError(DISCLOSURE_TOO_LARGE) when even the
// compact form does not fit in a QR code, or NOTHING_DISCLOSED for an empty choice.
export async function disclosureLink(origin, id, fields, { threshold = COMPACT_THRESHOLD } = {}) {
  if (!id) throw new InputError('NO_CERT_ID');
  if (fields.length === 0) throw new InputError('NOTHING_DISCLOSED');
  const base = verificationLink(origin, id);
  const sd = `${base}&sd=${fields.map((f) => fieldDisclosure(f.salt, f.name, f.value)).join('~')}`;
  if (sd.length <= threshold || !canCompress()) {
    if (utf8(sd).length > QR_MAX_BYTES) throw new InputError('DISCLOSURE_TOO_LARGE');
    return { link: sd, form: 'sd' };
  }
  const packed = await deflateRaw(utf8(JSON.stringify(fields.map((f) => [f.salt, f.name, f.value]))));
  const z = `${base}&z=${base64url(packed)}`;
  const link = z.length < sd.length ? z : sd;
  if (utf8(link).length > QR_MAX_BYTES) throw new InputError('DISCLOSURE_TOO_LARGE');
  return { link, form: link === z ? 'z' : 'sd' };
}

function decodeDisclosure(text) {
  const bytes = fromBase64url(text);
  if (!bytes) throw new InputError('BAD_DISCLOSURE', 'not base64url');
  let arr;
  try {
    arr = JSON.parse(fromUtf8(bytes));
  } catch {
    throw new InputError('BAD_DISCLOSURE', 'not JSON');
  }
  return checkTriple(arr);
}

function checkTriple(arr) {
  if (!Array.isArray(arr) || arr.length !== 3 || !arr.every(isString)) {
    throw new InputError('BAD_DISCLOSURE', 'expected [salt, name, value]');
  }
  return { salt: arr[0], name: arr[1], value: arr[2] };
}

function toFieldMap(list) {
  const out = {};
  for (const f of list) {
    if (Object.prototype.hasOwnProperty.call(out, f.name)) throw new InputError('BAD_DISCLOSURE', `field "${f.name}" twice`);
    out[f.name] = { salt: f.salt, value: f.value };
  }
  return out;
}

// Reads query parameters (URLSearchParams) of a verify link into a request.
async function fromParams(params) {
  const id = params.get('id') ?? '';
  let fields = {};
  if (params.get('sd')) {
    fields = toFieldMap(params.get('sd').split('~').filter((s) => s !== '').map(decodeDisclosure));
  } else if (params.get('z')) {
    const packed = fromBase64url(params.get('z'));
    if (!packed || !canCompress()) throw new InputError('BAD_DISCLOSURE', 'compact form does not decode');
    let arr;
    try {
      arr = JSON.parse(fromUtf8(await inflateRaw(packed)));
    } catch {
      throw new InputError('BAD_DISCLOSURE', 'compact form does not decode');
    }
    if (!Array.isArray(arr)) throw new InputError('BAD_DISCLOSURE', 'compact form is not a list');
    fields = toFieldMap(arr.map(checkTriple));
  }
  const at = params.get('at') ?? '';
  return { id, fields, at, holder: null };
}

// What a verifier was given, in any of the forms a person may paste or load:
// a verification or disclosure link (or only its "#/verify?..." part), the REST
// verify URL, a bare certificate id, or a holder certificate file's JSON.
// Returns {id, fields: {name: {salt, value}}, at, holder}; `holder` is the parsed
// holder copy when a whole file was given. Throws InputError.
export async function parseVerifyInput(text) {
  const input = String(text ?? '').trim();
  if (input === '') throw new InputError('EMPTY_INPUT');
  if (input.startsWith('{')) {
    const holder = parseHolderCertificate(input);
    if (!holder.id) throw new InputError('HOLDER_FILE_MALFORMED', 'the file has no certificate id yet');
    return { id: holder.id, fields: {}, at: '', holder };
  }
  const hashAt = input.indexOf('#/verify');
  if (hashAt >= 0) {
    const q = input.indexOf('?', hashAt);
    return fromParams(new URLSearchParams(q >= 0 ? input.slice(q + 1) : ''));
  }
  const rest = input.match(/\/v1\/certificates\/([^/?#]+)\/verify(?:\?([^#]*))?/);
  if (rest) {
    const params = new URLSearchParams(rest[2] ?? '');
    let id;
    try {
      id = decodeURIComponent(rest[1]);
    } catch {
      throw new InputError('UNRECOGNISED_INPUT', 'malformed %-escape');
    }
    return { id, fields: {}, at: params.get('at') ?? '', holder: null };
  }
  if (/^(id|sd|z)=/.test(input)) return fromParams(new URLSearchParams(input));
  if (/^[0-9A-Za-z.]+$/.test(input)) return { id: input, fields: {}, at: '', holder: null };
  throw new InputError('UNRECOGNISED_INPUT');
}
