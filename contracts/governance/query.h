// Read-only governance queries over committed state (organisations, roles,
// keys, validators, proposals), with the JSON renderings shared by RPC and REST.
//
// Thread safety: pure functions of the reader; safe when the reader is.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "contracts/governance/governance.pb.h"
#include "crypto/signature.h"
#include "ledger/kv.h"

namespace civic::contracts {

// Typed errors: UNKNOWN_ORG, CORRUPTION.
Result<pb::Org> GetOrg(const ledger::KvReader& state, std::string_view code);
// All organisations (removed ones included, flagged), in code order.
Result<std::vector<pb::Org>> ListOrgs(const ledger::KvReader& state);
// The org whose signing key `key` is (active or revoked); nullopt if none.
Result<std::optional<std::string>> OrgOfKey(const ledger::KvReader& state, const crypto::PublicKey& key);
// True if `org` holds `role` (and, when `scope` is non-empty, that scope).
bool HasRole(const pb::Org& org, pb::OrgRole role, std::string_view scope = "");

Result<pb::GovValidatorList> GetValidators(const ledger::KvReader& state);
Result<pb::GovParams> GetParams(const ledger::KvReader& state);

// Typed errors: UNKNOWN_PROPOSAL.
Result<pb::Proposal> GetProposal(const ledger::KvReader& state, uint64_t id);
// Proposals in id order starting at `from_id`, at most `limit`.
Result<std::vector<pb::Proposal>> ListProposals(const ledger::KvReader& state, uint64_t from_id,
                                                size_t limit);

const char* RoleName(pb::OrgRole role);  // "VALIDATOR" | "ISSUER" | ... | "ADMIN"
Result<pb::OrgRole> ParseRole(std::string_view name);
const char* ProposalStatusName(pb::ProposalStatus status);  // "open" | "executed" | ...

boost::json::object OrgToJson(const pb::Org& org);
boost::json::array OrgsToJson(const std::vector<pb::Org>& orgs);
boost::json::object ValidatorsToJson(const pb::GovValidatorList& validators);
boost::json::object ParamsToJson(const pb::GovParams& params);
boost::json::object ProposalToJson(const pb::Proposal& proposal);

}  // namespace civic::contracts
