// The credit executor: dispatch, the helpers every area uses, registration of
// categories and measures, and commitments. Listing is in contract_listing.cc,
// the rest of an entry's life in contract_lifecycle.cc.
#include "contracts/credit/contract.h"

#include <algorithm>

#include "contracts/base/checks.h"
#include "contracts/base/errors.h"
#include "contracts/base/state_io.h"
#include "contracts/credit/keys.h"
#include "contracts/credit/query.h"
#include "contracts/credit/rules.h"
#include "contracts/governance/contract.h"
#include "contracts/governance/query.h"

namespace civic::contracts {
namespace {

Result<pb::CreditCall> DecodeCall(std::string_view call) {
  pb::CreditCall m;
  if (!m.ParseFromArray(call.data(), static_cast<int>(call.size()))) {
    return Status::InvalidArgument(err::CALL_MALFORMED, "the credit call does not decode");
  }
  if (m.call_case() == pb::CreditCall::CALL_NOT_SET) {
    return Status::InvalidArgument(err::EMPTY_CALL, "the credit call names no operation");
  }
  return m;
}

Result<pb::Org> ActiveSigner(const ledger::TxContext& ctx, const ledger::KvReader& state) {
  CIVIC_ASSIGN_OR_RETURN(pb::Org org, GetOrg(state, ctx.tx->body.org()));
  if (org.removed()) return Status::PermissionDenied(err::ORG_REMOVED, "org " + org.code() + " has been removed");
  return org;
}

Status NeedGovernance() {
  return Status::PermissionDenied(err::GOVERNANCE_REQUIRED,
                                  "registering credit categories and measures is a governance action: propose it "
                                  "and let more than 2/3 of ADMIN orgs vote yes");
}

}  // namespace

Status CreditContract::Execute(const ledger::TxContext& ctx, std::string_view call, ledger::StateView* view) {
  if (ctx.tx == nullptr) return Status::Internal("credit call without a tx");
  CIVIC_ASSIGN_OR_RETURN(pb::CreditCall m, DecodeCall(call));
  Executor executor(ctx, view, /*check=*/false);
  return executor.Run(m);
}

Status CreditContract::Check(const ledger::TxContext& ctx, std::string_view call, const ledger::KvReader& state) const {
  if (ctx.tx == nullptr) return Status::Internal("credit call without a tx");
  CIVIC_ASSIGN_OR_RETURN(pb::CreditCall m, DecodeCall(call));
  ledger::StateView scratch(&state);
  Executor executor(ctx, &scratch, /*check=*/true);
  return executor.Run(m);
}

CreditContract::Executor::Executor(const ledger::TxContext& ctx, ledger::StateView* view, bool check)
    : ctx_(ctx), view_(view), check_(check) {}

Status CreditContract::Executor::Run(const pb::CreditCall& call) {
  if (call.call_case() == pb::CreditCall::kRegistration) {
    if (!ctx_.governance) return NeedGovernance();
    return Register(call.registration());
  }
  CIVIC_ASSIGN_OR_RETURN(org_, ActiveSigner(ctx_, *view_));
  switch (call.call_case()) {
    case pb::CreditCall::kList:
      return List(call.list());
    case pb::CreditCall::kDelist:
      return Delist(call.delist());
    case pb::CreditCall::kRepairApply:
      return FileApplication(call.repair_apply(), /*repair=*/true);
    case pb::CreditCall::kRepairDecide:
      return DecideRepair(call.repair_decide());
    case pb::CreditCall::kObjectFile:
      return FileApplication(call.object_file(), /*repair=*/false);
    case pb::CreditCall::kObjectDecide:
      return DecideObjection(call.object_decide());
    case pb::CreditCall::kCommit:
      return Commit(call.commit());
    case pb::CreditCall::kBreakCommitment:
      return BreakCommitment(call.break_commitment());
    default:
      return Status::InvalidArgument(err::EMPTY_CALL, "the credit call names no operation");
  }
}

// ---------------------------------------------------------------------------
// Shared by the areas

Status CreditContract::Executor::InItem(const Status& st, std::string_view kind, size_t index, size_t count) {
  if (st.ok() || count <= 1) return st;
  return Status(st.code(), st.app_code(), std::string(kind) + " #" + std::to_string(index) + ": " + st.message());
}

pb::CreditSubject CreditContract::Executor::RecordedSubject(const pb::CreditSubject& in) {
  pb::CreditSubject s;
  s.set_type(in.type());
  if (in.type() == pb::CREDIT_SUBJECT_ENTERPRISE) {
    s.set_uscc(in.uscc());
    s.set_name(in.name());
  } else {
    s.set_commitment(in.commitment());
    s.set_masked_name(in.masked_name());
  }
  return s;
}

Result<uint64_t> CreditContract::Executor::NextId(std::string_view key) {
  auto raw = view_->Get(ledger::Space::kState, key);
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return uint64_t{1};
  if ((*raw)->size() != 8) return Status::Corruption(std::string(key) + " is not 8 bytes");
  return GetBigEndian64(**raw);
}

void CreditContract::Executor::SetNextId(std::string_view key, uint64_t next) {
  Bytes value;
  PutBigEndian64(&value, next);
  view_->Put(key, value);
}

void CreditContract::Executor::WriteEntry(const pb::CreditEntry& e) {
  WriteRecord(view_, credit_keys::Entry(e.id()), e);
}

void CreditContract::Executor::AddEvent(pb::CreditEntry* e, pb::CreditEventKind kind, std::string_view note) {
  pb::CreditEvent* ev = e->add_events();
  ev->set_kind(kind);
  ev->set_time_ms(now());
  ev->set_height(ctx_.height);
  ev->set_tx_id(ctx_.tx->id);
  ev->set_org(org_.code());
  ev->set_note(std::string(note));
  ev->set_state_after(e->state());
}

// ---------------------------------------------------------------------------
// Governance: categories and measures

Status CreditContract::Executor::Register(const pb::CreditRegister& m) {
  if (m.categories_size() == 0 && m.measures_size() == 0 && m.remove_measures_size() == 0) {
    return Status::InvalidArgument(err::EMPTY_CALL, "the registration names no category or measure");
  }
  std::set<std::string> seen;
  size_t n = static_cast<size_t>(m.categories_size());
  for (size_t i = 0; i < n; ++i) {
    Status st = RegisterCategory(m.categories(static_cast<int>(i)), &seen);
    if (!st.ok()) return InItem(st, "category", i, n);
  }
  std::set<std::pair<std::string, std::string>> measures;
  n = static_cast<size_t>(m.measures_size());
  for (size_t i = 0; i < n; ++i) {
    Status st = RegisterMeasure(m.measures(static_cast<int>(i)), &measures);
    if (!st.ok()) return InItem(st, "measure", i, n);
  }
  n = static_cast<size_t>(m.remove_measures_size());
  for (size_t i = 0; i < n; ++i) {
    const pb::CreditMeasureRef& ref = m.remove_measures(static_cast<int>(i));
    std::string key = credit_keys::Measure(ref.category(), ref.code());
    auto existing = view_->Get(key);
    if (!existing.ok()) return existing.status();
    if (!existing->has_value() || !IsCreditToken(ref.category()) || !IsCreditToken(ref.code())) {
      return InItem(Status::NotFound(err::UNKNOWN_MEASURE, "no measure '" + Shown(ref.code()) + "' in category '" +
                                                            Shown(ref.category()) + "'"),
                    "removal", i, n);
    }
    view_->Delete(key);
  }
  return Status::Ok();
}

Status CreditContract::Executor::RegisterCategory(const pb::CreditCategory& input, std::set<std::string>* seen) {
  CIVIC_RETURN_IF_ERROR(ValidateCreditCategory(input));
  if (!seen->insert(input.code()).second) {
    return Status::InvalidArgument(err::BAD_CATEGORY, "category " + input.code() + " is registered twice in one call");
  }
  pb::CreditCategory category = input;
  std::sort(category.mutable_deciding_orgs()->begin(), category.mutable_deciding_orgs()->end());
  auto existing = ReadRecord<pb::CreditCategory>(*view_, credit_keys::Category(category.code()));
  if (!existing.ok()) return existing.status();
  category.set_registered_height(existing->has_value() ? (*existing)->registered_height() : ctx_.height);
  category.set_updated_height(ctx_.height);
  for (const auto& org : category.deciding_orgs()) {
    CIVIC_RETURN_IF_ERROR(GrantRoleScopes(view_, org, pb::ROLE_CREDIT_AUTHORITY, {category.code()}));
  }
  WriteRecord(view_, credit_keys::Category(category.code()), category);
  return Status::Ok();
}

Status CreditContract::Executor::RegisterMeasure(const pb::CreditMeasure& input,
                                                 std::set<std::pair<std::string, std::string>>* seen) {
  CIVIC_RETURN_IF_ERROR(ValidateCreditMeasure(input));
  if (!seen->insert({input.category(), input.code()}).second) {
    return Status::InvalidArgument(
        err::BAD_MEASURE, "measure " + input.category() + "/" + input.code() + " is registered twice in one call");
  }
  CIVIC_RETURN_IF_ERROR(GetCreditCategory(*view_, input.category()).status());
  CIVIC_ASSIGN_OR_RETURN(pb::Org org, GetOrg(*view_, input.org()));
  if (org.removed()) return Status::FailedPrecondition(err::ORG_REMOVED, "org " + org.code() + " has been removed");
  pb::CreditMeasure measure = input;
  measure.set_registered_height(ctx_.height);
  WriteRecord(view_, credit_keys::Measure(measure.category(), measure.code()), measure);
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// Commitments

Status CreditContract::Executor::Commit(const pb::CreditCommit& m) {
  CIVIC_RETURN_IF_ERROR(ValidateCreditSubject(m.subject()));
  CIVIC_RETURN_IF_ERROR(CheckMatter(m.matter()));
  CIVIC_RETURN_IF_ERROR(CheckDigest("content_digest", m.content_digest()));
  CIVIC_RETURN_IF_ERROR(CheckText("summary", m.summary(), {kMaxCreditShortText}));
  if (m.valid_until_ms() < 0 || (!check_ && m.valid_until_ms() != 0 && m.valid_until_ms() <= now())) {
    return Status::InvalidArgument(err::BAD_TIME, "valid_until must be 0 (open-ended) or after the block time");
  }
  CIVIC_ASSIGN_OR_RETURN(uint64_t id, NextId(credit_keys::kNextCommitment));
  pb::CreditCommitment c;
  c.set_id(id);
  *c.mutable_subject() = RecordedSubject(m.subject());
  c.set_matter(m.matter());
  c.set_content_digest(m.content_digest());
  c.set_summary(m.summary());
  c.set_recorded_by(org_.code());
  c.set_made_at_ms(now());
  c.set_valid_until_ms(m.valid_until_ms());
  c.set_state(pb::CREDIT_COMMITMENT_ACTIVE);
  c.set_height(ctx_.height);
  c.set_recorded_tx_id(ctx_.tx->id);
  WriteRecord(view_, credit_keys::Commitment(id), c);
  view_->Put(ledger::Space::kIndex, credit_keys::CommitmentIndex(CreditSubjectKey(c.subject()), id), "");
  SetNextId(credit_keys::kNextCommitment, id + 1);
  return Status::Ok();
}

Status CreditContract::Executor::BreakCommitment(const pb::CreditBreakCommitment& m) {
  CIVIC_ASSIGN_OR_RETURN(pb::CreditCommitment c, GetCreditCommitment(*view_, m.commitment_id()));
  if (c.recorded_by() != org_.code()) {
    return Status::PermissionDenied(err::NOT_COMMITMENT_RECORDER, "credit commitment " + std::to_string(c.id()) +
                                                                   " was made to org " + c.recorded_by() +
                                                                   "; only that org records it as broken");
  }
  if (c.state() == pb::CREDIT_COMMITMENT_BROKEN) {
    return Status::FailedPrecondition(err::COMMITMENT_ALREADY_BROKEN,
                                      "credit commitment " + std::to_string(c.id()) + " is already broken");
  }
  CIVIC_RETURN_IF_ERROR(CheckText("note", m.note(), {kMaxCreditText, err::REASON_REQUIRED}));
  c.set_state(pb::CREDIT_COMMITMENT_BROKEN);
  c.set_broken_at_ms(now());
  c.set_broken_note(m.note());
  c.set_broken_tx_id(ctx_.tx->id);
  WriteRecord(view_, credit_keys::Commitment(c.id()), c);
  return Status::Ok();
}

}  // namespace civic::contracts
