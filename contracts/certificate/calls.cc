#include "contracts/certificate/calls.h"

#include "contracts/base/contract_names.h"
#include "contracts/governance/calls.h"
#include "contracts/base/tx_builder.h"

namespace civic::contracts {

Bytes CertificateTx(const TxParams& params, const pb::CertificateCall& call, const crypto::KeyPair& key) {
  return SignCallTx(params, kCertificateContract, call, key);
}

pb::CertificateCall IssueCall(std::vector<pb::CertIssueItem> items) {
  pb::CertificateCall call;
  auto* issue = call.mutable_issue();
  issue->mutable_certificates()->Reserve(static_cast<int>(items.size()));
  for (auto& item : items) *issue->add_certificates() = std::move(item);
  return call;
}

namespace {
template <typename VersionCall>
void FillVersion(VersionCall* m, std::string_view previous_id, const HolderCertificate* updated,
                 int64_t valid_from_ms, int64_t valid_until_ms) {
  m->set_previous_id(std::string(previous_id));
  if (updated != nullptr) {
    m->set_holder_commitment(updated->Commitment());
    for (auto& c : updated->Claims()) *m->add_claims() = std::move(c);
  }
  m->set_valid_from_ms(valid_from_ms);
  m->set_valid_until_ms(valid_until_ms);
}
}  // namespace

pb::CertificateCall RenewCall(std::string_view previous_id, const HolderCertificate* updated, int64_t valid_from_ms,
                              int64_t valid_until_ms) {
  pb::CertificateCall call;
  FillVersion(call.mutable_renew(), previous_id, updated, valid_from_ms, valid_until_ms);
  return call;
}

pb::CertificateCall ReplaceCall(std::string_view previous_id, const HolderCertificate* updated,
                                std::string_view reason, int64_t valid_from_ms, int64_t valid_until_ms) {
  pb::CertificateCall call;
  FillVersion(call.mutable_replace(), previous_id, updated, valid_from_ms, valid_until_ms);
  call.mutable_replace()->set_reason(std::string(reason));
  return call;
}

pb::CertificateCall SuspendCall(std::string_view id, std::string_view reason) {
  pb::CertificateCall call;
  call.mutable_suspend()->set_id(std::string(id));
  call.mutable_suspend()->set_reason(std::string(reason));
  return call;
}

pb::CertificateCall ReinstateCall(std::string_view id, std::string_view reason) {
  pb::CertificateCall call;
  call.mutable_reinstate()->set_id(std::string(id));
  call.mutable_reinstate()->set_reason(std::string(reason));
  return call;
}

pb::CertificateCall RevokeCall(std::string_view id, std::string_view reason) {
  pb::CertificateCall call;
  call.mutable_revoke()->set_id(std::string(id));
  call.mutable_revoke()->set_reason(std::string(reason));
  return call;
}

pb::CertificateCall RegisterTypeCall(const pb::CertType& type) {
  pb::CertificateCall call;
  *call.mutable_register_type()->mutable_type() = type;
  return call;
}

pb::GovernanceCall ProposeCall(std::string_view title, const pb::CertificateCall& action) {
  return ProposeCall(title, kCertificateContract, action.SerializeAsString());
}

Bytes IssueTx(const TxParams& params, std::vector<pb::CertIssueItem> items, const crypto::KeyPair& key) {
  return CertificateTx(params, IssueCall(std::move(items)), key);
}

Bytes ProposeTx(const TxParams& params, std::string_view title, const pb::CertificateCall& action,
                const crypto::KeyPair& key) {
  return GovernanceTx(params, ProposeCall(title, action), key);
}

}  // namespace civic::contracts
