// The light client end to end on an in-process chain: proofs verify from the
// genesis alone, absence is provable, validator changes are followed only
// through the change, forks are detected, trust expires.
#include <gtest/gtest.h>

#include "light/client.h"
#include "light/errors.h"
#include "tests/unit/light/light_fixture.h"

namespace civic::light::testing {
namespace {

TEST(LightProofTest, InclusionProofVerifiesFromTheGenesis) {
  LightFixture f;
  f.Grow(5);
  pb::LightProof proof = f.Proof({"k1", "k3"});
  EXPECT_EQ(proof.height(), 4u);  // tip 5 carries the root after 4
  auto proven = VerifyProof(f.Genesis(), f.Options(), proof);
  ASSERT_TRUE(proven.ok()) << proven.status().ToString();
  EXPECT_EQ(proven->height, 4u);
  ASSERT_NE(FindEntry(*proven, "k3"), nullptr);
  EXPECT_TRUE(FindEntry(*proven, "k3")->exists);
  EXPECT_EQ(FindEntry(*proven, "k3")->value, "v3");
  EXPECT_EQ(proven->proven_until_ms, f.t.chain->GetHeader(5)->time_ms() - 1);
}

TEST(LightProofTest, NonInclusionProvesAnUnknownKey) {
  LightFixture f;
  f.Grow(3);
  auto proven = VerifyProof(f.Genesis(), f.Options(), f.Proof({"no-such-key"}));
  ASSERT_TRUE(proven.ok()) << proven.status().ToString();
  ASSERT_EQ(proven->entries.size(), 1u);
  EXPECT_FALSE(proven->entries[0].exists);
  EXPECT_TRUE(proven->entries[0].value.empty());

  // Claiming the absent key exists, with any value, is refused.
  pb::LightProof lie = f.Proof({"no-such-key"});
  lie.mutable_entries(0)->set_exists(true);
  lie.mutable_entries(0)->set_value("v1");
  lie.mutable_entries(0)->clear_leaf_path();
  lie.mutable_entries(0)->clear_leaf_value_hash();
  EXPECT_EQ(VerifyProof(f.Genesis(), f.Options(), lie).status().app_code(), err::LIGHT_STATE_PROOF_INVALID);
}

TEST(LightProofTest, OlderStateVersionsProveWhatTheyHeld) {
  LightFixture f;
  f.Grow(2);                                             // k0 at block 1, k1 at block 2
  ASSERT_TRUE(f.t.Apply({f.t.Tx("del k0", "d")}).ok());  // block 3
  f.Grow(1);
  auto then = VerifyProof(f.Genesis(), f.Options(), f.Proof({"k0"}, 1));
  ASSERT_TRUE(then.ok()) << then.status().ToString();
  EXPECT_TRUE(then->entries[0].exists);
  auto now = VerifyProof(f.Genesis(), f.Options(), f.Proof({"k0"}));
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  EXPECT_FALSE(now->entries[0].exists);
}

TEST(LightProofTest, BuilderRefusesWhatNoHeaderCarriesAndBadRanges) {
  LightFixture f;
  EXPECT_EQ(BuildProof(*f.t.chain, {"k0"}, std::nullopt).status().app_code(), err::STATE_VERSION_NOT_FOUND);
  f.Grow(2);
  EXPECT_EQ(BuildProof(*f.t.chain, {"k0"}, 2).status().app_code(), err::STATE_VERSION_NOT_FOUND);
  EXPECT_EQ(BuildProof(*f.t.chain, {}, std::nullopt).status().app_code(), err::BAD_PROOF_REQUEST);
  std::vector<std::string> many(kMaxProofKeys + 1, "k0");
  EXPECT_EQ(BuildProof(*f.t.chain, many, std::nullopt).status().app_code(), err::BAD_PROOF_REQUEST);
  EXPECT_EQ(BuildHeaders(*f.t.chain, 0, 1).status().app_code(), err::BAD_HEADER_RANGE);
  EXPECT_EQ(BuildHeaders(*f.t.chain, 2, 1).status().app_code(), err::BAD_HEADER_RANGE);
  EXPECT_EQ(BuildHeaders(*f.t.chain, 1, 3).status().app_code(), err::BAD_HEADER_RANGE);
  EXPECT_TRUE(BuildHeaders(*f.t.chain, 1, 2).ok());
}

TEST(LightHeadersTest, SequentialHeadersAdvanceTheClient) {
  LightFixture f;
  f.Grow(6);
  auto headers = BuildHeaders(*f.t.chain, 1, 6);
  ASSERT_TRUE(headers.ok());
  LightClient client(f.Genesis(), f.Options());
  ASSERT_TRUE(client.UpdateAll(headers->blocks()).ok());
  EXPECT_EQ(client.latest().height, 6u);
  EXPECT_EQ(client.latest().block_hash, f.t.chain->tip().block_hash);
  // The same headers again change nothing.
  EXPECT_TRUE(client.UpdateAll(headers->blocks()).ok());
  EXPECT_EQ(client.remembered(), 7u);
}

// Block 1 replaces all four validators (seeds 0-3) by seeds 4-7; the new set
// signs from block 3. A client trusting the genesis accepts a later proof only
// through the change, and refuses it when the proof skips the change.
TEST(LightValidatorChangeTest, ProofVerifiesOnlyThroughTheChange) {
  LightFixture f;
  ASSERT_TRUE(f.t.Apply({f.t.Tx("vals 4,5,6,7", "vals")}).ok());  // block 1
  f.Grow(1);                                                        // block 2, old set
  f.t.keys = {KeyFromSeed(4), KeyFromSeed(5), KeyFromSeed(6), KeyFromSeed(7)};
  f.Grow(4);  // blocks 3-6, new set
  pb::LightProof proof = f.Proof({"k2"});
  ASSERT_EQ(proof.validator_path_size(), 2);  // blocks 2 and 3
  auto proven = VerifyProof(f.Genesis(), f.Options(), proof);
  ASSERT_TRUE(proven.ok()) << proven.status().ToString();
  EXPECT_EQ(FindEntry(*proven, "k2")->value, "v2");

  pb::LightProof skipping = proof;
  skipping.clear_validator_path();
  EXPECT_EQ(VerifyProof(f.Genesis(), f.Options(), skipping).status().app_code(), err::LIGHT_TRUST_OVERLAP_TOO_LOW);

  // A path whose change block claims a set other than the one named next is refused.
  pb::LightProof bad_path = proof;
  *bad_path.mutable_validator_path(0)->mutable_next_validators() =
      ledger::testing::MakeValidatorSet({KeyFromSeed(9), KeyFromSeed(10), KeyFromSeed(11)});
  EXPECT_EQ(VerifyProof(f.Genesis(), f.Options(), bad_path).status().app_code(),
            err::LIGHT_VALIDATORS_HASH_MISMATCH);
}

TEST(LightValidatorChangeTest, OneNewValidatorOfFourIsFollowedBySkipping) {
  LightFixture f;
  ASSERT_TRUE(f.t.Apply({f.t.Tx("vals 0,1,2,8", "vals")}).ok());
  f.Grow(1);
  f.t.keys = {KeyFromSeed(0), KeyFromSeed(1), KeyFromSeed(2), KeyFromSeed(8)};
  f.Grow(3);
  pb::LightProof proof = f.Proof({"k1"});
  proof.clear_validator_path();  // 3 of 4 trusted validators still sign: > 1/3 overlap
  EXPECT_TRUE(VerifyProof(f.Genesis(), f.Options(), proof).ok());
}

// Two blocks for one height, each with a valid commit (the validators signed
// twice): the client refuses the second and keeps both as evidence.
TEST(LightForkTest, TwoValidCommitsForOneHeightAreAFork) {
  LightFixture f;
  f.Grow(3);
  pb::LightBlock real = LightBlockAt(*f.t.chain, 3).value();
  pb::BlockHeader twin_header;
  ASSERT_TRUE(twin_header.ParseFromString(real.header()));
  twin_header.set_time_ms(twin_header.time_ms() + 1);
  pb::LightBlock twin = real;
  twin.set_header(twin_header.SerializeAsString());
  *twin.mutable_commit() = SignCommit(f.t.opts.chain_id, f.t.keys, 3, crypto::Sha256(twin.header()));

  LightClient client(f.Genesis(), f.Options());
  ASSERT_TRUE(client.UpdateAll(BuildHeaders(*f.t.chain, 1, 3)->blocks()).ok());
  Status st = client.Update(twin);
  EXPECT_EQ(st.app_code(), err::FORK_DETECTED);
  ASSERT_TRUE(client.fork().has_value());
  EXPECT_EQ(client.fork()->a().header(), real.header());
  EXPECT_EQ(client.fork()->b().header(), twin.header());
  EXPECT_EQ(client.latest().block_hash, crypto::Sha256(real.header()));  // never accepted

  // Seen in the other order (a client that met the twin first) it is the same fork.
  LightClient other(f.Genesis(), f.Options());
  ASSERT_TRUE(other.UpdateAll(BuildHeaders(*f.t.chain, 1, 2)->blocks()).ok());
  ASSERT_TRUE(other.Update(twin).ok());
  EXPECT_EQ(other.Update(real).app_code(), err::FORK_DETECTED);

  // A conflicting block without a valid commit is just a bad block, not a fork.
  pb::LightBlock forged = twin;
  forged.mutable_commit()->mutable_sigs()->DeleteSubrange(0, 2);
  EXPECT_EQ(client.Update(forged).app_code(), err::LIGHT_COMMIT_INVALID);
}

TEST(LightForkTest, ConflictingBlockBelowAKnownOneIsAFork) {
  LightFixture f;
  f.Grow(3);
  LightClient client(f.Genesis(), f.Options());
  ASSERT_TRUE(client.Update(LightBlockAt(*f.t.chain, 1).value()).ok());
  ASSERT_TRUE(client.Update(LightBlockAt(*f.t.chain, 3).value()).ok());  // skipping
  // A validly signed block 2 that block 3 does not link to.
  pb::BlockHeader h;
  ASSERT_TRUE(h.ParseFromString(LightBlockAt(*f.t.chain, 2)->header()));
  h.set_tx_count(h.tx_count() + 7);
  pb::LightBlock twin = LightBlockAt(*f.t.chain, 2).value();
  twin.set_header(h.SerializeAsString());
  *twin.mutable_commit() = SignCommit(f.t.opts.chain_id, f.t.keys, 2, crypto::Sha256(twin.header()));
  EXPECT_EQ(client.Update(twin).app_code(), err::FORK_DETECTED);
  EXPECT_TRUE(client.Update(LightBlockAt(*f.t.chain, 2).value()).ok());
}

TEST(LightTrustTest, TrustedHeaderExpiresForSkippingButNotTheGenesis) {
  LightFixture f;
  f.Grow(6);
  auto root = TrustBlock(f.t.opts.chain_id, LightBlockAt(*f.t.chain, 2).value());
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  VerifyOptions fresh;
  fresh.trust_period_ms = 1'000'000;
  fresh.now_ms = root->time_ms + 10;
  pb::LightProof proof = f.Proof({"k1"});
  EXPECT_TRUE(VerifyProof(*root, fresh, proof).ok());

  VerifyOptions late = fresh;
  late.now_ms = root->time_ms + fresh.trust_period_ms;
  EXPECT_EQ(VerifyProof(*root, late, proof).status().app_code(), err::LIGHT_TRUST_EXPIRED);
  EXPECT_TRUE(VerifyProof(f.Genesis(), late, proof).ok());  // the genesis is the chain's definition

  VerifyOptions clock_behind = fresh;
  clock_behind.max_clock_drift_ms = 0;
  clock_behind.now_ms = root->time_ms;  // later headers look like they come from the future
  EXPECT_EQ(VerifyProof(*root, clock_behind, proof).status().app_code(), err::LIGHT_HEADER_IN_FUTURE);
}

TEST(LightTrustTest, ProofForAnotherChainOrBelowTheTrustIsRefused) {
  LightFixture f;
  f.Grow(5);
  pb::LightProof proof = f.Proof({"k1"}, 1);
  TrustedState other = f.Genesis();
  other.chain_id = "other-chain";
  EXPECT_EQ(VerifyProof(other, f.Options(), proof).status().app_code(), err::LIGHT_WRONG_CHAIN);
  auto root = TrustBlock(f.t.opts.chain_id, LightBlockAt(*f.t.chain, 4).value());
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(VerifyProof(*root, f.Options(), proof).status().app_code(), err::LIGHT_HEIGHT_MISMATCH);
}

}  // namespace
}  // namespace civic::light::testing
