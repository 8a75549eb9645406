// Block hashing, commit sign bytes, commit verification.
#pragma once

#include <vector>

#include "crypto/signature.h"
#include "ledger/ledger.pb.h"

namespace civic::ledger {

constexpr uint32_t kPrevote = 1;
constexpr uint32_t kPrecommit = 2;

// SHA-256 of the block's header bytes.
Bytes BlockHash(const pb::Block& block);
// "civicledger/vote/v1\0" || chain_id || "\0" || type || height || round || block_hash
Bytes VoteSignBytes(std::string_view chain_id, uint32_t type, uint64_t height, uint32_t round,
                    std::string_view block_hash);
// Hash of a validator set (order-sensitive; sets are kept sorted by public key).
Bytes ValidatorSetHash(const pb::ValidatorSet& set);
// SHA-256 of the serialized commit (empty commit -> hash of empty string).
Bytes CommitHash(const pb::Commit& commit);

// Checks that `commit` holds valid precommit signatures for (height, block_hash)
// from validators of `set` with more than 2/3 of its voting power; no validator
// counted twice. Typed errors: BAD_COMMIT.
Status VerifyCommit(std::string_view chain_id, const pb::ValidatorSet& set,
                    const pb::Commit& commit, uint64_t height, std::string_view block_hash);

// Merkle root (merkle.h) of a block's tx results; leaf i = BE32(code) || app_code.
// Messages are left out: they explain, consensus must not depend on their wording.
Bytes ResultsHash(const std::vector<pb::TxResult>& results);
// Merkle root of the deterministically serialized evidence items (header.evidence_hash).
Bytes EvidenceHash(const google::protobuf::RepeatedPtrField<pb::Evidence>& evidence);

// Checks that `evidence` holds two conflicting votes (same type, height, round and
// validator; different block hashes), both validly signed by a member of `set`
// (the set of the votes' height). Typed errors: BAD_EVIDENCE.
Status VerifyEvidence(std::string_view chain_id, const pb::ValidatorSet& set, const pb::Evidence& evidence);

}  // namespace civic::ledger
