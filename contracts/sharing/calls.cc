#include "contracts/sharing/calls.h"

#include "contracts/base/contract_names.h"

namespace civic::contracts {

Bytes SharingTx(const TxParams& params, const pb::SharingCall& call, const crypto::KeyPair& key) {
  return SignCallTx(params, kSharingContract, call, key);
}

pb::SharingCall RegisterResourceCall(const pb::SharingResource& resource) {
  pb::SharingCall c;
  *c.mutable_register_resource()->mutable_resource() = resource;
  return c;
}

pb::SharingCall RequestGrantCall(const pb::SharingGrant& grant) {
  pb::SharingCall c;
  *c.mutable_request_grant()->mutable_grant() = grant;
  return c;
}

pb::SharingCall IssueGrantCall(const pb::SharingGrant& grant) {
  pb::SharingCall c;
  *c.mutable_issue_grant()->mutable_grant() = grant;
  return c;
}

pb::SharingCall ApproveGrantCall(std::string_view grant_id, const std::vector<std::string>& fields,
                                 int64_t expires_at_ms, std::string_view note) {
  pb::SharingCall c;
  auto* m = c.mutable_approve_grant();
  m->set_grant_id(std::string(grant_id));
  for (const auto& f : fields) m->add_fields(f);
  m->set_expires_at_ms(expires_at_ms);
  m->set_note(std::string(note));
  return c;
}

pb::SharingCall RejectGrantCall(std::string_view grant_id, std::string_view reason) {
  pb::SharingCall c;
  c.mutable_reject_grant()->set_grant_id(std::string(grant_id));
  c.mutable_reject_grant()->set_reason(std::string(reason));
  return c;
}

pb::SharingCall RevokeGrantCall(std::string_view grant_id, std::string_view reason) {
  pb::SharingCall c;
  c.mutable_revoke_grant()->set_grant_id(std::string(grant_id));
  c.mutable_revoke_grant()->set_reason(std::string(reason));
  return c;
}

pb::SharingCall LogAccessCall(std::vector<pb::SharingAccess> accesses) {
  pb::SharingCall c;
  auto* list = c.mutable_log_access()->mutable_accesses();
  list->Reserve(static_cast<int>(accesses.size()));
  for (auto& a : accesses) *list->Add() = std::move(a);
  return c;
}

pb::SharingCall AcknowledgeCall(std::vector<pb::SharingAck> acks) {
  pb::SharingCall c;
  auto* list = c.mutable_acknowledge()->mutable_acks();
  list->Reserve(static_cast<int>(acks.size()));
  for (auto& a : acks) *list->Add() = std::move(a);
  return c;
}

pb::SharingCall SetSharingParamsCall(const pb::SharingParams& params) {
  pb::SharingCall c;
  *c.mutable_set_params()->mutable_params() = params;
  return c;
}

}  // namespace civic::contracts
