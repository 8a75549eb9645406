// Signature suites. Every public key and signature carries its algorithm.
//
// Ed25519 (libsodium, strict RFC 8032 verification: canonical S, no small-order
// keys) and secp256k1 ECDSA over SHA-256 (libsecp256k1; only low-S signatures
// verify, as Bitcoin requires, so signatures are not malleable).
// SM2 (GB/T 32918, OpenSSL 3) signs with SM3 and the distinguishing ID
// "1234567812345678"; public key 65-byte uncompressed point, signature 64-byte r||s.
// Every signature is kSignatureSize bytes. Verification is thread-safe; a KeyPair is
// immutable after creation and may sign from several threads at once.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "crypto/base/bytes.h"
#include "crypto/base/status.h"

namespace civic::crypto {

enum class Algo : int { kEd25519 = 1, kSecp256k1 = 2, kSm2 = 3 };

// Length of a signature of every algorithm (ed25519 R||S, secp256k1 and SM2 r||s).
constexpr size_t kSignatureSize = 64;

// "ed25519" | "secp256k1" | "sm2"
const char* AlgoName(Algo algo);
// Inverse of AlgoName; anything else gives UNSUPPORTED_ALGORITHM.
Result<Algo> ParseAlgo(std::string_view name);

struct PublicKey {
  Algo algo = Algo::kEd25519;
  Bytes key;  // ed25519: 32 bytes; secp256k1: 33-byte compressed point; sm2: 65-byte 04||x||y
  bool operator==(const PublicKey&) const = default;
  auto operator<=>(const PublicKey&) const = default;
  // "ed25519:<hex>"
  std::string ToString() const;
  // Inverse of ToString (hex in either case). A secp256k1 key may also be given as a
  // 65-byte uncompressed point and an SM2 key as a 33-byte compressed one; both are
  // normalised to the canonical form above. The key is validated. Errors: BAD_PUBLIC_KEY.
  static Result<PublicKey> Parse(std::string_view text);
  // The same from raw key bytes (normalised and validated). Errors: BAD_PUBLIC_KEY.
  static Result<PublicKey> FromBytes(Algo algo, std::string_view key);
  // Checks the canonical length and that the point decodes: ed25519 canonical, on the
  // curve, in the prime-order subgroup and not of small order; secp256k1 and sm2 on the
  // curve. Errors: BAD_PUBLIC_KEY.
  Status Validate() const;
};

// Verifies `sig` over `message` with `pub`. secp256k1 signs SHA-256(message),
// signature in 64-byte compact (r||s) form; DER is accepted by VerifySecp256k1Der.
// Any malformed key or signature (wrong length, bad encoding) verifies false.
// Verify does not repeat Validate's costlier ed25519 subgroup check: admit keys through
// Parse/FromBytes/Validate once, when they are registered.
bool Verify(const PublicKey& pub, std::string_view message, std::string_view sig);
// secp256k1 only: strict DER-encoded signature over SHA-256(message); high-S and
// trailing bytes rejected. The key is 33-byte compressed or 65-byte uncompressed.
bool VerifySecp256k1Der(std::string_view pubkey_any_encoding, std::string_view message,
                        std::string_view der_sig);

// A key pair. The destructor and assignment wipe the secret they drop.
class KeyPair {
 public:
  // A fresh key from libsodium's CSPRNG. `algo` must be one of the enumerators.
  static KeyPair Generate(Algo algo);
  // From a secret key (ed25519: 32-byte seed or 64-byte libsodium sk; secp256k1: 32 bytes;
  // sm2: 32-byte big-endian d with 1 <= d <= n-2). Errors: BAD_SECRET_KEY.
  static Result<KeyPair> FromSecret(Algo algo, std::string_view secret);

  const PublicKey& public_key() const { return pub_; }
  // The secret in the form FromSecret accepts (ed25519: 32-byte seed).
  const Bytes& secret() const { return secret_; }
  // A kSignatureSize-byte signature. ed25519 and secp256k1 (RFC 6979 nonce, low S) are
  // deterministic; sm2 draws a random nonce. Thread-safe. Empty only if the
  // underlying library fails (out of memory).
  Bytes Sign(std::string_view message) const;

  KeyPair(const KeyPair&) = default;
  KeyPair& operator=(const KeyPair& other);
  ~KeyPair();

 private:
  KeyPair() = default;
  PublicKey pub_;
  Bytes secret_;
};

}  // namespace civic::crypto
