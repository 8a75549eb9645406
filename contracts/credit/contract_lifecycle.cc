// The credit executor's entry life cycle after listing: delisting, repair and
// objections (decided only by the entry's deciding org), and expiry, which
// EndBlock records and any call on a due entry records first.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

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
namespace {

// Removes the keys that exist only while an entry is LISTED (expiry queue,
// published-list index, open pointer), so they stay in step with its state.
Status RemoveListedKeys(ledger::StateView* view, const pb::CreditEntry& e) {
  view->Delete(credit_keys::Expiry(e.publicity_end_ms(), e.id()));
  view->Delete(ledger::Space::kIndex, credit_keys::ListIndex(e.list(), e.category(), e.id()));
  std::string open = credit_keys::Open(CreditSubjectKey(e.subject()), e.category());
  auto current = view->Get(open);
  if (!current.ok()) return current.status();
  if (current->has_value() && (*current)->size() == 8 && GetBigEndian64(**current) == e.id()) view->Delete(open);
  return Status::Ok();
}

// Records the expiry of a LISTED entry whose publicity end is at or before
// `now_ms`: state, end of publication, an EXPIRED event dated at the end, and
// the LISTED-only keys. Returns true if the entry changed (the caller writes it).
Result<bool> SettleExpiry(ledger::StateView* view, uint64_t height, pb::CreditEntry* e, int64_t now_ms) {
  if (e->state() != pb::CREDIT_LISTED || now_ms < e->publicity_end_ms()) return false;
  CIVIC_RETURN_IF_ERROR(RemoveListedKeys(view, *e));
  e->set_state(pb::CREDIT_EXPIRED);
  e->set_ended_at_ms(e->publicity_end_ms());
  pb::CreditEvent* ev = e->add_events();
  ev->set_kind(pb::CREDIT_EVENT_EXPIRED);
  ev->set_time_ms(e->publicity_end_ms());
  ev->set_height(height);
  ev->set_state_after(pb::CREDIT_EXPIRED);
  return true;
}

pb::CreditApplication* Pending(google::protobuf::RepeatedPtrField<pb::CreditApplication>* apps) {
  for (auto& a : *apps)
    if (a.state() == pb::CREDIT_APPLICATION_PENDING) return &a;
  return nullptr;
}

}  // namespace

Status CreditContract::EndBlock(const ledger::BlockContext& ctx, ledger::StateView* view) {
  // The queue is ordered by (publicity end, id): stop at the first entry not yet due.
  std::vector<std::pair<std::string, uint64_t>> due;
  Status st =
      view->Scan(ledger::Space::kState, credit_keys::kExpiryPrefix, "", [&](std::string_view key, std::string_view) {
        std::string_view rest = key.substr(credit_keys::kExpiryPrefix.size());
        if (rest.size() != 16) return true;
        if (static_cast<int64_t>(GetBigEndian64(rest)) > ctx.block_time_ms) return false;
        due.emplace_back(std::string(key), GetBigEndian64(rest.substr(8)));
        return due.size() < kMaxExpiriesPerBlock;
      });
  if (!st.ok()) return st;
  for (const auto& [key, id] : due) {
    auto record = ReadRecord<pb::CreditEntry>(*view, credit_keys::Entry(id));
    if (!record.ok()) return record.status();
    if (!record->has_value() || (*record)->state() != pb::CREDIT_LISTED) {
      view->Delete(key);  // a queue key without a LISTED entry: nothing to record
      continue;
    }
    pb::CreditEntry e = std::move(**record);
    CIVIC_ASSIGN_OR_RETURN(bool changed, SettleExpiry(view, ctx.height, &e, ctx.block_time_ms));
    if (changed) WriteRecord(view, credit_keys::Entry(e.id()), e);
  }
  return Status::Ok();
}

// The entry with its due expiry recorded (in this view; written if the call succeeds).
Result<pb::CreditEntry> CreditContract::Executor::LoadEntry(uint64_t id) {
  CIVIC_ASSIGN_OR_RETURN(pb::CreditEntry e, GetCreditEntry(*view_, id));
  if (!check_) CIVIC_RETURN_IF_ERROR(SettleExpiry(view_, ctx_.height, &e, now()).status());
  return e;
}

Status CreditContract::Executor::RequireDecider(const pb::CreditEntry& e) {
  if (org_.code() != e.deciding_org()) {
    return Status::PermissionDenied(err::NOT_ENTRY_DECIDER, "only the deciding org " + e.deciding_org() +
                                                             " decides on credit entry " + std::to_string(e.id()) +
                                                             ", not org " + org_.code());
  }
  if (!HasRole(org_, pb::ROLE_CREDIT_AUTHORITY, e.category())) {
    return Status::PermissionDenied(
        err::MISSING_ROLE, "org " + org_.code() + " no longer holds CREDIT_AUTHORITY for category " + e.category());
  }
  return Status::Ok();
}

// The subject itself (an org with the subject's USCC), or an org holding
// CREDIT_AUTHORITY acting for it. Returns whether the filer acts for the subject.
Result<bool> CreditContract::Executor::Applicant(const pb::CreditEntry& e) {
  if (e.subject().type() == pb::CREDIT_SUBJECT_ENTERPRISE && e.subject().uscc() == org_.code()) return false;
  if (HasRole(org_, pb::ROLE_CREDIT_AUTHORITY)) return true;
  return Status::PermissionDenied(err::NOT_SUBJECT_OR_AGENT,
                                  "org " + org_.code() + " is neither the subject of credit entry " +
                                      std::to_string(e.id()) + " nor a credit authority acting for it");
}

Status CreditContract::Executor::StateError(const pb::CreditEntry& e, std::string_view action) {
  if (e.state() == pb::CREDIT_WITHDRAWN) {
    return Status::FailedPrecondition(err::ENTRY_WITHDRAWN, "credit entry " + std::to_string(e.id()) + " was withdrawn; " +
                                                             std::string(action) + " is not possible");
  }
  return Status::FailedPrecondition(err::ENTRY_NOT_LISTED, "credit entry " + std::to_string(e.id()) + " is " +
                                                            EnumName(e.state()) + ", not published; " +
                                                            std::string(action) + " is not possible");
}

// Ends publication: `state` becomes the entry's state; the LISTED-only keys go.
Status CreditContract::Executor::EndPublication(pb::CreditEntry* e, pb::CreditEntryState state) {
  if (e->state() == pb::CREDIT_LISTED) {
    CIVIC_RETURN_IF_ERROR(RemoveListedKeys(view_, *e));
    e->set_ended_at_ms(std::min(now(), e->publicity_end_ms()));
  }
  e->set_state(state);
  if (state == pb::CREDIT_WITHDRAWN) {
    for (auto* apps : {e->mutable_repairs(), e->mutable_objections()}) {
      for (auto& a : *apps) {
        if (a.state() != pb::CREDIT_APPLICATION_PENDING) continue;
        a.set_state(pb::CREDIT_APPLICATION_CLOSED);
        a.set_decided_at_ms(now());
        a.set_decided_height(ctx_.height);
        a.set_decided_tx_id(ctx_.tx->id);
        a.set_decision_note("the entry was withdrawn");
      }
    }
  }
  return Status::Ok();
}

Status CreditContract::Executor::Delist(const pb::CreditDelist& m) {
  CIVIC_ASSIGN_OR_RETURN(pb::CreditEntry e, LoadEntry(m.entry_id()));
  CIVIC_RETURN_IF_ERROR(RequireDecider(e));
  if (e.state() == pb::CREDIT_WITHDRAWN) return StateError(e, "delisting");
  CIVIC_RETURN_IF_ERROR(CheckText("reason", m.reason(), {kMaxCreditText, err::REASON_REQUIRED}));
  CIVIC_RETURN_IF_ERROR(EndPublication(&e, pb::CREDIT_WITHDRAWN));
  AddEvent(&e, pb::CREDIT_EVENT_WITHDRAWN, m.reason());
  WriteEntry(e);
  return Status::Ok();
}

Status CreditContract::Executor::FileApplication(const pb::CreditFile& m, bool repair) {
  CIVIC_ASSIGN_OR_RETURN(pb::CreditEntry e, LoadEntry(m.entry_id()));
  if (repair) {
    if (e.state() != pb::CREDIT_LISTED) return StateError(e, "credit repair");
    if (!e.repairable()) {
      return Status::FailedPrecondition(err::NOT_REPAIRABLE, "credit entry " + std::to_string(e.id()) +
                                                              " is in category " + e.category() +
                                                              ", which does not allow credit repair");
    }
  } else if (e.state() == pb::CREDIT_WITHDRAWN) {
    return StateError(e, "an objection");
  }
  CIVIC_ASSIGN_OR_RETURN(bool on_behalf, Applicant(e));
  CIVIC_RETURN_IF_ERROR(CheckDigest("evidence_digest", m.evidence_digest()));
  CIVIC_RETURN_IF_ERROR(CheckText("statement", m.statement(), {kMaxCreditText, repair ? nullptr : err::REASON_REQUIRED}));
  if (repair && !check_ && now() < e.earliest_repair_ms()) {
    return Status::FailedPrecondition(
        err::REPAIR_TOO_EARLY, "credit entry " + std::to_string(e.id()) + " can be repaired from " +
                                FormatRfc3339(e.earliest_repair_ms()) + " (the category's minimum publicity period)");
  }
  auto* apps = repair ? e.mutable_repairs() : e.mutable_objections();
  if (Pending(apps) != nullptr) {
    return Status::FailedPrecondition(repair ? err::REPAIR_PENDING : err::OBJECTION_PENDING,
                                      std::string(repair ? "a credit repair application" : "an objection") +
                                          " on entry " + std::to_string(e.id()) + " is already pending");
  }
  if (static_cast<size_t>(apps->size()) >= kMaxApplicationsPerEntry) {
    return Status::FailedPrecondition(err::TOO_MANY_APPLICATIONS, "credit entry " + std::to_string(e.id()) +
                                                                   " already has " +
                                                                   std::to_string(kMaxApplicationsPerEntry) +
                                                                   (repair ? " repair applications" : " objections"));
  }
  pb::CreditApplication* a = apps->Add();
  a->set_seq(static_cast<uint32_t>(apps->size()));
  a->set_applicant_org(org_.code());
  a->set_on_behalf(on_behalf);
  a->set_evidence_digest(m.evidence_digest());
  a->set_statement(m.statement());
  a->set_filed_at_ms(now());
  a->set_filed_height(ctx_.height);
  a->set_filed_tx_id(ctx_.tx->id);
  a->set_state(pb::CREDIT_APPLICATION_PENDING);
  AddEvent(&e, repair ? pb::CREDIT_EVENT_REPAIR_FILED : pb::CREDIT_EVENT_OBJECTION_FILED,
           on_behalf ? "filed on behalf of the subject" : "filed by the subject");
  WriteEntry(e);
  return Status::Ok();
}

void CreditContract::Executor::Decide(pb::CreditApplication* a, bool approve, std::string_view note) {
  a->set_state(approve ? pb::CREDIT_APPLICATION_APPROVED : pb::CREDIT_APPLICATION_REJECTED);
  a->set_decided_at_ms(now());
  a->set_decided_height(ctx_.height);
  a->set_decided_tx_id(ctx_.tx->id);
  a->set_decision_note(std::string(note));
}

Status CreditContract::Executor::DecideRepair(const pb::CreditDecide& m) {
  CIVIC_ASSIGN_OR_RETURN(pb::CreditEntry e, LoadEntry(m.entry_id()));
  CIVIC_RETURN_IF_ERROR(RequireDecider(e));
  pb::CreditApplication* a = Pending(e.mutable_repairs());
  if (a == nullptr) {
    return Status::FailedPrecondition(err::NO_PENDING_REPAIR,
                                      "credit entry " + std::to_string(e.id()) + " has no pending repair application");
  }
  CIVIC_RETURN_IF_ERROR(CheckText("note", m.note(), {kMaxCreditText}));
  if (m.approve()) {
    if (e.state() != pb::CREDIT_LISTED) return StateError(e, "approving a credit repair");
    if (!e.repairable()) {
      return Status::FailedPrecondition(err::NOT_REPAIRABLE,
                                        "credit entry " + std::to_string(e.id()) + " does not allow credit repair");
    }
    if (!check_ && now() < e.earliest_repair_ms()) {
      return Status::FailedPrecondition(
          err::REPAIR_TOO_EARLY,
          "credit entry " + std::to_string(e.id()) + " can be repaired from " + FormatRfc3339(e.earliest_repair_ms()));
    }
    Decide(a, true, m.note());
    CIVIC_RETURN_IF_ERROR(EndPublication(&e, pb::CREDIT_REPAIRED));
    AddEvent(&e, pb::CREDIT_EVENT_REPAIR_APPROVED, m.note());
  } else {
    Decide(a, false, m.note());
    AddEvent(&e, pb::CREDIT_EVENT_REPAIR_REJECTED, m.note());
  }
  WriteEntry(e);
  return Status::Ok();
}

Status CreditContract::Executor::DecideObjection(const pb::CreditDecide& m) {
  CIVIC_ASSIGN_OR_RETURN(pb::CreditEntry e, LoadEntry(m.entry_id()));
  CIVIC_RETURN_IF_ERROR(RequireDecider(e));
  if (e.state() == pb::CREDIT_WITHDRAWN) return StateError(e, "deciding an objection");
  pb::CreditApplication* a = Pending(e.mutable_objections());
  if (a == nullptr) {
    return Status::FailedPrecondition(err::NO_PENDING_OBJECTION,
                                      "credit entry " + std::to_string(e.id()) + " has no pending objection");
  }
  CIVIC_RETURN_IF_ERROR(CheckText("note", m.note(), {kMaxCreditText}));
  Decide(a, m.approve(), m.note());
  if (m.approve()) {
    CIVIC_RETURN_IF_ERROR(EndPublication(&e, pb::CREDIT_WITHDRAWN));
    AddEvent(&e, pb::CREDIT_EVENT_OBJECTION_UPHELD, m.note());
  } else {
    AddEvent(&e, pb::CREDIT_EVENT_OBJECTION_REJECTED, m.note());
  }
  WriteEntry(e);
  return Status::Ok();
}

}  // namespace civic::contracts
