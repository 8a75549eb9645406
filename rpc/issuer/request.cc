#include "rpc/issuer/request.h"

#include <boost/json.hpp>
#include <initializer_list>

#include "contracts/base/time_format.h"
#include "rpc/codec/holder_certificate.h"
#include "rpc/error_codes.h"

namespace civic::rpc {
namespace {

namespace json = boost::json;

Status Malformed(std::string_view where, std::string_view why) {
  return Status::InvalidArgument(err::ISSUER_BODY_MALFORMED, std::string(where) + ": " + std::string(why));
}

std::string Member(std::string_view where, std::string_view name) {
  return where.empty() ? std::string(name) : std::string(where) + "." + std::string(name);
}

// The body as an object whose every member is one of `known`.
Result<const json::object*> Object(const json::value& v, std::string_view where,
                                   std::initializer_list<std::string_view> known) {
  const json::object* o = v.if_object();
  if (!o) return Malformed(where.empty() ? "body" : where, "must be a JSON object");
  for (const auto& m : *o) {
    bool ok = false;
    for (std::string_view k : known) ok = ok || m.key() == k;
    if (!ok) {
      std::string list;
      for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return Malformed(Member(where, std::string(m.key()).substr(0, 64)), "is not a member here (known: " + list + ")");
    }
  }
  return o;
}

Result<json::value> ParseBody(std::string_view body) {
  json::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return Malformed("body", "is not valid JSON: " + ec.message());
  return v;
}

Result<std::string> String(const json::object& o, std::string_view where, std::string_view name, bool required) {
  const json::value* v = o.if_contains(name);
  if (!v) {
    if (required) return Malformed(Member(where, name), "is required");
    return std::string();
  }
  if (!v->is_string()) return Malformed(Member(where, name), "must be a string");
  return std::string(v->get_string());
}

// RFC 3339 text or integer ms; absent = 0.
Result<int64_t> Time(const json::object& o, std::string_view where, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (!v) return int64_t{0};
  if (v->is_int64()) {
    if (v->get_int64() < 0) return Malformed(Member(where, name), "must not be negative");
    return v->get_int64();
  }
  if (!v->is_string()) return Malformed(Member(where, name), "must be RFC 3339 text or integer milliseconds");
  auto ms = contracts::ParseRfc3339(std::string_view(v->get_string().data(), v->get_string().size()));
  if (!ms.ok()) {
    return Status(ms.status().code(), ms.status().app_code(), Member(where, name) + ": " + ms.status().message());
  }
  return ms;
}

// {"name": "value", ...}
Result<std::map<std::string, std::string>> Fields(const json::object& o, std::string_view where, bool required) {
  std::map<std::string, std::string> out;
  const json::value* v = o.if_contains("fields");
  std::string at = Member(where, "fields");
  if (!v) {
    if (required) return Malformed(at, "is required");
    return out;
  }
  const json::object* fields = v->if_object();
  if (!fields) return Malformed(at, "must be an object {name: value}");
  for (const auto& m : *fields) {
    if (!m.value().is_string()) return Malformed(at + "." + std::string(m.key()).substr(0, 64), "must be a string");
    out[std::string(m.key())] = std::string(m.value().get_string());
  }
  return out;
}

Result<contracts::IssueRequest> Certificate(const json::object& o, std::string_view where) {
  contracts::IssueRequest r;
  CIVIC_ASSIGN_OR_RETURN(r.holder_code_type, String(o, where, "holder_code_type", true));
  CIVIC_ASSIGN_OR_RETURN(r.holder_code, String(o, where, "holder_code", true));
  CIVIC_ASSIGN_OR_RETURN(r.fields, Fields(o, where, true));
  CIVIC_ASSIGN_OR_RETURN(r.serial, String(o, where, "serial", false));
  CIVIC_ASSIGN_OR_RETURN(r.valid_from_ms, Time(o, where, "valid_from"));
  CIVIC_ASSIGN_OR_RETURN(r.valid_until_ms, Time(o, where, "valid_until"));
  return r;
}

}  // namespace

Result<IssueBody> DecodeIssueBody(std::string_view body) {
  CIVIC_ASSIGN_OR_RETURN(json::value v, ParseBody(body));
  CIVIC_ASSIGN_OR_RETURN(const json::object* o,
                         Object(v, "", {"type_code", "holder_code_type", "holder_code", "fields", "serial",
                                        "valid_from", "valid_until"}));
  IssueBody out;
  CIVIC_ASSIGN_OR_RETURN(out.type_code, String(*o, "", "type_code", true));
  CIVIC_ASSIGN_OR_RETURN(contracts::IssueRequest one, Certificate(*o, ""));
  out.certificates.push_back(std::move(one));
  return out;
}

Result<IssueBody> DecodeIssueBatchBody(std::string_view body) {
  CIVIC_ASSIGN_OR_RETURN(json::value v, ParseBody(body));
  CIVIC_ASSIGN_OR_RETURN(const json::object* o, Object(v, "", {"type_code", "certificates"}));
  IssueBody out;
  CIVIC_ASSIGN_OR_RETURN(out.type_code, String(*o, "", "type_code", true));
  const json::value* list = o->if_contains("certificates");
  if (!list) return Malformed("certificates", "is required");
  if (!list->is_array()) return Malformed("certificates", "must be an array");
  const json::array& items = list->get_array();
  if (items.empty()) return Malformed("certificates", "must hold at least one certificate");
  if (items.size() > kMaxIssuerBatch) {
    return Status::InvalidArgument(err::ISSUER_BATCH_TOO_LARGE,
                                   "certificates holds " + std::to_string(items.size()) +
                                       " entries; one call carries at most " + std::to_string(kMaxIssuerBatch));
  }
  out.certificates.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    std::string where = "certificates[" + std::to_string(i) + "]";
    CIVIC_ASSIGN_OR_RETURN(
        const json::object* item,
        Object(items[i], where, {"holder_code_type", "holder_code", "fields", "serial", "valid_from", "valid_until"}));
    CIVIC_ASSIGN_OR_RETURN(contracts::IssueRequest one, Certificate(*item, where));
    out.certificates.push_back(std::move(one));
  }
  return out;
}

Result<NewVersionBody> DecodeNewVersionBody(std::string_view body, bool replace) {
  CIVIC_ASSIGN_OR_RETURN(json::value v, ParseBody(body));
  auto object = replace ? Object(v, "", {"valid_from", "valid_until", "holder_certificate", "fields", "reason"})
                        : Object(v, "", {"valid_from", "valid_until", "holder_certificate", "fields"});
  CIVIC_ASSIGN_OR_RETURN(const json::object* o, std::move(object));
  NewVersionBody out;
  CIVIC_ASSIGN_OR_RETURN(out.valid_from_ms, Time(*o, "", "valid_from"));
  CIVIC_ASSIGN_OR_RETURN(out.valid_until_ms, Time(*o, "", "valid_until"));
  if (replace) {
    CIVIC_ASSIGN_OR_RETURN(out.reason, String(*o, "", "reason", true));
  }
  CIVIC_ASSIGN_OR_RETURN(out.fields, Fields(*o, "", false));
  if (const json::value* copy = o->if_contains("holder_certificate")) {
    auto parsed = HolderCertificateFromJson(*copy);
    if (!parsed.ok()) {
      return Status(parsed.status().code(), parsed.status().app_code(),
                    "holder_certificate: " + parsed.status().message());
    }
    out.holder_certificate = std::move(parsed).value();
  }
  if (!out.fields.empty() && !out.holder_certificate) {
    return Malformed("fields", "changing fields needs the holder's current copy (holder_certificate)");
  }
  return out;
}

Result<StatusChangeBody> DecodeStatusChangeBody(std::string_view body) {
  CIVIC_ASSIGN_OR_RETURN(json::value v, ParseBody(body));
  CIVIC_ASSIGN_OR_RETURN(const json::object* o, Object(v, "", {"reason"}));
  StatusChangeBody out;
  CIVIC_ASSIGN_OR_RETURN(out.reason, String(*o, "", "reason", true));
  return out;
}

}  // namespace civic::rpc
