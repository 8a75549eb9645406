// PeerScore: the one place where a peer's misbehaviour is added up. Every part
// that catches a peer doing something only a faulty or hostile node does (an
// invalid signature, invalid evidence, a height it claimed and cannot serve, a
// full per-peer quota, a message that does not decode) reports it here; a peer
// whose score reaches the threshold is to be disconnected and is refused
// (IsBanned) until its ban ends. Consecutive bans of one peer double in length
// (initial_ban_ms, 2x, 4x, ... up to max_ban_ms); the score decays by one point
// per decay_ms_per_point so that rare honest slips (a slow answer) never add up.
//
// Pure: time is a parameter (ms of a monotonic clock). Memory: one entry per
// peer ever penalised; peers are admitted node keys, a bounded set.
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string_view>

#include "crypto/signature.h"

namespace civic::node {

enum class Offence : uint8_t {
  kInvalidSignature,  // a consensus message with a bad signature or a non-validator signer
  kInvalidEvidence,   // evidence that does not verify, or too many items
  kFailedToServe,     // NoBlocks for a height it claimed; a claim it never served
  kRequestTimeout,    // block requests it did not answer in time (once per check)
  kOverQuota,         // its inbound queue share was full
  kMalformed,         // a message that does not decode
};
std::string_view OffenceName(Offence offence);

struct PeerScoreOptions {
  int64_t disconnect_at = 100;
  int64_t decay_ms_per_point = 1000;
  int64_t initial_ban_ms = 10'000;
  int64_t max_ban_ms = 600'000;
};

class PeerScore {
 public:
  explicit PeerScore(PeerScoreOptions options = {}) : options_(options) {}

  // Points an offence costs.
  static int64_t Cost(Offence offence);

  // Adds the offence. True when the peer just reached the threshold: disconnect
  // it; it is banned from now on for its ban length and its score starts again.
  bool Penalise(const crypto::PublicKey& peer, Offence offence, int64_t now_ms);
  bool IsBanned(const crypto::PublicKey& peer, int64_t now_ms) const;
  // The current (decayed) score, for tests and logs.
  int64_t Score(const crypto::PublicKey& peer, int64_t now_ms) const;

 private:
  struct Entry {
    int64_t score = 0;
    int64_t scored_at_ms = 0;
    int64_t banned_until_ms = 0;
    uint32_t bans = 0;
  };
  int64_t Decayed(const Entry& e, int64_t now_ms) const;

  const PeerScoreOptions options_;
  mutable std::mutex mu_;
  std::map<crypto::PublicKey, Entry> peers_;
};

}  // namespace civic::node
