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
// on chain; the client helpers below refuse a person's name in them.
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
// Not thread-safe: executed by the chain's single applying thread. The free
// functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "contracts/certificate/holder.h"
#include "contracts/base/tx_builder.h"
#include "contracts/base/contract_names.h"
#include "contracts/base/checks.h"
#include "contracts/base/contract.h"
#include "contracts/governance/governance.pb.h"
#include "contracts/credit/credit.pb.h"

namespace civic::contracts {


constexpr size_t kMaxCreditBatch = 1000;          // listings per tx
constexpr size_t kMaxExpiriesPerBlock = 1000;     // expiries EndBlock records per block
constexpr size_t kMaxApplicationsPerEntry = 20;   // repair applications, and objections, per entry
constexpr size_t kMaxCreditText = 1000;           // reason, legal basis, statements, notes (bytes)
constexpr size_t kMaxCreditShortText = 200;       // names, document numbers, summaries (bytes)

class CreditContract final : public Contract {
 public:
  std::string_view name() const override { return kCreditContract; }
  Status Execute(const ledger::TxContext& ctx, std::string_view call, ledger::StateView* view) override;
  Status EndBlock(const ledger::BlockContext& ctx, ledger::StateView* view) override;
  // Every rule that does not depend on the block time, on a scratch view.
  Status Check(const ledger::TxContext& ctx, std::string_view call, const ledger::KvReader& state) const override;
};

// ---------------------------------------------------------------------------
// Rules shared by the contract, the queries and the client (pure functions).

// A LISTED entry whose publicity end is at or before `now_ms` reads as EXPIRED.
pb::CreditEntryState EffectiveState(const pb::CreditEntry& entry, int64_t now_ms);

// Category: code, name, list, deciding orgs (valid, unique USCCs), severity,
// periods (0 <= min <= max, 0 < max <= 100 years). Typed errors: BAD_CATEGORY_CODE, BAD_CATEGORY.
Status ValidateCreditCategory(const pb::CreditCategory& category);
// Measure shape (codes, org USCC, matter, description). Typed error: BAD_MEASURE.
Status ValidateCreditMeasure(const pb::CreditMeasure& measure);
// [A-Za-z0-9_.-]{1,64}: category codes, measure codes and matters.
bool IsCreditToken(std::string_view token);
// Enterprise: valid USCC, no person fields. Person: 32-byte commitment, masked
// name, no USCC or name. Typed errors: BAD_SUBJECT, BAD_USCC,
// PERSON_COMMITMENT_REQUIRED, BAD_COMMITMENT, BAD_MASKED_NAME, TEXT_TOO_LONG,
// PERSONAL_DATA_IN_TEXT.
Status ValidateCreditSubject(const pb::CreditSubject& subject);
// 1 or 2 leading visible characters (not '*', digits, spaces) then 1 to 8 '*',
// valid UTF-8: "张*", "欧阳**". Typed error: BAD_MASKED_NAME.
Status ValidateMaskedName(std::string_view masked);

// The subject's fixed-length key fragment: 'e' + USCC, or 'p' + 32-byte commitment.
std::string CreditSubjectKey(const pb::CreditSubject& subject);
bool SameCreditSubject(const pb::CreditSubject& a, const pb::CreditSubject& b);

const char* CreditListName(pb::CreditList list);            // "red" | "black"
const char* CreditSeverityName(pb::CreditSeverity s);       // "minor" | "general" | "serious"
const char* CreditStateName(pb::CreditEntryState state);    // "listed" | "repaired" | "expired" | "withdrawn"
const char* CreditEventKindName(pb::CreditEventKind kind);  // "listed" | "repair_filed" | ...
const char* CreditApplicationStateName(pb::CreditApplicationState s);  // "pending" | "approved" | ...
const char* CreditCommitmentStateName(pb::CreditCommitmentState s);    // "active" | "broken"
// Typed errors BAD_LIST, BAD_SEVERITY.
Result<pb::CreditList> ParseCreditList(std::string_view name);
Result<pb::CreditSeverity> ParseCreditSeverity(std::string_view name);

// ---------------------------------------------------------------------------
// State layout (one place, so the contract and the queries agree).
//
// Authenticated state (Space::kState):
//   credit/cat/<code>                          -> pb::CreditCategory
//   credit/m/<category>/<code>                 -> pb::CreditMeasure
//   credit/next_entry                          -> 8-byte big-endian next entry id
//   credit/e/<id be64>                         -> pb::CreditEntry
//   credit/open/<subject key>/<category>       -> entry id be64 (latest listing; duplicate check)
//   credit/doc/<SHA-256(org,doc no,subject,category)> -> entry id be64 (decision uniqueness)
//   credit/exp/<publicity end be64><id be64>   -> "" (expiry queue, LISTED entries only)
//   credit/next_commitment                     -> 8-byte big-endian next commitment id
//   credit/c/<id be64>                         -> pb::CreditCommitment
// Secondary indexes (Space::kIndex):
//   credit/s/<subject key><id be64>            -> "" (entries by subject)
//   credit/l/<r|b>/<category>/<id be64>        -> "" (LISTED entries by list and category)
//   credit/cs/<subject key><id be64>           -> "" (commitments by subject)
namespace credit_keys {

constexpr std::string_view kCategoryPrefix = "credit/cat/";
constexpr std::string_view kMeasurePrefix = "credit/m/";
constexpr std::string_view kNextEntry = "credit/next_entry";
constexpr std::string_view kEntryPrefix = "credit/e/";
constexpr std::string_view kOpenPrefix = "credit/open/";
constexpr std::string_view kDecisionPrefix = "credit/doc/";
constexpr std::string_view kExpiryPrefix = "credit/exp/";
constexpr std::string_view kNextCommitment = "credit/next_commitment";
constexpr std::string_view kCommitmentPrefix = "credit/c/";
constexpr std::string_view kSubjectIndexPrefix = "credit/s/";
constexpr std::string_view kListIndexPrefix = "credit/l/";
constexpr std::string_view kCommitmentIndexPrefix = "credit/cs/";

std::string Category(std::string_view code);
std::string MeasurePrefix(std::string_view category);  // "credit/m/<category>/"
std::string Measure(std::string_view category, std::string_view code);
std::string Entry(uint64_t id);
std::string Open(std::string_view subject_key, std::string_view category);
std::string Decision(std::string_view org, std::string_view doc_no, std::string_view subject_key,
                     std::string_view category);
std::string Expiry(int64_t publicity_end_ms, uint64_t id);
std::string Commitment(uint64_t id);
std::string SubjectIndexPrefix(std::string_view subject_key);
std::string SubjectIndex(std::string_view subject_key, uint64_t id);
// "credit/l/b/" for a list, "credit/l/b/<category>/" with a category.
std::string ListIndexPrefix(pb::CreditList list, std::string_view category = "");
std::string ListIndex(pb::CreditList list, std::string_view category, uint64_t id);
std::string CommitmentIndexPrefix(std::string_view subject_key);
std::string CommitmentIndex(std::string_view subject_key, uint64_t id);

}  // namespace credit_keys

// ---------------------------------------------------------------------------
// Client side: subjects, call builders, signed txs. Personal data stays here.

// A person's subject commitment:
//   SHA-256( "civicledger/credit-person/v1" 0x00 salt 0x00 citizen identity number )
// The salt is the city's credit subject salt, a secret the credit authorities
// share off chain: one person has one commitment across departments, and nobody
// can test identity numbers against the ledger. A distinct domain from the
// certificate holder commitment keeps credit entries unlinkable to certificates.
Bytes PersonCommitment(std::string_view salt, std::string_view citizen_id);
// The first character followed by '*' for each further one (at least one, at
// most four): "张三" -> "张*", "欧阳娜娜" -> "欧***". Typed error BAD_NAME (empty,
// not UTF-8, or starting with '*', a digit or a space).
Result<std::string> MaskName(std::string_view full_name);
// Typed errors: BAD_USCC, TEXT_TOO_LONG, PERSONAL_DATA_IN_TEXT.
Result<pb::CreditSubject> EnterpriseSubject(std::string_view uscc, std::string_view name = "");
// Validates the identity number (BAD_CITIZEN_ID) and a non-empty salt
// (SALT_REQUIRED); the name is only masked.
Result<pb::CreditSubject> PersonSubject(std::string_view salt, std::string_view citizen_id,
                                        std::string_view full_name);
// NAME_IN_TEXT when a free text of `listing` (reason, legal basis, document
// number, enterprise name) contains `full_name` or, for names of 3 or more
// characters, the given name after the first character. An empty name passes.
Status CheckNameNotInListing(const pb::CreditListing& listing, std::string_view full_name);

Bytes CreditTx(const TxParams& params, const pb::CreditCall& call, const crypto::KeyPair& key);

pb::CreditCall RegisterCreditCall(std::vector<pb::CreditCategory> categories,
                                  std::vector<pb::CreditMeasure> measures = {},
                                  std::vector<pb::CreditMeasureRef> remove_measures = {});
pb::CreditCall ListCreditCall(std::vector<pb::CreditListing> listings);
pb::CreditCall DelistCall(uint64_t entry_id, std::string_view reason);
pb::CreditCall RepairApplyCall(uint64_t entry_id, std::string_view evidence_digest, std::string_view statement);
pb::CreditCall RepairDecideCall(uint64_t entry_id, bool approve, std::string_view note);
pb::CreditCall ObjectionFileCall(uint64_t entry_id, std::string_view evidence_digest, std::string_view statement);
pb::CreditCall ObjectionDecideCall(uint64_t entry_id, bool uphold, std::string_view note);
pb::CreditCall CommitCall(const pb::CreditSubject& subject, std::string_view matter, std::string_view content_digest,
                          std::string_view summary, int64_t valid_until_ms = 0);
pb::CreditCall BreakCommitmentCall(uint64_t commitment_id, std::string_view note);
// A governance proposal whose action is `action` on the credit contract.
pb::GovernanceCall ProposeCreditCall(std::string_view title, const pb::CreditCall& action,
                                     std::string_view description = "");

}  // namespace civic::contracts
