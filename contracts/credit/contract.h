// The credit contract: credit red and black lists (信用红黑名单) with publicity
// periods, credit repair (信用修复), objections (异议), credit commitments
// (信用承诺) and joint measures (联合奖惩). Records: contracts/credit/credit.proto.
//
// Categories and measures (CreditRegister, governance action only): a category
// has a code (also the CREDIT_AUTHORITY scope), a name, its list (red | black),
// the deciding orgs, a severity, the minimum and maximum publicity period and
// whether it is repairable. Registering grants CREDIT_AUTHORITY scoped to the
// code to every deciding org; re-registering updates the category (existing
// entries keep the rules they were listed under). A measure says which org
// applies what for which kind of matter when a subject is listed under a category.
//
// Listing: the signing org must hold CREDIT_AUTHORITY for the category
// (MISSING_ROLE) and be one of its deciding orgs (NOT_DECIDING_ORG). The subject
// is an enterprise by a valid USCC, or a person ONLY by a 32-byte commitment and a
// masked name such as "张*" (never a name or identity number). Publicity runs
// from the decision date (decided_at, default the block time; earlier for
// existing lists) to publicity_end, which must lie within the category's minimum
// and maximum (default: the maximum). A subject has at most one published entry
// per category (DUPLICATE_LISTING), and one decision document of an org lists a
// subject in a category once (DUPLICATE_DECISION), so a re-sent import changes
// nothing. A broken credit commitment of the same subject may be the basis.
//
// States: LISTED -> REPAIRED (approved repair) | EXPIRED (publicity end passed)
// | WITHDRAWN (delisted by the deciding org, or an upheld objection); REPAIRED and
// EXPIRED entries may still be WITHDRAWN. Every change is appended to the entry's
// events; nothing is deleted.
//
// Expiry needs no tx: EffectiveState() reads a LISTED entry whose publicity end
// has passed as EXPIRED, and every query and every rule uses it with the block
// (or tip) time. EndBlock also records the expiry (state, event, indexes) for
// entries whose end is at or before the block time, in (end, id) order from a
// queue in authenticated state, at most kMaxExpiriesPerBlock per block (the rest
// in the next blocks; queries are correct meanwhile).
//
// Repair (who decides, repairs): the subject itself (an org whose code is the
// subject's USCC) or an org holding CREDIT_AUTHORITY acting for it files an
// application with an evidence digest; only the entry's deciding org approves or
// rejects, while it still holds CREDIT_AUTHORITY for the category. Never for a
// non-repairable category (NOT_REPAIRABLE), never before decided_at + the
// minimum publicity period (REPAIR_TOO_EARLY), only while published
// (ENTRY_NOT_LISTED), one pending application at a time (REPAIR_PENDING).
// Objections: filed like repairs on any entry that is not withdrawn
// (ENTRY_WITHDRAWN); upheld -> WITHDRAWN, rejected -> unchanged.
//
// Commitments: any member org records a commitment a subject made to it (matter,
// content digest, summary); only that org marks it broken.
//
// Free texts (reason, legal basis, statements, notes, summaries, enterprise
// names) are public: the contract refuses any that contains a valid citizen
// identity number (PERSONAL_DATA_IN_TEXT). Names in free text cannot be detected
// on chain; the client helpers (contracts/credit/subjects.h) refuse a person's
// name in them.
//
// Typed errors: CALL_MALFORMED, EMPTY_CALL, GOVERNANCE_REQUIRED, BAD_CATEGORY_CODE,
// BAD_CATEGORY, UNKNOWN_CATEGORY, CATEGORY_RETIRED, BAD_MEASURE, UNKNOWN_MEASURE,
// UNKNOWN_ORG, ORG_REMOVED, MISSING_ROLE, NOT_DECIDING_ORG, NOT_ENTRY_DECIDER,
// NOT_SUBJECT_OR_AGENT, NOT_COMMITMENT_RECORDER, BAD_SUBJECT, BAD_USCC,
// PERSON_COMMITMENT_REQUIRED, BAD_COMMITMENT, BAD_MASKED_NAME, LIST_MISMATCH,
// REASON_REQUIRED, LEGAL_BASIS_REQUIRED, DOC_NO_REQUIRED, TEXT_TOO_LONG,
// PERSONAL_DATA_IN_TEXT, BAD_DIGEST, BAD_TIME, BAD_PUBLICITY_PERIOD, BAD_MATTER,
// EMPTY_BATCH, BATCH_TOO_LARGE, DUPLICATE_LISTING, DUPLICATE_DECISION,
// ENTRY_NOT_FOUND, ENTRY_NOT_LISTED, ENTRY_WITHDRAWN, NOT_REPAIRABLE,
// REPAIR_TOO_EARLY, REPAIR_PENDING, NO_PENDING_REPAIR, OBJECTION_PENDING,
// NO_PENDING_OBJECTION, TOO_MANY_APPLICATIONS, COMMITMENT_NOT_FOUND,
// COMMITMENT_SUBJECT_MISMATCH, COMMITMENT_NOT_BROKEN, COMMITMENT_ALREADY_BROKEN.
// A failing item of a batch names its index in the message.
//
// The rules the contract shares with its queries and clients are in
// contracts/credit/rules.h, the state layout in contracts/credit/keys.h.
//
// Not thread-safe: executed by the chain's single applying thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "contracts/base/contract.h"
#include "contracts/base/contract_names.h"
#include "contracts/credit/credit.pb.h"
#include "contracts/governance/governance.pb.h"

namespace civic::contracts {

constexpr size_t kMaxExpiriesPerBlock = 1000;  // expiries EndBlock records per block

class CreditContract final : public Contract {
 public:
  std::string_view name() const override { return kCreditContract; }
  Status Execute(const ledger::TxContext& ctx, std::string_view call, ledger::StateView* view) override;
  // Records due expiries (contract_lifecycle.cc).
  Status EndBlock(const ledger::BlockContext& ctx, ledger::StateView* view) override;
  // Every rule that does not depend on the block time, on a scratch view.
  Status Check(const ledger::TxContext& ctx, std::string_view call, const ledger::KvReader& state) const override;

 private:
  class Executor;
};

// One call executed on one view, by area: contract.cc (dispatch, registration,
// commitments), contract_listing.cc (listing), contract_lifecycle.cc
// (delisting, repair, objections; expiry, also for EndBlock). `check` is the
// admission check: rules that depend on the block time are skipped (the mempool
// only knows the tip's time).
class CreditContract::Executor {
 public:
  Executor(const ledger::TxContext& ctx, ledger::StateView* view, bool check);
  Status Run(const pb::CreditCall& call);

 private:
  struct CategoryEntry {
    pb::CreditCategory category;
    Status permission;  // OK if the signer org may decide listings in it
  };

  int64_t now() const { return ctx_.block_time_ms; }
  // Prefixes a batch item's error with its index, keeping the codes.
  static Status InItem(const Status& st, std::string_view kind, size_t index, size_t count);
  // The fields of the subject's type, as records keep a subject.
  static pb::CreditSubject RecordedSubject(const pb::CreditSubject& subject);
  // The id counter at `key` (credit/next_entry, credit/next_commitment); 1 when unset.
  Result<uint64_t> NextId(std::string_view key);
  void SetNextId(std::string_view key, uint64_t next);
  void WriteEntry(const pb::CreditEntry& entry);
  // Appends an event by the signer org at the block time, with the entry's state after it.
  void AddEvent(pb::CreditEntry* entry, pb::CreditEventKind kind, std::string_view note);

  // Governance: categories and measures.
  Status Register(const pb::CreditRegister& m);
  Status RegisterCategory(const pb::CreditCategory& input, std::set<std::string>* seen);
  Status RegisterMeasure(const pb::CreditMeasure& input, std::set<std::pair<std::string, std::string>>* seen);

  // Listing.
  Result<CategoryEntry*> Category(const std::string& code);
  Status List(const pb::CreditListCall& m);
  Status ListOne(const pb::CreditListing& in, uint64_t id);

  // Entry life cycle.
  Result<pb::CreditEntry> LoadEntry(uint64_t id);
  Status RequireDecider(const pb::CreditEntry& e);
  Result<bool> Applicant(const pb::CreditEntry& e);
  Status StateError(const pb::CreditEntry& e, std::string_view action);
  Status EndPublication(pb::CreditEntry* e, pb::CreditEntryState state);
  Status Delist(const pb::CreditDelist& m);
  Status FileApplication(const pb::CreditFile& m, bool repair);
  void Decide(pb::CreditApplication* a, bool approve, std::string_view note);
  Status DecideRepair(const pb::CreditDecide& m);
  Status DecideObjection(const pb::CreditDecide& m);

  // Commitments.
  Status Commit(const pb::CreditCommit& m);
  Status BreakCommitment(const pb::CreditBreakCommitment& m);

  const ledger::TxContext& ctx_;
  ledger::StateView* view_;
  bool check_;
  pb::Org org_;  // the signer org (not read for a registration)
  // The categories this call has named, with the signer's permission in each.
  std::map<std::string, CategoryEntry, std::less<>> categories_;
};

}  // namespace civic::contracts
