// VoteSet: the votes of one type (prevote or precommit) for one (height, round).
//
// Counts every validator once towards "any" (its first vote). A second, validly
// signed vote by the same validator for another block hash is a double vote: Add
// returns Evidence holding both (once per validator). Such a vote is also kept
// and counted for ITS hash when other validators voted for that hash too.
// Counting an equivocator for several hashes is safe (two quorums still
// intersect in a correct validator) and needed for liveness: a node that counted
// one side of a double vote in a quorum proves the quorum to others by
// gossiping the votes, whichever side they saw first. Votes for hashes nobody
// else voted for are not kept, so a validator holds at most one vote per hash
// that some first vote introduced: memory stays O(n) per validator.
//
// Duplicates are recognised before the signature is checked, so re-gossiped
// votes cost no signature verification.
// Not thread-safe; owned by the core.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "consensus/messages.h"
#include "consensus/signer.h"
#include "consensus/validator_set.h"

namespace civic::consensus {

class VoteSet {
 public:
  enum class Outcome {
    kAdded,      // a new vote, counted
    kDuplicate,  // exactly this vote is already in the set
    kConflict,   // a double vote: evidence the first time; counted if its hash is backed
  };
  struct AddResult {
    Outcome outcome = Outcome::kAdded;
    std::optional<pb::Evidence> evidence;
  };

  // `validators` must outlive the set.
  VoteSet(std::string chain_id, uint64_t height, uint32_t round, VoteType type,
          const ValidatorSet* validators);

  // Checks shape, height/round/type, membership and signature, then counts the
  // vote. Errors: MALFORMED_VOTE, WRONG_VOTE (other height/round/type),
  // NOT_A_VALIDATOR, BAD_SIGNATURE.
  Result<AddResult> Add(const pb::Vote& vote, const Verifier& verifier);

  uint64_t height() const { return height_; }
  uint32_t round() const { return round_; }
  VoteType type() const { return type_; }

  // Power of the validators that voted (each once), and of those that voted for
  // one block hash ("" = nil).
  uint64_t total_power() const { return total_power_; }
  uint64_t PowerFor(const Bytes& block_hash) const;
  // More than 2/3 of the power voted (for anything).
  bool HasQuorumAny() const { return validators_->IsQuorum(total_power_); }
  // The block hash ("" = nil) that more than 2/3 of the power voted for, if any.
  const std::optional<Bytes>& quorum() const { return quorum_; }

  // The first vote of validator `index`, if any.
  const pb::Vote* VoteOf(size_t index) const;
  // All kept votes (a double voter's several) in validator order.
  std::vector<pb::Vote> Votes() const;
  // A commit certificate for `block_hash` from the counted votes for it (in
  // validator order). Requires a precommit set. Errors: NO_QUORUM.
  Result<pb::Commit> MakeCommit(const Bytes& block_hash) const;

 private:
  std::string chain_id_;
  uint64_t height_;
  uint32_t round_;
  VoteType type_;
  const ValidatorSet* validators_;
  struct Slot {
    std::vector<pb::Vote> votes;  // the first one counts towards "any"
    bool evidence_reported = false;
  };
  void Count(const Bytes& block_hash, uint64_t power);

  std::vector<Slot> votes_;  // by validator index
  std::map<Bytes, uint64_t> power_by_hash_;
  uint64_t total_power_ = 0;
  std::optional<Bytes> quorum_;
};

}  // namespace civic::consensus
