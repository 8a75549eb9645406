// Managers talking over loopback: connection, messaging, reconnection, admission,
// limits. Every wait is bounded.
#include "node/p2p/peer_manager.h"

#include <gtest/gtest.h>

#include <latch>

#include "tests/unit/p2p/test_util.h"

namespace civic::node::p2p {
namespace {

using namespace testing;

PeerManagerOptions Dialing(const std::vector<std::string>& peers) {
  PeerManagerOptions options = FastOptions();
  options.persistent_peers = peers;
  return options;
}

TEST(PeerManagerTest, TwoPeersExchangeMessagesOnChannelsBothWays) {
  TestNode bob(NewKey(), FastOptions(), AdmitAll());
  ASSERT_TRUE(bob.Start().ok());
  TestNode alice(NewKey(), Dialing({bob.address()}), AdmitAll());
  ASSERT_TRUE(alice.Start().ok());
  ASSERT_TRUE(alice.WaitConnected(bob.key()));
  ASSERT_TRUE(bob.WaitConnected(alice.key()));

  constexpr int kCount = 200;
  for (int i = 0; i < kCount; ++i) {
    ASSERT_TRUE(alice.manager().Send(bob.key(), Channel::kConsensus, "vote " + std::to_string(i)).ok());
  }
  ASSERT_TRUE(bob.manager().Send(alice.key(), Channel::kMempool, "tx from bob").ok());
  ASSERT_TRUE(bob.WaitReceived(kCount));
  ASSERT_TRUE(alice.WaitReceived(1));

  const std::vector<Received> at_bob = bob.received();
  ASSERT_EQ(at_bob.size(), static_cast<size_t>(kCount));
  for (int i = 0; i < kCount; ++i) {  // in order, on the right channel, from alice
    EXPECT_EQ(at_bob[i].payload, "vote " + std::to_string(i));
    EXPECT_EQ(at_bob[i].channel, Channel::kConsensus);
    EXPECT_EQ(at_bob[i].peer, alice.key());
  }
  const std::vector<Received> at_alice = alice.received();
  EXPECT_EQ(at_alice[0].payload, "tx from bob");
  EXPECT_EQ(at_alice[0].channel, Channel::kMempool);
  EXPECT_EQ(at_alice[0].peer, bob.key());

  // Binary payloads, empty payloads and a large one survive intact.
  std::string binary(70000, '\0');
  for (size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 31);
  ASSERT_TRUE(alice.manager().Send(bob.key(), Channel::kBlockSync, binary).ok());
  ASSERT_TRUE(alice.manager().Send(bob.key(), Channel::kEvidence, "").ok());
  ASSERT_TRUE(bob.WaitReceived(kCount + 2));
  EXPECT_EQ(bob.received()[kCount].payload, binary);
  EXPECT_EQ(bob.received()[kCount + 1].payload, "");
  EXPECT_EQ(bob.received()[kCount + 1].channel, Channel::kEvidence);

  // Stats and metrics saw the traffic.
  const std::vector<PeerInfo> peers = alice.manager().Peers();
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].node_key, bob.key());
  EXPECT_TRUE(peers[0].outbound);
  EXPECT_GE(peers[0].stats.frames_out, static_cast<uint64_t>(kCount + 2));
  EXPECT_GT(peers[0].stats.bytes_out, binary.size());
  EXPECT_GE(peers[0].stats.frames_in, 1u);
  EXPECT_FALSE(bob.manager().Peers()[0].outbound);
  const P2PMetrics metrics = bob.manager().Metrics();
  EXPECT_EQ(metrics.peers_connected, 1u);
  EXPECT_EQ(metrics.handshakes_completed, 1u);
  EXPECT_GE(metrics.frames_in, static_cast<uint64_t>(kCount + 2));
  EXPECT_EQ(metrics.bad_mac, 0u);
  const std::string text = bob.MetricsText();
  EXPECT_NE(text.find("# TYPE civic_p2p_peers_connected gauge\ncivic_p2p_peers_connected 1\n"), std::string::npos);
  EXPECT_NE(text.find("civic_p2p_handshakes_completed_total 1\n"), std::string::npos);
  EXPECT_EQ(alice.ConnectEvents(), 1u);
  EXPECT_EQ(bob.ConnectEvents(), 1u);
}

TEST(PeerManagerTest, ThreeNodesDialingEachOtherKeepOneConnectionPerPair) {
  // Every node lists every node (itself included): simultaneous dials must settle
  // on exactly one connection per pair, the same one on both ends.
  std::vector<std::unique_ptr<TestNode>> nodes;
  for (int i = 0; i < 3; ++i) {
    PeerManagerOptions options = FastOptions();
    options.rng_seed = 100 + i;
    nodes.push_back(std::make_unique<TestNode>(NewKey(), options, AdmitAll()));
    ASSERT_TRUE(nodes.back()->Start().ok());
  }
  for (auto& node : nodes) {
    for (auto& peer : nodes) ASSERT_TRUE(node->manager().AddPersistentPeer(peer->address()).ok());
    ASSERT_TRUE(node->manager().AddPersistentPeer(node->address()).ok());  // again: a no-op
  }
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      if (i != j) {
        ASSERT_TRUE(nodes[i]->WaitConnected(nodes[j]->key())) << i << "->" << j;
      }
    }
  }
  // Let any duplicate connections finish settling, then check the pairs are stable.
  std::this_thread::sleep_for(300ms);
  for (int i = 0; i < 3; ++i) {
    const std::vector<PeerInfo> peers = nodes[i]->manager().Peers();
    ASSERT_EQ(peers.size(), 2u) << i;
    for (const PeerInfo& peer : peers) {
      // Both ends agree on who dialed: the other end sees the opposite direction.
      const auto other = std::find_if(nodes.begin(), nodes.end(), [&](auto& n) { return n->key() == peer.node_key; });
      ASSERT_NE(other, nodes.end());
      const std::vector<PeerInfo> back = (*other)->manager().Peers();
      const auto mirror =
          std::find_if(back.begin(), back.end(), [&](const PeerInfo& p) { return p.node_key == nodes[i]->key(); });
      ASSERT_NE(mirror, back.end());
      EXPECT_NE(mirror->outbound, peer.outbound);
    }
    EXPECT_EQ(nodes[i]->manager().Metrics().rejected_self, 0u);  // own entry skipped, never dialed
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(nodes[i]->manager().Broadcast(Channel::kMempool, "from " + std::to_string(i)), 2u);
  }
  for (auto& node : nodes) ASSERT_TRUE(node->WaitReceived(2));
  for (int i = 0; i < 3; ++i) {
    std::set<std::string> payloads;
    for (const Received& r : nodes[i]->received()) payloads.insert(r.payload);
    std::set<std::string> expected;
    for (int j = 0; j < 3; ++j) {
      if (j != i) expected.insert("from " + std::to_string(j));
    }
    EXPECT_EQ(payloads, expected) << i;
  }
}

TEST(PeerManagerTest, ReconnectsWithBackoffAfterThePeerRestarts) {
  const crypto::KeyPair bob_key = NewKey();
  auto bob = std::make_unique<TestNode>(bob_key, FastOptions(), AdmitAll());
  ASSERT_TRUE(bob->Start().ok());
  const uint16_t bob_port = bob->port();
  TestNode alice(NewKey(), Dialing({bob->address()}), AdmitAll());
  ASSERT_TRUE(alice.Start().ok());
  ASSERT_TRUE(alice.WaitConnected(bob_key.public_key()));

  bob.reset();  // the process "dies"
  ASSERT_TRUE(alice.WaitDisconnected(bob_key.public_key()));
  EXPECT_TRUE(WaitUntil([&] { return alice.DisconnectEvents() == 1; }));
  // Alice keeps redialing a closed port for a while: each attempt fails and backs off.
  ASSERT_TRUE(WaitUntil([&] { return alice.manager().Metrics().dial_failures >= 3; }));

  PeerManagerOptions options = FastOptions();
  options.listen_port = bob_port;
  TestNode bob_again(bob_key, options, AdmitAll());
  ASSERT_TRUE(bob_again.Start().ok());
  ASSERT_TRUE(alice.WaitConnected(bob_key.public_key()));
  ASSERT_TRUE(alice.manager().Send(bob_key.public_key(), Channel::kConsensus, "after restart").ok());
  ASSERT_TRUE(bob_again.WaitReceived(1));
  EXPECT_EQ(bob_again.received()[0].payload, "after restart");
  EXPECT_EQ(alice.ConnectEvents(), 2u);
}

TEST(PeerManagerTest, ListensAndDialsByHostName) {
  PeerManagerOptions options = FastOptions();
  options.listen_host = "localhost";
  TestNode bob(NewKey(), options, AdmitAll());
  ASSERT_TRUE(bob.Start().ok());
  const std::string by_name = "ed25519:" + ToHex(bob.key().key) + "@localhost:" + std::to_string(bob.port());
  TestNode alice(NewKey(), Dialing({by_name}), AdmitAll());
  ASSERT_TRUE(alice.Start().ok());
  ASSERT_TRUE(alice.WaitConnected(bob.key()));
}

TEST(PeerManagerTest, AcceptorRejectsAnUnadmittedDialer) {
  const crypto::KeyPair alice_key = NewKey();
  TestNode bob(NewKey(), FastOptions(),
               AdmitIf([&](const crypto::PublicKey& key) { return key != alice_key.public_key(); }));
  ASSERT_TRUE(bob.Start().ok());
  TestNode alice(alice_key, Dialing({bob.address()}), AdmitAll());
  ASSERT_TRUE(alice.Start().ok());
  ASSERT_TRUE(WaitUntil([&] { return bob.manager().Metrics().rejected_unadmitted >= 2; }));
  EXPECT_FALSE(bob.manager().IsConnected(alice.key()));
  EXPECT_FALSE(alice.manager().IsConnected(bob.key()));
  EXPECT_TRUE(WaitUntil([&] { return alice.manager().Metrics().handshake_failures >= 2; }));
  EXPECT_EQ(alice.manager().Metrics().handshakes_completed, 0u);
  EXPECT_EQ(bob.ConnectEvents(), 0u);
  EXPECT_EQ(alice.ConnectEvents(), 0u);
}

TEST(PeerManagerTest, DialerRejectsAnUnadmittedAcceptor) {
  TestNode bob(NewKey(), FastOptions(), AdmitAll());
  ASSERT_TRUE(bob.Start().ok());
  TestNode alice(NewKey(), Dialing({bob.address()}), AdmitOnly({}));
  ASSERT_TRUE(alice.Start().ok());
  ASSERT_TRUE(WaitUntil([&] { return alice.manager().Metrics().rejected_unadmitted >= 2; }));
  EXPECT_FALSE(alice.manager().IsConnected(bob.key()));
  EXPECT_FALSE(bob.manager().IsConnected(alice.key()));
  EXPECT_TRUE(WaitUntil([&] { return bob.manager().Metrics().handshake_failures >= 2; }));
  EXPECT_EQ(bob.ConnectEvents(), 0u);
}

TEST(PeerManagerTest, DialerRejectsAPeerWithAnotherKeyThanItsAddressNames) {
  TestNode bob(NewKey(), FastOptions(), AdmitAll());
  ASSERT_TRUE(bob.Start().ok());
  const crypto::KeyPair carol = NewKey();  // alice thinks carol listens on bob's port
  TestNode alice(NewKey(), Dialing({AddressOf(carol.public_key(), bob.port())}), AdmitAll());
  ASSERT_TRUE(alice.Start().ok());
  ASSERT_TRUE(WaitUntil([&] { return alice.manager().Metrics().rejected_unexpected_key >= 2; }));
  EXPECT_FALSE(alice.manager().IsConnected(bob.key()));
  EXPECT_FALSE(alice.manager().IsConnected(carol.public_key()));
  EXPECT_FALSE(bob.manager().IsConnected(alice.key()));
}

TEST(PeerManagerTest, ReevaluateAdmissionDisconnectsARevokedPeer) {
  auto admitted = std::make_shared<std::atomic<bool>>(true);
  TestNode bob(NewKey(), FastOptions(), AdmitIf([admitted](const crypto::PublicKey&) { return admitted->load(); }));
  ASSERT_TRUE(bob.Start().ok());
  TestNode alice(NewKey(), Dialing({bob.address()}), AdmitAll());
  ASSERT_TRUE(alice.Start().ok());
  ASSERT_TRUE(bob.WaitConnected(alice.key()));
  admitted->store(false);
  bob.manager().ReevaluateAdmission();
  ASSERT_TRUE(bob.WaitDisconnected(alice.key()));
  EXPECT_TRUE(WaitUntil([&] { return bob.DisconnectEvents("PEER_NOT_ADMITTED") == 1; }));
  // Alice redials and is refused now.
  ASSERT_TRUE(WaitUntil([&] { return bob.manager().Metrics().rejected_unadmitted >= 2; }));
  EXPECT_FALSE(bob.manager().IsConnected(alice.key()));
}

TEST(PeerManagerTest, PeerSendingOversizedFramesIsDisconnectedAndNodeCarriesOn) {
  PeerManagerOptions small = FastOptions();
  small.max_frame_bytes = 4096;
  TestNode bob(NewKey(), small, AdmitAll());
  ASSERT_TRUE(bob.Start().ok());
  TestNode alice(NewKey(), Dialing({bob.address()}), AdmitAll());
  ASSERT_TRUE(alice.Start().ok());
  ASSERT_TRUE(bob.WaitConnected(alice.key()));
  ASSERT_TRUE(alice.WaitConnected(bob.key()));

  ASSERT_TRUE(alice.manager().Send(bob.key(), Channel::kBlockSync, std::string(10000, 'b')).ok());
  ASSERT_TRUE(WaitUntil([&] { return bob.manager().Metrics().oversized_frames == 1; }));
  EXPECT_TRUE(WaitUntil([&] { return bob.DisconnectEvents("FRAME_TOO_LARGE") == 1; }));
  EXPECT_EQ(bob.ReceivedCount(), 0u);

  // Alice reconnects; small messages still flow.
  ASSERT_TRUE(WaitUntil([&] {
    return alice.manager().Send(bob.key(), Channel::kConsensus, "small").ok() && bob.ReceivedCount() > 0;
  }));
  EXPECT_EQ(bob.received()[0].payload, "small");
}

TEST(PeerManagerTest, SendRefusesWhatItCannotDeliver) {
  PeerManagerOptions options = FastOptions();
  options.max_frame_bytes = 1024;
  TestNode alice(NewKey(), options, AdmitAll());
  const crypto::KeyPair stranger = NewKey();
  EXPECT_EQ(alice.manager().Send(stranger.public_key(), Channel::kConsensus, "x").app_code(), "P2P_NOT_RUNNING");
  ASSERT_TRUE(alice.Start().ok());
  EXPECT_EQ(alice.manager().Send(stranger.public_key(), Channel::kConsensus, "x").app_code(), "PEER_NOT_CONNECTED");
  EXPECT_EQ(alice.manager().Send(stranger.public_key(), static_cast<Channel>(9), "x").app_code(), "BAD_CHANNEL");
  EXPECT_EQ(alice.manager().Send(stranger.public_key(), Channel::kControl, "x").app_code(), "BAD_CHANNEL");
  EXPECT_EQ(alice.manager().Send(stranger.public_key(), Channel::kConsensus, std::string(2000, 'x')).app_code(),
            "FRAME_TOO_LARGE");
  EXPECT_EQ(alice.manager().Broadcast(Channel::kConsensus, "nobody"), 0u);
  alice.manager().Stop();
  EXPECT_EQ(alice.manager().Send(stranger.public_key(), Channel::kConsensus, "x").app_code(), "P2P_NOT_RUNNING");
}

TEST(PeerManagerTest, ConfigurationErrorsAreTyped) {
  prometheus::Registry metrics;
  {
    PeerManagerOptions options = FastOptions();
    options.chain_id.clear();
    PeerManager manager(options, NewKey(), AdmitAll(), metrics);
    EXPECT_EQ(manager.Start().app_code(), "BAD_P2P_CONFIG");
  }
  {
    PeerManagerOptions options = FastOptions();
    options.persistent_peers = {"not-an-address"};
    PeerManager manager(options, NewKey(), AdmitAll(), metrics);
    EXPECT_EQ(manager.Start().app_code(), "BAD_PEER_ADDRESS");
  }
  {
    PeerManagerOptions options = FastOptions();
    options.idle_timeout = options.ping_interval;
    PeerManager manager(options, NewKey(), AdmitAll(), metrics);
    EXPECT_EQ(manager.Start().app_code(), "BAD_P2P_CONFIG");
  }
  {
    PeerManager manager(FastOptions(), crypto::KeyPair::Generate(crypto::Algo::kSecp256k1), AdmitAll(), metrics);
    EXPECT_EQ(manager.Start().app_code(), "BAD_P2P_CONFIG");
  }
  {
    PeerManager first(FastOptions(), NewKey(), AdmitAll(), metrics);
    ASSERT_TRUE(first.Start().ok());
    EXPECT_EQ(first.Start().app_code(), "ALREADY_STARTED");
    PeerManagerOptions options = FastOptions();
    options.listen_port = first.listen_port();
    PeerManager second(options, NewKey(), AdmitAll(), metrics);
    EXPECT_EQ(second.Start().app_code(), "LISTEN_FAILED");
  }
  {
    PeerManager manager(FastOptions(), NewKey(), AdmitAll(), metrics);
    EXPECT_EQ(manager.RegisterChannel(Channel::kControl, {}, [](auto&&...) {}).app_code(), "BAD_CHANNEL");
    EXPECT_EQ(manager.RegisterChannel(static_cast<Channel>(kMaxChannels), {}, [](auto&&...) {}).app_code(),
              "BAD_CHANNEL");
    EXPECT_EQ(manager.RegisterChannel(Channel::kConsensus, {}, nullptr).app_code(), "BAD_CHANNEL");
    EXPECT_EQ(manager.AddPersistentPeer("garbage").app_code(), "BAD_PEER_ADDRESS");
  }
}

// The receiver's handler blocks, so the receiver stops reading; the sender's
// queue for the peer fills and further messages are dropped, and counted.
TEST(PeerManagerTest, BoundedQueueDropsWhenTheReaderIsSlow) {
  ChannelPolicy policy;
  policy.max_queued_messages = 8;
  policy.on_full = OnQueueFull::kDrop;
  TestNode bob(NewKey(), FastOptions(), AdmitAll(), policy);
  std::latch release(1);
  std::atomic<bool> blocked{false};
  bob.on_message = [&](const crypto::PublicKey&, Channel, const std::string&) {
    if (!blocked.exchange(true)) release.wait();
  };
  ASSERT_TRUE(bob.Start().ok());
  PeerManagerOptions alice_options = Dialing({bob.address()});
  alice_options.idle_timeout = 20000ms;  // the blocked reader sends no keepalives
  TestNode alice(NewKey(), alice_options, AdmitAll(), policy);
  ASSERT_TRUE(alice.Start().ok());
  ASSERT_TRUE(alice.WaitConnected(bob.key()));

  const std::string chunk(64 * 1024, 'q');
  size_t queued = 0;
  Status last;
  for (int i = 0; i < 5000 && last.app_code() != "SEND_QUEUE_FULL"; ++i) {
    last = alice.manager().Send(bob.key(), Channel::kMempool, chunk);
    if (last.ok()) {
      ++queued;
    } else if (last.app_code() != "SEND_QUEUE_FULL") {
      FAIL() << last.ToString();
    } else {
      break;
    }
    if (i % 64 == 0) std::this_thread::sleep_for(1ms);  // let the writer fill the socket
  }
  ASSERT_EQ(last.app_code(), "SEND_QUEUE_FULL");
  EXPECT_GE(alice.manager().Metrics().queue_drops, 1u);
  const std::vector<PeerInfo> peers = alice.manager().Peers();
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_GE(peers[0].stats.drops, 1u);
  EXPECT_LE(peers[0].stats.queued_messages, policy.max_queued_messages);

  // The reader recovers: everything that was queued arrives, the link stays up.
  release.count_down();
  ASSERT_TRUE(bob.WaitReceived(queued, 10000ms));
  EXPECT_EQ(bob.ReceivedCount(), queued);
  EXPECT_TRUE(alice.manager().IsConnected(bob.key()));
  EXPECT_EQ(alice.manager().Metrics().queue_full_disconnects, 0u);
}

TEST(PeerManagerTest, BoundedQueueCanDisconnectASlowReader) {
  ChannelPolicy policy;
  policy.max_queued_messages = 4;
  policy.on_full = OnQueueFull::kDisconnect;
  TestNode bob(NewKey(), FastOptions(), AdmitAll(), policy);
  std::latch release(1);
  std::atomic<bool> blocked{false};
  bob.on_message = [&](const crypto::PublicKey&, Channel, const std::string&) {
    if (!blocked.exchange(true)) release.wait();
  };
  ASSERT_TRUE(bob.Start().ok());
  TestNode alice(NewKey(), Dialing({bob.address()}), AdmitAll(), policy);
  ASSERT_TRUE(alice.Start().ok());
  ASSERT_TRUE(alice.WaitConnected(bob.key()));

  const std::string chunk(64 * 1024, 'q');
  Status last;
  for (int i = 0; i < 5000; ++i) {
    last = alice.manager().Send(bob.key(), Channel::kMempool, chunk);
    if (!last.ok()) break;
    if (i % 64 == 0) std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(last.app_code(), "SEND_QUEUE_FULL");
  EXPECT_TRUE(WaitUntil([&] { return alice.DisconnectEvents("SEND_QUEUE_FULL") == 1; }));
  EXPECT_EQ(alice.manager().Metrics().queue_full_disconnects, 1u);
  release.count_down();
}

TEST(PeerManagerTest, StopIsCleanAndSilent) {
  TestNode bob(NewKey(), FastOptions(), AdmitAll());
  ASSERT_TRUE(bob.Start().ok());
  TestNode alice(NewKey(), Dialing({bob.address()}), AdmitAll());
  ASSERT_TRUE(alice.Start().ok());
  ASSERT_TRUE(alice.WaitConnected(bob.key()));
  // Traffic in flight while stopping.
  for (int i = 0; i < 100; ++i) (void)alice.manager().Broadcast(Channel::kMempool, std::string(1000, 'x'));
  alice.manager().Stop();
  alice.manager().Stop();  // idempotent
  EXPECT_EQ(alice.DisconnectEvents(), 0u);  // no callbacks once Stop begins
  EXPECT_FALSE(alice.manager().IsConnected(bob.key()));
  EXPECT_TRUE(bob.WaitDisconnected(alice.key()));
  EXPECT_EQ(alice.manager().AddPersistentPeer(bob.address()).app_code(), "P2P_NOT_RUNNING");
}

TEST(PeerManagerTest, SendAndBroadcastAreSafeFromManyThreads) {
  TestNode bob(NewKey(), FastOptions(), AdmitAll());
  ASSERT_TRUE(bob.Start().ok());
  PeerManagerOptions options = Dialing({bob.address()});
  options.io_threads = 2;
  TestNode alice(NewKey(), options, AdmitAll());
  ASSERT_TRUE(alice.Start().ok());
  ASSERT_TRUE(alice.WaitConnected(bob.key()));
  constexpr int kThreads = 4, kPerThread = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string payload = std::to_string(t) + ":" + std::to_string(i);
        if (i % 2 == 0) {
          EXPECT_TRUE(alice.manager().Send(bob.key(), Channel::kConsensus, payload).ok());
        } else {
          EXPECT_EQ(alice.manager().Broadcast(Channel::kConsensus, payload), 1u);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_TRUE(bob.WaitReceived(kThreads * kPerThread));
  // Per sending thread, order is preserved.
  std::vector<int> next(kThreads, 0);
  for (const Received& r : bob.received()) {
    const int t = std::stoi(r.payload.substr(0, r.payload.find(':')));
    const int i = std::stoi(r.payload.substr(r.payload.find(':') + 1));
    EXPECT_EQ(i, next[t]) << r.payload;
    next[t] = i + 1;
  }
}

}  // namespace
}  // namespace civic::node::p2p
