// Client side of the governance contract: proposals, votes and the governance
// actions a proposal carries, as call messages and signed txs.
//
// Thread safety: pure functions apart from random nonces (thread-safe).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "contracts/base/tx_builder.h"
#include "contracts/governance/governance.pb.h"
#include "crypto/signature.h"

namespace civic::contracts {

Bytes GovernanceTx(const TxParams& params, const pb::GovernanceCall& call, const crypto::KeyPair& key);

// A proposal whose action is `action_call` (a serialized call) on `contract`.
pb::GovernanceCall ProposeCall(std::string_view title, std::string_view contract,
                               std::string_view action_call, std::string_view description = "");
pb::GovernanceCall ProposeCall(std::string_view title, const pb::GovernanceCall& action);
pb::GovernanceCall VoteCall(uint64_t proposal_id, bool yes);

// Governance actions: the action of a proposal (ProposeCall(title, action)); the
// contract runs them only when the proposal passes. Arguments are taken as given
// (the contract validates them: contracts/governance/contract.h).
pb::GovernanceCall AddOrgCall(std::string_view code, std::string_view name, std::string_view short_name,
                              const std::vector<crypto::PublicKey>& keys, const std::vector<pb::RoleGrant>& roles);
pb::GovernanceCall RemoveOrgCall(std::string_view code);
// Adds `scopes` to the org's grant of `role` (creating the grant).
pb::GovernanceCall GrantRoleCall(std::string_view org, pb::OrgRole role, const std::vector<std::string>& scopes);
// Empty `scopes`: the whole role; otherwise only these scopes.
pb::GovernanceCall RevokeRoleCall(std::string_view org, pb::OrgRole role, const std::vector<std::string>& scopes);
pb::GovernanceCall AddKeyCall(std::string_view org, const crypto::PublicKey& key);
pb::GovernanceCall RevokeKeyCall(std::string_view org, const crypto::PublicKey& key);
pb::GovernanceCall RotateKeyCall(std::string_view org, const crypto::PublicKey& old_key,
                                 const crypto::PublicKey& new_key);
// Adds, updates or (power 0) removes validator node key `node_key` of `org`.
pb::GovernanceCall SetValidatorCall(std::string_view org, const crypto::PublicKey& node_key, uint64_t power);

// Shorthands: one signed tx.
Bytes ProposeTx(const TxParams& params, std::string_view title, const pb::GovernanceCall& action,
                const crypto::KeyPair& key);
Bytes VoteTx(const TxParams& params, uint64_t proposal_id, bool yes, const crypto::KeyPair& key);

}  // namespace civic::contracts
