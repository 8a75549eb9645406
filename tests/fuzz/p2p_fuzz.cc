// Fuzz target: what a remote peer sends on a p2p connection, fed to this node's
// side of node/p2p: the plaintext hello, the encrypted identity and auth frames,
// frame headers, and after the handshake the encrypted frames whose plaintext is
// a wire::Envelope (Connection::Dispatch decodes it).
//
// The remote side is an honest Handshake (node key seed 2) whose bytes the input
// alters: byte 0 picks this node's role; the next 72 bytes are XORed into the
// peer's hello; then two (position, xor) pairs tamper with the identity and auth
// frames; the rest is a sequence of [len_hi][len_lo][plaintext] records that the
// peer seals with its session and this node opens and decodes as an Envelope.
// Properties: an unaltered handshake succeeds and an altered magic, version or
// chain digest fails; a tampered frame never authenticates; every sealed frame
// opens to exactly its plaintext; frame headers outside the limits are refused.
#include "node/p2p/handshake.h"
#include "node/p2p/p2p.pb.h"
#include "node/p2p/session_cipher.h"
#include "tests/fuzz/fuzz_check.h"

namespace civic::fuzz {
namespace {

constexpr const char* kChainId = "fuzz-p2p-1";

crypto::KeyPair SeedKey(char seed) {
  return crypto::KeyPair::FromSecret(crypto::Algo::kEd25519, Bytes(32, seed)).value();
}

// Splits a whole frame (header + ciphertext) for Read* calls.
std::pair<std::string_view, std::string_view> Split(const Bytes& frame) {
  std::string_view all(frame);
  return {all.substr(0, node::p2p::kFrameHeaderBytes), all.substr(node::p2p::kFrameHeaderBytes)};
}

void Tamper(Bytes* frame, uint8_t pos, uint8_t mask) {
  if (mask != 0 && !frame->empty()) (*frame)[pos % frame->size()] ^= static_cast<char>(mask);
}

}  // namespace
}  // namespace civic::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace civic;
  using namespace civic::fuzz;
  using namespace civic::node::p2p;
  static const crypto::KeyPair* our_key = new crypto::KeyPair(SeedKey(1));
  static const crypto::KeyPair* peer_key = new crypto::KeyPair(SeedKey(2));
  std::string_view in = AsText(data, size);
  const Role role = (TakeByte(&in) & 1) ? Role::kDialer : Role::kAcceptor;
  const Role peer_role = role == Role::kDialer ? Role::kAcceptor : Role::kDialer;
  Handshake ours(role, *our_key, kChainId);
  Handshake peer(peer_role, *peer_key, kChainId);

  Bytes hello = peer.hello();
  bool hello_altered = false;
  bool header_altered = false;  // magic, version or chain digest
  for (size_t i = 0; i < kHelloBytes; ++i) {
    const uint8_t mask = TakeByte(&in);
    hello[i] ^= static_cast<char>(mask);
    hello_altered |= mask != 0;
    header_altered |= mask != 0 && i < 40;
  }
  Status read_hello = ours.ReadPeerHello(hello);
  if (header_altered) FUZZ_CHECK(!read_hello.ok());
  if (!hello_altered) FUZZ_CHECK(read_hello.ok());
  if (!read_hello.ok()) {
    FUZZ_CHECK(!read_hello.app_code().empty());
    return 0;
  }
  FUZZ_CHECK(peer.ReadPeerHello(ours.hello()).ok());

  Bytes identity = peer.IdentityFrame();
  const uint8_t id_pos = TakeByte(&in), id_mask = TakeByte(&in);
  Tamper(&identity, id_pos, id_mask);
  auto [id_header, id_body] = Split(identity);
  Result<crypto::PublicKey> peer_seen = ours.ReadPeerIdentity(id_header, id_body);
  if (id_mask != 0 || hello_altered) {
    FUZZ_CHECK(!peer_seen.ok());
    return 0;
  }
  FUZZ_CHECK(peer_seen.ok() && *peer_seen == peer_key->public_key());
  Bytes our_identity = ours.IdentityFrame();
  auto [oi_header, oi_body] = Split(our_identity);
  FUZZ_CHECK(peer.ReadPeerIdentity(oi_header, oi_body).ok());

  Bytes auth = peer.AuthFrame();
  const uint8_t auth_pos = TakeByte(&in), auth_mask = TakeByte(&in);
  Tamper(&auth, auth_pos, auth_mask);
  auto [auth_header, auth_body] = Split(auth);
  Status authed = ours.ReadPeerAuth(auth_header, auth_body);
  FUZZ_CHECK(authed.ok() == (auth_mask == 0));
  if (!authed.ok()) return 0;
  Bytes our_auth = ours.AuthFrame();
  auto [oa_header, oa_body] = Split(our_auth);
  FUZZ_CHECK(peer.ReadPeerAuth(oa_header, oa_body).ok());

  SessionCipher our_session = ours.TakeSession();
  SessionCipher peer_session = peer.TakeSession();
  for (int frames = 0; !in.empty() && frames < 32; ++frames) {
    size_t len = size_t{TakeByte(&in)} << 8;
    len |= TakeByte(&in);
    const std::string_view plaintext = in.substr(0, std::min(len, in.size()));
    in.remove_prefix(plaintext.size());
    Bytes frame;
    FUZZ_CHECK(peer_session.SealFrame(plaintext, &frame).ok());
    Result<uint32_t> length = ParseFrameHeader(std::string_view(frame).substr(0, kFrameHeaderBytes),
                                               kDefaultMaxFrameBytes);
    FUZZ_CHECK(length.ok() && *length == frame.size() - kFrameHeaderBytes);
    // The same header against a tight limit, and the plaintext's first bytes as a header.
    (void)ParseFrameHeader(std::string_view(frame).substr(0, kFrameHeaderBytes), kFrameTagBytes + 1);
    if (plaintext.size() >= kFrameHeaderBytes) {
      Result<uint32_t> odd = ParseFrameHeader(plaintext.substr(0, kFrameHeaderBytes), kMaxHandshakeFrameBytes);
      FUZZ_CHECK(!odd.ok() || (*odd >= kFrameTagBytes && *odd <= kMaxHandshakeFrameBytes));
    }
    auto [header, body] = Split(frame);
    Bytes opened;
    FUZZ_CHECK(our_session.OpenFrame(header, body, &opened).ok());
    FUZZ_CHECK(opened == plaintext);
    wire::Envelope envelope;
    if (envelope.ParseFromString(opened)) {
      wire::Envelope again;
      FUZZ_CHECK(again.ParseFromString(envelope.SerializeAsString()));
      FUZZ_CHECK(again.channel() == envelope.channel() && again.payload() == envelope.payload());
    }
  }
  return 0;
}
