// FaultProxy: a TCP proxy on 127.0.0.1 in front of one node's p2p port, for
// the connections one other node dials through it, that injects network
// faults into the byte stream.
//
// The p2p links carry an encrypted, authenticated frame stream, so faults act
// on bytes, never on single frames (a dropped, doubled or reordered frame would
// only break the AEAD stream, which the node sees as a broken link):
//   delay + jitter   every chunk read is released after delay + uniform(0,
//                    jitter) ms, never before the chunk read ahead of it (order
//                    kept, as TCP keeps it)
//   stall            with a probability per chunk, an extra pause: what a lost
//                    segment costs TCP on a real network (its retransmit)
//   bytes_per_second a bandwidth limit; small values drip the stream slowly
//   held             one-way blackhole: bytes of this direction are not read
//                    (the sender's socket buffers fill, then it blocks), the
//                    other direction flows; released bytes resume in order
//   refusing         both ways cut: open connections reset, new ones closed at
//                    accept (a partition, as the nodes see it)
//   ResetConnections every open connection reset now (loss that TCP gives up on)
// It also keeps the first kCaptureBytes the dialer sent on the first connection
// through it, for a test to replay on a connection of its own.
// Faults are per direction: kDialerToListener is what the dialing node sends.
//
// Bounds: at most kMaxQueuedBytes wait in one direction of one connection; past
// that the proxy stops reading from the sender (back-pressure, like a full
// TCP window). Randomness comes from the seed given at construction.
//
// Thread safety: every public method may be called from any thread. The proxy
// runs on the io_context given to it (one thread runs it; see FaultMesh).
#pragma once

#include <boost/asio.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>

namespace civic::faults {

enum class Direction { kDialerToListener = 0, kListenerToDialer = 1 };

struct LinkFaults {
  uint32_t delay_ms = 0;
  uint32_t jitter_ms = 0;
  uint32_t stall_per_mille = 0;  // chance per chunk of a stall
  uint32_t stall_ms = 0;
  uint64_t bytes_per_second = 0;  // 0: no limit
  bool held = false;
};

struct ProxyStats {
  uint64_t accepted = 0;   // connections forwarded
  uint64_t refused = 0;    // connections closed at accept while refusing
  uint64_t resets = 0;     // connections cut by refusing or ResetConnections
  uint64_t bytes[2] = {};  // forwarded, per Direction
};

class FaultProxy {
 public:
  static constexpr size_t kMaxQueuedBytes = 1 << 20;
  static constexpr size_t kCaptureBytes = 1 << 16;

  // Listens on 127.0.0.1 (a free port); forwards to 127.0.0.1:target_port.
  FaultProxy(boost::asio::io_context& io, uint16_t target_port, uint64_t seed);
  // Requires: Stop() ran on the io_context, or the io_context no longer runs.
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  uint16_t port() const { return port_; }
  uint16_t target_port() const { return target_port_; }

  void Set(Direction direction, const LinkFaults& faults);
  LinkFaults Get(Direction direction) const;
  void SetRefusing(bool refusing);
  void ResetConnections();
  // No faults, not refusing.
  void Heal();
  ProxyStats stats() const;
  // What the dialer sent first on the first connection (up to kCaptureBytes).
  std::string captured() const;

  // Closes the listener and every connection (posted to the io_context).
  void Stop();

 private:
  class Connection;
  friend class Connection;

  void Accept();
  boost::asio::awaitable<void> Connect(boost::asio::ip::tcp::socket dialer);
  void Remove(const std::shared_ptr<Connection>& connection);
  void CloseAll();  // io thread
  void CountBytes(Direction direction, size_t n);
  void Capture(const char* data, size_t n);
  // Release delay for a chunk in `direction`: delay + jitter + maybe a stall.
  std::chrono::milliseconds DrawDelay(Direction direction);

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  const uint16_t target_port_;
  uint16_t port_ = 0;

  mutable std::mutex mu_;
  LinkFaults faults_[2];
  bool refusing_ = false;
  ProxyStats stats_;
  bool capturing_started_ = false;
  std::string captured_;
  std::mt19937_64 rng_;
  std::set<std::shared_ptr<Connection>> connections_;  // io thread only
};

}  // namespace civic::faults
