// A small synchronous HTTP/JSON-RPC client for the CLI, tools, benchmarks and
// tests. It keeps one keep-alive connection open and reconnects when the server
// closed it; CallPipelined keeps many requests in flight on it. With
// options.tls (https:// URLs) it speaks TLS 1.2+ and verifies the server's
// certificate against tls_files.ca_file (or the system roots) and its name
// against `host` (rpc/tls_context.h); it may present a client certificate.
//
// Errors are typed Status values:
//   UNAVAILABLE/CONNECTION_REFUSED   nothing listens at host:port
//   UNAVAILABLE/CONNECT_FAILED       other connection failures (resolve, network)
//   UNAVAILABLE/TLS_VERIFY_FAILED    the server's certificate is not trusted or
//                                    does not name the host (the reason follows)
//   UNAVAILABLE/TLS_HANDSHAKE_FAILED the TLS handshake failed otherwise, or the
//                                    server refused the connection at the TLS
//                                    layer (e.g. no client certificate)
//   INVALID_ARGUMENT/TLS_*_UNREADABLE, TLS_KEY_MISMATCH  the CA, certificate or
//                                    key files (MakeClientTlsContext)
//   DEADLINE_EXCEEDED/TIMEOUT        no complete answer within options.timeout
//   IO_ERROR/CONNECTION_LOST         the connection broke mid-answer, or the
//                                    server closed it with requests unanswered
//   <code>/HTTP_<status>             an HTTP error answer; when its body is a
//                                    REST or JSON-RPC error, that error's code,
//                                    app_code and message are kept instead
//   <code>/<app_code>                a JSON-RPC error (code from data.code_name)
//   INTERNAL/BAD_RESPONSE            an answer that is not what the protocol says
// Thread safety: one Client per thread (calls are not synchronised).
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/base/status.h"
#include "rpc/tls_context.h"

namespace civic::rpc {

struct ClientOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 26657;  // civicd's default RPC port
  // TLS (https://), with the files it trusts and presents.
  bool tls = false;
  TlsClientFiles tls_files;
  // Per request: connect + send + receive.
  std::chrono::milliseconds timeout{30000};
  // Largest answer accepted.
  size_t max_response_bytes = 64 * 1024 * 1024;
};

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;
  std::map<std::string, std::string, std::less<>> headers;  // lower-case names
};

class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;

  // "http://host:port" or "https://host:port" (a trailing path is ignored; no
  // port = 26657) -> options (tls for https). BAD_URL on error.
  static Result<ClientOptions> ParseUrl(std::string_view url);

  // One JSON-RPC call to POST /rpc; the result, or the call's error.
  Result<boost::json::value> Call(std::string_view method,
                                  boost::json::value params = boost::json::object());
  // A batch; one Result per call, in order. The outer Status fails only when
  // the batch as a whole fails (transport, HTTP, parse).
  Result<std::vector<Result<boost::json::value>>> CallBatch(
      const std::vector<std::pair<std::string, boost::json::value>>& calls);

  // JSON-RPC calls pipelined on this connection (HTTP/1.1): the calls go
  // `per_request` to an HTTP request (a single call when 1, else a batch), up to
  // `window` requests wait for their answers at a time, and on_result(i, r)
  // receives call i's result or error as the answers arrive, in order. Each
  // request has options.timeout from the start of its sending to its answer.
  // The returned Status fails only when the connection does (the calls answered
  // until then have had their on_result); BAD_ARGUMENT when per_request is 0.
  using CallResultHandler = std::function<void(size_t, Result<boost::json::value>)>;
  Status CallPipelined(const std::vector<std::pair<std::string, boost::json::value>>& calls, size_t per_request,
                       size_t window, const CallResultHandler& on_result);

  // GET `path`; a non-2xx answer becomes a typed error.
  Result<HttpResponse> Get(std::string_view path);
  // GET `path` and parse the body as JSON (non-2xx -> typed error).
  Result<boost::json::value> GetJson(std::string_view path);
  // Any request; every HTTP status is returned as is (transport errors only).
  // `headers` are added to the request (e.g. a webhook's signature).
  Result<HttpResponse> Request(std::string_view method, std::string_view path, std::string body = "",
                               std::string_view content_type = "application/json",
                               const std::vector<std::pair<std::string, std::string>>& headers = {});

  // Closes the connection (the next call reconnects).
  void Close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The typed error for a non-2xx HTTP answer (used by Client; exposed for tests).
Status StatusFromHttpError(int http_status, std::string_view body);

}  // namespace civic::rpc
