#include "consensus/vote_set.h"

#include "consensus/errors.h"
#include "ledger/tx.h"

namespace civic::consensus {

VoteSet::VoteSet(std::string chain_id, uint64_t height, uint32_t round, VoteType type,
                 const ValidatorSet* validators)
    : chain_id_(std::move(chain_id)),
      height_(height),
      round_(round),
      type_(type),
      validators_(validators),
      votes_(validators->size()) {}

Result<VoteSet::AddResult> VoteSet::Add(const pb::Vote& vote, const Verifier& verifier) {
  CIVIC_RETURN_IF_ERROR(CheckVoteShape(vote));
  if (vote.height() != height_ || vote.round() != round_ ||
      vote.type() != static_cast<uint32_t>(type_)) {
    return Status::InvalidArgument(err::WRONG_VOTE, "vote is for another height, round or type");
  }
  const std::optional<size_t> index = validators_->IndexOf(ledger::FromProto(vote.validator()));
  if (!index) {
    return Status::PermissionDenied(err::NOT_A_VALIDATOR, "vote signer is not a validator of this height");
  }
  Slot& slot = votes_[*index];
  for (const pb::Vote& have : slot.votes) {
    // Already known (this vote, or another signature over the same content, which
    // only a non-deterministic signer makes): nothing to verify or count.
    if (have.block_hash() == vote.block_hash()) return AddResult{Outcome::kDuplicate, std::nullopt};
  }
  // Another validator voted for this hash (this one has not): worth keeping.
  const bool backed = PowerFor(vote.block_hash()) > 0;
  if (!slot.votes.empty() && slot.evidence_reported && !backed) return AddResult{Outcome::kConflict, std::nullopt};
  // A new signature: verify before it can count or incriminate anyone.
  CIVIC_RETURN_IF_ERROR(VerifyVoteSignature(chain_id_, vote, verifier));
  const uint64_t power = validators_->at(*index).power;
  if (slot.votes.empty()) {
    slot.votes.push_back(vote);
    total_power_ += power;
    Count(vote.block_hash(), power);
    return AddResult{Outcome::kAdded, std::nullopt};
  }
  AddResult result{Outcome::kConflict, std::nullopt};
  if (!slot.evidence_reported) {
    slot.evidence_reported = true;
    result.evidence = MakeEvidence(slot.votes.front(), vote);
  }
  if (backed) {
    slot.votes.push_back(vote);
    Count(vote.block_hash(), power);
  }
  return result;
}

void VoteSet::Count(const Bytes& block_hash, uint64_t power) {
  uint64_t& for_hash = power_by_hash_[block_hash];
  for_hash += power;
  if (!quorum_ && validators_->IsQuorum(for_hash)) quorum_ = block_hash;
}

uint64_t VoteSet::PowerFor(const Bytes& block_hash) const {
  auto it = power_by_hash_.find(block_hash);
  return it == power_by_hash_.end() ? 0 : it->second;
}

const pb::Vote* VoteSet::VoteOf(size_t index) const {
  if (index >= votes_.size() || votes_[index].votes.empty()) return nullptr;
  return &votes_[index].votes.front();
}

std::vector<pb::Vote> VoteSet::Votes() const {
  std::vector<pb::Vote> out;
  for (const Slot& s : votes_) out.insert(out.end(), s.votes.begin(), s.votes.end());
  return out;
}

Result<pb::Commit> VoteSet::MakeCommit(const Bytes& block_hash) const {
  if (type_ != VoteType::kPrecommit || block_hash.empty() ||
      !validators_->IsQuorum(PowerFor(block_hash))) {
    return Status::FailedPrecondition(err::NO_QUORUM, "no precommit quorum for this block");
  }
  pb::Commit commit;
  commit.set_height(height_);
  commit.set_round(round_);
  commit.set_block_hash(block_hash);
  for (const Slot& s : votes_) {
    for (const pb::Vote& v : s.votes) {
      if (v.block_hash() != block_hash) continue;
      pb::CommitSig* sig = commit.add_sigs();
      *sig->mutable_validator() = v.validator();
      sig->set_sig(v.sig());
    }
  }
  return commit;
}

}  // namespace civic::consensus
