// The node's peer-to-peer layer: listens, dials persistent peers, authenticates
// every connection by node key, and carries opaque messages on channels.
//
// Guarantees:
// - A peer is connected only after the handshake (node/p2p/handshake.h) proved it
//   holds its node key, the AdmissionPolicy admitted that key and, for a dialed
//   peer, the key equals the one in its address. A node never keeps a connection
//   to itself, and keeps at most one connection per peer: when two exist (both
//   sides dialed at once) both sides keep the one dialed by the smaller key; a
//   newer connection in the same direction replaces an older one.
// - Frames are encrypted and authenticated per direction (node/p2p/session_cipher.h);
//   any garbage, failed handshake, unadmitted key, bad MAC, oversized or malformed
//   frame closes that one connection, is logged and counted in Metrics(); nothing
//   else is affected.
// - Persistent peers are redialed with exponential backoff and jitter for as long
//   as the manager runs.
// - Each peer has a bounded send queue per channel (ChannelPolicy); a full queue
//   drops the message or disconnects the peer, and the drop is counted.
// - Messages from one peer are delivered in the order sent, after its connected
//   callback and before its disconnected callback.
//
// Threading: the manager runs its own io threads (options.io_threads). Configure
// (RegisterChannel, OnPeerConnected, OnPeerDisconnected, AddPersistentPeer) before
// Start(). After Start() every method is thread-safe, except that Stop() must not
// be called from a callback. After Stop() begins no callback is invoked; Stop()
// returns when all io threads have exited. A manager is started at most once.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/signature.h"
#include "crypto/base/status.h"
#include "node/p2p/admission.h"
#include "node/p2p/backoff.h"
#include "node/p2p/channel.h"
#include "node/p2p/metrics.h"
#include "node/p2p/peer.h"
#include "node/p2p/session_cipher.h"

namespace spdlog {
class logger;
}

namespace civic::node::p2p {

struct PeerManagerOptions {
  // Both sides of a connection must name the same chain. Required.
  std::string chain_id;

  bool listen = true;
  std::string listen_host = "127.0.0.1";  // an IP address or a name that resolves
  uint16_t listen_port = 0;               // 0: any free port, see listen_port()

  // "node_id@host:port" (node/p2p/peer_address.h), dialed and redialed for as long
  // as the manager runs. An entry naming this node's own key is skipped, so one
  // list can serve every node of a network.
  std::vector<std::string> persistent_peers;

  // Largest ciphertext of one frame; a bigger frame from a peer closes the
  // connection, a bigger message to Send is refused.
  uint32_t max_frame_bytes = kDefaultMaxFrameBytes;
  std::chrono::milliseconds handshake_timeout{5000};
  std::chrono::milliseconds dial_timeout{5000};
  // An idle connection sends a keepalive every ping_interval; a connection that
  // receives nothing for idle_timeout is closed (zero: never).
  std::chrono::milliseconds ping_interval{5000};
  std::chrono::milliseconds idle_timeout{20000};
  BackoffOptions backoff;

  size_t max_peers = 128;              // authenticated connections
  size_t max_pending_handshakes = 64;  // inbound connections still in the handshake
  int io_threads = 1;

  // Seeds the backoff jitter; 0 draws a seed from libsodium's randombytes.
  uint64_t rng_seed = 0;
  // Where to log; null means spdlog's default logger.
  std::shared_ptr<spdlog::logger> logger;
};

class PeerManager {
 public:
  // `node_key` must be an Ed25519 key pair. `admission` decides which node keys
  // may connect (required; see node/p2p/admission.h). The layer's series
  // (civic_p2p_*, node/p2p/metrics.h) go in `metrics`, which must outlive it.
  PeerManager(PeerManagerOptions options, crypto::KeyPair node_key,
              std::shared_ptr<const AdmissionPolicy> admission, prometheus::Registry& metrics);
  // Stops if running.
  ~PeerManager();
  PeerManager(const PeerManager&) = delete;
  PeerManager& operator=(const PeerManager&) = delete;

  // Before Start(): accept messages on `channel` (not kControl, id < kMaxChannels)
  // and bound each peer's send queue for it. Sending on a channel also requires
  // registering it. Errors: BAD_CHANNEL, ALREADY_STARTED.
  Status RegisterChannel(Channel channel, ChannelPolicy policy, MessageHandler handler);
  // Before Start().
  void OnPeerConnected(PeerConnectedHandler handler);
  void OnPeerDisconnected(PeerDisconnectedHandler handler);

  // Validates the options, binds the listener, starts the io threads and the
  // dialers. Errors: BAD_P2P_CONFIG, BAD_PEER_ADDRESS, LISTEN_FAILED,
  // ALREADY_STARTED.
  Status Start();
  // Closes every connection and the listener, stops dialing, joins the io threads.
  // Idempotent.
  void Stop();

  // Queues `payload` for `peer` on `channel`. Ok means queued, not delivered.
  // Errors: P2P_NOT_RUNNING, BAD_CHANNEL, FRAME_TOO_LARGE, PEER_NOT_CONNECTED,
  // PEER_DISCONNECTED, SEND_QUEUE_FULL.
  Status Send(const crypto::PublicKey& peer, Channel channel, std::string payload);
  // Queues `payload` for every connected peer; returns how many accepted it.
  size_t Broadcast(Channel channel, std::string payload);

  // Adds a peer to dial (now if running). A peer already listed, or this node's own
  // key, is a no-op. Error: BAD_PEER_ADDRESS.
  Status AddPersistentPeer(std::string_view address);
  // Stops redialing the peer with `node_key` (does not disconnect it).
  void RemovePersistentPeer(const crypto::PublicKey& node_key);
  // Closes the connection to `peer`, if any (asynchronously).
  void DisconnectPeer(const crypto::PublicKey& peer);
  // Asks the AdmissionPolicy again about every connected peer and disconnects
  // those no longer admitted; call after a governance change.
  void ReevaluateAdmission();

  bool IsConnected(const crypto::PublicKey& peer) const;
  std::vector<PeerInfo> Peers() const;
  P2PMetrics Metrics() const;
  // The bound port once started (useful with listen_port = 0), else 0.
  uint16_t listen_port() const;
  const crypto::PublicKey& node_key() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace civic::node::p2p
