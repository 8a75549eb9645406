// The credit contract's rules that hold outside the executor too: limits, the
// shape of categories, measures and subjects, codes, list and severity names,
// and the state an entry has at a given time. The contract, its queries and
// client tools apply the same functions, so a value a client accepts is one the
// contract accepts.
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "contracts/base/checks.h"
#include "contracts/base/time_format.h"
#include "contracts/credit/credit.pb.h"
#include "crypto/base/status.h"

namespace civic::contracts {

constexpr size_t kMaxCreditBatch = 1000;         // listings per tx
constexpr size_t kMaxApplicationsPerEntry = 20;  // repair applications, and objections, per entry
constexpr size_t kMaxCreditText = 1000;          // reason, legal basis, statements, notes (bytes)
constexpr size_t kMaxCreditShortText = 200;      // names, document numbers, summaries (bytes)

// A LISTED entry whose publicity end is at or before `now_ms` reads as EXPIRED.
pb::CreditEntryState EffectiveState(const pb::CreditEntry& entry, int64_t now_ms);

// Category codes, measure codes and matters: [A-Za-z0-9_.-]{1,64}.
inline bool IsCreditToken(std::string_view token) { return IsToken(token, "_.-"); }
// Typed error BAD_CATEGORY_CODE unless `code` is a credit token.
Status CheckCategoryCode(std::string_view code);
// Typed error BAD_MATTER unless `matter` is a credit token.
Status CheckMatter(std::string_view matter);

// Category: code, name, list, deciding orgs (valid, unique USCCs), severity,
// periods (0 <= min <= max, 0 < max <= 100 years). Typed errors: BAD_CATEGORY_CODE, BAD_CATEGORY.
Status ValidateCreditCategory(const pb::CreditCategory& category);
// Measure shape (codes, org USCC, matter, description). Typed error: BAD_MEASURE.
Status ValidateCreditMeasure(const pb::CreditMeasure& measure);

// Enterprise: valid USCC, no person fields. Person: 32-byte commitment, masked
// name, no USCC or name. Typed errors: BAD_SUBJECT, BAD_USCC,
// PERSON_COMMITMENT_REQUIRED, BAD_COMMITMENT, BAD_MASKED_NAME, TEXT_TOO_LONG,
// PERSONAL_DATA_IN_TEXT.
Status ValidateCreditSubject(const pb::CreditSubject& subject);
// 1 or 2 leading visible characters then 1 to 8 '*', valid UTF-8: "张*",
// "欧阳**". Typed error: BAD_MASKED_NAME.
Status ValidateMaskedName(std::string_view masked);
// Whether a masked name may show `code_point`: not '*', not a digit (ASCII or
// full-width), not a space or a control character.
bool MayShowInMaskedName(uint32_t code_point);
bool SameCreditSubject(const pb::CreditSubject& a, const pb::CreditSubject& b);

// The names EnumName gives ("red", "black"; "minor", "general", "serious").
// Typed errors BAD_LIST, BAD_SEVERITY.
Result<pb::CreditList> ParseCreditList(std::string_view name);
Result<pb::CreditSeverity> ParseCreditSeverity(std::string_view name);

}  // namespace civic::contracts
