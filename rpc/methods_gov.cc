// gov_* JSON-RPC methods: organisations, validators and proposals as recorded
// by the governance contract. Renderings come from contracts/governance/query.h.
// Handlers reply synchronously and never throw.
#include <google/protobuf/util/json_util.h>

#include "contracts/certificate/holder.h"
#include "contracts/base/contract_names.h"
#include "contracts/governance/governance.pb.h"
#include "contracts/governance/query.h"
#include "rpc/methods.h"

namespace civic::rpc {
namespace {

const ledger::KvReader& State(const CallContext& ctx) { return ctx.node->chain().state(); }

// gov_orgs {}
// Every organisation of the network (removed ones flagged) with its roles and
// signing keys, in org code order.
// Example (first of five orgs shown):
// --> {"jsonrpc":"2.0","id":1,"method":"gov_orgs","params":{}}
// <-- {"jsonrpc":"2.0","id":1,"result":{"orgs":[
//      {"code":"11510700008207188M","name":"绵阳市发展和改革委员会（信用绵阳）","short_name":"ndrc",
//       "roles":[{"role":"VALIDATOR"},
//                {"role":"CREDIT_AUTHORITY","scopes":["FINANCE","FOOD_DRUG","LABOUR","MARKET","TAX"]},
//                {"role":"DATA_PROVIDER"},{"role":"DATA_REQUESTER"},{"role":"ADMIN"}],
//       "keys":[{"pub_key":"ed25519:ca93ac1705187071d67b83c7ff0efe8108e8ec4530575d7726879333dbdabe7c",
//                "revoked":false,"added_height":0}],
//       "removed":false,"joined_height":0},...]}}
void GovOrgs(const CallContext& ctx, const json::value& params, Reply reply) {
  auto orgs = contracts::ListOrgs(State(ctx));
  if (!orgs.ok()) return reply(orgs.status());
  json::object out;
  out["orgs"] = contracts::OrgsToJson(*orgs);
  reply(json::value(std::move(out)));
}

// gov_validators {}
// The validator set recorded in state (node keys, power, owning org), sorted by key.
// Example:
// --> {"jsonrpc":"2.0","id":2,"method":"gov_validators","params":{}}
// <-- {"jsonrpc":"2.0","id":2,"result":{"validators":[
//      {"pub_key":"ed25519:2bc2800b3316e009209ffd757dab19ccf0ae84bc7ae90654e1e81712d270f653","power":10,
//       "org":"11510700008207313A"}],"total_power":10}}
void GovValidators(const CallContext& ctx, const json::value& params, Reply reply) {
  auto validators = contracts::GetValidators(State(ctx));
  if (!validators.ok()) return reply(validators.status());
  reply(json::value(contracts::ValidatorsToJson(*validators)));
}

// gov_params {}
// The chain parameters in force: how many blocks a proposal stays open and how
// many certificates one issue call may carry. Changed by a passed set_params
// proposal (civic gov propose set-params).
// Example:
// --> {"jsonrpc":"2.0","id":5,"method":"gov_params","params":{}}
// <-- {"jsonrpc":"2.0","id":5,"result":{"proposal_ttl_blocks":100000,"max_batch_certificates":10000}}
void GovParams(const CallContext& ctx, const json::value& params, Reply reply) {
  auto p = contracts::GetParams(State(ctx));
  if (!p.ok()) return reply(p.status());
  reply(json::value(contracts::ParamsToJson(*p)));
}

// gov_proposal {id}
// One governance proposal: its action, votes and outcome.
// Errors: UNKNOWN_PROPOSAL, INVALID_PARAMS.
// Example:
// --> {"jsonrpc":"2.0","id":3,"method":"gov_proposal","params":{"id":1}}
// <-- {"jsonrpc":"2.0","id":3,"result":{"id":1,"proposer_org":"11510700MB160296X2",
//      "title":"register 食品经营许可证",
//      "action":{"contract":"certificate","call_hex":"3a540a520a1531313531303730304d42313533373230354a3030321215e9a39fe59381e7bb8fe890a5e8aeb8e58fafe8af811a1231313531303730304d42313533373230354a22080a046e616d651001320475736363"},
//      "status":"executed",
//      "yes":["11510700008207188M","11510700008207313A","11510700008207428G","11510700MB160296X2"],"no":[],
//      "created_height":3,"created_time":"2025-01-01T00:00:03Z","expires_height":100003,
//      "created_tx_id":"ab0807e8153ec8a1d43f4e1f437b543d33fd21b924ad2678b1c5e01ad211b9a8",
//      "decided_height":6,
//      "decided_tx_id":"a21f2f50bacc85e8702265c5fc7b50f738f14375684c9fd72da7d3f84cc5c061",
//      "decided_time":"2025-01-01T00:00:06Z"}}
void GovProposal(const CallContext& ctx, const json::value& params, Reply reply) {
  auto id = IntParam(params, "id", 0);
  if (!id.ok()) return reply(id.status());
  if (*id < 1) return reply(Status::InvalidArgument("INVALID_PARAMS", "parameter \"id\" must be a positive integer"));
  auto p = contracts::GetProposal(State(ctx), static_cast<uint64_t>(*id));
  if (!p.ok()) return reply(p.status());
  reply(json::value(contracts::ProposalToJson(*p)));
}

// gov_proposals {from?, limit?}
// Proposals in id order from id `from` (default 1), `limit` (1..1000, default 100)
// at a time; next_from is the id to continue with (null at the end).
// Example (the proposal object as in gov_proposal, shortened here):
// --> {"jsonrpc":"2.0","id":4,"method":"gov_proposals","params":{"from":1,"limit":10}}
// <-- {"jsonrpc":"2.0","id":4,"result":{"proposals":[{"id":1,"proposer_org":"11510700MB160296X2",
//      "title":"register 食品经营许可证",...,"status":"executed",...}],"next_from":null}}
void GovProposals(const CallContext& ctx, const json::value& params, Reply reply) {
  auto from = IntParam(params, "from", 0, false, 1);
  if (!from.ok()) return reply(from.status());
  auto limit = IntParam(params, "limit", 1, false, 100);
  if (!limit.ok()) return reply(limit.status());
  if (*from < 1) return reply(Status::InvalidArgument("INVALID_PARAMS", "parameter \"from\" must be at least 1"));
  if (*limit < 1 || *limit > 1000) return reply(Status::InvalidArgument("BAD_LIMIT", "limit must be 1..1000"));
  auto list = contracts::ListProposals(State(ctx), static_cast<uint64_t>(*from), static_cast<size_t>(*limit) + 1);
  if (!list.ok()) return reply(list.status());
  json::object out;
  json::array items;
  for (size_t i = 0; i < list->size() && i < static_cast<size_t>(*limit); ++i) {
    items.push_back(contracts::ProposalToJson((*list)[i]));
  }
  out["proposals"] = std::move(items);
  if (list->size() > static_cast<size_t>(*limit)) {
    out["next_from"] = list->back().id();
  } else {
    out["next_from"] = nullptr;
  }
  reply(json::value(std::move(out)));
}

// The governance contract's calls, for chain_getTx. Bytes are base64.
Result<json::value> DecodeGovernanceCall(std::string_view call) {
  pb::GovernanceCall m;
  if (!m.ParseFromArray(call.data(), static_cast<int>(call.size()))) {
    return Status::InvalidArgument("CALL_MALFORMED", "the governance call does not decode");
  }
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(m, &text, options).ok()) {
    return Status::Internal("governance call could not be rendered as JSON");
  }
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return Status::Internal("governance call JSON does not parse");
  return v;
}

}  // namespace

void RegisterGovernanceMethods(MethodTable* table) {
  table->Add("gov_orgs", "The organisations of the network with roles and keys.", GovOrgs);
  table->Add("gov_validators", "The validator set recorded in state.", GovValidators);
  table->Add("gov_params", "The chain parameters in force.", GovParams);
  table->Add("gov_proposal", "One governance proposal by id.", GovProposal);
  table->Add("gov_proposals", "Governance proposals in id order, paged.", GovProposals);
  table->AddCallDecoder(std::string(contracts::kGovernanceContract), DecodeGovernanceCall);
}

}  // namespace civic::rpc
