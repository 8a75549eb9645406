// Read-only credit queries over committed state, returning records and structs,
// for the RPC layer (credit_report, credit_list, credit_get, credit_check,
// credit_categories), REST (GET /v1/credit/{uscc}) and tools. Their JSON
// renderings are in rpc/codec/credit.h.
//
// Time: every query takes `now_ms`, the block time of the state it reads (the
// tip's time for RPC). An entry is judged by EffectiveState(entry, now_ms), so an
// entry whose publicity period has ended reads as "expired" at once, whether or
// not a block has recorded it yet.
//
// Visibility (what a caller may see; the renderings apply it):
//   kPublic - anyone. A published (listed) entry shows everything the decision
//             publishes: subject, list, category, reason, legal basis, decision
//             document number and digest, deciding org, dates. An entry that is no
//             longer published (repaired, expired, withdrawn) shows only the fact:
//             id, subject, list, category, deciding org, when (and by which tx)
//             it was listed, when publication ended and its state. Approved repairs appear as facts (entry, dates);
//             evidence, statements, pending applications and objections do not.
//   kFull   - a department entitled to the history (the deciding org, the credit
//             office): every field, repair applications, objections and events.
// The RPC methods answer with kPublic: requests carry no caller identity yet.
//
// Thread safety: pure functions of the reader; safe when the reader is.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "contracts/credit/credit.pb.h"
#include "ledger/kv.h"

namespace civic::contracts {

enum class CreditView { kPublic, kFull };

constexpr size_t kMaxCreditPage = 1000;
constexpr size_t kMaxReportEntries = 1000;

// Category code -> name, for the categories of the entries a result holds.
using CreditCategoryNames = std::map<std::string, std::string, std::less<>>;

// Typed errors: BAD_CATEGORY_CODE, UNKNOWN_CATEGORY, CORRUPTION.
Result<pb::CreditCategory> GetCreditCategory(const ledger::KvReader& state, std::string_view code);
// All categories in code order.
Result<std::vector<pb::CreditCategory>> ListCreditCategories(const ledger::KvReader& state);
// The measures of one category (empty: of all), in (category, code) order.
Result<std::vector<pb::CreditMeasure>> ListCreditMeasures(const ledger::KvReader& state,
                                                          std::string_view category = "");
// Typed error: ENTRY_NOT_FOUND.
Result<pb::CreditEntry> GetCreditEntry(const ledger::KvReader& state, uint64_t id);
// Typed error: COMMITMENT_NOT_FOUND.
Result<pb::CreditCommitment> GetCreditCommitment(const ledger::KvReader& state, uint64_t id);

// A subject named in a query: an 18-character USCC (enterprise) or the 64 hex
// characters of a person's commitment. Typed errors: BAD_SUBJECT, BAD_USCC.
Result<pb::CreditSubject> ParseCreditSubject(std::string_view text);

// A measure that applies, with the published entries that trigger it.
struct MeasureHit {
  pb::CreditMeasure measure;
  pb::CreditList list = pb::CREDIT_LIST_UNSPECIFIED;
  std::vector<uint64_t> entries;  // ascending
};

struct CreditReport {
  pb::CreditSubject subject;  // as the newest entry recorded it (names included), else as asked
  int64_t at_ms = 0;
  std::vector<pb::CreditEntry> entries;  // newest first, at most kMaxReportEntries
  size_t entries_total = 0;
  std::vector<pb::CreditCommitment> commitments;  // newest first, at most kMaxReportEntries
  std::vector<MeasureHit> measures;               // apply now, for any matter
  CreditCategoryNames category_names;
};
Result<CreditReport> BuildCreditReport(const ledger::KvReader& state, const pb::CreditSubject& subject, int64_t now_ms);

struct CreditCheck {
  pb::CreditSubject subject;
  std::string matter;  // empty: every kind of matter
  int64_t at_ms = 0;
  std::vector<MeasureHit> measures;      // in (category, code) order
  std::vector<pb::CreditEntry> entries;  // the published entries that trigger them, ascending id
  CreditCategoryNames category_names;
};
// The measures that apply now to `subject` when handling a matter of kind
// `matter` (empty: any), and the entries that trigger them. Typed error: BAD_MATTER.
Result<CreditCheck> CheckCredit(const ledger::KvReader& state, const pb::CreditSubject& subject,
                                std::string_view matter, int64_t now_ms);

struct CreditPage {
  pb::CreditList list = pb::CREDIT_LIST_UNSPECIFIED;
  std::string category;
  int64_t at_ms = 0;
  std::vector<pb::CreditEntry> entries;
  std::string next_cursor;  // empty: no more
  CreditCategoryNames category_names;
};
// Published entries of a list (and category), in (category, id) order, after
// `cursor` (a next_cursor of an earlier page; empty = from the start), at most
// `limit`. Typed errors: BAD_LIST, BAD_CATEGORY_CODE, UNKNOWN_CATEGORY,
// BAD_CURSOR, BAD_LIMIT.
Result<CreditPage> ListPublished(const ledger::KvReader& state, pb::CreditList list, std::string_view category,
                                 std::string_view cursor, size_t limit, int64_t now_ms);

}  // namespace civic::contracts
