// Client side of the contracts: building calls and signed txs, and the holder's
// copy of a certificate (the only place where personal data lives).
//
// Used by the CLI, the import tool, node/RPC tests and benches. Nothing here
// touches chain state. The holder code is validated HERE, before a tx is built,
// because the chain never sees it (it sees only the salted commitment).
//
// Digests:
//   field digest       = SHA-256( ASCII( base64url( JSON [salt, name, value] ) ) )
//                        (the SD-JWT disclosure digest; JSON as Boost.JSON serializes
//                        an array of strings: compact, minimal escaping, UTF-8 as is)
//   claims digest      = SHA-256( field digests concatenated in ascending name order )
//   holder commitment  = SHA-256( "civicledger/holder/v1" 0x00 salt 0x00 type 0x00 code )
//
// Thread safety: all functions are pure except NewSalt/random nonces (thread-safe).
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "contracts/contracts.pb.h"
#include "crypto/signature.h"
#include "crypto/status.h"
#include "ledger/ledger.pb.h"

namespace civic::contracts {

constexpr std::string_view kGovernanceContract = "governance";
constexpr std::string_view kCertificateContract = "certificate";

// Holder code types.
constexpr std::string_view kHolderCitizenId = "citizen_id";  // GB 11643 (18 characters)
constexpr std::string_view kHolderUscc = "uscc";             // GB 32100 (18 characters)

// Checks a holder code of the given type. Typed errors: HOLDER_CODE_TYPE_UNKNOWN,
// and those of ValidateCitizenId / ValidateUscc (codes.h).
Status ValidateHolderCode(std::string_view code_type, std::string_view code);

// 16 random bytes, base64url (22 characters).
std::string NewSalt();

// The SD-JWT disclosure string base64url(JSON [salt, name, value]).
std::string FieldDisclosure(std::string_view salt, std::string_view name, std::string_view value);
// SHA-256 of FieldDisclosure's ASCII bytes (32 raw bytes).
Bytes FieldDigest(std::string_view salt, std::string_view name, std::string_view value);
// SHA-256 over the digests of `claims` in ascending name order (claims need not be sorted).
Bytes ClaimsDigest(const google::protobuf::RepeatedPtrField<pb::ClaimDigest>& claims);
Bytes HolderCommitment(std::string_view salt, std::string_view code_type, std::string_view code);

// One disclosed field of the holder's copy.
struct HolderField {
  std::string name;
  std::string value;
  std::string salt;
};

// The holder's copy of a certificate, kept in the holder's wallet. JSON form:
// {"id":..,"type_code":..,"issuer_org":..,
//  "holder":{"code_type":"citizen_id","code":..,"salt":..},
//  "fields":[{"name":..,"value":..,"salt":..},..],
//  "valid_from_ms":..,"valid_until_ms":..}
struct HolderCertificate {
  std::string id;  // empty until the issuing tx is committed if the serial was chain-assigned
  std::string type_code;
  std::string issuer_org;
  std::string holder_code_type;
  std::string holder_code;
  std::string holder_salt;
  std::vector<HolderField> fields;
  int64_t valid_from_ms = 0;   // 0 = block time at issuance
  int64_t valid_until_ms = 0;  // 0 = type default / none

  Bytes Commitment() const;
  // Per-field digests sorted by name.
  std::vector<pb::ClaimDigest> Claims() const;
  Bytes Digest() const;  // claims digest
};

boost::json::value HolderCertificateToJson(const HolderCertificate& cert);
// Typed errors: HOLDER_CERT_MALFORMED (with the offending member named).
Result<HolderCertificate> HolderCertificateFromJson(const boost::json::value& json);
Result<HolderCertificate> ParseHolderCertificate(std::string_view json_text);
std::string SerializeHolderCertificate(const HolderCertificate& cert);

// Checks the holder's copy before an issuer builds a tx from it: holder code,
// salts non-empty, field names well formed and unique. Typed errors:
// HOLDER_CODE_TYPE_UNKNOWN, BAD_CITIZEN_ID, BAD_USCC, EMPTY_SALT, BAD_FIELD_NAME,
// DUPLICATE_FIELD.
Status ValidateHolderCertificate(const HolderCertificate& cert);

// Creates a holder copy with fresh salts for `fields` (name -> value).
HolderCertificate NewHolderCertificate(std::string type_code, std::string issuer_org,
                                       std::string holder_code_type, std::string holder_code,
                                       const std::map<std::string, std::string>& fields);

// The issue item for a holder copy: commitment, claim digests, validity, `serial`
// (empty = chain-assigned). Validates the copy first (ValidateHolderCertificate).
Result<pb::CertIssueItem> MakeIssueItem(const HolderCertificate& cert, std::string_view serial = "");

// Who sends a tx. An empty nonce is replaced by 12 random bytes.
struct TxParams {
  std::string chain_id;
  std::string org;                  // USCC of the signing org
  uint64_t valid_until_height = 0;  // replay protection window end
  Bytes nonce;
};

pb::TxBody MakeBody(const TxParams& params, std::string_view contract, std::string_view call);
// Serializes `call`, builds the body and signs it: the serialized SignedTx.
Bytes CertificateTx(const TxParams& params, const pb::CertificateCall& call, const crypto::KeyPair& key);
Bytes GovernanceTx(const TxParams& params, const pb::GovernanceCall& call, const crypto::KeyPair& key);

// Call builders.
pb::CertificateCall IssueCall(std::vector<pb::CertIssueItem> items);
pb::CertificateCall RenewCall(std::string_view previous_id, const HolderCertificate* updated,
                              int64_t valid_from_ms = 0, int64_t valid_until_ms = 0);
pb::CertificateCall ReplaceCall(std::string_view previous_id, const HolderCertificate* updated,
                                std::string_view reason, int64_t valid_from_ms = 0,
                                int64_t valid_until_ms = 0);
pb::CertificateCall SuspendCall(std::string_view id, std::string_view reason);
pb::CertificateCall ReinstateCall(std::string_view id, std::string_view reason);
pb::CertificateCall RevokeCall(std::string_view id, std::string_view reason);
pb::CertificateCall RegisterTypeCall(const pb::CertType& type);

// A proposal whose action is `action_call` (a serialized call) on `contract`.
pb::GovernanceCall ProposeCall(std::string_view title, std::string_view contract,
                               std::string_view action_call, std::string_view description = "");
pb::GovernanceCall ProposeCall(std::string_view title, const pb::CertificateCall& action);
pb::GovernanceCall ProposeCall(std::string_view title, const pb::GovernanceCall& action);
pb::GovernanceCall VoteCall(uint64_t proposal_id, bool yes);

// Governance actions: the action of a proposal (ProposeCall(title, action)); the
// contract runs them only when the proposal passes. Arguments are taken as given
// (the contract validates them: contracts/governance.h).
pb::GovernanceCall AddOrgCall(std::string_view code, std::string_view name, std::string_view short_name,
                              const std::vector<crypto::PublicKey>& keys, const std::vector<pb::RoleGrant>& roles);
pb::GovernanceCall RemoveOrgCall(std::string_view code);
// Adds `scopes` to the org's grant of `role` (creating the grant).
pb::GovernanceCall GrantRoleCall(std::string_view org, pb::OrgRole role, const std::vector<std::string>& scopes);
// Empty `scopes`: the whole role; otherwise only these scopes.
pb::GovernanceCall RevokeRoleCall(std::string_view org, pb::OrgRole role, const std::vector<std::string>& scopes);
pb::GovernanceCall AddKeyCall(std::string_view org, const crypto::PublicKey& key);
pb::GovernanceCall RevokeKeyCall(std::string_view org, const crypto::PublicKey& key);
pb::GovernanceCall RotateKeyCall(std::string_view org, const crypto::PublicKey& old_key,
                                 const crypto::PublicKey& new_key);
// Adds, updates or (power 0) removes validator node key `node_key` of `org`.
pb::GovernanceCall SetValidatorCall(std::string_view org, const crypto::PublicKey& node_key, uint64_t power);

// Shorthands: one signed tx.
Bytes IssueTx(const TxParams& params, std::vector<pb::CertIssueItem> items, const crypto::KeyPair& key);
Bytes ProposeTx(const TxParams& params, std::string_view title, const pb::CertificateCall& action,
                const crypto::KeyPair& key);
Bytes ProposeTx(const TxParams& params, std::string_view title, const pb::GovernanceCall& action,
                const crypto::KeyPair& key);
Bytes VoteTx(const TxParams& params, uint64_t proposal_id, bool yes, const crypto::KeyPair& key);

}  // namespace civic::contracts
