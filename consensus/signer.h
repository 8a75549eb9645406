// The two crypto seams of consensus: a Signer (this node's consensus key) and a
// Verifier (anyone's signature). The core only calls these, so it stays a pure
// state machine and tests or the simulator can supply their own.
//
// KeyPairSigner and CryptoVerifier are the production implementations over
// crypto/signature.h (Ed25519, secp256k1, SM2 as the key says).
// Thread safety: both production classes are immutable and thread-safe.
#pragma once

#include <string_view>

#include "crypto/signature.h"

namespace civic::consensus {

class Signer {
 public:
  virtual ~Signer() = default;
  virtual const crypto::PublicKey& public_key() const = 0;
  // Signs `message` (already domain-separated sign bytes). Must not fail.
  virtual Bytes Sign(std::string_view message) const = 0;
};

class Verifier {
 public:
  virtual ~Verifier() = default;
  // True when `sig` is a valid signature by `key` over `message`; any malformed
  // key or signature is simply false.
  virtual bool Verify(const crypto::PublicKey& key, std::string_view message,
                      std::string_view sig) const = 0;
};

class KeyPairSigner final : public Signer {
 public:
  explicit KeyPairSigner(crypto::KeyPair key) : key_(std::move(key)) {}
  const crypto::PublicKey& public_key() const override { return key_.public_key(); }
  Bytes Sign(std::string_view message) const override { return key_.Sign(message); }

 private:
  crypto::KeyPair key_;
};

class CryptoVerifier final : public Verifier {
 public:
  bool Verify(const crypto::PublicKey& key, std::string_view message,
              std::string_view sig) const override {
    return crypto::Verify(key, message, sig);
  }
};

}  // namespace civic::consensus
