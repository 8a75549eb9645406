#include "contracts/registry.h"

#include "contracts/base/errors.h"
#include "contracts/certificate/contract.h"
#include "contracts/credit/contract.h"
#include "contracts/governance/contract.h"
#include "contracts/governance/query.h"
#include "contracts/sharing/contract.h"

namespace civic::contracts {
namespace {

// The signing key must be an active key of the org named in the body.
Status CheckSigner(const ledger::TxContext& ctx, const ledger::KvReader& state) {
  if (ctx.tx == nullptr) return Status::Internal("tx context without a tx");
  const std::string& code = ctx.tx->body.org();
  auto org = GetOrg(state, code);
  if (!org.ok()) {
    if (org.status().app_code() == err::UNKNOWN_ORG) {
      return Status::PermissionDenied(err::UNKNOWN_ORG, "the tx names org '" + code.substr(0, 64) +
                                                         "', which is not a member of this network");
    }
    return org.status();
  }
  if (org->removed()) {
    return Status::PermissionDenied(err::ORG_REMOVED, "org " + code + " has been removed from the network");
  }
  const crypto::PublicKey& signer = ctx.tx->signer;
  for (const auto& key : org->keys()) {
    if (key.algo() != static_cast<uint32_t>(signer.algo) || key.key() != signer.key) continue;
    if (key.revoked()) {
      return Status::PermissionDenied(err::KEY_REVOKED, "the signing key " + signer.ToString() + " of org " + code +
                                                         " was revoked at height " +
                                                         std::to_string(key.revoked_height()));
    }
    return Status::Ok();
  }
  return Status::PermissionDenied(err::KEY_NOT_ADMITTED, "the signing key " + signer.ToString() +
                                                          " is not a key of org " + code);
}

}  // namespace

std::unique_ptr<Registry> Registry::CreateDefault() {
  auto registry = std::make_unique<Registry>();
  registry->Add(std::make_unique<Governance>(registry.get()));
  registry->Add(std::make_unique<CertificateContract>());
  registry->Add(std::make_unique<CreditContract>());
  registry->Add(std::make_unique<SharingContract>());
  return registry;
}

void Registry::Add(std::unique_ptr<Contract> contract) {
  std::string name(contract->name());
  contracts_.insert_or_assign(std::move(name), std::move(contract));
}

Contract* Registry::Find(std::string_view name) const {
  auto it = contracts_.find(name);
  return it == contracts_.end() ? nullptr : it->second.get();
}

Status Registry::Execute(const ledger::TxContext& ctx, ledger::StateView* view) {
  CIVIC_RETURN_IF_ERROR(CheckSigner(ctx, *view));
  Contract* contract = Find(ctx.tx->body.contract());
  if (contract == nullptr) {
    return Status::InvalidArgument(err::UNKNOWN_CONTRACT,
                                   "no contract named '" + ctx.tx->body.contract().substr(0, 64) + "'");
  }
  return contract->Execute(ctx, ctx.tx->body.call(), view);
}

Status Registry::EndBlock(const ledger::BlockContext& ctx, ledger::StateView* view) {
  for (auto& [name, contract] : contracts_) CIVIC_RETURN_IF_ERROR(contract->EndBlock(ctx, view));
  return Status::Ok();
}

Result<pb::ValidatorSet> Registry::Validators(const ledger::KvReader& state) const {
  CIVIC_ASSIGN_OR_RETURN(pb::GovValidatorList list, GetValidators(state));
  pb::ValidatorSet set;
  for (const auto& v : list.validators()) {
    pb::Validator* out = set.add_validators();
    out->mutable_pub_key()->set_algo(static_cast<pb::SigAlgo>(v.algo()));
    out->mutable_pub_key()->set_key(v.key());
    out->set_power(v.power());
    out->set_org(v.org());
  }
  return set;
}

Status Registry::CheckTx(const ledger::TxContext& ctx, const ledger::KvReader& state) const {
  CIVIC_RETURN_IF_ERROR(CheckSigner(ctx, state));
  const Contract* contract = Find(ctx.tx->body.contract());
  if (contract == nullptr) {
    return Status::InvalidArgument(err::UNKNOWN_CONTRACT,
                                   "no contract named '" + ctx.tx->body.contract().substr(0, 64) + "'");
  }
  return contract->Check(ctx, ctx.tx->body.call(), state);
}

}  // namespace civic::contracts
