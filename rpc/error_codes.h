// Application error codes of the RPC server, client and codecs (rpc/): the stable app codes a Status of this layer
// carries and clients match on. Each X(CODE, meaning) entry defines civic::err::CODE, whose value is the wire string
// "CODE". A code is listed once, in the lowest layer that produces or matches it; higher layers include that layer's
// list. docs/RPC.md "Error codes" shows every list as one table and errors_table_test keeps the two equal. Constants
// only; thread-safe.
#pragma once

#include "crypto/base/errors.h"

#define CIVIC_RPC_ERRORS(X) \
  X(ACCESS_MALFORMED, "an access record in JSON has a missing, unknown or ill-typed member") \
  X(ACK_MALFORMED, "an acknowledgement in JSON has a missing, unknown or ill-typed member") \
  X(ANSWER_MISMATCH, "a documented example's answer differs from what the node answers") \
  X(AUTH_BAD_SIGNATURE, "the signed request's signature does not verify for its key") \
  X(AUTH_BUSY, "the node holds too many recent request nonces; retry later") \
  X(AUTH_NONCE_LOG, "the node could not record the request's nonce durably; retry later") \
  X(AUTH_NOT_AUDITOR, "the signing org does not hold the AUDITOR role") \
  X(AUTH_OLD_VERSION, "the signed request uses an older signing version; sign it as version 2") \
  X(AUTH_REPLAYED_NONCE, "the signed request's nonce was used before") \
  X(AUTH_REQUIRED, "the method answers signed requests only") \
  X(AUTH_STALE_TIMESTAMP, "the signed request's timestamp is too far from the node's clock") \
  X(AUTH_UNKNOWN_KEY, "the request's key is not an active signing key of the named org") \
  X(AUTH_WRONG_AUDIENCE, "the signed request names another node as its audience") \
  X(BAD_ADDRESS, "a listen address is not an IP address") \
  X(BAD_ARGUMENT, "a client call got an argument out of its range") \
  X(BAD_DOC, "the documentation's examples cannot be read") \
  X(BAD_FORWARDED_FOR, "a trusted proxy forwarded an X-Forwarded-For hop that is not an IP address") \
  X(BAD_HASH, "a block hash is not 64 hex characters") \
  X(BAD_HEIGHT, "a block is named by neither a height, a hash nor latest") \
  X(BAD_MESSAGE, "a WebSocket message is not a subscribe or unsubscribe object") \
  X(BAD_METHOD, "an HTTP method is unknown to the client") \
  X(BAD_PATH, "a REST path has a malformed percent escape") \
  X(BAD_RESPONSE, "the node's answer is not of the expected shape") \
  X(BAD_TOKEN_LIFETIME, "an issuer token lifetime is not a number of days or hours within the allowed range") \
  X(BAD_TRUSTED_PROXY, "a trusted proxy entry is not an IP address or CIDR") \
  X(BAD_TX_ENCODING, "a tx parameter is empty or not valid hex or base64") \
  X(BAD_TX_ID, "a tx id is not 64 hex characters") \
  X(BAD_URL, "a URL is not an http:// or https:// URL with a host and a valid port") \
  X(BIND_FAILED, "the server cannot listen on its address") \
  X(BODY_BUDGET_EXHAUSTED, "the server holds as many request bodies as its budget allows; retry later") \
  X(BODY_TOO_LARGE, "the HTTP request body exceeds the limit") \
  X(COMMIT_TIMEOUT, "the tx was not committed within the wait") \
  X(CONNECTION_LOST, "the connection broke before all answers arrived") \
  X(CONNECTION_REFUSED, "nothing listens at the node's address") \
  X(CONNECT_FAILED, "the client cannot resolve or connect to the node") \
  X(FILE_NOT_FOUND, "a file does not exist or cannot be read") \
  X(HEADER_TOO_LARGE, "the HTTP request header exceeds the limit") \
  X(HOLDER_CERT_MALFORMED, "a holder's certificate copy is malformed") \
  X(IDEMPOTENCY_CAP_REACHED, "the token holds as many live idempotency keys as the node keeps; retry when older ones expire") \
  X(IDEMPOTENCY_KEY_MALFORMED, "an Idempotency-Key is not 1-128 printable ASCII characters") \
  X(IDEMPOTENCY_KEY_MISSING, "a mutating issuer call has no Idempotency-Key header") \
  X(IDEMPOTENCY_KEY_REUSED, "the Idempotency-Key was used before with another request") \
  X(INVALID_PARAMS, "a method's parameters are missing, unknown or of the wrong type") \
  X(INVALID_REQUEST, "the JSON is not a JSON-RPC request object") \
  X(ISSUER_BAD_SCOPE, "an issuer token scope entry is not action:type with a known action") \
  X(ISSUER_BATCH_TOO_LARGE, "an issuer batch holds more certificates than one call may carry") \
  X(ISSUER_BODY_MALFORMED, "an issuer request body has a missing, unknown or ill-typed member") \
  X(ISSUER_CLIENT_NOT_ALLOWED, "the caller is not among the issuer API allowed clients") \
  X(ISSUER_SCOPE_DENIED, "the token scope does not cover this action and certificate type") \
  X(ISSUER_TOKENS_UNREADABLE, "the issuer tokens file cannot be read or is malformed") \
  X(ISSUER_TOKEN_EXPIRED, "the bearer token has expired") \
  X(ISSUER_TOKEN_MISSING, "an issuer call carries no Authorization Bearer token") \
  X(ISSUER_TOKEN_REVOKED, "the bearer token was revoked") \
  X(ISSUER_TOKEN_UNKNOWN, "the bearer token or token id is not one this node issued") \
  X(MALFORMED_HTTP, "the HTTP request is malformed") \
  X(METHOD_NOT_ALLOWED, "the HTTP method is not allowed on this path") \
  X(METHOD_NOT_FOUND, "no method of that name") \
  X(NODE_UNAVAILABLE, "the node is not running") \
  X(NOT_READY, "the node has no chain to answer from yet") \
  X(NOT_RUNNABLE, "a documented example is not sent over HTTP") \
  X(NO_SUCH_ROUTE, "no REST route for this path") \
  X(NO_WEB_ROOT, "this node serves no web page") \
  X(ORIGIN_NOT_ALLOWED, "a WebSocket upgrade or a CORS preflight comes from a browser origin the node does not allow") \
  X(PARSE_ERROR, "the request body is not valid JSON") \
  X(PATH_FORBIDDEN, "the static file path is not allowed") \
  X(PERSONAL_DATA_IN_URL, "a REST verify URL carries more than at and flags; POST personal values in the body") \
  X(PROOF_KEY_NOT_PUBLIC, "state_proof was asked for a key whose record is not public (only public prefixes are proven)") \
  X(RATE_LIMITED, "too many requests or messages from this client") \
  X(SHAPE_MISMATCH, "a documented example's shape differs from the node's answer") \
  X(TIMEOUT, "the client gave up waiting for the node") \
  X(TLS_CA_UNREADABLE, "a TLS CA file cannot be read or holds no certificate") \
  X(TLS_CERT_UNREADABLE, "a TLS certificate file cannot be read or holds no certificate") \
  X(TLS_HANDSHAKE_FAILED, "the TLS handshake with the server failed") \
  X(TLS_KEY_MISMATCH, "a TLS private key does not belong to its certificate") \
  X(TLS_KEY_UNREADABLE, "a TLS private key file cannot be read or holds no private key") \
  X(TLS_NOT_CONFIGURED, "the server serves plain HTTP; there is no TLS certificate to reload") \
  X(TLS_VERIFY_FAILED, "the server's TLS certificate is not signed by a trusted CA or does not name the host") \
  X(TOO_MANY_CONNECTIONS, "the server has too many open connections") \
  X(TOO_MANY_CONNECTIONS_FROM_ADDRESS, "the client address holds as many open connections as the node allows") \
  X(TOO_MANY_SUBSCRIPTIONS, "the client address holds as many WebSocket subscriptions as the node allows") \
  X(TX_IN_MEMPOOL, "the tx is already waiting in the mempool") \
  X(UNKNOWN_TOPIC, "no WebSocket topic of that name") \
  X(UPGRADE_REQUIRED, "the path expects a WebSocket upgrade") \
  X(WEB_ROOT_MISSING, "the web root is not a folder")

namespace civic::err {
CIVIC_RPC_ERRORS(CIVIC_ERR_CONSTANT)
}  // namespace civic::err
