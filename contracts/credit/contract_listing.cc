// The credit executor's listing area: the category a listing names and the
// signer's right to decide in it, and the listing of entries.
#include <algorithm>
#include <limits>

#include "contracts/base/checks.h"
#include "contracts/base/enum_names.h"
#include "contracts/base/errors.h"
#include "contracts/base/state_io.h"
#include "contracts/base/time_format.h"
#include "contracts/credit/contract.h"
#include "contracts/credit/keys.h"
#include "contracts/credit/query.h"
#include "contracts/credit/rules.h"
#include "contracts/governance/query.h"
#include "contracts/governance/rules.h"

namespace civic::contracts {

Result<CreditContract::Executor::CategoryEntry*> CreditContract::Executor::Category(const std::string& code) {
  auto it = categories_.find(code);
  if (it != categories_.end()) return &it->second;
  CIVIC_ASSIGN_OR_RETURN(pb::CreditCategory category, GetCreditCategory(*view_, code));
  CategoryEntry entry;
  entry.category = std::move(category);
  const auto& deciders = entry.category.deciding_orgs();
  if (!HasRole(org_, pb::ROLE_CREDIT_AUTHORITY, code)) {
    entry.permission = Status::PermissionDenied(err::MISSING_ROLE, "org " + org_.code() +
                                                                    " does not hold CREDIT_AUTHORITY for category " +
                                                                    code + " (" + entry.category.name() + ")");
  } else if (std::find(deciders.begin(), deciders.end(), org_.code()) == deciders.end()) {
    entry.permission =
        Status::PermissionDenied(err::NOT_DECIDING_ORG, "org " + org_.code() + " is not a deciding org of category " +
                                                         code + " (" + entry.category.name() + ")");
  }
  return &categories_.emplace(code, std::move(entry)).first->second;
}

Status CreditContract::Executor::List(const pb::CreditListCall& m) {
  size_t n = static_cast<size_t>(m.entries_size());
  if (n == 0) return Status::InvalidArgument(err::EMPTY_BATCH, "the list call carries no listing");
  if (n > kMaxCreditBatch) {
    return Status::InvalidArgument(err::BATCH_TOO_LARGE, "a list call may carry at most " +
                                                          std::to_string(kMaxCreditBatch) + " listings, this one has " +
                                                          std::to_string(n));
  }
  CIVIC_ASSIGN_OR_RETURN(uint64_t next_id, NextId(credit_keys::kNextEntry));
  for (size_t i = 0; i < n; ++i) {
    Status st = ListOne(m.entries(static_cast<int>(i)), next_id);
    if (!st.ok()) return InItem(st, "listing", i, n);
    ++next_id;
  }
  SetNextId(credit_keys::kNextEntry, next_id);
  return Status::Ok();
}

Status CreditContract::Executor::ListOne(const pb::CreditListing& in, uint64_t id) {
  CIVIC_ASSIGN_OR_RETURN(CategoryEntry * c, Category(in.category()));
  CIVIC_RETURN_IF_ERROR(c->permission);
  const pb::CreditCategory& cat = c->category;
  if (cat.retired()) {
    return Status::FailedPrecondition(err::CATEGORY_RETIRED,
                                      "credit category " + cat.code() + " is retired: no new listings");
  }
  if (in.list() != pb::CREDIT_LIST_UNSPECIFIED && in.list() != cat.list()) {
    return Status::InvalidArgument(err::LIST_MISMATCH,
                                   "category " + cat.code() + " is on the " + EnumName(cat.list()) + " list");
  }
  CIVIC_RETURN_IF_ERROR(ValidateCreditSubject(in.subject()));
  CIVIC_RETURN_IF_ERROR(CheckText("reason", in.reason(), {kMaxCreditText, err::REASON_REQUIRED}));
  CIVIC_RETURN_IF_ERROR(CheckText("legal basis", in.legal_basis(), {kMaxCreditText, err::LEGAL_BASIS_REQUIRED}));
  CIVIC_RETURN_IF_ERROR(
      CheckText("decision document number", in.decision_doc_no(), {kMaxCreditShortText, err::DOC_NO_REQUIRED}));
  CIVIC_RETURN_IF_ERROR(CheckDigest("decision_doc_digest", in.decision_doc_digest()));

  if (in.decided_at_ms() < 0) return Status::InvalidArgument(err::BAD_TIME, "decided_at must not be negative");
  int64_t decided = in.decided_at_ms() == 0 ? now() : in.decided_at_ms();
  if (!check_ && decided > now()) {
    return Status::InvalidArgument(
        err::BAD_TIME, "decided_at " + FormatRfc3339(decided) + " is later than the block time " + FormatRfc3339(now()));
  }
  if (decided > std::numeric_limits<int64_t>::max() - cat.max_publicity_ms()) {
    return Status::InvalidArgument(err::BAD_TIME, "decided_at is too large");
  }
  int64_t end = in.publicity_end_ms() == 0 ? decided + cat.max_publicity_ms() : in.publicity_end_ms();
  int64_t length = end - decided;
  if (end <= decided || length < cat.min_publicity_ms() || length > cat.max_publicity_ms()) {
    return Status::InvalidArgument(err::BAD_PUBLICITY_PERIOD,
                                   "the publicity period of category " + cat.code() + " runs " +
                                       std::to_string(cat.min_publicity_ms() / kDayMs) + " to " +
                                       std::to_string(cat.max_publicity_ms() / kDayMs) + " days from the decision; " +
                                       FormatRfc3339(decided) + " .. " + FormatRfc3339(end) + " is outside it");
  }

  if (in.basis_commitment_id() != 0) {
    CIVIC_ASSIGN_OR_RETURN(pb::CreditCommitment basis, GetCreditCommitment(*view_, in.basis_commitment_id()));
    if (!SameCreditSubject(basis.subject(), in.subject())) {
      return Status::InvalidArgument(
          err::COMMITMENT_SUBJECT_MISMATCH,
          "credit commitment " + std::to_string(in.basis_commitment_id()) + " was made by another subject");
    }
    if (basis.state() != pb::CREDIT_COMMITMENT_BROKEN) {
      return Status::FailedPrecondition(
          err::COMMITMENT_NOT_BROKEN,
          "credit commitment " + std::to_string(in.basis_commitment_id()) + " is not recorded as broken");
    }
  }

  std::string subject_key = CreditSubjectKey(in.subject());
  std::string decision_key = credit_keys::Decision(org_.code(), in.decision_doc_no(), subject_key, cat.code());
  auto decision = view_->Get(decision_key);
  if (!decision.ok()) return decision.status();
  if (decision->has_value()) {
    uint64_t other = (*decision)->size() == 8 ? GetBigEndian64(**decision) : 0;
    return Status::AlreadyExists(err::DUPLICATE_DECISION, "decision " + Shown(in.decision_doc_no()) + " of org " +
                                                           org_.code() + " already listed this subject in category " +
                                                           cat.code() + " (entry " + std::to_string(other) + ")");
  }

  std::string open_key = credit_keys::Open(subject_key, cat.code());
  auto open = view_->Get(open_key);
  if (!open.ok()) return open.status();
  if (open->has_value()) {
    if ((*open)->size() != 8) return Status::Corruption("credit open pointer is not 8 bytes");
    uint64_t other = GetBigEndian64(**open);
    auto previous = ReadRecord<pb::CreditEntry>(*view_, credit_keys::Entry(other));
    if (!previous.ok()) return previous.status();
    if (previous->has_value() && EffectiveState(**previous, now()) == pb::CREDIT_LISTED) {
      return Status::AlreadyExists(err::DUPLICATE_LISTING, "the subject is already listed in category " + cat.code() +
                                                            " (entry " + std::to_string(other) + ", published until " +
                                                            FormatRfc3339((*previous)->publicity_end_ms()) + ")");
    }
  }
  pb::CreditEntry e;
  e.set_id(id);
  *e.mutable_subject() = RecordedSubject(in.subject());
  e.set_list(cat.list());
  e.set_category(cat.code());
  e.set_reason(in.reason());
  e.set_legal_basis(in.legal_basis());
  e.set_decision_doc_no(in.decision_doc_no());
  e.set_decision_doc_digest(in.decision_doc_digest());
  e.set_deciding_org(org_.code());
  e.set_decided_at_ms(decided);
  e.set_listed_at_ms(now());
  e.set_publicity_end_ms(end);
  e.set_earliest_repair_ms(decided + cat.min_publicity_ms());
  e.set_repairable(cat.repairable());
  e.set_severity(cat.severity());
  e.set_basis_commitment_id(in.basis_commitment_id());
  e.set_state(pb::CREDIT_LISTED);
  e.set_height(ctx_.height);
  e.set_listed_tx_id(ctx_.tx->id);
  e.set_listing_key_algo(static_cast<uint32_t>(ctx_.tx->signer.algo));
  e.set_listing_key(ctx_.tx->signer.key);
  AddEvent(&e, pb::CREDIT_EVENT_LISTED, "");

  Bytes id_value;
  PutBigEndian64(&id_value, id);
  WriteEntry(e);
  view_->Put(open_key, id_value);
  view_->Put(decision_key, id_value);
  view_->Put(credit_keys::Expiry(end, id), "");
  view_->Put(ledger::Space::kIndex, credit_keys::SubjectIndex(subject_key, id), "");
  view_->Put(ledger::Space::kIndex, credit_keys::ListIndex(e.list(), e.category(), id), "");
  return Status::Ok();
}

}  // namespace civic::contracts
