// The seam between the RPC server and the issuer API (rpc/issuer/issuer_api.h):
// the server hands every request under /v1/issuer to the gateway it was given
// (ServerOptions::issuer) and writes back the answer; with no gateway every such
// path answers 404 NO_SUCH_ROUTE, whatever the method: the API is off by default.
//
// RequestIdentity is what the server knows of the caller, the input of the
// gateway's "only our own systems" and authentication checks. Today that is the
// client address (the socket peer, or the client a trusted proxy names,
// rpc/client_address.h); a TLS server adds the verified client certificate's
// subject here and the gateway can accept it in place of a bearer token.
//
// Thread safety: Handle is called from the server threads, concurrently; `done`
// may be called from any thread, exactly once.
#pragma once

#include <functional>
#include <string>

namespace civic::rpc {

struct RequestIdentity {
  std::string client_address;  // canonical spelling (rpc/client_address.h)
};

struct IssuerHttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // starts with "/v1/issuer"
  std::string query;   // without the '?'
  std::string body;
  std::string authorization;    // the Authorization header, "" when absent
  std::string idempotency_key;  // the Idempotency-Key header
  bool has_idempotency_key = false;
  RequestIdentity identity;
};

struct IssuerHttpAnswer {
  int status = 200;
  std::string body;  // JSON
};

class IssuerGateway {
 public:
  virtual ~IssuerGateway() = default;
  virtual void Handle(IssuerHttpRequest request, std::function<void(IssuerHttpAnswer)> done) = 0;
};

}  // namespace civic::rpc
