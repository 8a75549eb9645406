#include "contracts/credit/calls.h"

#include <string>

#include "contracts/base/contract_names.h"
#include "contracts/governance/calls.h"

namespace civic::contracts {
namespace {

pb::CreditFile FileMessage(uint64_t entry_id, std::string_view evidence_digest, std::string_view statement) {
  pb::CreditFile f;
  f.set_entry_id(entry_id);
  f.set_evidence_digest(std::string(evidence_digest));
  f.set_statement(std::string(statement));
  return f;
}

pb::CreditDecide DecideMessage(uint64_t entry_id, bool approve, std::string_view note) {
  pb::CreditDecide d;
  d.set_entry_id(entry_id);
  d.set_approve(approve);
  d.set_note(std::string(note));
  return d;
}

}  // namespace

Bytes CreditTx(const TxParams& params, const pb::CreditCall& call, const crypto::KeyPair& key) {
  return SignCallTx(params, kCreditContract, call, key);
}

pb::CreditCall RegisterCreditCall(std::vector<pb::CreditCategory> categories, std::vector<pb::CreditMeasure> measures,
                                  std::vector<pb::CreditMeasureRef> remove_measures) {
  pb::CreditCall call;
  pb::CreditRegister* r = call.mutable_registration();
  for (auto& c : categories) *r->add_categories() = std::move(c);
  for (auto& m : measures) *r->add_measures() = std::move(m);
  for (auto& m : remove_measures) *r->add_remove_measures() = std::move(m);
  return call;
}

pb::CreditCall ListCreditCall(std::vector<pb::CreditListing> listings) {
  pb::CreditCall call;
  pb::CreditListCall* list = call.mutable_list();
  for (auto& l : listings) *list->add_entries() = std::move(l);
  return call;
}

pb::CreditCall DelistCall(uint64_t entry_id, std::string_view reason) {
  pb::CreditCall call;
  call.mutable_delist()->set_entry_id(entry_id);
  call.mutable_delist()->set_reason(std::string(reason));
  return call;
}

pb::CreditCall RepairApplyCall(uint64_t entry_id, std::string_view evidence_digest, std::string_view statement) {
  pb::CreditCall call;
  *call.mutable_repair_apply() = FileMessage(entry_id, evidence_digest, statement);
  return call;
}

pb::CreditCall RepairDecideCall(uint64_t entry_id, bool approve, std::string_view note) {
  pb::CreditCall call;
  *call.mutable_repair_decide() = DecideMessage(entry_id, approve, note);
  return call;
}

pb::CreditCall ObjectionFileCall(uint64_t entry_id, std::string_view evidence_digest, std::string_view statement) {
  pb::CreditCall call;
  *call.mutable_object_file() = FileMessage(entry_id, evidence_digest, statement);
  return call;
}

pb::CreditCall ObjectionDecideCall(uint64_t entry_id, bool uphold, std::string_view note) {
  pb::CreditCall call;
  *call.mutable_object_decide() = DecideMessage(entry_id, uphold, note);
  return call;
}

pb::CreditCall CommitCall(const pb::CreditSubject& subject, std::string_view matter, std::string_view content_digest,
                          std::string_view summary, int64_t valid_until_ms) {
  pb::CreditCall call;
  pb::CreditCommit* c = call.mutable_commit();
  *c->mutable_subject() = subject;
  c->set_matter(std::string(matter));
  c->set_content_digest(std::string(content_digest));
  c->set_summary(std::string(summary));
  c->set_valid_until_ms(valid_until_ms);
  return call;
}

pb::CreditCall BreakCommitmentCall(uint64_t commitment_id, std::string_view note) {
  pb::CreditCall call;
  call.mutable_break_commitment()->set_commitment_id(commitment_id);
  call.mutable_break_commitment()->set_note(std::string(note));
  return call;
}

pb::GovernanceCall ProposeCreditCall(std::string_view title, const pb::CreditCall& action,
                                     std::string_view description) {
  return ProposeCall(title, kCreditContract, action.SerializeAsString(), description);
}

}  // namespace civic::contracts
