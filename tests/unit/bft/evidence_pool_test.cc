#include "node/evidence_pool.h"

#include <gtest/gtest.h>

#include "consensus/messages.h"
#include "consensus/signer.h"
#include "crypto/hash.h"

namespace civic::node {
namespace {

pb::Evidence MakeDoubleVote(const consensus::Signer& signer, uint64_t height) {
  return consensus::MakeEvidence(
      consensus::MakeVote("ev-test", consensus::VoteType::kPrevote, height, 0, crypto::Sha256("a"), signer),
      consensus::MakeVote("ev-test", consensus::VoteType::kPrevote, height, 0, crypto::Sha256("b"), signer));
}

class EvidencePoolTest : public ::testing::Test {
 protected:
  crypto::KeyPair key_ = crypto::KeyPair::Generate(crypto::Algo::kEd25519);
  consensus::KeyPairSigner signer_{key_};
  prometheus::Registry metrics_;
};

TEST_F(EvidencePoolTest, DeduplicatesAndOrdersByHeight) {
  EvidencePool pool({}, metrics_);
  EXPECT_TRUE(pool.Add(MakeDoubleVote(signer_, 7)));
  EXPECT_FALSE(pool.Add(MakeDoubleVote(signer_, 7)));  // same votes, same id
  EXPECT_TRUE(pool.Add(MakeDoubleVote(signer_, 3)));
  EXPECT_TRUE(pool.Add(MakeDoubleVote(signer_, 9)));
  EXPECT_EQ(pool.size(), 3u);

  auto pending = pool.Pending(/*max_height=*/8, /*max_items=*/10);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].a().height(), 3u);
  EXPECT_EQ(pending[1].a().height(), 7u);
  EXPECT_EQ(pool.Pending(100, 1).size(), 1u);
  EXPECT_TRUE(pool.Pending(2, 10).empty());
}

TEST_F(EvidencePoolTest, CommittedEvidenceLeavesAndDoesNotComeBack) {
  EvidencePool pool({}, metrics_);
  pb::Evidence e = MakeDoubleVote(signer_, 4);
  ASSERT_TRUE(pool.Add(e));
  pb::Block block;
  *block.add_evidence() = e;
  pool.OnBlockCommitted(5, block);
  EXPECT_EQ(pool.size(), 0u);
  EXPECT_EQ(pool.committed(), 1u);
  EXPECT_FALSE(pool.Add(e));
  EXPECT_FALSE(pool.Contains(e));
}

TEST_F(EvidencePoolTest, BoundedBySizeAndAge) {
  EvidencePoolOptions options;
  options.max_pending = 2;
  options.max_age_heights = 10;
  EvidencePool pool(options, metrics_);
  EXPECT_TRUE(pool.Add(MakeDoubleVote(signer_, 1)));
  EXPECT_TRUE(pool.Add(MakeDoubleVote(signer_, 20)));
  EXPECT_FALSE(pool.Add(MakeDoubleVote(signer_, 21)));
  EXPECT_EQ(pool.dropped(), 1u);
  pool.OnBlockCommitted(25, pb::Block());  // height 1 is more than 10 below 25
  EXPECT_EQ(pool.size(), 1u);
  EXPECT_EQ(pool.Pending(100, 10)[0].a().height(), 20u);
}

TEST_F(EvidencePoolTest, IdIsDeterministic) {
  EXPECT_EQ(EvidenceId(MakeDoubleVote(signer_, 2)), EvidenceId(MakeDoubleVote(signer_, 2)));
  EXPECT_NE(EvidenceId(MakeDoubleVote(signer_, 2)), EvidenceId(MakeDoubleVote(signer_, 3)));
  EXPECT_EQ(EvidenceId(MakeDoubleVote(signer_, 2)).size(), 32u);
}

}  // namespace
}  // namespace civic::node
