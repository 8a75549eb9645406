// kill -9 of civicd in the middle of batched data-sharing ingestion, then
// restart: every access record of every committed log tx is there, no record of
// an uncommitted tx is, and every index (requester, provider, verdict, time)
// counts exactly the records that exist. Resending the txs that had no answer
// completes the ingestion.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "contracts/genesis.h"
#include "contracts/sharing/sharing.pb.h"
#include "tools/samples/sharing_sample.h"
#include "ledger/ledger.pb.h"
#include "ledger/tx.h"
#include "rpc/request_auth.h"
#include "tests/integration/civicd_harness.h"
#include "tools/samples/network.h"

namespace civic::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr uint32_t kRecords = 30'000;
constexpr uint32_t kRecordsPerTx = 500;
constexpr int kClients = 4;

// The number of access records a sample log tx carries; 0 for any other tx.
size_t LogRecords(const Bytes& raw) {
  pb::SignedTx signed_tx;
  pb::TxBody body;
  pb::SharingCall call;
  if (!signed_tx.ParseFromString(raw) || !body.ParseFromString(signed_tx.body()) || body.contract() != "sharing" ||
      !call.ParseFromString(body.call()) || !call.has_log_access()) {
    return 0;
  }
  return static_cast<size_t>(call.log_access().accesses_size());
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Signs auditor queries with the sample auditor org (gss).
class Auditor {
 public:
  explicit Auditor(const SampleNetwork& net) : chain_id_(net.chain_id) {
    const auto& orgs = samples::SampleOrgs();
    for (size_t i = 0; i < orgs.size(); ++i) {
      if (orgs[i].short_name == "gss") {
        org_ = orgs[i].code;
        key_ = &net.org_keys[i];
      }
    }
  }
  // Signed for the node `client` talks to (its node id is the audience).
  Result<json::value> Call(rpc::Client& client, std::string_view method, const json::object& request) const {
    CIVIC_ASSIGN_OR_RETURN(json::value status, client.Call("chain_status", json::object{}));
    std::string audience(status.at("node").at("node_id").as_string());
    return client.Call(method,
                       rpc::SignRequest(*key_, org_, chain_id_, audience, method, json::serialize(request), NowMs()));
  }
  // sharing_query's total for `filter`.
  uint64_t Total(rpc::Client& client, json::object filter) const {
    filter["limit"] = 1;
    auto r = Call(client, "sharing_query", filter);
    EXPECT_TRUE(r.ok()) << json::serialize(filter) << ": " << r.status().ToString();
    return r.ok() ? JsonU64(r->at("total")) : 0;
  }

 private:
  std::string chain_id_;
  std::string org_;
  const crypto::KeyPair* key_ = nullptr;
};

// Pages through sharing_query for `filter`: records per tx id (hex) and request
// ids, checking that no record comes twice.
struct Scan {
  std::map<std::string, size_t> per_tx;
  std::set<std::string> request_ids;
  size_t records = 0;
};
Scan ScanAll(rpc::Client& client, const Auditor& auditor, json::object filter) {
  Scan scan;
  filter["limit"] = 1000;
  filter["count"] = false;
  for (;;) {
    auto page = auditor.Call(client, "sharing_query", filter);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok()) break;
    const json::array& records = page->at("records").as_array();
    for (const json::value& r : records) {
      ++scan.records;
      ++scan.per_tx[std::string(r.at("tx_id").as_string())];
      std::string request_id(r.at("requester").as_string());
      request_id += "/" + std::string(r.at("request_id").as_string());
      EXPECT_TRUE(scan.request_ids.insert(request_id).second) << "record seen twice: " << request_id;
    }
    std::string cursor(page->at("next_cursor").as_string());
    if (records.empty() || cursor.empty()) break;
    filter["cursor"] = cursor;
  }
  return scan;
}

// Checks that the stored records are exactly `per_tx` (records per committed
// log tx), each once, and that every index counts exactly them. Returns the
// number of violations.
size_t ExpectConsistent(rpc::Client& client, const Auditor& auditor, const std::map<std::string, size_t>& per_tx) {
  size_t expected = 0;
  for (const auto& [id, records] : per_tx) expected += records;
  Scan all = ScanAll(client, auditor, {});
  EXPECT_EQ(all.per_tx, per_tx);
  EXPECT_EQ(all.records, expected);
  EXPECT_EQ(auditor.Total(client, {}), expected);

  const uint64_t violations = auditor.Total(client, {{"verdict", "violation"}});
  EXPECT_EQ(auditor.Total(client, {{"verdict", "authorized"}}) + violations, expected);
  EXPECT_EQ(ScanAll(client, auditor, {{"verdict", "violation"}}).records, violations);
  for (const char* side : {"requester", "provider"}) {
    uint64_t by_org = 0;
    for (const auto& org : samples::SampleOrgs()) {
      by_org += auditor.Total(client, {{"org", org.code}, {"org_role", side}});
    }
    EXPECT_EQ(by_org, expected) << side;
  }
  EXPECT_EQ(ScanAll(client, auditor, {{"from_ms", 0}, {"to_ms", NowMs() + 3'600'000}}).records, expected);
  return violations;
}

TEST(SharingKill9Test, RecordsAndIndexesStayConsistentAfterKillDuringBatchedIngestion) {
  NodeFiles files = WriteNodeFiles("it-sharing-kill9");
  CivicdProcess proc(&files);
  proc.Start();
  ASSERT_TRUE(proc.WaitHealthy()) << proc.LogTail();
  rpc::Client setup_client = proc.NewClient(60s);
  auto status = setup_client.Call("chain_status");
  ASSERT_TRUE(status.ok()) << status.status().ToString();

  samples::SharingSampleInput input;
  input.chain_id = files.net.chain_id;
  input.org_keys = files.net.org_keys;
  // Block times follow the node's clock (at height 0 the tip time is the
  // genesis time, a day back), so access times are placed before now.
  input.now_ms = NowMs() - 1000;
  input.valid_until_height = JsonU64(status->at("height")) + 900;
  input.records = kRecords;
  input.records_per_tx = kRecordsPerTx;
  auto sample = samples::SampleSharingBlocks(input);
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();

  // The catalogue and the grants first, then the log txs of the third block
  // (the later blocks, revocation, late logs and acknowledgements, are not sent).
  ASSERT_GE(sample->blocks.size(), 3u);
  for (size_t b = 0; b < 2; ++b) {
    for (const Bytes& tx : sample->blocks[b]) {
      auto r = TxCommit(setup_client, tx, 60000);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ASSERT_TRUE(r->ok) << "setup tx of block " << b << ": " << r->app_code;
    }
  }
  setup_client.Close();
  const std::vector<Bytes>& logs = sample->blocks[2];
  std::map<std::string, size_t> records_of;  // tx id (hex) -> records
  for (const Bytes& tx : logs) {
    size_t n = LogRecords(tx);
    ASSERT_GT(n, 0u) << "block 2 of the sample holds log txs only";
    records_of[ToHex(ledger::TxId(tx))] = n;
  }
  ASSERT_GE(logs.size(), 20u);

  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  const size_t kill_after = std::uniform_int_distribution<size_t>(2, 12)(rng);
  const int extra_delay_ms = std::uniform_int_distribution<int>(0, 150)(rng);
  std::cout << "sharing-kill9 seed=" << seed << " log_txs=" << logs.size() << " kill_after=" << kill_after
            << " extra_delay_ms=" << extra_delay_ms << "\n";

  std::mutex mu;
  std::map<std::string, uint64_t> confirmed;  // tx id (hex) -> height tx_commit reported
  std::atomic<size_t> next{0};
  std::atomic<bool> killed{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      rpc::Client client = proc.NewClient(60s);
      for (size_t i = next++; i < logs.size(); i = next++) {
        auto r = TxCommit(client, logs[i], 60000);
        std::lock_guard<std::mutex> lock(mu);
        if (!r.ok()) {
          if (!killed) ADD_FAILURE() << "log tx " << i << ": " << r.status().ToString();
          return;  // the node is gone
        }
        EXPECT_TRUE(r->ok) << "log tx " << i << ": " << r->app_code;
        confirmed[ToHex(r->id)] = r->height;
      }
    });
  }
  WaitUntil(
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        return confirmed.size() >= kill_after;
      },
      60s);
  std::this_thread::sleep_for(std::chrono::milliseconds(extra_delay_ms));
  killed = true;
  proc.Kill();
  for (auto& t : clients) t.join();
  ASSERT_GE(confirmed.size(), 1u) << "the ingestion never got going: " << proc.LogTail();
  std::cout << "sharing-kill9 confirmed_log_txs=" << confirmed.size() << "\n";

  proc.Start();
  ASSERT_TRUE(proc.WaitHealthy()) << proc.LogTail();
  rpc::Client client = proc.NewClient(60s);
  const Auditor auditor(files.net);

  // Which log txs are on the chain: every confirmed one at its height, and
  // perhaps some that had no answer before the kill.
  std::map<std::string, size_t> expected_per_tx;
  size_t expected = 0;
  for (const auto& [id, records] : records_of) {
    auto height = TxHeight(client, *FromHex(id));
    if (!height.ok()) {
      ASSERT_EQ(height.status().app_code(), "TX_NOT_FOUND") << id << ": " << height.status().ToString();
      ASSERT_FALSE(confirmed.contains(id)) << "confirmed tx lost: " << id;
      continue;
    }
    if (confirmed.contains(id)) {
      EXPECT_EQ(*height, confirmed[id]) << id;
    }
    expected_per_tx[id] = records;
    expected += records;
  }
  std::cout << "sharing-kill9 committed_log_txs=" << expected_per_tx.size() << " records=" << expected << "\n";
  ASSERT_LT(expected_per_tx.size(), logs.size()) << "the kill came after the whole ingestion; nothing was tested";

  const size_t violations = ExpectConsistent(client, auditor, expected_per_tx);

  // Resending every log tx completes the ingestion: the ones already committed
  // give their outcome, the rest commit now.
  for (const Bytes& tx : logs) {
    auto r = TxCommit(client, tx, 60000);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->ok) << r->app_code;
  }
  const size_t all_violations = ExpectConsistent(client, auditor, records_of);
  EXPECT_GE(all_violations, violations);
  EXPECT_GT(all_violations, 0u) << "the sample logs violations";
  client.Close();
  EXPECT_EQ(proc.Terminate(), 0);
}

}  // namespace
}  // namespace civic::testing
