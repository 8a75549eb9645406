// Bad input over p2p against three honest validators, from a Byzantine fourth
// validator (it holds validator 3's node key and runs no engine): garbage on
// every channel, votes and proposals with bad signatures, votes from
// non-validators, malformed and far-future rounds, old heights, double votes,
// blocks with invalid commit certificates during sync, bad evidence. Each is
// refused and counted; commits go on; the double vote ends up on chain as
// evidence. Then the liveness attacks of issue 12: height claims of 2^62
// (status, NoBlocks, votes) do not stop commits, and a peer whose offences add
// up (forged signatures, an evidence flood) is disconnected and kept out.
#include <gtest/gtest.h>
#include <sodium.h>

#include <atomic>

#include "consensus/messages.h"
#include "consensus/signer.h"
#include "crypto/hash.h"
#include "ledger/block.h"
#include "ledger/tx.h"
#include "node/bft.pb.h"
#include "tests/unit/bft/cluster.h"

namespace civic::testing::bft {
namespace {

using node::p2p::Channel;

Bytes RandomBytes(size_t n) {
  Bytes b(n, '\0');
  randombytes_buf(b.data(), n);
  return b;
}

std::string Payload(const pb::Vote& v) {
  pb::ConsensusMessage m;
  *m.mutable_vote() = v;
  return m.SerializeAsString();
}

// A PeerManager holding a node key the cluster admits, that ignores what it
// receives and sends whatever the test wants.
class Attacker {
 public:
  Attacker(Cluster& c, const crypto::KeyPair& key, const std::vector<size_t>& targets)
      : c_(c),
        pm_(FastP2p(c.net().sample.chain_id), key, node::p2p::AdmitIf([](const auto&) { return true; }), metrics_) {
    for (Channel ch : {Channel::kConsensus, Channel::kMempool, Channel::kBlockSync, Channel::kEvidence}) {
      EXPECT_TRUE(pm_.RegisterChannel(ch, {}, [](const crypto::PublicKey&, std::string) {}).ok());
    }
    EXPECT_TRUE(pm_.Start().ok());
    for (size_t t : targets) {
      EXPECT_TRUE(pm_.AddPersistentPeer(AddressOf(c.net().node_keys[t].public_key(), c.port(t))).ok());
    }
  }
  ~Attacker() { pm_.Stop(); }

  bool WaitConnected(size_t n) {
    return WaitFor([&] { return pm_.Peers().size() >= n; }, 10s);
  }
  size_t connected() const { return pm_.Peers().size(); }
  void SendAll(Channel ch, const std::string& payload) { pm_.Broadcast(ch, payload); }
  void SendTo(size_t node, Channel ch, const std::string& payload) {
    static_cast<void>(pm_.Send(c_.net().node_keys[node].public_key(), ch, payload));
  }

 private:
  Cluster& c_;
  prometheus::Registry metrics_;
  node::p2p::PeerManager pm_;
};

uint64_t Rejected(const node::BftStats& s, const std::string& reason) {
  auto it = s.consensus.rejected.find(reason);
  return it == s.consensus.rejected.end() ? 0 : it->second;
}

uint64_t SyncRejected(const node::BftStats& s, const std::string& reason) {
  auto it = s.sync.rejected.find(reason);
  return it == s.sync.rejected.end() ? 0 : it->second;
}

// Never lets the peer score disconnect anyone: for tests of refusals themselves.
void NeverBan(size_t, node::BftOptions* o) { o->peer_score.disconnect_at = INT64_MAX / 2; }

TEST(BftBadInput, RefusedCountedAndCommitsContinue) {
  Cluster c(4, 0, NeverBan);
  c.Start(0);
  c.Start(1);
  c.Start(2);
  ASSERT_TRUE(c.WaitHeight(2));
  const std::string chain_id = c.net().sample.chain_id;
  const crypto::KeyPair& byz = c.net().node_keys[3];  // the Byzantine validator
  const consensus::KeyPairSigner byz_signer(byz);
  const crypto::KeyPair outsider = crypto::KeyPair::Generate(crypto::Algo::kEd25519);
  const consensus::KeyPairSigner outsider_signer(outsider);
  Attacker attacker(c, byz, {0, 1, 2});
  ASSERT_TRUE(attacker.WaitConnected(3));

  const uint64_t start_height = c.MaxHeight();
  auto attack_round = [&] {
    node::BftStats s0 = c.node(0).engine().stats();
    const uint64_t h = s0.consensus.height;
    const uint32_t r = s0.consensus.round;
    const Bytes hash_a = RandomBytes(32);
    const Bytes hash_b = RandomBytes(32);

    // Garbage.
    attacker.SendAll(Channel::kConsensus, RandomBytes(77));
    attacker.SendAll(Channel::kConsensus, "");
    // A vote claiming validator 0 with a signature that is not its.
    for (uint64_t height : {h, h + 1}) {
      pb::Vote forged = consensus::MakeVote(chain_id, consensus::VoteType::kPrevote, height, r, hash_a, byz_signer);
      *forged.mutable_validator() = ledger::ToProto(c.net().node_keys[0].public_key());
      attacker.SendAll(Channel::kConsensus, Payload(forged));
    }
    // A correctly signed vote by a key that is not a validator.
    attacker.SendAll(Channel::kConsensus,
                     Payload(consensus::MakeVote(chain_id, consensus::VoteType::kPrecommit, h, r, hash_a,
                                                 outsider_signer)));
    // Rounds: beyond any correct node's reach (malformed), and far in the future.
    attacker.SendAll(Channel::kConsensus,
                     Payload(consensus::MakeVote(chain_id, consensus::VoteType::kPrevote, h, consensus::kMaxRound + 1,
                                                 hash_a, byz_signer)));
    attacker.SendAll(Channel::kConsensus,
                     Payload(consensus::MakeVote(chain_id, consensus::VoteType::kPrecommit, h, 1u << 29, hash_a,
                                                 byz_signer)));
    // An old height.
    attacker.SendAll(Channel::kConsensus,
                     Payload(consensus::MakeVote(chain_id, consensus::VoteType::kPrevote, 1, 0, hash_a, byz_signer)));
    // A proposal whose signature does not cover its block.
    {
      pb::BlockProposal p = consensus::MakeProposal(chain_id, h, r, -1, "some block bytes", hash_a, byz_signer);
      p.set_block("other block bytes");
      pb::ConsensusMessage m;
      *m.mutable_proposal() = p;
      attacker.SendAll(Channel::kConsensus, m.SerializeAsString());
    }
    // A double vote by the Byzantine validator.
    attacker.SendAll(Channel::kConsensus,
                     Payload(consensus::MakeVote(chain_id, consensus::VoteType::kPrevote, h, r, hash_a, byz_signer)));
    attacker.SendAll(Channel::kConsensus,
                     Payload(consensus::MakeVote(chain_id, consensus::VoteType::kPrevote, h, r, hash_b, byz_signer)));
    // Evidence that does not verify: two votes of an outsider.
    {
      pb::Evidence e = consensus::MakeEvidence(
          consensus::MakeVote(chain_id, consensus::VoteType::kPrevote, h - 1, 0, hash_a, outsider_signer),
          consensus::MakeVote(chain_id, consensus::VoteType::kPrevote, h - 1, 0, hash_b, outsider_signer));
      pb::BftEvidence msg;
      msg.add_evidence(e.SerializeAsString());
      attacker.SendAll(Channel::kEvidence, msg.SerializeAsString());
      msg.set_evidence(0, "not evidence");  // the first bad item ends a message's checks
      attacker.SendAll(Channel::kEvidence, msg.SerializeAsString());
    }
    // Block sync: the next block of each node with a commit signed by the
    // Byzantine validator alone (a quarter of the power).
    for (size_t i = 0; i < 3; ++i) {
      ledger::Chain& chain = c.node(i).chain();
      const ledger::Tip tip = chain.tip();
      auto last = chain.GetBlock(tip.height);
      if (!last.ok()) continue;
      pb::Block block = chain.BuildBlock({}, tip.time_ms + 1000, byz.public_key(), last->commit());
      const Bytes block_hash = ledger::BlockHash(block);
      pb::StoredBlock stored;
      *stored.mutable_block() = block;
      pb::Commit& commit = *stored.mutable_commit();
      commit.set_height(tip.height + 1);
      commit.set_block_hash(block_hash);
      auto* sig = commit.add_sigs();
      *sig->mutable_validator() = ledger::ToProto(byz.public_key());
      sig->set_sig(byz.Sign(ledger::VoteSignBytes(chain_id, ledger::kPrecommit, tip.height + 1, 0, block_hash)));
      pb::BftSyncMessage msg;
      msg.mutable_blocks()->add_stored_blocks(stored.SerializeAsString());
      attacker.SendTo(i, Channel::kBlockSync, msg.SerializeAsString());
    }
  };

  // Keep attacking until every kind of refusal was seen (heights move on, so a
  // message may miss the height it was made for), then check commits continue.
  auto all_seen = [&] {
    node::BftStats s = c.node(0).engine().stats();
    uint64_t bad_commits = 0;
    for (size_t i = 0; i < 3; ++i) bad_commits += SyncRejected(c.node(i).engine().stats(), "BAD_COMMIT");
    return Rejected(s, "MALFORMED_MESSAGE") > 0 && Rejected(s, "BAD_SIGNATURE") > 0 &&
           Rejected(s, "NOT_A_VALIDATOR") > 0 && Rejected(s, "MALFORMED_VOTE") > 0 &&
           Rejected(s, "STALE_HEIGHT") > 0 && Rejected(s, "BAD_EVIDENCE") > 0 &&
           Rejected(s, "MALFORMED_EVIDENCE") > 0 && bad_commits > 0;
  };
  ASSERT_TRUE(WaitFor([&] {
    attack_round();
    std::this_thread::sleep_for(150ms);
    return all_seen();
  }, 40s)) << c.node(0).MetricsText();

  // The double vote was turned into evidence and committed on chain.
  ASSERT_TRUE(WaitFor([&] {
    for (uint64_t h = 1; h <= c.node(1).height(); ++h) {
      auto b = c.node(1).chain().GetBlock(h);
      if (b.ok() && b->block().evidence_size() > 0) return true;
    }
    attack_round();
    return false;
  }, 30s)) << "no evidence committed";

  // Garbage on the other channels closes the attacker's connection (it redials).
  attacker.SendAll(Channel::kBlockSync, RandomBytes(50));
  attacker.SendAll(Channel::kMempool, RandomBytes(50));

  // Commits went on during the attack and go on after it.
  const uint64_t h = c.MaxHeight();
  EXPECT_GT(h, start_height);
  ASSERT_TRUE(c.WaitHeight(h + 3)) << "commits stalled";
  for (size_t i = 0; i < 3; ++i) {
    node::BftStats s = c.node(i).engine().stats();
    EXPECT_FALSE(s.consensus.halted);
    EXPECT_FALSE(c.node(i).fatal().has_value());
    // The far-future round was noted, not followed: one validator is not a third.
    EXPECT_LT(s.consensus.round, 1000u);
  }
  EXPECT_EQ(c.CheckConsistent(), "");
  const std::string metrics = c.node(0).MetricsText();
  EXPECT_NE(metrics.find("civic_bft_rejected_messages_total{reason=\"BAD_SIGNATURE\"}"), std::string::npos);
  EXPECT_NE(metrics.find("civic_bft_rejected_messages_total{reason=\"NOT_A_VALIDATOR\"}"), std::string::npos);
  EXPECT_NE(metrics.find("civic_bft_sync_rejected_total"), std::string::npos);
}

// A proposer whose clock runs far ahead: its blocks are refused by the others,
// so the rounds it proposes fail, and the chain goes on with the other proposers.
TEST(BftBadInput, BlockTimeFarInTheFutureIsRefused) {
  Cluster c(4, 0, [](size_t i, node::BftOptions* o) {
    if (i == 3) {
      o->wall_clock_ms = [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count() +
               3600 * 1000;
      };
    }
  });
  c.StartAll();
  ASSERT_TRUE(c.WaitHeight(8)) << "min height " << c.MinHeight();
  uint64_t refused = 0;
  for (size_t i = 0; i < 3; ++i) refused += Rejected(c.node(i).engine().stats(), "BLOCK_TIME_IN_FUTURE");
  EXPECT_GT(refused, 0u);
  // No committed block was proposed by the fast clock.
  const crypto::PublicKey fast = c.net().node_keys[3].public_key();
  for (uint64_t h = 1; h <= c.node(0).height(); ++h) {
    auto header = c.node(0).chain().GetHeader(h);
    ASSERT_TRUE(header.ok());
    EXPECT_NE(ledger::FromProto(header->proposer()), fast) << "height " << h;
  }
  EXPECT_EQ(c.CheckConsistent(), "");
}

}  // namespace
}  // namespace civic::testing::bft

namespace civic::testing::bft {
namespace {

constexpr uint64_t kHuge = uint64_t{1} << 62;

std::string SyncPayload(const pb::BftSyncMessage& m) { return m.SerializeAsString(); }

// One admitted validator claims height 2^62 in every way it can, with real
// signatures where it has them (its own key). It stays connected (scoring off):
// the claims alone must not stop the three honest validators from committing.
TEST(BftByzantinePeer, HugeHeightClaimsDoNotStopCommits) {
  Cluster c(4, 0, NeverBan);
  c.Start(0);
  c.Start(1);
  c.Start(2);
  ASSERT_TRUE(c.WaitHeight(2));
  const std::string chain_id = c.net().sample.chain_id;
  const consensus::KeyPairSigner byz_signer(c.net().node_keys[3]);
  Attacker attacker(c, c.net().node_keys[3], {0, 1, 2});
  ASSERT_TRUE(attacker.WaitConnected(3));
  auto attack = [&] {
    pb::BftSyncMessage status;
    status.mutable_status()->set_height(kHuge);
    attacker.SendAll(Channel::kBlockSync, SyncPayload(status));  // requests to it just time out
    for (auto type : {consensus::VoteType::kPrevote, consensus::VoteType::kPrecommit}) {
      attacker.SendAll(Channel::kConsensus,
                       Payload(consensus::MakeVote(chain_id, type, kHuge, 0, RandomBytes(32), byz_signer)));
    }
  };
  attack();
  const uint64_t start = c.MaxHeight();
  ASSERT_TRUE(WaitFor([&] {
    attack();
    std::this_thread::sleep_for(100ms);
    return c.MinHeight() >= start + 5;
  }, 40s)) << "commits stalled under huge height claims\n" << c.node(0).MetricsText();
  EXPECT_EQ(attacker.connected(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    node::BftStats s = c.node(i).engine().stats();
    EXPECT_EQ(s.sync.proven_target_height, 0u) << "node " << i;  // one validator of four proves nothing
    EXPECT_LE(s.sync.target_height, s.consensus.height + 64) << "node " << i;  // capped at tip + window
    EXPECT_GT(Rejected(s, "FUTURE_HEIGHT"), 0u) << "node " << i;
  }
  EXPECT_EQ(c.CheckConsistent(), "");
}

// Forged signatures and an evidence flood cost the peer its score: it is
// disconnected and refused for its ban, while commits go on.
TEST(BftByzantinePeer, OffenderIsDisconnectedAndBanned) {
  Cluster c(4);
  c.Start(0);
  c.Start(1);
  c.Start(2);
  ASSERT_TRUE(c.WaitHeight(2));
  const std::string chain_id = c.net().sample.chain_id;
  const consensus::KeyPairSigner byz_signer(c.net().node_keys[3]);
  const crypto::KeyPair outsider = crypto::KeyPair::Generate(crypto::Algo::kEd25519);
  const consensus::KeyPairSigner outsider_signer(outsider);
  Attacker attacker(c, c.net().node_keys[3], {0, 1, 2});
  ASSERT_TRUE(attacker.WaitConnected(3));

  // An evidence message far over the per-message limit: refused whole, unverified.
  pb::BftEvidence flood;
  const Bytes hash_a = RandomBytes(32);
  const Bytes hash_b = RandomBytes(32);
  const pb::Evidence fake = consensus::MakeEvidence(
      consensus::MakeVote(chain_id, consensus::VoteType::kPrevote, 1, 0, hash_a, outsider_signer),
      consensus::MakeVote(chain_id, consensus::VoteType::kPrevote, 1, 0, hash_b, outsider_signer));
  for (int i = 0; i < 2000; ++i) flood.add_evidence(fake.SerializeAsString());
  attacker.SendAll(Channel::kEvidence, flood.SerializeAsString());
  // Votes for the huge height under another validator's key (forged signature).
  pb::Vote forged = consensus::MakeVote(chain_id, consensus::VoteType::kPrevote, kHuge, 0, hash_a, byz_signer);
  *forged.mutable_validator() = ledger::ToProto(c.net().node_keys[0].public_key());
  for (int i = 0; i < 8; ++i) attacker.SendAll(Channel::kConsensus, Payload(forged));

  ASSERT_TRUE(WaitFor([&] {
    for (size_t i = 0; i < 3; ++i) {
      if (c.node(i).engine().stats().peers_banned == 0) return false;
    }
    return true;
  }, 20s)) << c.node(0).MetricsText();
  ASSERT_TRUE(WaitFor([&] { return attacker.connected() == 0; }, 10s));
  for (size_t i = 0; i < 3; ++i) {
    node::BftStats s = c.node(i).engine().stats();
    EXPECT_GT(Rejected(s, "TOO_MUCH_EVIDENCE"), 0u) << "node " << i;
    EXPECT_EQ(Rejected(s, "BAD_EVIDENCE"), 0u) << "node " << i;  // none of the 2000 was verified
  }
  // Banned: the redialing attacker stays out while commits go on.
  const uint64_t h = c.MaxHeight();
  ASSERT_TRUE(c.WaitHeight(h + 3)) << "commits stalled";
  EXPECT_EQ(attacker.connected(), 0u);
  const std::string metrics = c.node(0).MetricsText();
  EXPECT_NE(metrics.find("civic_p2p_peers_banned_total"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("civic_p2p_peer_offences_total{offence=\"invalid_signature\"}"), std::string::npos);
  EXPECT_NE(metrics.find("civic_p2p_peer_offences_total{offence=\"invalid_evidence\"}"), std::string::npos);
}

}  // namespace
}  // namespace civic::testing::bft
