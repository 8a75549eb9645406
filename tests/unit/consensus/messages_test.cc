#include <gtest/gtest.h>

#include "consensus/messages.h"
#include "ledger/block.h"
#include "tests/unit/consensus/test_util.h"

namespace civic::consensus {
namespace {

using testing::HashOf;
using testing::kChain;

class MessagesTest : public ::testing::Test {
 protected:
  testing::Validators v{4};
  CryptoVerifier verifier;
  Bytes block = "block bytes";
  Bytes hash = HashOf(block);
};

TEST_F(MessagesTest, VoteSignsLedgerSignBytes) {
  pb::Vote vote = MakeVote(kChain, VoteType::kPrecommit, 7, 2, hash, v.signer(0));
  EXPECT_TRUE(CheckVoteShape(vote).ok());
  EXPECT_TRUE(VerifyVoteSignature(kChain, vote, verifier).ok());
  EXPECT_TRUE(crypto::Verify(v.signer(0).public_key(),
                             ledger::VoteSignBytes(kChain, ledger::kPrecommit, 7, 2, hash), vote.sig()));
  EXPECT_EQ(VerifyVoteSignature("other-chain", vote, verifier).app_code(), "BAD_SIGNATURE");
  vote.set_round(3);
  EXPECT_EQ(VerifyVoteSignature(kChain, vote, verifier).app_code(), "BAD_SIGNATURE");
}

TEST_F(MessagesTest, MalformedVotes) {
  const pb::Vote good = MakeVote(kChain, VoteType::kPrevote, 1, 0, hash, v.signer(0));
  auto code = [](const pb::Vote& x) { return CheckVoteShape(x).app_code(); };
  pb::Vote x = good;
  x.set_type(3);
  EXPECT_EQ(code(x), "MALFORMED_VOTE");
  x = good;
  x.set_height(0);
  EXPECT_EQ(code(x), "MALFORMED_VOTE");
  x = good;
  x.set_round(kMaxRound + 1);
  EXPECT_EQ(code(x), "MALFORMED_VOTE");
  x = good;
  x.set_block_hash("short");
  EXPECT_EQ(code(x), "MALFORMED_VOTE");
  x = good;
  x.clear_validator();
  EXPECT_EQ(code(x), "MALFORMED_VOTE");
  x = good;
  x.set_sig("x");
  EXPECT_EQ(code(x), "MALFORMED_VOTE");
  x = good;
  x.set_block_hash("");  // nil is fine
  EXPECT_TRUE(CheckVoteShape(x).ok());
}

TEST_F(MessagesTest, ProposalSignatureBindsTheBlockBytes) {
  pb::BlockProposal p = MakeProposal(kChain, 3, 1, 0, block, hash, v.signer(1));
  EXPECT_TRUE(CheckProposalShape(p, 1024).ok());
  EXPECT_TRUE(VerifyProposalSignature(kChain, p, verifier).ok());
  pb::BlockProposal swapped = p;
  swapped.set_block("other bytes, same claimed hash");
  EXPECT_EQ(VerifyProposalSignature(kChain, swapped, verifier).app_code(), "BAD_SIGNATURE");
  pb::BlockProposal repol = p;
  repol.set_pol_round(-1);
  EXPECT_EQ(VerifyProposalSignature(kChain, repol, verifier).app_code(), "BAD_SIGNATURE");
}

TEST_F(MessagesTest, MalformedProposals) {
  const pb::BlockProposal good = MakeProposal(kChain, 3, 1, -1, block, hash, v.signer(1));
  auto code = [](const pb::BlockProposal& x) { return CheckProposalShape(x, 64).app_code(); };
  pb::BlockProposal x = good;
  x.set_pol_round(1);  // must be < round
  EXPECT_EQ(code(x), "MALFORMED_PROPOSAL");
  x = good;
  x.set_pol_round(-2);
  EXPECT_EQ(code(x), "MALFORMED_PROPOSAL");
  x = good;
  x.set_block("");
  EXPECT_EQ(code(x), "MALFORMED_PROPOSAL");
  x = good;
  x.set_block(Bytes(65, 'b'));  // over the limit
  EXPECT_EQ(code(x), "MALFORMED_PROPOSAL");
  x = good;
  x.set_block_hash("");
  EXPECT_EQ(code(x), "MALFORMED_PROPOSAL");
  x = good;
  x.set_height(0);
  EXPECT_EQ(code(x), "MALFORMED_PROPOSAL");
  x = good;
  x.set_round(kMaxRound + 5);
  EXPECT_EQ(code(x), "MALFORMED_PROPOSAL");
}

TEST_F(MessagesTest, EvidenceIsCanonicalAndVerified) {
  pb::Vote a = MakeVote(kChain, VoteType::kPrevote, 5, 0, hash, v.signer(2));
  pb::Vote b = MakeVote(kChain, VoteType::kPrevote, 5, 0, "", v.signer(2));
  pb::Evidence e1 = MakeEvidence(a, b);
  pb::Evidence e2 = MakeEvidence(b, a);
  EXPECT_EQ(e1.SerializeAsString(), e2.SerializeAsString());
  EXPECT_TRUE(VerifyEvidence(kChain, v.set, e1, verifier).ok());

  // Not conflicting, different signers, different rounds, forged signature, outsider.
  EXPECT_EQ(VerifyEvidence(kChain, v.set, MakeEvidence(a, a), verifier).app_code(), "BAD_EVIDENCE");
  pb::Vote other = MakeVote(kChain, VoteType::kPrevote, 5, 0, "", v.signer(3));
  EXPECT_EQ(VerifyEvidence(kChain, v.set, MakeEvidence(a, other), verifier).app_code(), "BAD_EVIDENCE");
  pb::Vote later = MakeVote(kChain, VoteType::kPrevote, 5, 1, "", v.signer(2));
  EXPECT_EQ(VerifyEvidence(kChain, v.set, MakeEvidence(a, later), verifier).app_code(), "BAD_EVIDENCE");
  pb::Evidence forged = e1;
  forged.mutable_b()->set_sig(Bytes(64, '\1'));
  EXPECT_EQ(VerifyEvidence(kChain, v.set, forged, verifier).app_code(), "BAD_EVIDENCE");
  KeyPairSigner outsider(testing::TestKey(77));
  pb::Evidence stranger = MakeEvidence(MakeVote(kChain, VoteType::kPrevote, 5, 0, hash, outsider),
                                       MakeVote(kChain, VoteType::kPrevote, 5, 0, "", outsider));
  EXPECT_EQ(VerifyEvidence(kChain, v.set, stranger, verifier).app_code(), "BAD_EVIDENCE");
  EXPECT_EQ(VerifyEvidence(kChain, v.set, pb::Evidence(), verifier).app_code(), "BAD_EVIDENCE");
}

}  // namespace
}  // namespace civic::consensus
