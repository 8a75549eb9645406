// The governance contract: organisations, their keys and roles, the validator
// set, chain parameters, and proposals voted by ADMIN orgs.
//
// Proposals: an ADMIN org proposes an action (contract name + call bytes); the
// proposer's org counts as a yes vote. Every ADMIN org votes at most once. When
// yes votes of current ADMIN orgs exceed 2/3 of the current ADMIN orgs, the tx
// that cast the deciding vote runs the action with TxContext.governance = true,
// in a child view: if the action fails, its writes are dropped, the proposal is
// marked FAILED with the action's error and the vote itself still counts. When
// the threshold can no longer be reached the proposal is REJECTED; proposals not
// decided by their expiry height become EXPIRED in EndBlock.
//
// Governance actions (only with governance = true): add/remove org, grant/revoke
// role, add/rotate key, set validator, set params. An org may also revoke one of
// its own keys directly (e.g. a lost key), keeping at least one active key.
// Validator changes are written at once; the chain reads the validator set after
// each block, so they take effect at the next height boundary.
//
// The pure rules (scopes, keys, parameters, roles) are in rules.h; the state
// layout in keys.h; queries in query.h.
//
// Typed errors: CALL_MALFORMED, EMPTY_CALL, NOT_ADMIN, GOVERNANCE_REQUIRED,
// BAD_PROPOSAL, BAD_ACTION, UNKNOWN_CONTRACT, UNKNOWN_PROPOSAL, PROPOSAL_CLOSED,
// PROPOSAL_EXPIRED, ALREADY_VOTED, BAD_USCC, BAD_ORG, ORG_EXISTS, UNKNOWN_ORG,
// ORG_REMOVED, LAST_ADMIN, BAD_ROLE, BAD_SCOPE, ROLE_NOT_HELD, SCOPE_NOT_HELD,
// BAD_KEY, KEY_IN_USE, UNKNOWN_KEY, KEY_ALREADY_REVOKED, LAST_KEY, MISSING_ROLE,
// VALIDATOR_OTHER_ORG, UNKNOWN_VALIDATOR, VALIDATOR_SET_EMPTY, VALIDATOR_IN_USE,
// BAD_POWER, BAD_PARAMS.
//
// Not thread-safe: executed by the chain's single applying thread.
#pragma once

#include <string>
#include <vector>

#include "contracts/base/contract.h"
#include "contracts/governance/governance.pb.h"

namespace civic::contracts {

class Governance final : public Contract {
 public:
  // `contracts` dispatches passed proposals' actions; it must outlive this contract.
  explicit Governance(const ContractLookup* contracts) : contracts_(contracts) {}

  std::string_view name() const override { return "governance"; }
  Status Execute(const ledger::TxContext& ctx, std::string_view call, ledger::StateView* view) override;
  Status EndBlock(const ledger::BlockContext& ctx, ledger::StateView* view) override;
  Status Check(const ledger::TxContext& ctx, std::string_view call, const ledger::KvReader& state) const override;

 private:
  Status Propose(const ledger::TxContext& ctx, const pb::GovPropose& m, ledger::StateView* view);
  Status Vote(const ledger::TxContext& ctx, const pb::GovVote& m, ledger::StateView* view);
  // Counts votes; executes, rejects or leaves the proposal open; writes it.
  Status Tally(const ledger::TxContext& ctx, pb::Proposal* proposal, ledger::StateView* view);
  Status CheckAction(const pb::ProposalAction& action) const;

  const ContractLookup* contracts_;
};

// Shared with the contracts whose registrations grant scopes (a certificate type:
// ISSUER; a credit category: CREDIT_AUTHORITY). Adds `scopes` to `role` of active
// org `org_code` (MergeRole) and writes the org. Typed errors: UNKNOWN_ORG, ORG_REMOVED.
Status GrantRoleScopes(ledger::StateView* view, std::string_view org_code, pb::OrgRole role,
                       const std::vector<std::string>& scopes);

}  // namespace civic::contracts
