// What the RPC server shares with its sessions: the options, the method table
// and node, the io_context, the current TLS context, metrics, the rate limiter, the body budget, the dispatcher, the live
// sessions (for Stop), the open-connection count and the WebSocket subscriptions.
//
// Sessions hold the state by shared_ptr, so the io_context outlives every socket
// even when a late reply keeps a session alive after the server is gone.
// Thread safety: the members set at construction are read-only afterwards;
// `stopping` is atomic; the TLS context is guarded by its mutex; sessions, open_connections and subscribers are guarded
// by their mutexes; nothing is posted to the io_context once the gate is closed.
#pragma once

#include <boost/asio.hpp>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "rpc/body_budget.h"
#include "rpc/client_address.h"
#include "rpc/jsonrpc.h"
#include "rpc/metrics.h"
#include "rpc/rate_limiter.h"
#include "rpc/server.h"

namespace civic::rpc {

// The Server header of every answer.
constexpr std::string_view kServerName = "civicd";

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Graceful: finish the request in flight, then close. Forced: close now.
  // Called from a thread outside the session's strand.
  virtual void Shutdown(bool force) = 0;
};

// A WebSocket session, as publishing sees it (rpc/ws_session.cc).
class WsSubscriber : public SessionBase {
 public:
  // Queues `message` for the client (called from any thread).
  virtual void Enqueue(std::shared_ptr<const std::string> message) = 0;
};

struct ServerState {
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  ServerState(ServerOptions opts, const MethodTable* table, NodeBackend* backend);

  ServerOptions options;
  const MethodTable* methods;
  NodeBackend* node;
  boost::asio::io_context ioc;
  std::shared_ptr<HttpMetrics> metrics_ptr;  // shared with late replies
  HttpMetrics& metrics;
  RateLimiter limiter;
  TrustedProxies trusted_proxies;  // set by Server::Start before any connection
  BodyBudget body_budget;
  Dispatcher dispatcher;
  std::filesystem::path web_root;  // canonical; empty = no static files

  std::atomic<bool> stopping{false};

  // The TLS context new connections use (null = plain HTTP). Server::ReloadTls
  // replaces it while connections run; a session keeps the one it started with.
  mutable std::mutex tls_mu;
  std::shared_ptr<TlsContext> tls_context;  // guarded by tls_mu
  std::shared_ptr<TlsContext> CurrentTls() const {
    std::lock_guard<std::mutex> lock(tls_mu);
    return tls_context;
  }

  // Closed once the server threads are about to end: nothing may be posted
  // to the io_context after that.
  std::shared_mutex gate_mu;
  bool gate_closed = false;

  // Live sessions (for Stop) and open connections.
  std::mutex sessions_mu;
  std::condition_variable sessions_cv;
  std::map<uint64_t, std::weak_ptr<SessionBase>> sessions;
  uint64_t next_session_id = 1;
  int64_t open_connections = 0;
  std::map<std::string, size_t, std::less<>> connections_per_ip;

  // WebSocket subscriptions by session id (kept by rpc/ws_session.cc).
  std::mutex subs_mu;
  struct Subscriber {
    std::weak_ptr<WsSubscriber> session;
    std::set<std::string, std::less<>> topics;
  };
  std::map<uint64_t, Subscriber> subscribers;
  // Subscriptions by client address (options.ws_max_subscriptions_per_ip).
  std::map<std::string, size_t, std::less<>> subscriptions_per_client;

  // Runs `fn` on `ex`: inline when already there, else posted unless the gate is closed.
  template <typename Fn>
  void RunOn(const boost::asio::any_io_executor& ex, Fn&& fn) {
    const Strand* strand = ex.target<Strand>();
    if (strand && strand->running_in_this_thread()) {
      fn();
      return;
    }
    std::shared_lock<std::shared_mutex> lock(gate_mu);
    if (gate_closed) return;
    boost::asio::post(ex, std::forward<Fn>(fn));
  }

  // The id a session unregisters with when it ends.
  uint64_t Register(std::weak_ptr<SessionBase> session);
  void Unregister(uint64_t id);
  std::vector<std::shared_ptr<SessionBase>> LiveSessions();
};

// One open connection, counted until released (moves from an HTTP session to
// the WebSocket session that takes the connection over). The acceptor counts
// the connection in open_connections and connections_per_ip[client] before
// creating the slot; a connection from a trusted proxy starts with no client
// ("") and is counted for the client of each request it carries (CountAs).
// Thread safety: CountAs from the connection's strand only.
class ConnectionSlot {
 public:
  ConnectionSlot(std::shared_ptr<ServerState> state, std::string client);
  ~ConnectionSlot();
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

  // Counts the connection for `client` instead; false (and nothing changed)
  // when `client` already holds max_connections_per_ip connections.
  bool CountAs(const std::string& client);

 private:
  std::shared_ptr<ServerState> state_;
  std::string client_;
};

}  // namespace civic::rpc
