// kill -9 of civicd in the middle of a bulk import, then restart: the chain is
// intact and goes on, and no tx that tx_commit reported committed is lost.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "ledger/tx.h"
#include "tests/integration/civicd_harness.h"

namespace civic::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr size_t kTxs = 200;
constexpr size_t kCertsPerTx = 500;
constexpr int kClients = 4;

TEST(Kill9Test, ChainSurvivesKillDuringBulkImport) {
  NodeFiles files = WriteNodeFiles("it-kill9-1");
  CivicdProcess proc(&files);
  proc.Start();
  ASSERT_TRUE(proc.WaitHealthy()) << proc.LogTail();
  const Issuer issuer = FindIssuer(files.net);
  const auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  };

  // The import: kTxs batches of kCertsPerTx certificates with known ids. Each
  // client builds the batch it takes, as an import tool would.
  std::vector<Bytes> txs(kTxs);

  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  const size_t kill_after = std::uniform_int_distribution<size_t>(3, 40)(rng);
  const int extra_delay_ms = std::uniform_int_distribution<int>(0, 150)(rng);
  std::cout << "kill9 seed=" << seed << " kill_after=" << kill_after << " extra_delay_ms=" << extra_delay_ms
            << "\n";

  std::mutex mu;
  std::map<Bytes, uint64_t> committed;  // what tx_commit reported before the kill
  std::set<size_t> in_flight;           // submitted, no answer
  uint64_t max_height_seen = 0;
  std::atomic<size_t> next{0};
  std::atomic<bool> killed{false};

  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      rpc::Client client = proc.NewClient(60s);
      for (size_t i = next++; i < kTxs; i = next++) {
        txs[i] = MakeIssueTx(files.net, issuer, kCertsPerTx, i * kCertsPerTx, 900, nullptr, true);
        {
          std::lock_guard<std::mutex> lock(mu);
          in_flight.insert(i);
        }
        auto r = TxCommit(client, txs[i], 60000);
        std::lock_guard<std::mutex> lock(mu);
        if (!r.ok()) {
          if (!killed) ADD_FAILURE() << "tx " << i << ": " << r.status().ToString();
          return;  // the node is gone
        }
        in_flight.erase(i);
        EXPECT_TRUE(r->ok) << "tx " << i << ": " << r->app_code;
        EXPECT_EQ(r->id, ledger::TxId(txs[i]));
        committed[r->id] = r->height;
        max_height_seen = std::max(max_height_seen, r->height);
      }
    });
  }

  // Kill at a random moment once some batches are in.
  WaitUntil(
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        return committed.size() >= kill_after;
      },
      45s);
  std::this_thread::sleep_for(std::chrono::milliseconds(extra_delay_ms));
  {
    std::lock_guard<std::mutex> lock(mu);
    killed = true;
  }
  proc.Kill();
  for (auto& t : clients) t.join();

  std::map<Bytes, uint64_t> confirmed;
  std::set<size_t> unanswered;
  uint64_t max_seen;
  {
    std::lock_guard<std::mutex> lock(mu);
    confirmed = committed;
    unanswered = in_flight;
    max_seen = max_height_seen;
  }
  std::cout << "kill9 confirmed_txs=" << confirmed.size() << " in_flight=" << unanswered.size()
            << " max_height_seen=" << max_seen << " killed_at_ms=" << elapsed() << "\n";
  ASSERT_GE(confirmed.size(), 1u) << "the import never got going: " << proc.LogTail();

  // Restart on the same data dir.
  proc.Start();
  ASSERT_TRUE(proc.WaitHealthy()) << proc.LogTail();
  rpc::Client client = proc.NewClient(60s);
  auto status = client.Call("chain_status");
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  uint64_t tip = JsonU64(status->at("height"));
  EXPECT_GE(tip, max_seen);

  // Every confirmed tx is at the height it was reported at, with its certificates.
  for (const auto& [id, height] : confirmed) {
    auto h = TxHeight(client, id);
    ASSERT_TRUE(h.ok()) << ToHex(id) << ": " << h.status().ToString();
    EXPECT_EQ(*h, height) << ToHex(id);
  }
  for (size_t i = 0; i < kTxs; ++i) {
    if (txs[i].empty() || !confirmed.contains(ledger::TxId(txs[i]))) continue;
    uint64_t last_cert = i * kCertsPerTx + kCertsPerTx - 1;
    auto cert = client.Call("cert_get", json::object{{"id", CertIdFor(issuer, last_cert)}});
    ASSERT_TRUE(cert.ok()) << "certificate " << last_cert << ": " << cert.status().ToString();
  }

  // Every block 1..tip loads.
  for (uint64_t h = 1; h <= tip; ++h) {
    auto block = client.Call("chain_getBlock", json::object{{"height", h}});
    ASSERT_TRUE(block.ok()) << "block " << h << ": " << block.status().ToString();
    ASSERT_EQ(JsonU64(block->at("height")), h);
  }

  std::cout << "kill9 restarted_and_checked_ms=" << elapsed() << " tip=" << tip << "\n";
  // The txs that had no answer: resubmitting is safe (committed before the
  // kill, or commits now), and new txs still commit.
  for (size_t i : unanswered) {
    auto r = TxCommit(client, txs[i], 60000);
    ASSERT_TRUE(r.ok()) << "tx " << i << ": " << r.status().ToString();
    EXPECT_TRUE(r->ok) << r->app_code;
  }
  auto fresh = TxCommit(client, MakeIssueTx(files.net, issuer, 1, kTxs * kCertsPerTx + 1, tip + 100, nullptr, true));
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_TRUE(fresh->ok) << fresh->app_code;
  EXPECT_GT(fresh->height, tip);
  std::cout << "kill9 done_ms=" << elapsed() << "\n";
  client.Close();
  EXPECT_EQ(proc.Terminate(), 0);
}

}  // namespace
}  // namespace civic::testing
