// Counters of the p2p layer: a plain snapshot struct for callers and an atomic
// registry the layer updates from its io threads, plus the Prometheus text form.
//
// Every connection the layer closes for a protocol reason increments exactly one
// reason counter (handshake_timeouts, handshake_bad_hello, rejected_unadmitted,
// bad_mac, oversized_frames, ...), so an operator can see why peers drop.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace civic::node::p2p {

// X(field, prometheus type, help). One list drives the struct, the registry and
// the text format.
#define CIVIC_P2P_METRICS(X)                                                                              \
  X(peers_connected, "gauge", "Peers with an authenticated connection")                                 \
  X(handshakes_in_progress, "gauge", "Connections still in the handshake")                              \
  X(connections_accepted, "counter", "Inbound TCP connections accepted")                                \
  X(dials, "counter", "Outbound TCP connection attempts")                                               \
  X(dial_failures, "counter", "Outbound TCP connection attempts that failed or timed out")              \
  X(handshakes_completed, "counter", "Handshakes that authenticated the peer")                          \
  X(handshake_failures, "counter", "Handshakes that did not complete, for any reason")                  \
  X(handshake_timeouts, "counter", "Handshakes closed for taking too long")                             \
  X(handshake_bad_hello, "counter", "Handshakes with garbage, a wrong version or a wrong chain id")      \
  X(handshake_bad_auth, "counter", "Handshakes with a bad MAC, message or signature")                   \
  X(rejected_unadmitted, "counter", "Peers whose node key is not admitted")                             \
  X(rejected_unexpected_key, "counter", "Dialed peers whose node key differs from the configured one")  \
  X(rejected_self, "counter", "Connections to this node itself")                                        \
  X(rejected_over_limit, "counter", "Connections refused for too many peers or pending handshakes")     \
  X(duplicate_connections, "counter", "Second connections to an already connected peer, closed")        \
  X(frames_in, "counter", "Authenticated frames received")                                              \
  X(frames_out, "counter", "Frames sent")                                                               \
  X(bytes_in, "counter", "Bytes received on authenticated connections, framing included")              \
  X(bytes_out, "counter", "Bytes sent on authenticated connections, framing included")                  \
  X(bad_mac, "counter", "Frames that failed authentication (tampered, replayed, reordered)")            \
  X(oversized_frames, "counter", "Frames over the size limit")                                          \
  X(malformed_frames, "counter", "Frames too short for a tag or whose envelope does not decode")        \
  X(unknown_channel_messages, "counter", "Messages on a channel with no handler, ignored")               \
  X(queue_drops, "counter", "Messages refused because a peer's send queue was full")                    \
  X(queue_full_disconnects, "counter", "Peers disconnected because their send queue was full")          \
  X(idle_timeouts, "counter", "Connections closed after receiving nothing for the idle timeout")        \
  X(io_errors, "counter", "Connections closed by a socket error or by the peer")

struct P2PMetrics {
#define CIVIC_P2P_FIELD(name, type, help) uint64_t name = 0;
  CIVIC_P2P_METRICS(CIVIC_P2P_FIELD)
#undef CIVIC_P2P_FIELD
};

// Prometheus text exposition format: "# HELP", "# TYPE" and one sample per
// metric, named <prefix>_<field> (counters get "_total").
std::string PrometheusText(const P2PMetrics& metrics, std::string_view prefix = "civic_p2p");

// The live counters. Thread-safe; relaxed atomics (counters need no ordering).
class MetricsRegistry {
 public:
#define CIVIC_P2P_FIELD(name, type, help) std::atomic<uint64_t> name{0};
  CIVIC_P2P_METRICS(CIVIC_P2P_FIELD)
#undef CIVIC_P2P_FIELD

  P2PMetrics Snapshot() const;

  static void Add(std::atomic<uint64_t>& counter, uint64_t n = 1) {
    counter.fetch_add(n, std::memory_order_relaxed);
  }
  static void Sub(std::atomic<uint64_t>& gauge, uint64_t n = 1) { gauge.fetch_sub(n, std::memory_order_relaxed); }
};

}  // namespace civic::node::p2p
