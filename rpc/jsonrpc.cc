#include "rpc/jsonrpc.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "contracts/base/errors.h"

namespace civic::rpc {

namespace {

// Makes a Reply that forwards the first call to `sink`, ignores later calls, and
// answers INTERNAL if every copy is dropped without a call.
class ReplyOnce {
 public:
  explicit ReplyOnce(std::function<void(Result<json::value>)> sink) : sink_(std::move(sink)) {}
  ~ReplyOnce() {
    if (done_.exchange(true)) return;
    try {
      sink_(Status::Internal("the method finished without a reply"));
    } catch (...) {
    }
  }
  void Send(Result<json::value> result) {
    if (done_.exchange(true)) return;
    sink_(std::move(result));
  }

 private:
  std::function<void(Result<json::value>)> sink_;
  std::atomic<bool> done_{false};
};

Reply MakeReplyOnce(std::function<void(Result<json::value>)> sink) {
  auto once = std::make_shared<ReplyOnce>(std::move(sink));
  return [once](Result<json::value> result) { once->Send(std::move(result)); };
}

bool IsValidId(const json::value& id) {
  return id.is_string() || id.is_int64() || id.is_uint64() || id.is_double() || id.is_null();
}

// One call of a body, as read from its request object.
struct ParsedCall {
  bool notification = false;
  json::value id;  // null when absent or unusable
  std::string method;
  json::value params;
  Status error;  // non-OK: the request object is invalid
};

ParsedCall ParseCall(const json::value& request) {
  ParsedCall call;
  call.error = ValidateRequest(request);
  if (const json::object* obj = request.if_object()) {
    const json::value* id = obj->if_contains("id");
    if (id && IsValidId(*id)) call.id = *id;
    if (call.error.ok()) {
      call.notification = (id == nullptr);
      call.method = std::string(obj->at("method").get_string());
      const json::value* params = obj->if_contains("params");
      call.params = params ? *params : json::value(json::object());
    }
  }
  return call;
}

json::object ResponseObject(const json::value& id, Result<json::value> result) {
  json::object resp;
  resp["jsonrpc"] = "2.0";
  resp["id"] = id;
  if (result.ok()) {
    resp["result"] = std::move(result).value();
  } else {
    resp["error"] = ErrorObject(result.status());
  }
  return resp;
}

// The pending answers of one batch.
struct BatchState {
  std::mutex mu;
  std::vector<std::optional<json::object>> slots;
  size_t remaining = 0;
  std::function<void(DispatchResult)> done;

  // Stores the answer for `index`; the last one serializes the whole batch.
  void Complete(size_t index, json::object response) {
    std::function<void(DispatchResult)> finish;
    json::array out;
    {
      std::lock_guard<std::mutex> lock(mu);
      slots[index] = std::move(response);
      if (--remaining != 0) return;
      for (auto& slot : slots) {
        if (slot) out.emplace_back(std::move(*slot));
      }
      finish = std::move(done);
    }
    finish(DispatchResult{json::serialize(out), true});
  }
};

}  // namespace

Status ValidateRequest(const json::value& request) {
  const json::object* obj = request.if_object();
  if (!obj) return InvalidRequestStatus("a request must be a JSON object");
  const json::value* version = obj->if_contains("jsonrpc");
  if (!version || !version->is_string() || version->get_string() != "2.0") {
    return InvalidRequestStatus("\"jsonrpc\" must be \"2.0\"");
  }
  const json::value* method = obj->if_contains("method");
  if (!method || !method->is_string()) return InvalidRequestStatus("\"method\" must be a string");
  if (method->get_string().empty()) return InvalidRequestStatus("\"method\" must not be empty");
  if (const json::value* id = obj->if_contains("id"); id && !IsValidId(*id)) {
    return InvalidRequestStatus("\"id\" must be a string, a number or null");
  }
  if (const json::value* params = obj->if_contains("params");
      params && !params->is_object() && !params->is_array()) {
    return InvalidRequestStatus("\"params\" must be an object or an array");
  }
  for (const auto& kv : *obj) {
    if (kv.key() != "jsonrpc" && kv.key() != "method" && kv.key() != "id" && kv.key() != "params") {
      return InvalidRequestStatus("unexpected member \"" + std::string(kv.key()) + "\"");
    }
  }
  return Status::Ok();
}

Status ValidateResponse(const json::value& response) {
  const json::object* obj = response.if_object();
  if (!obj) return InvalidRequestStatus("a response must be a JSON object");
  const json::value* version = obj->if_contains("jsonrpc");
  if (!version || !version->is_string() || version->get_string() != "2.0") {
    return InvalidRequestStatus("response \"jsonrpc\" must be \"2.0\"");
  }
  const json::value* id = obj->if_contains("id");
  if (!id || !IsValidId(*id)) return InvalidRequestStatus("response needs an \"id\"");
  const json::value* result = obj->if_contains("result");
  const json::value* error = obj->if_contains("error");
  if ((result == nullptr) == (error == nullptr)) {
    return InvalidRequestStatus("a response has exactly one of \"result\" and \"error\"");
  }
  if (error) {
    const json::object* e = error->if_object();
    if (!e || !e->contains("code") || !e->at("code").is_int64() || !e->contains("message") ||
        !e->at("message").is_string()) {
      return InvalidRequestStatus("\"error\" needs an integer \"code\" and a string \"message\"");
    }
  }
  return Status::Ok();
}

std::string ErrorResponseBody(int rpc_code, const Status& status) {
  json::object resp;
  resp["jsonrpc"] = "2.0";
  resp["id"] = nullptr;
  resp["error"] = ErrorObject(rpc_code, status);
  return json::serialize(resp);
}

Dispatcher::Dispatcher(const MethodTable* methods, size_t max_batch, CallObserver observer)
    : methods_(methods),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      observer_(std::make_shared<const CallObserver>(std::move(observer))) {}

void Dispatcher::Call(std::string_view method, const json::value& params, const CallContext& ctx,
                      Reply reply) const {
  const Method* m = methods_ ? methods_->Find(method) : nullptr;
  if (!m) {
    reply(MethodNotFoundStatus(method));
    return;
  }
  Reply once = MakeReplyOnce(std::move(reply));
  try {
    m->handler(ctx, params, once);
  } catch (const std::exception& e) {
    once(Status::Internal(std::string("the method failed: ") + e.what()));
  } catch (...) {
    once(Status::Internal("the method failed"));
  }
}

void Dispatcher::Handle(std::string_view body, const CallContext& ctx, const AdmitHook& admit,
                        std::function<void(DispatchResult)> done) const {
  // Runs `call` and hands its answer (a response object, or nullopt for a
  // notification) to `sink`.
  auto run = [this, &ctx](ParsedCall call,
                          std::function<void(std::optional<json::object>)> sink) {
    if (!call.error.ok()) {
      if (*observer_) (*observer_)("", call.error);
      sink(ResponseObject(call.id, call.error));
      return;
    }
    bool notification = call.notification;
    json::value id = std::move(call.id);
    Call(call.method, call.params, ctx,
         [observer = observer_, notification, id = std::move(id), method = call.method,
          sink = std::move(sink)](Result<json::value> result) {
           if (*observer) (*observer)(method, result.status());
           if (notification) {
             sink(std::nullopt);
           } else {
             sink(ResponseObject(id, std::move(result)));
           }
         });
  };

  try {
    json::error_code ec;
    json::parse_options options;
    options.max_depth = 64;
    json::value doc = json::parse(body, ec, json::storage_ptr(), options);
    if (ec) {
      if (*observer_) (*observer_)("", ParseErrorStatus(ec.message()));
      done({ErrorResponseBody(kParseError, ParseErrorStatus("the body is not valid JSON: " +
                                                            ec.message())),
            true});
      return;
    }

    if (!doc.is_array()) {
      if (admit && !admit(1)) {
        done({"", false});
        return;
      }
      auto finish = std::make_shared<std::function<void(DispatchResult)>>(std::move(done));
      run(ParseCall(doc), [finish](std::optional<json::object> response) {
        (*finish)(DispatchResult{response ? json::serialize(*response) : std::string(), true});
      });
      return;
    }

    json::array& batch = doc.get_array();
    if (batch.empty()) {
      done({ErrorResponseBody(kInvalidRequest, InvalidRequestStatus("an empty batch")), true});
      return;
    }
    if (batch.size() > max_batch_) {
      done({ErrorResponseBody(kInvalidRequest,
                              Status::InvalidArgument(
                                  err::BATCH_TOO_LARGE, "a batch may hold at most " +
                                                         std::to_string(max_batch_) + " calls")),
            true});
      return;
    }
    if (admit && !admit(batch.size())) {
      done({"", false});
      return;
    }

    std::vector<ParsedCall> calls;
    calls.reserve(batch.size());
    size_t answering = 0;
    for (const json::value& request : batch) {
      calls.push_back(ParseCall(request));
      if (!calls.back().error.ok() || !calls.back().notification) ++answering;
    }
    auto state = std::make_shared<BatchState>();
    state->slots.resize(calls.size());
    state->remaining = answering;
    state->done = std::move(done);
    if (answering == 0) {
      auto finish = std::move(state->done);
      for (auto& call : calls) run(std::move(call), [](std::optional<json::object>) {});
      finish(DispatchResult{"", true});
      return;
    }
    for (size_t i = 0; i < calls.size(); ++i) {
      bool answers = !calls[i].error.ok() || !calls[i].notification;
      if (answers) {
        run(std::move(calls[i]), [state, i](std::optional<json::object> response) {
          state->Complete(i, response ? std::move(*response) : json::object());
        });
      } else {
        run(std::move(calls[i]), [](std::optional<json::object>) {});
      }
    }
  } catch (const std::exception& e) {
    // Only allocation failures can reach here; answer if nothing was sent yet.
    if (done) done({ErrorResponseBody(kInternalError, Status::Internal(e.what())), true});
  }
}

}  // namespace civic::rpc
