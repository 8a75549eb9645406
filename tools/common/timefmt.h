// Dates and times on the command line and in import files.
//
// Accepted forms:
//   2024-05-01                     a calendar date in China Standard Time (UTC+08:00),
//                                  the time zone of the issuing departments; as a start
//                                  it means 00:00:00.000 of that day, as an end
//                                  (valid_until) the last millisecond of that day
//   2024-05-01T08:30:00Z           RFC 3339, with Z or an offset (+08:00), optional
//   2024-05-01T08:30:00.250+08:00  fraction of a second (milliseconds kept)
//   1714521600000                  milliseconds since the Unix epoch
// Years 1900-9999; times are read by contracts::ParseRfc3339 (contracts/base/time_format.h).
// Errors: BAD_DATE naming the text and the expected forms.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/base/status.h"

namespace civic::tools {

enum class DateEdge { kStartOfDay, kEndOfDay };

Result<int64_t> ParseTimeMs(std::string_view text, DateEdge edge = DateEdge::kStartOfDay);
// Milliseconds since the Unix epoch, now (wall clock; tools only).
int64_t NowMs();

}  // namespace civic::tools
