// gov_* JSON-RPC methods: organisations, validators and proposals as recorded
// by the governance contract. Renderings come from rpc/codec/governance.h; a
// proposal's action is shown as the public may see it (ActionToJson).
// Handlers reply synchronously and never throw.

#include "contracts/base/contract_names.h"
#include "contracts/base/errors.h"
#include "contracts/governance/governance.pb.h"
#include "contracts/governance/query.h"
#include "rpc/codec/chain.h"
#include "rpc/codec/governance.h"
#include "rpc/error_codes.h"
#include "rpc/methods.h"

namespace civic::rpc {
namespace {

const ledger::KvReader& State(const CallContext& ctx) { return ctx.node->chain().state(); }

// gov_orgs {}
void GovOrgs(const CallContext& ctx, const json::value& params, Reply reply) {
  auto orgs = contracts::ListOrgs(State(ctx));
  if (!orgs.ok()) return reply(orgs.status());
  json::object out;
  out["orgs"] = OrgsToJson(*orgs);
  reply(json::value(std::move(out)));
}

// gov_validators {}
void GovValidators(const CallContext& ctx, const json::value& params, Reply reply) {
  auto validators = contracts::GetValidators(State(ctx));
  if (!validators.ok()) return reply(validators.status());
  reply(json::value(ValidatorsToJson(*validators)));
}

// gov_params {}
void GovParams(const CallContext& ctx, const json::value& params, Reply reply) {
  auto p = contracts::GetParams(State(ctx));
  if (!p.ok()) return reply(p.status());
  reply(json::value(ParamsToJson(*p)));
}

// gov_proposal {id}
void GovProposal(const CallContext& ctx, const json::value& params, Reply reply) {
  auto id = IntParam(params, "id", 0);
  if (!id.ok()) return reply(id.status());
  if (*id < 1) return reply(Status::InvalidArgument(err::INVALID_PARAMS, "parameter \"id\" must be a positive integer"));
  auto p = contracts::GetProposal(State(ctx), static_cast<uint64_t>(*id));
  if (!p.ok()) return reply(p.status());
  reply(json::value(ProposalToJson(*p, ctx.methods, contracts::Viewer::kPublic)));
}

// gov_proposals {from?, limit?}
void GovProposals(const CallContext& ctx, const json::value& params, Reply reply) {
  auto from = IntParam(params, "from", 0, false, 1);
  if (!from.ok()) return reply(from.status());
  auto limit = IntParam(params, "limit", 1, false, 100);
  if (!limit.ok()) return reply(limit.status());
  if (*from < 1) return reply(Status::InvalidArgument(err::INVALID_PARAMS, "parameter \"from\" must be at least 1"));
  if (*limit < 1 || *limit > 1000) return reply(Status::InvalidArgument(err::BAD_LIMIT, "limit must be 1..1000"));
  auto list = contracts::ListProposals(State(ctx), static_cast<uint64_t>(*from), static_cast<size_t>(*limit) + 1);
  if (!list.ok()) return reply(list.status());
  json::object out;
  json::array items;
  for (size_t i = 0; i < list->size() && i < static_cast<size_t>(*limit); ++i) {
    items.push_back(ProposalToJson((*list)[i], ctx.methods, contracts::Viewer::kPublic));
  }
  out["proposals"] = std::move(items);
  if (list->size() > static_cast<size_t>(*limit)) {
    out["next_from"] = list->back().id();
  } else {
    out["next_from"] = nullptr;
  }
  reply(json::value(std::move(out)));
}

}  // namespace

void RegisterGovernanceMethods(MethodTable* table) {
  table->Add("gov_orgs", GovOrgs);
  table->Add("gov_validators", GovValidators);
  table->Add("gov_params", GovParams);
  table->Add("gov_proposal", GovProposal);
  table->Add("gov_proposals", GovProposals);
  table->AddCallDecoder(std::string(contracts::kGovernanceContract), GovernanceCallDecoder(table));
}

}  // namespace civic::rpc
