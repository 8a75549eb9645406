#include "consensus/messages.h"

#include "consensus/errors.h"
#include "crypto/hash.h"
#include "ledger/block.h"
#include "ledger/errors.h"
#include "ledger/tx.h"

namespace civic::consensus {

namespace {

Status MalformedVote(std::string message) {
  return Status::InvalidArgument(err::MALFORMED_VOTE, std::move(message));
}
Status MalformedProposal(std::string message) {
  return Status::InvalidArgument(err::MALFORMED_PROPOSAL, std::move(message));
}
Status BadEvidence(std::string message) {
  return Status::InvalidArgument(err::BAD_EVIDENCE, std::move(message));
}

Bytes VoteBytes(std::string_view chain_id, const pb::Vote& vote) {
  return ledger::VoteSignBytes(chain_id, vote.type(), vote.height(), vote.round(), vote.block_hash());
}

}  // namespace

Bytes ProposalSignBytes(std::string_view chain_id, uint64_t height, uint32_t round,
                        int32_t pol_round, std::string_view block_hash,
                        std::string_view block_digest) {
  static constexpr std::string_view kTag{"civicledger/proposal/v1\0", 24};
  Bytes out;
  out.reserve(kTag.size() + chain_id.size() + 1 + 16 + block_hash.size() + block_digest.size());
  out.append(kTag);
  out.append(chain_id);
  out.push_back('\0');
  PutBigEndian64(&out, height);
  PutBigEndian32(&out, round);
  PutBigEndian32(&out, static_cast<uint32_t>(pol_round));
  out.append(block_hash);
  out.append(block_digest);
  return out;
}

pb::Vote MakeVote(std::string_view chain_id, VoteType type, uint64_t height, uint32_t round,
                  std::string_view block_hash, const Signer& signer) {
  pb::Vote vote;
  vote.set_type(static_cast<uint32_t>(type));
  vote.set_height(height);
  vote.set_round(round);
  vote.set_block_hash(std::string(block_hash));
  *vote.mutable_validator() = ledger::ToProto(signer.public_key());
  vote.set_sig(signer.Sign(VoteBytes(chain_id, vote)));
  return vote;
}

pb::BlockProposal MakeProposal(std::string_view chain_id, uint64_t height, uint32_t round,
                               int32_t pol_round, std::string_view block,
                               std::string_view block_hash, const Signer& signer) {
  pb::BlockProposal p;
  p.set_height(height);
  p.set_round(round);
  p.set_pol_round(pol_round);
  p.set_block(std::string(block));
  p.set_block_hash(std::string(block_hash));
  *p.mutable_proposer() = ledger::ToProto(signer.public_key());
  p.set_sig(signer.Sign(
      ProposalSignBytes(chain_id, height, round, pol_round, block_hash, crypto::Sha256(block))));
  return p;
}

Status CheckVoteShape(const pb::Vote& vote) {
  if (vote.type() != static_cast<uint32_t>(VoteType::kPrevote) &&
      vote.type() != static_cast<uint32_t>(VoteType::kPrecommit)) {
    return MalformedVote("vote type " + std::to_string(vote.type()) + " is neither prevote (1) nor precommit (2)");
  }
  if (vote.height() == 0) return MalformedVote("vote height is 0");
  if (vote.round() > kMaxRound) return MalformedVote("vote round " + std::to_string(vote.round()) + " is out of range");
  if (!vote.block_hash().empty() && vote.block_hash().size() != kBlockHashSize) {
    return MalformedVote("vote block hash has " + std::to_string(vote.block_hash().size()) + " bytes, want 0 or 32");
  }
  if (vote.validator().key().empty()) return MalformedVote("vote has no validator key");
  if (vote.sig().size() != crypto::kSignatureSize) return MalformedVote("vote signature has a wrong length");
  return Status::Ok();
}

Status CheckProposalShape(const pb::BlockProposal& p, size_t max_block_bytes) {
  if (p.height() == 0) return MalformedProposal("proposal height is 0");
  if (p.round() > kMaxRound) return MalformedProposal("proposal round " + std::to_string(p.round()) + " is out of range");
  if (p.pol_round() < -1 || p.pol_round() >= static_cast<int64_t>(p.round())) {
    return MalformedProposal("proposal pol_round " + std::to_string(p.pol_round()) + " is not in [-1, round)");
  }
  if (p.block().empty()) return MalformedProposal("proposal carries no block");
  if (p.block().size() > max_block_bytes) return MalformedProposal("proposal block is larger than the limit");
  if (p.block_hash().size() != kBlockHashSize) return MalformedProposal("proposal block hash must have 32 bytes");
  if (p.proposer().key().empty()) return MalformedProposal("proposal has no proposer key");
  if (p.sig().size() != crypto::kSignatureSize) return MalformedProposal("proposal signature has a wrong length");
  return Status::Ok();
}

Status VerifyVoteSignature(std::string_view chain_id, const pb::Vote& vote, const Verifier& verifier) {
  if (!verifier.Verify(ledger::FromProto(vote.validator()), VoteBytes(chain_id, vote), vote.sig())) {
    return Status::InvalidArgument(err::BAD_SIGNATURE, "vote signature does not verify");
  }
  return Status::Ok();
}

Status VerifyProposalSignature(std::string_view chain_id, const pb::BlockProposal& p,
                               const Verifier& verifier) {
  Bytes msg = ProposalSignBytes(chain_id, p.height(), p.round(), p.pol_round(), p.block_hash(),
                                crypto::Sha256(p.block()));
  if (!verifier.Verify(ledger::FromProto(p.proposer()), msg, p.sig())) {
    return Status::InvalidArgument(err::BAD_SIGNATURE, "proposal signature does not verify");
  }
  return Status::Ok();
}

bool SameVote(const pb::Vote& a, const pb::Vote& b) {
  return a.type() == b.type() && a.height() == b.height() && a.round() == b.round() &&
         a.block_hash() == b.block_hash() && a.sig() == b.sig() &&
         a.validator().algo() == b.validator().algo() && a.validator().key() == b.validator().key();
}

pb::Evidence MakeEvidence(const pb::Vote& a, const pb::Vote& b) {
  pb::Evidence ev;
  const bool a_first = a.block_hash() < b.block_hash();
  *ev.mutable_a() = a_first ? a : b;
  *ev.mutable_b() = a_first ? b : a;
  return ev;
}

Status VerifyEvidence(std::string_view chain_id, const ValidatorSet& validators,
                      const pb::Evidence& evidence, const Verifier& verifier) {
  const pb::Vote& a = evidence.a();
  const pb::Vote& b = evidence.b();
  for (const pb::Vote* v : {&a, &b}) {
    if (Status st = CheckVoteShape(*v); !st.ok()) return BadEvidence(st.message());
  }
  if (a.validator().algo() != b.validator().algo() || a.validator().key() != b.validator().key()) {
    return BadEvidence("the two votes are by different validators");
  }
  if (!validators.IndexOf(ledger::FromProto(a.validator()))) {
    return BadEvidence("the voter is not a validator of that height");
  }
  if (a.type() != b.type() || a.height() != b.height() || a.round() != b.round()) {
    return BadEvidence("the two votes are for different height, round or type");
  }
  if (a.block_hash() == b.block_hash()) return BadEvidence("the two votes do not conflict");
  for (const pb::Vote* v : {&a, &b}) {
    if (!VerifyVoteSignature(chain_id, *v, verifier).ok()) return BadEvidence("a vote signature does not verify");
  }
  return Status::Ok();
}

}  // namespace civic::consensus
