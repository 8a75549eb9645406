// @civicledger/sdk: a client for CivicLedger nodes, for browsers and Node.js.
// Reads and verification over JSON-RPC (shapes: the node's /openrpc.json),
// verification checked against the departments' signatures with the proof
// verifier beside it (web/verifier), signed auditor queries (the page's own
// signing code, web/src/lib/auth.js), and live events over /ws. Every failure
// is a CivicError with the node's stable app_code.
import { verifyCertificateProof, VerifyError } from '../../verifier/src/index.js';
import { signedParams } from '../../src/lib/auth.js';
import { loadSigningKey } from '../../src/lib/keyfile.js';

export { VerifyError };

export class CivicError extends Error {
  // appCode: the node's stable name (docs/RPC.md "Error codes") or, for
  // failures on this side, UNREACHABLE / BAD_ANSWER / BAD_URL.
  constructor(appCode, message, { code = 0, httpStatus = 0 } = {}) {
    super(`${appCode}: ${message}`);
    this.name = 'CivicError';
    this.appCode = appCode;
    this.code = code;
    this.httpStatus = httpStatus;
  }

  // The class of the refusal, from the JSON-RPC code or HTTP status.
  get kind() {
    if (this.appCode === 'RATE_LIMITED' || this.httpStatus === 429) return 'rate_limited';
    if ([-32602, -32700, -32600].includes(this.code) || this.httpStatus === 400) return 'invalid_input';
    if ([-32002, -32601].includes(this.code) || this.httpStatus === 404) return 'not_found';
    if (this.code === -32004 || this.httpStatus === 401 || this.httpStatus === 403) return 'permission_denied';
    if (this.appCode === 'UNREACHABLE') return 'unavailable';
    return 'other';
  }
}

export const Verdict = Object.freeze({ VALID: 'valid', INVALID: 'invalid', NOT_GENUINE: 'not_genuine', UNKNOWN_ID: 'unknown_id' });

export class Client {
  // url: the node, e.g. "https://psb.civic.example:26657"; fetch: an
  // implementation (default the global one); WebSocket: likewise (Node.js 20:
  // run with --experimental-websocket or pass one).
  constructor(url, { fetch: fetchImpl = globalThis.fetch, WebSocket: wsImpl = globalThis.WebSocket, timeoutMs = 30000 } = {}) {
    if (!/^https?:\/\//.test(url ?? '')) throw new CivicError('BAD_URL', `a node URL starts with http:// or https://, not ${JSON.stringify(url)}`);
    this.url = url.replace(/\/+$/, '');
    this.fetch = fetchImpl;
    this.WebSocket = wsImpl;
    this.timeoutMs = timeoutMs;
    this.nextId = 1;
  }

  async request(method, path, body, { raw = false } = {}) {
    let res;
    try {
      res = await this.fetch(this.url + path, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new CivicError('UNREACHABLE', `${this.url}: ${e.cause?.code ?? e.message}`);
    }
    const text = await res.text();
    let parsed;
    try {
      parsed = !raw && (res.headers.get('content-type') ?? '').startsWith('application/json') ? JSON.parse(text) : text;
    } catch {
      throw new CivicError('BAD_ANSWER', `the node's JSON does not parse (HTTP ${res.status})`);
    }
    return { status: res.status, body: parsed };
  }

  // One JSON-RPC call: its result, or the CivicError it was refused with.
  async call(method, params = {}) {
    const id = this.nextId++;
    const { status, body } = await this.request('POST', '/rpc', { jsonrpc: '2.0', id, method, params });
    if (body?.jsonrpc !== '2.0') {
      if (body?.error) throw restError(status, body);
      throw new CivicError('BAD_ANSWER', `not a JSON-RPC answer (HTTP ${status})`);
    }
    if (body.error) {
      throw new CivicError(body.error.data?.app_code ?? 'RPC_ERROR', body.error.message ?? '', { code: body.error.code ?? 0, httpStatus: status });
    }
    if (body.id !== id || !('result' in body)) throw new CivicError('BAD_ANSWER', 'the answer does not match the call');
    return body.result;
  }

  // GET of a REST route, e.g. rest('/v1/blocks/latest').
  async rest(path) {
    const { status, body } = await this.request('GET', path);
    if (status !== 200) throw restError(status, body);
    return body;
  }

  status() { return this.call('chain_status'); }
  block(which = {}) { return this.call('chain_getBlock', which); }
  tx(id) { return this.call('chain_getTx', { id }); }
  certificate(id) { return this.call('cert_get', { id }); }
  history(id) { return this.call('cert_history', { id }); }
  certificateTypes() { return this.call('cert_types'); }
  creditReport(subject) { return this.call('credit_report', { subject }); }
  creditCheck(subject, matter) { return this.call('credit_check', matter ? { subject, matter } : { subject }); }
  // The genesis file this node started from, as text. For verifyWithProof take
  // the genesis from the city instead: a node cannot vouch for itself.
  async genesisText() {
    const { status, body } = await this.request('GET', '/v1/genesis', undefined, { raw: true });
    if (status !== 200) throw new CivicError(`HTTP_${status}`, 'no genesis');
    return body;
  }

  // cert_verify: by id alone, with the fields a holder shows ({name: {salt,
  // value}}, see disclose()) or with the holder's whole copy. Personal values
  // travel in the POST body only. Act on `verdict` alone.
  verify(id, { fields, holderCertificate, at } = {}) {
    const params = { id };
    if (fields) params.fields = fields;
    if (holderCertificate) params.holder_certificate = holderCertificate;
    if (at !== undefined) params.at = at;
    return this.call('cert_verify', params);
  }

  // The certificate's status checked in this process against the signatures of
  // more than 2/3 of the departments' validators, from `genesis` (the text of the
  // genesis file, obtained from the city, not from this node). Returns the
  // verifier's verdict ({verdict, verdict_reason, signers, validators,
  // blockHeight, ...}); throws VerifyError when the proof does not hold.
  async verifyWithProof(id, { genesis, atMs = Date.now() } = {}) {
    if (!genesis) throw new CivicError('GENESIS_REQUIRED', 'verifyWithProof needs the genesis you trust');
    const proof = await this.call('cert_proof', { id });
    return verifyCertificateProof({ proof, genesis, id, atMs });
  }

  // Who read the caller's own data: `holder` is the "holder" member of the
  // caller's certificate copy ({code_type, code, salt}).
  myAccesses(holder, { limit = 100, cursor } = {}) {
    const params = { salt: holder.salt, code_type: holder.code_type, code: holder.code, limit };
    if (cursor) params.cursor = cursor;
    return this.call('sharing_mySubjectAccesses', params);
  }

  // Live events of `topic` ("blocks"): onEvent(data) per event. Returns
  // {close(), ready} where ready resolves once the node confirmed the subscription.
  subscribe(topic, onEvent, { onError = () => {} } = {}) {
    if (!this.WebSocket) throw new CivicError('NO_WEBSOCKET', 'no WebSocket implementation: pass one as the WebSocket option');
    const ws = new this.WebSocket(this.url.replace(/^http/, 'ws') + '/ws');
    let confirm;
    let refuse;
    const ready = new Promise((resolve, reject) => { confirm = resolve; refuse = reject; });
    ws.onopen = () => ws.send(JSON.stringify({ subscribe: topic }));
    ws.onmessage = (m) => {
      let msg;
      try { msg = JSON.parse(m.data); } catch { return onError(new CivicError('BAD_ANSWER', 'a WebSocket message that is not JSON')); }
      if (msg.subscribed === topic) return confirm();
      if (msg.error) {
        const e = new CivicError(msg.error.app_code ?? 'WS_ERROR', msg.error.message ?? '');
        refuse(e);
        return onError(e);
      }
      if (msg.topic === topic) onEvent(msg.data);
    };
    ws.onerror = () => { const e = new CivicError('UNREACHABLE', `${this.url}/ws`); refuse(e); onError(e); };
    return { ready, close: () => ws.close() };
  }
}

// Signed auditor queries (docs/RPC.md "Auditor request signature") with an org
// key file's text ({"algo", "public_key", "secret_key"} or encrypted).
export class Auditor {
  static async fromKeyFile(client, keyFileText, org, passphrase = '') {
    return new Auditor(client, await loadSigningKey(keyFileText, passphrase), org);
  }

  constructor(client, key, org) {
    this.client = client;
    this.key = key;
    this.org = org;
    this.node = null;
  }

  async call(method, request = {}) {
    this.node ??= await this.client.status();
    const params = signedParams({ key: this.key, org: this.org, chainId: this.node.chain_id,
      audience: this.node.node.node_id, method, params: request });
    return this.client.call(method, params);
  }

  accesses(filters = {}) { return this.call('sharing_query', filters); }
  violations(filters = {}) { return this.call('sharing_violations', filters); }
  stats(filters = {}) { return this.call('sharing_stats', filters); }
  txFull(id) { return this.call('chain_getTxFull', { id }); }
}

// The issuer API of the department's own node (docs/RPC.md "Issuer API"). Every
// call carries an Idempotency-Key, made per call and sent again on a retry after
// a transport failure, so a certificate is never issued twice.
export class Issuer {
  constructor(url, token, { fetch: fetchImpl = globalThis.fetch, timeoutMs = 60000, retries = 3 } = {}) {
    this.client = new Client(url, { fetch: fetchImpl, timeoutMs });
    this.token = token;
    this.retries = retries;
  }

  async call(path, body, { wait = true, idempotencyKey = crypto.randomUUID() } = {}) {
    const target = `${this.client.url}/v1/issuer/${path}${wait ? '?wait=true' : ''}`;
    for (let attempt = 0; ; attempt++) {
      let res;
      try {
        res = await this.client.fetch(target, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${this.token}`, 'Idempotency-Key': idempotencyKey },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.client.timeoutMs),
        });
      } catch (e) {
        if (attempt >= this.retries) throw new CivicError('UNREACHABLE', `${target}: ${e.cause?.code ?? e.message}`);
        await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** attempt, 10000)));
        continue;
      }
      const answer = await res.json().catch(() => null);
      if (res.status === 200 || res.status === 202) return answer;
      throw restError(res.status, answer);
    }
  }

  // One certificate: {type_code, holder_code_type, holder_code, fields, serial?, valid_from?, valid_until?}.
  // The answer's certificates[0].holder_certificate is the holder's copy: hand it over, do not keep it.
  issue(certificate, options) { return this.call('certificates', certificate, options); }
  issueBatch(typeCode, certificates, options) { return this.call('certificates/batch', { type_code: typeCode, certificates }, options); }
  renew(id, body = {}, options) { return this.call(`certificates/${encodeURIComponent(id)}/renew`, body, options); }
  replace(id, reason, body = {}, options) { return this.call(`certificates/${encodeURIComponent(id)}/replace`, { ...body, reason }, options); }
  suspend(id, reason, options) { return this.call(`certificates/${encodeURIComponent(id)}/suspend`, { reason }, options); }
  reinstate(id, reason, options) { return this.call(`certificates/${encodeURIComponent(id)}/reinstate`, { reason }, options); }
  revoke(id, reason, options) { return this.call(`certificates/${encodeURIComponent(id)}/revoke`, { reason }, options); }
}

// The named fields of a holder's copy as cert_verify's `fields`: selective
// disclosure (show the name only, not the id number).
export function disclose(holderCopy, ...names) {
  const byName = new Map((holderCopy?.fields ?? []).map((f) => [f.name, f]));
  const out = {};
  for (const n of names) {
    const f = byName.get(n);
    if (!f) throw new CivicError('FIELD_NOT_ON_CERTIFICATE', `the certificate has no field ${JSON.stringify(n)}`);
    out[n] = { salt: f.salt, value: f.value };
  }
  return out;
}

function restError(status, body) {
  const e = body?.error ?? {};
  return new CivicError(e.app_code ?? `HTTP_${status}`, e.message ?? '', { code: e.code ?? 0, httpStatus: status });
}
