// The authenticated key exchange that opens every peer connection, as a pure state
// machine over bytes (no sockets), so the connection code and tests drive the same
// logic.
//
// Both sides run the same three steps, sending before reading at each step:
//   1. hello (72 bytes, plaintext): magic "CVP2", protocol version (4 bytes BE),
//      BLAKE2b-256 of the chain id, an ephemeral X25519 public key.
//      The dialer is the crypto_kx client, the acceptor the server; the session
//      keys (one per direction) are the crypto_kx keys bound to both hellos with
//      keyed BLAKE2b.
//   2. identity frame (encrypted): the static Ed25519 node key.
//   3. auth frame (encrypted): an Ed25519 signature by the node key over the
//      transcript: domain tag, signer's role, protocol version, chain id, both
//      ephemeral keys, both static keys (dialer's first). The role makes a
//      signature useless when reflected back to its signer.
// What the caller still decides: whether the peer's node key is admitted and, when
// dialing, whether it is the expected one. The handshake rejects by itself a wrong
// magic, version or chain id, a reflected hello, a peer using our own node key,
// non-Ed25519 keys, bad MACs and bad signatures.
//
// Not thread-safe; one Handshake per connection. Ephemeral secrets are wiped when
// the Handshake is destroyed.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/signature.h"
#include "crypto/base/status.h"
#include "node/p2p/session_cipher.h"

namespace civic::node::p2p {

inline constexpr uint32_t kProtocolVersion = 1;
inline constexpr size_t kHelloBytes = 72;
inline constexpr size_t kHelloMagicBytes = 4;
// Handshake frames are tiny; a larger length header is garbage.
inline constexpr uint32_t kMaxHandshakeFrameBytes = 512;

enum class Role : uint8_t { kDialer = 0, kAcceptor = 1 };

class Handshake {
 public:
  // Requires node_key to be an Ed25519 key pair and to outlive the Handshake.
  Handshake(Role role, const crypto::KeyPair& node_key, std::string_view chain_id);
  Handshake(Role role, const crypto::KeyPair&& node_key, std::string_view chain_id) = delete;
  ~Handshake();
  Handshake(const Handshake&) = delete;
  Handshake& operator=(const Handshake&) = delete;

  // Step 1: the bytes to send first.
  const Bytes& hello() const { return hello_; }
  // The first kHelloMagicBytes of a hello, so garbage is refused without waiting
  // for a whole hello. Error: HANDSHAKE_BAD_MAGIC.
  static Status CheckMagic(std::string_view prefix);
  // Step 1: the peer's hello (exactly kHelloBytes). Errors: HANDSHAKE_BAD_MAGIC,
  // PROTOCOL_VERSION_MISMATCH, CHAIN_ID_MISMATCH, HANDSHAKE_REFLECTED,
  // HANDSHAKE_BAD_KEY.
  Status ReadPeerHello(std::string_view hello);

  // Step 2: our identity frame (header + ciphertext). Requires a good peer hello.
  Bytes IdentityFrame();
  // Step 2: the peer's identity frame; returns its node key. Errors: BAD_MAC,
  // HANDSHAKE_MALFORMED, UNSUPPORTED_KEY_ALGO, SELF_CONNECTION.
  Result<crypto::PublicKey> ReadPeerIdentity(std::string_view header, std::string_view ciphertext);

  // Step 3: our auth frame. Requires the peer's identity.
  Bytes AuthFrame();
  // Step 3: the peer's auth frame. Errors: BAD_MAC, HANDSHAKE_MALFORMED,
  // BAD_HANDSHAKE_SIGNATURE.
  Status ReadPeerAuth(std::string_view header, std::string_view ciphertext);

  // After a good ReadPeerAuth: the session for all later frames (its counters
  // continue after the handshake frames). Call once.
  SessionCipher TakeSession();

  // The exact bytes `signer` signs in step 3 (exposed for tests).
  Bytes Transcript(Role signer) const;

  Role role() const { return role_; }
  const std::optional<crypto::PublicKey>& peer_key() const { return peer_key_; }

 private:
  Role role_;
  const crypto::KeyPair& node_key_;
  std::string chain_id_;
  std::array<unsigned char, 32> eph_public_{};
  std::array<unsigned char, 32> eph_secret_{};
  std::array<unsigned char, 32> peer_eph_public_{};
  Bytes hello_;
  std::optional<SessionCipher> session_;
  std::optional<crypto::PublicKey> peer_key_;
  bool peer_authenticated_ = false;
};

}  // namespace civic::node::p2p
