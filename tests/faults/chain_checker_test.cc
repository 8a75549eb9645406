// ChainChecker against real nodes that disagree: two one-validator nodes of
// different chains look like a fork to it; a tx id no node has is a lost
// commit; a height nobody reaches is a liveness failure.
#include "tests/faults/chain_checker.h"

#include <gtest/gtest.h>

#include "tests/integration/civicd_harness.h"

namespace civic::faults {
namespace {

using namespace std::chrono_literals;

class ChainCheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    files_.push_back(testing::WriteNodeFiles("civic-checker-a"));
    files_.push_back(testing::WriteNodeFiles("civic-checker-b"));
    for (auto& f : files_) {
      procs_.push_back(std::make_unique<testing::CivicdProcess>(&f));
      procs_.back()->Start();
    }
    for (auto& p : procs_) ASSERT_TRUE(p->WaitHealthy(30s)) << p->LogTail();
    checker_ = std::make_unique<ChainChecker>(
        std::vector<uint16_t>{files_[0].config.rpc.listen.port, files_[1].config.rpc.listen.port});
    // A committed tx on node 0, so both nodes have block 1.
    const testing::Issuer issuer = testing::FindIssuer(files_[0].net);
    rpc::Client client = procs_[0]->NewClient(30s);
    auto committed = testing::TxCommit(client, testing::MakeIssueTx(files_[0].net, issuer, 1, 1, 100));
    ASSERT_TRUE(committed.ok()) << committed.status().ToString();
    tx_ = committed->id;
    ASSERT_TRUE(checker_->WaitAllAt({0, 1}, 1, 30s).ok());
  }

  std::vector<testing::NodeFiles> files_;
  std::vector<std::unique_ptr<testing::CivicdProcess>> procs_;
  std::unique_ptr<ChainChecker> checker_;
  Bytes tx_;
};

TEST_F(ChainCheckerTest, OneNodeAgreesWithItself) {
  checker_->Acknowledge(tx_);
  EXPECT_TRUE(checker_->CheckAll({0, 0}).ok()) << checker_->CheckAll({0, 0}).ToString();
  EXPECT_TRUE(checker_->CheckBlockTimes(0, 30000).ok());
}

TEST_F(ChainCheckerTest, TwoChainsAreAFork) {
  const Status st = checker_->CheckNoFork({0, 1});
  EXPECT_EQ(st.app_code(), "FORK") << st.ToString();
}

TEST_F(ChainCheckerTest, TwoChainsAtOneHeightHaveDifferentStateRoots) {
  const Status st = checker_->CheckStateRoots({0, 1});
  EXPECT_EQ(st.app_code(), "STATE_ROOT_MISMATCH") << st.ToString();
}

TEST_F(ChainCheckerTest, AnAcknowledgedTxMissingOnANodeIsALostCommit) {
  checker_->Acknowledge(tx_);
  EXPECT_TRUE(checker_->CheckNoCommitLost({0}).ok());
  const Status st = checker_->CheckNoCommitLost({0, 1});
  EXPECT_EQ(st.app_code(), "COMMIT_LOST") << st.ToString();
}

TEST_F(ChainCheckerTest, AHeightNotReachedInTheBoundIsNotLive) {
  auto r = checker_->WaitAllAt({0, 1}, 1000000, 200ms);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().app_code(), "NOT_LIVE");
}

TEST_F(ChainCheckerTest, BlockTimesAheadOfTheClockBreakTheRule) {
  // Every block is more than "one hour before now" ahead of that limit.
  const Status st = checker_->CheckBlockTimes(0, -3600 * 1000);
  EXPECT_EQ(st.app_code(), "BLOCK_TIME") << st.ToString();
}

}  // namespace
}  // namespace civic::faults
