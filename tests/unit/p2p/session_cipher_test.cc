#include "node/p2p/session_cipher.h"

#include <gtest/gtest.h>
#include <sodium.h>

namespace civic::node::p2p {
namespace {

struct Pair {
  Pair() {
    SessionCipher::Key a{}, b{};
    randombytes_buf(a.data(), a.size());
    randombytes_buf(b.data(), b.size());
    alice.emplace(a, b);
    bob.emplace(b, a);
  }
  std::optional<SessionCipher> alice;
  std::optional<SessionCipher> bob;
};

Status Open(SessionCipher& cipher, const std::string& frame, std::string* plaintext) {
  return cipher.OpenFrame(std::string_view(frame).substr(0, kFrameHeaderBytes),
                          std::string_view(frame).substr(kFrameHeaderBytes), plaintext);
}

TEST(SessionCipherTest, RoundTripsInOrderBothWays) {
  ASSERT_GE(sodium_init(), 0);
  Pair pair;
  for (int i = 0; i < 5; ++i) {
    const std::string message = "message " + std::to_string(i) + std::string(i * 100, 'x');
    std::string frame;
    ASSERT_TRUE(pair.alice->SealFrame(message, &frame).ok());
    EXPECT_EQ(frame.size(), kFrameHeaderBytes + message.size() + kFrameTagBytes);
    std::string plaintext;
    ASSERT_TRUE(Open(*pair.bob, frame, &plaintext).ok());
    EXPECT_EQ(plaintext, message);

    std::string reply;
    ASSERT_TRUE(pair.bob->SealFrame("re: " + message, &reply).ok());
    ASSERT_TRUE(Open(*pair.alice, reply, &plaintext).ok());
    EXPECT_EQ(plaintext, "re: " + message);
  }
  EXPECT_EQ(pair.alice->frames_sealed(), 5u);
  EXPECT_EQ(pair.bob->frames_opened(), 5u);
}

TEST(SessionCipherTest, EmptyPlaintextIsJustATag) {
  Pair pair;
  std::string frame;
  ASSERT_TRUE(pair.alice->SealFrame("", &frame).ok());
  EXPECT_EQ(frame.size(), kFrameHeaderBytes + kFrameTagBytes);
  std::string plaintext = "junk";
  ASSERT_TRUE(Open(*pair.bob, frame, &plaintext).ok());
  EXPECT_TRUE(plaintext.empty());
}

TEST(SessionCipherTest, AnyFlippedByteFailsAuthentication) {
  Pair reference;
  std::string frame;
  ASSERT_TRUE(reference.alice->SealFrame("transfer 100 to alice", &frame).ok());
  for (size_t i = 0; i < frame.size(); ++i) {
    Pair pair;  // fresh keys per position; reseal so counters match
    std::string sealed;
    ASSERT_TRUE(pair.alice->SealFrame("transfer 100 to alice", &sealed).ok());
    sealed[i] ^= 0x40;
    std::string plaintext;
    Status status = Open(*pair.bob, sealed, &plaintext);
    if (i < kFrameHeaderBytes) {
      // A changed header changes the length (caller's framing) or the associated data.
      EXPECT_FALSE(status.ok()) << "byte " << i;
    } else {
      EXPECT_EQ(status.app_code(), "BAD_MAC") << "byte " << i;
    }
    EXPECT_TRUE(plaintext.empty());
  }
}

TEST(SessionCipherTest, ReplayAndReorderFail) {
  Pair pair;
  std::string first, second, plaintext;
  ASSERT_TRUE(pair.alice->SealFrame("one", &first).ok());
  ASSERT_TRUE(pair.alice->SealFrame("two", &second).ok());
  // Out of order: frame 1 where frame 0 is expected.
  EXPECT_EQ(Open(*pair.bob, second, &plaintext).app_code(), "BAD_MAC");
  ASSERT_TRUE(Open(*pair.bob, first, &plaintext).ok());
  // Replay of frame 0 where frame 1 is expected.
  EXPECT_EQ(Open(*pair.bob, first, &plaintext).app_code(), "BAD_MAC");
  ASSERT_TRUE(Open(*pair.bob, second, &plaintext).ok());
  EXPECT_EQ(plaintext, "two");
}

TEST(SessionCipherTest, OwnFramesDoNotOpenWithOwnReceiveKey) {
  Pair pair;
  std::string frame, plaintext;
  ASSERT_TRUE(pair.alice->SealFrame("reflected", &frame).ok());
  EXPECT_EQ(Open(*pair.alice, frame, &plaintext).app_code(), "BAD_MAC");
}

TEST(SessionCipherTest, MovedFromCipherIsWiped) {
  Pair pair;
  SessionCipher moved = std::move(*pair.alice);
  std::string frame, plaintext;
  ASSERT_TRUE(moved.SealFrame("still works", &frame).ok());
  ASSERT_TRUE(Open(*pair.bob, frame, &plaintext).ok());
  std::string from_wiped;
  ASSERT_TRUE(pair.alice->SealFrame("zero key", &from_wiped).ok());
  EXPECT_EQ(Open(*pair.bob, from_wiped, &plaintext).app_code(), "BAD_MAC");
}

TEST(SessionCipherTest, TruncatedCiphertextIsRejected) {
  Pair pair;
  std::string plaintext;
  EXPECT_EQ(pair.bob->OpenFrame(std::string(4, '\0'), "short", &plaintext).app_code(), "FRAME_TOO_SHORT");
}

TEST(FrameHeaderTest, ChecksBounds) {
  auto header = [](uint32_t n) {
    return std::string{static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                       static_cast<char>(n)};
  };
  EXPECT_EQ(*ParseFrameHeader(header(16), 1024), 16u);
  EXPECT_EQ(*ParseFrameHeader(header(1024), 1024), 1024u);
  EXPECT_EQ(ParseFrameHeader(header(1025), 1024).status().app_code(), "FRAME_TOO_LARGE");
  EXPECT_EQ(ParseFrameHeader(header(0xFFFFFFFFu), kDefaultMaxFrameBytes).status().app_code(), "FRAME_TOO_LARGE");
  EXPECT_EQ(ParseFrameHeader(header(15), 1024).status().app_code(), "FRAME_TOO_SHORT");
  EXPECT_EQ(ParseFrameHeader(header(0), 1024).status().app_code(), "FRAME_TOO_SHORT");
}

}  // namespace
}  // namespace civic::node::p2p
