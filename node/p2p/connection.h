// One TCP connection to a peer: handshake, then encrypted frames in both
// directions. Internal to the p2p layer (PeerManager owns connections).
//
// Every operation on the socket, the session and the timers runs on the socket's
// strand; Enqueue, RequestClose, Supersede and the accessors may be called from
// any thread. The connection reports to its ConnectionHost exactly once that the
// handshake succeeded (Register) and exactly once that it ended (Finished).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/logger.h>

#include "crypto/signature.h"
#include "crypto/base/status.h"
#include "node/p2p/admission.h"
#include "node/p2p/channel.h"
#include "node/p2p/handshake.h"
#include "node/p2p/metrics.h"
#include "node/p2p/peer.h"
#include "node/p2p/session_cipher.h"

namespace civic::node::p2p {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Counts running coroutines so that shutdown can wait until all have finished.
class CoroutineCounter {
 public:
  class Token {
   public:
    explicit Token(CoroutineCounter* owner) : owner_(owner) {}
    Token(Token&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
    Token& operator=(Token&&) = delete;
    Token(const Token&) = delete;
    ~Token() {
      if (owner_) owner_->Release();
    }

   private:
    CoroutineCounter* owner_;
  };

  Token Hold();
  // True if the count reached zero within `timeout`.
  bool WaitIdle(std::chrono::milliseconds timeout);

 private:
  void Release();
  std::mutex mu_;
  std::condition_variable idle_;
  size_t live_ = 0;
};

struct ChannelEntry {
  bool registered = false;
  ChannelPolicy policy;
  MessageHandler handler;
};

// Settings and shared state every connection reads; owned by the PeerManager and
// immutable while it runs (except the atomics).
struct ConnectionContext {
  std::string chain_id;
  const crypto::KeyPair* node_key = nullptr;
  const AdmissionPolicy* admission = nullptr;
  uint32_t max_frame_bytes = kDefaultMaxFrameBytes;
  std::chrono::milliseconds handshake_timeout{5000};
  std::chrono::milliseconds ping_interval{5000};
  std::chrono::milliseconds idle_timeout{20000};  // zero: never
  std::array<ChannelEntry, kMaxChannels> channels;
  LiveMetrics* metrics = nullptr;
  spdlog::logger* log = nullptr;
  std::atomic<bool>* stopping = nullptr;  // set once shutdown starts: no more callbacks
};

class Connection;

enum class RegisterOutcome { kRegistered, kDuplicate, kTooManyPeers, kStopping };

class ConnectionHost {
 public:
  virtual ~ConnectionHost() = default;
  virtual const ConnectionContext& context() const = 0;
  virtual CoroutineCounter::Token HoldCoroutine() = 0;
  // The handshake authenticated the peer: decides whether this becomes the
  // peer's live connection (and fires the connected callback if so).
  virtual RegisterOutcome Register(const std::shared_ptr<Connection>& connection) = 0;
  // The connection is closed, registered or not.
  virtual void Finished(const std::shared_ptr<Connection>& connection, const Status& reason) = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  enum class Outcome { kHandshakeFailed, kDuplicate, kRefused, kEstablished };

  // `socket` is connected; its executor must be a strand. A dialer passes the key
  // it expects the peer to hold.
  Connection(ConnectionHost& host, tcp::socket socket, Role role,
             std::optional<crypto::PublicKey> expected_key);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The whole life of the connection; must be started on executor(). Returns
  // how it went once the socket is closed.
  asio::awaitable<Outcome> Run(CoroutineCounter::Token token);

  // Thread-safe. Queues one serialized Envelope on `channel` under the channel's
  // policy. Errors: PEER_DISCONNECTED, SEND_QUEUE_FULL.
  Status Enqueue(uint32_t channel, std::shared_ptr<const std::string> envelope);
  // Thread-safe; idempotent. The first reason given is the one reported.
  void RequestClose(Status reason);
  // Thread-safe: a newer connection to the same peer replaced this one.
  void Supersede() { superseded_.store(true); }
  bool superseded() const { return superseded_.load(); }
  // Thread-safe: the connection is closed or closing.
  bool closing() const { return closed_.load(); }

  asio::any_io_executor executor() { return socket_.get_executor(); }
  Role role() const { return role_; }
  // Valid once the handshake succeeded (before Register is called); then immutable.
  const crypto::PublicKey& peer_key() const { return peer_key_; }
  bool authenticated() const { return authenticated_.load(); }
  const std::string& remote_address() const { return remote_address_; }
  // Thread-safe snapshot.
  PeerInfo Info() const;

 private:
  struct ChannelQueue {
    std::deque<std::shared_ptr<const std::string>> messages;
    size_t bytes = 0;
  };

  asio::awaitable<Status> DoHandshake();
  asio::awaitable<Status> ReadHandshakeFrame(std::string* header, std::string* body);
  asio::awaitable<Status> WriteAll(const std::string& bytes);
  asio::awaitable<Status> ReadExactly(std::string* out);
  asio::awaitable<Status> ReadLoop();
  asio::awaitable<void> WriteLoop(CoroutineCounter::Token token);
  asio::awaitable<void> KeepaliveLoop(CoroutineCounter::Token token);
  Status Dispatch(const Bytes& plaintext);
  Status SocketError(const boost::system::error_code& ec, const char* what);
  void TakeBatch(std::vector<std::shared_ptr<const std::string>>* batch);
  bool HasQueued() const;
  void Kick();
  void CloseNow(const Status& reason);
  void CountHandshakeFailure(const Status& status);
  std::string Describe() const;

  ConnectionHost& host_;
  const ConnectionContext& ctx_;
  tcp::socket socket_;
  const Role role_;
  const std::optional<crypto::PublicKey> expected_key_;
  std::string remote_address_;

  // Strand-only state.
  asio::steady_timer handshake_timer_;
  asio::steady_timer wake_timer_;
  asio::steady_timer keepalive_timer_;
  std::optional<SessionCipher> session_;
  bool handshake_timed_out_ = false;
  bool handshake_gauge_held_ = true;
  Status close_reason_;
  std::chrono::steady_clock::time_point last_read_;
  std::chrono::steady_clock::time_point last_write_;

  crypto::PublicKey peer_key_;
  std::atomic<bool> authenticated_{false};
  std::atomic<bool> closed_{false};
  std::atomic<bool> superseded_{false};
  std::atomic<bool> kick_pending_{false};
  std::atomic<bool> queue_disconnect_counted_{false};

  // Send queues, one per channel.
  mutable std::mutex queue_mu_;
  std::array<ChannelQueue, kMaxChannels> queues_;
  uint32_t nonempty_mask_ = 0;  // bit i: queues_[i] has messages
  size_t queued_messages_ = 0;
  size_t queued_bytes_ = 0;

  std::atomic<uint64_t> bytes_in_{0};
  std::atomic<uint64_t> bytes_out_{0};
  std::atomic<uint64_t> frames_in_{0};
  std::atomic<uint64_t> frames_out_{0};
  std::atomic<uint64_t> drops_{0};
};

}  // namespace civic::node::p2p
