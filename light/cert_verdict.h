// A certificate's status at a time T, decided from a verified proof alone
// (proof.h): no node is trusted for it.
//
// The record under "cert/c/<id>" holds the certificate's whole status history
// (its events with their block times) and its version links, so the record as
// of any later state decides the status at every earlier time. The verdict is
// evaluated at min(T, proven_until_ms): a T after the proven state's validity
// is answered as of the latest proven instant, and says so. An absent record
// (non-inclusion proven) is the verdict "no such certificate".
//
// Errors: LIGHT_KEY_MISMATCH (the proof holds no entry for the id's key),
// LIGHT_RECORD_MALFORMED (the record does not decode or names another id).
// Pure; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "contracts/certificate/certificate.pb.h"
#include "light/proof.h"

namespace civic::light {

struct CertVerdict {
  std::string id;
  uint64_t height = 0;           // the proven state version
  int64_t asked_at_ms = 0;       // T
  int64_t evaluated_at_ms = 0;   // min(T, proven_until_ms)
  bool exists = false;           // false: proven absent
  bool valid = false;            // exists and valid at evaluated_at_ms
  // Why not valid: "CERT_NOT_FOUND" | "NOT_YET_ISSUED" | "NOT_YET_VALID" |
  // "EXPIRED" | "SUSPENDED" | "REVOKED" | "REPLACED" | "SUPERSEDED"; empty when valid.
  std::string invalid_reason;
  pb::CertStatus status_at = pb::CERT_STATUS_UNSPECIFIED;
  std::optional<pb::Certificate> certificate;
};

Result<CertVerdict> DecideCertificate(const ProvenState& state, std::string_view id, int64_t at_ms);

}  // namespace civic::light
