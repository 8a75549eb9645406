// The hashes of the authenticated state (a binary sparse Merkle tree over 256-bit
// paths, leaves at their shortest unique prefix):
//
//   path(key)          = SHA-256(key)
//   value_hash(value)  = SHA-256(value)
//   leaf               = SHA-256(0x00 || path || value_hash)
//   internal           = SHA-256(0x01 || left || right)
//   empty subtree      = 32 zero bytes
//
// These run millions of times per large block, so they use OpenSSL's SHA-256
// (SHA extensions where the CPU has them) with a per-thread context; the digests
// are plain SHA-256. Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "crypto/base/bytes.h"

namespace civic::ledger {

using Hash32 = std::array<unsigned char, 32>;

constexpr Hash32 kEmptySubtreeHash{};

Hash32 Sha256Of(std::string_view data);
Hash32 StatePath(std::string_view key);
Hash32 StateValueHash(std::string_view value);
Hash32 StateLeafHash(const Hash32& path, const Hash32& value_hash);
Hash32 StateInternalHash(const Hash32& left, const Hash32& right);

// Bit `i` (0 = most significant bit of byte 0) and nibble `i` (0 = high half of byte 0).
inline int PathBit(const Hash32& path, unsigned i) { return (path[i / 8] >> (7 - i % 8)) & 1; }
inline int PathNibble(const Hash32& path, unsigned i) { return (path[i / 2] >> (i % 2 ? 0 : 4)) & 0xf; }

inline std::string_view AsView(const Hash32& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}
inline Bytes ToBytes(const Hash32& h) { return Bytes(AsView(h)); }
// Requires b.size() == 32.
Hash32 ToHash32(std::string_view b);

}  // namespace civic::ledger
