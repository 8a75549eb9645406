#include "ledger/block.h"

#include <gtest/gtest.h>

#include "crypto/hash.h"
#include "test_util.h"

namespace civic::ledger {
namespace {

using testing::KeyFromSeed;
using testing::MakeValidatorSet;
using testing::SignCommit;

const std::string kChain = "commit-chain";

class CommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 4; ++i) keys.push_back(KeyFromSeed(10 + i));
    set = MakeValidatorSet(keys);
    hash = crypto::Sha256("block 7");
  }
  std::vector<crypto::KeyPair> Signers(std::initializer_list<int> idx) {
    std::vector<crypto::KeyPair> out;
    for (int i : idx) out.push_back(keys[i]);
    return out;
  }
  void ExpectBad(const pb::Commit& commit, const std::string& why) {
    Status st = VerifyCommit(kChain, set, commit, 7, hash);
    ASSERT_FALSE(st.ok()) << why;
    EXPECT_EQ(st.app_code(), "BAD_COMMIT") << why;
    EXPECT_FALSE(st.message().empty());
  }

  std::vector<crypto::KeyPair> keys;
  pb::ValidatorSet set;
  Bytes hash;
};

TEST_F(CommitTest, ThreeOfFourEqualPowersIsEnough) {
  EXPECT_TRUE(VerifyCommit(kChain, set, SignCommit(kChain, Signers({0, 1, 2}), 7, hash), 7, hash).ok());
  EXPECT_TRUE(VerifyCommit(kChain, set, SignCommit(kChain, Signers({3, 1, 0, 2}), 7, hash), 7, hash).ok());
}

TEST_F(CommitTest, TooFewSignatures) {
  ExpectBad(SignCommit(kChain, Signers({0, 1}), 7, hash), "half the power");
  ExpectBad(SignCommit(kChain, {}, 7, hash), "no signatures");
}

TEST_F(CommitTest, ExactlyTwoThirdsIsNotEnough) {
  set = MakeValidatorSet({keys[0], keys[1], keys[2]});
  ExpectBad(SignCommit(kChain, Signers({0, 1}), 7, hash), "2 of 3");
  EXPECT_TRUE(VerifyCommit(kChain, set, SignCommit(kChain, Signers({0, 1, 2}), 7, hash), 7, hash).ok());
}

TEST_F(CommitTest, PowerIsWeighed) {
  set.mutable_validators(0)->set_power(100);  // 100 of 130
  EXPECT_TRUE(VerifyCommit(kChain, set, SignCommit(kChain, Signers({0}), 7, hash), 7, hash).ok());
  ExpectBad(SignCommit(kChain, Signers({1, 2, 3}), 7, hash), "30 of 130");
}

TEST_F(CommitTest, DuplicateValidatorCountsOnce) {
  pb::Commit commit = SignCommit(kChain, Signers({0, 1}), 7, hash);
  *commit.add_sigs() = commit.sigs(0);
  ExpectBad(commit, "duplicate signature");
}

TEST_F(CommitTest, NonMemberSignature) {
  pb::Commit commit = SignCommit(kChain, {keys[0], keys[1], keys[2], KeyFromSeed(99)}, 7, hash);
  ExpectBad(commit, "outsider");
}

TEST_F(CommitTest, WrongHeightOrHash) {
  ExpectBad(SignCommit(kChain, keys, 8, hash), "commit for another height");
  ExpectBad(SignCommit(kChain, keys, 7, crypto::Sha256("other")), "commit for another block");
  pb::Commit relabelled = SignCommit(kChain, keys, 8, hash);
  relabelled.set_height(7);  // signatures were made for height 8
  ExpectBad(relabelled, "signatures for another height");
  EXPECT_FALSE(VerifyCommit(kChain, set, SignCommit(kChain, keys, 7, ""), 7, "").ok());
}

TEST_F(CommitTest, BadSignature) {
  pb::Commit commit = SignCommit(kChain, keys, 7, hash);
  commit.mutable_sigs(2)->mutable_sig()->at(3) ^= 1;
  ExpectBad(commit, "flipped bit");
  pb::Commit other_chain = SignCommit("another-chain", keys, 7, hash);
  ExpectBad(other_chain, "signed for another chain");
  pb::Commit other_round = SignCommit(kChain, keys, 7, hash, 1);
  other_round.set_round(0);
  ExpectBad(other_round, "signed for another round");
}

TEST_F(CommitTest, PrevoteSignaturesDoNotMakeACommit) {
  pb::Commit commit = SignCommit(kChain, {}, 7, hash);
  for (const auto& k : keys) {
    pb::CommitSig* sig = commit.add_sigs();
    *sig->mutable_validator() = ToProto(k.public_key());
    sig->set_sig(k.Sign(VoteSignBytes(kChain, kPrevote, 7, 0, hash)));
  }
  ExpectBad(commit, "prevotes");
}

TEST_F(CommitTest, EmptySetRejectsEverything) {
  set.Clear();
  ExpectBad(SignCommit(kChain, keys, 7, hash), "empty set");
}

TEST(BlockTest, VoteSignBytesUseFixedWidthBigEndian) {
  Bytes expected("civicledger/vote/v1\0c\0", 22);
  expected += Bytes("\x00\x00\x00\x02", 4);
  expected += Bytes("\x00\x00\x00\x00\x00\x00\x01\x02", 8);
  expected += Bytes("\x00\x00\x00\x03", 4);
  expected += "HASH";
  EXPECT_EQ(VoteSignBytes("c", kPrecommit, 0x102, 3, "HASH"), expected);
}

TEST(BlockTest, BlockHashIsHashOfHeaderBytes) {
  pb::Block block;
  block.set_header("header-bytes");
  block.add_txs("tx");
  EXPECT_EQ(BlockHash(block), crypto::Sha256("header-bytes"));
}

TEST(BlockTest, CommitHash) {
  EXPECT_EQ(CommitHash(pb::Commit()), crypto::Sha256(""));
  pb::Commit c = SignCommit("c", {KeyFromSeed(1)}, 3, crypto::Sha256("b"));
  EXPECT_EQ(CommitHash(c), crypto::Sha256(c.SerializeAsString()));
}

TEST(BlockTest, ValidatorSetHashIsOrderAndContentSensitive) {
  auto set = MakeValidatorSet({KeyFromSeed(1), KeyFromSeed(2)});
  Bytes h = ValidatorSetHash(set);
  auto swapped = set;
  swapped.mutable_validators()->SwapElements(0, 1);
  EXPECT_NE(ValidatorSetHash(swapped), h);
  auto more_power = set;
  more_power.mutable_validators(1)->set_power(11);
  EXPECT_NE(ValidatorSetHash(more_power), h);
  auto other_org = set;
  other_org.mutable_validators(0)->set_org("X");
  EXPECT_NE(ValidatorSetHash(other_org), h);
  EXPECT_EQ(ValidatorSetHash(set), h);
}

TEST(BlockTest, ResultsHashIgnoresMessages) {
  EXPECT_EQ(ResultsHash({}), crypto::Sha256(""));
  pb::TxResult a;
  a.set_code(5);
  a.set_app_code("X");
  a.set_message("one wording");
  pb::TxResult b = a;
  b.set_message("another wording");
  EXPECT_EQ(ResultsHash({a}), ResultsHash({b}));
  b.set_app_code("Y");
  EXPECT_NE(ResultsHash({a}), ResultsHash({b}));
}

class EvidenceTest : public ::testing::Test {
 protected:
  pb::Vote SignedVote(const crypto::KeyPair& k, const Bytes& block_hash, uint64_t height = 5) {
    pb::Vote v;
    v.set_type(kPrecommit);
    v.set_height(height);
    v.set_round(1);
    v.set_block_hash(block_hash);
    *v.mutable_validator() = ToProto(k.public_key());
    v.set_sig(k.Sign(VoteSignBytes(kChain, kPrecommit, height, 1, block_hash)));
    return v;
  }
  crypto::KeyPair key = KeyFromSeed(1);
  pb::ValidatorSet set = MakeValidatorSet({KeyFromSeed(1), KeyFromSeed(2)});
};

TEST_F(EvidenceTest, ConflictingVotesAreEvidence) {
  pb::Evidence e;
  *e.mutable_a() = SignedVote(key, crypto::Sha256("x"));
  *e.mutable_b() = SignedVote(key, crypto::Sha256("y"));
  EXPECT_TRUE(VerifyEvidence(kChain, set, e).ok());
}

TEST_F(EvidenceTest, NonConflictingOrForgedVotesAreNot) {
  pb::Evidence same;
  *same.mutable_a() = SignedVote(key, crypto::Sha256("x"));
  *same.mutable_b() = SignedVote(key, crypto::Sha256("x"));
  EXPECT_EQ(VerifyEvidence(kChain, set, same).app_code(), "BAD_EVIDENCE");

  pb::Evidence two_validators;
  *two_validators.mutable_a() = SignedVote(key, crypto::Sha256("x"));
  *two_validators.mutable_b() = SignedVote(KeyFromSeed(2), crypto::Sha256("y"));
  EXPECT_EQ(VerifyEvidence(kChain, set, two_validators).app_code(), "BAD_EVIDENCE");

  pb::Evidence heights;
  *heights.mutable_a() = SignedVote(key, crypto::Sha256("x"), 5);
  *heights.mutable_b() = SignedVote(key, crypto::Sha256("y"), 6);
  EXPECT_EQ(VerifyEvidence(kChain, set, heights).app_code(), "BAD_EVIDENCE");

  pb::Evidence outsider;
  *outsider.mutable_a() = SignedVote(KeyFromSeed(7), crypto::Sha256("x"));
  *outsider.mutable_b() = SignedVote(KeyFromSeed(7), crypto::Sha256("y"));
  EXPECT_EQ(VerifyEvidence(kChain, set, outsider).app_code(), "BAD_EVIDENCE");

  pb::Evidence forged;
  *forged.mutable_a() = SignedVote(key, crypto::Sha256("x"));
  *forged.mutable_b() = SignedVote(key, crypto::Sha256("y"));
  forged.mutable_b()->set_block_hash(crypto::Sha256("z"));
  EXPECT_EQ(VerifyEvidence(kChain, set, forged).app_code(), "BAD_EVIDENCE");
}

}  // namespace
}  // namespace civic::ledger
