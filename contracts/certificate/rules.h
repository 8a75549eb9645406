// The certificate contract's pure rules, shared by the contract, its queries,
// genesis and the issuers' tools: what a valid type definition, holder code,
// field name, reason, holder commitment and claim digest are, and a
// certificate's status at a point in time.
//
// None of these reads or writes state. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "contracts/certificate/certificate.pb.h"
#include "crypto/base/status.h"

namespace civic::contracts {

// Holder code types: what a certificate type's holder code is.
constexpr std::string_view kHolderCitizenId = "citizen_id";  // GB 11643 (18 characters)
constexpr std::string_view kHolderUscc = "uscc";             // GB 32100 (18 characters)

// Limits of a type definition and of the reasons of status changes.
constexpr size_t kMaxTypeNameBytes = 200;
constexpr size_t kMaxTypeFields = 64;
constexpr size_t kMaxFieldLabelBytes = 100;
constexpr size_t kMaxReasonBytes = 256;

// Checks a holder code of the given type. Typed errors: HOLDER_CODE_TYPE_UNKNOWN,
// and those of ValidateCitizenId / ValidateUscc (contracts/base/identifiers.h).
Status ValidateHolderCode(std::string_view code_type, std::string_view code);

// True for a field name of a type's schema: [a-z][a-z0-9_]{0,63}.
bool IsFieldName(std::string_view name);

// Checks a type definition (code, name, fields, holder code type, validity,
// issuing orgs). Typed errors: BAD_TYPE_CODE, BAD_TYPE.
Status ValidateCertType(const pb::CertType& type);

// Checks the reason of a status change; `required`: it must not be empty.
// Typed errors: REASON_REQUIRED, REASON_TOO_LONG.
Status CheckReason(std::string_view reason, bool required);

// Typed errors: BAD_HOLDER_COMMITMENT unless `commitment` is a kDigestSize-byte
// digest; BAD_CLAIM_DIGEST unless the digest of field `name` is.
Status CheckHolderCommitment(std::string_view commitment);
Status CheckClaimDigest(std::string_view name, std::string_view digest);

// Status of a certificate at a point in time.
struct StatusAt {
  pb::CertStatus status = pb::CERT_STATUS_UNSPECIFIED;  // UNSPECIFIED before issuance
  std::string reason;
};
// Replays the certificate's events up to and including `at_ms`.
StatusAt CertificateStatusAt(const pb::Certificate& cert, int64_t at_ms);
// Why `cert` is not valid at `at_ms`: "NOT_YET_ISSUED" | "NOT_YET_VALID" |
// "EXPIRED" | "SUSPENDED" | "REVOKED" | "REPLACED" (revoked for a replacement, next_id
// names it) | "SUPERSEDED"; empty when it is valid.
std::string CertificateInvalidReasonAt(const pb::Certificate& cert, int64_t at_ms);

}  // namespace civic::contracts
