// The node's HTTP/1.1 and WebSocket server (Boost.Beast on Boost.Asio).
//
// Routes:
//   POST /rpc                         JSON-RPC 2.0 (single calls and batches)
//   GET  /v1/certificates/{id}        -> cert_get {id}
//   GET  /v1/certificates/{id}/verify -> cert_verify {id, at} (no personal values in URLs)
//   POST /v1/certificates/{id}/verify -> cert_verify {id, and the JSON body: fields, holder_certificate, at}
//   GET  /v1/blocks/{height|hash|latest} -> chain_getBlock
//   GET  /v1/txs/{id}                 -> chain_getTx {id}
//   GET  /v1/credit/{subject}         -> credit_report {subject}
//   POST /v1/issuer/...               the issuer API, when options.issuer is set (rpc/issuer_gateway.h)
//   GET  /healthz                     200 {"status":"ok",...} when the node is ready, else 503
//   GET  /metrics                     Prometheus text: server counters + chain height + node metrics
//   GET  /ws (upgrade)                WebSocket; {"subscribe":"blocks"} streams new blocks
//   GET  anything else                static files of the web root (index.html at "/")
// docs/RPC.md describes every route and method with examples.
// The pieces: rpc/http_session.h serves one connection, rpc/rest_routes.h maps
// /v1 paths to methods, rpc/ws_session.h streams to /ws subscribers; the Server
// accepts connections within the limit, runs the threads and publishes.
//
// Connections are served by a pool of `threads` threads; each connection runs on
// its own strand and answers its requests in order (pipelined requests are read
// one after another, so answers never overtake each other). Handlers run on the
// server threads and may reply later from any thread (tx_commit).
// Limits: body size (413), request bodies in flight (503), header size (431), batch size, open connections
// (503 to the extra ones) and open connections per client address (429, also
// counting connections still in their TLS handshake), header (and handshake),
// read, idle and write timeouts, a per-client-address token bucket for /rpc (one
// token per call), /v1 and /ws (429 when empty), the Origin of /ws upgrades
// (403 for a browser page of another origin). The client address is the socket
// peer's, or behind a trusted proxy the one it forwards (rpc/client_address.h).
//
// Lifetime: the MethodTable and the NodeBackend must outlive Start()..Stop().
// Stop() stops accepting, lets requests in flight finish (up to stop_grace), then
// closes every connection and joins the threads. Replies that arrive after Stop()
// (e.g. a late AwaitCommit callback) are dropped safely.
// Thread safety: Start/Stop/the destructor from one owner thread; port(), url(),
// metrics(), ReloadTls(), PublishBlock() and Publish() from any thread at any time.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "crypto/base/status.h"
#include "ledger/ledger.pb.h"
#include "rpc/issuer_gateway.h"
#include "rpc/metrics.h"
#include "rpc/methods.h"
#include "rpc/tls_context.h"

namespace civic::rpc {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8545;  // 0 = any free port; see Server::port()
  size_t threads = 2;
  size_t max_body_bytes = 1024 * 1024;
  // Request bodies in flight, all connections together (0 = no budget); see
  // rpc/body_budget.h. A request that does not fit gets 503.
  size_t max_inflight_body_bytes = 64 * 1024 * 1024;
  size_t max_header_bytes = 16 * 1024;
  size_t max_batch = 100;
  size_t max_connections = 1000;
  // Open connections from one remote IP (0 = no cap); more get 429.
  size_t max_connections_per_ip = 32;
  // A connection must send a complete request header within this time (from
  // its opening or from the previous answer); else it is closed.
  std::chrono::milliseconds header_timeout{10000};
  // Once a request's header has arrived, the rest must arrive within this time.
  std::chrono::milliseconds read_timeout{10000};
  // The WebSocket idle timeout (pinged at half of it).
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds write_timeout{10000};
  // Per remote IP: tokens regained per second (0 = no limit) and bucket size
  // (0 = max(1, rate)).
  double rate_limit_per_sec = 0;
  double rate_limit_burst = 0;
  // Addresses or CIDRs of reverse proxies in front of the node: for a request
  // from one of them, the rate limit and the per-IP connection cap count the
  // client X-Forwarded-For names (rpc/client_address.h). Empty = X-Forwarded-For
  // is never read.
  std::vector<std::string> trusted_proxies;
  // The genesis file's text, served at GET /v1/genesis ("" = 404).
  std::string genesis_json;
  // Folder of the web page; empty = no static files.
  std::string web_root;
  // Serve index.html for unknown extension-less paths (client-side routes).
  bool spa_fallback = true;
  // Browser origins ("https://app.example", exact match) whose pages may call
  // /rpc and /v1: their answers carry Access-Control-Allow-Origin (that origin)
  // and Vary: Origin, and their OPTIONS preflights are answered 204. Any other
  // origin gets no CORS headers and a 403 preflight. Empty = no origin.
  std::vector<std::string> cors_origins;
  // TLS on the port (rpc/tls_context.h): no cert file = plain HTTP. With TLS
  // every connection must complete the handshake within header_timeout; there
  // is no plain HTTP on the port.
  TlsServerFiles tls;
  // Origins a browser may open /ws from ("http://host:port"); empty = only the
  // node's own origin (the Host the upgrade request names, over http or https).
  // An upgrade without an Origin header (not a browser) is allowed.
  std::vector<std::string> ws_allowed_origins;
  // WebSocket: messages queued for a subscriber before it is dropped as too slow,
  // and the largest message a client may send.
  size_t ws_max_queue = 256;
  size_t ws_max_message_bytes = 64 * 1024;
  // Topic subscriptions one client address may hold at once over all its
  // WebSocket connections (a connection holds a topic at most once); the
  // subscribe past it is answered TOO_MANY_SUBSCRIPTIONS. 0 = no cap.
  size_t ws_max_subscriptions_per_ip = 16;
  // How long Stop() waits for requests in flight before closing connections.
  std::chrono::milliseconds stop_grace{5000};
  // The issuer API that answers /v1/issuer (rpc/issuer_gateway.h); null = off
  // (404). Must outlive Start()..Stop().
  IssuerGateway* issuer = nullptr;
};

class Server {
 public:
  // `node` may be null (then /healthz answers 503 and handlers get a null node).
  Server(ServerOptions options, const MethodTable* methods, NodeBackend* node);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the threads. Typed errors: BAD_ADDRESS,
  // BAD_TRUSTED_PROXY, BIND_FAILED, WEB_ROOT_MISSING, ALREADY_STARTED, and
  // those of MakeServerTlsContext for options.tls.
  Status Start();
  // Reads options.tls's files again: new connections use the new certificate
  // and key, connections already open keep theirs. When the new files do not
  // make a usable context (the errors of MakeServerTlsContext) nothing changes
  // and the server keeps the previous one. TLS_NOT_CONFIGURED on a plain server.
  Status ReloadTls();
  // Graceful stop (see above); idempotent.
  void Stop();

  // The bound port (the real one when options.port was 0); 0 before Start().
  uint16_t port() const;
  // "http://<address>:<port>", or https:// with TLS
  std::string url() const;

  // Sends {"topic":"blocks","data":<event>} to every /ws client subscribed to
  // "blocks", the event as BlockEventJson (rpc/codec/chain.h) renders it. The
  // node calls it after each commit; a block whose header does not decode is
  // not published.
  void PublishBlock(const pb::Block& block);
  // Same for any topic clients may subscribe to (currently "blocks").
  void Publish(std::string_view topic, const boost::json::value& data);

  const HttpMetrics& metrics() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace civic::rpc
