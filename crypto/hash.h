// SHA-256 and HMAC-SHA256 (libsodium) and SM3 (OpenSSL). Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string_view>

#include "crypto/base/bytes.h"

namespace civic::crypto {

constexpr size_t kHashSize = 32;

// SHA-256 of `data` (32 raw bytes).
Bytes Sha256(std::string_view data);
// SHA-256 of the concatenation of `parts`, without building the concatenation.
Bytes Sha256Concat(std::initializer_list<std::string_view> parts);
// HMAC-SHA256 (RFC 2104) under `key` (any length) of the concatenation of `parts`.
Bytes HmacSha256(std::string_view key, std::initializer_list<std::string_view> parts);
// SM3 (GB/T 32905) of `data` (32 raw bytes), for networks that run on domestic cryptography.
Bytes Sm3(std::string_view data);

// Incremental SHA-256. One hasher is used by one thread at a time; Finish() ends it
// (Update after Finish is a bug).
class Sha256Hasher {
 public:
  Sha256Hasher();
  void Update(std::string_view data);
  Bytes Finish();

 private:
  alignas(64) unsigned char state_[128];  // crypto_hash_sha256_state, opaque here
};

}  // namespace civic::crypto
