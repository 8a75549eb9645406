// Input rules every contract applies the same way: free texts, digests and
// tokens. Written once so that "no citizen identity number in a public text"
// means the same thing in every contract, the RPC layer and the CLI.
//
// Every text a contract stores is public to every department (the ledger is
// replicated), so a text that contains a valid citizen identity number (GB 11643,
// 18 characters, check character included) is refused with
// PERSONAL_DATA_IN_TEXT. Names in free text cannot be detected on chain; client
// tools check those before a tx is built.
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/base/status.h"

namespace civic::contracts {

// Size of every digest and commitment the contracts store (SHA-256).
constexpr size_t kDigestSize = 32;

// Decodes UTF-8 into code points; nullopt for malformed input (overlong forms,
// surrogates and values above U+10FFFF included).
std::optional<std::vector<uint32_t>> DecodeUtf8(std::string_view text);
std::string EncodeUtf8(uint32_t code_point);
bool IsValidUtf8(std::string_view text);

// True when `text` contains a valid citizen identity number anywhere.
bool ContainsCitizenId(std::string_view text);
// PERSONAL_DATA_IN_TEXT when `text` contains a valid citizen identity number,
// naming `what` ("the reason", "--summary", ...).
Status CheckNoIdNumber(std::string_view what, std::string_view text);

// How a free text is checked: at most `max_bytes`; when `required_code` is set,
// an empty text is refused with that code.
struct TextRule {
  size_t max_bytes = 0;
  const char* required_code = nullptr;
};
// Typed errors: `rule.required_code`, TEXT_TOO_LONG, PERSONAL_DATA_IN_TEXT.
Status CheckText(std::string_view what, std::string_view text, TextRule rule);

// BAD_DIGEST unless `digest` is kDigestSize bytes, naming `what`.
Status CheckDigest(std::string_view what, std::string_view digest);

// 1 to `max` characters of A-Z a-z 0-9 and the characters in `extra`.
bool IsToken(std::string_view text, std::string_view extra, size_t max = 64);

// At most the first 64 bytes of a value, for error messages that quote input.
std::string Shown(std::string_view text);

}  // namespace civic::contracts
