// The holder's copy of a certificate (the only place where personal data lives)
// and the digests that bind it to the record on chain: field digests, the claims
// digest and the holder commitment.
//
// Used by issuers' tools, verification and tests. Nothing here touches chain state. The holder code is validated HERE, before a tx is built,
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

#include "contracts/certificate/certificate.pb.h"
#include "crypto/signature.h"
#include "crypto/base/status.h"

namespace civic::contracts {

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

}  // namespace civic::contracts
