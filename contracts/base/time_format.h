// RFC 3339 timestamps <-> milliseconds since the Unix epoch (UTC). Pure
// arithmetic on the proleptic Gregorian calendar, no clock, no locale.
// Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/base/status.h"

namespace civic::contracts {

constexpr int64_t kDayMs = 86'400'000;

// "2025-05-22T08:00:00Z", or with ".123" when the milliseconds are not zero.
std::string FormatRfc3339(int64_t ms);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)" ('t'/'z'/' ' tolerated).
// Fractions beyond milliseconds are truncated. Typed error: BAD_TIME.
Result<int64_t> ParseRfc3339(std::string_view text);
// Either a decimal number of ms or an RFC 3339 timestamp. Typed error: BAD_TIME.
Result<int64_t> ParseTime(std::string_view text);
// Days since 1970-01-01 for a civil date (no validation), and whether a date exists.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
bool IsValidDate(int64_t year, unsigned month, unsigned day);

}  // namespace civic::contracts
