#include "consensus/sync_target.h"

#include <algorithm>

namespace civic::consensus {

void SyncTarget::OnClaim(const Peer& peer, uint64_t tip, bool proven, uint64_t own_tip, uint64_t now_ms) {
  Claim& c = peers_[peer];
  if (now_ms < c.distrusted_until_ms) return;
  c.tip = std::max(c.tip, tip);
  if (proven) c.proven_tip = std::max(c.proven_tip, tip);
  if (c.tip <= own_tip) {
    c.ahead = false;
  } else if (!c.ahead) {
    c.ahead = true;
    c.box_start_ms = now_ms;
  }
}

void SyncTarget::OnServed(const Peer& peer, uint64_t height, uint64_t now_ms) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  it->second.tip = std::max(it->second.tip, height);
  it->second.box_start_ms = now_ms;
}

SyncVerdict SyncTarget::OnNoBlocks(const Peer& peer, uint64_t from, uint64_t now_ms) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return SyncVerdict::kFine;
  const bool lied = it->second.tip >= from;
  Drop(&it->second);
  if (!lied) return SyncVerdict::kFine;
  it->second.distrusted_until_ms = now_ms + options_.claim_ttl_ms;
  return SyncVerdict::kPenalise;
}

SyncVerdict SyncTarget::OnRequestTimeout(const Peer& peer, uint64_t now_ms) {
  static_cast<void>(now_ms);  // a slow peer is not distrusted: its next status counts
  auto it = peers_.find(peer);
  if (it == peers_.end()) return SyncVerdict::kFine;
  Drop(&it->second);
  return SyncVerdict::kPenalise;
}

std::vector<SyncTarget::Peer> SyncTarget::Expire(uint64_t own_tip, uint64_t now_ms) {
  std::vector<Peer> expired;
  for (auto& [peer, c] : peers_) {
    if (c.tip <= own_tip) {
      c.ahead = false;
    } else if (c.ahead && now_ms - c.box_start_ms >= options_.claim_ttl_ms) {
      Drop(&c);
      c.distrusted_until_ms = now_ms + options_.claim_ttl_ms;
      expired.push_back(peer);
    }
  }
  return expired;
}

void SyncTarget::Drop(Claim* claim) {
  claim->tip = 0;
  claim->proven_tip = 0;
  claim->ahead = false;
}

uint64_t SyncTarget::Capped(uint64_t tip, uint64_t own_tip) const {
  return std::min(tip, own_tip + options_.window);
}

uint64_t SyncTarget::PeerTip(const Peer& peer, uint64_t own_tip) const {
  auto it = peers_.find(peer);
  return it == peers_.end() ? 0 : Capped(it->second.tip, own_tip);
}

uint64_t SyncTarget::Target(uint64_t own_tip) const {
  uint64_t target = 0;
  for (const auto& [peer, c] : peers_) target = std::max(target, Capped(c.tip, own_tip));
  return target;
}

uint64_t SyncTarget::ProvenTarget(uint64_t own_tip) const {
  uint64_t target = 0;
  for (const auto& [peer, c] : peers_) target = std::max(target, Capped(c.proven_tip, own_tip));
  return target;
}

}  // namespace civic::consensus
