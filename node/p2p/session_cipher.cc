#include "node/p2p/session_cipher.h"

#include <sodium.h>

#include <limits>

#include "node/errors.h"

namespace civic::node::p2p {
namespace {

static_assert(kSessionKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kFrameTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);

using Nonce = std::array<unsigned char, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES>;

// The counter, little-endian, in the first 8 bytes; the rest zero.
Nonce CounterNonce(uint64_t counter) {
  Nonce nonce{};
  for (int i = 0; i < 8; ++i) nonce[i] = static_cast<unsigned char>(counter >> (8 * i));
  return nonce;
}

void PutHeader(uint32_t length, unsigned char* out) {
  out[0] = static_cast<unsigned char>(length >> 24);
  out[1] = static_cast<unsigned char>(length >> 16);
  out[2] = static_cast<unsigned char>(length >> 8);
  out[3] = static_cast<unsigned char>(length);
}

const unsigned char* U8(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

Result<uint32_t> ParseFrameHeader(std::string_view header, uint32_t max_frame_bytes) {
  const auto* p = U8(header);
  const uint32_t length = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
  if (length > max_frame_bytes) {
    return Status::InvalidArgument(err::FRAME_TOO_LARGE, "frame of " + std::to_string(length) +
                                                          " bytes exceeds the limit of " +
                                                          std::to_string(max_frame_bytes));
  }
  if (length < kFrameTagBytes) {
    return Status::InvalidArgument(err::FRAME_TOO_SHORT, "frame of " + std::to_string(length) +
                                                          " bytes is shorter than its " +
                                                          std::to_string(kFrameTagBytes) +
                                                          "-byte authentication tag");
  }
  return length;
}

SessionCipher::SessionCipher(const Key& send_key, const Key& recv_key)
    : send_key_(send_key), recv_key_(recv_key) {}

SessionCipher::~SessionCipher() { Wipe(); }

SessionCipher::SessionCipher(SessionCipher&& other) noexcept
    : send_key_(other.send_key_),
      recv_key_(other.recv_key_),
      send_counter_(other.send_counter_),
      recv_counter_(other.recv_counter_) {
  other.Wipe();
}

SessionCipher& SessionCipher::operator=(SessionCipher&& other) noexcept {
  if (this != &other) {
    send_key_ = other.send_key_;
    recv_key_ = other.recv_key_;
    send_counter_ = other.send_counter_;
    recv_counter_ = other.recv_counter_;
    other.Wipe();
  }
  return *this;
}

void SessionCipher::Wipe() {
  sodium_memzero(send_key_.data(), send_key_.size());
  sodium_memzero(recv_key_.data(), recv_key_.size());
}

Status SessionCipher::SealFrame(std::string_view plaintext, Bytes* out) {
  if (send_counter_ == std::numeric_limits<uint64_t>::max()) {
    return Status::FailedPrecondition(err::NONCE_EXHAUSTED, "session sealed 2^64-1 frames; reconnect");
  }
  const uint64_t ciphertext_len = uint64_t{plaintext.size()} + kFrameTagBytes;
  if (ciphertext_len > std::numeric_limits<uint32_t>::max()) {
    return Status::InvalidArgument(err::FRAME_TOO_LARGE, "frame of " + std::to_string(ciphertext_len) +
                                                          " bytes does not fit a 4-byte length");
  }
  const size_t start = out->size();
  out->resize(start + kFrameHeaderBytes + ciphertext_len);
  auto* header = reinterpret_cast<unsigned char*>(out->data() + start);
  PutHeader(static_cast<uint32_t>(ciphertext_len), header);
  const Nonce nonce = CounterNonce(send_counter_);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(header + kFrameHeaderBytes, &written, U8(plaintext),
                                             plaintext.size(), header, kFrameHeaderBytes, nullptr,
                                             nonce.data(), send_key_.data());
  ++send_counter_;
  return Status::Ok();
}

Status SessionCipher::OpenFrame(std::string_view header, std::string_view ciphertext, Bytes* plaintext) {
  if (header.size() != kFrameHeaderBytes || ciphertext.size() < kFrameTagBytes) {
    return Status::InvalidArgument(err::FRAME_TOO_SHORT, "frame shorter than its authentication tag");
  }
  plaintext->resize(ciphertext.size() - kFrameTagBytes);
  const Nonce nonce = CounterNonce(recv_counter_);
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plaintext->data()),
                                                 &written, nullptr, U8(ciphertext), ciphertext.size(),
                                                 U8(header), header.size(), nonce.data(),
                                                 recv_key_.data()) != 0) {
    plaintext->clear();
    return Status::PermissionDenied(err::BAD_MAC, "frame " + std::to_string(recv_counter_) +
                                                   " failed authentication (tampered, replayed or reordered)");
  }
  ++recv_counter_;
  return Status::Ok();
}

}  // namespace civic::node::p2p
