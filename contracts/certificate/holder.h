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

// Creates a holder copy with fresh salts for `fields` (name -> value).
HolderCertificate NewHolderCertificate(std::string type_code, std::string issuer_org,
                                       std::string holder_code_type, std::string holder_code,
                                       const std::map<std::string, std::string>& fields);

// The issue item for a holder copy: commitment, claim digests, validity, `serial`
// (empty = chain-assigned). Validates the copy first (ValidateHolderCertificate).
Result<pb::CertIssueItem> MakeIssueItem(const HolderCertificate& cert, std::string_view serial = "");

}  // namespace civic::contracts
