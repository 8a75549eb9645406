#include "rpc/codec/holder_certificate.h"

#include <cstdint>
#include <limits>

#include "rpc/error_codes.h"

namespace civic::rpc {

namespace json = boost::json;
using contracts::HolderCertificate;
using contracts::HolderField;

namespace {

Status Malformed(std::string what) {
  return Status::InvalidArgument(err::HOLDER_CERT_MALFORMED, "holder certificate: " + what);
}

Result<std::string> GetString(const json::object& o, std::string_view key, bool required, std::string_view path) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) return Malformed(std::string(path) + std::string(key) + " is missing");
    return std::string();
  }
  if (!v->is_string()) return Malformed(std::string(path) + std::string(key) + " must be a string");
  return std::string(v->as_string());
}

Result<int64_t> GetInt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return int64_t{0};
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return static_cast<int64_t>(v->as_uint64());
  }
  return Malformed(std::string(key) + " must be an integer number of milliseconds");
}

}  // namespace

json::value HolderCertificateToJson(const HolderCertificate& cert) {
  json::object o;
  o["id"] = cert.id;
  o["type_code"] = cert.type_code;
  o["issuer_org"] = cert.issuer_org;
  json::object holder;
  holder["code_type"] = cert.holder_code_type;
  holder["code"] = cert.holder_code;
  holder["salt"] = cert.holder_salt;
  o["holder"] = std::move(holder);
  json::array fields;
  for (const auto& f : cert.fields) {
    json::object field;
    field["name"] = f.name;
    field["value"] = f.value;
    field["salt"] = f.salt;
    fields.push_back(std::move(field));
  }
  o["fields"] = std::move(fields);
  o["valid_from_ms"] = cert.valid_from_ms;
  o["valid_until_ms"] = cert.valid_until_ms;
  return o;
}

Result<HolderCertificate> HolderCertificateFromJson(const json::value& value) {
  if (!value.is_object()) return Malformed("must be a JSON object");
  const json::object& o = value.as_object();
  HolderCertificate cert;
  CIVIC_ASSIGN_OR_RETURN(cert.id, GetString(o, "id", false, ""));
  CIVIC_ASSIGN_OR_RETURN(cert.type_code, GetString(o, "type_code", true, ""));
  CIVIC_ASSIGN_OR_RETURN(cert.issuer_org, GetString(o, "issuer_org", true, ""));
  const json::value* holder = o.if_contains("holder");
  if (holder == nullptr || !holder->is_object()) return Malformed("holder must be an object");
  CIVIC_ASSIGN_OR_RETURN(cert.holder_code_type, GetString(holder->as_object(), "code_type", true, "holder."));
  CIVIC_ASSIGN_OR_RETURN(cert.holder_code, GetString(holder->as_object(), "code", true, "holder."));
  CIVIC_ASSIGN_OR_RETURN(cert.holder_salt, GetString(holder->as_object(), "salt", true, "holder."));
  const json::value* fields = o.if_contains("fields");
  if (fields == nullptr || !fields->is_array()) return Malformed("fields must be an array");
  size_t i = 0;
  for (const auto& f : fields->as_array()) {
    std::string path = "fields[" + std::to_string(i++) + "].";
    if (!f.is_object()) return Malformed(path.substr(0, path.size() - 1) + " must be an object");
    HolderField field;
    CIVIC_ASSIGN_OR_RETURN(field.name, GetString(f.as_object(), "name", true, path));
    CIVIC_ASSIGN_OR_RETURN(field.value, GetString(f.as_object(), "value", true, path));
    CIVIC_ASSIGN_OR_RETURN(field.salt, GetString(f.as_object(), "salt", true, path));
    cert.fields.push_back(std::move(field));
  }
  CIVIC_ASSIGN_OR_RETURN(cert.valid_from_ms, GetInt(o, "valid_from_ms"));
  CIVIC_ASSIGN_OR_RETURN(cert.valid_until_ms, GetInt(o, "valid_until_ms"));
  return cert;
}

Result<HolderCertificate> ParseHolderCertificate(std::string_view json_text) {
  boost::system::error_code ec;
  json::value value = json::parse(json::string_view(json_text.data(), json_text.size()), ec);
  if (ec) return Malformed("not valid JSON: " + ec.message());
  return HolderCertificateFromJson(value);
}

std::string SerializeHolderCertificate(const HolderCertificate& cert) {
  return json::serialize(HolderCertificateToJson(cert));
}

}  // namespace civic::rpc
