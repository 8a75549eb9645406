// Verification of light blocks (light.proto) against a trusted state, as
// CometBFT's light client does it:
//
// - sequential: a block at trusted height + 1 must be signed by more than 2/3
//   of the power of exactly the set the trusted header named next
//   (header.validators_hash == hash of trusted next validators) and link to the
//   trusted block (prev_block_hash);
// - skipping: a block further ahead is accepted when more than 2/3 of its own
//   validators signed it AND validators the trusted state named next hold more
//   than 1/3 of their total power among its signers (so at least one honest
//   trusted validator vouches for it), provided the trusted state is still
//   within the trust period at `now`. A trust root taken from the genesis file
//   does not expire (the genesis defines the chain; docs/security/proofs.md).
//
// Every check a block fails has a named reason (light/errors.h). The functions
// take the time explicitly: nothing here reads a clock. Pure functions;
// thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "crypto/base/bytes.h"
#include "crypto/base/status.h"
#include "ledger/ledger.pb.h"
#include "light/light.pb.h"

namespace civic::light {

// What a client trusts: a block (or the genesis) and the set that signs the next block.
struct TrustedState {
  std::string chain_id;
  uint64_t height = 0;               // 0 = the genesis
  Bytes block_hash;                  // empty at the genesis
  int64_t time_ms = 0;               // block time (genesis time at height 0)
  pb::ValidatorSet next_validators;  // signs block height + 1
  bool from_genesis = false;         // derived from the genesis file: no trust period
};

struct VerifyOptions {
  int64_t now_ms = 0;                 // the verifier's clock; 0 = do not check time against it
  int64_t trust_period_ms = 14LL * 24 * 3600 * 1000;  // 0 = trust does not expire
  int64_t max_clock_drift_ms = 10'000;
};

// The trust root of a genesis: chain id, genesis time and its validator set
// (which signs blocks 1 and 2), put in canonical order. Typed error:
// BAD_VALIDATOR_SET.
Result<TrustedState> TrustGenesis(std::string chain_id, int64_t genesis_time_ms, pb::ValidatorSet validators);

// A block the caller trusts as it is (e.g. given with --trusted-header): checked
// for internal consistency only (header hash, set hashes, > 2/3 commit).
Result<TrustedState> TrustBlock(std::string_view chain_id, const pb::LightBlock& block);

// Checks `block` on its own: header decodes and is of `chain_id`, the commit is
// for this header's hash and height with > 2/3 of `validators`' power, the
// validator sets hash to the header's hashes. Returns the decoded header.
Result<pb::BlockHeader> VerifyLightBlock(std::string_view chain_id, const pb::LightBlock& block);

// Checks `block` against `trusted` (sequential or skipping, see above) and
// returns the state trusted after it. A block at the trusted height with another
// hash is FORK_DETECTED; a block below it, LIGHT_HEIGHT_MISMATCH.
Result<TrustedState> VerifyAgainstTrust(const TrustedState& trusted, const pb::LightBlock& block,
                                        const VerifyOptions& options);

// The set that signs the block after `block` (next_validators, or validators
// when the header names the same hash and next_validators was left out).
// LIGHT_MALFORMED when neither is given.
Result<pb::ValidatorSet> NextValidatorsOf(const pb::BlockHeader& header, const pb::LightBlock& block);

}  // namespace civic::light
