#include "rpc/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/beast/core/error.hpp>
#include <future>
#include <optional>
#include <thread>
#include <vector>

#include "crypto/base/errors.h"
#include "rpc/cert_events.h"
#include "rpc/codec/chain.h"
#include "rpc/error_codes.h"
#include "rpc/http_session.h"
#include "rpc/rest_routes.h"
#include "rpc/server_state.h"
#include "rpc/ws_session.h"

namespace civic::rpc {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace fs = std::filesystem;
using tcp = net::ip::tcp;

std::string RefusalText(const char* status_line, const Status& st) {
  std::string body = RestErrorBody(st);
  return std::string("HTTP/1.1 ") + status_line + "\r\nServer: " + std::string(kServerName) +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + body;
}

// Answers a connection over the server's limit with 503, or over its address's
// limit with 429, and closes it. A TLS port never speaks plain HTTP: there the
// connection is only closed.
void RefuseConnection(tcp::socket socket, bool per_ip, bool tls) {
  if (tls) {
    beast::error_code ec;
    socket.close(ec);
    return;
  }
  static const std::string kServerFull = RefusalText(
      "503 Service Unavailable", Status::Unavailable(err::TOO_MANY_CONNECTIONS, "the server has too many open connections"));
  static const std::string kAddressFull =
      RefusalText("429 Too Many Requests", Status::ResourceExhausted(err::TOO_MANY_CONNECTIONS_FROM_ADDRESS,
                                                                     "too many open connections from this address; "
                                                                     "close some or retry later"));
  const std::string& response = per_ip ? kAddressFull : kServerFull;
  auto sock = std::make_shared<tcp::socket>(std::move(socket));
  net::async_write(*sock, net::buffer(response), [sock](beast::error_code, size_t) {
    beast::error_code ec;
    sock->shutdown(tcp::socket::shutdown_both, ec);
    sock->close(ec);
  });
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions options, const MethodTable* methods, NodeBackend* node)
      : state(std::make_shared<ServerState>(std::move(options), methods, node)) {}

  void Accept() {
    acceptor->async_accept(net::make_strand(state->ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
      if (!ec) OnAccept(std::move(socket));
      if (state->stopping) return;
      if (ec) {
        // Out of file descriptors and the like: back off briefly instead of spinning.
        auto timer = std::make_shared<net::steady_timer>(acceptor->get_executor(), std::chrono::milliseconds(50));
        timer->async_wait([this, timer](beast::error_code) {
          if (!state->stopping && acceptor->is_open()) Accept();
        });
        return;
      }
      Accept();
    });
  }

  void OnAccept(tcp::socket socket) {
    if (state->stopping) return;
    beast::error_code ec;
    auto endpoint = socket.remote_endpoint(ec);
    if (ec) return;
    std::string remote = CanonicalAddress(endpoint.address());
    // A trusted proxy's connection is counted for its requests' clients (ConnectionSlot::CountAs).
    const bool via_proxy = state->trusted_proxies.Contains(endpoint.address());
    std::shared_ptr<TlsContext> tls = state->CurrentTls();
    {
      std::lock_guard<std::mutex> lock(state->sessions_mu);
      if (state->open_connections >= static_cast<int64_t>(state->options.max_connections)) {
        state->metrics.RecordReject(Reject::kConnectionLimit);
        RefuseConnection(std::move(socket), false, tls != nullptr);
        return;
      }
      if (!via_proxy) {
        size_t& from_ip = state->connections_per_ip[remote];
        if (state->options.max_connections_per_ip != 0 && from_ip >= state->options.max_connections_per_ip) {
          if (from_ip == 0) state->connections_per_ip.erase(remote);
          state->metrics.RecordReject(Reject::kConnectionsPerIp);
          RefuseConnection(std::move(socket), true, tls != nullptr);
          return;
        }
        ++from_ip;
      }
      ++state->open_connections;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto slot = std::make_shared<ConnectionSlot>(state, via_proxy ? std::string() : remote);
    StartHttpSession(state, std::move(socket), std::move(remote), std::move(slot), std::move(tls));
  }

  std::shared_ptr<ServerState> state;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::mutex threads_mu;
  std::condition_variable threads_cv;
  size_t running_threads = 0;
  uint16_t bound_port = 0;
  bool started = false;
  bool stopped = false;
};

Server::Server(ServerOptions options, const MethodTable* methods, NodeBackend* node)
    : impl_(std::make_unique<Impl>(std::move(options), methods, node)) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  Impl& s = *impl_;
  if (s.started) return Status::FailedPrecondition(err::ALREADY_STARTED, "the server was started already");
  ServerState& state = *s.state;
  const ServerOptions& opt = state.options;

  if (!opt.web_root.empty()) {
    std::error_code fec;
    fs::path root = fs::canonical(opt.web_root, fec);
    if (fec || !fs::is_directory(root, fec)) {
      return Status::InvalidArgument(err::WEB_ROOT_MISSING, "the web root \"" + opt.web_root + "\" is not a folder");
    }
    state.web_root = root;
  }

  if (opt.tls.enabled()) {
    auto tls = MakeServerTlsContext(opt.tls);
    if (!tls.ok()) return tls.status();
    state.tls_context = std::move(tls).value();
  }

  auto proxies = TrustedProxies::Parse(opt.trusted_proxies);
  if (!proxies.ok()) return proxies.status();
  state.trusted_proxies = std::move(proxies).value();

  beast::error_code ec;
  auto address = net::ip::make_address(opt.address, ec);
  if (ec) return Status::InvalidArgument(err::BAD_ADDRESS, "\"" + opt.address + "\" is not an IP address");
  tcp::endpoint endpoint(address, opt.port);
  s.acceptor.emplace(net::make_strand(state.ioc));
  s.acceptor->open(endpoint.protocol(), ec);
  if (!ec) s.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor->bind(endpoint, ec);
  if (!ec) s.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    s.acceptor.reset();
    return Status::Unavailable(err::BIND_FAILED, "cannot listen on " + opt.address + ":" + std::to_string(opt.port) +
                                                  ": " + ec.message());
  }
  s.bound_port = s.acceptor->local_endpoint(ec).port();
  s.started = true;
  s.work.emplace(state.ioc.get_executor());
  s.Accept();
  size_t n = std::max<size_t>(1, opt.threads);
  s.running_threads = n;
  for (size_t i = 0; i < n; ++i) {
    s.threads.emplace_back([&s] {
      for (;;) {
        try {
          s.state->ioc.run();
          break;
        } catch (const std::exception& e) {
          spdlog::error("rpc: unexpected exception on a server thread: {}", e.what());
        }
      }
      std::lock_guard<std::mutex> lock(s.threads_mu);
      --s.running_threads;
      s.threads_cv.notify_all();
    });
  }
  spdlog::info("rpc: listening on {}", url());
  return Status::Ok();
}

void Server::Stop() {
  Impl& s = *impl_;
  if (!s.started || s.stopped) return;
  s.stopped = true;
  ServerState& state = *s.state;
  state.stopping = true;

  // 1. No new connections.
  {
    std::promise<void> closed;
    net::post(s.acceptor->get_executor(), [&s, &closed] {
      beast::error_code ec;
      s.acceptor->close(ec);
      closed.set_value();
    });
    closed.get_future().wait();
  }
  // 2. Idle connections close now, busy ones after their answer.
  for (auto& session : state.LiveSessions()) session->Shutdown(false);
  {
    std::unique_lock<std::mutex> lock(state.sessions_mu);
    state.sessions_cv.wait_for(lock, state.options.stop_grace, [&] { return state.open_connections == 0; });
  }
  // 3. Nothing more may be posted; close what is left and let the threads drain.
  {
    std::unique_lock<std::shared_mutex> lock(state.gate_mu);
    state.gate_closed = true;
  }
  for (auto& session : state.LiveSessions()) session->Shutdown(true);
  s.work.reset();
  {
    std::unique_lock<std::mutex> lock(s.threads_mu);
    if (!s.threads_cv.wait_for(lock, std::chrono::seconds(5), [&] { return s.running_threads == 0; })) {
      spdlog::warn("rpc: connections did not close in time; stopping the server threads");
      state.ioc.stop();
    }
  }
  for (auto& t : s.threads) t.join();
  s.threads.clear();
  s.acceptor.reset();
  spdlog::info("rpc: stopped");
}

Status Server::ReloadTls() {
  ServerState& state = *impl_->state;
  if (!state.options.tls.enabled()) {
    return Status::FailedPrecondition(err::TLS_NOT_CONFIGURED, "the RPC port serves plain HTTP; nothing to reload");
  }
  auto tls = MakeServerTlsContext(state.options.tls);
  if (!tls.ok()) return tls.status();
  std::lock_guard<std::mutex> lock(state.tls_mu);
  state.tls_context = std::move(tls).value();
  return Status::Ok();
}

uint16_t Server::port() const { return impl_->bound_port; }

std::string Server::url() const {
  const ServerOptions& options = impl_->state->options;
  bool v6 = options.address.find(':') != std::string::npos;
  return std::string(options.tls.enabled() ? "https://" : "http://") +
         (v6 ? "[" + options.address + "]" : options.address) + ":" + std::to_string(port());
}

const HttpMetrics& Server::metrics() const { return impl_->state->metrics; }

void Server::PublishBlock(const pb::Block& block) {
  // A block whose header does not decode has no event to send.
  auto event = BlockEventJson(block);
  if (event.ok()) Publish("blocks", json::value(std::move(event).value()));
  NodeBackend* node = impl_->state->node;
  if (!node || !node->ready() || !AnySubscriber(*impl_->state, "certificate")) return;
  for (json::object& cert_event : CertificateEventsOf(block, node->chain())) {
    std::string topic = CertificateTopic(cert_event.at("id").as_string());
    json::value data(std::move(cert_event));
    Publish("certificates", data);
    Publish(topic, data);
  }
}

void Server::Publish(std::string_view topic, const json::value& data) {
  if (impl_->state->stopping) return;
  PublishToSubscribers(*impl_->state, topic, data);
}

}  // namespace civic::rpc
