// Genesis: the JSON file every node of a network starts from, validated and
// turned into the initial state, validator set and genesis hash.
//
// File format (UTF-8 JSON):
// {
//   "chain_id": "mianyang-1",                       // [A-Za-z0-9._-]{1,64}
//   "genesis_time": "2025-01-01T00:00:00Z",         // RFC 3339 or integer ms
//   "params": {"proposal_ttl_blocks": 1000, "max_batch_certificates": 10000},  // optional
//   "orgs": [{"code": "<USCC>", "name": "...", "short_name": "psb",
//             "keys": ["ed25519:<hex>", ...],
//             "roles": ["ADMIN", {"role": "ISSUER", "scopes": ["<type code>", ...]}, ...]}],
//   "validators": [{"org": "<USCC>", "pub_key": "ed25519:<hex>", "power": 10}],
//   "cert_types": [{"code": "<type code>", "name": "...", "issuer_orgs": ["<USCC>"],
//                   "holder_code_type": "citizen_id" | "uscc",
//                   "default_validity_days": 3650,          // or "default_validity_ms"; 0 = none
//                   "fields": [{"name": "name", "label": "姓名", "required": true}, ...]}]
// }
// Rules: org codes are valid USCCs and unique; every org has at least one key; a
// key belongs to one org and is never also a validator node key; at least one
// ADMIN org and one validator; a validator's org holds VALIDATOR; every issuer
// org of a type exists and holds ISSUER with that type code as a scope.
//
// The genesis hash is SHA-256 over a canonical encoding of (chain_id, genesis
// time, validator set, every state entry in key order), so whitespace or member
// order in the file does not change it.
//
// Typed errors (all INVALID_ARGUMENT, message names the offending member):
// GENESIS_MALFORMED, GENESIS_BAD_CHAIN_ID, GENESIS_BAD_TIME, GENESIS_BAD_PARAMS,
// GENESIS_BAD_ORG, GENESIS_DUPLICATE_ORG, GENESIS_BAD_KEY, GENESIS_DUPLICATE_KEY,
// GENESIS_BAD_ROLE, GENESIS_NO_ADMIN, GENESIS_BAD_VALIDATOR, GENESIS_NO_VALIDATORS,
// GENESIS_BAD_CERT_TYPE; GENESIS_IO when the file cannot be read.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "contracts/certificate/certificate.pb.h"
#include "contracts/governance/contract.h"
#include "contracts/governance/governance.pb.h"
#include "crypto/signature.h"
#include "ledger/kv.h"
#include "ledger/ledger.pb.h"

namespace civic::contracts {

struct Genesis {
  std::string chain_id;
  int64_t genesis_time_ms = 0;
  pb::GovParams params;
  std::vector<pb::Org> orgs;             // in code order
  std::vector<pb::CertType> cert_types;  // in code order
  pb::ValidatorSet validators;           // sorted by public key
  ledger::WriteSet state;                // the initial state
  Bytes hash;                            // 32 bytes
  std::string text;                      // the file as read (LoadGenesisFile only)
};

Result<Genesis> ParseGenesis(std::string_view json_text);
Result<Genesis> ParseGenesisJson(const boost::json::value& json);
Result<Genesis> LoadGenesisFile(const std::string& path);


}  // namespace civic::contracts
