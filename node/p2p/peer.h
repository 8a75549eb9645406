// Values the p2p layer reports about a connected peer, and the callback types
// through which upper layers hear about peers and their messages.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "crypto/signature.h"
#include "crypto/base/status.h"

namespace civic::node::p2p {

// Counters of one connection, framing included in the byte counts.
struct PeerStats {
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  uint64_t frames_in = 0;
  uint64_t frames_out = 0;
  uint64_t drops = 0;            // messages refused because a send queue was full
  uint64_t queued_messages = 0;  // waiting in the send queues now
  uint64_t queued_bytes = 0;
};

struct PeerInfo {
  crypto::PublicKey node_key;  // authenticated by the handshake
  std::string remote_address;  // "ip:port" of the TCP peer
  bool outbound = false;       // true if this node dialed
  PeerStats stats;
};

// A message from an authenticated peer on a registered channel. `payload` is
// owned by the callee. Runs on a p2p io thread, in the order the peer sent the
// messages, after the peer's connected callback: keep it short (hand heavy work
// to another thread), since the connection reads nothing more until it returns.
using MessageHandler = std::function<void(const crypto::PublicKey& peer, std::string payload)>;

// Lifecycle callbacks; totally ordered across all peers. They may call Send,
// Broadcast, DisconnectPeer and the read-only accessors, never Stop().
using PeerConnectedHandler = std::function<void(const PeerInfo& peer)>;
using PeerDisconnectedHandler = std::function<void(const crypto::PublicKey& peer, const Status& reason)>;

}  // namespace civic::node::p2p
