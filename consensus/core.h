// Core: Tendermint BFT consensus for one node as a pure, deterministic state
// machine ("The latest gossip on BFT consensus", Buchman, Kwon, Milosevic 2018,
// Algorithm 1). Events go in, actions come out. The core does no I/O, reads no
// clock, starts no thread; the same inputs in the same order give the same
// outputs, which is what the cluster simulator (tests/sim) relies on.
//
// Values are opaque block bytes plus their block hash (SHA-256, 32 bytes). The
// application decides validity (BlockValidated) and builds blocks (BlockBuilt);
// signing and verification go through Signer and Verifier.
//
// ---------------------------------------------------------------------------
// Driver contract (what the node, or the simulator, must do)
//
//   Output out = core.Handle(event);
//   for (const Action& a : out.actions) execute a, IN ORDER;
//   if (!out.status.ok()) log/count the refused input (the actions still apply).
//
// Actions:
//   WriteWal{entry}        Append the entry to the WAL and make it durable (fsync)
//                          BEFORE executing the next action. The core always emits
//                          WriteWal right before the Broadcast of a message it
//                          signed for the first time, so "persist, then send" is
//                          simply "execute actions in order". If the WAL write
//                          fails, stop the node: do not execute further actions.
//   Broadcast{message}     Gossip the proposal or vote to all validator peers. The
//                          core has already taken its own message into account.
//                          After re-proposing its valid value the core also
//                          broadcasts the prevotes (of others) that justify it.
//   ScheduleTimeout{h,r,s,ms}  After `ms` milliseconds deliver TimeoutFired{h,r,s}.
//                          Never cancel: stale timeouts are ignored by the core.
//   BuildBlock{h,r}        This node proposes: build a block for height h (the
//                          header carries the state root after h-1) and deliver
//                          BlockBuilt{h,r,block,hash}. Late answers are ignored.
//   ValidateBlock{h,block,hash}  Check the block (decodes, BlockHash(block) ==
//                          hash, header fits the chain, txs valid) and deliver
//                          BlockValidated{h,hash,valid}. Asked once per hash.
//   Commit{h,r,block,hash,commit}  The block is decided. Store block + commit
//                          durably and apply it, then reset the WAL (the entries
//                          of height h are no longer needed) and deliver
//                          StartHeight{h+1, validators of h+1}. The core ignores
//                          everything of height h after Commit.
//   ReportEvidence{evidence}  A validator double-voted: add the evidence to the
//                          evidence pool, gossip it, include it in a block.
//
// Events:
//   StartHeight{h, validators, wal}  Starts height h (the first one after boot
//                          too). `wal` = every entry read from the WAL at boot
//                          (entries of other heights are ignored); empty later.
//                          A restarted core never signs a different proposal or
//                          vote for a (height, round, step) found in the WAL: it
//                          re-sends the logged one, and it restores its lock.
//   ProposalReceived, VoteReceived  From peers (any order, duplicates allowed).
//   TimeoutFired, BlockBuilt, BlockValidated  Answers to the actions above.
//   CommitReceived{block, hash, commit}  A decided block of the CURRENT height
//                          fetched by block sync: the core checks the commit
//                          certificate (> 2/3 power of valid precommits for hash)
//                          and emits Commit. The driver must check that the block
//                          hashes to `hash` (the core does not parse blocks).
//
// Refused inputs come back as out.status: MALFORMED_VOTE, MALFORMED_PROPOSAL,
// BAD_SIGNATURE, NOT_A_VALIDATOR, NOT_PROPOSER, CONFLICTING_PROPOSAL, BAD_COMMIT,
// BAD_BLOCK (BlockBuilt), NOT_STARTED, STALE_START, UNKNOWN_SIGNER (below); and
// two that are not faults:
// STALE_HEIGHT (the sender is behind: out.hint is set, the driver may send it
// blocks) and FUTURE_HEIGHT (a message for a height past the next one).
//
// Height claims are worth only their signatures. A message for a height past the
// next one is first checked: a signer outside the current validator set is
// refused (UNKNOWN_SIGNER: no signature check, and no fault of the sender, as the
// set may have changed at heights this node has not reached), a bad signature of
// a validator's key too (BAD_SIGNATURE: a fault of whoever sent the message).
// A verified one is remembered as that validator's
// highest height seen (one signature check per validator and new height). Only
// when validators holding > 1/3 of the power have signed messages for heights >=
// H (so at least one correct validator has committed H - 1) does FUTURE_HEIGHT
// come with out.hint = {kSenderAhead, H}: this node is behind, proven, and the
// driver should run block sync. One Byzantine validator, or any number of
// unsigned claims, never sets that hint.
//
// Liveness needs gossip that eventually reaches everyone: GossipMessages() lists
// what the driver should periodically re-send to peers that may have missed it.
//
// Bounded memory: votes and proposals are stored only for rounds up to
// current + max_future_rounds; for rounds beyond, only the highest round seen
// per validator is kept (enough to skip rounds on > 1/3 of the power). Messages
// for height h+1 are buffered (verified, current validators only, rounds up to
// max_future_rounds, one per validator/round/kind, proposals only from the
// proposer of their round); other heights are dropped (for heights further ahead
// only the highest height per current validator is kept).
//
// Not thread-safe: one driver thread calls Handle. Not copyable or movable.
#pragma once

#include <map>
#include <optional>
#include <tuple>
#include <variant>
#include <vector>

#include "consensus/consensus.pb.h"
#include "consensus/messages.h"
#include "consensus/signer.h"
#include "consensus/validator_set.h"
#include "consensus/vote_set.h"
#include "crypto/base/status.h"

namespace civic::consensus {

enum class Step : uint8_t { kPropose = 1, kPrevote = 2, kPrecommit = 3 };
const char* StepName(Step step);

// Timeout for (step, round) = base + min(round, max_growth_rounds) * delta.
struct TimeoutConfig {
  uint64_t propose_ms = 3000;
  uint64_t propose_delta_ms = 500;
  uint64_t prevote_ms = 1000;
  uint64_t prevote_delta_ms = 500;
  uint64_t precommit_ms = 1000;
  uint64_t precommit_delta_ms = 500;
  uint32_t max_growth_rounds = 1000;

  uint64_t Duration(Step step, uint32_t round) const;
  bool operator==(const TimeoutConfig&) const = default;
};

struct CoreOptions {
  std::string chain_id;
  TimeoutConfig timeouts;
  // Rounds (current, current + max_future_rounds] are stored in full.
  uint32_t max_future_rounds = 8;
  size_t max_block_bytes = 32 * 1024 * 1024;
  // TEST ONLY. Prevote for any valid proposal, ignoring lockedRound/lockedValue
  // (Algorithm 1 lines 22-33 without the lock condition). This breaks safety on
  // purpose so the simulator can prove it detects forks. Never set it in a node.
  bool unsafe_ignore_lock_for_testing = false;
};

// ---- Events ----------------------------------------------------------------
struct StartHeight {
  uint64_t height = 0;
  ValidatorSet validators;
  std::vector<pb::ConsensusWalEntry> wal;
};
struct ProposalReceived {
  pb::BlockProposal proposal;
};
struct VoteReceived {
  pb::Vote vote;
};
struct TimeoutFired {
  uint64_t height = 0;
  uint32_t round = 0;
  Step step = Step::kPropose;
};
struct BlockBuilt {
  uint64_t height = 0;
  uint32_t round = 0;
  Bytes block;
  Bytes block_hash;
};
struct BlockValidated {
  uint64_t height = 0;
  Bytes block_hash;
  bool valid = false;
};
struct CommitReceived {
  Bytes block;
  Bytes block_hash;
  pb::Commit commit;
};
using Event = std::variant<StartHeight, ProposalReceived, VoteReceived, TimeoutFired, BlockBuilt,
                           BlockValidated, CommitReceived>;

// ---- Actions ---------------------------------------------------------------
struct WriteWal {
  pb::ConsensusWalEntry entry;
};
struct Broadcast {
  pb::ConsensusMessage message;
};
struct ScheduleTimeout {
  uint64_t height = 0;
  uint32_t round = 0;
  Step step = Step::kPropose;
  uint64_t duration_ms = 0;
};
struct BuildBlock {
  uint64_t height = 0;
  uint32_t round = 0;
};
struct ValidateBlock {
  uint64_t height = 0;
  Bytes block;
  Bytes block_hash;
};
struct Commit {
  uint64_t height = 0;
  uint32_t round = 0;
  Bytes block;
  Bytes block_hash;
  pb::Commit commit;
};
struct ReportEvidence {
  pb::Evidence evidence;
};
using Action = std::variant<WriteWal, Broadcast, ScheduleTimeout, BuildBlock, ValidateBlock,
                            Commit, ReportEvidence>;

// What a message refused for its height tells about where its sender is. Not a
// fault of the sender: a hint for block sync.
struct HeightHint {
  enum class Kind : uint8_t {
    kSenderBehind,  // STALE_HEIGHT: for a height this node has passed
    kSenderAhead,   // FUTURE_HEIGHT: for a height this node has not reached
  };
  Kind kind = Kind::kSenderBehind;
  // kSenderBehind: the height the refused message is for. kSenderAhead: the
  // highest height H that validators with > 1/3 of the power signed messages
  // for (H or above), so H - 1 is committed.
  uint64_t height = 0;
};

struct Output {
  std::vector<Action> actions;
  Status status;                   // why the input was refused, if it was
  std::optional<HeightHint> hint;  // set with STALE_HEIGHT, and with FUTURE_HEIGHT once proven
};

class Core {
 public:
  // `signer` may be null (a core that follows and never signs); both must outlive
  // the core. A signer whose key is not in a height's validator set does not sign.
  Core(CoreOptions options, const Signer* signer, const Verifier* verifier);
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  Output Handle(const Event& event);

  // Messages of the current height worth re-sending to peers: the proposals of
  // the current and valid rounds, the votes of the current and previous round,
  // the prevotes of the valid round and of the rounds those proposals cite, and
  // precommit quorums for a block.
  std::vector<pb::ConsensusMessage> GossipMessages() const;

  bool started() const { return started_; }
  uint64_t height() const { return height_; }
  uint32_t round() const { return round_; }
  Step step() const { return step_; }
  bool decided() const { return decided_; }
  int64_t locked_round() const { return locked_round_; }
  const Bytes& locked_hash() const { return locked_hash_; }
  int64_t valid_round() const { return valid_round_; }
  const Bytes& valid_hash() const { return valid_hash_; }
  const ValidatorSet& validators() const { return validators_; }
  const CoreOptions& options() const { return options_; }
  // Memory in use, for metrics and tests: rounds with stored votes or proposals,
  // and buffered messages of the next height.
  size_t rounds_stored() const { return rounds_.size(); }
  size_t next_height_buffered() const { return next_height_.size(); }
  // The highest height H past the next one such that validators of the current
  // set holding > 1/3 of the power signed messages for H or above (0 if none).
  uint64_t proven_future_height() const;

 private:
  enum class Validity { kUnknown, kValid, kInvalid };
  struct BlockInfo {
    Bytes block;
    Validity validity = Validity::kUnknown;
  };
  struct RoundState {
    std::optional<pb::BlockProposal> proposal;
    bool other_block_kept = false;  // the block of a conflicting proposal is in blocks_
    std::optional<VoteSet> prevotes;
    std::optional<VoteSet> precommits;
  };

  void OnStartHeight(const StartHeight& e);
  void OnProposal(const pb::BlockProposal& p);
  void OnVote(const pb::Vote& v);
  void OnTimeout(const TimeoutFired& e);
  void OnBlockBuilt(const BlockBuilt& e);
  void OnBlockValidated(const BlockValidated& e);
  void OnCommitReceived(const CommitReceived& e);

  // Height/round admission shared by proposals and votes (exactly one of `vote`
  // and `proposal` is set); true = go on.
  bool AdmitHeight(uint64_t height, const pb::Vote* vote, const pb::BlockProposal* proposal,
                   const pb::PublicKey& signer, uint32_t round, uint32_t kind);
  Status VerifySignature(const pb::Vote* vote, const pb::BlockProposal* proposal) const;
  // A message for a height past the next one: checked, remembered, hinted if proven.
  void NoteFutureHeight(uint64_t height, const pb::Vote* vote, const pb::BlockProposal* proposal,
                        const pb::PublicKey& signer);
  void Restore(const pb::ConsensusWalEntry& entry, uint32_t* max_round);
  void AcceptProposal(const pb::BlockProposal& p, bool own);
  void AddVote(const pb::Vote& v, size_t validator_index);
  void NoteRound(size_t validator_index, uint32_t round);
  VoteSet& Votes(uint32_t round, VoteType type);
  const VoteSet* FindVotes(uint32_t round, VoteType type) const;
  const pb::BlockProposal* FindProposal(uint32_t round) const;

  // Algorithm 1.
  void StartRound(uint32_t round);
  void Propose(const Bytes& block, const Bytes& block_hash, int32_t pol_round);
  void CastVote(VoteType type, const Bytes& block_hash);
  void Advance();
  bool TryDecide();
  bool TrySkipRound();
  bool TryProposalVote();
  bool TryPrevoteTimeout();
  bool TryPolka();
  bool TryNilPolka();
  bool TryPrecommitTimeout();
  void Decide(uint32_t round, const Bytes& block_hash, const Bytes& block, pb::Commit commit);

  bool IsValidator() const { return my_index_.has_value(); }
  bool IsMe(const crypto::PublicKey& key) const;
  void Emit(Action action) { out_.actions.push_back(std::move(action)); }
  void Refuse(Status status);
  void RefuseHeight(HeightHint::Kind kind, uint64_t height);
  void Schedule(Step step);

  const CoreOptions options_;
  const Signer* const signer_;
  const Verifier* const verifier_;
  bool ignore_lock_;

  // Height state.
  bool started_ = false;
  uint64_t height_ = 0;
  ValidatorSet validators_;
  std::optional<size_t> my_index_;
  uint32_t round_ = 0;
  Step step_ = Step::kPropose;
  bool decided_ = false;
  int64_t locked_round_ = -1;
  Bytes locked_hash_;
  int64_t valid_round_ = -1;
  Bytes valid_hash_;
  std::map<uint32_t, RoundState> rounds_;
  std::map<Bytes, BlockInfo> blocks_;        // by block hash, from proposals of this height
  std::vector<int64_t> max_round_seen_;      // by validator index; -1 = none
  std::map<uint32_t, pb::BlockProposal> own_proposals_;                // by round
  std::map<std::pair<uint32_t, uint32_t>, pb::Vote> own_votes_;        // by (round, type)

  // "For the first time" guards of the current round.
  bool prevote_timeout_scheduled_ = false;
  bool precommit_timeout_scheduled_ = false;
  bool polka_seen_ = false;

  // Verified messages for height_ + 1 by (validator key, round, kind).
  std::map<std::tuple<Bytes, uint32_t, uint32_t>, pb::ConsensusMessage> next_height_;
  // Highest height > height_ + 1 of a verified message, by current validator key.
  std::map<crypto::PublicKey, uint64_t> future_heights_;

  Output out_;
};

}  // namespace civic::consensus
