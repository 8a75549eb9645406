// Counters of the p2p layer: their series in the node's metrics registry
// (prometheus-cpp), which the layer updates from its io threads, and a plain
// snapshot struct for callers.
//
// Every connection the layer closes for a protocol reason increments exactly one
// reason counter (handshake_timeouts, handshake_bad_hello, rejected_unadmitted,
// bad_mac, oversized_frames, ...), so an operator can see why peers drop.
#pragma once

#include <cstdint>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace civic::node::p2p {

// X(field, Gauge or Counter, help). One list drives the struct, the series and
// their names: civic_p2p_<field>, counters with "_total".
#define CIVIC_P2P_METRICS(X)                                                                           \
  X(peers_connected, Gauge, "Peers with an authenticated connection")                                  \
  X(handshakes_in_progress, Gauge, "Connections still in the handshake")                               \
  X(connections_accepted, Counter, "Inbound TCP connections accepted")                                 \
  X(dials, Counter, "Outbound TCP connection attempts")                                                \
  X(dial_failures, Counter, "Outbound TCP connection attempts that failed or timed out")               \
  X(handshakes_completed, Counter, "Handshakes that authenticated the peer")                           \
  X(handshake_failures, Counter, "Handshakes that did not complete, for any reason")                   \
  X(handshake_timeouts, Counter, "Handshakes closed for taking too long")                              \
  X(handshake_bad_hello, Counter, "Handshakes with garbage, a wrong version or a wrong chain id")      \
  X(handshake_bad_auth, Counter, "Handshakes with a bad MAC, message or signature")                    \
  X(rejected_unadmitted, Counter, "Peers whose node key is not admitted")                              \
  X(rejected_unexpected_key, Counter, "Dialed peers whose node key differs from the configured one")   \
  X(rejected_self, Counter, "Connections to this node itself")                                         \
  X(rejected_over_limit, Counter, "Connections refused for too many peers or pending handshakes")      \
  X(duplicate_connections, Counter, "Second connections to an already connected peer, closed")         \
  X(frames_in, Counter, "Authenticated frames received")                                               \
  X(frames_out, Counter, "Frames sent")                                                                \
  X(bytes_in, Counter, "Bytes received on authenticated connections, framing included")                \
  X(bytes_out, Counter, "Bytes sent on authenticated connections, framing included")                   \
  X(bad_mac, Counter, "Frames that failed authentication (tampered, replayed, reordered)")             \
  X(oversized_frames, Counter, "Frames over the size limit")                                           \
  X(malformed_frames, Counter, "Frames too short for a tag or whose envelope does not decode")         \
  X(unknown_channel_messages, Counter, "Messages on a channel with no handler, ignored")               \
  X(queue_drops, Counter, "Messages refused because a peer's send queue was full")                     \
  X(queue_full_disconnects, Counter, "Peers disconnected because their send queue was full")           \
  X(idle_timeouts, Counter, "Connections closed after receiving nothing for the idle timeout")         \
  X(io_errors, Counter, "Connections closed by a socket error or by the peer")

struct P2PMetrics {
#define CIVIC_P2P_FIELD(name, type, help) uint64_t name = 0;
  CIVIC_P2P_METRICS(CIVIC_P2P_FIELD)
#undef CIVIC_P2P_FIELD
};

// The live series, registered in a registry. Thread-safe (prometheus-cpp series
// are atomics).
struct LiveMetrics {
#define CIVIC_P2P_FIELD(name, type, help) prometheus::type& name;
  CIVIC_P2P_METRICS(CIVIC_P2P_FIELD)
#undef CIVIC_P2P_FIELD

  P2PMetrics Snapshot() const;
};

// Registers the series in `registry`, which must outlive the result.
LiveMetrics RegisterMetrics(prometheus::Registry& registry);

}  // namespace civic::node::p2p
