// Four real civicd validators on loopback ports (label "integration"): commits
// under load; kill -9 of any node, the proposer included, while the others go
// on; restart and catch-up; the loss of two of four stopping commits and the
// return of one resuming them; a network split in two halves by TCP proxies
// (no commits, no fork) that resumes once healed; an observer that follows the chain, serves RPC
// and relays txs without voting; governance adding a new department's node as a
// validator and removing another, with no other node restarted; a Byzantine
// validator (a p2p program holding a real node key of the network) claiming
// height 2^62 and forging votes, while the three others keep committing and cut
// it off. After each test
// every node holds the same blocks (hence the same state roots: block h+1
// carries the root after h) and every tx that RPC reported committed.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <mutex>
#include <stop_token>
#include <thread>

#include <fmt/format.h>

#include "contracts/certificate/holder.h"
#include "contracts/certificate/calls.h"
#include "contracts/governance/calls.h"
#include "contracts/base/tx_builder.h"
#include "contracts/genesis.h"
#include "consensus/messages.h"
#include "consensus/signer.h"
#include "crypto/hash.h"
#include "crypto/keyfile.h"
#include "ledger/tx.h"
#include "node/bft.pb.h"
#include "node/p2p/peer_manager.h"
#include "tests/faults/fault_mesh.h"
#include "tests/integration/civicd_harness.h"
#include "tests/integration/civicd_network.h"
#include "tools/samples/network.h"

namespace civic::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// RPC polls: every 50 ms, not the harness's default 5 ms.
bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  return civic::testing::WaitUntil(done, timeout, 50ms);
}

class BftNetworkTest : public ::testing::Test {
 protected:
  static constexpr size_t kValidators = 4;

  // Nodes beyond the genesis validators (not started by SetUp).
  virtual size_t ExtraNodeCount() const { return 0; }
  virtual ExtraNodes ExtraNodeKind() const { return ExtraNodes::kObservers; }
  // The port node `from` dials for node `to` (default: its listen port).
  virtual PeerPortFn PeerPort() { return {}; }

  void SetUp() override {
    files_ = WriteNetwork(kValidators, "civic-bft-it", ExtraNodeCount(), ExtraNodeKind(), PeerPort());
    node_count_ = files_.size();
    for (auto& f : files_) procs_.push_back(std::make_unique<CivicdProcess>(f.get()));
    for (size_t i = 0; i < kValidators; ++i) procs_[i]->Start();
    for (size_t i = 0; i < kValidators; ++i) {
      if (!procs_[i]->WaitHealthy(30s)) {
        const std::string log = procs_[i]->LogTail();
        if (log.find("NOT_SOLE_VALIDATOR") != std::string::npos) {
          GTEST_SKIP() << "this civicd runs only the one-validator engine";
        }
        FAIL() << "node " << i << " not healthy:\n" << log;
      }
    }
    issuer_ = FindIssuer(files_[0]->net);
  }

  void TearDown() override {
    if (HasFailure()) {
      for (size_t i = 0; i < procs_.size(); ++i) {
        std::cerr << "---- node " << i << " log tail ----\n" << procs_[i]->LogTail(3000) << "\n";
      }
    }
    for (auto& p : procs_) p->Kill();
  }

  Result<uint64_t> Height(size_t i) {
    rpc::Client client = procs_[i]->NewClient(3s);
    return ChainHeight(client);
  }
  // The highest height of the running nodes. A node too busy to answer is
  // asked again: skipping it could make the maximum go down and up again.
  uint64_t MaxHeight() {
    uint64_t h = 0;
    for (size_t i = 0; i < node_count_; ++i) {
      if (!procs_[i]->running()) continue;
      Result<uint64_t> r = Height(i);
      for (int attempt = 0; !r.ok() && attempt < 5; ++attempt) r = Height(i);
      if (r.ok()) h = std::max(h, *r);
    }
    return h;
  }
  bool WaitAllAt(uint64_t height, std::chrono::milliseconds timeout = 45s) {
    return WaitFor([&] {
      for (size_t i = 0; i < node_count_; ++i) {
        if (!procs_[i]->running()) continue;
        auto r = Height(i);
        if (!r.ok() || *r < height) return false;
      }
      return true;
    }, timeout);
  }

  // Valid until height 900: the replay window (1000) admits it from genesis on,
  // and no test here gets near that height.
  Bytes NextTx() {
    uint64_t n;
    {
      std::lock_guard<std::mutex> lock(tx_mu_);
      n = next_tx_++;
    }
    return MakeIssueTx(files_[0]->net, issuer_, 1, n, 900);
  }

  // Clients submit txs with tx_commit to the given nodes until `stop`;
  // committed ids are recorded.
  // Clients, one per entry of `nodes`, committing txs until `stop` is
  // requested. Run it on a std::jthread: a failed ASSERT then still stops and
  // joins it when the test body unwinds.
  void LoadUntil(const std::vector<size_t>& nodes, std::stop_token stop) {
    std::vector<std::thread> threads;
    for (size_t node : nodes) {
      threads.emplace_back([this, node, stop] {
        rpc::Client client = procs_[node]->NewClient(30s);
        while (!stop.stop_requested()) {
          Bytes raw = NextTx();
          auto c = TxCommit(client, raw, 20000);
          if (c.ok()) {
            std::lock_guard<std::mutex> lock(tx_mu_);
            committed_.push_back(c->id);
          } else {
            std::this_thread::sleep_for(50ms);  // the node is down or busy
          }
        }
      });
    }
    for (auto& t : threads) t.join();
  }

  // Same block hashes on every running node up to the lowest height; every
  // committed tx on every running node.
  void ExpectConsistent() {
    std::vector<size_t> up;
    for (size_t i = 0; i < node_count_; ++i) {
      if (procs_[i]->running()) up.push_back(i);
    }
    uint64_t min_height = UINT64_MAX;
    for (size_t i : up) {
      auto h = Height(i);
      ASSERT_TRUE(h.ok()) << h.status().ToString();
      min_height = std::min(min_height, *h);
    }
    for (uint64_t h = 1; h <= min_height; ++h) {
      std::string hash;
      for (size_t i : up) {
        rpc::Client client = procs_[i]->NewClient(5s);
        auto block = client.Call("chain_getBlock", boost::json::object{{"height", h}});
        ASSERT_TRUE(block.ok()) << block.status().ToString();
        std::string got(block->at("hash").as_string());
        if (hash.empty()) hash = got;
        ASSERT_EQ(got, hash) << "block " << h << " differs on node " << i;
      }
    }
    std::vector<Bytes> ids;
    {
      std::lock_guard<std::mutex> lock(tx_mu_);
      ids = committed_;
    }
    for (size_t i : up) {
      rpc::Client client = procs_[i]->NewClient(5s);
      for (const Bytes& id : ids) {
        auto h = TxHeight(client, id);
        ASSERT_TRUE(h.ok()) << "tx " << ToHex(id) << " reported committed is missing on node " << i;
      }
    }
  }

  // Index of the node that proposes round 0 of `height` (validators are ordered
  // by public key; proposer = members[(height + round) mod n]).
  size_t ProposerOf(uint64_t height) {
    std::vector<std::pair<Bytes, size_t>> keys;
    for (size_t i = 0; i < kValidators; ++i) keys.emplace_back(files_[i]->net.node_key.public_key().key, i);
    std::sort(keys.begin(), keys.end());
    return keys[height % kValidators].second;
  }

  // chain_status "node" object of node i.
  Result<boost::json::object> NodeStatus(size_t i) {
    rpc::Client client = procs_[i]->NewClient(3s);
    auto st = client.Call("chain_status");
    if (!st.ok()) return st.status();
    if (!st->is_object() || !st->as_object().contains("node") || !st->as_object().at("node").is_object()) {
      return Status::Internal("chain_status has no node object");
    }
    return st->as_object().at("node").as_object();
  }
  bool IsValidator(size_t i) {
    auto st = NodeStatus(i);
    return st.ok() && st->contains("validator") && st->at("validator").is_bool() && st->at("validator").as_bool();
  }
  size_t Peers(size_t i) {
    auto st = NodeStatus(i);
    return st.ok() && st->contains("peers") ? static_cast<size_t>(JsonU64(st->at("peers"))) : SIZE_MAX;
  }

  std::vector<std::unique_ptr<NodeFiles>> files_;
  size_t node_count_ = 0;
  std::vector<std::unique_ptr<CivicdProcess>> procs_;
  Issuer issuer_;
  std::mutex tx_mu_;
  uint64_t next_tx_ = 1;
  std::vector<Bytes> committed_;
};

TEST_F(BftNetworkTest, CommitsUnderLoadAndEveryCommittedTxIsOnEveryNode) {
  std::jthread load([&](std::stop_token stop) { LoadUntil({0, 1, 2, 3, 0, 1, 2, 3}, stop); });
  std::this_thread::sleep_for(8s);
  load.request_stop();
  load.join();
  {
    std::lock_guard<std::mutex> lock(tx_mu_);
    EXPECT_GE(committed_.size(), 20u);
  }
  ASSERT_TRUE(WaitAllAt(MaxHeight()));
  ExpectConsistent();
}

TEST_F(BftNetworkTest, KillNineTheProposerOthersGoOnRestartCatchesUp) {
  std::jthread load([&](std::stop_token stop) { LoadUntil({0, 1, 2, 3}, stop); });
  ASSERT_TRUE(WaitAllAt(3));
  // The proposer of the next height, killed while it proposes.
  const uint64_t next = MaxHeight() + 1;
  const size_t victim = ProposerOf(next);
  procs_[victim]->Kill();
  const uint64_t at_kill = MaxHeight();
  ASSERT_TRUE(WaitAllAt(at_kill + 6)) << "the three others stopped committing";
  const uint64_t ahead = MaxHeight() + 10;
  ASSERT_TRUE(WaitAllAt(ahead));

  procs_[victim]->Start();
  ASSERT_TRUE(procs_[victim]->WaitHealthy(30s)) << procs_[victim]->LogTail();
  ASSERT_TRUE(WaitFor([&] {
    auto h = Height(victim);
    return h.ok() && *h >= ahead;
  }, 45s)) << "the restarted node did not catch up";
  load.request_stop();
  load.join();
  ASSERT_TRUE(WaitAllAt(MaxHeight()));
  ExpectConsistent();
}

TEST_F(BftNetworkTest, TwoOfFourDownStopsCommitsOneBackResumes) {
  ASSERT_TRUE(WaitAllAt(3));
  procs_[1]->Kill();
  procs_[2]->Kill();
  std::this_thread::sleep_for(1500ms);
  const uint64_t frozen = MaxHeight();
  // A tx submitted now cannot commit.
  rpc::Client client = procs_[0]->NewClient(10s);
  const Bytes raw = NextTx();
  auto id = TxSubmit(client, raw);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  std::this_thread::sleep_for(4s);
  EXPECT_EQ(MaxHeight(), frozen) << "committed without a quorum";
  EXPECT_FALSE(TxHeight(client, *id).ok());

  procs_[1]->Start();
  ASSERT_TRUE(procs_[1]->WaitHealthy(30s)) << procs_[1]->LogTail();
  ASSERT_TRUE(WaitAllAt(frozen + 3)) << "commits did not resume";
  ASSERT_TRUE(WaitFor([&] { return TxHeight(client, *id).ok(); }, 30s)) << "the waiting tx did not commit";
  {
    std::lock_guard<std::mutex> lock(tx_mu_);
    committed_.push_back(*id);
  }
  procs_[2]->Start();
  ASSERT_TRUE(procs_[2]->WaitHealthy(30s)) << procs_[2]->LogTail();
  ASSERT_TRUE(WaitAllAt(MaxHeight()));
  ExpectConsistent();
}

// Every link goes through a fault proxy (tests/faults/fault_mesh.h), so the
// test can split the network.
class BftPartitionTest : public BftNetworkTest {
 protected:
  PeerPortFn PeerPort() override {
    return [this](size_t from, size_t to, uint16_t port) { return mesh_.AddLink(from, to, port); };
  }
  // Cuts (or heals) every link between {0, 1} and {2, 3}.
  void Split(bool split) { mesh_.Partition({0, 1}, split); }

  faults::FaultMesh mesh_{/*seed=*/1};
};

TEST_F(BftPartitionTest, SplitInHalvesStopsCommitsWithoutForkAndHealingResumes) {
  std::jthread load([&](std::stop_token stop) { LoadUntil({0, 1, 2, 3}, stop); });
  ASSERT_TRUE(WaitAllAt(3));
  Split(true);
  // A block whose votes were already out may still land; then nothing.
  std::this_thread::sleep_for(2s);
  const uint64_t frozen = MaxHeight();
  std::this_thread::sleep_for(4s);
  EXPECT_EQ(MaxHeight(), frozen) << "a half without a quorum committed";

  Split(false);
  ASSERT_TRUE(WaitAllAt(frozen + 3)) << "commits did not resume after healing";
  load.request_stop();
  load.join();
  ASSERT_TRUE(WaitAllAt(MaxHeight()));
  ExpectConsistent();
}

class BftObserverTest : public BftNetworkTest {
 protected:
  size_t ExtraNodeCount() const override { return 1; }
};

TEST_F(BftObserverTest, ObserverFollowsServesRpcAndRelaysTxsWithoutVoting) {
  const size_t observer = kValidators;
  ASSERT_TRUE(WaitAllAt(2));
  procs_[observer]->Start();
  ASSERT_TRUE(procs_[observer]->WaitHealthy(30s)) << procs_[observer]->LogTail();
  ASSERT_TRUE(WaitAllAt(MaxHeight())) << "the observer does not follow";
  EXPECT_FALSE(IsValidator(observer));
  EXPECT_EQ(Peers(observer), kValidators);

  // A tx sent to the observer reaches the validators and commits; the observer
  // answers tx_commit.
  rpc::Client client = procs_[observer]->NewClient(30s);
  for (int i = 0; i < 3; ++i) {
    auto c = TxCommit(client, NextTx(), 20000);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_TRUE(c->ok) << c->app_code;
    std::lock_guard<std::mutex> lock(tx_mu_);
    committed_.push_back(c->id);
  }
  // The observer signs nothing.
  const std::string observer_key = files_[observer]->net.node_key.public_key().ToString();
  const uint64_t top = *Height(observer);
  for (uint64_t h = 1; h <= top; ++h) {
    auto block = client.Call("chain_getBlock", boost::json::object{{"height", h}});
    ASSERT_TRUE(block.ok()) << block.status().ToString();
    for (const auto& sig : block->at("commit").at("signatures").as_array()) {
      ASSERT_NE(std::string(sig.at("validator").as_string()), observer_key) << "at height " << h;
    }
  }
  ASSERT_TRUE(WaitAllAt(MaxHeight()));
  ExpectConsistent();
}

class BftMembershipTest : public BftNetworkTest {
 protected:
  size_t ExtraNodeCount() const override { return 1; }
  ExtraNodes ExtraNodeKind() const override { return ExtraNodes::kJoiners; }

  // Commits a governance tx through node `via`; the tx's own result must be OK.
  void CommitGov(size_t via, const Bytes& raw) {
    rpc::Client client = procs_[via]->NewClient(30s);
    auto c = TxCommit(client, raw, 20000);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_TRUE(c->ok) << c->app_code;
  }
  contracts::TxParams Params(size_t org) {
    contracts::TxParams p;
    p.chain_id = files_[0]->net.chain_id;
    p.org = samples::SampleOrgs()[org].code;
    p.valid_until_height = MaxHeight() + 200;
    return p;
  }
  // Proposal `id` by org 0, yes votes of orgs 1..3: more than 2/3 of the five
  // ADMIN orgs of the sample genesis.
  void PassProposal(size_t via, const pb::GovernanceCall& call, uint64_t id) {
    const auto& keys = files_[0]->net.org_keys;
    CommitGov(via, contracts::ProposeTx(Params(0), "validator change", call, keys[0]));
    if (HasFatalFailure()) return;
    for (size_t org = 1; org <= 3; ++org) {
      CommitGov(via, contracts::VoteTx(Params(org), id, true, keys[org]));
      if (HasFatalFailure()) return;
    }
  }
  pb::GovernanceCall SetValidator(size_t node, uint64_t power) {
    return SetValidatorKey(node, files_[node]->net.node_key.public_key(), power);
  }
  // `key` as a validator of node `node`'s department.
  pb::GovernanceCall SetValidatorKey(size_t node, const crypto::PublicKey& key, uint64_t power) {
    pb::GovernanceCall call;
    auto* set = call.mutable_set_validator();
    set->set_org(samples::SampleOrgs()[node % samples::kSampleOrgCount].code);
    set->set_algo(static_cast<uint32_t>(crypto::Algo::kEd25519));
    set->set_key(key.key);
    set->set_power(power);
    return call;
  }
  // Whether `key` is in the validator set node `via` reports for the next block.
  bool InValidatorSet(size_t via, const crypto::PublicKey& key) {
    rpc::Client client = procs_[via]->NewClient(3s);
    auto st = client.Call("chain_status");
    if (!st.ok() || !st->is_object() || !st->as_object().contains("validators")) return false;
    for (const auto& v : st->as_object().at("validators").as_array()) {
      if (v.is_object() && v.as_object().contains("pub_key") && v.at("pub_key").as_string() == key.ToString()) {
        return true;
      }
    }
    return false;
  }
  // Whether `node` signed the commit of one of the last blocks seen by node `via`.
  bool SignedRecently(size_t via, size_t node) {
    const std::string key = files_[node]->net.node_key.public_key().ToString();
    auto top = Height(via);
    if (!top.ok()) return false;
    rpc::Client client = procs_[via]->NewClient(5s);
    for (uint64_t h = *top; h >= 1 && h + 10 > *top; --h) {
      auto block = client.Call("chain_getBlock", boost::json::object{{"height", h}});
      if (!block.ok()) return false;
      for (const auto& sig : block->at("commit").at("signatures").as_array()) {
        if (sig.at("validator").as_string() == key) return true;
      }
    }
    return false;
  }
};

TEST_F(BftMembershipTest, GovernanceAddsANewDepartmentNodeAndRemovesAnotherWithoutRestarts) {
  const size_t joiner = kValidators;
  ASSERT_TRUE(WaitAllAt(2));
  procs_[joiner]->Start();
  ASSERT_TRUE(procs_[joiner]->WaitHealthy(30s)) << procs_[joiner]->LogTail();
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(Peers(joiner), 0u) << "a node no one admits connected";
  EXPECT_FALSE(IsValidator(joiner));

  PassProposal(1, SetValidator(joiner, 10), /*id=*/1);
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_TRUE(WaitFor([&] { return IsValidator(joiner); }, 30s))
      << "the new node did not become a validator:\n" << procs_[joiner]->LogTail();
  ASSERT_TRUE(WaitFor([&] { return SignedRecently(1, joiner); }, 30s)) << "the new validator does not sign";

  PassProposal(1, SetValidator(0, 0), /*id=*/2);
  ASSERT_FALSE(HasFatalFailure());
  // Once out of the last, current and next sets, the others drop its connections.
  ASSERT_TRUE(WaitFor([&] { return Peers(0) == 0; }, 30s)) << "the removed validator is still connected";
  EXPECT_FALSE(IsValidator(0));
  procs_[0]->Kill();

  // 1, 2, 3 and the new node are the validators: any three are a quorum.
  procs_[2]->Kill();
  const uint64_t h = MaxHeight();
  ASSERT_TRUE(WaitAllAt(h + 3)) << "no quorum of 1, 3 and the new node";
  ExpectConsistent();
}

TEST_F(BftMembershipTest, NodeKeyRotationRestartsOnlyThatNode) {
  ASSERT_TRUE(WaitAllAt(2));
  const crypto::PublicKey old_key = files_[0]->net.node_key.public_key();
  const crypto::KeyPair new_key = crypto::KeyPair::Generate(crypto::Algo::kEd25519);

  // The new key joins the set next to the old one.
  PassProposal(1, SetValidatorKey(0, new_key.public_key(), 10), /*id=*/1);
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_TRUE(WaitFor([&] { return InValidatorSet(1, new_key.public_key()); }, 30s));

  // The department's node restarts with the new key; the others keep running.
  ASSERT_EQ(procs_[0]->Terminate(), 0);
  const fs::path key_file = files_[0]->dir->path() / "node_key.json";
  fs::remove(key_file);
  ASSERT_TRUE(crypto::WriteKeyFile(key_file.string(), new_key).ok());
  files_[0]->net.node_key = new_key;
  procs_[0]->Start();
  ASSERT_TRUE(procs_[0]->WaitHealthy(30s)) << procs_[0]->LogTail();
  ASSERT_TRUE(WaitFor([&] { return IsValidator(0) && Peers(0) == 3; }, 30s)) << procs_[0]->LogTail();
  ASSERT_TRUE(WaitFor([&] { return SignedRecently(1, 0); }, 30s)) << "the new key does not sign";

  // The old key leaves the set.
  PassProposal(2, SetValidatorKey(0, old_key, 0), /*id=*/2);
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_TRUE(WaitFor([&] { return !InValidatorSet(1, old_key); }, 30s));
  const uint64_t h = MaxHeight();
  ASSERT_TRUE(WaitAllAt(h + 3));
  EXPECT_TRUE(SignedRecently(2, 0));
  ExpectConsistent();
}

// A Byzantine validator: node 3's real node key in a p2p program of the test,
// which claims height 2^62 (block sync status, NoBlocks answers to every
// request, votes it signs itself for that height) and forges votes of node 0 for
// it. The three honest nodes keep committing, and they disconnect it and keep it
// out (its offences add up: forged signatures, claims it cannot serve).
class BftByzantinePeerTest : public BftNetworkTest {
 protected:
  class ByzantinePeer {
   public:
    ByzantinePeer(const crypto::KeyPair& key, const std::string& chain_id,
                  const std::vector<std::pair<crypto::PublicKey, uint16_t>>& targets)
        : pm_(Options(chain_id), key, node::p2p::AdmitIf([](const auto&) { return true; }), metrics_) {
      using node::p2p::Channel;
      for (Channel ch : {Channel::kConsensus, Channel::kMempool, Channel::kEvidence}) {
        EXPECT_TRUE(pm_.RegisterChannel(ch, {}, [](const crypto::PublicKey&, std::string) {}).ok());
      }
      // Every block request gets "no blocks, and my tip is 2^62".
      EXPECT_TRUE(pm_.RegisterChannel(Channel::kBlockSync, {}, [this](const crypto::PublicKey& peer, std::string raw) {
        pb::BftSyncMessage in;
        if (!in.ParseFromString(raw) || !in.has_request()) return;
        pb::BftSyncMessage out;
        out.mutable_no_blocks()->set_from_height(in.request().from_height());
        out.mutable_no_blocks()->set_height(kHuge);
        static_cast<void>(pm_.Send(peer, Channel::kBlockSync, out.SerializeAsString()));
        ++requests_answered;
      }).ok());
      pm_.OnPeerConnected([this](const node::p2p::PeerInfo&) { ++connections; });
      EXPECT_TRUE(pm_.Start().ok());
      for (const auto& [peer, port] : targets) {
        EXPECT_TRUE(pm_.AddPersistentPeer(peer.ToString() + "@127.0.0.1:" + std::to_string(port)).ok());
      }
    }
    ~ByzantinePeer() { pm_.Stop(); }

    // One round of lies to every connected node.
    void Attack(const std::string& chain_id, const consensus::Signer& own, const crypto::PublicKey& victim) {
      using node::p2p::Channel;
      pb::BftSyncMessage status;
      status.mutable_status()->set_height(kHuge);
      pm_.Broadcast(Channel::kBlockSync, status.SerializeAsString());
      pb::ConsensusMessage vote;
      *vote.mutable_vote() = consensus::MakeVote(chain_id, consensus::VoteType::kPrecommit, kHuge, 0,
                                                 crypto::Sha256("nothing"), own);
      pm_.Broadcast(Channel::kConsensus, vote.SerializeAsString());
      *vote.mutable_vote()->mutable_validator() = ledger::ToProto(victim);  // forged: not the victim's signature
      pm_.Broadcast(Channel::kConsensus, vote.SerializeAsString());
    }
    size_t connected() const { return pm_.Peers().size(); }

    std::atomic<uint64_t> requests_answered{0};
    std::atomic<uint64_t> connections{0};

   private:
    static node::p2p::PeerManagerOptions Options(const std::string& chain_id) {
      node::p2p::PeerManagerOptions o;
      o.chain_id = chain_id;
      o.listen = false;
      o.backoff.initial_delay = 50ms;
      o.backoff.max_delay = 500ms;
      return o;
    }
    prometheus::Registry metrics_;
    node::p2p::PeerManager pm_;
  };

  static constexpr uint64_t kHuge = uint64_t{1} << 62;

  std::string Metrics(size_t i) {
    rpc::Client client = procs_[i]->NewClient(5s);
    auto m = client.Get("/metrics");
    return m.ok() ? m->body : std::string();
  }
};

TEST_F(BftByzantinePeerTest, HugeHeightClaimsAndForgedVotesNeitherStopCommitsNorStayConnected) {
  ASSERT_TRUE(WaitAllAt(2));
  procs_[3]->Kill();  // its key now belongs to the Byzantine program
  const std::string chain_id = "civic-bft-it";  // WriteNetwork's, in SetUp
  std::vector<std::pair<crypto::PublicKey, uint16_t>> targets;
  for (size_t i = 0; i < 3; ++i) {
    targets.emplace_back(files_[i]->net.node_key.public_key(), files_[i]->config.p2p.listen.port);
  }
  const consensus::KeyPairSigner own(files_[3]->net.node_key);
  ByzantinePeer byz(files_[3]->net.node_key, chain_id, targets);
  ASSERT_TRUE(WaitUntil([&] { return byz.connected() == 3; }, 20s, 50ms)) << "the Byzantine peer was not admitted";

  const uint64_t start = MaxHeight();
  std::jthread attack([&](std::stop_token stop) {
    while (!stop.stop_requested()) {
      byz.Attack(chain_id, own, files_[0]->net.node_key.public_key());
      std::this_thread::sleep_for(200ms);
    }
  });
  // Heights keep rising on every honest node while the attack goes on.
  ASSERT_TRUE(WaitAllAt(start + 5, 60s)) << "commits stalled under the attack";
  // Each honest node has cut the peer off and keeps refusing it.
  ASSERT_TRUE(WaitUntil([&] {
    for (size_t i = 0; i < 3; ++i) {
      if (Metrics(i).find("civic_p2p_peers_banned_total") == std::string::npos) return false;
    }
    return true;
  }, 30s, 200ms)) << Metrics(0);
  ASSERT_TRUE(WaitUntil([&] { return byz.connected() == 0; }, 10s, 50ms));
  const uint64_t after = MaxHeight();
  ASSERT_TRUE(WaitAllAt(after + 3, 45s)) << "commits stalled after the ban";
  attack.request_stop();
  attack.join();
  const std::string metrics = Metrics(0);
  EXPECT_NE(metrics.find("civic_p2p_peer_offences_total{offence=\"invalid_signature\"}"), std::string::npos)
      << metrics;
  ExpectConsistent();
}

}  // namespace
}  // namespace civic::testing
