#include "node/mempool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <set>
#include <thread>

#include "ledger/tx.h"
#include "tests/unit/node/sample_network.h"

namespace civic::node {
namespace {

using testing::CommitBlock;
using testing::MakeIssueTx;

class MempoolTest : public ::testing::Test {
 protected:
  static std::string NetworkName() { return "mempool-test-1"; }
  void SetUp() override {
    dir_ = std::make_unique<testing::TempDir>("civic-mempool-test");
    open_ = testing::OpenSampleChain(net_, dir_->path());
    issuer_ = testing::FindIssuer(net_);
  }

  std::unique_ptr<Mempool> NewMempool(MempoolOptions options = {}) {
    return std::make_unique<Mempool>(open_.chain.get(), options, registries_.emplace_back());
  }
  // A distinct valid tx (one certificate numbered n).
  Bytes Tx(uint64_t n, uint64_t valid_until = 0) {
    if (valid_until == 0) valid_until = open_.chain->tip().height + 100;
    return MakeIssueTx(net_, issuer_, 1, n, valid_until);
  }
  uint64_t Commit(std::vector<Bytes> txs) {
    Status st = CommitBlock(open_.chain.get(), net_.node_key, std::move(txs), last_commit_, &last_commit_);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return open_.chain->tip().height;
  }

  testing::SampleNetwork net_ = testing::MakeSampleNetwork(NetworkName());
  std::unique_ptr<testing::TempDir> dir_;
  testing::OpenChain open_;
  testing::Issuer issuer_;
  pb::Commit last_commit_;
  std::deque<prometheus::Registry> registries_;  // one per mempool
};

TEST_F(MempoolTest, AdmitsAValidTx) {
  auto pool = NewMempool();
  Bytes raw = Tx(1);
  auto id = pool->Add(raw);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, ledger::TxId(raw));
  EXPECT_TRUE(pool->Contains(*id));
  EXPECT_TRUE(pool->IsVerified(*id));
  EXPECT_EQ(pool->size(), 1u);
  EXPECT_EQ(pool->bytes(), raw.size());
  EXPECT_EQ(pool->admitted_total(), 1u);
}

TEST_F(MempoolTest, DuplicateIsRefused) {
  auto pool = NewMempool();
  Bytes raw = Tx(1);
  ASSERT_TRUE(pool->Add(raw).ok());
  auto again = pool->Add(raw);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().app_code(), "TX_IN_MEMPOOL");
  EXPECT_EQ(again.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(pool->size(), 1u);
  EXPECT_EQ(pool->RejectionCounts().at("TX_IN_MEMPOOL"), 1u);
}

TEST_F(MempoolTest, StatelessChecksAreTyped) {
  auto pool = NewMempool();

  auto garbage = pool->Add("\xff\xfe not a tx");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().app_code(), "TX_MALFORMED");

  // Flip one bit of the signature.
  pb::SignedTx stx;
  ASSERT_TRUE(stx.ParseFromString(Tx(2)));
  std::string sig = stx.sig().sig();
  sig[0] ^= 1;
  stx.mutable_sig()->set_sig(sig);
  auto bad_sig = pool->Add(stx.SerializeAsString());
  ASSERT_FALSE(bad_sig.ok());
  EXPECT_EQ(bad_sig.status().app_code(), "BAD_SIGNATURE");

  testing::SampleNetwork other = net_;
  other.chain_id = "another-chain";
  auto wrong_chain = pool->Add(MakeIssueTx(other, issuer_, 1, 3, 50));
  ASSERT_FALSE(wrong_chain.ok());
  EXPECT_EQ(wrong_chain.status().app_code(), "WRONG_CHAIN_ID");

  EXPECT_EQ(pool->size(), 0u);
  auto counts = pool->RejectionCounts();
  EXPECT_EQ(counts["TX_MALFORMED"], 1u);
  EXPECT_EQ(counts["BAD_SIGNATURE"], 1u);
  EXPECT_EQ(counts["WRONG_CHAIN_ID"], 1u);
}

TEST_F(MempoolTest, TooLargeIsRefusedBeforeDecoding) {
  MempoolOptions options;
  options.max_tx_bytes = 100;
  auto pool = NewMempool(options);
  auto r = pool->Add(Bytes(101, 'x'));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().app_code(), "TX_TOO_LARGE");
}

TEST_F(MempoolTest, StatefulChecksRun) {
  auto pool = NewMempool();
  // Expired: valid_until_height must be above the tip.
  Commit({});
  auto expired = pool->Add(Tx(1, /*valid_until=*/1));
  ASSERT_FALSE(expired.ok());
  // Signed by a key that is not one of the org's keys.
  testing::Issuer impostor = issuer_;
  crypto::KeyPair stranger = crypto::KeyPair::Generate(crypto::Algo::kEd25519);
  impostor.key = &stranger;
  auto not_admitted = pool->Add(MakeIssueTx(net_, impostor, 1, 2, 100));
  ASSERT_FALSE(not_admitted.ok());
  EXPECT_EQ(not_admitted.status().code(), Code::kPermissionDenied) << not_admitted.status().ToString();
  EXPECT_EQ(pool->size(), 0u);
}

TEST_F(MempoolTest, FullByCountAndByBytes) {
  MempoolOptions options;
  options.max_txs = 3;
  auto pool = NewMempool(options);
  for (uint64_t n = 0; n < 3; ++n) ASSERT_TRUE(pool->Add(Tx(n)).ok());
  auto full = pool->Add(Tx(3));
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.status().app_code(), "MEMPOOL_FULL");
  EXPECT_EQ(full.status().code(), Code::kResourceExhausted);
  EXPECT_EQ(pool->size(), 3u);

  Bytes one = Tx(10);
  MempoolOptions by_bytes;
  by_bytes.max_bytes = one.size() * 2 + one.size() / 2;
  auto small = NewMempool(by_bytes);
  ASSERT_TRUE(small->Add(one).ok());
  ASSERT_TRUE(small->Add(Tx(11)).ok());
  auto over = small->Add(Tx(12));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().app_code(), "MEMPOOL_FULL");
}

TEST_F(MempoolTest, ReapsInAdmissionOrderWithinLimits) {
  auto pool = NewMempool();
  std::vector<Bytes> txs;
  for (uint64_t n = 0; n < 6; ++n) {
    txs.push_back(Tx(n));
    ASSERT_TRUE(pool->Add(txs.back()).ok());
  }
  auto all = pool->ReapForBlock(100, 1 << 30);
  EXPECT_EQ(all, txs);
  auto three = pool->ReapForBlock(3, 1 << 30);
  EXPECT_EQ(three, std::vector<Bytes>(txs.begin(), txs.begin() + 3));
  size_t two_bytes = txs[0].size() + txs[1].size();
  auto by_bytes = pool->ReapForBlock(100, two_bytes + txs[2].size() - 1);
  EXPECT_EQ(by_bytes, std::vector<Bytes>(txs.begin(), txs.begin() + 2));
  EXPECT_EQ(pool->size(), 6u) << "reaping does not remove";
}

TEST_F(MempoolTest, UpdateRemovesCommittedAndKeepsTheRest) {
  auto pool = NewMempool();
  std::vector<Bytes> txs;
  for (uint64_t n = 0; n < 4; ++n) {
    txs.push_back(Tx(n));
    ASSERT_TRUE(pool->Add(txs.back()).ok());
  }
  uint64_t h = Commit({txs[0], txs[1]});
  auto dropped = pool->Update(h, {ledger::TxId(txs[0]), ledger::TxId(txs[1])});
  EXPECT_TRUE(dropped.empty());
  EXPECT_EQ(pool->size(), 2u);
  EXPECT_FALSE(pool->Contains(ledger::TxId(txs[0])));
  EXPECT_EQ(pool->ReapForBlock(10, 1 << 30), (std::vector<Bytes>{txs[2], txs[3]}));
  EXPECT_EQ(pool->bytes(), txs[2].size() + txs[3].size());

  // A committed tx cannot come back, alone or in a gossip batch.
  auto replay = pool->Add(txs[0]);
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.status().app_code(), "TX_ALREADY_COMMITTED");
  auto batch = pool->AddBatch({txs[1], Tx(9)});
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0].status().app_code(), "TX_ALREADY_COMMITTED");
  EXPECT_TRUE(batch[1].ok()) << batch[1].status().ToString();
  EXPECT_EQ(pool->size(), 3u);
}

TEST_F(MempoolTest, UpdateDropsExpiredTxs) {
  auto pool = NewMempool();
  Bytes short_lived = Tx(1, /*valid_until=*/1);
  Bytes long_lived = Tx(2, /*valid_until=*/50);
  ASSERT_TRUE(pool->Add(short_lived).ok());
  ASSERT_TRUE(pool->Add(long_lived).ok());
  uint64_t h = Commit({});  // height 1: the short-lived tx can no longer be included
  auto dropped = pool->Update(h, {});
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].id, ledger::TxId(short_lived));
  EXPECT_FALSE(dropped[0].reason.ok());
  EXPECT_EQ(pool->size(), 1u);
  EXPECT_TRUE(pool->Contains(ledger::TxId(long_lived)));
  EXPECT_EQ(pool->DropCounts().at(dropped[0].reason.app_code()), 1u);
}

TEST_F(MempoolTest, ParallelRecheckDropsExactlyTheExpired) {
  MempoolOptions options;
  options.verify_threads = 2;
  auto pool = NewMempool(options);
  std::set<Bytes> expiring, lasting;
  std::vector<Bytes> raws;
  for (uint64_t n = 0; n < 150; ++n) raws.push_back(Tx(n, n % 3 == 0 ? 1 : 50));
  auto results = pool->AddBatch(raws);
  for (size_t i = 0; i < raws.size(); ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].status().ToString();
    (i % 3 == 0 ? expiring : lasting).insert(*results[i]);
  }
  uint64_t h = Commit({});
  auto dropped = pool->Update(h, {});
  std::set<Bytes> dropped_ids;
  for (const auto& d : dropped) {
    EXPECT_EQ(d.reason.app_code(), "TX_EXPIRED");
    dropped_ids.insert(d.id);
  }
  EXPECT_EQ(dropped_ids, expiring);
  EXPECT_EQ(pool->size(), lasting.size());
  // Nothing changed for the rest: a second sweep at the same height re-checks nothing.
  EXPECT_TRUE(pool->Update(h, {}).empty());
  auto reaped = pool->ReapForBlock(1000, 1 << 30);
  EXPECT_EQ(reaped.size(), lasting.size());
}

TEST_F(MempoolTest, AddBatchAnswersInInputOrder) {
  MempoolOptions options;
  options.verify_threads = 2;
  auto pool = NewMempool(options);
  Bytes first = Tx(1);
  std::vector<Bytes> raws = {first, "garbage", Tx(2), first};
  auto results = pool->AddBatch(raws);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[1].status().app_code(), "TX_MALFORMED");
  EXPECT_TRUE(results[2].ok());
  // The duplicate was decoded in parallel with its first copy and caught at admission.
  EXPECT_EQ(results[3].status().app_code(), "TX_IN_MEMPOOL");
  EXPECT_EQ(pool->ReapForBlock(10, 1 << 30), (std::vector<Bytes>{raws[0], raws[2]}));
}

TEST_F(MempoolTest, ConcurrentSubmittersAdmitEachTxOnce) {
  MempoolOptions options;
  options.verify_threads = 0;
  auto pool = NewMempool(options);
  constexpr int kThreads = 4, kTxs = 40;
  std::vector<Bytes> txs;
  for (uint64_t n = 0; n < kTxs; ++n) txs.push_back(Tx(n));
  std::atomic<int> admitted{0}, duplicates{0};
  std::atomic<int> notified{0};
  pool->Subscribe([&](const AdmittedTxs& a) { notified += static_cast<int>(a.txs.size()); });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    // Every thread submits every tx, starting at a different offset.
    threads.emplace_back([&, t] {
      for (int i = 0; i < kTxs; ++i) {
        auto r = pool->Add(txs[(i + t * 10) % kTxs]);
        if (r.ok()) {
          ++admitted;
        } else if (r.status().app_code() == "TX_IN_MEMPOOL") {
          ++duplicates;
        } else {
          ADD_FAILURE() << r.status().ToString();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), kTxs);
  EXPECT_EQ(duplicates.load(), kTxs * (kThreads - 1));
  EXPECT_EQ(notified.load(), kTxs);
  EXPECT_EQ(pool->size(), static_cast<size_t>(kTxs));
  auto reaped = pool->ReapForBlock(1000, 1 << 30);
  EXPECT_EQ(std::set<Bytes>(reaped.begin(), reaped.end()), std::set<Bytes>(txs.begin(), txs.end()));
}

TEST_F(MempoolTest, ConcurrentAddsWhileBlocksCommit) {
  auto pool = NewMempool();
  std::atomic<bool> done{false};
  std::thread submitter([&] {
    for (uint64_t n = 100; n < 160; ++n) {
      auto r = pool->Add(Tx(n));
      EXPECT_TRUE(r.ok()) << r.status().ToString();
    }
    done = true;
  });
  // Commit whatever waits, as an engine would, until the submitter is finished and the pool drained.
  size_t committed = 0;
  while (!done || pool->size() > 0) {
    auto txs = pool->ReapForBlock(7, 1 << 30);
    std::vector<Bytes> ids;
    for (const Bytes& raw : txs) ids.push_back(ledger::TxId(raw));
    uint64_t h = Commit(txs);
    auto dropped = pool->Update(h, ids);
    EXPECT_TRUE(dropped.empty());
    committed += txs.size();
  }
  submitter.join();
  EXPECT_EQ(committed, 60u);
  EXPECT_EQ(pool->size(), 0u);
  EXPECT_EQ(pool->bytes(), 0u);
}

}  // namespace
}  // namespace civic::node
