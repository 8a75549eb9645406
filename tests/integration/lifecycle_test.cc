// A node's life: start, issue certificates (single and batch) through
// tx_commit, query and verify them, stop with SIGTERM, restart, and find the same
// data with the chain going on.
#include <gtest/gtest.h>

#include <thread>

#include "tests/integration/civicd_harness.h"

namespace civic::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class LifecycleTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure()) std::cerr << "---- civicd log (tail) ----\n" << proc_->LogTail() << "\n";
  }

  NodeFiles files_ = WriteNodeFiles("it-lifecycle-1");
  std::unique_ptr<CivicdProcess> proc_ = std::make_unique<CivicdProcess>(&files_);
  Issuer issuer_ = FindIssuer(files_.net);
};

// cert_verify with one presented field of the holder's copy.
json::value VerifyWithField(rpc::Client& client, const contracts::HolderCertificate& copy) {
  const contracts::HolderField& f = copy.fields.front();
  json::object fields{{f.name, json::object{{"salt", f.salt}, {"value", f.value}}}};
  auto r = client.Call("cert_verify", json::object{{"id", copy.id}, {"fields", fields}});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : json::value();
}

TEST_F(LifecycleTest, IssueQueryRestartAndContinue) {
  proc_->Start();
  ASSERT_TRUE(proc_->WaitHealthy()) << proc_->LogTail();
  rpc::Client client = proc_->NewClient();

  auto status = client.Call("chain_status");
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->at("chain_id").as_string(), "it-lifecycle-1");
  EXPECT_EQ(status->at("node").at("node_id").as_string(), files_.net.node_key.public_key().ToString());

  // One certificate, then a batch of 50.
  std::vector<contracts::HolderCertificate> single, batch;
  uint64_t tip = *ChainHeight(client);
  Bytes first_tx = MakeIssueTx(files_.net, issuer_, 1, 1, tip + 900, &single, true);
  auto one = TxCommit(client, first_tx);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_TRUE(one->ok) << one->app_code;
  auto many = TxCommit(client, MakeIssueTx(files_.net, issuer_, 50, 100, tip + 100, &batch, true));
  ASSERT_TRUE(many.ok()) << many.status().ToString();
  EXPECT_TRUE(many->ok) << many->app_code;
  EXPECT_GE(many->height, one->height);

  auto cert = client.Call("cert_get", json::object{{"id", single[0].id}});
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_EQ(cert->at("issuer_org").as_string(), issuer_.org);
  EXPECT_EQ(cert->at("status").as_string(), "active");

  json::value verified = VerifyWithField(client, batch[49]);
  ASSERT_TRUE(verified.is_object());
  EXPECT_TRUE(verified.at("genuine").as_bool());
  EXPECT_TRUE(verified.at("valid_at_time").as_bool());
  EXPECT_TRUE(verified.at("fields_match").as_bool());

  auto unknown = client.Call("cert_verify", json::object{{"id", CertIdFor(issuer_, 999999)}});
  ASSERT_TRUE(unknown.ok()) << unknown.status().ToString();
  EXPECT_FALSE(unknown->at("genuine").as_bool());

  auto tx_height = TxHeight(client, many->id);
  ASSERT_TRUE(tx_height.ok());
  EXPECT_EQ(*tx_height, many->height);

  // Metrics report the node's counters.
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("civic_txs_committed_total"), std::string::npos);
  EXPECT_NE(metrics->body.find("civic_mempool_txs 0"), std::string::npos);

  uint64_t height_before = *ChainHeight(client);
  client.Close();
  EXPECT_EQ(proc_->Terminate(), 0) << "a clean stop exits 0";

  // Restart: the same data, and the chain goes on.
  proc_->Start();
  ASSERT_TRUE(proc_->WaitHealthy()) << proc_->LogTail();
  rpc::Client again = proc_->NewClient();
  auto height_after = ChainHeight(again);
  ASSERT_TRUE(height_after.ok());
  EXPECT_GE(*height_after, height_before);
  auto cert_again = again.Call("cert_get", json::object{{"id", single[0].id}});
  ASSERT_TRUE(cert_again.ok()) << cert_again.status().ToString();
  EXPECT_EQ(json::serialize(*cert_again), json::serialize(*cert));
  auto tx_again = TxHeight(again, many->id);
  ASSERT_TRUE(tx_again.ok());
  EXPECT_EQ(*tx_again, many->height);
  for (uint64_t h = 1; h <= height_before; ++h) {
    auto block = again.Call("chain_getBlock", json::object{{"height", h}});
    ASSERT_TRUE(block.ok()) << "block " << h << ": " << block.status().ToString();
  }

  // A committed tx is refused as a replay; a new one commits above the old tip.
  auto replay = TxSubmit(again, first_tx);
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.status().app_code(), "TX_ALREADY_COMMITTED") << replay.status().ToString();
  std::vector<contracts::HolderCertificate> later;
  auto next = TxCommit(again, MakeIssueTx(files_.net, issuer_, 1, 500, *height_after + 100, &later, true));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_TRUE(next->ok) << next->app_code;
  EXPECT_GT(next->height, height_before);
  EXPECT_TRUE(VerifyWithField(again, later[0]).at("genuine").as_bool());

  // Idle: heartbeat blocks keep the height going.
  uint64_t idle_from = *ChainHeight(again);
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (*ChainHeight(again) < idle_from + 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_GE(*ChainHeight(again), idle_from + 2);
  again.Close();
  EXPECT_EQ(proc_->Terminate(), 0);
}

}  // namespace
}  // namespace civic::testing
