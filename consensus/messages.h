// Consensus message helpers: sign bytes, signing, shape checks, signature checks
// and double-vote evidence. Pure functions over protobuf values; thread-safe.
//
// Votes are civic.pb.Vote signed over ledger::VoteSignBytes, so a commit
// certificate made of precommits verifies with ledger::VerifyCommit.
// Proposals are civic.pb.BlockProposal signed over ProposalSignBytes, which binds
// both the block hash and SHA-256 of the block bytes.
#pragma once

#include <cstdint>
#include <string_view>

#include "consensus/consensus.pb.h"
#include "consensus/signer.h"
#include "consensus/validator_set.h"
#include "crypto/base/status.h"
#include "ledger/ledger.pb.h"

namespace civic::consensus {

enum class VoteType : uint32_t { kPrevote = 1, kPrecommit = 2 };  // = ledger::kPrevote/kPrecommit

// Rounds above this are refused as malformed: no correct node gets there (it
// would take longer than any deployment lives), and it keeps round arithmetic
// far from overflow.
constexpr uint32_t kMaxRound = uint32_t{1} << 30;
// Block hashes are SHA-256.
constexpr size_t kBlockHashSize = 32;

// "civicledger/proposal/v1\0" || chain_id || "\0" || height (8 BE) || round (4 BE)
// || pol_round (4 BE, two's complement) || block_hash (32) || SHA-256(block) (32)
Bytes ProposalSignBytes(std::string_view chain_id, uint64_t height, uint32_t round,
                        int32_t pol_round, std::string_view block_hash,
                        std::string_view block_digest);

// Signs a vote; an empty block_hash is a vote for nil.
pb::Vote MakeVote(std::string_view chain_id, VoteType type, uint64_t height, uint32_t round,
                  std::string_view block_hash, const Signer& signer);
pb::BlockProposal MakeProposal(std::string_view chain_id, uint64_t height, uint32_t round,
                               int32_t pol_round, std::string_view block,
                               std::string_view block_hash, const Signer& signer);

// Field ranges only (no signature, no membership). Errors: MALFORMED_VOTE,
// MALFORMED_PROPOSAL (block larger than max_block_bytes included).
Status CheckVoteShape(const pb::Vote& vote);
Status CheckProposalShape(const pb::BlockProposal& proposal, size_t max_block_bytes);

// Signature only. Errors: BAD_SIGNATURE.
Status VerifyVoteSignature(std::string_view chain_id, const pb::Vote& vote,
                           const Verifier& verifier);
Status VerifyProposalSignature(std::string_view chain_id, const pb::BlockProposal& proposal,
                               const Verifier& verifier);

// Same signer, height, round, type and block hash, and same signature bytes.
bool SameVote(const pb::Vote& a, const pb::Vote& b);

// Evidence from two conflicting votes (same signer, height, round and type,
// different block hashes). The votes are put in a canonical order (smaller block
// hash first), so every node that sees the pair builds identical evidence.
pb::Evidence MakeEvidence(const pb::Vote& a, const pb::Vote& b);

// Checks evidence against the validator set of its height: well-formed votes, one
// member validator, same height/round/type, different block hashes, both
// signatures valid. Errors: BAD_EVIDENCE.
Status VerifyEvidence(std::string_view chain_id, const ValidatorSet& validators,
                      const pb::Evidence& evidence, const Verifier& verifier);

}  // namespace civic::consensus
