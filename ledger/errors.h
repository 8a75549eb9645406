// Application error codes of the ledger (ledger/): the stable app codes a Status of this layer carries and clients
// match on. Each X(CODE, meaning) entry defines civic::err::CODE, whose value is the wire string "CODE". A code is
// listed once, in the lowest layer that produces or matches it; higher layers include that layer's list. docs/RPC.md
// "Error codes" shows every list as one table and errors_table_test keeps the two equal. Constants only; thread-safe.
#pragma once

#include "crypto/base/errors.h"

#define CIVIC_LEDGER_ERRORS(X) \
  X(ALREADY_INITIALISED, "the chain already holds a genesis (or another genesis than the one given)") \
  X(BAD_BLOCK, "a block does not decode, does not hash to its header or breaks a block rule") \
  X(BAD_COMMIT, "a commit does not match its block, has a bad signature or lacks 2/3 of the power") \
  X(BAD_EVIDENCE, "misbehaviour evidence is malformed, out of range or does not prove a double vote") \
  X(BAD_GENESIS, "the genesis given to the chain is unusable") \
  X(BAD_OPTIONS, "the chain was opened with invalid options") \
  X(BAD_PRUNE_HEIGHT, "pruning was asked past the tip") \
  X(BAD_SIGNATURE, "a signature is missing or does not verify against the signer's key") \
  X(BAD_VALIDATOR_SET, "a validator set is empty, repeats a key or cannot run consensus") \
  X(BLOCK_NOT_FOUND, "no block at that height or with that hash") \
  X(DB_OPEN_FAILED, "the chain database cannot be opened") \
  X(DUPLICATE_TX, "a tx appears twice in one block") \
  X(NOT_INITIALISED, "the chain has no genesis yet") \
  X(STATE_VERSION_NOT_FOUND, "no state tree for this version (above the tip or pruned)") \
  X(TX_ALREADY_COMMITTED, "the tx is already committed") \
  X(TX_EXPIRED, "the tx's valid_until height has passed") \
  X(TX_MALFORMED, "a tx does not decode or lacks a required part") \
  X(TX_NOT_FOUND, "no committed tx with this id") \
  X(TX_TOO_LARGE, "a tx exceeds the size limit") \
  X(TX_VALID_UNTIL_TOO_FAR, "the tx's valid_until height is too far ahead") \
  X(VALIDATORS_NOT_FOUND, "no validator set for that height") \
  X(WRONG_CHAIN_ID, "the tx or database belongs to another chain")

namespace civic::err {
CIVIC_LEDGER_ERRORS(CIVIC_ERR_CONSTANT)
}  // namespace civic::err
