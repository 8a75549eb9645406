// ConsensusReactor driven by a fake application, without peers: the driver
// contract (build, commit, WAL reset, next height), a failing WAL halting the
// reactor, refused peer input counted and turned into hints.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>

#include <prometheus/text_serializer.h>

#include "consensus/messages.h"
#include "consensus/signer.h"
#include "crypto/hash.h"
#include "ledger/tx.h"
#include "node/consensus_reactor.h"
#include "tests/unit/bft/cluster.h"

namespace civic::testing::bft {
namespace {

class FakeApp : public node::ConsensusApp {
 public:
  explicit FakeApp(consensus::ValidatorSet set) : set_(std::move(set)) {}
  node::ConsensusReactor* reactor = nullptr;

  void BuildBlock(uint64_t height, uint32_t round) override {
    Bytes block = "block-" + std::to_string(height);
    reactor->Deliver(consensus::BlockBuilt{height, round, block, crypto::Sha256(block)});
  }
  bool ValidateBlock(uint64_t, const Bytes&, const Bytes&) override { return true; }
  Result<consensus::ValidatorSet> CommitBlock(const consensus::Commit& c) override {
    std::lock_guard<std::mutex> lock(mu);
    committed.push_back(c.height);
    return set_;
  }
  void OnHeightStarted(uint64_t height) override {
    std::lock_guard<std::mutex> lock(mu);
    started.push_back(height);
  }
  void OnEvidence(const pb::Evidence&) override {}
  void OnHeightHint(const crypto::PublicKey& peer, const consensus::HeightHint& hint) override {
    std::lock_guard<std::mutex> lock(mu);
    if (hint.kind == consensus::HeightHint::Kind::kSenderAhead) ahead.emplace_back(peer, hint.height);
  }
  void OnFatal(const Status& status) override {
    std::lock_guard<std::mutex> lock(mu);
    fatal = status;
  }
  void OnPeerOffence(const crypto::PublicKey& peer, node::Offence offence) override {
    std::lock_guard<std::mutex> lock(mu);
    offences.emplace_back(peer, offence);
  }
  size_t Offences(node::Offence kind) {
    std::lock_guard<std::mutex> lock(mu);
    return std::count_if(offences.begin(), offences.end(), [&](const auto& o) { return o.second == kind; });
  }

  std::mutex mu;
  std::vector<uint64_t> committed;
  std::vector<uint64_t> started;
  std::vector<std::pair<crypto::PublicKey, uint64_t>> ahead;
  std::vector<std::pair<crypto::PublicKey, node::Offence>> offences;
  std::optional<Status> fatal;

 private:
  consensus::ValidatorSet set_;
};

class FailingWal final : public consensus::Wal {
 public:
  Result<std::vector<pb::ConsensusWalEntry>> ReadAll() override { return std::vector<pb::ConsensusWalEntry>{}; }
  Status Append(const pb::ConsensusWalEntry&) override { return Status::IOError("disk full"); }
  Status Reset() override { return Status::Ok(); }
};

node::ReactorOptions Options() {
  node::ReactorOptions o;
  o.core.chain_id = "reactor-test";
  o.core.timeouts.propose_ms = 200;
  o.core.timeouts.prevote_ms = 100;
  o.core.timeouts.precommit_ms = 100;
  o.gossip_interval_ms = 20;
  return o;
}

struct OneKey {
  crypto::KeyPair key = crypto::KeyPair::Generate(crypto::Algo::kEd25519);
  consensus::KeyPairSigner signer{key};
  consensus::CryptoVerifier verifier;
  consensus::ValidatorSet set = consensus::ValidatorSet::Create({{key.public_key(), 10}}).value();
};

TEST(ConsensusReactor, OneValidatorDecidesHeightsInOrderAndResetsTheWal) {
  OneKey s;
  FakeApp app(s.set);
  auto wal = std::make_unique<consensus::MemoryWal>();
  consensus::MemoryWal* wal_view = wal.get();
  prometheus::Registry metrics;
  node::ConsensusReactor reactor(Options(), &s.signer, &s.verifier, std::move(wal), &app, metrics);
  app.reactor = &reactor;
  ASSERT_TRUE(reactor.Start(1, s.set).ok());
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard<std::mutex> lock(app.mu);
    return app.committed.size() >= 5;
  }, 10s));
  reactor.Stop();
  std::lock_guard<std::mutex> lock(app.mu);
  for (size_t i = 0; i < app.committed.size(); ++i) EXPECT_EQ(app.committed[i], i + 1);
  ASSERT_GE(app.started.size(), 5u);
  EXPECT_EQ(app.started.front(), 1u);
  EXPECT_FALSE(app.fatal.has_value());
  // Reset after every commit: only the entries of the last height are left.
  EXPECT_LE(wal_view->size(), 3u);
  EXPECT_EQ(reactor.stats().blocks_decided, app.committed.size());
}

TEST(ConsensusReactor, WalFailureHaltsBeforeAnythingIsSentOrDecided) {
  OneKey s;
  FakeApp app(s.set);
  prometheus::Registry metrics;
  node::ConsensusReactor reactor(Options(), &s.signer, &s.verifier, std::make_unique<FailingWal>(), &app, metrics);
  app.reactor = &reactor;
  ASSERT_TRUE(reactor.Start(1, s.set).ok());
  ASSERT_TRUE(WaitFor([&] { return reactor.halted(); }, 5s));
  std::this_thread::sleep_for(300ms);
  reactor.Stop();
  std::lock_guard<std::mutex> lock(app.mu);
  ASSERT_TRUE(app.fatal.has_value());
  EXPECT_EQ(app.fatal->app_code(), "IO_ERROR");
  EXPECT_TRUE(app.committed.empty());
}

TEST(ConsensusReactor, RefusedPeerInputIsCountedAndHinted) {
  OneKey s;
  // Two validators: this node alone cannot decide, so it stays at height 1.
  crypto::KeyPair other = crypto::KeyPair::Generate(crypto::Algo::kEd25519);
  consensus::KeyPairSigner other_signer(other);
  consensus::ValidatorSet set =
      consensus::ValidatorSet::Create({{s.key.public_key(), 10}, {other.public_key(), 10}}).value();
  FakeApp app(set);
  prometheus::Registry metrics;
  node::ConsensusReactor reactor(Options(), &s.signer, &s.verifier, std::make_unique<consensus::MemoryWal>(), &app,
                                 metrics);
  app.reactor = &reactor;
  ASSERT_TRUE(reactor.Start(1, set).ok());
  const crypto::PublicKey peer = other.public_key();

  reactor.OnConsensusMessage(peer, "\xff\xff garbage");
  auto vote_payload = [&](uint64_t height, uint32_t round, const consensus::Signer& signer) {
    pb::ConsensusMessage m;
    *m.mutable_vote() = consensus::MakeVote("reactor-test", consensus::VoteType::kPrevote, height, round,
                                            crypto::Sha256("x"), signer);
    return m.SerializeAsString();
  };
  reactor.OnConsensusMessage(peer, vote_payload(7, 0, other_signer));  // far ahead
  pb::ConsensusMessage bad;
  *bad.mutable_vote() = consensus::MakeVote("reactor-test", consensus::VoteType::kPrevote, 1, 0, crypto::Sha256("x"),
                                            other_signer);
  bad.mutable_vote()->set_sig(Bytes(64, '\x01'));
  reactor.OnConsensusMessage(peer, bad.SerializeAsString());
  crypto::KeyPair outsider = crypto::KeyPair::Generate(crypto::Algo::kEd25519);
  reactor.OnConsensusMessage(peer, vote_payload(1, 0, consensus::KeyPairSigner(outsider)));

  ASSERT_TRUE(WaitFor([&] {
    auto st = reactor.stats().rejected;
    return st["MALFORMED_MESSAGE"] == 1 && st["FUTURE_HEIGHT"] == 1 && st["BAD_SIGNATURE"] == 1 &&
           st["NOT_A_VALIDATOR"] == 1;
  }, 5s)) << prometheus::TextSerializer().Serialize(metrics.Collect());
  reactor.Stop();
  // Bad signature and non-validator signer, then garbage: offences of the peer.
  EXPECT_EQ(app.Offences(node::Offence::kInvalidSignature), 2u);
  EXPECT_EQ(app.Offences(node::Offence::kMalformed), 1u);
  std::lock_guard<std::mutex> lock(app.mu);
  ASSERT_EQ(app.ahead.size(), 1u);
  EXPECT_EQ(app.ahead[0].first, peer);
  EXPECT_EQ(app.ahead[0].second, 7u);
  EXPECT_FALSE(reactor.halted());
}

// One peer cannot fill the inbound queue shared by all: over its share it is
// dropped and reported, while another peer still gets in.
TEST(ConsensusReactor, InboundQueueHasAQuotaPerPeer) {
  OneKey s;
  FakeApp app(s.set);
  prometheus::Registry metrics;
  node::ReactorOptions options = Options();
  options.max_queued_inbound_per_peer = 5;
  options.max_queued_inbound_bytes_per_peer = 1000;
  // Not started: queued tasks wait, so the queue fills.
  node::ConsensusReactor reactor(options, &s.signer, &s.verifier, std::make_unique<consensus::MemoryWal>(), &app,
                                 metrics);
  const crypto::PublicKey flooder = crypto::KeyPair::Generate(crypto::Algo::kEd25519).public_key();
  const crypto::PublicKey honest = crypto::KeyPair::Generate(crypto::Algo::kEd25519).public_key();
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(reactor.PostInbound(flooder, [] {}, 10)) << i;
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(reactor.PostInbound(flooder, [] {}, 10)) << i;
  EXPECT_TRUE(reactor.PostInbound(honest, [] {}, 10));
  EXPECT_FALSE(reactor.PostInbound(honest, [] {}, 991));  // over its byte share
  EXPECT_TRUE(reactor.PostInbound(honest, [] {}, 990));
  const node::ReactorStats st = reactor.stats();
  EXPECT_EQ(st.inbound_dropped, 21u);
  EXPECT_EQ(st.inbound_over_quota, 21u);
  EXPECT_EQ(app.Offences(node::Offence::kOverQuota), 21u);
  std::lock_guard<std::mutex> lock(app.mu);
  EXPECT_EQ(app.offences.back().first, honest);
}

// Running the queued messages frees the peer's share again.
TEST(ConsensusReactor, InboundQuotaIsFreedWhenMessagesAreHandled) {
  OneKey s;
  FakeApp app(s.set);
  prometheus::Registry metrics;
  node::ReactorOptions options = Options();
  options.max_queued_inbound_per_peer = 3;
  node::ConsensusReactor reactor(options, &s.signer, &s.verifier, std::make_unique<consensus::MemoryWal>(), &app,
                                 metrics);
  app.reactor = &reactor;
  const crypto::PublicKey peer = crypto::KeyPair::Generate(crypto::Algo::kEd25519).public_key();
  std::atomic<int> ran{0};
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(reactor.PostInbound(peer, [&] { ++ran; }, 1));
  EXPECT_FALSE(reactor.PostInbound(peer, [&] { ++ran; }, 1));
  ASSERT_TRUE(reactor.Start(1, s.set).ok());
  ASSERT_TRUE(WaitFor([&] { return ran.load() == 3; }, 5s));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(reactor.PostInbound(peer, [&] { ++ran; }, 1));
  ASSERT_TRUE(WaitFor([&] { return ran.load() == 6; }, 5s));
  reactor.Stop();
}

TEST(GossipKey, SameContentSameKeyAndOrderedByHeight) {
  OneKey s;
  auto msg = [&](uint64_t height, uint32_t round, const Bytes& hash) {
    pb::ConsensusMessage m;
    *m.mutable_vote() =
        consensus::MakeVote("reactor-test", consensus::VoteType::kPrecommit, height, round, hash, s.signer);
    return m;
  };
  const Bytes h1 = crypto::Sha256("a");
  EXPECT_EQ(node::GossipKey(msg(5, 0, h1)), node::GossipKey(msg(5, 0, h1)));
  EXPECT_NE(node::GossipKey(msg(5, 0, h1)), node::GossipKey(msg(5, 1, h1)));
  EXPECT_NE(node::GossipKey(msg(5, 0, h1)), node::GossipKey(msg(5, 0, crypto::Sha256("b"))));
  EXPECT_LT(node::GossipKey(msg(4, 9, h1)), node::GossipKey(msg(5, 0, h1)));
  EXPECT_LT(node::GossipKey(msg(255, 0, h1)), node::GossipKey(msg(256, 0, h1)));
  EXPECT_EQ(node::MessageHeight(msg(42, 0, h1)), 42u);
  EXPECT_EQ(node::MessageHeight(pb::ConsensusMessage()), 0u);
}

}  // namespace
}  // namespace civic::testing::bft
