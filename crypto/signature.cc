#include "crypto/signature.h"

#include <secp256k1.h>
#include <sodium.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "crypto/base/errors.h"
#include "crypto/hash.h"
#include "crypto/sm2.h"

namespace civic::crypto {
namespace {

constexpr size_t kEd25519PublicKeySize = crypto_sign_PUBLICKEYBYTES;  // 32
constexpr size_t kEd25519SeedSize = crypto_sign_SEEDBYTES;            // 32
constexpr size_t kEd25519SecretKeySize = crypto_sign_SECRETKEYBYTES;  // 64: seed || pk
constexpr size_t kSecp256k1SecretSize = 32;
constexpr size_t kSecp256k1CompressedSize = 33;
constexpr size_t kSecp256k1UncompressedSize = 65;

static_assert(crypto_sign_BYTES == kSignatureSize);

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "civic crypto: %s\n", what);
  std::abort();
}

// sodium_init() is idempotent and thread-safe; the static makes later calls free.
// It fails only when the system offers no randomness, which leaves nothing safe to do.
void EnsureSodium() {
  static const int kInit = sodium_init();
  if (kInit < 0) Die("libsodium failed to initialise");
}

const unsigned char* U8(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// Ed25519 keys that passed the subgroup check. An org's key signs many txs, and
// the check costs as much as a verification, so a key seen again costs a lookup.
// Direct-mapped and fixed in size; only valid keys enter, so an entry can only
// ever skip work whose answer was "valid". Thread-safe.
class ValidEd25519Keys {
 public:
  bool Contains(std::string_view key) {
    const Slot& slot = slots_[Index(key)];
    std::lock_guard<std::mutex> lock(mu_);
    return slot.filled && std::memcmp(slot.key.data(), key.data(), kEd25519PublicKeySize) == 0;
  }
  void Insert(std::string_view key) {
    Slot& slot = slots_[Index(key)];
    std::lock_guard<std::mutex> lock(mu_);
    std::memcpy(slot.key.data(), key.data(), kEd25519PublicKeySize);
    slot.filled = true;
  }

 private:
  static constexpr size_t kSlots = 1024;
  struct Slot {
    bool filled = false;
    std::array<char, kEd25519PublicKeySize> key{};
  };
  // Any bytes of a point spread well; the low y bytes are as good as a hash.
  static size_t Index(std::string_view key) {
    return (static_cast<uint8_t>(key[0]) | static_cast<size_t>(static_cast<uint8_t>(key[1])) << 8) % kSlots;
  }
  std::mutex mu_;
  std::array<Slot, kSlots> slots_{};
};

ValidEd25519Keys& ValidatedKeys() {
  static ValidEd25519Keys keys;
  return keys;
}

// One libsecp256k1 context for the whole process. It is randomised once, while the
// function-local static is being initialised, and never mutated afterwards; signing
// and verifying take it as const, which libsecp256k1 allows from many threads at once.
// (Since libsecp256k1 0.2 every context can both sign and verify; the SIGN/VERIFY
// flags are deprecated aliases of CONTEXT_NONE.)
const secp256k1_context* Secp256k1Context() {
  static const secp256k1_context* const ctx = [] {
    EnsureSodium();
    secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (c == nullptr) Die("cannot create a secp256k1 context");
    unsigned char seed[32];
    randombytes_buf(seed, sizeof seed);
    int ok = secp256k1_context_randomize(c, seed);
    sodium_memzero(seed, sizeof seed);
    if (ok != 1) Die("cannot randomise the secp256k1 context");
    return c;
  }();
  return ctx;
}

// Parses a 33-byte compressed or 65-byte uncompressed key. The "hybrid" 65-byte forms
// (prefix 06/07) that libsecp256k1 also accepts are refused: they have no use here
// and would give one key several encodings.
bool ParseSecp256k1Key(std::string_view key, secp256k1_pubkey* out) {
  bool compressed = key.size() == kSecp256k1CompressedSize && (key[0] == 0x02 || key[0] == 0x03);
  bool uncompressed = key.size() == kSecp256k1UncompressedSize && key[0] == 0x04;
  if (!compressed && !uncompressed) return false;
  return secp256k1_ec_pubkey_parse(Secp256k1Context(), out, U8(key), key.size()) == 1;
}

Bytes SerializeCompressed(const secp256k1_pubkey& pub) {
  Bytes out(kSecp256k1CompressedSize, '\0');
  size_t len = out.size();
  secp256k1_ec_pubkey_serialize(Secp256k1Context(), reinterpret_cast<unsigned char*>(out.data()),
                                &len, &pub, SECP256K1_EC_COMPRESSED);
  return out;
}

// secp256k1_ecdsa_verify accepts only lower-S signatures, which is the policy here, so
// the signature is deliberately not normalised first.
bool VerifySecp256k1Parsed(const secp256k1_pubkey& pub, std::string_view message,
                           const secp256k1_ecdsa_signature& sig) {
  Bytes digest = Sha256(message);
  return secp256k1_ecdsa_verify(Secp256k1Context(), &sig, U8(digest), &pub) == 1;
}

bool VerifyEd25519(std::string_view pub, std::string_view message, std::string_view sig) {
  if (pub.size() != kEd25519PublicKeySize || sig.size() != crypto_sign_BYTES) return false;
  EnsureSodium();
  // libsodium 1.0.18 (built without ED25519_COMPAT) rejects non-canonical S, small-order
  // R, and non-canonical or small-order public keys, and compares the encoding of R.
  return crypto_sign_verify_detached(U8(sig), U8(message), message.size(), U8(pub)) == 0;
}

bool VerifySecp256k1Compact(std::string_view pub, std::string_view message, std::string_view sig) {
  if (pub.size() != kSecp256k1CompressedSize || sig.size() != kSignatureSize) return false;
  secp256k1_pubkey key;
  secp256k1_ecdsa_signature parsed;
  if (!ParseSecp256k1Key(pub, &key)) return false;
  // Fails when r or s is not below the group order.
  if (secp256k1_ecdsa_signature_parse_compact(Secp256k1Context(), &parsed, U8(sig)) != 1) return false;
  return VerifySecp256k1Parsed(key, message, parsed);
}

Status BadPublicKey(const std::string& why) { return Status::InvalidArgument(err::BAD_PUBLIC_KEY, why); }
Status BadSecretKey(const std::string& why) { return Status::InvalidArgument(err::BAD_SECRET_KEY, why); }

}  // namespace

const char* AlgoName(Algo algo) {
  switch (algo) {
    case Algo::kEd25519: return "ed25519";
    case Algo::kSecp256k1: return "secp256k1";
    case Algo::kSm2: return "sm2";
  }
  return "unknown";
}

Result<Algo> ParseAlgo(std::string_view name) {
  for (Algo algo : {Algo::kEd25519, Algo::kSecp256k1, Algo::kSm2}) {
    if (name == AlgoName(algo)) return algo;
  }
  return Status::InvalidArgument(err::UNSUPPORTED_ALGORITHM,
                                 "unknown signature algorithm '" + std::string(name) +
                                     "' (expected ed25519, secp256k1 or sm2)");
}

std::string PublicKey::ToString() const { return std::string(AlgoName(algo)) + ":" + ToHex(key); }

Result<PublicKey> PublicKey::Parse(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return BadPublicKey("public key must look like '<algo>:<hex>', e.g. 'ed25519:3d40...'");
  }
  Result<Algo> algo = ParseAlgo(text.substr(0, colon));
  if (!algo.ok()) return BadPublicKey(algo.status().message());
  std::optional<Bytes> raw = FromHex(text.substr(colon + 1));
  if (!raw) return BadPublicKey("public key is not valid hex");
  return FromBytes(*algo, *raw);
}

Result<PublicKey> PublicKey::FromBytes(Algo algo, std::string_view key) {
  PublicKey pub;
  pub.algo = algo;
  switch (algo) {
    case Algo::kEd25519:
      pub.key = Bytes(key);
      break;
    case Algo::kSecp256k1: {
      secp256k1_pubkey parsed;
      if (!ParseSecp256k1Key(key, &parsed)) {
        return BadPublicKey("not a secp256k1 point (33-byte compressed or 65-byte uncompressed)");
      }
      pub.key = SerializeCompressed(parsed);
      break;
    }
    case Algo::kSm2: {
      std::optional<Bytes> normalized = sm2::NormalizePublicKey(key);
      if (!normalized) return BadPublicKey("not an SM2 point (65-byte uncompressed or 33-byte compressed)");
      pub.key = std::move(*normalized);
      break;
    }
    default:
      return BadPublicKey("unknown signature algorithm");
  }
  CIVIC_RETURN_IF_ERROR(pub.Validate());
  return pub;
}

Status PublicKey::Validate() const {
  switch (algo) {
    case Algo::kEd25519:
      if (key.size() != kEd25519PublicKeySize) return BadPublicKey("ed25519 public key must be 32 bytes");
      if (ValidatedKeys().Contains(key)) return Status::Ok();
      EnsureSodium();
      // Canonical encoding, on the curve, in the prime-order subgroup, not small order.
      if (crypto_core_ed25519_is_valid_point(U8(key)) != 1) {
        return BadPublicKey("ed25519 public key is not a valid point of the prime-order subgroup");
      }
      ValidatedKeys().Insert(key);
      return Status::Ok();
    case Algo::kSecp256k1: {
      secp256k1_pubkey parsed;
      if (key.size() != kSecp256k1CompressedSize) {
        return BadPublicKey("secp256k1 public key must be a 33-byte compressed point");
      }
      if (!ParseSecp256k1Key(key, &parsed)) return BadPublicKey("secp256k1 public key is not on the curve");
      return Status::Ok();
    }
    case Algo::kSm2: {
      if (key.size() != 65 || key[0] != 0x04) {
        return BadPublicKey("sm2 public key must be a 65-byte uncompressed point");
      }
      if (!sm2::NormalizePublicKey(key)) return BadPublicKey("sm2 public key is not on the curve");
      return Status::Ok();
    }
  }
  return BadPublicKey("unknown signature algorithm");
}

bool Verify(const PublicKey& pub, std::string_view message, std::string_view sig) {
  switch (pub.algo) {
    case Algo::kEd25519: return VerifyEd25519(pub.key, message, sig);
    case Algo::kSecp256k1: return VerifySecp256k1Compact(pub.key, message, sig);
    case Algo::kSm2: return sm2::Verify(pub.key, message, sig);
  }
  return false;
}

bool VerifySecp256k1Der(std::string_view pubkey_any_encoding, std::string_view message,
                        std::string_view der_sig) {
  secp256k1_pubkey key;
  secp256k1_ecdsa_signature parsed;
  if (!ParseSecp256k1Key(pubkey_any_encoding, &key)) return false;
  // Strict DER: minimal lengths and integers, no trailing bytes. Out-of-range r or s
  // parse but can never verify.
  if (secp256k1_ecdsa_signature_parse_der(Secp256k1Context(), &parsed, U8(der_sig), der_sig.size()) != 1) {
    return false;
  }
  return VerifySecp256k1Parsed(key, message, parsed);
}

KeyPair KeyPair::Generate(Algo algo) {
  EnsureSodium();
  std::array<unsigned char, 32> secret;
  for (;;) {
    // For ed25519 every seed works; for secp256k1 and SM2 the loop runs again only when
    // the draw lands outside the scalar range (probability about 2^-128 and 2^-32).
    randombytes_buf(secret.data(), secret.size());
    Result<KeyPair> key =
        FromSecret(algo, std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size()));
    if (key.ok()) {
      sodium_memzero(secret.data(), secret.size());
      return std::move(key).value();
    }
    if (algo != Algo::kSecp256k1 && algo != Algo::kSm2) Die("KeyPair::Generate: unknown algorithm");
  }
}

Result<KeyPair> KeyPair::FromSecret(Algo algo, std::string_view secret) {
  KeyPair kp;
  kp.pub_.algo = algo;
  switch (algo) {
    case Algo::kEd25519: {
      if (secret.size() != kEd25519SeedSize && secret.size() != kEd25519SecretKeySize) {
        return BadSecretKey("ed25519 secret key must be a 32-byte seed or a 64-byte secret key");
      }
      EnsureSodium();
      unsigned char pk[kEd25519PublicKeySize];
      unsigned char sk[kEd25519SecretKeySize];
      crypto_sign_seed_keypair(pk, sk, U8(secret));
      sodium_memzero(sk, sizeof sk);
      // A 64-byte key is seed || public key; a mismatched tail means a corrupt key.
      if (secret.size() == kEd25519SecretKeySize &&
          sodium_memcmp(pk, secret.data() + kEd25519SeedSize, sizeof pk) != 0) {
        return BadSecretKey("ed25519 64-byte secret key: public half does not match the seed");
      }
      kp.secret_.assign(secret.substr(0, kEd25519SeedSize));
      kp.pub_.key.assign(reinterpret_cast<const char*>(pk), sizeof pk);
      return kp;
    }
    case Algo::kSecp256k1: {
      secp256k1_pubkey pub;
      if (secret.size() != kSecp256k1SecretSize ||
          secp256k1_ec_seckey_verify(Secp256k1Context(), U8(secret)) != 1 ||
          secp256k1_ec_pubkey_create(Secp256k1Context(), &pub, U8(secret)) != 1) {
        return BadSecretKey("secp256k1 secret key must be 32 bytes, nonzero and below the group order");
      }
      kp.secret_.assign(secret);
      kp.pub_.key = SerializeCompressed(pub);
      return kp;
    }
    case Algo::kSm2: {
      std::optional<Bytes> pub = sm2::PublicKeyFromSecret(secret);
      if (!pub) return BadSecretKey("sm2 secret key must be 32 bytes, in [1, n-2]");
      kp.secret_.assign(secret);
      kp.pub_.key = std::move(*pub);
      return kp;
    }
  }
  return BadSecretKey("unknown signature algorithm");
}

Bytes KeyPair::Sign(std::string_view message) const {
  switch (pub_.algo) {
    case Algo::kEd25519: {
      // libsodium's secret key is seed || public key; building it avoids re-deriving it.
      unsigned char sk[kEd25519SecretKeySize];
      std::memcpy(sk, secret_.data(), kEd25519SeedSize);
      std::memcpy(sk + kEd25519SeedSize, pub_.key.data(), kEd25519PublicKeySize);
      Bytes sig(kSignatureSize, '\0');
      crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr, U8(message),
                           message.size(), sk);
      sodium_memzero(sk, sizeof sk);
      return sig;
    }
    case Algo::kSecp256k1: {
      Bytes digest = Sha256(message);
      secp256k1_ecdsa_signature sig;
      // Default nonce function: RFC 6979. The result is always lower-S.
      if (secp256k1_ecdsa_sign(Secp256k1Context(), &sig, U8(digest), U8(secret_), nullptr, nullptr) != 1) {
        return {};
      }
      Bytes out(kSignatureSize, '\0');
      secp256k1_ecdsa_signature_serialize_compact(Secp256k1Context(),
                                                  reinterpret_cast<unsigned char*>(out.data()), &sig);
      return out;
    }
    case Algo::kSm2:
      return sm2::Sign(secret_, pub_.key, message);
  }
  return {};
}

KeyPair& KeyPair::operator=(const KeyPair& other) {
  if (this != &other) {
    sodium_memzero(secret_.data(), secret_.size());
    pub_ = other.pub_;
    secret_ = other.secret_;
  }
  return *this;
}

KeyPair::~KeyPair() { sodium_memzero(secret_.data(), secret_.size()); }

}  // namespace civic::crypto
