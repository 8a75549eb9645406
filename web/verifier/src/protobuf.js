// A minimal protocol-buffers reader: exactly what the verifier needs to read the
// messages of ledger/ledger.proto, light/light.proto and the certificate record,
// and nothing that could make it depend on a generated schema. A schema maps
// field numbers to [name, kind, repeated?]; kinds: 'uint' (varint as BigInt),
// 'int' (varint as a Number, must be a safe integer), 'bool', 'bytes', 'string',
// or a nested schema. Unknown fields are skipped; a truncated or malformed
// buffer throws a VerifyError LIGHT_MALFORMED.
import { VerifyError } from './errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function malformed(what) {
  return new VerifyError('LIGHT_MALFORMED', `${what} does not decode`);
}

class Reader {
  constructor(bytes, what) {
    this.b = bytes;
    this.pos = 0;
    this.what = what;
  }

  varint() {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.b.length) throw malformed(this.what);
      const byte = this.b[this.pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw malformed(this.what);
  }

  take(n) {
    if (n < 0 || this.pos + n > this.b.length) throw malformed(this.what);
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(wireType) {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.take(8);
    else if (wireType === 2) this.take(Number(this.varint()));
    else if (wireType === 5) this.take(4);
    else throw malformed(this.what);
  }
}

function defaults(schema) {
  const out = {};
  for (const [name, kind, repeated] of Object.values(schema)) {
    if (repeated) out[name] = [];
    else if (kind === 'uint') out[name] = 0n;
    else if (kind === 'int') out[name] = 0;
    else if (kind === 'bool') out[name] = false;
    else if (kind === 'bytes') out[name] = new Uint8Array(0);
    else if (kind === 'string') out[name] = '';
    else out[name] = null;
  }
  return out;
}

function readValue(r, kind, wireType, what) {
  if (kind === 'uint' || kind === 'int' || kind === 'bool') {
    if (wireType !== 0) throw malformed(what);
    const v = r.varint();
    if (kind === 'uint') return v;
    if (kind === 'bool') return v !== 0n;
    const signed = BigInt.asIntN(64, v);
    if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) throw malformed(what);
    return Number(signed);
  }
  if (wireType !== 2) throw malformed(what);
  const bytes = r.take(Number(r.varint()));
  if (kind === 'bytes') return bytes;
  if (kind === 'string') {
    try {
      return utf8.decode(bytes);
    } catch {
      throw malformed(what);
    }
  }
  return decode(bytes, kind, what);
}

// Decodes `bytes` (Uint8Array) by `schema`.
export function decode(bytes, schema, what = 'a message') {
  const r = new Reader(bytes, what);
  const out = defaults(schema);
  while (r.pos < bytes.length) {
    const tag = r.varint();
    const field = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    if (field === 0) throw malformed(what);
    const spec = schema[field];
    if (!spec) {
      r.skip(wireType);
      continue;
    }
    const [name, kind, repeated] = spec;
    if (repeated && kind === 'bytes' && wireType === 2) {
      out[name].push(r.take(Number(r.varint())));
    } else if (repeated) {
      out[name].push(readValue(r, kind, wireType, what));
    } else {
      out[name] = readValue(r, kind, wireType, what);
    }
  }
  return out;
}
