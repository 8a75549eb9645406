// MempoolGossip's inbound bounds: one peer flooding the mempool channel fills
// only its own share of the queue; the others keep theirs.
#include "node/mempool_gossip.h"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <thread>

#include "node/bft.pb.h"
#include "tests/unit/node/sample_network.h"

namespace civic::node {
namespace {

class MempoolGossipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<testing::TempDir>("civic-gossip-test");
    open_ = testing::OpenSampleChain(net_, dir_->path());
    pool_ = std::make_unique<Mempool>(open_.chain.get(), MempoolOptions{}, registries_.emplace_back());
  }
  std::unique_ptr<MempoolGossip> NewGossip(MempoolGossipOptions options) {
    return std::make_unique<MempoolGossip>(options, pool_.get(), registries_.emplace_back());
  }
  // A batch of one tx of `size` bytes (not a valid tx: the queue bound comes first).
  static std::string Batch(size_t size) {
    pb::BftTxs msg;
    msg.add_txs(std::string(size, 'x'));
    return msg.SerializeAsString();
  }

  testing::SampleNetwork net_ = testing::MakeSampleNetwork("gossip-test-1");
  std::unique_ptr<testing::TempDir> dir_;
  testing::OpenChain open_;
  std::deque<prometheus::Registry> registries_;
  std::unique_ptr<Mempool> pool_;
};

TEST_F(MempoolGossipTest, OneFloodingPeerFillsOnlyItsOwnShare) {
  MempoolGossipOptions options;
  options.max_inbound_bytes = 10'000;
  options.max_inbound_bytes_per_peer = 2'500;
  auto gossip = NewGossip(options);  // not started: batches stay queued
  const auto flooder = crypto::KeyPair::Generate(crypto::Algo::kEd25519).public_key();
  const auto honest = crypto::KeyPair::Generate(crypto::Algo::kEd25519).public_key();

  for (int i = 0; i < 20; ++i) gossip->OnMessage(flooder, Batch(1'000));
  EXPECT_EQ(gossip->stats().txs_received, 20u);
  EXPECT_EQ(gossip->stats().batches_dropped, 18u);  // two of ~1 KB fit in 2.5 KB

  // The honest peer still has its share.
  gossip->OnMessage(honest, Batch(1'000));
  gossip->OnMessage(honest, Batch(1'000));
  EXPECT_EQ(gossip->stats().batches_dropped, 18u);
  gossip->OnMessage(honest, Batch(1'000));
  EXPECT_EQ(gossip->stats().batches_dropped, 19u);
}

TEST_F(MempoolGossipTest, TheTotalBoundHoldsAcrossPeers) {
  MempoolGossipOptions options;
  options.max_inbound_bytes = 3'000;
  options.max_inbound_bytes_per_peer = 2'500;
  auto gossip = NewGossip(options);
  for (int i = 0; i < 5; ++i) {
    gossip->OnMessage(crypto::KeyPair::Generate(crypto::Algo::kEd25519).public_key(), Batch(1'000));
  }
  EXPECT_EQ(gossip->stats().batches_dropped, 3u);  // two fit in 3 KB
}

TEST_F(MempoolGossipTest, ASharePeerUsedIsFreedOnceItsBatchesAreAdmitted) {
  MempoolGossipOptions options;
  options.max_inbound_bytes_per_peer = 1'500;
  auto gossip = NewGossip(options);
  const auto peer = crypto::KeyPair::Generate(crypto::Algo::kEd25519).public_key();
  gossip->OnMessage(peer, Batch(1'000));
  gossip->OnMessage(peer, Batch(1'000));
  EXPECT_EQ(gossip->stats().batches_dropped, 1u);
  gossip->Start();
  // The gossip thread hands the queued batch to the mempool (which refuses its
  // junk tx); then the peer's share is free again.
  for (int i = 0; i < 500 && gossip->stats().txs_refused < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(gossip->stats().txs_refused, 1u);
  gossip->OnMessage(peer, Batch(1'000));
  EXPECT_EQ(gossip->stats().batches_dropped, 1u);
  gossip->Stop();
}

}  // namespace
}  // namespace civic::node
