#include <gtest/gtest.h>

#include "consensus/vote_set.h"
#include "ledger/block.h"
#include "tests/unit/consensus/test_util.h"

namespace civic::consensus {
namespace {

using testing::HashOf;
using testing::kChain;

// Counts verifications, to prove duplicates are not re-verified.
class CountingVerifier final : public Verifier {
 public:
  bool Verify(const crypto::PublicKey& key, std::string_view msg, std::string_view sig) const override {
    ++calls;
    return crypto::Verify(key, msg, sig);
  }
  mutable int calls = 0;
};

class VoteSetTest : public ::testing::Test {
 protected:
  pb::Vote V(size_t who, const Bytes& hash, VoteType type = VoteType::kPrecommit, uint32_t round = 1) {
    return MakeVote(kChain, type, 9, round, hash, v.signer(who));
  }
  testing::Validators v{4};
  CountingVerifier verifier;
  VoteSet set{kChain, 9, 1, VoteType::kPrecommit, &v.set};
  Bytes a = HashOf("block a");
  Bytes b = HashOf("block b");
};

TEST_F(VoteSetTest, CountsUntilQuorum) {
  EXPECT_FALSE(set.HasQuorumAny());
  ASSERT_TRUE(set.Add(V(0, a), verifier).ok());
  ASSERT_TRUE(set.Add(V(1, a), verifier).ok());
  EXPECT_EQ(set.PowerFor(a), 2u);
  EXPECT_FALSE(set.quorum().has_value());
  ASSERT_TRUE(set.Add(V(2, ""), verifier).ok());
  EXPECT_TRUE(set.HasQuorumAny());  // 3 of 4 voted, for different things
  EXPECT_FALSE(set.quorum().has_value());
  ASSERT_TRUE(set.Add(V(3, a), verifier).ok());
  ASSERT_TRUE(set.quorum().has_value());
  EXPECT_EQ(*set.quorum(), a);
  EXPECT_EQ(set.total_power(), 4u);
  EXPECT_EQ(set.Votes().size(), 4u);
  EXPECT_NE(set.VoteOf(2), nullptr);
}

TEST_F(VoteSetTest, NilQuorum) {
  for (size_t i = 0; i < 3; ++i) ASSERT_TRUE(set.Add(V(i, ""), verifier).ok());
  ASSERT_TRUE(set.quorum().has_value());
  EXPECT_EQ(*set.quorum(), "");
  EXPECT_EQ(set.MakeCommit("").status().app_code(), "NO_QUORUM");
}

TEST_F(VoteSetTest, WeightedQuorum) {
  testing::Validators w(3, {5, 3, 2});
  VoteSet ws(kChain, 9, 1, VoteType::kPrevote, &w.set);
  uint64_t power = 0;
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(ws.Add(MakeVote(kChain, VoteType::kPrevote, 9, 1, a, w.signer(i)), verifier).ok());
    power += w.set.at(i).power;
    EXPECT_EQ(ws.PowerFor(a), power);
    EXPECT_EQ(ws.quorum().has_value(), 3 * power > 20) << "after " << power << " of 10";
  }
  EXPECT_EQ(ws.quorum(), a);
}

TEST_F(VoteSetTest, DuplicatesAreFreeAndNotCountedTwice) {
  const pb::Vote vote = V(0, a);
  ASSERT_TRUE(set.Add(vote, verifier).ok());
  const int calls = verifier.calls;
  for (int i = 0; i < 5; ++i) {
    Result<VoteSet::AddResult> r = set.Add(vote, verifier);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->outcome, VoteSet::Outcome::kDuplicate);
  }
  EXPECT_EQ(verifier.calls, calls);
  EXPECT_EQ(set.PowerFor(a), 1u);
}

TEST_F(VoteSetTest, ConflictingVoteGivesEvidenceOnce) {
  ASSERT_TRUE(set.Add(V(1, a), verifier).ok());
  Result<VoteSet::AddResult> r = set.Add(V(1, b), verifier);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, VoteSet::Outcome::kConflict);
  ASSERT_TRUE(r->evidence.has_value());
  EXPECT_TRUE(VerifyEvidence(kChain, v.set, *r->evidence, CryptoVerifier()).ok());
  EXPECT_EQ(set.PowerFor(a), 1u);  // the first vote counts
  EXPECT_EQ(set.PowerFor(b), 0u);  // nobody else voted for b: not kept
  EXPECT_EQ(set.total_power(), 1u);
  const int calls = verifier.calls;
  Result<VoteSet::AddResult> again = set.Add(V(1, ""), verifier);  // a third opinion
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, VoteSet::Outcome::kConflict);
  EXPECT_FALSE(again->evidence.has_value());
  EXPECT_EQ(verifier.calls, calls);  // dropped before verification
  EXPECT_EQ(set.PowerFor(""), 0u);
  EXPECT_EQ(set.Votes().size(), 1u);
}

// A node that counted one side of a double vote in a quorum can prove the quorum
// to a node that saw another side first, by gossiping the votes.
TEST_F(VoteSetTest, EquivocatorCountsTowardsEitherQuorum) {
  ASSERT_TRUE(set.Add(V(3, ""), verifier).ok());  // we saw validator 3's nil first,
  ASSERT_TRUE(set.Add(V(3, b), verifier).ok());   // then a vote for b nobody backs
  ASSERT_TRUE(set.Add(V(0, a), verifier).ok());
  ASSERT_TRUE(set.Add(V(1, a), verifier).ok());
  EXPECT_FALSE(set.quorum().has_value());
  Result<VoteSet::AddResult> r = set.Add(V(3, a), verifier);  // its vote for a, relayed
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, VoteSet::Outcome::kConflict);
  EXPECT_EQ(set.quorum(), a);
  EXPECT_EQ(set.total_power(), 3u);  // validator 3 counts once towards "any"
  EXPECT_EQ(set.Votes().size(), 4u);
  Result<pb::Commit> commit = set.MakeCommit(a);
  ASSERT_TRUE(commit.ok());
  EXPECT_EQ(commit->sigs_size(), 3);
  EXPECT_TRUE(ledger::VerifyCommit(kChain, v.set.ToProto(), *commit, 9, a).ok());
}

TEST_F(VoteSetTest, RefusesBadVotes) {
  pb::Vote forged = V(0, a);
  forged.set_sig(V(1, a).sig());
  EXPECT_EQ(set.Add(forged, verifier).status().app_code(), "BAD_SIGNATURE");
  KeyPairSigner outsider(testing::TestKey(50));
  EXPECT_EQ(set.Add(MakeVote(kChain, VoteType::kPrecommit, 9, 1, a, outsider), verifier).status().app_code(),
            "NOT_A_VALIDATOR");
  EXPECT_EQ(set.Add(V(0, a, VoteType::kPrevote), verifier).status().app_code(), "WRONG_VOTE");
  EXPECT_EQ(set.Add(V(0, a, VoteType::kPrecommit, 2), verifier).status().app_code(), "WRONG_VOTE");
  pb::Vote malformed = V(0, a);
  malformed.set_type(0);
  EXPECT_EQ(set.Add(malformed, verifier).status().app_code(), "MALFORMED_VOTE");
  EXPECT_EQ(set.total_power(), 0u);
  // A forged vote must not block the real one.
  EXPECT_TRUE(set.Add(V(0, a), verifier).ok());
}

TEST_F(VoteSetTest, CommitCertificateVerifiesWithLedger) {
  for (size_t i = 0; i < 3; ++i) ASSERT_TRUE(set.Add(V(i, a), verifier).ok());
  ASSERT_TRUE(set.Add(V(3, ""), verifier).ok());
  Result<pb::Commit> commit = set.MakeCommit(a);
  ASSERT_TRUE(commit.ok());
  EXPECT_EQ(commit->sigs_size(), 3);
  EXPECT_EQ(commit->height(), 9u);
  EXPECT_EQ(commit->round(), 1u);
  Status st = ledger::VerifyCommit(kChain, v.set.ToProto(), *commit, 9, a);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_FALSE(ledger::VerifyCommit(kChain, v.set.ToProto(), *commit, 9, b).ok());
  EXPECT_EQ(set.MakeCommit(b).status().app_code(), "NO_QUORUM");
  VoteSet prevotes(kChain, 9, 1, VoteType::kPrevote, &v.set);
  EXPECT_EQ(prevotes.MakeCommit(a).status().app_code(), "NO_QUORUM");
}

}  // namespace
}  // namespace civic::consensus
