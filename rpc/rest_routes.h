// The REST routes under /v1 as the JSON-RPC calls that answer them, and the
// error answer of every route that is not JSON-RPC:
//   GET  /v1/certificates/{id}         -> cert_get {id}
//   GET  /v1/certificates/{id}/verify  -> cert_verify {id, at?, flags?}
//   POST /v1/certificates/{id}/verify  -> cert_verify {id, and the JSON body: fields, holder_certificate, at, ...}
//   GET  /v1/certificates/{id}/proof   -> cert_proof {id, at?, height?}
//   GET  /v1/blocks/{height|hash|latest} -> chain_getBlock {height} | {hash} | {}
//   GET  /v1/txs/{id}                  -> chain_getTx {id}
//   GET  /v1/credit/{subject}          -> credit_report {subject}
// Personal values never travel in a URL (proxies, logs and browser history keep
// URLs): a verify query may carry only "at" (digits become an integer) and
// flags whose value is "true" or "false"; anything else, such as disclosed
// fields or a holder certificate, is refused with PERSONAL_DATA_IN_URL, which
// says to POST it as the JSON body instead.
// Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "crypto/base/status.h"
#include "rpc/metrics.h"

namespace civic::rpc {

struct RestCall {
  Route route = Route::kOther;  // the metrics label, also when the path is refused
  // BAD_PATH (a malformed percent escape), BAD_HEIGHT (a block named by neither
  // height, hash nor "latest"), NO_SUCH_ROUTE, PERSONAL_DATA_IN_URL, or for a
  // POST body PARSE_ERROR / INVALID_PARAMS; then method and params are empty.
  Status status;
  // Set when the route does not take `post`: the methods it does take (a 405).
  std::string allow;
  std::string method;
  boost::json::object params;
};

// The call for a GET (post = false) or POST of `path` (starting with "/v1")
// with query string `query` (without the '?') and, for a POST, JSON `body`.
RestCall RestCallFor(std::string_view path, std::string_view query, bool post = false, std::string_view body = {});

// {"error":{"code","code_name","app_code","message"}}
std::string RestErrorBody(const Status& status);
// The HTTP status of a REST error: HttpStatusFor(code), except that a method this
// node does not have (METHOD_NOT_FOUND) means the route is not available: 404.
int RestErrorHttpStatus(const Status& status);

}  // namespace civic::rpc
