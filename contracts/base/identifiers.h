// Identifier and code validators (pure functions, thread-safe).
//
// - Unified social credit code, GB 32100-2015: 18 characters from
//   0-9 A-H J-N P-R T U W-Y; check character = 31 - (sum of value*weight mod 31),
//   weights 1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28 (31 -> 0).
// - Citizen identity number, GB 11643-1999: 6-digit area, 8-digit birth date (a real
//   date), 3-digit sequence, check character by ISO 7064 MOD 11-2 (10 -> 'X').
// - E-certificate identifier, GB/T 36904-2018:
//     1.2.156.3005.2.<type code>.<issuer code>.<serial>.<version>.<check>
//   type code = USCC of the defining authority + 3 digits; issuer code = USCC;
//   serial = 1..20 characters of 0-9 A-Z; version = 3 digits (001..999);
//   check = ISO 7064 hybrid MOD 37,36 over type+issuer+serial+version (no dots).
//
// Typed errors: BAD_USCC, BAD_CITIZEN_ID, BAD_TYPE_CODE, BAD_SERIAL, BAD_VERSION, BAD_CERT_ID.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/base/status.h"

namespace civic::contracts {

constexpr std::string_view kCertIdPrefix = "1.2.156.3005.2.";
constexpr size_t kMaxSerialLength = 20;
constexpr uint32_t kMaxCertVersion = 999;

// GB 32100 check character for the first 17 characters (which must be valid).
Result<char> UsccCheckChar(std::string_view first17);
Status ValidateUscc(std::string_view code);

// ISO 7064 MOD 11-2 check character for 17 digits.
Result<char> CitizenIdCheckChar(std::string_view first17);
Status ValidateCitizenId(std::string_view id);

// ISO 7064 hybrid MOD 37,36 check character over 0-9 A-Z (input must use that alphabet).
Result<char> Mod3736CheckChar(std::string_view text);

Status ValidateTypeCode(std::string_view code);
Status ValidateSerial(std::string_view serial);

struct CertId {
  std::string type_code;
  std::string issuer_code;
  std::string serial;
  uint32_t version = 1;
};

// Builds the identifier (inputs must be valid: see ValidateTypeCode etc.).
std::string FormatCertId(const CertId& id);
// Builds and validates in one step.
Result<std::string> MakeCertId(std::string_view type_code, std::string_view issuer_code,
                               std::string_view serial, uint32_t version);
// Parses and checks every part and the check character.
Result<CertId> ParseCertId(std::string_view text);
// The id of the next version of `id` (renew and replace keep type, issuer and
// serial). Typed errors: those of ParseCertId, VERSION_LIMIT.
Result<std::string> NextVersionId(std::string_view id);

// A chain-assigned serial: the running number, zero-padded to 10 digits.
std::string FormatRunningSerial(uint64_t n);

}  // namespace civic::contracts
