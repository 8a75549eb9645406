#include "contracts/certificate/holder.h"

#include <sodium.h>

#include <algorithm>
#include <set>

#include "contracts/base/identifiers.h"
#include "crypto/hash.h"

namespace civic::contracts {

namespace json = boost::json;

Status ValidateHolderCode(std::string_view code_type, std::string_view code) {
  if (code_type == kHolderCitizenId) return ValidateCitizenId(code);
  if (code_type == kHolderUscc) return ValidateUscc(code);
  return Status::InvalidArgument("HOLDER_CODE_TYPE_UNKNOWN", "holder code type '" +
                                                                 std::string(code_type.substr(0, 64)) +
                                                                 "' is not one of citizen_id, uscc");
}

std::string NewSalt() {
  unsigned char raw[16];
  randombytes_buf(raw, sizeof raw);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
}

std::string FieldDisclosure(std::string_view salt, std::string_view name, std::string_view value) {
  json::array disclosure;
  disclosure.emplace_back(json::string_view(salt.data(), salt.size()));
  disclosure.emplace_back(json::string_view(name.data(), name.size()));
  disclosure.emplace_back(json::string_view(value.data(), value.size()));
  return Base64UrlEncode(json::serialize(disclosure));
}

Bytes FieldDigest(std::string_view salt, std::string_view name, std::string_view value) {
  return crypto::Sha256(FieldDisclosure(salt, name, value));
}

Bytes ClaimsDigest(const google::protobuf::RepeatedPtrField<pb::ClaimDigest>& claims) {
  std::vector<const pb::ClaimDigest*> sorted;
  sorted.reserve(static_cast<size_t>(claims.size()));
  for (const auto& c : claims) sorted.push_back(&c);
  bool already_sorted = std::is_sorted(sorted.begin(), sorted.end(),
                                       [](auto* a, auto* b) { return a->name() < b->name(); });
  if (!already_sorted) {
    std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name() < b->name(); });
  }
  crypto::Sha256Hasher hasher;
  for (const auto* c : sorted) hasher.Update(c->digest());
  return hasher.Finish();
}

Bytes HolderCommitment(std::string_view salt, std::string_view code_type, std::string_view code) {
  static constexpr std::string_view kTag = "civicledger/holder/v1";
  static constexpr std::string_view kSep("\0", 1);
  return crypto::Sha256Concat({kTag, kSep, salt, kSep, code_type, kSep, code});
}

Bytes HolderCertificate::Commitment() const { return HolderCommitment(holder_salt, holder_code_type, holder_code); }

std::vector<pb::ClaimDigest> HolderCertificate::Claims() const {
  std::vector<pb::ClaimDigest> out;
  out.reserve(fields.size());
  for (const auto& f : fields) {
    pb::ClaimDigest c;
    c.set_name(f.name);
    c.set_digest(FieldDigest(f.salt, f.name, f.value));
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name() < b.name(); });
  return out;
}

Bytes HolderCertificate::Digest() const {
  google::protobuf::RepeatedPtrField<pb::ClaimDigest> claims;
  for (auto& c : Claims()) *claims.Add() = std::move(c);
  return ClaimsDigest(claims);
}

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

namespace {

Status Malformed(std::string what) {
  return Status::InvalidArgument("HOLDER_CERT_MALFORMED", "holder certificate: " + what);
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
  if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(v->as_uint64());
  return Malformed(std::string(key) + " must be an integer number of milliseconds");
}

bool GoodFieldName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  if (!(name[0] >= 'a' && name[0] <= 'z')) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

}  // namespace

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

Status ValidateHolderCertificate(const HolderCertificate& cert) {
  CIVIC_RETURN_IF_ERROR(ValidateHolderCode(cert.holder_code_type, cert.holder_code));
  if (cert.holder_salt.empty()) return Status::InvalidArgument("EMPTY_SALT", "the holder salt is empty");
  std::set<std::string_view> names;
  for (const auto& f : cert.fields) {
    if (!GoodFieldName(f.name)) {
      return Status::InvalidArgument("BAD_FIELD_NAME", "field name '" + f.name.substr(0, 64) +
                                                           "' must match [a-z][a-z0-9_]{0,63}");
    }
    if (!names.insert(f.name).second) {
      return Status::InvalidArgument("DUPLICATE_FIELD", "field '" + f.name + "' appears twice");
    }
    if (f.salt.empty()) return Status::InvalidArgument("EMPTY_SALT", "field '" + f.name + "' has an empty salt");
  }
  return Status::Ok();
}

HolderCertificate NewHolderCertificate(std::string type_code, std::string issuer_org, std::string holder_code_type,
                                       std::string holder_code, const std::map<std::string, std::string>& fields) {
  HolderCertificate cert;
  cert.type_code = std::move(type_code);
  cert.issuer_org = std::move(issuer_org);
  cert.holder_code_type = std::move(holder_code_type);
  cert.holder_code = std::move(holder_code);
  cert.holder_salt = NewSalt();
  for (const auto& [name, value] : fields) cert.fields.push_back(HolderField{name, value, NewSalt()});
  return cert;
}

Result<pb::CertIssueItem> MakeIssueItem(const HolderCertificate& cert, std::string_view serial) {
  CIVIC_RETURN_IF_ERROR(ValidateHolderCertificate(cert));
  if (!serial.empty()) CIVIC_RETURN_IF_ERROR(ValidateSerial(serial));
  pb::CertIssueItem item;
  item.set_type_code(cert.type_code);
  item.set_serial(std::string(serial));
  item.set_holder_commitment(cert.Commitment());
  for (auto& c : cert.Claims()) *item.add_claims() = std::move(c);
  item.set_valid_from_ms(cert.valid_from_ms);
  item.set_valid_until_ms(cert.valid_until_ms);
  return item;
}

}  // namespace civic::contracts
