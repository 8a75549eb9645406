// ValidatorSet: the validators that sign one height, with their voting power.
//
// Members are kept sorted by public key (the order ledger::ValidatorSetHash
// uses), so every node derives the same indexes and the same proposer.
// Quorums are by power: a quorum is MORE than 2/3 of the total power, a
// "one third" is more than 1/3 (with at most f faulty out of 3f+1 equal powers
// these are 2f+1 and f+1 validators).
//
// Proposer: plain round-robin over the sorted members, independent of power:
// proposer(height, round) = members[(height + round) mod n]. Every validator
// proposes equally often; a faulty one holds at most one round in n, so the
// rotation stays live whatever the powers are. Power only weighs votes.
//
// Immutable after creation; safe to share between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "crypto/signature.h"
#include "crypto/base/status.h"
#include "ledger/ledger.pb.h"

namespace civic::consensus {

// Keeps 3 * total power inside uint64 arithmetic.
constexpr uint64_t kMaxTotalPower = uint64_t{1} << 60;

class ValidatorSet {
 public:
  struct Member {
    crypto::PublicKey key;
    uint64_t power = 0;
  };

  ValidatorSet() = default;
  // Requires at least one member, distinct valid keys, power >= 1 each and a total
  // of at most kMaxTotalPower. Errors: BAD_VALIDATOR_SET.
  static Result<ValidatorSet> Create(std::vector<Member> members);
  static Result<ValidatorSet> FromProto(const pb::ValidatorSet& set);
  pb::ValidatorSet ToProto() const;

  size_t size() const { return members_.size(); }
  const Member& at(size_t index) const { return members_[index]; }
  const std::vector<Member>& members() const { return members_; }
  uint64_t total_power() const { return total_power_; }
  std::optional<size_t> IndexOf(const crypto::PublicKey& key) const;

  // power > 2/3 of the total.
  bool IsQuorum(uint64_t power) const { return 3 * power > 2 * total_power_; }
  // power > 1/3 of the total: at least one correct validator is among them.
  bool IsOneThird(uint64_t power) const { return 3 * power > total_power_; }

  size_t ProposerIndex(uint64_t height, uint32_t round) const;
  const crypto::PublicKey& Proposer(uint64_t height, uint32_t round) const {
    return members_[ProposerIndex(height, round)].key;
  }

 private:
  std::vector<Member> members_;
  uint64_t total_power_ = 0;
};

}  // namespace civic::consensus
