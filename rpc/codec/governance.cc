#include "rpc/codec/governance.h"

#include <optional>
#include <string>

#include "contracts/base/contract_names.h"
#include "contracts/base/enum_names.h"
#include "contracts/base/errors.h"
#include "contracts/base/time_format.h"
#include "crypto/signature.h"
#include "rpc/call_render.h"

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

// Proposals cannot carry proposals (the contract refuses them), but refused
// txs are shown too: an action inside an action inside ... is not decoded
// deeper than this.
constexpr int kMaxActionDepth = 2;

Result<DecodedCall> DecodeGovernanceCall(std::string_view bytes, contracts::Viewer viewer,
                                         const MethodTable* decoders, int depth);

ActionView ActionAt(const pb::ProposalAction& action, const MethodTable* decoders, contracts::Viewer viewer,
                    int depth) {
  ActionView out;
  // The action message itself may hold unknown fields: they could carry anything.
  pb::ProposalAction shown = action;
  out.redacted = contracts::Redact(&shown, viewer) > 0;
  out.json["contract"] = shown.contract();
  const bool governance = shown.contract() == contracts::kGovernanceContract;
  const CallDecoder* decoder = decoders && !governance ? decoders->FindCallDecoder(shown.contract()) : nullptr;
  if (governance || decoder) {
    Result<DecodedCall> call = Status::Internal("the call decoder failed");
    try {
      if (!governance) {
        call = (*decoder)(shown.call(), viewer);
      } else if (depth > kMaxActionDepth) {
        call = Status::InvalidArgument(err::CALL_MALFORMED, "proposal actions nest deeper than " +
                                                                std::to_string(kMaxActionDepth) + " levels");
      } else {
        call = DecodeGovernanceCall(shown.call(), viewer, decoders, depth);
      }
    } catch (const std::exception& e) {
      call = Status::Internal(std::string("the call decoder failed: ") + e.what());
    }
    if (call.ok()) {
      out.json["method"] = call->method;
      out.json["call"] = std::move(call->call);
      out.redacted = out.redacted || call->redacted;
    } else {
      out.json["call_error"] = call.status().ToString();
      out.redacted = out.redacted || viewer != contracts::Viewer::kAuditor;
    }
  }
  if (!out.redacted) out.json["call_hex"] = ToHex(action.call());
  return out;
}

Result<DecodedCall> DecodeGovernanceCall(std::string_view bytes, contracts::Viewer viewer,
                                         const MethodTable* decoders, int depth) {
  pb::GovernanceCall call;
  if (!call.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::InvalidArgument(err::CALL_MALFORMED, "the GovernanceCall does not decode");
  }
  std::optional<pb::ProposalAction> action;
  if (call.has_propose() && call.propose().has_action()) {
    action = std::move(*call.mutable_propose()->mutable_action());
    call.mutable_propose()->clear_action();
  }
  CIVIC_ASSIGN_OR_RETURN(DecodedCall out, RenderCall(&call, viewer));
  json::object* rendered = out.call.if_object();
  if (action && rendered != nullptr) {
    ActionView view = ActionAt(*action, decoders, viewer, depth + 1);
    json::value& propose = (*rendered)["propose"];
    if (!propose.is_object()) propose = json::object();
    propose.as_object()["action"] = std::move(view.json);
    out.redacted = out.redacted || view.redacted;
  }
  return out;
}

}  // namespace

ActionView ActionToJson(const pb::ProposalAction& action, const MethodTable* decoders, contracts::Viewer viewer) {
  return ActionAt(action, decoders, viewer, 1);
}

CallDecoder GovernanceCallDecoder(const MethodTable* decoders) {
  return [decoders](std::string_view bytes, contracts::Viewer viewer) {
    return DecodeGovernanceCall(bytes, viewer, decoders, 0);
  };
}

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

json::object ProposalToJson(const pb::Proposal& p, const MethodTable* decoders, contracts::Viewer viewer) {
  json::object o;
  o["id"] = p.id();
  o["proposer_org"] = p.proposer_org();
  o["title"] = p.title();
  if (!p.description().empty()) o["description"] = p.description();
  ActionView action = ActionToJson(p.action(), decoders, viewer);
  o["action"] = std::move(action.json);
  o["redacted"] = action.redacted;
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
