#include "contracts/certificate/query.h"

#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "contracts/base/state_io.h"
#include "contracts/certificate/keys.h"
#include "contracts/governance/query.h"

namespace civic::contracts {

Result<pb::Certificate> GetCertificate(const ledger::KvReader& state, std::string_view id) {
  CIVIC_RETURN_IF_ERROR(ParseCertId(id).status());
  auto cert = ReadRecord<pb::Certificate>(state, keys::Cert(id));
  if (!cert.ok()) return cert.status();
  if (!cert->has_value()) return Status::NotFound(err::CERT_NOT_FOUND, "no certificate " + std::string(id));
  return std::move(**cert);
}

Result<pb::CertType> GetCertType(const ledger::KvReader& state, std::string_view code) {
  auto type = ReadRecord<pb::CertType>(state, keys::CertType(code));
  if (!type.ok()) return type.status();
  if (!type->has_value()) {
    return Status::NotFound(err::UNKNOWN_TYPE, "no certificate type with code '" + std::string(code.substr(0, 64)) + "'");
  }
  return std::move(**type);
}

namespace {

Result<Verification> VerifyRecord(const ledger::KvReader& state, std::string_view id, int64_t at_ms) {
  Verification v;
  v.id = std::string(id);
  v.at_ms = at_ms;
  auto cert = GetCertificate(state, id);
  if (!cert.ok()) {
    const std::string& app = cert.status().app_code();
    if (app == err::BAD_CERT_ID || app == err::CERT_NOT_FOUND) {
      v.not_genuine_reason = app;
      return v;
    }
    return cert.status();
  }
  v.genuine = true;
  v.type_code = cert->type_code();
  v.issuer_org = cert->issuer_org();
  if (auto type = GetCertType(state, cert->type_code()); type.ok()) v.type_name = type->name();
  if (auto org = GetOrg(state, cert->issuer_org()); org.ok()) v.issuer_name = org->name();
  v.status_now = cert->status();
  v.reason_now = cert->status_reason();
  v.next_id = cert->next_id();
  v.status_at = CertificateStatusAt(*cert, at_ms);
  v.invalid_reason = CertificateInvalidReasonAt(*cert, at_ms);
  v.valid_at_time = v.invalid_reason.empty();
  v.certificate = std::move(*cert);
  return v;
}

void DecideVerdict(Verification* v) {
  if (v->not_genuine_reason == err::BAD_CERT_ID || v->not_genuine_reason == err::CERT_NOT_FOUND) {
    v->verdict = Verdict::kUnknownId;
    v->verdict_reason = v->not_genuine_reason;
  } else if (!v->genuine) {
    v->verdict = Verdict::kNotGenuine;
    v->verdict_reason = v->not_genuine_reason;
  } else if (!v->valid_at_time) {
    v->verdict = Verdict::kInvalid;
    v->verdict_reason = v->invalid_reason;
  } else {
    v->verdict = Verdict::kValid;
    v->verdict_reason.clear();
  }
}

FieldMatch MatchField(const pb::Certificate& cert, const std::string& name, const PresentedField& field) {
  for (const auto& c : cert.claims()) {
    if (c.name() != name) continue;
    return FieldDigest(field.salt, name, field.value) == c.digest() ? FieldMatch::kMatch : FieldMatch::kMismatch;
  }
  return FieldMatch::kNotOnCertificate;
}

// Records each presented field's match; a field that does not match, or that the
// certificate does not have, makes the answer not genuine (unless an earlier
// check already said why).
void MatchFields(const std::map<std::string, PresentedField>& fields, Verification* v) {
  if (fields.empty()) return;
  bool mismatch = false;
  bool missing = false;
  for (const auto& [name, field] : fields) {
    FieldResult r{name, MatchField(*v->certificate, name, field)};
    mismatch = mismatch || r.match == FieldMatch::kMismatch;
    missing = missing || r.match == FieldMatch::kNotOnCertificate;
    v->fields.push_back(std::move(r));
  }
  v->fields_match = !mismatch && !missing;
  if (*v->fields_match || !v->genuine) return;
  v->genuine = false;
  v->not_genuine_reason = mismatch ? "FIELD_MISMATCH" : "FIELD_NOT_ON_CERTIFICATE";
}

}  // namespace

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kValid:
      return "valid";
    case Verdict::kInvalid:
      return "invalid";
    case Verdict::kNotGenuine:
      return "not_genuine";
    case Verdict::kUnknownId:
      return "unknown_id";
  }
  return "unknown_id";
}

Result<Verification> VerifyCertificate(const ledger::KvReader& state, std::string_view id, int64_t at_ms,
                                       const std::map<std::string, PresentedField>& fields) {
  CIVIC_ASSIGN_OR_RETURN(Verification v, VerifyRecord(state, id, at_ms));
  if (v.genuine) MatchFields(fields, &v);
  DecideVerdict(&v);
  return v;
}

Result<Verification> VerifyHolderCertificate(const ledger::KvReader& state, const HolderCertificate& cert,
                                             int64_t at_ms) {
  std::map<std::string, PresentedField> fields;
  for (const auto& f : cert.fields) fields[f.name] = PresentedField{f.salt, f.value};
  CIVIC_ASSIGN_OR_RETURN(Verification v, VerifyRecord(state, cert.id, at_ms));
  if (v.genuine) {
    v.holder_match = cert.Commitment() == v.certificate->holder_commitment();
    if (v.certificate->type_code() != cert.type_code || v.certificate->issuer_org() != cert.issuer_org) {
      v.genuine = false;
      v.not_genuine_reason = "COPY_MISMATCH";
    } else if (!*v.holder_match) {
      v.genuine = false;
      v.not_genuine_reason = "HOLDER_MISMATCH";
    }
    MatchFields(fields, &v);
  }
  DecideVerdict(&v);
  return v;
}

Result<CertHistory> History(const ledger::KvReader& state, std::string_view id) {
  CIVIC_ASSIGN_OR_RETURN(pb::Certificate cert, GetCertificate(state, id));
  CertHistory h;
  h.id = cert.id();
  // Walk the version chain backwards to the first version, then forwards.
  std::vector<std::string> older;
  std::string prev = cert.previous_id();
  while (!prev.empty() && older.size() < kMaxCertVersion) {
    older.push_back(prev);
    auto p = GetCertificate(state, prev);
    if (!p.ok()) break;
    prev = p->previous_id();
  }
  h.versions.assign(older.rbegin(), older.rend());
  h.versions.push_back(cert.id());
  std::string next = cert.next_id();
  while (!next.empty() && h.versions.size() < kMaxCertVersion) {
    h.versions.push_back(next);
    auto n = GetCertificate(state, next);
    if (!n.ok()) break;
    next = n->next_id();
  }
  pb::CertEvent issued;
  issued.set_kind(pb::CERT_EVENT_ISSUED);
  issued.set_time_ms(cert.issued_at_ms());
  issued.set_height(cert.height());
  issued.set_tx_id(cert.issuing_tx_id());
  issued.set_org(cert.issuer_org());
  issued.set_status_after(pb::CERT_ACTIVE);
  h.events.push_back(std::move(issued));
  for (const auto& e : cert.events()) h.events.push_back(e);
  return h;
}

namespace {

Result<CertPage> ListIndex(const ledger::KvReader& state, const std::string& prefix, std::string_view cursor,
                           size_t limit) {
  if (limit == 0 || limit > kMaxPageSize) {
    return Status::InvalidArgument(err::BAD_LIMIT, "limit must be 1.." + std::to_string(kMaxPageSize));
  }
  CertPage page;
  std::vector<std::string> ids;
  // Start just after the cursor id: appending "\0" gives the next key in byte order.
  std::string start = cursor.empty() ? "" : prefix + std::string(cursor) + std::string(1, '\0');
  bool more = false;
  Status st = state.Scan(ledger::Space::kIndex, prefix, start, [&](std::string_view key, std::string_view) {
    if (ids.size() == limit) {
      more = true;
      return false;
    }
    ids.emplace_back(key.substr(prefix.size()));
    return true;
  });
  if (!st.ok()) return st;
  for (const auto& id : ids) {
    CIVIC_ASSIGN_OR_RETURN(pb::Certificate cert, GetCertificate(state, id));
    page.items.push_back(std::move(cert));
  }
  if (more && !ids.empty()) page.next_cursor = ids.back();
  return page;
}

}  // namespace

Result<CertPage> ListByHolder(const ledger::KvReader& state, std::string_view holder_commitment,
                              std::string_view cursor, size_t limit) {
  CIVIC_RETURN_IF_ERROR(CheckHolderCommitment(holder_commitment));
  return ListIndex(state, keys::HolderIndexPrefix(holder_commitment), cursor, limit);
}

Result<CertPage> ListByIssuer(const ledger::KvReader& state, std::string_view issuer_org, std::string_view cursor,
                              size_t limit) {
  CIVIC_RETURN_IF_ERROR(ValidateUscc(issuer_org));
  return ListIndex(state, keys::IssuerIndexPrefix(issuer_org), cursor, limit);
}

Result<std::vector<pb::CertType>> ListTypes(const ledger::KvReader& state) {
  return RecordsUnder<pb::CertType>(state, keys::kCertTypePrefix);
}

}  // namespace civic::contracts
