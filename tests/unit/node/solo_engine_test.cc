#include "node/solo_engine.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <thread>

#include "ledger/block.h"
#include "ledger/tx.h"
#include "node/config.h"
#include "node/mempool.h"
#include "tests/unit/node/sample_network.h"

namespace civic::node {
namespace {

using namespace std::chrono_literals;

// Polls `pred` for up to 20 s (the bound is generous; the assertions are on
// heights and contents, never on how long it took).
template <typename Pred>
bool Eventually(Pred pred) {
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return pred();
}

class SoloEngineTest : public ::testing::Test {
 protected:
  static std::string NetworkName() { return "solo-test-1"; }
  void SetUp() override {
    dir_ = std::make_unique<testing::TempDir>("civic-solo-test");
    open_ = testing::OpenSampleChain(net_, dir_->path());
    issuer_ = testing::FindIssuer(net_);
    mempool_ = std::make_unique<Mempool>(open_.chain.get(), MempoolOptions{}, metrics_);
  }

  // An engine that hears of the mempool's admissions for as long as it lives:
  // its subscription goes with it, so an Add after a stopped engine was
  // destroyed (a restart) does not call into freed memory (found by ASan).
  using EnginePtr = std::unique_ptr<SoloEngine, std::function<void(SoloEngine*)>>;
  EnginePtr NewEngine(uint32_t interval_ms, const crypto::KeyPair* key = nullptr) {
    config_.block_interval_ms = interval_ms;
    EngineHost host;
    host.chain = open_.chain.get();
    host.mempool = mempool_.get();
    host.node_key = key ? key : &net_.node_key;
    host.config = &config_;
    host.metrics = &metrics_;
    host.on_committed = [this](const CommittedBlock& b) {
      mempool_->Update(b.height, b.tx_ids);
      std::lock_guard<std::mutex> lock(mu_);
      committed_.push_back({b.height, b.tx_ids});
    };
    host.on_fatal = [this](const Status& st) {
      std::lock_guard<std::mutex> lock(mu_);
      fatal_ = st;
    };
    auto* engine = new SoloEngine(std::move(host));
    const uint64_t subscription = mempool_->Subscribe([engine](const AdmittedTxs&) { engine->OnTxsAvailable(); });
    return EnginePtr(engine, [this, subscription](SoloEngine* e) {
      mempool_->Unsubscribe(subscription);
      delete e;
    });
  }

  Bytes Tx(uint64_t n) { return testing::MakeIssueTx(net_, issuer_, 1, n, open_.chain->tip().height + 100); }
  uint64_t Height() const { return open_.chain->tip().height; }

  testing::SampleNetwork net_ = testing::MakeSampleNetwork(NetworkName());
  std::unique_ptr<testing::TempDir> dir_;
  testing::OpenChain open_;
  testing::Issuer issuer_;
  ConsensusSection config_;
  prometheus::Registry metrics_;
  std::unique_ptr<Mempool> mempool_;

  std::mutex mu_;
  std::vector<std::pair<uint64_t, std::vector<Bytes>>> committed_;
  std::optional<Status> fatal_;
};

TEST_F(SoloEngineTest, ProducesABlockWhenTxsWait) {
  auto engine = NewEngine(/*interval_ms=*/3600000);  // no heartbeat during the test
  ASSERT_TRUE(engine->Start().ok());
  EXPECT_EQ(Height(), 0u);
  Bytes raw = Tx(1);
  auto id = mempool_->Add(raw);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_TRUE(Eventually([&] { return open_.chain->GetTx(*id).ok(); }));
  engine->Stop();

  auto record = open_.chain->GetTx(*id);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->location.height(), 1u);
  EXPECT_EQ(record->location.result().code(), 0u) << record->location.result().message();
  EXPECT_EQ(Height(), 1u) << "no empty block without the heartbeat";
  EXPECT_EQ(mempool_->size(), 0u);
  std::lock_guard<std::mutex> lock(mu_);
  ASSERT_EQ(committed_.size(), 1u);
  EXPECT_EQ(committed_[0].first, 1u);
  EXPECT_EQ(committed_[0].second, std::vector<Bytes>{*id});
}

TEST_F(SoloEngineTest, HeartbeatProducesEmptyBlocksWhenIdle) {
  auto engine = NewEngine(/*interval_ms=*/10);
  ASSERT_TRUE(engine->Start().ok());
  ASSERT_TRUE(Eventually([&] { return Height() >= 3; }));
  engine->Stop();
  uint64_t tip = Height();
  EXPECT_EQ(engine->blocks_produced(), tip);
  EXPECT_EQ(engine->empty_blocks_produced(), tip);
  int64_t prev_time = 0;
  for (uint64_t h = 1; h <= tip; ++h) {
    auto stored = open_.chain->GetBlock(h);
    ASSERT_TRUE(stored.ok()) << h;
    EXPECT_EQ(stored->block().txs_size(), 0);
    pb::BlockHeader header;
    ASSERT_TRUE(header.ParseFromString(stored->block().header()));
    EXPECT_GT(header.time_ms(), prev_time) << "block time strictly increases";
    prev_time = header.time_ms();
    // The stored commit is a valid 1-of-1 commit by the node key.
    auto hdr_tip = open_.chain->tip();
    EXPECT_TRUE(ledger::VerifyCommit(net_.chain_id, hdr_tip.validators, stored->commit(), h,
                                     ledger::BlockHash(stored->block()))
                    .ok());
  }
}

TEST_F(SoloEngineTest, LeftoverTxsDoNotWaitForTheHeartbeat) {
  config_.max_block_txs = 2;
  std::vector<Bytes> ids;
  for (uint64_t n = 0; n < 7; ++n) {
    auto id = mempool_->Add(Tx(n));
    ASSERT_TRUE(id.ok());
    ids.push_back(*id);
  }
  auto engine = NewEngine(/*interval_ms=*/3600000);
  ASSERT_TRUE(engine->Start().ok());
  ASSERT_TRUE(Eventually([&] { return mempool_->size() == 0; }));
  engine->Stop();
  EXPECT_EQ(Height(), 4u);  // 2 + 2 + 2 + 1
  for (uint64_t h = 1; h <= 4; ++h) {
    auto stored = open_.chain->GetBlock(h);
    ASSERT_TRUE(stored.ok());
    EXPECT_LE(stored->block().txs_size(), 2);
  }
  // FIFO: the txs were committed in admission order.
  uint64_t prev = 0;
  for (const Bytes& id : ids) {
    auto rec = open_.chain->GetTx(id);
    ASSERT_TRUE(rec.ok());
    EXPECT_GE(rec->location.height(), prev);
    prev = rec->location.height();
  }
}

TEST_F(SoloEngineTest, RefusesToStartWithoutBeingTheSoleValidator) {
  crypto::KeyPair stranger = crypto::KeyPair::Generate(crypto::Algo::kEd25519);
  auto engine = NewEngine(10, &stranger);
  Status st = engine->Start();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.app_code(), "NOT_SOLE_VALIDATOR");
  EXPECT_NE(st.message().find(stranger.public_key().ToString()), std::string::npos);
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(Height(), 0u);
}

TEST_F(SoloEngineTest, StopFinishesAndARestartedEngineContinues) {
  {
    auto engine = NewEngine(/*interval_ms=*/5);
    ASSERT_TRUE(engine->Start().ok());
    ASSERT_TRUE(Eventually([&] { return Height() >= 2; }));
    engine->Stop();
    engine->Stop();  // idempotent
  }
  uint64_t stopped_at = Height();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(Height(), stopped_at) << "nothing is produced after Stop";

  auto engine = NewEngine(/*interval_ms=*/3600000);
  ASSERT_TRUE(engine->Start().ok());
  auto id = mempool_->Add(Tx(5));
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(Eventually([&] { return Height() == stopped_at + 1; }));
  engine->Stop();
  // The new block carries the previous block's commit as its last commit.
  auto prev = open_.chain->GetBlock(stopped_at);
  auto next = open_.chain->GetBlock(stopped_at + 1);
  ASSERT_TRUE(prev.ok());
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->block().last_commit().SerializeAsString(), prev->commit().SerializeAsString());
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_FALSE(fatal_.has_value());
}

}  // namespace
}  // namespace civic::node
