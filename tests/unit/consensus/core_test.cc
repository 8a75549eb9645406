// The rules of Algorithm 1 one at a time, WAL replay, and bad input.
#include <gtest/gtest.h>

#include "consensus/core.h"
#include "ledger/block.h"
#include "tests/unit/consensus/test_util.h"

namespace civic::consensus {
namespace {

using testing::ActionsOf;
using testing::HashOf;
using testing::kChain;
using testing::SentProposals;
using testing::SentVotes;

const Bytes kNil;

class CoreTest : public ::testing::Test {
 protected:
  static CoreOptions Options() {
    CoreOptions o;
    o.chain_id = kChain;
    o.timeouts = TimeoutConfig{100, 10, 50, 5, 60, 6, 1000};
    return o;
  }

  void Make(size_t me, CoreOptions options = Options()) {
    me_ = me;
    core_ = std::make_unique<Core>(options, &v_.signer(me), &verifier_);
  }

  // Collects the output of several inputs into one.
  void Merge(Output* into, Output from) {
    for (Action& a : from.actions) into->actions.push_back(std::move(a));
    if (into->status.ok()) into->status = from.status;
  }

  Output Start(uint64_t h = 1, std::vector<pb::ConsensusWalEntry> wal = {}) {
    Output out = core_->Handle(StartHeight{h, v_.set, std::move(wal)});
    Record(out);
    return out;
  }
  Output Vote(size_t who, VoteType type, uint32_t round, const Bytes& hash, uint64_t h = 1) {
    return Feed(VoteReceived{MakeVote(kChain, type, h, round, hash, v_.signer(who))});
  }
  Output Votes(std::vector<size_t> who, VoteType type, uint32_t round, const Bytes& hash, uint64_t h = 1) {
    Output out;
    for (size_t w : who) Merge(&out, Vote(w, type, round, hash, h));
    return out;
  }
  pb::BlockProposal ProposalFor(uint32_t round, const Bytes& block, int32_t pol = -1, uint64_t h = 1) {
    return MakeProposal(kChain, h, round, pol, block, HashOf(block), v_.signer(v_.set.ProposerIndex(h, round)));
  }
  Output Propose(uint32_t round, const Bytes& block, int32_t pol = -1, uint64_t h = 1) {
    return Feed(ProposalReceived{ProposalFor(round, block, pol, h)});
  }
  Output Validated(const Bytes& block, bool valid = true, uint64_t h = 1) {
    return Feed(BlockValidated{h, HashOf(block), valid});
  }
  // A proposal answered by the application at once.
  Output ProposeValid(uint32_t round, const Bytes& block, int32_t pol = -1) {
    Output out = Propose(round, block, pol);
    Merge(&out, Validated(block));
    return out;
  }
  Output Timeout(uint32_t round, Step step, uint64_t h = 1) { return Feed(TimeoutFired{h, round, step}); }
  Output Feed(const Event& e) {
    Output out = core_->Handle(e);
    Record(out);
    return out;
  }
  // Moves from round r to r+1 through three nil precommits and the precommit timeout.
  void NextRound(uint32_t r) {
    Votes(Others(3), VoteType::kPrecommit, r, kNil);
    Timeout(r, Step::kPrecommit);
    ASSERT_EQ(core_->round(), r + 1);
  }
  std::vector<size_t> Others(size_t n) const {
    std::vector<size_t> out;
    for (size_t i = 0; i < v_.set.size() && out.size() < n; ++i) {
      if (i != me_) out.push_back(i);
    }
    return out;
  }
  void Record(const Output& out) {
    for (const WriteWal& w : ActionsOf<WriteWal>(out)) wal_.push_back(w.entry);
  }

  testing::Validators v_{4};
  CryptoVerifier verifier_;
  std::unique_ptr<Core> core_;
  size_t me_ = 0;
  std::vector<pb::ConsensusWalEntry> wal_;  // everything this core asked to log
  const Bytes block_a_ = "block A";
  const Bytes block_b_ = "block B";
  const Bytes hash_a_ = HashOf(block_a_);
  const Bytes hash_b_ = HashOf(block_b_);
};

// Height 1: proposer(1, r) = (1 + r) % 4, so validator 0 proposes round 3,
// validator 1 round 0, validator 2 round 1, validator 3 round 2.

TEST_F(CoreTest, TimeoutsGrowPerRound) {
  TimeoutConfig t{100, 10, 50, 5, 60, 6, 3};
  EXPECT_EQ(t.Duration(Step::kPropose, 0), 100u);
  EXPECT_EQ(t.Duration(Step::kPropose, 2), 120u);
  EXPECT_EQ(t.Duration(Step::kPrevote, 2), 60u);
  EXPECT_EQ(t.Duration(Step::kPrecommit, 2), 72u);
  EXPECT_EQ(t.Duration(Step::kPropose, 1u << 30), 130u);  // growth capped: no overflow

  Make(0);
  Output out = Start();
  std::vector<ScheduleTimeout> ts = ActionsOf<ScheduleTimeout>(out);
  ASSERT_EQ(ts.size(), 1u);
  EXPECT_EQ(ts[0].step, Step::kPropose);
  EXPECT_EQ(ts[0].round, 0u);
  EXPECT_EQ(ts[0].duration_ms, 100u);
  EXPECT_TRUE(ActionsOf<BuildBlock>(out).empty());  // not the proposer
  NextRound(0);
  NextRound(1);
  // Round 2 started with a longer propose timeout.
  Output r3;
  Merge(&r3, Votes(Others(3), VoteType::kPrecommit, 2, kNil));
  std::vector<ScheduleTimeout> pc = ActionsOf<ScheduleTimeout>(r3);
  ASSERT_EQ(pc.size(), 1u);
  EXPECT_EQ(pc[0].step, Step::kPrecommit);  // line 47
  EXPECT_EQ(pc[0].duration_ms, 60u + 2 * 6);
  Output next = Timeout(2, Step::kPrecommit);
  std::vector<ScheduleTimeout> p3 = ActionsOf<ScheduleTimeout>(next);
  ASSERT_EQ(p3.size(), 1u);
  EXPECT_EQ(p3[0].round, 3u);
  EXPECT_EQ(p3[0].duration_ms, 130u);
  EXPECT_EQ(ActionsOf<BuildBlock>(next).size(), 1u);  // validator 0 proposes round 3
}

TEST_F(CoreTest, ProposerLogsBeforeSending) {
  Make(1);
  Output out = Start();
  std::vector<BuildBlock> build = ActionsOf<BuildBlock>(out);
  ASSERT_EQ(build.size(), 1u);
  EXPECT_EQ(build[0].height, 1u);
  EXPECT_EQ(build[0].round, 0u);
  Output built = Feed(BlockBuilt{1, 0, block_a_, hash_a_});
  // WAL(proposal), Broadcast(proposal), WAL(prevote), Broadcast(prevote): every
  // broadcast of a new message right after its WAL entry.
  ASSERT_GE(built.actions.size(), 4u);
  for (size_t i = 0; i < built.actions.size(); ++i) {
    const Broadcast* b = std::get_if<Broadcast>(&built.actions[i]);
    if (!b) continue;
    ASSERT_GT(i, 0u);
    const WriteWal* w = std::get_if<WriteWal>(&built.actions[i - 1]);
    ASSERT_NE(w, nullptr) << "broadcast " << i << " not preceded by its WAL entry";
    if (b->message.has_vote()) {
      EXPECT_EQ(w->entry.vote().SerializeAsString(), b->message.vote().SerializeAsString());
    } else {
      EXPECT_EQ(w->entry.proposal().SerializeAsString(), b->message.proposal().SerializeAsString());
    }
  }
  std::vector<pb::BlockProposal> props = SentProposals(built);
  ASSERT_EQ(props.size(), 1u);
  EXPECT_EQ(props[0].pol_round(), -1);
  EXPECT_EQ(props[0].block(), block_a_);
  std::vector<pb::Vote> prevotes = SentVotes(built, VoteType::kPrevote);
  ASSERT_EQ(prevotes.size(), 1u);
  EXPECT_EQ(prevotes[0].block_hash(), hash_a_);  // own block needs no validation
  EXPECT_TRUE(ActionsOf<ValidateBlock>(built).empty());
  // A late or unasked-for block is ignored.
  EXPECT_TRUE(Feed(BlockBuilt{1, 0, block_b_, hash_b_}).actions.empty());
}

TEST_F(CoreTest, PrevoteWaitsForValidationThenVotesBlock) {  // line 22
  Make(0);
  Start();
  Output got = Propose(0, block_a_);
  std::vector<ValidateBlock> asks = ActionsOf<ValidateBlock>(got);
  ASSERT_EQ(asks.size(), 1u);
  EXPECT_EQ(asks[0].block, block_a_);
  EXPECT_EQ(asks[0].block_hash, hash_a_);
  EXPECT_TRUE(SentVotes(got, VoteType::kPrevote).empty());
  EXPECT_TRUE(Propose(0, block_a_).actions.empty());  // duplicate: nothing new
  std::vector<pb::Vote> pv = SentVotes(Validated(block_a_), VoteType::kPrevote);
  ASSERT_EQ(pv.size(), 1u);
  EXPECT_EQ(pv[0].block_hash(), hash_a_);
  EXPECT_EQ(core_->step(), Step::kPrevote);
}

TEST_F(CoreTest, InvalidProposalGetsNilPrevote) {  // line 22, not valid(v)
  Make(0);
  Start();
  Propose(0, block_a_);
  std::vector<pb::Vote> pv = SentVotes(Validated(block_a_, false), VoteType::kPrevote);
  ASSERT_EQ(pv.size(), 1u);
  EXPECT_EQ(pv[0].block_hash(), kNil);
}

TEST_F(CoreTest, ProposeTimeoutPrevotesNil) {  // line 57
  Make(0);
  Start();
  EXPECT_TRUE(Timeout(0, Step::kPrevote).actions.empty());  // wrong step: stale
  std::vector<pb::Vote> pv = SentVotes(Timeout(0, Step::kPropose), VoteType::kPrevote);
  ASSERT_EQ(pv.size(), 1u);
  EXPECT_EQ(pv[0].block_hash(), kNil);
  EXPECT_TRUE(Timeout(0, Step::kPropose).actions.empty());  // fired twice: ignored
}

TEST_F(CoreTest, PrevoteQuorumSchedulesTimeoutAndNilPolkaPrecommitsNil) {  // lines 34, 44, 61
  Make(0);
  Start();
  Timeout(0, Step::kPropose);  // own prevote nil
  Output mixed = Votes({1, 2}, VoteType::kPrevote, 0, hash_a_);
  std::vector<ScheduleTimeout> ts = ActionsOf<ScheduleTimeout>(mixed);
  ASSERT_EQ(ts.size(), 1u);
  EXPECT_EQ(ts[0].step, Step::kPrevote);
  EXPECT_EQ(ts[0].duration_ms, 50u);
  EXPECT_TRUE(SentVotes(mixed, VoteType::kPrecommit).empty());
  std::vector<pb::Vote> pc = SentVotes(Timeout(0, Step::kPrevote), VoteType::kPrecommit);
  ASSERT_EQ(pc.size(), 1u);
  EXPECT_EQ(pc[0].block_hash(), kNil);

  // A fresh core: a nil polka precommits nil at once.
  Make(0);
  Start();
  Timeout(0, Step::kPropose);
  std::vector<pb::Vote> nil_pc = SentVotes(Votes({1, 2}, VoteType::kPrevote, 0, kNil), VoteType::kPrecommit);
  ASSERT_EQ(nil_pc.size(), 1u);
  EXPECT_EQ(nil_pc[0].block_hash(), kNil);
  EXPECT_EQ(core_->locked_round(), -1);
}

TEST_F(CoreTest, PolkaLocksAndPrecommits) {  // line 36
  Make(0);
  Start();
  ProposeValid(0, block_a_);
  Output polka = Votes({1, 2}, VoteType::kPrevote, 0, hash_a_);
  std::vector<pb::Vote> pc = SentVotes(polka, VoteType::kPrecommit);
  ASSERT_EQ(pc.size(), 1u);
  EXPECT_EQ(pc[0].block_hash(), hash_a_);
  EXPECT_EQ(core_->locked_round(), 0);
  EXPECT_EQ(core_->locked_hash(), hash_a_);
  EXPECT_EQ(core_->valid_round(), 0);
  EXPECT_EQ(core_->valid_hash(), hash_a_);
  // The WAL entry of a precommit for a block carries the block (to restore the lock).
  std::vector<WriteWal> w = ActionsOf<WriteWal>(polka);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].entry.locked_block(), block_a_);
  EXPECT_EQ(w[0].entry.pol_size(), 3);  // and the proof of lock
}

TEST_F(CoreTest, PolkaAfterPrecommitSetsValidValueOnly) {  // line 36 with step = precommit
  Make(0);
  Start();
  Propose(0, block_a_);
  Timeout(0, Step::kPropose);  // prevote nil: the application has not answered yet
  Votes({1, 2}, VoteType::kPrevote, 0, hash_a_);  // 3 prevotes, no majority
  Timeout(0, Step::kPrevote);                    // precommit nil
  ASSERT_EQ(core_->step(), Step::kPrecommit);
  Validated(block_a_);
  Output polka = Vote(3, VoteType::kPrevote, 0, hash_a_);  // 3 of 4 for A
  EXPECT_TRUE(SentVotes(polka, VoteType::kPrecommit).empty());
  EXPECT_EQ(core_->locked_round(), -1);
  EXPECT_EQ(core_->valid_round(), 0);
  EXPECT_EQ(core_->valid_hash(), hash_a_);
}

TEST_F(CoreTest, LockedNodePrevotesNilForOtherBlock) {  // line 23: lockedValue != v
  Make(0);
  Start();
  ProposeValid(0, block_a_);
  Votes({1, 2}, VoteType::kPrevote, 0, hash_a_);
  ASSERT_EQ(core_->locked_hash(), hash_a_);
  NextRound(0);
  std::vector<pb::Vote> pv = SentVotes(ProposeValid(1, block_b_), VoteType::kPrevote);
  ASSERT_EQ(pv.size(), 1u);
  EXPECT_EQ(pv[0].block_hash(), kNil);
  // The locked block itself is fine.
  NextRound(1);
  std::vector<pb::Vote> again = SentVotes(Propose(2, block_a_), VoteType::kPrevote);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].block_hash(), hash_a_);
}

TEST_F(CoreTest, TestOnlyKnobIgnoresTheLock) {
  CoreOptions o = Options();
  o.unsafe_ignore_lock_for_testing = true;
  Make(0, o);
  Start();
  ProposeValid(0, block_a_);
  Votes({1, 2}, VoteType::kPrevote, 0, hash_a_);
  ASSERT_EQ(core_->locked_hash(), hash_a_);
  NextRound(0);
  std::vector<pb::Vote> pv = SentVotes(ProposeValid(1, block_b_), VoteType::kPrevote);
  ASSERT_EQ(pv.size(), 1u);
  EXPECT_EQ(pv[0].block_hash(), hash_b_);  // unsafe, as documented
}

TEST_F(CoreTest, LaterPolkaUnlocks) {  // line 28-29: lockedRound <= vr
  Make(0);
  Start();
  ProposeValid(0, block_a_);
  Votes({1, 2}, VoteType::kPrevote, 0, hash_a_);
  ASSERT_EQ(core_->locked_round(), 0);
  NextRound(0);
  // Round 1: no proposal reaches us; the others form a polka for B.
  Timeout(1, Step::kPropose);
  Votes({1, 2, 3}, VoteType::kPrevote, 1, hash_b_);
  Timeout(1, Step::kPrevote);
  NextRound(1);
  // Round 2 re-proposes B citing the round-1 polka: the lock (round 0) yields.
  std::vector<pb::Vote> pv = SentVotes(ProposeValid(2, block_b_, /*pol=*/1), VoteType::kPrevote);
  ASSERT_EQ(pv.size(), 1u);
  EXPECT_EQ(pv[0].block_hash(), hash_b_);
}

TEST_F(CoreTest, PolRoundWithoutItsPolkaWaits) {  // line 28 needs the 2f+1 prevotes
  Make(0);
  Start();
  ProposeValid(0, block_a_);
  Votes({1, 2}, VoteType::kPrevote, 0, hash_a_);
  NextRound(0);
  NextRound(1);
  Output out = ProposeValid(2, block_b_, /*pol=*/1);  // cites a polka we never saw
  EXPECT_TRUE(SentVotes(out, VoteType::kPrevote).empty());
  Output late = Votes({1, 2, 3}, VoteType::kPrevote, 1, hash_b_);
  std::vector<pb::Vote> pv = SentVotes(late, VoteType::kPrevote);
  ASSERT_EQ(pv.size(), 1u);
  EXPECT_EQ(pv[0].block_hash(), hash_b_);
}

TEST_F(CoreTest, ProposerReproposesValidValue) {  // line 15-16
  Make(3);  // proposes round 2
  Start();
  ProposeValid(0, block_a_);
  Votes(Others(2), VoteType::kPrevote, 0, hash_a_);
  ASSERT_EQ(core_->valid_hash(), hash_a_);
  NextRound(0);
  Timeout(1, Step::kPropose);
  Votes(Others(3), VoteType::kPrecommit, 1, kNil);
  Output r2 = Timeout(1, Step::kPrecommit);
  EXPECT_TRUE(ActionsOf<BuildBlock>(r2).empty());
  std::vector<pb::BlockProposal> props = SentProposals(r2);
  ASSERT_EQ(props.size(), 1u);
  EXPECT_EQ(props[0].round(), 2u);
  EXPECT_EQ(props[0].pol_round(), 0);
  EXPECT_EQ(props[0].block(), block_a_);
  EXPECT_EQ(props[0].block_hash(), hash_a_);
  // With the proposal go the prevotes that justify it (line 28 at the peers).
  size_t pol = 0;
  for (const pb::Vote& pv : SentVotes(r2, VoteType::kPrevote)) pol += pv.round() == 0 && pv.block_hash() == hash_a_;
  EXPECT_EQ(pol, 3u);
}

TEST_F(CoreTest, RoundSkipOnOneThird) {  // line 55
  Make(0);
  Start();
  Output one = Vote(1, VoteType::kPrevote, 5, kNil);
  EXPECT_EQ(core_->round(), 0u);  // f = 1 validator: not enough
  EXPECT_TRUE(one.actions.empty());
  Output two = Vote(2, VoteType::kPrecommit, 5, kNil);
  EXPECT_EQ(core_->round(), 5u);
  EXPECT_EQ(core_->step(), Step::kPropose);
  std::vector<ScheduleTimeout> ts = ActionsOf<ScheduleTimeout>(two);
  ASSERT_FALSE(ts.empty());
  EXPECT_EQ(ts[0].round, 5u);
  EXPECT_EQ(ts[0].duration_ms, 150u);
}

TEST_F(CoreTest, FarFutureRoundsUseBoundedMemory) {
  Make(0);
  Start();
  // One faulty validator claims ever higher rounds: no skip, nothing stored.
  for (uint32_t r = 100; r <= 100000; r += 100) {
    Output out = Vote(1, r % 200 ? VoteType::kPrevote : VoteType::kPrecommit, r, kNil);
    EXPECT_TRUE(out.status.ok());
  }
  EXPECT_EQ(core_->round(), 0u);
  EXPECT_LE(core_->rounds_stored(), 1u);
  // Rounds just ahead are stored (they may be needed soon), bounded by the window.
  for (uint32_t r = 1; r <= 50; ++r) Vote(1, VoteType::kPrevote, r, kNil);
  EXPECT_LE(core_->rounds_stored(), 1u + Options().max_future_rounds);
  // A huge round is refused outright.
  EXPECT_EQ(Vote(2, VoteType::kPrevote, kMaxRound + 1, kNil).status.app_code(), "MALFORMED_VOTE");
  // A second validator far ahead: > 1/3 of the power is there, so skip to the
  // highest round both reached.
  Vote(2, VoteType::kPrevote, 70000, kNil);
  EXPECT_EQ(core_->round(), 70000u);
}

TEST_F(CoreTest, DecidesWithCertificate) {  // line 49
  Make(0);
  Start();
  ProposeValid(0, block_a_);
  Votes({1, 2}, VoteType::kPrevote, 0, hash_a_);
  Output out = Votes({1, 2}, VoteType::kPrecommit, 0, hash_a_);
  std::vector<Commit> commits = ActionsOf<Commit>(out);
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].height, 1u);
  EXPECT_EQ(commits[0].round, 0u);
  EXPECT_EQ(commits[0].block, block_a_);
  EXPECT_EQ(commits[0].block_hash, hash_a_);
  Status st = ledger::VerifyCommit(kChain, v_.set.ToProto(), commits[0].commit, 1, hash_a_);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(core_->decided());
  // Nothing of height 1 matters any more.
  EXPECT_TRUE(Vote(3, VoteType::kPrecommit, 0, hash_a_).actions.empty());
  EXPECT_TRUE(Timeout(0, Step::kPrecommit).actions.empty());
  Output h2 = Start(2);
  EXPECT_TRUE(h2.status.ok());
  EXPECT_EQ(core_->height(), 2u);
  EXPECT_EQ(core_->locked_round(), -1);
  Output stale = Vote(1, VoteType::kPrevote, 0, kNil, 1);
  EXPECT_EQ(stale.status.app_code(), "STALE_HEIGHT");
  ASSERT_TRUE(stale.hint.has_value());
  EXPECT_EQ(stale.hint->kind, HeightHint::Kind::kSenderBehind);
  EXPECT_EQ(stale.hint->height, 1u);
}

TEST_F(CoreTest, DecidesOnPrecommitsOfAnEarlierRound) {
  Make(0);
  Start();
  Propose(0, block_a_);
  Timeout(0, Step::kPropose);
  Votes({1, 2}, VoteType::kPrevote, 2, kNil);  // others went on to round 2
  ASSERT_EQ(core_->round(), 2u);
  EXPECT_TRUE(ActionsOf<Commit>(Votes({1, 2, 3}, VoteType::kPrecommit, 0, hash_a_)).empty());  // not validated yet
  std::vector<Commit> commits = ActionsOf<Commit>(Validated(block_a_));
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].round, 0u);
}

TEST_F(CoreTest, DecidesTheOtherBlockOfAnEquivocatingProposer) {
  Make(0);
  Start();
  Propose(0, block_a_);
  Output other = Propose(0, block_b_);
  EXPECT_EQ(other.status.app_code(), "CONFLICTING_PROPOSAL");
  ASSERT_EQ(ActionsOf<ValidateBlock>(other).size(), 1u);  // kept, to decide it if need be
  EXPECT_EQ(ActionsOf<ValidateBlock>(other)[0].block_hash, hash_b_);
  // A third block of the same round is not kept (bounded memory).
  EXPECT_TRUE(ActionsOf<ValidateBlock>(Propose(0, "block C")).empty());
  Validated(block_b_);
  std::vector<Commit> commits = ActionsOf<Commit>(Votes({1, 2, 3}, VoteType::kPrecommit, 0, hash_b_));
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].block, block_b_);
}

TEST_F(CoreTest, DoubleVoteIsReported) {
  Make(0);
  Start();
  Vote(2, VoteType::kPrevote, 0, hash_a_);
  std::vector<ReportEvidence> ev = ActionsOf<ReportEvidence>(Vote(2, VoteType::kPrevote, 0, kNil));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_TRUE(VerifyEvidence(kChain, v_.set, ev[0].evidence, verifier_).ok());
}

TEST_F(CoreTest, RefusesBadInput) {
  Make(0);
  EXPECT_EQ(Vote(1, VoteType::kPrevote, 0, kNil).status.app_code(), "NOT_STARTED");
  Start();
  pb::Vote forged = MakeVote(kChain, VoteType::kPrevote, 1, 0, kNil, v_.signer(1));
  forged.set_block_hash(hash_a_);
  EXPECT_EQ(Feed(VoteReceived{forged}).status.app_code(), "BAD_SIGNATURE");
  KeyPairSigner outsider(testing::TestKey(99));
  EXPECT_EQ(Feed(VoteReceived{MakeVote(kChain, VoteType::kPrevote, 1, 0, kNil, outsider)}).status.app_code(),
            "NOT_A_VALIDATOR");
  // One validator of four ahead proves nothing; a second one (> 1/3) does.
  Output ahead = Vote(1, VoteType::kPrevote, 0, kNil, 3);
  EXPECT_EQ(ahead.status.app_code(), "FUTURE_HEIGHT");
  EXPECT_FALSE(ahead.hint.has_value());
  ahead = Vote(2, VoteType::kPrevote, 0, kNil, 3);
  EXPECT_EQ(ahead.status.app_code(), "FUTURE_HEIGHT");
  ASSERT_TRUE(ahead.hint.has_value());
  EXPECT_EQ(ahead.hint->kind, HeightHint::Kind::kSenderAhead);
  EXPECT_EQ(ahead.hint->height, 3u);
  EXPECT_FALSE(Feed(VoteReceived{pb::Vote()}).hint.has_value());
  pb::Vote bad_type = MakeVote(kChain, VoteType::kPrevote, 1, 0, kNil, v_.signer(1));
  bad_type.set_type(7);
  EXPECT_EQ(Feed(VoteReceived{bad_type}).status.app_code(), "MALFORMED_VOTE");
  EXPECT_EQ(Feed(VoteReceived{pb::Vote()}).status.app_code(), "MALFORMED_VOTE");
  // Proposals: wrong proposer, bad signature, malformed, conflicting.
  pb::BlockProposal wrong = MakeProposal(kChain, 1, 0, -1, block_a_, hash_a_, v_.signer(2));
  EXPECT_EQ(Feed(ProposalReceived{wrong}).status.app_code(), "NOT_PROPOSER");
  pb::BlockProposal tampered = ProposalFor(0, block_a_);
  tampered.set_block("swapped bytes");
  EXPECT_EQ(Feed(ProposalReceived{tampered}).status.app_code(), "BAD_SIGNATURE");
  EXPECT_EQ(Feed(ProposalReceived{pb::BlockProposal()}).status.app_code(), "MALFORMED_PROPOSAL");
  EXPECT_TRUE(Propose(0, block_a_).status.ok());
  EXPECT_EQ(Propose(0, block_b_).status.app_code(), "CONFLICTING_PROPOSAL");
  EXPECT_EQ(Feed(StartHeight{1, v_.set, {}}).status.app_code(), "STALE_START");
  // Refused input changed nothing.
  EXPECT_EQ(core_->round(), 0u);
  EXPECT_EQ(core_->step(), Step::kPropose);
}

// A height claim counts only with valid signatures of current validators, and
// makes this node "behind" only once they hold > 1/3 of the power.
TEST_F(CoreTest, FutureHeightNeedsSignaturesOfOneThird) {
  Make(0);
  Start();
  const uint64_t huge = uint64_t{1} << 62;
  KeyPairSigner outsider(testing::TestKey(97));
  Output out = Feed(VoteReceived{MakeVote(kChain, VoteType::kPrevote, huge, 0, kNil, outsider)});
  EXPECT_EQ(out.status.app_code(), "UNKNOWN_SIGNER");
  EXPECT_FALSE(out.hint.has_value());
  pb::Vote forged = MakeVote(kChain, VoteType::kPrevote, huge, 0, kNil, v_.signer(1));
  forged.set_sig(Bytes(64, '\x07'));
  out = Feed(VoteReceived{forged});
  EXPECT_EQ(out.status.app_code(), "BAD_SIGNATURE");
  EXPECT_FALSE(out.hint.has_value());
  pb::BlockProposal far = MakeProposal(kChain, huge, 0, -1, block_a_, hash_a_, v_.signer(2));
  far.set_sig(Bytes(64, '\x07'));
  EXPECT_EQ(Feed(ProposalReceived{far}).status.app_code(), "BAD_SIGNATURE");
  EXPECT_EQ(core_->proven_future_height(), 0u);
  // One Byzantine validator (1/4 of the power) signing any height: not proven.
  for (int i = 0; i < 3; ++i) {
    out = Vote(1, VoteType::kPrevote, 0, kNil, huge - i);
    EXPECT_EQ(out.status.app_code(), "FUTURE_HEIGHT");
    EXPECT_FALSE(out.hint.has_value());
  }
  EXPECT_EQ(core_->proven_future_height(), 0u);
  // A second validator at height 5: > 1/3 signed heights >= 5, so height 4 is committed.
  out = Vote(2, VoteType::kPrecommit, 0, kNil, 5);
  ASSERT_TRUE(out.hint.has_value());
  EXPECT_EQ(out.hint->kind, HeightHint::Kind::kSenderAhead);
  EXPECT_EQ(out.hint->height, 5u);
  EXPECT_EQ(core_->proven_future_height(), 5u);
  // Consensus at height 1 went on untouched.
  EXPECT_EQ(core_->height(), 1u);
  EXPECT_EQ(core_->round(), 0u);
}

// Next-height proposals are buffered only from the proposer of their round.
TEST_F(CoreTest, NextHeightProposalsOnlyFromTheirProposer) {
  Make(0);
  Start();
  for (uint32_t r = 0; r <= Options().max_future_rounds; ++r) {
    const size_t proposer = v_.set.ProposerIndex(2, r);
    for (size_t who = 0; who < 4; ++who) {
      pb::BlockProposal p = MakeProposal(kChain, 2, r, -1, block_a_, hash_a_, v_.signer(who));
      Output out = Feed(ProposalReceived{p});
      if (who != proposer) {
        EXPECT_EQ(out.status.app_code(), "NOT_PROPOSER") << "round " << r << " by " << who;
      }
    }
  }
  EXPECT_EQ(core_->next_height_buffered(), Options().max_future_rounds + 1);
}

TEST_F(CoreTest, NextHeightMessagesAreBufferedBounded) {
  Make(0);
  Start();
  // f+1 validators already at height 2, round 3.
  Vote(1, VoteType::kPrevote, 3, kNil, 2);
  Vote(2, VoteType::kPrevote, 3, kNil, 2);
  Vote(2, VoteType::kPrevote, 3, kNil, 2);  // duplicate
  EXPECT_EQ(core_->next_height_buffered(), 2u);
  for (uint32_t r = 0; r < 100; ++r) Vote(3, VoteType::kPrecommit, r, kNil, 2);
  EXPECT_LE(core_->next_height_buffered(), 2u + Options().max_future_rounds + 1);
  KeyPairSigner outsider(testing::TestKey(98));
  Feed(VoteReceived{MakeVote(kChain, VoteType::kPrevote, 2, 0, kNil, outsider)});
  EXPECT_LE(core_->next_height_buffered(), 2u + Options().max_future_rounds + 1);
  pb::Vote forged = MakeVote(kChain, VoteType::kPrevote, 2, 1, kNil, v_.signer(1));
  forged.set_round(2);
  EXPECT_EQ(Feed(VoteReceived{forged}).status.app_code(), "BAD_SIGNATURE");
  // Commit height 1 through a certificate, start height 2: the buffer is replayed.
  ProposeValid(0, block_a_);
  Votes({1, 2}, VoteType::kPrevote, 0, hash_a_);
  ASSERT_EQ(ActionsOf<Commit>(Votes({1, 2}, VoteType::kPrecommit, 0, hash_a_)).size(), 1u);
  Start(2);
  EXPECT_EQ(core_->height(), 2u);
  EXPECT_EQ(core_->round(), 3u);  // skipped on the buffered round-3 votes
  EXPECT_EQ(core_->next_height_buffered(), 0u);
}

TEST_F(CoreTest, CommitFromBlockSync) {
  Make(0);
  Start();
  pb::Commit commit;
  commit.set_height(1);
  commit.set_round(4);
  commit.set_block_hash(hash_a_);
  for (size_t i : {1, 2}) {
    pb::Vote pc = MakeVote(kChain, VoteType::kPrecommit, 1, 4, hash_a_, v_.signer(i));
    pb::CommitSig* s = commit.add_sigs();
    *s->mutable_validator() = pc.validator();
    s->set_sig(pc.sig());
  }
  EXPECT_EQ(Feed(CommitReceived{block_a_, hash_a_, commit}).status.app_code(), "BAD_COMMIT");  // 2 of 4
  pb::Commit dup = commit;
  *dup.add_sigs() = commit.sigs(0);  // the same validator twice does not count twice
  EXPECT_EQ(Feed(CommitReceived{block_a_, hash_a_, dup}).status.app_code(), "BAD_COMMIT");
  pb::Commit forged = commit;
  pb::CommitSig* s3 = forged.add_sigs();
  *s3->mutable_validator() = MakeVote(kChain, VoteType::kPrecommit, 1, 4, hash_a_, v_.signer(3)).validator();
  s3->set_sig(commit.sigs(0).sig());
  EXPECT_EQ(Feed(CommitReceived{block_a_, hash_a_, forged}).status.app_code(), "BAD_COMMIT");
  EXPECT_EQ(Feed(CommitReceived{block_a_, hash_b_, commit}).status.app_code(), "BAD_COMMIT");
  pb::Commit good = commit;
  pb::Vote pc3 = MakeVote(kChain, VoteType::kPrecommit, 1, 4, hash_a_, v_.signer(3));
  pb::CommitSig* s = good.add_sigs();
  *s->mutable_validator() = pc3.validator();
  s->set_sig(pc3.sig());
  pb::Commit future = good;
  future.set_height(2);
  EXPECT_EQ(Feed(CommitReceived{block_a_, hash_a_, future}).status.app_code(), "FUTURE_HEIGHT");
  Output out = Feed(CommitReceived{block_a_, hash_a_, good});
  EXPECT_TRUE(out.status.ok()) << out.status.ToString();
  std::vector<Commit> commits = ActionsOf<Commit>(out);
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].round, 4u);
  EXPECT_EQ(commits[0].block, block_a_);
}

TEST_F(CoreTest, RestartResendsLoggedPrevoteInsteadOfSigningAgain) {
  Make(0);
  Start();
  ProposeValid(0, block_a_);  // prevote A, logged
  ASSERT_EQ(wal_.size(), 1u);
  const pb::Vote logged = wal_[0].vote();
  ASSERT_EQ(logged.block_hash(), hash_a_);

  Make(0);  // crash: a fresh core that only has the WAL
  std::vector<pb::ConsensusWalEntry> wal = wal_;
  wal_.clear();
  Start(1, wal);
  // The proposal never arrives again; the timeout would prevote nil, but the
  // node already signed a prevote for round 0: it re-sends that one.
  Output out = Timeout(0, Step::kPropose);
  std::vector<pb::Vote> pv = SentVotes(out, VoteType::kPrevote);
  ASSERT_EQ(pv.size(), 1u);
  EXPECT_EQ(pv[0].SerializeAsString(), logged.SerializeAsString());
  EXPECT_TRUE(ActionsOf<WriteWal>(out).empty());
}

TEST_F(CoreTest, RestartRestoresTheLock) {
  Make(0);
  Start();
  ProposeValid(0, block_a_);
  Votes({1, 2}, VoteType::kPrevote, 0, hash_a_);
  ASSERT_EQ(core_->locked_hash(), hash_a_);
  std::vector<pb::ConsensusWalEntry> wal = wal_;

  Make(0);
  Start(1, wal);
  EXPECT_EQ(core_->locked_round(), 0);
  EXPECT_EQ(core_->locked_hash(), hash_a_);
  // The proof of lock came back with it: the node can show peers why it is locked.
  size_t pol = 0;
  for (const pb::ConsensusMessage& m : core_->GossipMessages()) {
    pol += m.has_vote() && m.vote().round() == 0 && m.vote().type() == 1 && m.vote().block_hash() == hash_a_;
  }
  EXPECT_EQ(pol, 3u);
  NextRound(0);
  std::vector<pb::Vote> pv = SentVotes(ProposeValid(1, block_b_), VoteType::kPrevote);
  ASSERT_EQ(pv.size(), 1u);
  EXPECT_EQ(pv[0].block_hash(), kNil);  // still locked on A
}

TEST_F(CoreTest, RestartedProposerResendsItsProposal) {
  Make(1);
  Start();
  Feed(BlockBuilt{1, 0, block_a_, hash_a_});
  std::vector<pb::ConsensusWalEntry> wal = wal_;
  ASSERT_TRUE(wal[0].has_proposal());

  Make(1);
  Output out = Start(1, wal);
  EXPECT_TRUE(ActionsOf<BuildBlock>(out).empty());
  std::vector<pb::BlockProposal> props = SentProposals(out);
  ASSERT_EQ(props.size(), 1u);
  EXPECT_EQ(props[0].SerializeAsString(), wal[0].proposal().SerializeAsString());
  EXPECT_TRUE(Feed(BlockBuilt{1, 0, block_b_, hash_b_}).actions.empty());
}

TEST_F(CoreTest, RestartResumesAtTheLoggedRoundAndIgnoresOtherHeights) {
  Make(0);
  Start();
  NextRound(0);
  NextRound(1);
  Timeout(2, Step::kPropose);  // prevote nil in round 2
  std::vector<pb::ConsensusWalEntry> wal = wal_;
  pb::ConsensusWalEntry old;
  *old.mutable_vote() = MakeVote(kChain, VoteType::kPrevote, 7, 9, hash_a_, v_.signer(0));
  wal.push_back(old);
  pb::ConsensusWalEntry foreign;
  *foreign.mutable_vote() = MakeVote(kChain, VoteType::kPrevote, 1, 6, hash_a_, v_.signer(1));
  wal.push_back(foreign);

  Make(0);
  Start(1, wal);
  EXPECT_EQ(core_->round(), 2u);
}

TEST_F(CoreTest, NonValidatorNeverSigns) {
  KeyPairSigner outsider(testing::TestKey(97));
  Core core(Options(), &outsider, &verifier_);
  core.Handle(StartHeight{1, v_.set, {}});
  Output out = core.Handle(TimeoutFired{1, 0, Step::kPropose});
  EXPECT_TRUE(ActionsOf<WriteWal>(out).empty());
  EXPECT_TRUE(ActionsOf<Broadcast>(out).empty());
  EXPECT_EQ(core.step(), Step::kPrevote);
}

TEST_F(CoreTest, GossipListsCurrentMessages) {
  Make(0);
  Start();
  ProposeValid(0, block_a_);
  Vote(1, VoteType::kPrevote, 0, hash_a_);
  std::vector<pb::ConsensusMessage> msgs = core_->GossipMessages();
  size_t proposals = 0, votes = 0;
  for (const auto& m : msgs) {
    proposals += m.has_proposal();
    votes += m.has_vote();
  }
  EXPECT_EQ(proposals, 1u);
  EXPECT_EQ(votes, 2u);  // own prevote and validator 1's
}

}  // namespace
}  // namespace civic::consensus
