#include "node/node.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>

#include <prometheus/text_serializer.h>

#include "crypto/keyfile.h"
#include "ledger/tx.h"
#include "tests/unit/node/sample_network.h"

namespace civic::node {
namespace {

using namespace std::chrono_literals;

class NodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& dir = dir_.path();
    ASSERT_TRUE(crypto::WriteKeyFile((dir / "node_key.json").string(), net_.node_key).ok());
    std::ofstream(dir / "genesis.json") << net_.genesis_text;
    config_.node.data_dir = (dir / "data").string();
    config_.node.key_file = (dir / "node_key.json").string();
    config_.node.genesis_file = (dir / "genesis.json").string();
    config_.rpc.listen = HostPort{"127.0.0.1", 0};  // any free port
    config_.consensus.block_interval_ms = 3600000;  // blocks only when txs wait
  }

  Result<pb::TxLocation> Await(Node& node, const Bytes& id, std::chrono::milliseconds timeout) {
    std::promise<Result<pb::TxLocation>> p;
    node.AwaitCommit(id, timeout, [&](Result<pb::TxLocation> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  testing::SampleNetwork net_ = testing::MakeSampleNetwork("node-test-1");
  testing::TempDir dir_{"civic-node-test"};
  Config config_;
  testing::Issuer issuer_ = testing::FindIssuer(net_);
};

TEST_F(NodeTest, SubmitAwaitAndMetrics) {
  auto node = Node::Open(config_);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  EXPECT_FALSE((*node)->ready());
  ASSERT_TRUE((*node)->Start().ok());
  EXPECT_TRUE((*node)->ready());
  EXPECT_NE((*node)->rpc_port(), 0);
  EXPECT_EQ((*node)->info().chain_id, "node-test-1");
  EXPECT_TRUE((*node)->info().validator);

  Bytes raw = testing::MakeIssueTx(net_, issuer_, 2, 1, 100);
  auto id = (*node)->SubmitTx(raw);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto location = Await(**node, *id, 20s);
  ASSERT_TRUE(location.ok()) << location.status().ToString();
  EXPECT_EQ(location->height(), 1u);
  EXPECT_EQ(location->result().code(), 0u) << location->result().message();

  // Already committed: answered at once with the same location.
  auto again = Await(**node, *id, 20s);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->height(), 1u);

  // Never submitted: times out with COMMIT_TIMEOUT.
  auto unknown = Await(**node, Bytes(32, 'x'), 30ms);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().app_code(), "COMMIT_TIMEOUT");

  auto bad = (*node)->SubmitTx("garbage");
  ASSERT_FALSE(bad.ok());
  std::string metrics = prometheus::TextSerializer().Serialize((*node)->metrics()->Collect());
  EXPECT_NE(metrics.find("civic_blocks_committed_total 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("civic_txs_committed_total 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("civic_tx_rejections_total{app_code=\"TX_MALFORMED\"} 1\n"), std::string::npos)
      << metrics;

  // A waiter still pending at Stop is answered.
  std::promise<Result<pb::TxLocation>> pending;
  (*node)->AwaitCommit(Bytes(32, 'y'), 20s, [&](Result<pb::TxLocation> r) { pending.set_value(std::move(r)); });
  (*node)->Stop();
  EXPECT_FALSE((*node)->ready());
  auto answer = pending.get_future().get();
  EXPECT_EQ(answer.status().app_code(), "SHUTTING_DOWN");
  auto after = (*node)->SubmitTx(testing::MakeIssueTx(net_, issuer_, 1, 5, 100));
  EXPECT_EQ(after.status().app_code(), "SHUTTING_DOWN");
}

TEST_F(NodeTest, ReopenContinuesFromDisk) {
  Bytes id;
  {
    auto node = Node::Open(config_);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    ASSERT_TRUE((*node)->Start().ok());
    auto submitted = (*node)->SubmitTx(testing::MakeIssueTx(net_, issuer_, 1, 1, 100));
    ASSERT_TRUE(submitted.ok());
    id = *submitted;
    ASSERT_TRUE(Await(**node, id, 20s).ok());
  }
  auto node = Node::Open(config_);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  EXPECT_EQ((*node)->chain().tip().height, 1u);
  EXPECT_TRUE((*node)->chain().GetTx(id).ok());
  EXPECT_EQ((*node)->mempool().size(), 0u);
}

TEST_F(NodeTest, TheDataDirIsTheNodeUsersOnly) {
  // A data dir left open by an older version (0755, a 0644 file) is tightened.
  namespace fs = std::filesystem;
  fs::create_directories(fs::path(config_.node.data_dir) / "old");
  std::ofstream(fs::path(config_.node.data_dir) / "old" / "file") << "x";
  fs::permissions(config_.node.data_dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                             fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(fs::path(config_.node.data_dir) / "old" / "file", fs::perms::owner_read | fs::perms::owner_write |
                                                                         fs::perms::group_read | fs::perms::others_read);
  auto node = Node::Open(config_);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  auto mode = [](const fs::path& p) { return fs::status(p).permissions() & fs::perms::all; };
  EXPECT_EQ(mode(config_.node.data_dir), fs::perms::owner_all);
  size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(config_.node.data_dir)) {
    if (entry.is_directory()) {
      EXPECT_EQ(mode(entry.path()), fs::perms::owner_all) << entry.path();
    } else {
      EXPECT_EQ(mode(entry.path()), fs::perms::owner_read | fs::perms::owner_write) << entry.path();
      ++files;
    }
  }
  EXPECT_GT(files, 3u);  // the database's files, the nonce file, the old file
}

TEST_F(NodeTest, KeyProblemsAreTyped) {
  crypto::KeyPair secp = crypto::KeyPair::Generate(crypto::Algo::kSecp256k1);
  ASSERT_TRUE(crypto::WriteKeyFile((dir_.path() / "secp.json").string(), secp).ok());
  Config c = config_;
  c.node.key_file = (dir_.path() / "secp.json").string();
  auto wrong_algo = Node::Open(c);
  ASSERT_FALSE(wrong_algo.ok());
  EXPECT_EQ(wrong_algo.status().app_code(), "NODE_KEY_NOT_ED25519");

  c = config_;
  c.node.key_passphrase_env = "CIVIC_NODE_TEST_SURELY_UNSET_VARIABLE";
  auto no_pass = Node::Open(c);
  ASSERT_FALSE(no_pass.ok());
  EXPECT_EQ(no_pass.status().app_code(), "NODE_KEY_PASSPHRASE_MISSING");

  ASSERT_TRUE(crypto::WriteKeyFile((dir_.path() / "locked.json").string(), net_.node_key, "s3cret").ok());
  c = config_;
  c.node.key_file = (dir_.path() / "locked.json").string();
  c.node.key_passphrase_env = "CIVIC_NODE_TEST_PASSPHRASE";
  ::setenv("CIVIC_NODE_TEST_PASSPHRASE", "wrong", 1);
  auto wrong_pass = Node::Open(c);
  ASSERT_FALSE(wrong_pass.ok());
  EXPECT_EQ(wrong_pass.status().app_code(), "BAD_PASSPHRASE") << wrong_pass.status().ToString();
  ::setenv("CIVIC_NODE_TEST_PASSPHRASE", "s3cret", 1);
  auto unlocked = Node::Open(c);
  EXPECT_TRUE(unlocked.ok()) << unlocked.status().ToString();
  ::unsetenv("CIVIC_NODE_TEST_PASSPHRASE");
}

TEST_F(NodeTest, GenesisMismatchIsRefused) {
  {
    auto node = Node::Open(config_);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
  }
  testing::SampleNetwork other = testing::MakeSampleNetwork("node-test-1");
  std::ofstream(dir_.path() / "genesis.json", std::ios::trunc) << other.genesis_text;
  auto node = Node::Open(config_);
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.status().app_code(), "GENESIS_MISMATCH");
  EXPECT_NE(node.status().message().find(config_.node.data_dir), std::string::npos);
}

}  // namespace
}  // namespace civic::node
