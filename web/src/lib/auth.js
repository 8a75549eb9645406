// Signed requests for auditor-only JSON-RPC methods (sharing_query,
// sharing_violations, sharing_stats). The node checks them (web/README.md,
// "Auditor request signature"):
//
//   params = {"request": "<the method's parameters as JSON text>",
//             "auth": {"version": 2, "org": "<USCC>", "key": "<algo>:<hex public key>",
//                      "audience": "<the node's id, chain_status node.node_id>",
//                      "timestamp_ms": <integer ms since the epoch>,
//                      "nonce": "<32 lower-case hex characters>",
//                      "sig": "<128 lower-case hex characters>"}}
//
//   signed bytes = "civicledger/rpc-auth/v2" 0x00 chain_id 0x00 audience 0x00
//                  method 0x00 decimal(timestamp_ms) 0x00 nonce 0x00 request
//   (all UTF-8; `request` is the exact text sent, so nothing is re-serialised)
// The audience binds a request to the node it is sent to: no other node answers
// it, and that node answers it once (its nonces outlive restarts).
//
// The signature is crypto::Verify(key, signed bytes, sig): Ed25519 over the bytes,
// secp256k1 ECDSA over SHA-256 of them (low S).
import { concatBytes, toHex, utf8 } from './bytes.js';

export const AUTH_DOMAIN = 'civicledger/rpc-auth/v2';
export const AUTH_VERSION = 2;

export function authMessage({ chainId, audience, method, timestampMs, nonce, request }) {
  const zero = new Uint8Array([0]);
  return concatBytes(
    utf8(AUTH_DOMAIN), zero, utf8(chainId), zero, utf8(audience), zero, utf8(method), zero,
    utf8(String(timestampMs)), zero, utf8(nonce), zero, utf8(request),
  );
}

export function randomNonce() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return toHex(bytes);
}

// Builds the params of a signed call. `key` comes from keyfile.loadSigningKey.
export function signedParams({ key, org, chainId, audience, method, params, timestampMs = Date.now(), nonce = randomNonce() }) {
  const request = JSON.stringify(params ?? {});
  const sig = key.sign(authMessage({ chainId, audience, method, timestampMs, nonce, request }));
  return {
    request,
    auth: { version: AUTH_VERSION, org, key: key.keyString, audience, timestamp_ms: timestampMs, nonce, sig: toHex(sig) },
  };
}
