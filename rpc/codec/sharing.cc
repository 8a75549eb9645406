#include "rpc/codec/sharing.h"

#include "contracts/base/checks.h"
#include "contracts/base/enum_names.h"
#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "contracts/base/time_format.h"
#include "contracts/sharing/keys.h"
#include "contracts/sharing/rules.h"
#include "contracts/sharing/subject_tag.h"
#include "rpc/error_codes.h"

namespace civic::rpc {

namespace json = boost::json;
using contracts::FormatRfc3339;
using contracts::kDigestSize;
namespace sk = contracts::sharing_keys;

namespace {

Status Malformed(std::string_view app, std::string what) { return Status::InvalidArgument(std::string(app), what); }

Result<std::string> JsonString(const json::object& o, std::string_view key, bool required, std::string_view app) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) return Malformed(app, "\"" + std::string(key) + "\" is missing");
    return std::string();
  }
  if (!v->is_string()) return Malformed(app, "\"" + std::string(key) + "\" must be a string");
  return std::string(v->get_string());
}

// A required 32-byte digest in hex. Typed errors: `app` (missing, not a string), BAD_DIGEST.
Result<Bytes> JsonDigest(const json::object& o, std::string_view key, std::string_view app) {
  CIVIC_ASSIGN_OR_RETURN(std::string hex, JsonString(o, key, true, app));
  auto raw = FromHex(hex);
  if (!raw || raw->size() != kDigestSize) {
    return Status::InvalidArgument(err::BAD_DIGEST, "\"" + std::string(key) + "\" must be 64 hex characters");
  }
  return *raw;
}

Status OnlyMembers(const json::object& o, std::initializer_list<std::string_view> allowed, std::string_view app) {
  for (const auto& kv : o) {
    bool known = false;
    for (auto a : allowed) known = known || kv.key() == a;
    if (!known) return Malformed(app, "unknown member \"" + std::string(kv.key()).substr(0, 64) + "\"");
  }
  return Status::Ok();
}

void PutTime(json::object* o, std::string_view name, int64_t ms) {
  (*o)[std::string(name) + "_ms"] = ms;
  (*o)[name] = ms == 0 ? std::string() : FormatRfc3339(ms);
}

json::array Strings(const google::protobuf::RepeatedPtrField<std::string>& items) {
  json::array out;
  for (const auto& s : items) out.emplace_back(s);
  return out;
}

json::array HexStrings(const google::protobuf::RepeatedPtrField<std::string>& items) {
  json::array out;
  for (const auto& s : items) out.emplace_back(ToHex(s));
  return out;
}

json::object AckToJson(const pb::SharingAccessRecord& r) {
  json::object ack;
  ack.reserve(8);
  ack["status"] = contracts::AckStatusName(r);
  PutTime(&ack, "deadline", r.ack_deadline_ms());
  ack["provider_digest"] = ToHex(r.provider_digest());
  PutTime(&ack, "time", r.ack_time_ms());
  ack["height"] = r.ack_height();
  ack["tx_id"] = ToHex(r.ack_tx_id());
  return ack;
}

json::array FindingsToJson(const pb::SharingAccessRecord& r) {
  json::array out;
  for (const auto& f : r.findings()) {
    json::object fo;
    fo["reason"] = contracts::EnumUpperName(f.reason());
    fo["detail"] = f.detail();
    out.push_back(std::move(fo));
  }
  return out;
}

const char* FirstReason(const pb::SharingAccessRecord& r) {
  return r.findings().empty() ? "" : contracts::EnumUpperName(r.findings(0).reason());
}

}  // namespace

Result<pb::SharingAccess> AccessFromJson(const json::value& v, std::string_view requester_org) {
  constexpr std::string_view kApp = err::ACCESS_MALFORMED;
  const json::object* o = v.if_object();
  if (o == nullptr) return Malformed(kApp, "an access must be a JSON object");
  CIVIC_RETURN_IF_ERROR(OnlyMembers(*o,
                                    {"request_id", "resource", "provider", "grant", "purpose", "fields", "subject_tags",
                                     "subject_keys", "record_count", "response_digest", "accessed_at"},
                                    kApp));
  pb::SharingAccess a;
  CIVIC_ASSIGN_OR_RETURN(std::string request_id, JsonString(*o, "request_id", true, kApp));
  CIVIC_RETURN_IF_ERROR(contracts::ValidateRequestId(request_id));
  a.set_request_id(request_id);
  CIVIC_ASSIGN_OR_RETURN(std::string resource, JsonString(*o, "resource", true, kApp));
  CIVIC_RETURN_IF_ERROR(contracts::ValidateResourceCode(resource));
  a.set_resource(resource);
  CIVIC_ASSIGN_OR_RETURN(std::string provider, JsonString(*o, "provider", false, kApp));
  if (!provider.empty()) CIVIC_RETURN_IF_ERROR(contracts::ValidateUscc(provider));
  a.set_provider_org(provider);
  CIVIC_ASSIGN_OR_RETURN(std::string grant, JsonString(*o, "grant", false, kApp));
  if (!grant.empty()) CIVIC_RETURN_IF_ERROR(contracts::ValidateGrantId(grant));
  a.set_grant_id(grant);
  CIVIC_ASSIGN_OR_RETURN(std::string purpose, JsonString(*o, "purpose", true, kApp));
  a.set_purpose(purpose);
  const json::value* fields = o->if_contains("fields");
  if (fields == nullptr || !fields->is_array()) return Malformed(kApp, "\"fields\" must be an array of field names");
  for (const auto& f : fields->get_array()) {
    if (!f.is_string()) return Malformed(kApp, "\"fields\" must be an array of field names");
    CIVIC_RETURN_IF_ERROR(contracts::ValidateSharingFieldName(f.get_string()));
    a.add_fields(std::string(f.get_string()));
  }
  for (std::string_view member : {"subject_tags", "subject_keys"}) {
    const json::value* list = o->if_contains(member);
    if (list == nullptr || list->is_null()) continue;
    const bool keys = member == "subject_keys";
    if (!list->is_array()) return Malformed(kApp, "\"" + std::string(member) + "\" must be an array of 64-hex values");
    if (keys && requester_org.empty()) return Malformed(kApp, "\"subject_keys\" need the logging org");
    for (const auto& s : list->get_array()) {
      auto raw = s.is_string() ? FromHex(s.get_string()) : std::nullopt;
      if (!raw || raw->size() != kDigestSize) {
        return Status::InvalidArgument(err::BAD_SUBJECT_COMMITMENT,
                                       std::string(keys ? "a subject key" : "a subject tag") + " must be 64 hex characters");
      }
      a.add_subject_tags(keys ? contracts::AccessSubjectTag(*raw, requester_org) : *raw);
    }
  }
  const json::value* count = o->if_contains("record_count");
  if (count == nullptr || count->is_null()) {
    a.set_record_count(static_cast<uint64_t>(a.subject_tags_size()));
  } else if (count->is_uint64() || (count->is_int64() && count->get_int64() >= 0)) {
    a.set_record_count(count->is_uint64() ? count->get_uint64() : static_cast<uint64_t>(count->get_int64()));
  } else {
    return Malformed(kApp, "\"record_count\" must be a non-negative integer");
  }
  CIVIC_ASSIGN_OR_RETURN(Bytes digest, JsonDigest(*o, "response_digest", kApp));
  a.set_response_digest(digest);
  if (const json::value* at = o->if_contains("accessed_at"); at != nullptr && !at->is_null()) {
    if (at->is_string()) {
      CIVIC_ASSIGN_OR_RETURN(int64_t ms, contracts::ParseTime(at->get_string()));
      a.set_accessed_at_ms(ms);
    } else if (at->is_int64() || at->is_uint64()) {
      int64_t ms = at->is_int64() ? at->get_int64() : static_cast<int64_t>(at->get_uint64());
      if (ms < 0) return Status::InvalidArgument(err::BAD_TIME, "\"accessed_at\" must not be negative");
      a.set_accessed_at_ms(ms);
    } else {
      return Malformed(kApp, "\"accessed_at\" must be ms since the epoch or RFC 3339 text");
    }
  }
  return a;
}

json::object AccessToJson(const pb::SharingAccess& a) {
  json::object o;
  o["request_id"] = a.request_id();
  o["resource"] = a.resource();
  if (!a.provider_org().empty()) o["provider"] = a.provider_org();
  if (!a.grant_id().empty()) o["grant"] = a.grant_id();
  o["purpose"] = a.purpose();
  o["fields"] = Strings(a.fields());
  o["subject_tags"] = HexStrings(a.subject_tags());
  o["record_count"] = a.record_count();
  o["response_digest"] = ToHex(a.response_digest());
  if (a.accessed_at_ms() != 0) o["accessed_at"] = a.accessed_at_ms();
  return o;
}

Result<pb::SharingAck> AckFromJson(const json::value& v) {
  constexpr std::string_view kApp = err::ACK_MALFORMED;
  const json::object* o = v.if_object();
  if (o == nullptr) return Malformed(kApp, "an acknowledgement must be a JSON object");
  CIVIC_RETURN_IF_ERROR(OnlyMembers(*o, {"requester", "request_id", "provider_digest"}, kApp));
  pb::SharingAck ack;
  CIVIC_ASSIGN_OR_RETURN(std::string requester, JsonString(*o, "requester", true, kApp));
  CIVIC_RETURN_IF_ERROR(contracts::ValidateUscc(requester));
  ack.set_requester_org(requester);
  CIVIC_ASSIGN_OR_RETURN(std::string id, JsonString(*o, "request_id", true, kApp));
  CIVIC_RETURN_IF_ERROR(contracts::ValidateRequestId(id));
  ack.set_request_id(id);
  CIVIC_ASSIGN_OR_RETURN(Bytes digest, JsonDigest(*o, "provider_digest", kApp));
  ack.set_provider_digest(digest);
  return ack;
}

json::object ResourceToJson(const pb::SharingResource& r) {
  json::object o;
  o["code"] = r.code();
  o["provider"] = r.provider_org();
  o["name"] = r.name();
  o["fields"] = Strings(r.fields());
  o["share_type"] = contracts::EnumName(r.share_type());
  o["description"] = r.description();
  o["registered_height"] = r.registered_height();
  o["updated_height"] = r.updated_height();
  PutTime(&o, "updated_at", r.updated_time_ms());
  return o;
}

json::object GrantToJson(const pb::SharingGrant& g) {
  json::object o;
  o["id"] = g.id();
  o["requester"] = g.requester_org();
  o["provider"] = g.provider_org();
  o["resource"] = g.resource();
  o["fields"] = Strings(g.fields());
  o["purpose"] = g.purpose();
  o["legal_basis"] = g.legal_basis();
  PutTime(&o, "valid_from", g.valid_from_ms());
  PutTime(&o, "expires_at", g.expires_at_ms());
  o["status"] = contracts::EnumName(g.status());
  o["status_reason"] = g.status_reason();
  PutTime(&o, "revoked_at", g.revoked_time_ms());
  json::array events;
  for (const auto& e : g.events()) {
    json::object eo;
    eo["kind"] = contracts::EnumName(e.kind());
    PutTime(&eo, "time", e.time_ms());
    eo["height"] = e.height();
    eo["tx_id"] = ToHex(e.tx_id());
    eo["org"] = e.org();
    eo["note"] = e.note();
    events.push_back(std::move(eo));
  }
  o["events"] = std::move(events);
  return o;
}

json::object AccessRecordToJson(const pb::SharingAccessRecord& r, std::string_view resource_name, bool with_subjects) {
  json::object o;
  o.reserve(23);  // the members below: no rehash while they go in
  o["cursor"] = ToHex(sk::TimeKeyOf(r));
  o["request_id"] = r.request_id();
  o["requester"] = r.requester_org();
  o["provider"] = r.provider_org();
  o["resource"] = r.resource();
  o["resource_name"] = resource_name;
  o["grant"] = r.grant_id();
  o["purpose"] = r.purpose();
  o["fields"] = Strings(r.fields());
  o["subject_count"] = r.subject_tags_size();
  if (with_subjects) o["subject_tags"] = HexStrings(r.subject_tags());
  o["record_count"] = r.record_count();
  o["response_digest"] = ToHex(r.response_digest());
  PutTime(&o, "accessed_at", r.accessed_at_ms());
  PutTime(&o, "time", r.time_ms());
  o["height"] = r.height();
  o["tx_id"] = ToHex(r.tx_id());
  o["verdict"] = contracts::EnumName(r.verdict());
  o["violation_reason"] = FirstReason(r);
  o["findings"] = FindingsToJson(r);
  o["ack"] = AckToJson(r);
  return o;
}

json::object SubjectAccessToJson(const pb::SharingAccessRecord& r, std::string_view resource_name) {
  json::object o;
  o["cursor"] = ToHex(sk::TimeKeyOf(r));
  o["requester"] = r.requester_org();
  o["provider"] = r.provider_org();
  o["resource"] = r.resource();
  o["resource_name"] = resource_name;
  o["purpose"] = r.purpose();
  o["fields"] = Strings(r.fields());
  PutTime(&o, "accessed_at", r.accessed_at_ms());
  PutTime(&o, "time", r.time_ms());
  o["verdict"] = contracts::EnumName(r.verdict());
  o["violation_reason"] = FirstReason(r);
  return o;
}

json::object StatsToJson(const contracts::SharingStats& s) {
  json::object o;
  o["from_day"] = s.from_day ? contracts::SharingDayText(*s.from_day) : std::string();
  o["to_day"] = s.to_day ? contracts::SharingDayText(*s.to_day) : std::string();
  o["source"] = s.from_counters ? "counters" : "records";
  json::array days;
  for (const auto& d : s.days) {
    json::object dj;
    dj["day"] = contracts::SharingDayText(d.day);
    dj["total"] = d.total;
    dj["violations"] = d.violations;
    dj["record_count"] = d.record_count;
    days.push_back(std::move(dj));
  }
  o["days"] = std::move(days);
  json::array orgs;
  for (const auto& g : s.by_org) {
    json::object oj;
    oj["org"] = g.org;
    oj["as_requester"] = g.as_requester;
    oj["as_provider"] = g.as_provider;
    oj["violations"] = g.violations;
    orgs.push_back(std::move(oj));
  }
  o["by_org"] = std::move(orgs);
  json::array resources;
  for (const auto& r : s.by_resource) {
    json::object rj;
    rj["resource"] = r.resource;
    rj["resource_name"] = r.name;
    rj["total"] = r.total;
    rj["violations"] = r.violations;
    rj["record_count"] = r.record_count;
    resources.push_back(std::move(rj));
  }
  o["by_resource"] = std::move(resources);
  return o;
}

}  // namespace civic::rpc
