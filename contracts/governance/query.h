// Read-only governance queries over committed state (organisations, roles,
// keys, validators, proposals), as C++ values. Their JSON renderings are in
// rpc/codec/governance.h.
//
// Thread safety: pure functions of the reader; safe when the reader is.
#pragma once

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

Result<pb::GovValidatorList> GetValidators(const ledger::KvReader& state);
// The parameters in force: DefaultParams() until genesis or set_params writes them.
Result<pb::GovParams> GetParams(const ledger::KvReader& state);

// Typed errors: UNKNOWN_PROPOSAL.
Result<pb::Proposal> GetProposal(const ledger::KvReader& state, uint64_t id);
// Proposals in id order starting at `from_id`, at most `limit`.
Result<std::vector<pb::Proposal>> ListProposals(const ledger::KvReader& state, uint64_t from_id,
                                                size_t limit);

}  // namespace civic::contracts
