// The sync-target policy: claims are capped, time-boxed, dropped when the peer
// cannot serve them, and only proven claims make a node "behind".
#include <gtest/gtest.h>

#include "consensus/sync_target.h"

namespace civic::consensus {
namespace {

crypto::PublicKey Peer(char c) { return crypto::PublicKey{crypto::Algo::kEd25519, Bytes(32, c)}; }

SyncTargetOptions Options() { return SyncTargetOptions{/*window=*/64, /*claim_ttl_ms=*/10000}; }

TEST(SyncTarget, HugeClaimIsCappedAndUnproven) {
  SyncTarget t(Options());
  t.OnClaim(Peer('a'), uint64_t{1} << 62, /*proven=*/false, /*own_tip=*/10, /*now_ms=*/0);
  EXPECT_EQ(t.PeerTip(Peer('a'), 10), 74u);
  EXPECT_EQ(t.Target(10), 74u);
  EXPECT_EQ(t.ProvenTarget(10), 0u);  // never stops the node from proposing
  EXPECT_EQ(t.Target(100), 164u);     // the cap follows the own tip
}

TEST(SyncTarget, ProvenClaimCounts) {
  SyncTarget t(Options());
  t.OnClaim(Peer('a'), 12, /*proven=*/true, 10, 0);
  t.OnClaim(Peer('b'), 30, /*proven=*/false, 10, 0);
  EXPECT_EQ(t.ProvenTarget(10), 12u);
  EXPECT_EQ(t.Target(10), 30u);
  // A later unproven claim of the same peer does not lower its proven tip.
  t.OnClaim(Peer('a'), 11, /*proven=*/false, 10, 1);
  EXPECT_EQ(t.ProvenTarget(10), 12u);
}

TEST(SyncTarget, NoBlocksForAClaimedHeightIsALie) {
  SyncTarget t(Options());
  t.OnClaim(Peer('a'), 1000, false, 10, 0);
  EXPECT_EQ(t.OnNoBlocks(Peer('a'), 11, 5), SyncVerdict::kPenalise);
  EXPECT_EQ(t.Target(10), 0u);
  // Distrusted for a time box: a repeated claim is ignored, later it counts again.
  t.OnClaim(Peer('a'), 1000, false, 10, 6);
  EXPECT_EQ(t.Target(10), 0u);
  t.OnClaim(Peer('a'), 1000, false, 10, 5 + 10000);
  EXPECT_EQ(t.Target(10), 74u);
  // A peer that never claimed the height is not lying.
  t.OnClaim(Peer('b'), 10, false, 10, 0);
  EXPECT_EQ(t.OnNoBlocks(Peer('b'), 11, 7), SyncVerdict::kFine);
  EXPECT_EQ(t.OnNoBlocks(Peer('z'), 11, 7), SyncVerdict::kFine);
}

TEST(SyncTarget, UnservedClaimExpiresAndRepeatingItDoesNotHelp) {
  SyncTarget t(Options());
  t.OnClaim(Peer('a'), 500, false, 10, 0);
  t.OnClaim(Peer('b'), 20, false, 10, 0);
  for (uint64_t now = 1000; now < 10000; now += 1000) {
    t.OnClaim(Peer('a'), 500, false, 10, now);  // the status repeats every second
    EXPECT_TRUE(t.Expire(10, now).empty());
  }
  t.OnServed(Peer('b'), 11, 9000);  // b makes progress: its box restarts
  std::vector<crypto::PublicKey> expired = t.Expire(11, 10000);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0], Peer('a'));
  EXPECT_EQ(t.PeerTip(Peer('a'), 11), 0u);
  EXPECT_EQ(t.PeerTip(Peer('b'), 11), 20u);
  EXPECT_TRUE(t.Expire(11, 18999).empty());
  EXPECT_EQ(t.Expire(11, 19000).size(), 1u);  // b served nothing since 9000
}

TEST(SyncTarget, ClaimAtOrBelowTipRunsNoBox) {
  SyncTarget t(Options());
  t.OnClaim(Peer('a'), 10, false, 10, 0);
  EXPECT_TRUE(t.Expire(10, 1'000'000).empty());
  EXPECT_EQ(t.PeerTip(Peer('a'), 10), 10u);
}

TEST(SyncTarget, TimeoutDropsTheClaimAndForgetRemovesThePeer) {
  SyncTarget t(Options());
  t.OnClaim(Peer('a'), 50, true, 10, 0);
  EXPECT_EQ(t.OnRequestTimeout(Peer('a'), 1), SyncVerdict::kPenalise);
  EXPECT_EQ(t.Target(10), 0u);
  EXPECT_EQ(t.ProvenTarget(10), 0u);
  t.OnClaim(Peer('a'), 50, true, 10, 2);  // not distrusted: it may just be slow
  EXPECT_EQ(t.ProvenTarget(10), 50u);
  t.Forget(Peer('a'));
  EXPECT_EQ(t.Target(10), 0u);
  EXPECT_EQ(t.OnRequestTimeout(Peer('a'), 3), SyncVerdict::kFine);
}

}  // namespace
}  // namespace civic::consensus
