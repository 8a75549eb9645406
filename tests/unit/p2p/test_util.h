// Helpers for the p2p tests: keys, fast options, a manager wrapper that records
// what it sees, a blocking raw-socket peer that speaks the handshake, and a TCP
// proxy that can tamper with bytes in flight.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "crypto/signature.h"
#include "node/p2p/handshake.h"
#include "node/p2p/p2p.pb.h"
#include "node/p2p/peer_manager.h"
#include "node/p2p/session_cipher.h"

namespace civic::node::p2p::testing {

using namespace std::chrono_literals;

inline constexpr char kChain[] = "civic-test-chain";

inline crypto::KeyPair NewKey() { return crypto::KeyPair::Generate(crypto::Algo::kEd25519); }

// Polls `done` until it holds or `timeout` passes.
template <typename F>
bool WaitUntil(F done, std::chrono::milliseconds timeout = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

inline PeerManagerOptions FastOptions() {
  PeerManagerOptions options;
  options.chain_id = kChain;
  options.listen_host = "127.0.0.1";
  options.listen_port = 0;
  options.handshake_timeout = 2000ms;
  options.dial_timeout = 1000ms;
  options.ping_interval = 200ms;
  options.idle_timeout = 3000ms;
  options.backoff.initial_delay = 20ms;
  options.backoff.max_delay = 300ms;
  options.rng_seed = 7;
  return options;
}

inline std::string AddressOf(const crypto::PublicKey& key, uint16_t port) {
  return "ed25519:" + ToHex(key.key) + "@127.0.0.1:" + std::to_string(port);
}

struct Received {
  crypto::PublicKey peer;
  Channel channel;
  std::string payload;
};

// A PeerManager plus a record of its callbacks. Channels consensus, mempool,
// blocksync and evidence are registered with `policy`.
class TestNode {
 public:
  TestNode(crypto::KeyPair key, PeerManagerOptions options, std::shared_ptr<const AdmissionPolicy> admission,
           ChannelPolicy policy = {})
      : key_(key),
        manager_(std::make_unique<PeerManager>(std::move(options), key, std::move(admission), metrics_)) {
    for (Channel channel : {Channel::kConsensus, Channel::kMempool, Channel::kBlockSync, Channel::kEvidence}) {
      EXPECT_TRUE(manager_
                      ->RegisterChannel(channel, policy,
                                        [this, channel](const crypto::PublicKey& peer, std::string payload) {
                                          if (on_message) on_message(peer, channel, payload);
                                          std::lock_guard lock(mu_);
                                          received_.push_back({peer, channel, std::move(payload)});
                                        })
                      .ok());
    }
    manager_->OnPeerConnected([this](const PeerInfo& info) {
      std::lock_guard lock(mu_);
      connected_events_.push_back(info.node_key);
    });
    manager_->OnPeerDisconnected([this](const crypto::PublicKey& key, const Status& reason) {
      std::lock_guard lock(mu_);
      disconnected_events_.push_back({key, reason.app_code()});
    });
  }

  ~TestNode() { manager_->Stop(); }  // before the records below go away

  Status Start() { return manager_->Start(); }
  PeerManager& manager() { return *manager_; }
  // The PeerManager's metrics in the Prometheus text format.
  std::string MetricsText() const { return prometheus::TextSerializer().Serialize(metrics_.Collect()); }
  const crypto::PublicKey& key() const { return key_.public_key(); }
  std::string address() const { return AddressOf(key(), manager_->listen_port()); }
  uint16_t port() const { return manager_->listen_port(); }

  bool WaitConnected(const crypto::PublicKey& peer, std::chrono::milliseconds timeout = 5000ms) {
    return WaitUntil([&] { return manager_->IsConnected(peer); }, timeout);
  }
  bool WaitDisconnected(const crypto::PublicKey& peer, std::chrono::milliseconds timeout = 5000ms) {
    return WaitUntil([&] { return !manager_->IsConnected(peer); }, timeout);
  }
  size_t ReceivedCount() {
    std::lock_guard lock(mu_);
    return received_.size();
  }
  bool WaitReceived(size_t count, std::chrono::milliseconds timeout = 5000ms) {
    return WaitUntil([&] { return ReceivedCount() >= count; }, timeout);
  }
  std::vector<Received> received() {
    std::lock_guard lock(mu_);
    return received_;
  }
  size_t DisconnectEvents(const std::string& app_code = "") {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const auto& [key, code] : disconnected_events_) n += app_code.empty() || code == app_code;
    return n;
  }
  size_t ConnectEvents() {
    std::lock_guard lock(mu_);
    return connected_events_.size();
  }

  // Runs before the message is recorded, on the io thread.
  std::function<void(const crypto::PublicKey&, Channel, const std::string&)> on_message;

 private:
  crypto::KeyPair key_;
  prometheus::Registry metrics_;  // before manager_, which holds its series
  std::unique_ptr<PeerManager> manager_;
  std::mutex mu_;
  std::vector<Received> received_;
  std::vector<crypto::PublicKey> connected_events_;
  std::vector<std::pair<crypto::PublicKey, std::string>> disconnected_events_;
};

inline std::shared_ptr<const AdmissionPolicy> AdmitAll() {
  return AdmitIf([](const crypto::PublicKey&) { return true; });
}

inline int ConnectLoopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A peer on a plain blocking socket: it can speak the real handshake and frames,
// or send whatever bytes a test wants. Every read is bounded by a timeout.
class RawPeer {
 public:
  explicit RawPeer(uint16_t port) : fd_(ConnectLoopback(port)) {}
  ~RawPeer() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return fd_ >= 0; }

  bool Write(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // False on timeout, EOF or error.
  bool ReadExactly(std::string* out, size_t size, std::chrono::milliseconds timeout = 3000ms) {
    out->assign(size, '\0');
    size_t got = 0;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (got < size) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      ssize_t n = ::recv(fd_, out->data() + got, size - got, 0);
      if (n <= 0) return false;
      got += static_cast<size_t>(n);
    }
    return true;
  }

  // True if the other side closes within `timeout` (data received meanwhile is discarded).
  bool WaitClosed(std::chrono::milliseconds timeout = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[4096];
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return true;
    }
  }

  // Runs the dialer side of the handshake; returns the first failure.
  Status Handshake(const crypto::KeyPair& key, const std::string& chain = kChain) {
    p2p::Handshake handshake(Role::kDialer, key, chain);
    if (!Write(handshake.hello())) return Status::IOError("write hello");
    std::string hello;
    if (!ReadExactly(&hello, kHelloBytes)) return Status::IOError("read hello");
    CIVIC_RETURN_IF_ERROR(handshake.ReadPeerHello(hello));
    if (!Write(handshake.IdentityFrame())) return Status::IOError("write identity");
    std::string header, body;
    CIVIC_RETURN_IF_ERROR(ReadFrame(&header, &body));
    Result<crypto::PublicKey> peer = handshake.ReadPeerIdentity(header, body);
    if (!peer.ok()) return peer.status();
    if (!Write(handshake.AuthFrame())) return Status::IOError("write auth");
    CIVIC_RETURN_IF_ERROR(ReadFrame(&header, &body));
    CIVIC_RETURN_IF_ERROR(handshake.ReadPeerAuth(header, body));
    session_.emplace(handshake.TakeSession());
    return Status::Ok();
  }

  // A whole encrypted frame holding an Envelope.
  std::string SealEnvelope(uint32_t channel, const std::string& payload) {
    wire::Envelope envelope;
    envelope.set_channel(channel);
    envelope.set_payload(payload);
    return SealRaw(envelope.SerializeAsString());
  }
  std::string SealRaw(const std::string& plaintext) {
    std::string frame;
    EXPECT_TRUE(session_->SealFrame(plaintext, &frame).ok());
    return frame;
  }

  Status ReadFrame(std::string* header, std::string* body) {
    if (!ReadExactly(header, kFrameHeaderBytes)) return Status::IOError("read frame header");
    const auto* p = reinterpret_cast<const unsigned char*>(header->data());
    const uint32_t length = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
    if (length > (1u << 20)) return Status::InvalidArgument("BIG", "frame too big for a test");
    if (!ReadExactly(body, length)) return Status::IOError("read frame body");
    return Status::Ok();
  }

  int fd() const { return fd_; }

 private:
  int fd_;
  std::optional<SessionCipher> session_;
};

// A TCP proxy on loopback that forwards to `target_port`. When tamper_next is
// set, it flips the last byte of the next chunk it forwards from client to server.
class TamperProxy {
 public:
  explicit TamperProxy(uint16_t target_port) : target_port_(target_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~TamperProxy() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
    for (auto& [a, b] : pairs_) {
      ::close(a);
      ::close(b);
    }
  }
  uint16_t port() const { return port_; }
  std::atomic<bool> tamper_next{false};
  std::atomic<int> tampered{0};

 private:
  void Loop() {
    char buffer[65536];
    while (!stop_) {
      std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
      for (auto& [client, server] : pairs_) {
        fds.push_back({client, POLLIN, 0});
        fds.push_back({server, POLLIN, 0});
      }
      if (::poll(fds.data(), fds.size(), 20) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        int client = ::accept(listen_fd_, nullptr, nullptr);
        int server = ConnectLoopback(target_port_);
        if (client >= 0 && server >= 0) {
          pairs_.emplace_back(client, server);
        } else {
          if (client >= 0) ::close(client);
          if (server >= 0) ::close(server);
        }
        continue;  // the fd list changed
      }
      for (size_t i = 0; i < pairs_.size(); ++i) {
        auto [client, server] = pairs_[i];
        bool closed = false;
        for (int dir = 0; dir < 2 && !closed; ++dir) {
          const pollfd& p = fds[1 + 2 * i + dir];
          if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
          const int from = dir == 0 ? client : server;
          const int to = dir == 0 ? server : client;
          ssize_t n = ::recv(from, buffer, sizeof buffer, 0);
          if (n <= 0) {
            closed = true;
            break;
          }
          if (dir == 0 && tamper_next.exchange(false)) {
            buffer[n - 1] ^= 0x01;
            ++tampered;
          }
          if (::send(to, buffer, static_cast<size_t>(n), MSG_NOSIGNAL) != n) closed = true;
        }
        if (closed) {
          ::close(client);
          ::close(server);
          pairs_.erase(pairs_.begin() + static_cast<std::ptrdiff_t>(i));
          break;  // the fd list changed
        }
      }
    }
  }

  uint16_t target_port_;
  uint16_t port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::vector<std::pair<int, int>> pairs_;
  std::thread thread_;
};

}  // namespace civic::node::p2p::testing
