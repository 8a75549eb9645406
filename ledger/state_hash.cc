#include "ledger/state_hash.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace civic::ledger {

namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "civic ledger: %s\n", what);
  std::abort();
}

const EVP_MD* Sha256Md() {
  // A fetched EVP_MD is immutable and shared by all threads.
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) Die("OpenSSL has no SHA-256");
  return md;
}

// One digest context per thread, reused: creating one per hash costs more than
// the hash itself for the 65-byte inputs of the tree.
class ThreadHasher {
 public:
  ThreadHasher() : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ == nullptr) Die("out of memory for a SHA-256 context");
  }
  ~ThreadHasher() { EVP_MD_CTX_free(ctx_); }

  template <typename... Parts>
  Hash32 Digest(const Parts&... parts) {
    if (EVP_DigestInit_ex2(ctx_, Sha256Md(), nullptr) != 1) Die("SHA-256 init failed");
    (Update(parts), ...);
    Hash32 out;
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx_, out.data(), &len) != 1 || len != out.size()) Die("SHA-256 failed");
    return out;
  }

 private:
  void Update(std::string_view data) {
    if (EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) Die("SHA-256 update failed");
  }
  EVP_MD_CTX* ctx_;
};

ThreadHasher& Hasher() {
  thread_local ThreadHasher hasher;
  return hasher;
}

}  // namespace

Hash32 Sha256Of(std::string_view data) { return Hasher().Digest(data); }
Hash32 StatePath(std::string_view key) { return Sha256Of(key); }
Hash32 StateValueHash(std::string_view value) { return Sha256Of(value); }

Hash32 StateLeafHash(const Hash32& path, const Hash32& value_hash) {
  unsigned char buf[65];
  buf[0] = 0x00;
  std::memcpy(buf + 1, path.data(), 32);
  std::memcpy(buf + 33, value_hash.data(), 32);
  return Sha256Of(std::string_view(reinterpret_cast<const char*>(buf), sizeof buf));
}

Hash32 StateInternalHash(const Hash32& left, const Hash32& right) {
  unsigned char buf[65];
  buf[0] = 0x01;
  std::memcpy(buf + 1, left.data(), 32);
  std::memcpy(buf + 33, right.data(), 32);
  return Sha256Of(std::string_view(reinterpret_cast<const char*>(buf), sizeof buf));
}

Hash32 ToHash32(std::string_view b) {
  Hash32 h{};
  std::memcpy(h.data(), b.data(), std::min(b.size(), h.size()));
  return h;
}

}  // namespace civic::ledger
