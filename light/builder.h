// The node's side of the light client: light blocks, proofs and header ranges
// built from a Chain's committed blocks and state (light.proto). Whoever
// serves them needs no trust: every answer is checked by the client.
//
// Thread safety: as Chain's readers (may run while blocks are applied; each
// answer is made of committed, immutable blocks and one state version).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ledger/chain.h"
#include "light/light.pb.h"

namespace civic::light {

constexpr size_t kMaxProofKeys = 16;           // state entries in one proof
constexpr size_t kMaxPathChanges = 64;         // validator changes a proof walks through
constexpr uint64_t kMaxLightHeaders = 256;     // blocks in one light_headers answer

// Block `height` (1..tip) with its commit and validator sets; next_validators
// only when it differs from validators. Typed errors: BLOCK_NOT_FOUND,
// VALIDATORS_NOT_FOUND.
Result<pb::LightBlock> LightBlockAt(const ledger::Chain& chain, uint64_t height);

// Proof of `keys` (1..kMaxProofKeys) against the state after block `height`
// (nullopt: the newest provable, tip - 1), with block height + 1, and the
// validator path from the genesis (at most kMaxPathChanges changes: the newest).
// Typed errors: STATE_VERSION_NOT_FOUND (height + 1 not committed yet, or the
// version pruned), BAD_PROOF_REQUEST (key count out of range).
Result<pb::LightProof> BuildProof(const ledger::Chain& chain, const std::vector<std::string>& keys,
                                  std::optional<uint64_t> height);

// Blocks from..to (1 <= from <= to <= tip, at most kMaxLightHeaders), each as
// LightBlockAt (so the block before a change names the new set next). Typed errors:
// BAD_HEADER_RANGE, BLOCK_NOT_FOUND.
Result<pb::LightHeaders> BuildHeaders(const ledger::Chain& chain, uint64_t from, uint64_t to);

}  // namespace civic::light
