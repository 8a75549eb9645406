// JSON-RPC 2.0 dispatch, independent of HTTP: parses a request body (a single
// call or a batch), validates each call, runs the handlers and assembles the
// response once every handler has replied (handlers may reply later, from any
// thread).
//
// Guarantees: any input (random bytes, deep or odd JSON, wrong types) gets a
// JSON-RPC answer and never throws out; `done` is called exactly once per
// Handle(); a handler that throws or drops its Reply without calling it is
// answered with an INTERNAL error; a second call of a Reply is ignored.
// Notifications (no "id") are run but get no response; a body made of
// notifications only produces an empty response.
// Thread safety: a Dispatcher is immutable after construction; Handle() may run
// concurrently from many threads.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "rpc/errors.h"
#include "rpc/methods.h"

namespace civic::rpc {

struct DispatchResult {
  std::string body;  // serialized JSON response; empty = nothing to send
  // False when the admit hook refused the calls (the server answers 429).
  bool admitted = true;
};

class Dispatcher {
 public:
  // Observes each finished call (for metrics): the method name as sent (empty
  // for invalid requests) and the outcome. It may run after the dispatcher is
  // gone (a late reply), so it must own what it uses.
  using CallObserver = std::function<void(std::string_view method, const Status& status)>;
  // Asked once per body with the number of calls in it; false refuses them all.
  using AdmitHook = std::function<bool(size_t calls)>;

  Dispatcher(const MethodTable* methods, size_t max_batch, CallObserver observer = {});

  void Handle(std::string_view body, const CallContext& ctx, const AdmitHook& admit,
              std::function<void(DispatchResult)> done) const;

  // Runs one method by name (REST routes use this); unknown methods reply
  // METHOD_NOT_FOUND. `reply` is called exactly once.
  void Call(std::string_view method, const json::value& params, const CallContext& ctx,
            Reply reply) const;

  const MethodTable* methods() const { return methods_; }
  size_t max_batch() const { return max_batch_; }

 private:
  const MethodTable* methods_;
  size_t max_batch_;
  // Shared with pending replies, which may outlive the dispatcher.
  std::shared_ptr<const CallObserver> observer_;
};

// Checks that `request` is a well-formed JSON-RPC 2.0 request object (used by
// the dispatcher and by the docs test). INVALID_REQUEST on failure.
Status ValidateRequest(const json::value& request);
// Checks that `response` is a well-formed JSON-RPC 2.0 response object.
Status ValidateResponse(const json::value& response);

// A serialized error response with id null (for answers given before dispatch,
// e.g. 413 and 429).
std::string ErrorResponseBody(int rpc_code, const Status& status);

}  // namespace civic::rpc
