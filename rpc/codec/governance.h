// JSON renderings of the governance contract's records, as the gov_* methods
// answer them (docs/RPC.md): organisations with roles and keys, the validator
// set, the chain parameters and proposals. Member order is part of the answer.
//
// Binary values are lower-case hex, public keys "<algo>:<hex>" ("unknown:<hex>"
// for an algorithm this build does not know), times RFC 3339.
//
// Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <vector>

#include "contracts/governance/governance.pb.h"

namespace civic::rpc {

boost::json::object OrgToJson(const pb::Org& org);
boost::json::array OrgsToJson(const std::vector<pb::Org>& orgs);
// {"validators":[{"pub_key","power","org"},..],"total_power"}
boost::json::object ValidatorsToJson(const pb::GovValidatorList& validators);
boost::json::object ParamsToJson(const pb::GovParams& params);
boost::json::object ProposalToJson(const pb::Proposal& proposal);

}  // namespace civic::rpc
