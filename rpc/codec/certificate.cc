#include "rpc/codec/certificate.h"

#include "contracts/base/enum_names.h"
#include "contracts/base/time_format.h"
#include "crypto/signature.h"

namespace civic::rpc {

namespace json = boost::json;

namespace {

const char* StatusName(pb::CertStatus status) { return contracts::EnumName(status, "none"); }

const char* FieldMatchName(contracts::FieldMatch match) {
  switch (match) {
    case contracts::FieldMatch::kMatch:
      return "match";
    case contracts::FieldMatch::kMismatch:
      return "mismatch";
    case contracts::FieldMatch::kNotOnCertificate:
      return "not_on_certificate";
  }
  return "not_on_certificate";
}

void PutTime(json::object& o, std::string_view name, int64_t ms) {
  o[std::string(name) + "_ms"] = ms;
  o[name] = contracts::FormatRfc3339(ms);
}

// AlgoName reads "unknown" for an algorithm number this build does not know.
std::string KeyText(uint32_t algo, const std::string& key) {
  return crypto::PublicKey{static_cast<crypto::Algo>(algo), key}.ToString();
}

}  // namespace

json::object CertEventToJson(const pb::CertEvent& e) {
  json::object o;
  o["kind"] = contracts::EnumName(e.kind(), "unknown");
  PutTime(o, "time", e.time_ms());
  o["height"] = e.height();
  o["tx_id"] = ToHex(e.tx_id());
  o["org"] = e.org();
  if (!e.reason().empty()) o["reason"] = e.reason();
  o["status_after"] = StatusName(e.status_after());
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
  o["status"] = StatusName(c.status());
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

json::object VerificationToJson(const contracts::Verification& v) {
  json::object o;
  o["id"] = v.id;
  o["verdict"] = contracts::VerdictName(v.verdict);
  if (!v.verdict_reason.empty()) o["verdict_reason"] = v.verdict_reason;
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
    o["status"] = StatusName(v.status_now);
    if (!v.reason_now.empty()) o["status_reason"] = v.reason_now;
    o["status_at_time"] = StatusName(v.status_at.status);
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

json::object HistoryToJson(const contracts::CertHistory& h) {
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

json::object CertPageToJson(const contracts::CertPage& page) {
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

}  // namespace civic::rpc
