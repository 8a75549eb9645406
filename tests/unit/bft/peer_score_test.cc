// PeerScore: offences add up to a disconnect, bans double, honest slips decay.
#include <gtest/gtest.h>

#include "node/peer_score.h"

namespace civic::node {
namespace {

crypto::PublicKey Peer(char c) { return crypto::PublicKey{crypto::Algo::kEd25519, Bytes(32, c)}; }

TEST(PeerScore, InvalidSignaturesReachTheThresholdAndBan) {
  PeerScore score;
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(score.Penalise(Peer('a'), Offence::kInvalidSignature, 0));
  EXPECT_EQ(score.Score(Peer('a'), 0), 75);
  EXPECT_TRUE(score.Penalise(Peer('a'), Offence::kInvalidSignature, 0));
  EXPECT_TRUE(score.IsBanned(Peer('a'), 0));
  EXPECT_TRUE(score.IsBanned(Peer('a'), 9'999));
  EXPECT_FALSE(score.IsBanned(Peer('a'), 10'000));
  EXPECT_FALSE(score.IsBanned(Peer('b'), 0));
  // While banned, more offences change nothing.
  EXPECT_FALSE(score.Penalise(Peer('a'), Offence::kInvalidSignature, 5));
}

TEST(PeerScore, BansDoubleUpToTheMaximum) {
  PeerScoreOptions options;
  options.max_ban_ms = 50'000;
  PeerScore score(options);
  int64_t now = 0;
  for (int64_t expected : {10'000, 20'000, 40'000, 50'000, 50'000}) {
    bool banned = false;
    while (!banned) banned = score.Penalise(Peer('a'), Offence::kMalformed, now);
    EXPECT_TRUE(score.IsBanned(Peer('a'), now + expected - 1)) << expected;
    EXPECT_FALSE(score.IsBanned(Peer('a'), now + expected)) << expected;
    now += expected;
  }
}

TEST(PeerScore, RareSlipsDecay) {
  PeerScore score;
  // A request timeout every 10 s never adds up to a disconnect.
  for (int64_t now = 0; now < 3'600'000; now += 10'000) {
    ASSERT_FALSE(score.Penalise(Peer('a'), Offence::kRequestTimeout, now)) << now;
  }
  EXPECT_LE(score.Score(Peer('a'), 3'600'000), 3);
  // A flood over quota does, quickly.
  int drops = 0;
  while (!score.Penalise(Peer('b'), Offence::kOverQuota, 0)) ++drops;
  EXPECT_EQ(drops, 19);
}

}  // namespace
}  // namespace civic::node
