// The holder's copy of a certificate (the only place where personal data lives)
// and the digests that bind it to the record on chain: field digests, the claims
// digest and the holder commitment. Its JSON file form (the holder's wallet) is
// in rpc/codec/holder_certificate.h.
//
// Used by issuers' tools, verification and tests. Nothing here touches chain
// state. The holder code is validated HERE, before a tx is built, because the
// chain never sees it (it sees only the salted commitment).
//
// Digests:
//   field digest       = SHA-256( ASCII( base64url( JSON [salt, name, value] ) ) )
//                        (the SD-JWT disclosure digest; the JSON is compact, with
//                        minimal escaping: \" \\ \b \f \n \r \t, other control
//                        characters as \u00xx in lower-case hex, every other byte
//                        as is, which is what Boost.JSON's serializer writes)
//   claims digest      = SHA-256( field digests concatenated in ascending name order )
//   holder commitment  = SHA-256( "civicledger/holder/v1" 0x00 salt 0x00 type 0x00 code )
//
// Thread safety: all functions are pure except NewSalt/random nonces (thread-safe).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "contracts/certificate/certificate.pb.h"
#include "crypto/base/bytes.h"
#include "crypto/base/status.h"

namespace civic::contracts {

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

// The holder's copy of a certificate, kept in the holder's wallet.
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

// Checks the holder's copy before an issuer builds a tx from it: holder code
// (ValidateHolderCode, contracts/certificate/rules.h), salts non-empty, field
// names well formed (IsFieldName) and unique. Typed errors:
// HOLDER_CODE_TYPE_UNKNOWN, BAD_CITIZEN_ID, BAD_USCC, EMPTY_SALT, BAD_FIELD_NAME,
// DUPLICATE_FIELD.
Status ValidateHolderCertificate(const HolderCertificate& cert);

// Where salts come from: NewSalt, or a deterministic source for a caller that
// must be able to rebuild the same copy (the issuer API's retries).
using SaltSource = std::function<std::string()>;

// Creates a holder copy with fresh salts for `fields` (name -> value): the holder
// salt first, then one per field in name order.
HolderCertificate NewHolderCertificate(std::string type_code, std::string issuer_org,
                                       std::string holder_code_type, std::string holder_code,
                                       const std::map<std::string, std::string>& fields,
                                       const SaltSource& salts = NewSalt);

// The issue item for a holder copy: commitment, claim digests, validity, `serial`
// (empty = chain-assigned). Validates the copy first (ValidateHolderCertificate).
Result<pb::CertIssueItem> MakeIssueItem(const HolderCertificate& cert, std::string_view serial = "");

// Checks field values (name -> value) against a type's schema before anything is
// signed: every name is one of the type's fields, no value is empty and, when
// `require_all`, every required field is given. Typed errors: UNKNOWN_FIELD,
// EMPTY_FIELD, MISSING_FIELD.
Status CheckFieldsAgainstType(const std::map<std::string, std::string>& fields, const pb::CertType& type,
                              bool require_all);

// One certificate as an issuer's system or operator gives it: the holder and the
// field values in clear.
struct IssueRequest {
  std::string holder_code_type;  // "citizen_id" | "uscc"
  std::string holder_code;
  std::map<std::string, std::string> fields;
  std::string serial;          // empty = chain-assigned
  int64_t valid_from_ms = 0;   // 0 = block time
  int64_t valid_until_ms = 0;  // 0 = the type's default
};

// The holder's copy (values with their salts: the only way to prove the fields
// later) and the issue item that goes on chain (commitment and digests only).
struct PreparedIssue {
  HolderCertificate copy;
  pb::CertIssueItem item;
};

// Turns a request into the holder's copy and the issue item, as `civic cert issue` and the
// issuer API both do: the holder type must be the type's, the fields must fit the schema
// (CheckFieldsAgainstType), the validity must end after it starts, and the copy gets fresh
// salts from `salts` (NewHolderCertificate); its id is set when a serial is given. Typed
// errors: HOLDER_TYPE_MISMATCH, BAD_VALIDITY, TYPE_RETIRED, those of
// CheckFieldsAgainstType, ValidateSerial and MakeIssueItem.
Result<PreparedIssue> PrepareIssue(const pb::CertType& type, std::string_view issuer_org, const IssueRequest& request,
                                   const SaltSource& salts = NewSalt);

}  // namespace civic::contracts
