#include "tools/common/timefmt.h"

#include <chrono>

#include "contracts/base/time_format.h"
#include "tools/common/errors.h"

namespace civic::tools {
namespace {

constexpr int64_t kMsPerDay = 86400000;
constexpr int64_t kChinaOffsetMs = 8 * 3600 * 1000;

// Reads exactly `n` digits at `pos`.
bool Digits(std::string_view s, size_t pos, size_t n, int64_t* out) {
  if (pos + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

Status BadDate(std::string_view text) {
  return Status::InvalidArgument(err::BAD_DATE, "\"" + std::string(text) +
                                                 "\" is not a date or time; use 2024-05-01, 2024-05-01T08:30:00+08:00 "
                                                 "or milliseconds since 1970");
}

}  // namespace

Result<int64_t> ParseTimeMs(std::string_view text, DateEdge edge) {
  if (text.empty()) return BadDate(text);
  bool all_digits = true;
  for (char c : text) all_digits = all_digits && c >= '0' && c <= '9';
  if (all_digits) {
    if (text.size() > 15) return BadDate(text);  // beyond year 9999
    int64_t v = 0;
    Digits(text, 0, text.size(), &v);
    return v;
  }
  int64_t y, mo, d;
  if (!Digits(text, 0, 4, &y) || text.size() < 10 || text[4] != '-' || !Digits(text, 5, 2, &mo) || text[7] != '-' ||
      !Digits(text, 8, 2, &d)) {
    return BadDate(text);
  }
  if (y < 1900 || !contracts::IsValidDate(y, static_cast<unsigned>(mo), static_cast<unsigned>(d))) {
    return BadDate(text);
  }
  if (text.size() == 10) {
    const int64_t start =
        contracts::DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * kMsPerDay - kChinaOffsetMs;
    return edge == DateEdge::kStartOfDay ? start : start + kMsPerDay - 1;
  }
  // A time: RFC 3339 as the contracts read it, with this module's error.
  auto ms = contracts::ParseRfc3339(text);
  if (!ms.ok()) return BadDate(text);
  return *ms;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace civic::tools
