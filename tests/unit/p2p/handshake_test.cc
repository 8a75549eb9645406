#include "node/p2p/handshake.h"

#include <gtest/gtest.h>

namespace civic::node::p2p {
namespace {

crypto::KeyPair NewKey() { return crypto::KeyPair::Generate(crypto::Algo::kEd25519); }

std::pair<std::string_view, std::string_view> Split(const std::string& frame) {
  return {std::string_view(frame).substr(0, kFrameHeaderBytes), std::string_view(frame).substr(kFrameHeaderBytes)};
}

TEST(HandshakeTest, BothSidesAuthenticateAndShareASession) {
  const crypto::KeyPair alice = NewKey(), bob = NewKey();
  Handshake dialer(Role::kDialer, alice, "chain-a");
  Handshake acceptor(Role::kAcceptor, bob, "chain-a");
  ASSERT_EQ(dialer.hello().size(), kHelloBytes);
  ASSERT_TRUE(dialer.ReadPeerHello(acceptor.hello()).ok());
  ASSERT_TRUE(acceptor.ReadPeerHello(dialer.hello()).ok());

  const std::string dialer_id = dialer.IdentityFrame();
  const std::string acceptor_id = acceptor.IdentityFrame();
  auto [dh, db] = Split(dialer_id);
  auto [ah, ab] = Split(acceptor_id);
  Result<crypto::PublicKey> seen_by_acceptor = acceptor.ReadPeerIdentity(dh, db);
  Result<crypto::PublicKey> seen_by_dialer = dialer.ReadPeerIdentity(ah, ab);
  ASSERT_TRUE(seen_by_acceptor.ok()) << seen_by_acceptor.status().ToString();
  ASSERT_TRUE(seen_by_dialer.ok()) << seen_by_dialer.status().ToString();
  EXPECT_EQ(*seen_by_acceptor, alice.public_key());
  EXPECT_EQ(*seen_by_dialer, bob.public_key());

  // Both compute the same transcript; the signer's role is part of it.
  EXPECT_EQ(dialer.Transcript(Role::kDialer), acceptor.Transcript(Role::kDialer));
  EXPECT_EQ(dialer.Transcript(Role::kAcceptor), acceptor.Transcript(Role::kAcceptor));
  EXPECT_NE(dialer.Transcript(Role::kDialer), dialer.Transcript(Role::kAcceptor));

  const std::string dialer_auth = dialer.AuthFrame();
  const std::string acceptor_auth = acceptor.AuthFrame();
  auto [dah, dab] = Split(dialer_auth);
  auto [aah, aab] = Split(acceptor_auth);
  ASSERT_TRUE(acceptor.ReadPeerAuth(dah, dab).ok());
  ASSERT_TRUE(dialer.ReadPeerAuth(aah, aab).ok());

  SessionCipher to_bob = dialer.TakeSession();
  SessionCipher to_alice = acceptor.TakeSession();
  std::string frame, plaintext;
  ASSERT_TRUE(to_bob.SealFrame("hello bob", &frame).ok());
  auto [h, b] = Split(frame);
  ASSERT_TRUE(to_alice.OpenFrame(h, b, &plaintext).ok());
  EXPECT_EQ(plaintext, "hello bob");
  frame.clear();
  ASSERT_TRUE(to_alice.SealFrame("hello alice", &frame).ok());
  auto [h2, b2] = Split(frame);
  ASSERT_TRUE(to_bob.OpenFrame(h2, b2, &plaintext).ok());
  EXPECT_EQ(plaintext, "hello alice");
}

TEST(HandshakeTest, RejectsGarbageHello) {
  const crypto::KeyPair key = NewKey();
  Handshake handshake(Role::kAcceptor, key, "chain");
  EXPECT_EQ(handshake.ReadPeerHello(std::string(kHelloBytes, 'G')).app_code(), "HANDSHAKE_BAD_MAGIC");
  Handshake short_hello(Role::kAcceptor, key, "chain");
  EXPECT_EQ(short_hello.ReadPeerHello("CVP2").app_code(), "HANDSHAKE_BAD_MAGIC");
}

TEST(HandshakeTest, RejectsOtherVersionAndOtherChain) {
  const crypto::KeyPair alice = NewKey(), bob = NewKey();
  Handshake dialer(Role::kDialer, alice, "chain-a");
  std::string hello = dialer.hello();
  hello[7] = static_cast<char>(kProtocolVersion + 1);
  Handshake acceptor(Role::kAcceptor, bob, "chain-a");
  EXPECT_EQ(acceptor.ReadPeerHello(hello).app_code(), "PROTOCOL_VERSION_MISMATCH");

  Handshake other_chain(Role::kAcceptor, bob, "chain-b");
  EXPECT_EQ(other_chain.ReadPeerHello(dialer.hello()).app_code(), "CHAIN_ID_MISMATCH");
}

TEST(HandshakeTest, RejectsItsOwnHelloReflected) {
  const crypto::KeyPair key = NewKey();
  Handshake handshake(Role::kDialer, key, "chain");
  EXPECT_EQ(handshake.ReadPeerHello(handshake.hello()).app_code(), "HANDSHAKE_REFLECTED");
}

TEST(HandshakeTest, RejectsLowOrderEphemeralKey) {
  const crypto::KeyPair alice = NewKey(), bob = NewKey();
  Handshake dialer(Role::kDialer, alice, "chain");
  std::string hello = dialer.hello();
  std::fill(hello.begin() + 40, hello.end(), '\0');  // the all-zero point
  Handshake acceptor(Role::kAcceptor, bob, "chain");
  EXPECT_EQ(acceptor.ReadPeerHello(hello).app_code(), "HANDSHAKE_BAD_KEY");
}

TEST(HandshakeTest, RejectsAPeerUsingOurOwnKey) {
  const crypto::KeyPair key = NewKey();
  Handshake dialer(Role::kDialer, key, "chain");
  Handshake acceptor(Role::kAcceptor, key, "chain");
  ASSERT_TRUE(dialer.ReadPeerHello(acceptor.hello()).ok());
  ASSERT_TRUE(acceptor.ReadPeerHello(dialer.hello()).ok());
  const std::string id = dialer.IdentityFrame();
  auto [h, b] = Split(id);
  EXPECT_EQ(acceptor.ReadPeerIdentity(h, b).status().app_code(), "SELF_CONNECTION");
}

TEST(HandshakeTest, SubstitutedEphemeralKeyBreaksTheSession) {
  // A man in the middle replaces the dialer's ephemeral key with its own: the
  // acceptor derives keys the dialer does not have.
  const crypto::KeyPair alice = NewKey(), bob = NewKey(), mallory = NewKey();
  Handshake dialer(Role::kDialer, alice, "chain");
  Handshake acceptor(Role::kAcceptor, bob, "chain");
  Handshake attacker(Role::kDialer, mallory, "chain");
  ASSERT_TRUE(acceptor.ReadPeerHello(attacker.hello()).ok());
  ASSERT_TRUE(dialer.ReadPeerHello(acceptor.hello()).ok());
  const std::string id = dialer.IdentityFrame();
  auto [h, b] = Split(id);
  EXPECT_EQ(acceptor.ReadPeerIdentity(h, b).status().app_code(), "BAD_MAC");
}

TEST(HandshakeTest, SignatureFromAnotherSessionDoesNotVerify) {
  // Mallory completes a genuine handshake with Bob, then forwards to Bob the auth
  // frame that Alice produced for another session: it is sealed with the wrong
  // keys, and even re-sealed it would sign the wrong transcript.
  const crypto::KeyPair alice = NewKey(), bob = NewKey();
  Handshake a1(Role::kDialer, alice, "chain"), b1(Role::kAcceptor, bob, "chain");
  Handshake a2(Role::kDialer, alice, "chain"), b2(Role::kAcceptor, bob, "chain");
  ASSERT_TRUE(a1.ReadPeerHello(b1.hello()).ok());
  ASSERT_TRUE(b1.ReadPeerHello(a1.hello()).ok());
  ASSERT_TRUE(a2.ReadPeerHello(b2.hello()).ok());
  ASSERT_TRUE(b2.ReadPeerHello(a2.hello()).ok());
  // Identities cross in both sessions.
  for (auto [a, b] : {std::pair{&a1, &b1}, std::pair{&a2, &b2}}) {
    const std::string from_a = a->IdentityFrame(), from_b = b->IdentityFrame();
    auto [ha, pa] = Split(from_a);
    auto [hb, pb] = Split(from_b);
    ASSERT_TRUE(b->ReadPeerIdentity(ha, pa).ok());
    ASSERT_TRUE(a->ReadPeerIdentity(hb, pb).ok());
  }
  EXPECT_NE(a1.Transcript(Role::kDialer), a2.Transcript(Role::kDialer));
  const std::string auth1 = a1.AuthFrame();
  auto [ah, ab] = Split(auth1);
  EXPECT_FALSE(b2.ReadPeerAuth(ah, ab).ok());
}

TEST(HandshakeTest, StepsOutOfOrderAreRefused) {
  const crypto::KeyPair key = NewKey();
  Handshake handshake(Role::kDialer, key, "chain");
  EXPECT_EQ(handshake.ReadPeerIdentity(std::string(4, '\0'), std::string(16, '\0')).status().app_code(),
            "HANDSHAKE_OUT_OF_ORDER");
  EXPECT_EQ(handshake.ReadPeerAuth(std::string(4, '\0'), std::string(16, '\0')).app_code(),
            "HANDSHAKE_OUT_OF_ORDER");
}

}  // namespace
}  // namespace civic::node::p2p
