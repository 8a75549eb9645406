#include "contracts/certificate/query.h"

#include "contracts/base/identifiers.h"
#include "contracts/governance/query.h"
#include "contracts/base/state_io.h"
#include "contracts/certificate/keys.h"
#include "contracts/governance/keys.h"
#include "contracts/base/time_format.h"

namespace civic::contracts {

namespace json = boost::json;

Result<pb::Certificate> GetCertificate(const ledger::KvReader& state, std::string_view id) {
  CIVIC_RETURN_IF_ERROR(ParseCertId(id).status());
  auto cert = ReadRecord<pb::Certificate>(state, keys::Cert(id));
  if (!cert.ok()) return cert.status();
  if (!cert->has_value()) return Status::NotFound("CERT_NOT_FOUND", "no certificate " + std::string(id));
  return std::move(**cert);
}

Result<pb::CertType> GetCertType(const ledger::KvReader& state, std::string_view code) {
  auto type = ReadRecord<pb::CertType>(state, keys::CertType(code));
  if (!type.ok()) return type.status();
  if (!type->has_value()) {
    return Status::NotFound("UNKNOWN_TYPE", "no certificate type with code '" + std::string(code.substr(0, 64)) + "'");
  }
  return std::move(**type);
}

const char* FieldMatchName(FieldMatch match) {
  switch (match) {
    case FieldMatch::kMatch: return "match";
    case FieldMatch::kMismatch: return "mismatch";
    case FieldMatch::kNotOnCertificate: return "not_on_certificate";
  }
  return "not_on_certificate";
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

namespace {

const char* InvalidReason(pb::CertStatus status) {
  switch (status) {
    case pb::CERT_SUSPENDED: return "SUSPENDED";
    case pb::CERT_REVOKED: return "REVOKED";
    case pb::CERT_SUPERSEDED: return "SUPERSEDED";
    default: return "NOT_YET_ISSUED";
  }
}

Result<Verification> VerifyRecord(const ledger::KvReader& state, std::string_view id, int64_t at_ms) {
  Verification v;
  v.id = std::string(id);
  v.at_ms = at_ms;
  auto cert = GetCertificate(state, id);
  if (!cert.ok()) {
    const std::string& app = cert.status().app_code();
    if (app == "BAD_CERT_ID" || app == "CERT_NOT_FOUND") {
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
  if (at_ms < cert->issued_at_ms()) {
    v.invalid_reason = "NOT_YET_ISSUED";
  } else if (at_ms < cert->valid_from_ms()) {
    v.invalid_reason = "NOT_YET_VALID";
  } else if (cert->valid_until_ms() != 0 && at_ms >= cert->valid_until_ms()) {
    v.invalid_reason = "EXPIRED";
  } else if (v.status_at.status != pb::CERT_ACTIVE) {
    v.invalid_reason = InvalidReason(v.status_at.status);
  }
  v.valid_at_time = v.invalid_reason.empty();
  v.certificate = std::move(*cert);
  return v;
}

FieldMatch MatchField(const pb::Certificate& cert, const std::string& name, const PresentedField& field) {
  for (const auto& c : cert.claims()) {
    if (c.name() != name) continue;
    return FieldDigest(field.salt, name, field.value) == c.digest() ? FieldMatch::kMatch : FieldMatch::kMismatch;
  }
  return FieldMatch::kNotOnCertificate;
}

}  // namespace

Result<Verification> VerifyCertificate(const ledger::KvReader& state, std::string_view id, int64_t at_ms,
                                       const std::map<std::string, PresentedField>& fields) {
  CIVIC_ASSIGN_OR_RETURN(Verification v, VerifyRecord(state, id, at_ms));
  if (!v.genuine || fields.empty()) return v;
  bool all = true;
  for (const auto& [name, field] : fields) {
    FieldResult r{name, MatchField(*v.certificate, name, field)};
    all = all && r.match == FieldMatch::kMatch;
    v.fields.push_back(std::move(r));
  }
  v.fields_match = all;
  return v;
}

Result<Verification> VerifyHolderCertificate(const ledger::KvReader& state, const HolderCertificate& cert,
                                             int64_t at_ms) {
  std::map<std::string, PresentedField> fields;
  for (const auto& f : cert.fields) fields[f.name] = PresentedField{f.salt, f.value};
  CIVIC_ASSIGN_OR_RETURN(Verification v, VerifyCertificate(state, cert.id, at_ms, fields));
  if (!v.genuine) return v;
  v.holder_match = cert.Commitment() == v.certificate->holder_commitment();
  if (v.certificate->type_code() != cert.type_code || v.certificate->issuer_org() != cert.issuer_org) {
    v.genuine = false;
    v.not_genuine_reason = "COPY_MISMATCH";
  } else if (!*v.holder_match) {
    v.genuine = false;
    v.not_genuine_reason = "HOLDER_MISMATCH";
  } else if (v.fields_match.has_value() && !*v.fields_match) {
    v.genuine = false;
    v.not_genuine_reason = "FIELD_MISMATCH";
  }
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
    return Status::InvalidArgument("BAD_LIMIT", "limit must be 1.." + std::to_string(kMaxPageSize));
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
  if (holder_commitment.size() != 32) {
    return Status::InvalidArgument("BAD_HOLDER_COMMITMENT", "the holder commitment must be 32 bytes");
  }
  return ListIndex(state, keys::HolderIndexPrefix(holder_commitment), cursor, limit);
}

Result<CertPage> ListByIssuer(const ledger::KvReader& state, std::string_view issuer_org, std::string_view cursor,
                              size_t limit) {
  CIVIC_RETURN_IF_ERROR(ValidateUscc(issuer_org));
  return ListIndex(state, keys::IssuerIndexPrefix(issuer_org), cursor, limit);
}

Result<std::vector<pb::CertType>> ListTypes(const ledger::KvReader& state) {
  std::vector<pb::CertType> types;
  Status parse_error;
  Status st = state.Scan(ledger::Space::kState, keys::kCertTypePrefix, "", [&](std::string_view key, std::string_view value) {
    pb::CertType t;
    if (!t.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      parse_error = Status::Corruption("state record '" + std::string(key) + "' does not parse as CertType");
      return false;
    }
    types.push_back(std::move(t));
    return true;
  });
  if (!st.ok()) return st;
  if (!parse_error.ok()) return parse_error;
  return types;
}

// ---- JSON

const char* CertStatusName(pb::CertStatus status) {
  switch (status) {
    case pb::CERT_ACTIVE: return "active";
    case pb::CERT_SUSPENDED: return "suspended";
    case pb::CERT_REVOKED: return "revoked";
    case pb::CERT_SUPERSEDED: return "superseded";
    default: return "none";
  }
}

const char* CertEventKindName(pb::CertEventKind kind) {
  switch (kind) {
    case pb::CERT_EVENT_ISSUED: return "issued";
    case pb::CERT_EVENT_RENEWED: return "renewed";
    case pb::CERT_EVENT_REPLACED: return "replaced";
    case pb::CERT_EVENT_SUSPENDED: return "suspended";
    case pb::CERT_EVENT_REINSTATED: return "reinstated";
    case pb::CERT_EVENT_REVOKED: return "revoked";
    case pb::CERT_EVENT_SUPERSEDED: return "superseded";
    default: return "unknown";
  }
}

namespace {

void PutTime(json::object& o, std::string_view name, int64_t ms) {
  o[std::string(name) + "_ms"] = ms;
  o[name] = FormatRfc3339(ms);
}

std::string KeyText(uint32_t algo, const std::string& key) {
  if (algo < 1 || algo > 3) return "unknown:" + ToHex(key);
  return crypto::PublicKey{static_cast<crypto::Algo>(algo), key}.ToString();
}

}  // namespace

json::object CertEventToJson(const pb::CertEvent& e) {
  json::object o;
  o["kind"] = CertEventKindName(e.kind());
  PutTime(o, "time", e.time_ms());
  o["height"] = e.height();
  o["tx_id"] = ToHex(e.tx_id());
  o["org"] = e.org();
  if (!e.reason().empty()) o["reason"] = e.reason();
  o["status_after"] = CertStatusName(e.status_after());
  if (!e.related_id().empty()) o["related_id"] = e.related_id();
  return o;
}

json::object CertificateToJson(const pb::Certificate& c) {
  json::object o;
  o["id"] = c.id();
  o["type_code"] = c.type_code();
  o["issuer_org"] = c.issuer_org();
  o["issuer_key"] = KeyText(c.issuer_key_algo(), c.issuer_key());
  o["serial"] = c.serial();
  o["version"] = c.version();
  o["holder_commitment"] = ToHex(c.holder_commitment());
  o["claims_digest"] = ToHex(c.claims_digest());
  json::array claims;
  for (const auto& d : c.claims()) {
    json::object cd;
    cd["name"] = d.name();
    cd["digest"] = ToHex(d.digest());
    claims.push_back(std::move(cd));
  }
  o["claims"] = std::move(claims);
  PutTime(o, "issued_at", c.issued_at_ms());
  PutTime(o, "valid_from", c.valid_from_ms());
  if (c.valid_until_ms() != 0) {
    PutTime(o, "valid_until", c.valid_until_ms());
  } else {
    o["valid_until_ms"] = 0;
    o["valid_until"] = nullptr;
  }
  o["status"] = CertStatusName(c.status());
  if (!c.status_reason().empty()) o["status_reason"] = c.status_reason();
  if (!c.previous_id().empty()) o["previous_id"] = c.previous_id();
  if (!c.next_id().empty()) o["next_id"] = c.next_id();
  o["issuing_tx_id"] = ToHex(c.issuing_tx_id());
  o["height"] = c.height();
  json::array events;
  for (const auto& e : c.events()) events.push_back(CertEventToJson(e));
  o["events"] = std::move(events);
  return o;
}

json::object CertTypeToJson(const pb::CertType& t) {
  json::object o;
  o["code"] = t.code();
  o["name"] = t.name();
  json::array issuers;
  for (const auto& org : t.issuer_orgs()) issuers.emplace_back(org);
  o["issuer_orgs"] = std::move(issuers);
  json::array fields;
  for (const auto& f : t.fields()) {
    json::object fo;
    fo["name"] = f.name();
    if (!f.label().empty()) fo["label"] = f.label();
    fo["required"] = f.required();
    fields.push_back(std::move(fo));
  }
  o["fields"] = std::move(fields);
  o["holder_code_type"] = t.holder_code_type();
  o["default_validity_ms"] = t.default_validity_ms();
  o["registered_height"] = t.registered_height();
  o["retired"] = t.retired();
  return o;
}

json::array CertTypesToJson(const std::vector<pb::CertType>& types) {
  json::array out;
  for (const auto& t : types) out.push_back(CertTypeToJson(t));
  return out;
}

json::object VerificationToJson(const Verification& v) {
  json::object o;
  o["id"] = v.id;
  PutTime(o, "at", v.at_ms);
  o["genuine"] = v.genuine;
  if (!v.not_genuine_reason.empty()) o["not_genuine_reason"] = v.not_genuine_reason;
  if (v.certificate.has_value()) {
    o["type_code"] = v.type_code;
    o["type_name"] = v.type_name;
    json::object issuer;
    issuer["code"] = v.issuer_org;
    issuer["name"] = v.issuer_name;
    o["issuer"] = std::move(issuer);
    o["status"] = CertStatusName(v.status_now);
    if (!v.reason_now.empty()) o["status_reason"] = v.reason_now;
    o["status_at_time"] = CertStatusName(v.status_at.status);
    if (!v.status_at.reason.empty()) o["status_reason_at_time"] = v.status_at.reason;
    o["valid_at_time"] = v.valid_at_time;
    if (!v.invalid_reason.empty()) o["invalid_reason"] = v.invalid_reason;
    if (!v.next_id.empty()) o["next_id"] = v.next_id;
    PutTime(o, "valid_from", v.certificate->valid_from_ms());
    if (v.certificate->valid_until_ms() != 0) {
      PutTime(o, "valid_until", v.certificate->valid_until_ms());
    } else {
      o["valid_until"] = nullptr;
    }
    o["issuing_tx_id"] = ToHex(v.certificate->issuing_tx_id());
    o["issuer_key"] = KeyText(v.certificate->issuer_key_algo(), v.certificate->issuer_key());
  } else {
    o["valid_at_time"] = false;
  }
  if (v.holder_match.has_value()) o["holder_match"] = *v.holder_match;
  if (v.fields_match.has_value()) {
    json::object fields;
    for (const auto& f : v.fields) fields[f.name] = FieldMatchName(f.match);
    o["fields"] = std::move(fields);
    o["fields_match"] = *v.fields_match;
  }
  return o;
}

json::object HistoryToJson(const CertHistory& h) {
  json::object o;
  o["id"] = h.id;
  json::array versions;
  for (const auto& v : h.versions) versions.emplace_back(v);
  o["versions"] = std::move(versions);
  json::array events;
  for (const auto& e : h.events) events.push_back(CertEventToJson(e));
  o["events"] = std::move(events);
  return o;
}

json::object CertPageToJson(const CertPage& page) {
  json::object o;
  json::array items;
  for (const auto& c : page.items) items.push_back(CertificateToJson(c));
  o["certificates"] = std::move(items);
  if (page.next_cursor.empty()) {
    o["next_cursor"] = nullptr;
  } else {
    o["next_cursor"] = page.next_cursor;
  }
  return o;
}

}  // namespace civic::contracts
