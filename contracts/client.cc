#include "contracts/client.h"

#include <sodium.h>

#include <algorithm>
#include <set>

#include "contracts/codes.h"
#include "crypto/hash.h"
#include "ledger/tx.h"

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

pb::TxBody MakeBody(const TxParams& params, std::string_view contract, std::string_view call) {
  pb::TxBody body;
  body.set_chain_id(params.chain_id);
  body.set_valid_until_height(params.valid_until_height);
  body.set_org(params.org);
  if (params.nonce.empty()) {
    Bytes nonce(12, '\0');
    randombytes_buf(nonce.data(), nonce.size());
    body.set_nonce(nonce);
  } else {
    body.set_nonce(params.nonce);
  }
  body.set_contract(std::string(contract));
  body.set_call(std::string(call));
  return body;
}

Bytes CertificateTx(const TxParams& params, const pb::CertificateCall& call, const crypto::KeyPair& key) {
  return ledger::SignTx(MakeBody(params, kCertificateContract, call.SerializeAsString()), key);
}

Bytes GovernanceTx(const TxParams& params, const pb::GovernanceCall& call, const crypto::KeyPair& key) {
  return ledger::SignTx(MakeBody(params, kGovernanceContract, call.SerializeAsString()), key);
}

pb::CertificateCall IssueCall(std::vector<pb::CertIssueItem> items) {
  pb::CertificateCall call;
  auto* issue = call.mutable_issue();
  issue->mutable_certificates()->Reserve(static_cast<int>(items.size()));
  for (auto& item : items) *issue->add_certificates() = std::move(item);
  return call;
}

namespace {
template <typename VersionCall>
void FillVersion(VersionCall* m, std::string_view previous_id, const HolderCertificate* updated,
                 int64_t valid_from_ms, int64_t valid_until_ms) {
  m->set_previous_id(std::string(previous_id));
  if (updated != nullptr) {
    m->set_holder_commitment(updated->Commitment());
    for (auto& c : updated->Claims()) *m->add_claims() = std::move(c);
  }
  m->set_valid_from_ms(valid_from_ms);
  m->set_valid_until_ms(valid_until_ms);
}
}  // namespace

pb::CertificateCall RenewCall(std::string_view previous_id, const HolderCertificate* updated, int64_t valid_from_ms,
                              int64_t valid_until_ms) {
  pb::CertificateCall call;
  FillVersion(call.mutable_renew(), previous_id, updated, valid_from_ms, valid_until_ms);
  return call;
}

pb::CertificateCall ReplaceCall(std::string_view previous_id, const HolderCertificate* updated,
                                std::string_view reason, int64_t valid_from_ms, int64_t valid_until_ms) {
  pb::CertificateCall call;
  FillVersion(call.mutable_replace(), previous_id, updated, valid_from_ms, valid_until_ms);
  call.mutable_replace()->set_reason(std::string(reason));
  return call;
}

pb::CertificateCall SuspendCall(std::string_view id, std::string_view reason) {
  pb::CertificateCall call;
  call.mutable_suspend()->set_id(std::string(id));
  call.mutable_suspend()->set_reason(std::string(reason));
  return call;
}

pb::CertificateCall ReinstateCall(std::string_view id, std::string_view reason) {
  pb::CertificateCall call;
  call.mutable_reinstate()->set_id(std::string(id));
  call.mutable_reinstate()->set_reason(std::string(reason));
  return call;
}

pb::CertificateCall RevokeCall(std::string_view id, std::string_view reason) {
  pb::CertificateCall call;
  call.mutable_revoke()->set_id(std::string(id));
  call.mutable_revoke()->set_reason(std::string(reason));
  return call;
}

pb::CertificateCall RegisterTypeCall(const pb::CertType& type) {
  pb::CertificateCall call;
  *call.mutable_register_type()->mutable_type() = type;
  return call;
}

pb::GovernanceCall ProposeCall(std::string_view title, std::string_view contract, std::string_view action_call,
                               std::string_view description) {
  pb::GovernanceCall call;
  auto* p = call.mutable_propose();
  p->set_title(std::string(title));
  p->set_description(std::string(description));
  p->mutable_action()->set_contract(std::string(contract));
  p->mutable_action()->set_call(std::string(action_call));
  return call;
}

pb::GovernanceCall ProposeCall(std::string_view title, const pb::CertificateCall& action) {
  return ProposeCall(title, kCertificateContract, action.SerializeAsString());
}

pb::GovernanceCall ProposeCall(std::string_view title, const pb::GovernanceCall& action) {
  return ProposeCall(title, kGovernanceContract, action.SerializeAsString());
}

pb::GovernanceCall VoteCall(uint64_t proposal_id, bool yes) {
  pb::GovernanceCall call;
  call.mutable_vote()->set_proposal_id(proposal_id);
  call.mutable_vote()->set_yes(yes);
  return call;
}

pb::GovernanceCall AddOrgCall(std::string_view code, std::string_view name, std::string_view short_name,
                              const std::vector<crypto::PublicKey>& keys, const std::vector<pb::RoleGrant>& roles) {
  pb::GovernanceCall call;
  auto* m = call.mutable_add_org();
  m->set_code(std::string(code));
  m->set_name(std::string(name));
  m->set_short_name(std::string(short_name));
  for (const auto& key : keys) {
    auto* k = m->add_keys();
    k->set_algo(static_cast<uint32_t>(key.algo));
    k->set_key(key.key);
  }
  for (const auto& role : roles) *m->add_roles() = role;
  return call;
}

pb::GovernanceCall RemoveOrgCall(std::string_view code) {
  pb::GovernanceCall call;
  call.mutable_remove_org()->set_code(std::string(code));
  return call;
}

namespace {
// GovGrantRole and GovRevokeRole carry the same fields.
template <typename RoleChange>
void FillRoleChange(RoleChange* m, std::string_view org, pb::OrgRole role, const std::vector<std::string>& scopes) {
  m->set_org(std::string(org));
  m->set_role(role);
  for (const auto& s : scopes) m->add_scopes(s);
}
}  // namespace

pb::GovernanceCall GrantRoleCall(std::string_view org, pb::OrgRole role, const std::vector<std::string>& scopes) {
  pb::GovernanceCall call;
  FillRoleChange(call.mutable_grant_role(), org, role, scopes);
  return call;
}

pb::GovernanceCall RevokeRoleCall(std::string_view org, pb::OrgRole role, const std::vector<std::string>& scopes) {
  pb::GovernanceCall call;
  FillRoleChange(call.mutable_revoke_role(), org, role, scopes);
  return call;
}

pb::GovernanceCall AddKeyCall(std::string_view org, const crypto::PublicKey& key) {
  pb::GovernanceCall call;
  auto* m = call.mutable_add_key();
  m->set_org(std::string(org));
  m->set_algo(static_cast<uint32_t>(key.algo));
  m->set_key(key.key);
  return call;
}

pb::GovernanceCall RevokeKeyCall(std::string_view org, const crypto::PublicKey& key) {
  pb::GovernanceCall call;
  auto* m = call.mutable_revoke_key();
  m->set_org(std::string(org));
  m->set_algo(static_cast<uint32_t>(key.algo));
  m->set_key(key.key);
  return call;
}

pb::GovernanceCall RotateKeyCall(std::string_view org, const crypto::PublicKey& old_key,
                                 const crypto::PublicKey& new_key) {
  pb::GovernanceCall call;
  auto* m = call.mutable_rotate_key();
  m->set_org(std::string(org));
  m->set_old_algo(static_cast<uint32_t>(old_key.algo));
  m->set_old_key(old_key.key);
  m->set_new_algo(static_cast<uint32_t>(new_key.algo));
  m->set_new_key(new_key.key);
  return call;
}

pb::GovernanceCall SetValidatorCall(std::string_view org, const crypto::PublicKey& node_key, uint64_t power) {
  pb::GovernanceCall call;
  auto* m = call.mutable_set_validator();
  m->set_org(std::string(org));
  m->set_algo(static_cast<uint32_t>(node_key.algo));
  m->set_key(node_key.key);
  m->set_power(power);
  return call;
}

Bytes IssueTx(const TxParams& params, std::vector<pb::CertIssueItem> items, const crypto::KeyPair& key) {
  return CertificateTx(params, IssueCall(std::move(items)), key);
}

Bytes ProposeTx(const TxParams& params, std::string_view title, const pb::CertificateCall& action,
                const crypto::KeyPair& key) {
  return GovernanceTx(params, ProposeCall(title, action), key);
}

Bytes ProposeTx(const TxParams& params, std::string_view title, const pb::GovernanceCall& action,
                const crypto::KeyPair& key) {
  return GovernanceTx(params, ProposeCall(title, action), key);
}

Bytes VoteTx(const TxParams& params, uint64_t proposal_id, bool yes, const crypto::KeyPair& key) {
  return GovernanceTx(params, VoteCall(proposal_id, yes), key);
}

}  // namespace civic::contracts
