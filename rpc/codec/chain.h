// JSON renderings of chain objects, shared by the chain methods, the REST
// routes and the node's block events; and the decoding of binary parameters.
//
// Conventions (docs/RPC.md): binary values are lower-case hex; public keys are
// "<algo>:<hex>"; times appear twice, as "<name>_ms" (ms since the Unix epoch)
// and "<name>" (RFC 3339, UTC). Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "ledger/chain.h"
#include "ledger/ledger.pb.h"
#include "rpc/methods.h"

namespace civic::rpc {

// "ed25519:<hex>" ("unknown:<hex>" for an algorithm this build does not know).
std::string KeyString(const pb::PublicKey& key);
// RFC 3339 UTC, e.g. "2025-01-01T00:00:01Z".
std::string TimeString(int64_t ms);

// {"ok","code","code_name","app_code","message"}
json::object TxResultJson(const pb::TxResult& result);
// Every header field; hashes in hex, time as time_ms + time.
json::object HeaderJson(const pb::BlockHeader& header);
// {"height","round","block_hash","signatures":[{"validator","sig"}]}
json::object CommitJson(const pb::Commit& commit);
// {"pub_key","power","org"} per validator
json::array ValidatorsJson(const pb::ValidatorSet& set);

// The message a /ws "blocks" subscriber receives for a committed block:
// {"height","hash","time_ms","time","tx_count","proposer"}. Typed error:
// CORRUPTION when the header does not decode.
Result<json::object> BlockEventJson(const pb::Block& block);

// chain_getBlock's answer for a stored block (tx results read from `chain`;
// each tx's call name from `decoders`, which may be null).
Result<json::object> BlockJson(const ledger::Chain& chain, const pb::StoredBlock& stored,
                               const MethodTable* decoders);

// chain_getTx's answer: the decoded tx, its location and result, as `viewer`
// may see it. `decoders` (may be null) renders TxBody.call as JSON for
// contracts that have one, redacted by contracts/base/visibility.h. When
// anything of the call is hidden from the viewer (or a known contract's call
// does not decode, so what it holds cannot be judged), "redacted" is true and
// the bytes that would reveal it, body.call_hex and raw_hex, are left out.
json::object TxJson(std::string_view raw, const pb::TxLocation& location, const MethodTable* decoders,
                    bool include_raw, contracts::Viewer viewer);

// Binary parameters given as hex (optionally "0x"-prefixed) or base64
// (standard or URL-safe, padding optional). Hex wins when both would parse.
// Typed error: INVALID_ARGUMENT/<app_code> naming the parameter.
Result<Bytes> DecodeBinary(std::string_view text, std::string_view what, std::string_view app_code);

}  // namespace civic::rpc
