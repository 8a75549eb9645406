// The governance contract's pure rules, shared by the contract, genesis, the
// other contracts and the CLI: what a valid scope, signing key and parameter
// set are, the default parameters, how an org's roles are kept and read, and
// role names as the CLI and genesis files spell them.
//
// None of these reads or writes state. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "contracts/governance/governance.pb.h"
#include "crypto/base/status.h"

namespace civic::contracts {

// Checks a scope for a role: ISSUER scopes are type codes, others are tokens
// [A-Za-z0-9_.-]{1,64}. Typed errors: BAD_SCOPE.
Status ValidateScope(pb::OrgRole role, std::string_view scope);
// Checks a public key (algo + bytes). Typed error: BAD_KEY.
Status ValidateKey(uint32_t algo, std::string_view key);

// The ranges of the chain parameters, for set_params, genesis and the CLI.
constexpr uint64_t kMaxProposalTtlBlocks = 10'000'000;
constexpr uint32_t kMaxBatchCertificatesLimit = 100'000;
// Default chain parameters (genesis without "params").
pb::GovParams DefaultParams();
// Checks both parameters against those ranges (from 1). Typed error: BAD_PARAMS.
Status ValidateParams(const pb::GovParams& params);

// Orders validators by public key (algo, then key bytes), as validator sets are kept.
bool ValidatorKeyLess(const pb::GovValidator& a, const pb::GovValidator& b);

// Adds `scopes` to `org`'s grant of `role` (creating the grant), keeping the
// grants sorted by role and each grant's scopes sorted and unique.
void MergeRole(pb::Org* org, pb::OrgRole role, const std::vector<std::string>& scopes);
// True if `org` is not removed and holds `role` (and, when `scope` is non-empty,
// that scope).
bool HasRole(const pb::Org& org, pb::OrgRole role, std::string_view scope = "");

// The role named "VALIDATOR", "ISSUER", ... "ADMIN" (EnumUpperName of the role).
// Typed error: BAD_ROLE.
Result<pb::OrgRole> ParseRole(std::string_view name);

}  // namespace civic::contracts
