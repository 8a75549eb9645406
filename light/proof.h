// Offline verification of a LightProof (light.proto): the client follows the
// proof's validator path and its block from what it trusts (client.h), then
// checks every state proof against the state root that block's header carries.
//
// What a verified proof establishes: each entry's key held exactly that value
// (or was absent) in the state after block `height`, as signed by more than 2/3
// of that block's successor's validators, who are linked to the trust root.
// That state is the chain's state for every time from block `height`'s time up
// to (not including) the time of block height + 1, so it is the state "as of"
// any time T < block(height + 1).time_ms; proven_until_ms says so.
//
// Errors: light/errors.h codes, each naming the part that failed. Pure apart
// from the client it updates; not thread-safe (one client per caller).
#pragma once

#include <string>
#include <vector>

#include "light/client.h"

namespace civic::light {

struct ProvenEntry {
  Bytes key;
  bool exists = false;
  Bytes value;  // empty when !exists
};

struct ProvenState {
  std::string chain_id;
  uint64_t height = 0;          // the state version proven
  Bytes state_root;
  Bytes block_hash;             // of block height + 1, which carries the root
  int64_t proven_until_ms = 0;  // block(height + 1).time_ms - 1
  std::vector<ProvenEntry> entries;
};

// Follows proof.validator_path and proof.block with `client`, then checks the
// entries. A refused proof leaves the client trusting what it verified before
// the refusal (path blocks that verified stay known).
Result<ProvenState> VerifyProof(LightClient* client, const pb::LightProof& proof);
// The same from a trust root, with a client of its own.
Result<ProvenState> VerifyProof(const TrustedState& trusted, const VerifyOptions& options,
                                const pb::LightProof& proof);

// The entry for `key`, or nullptr when the proof holds none.
const ProvenEntry* FindEntry(const ProvenState& state, std::string_view key);

}  // namespace civic::light
