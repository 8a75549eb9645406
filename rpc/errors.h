// How civic::Status values travel over the wire: JSON-RPC error codes, HTTP
// status codes for REST routes, and the error objects both carry.
//
// The mapping is stable (clients match on it) and documented in docs/RPC.md:
//   kInvalidArgument -> -32602 (invalid params), kInternal -> -32603,
//   every other Code c -> -32000 - c (e.g. kNotFound = 2 -> -32002).
// The protocol errors -32700 (parse), -32600 (invalid request) and -32601
// (method not found) are produced by the dispatcher itself.
// Every error object carries data = {app_code, code_name}.
// Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/base/status.h"

namespace civic::rpc {

namespace json = boost::json;

constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;

// JSON-RPC error code for an application Status code.
int JsonRpcCode(Code code);
// JSON-RPC error code for a Status: the protocol app codes PARSE_ERROR,
// INVALID_REQUEST and METHOD_NOT_FOUND keep their reserved codes, everything
// else follows JsonRpcCode(status.code()).
int JsonRpcCodeFor(const Status& status);
// HTTP status for a REST answer that failed with `code`.
int HttpStatusFor(Code code);
// Inverse of CodeName(); nullopt for an unknown name.
std::optional<Code> CodeFromName(std::string_view name);

// {"code": rpc_code, "message": ..., "data": {"app_code": ..., "code_name": ...}}
// An error message as a JSON answer can carry it: a message that quotes client
// input cut inside a UTF-8 sequence would make the whole answer invalid JSON, so
// such a message has its malformed bytes escaped (crypto/base/log_text.h).
std::string MessageText(std::string_view message);

json::object ErrorObject(int rpc_code, const Status& status);
inline json::object ErrorObject(const Status& status) {
  return ErrorObject(JsonRpcCodeFor(status), status);
}
// Reads a JSON-RPC error object (or the REST form, with app_code and code_name
// beside code) back into a Status (used by the client). Keeps the app code; the
// Code comes from code_name, else from the numeric code.
Status StatusFromErrorObject(const json::value& error);

// Protocol errors as Status values (the dispatcher pairs them with their codes).
Status ParseErrorStatus(std::string message);
Status InvalidRequestStatus(std::string message);
Status MethodNotFoundStatus(std::string_view method);

}  // namespace civic::rpc
