#include "contracts/governance/query.h"

#include "contracts/governance/contract.h"
#include "contracts/base/state_io.h"
#include "contracts/certificate/keys.h"
#include "contracts/governance/keys.h"
#include "contracts/base/time_format.h"

namespace civic::contracts {

namespace json = boost::json;

Result<pb::Org> GetOrg(const ledger::KvReader& state, std::string_view code) {
  auto org = ReadRecord<pb::Org>(state, keys::Org(code));
  if (!org.ok()) return org.status();
  if (!org->has_value()) {
    return Status::NotFound("UNKNOWN_ORG", "no organisation with code '" + std::string(code.substr(0, 64)) + "'");
  }
  return std::move(**org);
}

Result<std::vector<pb::Org>> ListOrgs(const ledger::KvReader& state) {
  std::vector<pb::Org> orgs;
  Status parse_error;
  Status st = state.Scan(ledger::Space::kState, keys::kOrgPrefix, "", [&](std::string_view key, std::string_view value) {
    pb::Org org;
    if (!org.ParseFromString(std::string(value))) {
      parse_error = Status::Corruption("state record '" + std::string(key) + "' does not parse as Org");
      return false;
    }
    orgs.push_back(std::move(org));
    return true;
  });
  if (!st.ok()) return st;
  if (!parse_error.ok()) return parse_error;
  return orgs;
}

Result<std::optional<std::string>> OrgOfKey(const ledger::KvReader& state, const crypto::PublicKey& key) {
  auto owner = state.Get(ledger::Space::kState, keys::KeyOwner(key));
  if (!owner.ok()) return owner.status();
  return std::move(*owner);
}

bool HasRole(const pb::Org& org, pb::OrgRole role, std::string_view scope) {
  if (org.removed()) return false;
  for (const auto& grant : org.roles()) {
    if (grant.role() != role) continue;
    if (scope.empty()) return true;
    for (const auto& s : grant.scopes())
      if (s == scope) return true;
    return false;
  }
  return false;
}

Result<pb::GovValidatorList> GetValidators(const ledger::KvReader& state) {
  auto list = ReadRecord<pb::GovValidatorList>(state, keys::kValidators);
  if (!list.ok()) return list.status();
  return list->value_or(pb::GovValidatorList());
}

Result<pb::GovParams> GetParams(const ledger::KvReader& state) {
  auto params = ReadRecord<pb::GovParams>(state, keys::kParams);
  if (!params.ok()) return params.status();
  return params->value_or(DefaultParams());
}

Result<pb::Proposal> GetProposal(const ledger::KvReader& state, uint64_t id) {
  auto proposal = ReadRecord<pb::Proposal>(state, keys::Proposal(id));
  if (!proposal.ok()) return proposal.status();
  if (!proposal->has_value()) {
    return Status::NotFound("UNKNOWN_PROPOSAL", "no proposal with id " + std::to_string(id));
  }
  return std::move(**proposal);
}

Result<std::vector<pb::Proposal>> ListProposals(const ledger::KvReader& state, uint64_t from_id, size_t limit) {
  std::vector<pb::Proposal> out;
  Status parse_error;
  if (limit == 0) return out;
  Status st = state.Scan(ledger::Space::kState, keys::kProposalPrefix, keys::Proposal(from_id),
                         [&](std::string_view key, std::string_view value) {
                           pb::Proposal p;
                           if (!p.ParseFromString(std::string(value))) {
                             parse_error = Status::Corruption("proposal record does not parse");
                             return false;
                           }
                           out.push_back(std::move(p));
                           return out.size() < limit;
                         });
  if (!st.ok()) return st;
  if (!parse_error.ok()) return parse_error;
  return out;
}

const char* RoleName(pb::OrgRole role) {
  switch (role) {
    case pb::ROLE_VALIDATOR: return "VALIDATOR";
    case pb::ROLE_ISSUER: return "ISSUER";
    case pb::ROLE_CREDIT_AUTHORITY: return "CREDIT_AUTHORITY";
    case pb::ROLE_DATA_PROVIDER: return "DATA_PROVIDER";
    case pb::ROLE_DATA_REQUESTER: return "DATA_REQUESTER";
    case pb::ROLE_AUDITOR: return "AUDITOR";
    case pb::ROLE_ADMIN: return "ADMIN";
    default: return "UNSPECIFIED";
  }
}

Result<pb::OrgRole> ParseRole(std::string_view name) {
  for (int r = pb::ROLE_VALIDATOR; r <= pb::ROLE_ADMIN; ++r) {
    auto role = static_cast<pb::OrgRole>(r);
    if (name == RoleName(role)) return role;
  }
  return Status::InvalidArgument("BAD_ROLE", "unknown role '" + std::string(name.substr(0, 64)) +
                                                 "' (VALIDATOR, ISSUER, CREDIT_AUTHORITY, DATA_PROVIDER, "
                                                 "DATA_REQUESTER, AUDITOR, ADMIN)");
}

const char* ProposalStatusName(pb::ProposalStatus status) {
  switch (status) {
    case pb::PROPOSAL_OPEN: return "open";
    case pb::PROPOSAL_EXECUTED: return "executed";
    case pb::PROPOSAL_FAILED: return "failed";
    case pb::PROPOSAL_REJECTED: return "rejected";
    case pb::PROPOSAL_EXPIRED: return "expired";
    default: return "unspecified";
  }
}

namespace {

std::string KeyText(uint32_t algo, const std::string& key) {
  crypto::PublicKey pub{static_cast<crypto::Algo>(algo), key};
  if (algo < 1 || algo > 3) return "unknown:" + ToHex(key);
  return pub.ToString();
}

json::array Strings(const google::protobuf::RepeatedPtrField<std::string>& items) {
  json::array out;
  for (const auto& s : items) out.emplace_back(s);
  return out;
}

}  // namespace

json::object OrgToJson(const pb::Org& org) {
  json::object o;
  o["code"] = org.code();
  o["name"] = org.name();
  if (!org.short_name().empty()) o["short_name"] = org.short_name();
  json::array roles;
  for (const auto& grant : org.roles()) {
    json::object r;
    r["role"] = RoleName(grant.role());
    if (grant.scopes_size() > 0) r["scopes"] = Strings(grant.scopes());
    roles.push_back(std::move(r));
  }
  o["roles"] = std::move(roles);
  json::array keys_json;
  for (const auto& key : org.keys()) {
    json::object k;
    k["pub_key"] = KeyText(key.algo(), key.key());
    k["revoked"] = key.revoked();
    k["added_height"] = key.added_height();
    if (key.revoked()) k["revoked_height"] = key.revoked_height();
    keys_json.push_back(std::move(k));
  }
  o["keys"] = std::move(keys_json);
  o["removed"] = org.removed();
  o["joined_height"] = org.joined_height();
  if (org.removed()) o["removed_height"] = org.removed_height();
  return o;
}

json::array OrgsToJson(const std::vector<pb::Org>& orgs) {
  json::array out;
  for (const auto& org : orgs) out.push_back(OrgToJson(org));
  return out;
}

json::object ParamsToJson(const pb::GovParams& params) {
  return json::object{{"proposal_ttl_blocks", params.proposal_ttl_blocks()},
                      {"max_batch_certificates", params.max_batch_certificates()}};
}

json::object ValidatorsToJson(const pb::GovValidatorList& validators) {
  json::array list;
  uint64_t total = 0;
  for (const auto& v : validators.validators()) {
    json::object o;
    o["pub_key"] = KeyText(v.algo(), v.key());
    o["power"] = v.power();
    o["org"] = v.org();
    total += v.power();
    list.push_back(std::move(o));
  }
  json::object out;
  out["validators"] = std::move(list);
  out["total_power"] = total;
  return out;
}

json::object ProposalToJson(const pb::Proposal& p) {
  json::object o;
  o["id"] = p.id();
  o["proposer_org"] = p.proposer_org();
  o["title"] = p.title();
  if (!p.description().empty()) o["description"] = p.description();
  json::object action;
  action["contract"] = p.action().contract();
  action["call_hex"] = ToHex(p.action().call());
  o["action"] = std::move(action);
  o["status"] = ProposalStatusName(p.status());
  o["yes"] = Strings(p.yes());
  o["no"] = Strings(p.no());
  o["created_height"] = p.created_height();
  o["created_time"] = FormatRfc3339(p.created_time_ms());
  o["expires_height"] = p.expires_height();
  o["created_tx_id"] = ToHex(p.created_tx_id());
  if (p.status() != pb::PROPOSAL_OPEN) {
    o["decided_height"] = p.decided_height();
    if (!p.decided_tx_id().empty()) o["decided_tx_id"] = ToHex(p.decided_tx_id());
    if (p.decided_time_ms() != 0) o["decided_time"] = FormatRfc3339(p.decided_time_ms());
  }
  if (!p.result_code().empty()) {
    o["result_code"] = p.result_code();
    o["result_message"] = p.result_message();
  }
  return o;
}

}  // namespace civic::contracts
