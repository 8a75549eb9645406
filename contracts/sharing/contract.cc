#include "contracts/sharing/contract.h"

#include "contracts/base/enum_names.h"
#include "contracts/base/errors.h"
#include "contracts/governance/query.h"
#include "contracts/governance/rules.h"
#include "contracts/sharing/rules.h"

namespace civic::contracts {

namespace {

Result<pb::SharingCall> DecodeCall(std::string_view call) {
  pb::SharingCall m;
  if (!m.ParseFromArray(call.data(), static_cast<int>(call.size()))) {
    return Status::InvalidArgument(err::CALL_MALFORMED, "the sharing call does not decode");
  }
  if (m.call_case() == pb::SharingCall::CALL_NOT_SET) {
    return Status::InvalidArgument(err::EMPTY_CALL, "the sharing call names no operation");
  }
  return m;
}

bool AllowedAsGovernance(pb::SharingCall::CallCase kind) {
  return kind == pb::SharingCall::kRegisterResource || kind == pb::SharingCall::kRevokeGrant ||
         kind == pb::SharingCall::kSetParams;
}

Status NotAGovernanceAction() {
  return Status::InvalidArgument(err::NOT_A_GOVERNANCE_ACTION,
                                 "this sharing call is signed by a department; only resource registration, grant "
                                 "revocation and parameters can be governance actions");
}

// The batch size against the parameters in `state`; checked again at execution.
Status CheckBatch(const ledger::KvReader& state, int items, std::string_view what) {
  CIVIC_ASSIGN_OR_RETURN(pb::SharingParams params, GetSharingParams(state));
  return CheckBatchSize(params, static_cast<size_t>(items), what);
}

}  // namespace

Result<pb::Org> SharingContract::ActiveOrg(const ledger::KvReader& state, std::string_view code) {
  CIVIC_ASSIGN_OR_RETURN(pb::Org org, GetOrg(state, code));
  if (org.removed()) return Status::PermissionDenied(err::ORG_REMOVED, "org " + org.code() + " has been removed");
  return org;
}

Status SharingContract::RequireRole(const pb::Org& org, pb::OrgRole role) {
  if (!HasRole(org, role)) {
    return Status::PermissionDenied(
        err::MISSING_ROLE, "org " + org.code() + " (" + org.name() + ") does not hold the " + EnumUpperName(role) + " role");
  }
  return Status::Ok();
}

Status SharingContract::Execute(const ledger::TxContext& ctx, std::string_view call, ledger::StateView* view) {
  if (ctx.tx == nullptr) return Status::Internal("sharing call without a tx");
  CIVIC_ASSIGN_OR_RETURN(pb::SharingCall m, DecodeCall(call));
  if (ctx.governance && !AllowedAsGovernance(m.call_case())) return NotAGovernanceAction();
  if (m.call_case() == pb::SharingCall::kLogAccess || m.call_case() == pb::SharingCall::kAcknowledge) {
    return ExecuteAccessCall(ctx, &m, view);
  }
  return ExecuteGrantCall(ctx, &m, view);
}

Status SharingContract::Check(const ledger::TxContext& ctx, std::string_view call,
                              const ledger::KvReader& state) const {
  CIVIC_ASSIGN_OR_RETURN(pb::SharingCall m, DecodeCall(call));
  if (ctx.governance) return AllowedAsGovernance(m.call_case()) ? Status::Ok() : NotAGovernanceAction();
  if (m.call_case() == pb::SharingCall::kSetParams) {
    return Status::PermissionDenied(err::GOVERNANCE_REQUIRED, "sharing parameters are set by governance: propose it");
  }
  if (ctx.tx == nullptr) return Status::Internal("sharing call without a tx");
  CIVIC_ASSIGN_OR_RETURN(pb::Org org, ActiveOrg(state, ctx.tx->body.org()));
  switch (m.call_case()) {
    case pb::SharingCall::kRegisterResource:
    case pb::SharingCall::kIssueGrant:
      return RequireRole(org, pb::ROLE_DATA_PROVIDER);
    case pb::SharingCall::kRequestGrant:
      return RequireRole(org, pb::ROLE_DATA_REQUESTER);
    case pb::SharingCall::kLogAccess:
      CIVIC_RETURN_IF_ERROR(RequireRole(org, pb::ROLE_DATA_REQUESTER));
      return CheckBatch(state, m.log_access().accesses_size(), "accesses");
    case pb::SharingCall::kAcknowledge:
      return CheckBatch(state, m.acknowledge().acks_size(), "acknowledgements");
    default:
      return Status::Ok();  // approve / reject / revoke: decided against the grant at execution
  }
}

}  // namespace civic::contracts
