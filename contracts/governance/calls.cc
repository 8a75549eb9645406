#include "contracts/governance/calls.h"

#include "contracts/base/contract_names.h"
#include "contracts/base/tx_builder.h"

namespace civic::contracts {

Bytes GovernanceTx(const TxParams& params, const pb::GovernanceCall& call, const crypto::KeyPair& key) {
  return SignCallTx(params, kGovernanceContract, call, key);
}

pb::GovernanceCall ProposeCall(std::string_view title, std::string_view contract, std::string_view action_call,
                               std::string_view description) {
  pb::GovernanceCall call;
  auto* p = call.mutable_propose();
  p->set_title(std::string(title));
  p->set_description(std::string(description));
  p->mutable_action()->set_contract(std::string(contract));
  p->mutable_action()->set_call(std::string(action_call));
  return call;
}

pb::GovernanceCall ProposeCall(std::string_view title, const pb::GovernanceCall& action) {
  return ProposeCall(title, kGovernanceContract, action.SerializeAsString());
}

pb::GovernanceCall VoteCall(uint64_t proposal_id, bool yes) {
  pb::GovernanceCall call;
  call.mutable_vote()->set_proposal_id(proposal_id);
  call.mutable_vote()->set_yes(yes);
  return call;
}

pb::GovernanceCall AddOrgCall(std::string_view code, std::string_view name, std::string_view short_name,
                              const std::vector<crypto::PublicKey>& keys, const std::vector<pb::RoleGrant>& roles) {
  pb::GovernanceCall call;
  auto* m = call.mutable_add_org();
  m->set_code(std::string(code));
  m->set_name(std::string(name));
  m->set_short_name(std::string(short_name));
  for (const auto& key : keys) {
    auto* k = m->add_keys();
    k->set_algo(static_cast<uint32_t>(key.algo));
    k->set_key(key.key);
  }
  for (const auto& role : roles) *m->add_roles() = role;
  return call;
}

pb::GovernanceCall RemoveOrgCall(std::string_view code) {
  pb::GovernanceCall call;
  call.mutable_remove_org()->set_code(std::string(code));
  return call;
}

namespace {
// GovGrantRole and GovRevokeRole carry the same fields.
template <typename RoleChange>
void FillRoleChange(RoleChange* m, std::string_view org, pb::OrgRole role, const std::vector<std::string>& scopes) {
  m->set_org(std::string(org));
  m->set_role(role);
  for (const auto& s : scopes) m->add_scopes(s);
}
}  // namespace

pb::GovernanceCall GrantRoleCall(std::string_view org, pb::OrgRole role, const std::vector<std::string>& scopes) {
  pb::GovernanceCall call;
  FillRoleChange(call.mutable_grant_role(), org, role, scopes);
  return call;
}

pb::GovernanceCall RevokeRoleCall(std::string_view org, pb::OrgRole role, const std::vector<std::string>& scopes) {
  pb::GovernanceCall call;
  FillRoleChange(call.mutable_revoke_role(), org, role, scopes);
  return call;
}

pb::GovernanceCall AddKeyCall(std::string_view org, const crypto::PublicKey& key) {
  pb::GovernanceCall call;
  auto* m = call.mutable_add_key();
  m->set_org(std::string(org));
  m->set_algo(static_cast<uint32_t>(key.algo));
  m->set_key(key.key);
  return call;
}

pb::GovernanceCall RevokeKeyCall(std::string_view org, const crypto::PublicKey& key) {
  pb::GovernanceCall call;
  auto* m = call.mutable_revoke_key();
  m->set_org(std::string(org));
  m->set_algo(static_cast<uint32_t>(key.algo));
  m->set_key(key.key);
  return call;
}

pb::GovernanceCall RotateKeyCall(std::string_view org, const crypto::PublicKey& old_key,
                                 const crypto::PublicKey& new_key) {
  pb::GovernanceCall call;
  auto* m = call.mutable_rotate_key();
  m->set_org(std::string(org));
  m->set_old_algo(static_cast<uint32_t>(old_key.algo));
  m->set_old_key(old_key.key);
  m->set_new_algo(static_cast<uint32_t>(new_key.algo));
  m->set_new_key(new_key.key);
  return call;
}

pb::GovernanceCall SetValidatorCall(std::string_view org, const crypto::PublicKey& node_key, uint64_t power) {
  pb::GovernanceCall call;
  auto* m = call.mutable_set_validator();
  m->set_org(std::string(org));
  m->set_algo(static_cast<uint32_t>(node_key.algo));
  m->set_key(node_key.key);
  m->set_power(power);
  return call;
}

Bytes ProposeTx(const TxParams& params, std::string_view title, const pb::GovernanceCall& action,
                const crypto::KeyPair& key) {
  return GovernanceTx(params, ProposeCall(title, action), key);
}

Bytes VoteTx(const TxParams& params, uint64_t proposal_id, bool yes, const crypto::KeyPair& key) {
  return GovernanceTx(params, VoteCall(proposal_id, yes), key);
}

}  // namespace civic::contracts
