#include "contracts/governance/contract.h"

#include <algorithm>
#include <set>

#include "contracts/base/enum_names.h"
#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "contracts/base/state_io.h"
#include "contracts/governance/keys.h"
#include "contracts/governance/query.h"
#include "contracts/governance/rules.h"

namespace civic::contracts {
namespace {

constexpr uint64_t kMaxPower = uint64_t{1} << 40;
constexpr size_t kMaxTitle = 200;
constexpr size_t kMaxDescription = 4000;
constexpr size_t kMaxName = 200;

Status NeedGovernance(std::string_view action) {
  return Status::PermissionDenied(err::GOVERNANCE_REQUIRED, std::string(action) +
                                                             " is a governance action: propose it and let "
                                                             "more than 2/3 of ADMIN orgs vote yes");
}

// The signer's org (the registry has already checked that it exists and that the key is active).
Result<pb::Org> SignerOrg(const ledger::TxContext& ctx, const ledger::KvReader& state) {
  return GetOrg(state, ctx.tx->body.org());
}

Status RequireAdmin(const pb::Org& org) {
  if (!HasRole(org, pb::ROLE_ADMIN)) {
    return Status::PermissionDenied(err::NOT_ADMIN, "org " + org.code() + " does not hold the ADMIN role");
  }
  return Status::Ok();
}

Result<pb::Org> ActiveOrg(const ledger::KvReader& state, std::string_view code) {
  CIVIC_ASSIGN_OR_RETURN(pb::Org org, GetOrg(state, code));
  if (org.removed()) return Status::FailedPrecondition(err::ORG_REMOVED, "org " + org.code() + " has been removed");
  return org;
}

// Admin orgs that are not removed, as a sorted set of codes.
Result<std::set<std::string>> AdminOrgs(const ledger::KvReader& state) {
  CIVIC_ASSIGN_OR_RETURN(std::vector<pb::Org> orgs, ListOrgs(state));
  std::set<std::string> admins;
  for (const auto& org : orgs)
    if (HasRole(org, pb::ROLE_ADMIN)) admins.insert(org.code());
  return admins;
}

void InsertSorted(google::protobuf::RepeatedPtrField<std::string>* list, const std::string& value) {
  list->Add(std::string(value));
  std::sort(list->begin(), list->end());
}

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

void WriteOrg(ledger::StateView* view, const pb::Org& org) { WriteRecord(view, keys::Org(org.code()), org); }

pb::OrgKey* FindKey(pb::Org* org, uint32_t algo, std::string_view key) {
  for (auto& k : *org->mutable_keys())
    if (k.algo() == algo && k.key() == key) return &k;
  return nullptr;
}

size_t ActiveKeyCount(const pb::Org& org) {
  size_t n = 0;
  for (const auto& k : org.keys()) n += k.revoked() ? 0 : 1;
  return n;
}

bool IsValidatorKey(const pb::GovValidatorList& list, uint32_t algo, std::string_view key) {
  for (const auto& v : list.validators())
    if (v.algo() == algo && v.key() == key) return true;
  return false;
}

// A signing key must be new: not owned by any org (keys are never reused) and
// not a validator node key.
Status CheckKeyUnused(const ledger::KvReader& state, uint32_t algo, std::string_view key) {
  CIVIC_RETURN_IF_ERROR(ValidateKey(algo, key));
  auto owner = state.Get(ledger::Space::kState, keys::KeyOwner(algo, key));
  if (!owner.ok()) return owner.status();
  if (owner->has_value()) {
    return Status::AlreadyExists(err::KEY_IN_USE, "key is already a signing key of org " + **owner);
  }
  CIVIC_ASSIGN_OR_RETURN(pb::GovValidatorList validators, GetValidators(state));
  if (IsValidatorKey(validators, algo, key)) {
    return Status::AlreadyExists(err::KEY_IN_USE, "key is a validator node key; org signing keys must differ");
  }
  return Status::Ok();
}

void AddKey(ledger::StateView* view, pb::Org* org, uint32_t algo, std::string_view key, uint64_t height) {
  pb::OrgKey* k = org->add_keys();
  k->set_algo(algo);
  k->set_key(std::string(key));
  k->set_added_height(height);
  view->Put(keys::KeyOwner(algo, key), org->code());
}

Status RevokeKeyIn(pb::Org* org, uint32_t algo, std::string_view key, uint64_t height) {
  pb::OrgKey* k = FindKey(org, algo, key);
  if (k == nullptr) return Status::NotFound(err::UNKNOWN_KEY, "the key is not a key of org " + org->code());
  if (k->revoked()) return Status::FailedPrecondition(err::KEY_ALREADY_REVOKED, "the key is already revoked");
  if (ActiveKeyCount(*org) <= 1) {
    return Status::FailedPrecondition(err::LAST_KEY, "org " + org->code() + " must keep at least one active key");
  }
  k->set_revoked(true);
  k->set_revoked_height(height);
  return Status::Ok();
}

Status CheckRoleScopes(pb::OrgRole role, const google::protobuf::RepeatedPtrField<std::string>& scopes) {
  if (role <= pb::ROLE_UNSPECIFIED || role > pb::ROLE_ADMIN) {
    return Status::InvalidArgument(err::BAD_ROLE, "unknown role " + std::to_string(static_cast<int>(role)));
  }
  for (const auto& s : scopes) CIVIC_RETURN_IF_ERROR(ValidateScope(role, s));
  return Status::Ok();
}

std::vector<std::string> ToVector(const google::protobuf::RepeatedPtrField<std::string>& list) {
  return {list.begin(), list.end()};
}

// ---- Actions

Status DoAddOrg(const ledger::TxContext& ctx, const pb::GovAddOrg& m, ledger::StateView* view) {
  CIVIC_RETURN_IF_ERROR(ValidateUscc(m.code()));
  if (m.name().empty() || m.name().size() > kMaxName) {
    return Status::InvalidArgument(err::BAD_ORG, "org name must be 1 to 200 bytes");
  }
  auto existing = ReadRecord<pb::Org>(*view, keys::Org(m.code()));
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return Status::AlreadyExists(err::ORG_EXISTS, "org " + m.code() + " already exists");
  if (m.keys_size() == 0) return Status::InvalidArgument(err::BAD_ORG, "a new org needs at least one signing key");
  pb::Org org;
  org.set_code(m.code());
  org.set_name(m.name());
  org.set_short_name(m.short_name());
  org.set_joined_height(ctx.height);
  for (const auto& k : m.keys()) {
    // AddKey records the owner in the view, so a key listed twice fails here too.
    CIVIC_RETURN_IF_ERROR(CheckKeyUnused(*view, k.algo(), k.key()));
    AddKey(view, &org, k.algo(), k.key(), ctx.height);
  }
  for (const auto& grant : m.roles()) {
    CIVIC_RETURN_IF_ERROR(CheckRoleScopes(grant.role(), grant.scopes()));
    MergeRole(&org, grant.role(), ToVector(grant.scopes()));
  }
  WriteOrg(view, org);
  return Status::Ok();
}

Status DoRemoveOrg(const ledger::TxContext& ctx, const pb::GovRemoveOrg& m, ledger::StateView* view) {
  CIVIC_ASSIGN_OR_RETURN(pb::Org org, ActiveOrg(*view, m.code()));
  if (HasRole(org, pb::ROLE_ADMIN)) {
    CIVIC_ASSIGN_OR_RETURN(auto admins, AdminOrgs(*view));
    if (admins.size() <= 1) return Status::FailedPrecondition(err::LAST_ADMIN, "the last ADMIN org cannot be removed");
  }
  CIVIC_ASSIGN_OR_RETURN(pb::GovValidatorList validators, GetValidators(*view));
  pb::GovValidatorList kept;
  for (const auto& v : validators.validators())
    if (v.org() != org.code()) *kept.add_validators() = v;
  if (kept.validators_size() != validators.validators_size()) {
    if (kept.validators_size() == 0) {
      return Status::FailedPrecondition(err::VALIDATOR_SET_EMPTY, "removing org " + org.code() +
                                                                   " would leave no validators");
    }
    WriteRecord(view, keys::kValidators, kept);
  }
  org.set_removed(true);
  org.set_removed_height(ctx.height);
  WriteOrg(view, org);
  return Status::Ok();
}

Status DoGrantRole(const pb::GovGrantRole& m, ledger::StateView* view) {
  CIVIC_RETURN_IF_ERROR(CheckRoleScopes(m.role(), m.scopes()));
  return GrantRoleScopes(view, m.org(), m.role(), ToVector(m.scopes()));
}

Status DoRevokeRole(const pb::GovRevokeRole& m, ledger::StateView* view) {
  CIVIC_RETURN_IF_ERROR(CheckRoleScopes(m.role(), m.scopes()));
  CIVIC_ASSIGN_OR_RETURN(pb::Org org, ActiveOrg(*view, m.org()));
  auto* roles = org.mutable_roles();
  auto it = std::find_if(roles->begin(), roles->end(), [&](const auto& g) { return g.role() == m.role(); });
  if (it == roles->end()) {
    return Status::FailedPrecondition(err::ROLE_NOT_HELD,
                                      "org " + org.code() + " does not hold " + EnumUpperName(m.role()));
  }
  if (m.scopes_size() == 0) {
    if (m.role() == pb::ROLE_ADMIN) {
      CIVIC_ASSIGN_OR_RETURN(auto admins, AdminOrgs(*view));
      if (admins.size() <= 1) {
        return Status::FailedPrecondition(err::LAST_ADMIN, "the last ADMIN org cannot lose the ADMIN role");
      }
    }
    if (m.role() == pb::ROLE_VALIDATOR) {
      CIVIC_ASSIGN_OR_RETURN(pb::GovValidatorList validators, GetValidators(*view));
      for (const auto& v : validators.validators()) {
        if (v.org() == org.code()) {
          return Status::FailedPrecondition(err::VALIDATOR_IN_USE, "org " + org.code() +
                                                                    " still runs validators; remove them first");
        }
      }
    }
    roles->erase(it);
  } else {
    auto* scopes = it->mutable_scopes();
    for (const auto& s : m.scopes()) {
      auto pos = std::find(scopes->begin(), scopes->end(), s);
      if (pos == scopes->end()) {
        return Status::FailedPrecondition(
            err::SCOPE_NOT_HELD, "org " + org.code() + " does not hold " + EnumUpperName(m.role()) + " for '" + s + "'");
      }
      scopes->erase(pos);
    }
  }
  WriteOrg(view, org);
  return Status::Ok();
}

Status DoAddKey(const ledger::TxContext& ctx, const pb::GovAddKey& m, ledger::StateView* view) {
  CIVIC_ASSIGN_OR_RETURN(pb::Org org, ActiveOrg(*view, m.org()));
  CIVIC_RETURN_IF_ERROR(CheckKeyUnused(*view, m.algo(), m.key()));
  AddKey(view, &org, m.algo(), m.key(), ctx.height);
  WriteOrg(view, org);
  return Status::Ok();
}

Status DoRevokeKey(const ledger::TxContext& ctx, const pb::GovRevokeKey& m, ledger::StateView* view) {
  if (!ctx.governance && m.org() != ctx.tx->body.org()) {
    return NeedGovernance("revoking another org's key");
  }
  CIVIC_ASSIGN_OR_RETURN(pb::Org org, ActiveOrg(*view, m.org()));
  CIVIC_RETURN_IF_ERROR(RevokeKeyIn(&org, m.algo(), m.key(), ctx.height));
  WriteOrg(view, org);
  return Status::Ok();
}

Status DoRotateKey(const ledger::TxContext& ctx, const pb::GovRotateKey& m, ledger::StateView* view) {
  CIVIC_ASSIGN_OR_RETURN(pb::Org org, ActiveOrg(*view, m.org()));
  CIVIC_RETURN_IF_ERROR(CheckKeyUnused(*view, m.new_algo(), m.new_key()));
  AddKey(view, &org, m.new_algo(), m.new_key(), ctx.height);
  CIVIC_RETURN_IF_ERROR(RevokeKeyIn(&org, m.old_algo(), m.old_key(), ctx.height));
  WriteOrg(view, org);
  return Status::Ok();
}

Status DoSetValidator(const pb::GovSetValidator& m, ledger::StateView* view) {
  CIVIC_ASSIGN_OR_RETURN(pb::Org org, ActiveOrg(*view, m.org()));
  if (m.algo() != static_cast<uint32_t>(crypto::Algo::kEd25519)) {
    return Status::InvalidArgument(err::BAD_KEY, "validator node keys are ed25519 keys");
  }
  CIVIC_RETURN_IF_ERROR(ValidateKey(m.algo(), m.key()));
  if (m.power() > kMaxPower) {
    return Status::InvalidArgument(err::BAD_POWER, "validator power must be at most 2^40");
  }
  CIVIC_ASSIGN_OR_RETURN(pb::GovValidatorList list, GetValidators(*view));
  auto* vals = list.mutable_validators();
  auto it = std::find_if(vals->begin(), vals->end(),
                         [&](const auto& v) { return v.algo() == m.algo() && v.key() == m.key(); });
  if (it != vals->end() && it->org() != org.code()) {
    return Status::PermissionDenied(err::VALIDATOR_OTHER_ORG, "the node key is a validator of org " + it->org());
  }
  if (m.power() == 0) {
    if (it == vals->end()) return Status::NotFound(err::UNKNOWN_VALIDATOR, "the node key is not a validator");
    vals->erase(it);
    if (vals->empty()) return Status::FailedPrecondition(err::VALIDATOR_SET_EMPTY, "the last validator cannot be removed");
  } else {
    if (!HasRole(org, pb::ROLE_VALIDATOR)) {
      return Status::PermissionDenied(err::MISSING_ROLE, "org " + org.code() + " does not hold the VALIDATOR role");
    }
    if (it != vals->end()) {
      it->set_power(m.power());
    } else {
      auto owner = view->Get(ledger::Space::kState, keys::KeyOwner(m.algo(), m.key()));
      if (!owner.ok()) return owner.status();
      if (owner->has_value()) {
        return Status::AlreadyExists(err::KEY_IN_USE, "the key is a signing key of org " + **owner +
                                                       "; validator node keys must differ");
      }
      pb::GovValidator* v = list.add_validators();
      v->set_algo(m.algo());
      v->set_key(m.key());
      v->set_power(m.power());
      v->set_org(org.code());
      std::sort(vals->begin(), vals->end(), ValidatorKeyLess);
    }
  }
  WriteRecord(view, keys::kValidators, list);
  return Status::Ok();
}

Status DoSetParams(const pb::GovSetParams& m, ledger::StateView* view) {
  CIVIC_RETURN_IF_ERROR(ValidateParams(m.params()));
  WriteRecord(view, keys::kParams, m.params());
  return Status::Ok();
}

Result<pb::GovernanceCall> DecodeCall(std::string_view call) {
  pb::GovernanceCall m;
  if (!m.ParseFromArray(call.data(), static_cast<int>(call.size()))) {
    return Status::InvalidArgument(err::CALL_MALFORMED, "the governance call does not decode");
  }
  if (m.call_case() == pb::GovernanceCall::CALL_NOT_SET) {
    return Status::InvalidArgument(err::EMPTY_CALL, "the governance call names no operation");
  }
  return m;
}

}  // namespace

Status GrantRoleScopes(ledger::StateView* view, std::string_view org_code, pb::OrgRole role,
                       const std::vector<std::string>& scopes) {
  CIVIC_ASSIGN_OR_RETURN(pb::Org org, ActiveOrg(*view, org_code));
  MergeRole(&org, role, scopes);
  WriteOrg(view, org);
  return Status::Ok();
}

Status Governance::Execute(const ledger::TxContext& ctx, std::string_view call, ledger::StateView* view) {
  CIVIC_ASSIGN_OR_RETURN(pb::GovernanceCall m, DecodeCall(call));
  switch (m.call_case()) {
    case pb::GovernanceCall::kPropose: return Propose(ctx, m.propose(), view);
    case pb::GovernanceCall::kVote: return Vote(ctx, m.vote(), view);
    case pb::GovernanceCall::kRevokeKey: return DoRevokeKey(ctx, m.revoke_key(), view);
    default: break;
  }
  if (!ctx.governance) return NeedGovernance("this call");
  switch (m.call_case()) {
    case pb::GovernanceCall::kAddOrg: return DoAddOrg(ctx, m.add_org(), view);
    case pb::GovernanceCall::kRemoveOrg: return DoRemoveOrg(ctx, m.remove_org(), view);
    case pb::GovernanceCall::kGrantRole: return DoGrantRole(m.grant_role(), view);
    case pb::GovernanceCall::kRevokeRole: return DoRevokeRole(m.revoke_role(), view);
    case pb::GovernanceCall::kAddKey: return DoAddKey(ctx, m.add_key(), view);
    case pb::GovernanceCall::kRotateKey: return DoRotateKey(ctx, m.rotate_key(), view);
    case pb::GovernanceCall::kSetValidator: return DoSetValidator(m.set_validator(), view);
    case pb::GovernanceCall::kSetParams: return DoSetParams(m.set_params(), view);
    default: return Status::InvalidArgument(err::EMPTY_CALL, "the governance call names no operation");
  }
}

Status Governance::Check(const ledger::TxContext& ctx, std::string_view call, const ledger::KvReader& state) const {
  CIVIC_ASSIGN_OR_RETURN(pb::GovernanceCall m, DecodeCall(call));
  switch (m.call_case()) {
    case pb::GovernanceCall::kPropose: {
      CIVIC_ASSIGN_OR_RETURN(pb::Org org, SignerOrg(ctx, state));
      CIVIC_RETURN_IF_ERROR(RequireAdmin(org));
      return CheckAction(m.propose().action());
    }
    case pb::GovernanceCall::kVote: {
      CIVIC_ASSIGN_OR_RETURN(pb::Org org, SignerOrg(ctx, state));
      return RequireAdmin(org);
    }
    case pb::GovernanceCall::kRevokeKey:
      if (ctx.governance || m.revoke_key().org() == ctx.tx->body.org()) return Status::Ok();
      return NeedGovernance("revoking another org's key");
    default:
      return ctx.governance ? Status::Ok() : NeedGovernance("this call");
  }
}

Status Governance::CheckAction(const pb::ProposalAction& action) const {
  if (contracts_ == nullptr || contracts_->Find(action.contract()) == nullptr) {
    return Status::InvalidArgument(err::UNKNOWN_CONTRACT, "the proposal's action names unknown contract '" +
                                                           action.contract().substr(0, 64) + "'");
  }
  if (action.contract() == name()) {
    auto inner = DecodeCall(action.call());
    if (!inner.ok()) {
      return Status::InvalidArgument(err::BAD_ACTION, "the proposal's action: " + inner.status().message());
    }
    auto kind = inner->call_case();
    if (kind == pb::GovernanceCall::kPropose || kind == pb::GovernanceCall::kVote) {
      return Status::InvalidArgument(err::BAD_ACTION, "a proposal's action cannot be a proposal or a vote");
    }
  } else if (action.call().empty()) {
    return Status::InvalidArgument(err::BAD_ACTION, "the proposal's action has an empty call");
  }
  return Status::Ok();
}

Status Governance::Propose(const ledger::TxContext& ctx, const pb::GovPropose& m, ledger::StateView* view) {
  CIVIC_ASSIGN_OR_RETURN(pb::Org org, SignerOrg(ctx, *view));
  CIVIC_RETURN_IF_ERROR(RequireAdmin(org));
  if (m.title().empty() || m.title().size() > kMaxTitle) {
    return Status::InvalidArgument(err::BAD_PROPOSAL, "the proposal title must be 1 to 200 bytes");
  }
  if (m.description().size() > kMaxDescription) {
    return Status::InvalidArgument(err::BAD_PROPOSAL, "the proposal description must be at most 4000 bytes");
  }
  CIVIC_RETURN_IF_ERROR(CheckAction(m.action()));
  CIVIC_ASSIGN_OR_RETURN(pb::GovParams params, GetParams(*view));

  auto next = view->Get(keys::kNextProposal);
  if (!next.ok()) return next.status();
  uint64_t id = 1;
  if (next->has_value()) {
    if ((*next)->size() != 8) return Status::Corruption("gov/next_proposal is not 8 bytes");
    id = GetBigEndian64(**next);
  }
  Bytes following;
  PutBigEndian64(&following, id + 1);
  view->Put(keys::kNextProposal, following);

  pb::Proposal p;
  p.set_id(id);
  p.set_proposer_org(org.code());
  p.set_title(m.title());
  p.set_description(m.description());
  *p.mutable_action() = m.action();
  p.set_created_height(ctx.height);
  p.set_expires_height(ctx.height + params.proposal_ttl_blocks());
  p.add_yes(org.code());
  p.set_status(pb::PROPOSAL_OPEN);
  p.set_created_tx_id(ctx.tx->id);
  p.set_created_time_ms(ctx.block_time_ms);
  view->Put(keys::OpenProposal(p.expires_height(), id), "");
  return Tally(ctx, &p, view);
}

Status Governance::Vote(const ledger::TxContext& ctx, const pb::GovVote& m, ledger::StateView* view) {
  CIVIC_ASSIGN_OR_RETURN(pb::Org org, SignerOrg(ctx, *view));
  CIVIC_RETURN_IF_ERROR(RequireAdmin(org));
  CIVIC_ASSIGN_OR_RETURN(pb::Proposal p, GetProposal(*view, m.proposal_id()));
  if (p.status() == pb::PROPOSAL_EXPIRED || (p.status() == pb::PROPOSAL_OPEN && ctx.height > p.expires_height())) {
    return Status::FailedPrecondition(err::PROPOSAL_EXPIRED, "proposal " + std::to_string(p.id()) +
                                                              " expired at height " +
                                                              std::to_string(p.expires_height()));
  }
  if (p.status() != pb::PROPOSAL_OPEN) {
    return Status::FailedPrecondition(err::PROPOSAL_CLOSED,
                                      "proposal " + std::to_string(p.id()) + " is already " + EnumName(p.status()));
  }
  if (Contains(p.yes(), org.code()) || Contains(p.no(), org.code())) {
    return Status::AlreadyExists(err::ALREADY_VOTED, "org " + org.code() + " has already voted on proposal " +
                                                      std::to_string(p.id()));
  }
  InsertSorted(m.yes() ? p.mutable_yes() : p.mutable_no(), org.code());
  return Tally(ctx, &p, view);
}

Status Governance::Tally(const ledger::TxContext& ctx, pb::Proposal* p, ledger::StateView* view) {
  CIVIC_ASSIGN_OR_RETURN(auto admins, AdminOrgs(*view));
  uint64_t total = admins.size();
  uint64_t yes = 0, no = 0;
  for (const auto& code : p->yes()) yes += admins.count(code);
  for (const auto& code : p->no()) no += admins.count(code);

  auto close = [&](pb::ProposalStatus status) {
    p->set_status(status);
    p->set_decided_height(ctx.height);
    p->set_decided_tx_id(ctx.tx->id);
    p->set_decided_time_ms(ctx.block_time_ms);
    view->Delete(keys::OpenProposal(p->expires_height(), p->id()));
  };

  if (total > 0 && yes * 3 > total * 2) {
    // Run the action with governance authority in a child view: its writes
    // land only if it succeeds.
    ledger::StateView child(view);
    ledger::TxContext action_ctx = ctx;
    action_ctx.governance = true;
    Contract* target = contracts_ == nullptr ? nullptr : contracts_->Find(p->action().contract());
    Status st = target == nullptr
                    ? Status::InvalidArgument(err::UNKNOWN_CONTRACT, "unknown contract '" + p->action().contract() + "'")
                    : target->Execute(action_ctx, p->action().call(), &child);
    if (st.ok()) {
      child.MergeInto(view);
      close(pb::PROPOSAL_EXECUTED);
    } else {
      close(pb::PROPOSAL_FAILED);
      p->set_result_code(st.app_code().empty() ? CodeName(st.code()) : st.app_code());
      p->set_result_message(st.message());
    }
  } else if ((total - no) * 3 <= total * 2) {
    close(pb::PROPOSAL_REJECTED);
  }
  WriteRecord(view, keys::Proposal(p->id()), *p);
  return Status::Ok();
}

Status Governance::EndBlock(const ledger::BlockContext& ctx, ledger::StateView* view) {
  // Open proposals are indexed by expiry height: stop at the first that has not expired.
  std::vector<std::pair<std::string, uint64_t>> expired;
  Status st = view->Scan(ledger::Space::kState, keys::kOpenProposalPrefix, "",
                         [&](std::string_view key, std::string_view) {
                           std::string_view rest = key.substr(keys::kOpenProposalPrefix.size());
                           if (rest.size() != 16) return true;
                           uint64_t expires = GetBigEndian64(rest);
                           if (expires > ctx.height) return false;
                           expired.emplace_back(std::string(key), GetBigEndian64(rest.substr(8)));
                           return true;
                         });
  if (!st.ok()) return st;
  for (const auto& [key, id] : expired) {
    view->Delete(key);
    CIVIC_ASSIGN_OR_RETURN(pb::Proposal p, GetProposal(*view, id));
    if (p.status() != pb::PROPOSAL_OPEN) continue;
    p.set_status(pb::PROPOSAL_EXPIRED);
    p.set_decided_height(ctx.height);
    p.set_decided_time_ms(ctx.block_time_ms);
    WriteRecord(view, keys::Proposal(id), p);
  }
  return Status::Ok();
}

}  // namespace civic::contracts
