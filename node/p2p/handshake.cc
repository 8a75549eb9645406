#include "node/p2p/handshake.h"

#include <sodium.h>

#include <cassert>
#include <cstdlib>
#include <cstring>

#include "node/errors.h"
#include "node/p2p/p2p.pb.h"

namespace civic::node::p2p {
namespace {

constexpr std::string_view kMagic = "CVP2";
constexpr std::string_view kSessionDomain = "civic/p2p/session/v1";
constexpr std::string_view kTranscriptDomain = "civic/p2p/handshake/v1";
constexpr size_t kEd25519KeyBytes = 32;
constexpr size_t kChainDigestBytes = 32;
constexpr size_t kMagicOffset = 0;
constexpr size_t kVersionOffset = 4;
constexpr size_t kChainOffset = 8;
constexpr size_t kEphOffset = kChainOffset + kChainDigestBytes;
static_assert(kEphOffset + crypto_kx_PUBLICKEYBYTES == kHelloBytes);
static_assert(kMagic.size() == kHelloMagicBytes);

void PutU32(Bytes* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

uint32_t GetU32(std::string_view in) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

std::string_view View(const std::array<unsigned char, 32>& a) {
  return {reinterpret_cast<const char*>(a.data()), a.size()};
}

Bytes ChainDigest(std::string_view chain_id) {
  Bytes digest(kChainDigestBytes, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(digest.data()), digest.size(),
                     reinterpret_cast<const unsigned char*>(chain_id.data()), chain_id.size(), nullptr, 0);
  return digest;
}

// Binds a crypto_kx direction key to both hellos.
SessionCipher::Key BindKey(const unsigned char* kx_key, std::string_view dialer_hello,
                           std::string_view acceptor_hello) {
  SessionCipher::Key out{};
  crypto_generichash_state state;
  crypto_generichash_init(&state, kx_key, crypto_kx_SESSIONKEYBYTES, out.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(kSessionDomain.data()),
                            kSessionDomain.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(dialer_hello.data()),
                            dialer_hello.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(acceptor_hello.data()),
                            acceptor_hello.size());
  crypto_generichash_final(&state, out.data(), out.size());
  sodium_memzero(&state, sizeof(state));
  return out;
}

Status NotReady(const char* step) {
  return Status::FailedPrecondition(err::HANDSHAKE_OUT_OF_ORDER, std::string("handshake step out of order: ") + step);
}

}  // namespace

Handshake::Handshake(Role role, const crypto::KeyPair& node_key, std::string_view chain_id)
    : role_(role), node_key_(node_key), chain_id_(chain_id) {
  if (sodium_init() < 0) std::abort();  // libsodium cannot work without its RNG
  crypto_kx_keypair(eph_public_.data(), eph_secret_.data());
  hello_.reserve(kHelloBytes);
  hello_.append(kMagic);
  PutU32(&hello_, kProtocolVersion);
  hello_.append(ChainDigest(chain_id_));
  hello_.append(View(eph_public_));
}

Handshake::~Handshake() { sodium_memzero(eph_secret_.data(), eph_secret_.size()); }

Status Handshake::CheckMagic(std::string_view prefix) {
  if (prefix.substr(0, kMagic.size()) != kMagic) {
    return Status::InvalidArgument(err::HANDSHAKE_BAD_MAGIC, "peer did not open with a CivicLedger p2p hello");
  }
  return Status::Ok();
}

Status Handshake::ReadPeerHello(std::string_view hello) {
  if (session_) return NotReady("second hello");
  if (hello.size() != kHelloBytes) {
    return Status::InvalidArgument(err::HANDSHAKE_BAD_MAGIC, "peer's hello has the wrong size");
  }
  CIVIC_RETURN_IF_ERROR(CheckMagic(hello.substr(kMagicOffset)));
  const uint32_t version = GetU32(hello.substr(kVersionOffset, 4));
  if (version != kProtocolVersion) {
    return Status::FailedPrecondition(err::PROTOCOL_VERSION_MISMATCH,
                                      "peer speaks p2p protocol version " + std::to_string(version) +
                                          ", this node speaks " + std::to_string(kProtocolVersion));
  }
  if (hello.substr(kChainOffset, kChainDigestBytes) != ChainDigest(chain_id_)) {
    return Status::FailedPrecondition(err::CHAIN_ID_MISMATCH, "peer belongs to a different chain than \"" +
                                                               chain_id_ + "\"");
  }
  std::memcpy(peer_eph_public_.data(), hello.data() + kEphOffset, peer_eph_public_.size());
  if (peer_eph_public_ == eph_public_) {
    return Status::PermissionDenied(err::HANDSHAKE_REFLECTED, "peer echoed our own handshake back");
  }

  unsigned char rx[crypto_kx_SESSIONKEYBYTES];
  unsigned char tx[crypto_kx_SESSIONKEYBYTES];
  const int rc = role_ == Role::kDialer
                     ? crypto_kx_client_session_keys(rx, tx, eph_public_.data(), eph_secret_.data(),
                                                     peer_eph_public_.data())
                     : crypto_kx_server_session_keys(rx, tx, eph_public_.data(), eph_secret_.data(),
                                                     peer_eph_public_.data());
  sodium_memzero(eph_secret_.data(), eph_secret_.size());
  if (rc != 0) {
    sodium_memzero(rx, sizeof rx);
    sodium_memzero(tx, sizeof tx);
    return Status::InvalidArgument(err::HANDSHAKE_BAD_KEY, "peer's ephemeral key is unusable (low order)");
  }
  const std::string_view dialer_hello = role_ == Role::kDialer ? std::string_view(hello_) : hello;
  const std::string_view acceptor_hello = role_ == Role::kDialer ? hello : std::string_view(hello_);
  SessionCipher::Key send_key = BindKey(tx, dialer_hello, acceptor_hello);
  SessionCipher::Key recv_key = BindKey(rx, dialer_hello, acceptor_hello);
  sodium_memzero(rx, sizeof rx);
  sodium_memzero(tx, sizeof tx);
  session_.emplace(send_key, recv_key);
  sodium_memzero(send_key.data(), send_key.size());
  sodium_memzero(recv_key.data(), recv_key.size());
  return Status::Ok();
}

Bytes Handshake::IdentityFrame() {
  assert(session_ && session_->frames_sealed() == 0);
  wire::HandshakeIdentity identity;
  identity.set_algo(static_cast<uint32_t>(node_key_.public_key().algo));
  identity.set_public_key(node_key_.public_key().key);
  Bytes frame;
  (void)session_->SealFrame(identity.SerializeAsString(), &frame);  // tiny: cannot fail
  return frame;
}

Result<crypto::PublicKey> Handshake::ReadPeerIdentity(std::string_view header, std::string_view ciphertext) {
  if (!session_ || session_->frames_opened() != 0) return NotReady("identity");
  Bytes plaintext;
  CIVIC_RETURN_IF_ERROR(session_->OpenFrame(header, ciphertext, &plaintext));
  wire::HandshakeIdentity identity;
  if (!identity.ParseFromString(plaintext)) {
    return Status::InvalidArgument(err::HANDSHAKE_MALFORMED, "peer's identity message does not decode");
  }
  if (identity.algo() != static_cast<uint32_t>(crypto::Algo::kEd25519) ||
      identity.public_key().size() != kEd25519KeyBytes) {
    return Status::InvalidArgument(err::UNSUPPORTED_KEY_ALGO, "peer's node key is not a 32-byte ed25519 key");
  }
  crypto::PublicKey key;
  key.algo = crypto::Algo::kEd25519;
  key.key = identity.public_key();
  if (key == node_key_.public_key()) {
    return Status::PermissionDenied(err::SELF_CONNECTION, "peer uses this node's own key (connected to itself)");
  }
  peer_key_ = key;
  return key;
}

Bytes Handshake::AuthFrame() {
  assert(session_ && peer_key_ && session_->frames_sealed() == 1);
  wire::HandshakeAuth auth;
  auth.set_signature(node_key_.Sign(Transcript(role_)));
  Bytes frame;
  (void)session_->SealFrame(auth.SerializeAsString(), &frame);  // tiny: cannot fail
  return frame;
}

Status Handshake::ReadPeerAuth(std::string_view header, std::string_view ciphertext) {
  if (!session_ || !peer_key_ || session_->frames_opened() != 1) return NotReady("auth");
  Bytes plaintext;
  CIVIC_RETURN_IF_ERROR(session_->OpenFrame(header, ciphertext, &plaintext));
  wire::HandshakeAuth auth;
  if (!auth.ParseFromString(plaintext)) {
    return Status::InvalidArgument(err::HANDSHAKE_MALFORMED, "peer's auth message does not decode");
  }
  const Role peer_role = role_ == Role::kDialer ? Role::kAcceptor : Role::kDialer;
  if (!crypto::Verify(*peer_key_, Transcript(peer_role), auth.signature())) {
    return Status::PermissionDenied(err::BAD_HANDSHAKE_SIGNATURE,
                                    "peer's handshake signature does not verify with its node key");
  }
  peer_authenticated_ = true;
  return Status::Ok();
}

SessionCipher Handshake::TakeSession() {
  assert(peer_authenticated_ && session_);
  SessionCipher out = std::move(*session_);
  session_.reset();
  return out;
}

Bytes Handshake::Transcript(Role signer) const {
  assert(peer_key_);
  const bool dialer = role_ == Role::kDialer;
  const std::string_view dialer_eph = dialer ? View(eph_public_) : View(peer_eph_public_);
  const std::string_view acceptor_eph = dialer ? View(peer_eph_public_) : View(eph_public_);
  const crypto::PublicKey& dialer_key = dialer ? node_key_.public_key() : *peer_key_;
  const crypto::PublicKey& acceptor_key = dialer ? *peer_key_ : node_key_.public_key();

  Bytes out;
  out.append(kTranscriptDomain);
  out.push_back(static_cast<char>(signer));
  PutU32(&out, kProtocolVersion);
  PutU32(&out, static_cast<uint32_t>(chain_id_.size()));
  out.append(chain_id_);
  out.append(dialer_eph);
  out.append(acceptor_eph);
  out.push_back(static_cast<char>(dialer_key.algo));
  out.append(dialer_key.key);
  out.push_back(static_cast<char>(acceptor_key.algo));
  out.append(acceptor_key.key);
  return out;
}

}  // namespace civic::node::p2p
