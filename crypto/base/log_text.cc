#include "crypto/base/log_text.h"

#include <cstdint>
#include <cstdio>

namespace civic {
namespace {

// The length of the well-formed UTF-8 sequence at the start of `s` and its code
// point, or 0 when it is not one (overlong, surrogate, past U+10FFFF, cut).
size_t DecodeUtf8(std::string_view s, uint32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  size_t n = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
  if (n == 0 || n > s.size() || b0 > 0xF4) return 0;
  uint32_t c = b0 & (0x7F >> n);
  for (size_t i = 1; i < n; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) != 0x80) return 0;
    c = (c << 6) | (b & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (c < kMin[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  *cp = c;
  return n;
}

// Code points that change how a line is shown or split.
bool Hidden(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C || cp == 0xFEFF;
}

void AppendEscape(std::string* out, const char* format, uint32_t value) {
  char buf[16];
  int n = std::snprintf(buf, sizeof(buf), format, static_cast<unsigned>(value));
  out->append(buf, static_cast<size_t>(n));
}

}  // namespace

std::string LogText(std::string_view text, size_t max_bytes) {
  const size_t cut = text.size() > max_bytes ? text.size() - max_bytes : 0;
  std::string_view rest = text.substr(0, text.size() - cut);
  std::string out;
  out.reserve(rest.size() + 16);
  while (!rest.empty()) {
    const auto c = static_cast<unsigned char>(rest[0]);
    uint32_t cp = 0;
    const size_t n = c >= 0x80 ? DecodeUtf8(rest, &cp) : 0;
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      rest.remove_prefix(1);
    } else if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
      rest.remove_prefix(1);
    } else if (n != 0) {
      if (Hidden(cp)) {
        AppendEscape(&out, "\\u{%04X}", cp);
      } else {
        out.append(rest.substr(0, n));
      }
      rest.remove_prefix(n);
    } else {
      AppendEscape(&out, "\\x%02X", c);
      rest.remove_prefix(1);
    }
  }
  if (cut != 0) out += "...(+" + std::to_string(cut) + " bytes)";
  return out;
}

}  // namespace civic
