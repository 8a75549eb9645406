// JSON renderings of the governance contract's records, as the gov_* methods
// answer them (docs/RPC.md): organisations with roles and keys, the validator
// set, the chain parameters and proposals; and the decoder of governance calls
// for chain_getTx. Member order is part of the answer.
//
// A proposal's action is a call of another contract, so it is shown under that
// contract's visibility rule (contracts/base/visibility.h): ActionToJson is the
// one rendering of actions, used by gov_proposal, gov_proposals and the
// propose call in chain_getTx / GET /v1/txs/{id} (and so the page), and it
// hides from a viewer exactly what the same call sent directly would hide.
//
// Binary values are lower-case hex, public keys "<algo>:<hex>" ("unknown:<hex>"
// for an algorithm this build does not know), times RFC 3339.
//
// Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <vector>

#include "contracts/base/visibility.h"
#include "contracts/governance/governance.pb.h"
#include "rpc/methods.h"

namespace civic::rpc {

boost::json::object OrgToJson(const pb::Org& org);
boost::json::array OrgsToJson(const std::vector<pb::Org>& orgs);
// {"validators":[{"pub_key","power","org"},..],"total_power"}
boost::json::object ValidatorsToJson(const pb::GovValidatorList& validators);
boost::json::object ParamsToJson(const pb::GovParams& params);

// A proposal's action as `viewer` may see it: {"contract", "method", "call",
// "call_hex"}, `call` decoded by the decoder of the action's contract in
// `decoders` (may be null) and redacted for the viewer. When anything of it is
// hidden, or a known contract's call does not decode ("call_error" instead of
// "method" and "call": what it holds cannot be judged), `redacted` is true and
// call_hex is left out. An action of a contract without a decoder shows
// call_hex only. Actions nested in a proposal's action (which the contract
// refuses) are decoded one level deep at most.
struct ActionView {
  boost::json::object json;
  bool redacted = false;
};
ActionView ActionToJson(const pb::ProposalAction& action, const MethodTable* decoders, contracts::Viewer viewer);

// The proposal with its action by ActionToJson and "redacted" (whether
// anything of the action was hidden from `viewer`).
boost::json::object ProposalToJson(const pb::Proposal& proposal, const MethodTable* decoders,
                                   contracts::Viewer viewer);

// The decoder of the governance contract's calls (TxBody.call): as
// ProtoCallDecoder, with a propose call's action by ActionToJson; `redacted`
// covers the action too. `decoders` (the table it is registered in, may be
// null) must outlive it. Typed error: CALL_MALFORMED.
CallDecoder GovernanceCallDecoder(const MethodTable* decoders);

}  // namespace civic::rpc
