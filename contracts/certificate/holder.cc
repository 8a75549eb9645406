#include "contracts/certificate/holder.h"

#include <sodium.h>

#include <algorithm>
#include <set>

#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "contracts/certificate/rules.h"
#include "crypto/hash.h"

namespace civic::contracts {
namespace {

// `text` as a JSON string, escaped as the header states.
void AppendJsonString(std::string* out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : text) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default: {
        auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20) {
          out->push_back(c);
          break;
        }
        out->append("\\u00");
        out->push_back(kHex[byte >> 4]);
        out->push_back(kHex[byte & 0xF]);
      }
    }
  }
  out->push_back('"');
}

}  // namespace

std::string NewSalt() {
  unsigned char raw[16];
  randombytes_buf(raw, sizeof raw);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
}

std::string FieldDisclosure(std::string_view salt, std::string_view name, std::string_view value) {
  std::string json = "[";
  AppendJsonString(&json, salt);
  json.push_back(',');
  AppendJsonString(&json, name);
  json.push_back(',');
  AppendJsonString(&json, value);
  json.push_back(']');
  return Base64UrlEncode(json);
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

Status ValidateHolderCertificate(const HolderCertificate& cert) {
  CIVIC_RETURN_IF_ERROR(ValidateHolderCode(cert.holder_code_type, cert.holder_code));
  if (cert.holder_salt.empty()) return Status::InvalidArgument(err::EMPTY_SALT, "the holder salt is empty");
  std::set<std::string_view> names;
  for (const auto& f : cert.fields) {
    if (!IsFieldName(f.name)) {
      return Status::InvalidArgument(err::BAD_FIELD_NAME, "field name '" + f.name.substr(0, 64) +
                                                           "' must match [a-z][a-z0-9_]{0,63}");
    }
    if (!names.insert(f.name).second) {
      return Status::InvalidArgument(err::DUPLICATE_FIELD, "field '" + f.name + "' appears twice");
    }
    if (f.salt.empty()) return Status::InvalidArgument(err::EMPTY_SALT, "field '" + f.name + "' has an empty salt");
  }
  return Status::Ok();
}

HolderCertificate NewHolderCertificate(std::string type_code, std::string issuer_org, std::string holder_code_type,
                                       std::string holder_code, const std::map<std::string, std::string>& fields,
                                       const SaltSource& salts) {
  HolderCertificate cert;
  cert.type_code = std::move(type_code);
  cert.issuer_org = std::move(issuer_org);
  cert.holder_code_type = std::move(holder_code_type);
  cert.holder_code = std::move(holder_code);
  cert.holder_salt = salts();
  for (const auto& [name, value] : fields) cert.fields.push_back(HolderField{name, value, salts()});
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

Status CheckFieldsAgainstType(const std::map<std::string, std::string>& fields, const pb::CertType& type,
                              bool require_all) {
  std::set<std::string_view> known;
  for (const auto& f : type.fields()) known.insert(f.name());
  for (const auto& [name, value] : fields) {
    if (!known.count(name)) {
      std::string names;
      for (const auto& f : type.fields()) names += (names.empty() ? "" : ", ") + f.name();
      return Status::InvalidArgument(err::UNKNOWN_FIELD, "type " + type.code() + " has no field \"" +
                                                           name.substr(0, 64) + "\"; its fields are: " + names);
    }
    if (value.empty()) return Status::InvalidArgument(err::EMPTY_FIELD, "field " + name + " has an empty value");
  }
  if (!require_all) return Status::Ok();
  for (const auto& f : type.fields()) {
    if (f.required() && !fields.count(f.name())) {
      return Status::InvalidArgument(err::MISSING_FIELD, "type " + type.code() + " requires field " + f.name() +
                                                             (f.label().empty() ? "" : " (" + f.label() + ")"));
    }
  }
  return Status::Ok();
}

Result<PreparedIssue> PrepareIssue(const pb::CertType& type, std::string_view issuer_org, const IssueRequest& request,
                                   const SaltSource& salts) {
  if (type.retired()) return Status::FailedPrecondition(err::TYPE_RETIRED, "type " + type.code() + " is retired");
  if (!type.holder_code_type().empty() && type.holder_code_type() != request.holder_code_type) {
    return Status::InvalidArgument(err::HOLDER_TYPE_MISMATCH,
                                   "type " + type.code() + " is held by " +
                                       (type.holder_code_type() == kHolderUscc ? "enterprises" : "citizens"));
  }
  CIVIC_RETURN_IF_ERROR(ValidateHolderCode(request.holder_code_type, request.holder_code));
  CIVIC_RETURN_IF_ERROR(CheckFieldsAgainstType(request.fields, type, true));
  if (request.valid_from_ms && request.valid_until_ms && request.valid_until_ms <= request.valid_from_ms) {
    return Status::InvalidArgument(err::BAD_VALIDITY, "the validity ends before it starts");
  }
  PreparedIssue out;
  out.copy = NewHolderCertificate(type.code(), std::string(issuer_org), request.holder_code_type, request.holder_code,
                                  request.fields, salts);
  out.copy.valid_from_ms = request.valid_from_ms;
  out.copy.valid_until_ms = request.valid_until_ms;
  if (!request.serial.empty()) {
    CIVIC_ASSIGN_OR_RETURN(out.copy.id, MakeCertId(type.code(), issuer_org, request.serial, 1));
  }
  CIVIC_ASSIGN_OR_RETURN(out.item, MakeIssueItem(out.copy, request.serial));
  return out;
}

}  // namespace civic::contracts
