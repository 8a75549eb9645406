#include "contracts/base/checks.h"

#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"

namespace civic::contracts {

std::optional<std::vector<uint32_t>> DecodeUtf8(std::string_view s) {
  std::vector<uint32_t> out;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    size_t len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F;
      len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F;
      len = 3;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07;
      len = 4;
    } else {
      return std::nullopt;
    }
    if (i + len > s.size()) return std::nullopt;
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
    out.push_back(cp);
    i += len;
  }
  return out;
}

std::string EncodeUtf8(uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return out;
}

bool IsValidUtf8(std::string_view text) { return DecodeUtf8(text).has_value(); }

bool ContainsCitizenId(std::string_view text) {
  size_t run = 0;  // digits ending just before i
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool digit = c >= '0' && c <= '9';
    if ((digit || c == 'X' || c == 'x') && run >= 17) {
      std::string candidate(text.substr(i - 17, 18));
      if (candidate.back() == 'x') candidate.back() = 'X';
      if (ValidateCitizenId(candidate).ok()) return true;
    }
    run = digit ? run + 1 : 0;
  }
  return false;
}

Status CheckNoIdNumber(std::string_view what, std::string_view text) {
  if (!ContainsCitizenId(text)) return Status::Ok();
  return Status::InvalidArgument(err::PERSONAL_DATA_IN_TEXT, std::string(what) +
                                                              " contains a citizen identity number; personal data "
                                                              "never goes on chain");
}

Status CheckText(std::string_view what, std::string_view text, TextRule rule) {
  if (rule.required_code != nullptr && text.empty()) {
    return Status::InvalidArgument(rule.required_code, std::string(what) + " is required");
  }
  if (text.size() > rule.max_bytes) {
    return Status::InvalidArgument(err::TEXT_TOO_LONG, std::string(what) + " must be at most " +
                                                        std::to_string(rule.max_bytes) + " bytes, got " +
                                                        std::to_string(text.size()));
  }
  return CheckNoIdNumber(what, text);
}

Status CheckDigest(std::string_view what, std::string_view digest) {
  if (digest.size() == kDigestSize) return Status::Ok();
  return Status::InvalidArgument(err::BAD_DIGEST, std::string(what) + " must be a 32-byte digest (SHA-256), got " +
                                                   std::to_string(digest.size()) + " bytes");
}

bool IsToken(std::string_view text, std::string_view extra, size_t max) {
  if (text.empty() || text.size() > max) return false;
  for (char c : text) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && extra.find(c) == std::string_view::npos) return false;
  }
  return true;
}

std::string Shown(std::string_view text) { return std::string(text.substr(0, 64)); }

}  // namespace civic::contracts
