// `civic net` on a real four-department network (label "integration"): init and
// up; add-node starts a fifth department's node and makes it a validator through
// governance; remove-node takes a genesis validator out and stops it; the others
// never restart and keep committing; down stops everything.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "node/config.h"
#include "tests/integration/civicd_harness.h"
#include "tests/unit/node/sample_network.h"
#include "tools/net/net.h"

namespace civic::tools {
namespace {

using namespace std::chrono_literals;
using civic::testing::PickFreeRange;

const NodeRunState* Find(const std::vector<NodeRunState>& states, const std::string& name) {
  for (const auto& s : states) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

// RPC polls: every 200 ms, not the harness's default 5 ms.
bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  return civic::testing::WaitUntil(done, timeout, 200ms);
}

// Every node of `net` answers with at least `height`.
bool AllAt(const Network& net, uint64_t height) {
  for (const auto& s : NetworkStatus(net)) {
    if (!s.rpc_ok || s.height < height) return false;
  }
  return true;
}

uint64_t MaxHeight(const Network& net) {
  uint64_t h = 0;
  for (const auto& s : NetworkStatus(net)) h = std::max(h, s.height);
  return h;
}

class NetMembershipTest : public ::testing::Test {
 protected:
  void TearDown() override {
    // Whatever the outcome, nothing keeps running: the nodes of network.json
    // and any node folder a failed step left behind.
    if (!dir_) return;
    for (const auto& entry : std::filesystem::directory_iterator(dir_->path() / "net")) {
      int pid = LiveCivicdPid((entry.path() / "civicd.pid").string());
      if (pid > 0) ::kill(pid, SIGKILL);
    }
  }

  std::unique_ptr<testing::TempDir> dir_;
};

TEST_F(NetMembershipTest, AddNodeAndRemoveNodeWithoutRestartingTheOthers) {
  dir_ = std::make_unique<testing::TempDir>("civic-net-it");
  NetInitOptions init;
  init.nodes = 4;
  init.dir = (dir_->path() / "net").string();
  init.base_port = PickFreeRange(12);
  ASSERT_NE(init.base_port, 0);
  init.chain_id = "net-it";
  auto net = InitNetwork(init);
  ASSERT_TRUE(net.ok()) << net.status().ToString();

  NetUpOptions up;
  up.civicd = CIVICD_PATH;
  up.timeout_s = 30;
  auto started = StartNetwork(*net, up);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  for (const auto& s : *started) ASSERT_TRUE(s.healthy) << s.name << ": " << s.detail;
  ASSERT_TRUE(WaitFor([&] { return AllAt(*net, 2); }, 30s)) << "the four nodes do not commit";
  for (const auto& s : NetworkStatus(*net)) {
    EXPECT_TRUE(s.validator) << s.name;
    EXPECT_EQ(s.peers, 3u) << s.name;
  }
  std::vector<int> pids;
  for (const auto& s : *started) pids.push_back(s.pid);

  NetMembershipOptions membership;
  membership.civicd = CIVICD_PATH;
  membership.timeout_s = 30;
  auto added = AddNetworkNode(*net, membership);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(added->node.name, "node4");
  EXPECT_GT(added->proposal_id, 0u);
  auto reloaded = LoadNetwork(init.dir);
  ASSERT_TRUE(reloaded.ok());
  ASSERT_EQ(reloaded->nodes.size(), 5u);
  {
    auto states = NetworkStatus(*reloaded);
    const NodeRunState* joined = Find(states, "node4");
    ASSERT_NE(joined, nullptr);
    EXPECT_TRUE(joined->validator);
    // The other nodes' configs list it for their next start.
    auto cfg = node::LoadConfig(reloaded->Path("node0/config.toml"));
    ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
    EXPECT_EQ(cfg->p2p.peers.size(), 4u);
    EXPECT_EQ(cfg->node.genesis_file, reloaded->Path("genesis.json"));
  }

  auto removed = RemoveNetworkNode(*reloaded, "node0", membership);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_GT(removed->proposal_id, added->proposal_id);
  auto after = LoadNetwork(init.dir);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->nodes.size(), 4u);
  EXPECT_EQ(LiveCivicdPid(reloaded->Path("node0/civicd.pid")), 0) << "the removed node still runs";
  // The remaining nodes were never restarted and keep committing.
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(LiveCivicdPid(after->Path("node" + std::to_string(i) + "/civicd.pid")), pids[i]);
  }
  const uint64_t h = MaxHeight(*after);
  ASSERT_TRUE(WaitFor([&] { return AllAt(*after, h + 2); }, 30s)) << "the four remaining nodes do not commit";

  // Bad input: a node the network does not have.
  auto unknown = RemoveNetworkNode(*after, "node9", membership);
  EXPECT_EQ(unknown.status().app_code(), "NET_UNKNOWN_NODE");

  auto stopped = StopNetwork(*after, 20);
  ASSERT_TRUE(stopped.ok()) << stopped.status().ToString();
  for (const auto& s : *stopped) EXPECT_EQ(s.detail, "stopped") << s.name;
  auto down = NetworkStatus(*after);
  for (const auto& s : down) EXPECT_EQ(s.pid, 0) << s.name;
  // A stopped network takes no membership change, and nothing is written.
  auto refused = AddNetworkNode(*after, membership);
  EXPECT_EQ(refused.status().app_code(), "NET_NOT_RUNNING");
  EXPECT_EQ(LoadNetwork(init.dir)->nodes.size(), 4u);
}

}  // namespace
}  // namespace civic::tools
