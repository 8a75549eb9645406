#include "node/p2p/peer_manager.h"

#include <sodium.h>

#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "crypto/base/errors.h"
#include "node/errors.h"
#include "node/p2p/connection.h"
#include "node/p2p/p2p.pb.h"
#include "node/p2p/peer_address.h"

namespace civic::node::p2p {
namespace {

using Clock = std::chrono::steady_clock;
using Strand = asio::strand<asio::io_context::executor_type>;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr auto kStopGrace = std::chrono::milliseconds(5000);
constexpr auto kConnectedRecheck = std::chrono::seconds(60);
constexpr uint32_t kMinFrameBytes = 64;

Status BadConfig(std::string message) { return Status::InvalidArgument(err::BAD_P2P_CONFIG, std::move(message)); }

// State of redialing one persistent peer; its loop runs on `strand`.
struct DialState {
  DialState(asio::io_context& ioc, PeerAddress peer, BackoffOptions backoff_options, uint64_t seed)
      : address(std::move(peer)),
        strand(asio::make_strand(ioc)),
        wake(strand),
        connect_timer(strand),
        backoff(backoff_options, seed) {}

  const PeerAddress address;
  Strand strand;
  asio::steady_timer wake;           // sleeps between attempts; cancelled when the peer disconnects
  asio::steady_timer connect_timer;  // bounds one TCP connect
  Backoff backoff;
  std::atomic<bool> removed{false};
};

}  // namespace

class PeerManager::Impl final : public ConnectionHost {
 public:
  Impl(PeerManagerOptions options, crypto::KeyPair node_key, std::shared_ptr<const AdmissionPolicy> admission,
       prometheus::Registry& metrics)
      : options_(std::move(options)),
        node_key_(std::move(node_key)),
        admission_(std::move(admission)),
        logger_(options_.logger ? options_.logger : spdlog::default_logger()),
        metrics_(RegisterMetrics(metrics)),
        ioc_(options_.io_threads > 0 ? options_.io_threads : 1),
        acceptor_strand_(asio::make_strand(ioc_)) {
    if (sodium_init() < 0) std::abort();  // libsodium cannot work without its RNG
    ctx_.chain_id = options_.chain_id;
    ctx_.node_key = &node_key_;
    ctx_.admission = admission_.get();
    ctx_.max_frame_bytes = options_.max_frame_bytes;
    ctx_.handshake_timeout = options_.handshake_timeout;
    ctx_.ping_interval = options_.ping_interval;
    ctx_.idle_timeout = options_.idle_timeout;
    ctx_.metrics = &metrics_;
    ctx_.log = logger_.get();
    ctx_.stopping = &stopping_;
    uint64_t seed = options_.rng_seed;
    if (seed == 0) randombytes_buf(&seed, sizeof seed);
    seed_rng_.seed(seed);
  }

  ~Impl() override {
    Stop();
    // Asio objects must go before the io_context they were made from.
    std::lock_guard lock(mu_);
    peers_.clear();
    live_.clear();
    dials_.clear();
    acceptor_.reset();
  }

  // ---- configuration ----

  Status RegisterChannel(Channel channel, ChannelPolicy policy, MessageHandler handler) {
    std::lock_guard lifecycle(lifecycle_mu_);
    if (started_) return Status::FailedPrecondition(err::ALREADY_STARTED, "register channels before Start()");
    const auto id = static_cast<uint32_t>(channel);
    if (id == static_cast<uint32_t>(Channel::kControl) || id >= kMaxChannels) {
      return Status::InvalidArgument(err::BAD_CHANNEL, "channel id " + std::to_string(id) +
                                                        " is reserved or not below " + std::to_string(kMaxChannels));
    }
    if (!handler) return Status::InvalidArgument(err::BAD_CHANNEL, "channel " + ChannelName(id) + " needs a handler");
    if (policy.max_queued_messages == 0 || policy.max_queued_bytes == 0) {
      return Status::InvalidArgument(err::BAD_CHANNEL, "channel " + ChannelName(id) + " queue bounds must be positive");
    }
    ctx_.channels[id] = ChannelEntry{true, policy, std::move(handler)};
    return Status::Ok();
  }

  void OnPeerConnected(PeerConnectedHandler handler) {
    std::lock_guard lifecycle(lifecycle_mu_);
    if (!started_) on_connected_ = std::move(handler);
  }
  void OnPeerDisconnected(PeerDisconnectedHandler handler) {
    std::lock_guard lifecycle(lifecycle_mu_);
    if (!started_) on_disconnected_ = std::move(handler);
  }

  // ---- lifecycle ----

  Status Start() {
    std::lock_guard lifecycle(lifecycle_mu_);
    if (started_) return Status::FailedPrecondition(err::ALREADY_STARTED, "a PeerManager starts at most once");
    CIVIC_RETURN_IF_ERROR(ValidateOptions());
    for (const std::string& text : options_.persistent_peers) CIVIC_RETURN_IF_ERROR(AddPeerLocked(text));

    if (options_.listen) CIVIC_RETURN_IF_ERROR(OpenListener());
    work_.emplace(asio::make_work_guard(ioc_));
    for (int i = 0; i < std::max(1, options_.io_threads); ++i) {
      threads_.emplace_back([this] { RunIoThread(); });
    }
    started_ = true;
    running_.store(true);
    if (acceptor_) Spawn(acceptor_strand_, AcceptLoop(coroutines_.Hold()));
    std::vector<std::shared_ptr<DialState>> dials;
    {
      std::lock_guard lock(mu_);
      for (auto& [key, dial] : dials_) dials.push_back(dial);
    }
    for (auto& dial : dials) StartDialing(dial);
    logger_->info("p2p: node {} started (chain \"{}\", listening on {}, {} persistent peers)",
                  ShortKey(node_key_.public_key()), options_.chain_id,
                  acceptor_ ? options_.listen_host + ":" + std::to_string(listen_port_.load()) : "nothing",
                  dials.size());
    return Status::Ok();
  }

  void Stop() {
    {
      std::lock_guard lifecycle(lifecycle_mu_);
      if (!started_ || stopped_) return;
      stopped_ = true;
    }
    running_.store(false);
    std::vector<std::shared_ptr<Connection>> connections;
    std::vector<std::shared_ptr<DialState>> dials;
    {
      std::lock_guard lock(mu_);
      stopping_.store(true);
      for (auto& [ptr, weak] : live_) {
        if (auto connection = weak.lock()) connections.push_back(std::move(connection));
      }
      for (auto& [key, dial] : dials_) dials.push_back(dial);
    }
    asio::post(acceptor_strand_, [this] {
      boost::system::error_code ignored;
      if (acceptor_) acceptor_->close(ignored);
    });
    for (auto& dial : dials) {
      asio::post(dial->strand, [dial] {
        dial->wake.cancel();
        dial->connect_timer.cancel();
      });
    }
    for (auto& connection : connections) {
      connection->RequestClose(Status::Unavailable(err::P2P_STOPPING, "the node is shutting down"));
    }
    connections.clear();
    if (!coroutines_.WaitIdle(kStopGrace)) {
      logger_->warn("p2p: some network tasks did not finish within {} ms; stopping anyway", kStopGrace.count());
    }
    work_.reset();
    ioc_.stop();
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
    {
      std::lock_guard lock(mu_);
      peers_.clear();
      metrics_.peers_connected.Set(0);
    }
    logger_->info("p2p: node {} stopped", ShortKey(node_key_.public_key()));
  }

  // ---- sending ----

  Status Send(const crypto::PublicKey& peer, Channel channel, std::string payload) {
    const auto id = static_cast<uint32_t>(channel);
    CIVIC_RETURN_IF_ERROR(CheckCanSend(id));
    CIVIC_ASSIGN_OR_RETURN(std::shared_ptr<const std::string> envelope, MakeEnvelope(id, std::move(payload)));
    std::shared_ptr<Connection> connection;
    {
      std::lock_guard lock(mu_);
      auto it = peers_.find(peer);
      if (it != peers_.end()) connection = it->second;
    }
    if (!connection) {
      return Status::NotFound(err::PEER_NOT_CONNECTED, "no connection to peer " + ShortKey(peer));
    }
    return connection->Enqueue(id, std::move(envelope));
  }

  size_t Broadcast(Channel channel, std::string payload) {
    const auto id = static_cast<uint32_t>(channel);
    if (!CheckCanSend(id).ok()) return 0;
    Result<std::shared_ptr<const std::string>> envelope = MakeEnvelope(id, std::move(payload));
    if (!envelope.ok()) return 0;
    std::vector<std::shared_ptr<Connection>> connections;
    {
      std::lock_guard lock(mu_);
      connections.reserve(peers_.size());
      for (auto& [key, connection] : peers_) connections.push_back(connection);
    }
    size_t queued = 0;
    for (auto& connection : connections) {
      if (connection->Enqueue(id, *envelope).ok()) ++queued;
    }
    return queued;
  }

  // ---- peers ----

  Status AddPersistentPeer(std::string_view text) {
    std::shared_ptr<DialState> started;
    {
      std::lock_guard lifecycle(lifecycle_mu_);
      if (stopped_) return Status::Unavailable(err::P2P_NOT_RUNNING, "the p2p layer has stopped");
      std::lock_guard lock(mu_);
      Result<std::shared_ptr<DialState>> added = AddPeerUnderLock(text);
      if (!added.ok()) return added.status();
      if (started_) started = *added;
    }
    if (started) StartDialing(started);
    return Status::Ok();
  }

  void RemovePersistentPeer(const crypto::PublicKey& key) {
    std::shared_ptr<DialState> dial;
    {
      std::lock_guard lock(mu_);
      auto it = dials_.find(key);
      if (it == dials_.end()) return;
      dial = it->second;
      dials_.erase(it);
    }
    dial->removed.store(true);
    asio::post(dial->strand, [dial] {
      dial->wake.cancel();
      dial->connect_timer.cancel();
    });
  }

  void DisconnectPeer(const crypto::PublicKey& peer) {
    std::lock_guard lock(mu_);
    auto it = peers_.find(peer);
    if (it != peers_.end()) {
      it->second->RequestClose(Status::Unavailable(err::DISCONNECTED_BY_NODE, "this node closed the connection"));
    }
  }

  void ReevaluateAdmission() {
    std::lock_guard lock(mu_);
    for (auto& [key, connection] : peers_) {
      if (admission_->Admitted(key)) continue;
      metrics_.rejected_unadmitted.Increment();
      logger_->warn("p2p: disconnecting {}: its node key is no longer admitted", ShortKey(key));
      connection->RequestClose(Status::PermissionDenied(err::PEER_NOT_ADMITTED, "node key " + ShortKey(key) +
                                                                                 " is no longer admitted"));
    }
  }

  bool IsConnected(const crypto::PublicKey& peer) const {
    std::lock_guard lock(mu_);
    return peers_.count(peer) != 0;
  }

  std::vector<PeerInfo> Peers() const {
    std::lock_guard lock(mu_);
    std::vector<PeerInfo> out;
    out.reserve(peers_.size());
    for (const auto& [key, connection] : peers_) out.push_back(connection->Info());
    return out;
  }

  P2PMetrics Metrics() const { return metrics_.Snapshot(); }
  uint16_t listen_port() const { return listen_port_.load(); }
  const crypto::PublicKey& node_key() const { return node_key_.public_key(); }

  // ---- ConnectionHost ----

  const ConnectionContext& context() const override { return ctx_; }
  CoroutineCounter::Token HoldCoroutine() override { return coroutines_.Hold(); }

  RegisterOutcome Register(const std::shared_ptr<Connection>& connection) override {
    std::unique_lock lock(mu_);
    if (stopping_.load()) return RegisterOutcome::kStopping;
    const crypto::PublicKey& key = connection->peer_key();
    std::shared_ptr<Connection> replaced;
    auto it = peers_.find(key);
    if (it != peers_.end()) {
      if (!NewerWins(*it->second, *connection)) {
        metrics_.duplicate_connections.Increment();
        return RegisterOutcome::kDuplicate;
      }
      replaced = std::move(it->second);
      replaced->Supersede();
      it->second = connection;
      metrics_.duplicate_connections.Increment();
    } else {
      if (peers_.size() >= options_.max_peers) {
        metrics_.rejected_over_limit.Increment();
        return RegisterOutcome::kTooManyPeers;
      }
      peers_.emplace(key, connection);
      metrics_.peers_connected.Increment();
    }
    const PeerInfo info = connection->Info();
    // Lifecycle callbacks fire in the order the peer table changed.
    std::unique_lock events(events_mu_);
    lock.unlock();
    if (replaced) {
      Status why = Status::AlreadyExists(err::DUPLICATE_CONNECTION, "replaced by a newer connection to the same peer");
      replaced->RequestClose(why);
      FireDisconnected(key, why);
    }
    FireConnected(info);
    return RegisterOutcome::kRegistered;
  }

  void Finished(const std::shared_ptr<Connection>& connection, const Status& reason) override {
    std::unique_lock lock(mu_);
    live_.erase(connection.get());
    if (!connection->authenticated()) return;
    const crypto::PublicKey& key = connection->peer_key();
    bool was_live = false;
    auto it = peers_.find(key);
    if (it != peers_.end() && it->second == connection) {
      peers_.erase(it);
      metrics_.peers_connected.Decrement();
      was_live = true;
    }
    auto dial = dials_.find(key);
    if (dial != dials_.end()) {
      asio::post(dial->second->strand, [d = dial->second] { d->wake.cancel(); });
    }
    if (!was_live) return;
    std::unique_lock events(events_mu_);
    lock.unlock();
    FireDisconnected(key, reason);
  }

 private:
  Status ValidateOptions() const {
    if (options_.chain_id.empty()) return BadConfig("chain_id is required");
    if (node_key_.public_key().algo != crypto::Algo::kEd25519) return BadConfig("the node key must be ed25519");
    if (!admission_) return BadConfig("an admission policy is required");
    if (options_.max_frame_bytes < kMinFrameBytes) {
      return BadConfig("max_frame_bytes must be at least " + std::to_string(kMinFrameBytes));
    }
    if (options_.handshake_timeout.count() <= 0 || options_.dial_timeout.count() <= 0 ||
        options_.ping_interval.count() <= 0) {
      return BadConfig("handshake_timeout, dial_timeout and ping_interval must be positive");
    }
    if (options_.idle_timeout.count() < 0 ||
        (options_.idle_timeout.count() > 0 && options_.idle_timeout <= options_.ping_interval)) {
      return BadConfig("idle_timeout must be zero (off) or longer than ping_interval");
    }
    if (options_.io_threads < 1 || options_.io_threads > 64) return BadConfig("io_threads must be in 1..64");
    if (options_.max_peers == 0) return BadConfig("max_peers must be positive");
    return Status::Ok();
  }

  Status OpenListener() {
    boost::system::error_code ec;
    tcp::endpoint endpoint;
    const asio::ip::address address = asio::ip::make_address(options_.listen_host, ec);
    if (!ec) {
      endpoint = tcp::endpoint(address, options_.listen_port);
    } else {
      tcp::resolver resolver(ioc_);
      auto results = resolver.resolve(options_.listen_host, std::to_string(options_.listen_port),
                                      tcp::resolver::passive, ec);
      if (ec || results.empty()) {
        return BadConfig("listen_host \"" + options_.listen_host + "\" does not resolve" +
                         (ec ? ": " + ec.message() : std::string()));
      }
      endpoint = results.begin()->endpoint();
    }
    auto acceptor = std::make_unique<tcp::acceptor>(acceptor_strand_);
    const std::string where = options_.listen_host + ":" + std::to_string(options_.listen_port);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::Unavailable(err::LISTEN_FAILED, "cannot listen on " + where + ": " + ec.message());
    }
    listen_port_.store(acceptor->local_endpoint(ec).port());
    acceptor_ = std::move(acceptor);
    return Status::Ok();
  }

  void RunIoThread() {
    for (;;) {
      try {
        ioc_.run();
        return;
      } catch (const std::exception& e) {
        logger_->error("p2p: io thread caught an exception: {}", e.what());
      } catch (...) {
        logger_->error("p2p: io thread caught an unknown exception");
      }
    }
  }

  template <typename Executor, typename Awaitable>
  void Spawn(const Executor& executor, Awaitable&& task) {
    spdlog::logger* log = logger_.get();
    asio::co_spawn(executor, std::forward<Awaitable>(task), [log](std::exception_ptr e, auto&&...) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        log->error("p2p: network task failed: {}", ex.what());
      } catch (...) {
        log->error("p2p: network task failed with an unknown exception");
      }
    });
  }

  Status CheckCanSend(uint32_t channel) const {
    if (!running_.load()) return Status::Unavailable(err::P2P_NOT_RUNNING, "the p2p layer is not running");
    if (channel >= kMaxChannels || !ctx_.channels[channel].registered) {
      return Status::InvalidArgument(err::BAD_CHANNEL, "channel " + ChannelName(channel) + " is not registered");
    }
    return Status::Ok();
  }

  Result<std::shared_ptr<const std::string>> MakeEnvelope(uint32_t channel, std::string payload) const {
    wire::Envelope envelope;
    envelope.set_channel(channel);
    envelope.set_payload(std::move(payload));
    auto bytes = std::make_shared<std::string>();
    envelope.SerializeToString(bytes.get());
    if (bytes->size() + kFrameTagBytes > options_.max_frame_bytes) {
      return Status::InvalidArgument(err::FRAME_TOO_LARGE, "message of " + std::to_string(bytes->size()) +
                                                            " bytes exceeds the frame limit of " +
                                                            std::to_string(options_.max_frame_bytes));
    }
    return std::shared_ptr<const std::string>(std::move(bytes));
  }

  // Two connections to one peer: both sides must keep the same one. Opposite
  // directions: the one dialed by the smaller node key. Same direction (the
  // dialer reconnected while the old connection lingered): the newer one. An old
  // connection already closing always gives way.
  bool NewerWins(const Connection& older, const Connection& newer) const {
    if (older.closing() || older.role() == newer.role()) return true;
    const crypto::PublicKey& self = node_key_.public_key();
    const crypto::PublicKey& newer_dialer = newer.role() == Role::kDialer ? self : newer.peer_key();
    const crypto::PublicKey& older_dialer = older.role() == Role::kDialer ? self : older.peer_key();
    return newer_dialer < older_dialer;
  }

  void FireConnected(const PeerInfo& info) {
    if (!on_connected_ || stopping_.load()) return;
    try {
      on_connected_(info);
    } catch (const std::exception& e) {
      logger_->error("p2p: peer-connected callback threw: {}", e.what());
    } catch (...) {
      logger_->error("p2p: peer-connected callback threw");
    }
  }

  void FireDisconnected(const crypto::PublicKey& key, const Status& reason) {
    if (!on_disconnected_ || stopping_.load()) return;
    try {
      on_disconnected_(key, reason);
    } catch (const std::exception& e) {
      logger_->error("p2p: peer-disconnected callback threw: {}", e.what());
    } catch (...) {
      logger_->error("p2p: peer-disconnected callback threw");
    }
  }

  // Called with lifecycle_mu_ held, before Start.
  Status AddPeerLocked(std::string_view text) {
    std::lock_guard lock(mu_);
    Result<std::shared_ptr<DialState>> added = AddPeerUnderLock(text);
    return added.ok() ? Status::Ok() : added.status();
  }

  // Requires mu_. Returns the new dial state, or null if nothing new is dialed.
  Result<std::shared_ptr<DialState>> AddPeerUnderLock(std::string_view text) {
    CIVIC_ASSIGN_OR_RETURN(PeerAddress address, PeerAddress::Parse(text));
    if (address.node_key == node_key_.public_key()) {
      logger_->debug("p2p: not dialing {}: it is this node", address.ToString());
      return std::shared_ptr<DialState>();
    }
    if (dials_.count(address.node_key) != 0) return std::shared_ptr<DialState>();
    auto dial = std::make_shared<DialState>(ioc_, address, options_.backoff, seed_rng_());
    dials_.emplace(address.node_key, dial);
    return dial;
  }

  void StartDialing(const std::shared_ptr<DialState>& dial) {
    if (!dial) return;
    Spawn(dial->strand, DialLoop(dial, coroutines_.Hold()));
  }

  // Registers a new connection so Stop() can close it; false once stopping.
  bool Track(const std::shared_ptr<Connection>& connection) {
    std::lock_guard lock(mu_);
    if (stopping_.load()) return false;
    live_[connection.get()] = connection;
    return true;
  }

  bool KeepDialing(const DialState& dial) const { return !stopping_.load() && !dial.removed.load(); }

  asio::awaitable<void> AcceptLoop(CoroutineCounter::Token token) {
    for (;;) {
      tcp::socket socket(asio::make_strand(ioc_));
      auto [ec] = co_await acceptor_->async_accept(socket, kAwait);
      if (stopping_.load() || ec == asio::error::operation_aborted) co_return;
      if (ec) {
        logger_->warn("p2p: accept failed: {}", ec.message());
        asio::steady_timer pause(acceptor_strand_, std::chrono::milliseconds(100));
        co_await pause.async_wait(kAwait);  // e.g. out of file descriptors: do not spin
        continue;
      }
      metrics_.connections_accepted.Increment();
      if (metrics_.handshakes_in_progress.Value() >= options_.max_pending_handshakes) {
        metrics_.rejected_over_limit.Increment();
        logger_->debug("p2p: refusing a connection: {} handshakes already pending", options_.max_pending_handshakes);
        continue;  // the socket closes as it goes out of scope
      }
      auto connection = std::make_shared<Connection>(*this, std::move(socket), Role::kAcceptor, std::nullopt);
      if (!Track(connection)) co_return;
      Spawn(connection->executor(), connection->Run(coroutines_.Hold()));
    }
  }

  asio::awaitable<void> DialLoop(std::shared_ptr<DialState> dial, CoroutineCounter::Token token) {
    const PeerAddress& address = dial->address;
    while (KeepDialing(*dial)) {
      if (IsConnected(address.node_key)) {
        // Served by an inbound connection: wait until it ends (Finished wakes us).
        dial->wake.expires_after(kConnectedRecheck);
        co_await dial->wake.async_wait(kAwait);
        continue;
      }
      metrics_.dials.Increment();
      tcp::socket socket(dial->strand);
      Status connected = co_await ConnectTo(*dial, socket);
      if (!KeepDialing(*dial)) co_return;
      if (!connected.ok()) {
        metrics_.dial_failures.Increment();
        const std::chrono::milliseconds delay = dial->backoff.Next();
        const auto level = dial->backoff.failures() == 1 ? spdlog::level::info : spdlog::level::debug;
        logger_->log(level, "p2p: cannot reach {}: {}; retrying in {} ms", address.ToString(), connected.ToString(),
                     delay.count());
        co_await Sleep(*dial, delay);
        continue;
      }
      auto connection = std::make_shared<Connection>(*this, std::move(socket), Role::kDialer, address.node_key);
      if (!Track(connection)) co_return;
      const Connection::Outcome outcome = co_await connection->Run(coroutines_.Hold());
      connection.reset();
      if (outcome == Connection::Outcome::kDuplicate) continue;  // another connection serves the peer
      if (outcome == Connection::Outcome::kEstablished) dial->backoff.Reset();
      co_await Sleep(*dial, dial->backoff.Next());
    }
  }

  // Waits `delay`, ignoring wake-ups, unless the dial is stopped or removed.
  asio::awaitable<void> Sleep(DialState& dial, std::chrono::milliseconds delay) {
    const auto deadline = Clock::now() + delay;
    while (KeepDialing(dial) && Clock::now() < deadline) {
      dial.wake.expires_at(deadline);
      co_await dial.wake.async_wait(kAwait);
    }
  }

  asio::awaitable<Status> ConnectTo(DialState& dial, tcp::socket& socket) {
    using namespace asio::experimental::awaitable_operators;
    const PeerAddress& address = dial.address;
    std::vector<tcp::endpoint> endpoints;
    boost::system::error_code ec;
    const asio::ip::address ip = asio::ip::make_address(address.host, ec);
    if (!ec) {
      endpoints.emplace_back(ip, address.port);
    } else {
      tcp::resolver resolver(dial.strand);
      auto [resolve_ec, results] = co_await resolver.async_resolve(address.host, std::to_string(address.port), kAwait);
      if (resolve_ec) {
        co_return Status::Unavailable(err::PEER_UNREACHABLE,
                                      "cannot resolve \"" + address.host + "\": " + resolve_ec.message());
      }
      for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    }
    Status last = Status::Unavailable(err::PEER_UNREACHABLE, "no address for \"" + address.host + "\"");
    for (const tcp::endpoint& endpoint : endpoints) {
      if (!KeepDialing(dial)) co_return Status::Unavailable(err::P2P_STOPPING, "dialing stopped");
      boost::system::error_code ignored;
      socket.close(ignored);
      dial.connect_timer.expires_after(options_.dial_timeout);
      auto result = co_await (socket.async_connect(endpoint, kAwait) || dial.connect_timer.async_wait(kAwait));
      if (result.index() == 1) {
        last = Status::DeadlineExceeded(err::DIAL_TIMEOUT, "connecting took longer than " +
                                                            std::to_string(options_.dial_timeout.count()) + " ms");
        continue;
      }
      const auto [connect_ec] = std::get<0>(result);
      if (!connect_ec) co_return Status::Ok();
      last = Status::Unavailable(err::PEER_UNREACHABLE, connect_ec.message());
    }
    co_return last;
  }

  // Declaration order matters: everything a running or abandoned coroutine may
  // touch is declared before ioc_, so it outlives the io_context.
  PeerManagerOptions options_;
  crypto::KeyPair node_key_;
  std::shared_ptr<const AdmissionPolicy> admission_;
  std::shared_ptr<spdlog::logger> logger_;
  LiveMetrics metrics_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> running_{false};
  ConnectionContext ctx_;
  PeerConnectedHandler on_connected_;
  PeerDisconnectedHandler on_disconnected_;
  CoroutineCounter coroutines_;
  std::atomic<uint16_t> listen_port_{0};

  std::mutex lifecycle_mu_;  // Start/Stop/configuration
  bool started_ = false;
  bool stopped_ = false;

  mutable std::mutex mu_;  // the tables below; taken before events_mu_
  std::map<crypto::PublicKey, std::shared_ptr<Connection>> peers_;
  std::map<Connection*, std::weak_ptr<Connection>> live_;
  std::map<crypto::PublicKey, std::shared_ptr<DialState>> dials_;
  std::mt19937_64 seed_rng_;
  std::mutex events_mu_;  // serializes lifecycle callbacks

  asio::io_context ioc_;
  Strand acceptor_strand_;
  std::unique_ptr<tcp::acceptor> acceptor_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
};

// ---- PeerManager ----------------------------------------------------------------

PeerManager::PeerManager(PeerManagerOptions options, crypto::KeyPair node_key,
                         std::shared_ptr<const AdmissionPolicy> admission, prometheus::Registry& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(node_key), std::move(admission), metrics)) {}

PeerManager::~PeerManager() = default;

Status PeerManager::RegisterChannel(Channel channel, ChannelPolicy policy, MessageHandler handler) {
  return impl_->RegisterChannel(channel, policy, std::move(handler));
}
void PeerManager::OnPeerConnected(PeerConnectedHandler handler) { impl_->OnPeerConnected(std::move(handler)); }
void PeerManager::OnPeerDisconnected(PeerDisconnectedHandler handler) {
  impl_->OnPeerDisconnected(std::move(handler));
}
Status PeerManager::Start() { return impl_->Start(); }
void PeerManager::Stop() { impl_->Stop(); }
Status PeerManager::Send(const crypto::PublicKey& peer, Channel channel, std::string payload) {
  return impl_->Send(peer, channel, std::move(payload));
}
size_t PeerManager::Broadcast(Channel channel, std::string payload) {
  return impl_->Broadcast(channel, std::move(payload));
}
Status PeerManager::AddPersistentPeer(std::string_view address) { return impl_->AddPersistentPeer(address); }
void PeerManager::RemovePersistentPeer(const crypto::PublicKey& node_key) { impl_->RemovePersistentPeer(node_key); }
void PeerManager::DisconnectPeer(const crypto::PublicKey& peer) { impl_->DisconnectPeer(peer); }
void PeerManager::ReevaluateAdmission() { impl_->ReevaluateAdmission(); }
bool PeerManager::IsConnected(const crypto::PublicKey& peer) const { return impl_->IsConnected(peer); }
std::vector<PeerInfo> PeerManager::Peers() const { return impl_->Peers(); }
P2PMetrics PeerManager::Metrics() const { return impl_->Metrics(); }
uint16_t PeerManager::listen_port() const { return impl_->listen_port(); }
const crypto::PublicKey& PeerManager::node_key() const { return impl_->node_key(); }

}  // namespace civic::node::p2p
