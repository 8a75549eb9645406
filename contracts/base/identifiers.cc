#include "contracts/base/identifiers.h"

#include <array>

#include "contracts/base/checks.h"
#include "contracts/base/errors.h"
#include "contracts/base/time_format.h"

namespace civic::contracts {
namespace {

// GB 32100 alphabet: digits and upper-case letters except I, O, S, V, Z.
constexpr std::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr std::array<int, 17> kUsccWeights = {1, 3, 9, 27, 19, 26, 16, 17, 20,
                                              29, 25, 13, 8, 24, 10, 30, 28};
constexpr std::string_view kMod36Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

int UsccValue(char c) {
  size_t pos = kUsccAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

int Mod36Value(char c) {
  size_t pos = kMod36Alphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

bool AllDigits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

unsigned ParseDigits(std::string_view s) {
  unsigned v = 0;
  for (char c : s) v = v * 10 + static_cast<unsigned>(c - '0');
  return v;
}

// Input echoed in messages is clipped (Shown): a malicious tx must not make errors huge.
Status BadUscc(std::string_view code, std::string why) {
  return Status::InvalidArgument(err::BAD_USCC,
                                 "unified social credit code '" + Shown(code) + "': " + why);
}

Status BadCitizenId(std::string why) {
  return Status::InvalidArgument(err::BAD_CITIZEN_ID, "citizen identity number: " + why);
}

Status BadCertId(std::string_view id, std::string why) {
  return Status::InvalidArgument(err::BAD_CERT_ID,
                                 "certificate identifier '" + Shown(id) + "': " + why);
}

}  // namespace

Result<char> UsccCheckChar(std::string_view first17) {
  if (first17.size() != 17) return BadUscc(first17, "expected 17 characters before the check character");
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    int v = UsccValue(first17[i]);
    if (v < 0) {
      return BadUscc(first17, "character " + std::to_string(i + 1) + " ('" + std::string(1, first17[i]) +
                                  "') is not in 0-9 A-H J-N P-R T U W-Y");
    }
    sum += v * kUsccWeights[i];
  }
  int check = 31 - sum % 31;
  if (check == 31) check = 0;
  return kUsccAlphabet[static_cast<size_t>(check)];
}

Status ValidateUscc(std::string_view code) {
  if (code.size() != 18) {
    return BadUscc(code, "must be 18 characters, got " + std::to_string(code.size()));
  }
  for (size_t i = 0; i < 18; ++i) {
    if (UsccValue(code[i]) < 0) {
      return BadUscc(code, "character " + std::to_string(i + 1) + " ('" + std::string(1, code[i]) +
                               "') is not in 0-9 A-H J-N P-R T U W-Y");
    }
  }
  char check = *UsccCheckChar(code.substr(0, 17));
  if (check != code[17]) {
    return BadUscc(code, std::string("check character should be '") + check + "', not '" + code[17] + "'");
  }
  return Status::Ok();
}

Result<char> CitizenIdCheckChar(std::string_view first17) {
  if (first17.size() != 17 || !AllDigits(first17)) return BadCitizenId("the first 17 characters must be digits");
  // ISO 7064 MOD 11-2: weight of position i (from the left, 18 positions) is 2^(17-i) mod 11.
  int sum = 0;
  int weight = 1;
  std::array<int, 17> weights{};
  for (int i = 16; i >= 0; --i) {
    weight = weight * 2 % 11;
    weights[static_cast<size_t>(i)] = weight;
  }
  for (size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * weights[i];
  int check = (12 - sum % 11) % 11;
  return check == 10 ? 'X' : static_cast<char>('0' + check);
}

Status ValidateCitizenId(std::string_view id) {
  if (id.size() != 18) return BadCitizenId("must be 18 characters, got " + std::to_string(id.size()));
  if (!AllDigits(id.substr(0, 17))) return BadCitizenId("the first 17 characters must be digits");
  // Area codes start with 1-8; 9 is used by the 2023 foreigner's permanent residence card.
  if (id[0] == '0') {
    return BadCitizenId("'" + std::string(id.substr(0, 6)) + "' is not an administrative area code");
  }
  unsigned year = ParseDigits(id.substr(6, 4));
  unsigned month = ParseDigits(id.substr(10, 2));
  unsigned day = ParseDigits(id.substr(12, 2));
  if (year < 1800 || !IsValidDate(year, month, day)) {
    return BadCitizenId("birth date '" + std::string(id.substr(6, 8)) + "' is not a real date");
  }
  char expected = *CitizenIdCheckChar(id.substr(0, 17));
  if (id[17] != expected) {
    if (id[17] == 'x' && expected == 'X') return BadCitizenId("the check character must be an upper-case 'X'");
    return BadCitizenId(std::string("check character should be '") + expected + "', not '" + id[17] + "'");
  }
  return Status::Ok();
}

Result<char> Mod3736CheckChar(std::string_view text) {
  constexpr int kM = 36;
  int p = kM;
  for (char c : text) {
    int v = Mod36Value(c);
    if (v < 0) {
      return Status::InvalidArgument(err::BAD_CERT_ID, std::string("character '") + c + "' is not in 0-9 A-Z");
    }
    int s = (p + v) % kM;
    if (s == 0) s = kM;
    p = s * 2 % (kM + 1);
  }
  return kMod36Alphabet[static_cast<size_t>((kM + 1 - p) % kM)];
}

Status ValidateTypeCode(std::string_view code) {
  if (code.size() != 21) {
    return Status::InvalidArgument(err::BAD_TYPE_CODE, "certificate type code '" + Shown(code) +
                                                        "': must be 21 characters (the defining "
                                                        "authority's USCC and 3 digits)");
  }
  if (Status st = ValidateUscc(code.substr(0, 18)); !st.ok()) {
    return Status::InvalidArgument(err::BAD_TYPE_CODE, "certificate type code '" + Shown(code) +
                                                        "': defining authority: " + st.message());
  }
  if (!AllDigits(code.substr(18))) {
    return Status::InvalidArgument(err::BAD_TYPE_CODE, "certificate type code '" + Shown(code) +
                                                        "': the last 3 characters must be digits");
  }
  return Status::Ok();
}

Status ValidateSerial(std::string_view serial) {
  if (serial.empty() || serial.size() > kMaxSerialLength) {
    return Status::InvalidArgument(err::BAD_SERIAL, "serial '" + Shown(serial) + "': must be 1 to " +
                                                     std::to_string(kMaxSerialLength) + " characters");
  }
  for (char c : serial) {
    if (Mod36Value(c) < 0) {
      return Status::InvalidArgument(err::BAD_SERIAL, "serial '" + Shown(serial) +
                                                       "': only digits and upper-case letters A-Z");
    }
  }
  return Status::Ok();
}

namespace {
std::string VersionText(uint32_t version) {
  std::string v = std::to_string(version);
  return std::string(3 - std::min<size_t>(3, v.size()), '0') + v;
}
}  // namespace

std::string FormatCertId(const CertId& id) {
  std::string version = VersionText(id.version);
  std::string body = id.type_code + id.issuer_code + id.serial + version;
  auto check = Mod3736CheckChar(body);
  std::string out;
  out.reserve(kCertIdPrefix.size() + body.size() + 5);
  out.append(kCertIdPrefix).append(id.type_code).push_back('.');
  out.append(id.issuer_code).push_back('.');
  out.append(id.serial).push_back('.');
  out.append(version).push_back('.');
  out.push_back(check.ok() ? *check : '?');
  return out;
}

Result<std::string> MakeCertId(std::string_view type_code, std::string_view issuer_code,
                               std::string_view serial, uint32_t version) {
  CIVIC_RETURN_IF_ERROR(ValidateTypeCode(type_code));
  CIVIC_RETURN_IF_ERROR(ValidateUscc(issuer_code));
  CIVIC_RETURN_IF_ERROR(ValidateSerial(serial));
  if (version < 1 || version > kMaxCertVersion) {
    return Status::InvalidArgument(err::BAD_VERSION, "certificate version must be 1..999, got " +
                                                      std::to_string(version));
  }
  return FormatCertId(CertId{std::string(type_code), std::string(issuer_code), std::string(serial), version});
}

Result<CertId> ParseCertId(std::string_view text) {
  if (text.size() > 128) return BadCertId(text.substr(0, 64), "too long");
  if (text.substr(0, kCertIdPrefix.size()) != kCertIdPrefix) {
    return BadCertId(text, "must start with " + std::string(kCertIdPrefix));
  }
  std::string_view rest = text.substr(kCertIdPrefix.size());
  std::array<std::string_view, 5> parts;
  for (size_t i = 0; i < 5; ++i) {
    size_t dot = rest.find('.');
    if (i < 4) {
      if (dot == std::string_view::npos) return BadCertId(text, "expected 5 parts after the prefix");
      parts[i] = rest.substr(0, dot);
      rest = rest.substr(dot + 1);
    } else {
      if (dot != std::string_view::npos) return BadCertId(text, "expected 5 parts after the prefix");
      parts[i] = rest;
    }
  }
  if (Status st = ValidateTypeCode(parts[0]); !st.ok()) return BadCertId(text, st.message());
  if (Status st = ValidateUscc(parts[1]); !st.ok()) return BadCertId(text, "issuer code: " + st.message());
  if (Status st = ValidateSerial(parts[2]); !st.ok()) return BadCertId(text, st.message());
  if (parts[3].size() != 3 || !AllDigits(parts[3]) || ParseDigits(parts[3]) == 0) {
    return BadCertId(text, "version must be 3 digits from 001 to 999");
  }
  if (parts[4].size() != 1) return BadCertId(text, "check must be one character");
  std::string body = std::string(parts[0]) + std::string(parts[1]) + std::string(parts[2]) + std::string(parts[3]);
  char expected = *Mod3736CheckChar(body);
  if (parts[4][0] != expected) {
    return BadCertId(text, std::string("check character should be '") + expected + "', not '" + parts[4][0] + "'");
  }
  return CertId{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]), ParseDigits(parts[3])};
}

Result<std::string> NextVersionId(std::string_view id) {
  CIVIC_ASSIGN_OR_RETURN(CertId parsed, ParseCertId(id));
  if (parsed.version >= kMaxCertVersion) {
    return Status::FailedPrecondition(err::VERSION_LIMIT, std::string(id) + " is at the last version (999)");
  }
  parsed.version += 1;
  return FormatCertId(parsed);
}

std::string FormatRunningSerial(uint64_t n) {
  std::string digits = std::to_string(n);
  if (digits.size() >= 10) return digits;
  return std::string(10 - digits.size(), '0') + digits;
}

}  // namespace civic::contracts
