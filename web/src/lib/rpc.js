// JSON-RPC 2.0 client for the node that serves this page (POST /rpc), REST GETs
// (/v1/...) and the error type the views translate.
//
// Errors carry the JSON-RPC code and the node's stable app code
// (error.data.app_code, rpc/errors.h). -32601 (method not found) means this node
// does not have the module: views show "not available on this node".

export const METHOD_NOT_FOUND = -32601;

export class RpcError extends Error {
  constructor({ code = 0, message = '', appCode = '', codeName = '', httpStatus = 0 } = {}) {
    super(message || appCode || `error ${code}`);
    this.code = code;
    this.appCode = appCode;
    this.codeName = codeName;
    this.httpStatus = httpStatus;
  }
  get methodMissing() {
    return this.code === METHOD_NOT_FOUND || this.appCode === 'METHOD_NOT_FOUND';
  }
  get network() {
    return this.appCode === 'NETWORK_ERROR';
  }
}

let nextId = 1;

// Where the node is: the page's own origin. A ?node=<url> override exists only
// in builds made with VITE_CIVIC_DEV_NODE_OVERRIDE=1: on the official page a
// link or QR code with ?node= could otherwise make it show another server's
// answers (a revoked certificate as genuine) and send the auditor console's
// signed queries there (the node's Content-Security-Policy blocks it too).
// `npm run dev` proxies to a node, so development does not need it either.
export function nodeBase() {
  if (import.meta.env?.VITE_CIVIC_DEV_NODE_OVERRIDE !== '1') return '';
  const p = new URLSearchParams(location.search).get('node');
  return p ? p.replace(/\/+$/, '') : '';
}

async function post(body) {
  let response;
  try {
    response = await fetch(`${nodeBase()}/rpc`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new RpcError({ appCode: 'NETWORK_ERROR', message: String(e?.message ?? e) });
  }
  let json;
  try {
    json = await response.json();
  } catch {
    throw new RpcError({ appCode: 'BAD_RESPONSE', httpStatus: response.status, message: `HTTP ${response.status}` });
  }
  return json;
}

function errorFrom(error) {
  return new RpcError({
    code: error?.code ?? 0,
    message: error?.message ?? '',
    appCode: error?.data?.app_code ?? '',
    codeName: error?.data?.code_name ?? '',
  });
}

export async function call(method, params = {}) {
  const json = await post({ jsonrpc: '2.0', id: nextId++, method, params });
  if (json && json.error) throw errorFrom(json.error);
  if (!json || !('result' in json)) throw new RpcError({ appCode: 'BAD_RESPONSE', message: 'no result' });
  return json.result;
}

// Several calls in one HTTP request. Returns [{ok: true, result} | {ok: false, error: RpcError}]
// in the order of `calls` ([[method, params], ...]). The node accepts up to 100 per batch.
export async function batch(calls) {
  if (calls.length === 0) return [];
  const out = [];
  for (let start = 0; start < calls.length; start += 100) {
    const part = calls.slice(start, start + 100);
    const firstId = nextId;
    nextId += part.length;
    const json = await post(part.map(([method, params], i) => ({ jsonrpc: '2.0', id: firstId + i, method, params: params ?? {} })));
    if (!Array.isArray(json)) {
      if (json && json.error) throw errorFrom(json.error);
      throw new RpcError({ appCode: 'BAD_RESPONSE', message: 'batch answer is not a list' });
    }
    const byId = new Map(json.map((r) => [r.id, r]));
    for (let i = 0; i < part.length; i++) {
      const r = byId.get(firstId + i);
      if (!r) out.push({ ok: false, error: new RpcError({ appCode: 'BAD_RESPONSE', message: 'missing answer' }) });
      else if (r.error) out.push({ ok: false, error: errorFrom(r.error) });
      else out.push({ ok: true, result: r.result });
    }
  }
  return out;
}

export function wsUrl() {
  const base = nodeBase();
  if (base) return base.replace(/^http/, 'ws') + '/ws';
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

// Cached lookups that many views need (orgs, certificate types); refreshed on demand.
const cache = new Map();
export function cached(key, load, maxAgeMs = 60000) {
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < maxAgeMs) return hit.promise;
  const promise = load().catch((e) => {
    cache.delete(key);
    throw e;
  });
  cache.set(key, { at: Date.now(), promise });
  return promise;
}

export function orgs() {
  return cached('orgs', async () => (await call('gov_orgs')).orgs ?? []);
}

export function certTypes() {
  return cached('types', async () => (await call('cert_types')).types ?? []);
}

export async function orgName(code) {
  try {
    const o = (await orgs()).find((x) => x.code === code);
    return o ? o.name : '';
  } catch {
    return '';
  }
}
