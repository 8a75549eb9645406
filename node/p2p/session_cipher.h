// Encryption of frames after the handshake: XChaCha20-Poly1305 (libsodium IETF
// AEAD) with one key per direction and the frame's sequence number as the nonce.
//
// Wire format of a frame: a 4-byte big-endian length of the ciphertext, then the
// ciphertext (plaintext + 16-byte tag). The length header is authenticated as
// associated data. Nonces are never sent: each side counts the frames it sealed
// and opened, so a replayed, dropped, reordered or altered frame fails
// authentication and the connection is closed. Counters never wrap (sealing stops
// with an error first), so a nonce is never reused under a key.
//
// Not thread-safe: one connection seals on one strand and opens on the same strand.
// Keys are wiped on destruction.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "crypto/base/bytes.h"
#include "crypto/base/status.h"

namespace civic::node::p2p {

inline constexpr size_t kFrameHeaderBytes = 4;
inline constexpr size_t kFrameTagBytes = 16;
inline constexpr size_t kSessionKeyBytes = 32;
inline constexpr uint32_t kDefaultMaxFrameBytes = uint32_t{16} << 20;

// Reads a frame header: the ciphertext length that follows. Errors:
// FRAME_TOO_LARGE (over max_frame_bytes), FRAME_TOO_SHORT (shorter than a tag).
// Requires header.size() >= kFrameHeaderBytes.
Result<uint32_t> ParseFrameHeader(std::string_view header, uint32_t max_frame_bytes);

class SessionCipher {
 public:
  using Key = std::array<unsigned char, kSessionKeyBytes>;

  SessionCipher(const Key& send_key, const Key& recv_key);
  ~SessionCipher();
  SessionCipher(SessionCipher&& other) noexcept;
  SessionCipher& operator=(SessionCipher&& other) noexcept;
  SessionCipher(const SessionCipher&) = delete;
  SessionCipher& operator=(const SessionCipher&) = delete;

  // Appends one whole frame (header + ciphertext) of `plaintext` to `out`.
  // Errors: FRAME_TOO_LARGE if the ciphertext would not fit the 4-byte length,
  // NONCE_EXHAUSTED after 2^64-1 frames.
  Status SealFrame(std::string_view plaintext, Bytes* out);

  // Authenticates and decrypts one frame's ciphertext; `header` is the frame's
  // 4-byte length header. Replaces *plaintext. Error: BAD_MAC (tampered, replayed
  // or out of order), after which the session must not be used.
  Status OpenFrame(std::string_view header, std::string_view ciphertext, Bytes* plaintext);

  uint64_t frames_sealed() const { return send_counter_; }
  uint64_t frames_opened() const { return recv_counter_; }

 private:
  void Wipe();

  Key send_key_{};
  Key recv_key_{};
  uint64_t send_counter_ = 0;
  uint64_t recv_counter_ = 0;
};

}  // namespace civic::node::p2p
