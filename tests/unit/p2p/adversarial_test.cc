// Hostile or broken peers on raw sockets: each one is closed, logged and counted,
// and the node keeps serving honest peers.
#include <gtest/gtest.h>
#include <sodium.h>

#include "tests/unit/p2p/test_util.h"

namespace civic::node::p2p {
namespace {

using namespace testing;

class AdversarialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PeerManagerOptions options = FastOptions();
    options.handshake_timeout = 500ms;
    options.max_frame_bytes = 64 * 1024;
    node_ = std::make_unique<TestNode>(node_key_, options, AdmitIf([this](const crypto::PublicKey& key) {
                                         return key != unadmitted_.public_key();
                                       }));
    ASSERT_TRUE(node_->Start().ok());
  }

  // The node still accepts and serves an honest peer.
  void ExpectNodeStillServes() {
    TestNode honest(NewKey(), [&] {
      PeerManagerOptions options = FastOptions();
      options.persistent_peers = {node_->address()};
      return options;
    }(), AdmitAll());
    ASSERT_TRUE(honest.Start().ok());
    ASSERT_TRUE(honest.WaitConnected(node_->key()));
    ASSERT_TRUE(honest.manager().Send(node_->key(), Channel::kConsensus, "still here?").ok());
    ASSERT_TRUE(WaitUntil([&] {
      for (const Received& r : node_->received()) {
        if (r.payload == "still here?") return true;
      }
      return false;
    }));
  }

  P2PMetrics metrics() { return node_->manager().Metrics(); }

  crypto::KeyPair node_key_ = NewKey();
  crypto::KeyPair unadmitted_ = NewKey();
  std::unique_ptr<TestNode> node_;
};

TEST_F(AdversarialTest, GarbageBytesAreDroppedAtTheHello) {
  RawPeer raw(node_->port());
  ASSERT_TRUE(raw.connected());
  std::string garbage(1000, '\0');
  randombytes_buf(garbage.data(), garbage.size());
  (void)raw.Write(garbage);
  EXPECT_TRUE(raw.WaitClosed());
  EXPECT_TRUE(WaitUntil([&] { return metrics().handshake_bad_hello == 1; }));
  EXPECT_EQ(metrics().handshake_failures, 1u);
  EXPECT_EQ(metrics().peers_connected, 0u);
  ExpectNodeStillServes();
}

TEST_F(AdversarialTest, HttpRequestIsNotAHello) {
  RawPeer raw(node_->port());
  (void)raw.Write("GET / HTTP/1.1\r\nHost: node\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n\r\n");
  EXPECT_TRUE(raw.WaitClosed());
  EXPECT_TRUE(WaitUntil([&] { return metrics().handshake_bad_hello == 1; }));
}

TEST_F(AdversarialTest, SilentClientIsClosedAtTheHandshakeTimeout) {
  RawPeer raw(node_->port());
  ASSERT_TRUE(raw.connected());
  EXPECT_TRUE(raw.WaitClosed(5000ms));  // the node's hello arrives first, then the close
  EXPECT_TRUE(WaitUntil([&] { return metrics().handshake_timeouts == 1; }));
  EXPECT_EQ(metrics().handshake_failures, 1u);
  EXPECT_EQ(metrics().handshakes_in_progress, 0u);
  ExpectNodeStillServes();
}

TEST_F(AdversarialTest, ClientStallingAfterTheHelloTimesOut) {
  RawPeer raw(node_->port());
  p2p::Handshake handshake(Role::kDialer, unadmitted_, kChain);
  ASSERT_TRUE(raw.Write(handshake.hello()));
  EXPECT_TRUE(raw.WaitClosed(5000ms));
  EXPECT_TRUE(WaitUntil([&] { return metrics().handshake_timeouts == 1; }));
}

TEST_F(AdversarialTest, UnadmittedKeyIsRejectedBeforeTheNodeSigns) {
  RawPeer raw(node_->port());
  const Status status = raw.Handshake(unadmitted_);
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(raw.WaitClosed());
  EXPECT_TRUE(WaitUntil([&] { return metrics().rejected_unadmitted == 1; }));
  EXPECT_EQ(metrics().peers_connected, 0u);
}

TEST_F(AdversarialTest, WrongChainIsRejected) {
  RawPeer raw(node_->port());
  const Status status = raw.Handshake(NewKey(), "some-other-chain");
  EXPECT_EQ(status.app_code(), "CHAIN_ID_MISMATCH");  // the raw side notices too
  EXPECT_TRUE(raw.WaitClosed());
  EXPECT_TRUE(WaitUntil([&] { return metrics().handshake_bad_hello == 1; }));
}

TEST_F(AdversarialTest, ConnectionToItselfIsRejected) {
  RawPeer raw(node_->port());
  (void)raw.Handshake(node_key_);  // someone holding the node's own key
  EXPECT_TRUE(raw.WaitClosed());
  EXPECT_TRUE(WaitUntil([&] { return metrics().rejected_self == 1; }));
  EXPECT_EQ(metrics().peers_connected, 0u);
}

TEST_F(AdversarialTest, ReflectedHelloIsRejected) {
  RawPeer raw(node_->port());
  std::string hello;
  ASSERT_TRUE(raw.ReadExactly(&hello, kHelloBytes));
  ASSERT_TRUE(raw.Write(hello));  // mirror the node's own hello back at it
  EXPECT_TRUE(raw.WaitClosed());
  EXPECT_TRUE(WaitUntil([&] { return metrics().handshake_bad_hello == 1; }));
}

TEST_F(AdversarialTest, GarbageIdentityFrameFailsTheHandshake) {
  RawPeer raw(node_->port());
  const crypto::KeyPair key = NewKey();
  p2p::Handshake handshake(Role::kDialer, key, kChain);
  ASSERT_TRUE(raw.Write(handshake.hello()));
  std::string hello;
  ASSERT_TRUE(raw.ReadExactly(&hello, kHelloBytes));
  ASSERT_TRUE(handshake.ReadPeerHello(hello).ok());
  std::string frame = handshake.IdentityFrame();
  frame[frame.size() - 1] ^= 1;
  ASSERT_TRUE(raw.Write(frame));
  EXPECT_TRUE(raw.WaitClosed());
  EXPECT_TRUE(WaitUntil([&] { return metrics().handshake_bad_auth == 1; }));
}

TEST_F(AdversarialTest, HugeHandshakeFrameHeaderIsRejected) {
  RawPeer raw(node_->port());
  const crypto::KeyPair key = NewKey();
  p2p::Handshake handshake(Role::kDialer, key, kChain);
  ASSERT_TRUE(raw.Write(handshake.hello()));
  ASSERT_TRUE(raw.Write(std::string("\xff\xff\xff\xff", 4)));
  EXPECT_TRUE(raw.WaitClosed());
  EXPECT_TRUE(WaitUntil([&] { return metrics().handshake_bad_auth == 1; }));
}

class AuthenticatedAdversaryTest : public AdversarialTest {
 protected:
  void SetUp() override {
    AdversarialTest::SetUp();
    raw_ = std::make_unique<RawPeer>(node_->port());
    const Status status = raw_->Handshake(raw_key_);
    ASSERT_TRUE(status.ok()) << status.ToString();
    ASSERT_TRUE(node_->WaitConnected(raw_key_.public_key()));
  }
  crypto::KeyPair raw_key_ = NewKey();
  std::unique_ptr<RawPeer> raw_;
};

TEST_F(AuthenticatedAdversaryTest, ValidFramesAreDelivered) {
  ASSERT_TRUE(raw_->Write(raw_->SealEnvelope(1, "raw vote")));
  ASSERT_TRUE(node_->WaitReceived(1));
  EXPECT_EQ(node_->received()[0].payload, "raw vote");
  EXPECT_EQ(node_->received()[0].peer, raw_key_.public_key());
  // And the node's frames decrypt on the raw side: the first one (a keepalive or
  // the reply) opens with the session keys.
  ASSERT_TRUE(node_->manager().Send(raw_key_.public_key(), Channel::kConsensus, "reply").ok());
}

TEST_F(AuthenticatedAdversaryTest, OversizedFrameHeaderClosesWithoutAllocating) {
  ASSERT_TRUE(raw_->Write(std::string("\xff\xff\xff\xf0", 4)));
  EXPECT_TRUE(raw_->WaitClosed());
  EXPECT_TRUE(WaitUntil([&] { return metrics().oversized_frames == 1; }));
  EXPECT_TRUE(node_->WaitDisconnected(raw_key_.public_key()));
  EXPECT_TRUE(WaitUntil([&] { return node_->DisconnectEvents("FRAME_TOO_LARGE") == 1; }));
  ExpectNodeStillServes();
}

TEST_F(AuthenticatedAdversaryTest, FrameShorterThanATagIsMalformed) {
  ASSERT_TRUE(raw_->Write(std::string("\0\0\0\x05hello", 9)));
  EXPECT_TRUE(raw_->WaitClosed());
  EXPECT_TRUE(WaitUntil([&] { return metrics().malformed_frames == 1; }));
  EXPECT_EQ(node_->ReceivedCount(), 0u);
}

TEST_F(AuthenticatedAdversaryTest, RandomCiphertextFailsTheMac) {
  std::string frame("\0\0\0\x64", 4);
  std::string body(100, '\0');
  randombytes_buf(body.data(), body.size());
  ASSERT_TRUE(raw_->Write(frame + body));
  EXPECT_TRUE(raw_->WaitClosed());
  EXPECT_TRUE(WaitUntil([&] { return metrics().bad_mac == 1; }));
  EXPECT_EQ(node_->ReceivedCount(), 0u);
  ExpectNodeStillServes();
}

TEST_F(AuthenticatedAdversaryTest, ReplayedFrameFailsTheMac) {
  const std::string frame = raw_->SealEnvelope(1, "pay once");
  ASSERT_TRUE(raw_->Write(frame));
  ASSERT_TRUE(raw_->Write(frame));
  EXPECT_TRUE(raw_->WaitClosed());
  EXPECT_TRUE(WaitUntil([&] { return metrics().bad_mac == 1; }));
  ASSERT_EQ(node_->ReceivedCount(), 1u);  // delivered exactly once
}

TEST_F(AuthenticatedAdversaryTest, EncryptedGarbageEnvelopeIsMalformed) {
  ASSERT_TRUE(raw_->Write(raw_->SealRaw(std::string("\xff\xff\xff\xff\xff", 5))));
  EXPECT_TRUE(raw_->WaitClosed());
  EXPECT_TRUE(WaitUntil([&] { return metrics().malformed_frames == 1; }));
}

TEST_F(AuthenticatedAdversaryTest, UnknownChannelIsCountedAndIgnored) {
  ASSERT_TRUE(raw_->Write(raw_->SealEnvelope(17, "from the future")));
  ASSERT_TRUE(raw_->Write(raw_->SealEnvelope(1000, "far future")));
  ASSERT_TRUE(raw_->Write(raw_->SealEnvelope(2, "known")));
  ASSERT_TRUE(node_->WaitReceived(1));
  EXPECT_EQ(node_->received()[0].payload, "known");
  EXPECT_EQ(metrics().unknown_channel_messages, 2u);
  EXPECT_TRUE(node_->manager().IsConnected(raw_key_.public_key()));
}

TEST_F(AuthenticatedAdversaryTest, TruncatedFrameThenSilenceHitsTheIdleTimeout) {
  // Half a frame, then nothing: the node waits at most idle_timeout.
  ASSERT_TRUE(raw_->Write(std::string("\0\0\0\x40partial", 11)));
  EXPECT_TRUE(raw_->WaitClosed(6000ms));
  EXPECT_TRUE(WaitUntil([&] { return metrics().idle_timeouts == 1; }));
}

// A man in the middle flips one bit of an encrypted frame in flight.
TEST(TamperingTest, FlippedCiphertextBitClosesTheConnectionAndTheLinkRecovers) {
  TestNode bob(NewKey(), FastOptions(), AdmitAll());
  ASSERT_TRUE(bob.Start().ok());
  TamperProxy proxy(bob.port());
  PeerManagerOptions options = FastOptions();
  options.persistent_peers = {AddressOf(bob.key(), proxy.port())};
  TestNode alice(NewKey(), options, AdmitAll());
  ASSERT_TRUE(alice.Start().ok());
  ASSERT_TRUE(bob.WaitConnected(alice.key()));
  ASSERT_TRUE(alice.WaitConnected(bob.key()));
  ASSERT_TRUE(alice.manager().Send(bob.key(), Channel::kConsensus, "clean").ok());
  ASSERT_TRUE(bob.WaitReceived(1));

  proxy.tamper_next = true;
  ASSERT_TRUE(alice.manager().Send(bob.key(), Channel::kConsensus, "tampered").ok());
  ASSERT_TRUE(WaitUntil([&] { return proxy.tampered.load() == 1; }));
  ASSERT_TRUE(WaitUntil([&] { return bob.DisconnectEvents() == 1; }));
  const P2PMetrics metrics = bob.manager().Metrics();
  EXPECT_EQ(metrics.bad_mac + metrics.oversized_frames + metrics.malformed_frames, 1u);
  for (const Received& r : bob.received()) EXPECT_NE(r.payload, "tampered");

  // Alice redials through the (now honest) proxy and the link works again.
  ASSERT_TRUE(WaitUntil([&] {
    return alice.manager().Send(bob.key(), Channel::kConsensus, "after").ok() &&
           WaitUntil([&] { return bob.received().back().payload == "after"; }, 200ms);
  }));
}

}  // namespace
}  // namespace civic::node::p2p
