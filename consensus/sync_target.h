// SyncTarget: how far a node that may be behind lets its peers' height claims
// pull it. A pure, deterministic policy: no I/O, no clock (the time is a
// parameter, in milliseconds of any monotonic clock), used by node/block_sync.h
// and by the simulator (tests/sim).
//
// Two kinds of claim, each held per peer:
//   unproven  a peer's own word (a block sync status, a NoBlocks answer): it may
//             make this node fetch blocks, from that peer, and nothing else;
//   proven    backed by signatures of current validators holding > 1/3 of the
//             power (the core's FUTURE_HEIGHT hint, consensus/core.h), or by a
//             verified commit certificate: only this makes the node "behind,
//             proven" (the engine stops proposing while ProvenTarget() reaches
//             the height it would propose).
// Guarantees:
//   - a claim raises a target to at most own tip + window (Target, PeerTip);
//   - a claim ahead of the own tip is time-boxed: if the peer serves no block
//     within claim_ttl_ms (a block it served, OnServed, restarts the box), the
//     claim is dropped (Expire) and the peer's claims are ignored for another
//     claim_ttl_ms; a repeated status does not restart the box. Not a fault by
//     itself: a correct peer that was never asked serves nothing either;
//   - a peer that answers NoBlocks for a height it claimed, or lets a request
//     time out, loses its claim at once and is reported (its verdict).
// Memory: one entry per peer the driver tells about; Forget removes it.
// Thread safety: none; one driver thread.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "crypto/signature.h"

namespace civic::consensus {

struct SyncTargetOptions {
  uint64_t window = 64;           // blocks past the own tip a claim may reach
  uint64_t claim_ttl_ms = 10000;  // a claim ahead must be served within this
};

enum class SyncVerdict : uint8_t {
  kFine,     // nothing to hold against the peer
  kPenalise  // the peer claimed what it could not serve: score it
};

class SyncTarget {
 public:
  using Peer = crypto::PublicKey;

  explicit SyncTarget(SyncTargetOptions options) : options_(options) {}

  // `peer` says its tip is `tip`. Ignored while the peer is distrusted.
  void OnClaim(const Peer& peer, uint64_t tip, bool proven, uint64_t own_tip, uint64_t now_ms);
  // `peer` served the block at `height` (it applied, or it verified): progress.
  void OnServed(const Peer& peer, uint64_t height, uint64_t now_ms);
  // `peer` answered "no blocks from `from`". kPenalise if it had claimed `from`.
  SyncVerdict OnNoBlocks(const Peer& peer, uint64_t from, uint64_t now_ms);
  // A request to `peer` got no answer in time: its claim is dropped.
  SyncVerdict OnRequestTimeout(const Peer& peer, uint64_t now_ms);
  void Forget(const Peer& peer) { peers_.erase(peer); }
  // Drops the claims whose time box ran out; returns their peers (to log).
  std::vector<Peer> Expire(uint64_t own_tip, uint64_t now_ms);

  // The peer's tip as far as this node acts on it: min(claim, own_tip + window).
  uint64_t PeerTip(const Peer& peer, uint64_t own_tip) const;
  // Highest PeerTip over all peers, and over proven claims only.
  uint64_t Target(uint64_t own_tip) const;
  uint64_t ProvenTarget(uint64_t own_tip) const;
  const SyncTargetOptions& options() const { return options_; }

 private:
  struct Claim {
    uint64_t tip = 0;                // highest claimed, proven or not
    uint64_t proven_tip = 0;         // highest proven
    bool ahead = false;              // the time box is running
    uint64_t box_start_ms = 0;       // when the claim went ahead, or the last progress
    uint64_t distrusted_until_ms = 0;
  };
  static void Drop(Claim* claim);
  uint64_t Capped(uint64_t tip, uint64_t own_tip) const;

  const SyncTargetOptions options_;
  std::map<Peer, Claim> peers_;
};

}  // namespace civic::consensus
