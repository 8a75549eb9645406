#include "tools/timefmt.h"

#include <chrono>
#include <cstdio>

namespace civic::tools {
namespace {

constexpr int64_t kMsPerDay = 86400000;
constexpr int64_t kChinaOffsetMs = 8 * 3600 * 1000;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

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
  return Status::InvalidArgument(
      "BAD_DATE", "\"" + std::string(text) +
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
  if (!Digits(text, 0, 4, &y) || text.size() < 10 || text[4] != '-' || !Digits(text, 5, 2, &mo) ||
      text[7] != '-' || !Digits(text, 8, 2, &d)) {
    return BadDate(text);
  }
  if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, static_cast<unsigned>(mo))) {
    return BadDate(text);
  }
  const int64_t day_ms = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * kMsPerDay;
  if (text.size() == 10) {
    int64_t start = day_ms - kChinaOffsetMs;
    return edge == DateEdge::kStartOfDay ? start : start + kMsPerDay - 1;
  }
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') return BadDate(text);
  int64_t h, mi, s;
  if (!Digits(text, 11, 2, &h) || text.size() < 19 || text[13] != ':' || !Digits(text, 14, 2, &mi) ||
      text[16] != ':' || !Digits(text, 17, 2, &s) || h > 23 || mi > 59 || s > 59) {
    return BadDate(text);
  }
  size_t pos = 19;
  int64_t frac_ms = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t scale = 100;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      frac_ms += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start || pos - start > 9) return BadDate(text);
  }
  int64_t offset_ms = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int sign = text[pos] == '-' ? -1 : 1;
    int64_t oh, om;
    if (!Digits(text, pos + 1, 2, &oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !Digits(text, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return BadDate(text);
    }
    offset_ms = sign * (oh * 3600 + om * 60) * 1000;
    pos += 6;
  } else {
    return BadDate(text);  // RFC 3339 requires a zone
  }
  if (pos != text.size()) return BadDate(text);
  return day_ms + ((h * 60 + mi) * 60 + s) * 1000 + frac_ms - offset_ms;
}

std::string FormatTimeMs(int64_t ms) {
  int64_t days = ms >= 0 ? ms / kMsPerDay : -((-ms + kMsPerDay - 1) / kMsPerDay);
  int64_t rem = ms - days * kMsPerDay;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600000),
                static_cast<long long>(rem / 60000 % 60), static_cast<long long>(rem / 1000 % 60),
                static_cast<long long>(rem % 1000));
  return buf;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace civic::tools
