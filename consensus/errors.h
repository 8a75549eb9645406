// Application error codes of the consensus core (consensus/): the stable app codes a Status of this layer carries and
// clients match on. Each X(CODE, meaning) entry defines civic::err::CODE, whose value is the wire string "CODE". A code
// is listed once, in the lowest layer that produces or matches it; higher layers include that layer's list. docs/RPC.md
// "Error codes" shows every list as one table and errors_table_test keeps the two equal. Constants only; thread-safe.
#pragma once

#include "crypto/base/errors.h"

#define CIVIC_CONSENSUS_ERRORS(X) \
  X(CONFLICTING_PROPOSAL, "the proposer signed two proposals for one round") \
  X(FUTURE_HEIGHT, "a consensus message is for a height this node has not reached") \
  X(MALFORMED_PROPOSAL, "a consensus proposal does not decode") \
  X(MALFORMED_VOTE, "a consensus vote does not decode") \
  X(NOT_A_VALIDATOR, "the signer is not a validator of this height") \
  X(NOT_PROPOSER, "the signer is not the proposer of the round") \
  X(NOT_STARTED, "consensus has not started a height") \
  X(NO_QUORUM, "the votes do not hold more than 2/3 of the power") \
  X(STALE_HEIGHT, "a consensus message is for a height this node has passed") \
  X(STALE_START, "the height to start does not follow the current height") \
  X(UNKNOWN_SIGNER, "a message for a future height is signed by a key outside the current validator set") \
  X(WAL_RECORD_TOO_LARGE, "a consensus WAL entry exceeds the record limit") \
  X(WRONG_VOTE, "the vote is for another height, round or type")

namespace civic::err {
CIVIC_CONSENSUS_ERRORS(CIVIC_ERR_CONSTANT)
}  // namespace civic::err
