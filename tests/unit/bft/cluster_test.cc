// Four BftEngines with real chains, WALs and PeerManagers on loopback: commits,
// restarts with WAL replay, block sync of a restarted and of a new node, the
// loss and return of a quorum, and an observer.
#include <gtest/gtest.h>

#include "tests/unit/bft/cluster.h"

namespace civic::testing::bft {
namespace {

TEST(BftCluster, FourValidatorsCommitTxsSubmittedAnywhere) {
  Cluster c(4);
  c.StartAll();
  ASSERT_TRUE(c.WaitHeight(2)) << "no commits; min height " << c.MinHeight();

  std::vector<Bytes> ids;
  for (int k = 0; k < 24; ++k) ids.push_back(c.Submit(k % 4, c.NextTx()));
  ASSERT_TRUE(c.WaitTxs(ids)) << "not every tx committed everywhere";
  const uint64_t h = c.MaxHeight();
  ASSERT_TRUE(c.WaitHeight(h + 2));
  EXPECT_EQ(c.CheckConsistent(), "");

  for (size_t i = 0; i < 4; ++i) {
    node::BftStats s = c.node(i).engine().stats();
    EXPECT_TRUE(c.node(i).engine().is_validator());
    EXPECT_EQ(s.peers, 3u) << "node " << i;
    EXPECT_GE(s.consensus.blocks_decided, h) << "node " << i;
    EXPECT_FALSE(s.consensus.halted);
    EXPECT_FALSE(c.node(i).fatal().has_value());
    // Every tx reached every mempool by gossip (or was committed first).
    EXPECT_GT(s.mempool_gossip.txs_sent, 0u) << "node " << i;
  }
  // The mempools drained: committed txs left them.
  ASSERT_TRUE(WaitFor([&] {
    for (size_t i = 0; i < 4; ++i) {
      if (c.node(i).mempool().size() != 0) return false;
    }
    return true;
  }, 10s));
  std::string metrics = c.node(0).MetricsText();
  EXPECT_NE(metrics.find("civic_bft_height "), std::string::npos);
  EXPECT_NE(metrics.find("civic_bft_blocks_decided_total "), std::string::npos);
  EXPECT_NE(metrics.find("civic_p2p_peers_connected 3"), std::string::npos);
}

TEST(BftCluster, QuorumLossStopsCommitsAndWalReplayResumes) {
  Cluster c(4);
  c.StartAll();
  ASSERT_TRUE(c.WaitHeight(3));

  // Two of four down: no quorum, nothing commits.
  c.Stop(1);
  c.Stop(2);
  std::this_thread::sleep_for(500ms);
  const uint64_t stuck = c.MaxHeight();
  const Bytes pending = c.Submit(0, c.NextTx());
  std::this_thread::sleep_for(2500ms);
  EXPECT_LE(c.MaxHeight(), stuck + 1) << "committed without a quorum";
  const uint64_t frozen = c.MaxHeight();
  std::this_thread::sleep_for(1000ms);
  EXPECT_EQ(c.MaxHeight(), frozen);

  // Node 3 has voted in the stuck height; restarted, it reads those votes back.
  c.Stop(3);
  c.Start(3);
  EXPECT_GT(c.node(3).engine().stats().consensus.wal_entries_replayed, 0u);

  // One more node back: a quorum again, commits resume and the pending tx lands.
  c.Start(1);
  ASSERT_TRUE(c.WaitHeight(frozen + 3)) << "commits did not resume; min height " << c.MinHeight();
  ASSERT_TRUE(c.WaitTxs({pending}));
  c.Start(2);
  ASSERT_TRUE(c.WaitHeight(c.MaxHeight() + 1));
  EXPECT_EQ(c.CheckConsistent(), "");
  for (size_t i = 0; i < 4; ++i) EXPECT_FALSE(c.node(i).fatal().has_value());
}

TEST(BftCluster, RestartedValidatorCatchesUpBySyncAndVotesAgain) {
  Cluster c(4);
  c.StartAll();
  ASSERT_TRUE(c.WaitHeight(2));
  c.Stop(3);

  std::vector<Bytes> ids;
  for (int k = 0; k < 30; ++k) ids.push_back(c.Submit(k % 3, c.NextTx()));
  ASSERT_TRUE(c.WaitTxs(ids));
  const uint64_t ahead = c.MaxHeight() + 12;
  ASSERT_TRUE(c.WaitHeight(ahead)) << "three validators must keep committing";

  c.Start(3);
  ASSERT_TRUE(c.WaitNodeHeight(3, ahead)) << "node 3 at " << c.node(3).height();
  node::BftStats s = c.node(3).engine().stats();
  EXPECT_GT(s.sync.blocks_applied, 0u);
  EXPECT_GT(s.sync.requests_sent, 0u);
  EXPECT_TRUE(s.sync.rejected.empty());

  // With node 0 gone, commits need node 3's votes.
  c.Stop(0);
  const uint64_t h = c.MaxHeight();
  ASSERT_TRUE(c.WaitHeight(h + 3)) << "the restarted node does not take part; min " << c.MinHeight();
  EXPECT_EQ(c.CheckConsistent(), "");
}

TEST(BftCluster, NodeStartedLateSyncsFromGenesis) {
  Cluster c(4);
  c.Start(0);
  c.Start(1);
  c.Start(2);
  std::vector<Bytes> ids;
  for (int k = 0; k < 20; ++k) ids.push_back(c.Submit(k % 3, c.NextTx()));
  ASSERT_TRUE(c.WaitTxs(ids));
  ASSERT_TRUE(c.WaitHeight(15));

  c.Start(3);
  const uint64_t target = c.MaxHeight();
  ASSERT_TRUE(c.WaitNodeHeight(3, target));
  for (const Bytes& id : ids) EXPECT_TRUE(c.node(3).chain().GetTx(id).ok());
  EXPECT_GE(c.node(3).engine().stats().sync.blocks_applied, 10u);
  EXPECT_EQ(c.CheckConsistent(), "");

  c.Stop(1);
  ASSERT_TRUE(c.WaitHeight(c.MaxHeight() + 3)) << "the late node does not vote";
  EXPECT_EQ(c.CheckConsistent(), "");
}

// Nodes 0 and 3 never connect: proposals, votes and txs between them travel
// through the gossip of nodes 1 and 2.
TEST(BftCluster, PartialMeshRelaysConsensusAndTxs) {
  Cluster c(4);
  c.set_links([](size_t a, size_t b) { return !((a == 0 && b == 3) || (a == 3 && b == 0)); });
  c.StartAll();
  ASSERT_TRUE(c.WaitHeight(3)) << "min height " << c.MinHeight();
  EXPECT_EQ(c.node(0).engine().peer_count(), 2u);
  EXPECT_EQ(c.node(3).engine().peer_count(), 2u);
  std::vector<Bytes> ids;
  for (int k = 0; k < 6; ++k) ids.push_back(c.Submit(k % 2 == 0 ? 0 : 3, c.NextTx()));
  ASSERT_TRUE(c.WaitTxs(ids));
  // With node 1 gone, 0, 2 and 3 still form a quorum, linked only through 2.
  c.Stop(1);
  const uint64_t h = c.MaxHeight();
  ASSERT_TRUE(c.WaitHeight(h + 3)) << "min height " << c.MinHeight();
  EXPECT_EQ(c.CheckConsistent(), "");
  EXPECT_GT(c.node(2).engine().stats().consensus.gossip_messages_sent, 0u);
  EXPECT_GT(c.node(2).engine().stats().mempool_gossip.txs_admitted, 0u);
}

// A 2 | 2 split: neither side has a quorum, so nothing commits and nothing
// forks; once the sides are linked again, commits resume.
TEST(BftCluster, TwoTwoSplitHaltsWithoutForkAndHeals) {
  Cluster c(4);
  c.StartAll();
  ASSERT_TRUE(c.WaitHeight(3));
  // Nodes 2 and 3 come back on new ports, linked only to each other: nodes 0
  // and 1 still dial their old ports.
  c.Stop(2);
  c.Stop(3);
  c.set_links([](size_t a, size_t b) { return (a < 2) == (b < 2); });
  c.Start(2);
  c.Start(3);
  std::this_thread::sleep_for(1s);
  const uint64_t split = c.MaxHeight();
  const Bytes pending = c.Submit(0, c.NextTx());
  std::this_thread::sleep_for(3s);
  EXPECT_LE(c.MaxHeight(), split + 1) << "a side without a quorum committed";
  EXPECT_EQ(c.CheckConsistent(), "");

  // Heal: the new ports become known to nodes 0 and 1.
  for (size_t a : {0, 1}) {
    for (size_t b : {2, 3}) {
      ASSERT_TRUE(c.node(a).engine().AddPeer(AddressOf(c.net().node_keys[b].public_key(), c.port(b))).ok());
    }
  }
  ASSERT_TRUE(c.WaitHeight(c.MaxHeight() + 3)) << "min height " << c.MinHeight();
  ASSERT_TRUE(c.WaitTxs({pending}));
  EXPECT_EQ(c.CheckConsistent(), "");
}

TEST(BftCluster, ObserverFollowsTheChainAndRelaysTxsWithoutVoting) {
  Cluster c(4, /*observers=*/1);
  c.StartAll();
  ASSERT_TRUE(c.WaitHeight(2));
  EXPECT_FALSE(c.node(4).engine().is_validator());

  // Txs submitted to the observer reach the validators through gossip.
  std::vector<Bytes> ids;
  for (int k = 0; k < 10; ++k) ids.push_back(c.Submit(4, c.NextTx()));
  ASSERT_TRUE(c.WaitTxs(ids));
  ASSERT_TRUE(c.WaitHeight(c.MaxHeight()));
  EXPECT_EQ(c.CheckConsistent(), "");
  node::BftStats s = c.node(4).engine().stats();
  EXPECT_EQ(s.blocks_proposed, 0u);
  // No commit of the chain holds the observer's signature.
  const crypto::PublicKey observer = c.node(4).key().public_key();
  for (uint64_t h = 1; h <= c.node(4).height(); ++h) {
    auto stored = c.node(4).chain().GetBlock(h);
    ASSERT_TRUE(stored.ok());
    for (const auto& sig : stored->commit().sigs()) EXPECT_NE(ledger::FromProto(sig.validator()), observer);
  }

  // The observer keeps up after a restart too.
  c.Stop(4);
  ASSERT_TRUE(c.WaitHeight(c.MaxHeight() + 5));
  c.Start(4);
  ASSERT_TRUE(c.WaitNodeHeight(4, c.MaxHeight()));
  EXPECT_EQ(c.CheckConsistent(), "");
}

}  // namespace
}  // namespace civic::testing::bft
