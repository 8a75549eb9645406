#include "contracts/genesis.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "contracts/base/state_io.h"
#include "contracts/base/time_format.h"
#include "contracts/certificate/keys.h"
#include "contracts/certificate/rules.h"
#include "contracts/governance/keys.h"
#include "contracts/governance/rules.h"
#include "crypto/hash.h"

namespace civic::contracts {

namespace json = boost::json;

namespace {

constexpr int64_t kMsPerDay = 86'400'000;
constexpr uint64_t kMaxPower = uint64_t{1} << 40;

Status Err(const char* app, const std::string& path, const std::string& why) {
  return Status::InvalidArgument(app, "genesis: " + path + ": " + why);
}

// An empty state: genesis writes go into a view over it.
class EmptyState final : public ledger::KvReader {
 public:
  Result<std::optional<Bytes>> Get(ledger::Space, std::string_view) const override { return std::optional<Bytes>(); }
  Status Scan(ledger::Space, std::string_view, std::string_view, const ledger::ScanFn&) const override {
    return Status::Ok();
  }
};

Status CheckMembers(const json::object& o, std::initializer_list<std::string_view> allowed, const std::string& path) {
  for (const auto& member : o) {
    std::string_view key(member.key().data(), member.key().size());
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return Err(err::GENESIS_MALFORMED, path, "unknown member '" + std::string(key.substr(0, 64)) + "'");
    }
  }
  return Status::Ok();
}

Result<std::string> StringMember(const json::object& o, std::string_view key, const char* app, const std::string& path,
                                 bool required = true) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) {
    if (required) return Err(app, path + "." + std::string(key), "is missing");
    return std::string();
  }
  if (!v->is_string()) return Err(app, path + "." + std::string(key), "must be a string");
  return std::string(v->as_string());
}

Result<uint64_t> UintMember(const json::object& o, std::string_view key, const char* app, const std::string& path,
                            uint64_t def, uint64_t min, uint64_t max) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return def;
  uint64_t n;
  if (v->is_uint64()) {
    n = v->as_uint64();
  } else if (v->is_int64() && v->as_int64() >= 0) {
    n = static_cast<uint64_t>(v->as_int64());
  } else {
    return Err(app, path + "." + std::string(key), "must be a non-negative integer");
  }
  if (n < min || n > max) {
    return Err(app, path + "." + std::string(key), "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return n;
}

const json::array* ArrayMember(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_array() ? &v->as_array() : nullptr;
}

Result<crypto::PublicKey> ParseKey(const json::value& v, const std::string& path) {
  if (!v.is_string()) return Err(err::GENESIS_BAD_KEY, path, "must be a string \"<algo>:<hex>\"");
  auto key = crypto::PublicKey::Parse(std::string_view(v.as_string().data(), v.as_string().size()));
  if (!key.ok()) return Err(err::GENESIS_BAD_KEY, path, key.status().message());
  if (Status st = key->Validate(); !st.ok()) return Err(err::GENESIS_BAD_KEY, path, st.message());
  return std::move(*key);
}

Status ParseRoles(const json::value* roles, const std::string& path, pb::Org* org) {
  if (roles == nullptr) return Status::Ok();
  if (!roles->is_array()) return Err(err::GENESIS_BAD_ROLE, path, "must be an array");
  size_t i = 0;
  for (const auto& r : roles->as_array()) {
    std::string rpath = path + "[" + std::to_string(i++) + "]";
    std::string name;
    std::vector<std::string> scopes;
    if (r.is_string()) {
      name = std::string(r.as_string());
    } else if (r.is_object()) {
      CIVIC_RETURN_IF_ERROR(CheckMembers(r.as_object(), {"role", "scopes"}, rpath));
      CIVIC_ASSIGN_OR_RETURN(name, StringMember(r.as_object(), "role", err::GENESIS_BAD_ROLE, rpath));
      if (const json::value* s = r.as_object().if_contains("scopes")) {
        if (!s->is_array()) return Err(err::GENESIS_BAD_ROLE, rpath + ".scopes", "must be an array of strings");
        for (const auto& scope : s->as_array()) {
          if (!scope.is_string()) return Err(err::GENESIS_BAD_ROLE, rpath + ".scopes", "must be an array of strings");
          scopes.emplace_back(scope.as_string());
        }
      }
    } else {
      return Err(err::GENESIS_BAD_ROLE, rpath, "must be a role name or {\"role\":..,\"scopes\":[..]}");
    }
    auto role = ParseRole(name);
    if (!role.ok()) return Err(err::GENESIS_BAD_ROLE, rpath, role.status().message());
    for (const auto& scope : scopes) {
      if (Status st = ValidateScope(*role, scope); !st.ok()) return Err(err::GENESIS_BAD_ROLE, rpath, st.message());
    }
    MergeRole(org, *role, scopes);
  }
  return Status::Ok();
}

Result<pb::CertType> ParseCertType(const json::value& v, const std::string& path) {
  const char* app = err::GENESIS_BAD_CERT_TYPE;
  if (!v.is_object()) return Err(app, path, "must be an object");
  const json::object& o = v.as_object();
  CIVIC_RETURN_IF_ERROR(CheckMembers(o, {"code", "name", "issuer_orgs", "holder_code_type", "default_validity_days",
                                         "default_validity_ms", "fields", "retired"},
                                     path));
  pb::CertType t;
  CIVIC_ASSIGN_OR_RETURN(*t.mutable_code(), StringMember(o, "code", app, path));
  CIVIC_ASSIGN_OR_RETURN(*t.mutable_name(), StringMember(o, "name", app, path));
  CIVIC_ASSIGN_OR_RETURN(*t.mutable_holder_code_type(), StringMember(o, "holder_code_type", app, path));
  const json::array* issuers = ArrayMember(o, "issuer_orgs");
  if (issuers == nullptr) return Err(app, path + ".issuer_orgs", "must be an array of org codes");
  for (const auto& i : *issuers) {
    if (!i.is_string()) return Err(app, path + ".issuer_orgs", "must be an array of org codes");
    t.add_issuer_orgs(std::string(i.as_string()));
  }
  if (o.contains("default_validity_days") && o.contains("default_validity_ms")) {
    return Err(app, path, "give default_validity_days or default_validity_ms, not both");
  }
  CIVIC_ASSIGN_OR_RETURN(uint64_t days, UintMember(o, "default_validity_days", app, path, 0, 0, 36500));
  CIVIC_ASSIGN_OR_RETURN(uint64_t ms, UintMember(o, "default_validity_ms", app, path, 0, 0, 36500 * kMsPerDay));
  t.set_default_validity_ms(days > 0 ? static_cast<int64_t>(days) * kMsPerDay : static_cast<int64_t>(ms));
  if (const json::value* retired = o.if_contains("retired")) {
    if (!retired->is_bool()) return Err(app, path + ".retired", "must be true or false");
    t.set_retired(retired->as_bool());
  }
  const json::array* fields = ArrayMember(o, "fields");
  if (fields == nullptr) return Err(app, path + ".fields", "must be an array");
  size_t i = 0;
  for (const auto& f : *fields) {
    std::string fpath = path + ".fields[" + std::to_string(i++) + "]";
    if (!f.is_object()) return Err(app, fpath, "must be an object");
    CIVIC_RETURN_IF_ERROR(CheckMembers(f.as_object(), {"name", "label", "required"}, fpath));
    pb::CertFieldSpec* spec = t.add_fields();
    CIVIC_ASSIGN_OR_RETURN(*spec->mutable_name(), StringMember(f.as_object(), "name", app, fpath));
    CIVIC_ASSIGN_OR_RETURN(*spec->mutable_label(), StringMember(f.as_object(), "label", app, fpath, false));
    const json::value* required = f.as_object().if_contains("required");
    if (required != nullptr && !required->is_bool()) return Err(app, fpath + ".required", "must be true or false");
    spec->set_required(required == nullptr || required->as_bool());
  }
  if (Status st = ValidateCertType(t); !st.ok()) return Err(app, path, st.message());
  return t;
}

void HashPart(crypto::Sha256Hasher* h, std::string_view part) {
  Bytes len;
  PutBigEndian64(&len, part.size());
  h->Update(len);
  h->Update(part);
}

Bytes GenesisHash(const Genesis& g) {
  crypto::Sha256Hasher h;
  h.Update(std::string_view("civicledger/genesis/v1\0", 23));
  HashPart(&h, g.chain_id);
  Bytes time;
  PutBigEndian64(&time, static_cast<uint64_t>(g.genesis_time_ms));
  h.Update(time);
  HashPart(&h, SerializeRecord(g.validators));
  for (ledger::Space space : {ledger::Space::kState, ledger::Space::kIndex}) {
    for (const auto& [key, value] : g.state.of(space)) {
      h.Update(std::string_view(reinterpret_cast<const char*>(&space), 1));
      HashPart(&h, key);
      HashPart(&h, value.value_or(""));
    }
  }
  return h.Finish();
}

bool GoodChainId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '-')) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<Genesis> ParseGenesisJson(const json::value& root) {
  if (!root.is_object()) return Err(err::GENESIS_MALFORMED, "(root)", "must be a JSON object");
  const json::object& top = root.as_object();
  CIVIC_RETURN_IF_ERROR(
      CheckMembers(top, {"chain_id", "genesis_time", "params", "orgs", "validators", "cert_types"}, "(root)"));
  Genesis g;

  CIVIC_ASSIGN_OR_RETURN(g.chain_id, StringMember(top, "chain_id", err::GENESIS_BAD_CHAIN_ID, "genesis"));
  if (!GoodChainId(g.chain_id)) return Err(err::GENESIS_BAD_CHAIN_ID, "chain_id", "must match [A-Za-z0-9._-]{1,64}");

  const json::value* time = top.if_contains("genesis_time");
  if (time == nullptr) return Err(err::GENESIS_BAD_TIME, "genesis_time", "is missing");
  if (time->is_string()) {
    auto ms = ParseRfc3339(std::string_view(time->as_string().data(), time->as_string().size()));
    if (!ms.ok()) return Err(err::GENESIS_BAD_TIME, "genesis_time", ms.status().message());
    g.genesis_time_ms = *ms;
  } else if (time->is_int64() || time->is_uint64()) {
    g.genesis_time_ms = time->is_int64() ? time->as_int64() : static_cast<int64_t>(time->as_uint64());
  } else {
    return Err(err::GENESIS_BAD_TIME, "genesis_time", "must be an RFC 3339 string or integer milliseconds");
  }
  if (g.genesis_time_ms < 0) return Err(err::GENESIS_BAD_TIME, "genesis_time", "must not be before 1970");

  g.params = DefaultParams();
  if (const json::value* params = top.if_contains("params")) {
    if (!params->is_object()) return Err(err::GENESIS_BAD_PARAMS, "params", "must be an object");
    const json::object& p = params->as_object();
    CIVIC_RETURN_IF_ERROR(CheckMembers(p, {"proposal_ttl_blocks", "max_batch_certificates"}, "params"));
    CIVIC_ASSIGN_OR_RETURN(uint64_t ttl, UintMember(p, "proposal_ttl_blocks", err::GENESIS_BAD_PARAMS, "params",
                                                    g.params.proposal_ttl_blocks(), 1, kMaxProposalTtlBlocks));
    CIVIC_ASSIGN_OR_RETURN(uint64_t batch, UintMember(p, "max_batch_certificates", err::GENESIS_BAD_PARAMS, "params",
                                                      g.params.max_batch_certificates(), 1, kMaxBatchCertificatesLimit));
    g.params.set_proposal_ttl_blocks(ttl);
    g.params.set_max_batch_certificates(static_cast<uint32_t>(batch));
  }

  // Organisations.
  const json::array* orgs = ArrayMember(top, "orgs");
  if (orgs == nullptr || orgs->empty()) return Err(err::GENESIS_BAD_ORG, "orgs", "must be a non-empty array");
  std::map<std::string, pb::Org> by_code;
  std::set<crypto::PublicKey> used_keys;
  size_t i = 0;
  for (const auto& v : *orgs) {
    std::string path = "orgs[" + std::to_string(i++) + "]";
    if (!v.is_object()) return Err(err::GENESIS_BAD_ORG, path, "must be an object");
    const json::object& o = v.as_object();
    CIVIC_RETURN_IF_ERROR(CheckMembers(o, {"code", "name", "short_name", "keys", "roles"}, path));
    pb::Org org;
    CIVIC_ASSIGN_OR_RETURN(*org.mutable_code(), StringMember(o, "code", err::GENESIS_BAD_ORG, path));
    if (Status st = ValidateUscc(org.code()); !st.ok()) return Err(err::GENESIS_BAD_ORG, path + ".code", st.message());
    CIVIC_ASSIGN_OR_RETURN(*org.mutable_name(), StringMember(o, "name", err::GENESIS_BAD_ORG, path));
    if (org.name().empty() || org.name().size() > 200) {
      return Err(err::GENESIS_BAD_ORG, path + ".name", "must be 1 to 200 bytes");
    }
    CIVIC_ASSIGN_OR_RETURN(*org.mutable_short_name(), StringMember(o, "short_name", err::GENESIS_BAD_ORG, path, false));
    const json::array* keys_json = ArrayMember(o, "keys");
    if (keys_json == nullptr || keys_json->empty()) {
      return Err(err::GENESIS_BAD_KEY, path + ".keys", "must be a non-empty array of public keys");
    }
    size_t k = 0;
    for (const auto& kv : *keys_json) {
      std::string kpath = path + ".keys[" + std::to_string(k++) + "]";
      CIVIC_ASSIGN_OR_RETURN(crypto::PublicKey key, ParseKey(kv, kpath));
      if (!used_keys.insert(key).second) return Err(err::GENESIS_DUPLICATE_KEY, kpath, "key is listed more than once");
      pb::OrgKey* ok = org.add_keys();
      ok->set_algo(static_cast<uint32_t>(key.algo));
      ok->set_key(key.key);
    }
    CIVIC_RETURN_IF_ERROR(ParseRoles(o.if_contains("roles"), path + ".roles", &org));
    std::string code = org.code();
    if (!by_code.emplace(code, std::move(org)).second) {
      return Err(err::GENESIS_DUPLICATE_ORG, path + ".code", "org " + code + " is listed more than once");
    }
  }
  bool any_admin = false;
  for (const auto& [code, org] : by_code) any_admin = any_admin || HasRole(org, pb::ROLE_ADMIN);
  if (!any_admin) return Err(err::GENESIS_NO_ADMIN, "orgs", "at least one org must hold the ADMIN role");

  // Validators.
  const json::array* validators = ArrayMember(top, "validators");
  if (validators == nullptr || validators->empty()) {
    return Err(err::GENESIS_NO_VALIDATORS, "validators", "must be a non-empty array");
  }
  pb::GovValidatorList list;
  std::set<crypto::PublicKey> validator_keys;
  i = 0;
  for (const auto& v : *validators) {
    std::string path = "validators[" + std::to_string(i++) + "]";
    if (!v.is_object()) return Err(err::GENESIS_BAD_VALIDATOR, path, "must be an object");
    const json::object& o = v.as_object();
    CIVIC_RETURN_IF_ERROR(CheckMembers(o, {"org", "pub_key", "power"}, path));
    CIVIC_ASSIGN_OR_RETURN(std::string org, StringMember(o, "org", err::GENESIS_BAD_VALIDATOR, path));
    auto it = by_code.find(org);
    if (it == by_code.end()) return Err(err::GENESIS_BAD_VALIDATOR, path + ".org", "org " + org + " is not in orgs");
    if (!HasRole(it->second, pb::ROLE_VALIDATOR)) {
      return Err(err::GENESIS_BAD_VALIDATOR, path + ".org", "org " + org + " does not hold the VALIDATOR role");
    }
    const json::value* pk = o.if_contains("pub_key");
    if (pk == nullptr) return Err(err::GENESIS_BAD_VALIDATOR, path + ".pub_key", "is missing");
    CIVIC_ASSIGN_OR_RETURN(crypto::PublicKey key, ParseKey(*pk, path + ".pub_key"));
    if (key.algo != crypto::Algo::kEd25519) {
      return Err(err::GENESIS_BAD_VALIDATOR, path + ".pub_key", "validator node keys are ed25519 keys");
    }
    if (used_keys.count(key) > 0) {
      return Err(err::GENESIS_DUPLICATE_KEY, path + ".pub_key", "is also an org signing key; node keys must differ");
    }
    if (!validator_keys.insert(key).second) {
      return Err(err::GENESIS_DUPLICATE_KEY, path + ".pub_key", "validator is listed more than once");
    }
    if (!o.contains("power")) return Err(err::GENESIS_BAD_VALIDATOR, path + ".power", "is missing");
    CIVIC_ASSIGN_OR_RETURN(uint64_t power, UintMember(o, "power", err::GENESIS_BAD_VALIDATOR, path, 0, 1, kMaxPower));
    pb::GovValidator* gv = list.add_validators();
    gv->set_algo(static_cast<uint32_t>(key.algo));
    gv->set_key(key.key);
    gv->set_power(power);
    gv->set_org(org);
  }
  std::sort(list.mutable_validators()->begin(), list.mutable_validators()->end(),
            ValidatorKeyLess);

  // Certificate types.
  std::map<std::string, pb::CertType> types;
  if (const json::value* ct = top.if_contains("cert_types")) {
    if (!ct->is_array()) return Err(err::GENESIS_BAD_CERT_TYPE, "cert_types", "must be an array");
    i = 0;
    for (const auto& v : ct->as_array()) {
      std::string path = "cert_types[" + std::to_string(i++) + "]";
      CIVIC_ASSIGN_OR_RETURN(pb::CertType type, ParseCertType(v, path));
      for (const auto& issuer : type.issuer_orgs()) {
        auto it = by_code.find(issuer);
        if (it == by_code.end()) {
          return Err(err::GENESIS_BAD_CERT_TYPE, path + ".issuer_orgs", "org " + issuer + " is not in orgs");
        }
        if (!HasRole(it->second, pb::ROLE_ISSUER, type.code())) {
          return Err(err::GENESIS_BAD_CERT_TYPE, path + ".issuer_orgs",
                     "org " + issuer + " does not hold ISSUER with scope " + type.code());
        }
      }
      std::string code = type.code();
      if (!types.emplace(code, std::move(type)).second) {
        return Err(err::GENESIS_BAD_CERT_TYPE, path + ".code", "type " + code + " is listed more than once");
      }
    }
  }

  // State.
  EmptyState empty;
  ledger::StateView view(&empty);
  for (auto& [code, org] : by_code) {
    for (const auto& k : org.keys()) view.Put(keys::KeyOwner(k.algo(), k.key()), code);
    WriteRecord(&view, keys::Org(code), org);
    g.orgs.push_back(org);
  }
  WriteRecord(&view, keys::kValidators, list);
  WriteRecord(&view, keys::kParams, g.params);
  for (auto& [code, type] : types) {
    WriteRecord(&view, keys::CertType(code), type);
    g.cert_types.push_back(type);
  }
  g.state = view.TakeWrites();
  for (const auto& v : list.validators()) {
    pb::Validator* out = g.validators.add_validators();
    out->mutable_pub_key()->set_algo(static_cast<pb::SigAlgo>(v.algo()));
    out->mutable_pub_key()->set_key(v.key());
    out->set_power(v.power());
    out->set_org(v.org());
  }
  g.hash = GenesisHash(g);
  return g;
}

Result<Genesis> ParseGenesis(std::string_view json_text) {
  boost::system::error_code ec;
  json::value value = json::parse(json::string_view(json_text.data(), json_text.size()), ec);
  if (ec) return Err(err::GENESIS_MALFORMED, "(file)", "not valid JSON: " + ec.message());
  return ParseGenesisJson(value);
}

Result<Genesis> LoadGenesisFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(err::GENESIS_IO, "cannot open genesis file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::InvalidArgument(err::GENESIS_IO, "cannot read genesis file " + path);
  CIVIC_ASSIGN_OR_RETURN(Genesis genesis, ParseGenesis(text.str()));
  genesis.text = text.str();
  return genesis;
}

}  // namespace civic::contracts
