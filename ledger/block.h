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

}  // namespace civic::ledger
