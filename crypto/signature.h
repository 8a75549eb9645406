// Signature suites. Every public key and signature carries its algorithm.
//
// Ed25519 (libsodium, strict RFC 8032 verification: canonical S, no small-order
// keys) and secp256k1 ECDSA over SHA-256 (libsecp256k1; only low-S signatures
// verify, as Bitcoin requires, so signatures are not malleable).
// Verification is thread-safe; a KeyPair is immutable after creation.
#pragma once

#include <string>
#include <string_view>

#include "crypto/bytes.h"
#include "crypto/status.h"

namespace civic::crypto {

enum class Algo : int { kEd25519 = 1, kSecp256k1 = 2, kSm2 = 3 };

// "ed25519" | "secp256k1" | "sm2"
const char* AlgoName(Algo algo);
Result<Algo> ParseAlgo(std::string_view name);

struct PublicKey {
  Algo algo = Algo::kEd25519;
  Bytes key;  // ed25519: 32 bytes; secp256k1: 33-byte compressed point
  bool operator==(const PublicKey&) const = default;
  auto operator<=>(const PublicKey&) const = default;
  // "ed25519:<hex>"
  std::string ToString() const;
  static Result<PublicKey> Parse(std::string_view text);
  // Checks length and that the point decodes.
  Status Validate() const;
};

// Verifies `sig` over `message` with `pub`. secp256k1 signs SHA-256(message),
// signature in 64-byte compact (r||s) form; DER is accepted by VerifyDer.
bool Verify(const PublicKey& pub, std::string_view message, std::string_view sig);
// secp256k1 only: DER-encoded signature over SHA-256(message); high-S rejected.
bool VerifySecp256k1Der(std::string_view pubkey_any_encoding, std::string_view message,
                        std::string_view der_sig);

class KeyPair {
 public:
  static KeyPair Generate(Algo algo);
  // From a secret key (ed25519: 32-byte seed or 64-byte libsodium sk; secp256k1: 32 bytes).
  static Result<KeyPair> FromSecret(Algo algo, std::string_view secret);

  const PublicKey& public_key() const { return pub_; }
  // The secret in the form FromSecret accepts (ed25519: 32-byte seed).
  const Bytes& secret() const { return secret_; }
  Bytes Sign(std::string_view message) const;

  KeyPair(const KeyPair&) = default;
  KeyPair& operator=(const KeyPair&) = default;
  ~KeyPair();

 private:
  KeyPair() = default;
  PublicKey pub_;
  Bytes secret_;
};

}  // namespace civic::crypto
