// Fault scenarios against four real civicd validators (label "faults"). Every
// link goes through a FaultProxy (tests/faults/fault_mesh.h); clients commit
// certificate txs through all four nodes while a scenario injects its faults
// for a fault phase (12 s; CIVIC_FAULTS_SOAK_S=<seconds> sets it for a longer
// local soak), then heals. After each scenario ChainChecker asserts: no fork,
// every acknowledged commit on every node, equal state roots, and every node
// past the highest height + 3 within kLivenessBound of healing. Each scenario
// prints one "FAULTS ..." line with its figures (docs/security/faults.md).
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stop_token>
#include <thread>

#include "tests/faults/chain_checker.h"
#include "tests/faults/fault_mesh.h"
#include "tests/integration/civicd_harness.h"
#include "tests/integration/civicd_network.h"

namespace civic::faults {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::CivicdProcess;
using testing::NodeFiles;

constexpr size_t kNodes = 4;
constexpr auto kLivenessBound = 30s;
// The nodes' max_block_time_drift_ms (node/bft_engine.h) and the skew that
// exceeds it.
constexpr int64_t kBlockTimeDriftMs = 30000;
constexpr char kFaketimeLibrary[] = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

std::chrono::seconds FaultPhase() {
  const char* soak = std::getenv("CIVIC_FAULTS_SOAK_S");
  if (soak != nullptr && std::atoi(soak) > 0) return std::chrono::seconds(std::atoi(soak));
  return 12s;
}

std::vector<size_t> AllNodes() { return {0, 1, 2, 3}; }

// The value of an unlabelled metric in a Prometheus text page; -1 if absent.
double MetricValue(const std::string& page, const std::string& name) {
  std::istringstream lines(page);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  }
  return -1;
}

class FaultScenarioTest : public ::testing::Test {
 protected:
  // Before SetUp starts the nodes: a node-specific environment or mount.
  virtual void PrepareNode(size_t /*node*/) {}

  void SetUp() override {
    const uint64_t seed = std::hash<std::string>{}(::testing::UnitTest::GetInstance()->current_test_info()->name());
    rng_.seed(seed);
    mesh_ = std::make_unique<FaultMesh>(seed);
    files_ =
        testing::WriteNetwork(kNodes, "civic-faults", 0, testing::ExtraNodes::kObservers,
                              [this](size_t from, size_t to, uint16_t port) { return mesh_->AddLink(from, to, port); });
    std::vector<uint16_t> rpc_ports;
    for (auto& f : files_) {
      procs_.push_back(std::make_unique<CivicdProcess>(f.get()));
      rpc_ports.push_back(f->config.rpc.listen.port);
    }
    checker_ = std::make_unique<ChainChecker>(rpc_ports);
    for (size_t i = 0; i < kNodes; ++i) PrepareNode(i);
    if (HasFatalFailure() || IsSkipped()) return;
    for (auto& p : procs_) p->Start();
    for (size_t i = 0; i < kNodes; ++i) {
      ASSERT_TRUE(procs_[i]->WaitHealthy(30s)) << "node " << i << ":\n" << procs_[i]->LogTail();
    }
    issuer_ = testing::FindIssuer(files_[0]->net);
    ASSERT_TRUE(checker_->WaitAllAt(AllNodes(), 2, kLivenessBound).ok());
    load_ = std::jthread([this](std::stop_token stop) { Load(stop); });
  }

  void TearDown() override {
    StopLoad();
    if (HasFailure()) {
      for (size_t i = 0; i < procs_.size(); ++i) {
        std::cerr << "---- node " << i << " log tail ----\n" << procs_[i]->LogTail(3000) << "\n";
      }
    }
    for (auto& p : procs_) p->Kill();
    mesh_.reset();
  }

  void StopLoad() {
    if (!load_.joinable()) return;
    load_.request_stop();
    load_.join();
  }

  // Two clients per node commit one-certificate txs; the ids tx_commit
  // acknowledges go to the checker.
  void Load(std::stop_token stop) {
    std::vector<std::jthread> clients;
    for (size_t c = 0; c < 2 * kNodes; ++c) {
      clients.emplace_back([this, node = c % kNodes, stop] {
        rpc::Client client = procs_[node]->NewClient(30s);
        uint64_t height = 1;
        while (!stop.stop_requested()) {
          uint64_t n;
          {
            std::lock_guard<std::mutex> lock(tx_mu_);
            n = next_tx_++;
          }
          const Bytes raw = testing::MakeIssueTx(files_[0]->net, issuer_, 1, n, height + 900);
          auto committed = testing::TxCommit(client, raw, 10000);
          if (committed.ok()) {
            checker_->Acknowledge(committed->id);
            height = committed->height;
          } else {
            std::this_thread::sleep_for(100ms);  // the node is cut off, down or busy
          }
        }
      });
    }
  }

  // An unlabelled metric of node `node`; -1 when absent or unreachable.
  double MetricOf(size_t node, const std::string& name) {
    rpc::Client client = procs_[node]->NewClient(5s);
    auto page = client.Get("/metrics");
    return page.ok() ? MetricValue(page->body, name) : -1;
  }

  // Heights of every node advance by `blocks` while the faults are on.
  void ExpectProgressDuring(std::chrono::seconds phase, uint64_t blocks, const std::vector<size_t>& nodes) {
    const uint64_t before = checker_->MaxHeight(nodes);
    std::this_thread::sleep_for(phase);
    auto reached = checker_->WaitAllAt(nodes, before + blocks, 1s);
    EXPECT_TRUE(reached.ok()) << "no progress under faults: " << reached.status().ToString();
  }

  // After the faults are healed: liveness within the bound, then the checks.
  void HealAndCheck(const std::string& scenario, const std::vector<size_t>& nodes = AllNodes()) {
    mesh_->HealAll();
    mesh_->Partition({}, false);
    const uint64_t target = checker_->MaxHeight(nodes) + 3;
    auto liveness = checker_->WaitAllAt(nodes, target, kLivenessBound);
    ASSERT_TRUE(liveness.ok()) << liveness.status().ToString();
    StopLoad();
    ASSERT_TRUE(checker_->WaitAllAt(nodes, checker_->MaxHeight(nodes), kLivenessBound).ok());
    const Status checked = checker_->CheckAll(nodes);
    ASSERT_TRUE(checked.ok()) << checked.ToString();
    const ProxyStats totals = mesh_->Totals();
    std::cout << fmt::format(
                     "FAULTS scenario={} acknowledged={} commits_lost=0 liveness_after_heal_ms={} "
                     "height={} proxied_connections={} resets={} refused={} bytes={}",
                     scenario, checker_->acknowledged(), liveness->count(), checker_->MaxHeight(nodes), totals.accepted,
                     totals.resets, totals.refused, totals.bytes[0] + totals.bytes[1])
              << std::endl;
    EXPECT_GT(checker_->acknowledged(), 0u);
  }

  std::unique_ptr<FaultMesh> mesh_;
  std::vector<std::unique_ptr<NodeFiles>> files_;
  std::vector<std::unique_ptr<CivicdProcess>> procs_;
  std::unique_ptr<ChainChecker> checker_;
  testing::Issuer issuer_;
  std::mt19937_64 rng_;
  std::mutex tx_mu_;
  uint64_t next_tx_ = 1;
  std::jthread load_;
};

// 40 ms +- 40 ms on every byte of every link (order kept): a slow WAN.
TEST_F(FaultScenarioTest, DelayAndJitterOnEveryLink) {
  mesh_->SetEverywhere(LinkFaults{.delay_ms = 40, .jitter_ms = 80});
  ExpectProgressDuring(FaultPhase(), 5, AllNodes());
  HealAndCheck("delay_jitter");
}

// Loss as TCP shows it: 300 ms stalls on 2% of chunks (retransmits) and a
// seeded random link reset about every 700 ms.
TEST_F(FaultScenarioTest, LossAsStallsAndConnectionResets) {
  mesh_->SetEverywhere(LinkFaults{.stall_per_mille = 20, .stall_ms = 300});
  const uint64_t before = checker_->MaxHeight(AllNodes());
  const auto end = std::chrono::steady_clock::now() + FaultPhase();
  while (std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400 + rng_() % 600));
    const size_t a = rng_() % kNodes;
    const size_t b = (a + 1 + rng_() % (kNodes - 1)) % kNodes;
    mesh_->ResetLink(a, b);
  }
  EXPECT_TRUE(checker_->WaitAllAt(AllNodes(), before + 5, 1s).ok()) << "no progress under loss";
  EXPECT_GT(mesh_->Totals().resets, 0u);
  HealAndCheck("loss_stalls_resets");
}

// Every link of node 3, both ways, drips at 2 KiB/s: the three others are a
// quorum and go on; node 3 falls behind, then catches up.
TEST_F(FaultScenarioTest, SlowDripOnOneNode) {
  const LinkFaults drip{.bytes_per_second = 2048};
  for (size_t other = 0; other < 3; ++other) {
    mesh_->SetOneWay(3, other, drip);
    mesh_->SetOneWay(other, 3, drip);
  }
  ExpectProgressDuring(FaultPhase(), 5, {0, 1, 2});
  HealAndCheck("slow_drip_one_node");
}

// One-way blackhole: nothing node 0 sends arrives (its bytes are held), while
// it hears everyone. The others go on without it.
TEST_F(FaultScenarioTest, OneWayBlackholeOfOneNode) {
  for (size_t other = 1; other < kNodes; ++other) mesh_->SetOneWay(0, other, LinkFaults{.held = true});
  ExpectProgressDuring(FaultPhase(), 5, {1, 2, 3});
  HealAndCheck("one_way_blackhole");
}

// Asymmetric partitions: 0 -> 1 and 2 -> 3 cut, 1 -> 0 and 3 -> 2 open. Every
// node still hears three of four votes.
TEST_F(FaultScenarioTest, AsymmetricPartitions) {
  mesh_->SetOneWay(0, 1, LinkFaults{.held = true});
  mesh_->SetOneWay(2, 3, LinkFaults{.held = true});
  ExpectProgressDuring(FaultPhase(), 5, AllNodes());
  HealAndCheck("asymmetric_partitions");
}

// Node 2 cut off both ways (connections reset, new ones refused): the others
// go on; once healed node 2 reconnects and catches up.
TEST_F(FaultScenarioTest, OneNodeFullyPartitioned) {
  mesh_->Partition({2}, true);
  ExpectProgressDuring(FaultPhase(), 5, {0, 1, 3});
  HealAndCheck("one_node_partitioned");
}

// Two against two: no side has a quorum, so nothing commits (no fork) until
// the partition heals.
TEST_F(FaultScenarioTest, SplitInHalvesCommitsNothingThenResumes) {
  mesh_->Partition({0, 1}, true);
  std::this_thread::sleep_for(2s);  // a block whose votes were already out may still land
  const uint64_t frozen = checker_->MaxHeight(AllNodes());
  std::this_thread::sleep_for(FaultPhase());
  EXPECT_EQ(checker_->MaxHeight(AllNodes()), frozen) << "a half without a quorum committed";
  HealAndCheck("split_in_halves");
}

// Replay and duplication, as far as an authenticated stream allows: the bytes
// a node sent first on a link (hello, identity and auth frames, then frames)
// sent again on a new connection straight to the dialed node's p2p port, as a
// man in the middle would replay a captured stream. The session keys are bound
// to the dialed node's fresh ephemeral key, so the replayed identity frame
// fails its MAC: the node closes the connection and counts a bad handshake; its
// links stay up.
TEST_F(FaultScenarioTest, ReplayedConnectionIsRejected) {
  // Of each pair, one side dials the other (the other's dial is a duplicate or
  // never made): the first link that carried a handshake.
  const FaultProxy* link = nullptr;
  size_t target = 0;
  for (size_t from = 0; from < kNodes && link == nullptr; ++from) {
    for (size_t to = 0; to < kNodes && link == nullptr; ++to) {
      if (from != to && mesh_->link(from, to).captured().size() > 72) {
        link = &mesh_->link(from, to);
        target = to;
      }
    }
  }
  ASSERT_NE(link, nullptr) << "no link carried more than a hello";
  const std::string captured = link->captured();
  const double bad_auth_before = MetricOf(target, "civic_p2p_handshake_bad_auth_total");

  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(link->target_port());
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  // Node 1 may close before all is sent; what matters is that it does.
  (void)::send(fd, captured.data(), captured.size(), MSG_NOSIGNAL);
  bool ended = false;
  for (int i = 0; i < 100 && !ended; ++i) {
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, 100) <= 0) continue;
    char buf[4096];
    while (true) {
      const ssize_t r = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
      if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) ended = true;
      if (r <= 0) break;
    }
  }
  ::close(fd);
  EXPECT_TRUE(ended) << "node " << target << " kept a replayed connection open";
  EXPECT_GT(MetricOf(target, "civic_p2p_handshake_bad_auth_total"), bad_auth_before);
  ExpectProgressDuring(3s, 3, AllNodes());
  HealAndCheck("replayed_connection");
}

// Node 3 runs under libfaketime, its clock `offset` seconds off. Block time
// rules: strictly increasing, never more than the accepted drift ahead of an
// honest clock.
class ClockSkewTest : public FaultScenarioTest, public ::testing::WithParamInterface<int> {
 protected:
  void PrepareNode(size_t node) override {
    if (node != 3) return;
    if (!fs::exists(kFaketimeLibrary)) GTEST_SKIP() << "libfaketime is not installed (Debian package faketime)";
    procs_[3]->SetExtraEnvironment({std::string("LD_PRELOAD=") + kFaketimeLibrary,
                                    fmt::format("FAKETIME={:+d}s", GetParam()), "FAKETIME_DONT_FAKE_MONOTONIC=1",
                                    "FAKETIME_NO_CACHE=1"});
  }
};

// Ahead by more than the drift: the others refuse node 3's proposals (no block
// of it is in the chain) and commit in the next round. Behind: node 3 refuses
// the others' proposals as too far ahead of its clock but the three are a
// quorum; its own blocks get the previous block time + 1 ms.
TEST_P(ClockSkewTest, ChainCommitsAndBlockTimesFollowTheHonestClocks) {
  ExpectProgressDuring(FaultPhase(), 10, AllNodes());
  HealAndCheck(fmt::format("clock_skew_{:+d}s", GetParam()));
  if (HasFatalFailure()) return;
  for (size_t node : AllNodes()) {
    const Status times = checker_->CheckBlockTimes(node, kBlockTimeDriftMs);
    EXPECT_TRUE(times.ok()) << times.ToString();
  }
  const std::string skewed = files_[3]->net.node_key.public_key().ToString();
  rpc::Client client = procs_[0]->NewClient(5s);
  const uint64_t top = checker_->MaxHeight({0});
  size_t skewed_blocks = 0;
  size_t at_previous_plus_one = 0;
  int64_t previous = 0;
  for (uint64_t h = 1; h <= top; ++h) {
    auto block = client.Call("chain_getBlock", boost::json::object{{"height", h}});
    ASSERT_TRUE(block.ok()) << block.status().ToString();
    const auto& header = block->at("header");
    const int64_t time_ms = header.at("time_ms").to_number<int64_t>();
    // Block 1 follows the genesis time, a day back.
    if (h >= 2 && header.at("proposer").as_string() == skewed) {
      ++skewed_blocks;
      if (time_ms == previous + 1) ++at_previous_plus_one;
    }
    previous = time_ms;
  }
  if (GetParam() > 0) {
    EXPECT_EQ(skewed_blocks, 0u) << "a block proposed " << GetParam() << " s ahead was accepted";
    EXPECT_GT(MetricOf(0, "civic_bft_proposals_refused_total"), 0) << "node 0 refused no proposal";
  } else {
    EXPECT_GT(skewed_blocks, 0u);
    EXPECT_EQ(at_previous_plus_one, skewed_blocks) << "the skewed node's blocks took its own clock";
  }
}

INSTANTIATE_TEST_SUITE_P(Skews, ClockSkewTest, ::testing::Values(60, -60), [](const auto& info) {
  return info.param > 0 ? std::string("Ahead60s") : std::string("Behind60s");
});

// Node 3's data directory is a 64 MiB tmpfs that the test fills while the
// network is under load.
class DiskFullTest : public FaultScenarioTest {
 protected:
  void PrepareNode(size_t node) override {
    if (node != 3) return;
    if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs data directory needs root";
    data_dir_ = files_[3]->dir->path() / "data";
    fs::create_directories(data_dir_);
    if (::mount("tmpfs", data_dir_.c_str(), "tmpfs", 0, "size=64m") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
    }
    mounted_ = true;
  }
  void TearDown() override {
    FaultScenarioTest::TearDown();
    if (mounted_) ::umount2(data_dir_.c_str(), MNT_DETACH);
  }
  // Writes a file until the disk is full.
  void Fill() {
    std::ofstream out(data_dir_ / "filler", std::ios::binary);
    const std::string block(1 << 16, 'x');
    while (out.write(block.data(), block.size()) && out.flush()) {
    }
  }

  fs::path data_dir_;
  bool mounted_ = false;
};

TEST_F(DiskFullTest, NodeWithAFullDiskStopsCleanlyOthersGoOnAndItCatchesUpAfter) {
  std::this_thread::sleep_for(2s);
  Fill();
  // The node's next write fails: it stops with the runtime exit code and says why.
  auto code = procs_[3]->WaitExit(FaultPhase() + 20s);
  ASSERT_TRUE(code.has_value()) << "node 3 still runs on a full disk:\n" << procs_[3]->LogTail();
  EXPECT_EQ(*code, 1) << procs_[3]->LogTail();
  const std::string log = procs_[3]->LogTail(20000);
  const size_t cause = log.find("No space left on device");
  ASSERT_NE(cause, std::string::npos) << log;
  const size_t line_start = log.rfind('\n', cause) + 1;
  std::cout << "FAULTS disk_full_stop exit_code=" << *code
            << " log: " << log.substr(line_start, log.find('\n', cause) - line_start) << std::endl;
  const uint64_t at_stop = checker_->MaxHeight({0, 1, 2});
  ASSERT_TRUE(checker_->WaitAllAt({0, 1, 2}, at_stop + 10, kLivenessBound).ok()) << "the three others stopped";

  // Space again; the node restarts from what it has on disk and catches up.
  fs::remove(data_dir_ / "filler");
  procs_[3]->Start();
  ASSERT_TRUE(procs_[3]->WaitHealthy(30s)) << procs_[3]->LogTail();
  HealAndCheck("disk_full_one_node");
}

}  // namespace
}  // namespace civic::faults
