#include "contracts/governance/rules.h"

#include <algorithm>
#include <set>

#include "contracts/base/checks.h"
#include "contracts/base/enum_names.h"
#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "crypto/signature.h"

namespace civic::contracts {

Status ValidateScope(pb::OrgRole role, std::string_view scope) {
  if (role == pb::ROLE_ISSUER) {
    Status st = ValidateTypeCode(scope);
    if (!st.ok()) return Status::InvalidArgument(err::BAD_SCOPE, "ISSUER scope: " + st.message());
    return Status::Ok();
  }
  if (!IsToken(scope, "_.-")) {
    return Status::InvalidArgument(err::BAD_SCOPE, std::string(EnumUpperName(role)) + " scope '" + Shown(scope) +
                                                    "' must match [A-Za-z0-9_.-]{1,64}");
  }
  return Status::Ok();
}

Status ValidateKey(uint32_t algo, std::string_view key) {
  if (algo < 1 || algo > 3) {
    return Status::InvalidArgument(err::BAD_KEY, "unknown key algorithm " + std::to_string(algo));
  }
  crypto::PublicKey pub{static_cast<crypto::Algo>(algo), std::string(key)};
  Status st = pub.Validate();
  if (!st.ok()) return Status::InvalidArgument(err::BAD_KEY, "invalid public key: " + st.message());
  return Status::Ok();
}

pb::GovParams DefaultParams() {
  pb::GovParams p;
  p.set_proposal_ttl_blocks(100'000);
  p.set_max_batch_certificates(10'000);
  return p;
}

Status ValidateParams(const pb::GovParams& p) {
  if (p.proposal_ttl_blocks() < 1 || p.proposal_ttl_blocks() > kMaxProposalTtlBlocks) {
    return Status::InvalidArgument(err::BAD_PARAMS,
                                   "proposal_ttl_blocks must be 1.." + std::to_string(kMaxProposalTtlBlocks));
  }
  if (p.max_batch_certificates() < 1 || p.max_batch_certificates() > kMaxBatchCertificatesLimit) {
    return Status::InvalidArgument(err::BAD_PARAMS,
                                   "max_batch_certificates must be 1.." + std::to_string(kMaxBatchCertificatesLimit));
  }
  return Status::Ok();
}

bool ValidatorKeyLess(const pb::GovValidator& a, const pb::GovValidator& b) {
  if (a.algo() != b.algo()) return a.algo() < b.algo();
  return a.key() < b.key();
}

void MergeRole(pb::Org* org, pb::OrgRole role, const std::vector<std::string>& scopes) {
  auto* roles = org->mutable_roles();
  auto it = std::find_if(roles->begin(), roles->end(), [&](const auto& g) { return g.role() == role; });
  pb::RoleGrant* grant;
  if (it == roles->end()) {
    grant = roles->Add();
    grant->set_role(role);
  } else {
    grant = &*it;
  }
  std::set<std::string> merged(grant->scopes().begin(), grant->scopes().end());
  merged.insert(scopes.begin(), scopes.end());
  grant->clear_scopes();
  for (const auto& s : merged) grant->add_scopes(s);
  std::sort(roles->begin(), roles->end(), [](const auto& a, const auto& b) { return a.role() < b.role(); });
}

bool HasRole(const pb::Org& org, pb::OrgRole role, std::string_view scope) {
  if (org.removed()) return false;
  for (const auto& grant : org.roles()) {
    if (grant.role() != role) continue;
    if (scope.empty()) return true;
    for (const auto& s : grant.scopes())
      if (s == scope) return true;
    return false;
  }
  return false;
}

Result<pb::OrgRole> ParseRole(std::string_view name) {
  if (auto role = ParseEnumUpperName<pb::OrgRole>(name)) return *role;
  return Status::InvalidArgument(
      err::BAD_ROLE, "unknown role '" + Shown(name) + "' (" + EnumNameList<pb::OrgRole>(/*upper=*/true) + ")");
}

}  // namespace civic::contracts
