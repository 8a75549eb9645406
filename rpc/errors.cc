#include "rpc/errors.h"

#include <string>

#include "contracts/base/checks.h"
#include "crypto/base/log_text.h"
#include "rpc/error_codes.h"

namespace civic::rpc {

int JsonRpcCode(Code code) {
  switch (code) {
    case Code::kInvalidArgument: return kInvalidParams;
    case Code::kInternal: return kInternalError;
    default: return -32000 - static_cast<int>(code);
  }
}

int JsonRpcCodeFor(const Status& status) {
  const std::string& app = status.app_code();
  if (app == err::PARSE_ERROR) return kParseError;
  if (app == err::INVALID_REQUEST) return kInvalidRequest;
  if (app == err::METHOD_NOT_FOUND) return kMethodNotFound;
  return JsonRpcCode(status.code());
}

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk: return 200;
    case Code::kInvalidArgument: return 400;
    case Code::kNotFound: return 404;
    case Code::kAlreadyExists: return 409;
    case Code::kPermissionDenied: return 403;
    case Code::kFailedPrecondition: return 409;
    case Code::kResourceExhausted: return 429;
    case Code::kUnavailable: return 503;
    case Code::kDeadlineExceeded: return 504;
    case Code::kCorruption:
    case Code::kIOError:
    case Code::kInternal: return 500;
  }
  return 500;
}

std::optional<Code> CodeFromName(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(Code::kInternal); ++i) {
    auto code = static_cast<Code>(i);
    if (name == CodeName(code)) return code;
  }
  return std::nullopt;
}

std::string MessageText(std::string_view message) {
  if (contracts::IsValidUtf8(message)) return std::string(message);
  return LogText(message, message.size());
}

json::object ErrorObject(int rpc_code, const Status& status) {
  json::object data;
  data["app_code"] = status.app_code().empty() ? CodeName(status.code()) : status.app_code();
  data["code_name"] = CodeName(status.code());
  json::object error;
  error["code"] = rpc_code;
  error["message"] = MessageText(status.message());
  error["data"] = std::move(data);
  return error;
}

static Code CodeFromRpcCode(int64_t rpc_code) {
  switch (rpc_code) {
    case kParseError:
    case kInvalidRequest:
    case kInvalidParams: return Code::kInvalidArgument;
    case kMethodNotFound: return Code::kNotFound;
    case kInternalError: return Code::kInternal;
    default: break;
  }
  int64_t c = -32000 - rpc_code;
  if (c > 0 && c <= static_cast<int64_t>(Code::kInternal)) return static_cast<Code>(c);
  return Code::kInternal;
}

Status StatusFromErrorObject(const json::value& error) {
  const json::object* obj = error.if_object();
  if (!obj) return Status::Internal("the server sent a malformed JSON-RPC error");
  int64_t rpc_code = kInternalError;
  if (auto* c = obj->if_contains("code"); c && c->is_int64()) rpc_code = c->get_int64();
  std::string message;
  if (auto* m = obj->if_contains("message"); m && m->is_string()) message = m->get_string();
  Code code = CodeFromRpcCode(rpc_code);
  std::string app_code;
  // JSON-RPC errors keep app_code and code_name in "data"; REST errors beside "code".
  const json::object* data = obj;
  if (auto* d = obj->if_contains("data"); d && d->is_object()) data = &d->get_object();
  if (auto* a = data->if_contains("app_code"); a && a->is_string()) app_code = a->get_string();
  if (auto* n = data->if_contains("code_name"); n && n->is_string()) {
    if (auto parsed = CodeFromName(n->get_string())) code = *parsed;
  }
  if (code == Code::kOk) code = Code::kInternal;
  if (app_code.empty()) app_code = CodeName(code);
  return Status(code, std::move(app_code), std::move(message));
}

Status ParseErrorStatus(std::string message) {
  return Status::InvalidArgument(err::PARSE_ERROR, std::move(message));
}

Status InvalidRequestStatus(std::string message) {
  return Status::InvalidArgument(err::INVALID_REQUEST, std::move(message));
}

Status MethodNotFoundStatus(std::string_view method) {
  return Status::NotFound(err::METHOD_NOT_FOUND, "no method named \"" + std::string(method) + "\"");
}

}  // namespace civic::rpc
