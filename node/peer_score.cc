#include "node/peer_score.h"

#include <algorithm>

namespace civic::node {

std::string_view OffenceName(Offence offence) {
  switch (offence) {
    case Offence::kInvalidSignature: return "invalid_signature";
    case Offence::kInvalidEvidence: return "invalid_evidence";
    case Offence::kFailedToServe: return "failed_to_serve";
    case Offence::kRequestTimeout: return "request_timeout";
    case Offence::kOverQuota: return "over_quota";
    case Offence::kMalformed: return "malformed";
  }
  return "unknown";
}

int64_t PeerScore::Cost(Offence offence) {
  switch (offence) {
    case Offence::kInvalidSignature: return 25;
    case Offence::kInvalidEvidence: return 25;
    case Offence::kFailedToServe: return 25;
    case Offence::kRequestTimeout: return 3;
    case Offence::kOverQuota: return 5;
    case Offence::kMalformed: return 25;
  }
  return 25;
}

int64_t PeerScore::Decayed(const Entry& e, int64_t now_ms) const {
  const int64_t elapsed = std::max<int64_t>(now_ms - e.scored_at_ms, 0);
  return std::max<int64_t>(e.score - elapsed / std::max<int64_t>(options_.decay_ms_per_point, 1), 0);
}

bool PeerScore::Penalise(const crypto::PublicKey& peer, Offence offence, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = peers_[peer];
  if (now_ms < e.banned_until_ms) return false;  // already out
  e.score = Decayed(e, now_ms) + Cost(offence);
  e.scored_at_ms = now_ms;
  if (e.score < options_.disconnect_at) return false;
  const uint32_t doublings = std::min<uint32_t>(e.bans, 20);
  e.banned_until_ms = now_ms + std::min(options_.initial_ban_ms << doublings, options_.max_ban_ms);
  ++e.bans;
  e.score = 0;
  return true;
}

bool PeerScore::IsBanned(const crypto::PublicKey& peer, int64_t now_ms) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = peers_.find(peer);
  return it != peers_.end() && now_ms < it->second.banned_until_ms;
}

int64_t PeerScore::Score(const crypto::PublicKey& peer, int64_t now_ms) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = peers_.find(peer);
  return it == peers_.end() ? 0 : Decayed(it->second, now_ms);
}

}  // namespace civic::node
