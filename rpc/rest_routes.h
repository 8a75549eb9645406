// The REST routes under /v1 as the JSON-RPC calls that answer them, and the
// error answer of every route that is not JSON-RPC:
//   /v1/certificates/{id}         -> cert_get {id}
//   /v1/certificates/{id}/verify  -> cert_verify {id, and the query: at, fields, ...}
//   /v1/certificates/{id}/proof   -> cert_proof {id, and the query: at, height}
//   /v1/blocks/{height|hash|latest} -> chain_getBlock {height} | {hash} | {}
//   /v1/txs/{id}                  -> chain_getTx {id}
//   /v1/credit/{subject}          -> credit_report {subject}
// Query values of verify and proof become params: "at" and "height" digits integers, "fields" JSON
// (or base64url JSON), "true"/"false" booleans, anything else a string.
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
  // height, hash nor "latest") or NO_SUCH_ROUTE; then method and params are empty.
  Status status;
  std::string method;
  boost::json::object params;
};

// The call for a GET of `path` (starting with "/v1") with query string `query`
// (without the '?').
RestCall RestCallFor(std::string_view path, std::string_view query);

// {"error":{"code","code_name","app_code","message"}}
std::string RestErrorBody(const Status& status);
// The HTTP status of a REST error: HttpStatusFor(code), except that a method this
// node does not have (METHOD_NOT_FOUND) means the route is not available: 404.
int RestErrorHttpStatus(const Status& status);

}  // namespace civic::rpc
