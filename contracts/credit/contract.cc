#include "contracts/credit/contract.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "contracts/base/checks.h"
#include "contracts/base/identifiers.h"
#include "contracts/governance/contract.h"
#include "contracts/governance/query.h"
#include "contracts/base/state_io.h"
#include "contracts/certificate/keys.h"
#include "contracts/governance/keys.h"
#include "contracts/base/time_format.h"
#include "crypto/hash.h"
#include "ledger/tx.h"
#include "contracts/governance/calls.h"
#include "contracts/base/tx_builder.h"
#include "contracts/base/contract_names.h"

namespace civic::contracts {

// ---------------------------------------------------------------------------
// Keys

namespace credit_keys {
namespace {

std::string WithId(std::string out, uint64_t id) {
  PutBigEndian64(&out, id);
  return out;
}

}  // namespace

std::string Category(std::string_view code) { return Cat(kCategoryPrefix, code); }

std::string MeasurePrefix(std::string_view category) {
  std::string out = Cat(kMeasurePrefix, category);
  out.push_back('/');
  return out;
}

std::string Measure(std::string_view category, std::string_view code) {
  return Cat(MeasurePrefix(category), code);
}

std::string Entry(uint64_t id) { return WithId(std::string(kEntryPrefix), id); }

std::string Open(std::string_view subject_key, std::string_view category) {
  std::string out = Cat(kOpenPrefix, subject_key);
  out.push_back('/');
  out.append(category);
  return out;
}

std::string Decision(std::string_view org, std::string_view doc_no, std::string_view subject_key,
                     std::string_view category) {
  static constexpr std::string_view kSep("\0", 1);
  return Cat(kDecisionPrefix, crypto::Sha256Concat({org, kSep, doc_no, kSep, subject_key, kSep, category}));
}

std::string Expiry(int64_t publicity_end_ms, uint64_t id) {
  std::string out(kExpiryPrefix);
  PutBigEndian64(&out, static_cast<uint64_t>(std::max<int64_t>(publicity_end_ms, 0)));
  PutBigEndian64(&out, id);
  return out;
}

std::string Commitment(uint64_t id) { return WithId(std::string(kCommitmentPrefix), id); }

std::string SubjectIndexPrefix(std::string_view subject_key) { return Cat(kSubjectIndexPrefix, subject_key); }
std::string SubjectIndex(std::string_view subject_key, uint64_t id) {
  return WithId(SubjectIndexPrefix(subject_key), id);
}

std::string ListIndexPrefix(pb::CreditList list, std::string_view category) {
  std::string out(kListIndexPrefix);
  out.push_back(list == pb::CREDIT_LIST_RED ? 'r' : 'b');
  out.push_back('/');
  if (!category.empty()) {
    out.append(category);
    out.push_back('/');
  }
  return out;
}

std::string ListIndex(pb::CreditList list, std::string_view category, uint64_t id) {
  return WithId(ListIndexPrefix(list, category), id);
}

std::string CommitmentIndexPrefix(std::string_view subject_key) {
  return Cat(kCommitmentIndexPrefix, subject_key);
}
std::string CommitmentIndex(std::string_view subject_key, uint64_t id) {
  return WithId(CommitmentIndexPrefix(subject_key), id);
}

}  // namespace credit_keys

namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kMaxPeriodMs = int64_t{100} * 366 * kDayMs;
constexpr size_t kMaxMeasureDescription = 500;

std::string Clip(std::string_view s) { return std::string(s.substr(0, 64)); }

std::string Date(int64_t ms) { return FormatRfc3339(ms); }

bool IsDigitLike(uint32_t cp) { return (cp >= '0' && cp <= '9') || (cp >= 0xFF10 && cp <= 0xFF19); }
bool IsSpaceOrControl(uint32_t cp) { return cp <= 0x20 || cp == 0x7F || cp == 0x3000; }

// A free text: required or not, at most `max` bytes, no identity number.
Status CheckText(std::string_view what, std::string_view text, size_t max, const char* required_code = nullptr) {
  if (required_code != nullptr && text.empty()) {
    return Status::InvalidArgument(required_code, std::string(what) + " is required");
  }
  if (text.size() > max) {
    return Status::InvalidArgument("TEXT_TOO_LONG", std::string(what) + " must be at most " + std::to_string(max) +
                                                        " bytes, got " + std::to_string(text.size()));
  }
  return CheckNoIdNumber(what, text);
}

Status CheckDigest(std::string_view what, std::string_view digest) {
  if (digest.size() != kDigestSize) {
    return Status::InvalidArgument("BAD_DIGEST", std::string(what) + " must be a 32-byte digest, got " +
                                                     std::to_string(digest.size()) + " bytes");
  }
  return Status::Ok();
}

// Prefixes a batch item's error with its index, keeping the codes.
Status InItem(const Status& st, std::string_view kind, size_t index, size_t count) {
  if (st.ok() || count <= 1) return st;
  return Status(st.code(), st.app_code(), std::string(kind) + " #" + std::to_string(index) + ": " + st.message());
}

Result<pb::CreditCall> DecodeCall(std::string_view call) {
  pb::CreditCall m;
  if (!m.ParseFromArray(call.data(), static_cast<int>(call.size()))) {
    return Status::InvalidArgument("CALL_MALFORMED", "the credit call does not decode");
  }
  if (m.call_case() == pb::CreditCall::CALL_NOT_SET) {
    return Status::InvalidArgument("EMPTY_CALL", "the credit call names no operation");
  }
  return m;
}

Result<uint64_t> ReadCounter(const ledger::KvReader& state, std::string_view key) {
  auto raw = state.Get(ledger::Space::kState, key);
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return uint64_t{1};
  if ((*raw)->size() != 8) return Status::Corruption(std::string(key) + " is not 8 bytes");
  return GetBigEndian64(**raw);
}

void WriteCounter(ledger::StateView* view, std::string_view key, uint64_t next) {
  Bytes value;
  PutBigEndian64(&value, next);
  view->Put(key, value);
}

Result<pb::Org> ActiveSigner(const ledger::TxContext& ctx, const ledger::KvReader& state) {
  CIVIC_ASSIGN_OR_RETURN(pb::Org org, GetOrg(state, ctx.tx->body.org()));
  if (org.removed()) return Status::PermissionDenied("ORG_REMOVED", "org " + org.code() + " has been removed");
  return org;
}

Status NeedGovernance() {
  return Status::PermissionDenied("GOVERNANCE_REQUIRED",
                                  "registering credit categories and measures is a governance action: propose it "
                                  "and let more than 2/3 of ADMIN orgs vote yes");
}

// Writes entries, and keeps the keys that exist only while an entry is LISTED
// (expiry queue, published-list index, open pointer) in step with its state.
class EntryWriter {
 public:
  EntryWriter(ledger::StateView* view, uint64_t height) : view_(view), height_(height) {}

  // Removes the keys that exist only while an entry is LISTED.
  Status RemoveListedKeys(const pb::CreditEntry& e) {
    view_->Delete(credit_keys::Expiry(e.publicity_end_ms(), e.id()));
    view_->Delete(ledger::Space::kIndex, credit_keys::ListIndex(e.list(), e.category(), e.id()));
    std::string open = credit_keys::Open(CreditSubjectKey(e.subject()), e.category());
    auto current = view_->Get(open);
    if (!current.ok()) return current.status();
    if (current->has_value() && (*current)->size() == 8 && GetBigEndian64(**current) == e.id()) view_->Delete(open);
    return Status::Ok();
  }

  // Records the expiry of a LISTED entry whose publicity end is at or before
  // `now_ms`: state, end of publication, an EXPIRED event dated at the end, and
  // the LISTED-only keys. Returns true if the entry changed.
  Result<bool> SettleExpiry(pb::CreditEntry* e, int64_t now_ms) {
    if (e->state() != pb::CREDIT_LISTED || now_ms < e->publicity_end_ms()) return false;
    CIVIC_RETURN_IF_ERROR(RemoveListedKeys(*e));
    e->set_state(pb::CREDIT_EXPIRED);
    e->set_ended_at_ms(e->publicity_end_ms());
    pb::CreditEvent* ev = e->add_events();
    ev->set_kind(pb::CREDIT_EVENT_EXPIRED);
    ev->set_time_ms(e->publicity_end_ms());
    ev->set_height(height_);
    ev->set_state_after(pb::CREDIT_EXPIRED);
    return true;
  }

  void Write(const pb::CreditEntry& e) { WriteRecord(view_, credit_keys::Entry(e.id()), e); }

 private:
  ledger::StateView* view_;
  uint64_t height_;
};

pb::CreditApplication* Pending(google::protobuf::RepeatedPtrField<pb::CreditApplication>* apps) {
  for (auto& a : *apps)
    if (a.state() == pb::CREDIT_APPLICATION_PENDING) return &a;
  return nullptr;
}

struct CategoryEntry {
  pb::CreditCategory category;
  Status permission;  // OK if the signer org may decide listings in it
};

class Executor {
 public:
  // `check` = admission check: rules that depend on the block time are skipped
  // (the mempool only knows the tip's time).
  Executor(const ledger::TxContext& ctx, ledger::StateView* view, bool check)
      : ctx_(ctx), view_(view), check_(check), writer_(view, ctx.height) {}

  Status Run(const pb::CreditCall& call) {
    if (call.call_case() == pb::CreditCall::kRegistration) {
      if (!ctx_.governance) return NeedGovernance();
      return Register(call.registration());
    }
    CIVIC_ASSIGN_OR_RETURN(org_, ActiveSigner(ctx_, *view_));
    switch (call.call_case()) {
      case pb::CreditCall::kList: return List(call.list());
      case pb::CreditCall::kDelist: return Delist(call.delist());
      case pb::CreditCall::kRepairApply: return FileApplication(call.repair_apply(), /*repair=*/true);
      case pb::CreditCall::kRepairDecide: return DecideRepair(call.repair_decide());
      case pb::CreditCall::kObjectFile: return FileApplication(call.object_file(), /*repair=*/false);
      case pb::CreditCall::kObjectDecide: return DecideObjection(call.object_decide());
      case pb::CreditCall::kCommit: return Commit(call.commit());
      case pb::CreditCall::kBreakCommitment: return BreakCommitment(call.break_commitment());
      default: return Status::InvalidArgument("EMPTY_CALL", "the credit call names no operation");
    }
  }

 private:
  int64_t now() const { return ctx_.block_time_ms; }

  // ---- Governance: categories and measures

  Status Register(const pb::CreditRegister& m) {
    if (m.categories_size() == 0 && m.measures_size() == 0 && m.remove_measures_size() == 0) {
      return Status::InvalidArgument("EMPTY_CALL", "the registration names no category or measure");
    }
    std::set<std::string> seen;
    size_t n = static_cast<size_t>(m.categories_size());
    for (size_t i = 0; i < n; ++i) {
      const pb::CreditCategory& input = m.categories(static_cast<int>(i));
      Status st = RegisterCategory(input, &seen);
      if (!st.ok()) return InItem(st, "category", i, n);
    }
    std::set<std::pair<std::string, std::string>> measures;
    n = static_cast<size_t>(m.measures_size());
    for (size_t i = 0; i < n; ++i) {
      const pb::CreditMeasure& input = m.measures(static_cast<int>(i));
      Status st = RegisterMeasure(input, &measures);
      if (!st.ok()) return InItem(st, "measure", i, n);
    }
    n = static_cast<size_t>(m.remove_measures_size());
    for (size_t i = 0; i < n; ++i) {
      const pb::CreditMeasureRef& ref = m.remove_measures(static_cast<int>(i));
      std::string key = credit_keys::Measure(ref.category(), ref.code());
      auto existing = view_->Get(key);
      if (!existing.ok()) return existing.status();
      if (!existing->has_value() || !IsCreditToken(ref.category()) || !IsCreditToken(ref.code())) {
        return InItem(Status::NotFound("UNKNOWN_MEASURE", "no measure '" + Clip(ref.code()) + "' in category '" +
                                                              Clip(ref.category()) + "'"),
                      "removal", i, n);
      }
      view_->Delete(key);
    }
    return Status::Ok();
  }

  Status RegisterCategory(const pb::CreditCategory& input, std::set<std::string>* seen) {
    CIVIC_RETURN_IF_ERROR(ValidateCreditCategory(input));
    if (!seen->insert(input.code()).second) {
      return Status::InvalidArgument("BAD_CATEGORY", "category " + input.code() + " is registered twice in one call");
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

  Status RegisterMeasure(const pb::CreditMeasure& input, std::set<std::pair<std::string, std::string>>* seen) {
    CIVIC_RETURN_IF_ERROR(ValidateCreditMeasure(input));
    if (!seen->insert({input.category(), input.code()}).second) {
      return Status::InvalidArgument("BAD_MEASURE", "measure " + input.category() + "/" + input.code() +
                                                        " is registered twice in one call");
    }
    auto category = ReadRecord<pb::CreditCategory>(*view_, credit_keys::Category(input.category()));
    if (!category.ok()) return category.status();
    if (!category->has_value()) {
      return Status::NotFound("UNKNOWN_CATEGORY", "no credit category '" + Clip(input.category()) + "'");
    }
    CIVIC_ASSIGN_OR_RETURN(pb::Org org, GetOrg(*view_, input.org()));
    if (org.removed()) return Status::FailedPrecondition("ORG_REMOVED", "org " + org.code() + " has been removed");
    pb::CreditMeasure measure = input;
    measure.set_registered_height(ctx_.height);
    WriteRecord(view_, credit_keys::Measure(measure.category(), measure.code()), measure);
    return Status::Ok();
  }

  // ---- Listing

  Result<CategoryEntry*> Category(const std::string& code) {
    auto it = categories_.find(code);
    if (it != categories_.end()) return &it->second;
    if (!IsCreditToken(code)) {
      return Status::InvalidArgument("BAD_CATEGORY_CODE", "category code '" + Clip(code) +
                                                              "' must match [A-Za-z0-9_.-]{1,64}");
    }
    auto record = ReadRecord<pb::CreditCategory>(*view_, credit_keys::Category(code));
    if (!record.ok()) return record.status();
    if (!record->has_value()) return Status::NotFound("UNKNOWN_CATEGORY", "no credit category '" + code + "'");
    CategoryEntry entry;
    entry.category = std::move(**record);
    const auto& deciders = entry.category.deciding_orgs();
    if (!HasRole(org_, pb::ROLE_CREDIT_AUTHORITY, code)) {
      entry.permission = Status::PermissionDenied(
          "MISSING_ROLE", "org " + org_.code() + " does not hold CREDIT_AUTHORITY for category " + code + " (" +
                              entry.category.name() + ")");
    } else if (std::find(deciders.begin(), deciders.end(), org_.code()) == deciders.end()) {
      entry.permission = Status::PermissionDenied(
          "NOT_DECIDING_ORG", "org " + org_.code() + " is not a deciding org of category " + code + " (" +
                                  entry.category.name() + ")");
    }
    return &categories_.emplace(code, std::move(entry)).first->second;
  }

  Status List(const pb::CreditListCall& m) {
    size_t n = static_cast<size_t>(m.entries_size());
    if (n == 0) return Status::InvalidArgument("EMPTY_BATCH", "the list call carries no listing");
    if (n > kMaxCreditBatch) {
      return Status::InvalidArgument("BATCH_TOO_LARGE", "a list call may carry at most " +
                                                            std::to_string(kMaxCreditBatch) + " listings, this one has " +
                                                            std::to_string(n));
    }
    CIVIC_ASSIGN_OR_RETURN(uint64_t next_id, ReadCounter(*view_, credit_keys::kNextEntry));
    for (size_t i = 0; i < n; ++i) {
      Status st = ListOne(m.entries(static_cast<int>(i)), next_id);
      if (!st.ok()) return InItem(st, "listing", i, n);
      ++next_id;
    }
    WriteCounter(view_, credit_keys::kNextEntry, next_id);
    return Status::Ok();
  }

  Status ListOne(const pb::CreditListing& in, uint64_t id) {
    CIVIC_ASSIGN_OR_RETURN(CategoryEntry * c, Category(in.category()));
    CIVIC_RETURN_IF_ERROR(c->permission);
    const pb::CreditCategory& cat = c->category;
    if (cat.retired()) {
      return Status::FailedPrecondition("CATEGORY_RETIRED", "credit category " + cat.code() +
                                                                " is retired: no new listings");
    }
    if (in.list() != pb::CREDIT_LIST_UNSPECIFIED && in.list() != cat.list()) {
      return Status::InvalidArgument("LIST_MISMATCH", "category " + cat.code() + " is on the " +
                                                          CreditListName(cat.list()) + " list");
    }
    CIVIC_RETURN_IF_ERROR(ValidateCreditSubject(in.subject()));
    CIVIC_RETURN_IF_ERROR(CheckText("reason", in.reason(), kMaxCreditText, "REASON_REQUIRED"));
    CIVIC_RETURN_IF_ERROR(CheckText("legal basis", in.legal_basis(), kMaxCreditText, "LEGAL_BASIS_REQUIRED"));
    CIVIC_RETURN_IF_ERROR(
        CheckText("decision document number", in.decision_doc_no(), kMaxCreditShortText, "DOC_NO_REQUIRED"));
    CIVIC_RETURN_IF_ERROR(CheckDigest("decision_doc_digest", in.decision_doc_digest()));

    if (in.decided_at_ms() < 0) return Status::InvalidArgument("BAD_TIME", "decided_at must not be negative");
    int64_t decided = in.decided_at_ms() == 0 ? now() : in.decided_at_ms();
    if (!check_ && decided > now()) {
      return Status::InvalidArgument("BAD_TIME", "decided_at " + Date(decided) + " is later than the block time " +
                                                     Date(now()));
    }
    if (decided > std::numeric_limits<int64_t>::max() - cat.max_publicity_ms()) {
      return Status::InvalidArgument("BAD_TIME", "decided_at is too large");
    }
    int64_t end = in.publicity_end_ms() == 0 ? decided + cat.max_publicity_ms() : in.publicity_end_ms();
    int64_t length = end - decided;
    if (end <= decided || length < cat.min_publicity_ms() || length > cat.max_publicity_ms()) {
      return Status::InvalidArgument(
          "BAD_PUBLICITY_PERIOD", "the publicity period of category " + cat.code() + " runs " +
                                      std::to_string(cat.min_publicity_ms() / kDayMs) + " to " +
                                      std::to_string(cat.max_publicity_ms() / kDayMs) +
                                      " days from the decision; " + Date(decided) + " .. " + Date(end) +
                                      " is outside it");
    }

    if (in.basis_commitment_id() != 0) {
      auto basis = ReadRecord<pb::CreditCommitment>(*view_, credit_keys::Commitment(in.basis_commitment_id()));
      if (!basis.ok()) return basis.status();
      if (!basis->has_value()) {
        return Status::NotFound("COMMITMENT_NOT_FOUND",
                                "no credit commitment " + std::to_string(in.basis_commitment_id()));
      }
      if (!SameCreditSubject((*basis)->subject(), in.subject())) {
        return Status::InvalidArgument("COMMITMENT_SUBJECT_MISMATCH",
                                       "credit commitment " + std::to_string(in.basis_commitment_id()) +
                                           " was made by another subject");
      }
      if ((*basis)->state() != pb::CREDIT_COMMITMENT_BROKEN) {
        return Status::FailedPrecondition("COMMITMENT_NOT_BROKEN",
                                          "credit commitment " + std::to_string(in.basis_commitment_id()) +
                                              " is not recorded as broken");
      }
    }

    std::string subject_key = CreditSubjectKey(in.subject());
    std::string decision_key = credit_keys::Decision(org_.code(), in.decision_doc_no(), subject_key, cat.code());
    auto decision = view_->Get(decision_key);
    if (!decision.ok()) return decision.status();
    if (decision->has_value()) {
      uint64_t other = (*decision)->size() == 8 ? GetBigEndian64(**decision) : 0;
      return Status::AlreadyExists("DUPLICATE_DECISION", "decision " + Clip(in.decision_doc_no()) + " of org " +
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
        return Status::AlreadyExists("DUPLICATE_LISTING", "the subject is already listed in category " +
                                                              cat.code() + " (entry " + std::to_string(other) +
                                                              ", published until " +
                                                              Date((*previous)->publicity_end_ms()) + ")");
      }
    }
    pb::CreditEntry e;
    e.set_id(id);
    pb::CreditSubject* subject = e.mutable_subject();
    subject->set_type(in.subject().type());
    if (in.subject().type() == pb::CREDIT_SUBJECT_ENTERPRISE) {
      subject->set_uscc(in.subject().uscc());
      subject->set_name(in.subject().name());
    } else {
      subject->set_commitment(in.subject().commitment());
      subject->set_masked_name(in.subject().masked_name());
    }
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
    writer_.Write(e);
    view_->Put(open_key, id_value);
    view_->Put(decision_key, id_value);
    view_->Put(credit_keys::Expiry(end, id), "");
    view_->Put(ledger::Space::kIndex, credit_keys::SubjectIndex(subject_key, id), "");
    view_->Put(ledger::Space::kIndex, credit_keys::ListIndex(e.list(), e.category(), id), "");
    return Status::Ok();
  }

  // ---- Entry life cycle

  void AddEvent(pb::CreditEntry* e, pb::CreditEventKind kind, std::string_view note) {
    pb::CreditEvent* ev = e->add_events();
    ev->set_kind(kind);
    ev->set_time_ms(now());
    ev->set_height(ctx_.height);
    ev->set_tx_id(ctx_.tx->id);
    ev->set_org(org_.code());
    ev->set_note(std::string(note));
    ev->set_state_after(e->state());
  }

  // The entry with its due expiry recorded (in this view; written if the call succeeds).
  Result<pb::CreditEntry> LoadEntry(uint64_t id) {
    auto record = ReadRecord<pb::CreditEntry>(*view_, credit_keys::Entry(id));
    if (!record.ok()) return record.status();
    if (id == 0 || !record->has_value()) {
      return Status::NotFound("ENTRY_NOT_FOUND", "no credit entry " + std::to_string(id));
    }
    pb::CreditEntry e = std::move(**record);
    if (!check_) CIVIC_RETURN_IF_ERROR(writer_.SettleExpiry(&e, now()).status());
    return e;
  }

  Status RequireDecider(const pb::CreditEntry& e) {
    if (org_.code() != e.deciding_org()) {
      return Status::PermissionDenied("NOT_ENTRY_DECIDER", "only the deciding org " + e.deciding_org() +
                                                               " decides on credit entry " + std::to_string(e.id()) +
                                                               ", not org " + org_.code());
    }
    if (!HasRole(org_, pb::ROLE_CREDIT_AUTHORITY, e.category())) {
      return Status::PermissionDenied("MISSING_ROLE", "org " + org_.code() +
                                                          " no longer holds CREDIT_AUTHORITY for category " +
                                                          e.category());
    }
    return Status::Ok();
  }

  // The subject itself (an org with the subject's USCC), or an org holding
  // CREDIT_AUTHORITY acting for it. Returns whether the filer acts for the subject.
  Result<bool> Applicant(const pb::CreditEntry& e) {
    if (e.subject().type() == pb::CREDIT_SUBJECT_ENTERPRISE && e.subject().uscc() == org_.code()) return false;
    if (HasRole(org_, pb::ROLE_CREDIT_AUTHORITY)) return true;
    return Status::PermissionDenied("NOT_SUBJECT_OR_AGENT",
                                    "org " + org_.code() + " is neither the subject of credit entry " +
                                        std::to_string(e.id()) + " nor a credit authority acting for it");
  }

  Status StateError(const pb::CreditEntry& e, std::string_view action) {
    if (e.state() == pb::CREDIT_WITHDRAWN) {
      return Status::FailedPrecondition("ENTRY_WITHDRAWN", "credit entry " + std::to_string(e.id()) +
                                                               " was withdrawn; " + std::string(action) +
                                                               " is not possible");
    }
    return Status::FailedPrecondition("ENTRY_NOT_LISTED", "credit entry " + std::to_string(e.id()) + " is " +
                                                              CreditStateName(e.state()) + ", not published; " +
                                                              std::string(action) + " is not possible");
  }

  // Ends publication: `state` becomes the entry's state; the LISTED-only keys go.
  Status EndPublication(pb::CreditEntry* e, pb::CreditEntryState state) {
    if (e->state() == pb::CREDIT_LISTED) {
      CIVIC_RETURN_IF_ERROR(writer_.RemoveListedKeys(*e));
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

  Status Delist(const pb::CreditDelist& m) {
    CIVIC_ASSIGN_OR_RETURN(pb::CreditEntry e, LoadEntry(m.entry_id()));
    CIVIC_RETURN_IF_ERROR(RequireDecider(e));
    if (e.state() == pb::CREDIT_WITHDRAWN) return StateError(e, "delisting");
    CIVIC_RETURN_IF_ERROR(CheckText("reason", m.reason(), kMaxCreditText, "REASON_REQUIRED"));
    CIVIC_RETURN_IF_ERROR(EndPublication(&e, pb::CREDIT_WITHDRAWN));
    AddEvent(&e, pb::CREDIT_EVENT_WITHDRAWN, m.reason());
    writer_.Write(e);
    return Status::Ok();
  }

  Status FileApplication(const pb::CreditFile& m, bool repair) {
    CIVIC_ASSIGN_OR_RETURN(pb::CreditEntry e, LoadEntry(m.entry_id()));
    if (repair) {
      if (e.state() != pb::CREDIT_LISTED) return StateError(e, "credit repair");
      if (!e.repairable()) {
        return Status::FailedPrecondition("NOT_REPAIRABLE", "credit entry " + std::to_string(e.id()) +
                                                                " is in category " + e.category() +
                                                                ", which does not allow credit repair");
      }
    } else if (e.state() == pb::CREDIT_WITHDRAWN) {
      return StateError(e, "an objection");
    }
    CIVIC_ASSIGN_OR_RETURN(bool on_behalf, Applicant(e));
    CIVIC_RETURN_IF_ERROR(CheckDigest("evidence_digest", m.evidence_digest()));
    CIVIC_RETURN_IF_ERROR(
        CheckText("statement", m.statement(), kMaxCreditText, repair ? nullptr : "REASON_REQUIRED"));
    if (repair && !check_ && now() < e.earliest_repair_ms()) {
      return Status::FailedPrecondition("REPAIR_TOO_EARLY", "credit entry " + std::to_string(e.id()) +
                                                                " can be repaired from " +
                                                                Date(e.earliest_repair_ms()) +
                                                                " (the category's minimum publicity period)");
    }
    auto* apps = repair ? e.mutable_repairs() : e.mutable_objections();
    if (Pending(apps) != nullptr) {
      return Status::FailedPrecondition(repair ? "REPAIR_PENDING" : "OBJECTION_PENDING",
                                        std::string(repair ? "a credit repair application" : "an objection") +
                                            " on entry " + std::to_string(e.id()) + " is already pending");
    }
    if (static_cast<size_t>(apps->size()) >= kMaxApplicationsPerEntry) {
      return Status::FailedPrecondition("TOO_MANY_APPLICATIONS", "credit entry " + std::to_string(e.id()) +
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
    writer_.Write(e);
    return Status::Ok();
  }

  void Decide(pb::CreditApplication* a, bool approve, std::string_view note) {
    a->set_state(approve ? pb::CREDIT_APPLICATION_APPROVED : pb::CREDIT_APPLICATION_REJECTED);
    a->set_decided_at_ms(now());
    a->set_decided_height(ctx_.height);
    a->set_decided_tx_id(ctx_.tx->id);
    a->set_decision_note(std::string(note));
  }

  Status DecideRepair(const pb::CreditDecide& m) {
    CIVIC_ASSIGN_OR_RETURN(pb::CreditEntry e, LoadEntry(m.entry_id()));
    CIVIC_RETURN_IF_ERROR(RequireDecider(e));
    pb::CreditApplication* a = Pending(e.mutable_repairs());
    if (a == nullptr) {
      return Status::FailedPrecondition("NO_PENDING_REPAIR", "credit entry " + std::to_string(e.id()) +
                                                                 " has no pending repair application");
    }
    CIVIC_RETURN_IF_ERROR(CheckText("note", m.note(), kMaxCreditText));
    if (m.approve()) {
      if (e.state() != pb::CREDIT_LISTED) return StateError(e, "approving a credit repair");
      if (!e.repairable()) {
        return Status::FailedPrecondition("NOT_REPAIRABLE", "credit entry " + std::to_string(e.id()) +
                                                                " does not allow credit repair");
      }
      if (!check_ && now() < e.earliest_repair_ms()) {
        return Status::FailedPrecondition("REPAIR_TOO_EARLY", "credit entry " + std::to_string(e.id()) +
                                                                  " can be repaired from " +
                                                                  Date(e.earliest_repair_ms()));
      }
      Decide(a, true, m.note());
      CIVIC_RETURN_IF_ERROR(EndPublication(&e, pb::CREDIT_REPAIRED));
      AddEvent(&e, pb::CREDIT_EVENT_REPAIR_APPROVED, m.note());
    } else {
      Decide(a, false, m.note());
      AddEvent(&e, pb::CREDIT_EVENT_REPAIR_REJECTED, m.note());
    }
    writer_.Write(e);
    return Status::Ok();
  }

  Status DecideObjection(const pb::CreditDecide& m) {
    CIVIC_ASSIGN_OR_RETURN(pb::CreditEntry e, LoadEntry(m.entry_id()));
    CIVIC_RETURN_IF_ERROR(RequireDecider(e));
    if (e.state() == pb::CREDIT_WITHDRAWN) return StateError(e, "deciding an objection");
    pb::CreditApplication* a = Pending(e.mutable_objections());
    if (a == nullptr) {
      return Status::FailedPrecondition("NO_PENDING_OBJECTION", "credit entry " + std::to_string(e.id()) +
                                                                    " has no pending objection");
    }
    CIVIC_RETURN_IF_ERROR(CheckText("note", m.note(), kMaxCreditText));
    Decide(a, m.approve(), m.note());
    if (m.approve()) {
      CIVIC_RETURN_IF_ERROR(EndPublication(&e, pb::CREDIT_WITHDRAWN));
      AddEvent(&e, pb::CREDIT_EVENT_OBJECTION_UPHELD, m.note());
    } else {
      AddEvent(&e, pb::CREDIT_EVENT_OBJECTION_REJECTED, m.note());
    }
    writer_.Write(e);
    return Status::Ok();
  }

  // ---- Commitments

  Status Commit(const pb::CreditCommit& m) {
    CIVIC_RETURN_IF_ERROR(ValidateCreditSubject(m.subject()));
    if (!IsCreditToken(m.matter())) {
      return Status::InvalidArgument("BAD_MATTER", "matter '" + Clip(m.matter()) + "' must match [A-Za-z0-9_.-]{1,64}");
    }
    CIVIC_RETURN_IF_ERROR(CheckDigest("content_digest", m.content_digest()));
    CIVIC_RETURN_IF_ERROR(CheckText("summary", m.summary(), kMaxCreditShortText));
    if (m.valid_until_ms() < 0 || (!check_ && m.valid_until_ms() != 0 && m.valid_until_ms() <= now())) {
      return Status::InvalidArgument("BAD_TIME", "valid_until must be 0 (open-ended) or after the block time");
    }
    CIVIC_ASSIGN_OR_RETURN(uint64_t id, ReadCounter(*view_, credit_keys::kNextCommitment));
    pb::CreditCommitment c;
    c.set_id(id);
    pb::CreditSubject* subject = c.mutable_subject();
    subject->set_type(m.subject().type());
    if (m.subject().type() == pb::CREDIT_SUBJECT_ENTERPRISE) {
      subject->set_uscc(m.subject().uscc());
      subject->set_name(m.subject().name());
    } else {
      subject->set_commitment(m.subject().commitment());
      subject->set_masked_name(m.subject().masked_name());
    }
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
    WriteCounter(view_, credit_keys::kNextCommitment, id + 1);
    return Status::Ok();
  }

  Status BreakCommitment(const pb::CreditBreakCommitment& m) {
    auto record = ReadRecord<pb::CreditCommitment>(*view_, credit_keys::Commitment(m.commitment_id()));
    if (!record.ok()) return record.status();
    if (m.commitment_id() == 0 || !record->has_value()) {
      return Status::NotFound("COMMITMENT_NOT_FOUND", "no credit commitment " + std::to_string(m.commitment_id()));
    }
    pb::CreditCommitment c = std::move(**record);
    if (c.recorded_by() != org_.code()) {
      return Status::PermissionDenied("NOT_COMMITMENT_RECORDER", "credit commitment " + std::to_string(c.id()) +
                                                                     " was made to org " + c.recorded_by() +
                                                                     "; only that org records it as broken");
    }
    if (c.state() == pb::CREDIT_COMMITMENT_BROKEN) {
      return Status::FailedPrecondition("COMMITMENT_ALREADY_BROKEN",
                                        "credit commitment " + std::to_string(c.id()) + " is already broken");
    }
    CIVIC_RETURN_IF_ERROR(CheckText("note", m.note(), kMaxCreditText, "REASON_REQUIRED"));
    c.set_state(pb::CREDIT_COMMITMENT_BROKEN);
    c.set_broken_at_ms(now());
    c.set_broken_note(m.note());
    c.set_broken_tx_id(ctx_.tx->id);
    WriteRecord(view_, credit_keys::Commitment(c.id()), c);
    return Status::Ok();
  }

  const ledger::TxContext& ctx_;
  ledger::StateView* view_;
  bool check_;
  EntryWriter writer_;
  pb::Org org_;
  std::map<std::string, CategoryEntry, std::less<>> categories_;
};

}  // namespace

// ---------------------------------------------------------------------------
// Contract

Status CreditContract::Execute(const ledger::TxContext& ctx, std::string_view call, ledger::StateView* view) {
  if (ctx.tx == nullptr) return Status::Internal("credit call without a tx");
  CIVIC_ASSIGN_OR_RETURN(pb::CreditCall m, DecodeCall(call));
  Executor executor(ctx, view, /*check=*/false);
  return executor.Run(m);
}

Status CreditContract::Check(const ledger::TxContext& ctx, std::string_view call,
                             const ledger::KvReader& state) const {
  if (ctx.tx == nullptr) return Status::Internal("credit call without a tx");
  CIVIC_ASSIGN_OR_RETURN(pb::CreditCall m, DecodeCall(call));
  ledger::StateView scratch(&state);
  Executor executor(ctx, &scratch, /*check=*/true);
  return executor.Run(m);
}

Status CreditContract::EndBlock(const ledger::BlockContext& ctx, ledger::StateView* view) {
  // The queue is ordered by (publicity end, id): stop at the first entry not yet due.
  std::vector<std::pair<std::string, uint64_t>> due;
  Status st = view->Scan(ledger::Space::kState, credit_keys::kExpiryPrefix, "",
                         [&](std::string_view key, std::string_view) {
                           std::string_view rest = key.substr(credit_keys::kExpiryPrefix.size());
                           if (rest.size() != 16) return true;
                           if (static_cast<int64_t>(GetBigEndian64(rest)) > ctx.block_time_ms) return false;
                           due.emplace_back(std::string(key), GetBigEndian64(rest.substr(8)));
                           return due.size() < kMaxExpiriesPerBlock;
                         });
  if (!st.ok()) return st;
  EntryWriter writer(view, ctx.height);
  for (const auto& [key, id] : due) {
    auto record = ReadRecord<pb::CreditEntry>(*view, credit_keys::Entry(id));
    if (!record.ok()) return record.status();
    if (!record->has_value() || (*record)->state() != pb::CREDIT_LISTED) {
      view->Delete(key);  // a queue key without a LISTED entry: nothing to record
      continue;
    }
    pb::CreditEntry e = std::move(**record);
    CIVIC_ASSIGN_OR_RETURN(bool changed, writer.SettleExpiry(&e, ctx.block_time_ms));
    if (changed) writer.Write(e);
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// Rules

pb::CreditEntryState EffectiveState(const pb::CreditEntry& entry, int64_t now_ms) {
  if (entry.state() == pb::CREDIT_LISTED && now_ms >= entry.publicity_end_ms()) return pb::CREDIT_EXPIRED;
  return entry.state();
}

bool IsCreditToken(std::string_view token) {
  if (token.empty() || token.size() > 64) return false;
  for (char c : token) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == '-';
    if (!ok) return false;
  }
  return true;
}

Status ValidateCreditCategory(const pb::CreditCategory& c) {
  if (!IsCreditToken(c.code())) {
    return Status::InvalidArgument("BAD_CATEGORY_CODE", "category code '" + Clip(c.code()) +
                                                            "' must match [A-Za-z0-9_.-]{1,64}");
  }
  auto bad = [&](std::string why) {
    return Status::InvalidArgument("BAD_CATEGORY", "credit category " + c.code() + ": " + why);
  };
  if (c.name().empty() || c.name().size() > kMaxCreditShortText) return bad("name must be 1 to 200 bytes");
  if (Status st = CheckNoIdNumber("name", c.name()); !st.ok()) return st;
  if (c.list() != pb::CREDIT_LIST_RED && c.list() != pb::CREDIT_LIST_BLACK) return bad("list must be red or black");
  if (c.severity() < pb::CREDIT_SEVERITY_MINOR || c.severity() > pb::CREDIT_SEVERITY_SERIOUS) {
    return bad("severity must be minor, general or serious");
  }
  if (c.deciding_orgs_size() == 0) return bad("a category needs at least one deciding org");
  std::set<std::string_view> orgs;
  for (const auto& org : c.deciding_orgs()) {
    if (Status st = ValidateUscc(org); !st.ok()) return bad("deciding org: " + st.message());
    if (!orgs.insert(org).second) return bad("deciding org " + org + " is listed twice");
  }
  if (c.min_publicity_ms() < 0) return bad("the minimum publicity period must not be negative");
  if (c.max_publicity_ms() <= 0 || c.max_publicity_ms() > kMaxPeriodMs) {
    return bad("the maximum publicity period must be more than 0 and at most 100 years");
  }
  if (c.min_publicity_ms() > c.max_publicity_ms()) {
    return bad("the minimum publicity period is longer than the maximum");
  }
  return Status::Ok();
}

Status ValidateCreditMeasure(const pb::CreditMeasure& m) {
  auto bad = [&](std::string why) {
    return Status::InvalidArgument("BAD_MEASURE", "measure '" + Clip(m.category()) + "/" + Clip(m.code()) + "': " + why);
  };
  if (!IsCreditToken(m.category())) return bad("the category code must match [A-Za-z0-9_.-]{1,64}");
  if (!IsCreditToken(m.code())) return bad("the code must match [A-Za-z0-9_.-]{1,64}");
  if (!IsCreditToken(m.matter())) return bad("the matter must match [A-Za-z0-9_.-]{1,64}");
  if (Status st = ValidateUscc(m.org()); !st.ok()) return bad("applying org: " + st.message());
  if (m.description().empty() || m.description().size() > kMaxMeasureDescription) {
    return bad("the description must be 1 to 500 bytes");
  }
  return CheckNoIdNumber("description", m.description());
}

Status ValidateMaskedName(std::string_view masked) {
  auto bad = [](std::string why) { return Status::InvalidArgument("BAD_MASKED_NAME", "masked name: " + why); };
  if (masked.empty()) return bad("a person needs a masked name such as \"张*\"");
  if (masked.size() > 64) return bad("at most 64 bytes");
  auto cps = DecodeUtf8(masked);
  if (!cps) return bad("not valid UTF-8");
  size_t visible = 0;
  while (visible < cps->size() && (*cps)[visible] != '*') {
    uint32_t cp = (*cps)[visible];
    if (IsDigitLike(cp) || IsSpaceOrControl(cp)) return bad("only the first one or two characters may show");
    ++visible;
  }
  size_t stars = cps->size() - visible;
  for (size_t i = visible; i < cps->size(); ++i) {
    if ((*cps)[i] != '*') return bad("after the visible characters only '*' may follow");
  }
  if (visible < 1 || visible > 2) return bad("show one or two leading characters, e.g. \"张*\"");
  if (stars < 1 || stars > 8) return bad("mask the rest with 1 to 8 '*'");
  return Status::Ok();
}

Status ValidateCreditSubject(const pb::CreditSubject& s) {
  switch (s.type()) {
    case pb::CREDIT_SUBJECT_ENTERPRISE:
      CIVIC_RETURN_IF_ERROR(ValidateUscc(s.uscc()));
      if (!s.commitment().empty() || !s.masked_name().empty()) {
        return Status::InvalidArgument("BAD_SUBJECT", "an enterprise is known by its USCC; commitment and "
                                                      "masked_name are for persons");
      }
      if (s.name().size() > kMaxCreditShortText) {
        return Status::InvalidArgument("TEXT_TOO_LONG", "the enterprise name must be at most 200 bytes");
      }
      return CheckNoIdNumber("the enterprise name", s.name());
    case pb::CREDIT_SUBJECT_PERSON:
      if (!s.uscc().empty() || !s.name().empty()) {
        return Status::InvalidArgument("BAD_SUBJECT", "a person is known only by a commitment and a masked name; "
                                                      "uscc and name must be empty");
      }
      if (s.commitment().empty()) {
        return Status::InvalidArgument("PERSON_COMMITMENT_REQUIRED",
                                       "a person is listed only by a 32-byte commitment (and a masked name)");
      }
      if (s.commitment().size() != kDigestSize) {
        return Status::InvalidArgument("BAD_COMMITMENT", "the person's commitment must be 32 bytes, got " +
                                                             std::to_string(s.commitment().size()));
      }
      return ValidateMaskedName(s.masked_name());
    default:
      return Status::InvalidArgument("BAD_SUBJECT", "the subject type must be enterprise or person");
  }
}

std::string CreditSubjectKey(const pb::CreditSubject& s) {
  if (s.type() == pb::CREDIT_SUBJECT_PERSON) return "p" + s.commitment();
  return "e" + s.uscc();
}

bool SameCreditSubject(const pb::CreditSubject& a, const pb::CreditSubject& b) {
  return a.type() == b.type() && CreditSubjectKey(a) == CreditSubjectKey(b);
}

const char* CreditListName(pb::CreditList list) {
  switch (list) {
    case pb::CREDIT_LIST_RED: return "red";
    case pb::CREDIT_LIST_BLACK: return "black";
    default: return "unspecified";
  }
}

const char* CreditSeverityName(pb::CreditSeverity s) {
  switch (s) {
    case pb::CREDIT_SEVERITY_MINOR: return "minor";
    case pb::CREDIT_SEVERITY_GENERAL: return "general";
    case pb::CREDIT_SEVERITY_SERIOUS: return "serious";
    default: return "unspecified";
  }
}

const char* CreditStateName(pb::CreditEntryState state) {
  switch (state) {
    case pb::CREDIT_LISTED: return "listed";
    case pb::CREDIT_REPAIRED: return "repaired";
    case pb::CREDIT_EXPIRED: return "expired";
    case pb::CREDIT_WITHDRAWN: return "withdrawn";
    default: return "unspecified";
  }
}

const char* CreditEventKindName(pb::CreditEventKind kind) {
  switch (kind) {
    case pb::CREDIT_EVENT_LISTED: return "listed";
    case pb::CREDIT_EVENT_REPAIR_FILED: return "repair_filed";
    case pb::CREDIT_EVENT_REPAIR_APPROVED: return "repair_approved";
    case pb::CREDIT_EVENT_REPAIR_REJECTED: return "repair_rejected";
    case pb::CREDIT_EVENT_OBJECTION_FILED: return "objection_filed";
    case pb::CREDIT_EVENT_OBJECTION_UPHELD: return "objection_upheld";
    case pb::CREDIT_EVENT_OBJECTION_REJECTED: return "objection_rejected";
    case pb::CREDIT_EVENT_WITHDRAWN: return "withdrawn";
    case pb::CREDIT_EVENT_EXPIRED: return "expired";
    default: return "unspecified";
  }
}

const char* CreditApplicationStateName(pb::CreditApplicationState s) {
  switch (s) {
    case pb::CREDIT_APPLICATION_PENDING: return "pending";
    case pb::CREDIT_APPLICATION_APPROVED: return "approved";
    case pb::CREDIT_APPLICATION_REJECTED: return "rejected";
    case pb::CREDIT_APPLICATION_CLOSED: return "closed";
    default: return "unspecified";
  }
}

const char* CreditCommitmentStateName(pb::CreditCommitmentState s) {
  switch (s) {
    case pb::CREDIT_COMMITMENT_ACTIVE: return "active";
    case pb::CREDIT_COMMITMENT_BROKEN: return "broken";
    default: return "unspecified";
  }
}

Result<pb::CreditList> ParseCreditList(std::string_view name) {
  if (name == "red") return pb::CREDIT_LIST_RED;
  if (name == "black") return pb::CREDIT_LIST_BLACK;
  return Status::InvalidArgument("BAD_LIST", "list '" + Clip(name) + "' is not one of red, black");
}

Result<pb::CreditSeverity> ParseCreditSeverity(std::string_view name) {
  if (name == "minor") return pb::CREDIT_SEVERITY_MINOR;
  if (name == "general") return pb::CREDIT_SEVERITY_GENERAL;
  if (name == "serious") return pb::CREDIT_SEVERITY_SERIOUS;
  return Status::InvalidArgument("BAD_SEVERITY", "severity '" + Clip(name) + "' is not one of minor, general, serious");
}

// ---------------------------------------------------------------------------
// Client side

Bytes PersonCommitment(std::string_view salt, std::string_view citizen_id) {
  static constexpr std::string_view kTag = "civicledger/credit-person/v1";
  static constexpr std::string_view kSep("\0", 1);
  return crypto::Sha256Concat({kTag, kSep, salt, kSep, citizen_id});
}

Result<std::string> MaskName(std::string_view full_name) {
  auto cps = DecodeUtf8(full_name);
  if (!cps || cps->empty()) return Status::InvalidArgument("BAD_NAME", "the name is empty or not valid UTF-8");
  uint32_t first = cps->front();
  if (first == '*' || IsDigitLike(first) || IsSpaceOrControl(first)) {
    return Status::InvalidArgument("BAD_NAME", "the name must start with a letter or character");
  }
  size_t stars = std::clamp<size_t>(cps->size() - 1, 1, 4);
  return EncodeUtf8(first) + std::string(stars, '*');
}

Result<pb::CreditSubject> EnterpriseSubject(std::string_view uscc, std::string_view name) {
  pb::CreditSubject s;
  s.set_type(pb::CREDIT_SUBJECT_ENTERPRISE);
  s.set_uscc(std::string(uscc));
  s.set_name(std::string(name));
  CIVIC_RETURN_IF_ERROR(ValidateCreditSubject(s));
  return s;
}

Result<pb::CreditSubject> PersonSubject(std::string_view salt, std::string_view citizen_id,
                                        std::string_view full_name) {
  if (salt.empty()) {
    return Status::InvalidArgument("SALT_REQUIRED", "a person's commitment needs the credit subject salt");
  }
  CIVIC_RETURN_IF_ERROR(ValidateCitizenId(citizen_id));
  CIVIC_ASSIGN_OR_RETURN(std::string masked, MaskName(full_name));
  pb::CreditSubject s;
  s.set_type(pb::CREDIT_SUBJECT_PERSON);
  s.set_commitment(PersonCommitment(salt, citizen_id));
  s.set_masked_name(masked);
  CIVIC_RETURN_IF_ERROR(ValidateCreditSubject(s));
  return s;
}

Status CheckNameNotInListing(const pb::CreditListing& listing, std::string_view full_name) {
  if (full_name.empty()) return Status::Ok();
  std::vector<std::string> needles{std::string(full_name)};
  auto cps = DecodeUtf8(full_name);
  if (cps && cps->size() >= 3) {
    std::string given;
    for (size_t i = 1; i < cps->size(); ++i) given += EncodeUtf8((*cps)[i]);
    needles.push_back(given);
  }
  for (std::string_view text : {std::string_view(listing.reason()), std::string_view(listing.legal_basis()),
                                std::string_view(listing.decision_doc_no()), std::string_view(listing.subject().name())}) {
    for (const auto& needle : needles) {
      if (text.find(needle) != std::string_view::npos) {
        return Status::InvalidArgument("NAME_IN_TEXT", "a free text of the listing contains the person's name; "
                                                       "texts are published and must not name the person");
      }
    }
  }
  return Status::Ok();
}

Bytes CreditTx(const TxParams& params, const pb::CreditCall& call, const crypto::KeyPair& key) {
  return ledger::SignTx(MakeBody(params, kCreditContract, call.SerializeAsString()), key);
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
