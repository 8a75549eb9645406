#include "consensus/core.h"

#include <algorithm>

#include "consensus/errors.h"
#include "ledger/errors.h"
#include "ledger/tx.h"

namespace civic::consensus {

namespace {

constexpr uint32_t kKindProposal = 0;  // kinds of buffered next-height messages;
                                       // votes use their type (1, 2)

}  // namespace

const char* StepName(Step step) {
  switch (step) {
    case Step::kPropose: return "propose";
    case Step::kPrevote: return "prevote";
    case Step::kPrecommit: return "precommit";
  }
  return "unknown";
}

uint64_t TimeoutConfig::Duration(Step step, uint32_t round) const {
  const uint64_t r = std::min(round, max_growth_rounds);
  switch (step) {
    case Step::kPropose: return propose_ms + r * propose_delta_ms;
    case Step::kPrevote: return prevote_ms + r * prevote_delta_ms;
    case Step::kPrecommit: return precommit_ms + r * precommit_delta_ms;
  }
  return propose_ms;
}

Core::Core(CoreOptions options, const Signer* signer, const Verifier* verifier)
    : options_(std::move(options)),
      signer_(signer),
      verifier_(verifier),
      ignore_lock_(options_.unsafe_ignore_lock_for_testing) {
#ifdef CIVIC_SIM_BREAK_LOCKING
  ignore_lock_ = true;  // simulator self-test build (CMake option CIVIC_SIM_BREAK_LOCKING)
#endif
}

Output Core::Handle(const Event& event) {
  out_ = Output{};
  std::visit(
      [this](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, StartHeight>) {
          OnStartHeight(e);
        } else if (!started_) {
          Refuse(Status::FailedPrecondition(err::NOT_STARTED, "consensus has not started a height"));
        } else if constexpr (std::is_same_v<T, ProposalReceived>) {
          OnProposal(e.proposal);
        } else if constexpr (std::is_same_v<T, VoteReceived>) {
          OnVote(e.vote);
        } else if constexpr (std::is_same_v<T, TimeoutFired>) {
          OnTimeout(e);
        } else if constexpr (std::is_same_v<T, BlockBuilt>) {
          OnBlockBuilt(e);
        } else if constexpr (std::is_same_v<T, BlockValidated>) {
          OnBlockValidated(e);
        } else if constexpr (std::is_same_v<T, CommitReceived>) {
          OnCommitReceived(e);
        }
      },
      event);
  return std::move(out_);
}

void Core::Refuse(Status status) {
  if (out_.status.ok()) out_.status = std::move(status);
}

void Core::RefuseHeight(HeightHint::Kind kind, uint64_t height) {
  if (!out_.status.ok()) return;
  if (kind == HeightHint::Kind::kSenderBehind) {
    out_.status = Status::FailedPrecondition(err::STALE_HEIGHT, "message is for a height this node has passed");
  } else {
    out_.status = Status::FailedPrecondition(err::FUTURE_HEIGHT, "message is for a height this node has not reached");
  }
  out_.hint = HeightHint{kind, height};
}

bool Core::IsMe(const crypto::PublicKey& key) const {
  return signer_ != nullptr && signer_->public_key() == key;
}

// ---- Events ------------------------------------------------------------------

void Core::OnStartHeight(const StartHeight& e) {
  if (e.height == 0 || (started_ && e.height <= height_)) {
    Refuse(Status::FailedPrecondition(err::STALE_START, "height " + std::to_string(e.height) +
                                                         " does not follow the current height"));
    return;
  }
  std::vector<pb::ConsensusMessage> buffered;
  if (started_ && e.height == height_ + 1) {
    for (auto& [key, msg] : next_height_) buffered.push_back(std::move(msg));
  }
  next_height_.clear();
  rounds_.clear();  // vote sets point at validators_: drop them before replacing it
  blocks_.clear();
  own_proposals_.clear();
  own_votes_.clear();

  started_ = true;
  height_ = e.height;
  validators_ = e.validators;
  my_index_ = signer_ ? validators_.IndexOf(signer_->public_key()) : std::nullopt;
  round_ = 0;
  step_ = Step::kPropose;
  decided_ = false;
  locked_round_ = -1;
  locked_hash_.clear();
  valid_round_ = -1;
  valid_hash_.clear();
  max_round_seen_.assign(validators_.size(), -1);
  // Claims of heights now reached, or by keys no longer validators, are spent.
  for (auto it = future_heights_.begin(); it != future_heights_.end();) {
    const bool member = validators_.IndexOf(it->first).has_value();
    it = it->second <= height_ + 1 || !member ? future_heights_.erase(it) : std::next(it);
  }

  uint32_t start_round = 0;
  for (const pb::ConsensusWalEntry& entry : e.wal) Restore(entry, &start_round);
  StartRound(start_round);
  for (const pb::ConsensusMessage& msg : buffered) {
    if (msg.has_proposal()) {
      OnProposal(msg.proposal());
    } else if (msg.has_vote()) {
      OnVote(msg.vote());
    }
  }
  // Buffered messages were checked when buffered.
  out_.status = Status::Ok();
  out_.hint.reset();
  Advance();
}

// Takes back what this node signed before a restart: the signed messages are
// re-sent instead of signing anew, and a precommit for a block restores the lock.
void Core::Restore(const pb::ConsensusWalEntry& entry, uint32_t* max_round) {
  if (entry.has_proposal()) {
    const pb::BlockProposal& p = entry.proposal();
    if (p.height() != height_ || !CheckProposalShape(p, options_.max_block_bytes).ok() ||
        !IsMe(ledger::FromProto(p.proposer()))) {
      return;
    }
    own_proposals_[p.round()] = p;
    AcceptProposal(p, /*own=*/true);
    *max_round = std::max(*max_round, p.round());
  } else if (entry.has_vote()) {
    const pb::Vote& v = entry.vote();
    if (v.height() != height_ || !CheckVoteShape(v).ok() || !IsMe(ledger::FromProto(v.validator()))) {
      return;
    }
    own_votes_[{v.round(), v.type()}] = v;
    if (my_index_) AddVote(v, *my_index_);
    *max_round = std::max(*max_round, v.round());
    if (v.type() == static_cast<uint32_t>(VoteType::kPrecommit) && !v.block_hash().empty() &&
        !entry.locked_block().empty()) {
      BlockInfo& info = blocks_[v.block_hash()];
      info.block = entry.locked_block();
      info.validity = Validity::kValid;  // this node validated it before precommitting
      for (const pb::Vote& pv : entry.pol()) {
        if (pv.height() != height_ || pv.round() != v.round() || pv.block_hash() != v.block_hash()) continue;
        if (std::optional<size_t> index = validators_.IndexOf(ledger::FromProto(pv.validator()))) AddVote(pv, *index);
      }
      if (static_cast<int64_t>(v.round()) > locked_round_) {
        locked_round_ = v.round();
        locked_hash_ = v.block_hash();
      }
      if (static_cast<int64_t>(v.round()) > valid_round_) {
        valid_round_ = v.round();
        valid_hash_ = v.block_hash();
      }
    }
  }
}

Status Core::VerifySignature(const pb::Vote* vote, const pb::BlockProposal* proposal) const {
  return vote != nullptr ? VerifyVoteSignature(options_.chain_id, *vote, *verifier_)
                         : VerifyProposalSignature(options_.chain_id, *proposal, *verifier_);
}

bool Core::AdmitHeight(uint64_t height, const pb::Vote* vote, const pb::BlockProposal* proposal,
                       const pb::PublicKey& signer, uint32_t round, uint32_t kind) {
  if (height < height_) {
    RefuseHeight(HeightHint::Kind::kSenderBehind, height);
    return false;
  }
  if (height > height_ + 1) {
    NoteFutureHeight(height, vote, proposal, signer);
    return false;
  }
  if (height == height_ + 1) {
    // Kept for the next height: verified, from a current validator, early rounds,
    // one each; a proposal only from the proposer of its round (with the current
    // set: a set change drops some, which gossip repairs).
    const crypto::PublicKey signer_key = ledger::FromProto(signer);
    if (round > options_.max_future_rounds || !validators_.IndexOf(signer_key)) return false;
    if (kind == kKindProposal && signer_key != validators_.Proposer(height_ + 1, round)) {
      Refuse(Status::PermissionDenied(err::NOT_PROPOSER, "next-height proposal signer is not the proposer of its round"));
      return false;
    }
    auto key = std::make_tuple(signer.key(), round, kind);
    if (next_height_.count(key)) return false;
    Status st = VerifySignature(vote, proposal);
    if (!st.ok()) {
      Refuse(std::move(st));
      return false;
    }
    pb::ConsensusMessage message;
    if (vote != nullptr) {
      *message.mutable_vote() = *vote;
    } else {
      *message.mutable_proposal() = *proposal;
    }
    next_height_.emplace(std::move(key), std::move(message));
    return false;
  }
  return !decided_;  // after the decision nothing of this height matters
}

void Core::NoteFutureHeight(uint64_t height, const pb::Vote* vote, const pb::BlockProposal* proposal,
                            const pb::PublicKey& signer) {
  const crypto::PublicKey key = ledger::FromProto(signer);
  if (!validators_.IndexOf(key)) {
    // Not NOT_A_VALIDATOR: the set may have changed at heights this node has not reached.
    return Refuse(Status::PermissionDenied(err::UNKNOWN_SIGNER,
                                           "future-height message signer is not a validator of this height"));
  }
  uint64_t& seen = future_heights_[key];
  if (height > seen) {
    if (Status st = VerifySignature(vote, proposal); !st.ok()) {
      if (seen == 0) future_heights_.erase(key);
      return Refuse(std::move(st));
    }
    seen = height;
  }
  const uint64_t proven = proven_future_height();
  if (proven > height_ + 1) {
    RefuseHeight(HeightHint::Kind::kSenderAhead, proven);
  } else {
    Refuse(Status::FailedPrecondition(err::FUTURE_HEIGHT, "message is for a height this node has not reached"));
  }
}

uint64_t Core::proven_future_height() const {
  std::vector<std::pair<uint64_t, uint64_t>> ahead;  // (height, power)
  for (const auto& [key, height] : future_heights_) {
    if (std::optional<size_t> i = validators_.IndexOf(key)) {
      ahead.emplace_back(height, validators_.at(*i).power);
    }
  }
  std::sort(ahead.begin(), ahead.end(), std::greater<>());
  uint64_t power = 0;
  for (const auto& [height, p] : ahead) {
    power += p;
    if (validators_.IsOneThird(power)) return height;
  }
  return 0;
}

void Core::OnProposal(const pb::BlockProposal& p) {
  if (Status st = CheckProposalShape(p, options_.max_block_bytes); !st.ok()) return Refuse(std::move(st));
  if (!AdmitHeight(p.height(), nullptr, &p, p.proposer(), p.round(), kKindProposal)) return;

  const crypto::PublicKey proposer = ledger::FromProto(p.proposer());
  if (proposer != validators_.Proposer(height_, p.round())) {
    return Refuse(Status::PermissionDenied(err::NOT_PROPOSER, "proposal signer is not the proposer of its round"));
  }
  const size_t index = *validators_.IndexOf(proposer);
  if (p.round() > round_ + options_.max_future_rounds) {
    // Far future: only its round counts (for round skipping).
    if (static_cast<int64_t>(p.round()) <= max_round_seen_[index]) return;
    if (Status st = VerifyProposalSignature(options_.chain_id, p, *verifier_); !st.ok()) return Refuse(std::move(st));
    NoteRound(index, p.round());
    return Advance();
  }
  if (const pb::BlockProposal* have = FindProposal(p.round())) {
    if (have->block_hash() == p.block_hash() && have->sig() == p.sig() && have->block() == p.block()) return;
    if (Status st = VerifyProposalSignature(options_.chain_id, p, *verifier_); !st.ok()) return Refuse(std::move(st));
    // An equivocating proposer. The first proposal stays the round's proposal, but
    // the other block is kept too (one per round): if > 2/3 precommit it, this
    // node can decide it (line 49) instead of waiting for block sync.
    RoundState& rs = rounds_[p.round()];
    if (!rs.other_block_kept && !blocks_.count(p.block_hash())) {
      rs.other_block_kept = true;
      blocks_[p.block_hash()].block = p.block();
      Emit(ValidateBlock{height_, p.block(), p.block_hash()});
      Advance();
    }
    return Refuse(Status::FailedPrecondition(err::CONFLICTING_PROPOSAL,
                                             "the proposer signed two proposals for one round"));
  }
  if (Status st = VerifyProposalSignature(options_.chain_id, p, *verifier_); !st.ok()) return Refuse(std::move(st));
  AcceptProposal(p, /*own=*/false);
  NoteRound(index, p.round());
  Advance();
}

void Core::AcceptProposal(const pb::BlockProposal& p, bool own) {
  rounds_[p.round()].proposal = p;
  auto [it, inserted] = blocks_.try_emplace(p.block_hash());
  BlockInfo& info = it->second;
  if (!inserted && info.validity == Validity::kInvalid && info.block != p.block()) {
    // Other bytes under the same hash (the earlier ones may have been a forgery
    // by a faulty proposer): judge these afresh.
    inserted = true;
  }
  if (!inserted) return;
  info.block = p.block();
  info.validity = own ? Validity::kValid : Validity::kUnknown;
  if (!own) Emit(ValidateBlock{height_, p.block(), p.block_hash()});
}

void Core::OnVote(const pb::Vote& v) {
  if (Status st = CheckVoteShape(v); !st.ok()) return Refuse(std::move(st));
  if (!AdmitHeight(v.height(), &v, nullptr, v.validator(), v.round(), v.type())) return;

  const std::optional<size_t> index = validators_.IndexOf(ledger::FromProto(v.validator()));
  if (!index) {
    return Refuse(Status::PermissionDenied(err::NOT_A_VALIDATOR, "vote signer is not a validator of this height"));
  }
  if (v.round() > round_ + options_.max_future_rounds) {
    if (static_cast<int64_t>(v.round()) <= max_round_seen_[*index]) return;
    if (Status st = VerifyVoteSignature(options_.chain_id, v, *verifier_); !st.ok()) return Refuse(std::move(st));
    NoteRound(*index, v.round());
    return Advance();
  }
  AddVote(v, *index);
  Advance();
}

void Core::AddVote(const pb::Vote& v, size_t validator_index) {
  Result<VoteSet::AddResult> added = Votes(v.round(), static_cast<VoteType>(v.type())).Add(v, *verifier_);
  if (!added.ok()) return Refuse(added.status());
  if (added->evidence) Emit(ReportEvidence{std::move(*added->evidence)});
  if (added->outcome == VoteSet::Outcome::kAdded) NoteRound(validator_index, v.round());
}

void Core::NoteRound(size_t validator_index, uint32_t round) {
  max_round_seen_[validator_index] = std::max<int64_t>(max_round_seen_[validator_index], round);
}

VoteSet& Core::Votes(uint32_t round, VoteType type) {
  RoundState& rs = rounds_[round];
  std::optional<VoteSet>& set = type == VoteType::kPrevote ? rs.prevotes : rs.precommits;
  if (!set) set.emplace(options_.chain_id, height_, round, type, &validators_);
  return *set;
}

const VoteSet* Core::FindVotes(uint32_t round, VoteType type) const {
  auto it = rounds_.find(round);
  if (it == rounds_.end()) return nullptr;
  const std::optional<VoteSet>& set = type == VoteType::kPrevote ? it->second.prevotes : it->second.precommits;
  return set ? &*set : nullptr;
}

const pb::BlockProposal* Core::FindProposal(uint32_t round) const {
  auto it = rounds_.find(round);
  return it == rounds_.end() || !it->second.proposal ? nullptr : &*it->second.proposal;
}

void Core::OnTimeout(const TimeoutFired& e) {
  if (e.height != height_ || decided_ || e.round != round_) return;
  if (e.step == Step::kPropose && step_ == Step::kPropose) {
    CastVote(VoteType::kPrevote, Bytes());  // line 57
    step_ = Step::kPrevote;
  } else if (e.step == Step::kPrevote && step_ == Step::kPrevote) {
    CastVote(VoteType::kPrecommit, Bytes());  // line 61
    step_ = Step::kPrecommit;
  } else if (e.step == Step::kPrecommit) {
    StartRound(round_ + 1);  // line 65
  }
  Advance();
}

void Core::OnBlockBuilt(const BlockBuilt& e) {
  if (e.height != height_ || e.round != round_ || decided_ || step_ != Step::kPropose ||
      !my_index_ || validators_.ProposerIndex(height_, round_) != *my_index_ ||
      own_proposals_.count(round_) || valid_round_ >= 0) {
    return;  // late or unasked-for
  }
  if (e.block.empty() || e.block.size() > options_.max_block_bytes || e.block_hash.size() != kBlockHashSize) {
    return Refuse(Status::InvalidArgument(err::BAD_BLOCK, "built block is empty, too large or has a bad hash"));
  }
  Propose(e.block, e.block_hash, -1);
  Advance();
}

void Core::OnBlockValidated(const BlockValidated& e) {
  if (e.height != height_) return;
  auto it = blocks_.find(e.block_hash);
  if (it == blocks_.end() || it->second.validity != Validity::kUnknown) return;
  it->second.validity = e.valid ? Validity::kValid : Validity::kInvalid;
  Advance();
}

void Core::OnCommitReceived(const CommitReceived& e) {
  const pb::Commit& c = e.commit;
  if (c.height() < height_) return RefuseHeight(HeightHint::Kind::kSenderBehind, c.height());
  if (c.height() > height_) return RefuseHeight(HeightHint::Kind::kSenderAhead, c.height());
  if (decided_) return;
  if (c.block_hash() != e.block_hash || e.block_hash.size() != kBlockHashSize || e.block.empty() ||
      c.round() > kMaxRound) {
    return Refuse(Status::InvalidArgument(err::BAD_COMMIT, "commit does not match the block"));
  }
  // Re-count the certificate's signatures as precommits of its round.
  VoteSet check(options_.chain_id, c.height(), c.round(), VoteType::kPrecommit, &validators_);
  for (const pb::CommitSig& sig : c.sigs()) {
    pb::Vote v;
    v.set_type(static_cast<uint32_t>(VoteType::kPrecommit));
    v.set_height(c.height());
    v.set_round(c.round());
    v.set_block_hash(c.block_hash());
    *v.mutable_validator() = sig.validator();
    v.set_sig(sig.sig());
    Result<VoteSet::AddResult> added = check.Add(v, *verifier_);
    if (!added.ok()) {
      return Refuse(Status::InvalidArgument(err::BAD_COMMIT, "commit signature refused: " + added.status().message()));
    }
  }
  if (check.quorum() != c.block_hash()) {
    return Refuse(Status::InvalidArgument(err::BAD_COMMIT, "commit holds no more than 2/3 of the voting power"));
  }
  Decide(c.round(), e.block_hash, e.block, c);
}

// ---- Algorithm 1 -------------------------------------------------------------

void Core::Schedule(Step step) {
  Emit(ScheduleTimeout{height_, round_, step, options_.timeouts.Duration(step, round_)});
}

// Lines 11-21. Every node schedules timeoutPropose (the proposer too: its block
// is built asynchronously and might never come).
void Core::StartRound(uint32_t round) {
  round_ = round;
  step_ = Step::kPropose;
  prevote_timeout_scheduled_ = false;
  precommit_timeout_scheduled_ = false;
  polka_seen_ = false;
  if (my_index_ && validators_.ProposerIndex(height_, round_) == *my_index_) {
    if (auto it = own_proposals_.find(round_); it != own_proposals_.end()) {
      pb::ConsensusMessage msg;  // signed before a restart: send that one again
      *msg.mutable_proposal() = it->second;
      Emit(Broadcast{std::move(msg)});
    } else if (valid_round_ >= 0) {
      Propose(blocks_.at(valid_hash_).block, valid_hash_, static_cast<int32_t>(valid_round_));
    } else {
      Emit(BuildBlock{height_, round_});
    }
  }
  Schedule(Step::kPropose);
}

void Core::Propose(const Bytes& block, const Bytes& block_hash, int32_t pol_round) {
  pb::BlockProposal p = MakeProposal(options_.chain_id, height_, round_, pol_round, block, block_hash, *signer_);
  own_proposals_[round_] = p;
  pb::ConsensusWalEntry entry;
  *entry.mutable_proposal() = p;
  Emit(WriteWal{std::move(entry)});
  pb::ConsensusMessage msg;
  *msg.mutable_proposal() = p;
  Emit(Broadcast{std::move(msg)});
  if (pol_round >= 0) {
    // The proof that the lock may change: peers need it to prevote (line 28).
    if (const VoteSet* pol = FindVotes(static_cast<uint32_t>(pol_round), VoteType::kPrevote)) {
      for (pb::Vote& v : pol->Votes()) {
        if (v.block_hash() != block_hash) continue;
        pb::ConsensusMessage m;
        *m.mutable_vote() = std::move(v);
        Emit(Broadcast{std::move(m)});
      }
    }
  }
  AcceptProposal(p, /*own=*/true);
}

// Signs (or, after a restart, re-sends what was signed for this round and type),
// logs, broadcasts and counts this node's vote.
void Core::CastVote(VoteType type, const Bytes& block_hash) {
  if (!my_index_) return;
  const auto key = std::make_pair(round_, static_cast<uint32_t>(type));
  auto it = own_votes_.find(key);
  if (it == own_votes_.end()) {
    pb::Vote v = MakeVote(options_.chain_id, type, height_, round_, block_hash, *signer_);
    it = own_votes_.emplace(key, v).first;
    pb::ConsensusWalEntry entry;
    *entry.mutable_vote() = v;
    if (type == VoteType::kPrecommit && !block_hash.empty()) {
      entry.set_locked_block(blocks_.at(block_hash).block);
      for (pb::Vote& pv : Votes(round_, VoteType::kPrevote).Votes()) {
        if (pv.block_hash() == block_hash) *entry.add_pol() = std::move(pv);
      }
    }
    Emit(WriteWal{std::move(entry)});
  }
  pb::ConsensusMessage msg;
  *msg.mutable_vote() = it->second;
  Emit(Broadcast{std::move(msg)});
  AddVote(it->second, *my_index_);
}

void Core::Advance() {
  while (!decided_) {
    const bool progressed = TryDecide() || TrySkipRound() || TryProposalVote() || TryPrevoteTimeout() ||
                            TryPolka() || TryNilPolka() || TryPrecommitTimeout();
    if (!progressed) break;
  }
}

// Lines 49-54, for any round: > 2/3 precommits for a block we hold and know valid.
bool Core::TryDecide() {
  for (const auto& [round, rs] : rounds_) {
    if (!rs.precommits || !rs.precommits->quorum() || rs.precommits->quorum()->empty()) continue;
    const Bytes& hash = *rs.precommits->quorum();
    auto it = blocks_.find(hash);
    if (it == blocks_.end() || it->second.validity != Validity::kValid) continue;
    Result<pb::Commit> commit = rs.precommits->MakeCommit(hash);
    Decide(round, hash, it->second.block, std::move(commit).value());
    return true;
  }
  return false;
}

void Core::Decide(uint32_t round, const Bytes& block_hash, const Bytes& block, pb::Commit commit) {
  decided_ = true;
  Emit(Commit{height_, round, block, block_hash, std::move(commit)});
}

// Lines 55-56: > 1/3 of the power is in later rounds. With one highest round per
// validator, the target is the highest round R such that validators seen at R or
// above hold > 1/3 of the power (so at least one correct node reached R).
bool Core::TrySkipRound() {
  std::vector<std::pair<int64_t, uint64_t>> ahead;  // (round, power)
  for (size_t i = 0; i < max_round_seen_.size(); ++i) {
    if (max_round_seen_[i] > static_cast<int64_t>(round_)) ahead.emplace_back(max_round_seen_[i], validators_.at(i).power);
  }
  std::sort(ahead.begin(), ahead.end(), std::greater<>());
  uint64_t power = 0;
  for (const auto& [round, p] : ahead) {
    power += p;
    if (validators_.IsOneThird(power)) {
      StartRound(static_cast<uint32_t>(round));
      return true;
    }
  }
  return false;
}

// Lines 22-33: prevote on the proposal of the current round.
bool Core::TryProposalVote() {
  if (step_ != Step::kPropose) return false;
  const pb::BlockProposal* p = FindProposal(round_);
  if (!p) return false;
  const Bytes& hash = p->block_hash();
  const Validity validity = blocks_.at(hash).validity;
  if (validity == Validity::kUnknown) return false;  // waiting for the application
  const bool valid = validity == Validity::kValid;
  bool lock_allows;
  if (p->pol_round() < 0) {
    lock_allows = locked_round_ == -1 || locked_hash_ == hash;  // line 23
  } else {
    const VoteSet* pol = FindVotes(static_cast<uint32_t>(p->pol_round()), VoteType::kPrevote);
    if (!pol || pol->quorum() != hash) return false;  // line 28 needs the proof of lock change
    lock_allows = locked_round_ <= p->pol_round() || locked_hash_ == hash;  // line 29
  }
  if (ignore_lock_) lock_allows = true;
  CastVote(VoteType::kPrevote, valid && lock_allows ? hash : Bytes());
  step_ = Step::kPrevote;
  return true;
}

// Lines 34-35.
bool Core::TryPrevoteTimeout() {
  if (step_ != Step::kPrevote || prevote_timeout_scheduled_) return false;
  const VoteSet* prevotes = FindVotes(round_, VoteType::kPrevote);
  if (!prevotes || !prevotes->HasQuorumAny()) return false;
  prevote_timeout_scheduled_ = true;
  Schedule(Step::kPrevote);
  return true;
}

// Lines 36-43: a polka for the current proposal locks (if still prevoting) and
// always updates the valid value.
bool Core::TryPolka() {
  if (polka_seen_ || step_ == Step::kPropose) return false;
  const pb::BlockProposal* p = FindProposal(round_);
  const VoteSet* prevotes = FindVotes(round_, VoteType::kPrevote);
  if (!p || !prevotes || prevotes->quorum() != p->block_hash()) return false;
  if (blocks_.at(p->block_hash()).validity != Validity::kValid) return false;
  polka_seen_ = true;
  if (step_ == Step::kPrevote) {
    locked_round_ = round_;
    locked_hash_ = p->block_hash();
    CastVote(VoteType::kPrecommit, p->block_hash());
    step_ = Step::kPrecommit;
  }
  valid_round_ = round_;
  valid_hash_ = p->block_hash();
  return true;
}

// Lines 44-46.
bool Core::TryNilPolka() {
  if (step_ != Step::kPrevote) return false;
  const VoteSet* prevotes = FindVotes(round_, VoteType::kPrevote);
  if (!prevotes || prevotes->quorum() != Bytes()) return false;
  CastVote(VoteType::kPrecommit, Bytes());
  step_ = Step::kPrecommit;
  return true;
}

// Lines 47-48.
bool Core::TryPrecommitTimeout() {
  if (precommit_timeout_scheduled_) return false;
  const VoteSet* precommits = FindVotes(round_, VoteType::kPrecommit);
  if (!precommits || !precommits->HasQuorumAny()) return false;
  precommit_timeout_scheduled_ = true;
  Schedule(Step::kPrecommit);
  return true;
}

// ---- Gossip ------------------------------------------------------------------

std::vector<pb::ConsensusMessage> Core::GossipMessages() const {
  std::vector<pb::ConsensusMessage> out;
  if (!started_ || decided_) return out;
  std::vector<uint32_t> proposal_rounds{round_};
  std::vector<std::pair<uint32_t, VoteType>> vote_sets;
  if (valid_round_ >= 0) {
    // The polka behind the valid value: what lets peers unlock when it is re-proposed.
    vote_sets.emplace_back(static_cast<uint32_t>(valid_round_), VoteType::kPrevote);
    if (valid_round_ != round_) proposal_rounds.push_back(static_cast<uint32_t>(valid_round_));
  }
  for (uint32_t r : proposal_rounds) {
    if (const pb::BlockProposal* p = FindProposal(r)) {
      out.emplace_back();
      *out.back().mutable_proposal() = *p;
      if (p->pol_round() >= 0) vote_sets.emplace_back(p->pol_round(), VoteType::kPrevote);
    }
  }
  for (uint32_t r = round_ > 0 ? round_ - 1 : 0; r <= round_; ++r) {
    vote_sets.emplace_back(r, VoteType::kPrevote);
    vote_sets.emplace_back(r, VoteType::kPrecommit);
  }
  for (const auto& [round, rs] : rounds_) {
    if (round + 1 < round_ && rs.precommits && rs.precommits->quorum() && !rs.precommits->quorum()->empty()) {
      vote_sets.emplace_back(round, VoteType::kPrecommit);
    }
  }
  std::sort(vote_sets.begin(), vote_sets.end());
  vote_sets.erase(std::unique(vote_sets.begin(), vote_sets.end()), vote_sets.end());
  for (const auto& [round, type] : vote_sets) {
    if (const VoteSet* set = FindVotes(round, type)) {
      for (pb::Vote& v : set->Votes()) {
        out.emplace_back();
        *out.back().mutable_vote() = std::move(v);
      }
    }
  }
  return out;
}

}  // namespace civic::consensus
