// Application error codes of the light client (light/): the named reasons for
// which a proof, a header or a commit is refused. Each X(CODE, meaning) entry
// defines civic::err::CODE, whose value is the wire string "CODE"; docs/RPC.md
// "Error codes" lists them and errors_table_test keeps the two equal. Constants
// only; thread-safe.
#pragma once

#include "ledger/errors.h"

#define CIVIC_LIGHT_ERRORS(X) \
  X(BAD_HEADER_RANGE, "a header range is empty, reversed, above the tip or longer than the limit") \
  X(BAD_PROOF_REQUEST, "a proof was asked for no key or for more keys than the limit") \
  X(FORK_DETECTED, "two valid commits for one height name different blocks: evidence of a fork") \
  X(LIGHT_COMMIT_INVALID, "a commit lacks 2/3 of its validators' power or holds a bad signature") \
  X(LIGHT_HEADER_HASH_MISMATCH, "a commit is not for the block hash of the header it comes with") \
  X(LIGHT_HEADER_IN_FUTURE, "a header's time is ahead of the verifier's clock by more than the allowed drift") \
  X(LIGHT_HEIGHT_MISMATCH, "a header, commit or state proof is for another height than required") \
  X(LIGHT_KEY_MISMATCH, "a state proof is for another key than the one asked") \
  X(LIGHT_MALFORMED, "a proof, header or validator set does not decode or lacks a required part") \
  X(LIGHT_PREV_HASH_MISMATCH, "a header does not link to the trusted header before it") \
  X(LIGHT_RECORD_MALFORMED, "a proven record does not decode as the record its key names") \
  X(LIGHT_ROOT_MISMATCH, "a state proof is against another root than the header's state root") \
  X(LIGHT_STATE_PROOF_INVALID, "a state proof's value, siblings or path do not hash to its root") \
  X(LIGHT_TIME_NOT_MONOTONIC, "a header's time is not after the trusted header's time") \
  X(LIGHT_TRUST_EXPIRED, "the trusted header is older than the trust period") \
  X(LIGHT_TRUST_OVERLAP_TOO_LOW, "validators trusted for the next block hold 1/3 or less of the power signing a new header") \
  X(LIGHT_UNTRUSTED_VALIDATORS, "an adjacent header's validators are not the set the trusted header named next") \
  X(LIGHT_VALIDATORS_HASH_MISMATCH, "a validator set does not hash to the hash its header names") \
  X(LIGHT_WRONG_CHAIN, "a header or proof belongs to another chain")

namespace civic::err {
CIVIC_LIGHT_ERRORS(CIVIC_ERR_CONSTANT)
}  // namespace civic::err
