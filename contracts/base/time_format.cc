#include "contracts/base/time_format.h"

#include <cstdio>

#include "contracts/base/errors.h"

namespace civic::contracts {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;

Status BadTime(std::string_view text, std::string why) {
  return Status::InvalidArgument(err::BAD_TIME, "time '" + std::string(text.substr(0, 64)) + "': " + why);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Howard Hinnant's civil_from_days.
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

// Reads exactly `n` digits at text[*pos].
bool Digits(std::string_view text, size_t* pos, size_t n, unsigned* out) {
  if (*pos + n > text.size()) return false;
  unsigned v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Expect(std::string_view text, size_t* pos, std::string_view chars) {
  if (*pos >= text.size() || chars.find(text[*pos]) == std::string_view::npos) return false;
  ++*pos;
  return true;
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool IsValidDate(int64_t year, unsigned month, unsigned day) {
  return month >= 1 && month <= 12 && day >= 1 && day <= DaysInMonth(year, month);
}

std::string FormatRfc3339(int64_t ms) {
  int64_t days = ms >= 0 ? ms / kMsPerDay : -((-ms + kMsPerDay - 1) / kMsPerDay);
  int64_t rem = ms - days * kMsPerDay;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  unsigned hh = static_cast<unsigned>(rem / 3'600'000);
  unsigned mm = static_cast<unsigned>(rem / 60'000 % 60);
  unsigned ss = static_cast<unsigned>(rem / 1000 % 60);
  unsigned frac = static_cast<unsigned>(rem % 1000);
  char buf[64];
  if (frac == 0) {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02u:%02u:%02uZ", static_cast<long long>(y), m, d, hh, mm, ss);
  } else {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ", static_cast<long long>(y), m, d, hh,
                  mm, ss, frac);
  }
  return buf;
}

Result<int64_t> ParseRfc3339(std::string_view text) {
  size_t pos = 0;
  unsigned year, month, day, hour, minute, second;
  if (!Digits(text, &pos, 4, &year) || !Expect(text, &pos, "-") || !Digits(text, &pos, 2, &month) ||
      !Expect(text, &pos, "-") || !Digits(text, &pos, 2, &day)) {
    return BadTime(text, "expected YYYY-MM-DD at the start");
  }
  if (!IsValidDate(year, month, day)) return BadTime(text, "not a real date");
  if (!Expect(text, &pos, "Tt ") || !Digits(text, &pos, 2, &hour) || !Expect(text, &pos, ":") ||
      !Digits(text, &pos, 2, &minute) || !Expect(text, &pos, ":") || !Digits(text, &pos, 2, &second)) {
    return BadTime(text, "expected THH:MM:SS after the date");
  }
  if (hour > 23 || minute > 59 || second > 60) return BadTime(text, "time of day out of range");
  if (second == 60) second = 59;  // leap second: clamp
  int64_t ms = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t scale = 100;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      ms += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return BadTime(text, "empty fraction of a second");
  }
  int64_t offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    unsigned oh, om;
    if (!Digits(text, &pos, 2, &oh) || !Expect(text, &pos, ":") || !Digits(text, &pos, 2, &om) || oh > 23 ||
        om > 59) {
      return BadTime(text, "bad UTC offset, expected +hh:mm");
    }
    offset_minutes = sign * static_cast<int64_t>(oh * 60 + om);
  } else {
    return BadTime(text, "missing time zone ('Z' or +hh:mm)");
  }
  if (pos != text.size()) return BadTime(text, "unexpected characters at the end");
  int64_t days = DaysFromCivil(year, month, day);
  return ((days * 24 + hour) * 60 + minute - offset_minutes) * 60'000 + static_cast<int64_t>(second) * 1000 + ms;
}

Result<int64_t> ParseTime(std::string_view text) {
  if (text.empty()) return BadTime(text, "empty");
  bool numeric = true;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!(text[i] >= '0' && text[i] <= '9') && !(i == 0 && text[i] == '-')) numeric = false;
  }
  if (!numeric) return ParseRfc3339(text);
  if (text.size() > 17) return BadTime(text, "number of milliseconds out of range");
  int64_t v = 0;
  bool neg = text[0] == '-';
  for (size_t i = neg ? 1 : 0; i < text.size(); ++i) v = v * 10 + (text[i] - '0');
  if (neg && text.size() == 1) return BadTime(text, "not a number");
  return neg ? -v : v;
}

}  // namespace civic::contracts
