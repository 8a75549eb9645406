#include "rpc/codec/governance.h"

#include "contracts/base/enum_names.h"
#include "contracts/base/time_format.h"
#include "crypto/signature.h"

namespace civic::rpc {

namespace json = boost::json;

namespace {

// AlgoName reads "unknown" for an algorithm number this build does not know.
std::string KeyText(uint32_t algo, const std::string& key) {
  return crypto::PublicKey{static_cast<crypto::Algo>(algo), key}.ToString();
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
    r["role"] = contracts::EnumUpperName(grant.role());
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
  o["status"] = contracts::EnumName(p.status());
  o["yes"] = Strings(p.yes());
  o["no"] = Strings(p.no());
  o["created_height"] = p.created_height();
  o["created_time"] = contracts::FormatRfc3339(p.created_time_ms());
  o["expires_height"] = p.expires_height();
  o["created_tx_id"] = ToHex(p.created_tx_id());
  if (p.status() != pb::PROPOSAL_OPEN) {
    o["decided_height"] = p.decided_height();
    if (!p.decided_tx_id().empty()) o["decided_tx_id"] = ToHex(p.decided_tx_id());
    if (p.decided_time_ms() != 0) o["decided_time"] = contracts::FormatRfc3339(p.decided_time_ms());
  }
  if (!p.result_code().empty()) {
    o["result_code"] = p.result_code();
    o["result_message"] = p.result_message();
  }
  return o;
}

}  // namespace civic::rpc
