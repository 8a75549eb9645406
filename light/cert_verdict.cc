#include "light/cert_verdict.h"

#include <algorithm>

#include "contracts/certificate/keys.h"
#include "contracts/certificate/rules.h"
#include "light/errors.h"

namespace civic::light {

Result<CertVerdict> DecideCertificate(const ProvenState& state, std::string_view id, int64_t at_ms) {
  const ProvenEntry* entry = FindEntry(state, contracts::keys::Cert(id));
  if (entry == nullptr) {
    return Status::InvalidArgument(err::LIGHT_KEY_MISMATCH, "the proof holds no entry for certificate " +
                                                                std::string(id.substr(0, 64)));
  }
  CertVerdict v;
  v.id = std::string(id);
  v.height = state.height;
  v.asked_at_ms = at_ms;
  v.evaluated_at_ms = std::min(at_ms, state.proven_until_ms);
  if (!entry->exists) {
    v.invalid_reason = "CERT_NOT_FOUND";
    return v;
  }
  pb::Certificate cert;
  if (!cert.ParseFromString(entry->value) || cert.id() != id) {
    return Status::InvalidArgument(err::LIGHT_RECORD_MALFORMED, "the proven record is not certificate " +
                                                                    std::string(id.substr(0, 64)));
  }
  v.exists = true;
  v.status_at = contracts::CertificateStatusAt(cert, v.evaluated_at_ms).status;
  v.invalid_reason = contracts::CertificateInvalidReasonAt(cert, v.evaluated_at_ms);
  v.valid = v.invalid_reason.empty();
  v.certificate = std::move(cert);
  return v;
}

}  // namespace civic::light
