#include "contracts/governance/query.h"

#include "contracts/base/errors.h"
#include "contracts/base/state_io.h"
#include "contracts/governance/keys.h"
#include "contracts/governance/rules.h"

namespace civic::contracts {

Result<pb::Org> GetOrg(const ledger::KvReader& state, std::string_view code) {
  auto org = ReadRecord<pb::Org>(state, keys::Org(code));
  if (!org.ok()) return org.status();
  if (!org->has_value()) {
    return Status::NotFound(err::UNKNOWN_ORG, "no organisation with code '" + std::string(code.substr(0, 64)) + "'");
  }
  return std::move(**org);
}

Result<std::vector<pb::Org>> ListOrgs(const ledger::KvReader& state) {
  return RecordsUnder<pb::Org>(state, keys::kOrgPrefix);
}

Result<std::optional<std::string>> OrgOfKey(const ledger::KvReader& state, const crypto::PublicKey& key) {
  auto owner = state.Get(ledger::Space::kState, keys::KeyOwner(key));
  if (!owner.ok()) return owner.status();
  return std::move(*owner);
}

Result<pb::GovValidatorList> GetValidators(const ledger::KvReader& state) {
  auto list = ReadRecord<pb::GovValidatorList>(state, keys::kValidators);
  if (!list.ok()) return list.status();
  return list->value_or(pb::GovValidatorList());
}

Result<pb::GovParams> GetParams(const ledger::KvReader& state) {
  auto params = ReadRecord<pb::GovParams>(state, keys::kParams);
  if (!params.ok()) return params.status();
  return params->value_or(DefaultParams());
}

Result<pb::Proposal> GetProposal(const ledger::KvReader& state, uint64_t id) {
  auto proposal = ReadRecord<pb::Proposal>(state, keys::Proposal(id));
  if (!proposal.ok()) return proposal.status();
  if (!proposal->has_value()) {
    return Status::NotFound(err::UNKNOWN_PROPOSAL, "no proposal with id " + std::to_string(id));
  }
  return std::move(**proposal);
}

Result<std::vector<pb::Proposal>> ListProposals(const ledger::KvReader& state, uint64_t from_id, size_t limit) {
  std::vector<pb::Proposal> out;
  Status parse_error;
  if (limit == 0) return out;
  Status st = state.Scan(ledger::Space::kState, keys::kProposalPrefix, keys::Proposal(from_id),
                         [&](std::string_view key, std::string_view value) {
                           pb::Proposal p;
                           if (!p.ParseFromString(std::string(value))) {
                             parse_error = Status::Corruption("proposal record does not parse");
                             return false;
                           }
                           out.push_back(std::move(p));
                           return out.size() < limit;
                         });
  if (!st.ok()) return st;
  if (!parse_error.ok()) return parse_error;
  return out;
}

}  // namespace civic::contracts
