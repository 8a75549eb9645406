#include "contracts/certificate/rules.h"

#include <set>

#include "contracts/base/checks.h"
#include "contracts/base/enum_names.h"
#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"

namespace civic::contracts {
namespace {

// The same check as CheckDigest, under the app code this contract has always given.
Status WithAppCode(Status st, const char* app_code) {
  if (st.ok()) return st;
  return Status(st.code(), app_code, st.message());
}

}  // namespace

Status ValidateHolderCode(std::string_view code_type, std::string_view code) {
  if (code_type == kHolderCitizenId) return ValidateCitizenId(code);
  if (code_type == kHolderUscc) return ValidateUscc(code);
  return Status::InvalidArgument(err::HOLDER_CODE_TYPE_UNKNOWN,
                                 "holder code type '" + Shown(code_type) + "' is not one of citizen_id, uscc");
}

bool IsFieldName(std::string_view name) {
  if (name.empty() || name.size() > 64 || !(name[0] >= 'a' && name[0] <= 'z')) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

Status ValidateCertType(const pb::CertType& type) {
  CIVIC_RETURN_IF_ERROR(ValidateTypeCode(type.code()));
  auto bad = [&](std::string why) {
    return Status::InvalidArgument(err::BAD_TYPE, "certificate type " + type.code() + ": " + why);
  };
  if (type.name().empty() || type.name().size() > kMaxTypeNameBytes) {
    return bad("name must be 1 to " + std::to_string(kMaxTypeNameBytes) + " bytes");
  }
  if (type.holder_code_type() != kHolderCitizenId && type.holder_code_type() != kHolderUscc) {
    return bad("holder_code_type must be citizen_id or uscc");
  }
  if (type.default_validity_ms() < 0) return bad("default validity must not be negative");
  if (type.fields_size() == 0 || static_cast<size_t>(type.fields_size()) > kMaxTypeFields) {
    return bad("a type needs 1 to " + std::to_string(kMaxTypeFields) + " fields");
  }
  std::set<std::string_view> names;
  for (const auto& f : type.fields()) {
    if (!IsFieldName(f.name())) return bad("field name '" + Shown(f.name()) + "' must match [a-z][a-z0-9_]{0,63}");
    if (!names.insert(f.name()).second) return bad("field '" + f.name() + "' is defined twice");
    if (f.label().size() > kMaxFieldLabelBytes) {
      return bad("label of field '" + f.name() + "' is longer than " + std::to_string(kMaxFieldLabelBytes) + " bytes");
    }
  }
  if (type.issuer_orgs_size() == 0) return bad("a type needs at least one issuing org");
  std::set<std::string_view> issuers;
  for (const auto& org : type.issuer_orgs()) {
    if (Status st = ValidateUscc(org); !st.ok()) return bad("issuing org: " + st.message());
    if (!issuers.insert(org).second) return bad("issuing org " + org + " is listed twice");
  }
  return Status::Ok();
}

Status CheckReason(std::string_view reason, bool required) {
  if (required && reason.empty()) return Status::InvalidArgument(err::REASON_REQUIRED, "a reason is required");
  if (reason.size() > kMaxReasonBytes) {
    return Status::InvalidArgument(err::REASON_TOO_LONG,
                                   "the reason must be at most " + std::to_string(kMaxReasonBytes) + " bytes");
  }
  return Status::Ok();
}

Status CheckHolderCommitment(std::string_view commitment) {
  return WithAppCode(CheckDigest("the holder commitment", commitment), err::BAD_HOLDER_COMMITMENT);
}

Status CheckClaimDigest(std::string_view name, std::string_view digest) {
  return WithAppCode(CheckDigest("the digest of field '" + Shown(name) + "'", digest), err::BAD_CLAIM_DIGEST);
}

StatusAt CertificateStatusAt(const pb::Certificate& cert, int64_t at_ms) {
  StatusAt out;
  if (at_ms < cert.issued_at_ms()) return out;
  out.status = pb::CERT_ACTIVE;
  for (const auto& e : cert.events()) {
    if (e.time_ms() > at_ms) break;
    out.status = e.status_after();
    out.reason = e.status_after() == pb::CERT_ACTIVE ? "" : e.reason();
  }
  return out;
}

std::string CertificateInvalidReasonAt(const pb::Certificate& cert, int64_t at_ms) {
  if (at_ms < cert.issued_at_ms()) return "NOT_YET_ISSUED";
  if (at_ms < cert.valid_from_ms()) return "NOT_YET_VALID";
  if (cert.valid_until_ms() != 0 && at_ms >= cert.valid_until_ms()) return "EXPIRED";
  const pb::CertStatus status = CertificateStatusAt(cert, at_ms).status;
  // Revoked because a replacement (lost, damaged) took its place: says so,
  // rather than reading like a revocation for cause.
  if (status == pb::CERT_REVOKED && !cert.next_id().empty()) return "REPLACED";
  // "SUSPENDED", "REVOKED" or "SUPERSEDED" at that time.
  if (status != pb::CERT_ACTIVE) return EnumUpperName(status, "NOT_YET_ISSUED");
  return "";
}

}  // namespace civic::contracts
