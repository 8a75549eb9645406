#include "crypto/hash.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

namespace civic::crypto {

// The header keeps the state opaque so that callers need not see sodium.h.
static_assert(sizeof(crypto_hash_sha256_state) <= 128, "Sha256Hasher::state_ is too small");
static_assert(alignof(crypto_hash_sha256_state) <= 64, "Sha256Hasher::state_ is under-aligned");

namespace {

// sodium_init() is idempotent and thread-safe; the static makes later calls free.
// It fails only when the system offers no randomness, which leaves nothing safe to do.
void EnsureSodium() {
  static const int kInit = sodium_init();
  if (kInit < 0) {
    std::fputs("civic crypto: libsodium failed to initialise\n", stderr);
    std::abort();
  }
}

crypto_hash_sha256_state* State(unsigned char* buf) {
  return std::launder(reinterpret_cast<crypto_hash_sha256_state*>(buf));
}

const unsigned char* U8(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// OpenSSL 3 fetches algorithms from providers; fetch SM3 once and share it (a fetched
// EVP_MD is immutable and safe to use from many threads).
const EVP_MD* Sm3Md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SM3", nullptr);
  return md;
}

// One-shot SHA-256 goes through OpenSSL, which uses the CPU's SHA extensions where
// present (several times faster than libsodium's portable code on tx ids and tree
// hashes). The incremental hasher stays on libsodium; both are the same function.
const EVP_MD* Sha256Md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

// Digest with a fetched OpenSSL algorithm; aborts on failure (see Sm3 below).
Bytes OpenSslDigest(const EVP_MD* md, std::string_view data, const char* name) {
  if (md == nullptr) {
    std::fprintf(stderr, "civic crypto: OpenSSL has no %s digest\n", name);
    std::abort();
  }
  Bytes out(EVP_MD_get_size(md), '\0');
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len, md,
                 nullptr) != 1 ||
      len != kHashSize) {
    std::fprintf(stderr, "civic crypto: %s digest failed\n", name);
    std::abort();
  }
  return out;
}

}  // namespace

Bytes Sha256(std::string_view data) { return OpenSslDigest(Sha256Md(), data, "SHA-256"); }

Bytes Sha256Concat(std::initializer_list<std::string_view> parts) {
  Sha256Hasher hasher;
  for (std::string_view part : parts) hasher.Update(part);
  return hasher.Finish();
}

Bytes HmacSha256(std::string_view key, std::initializer_list<std::string_view> parts) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  for (std::string_view part : parts) {
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(part.data()), part.size());
  }
  Bytes mac(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char*>(mac.data()));
  sodium_memzero(&state, sizeof state);
  return mac;
}

// The default provider of OpenSSL 3 always has SM3; a build without it is unusable
// for SM networks, and failing loudly beats returning a wrong digest.
Bytes Sm3(std::string_view data) { return OpenSslDigest(Sm3Md(), data, "SM3"); }

Sha256Hasher::Sha256Hasher() {
  EnsureSodium();
  new (state_) crypto_hash_sha256_state;
  crypto_hash_sha256_init(State(state_));
}

void Sha256Hasher::Update(std::string_view data) {
  crypto_hash_sha256_update(State(state_), U8(data), data.size());
}

Bytes Sha256Hasher::Finish() {
  Bytes out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256_final(State(state_), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

}  // namespace civic::crypto
