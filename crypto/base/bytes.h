// Byte strings and their hex form. Bytes are std::string (as LevelDB and protobuf use).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace civic {

using Bytes = std::string;

// Lower-case hex of `data`.
std::string ToHex(std::string_view data);
// Parses hex (either case, even length); nullopt on any bad character or odd length.
std::optional<Bytes> FromHex(std::string_view hex);

// Big-endian fixed-width encodings: they sort as numbers in LevelDB.
void PutBigEndian64(Bytes* out, uint64_t v);
uint64_t GetBigEndian64(std::string_view in);  // requires in.size() >= 8
void PutBigEndian32(Bytes* out, uint32_t v);
uint32_t GetBigEndian32(std::string_view in);  // requires in.size() >= 4

// base64url without padding (RFC 4648 section 5), used for SD-JWT style digests.
std::string Base64UrlEncode(std::string_view data);
std::optional<Bytes> Base64UrlDecode(std::string_view text);

}  // namespace civic
