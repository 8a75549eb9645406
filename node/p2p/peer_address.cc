#include "node/p2p/peer_address.h"

#include <charconv>

#include "node/errors.h"

namespace civic::node::p2p {
namespace {

constexpr size_t kEd25519KeyBytes = 32;
constexpr std::string_view kEd25519Prefix = "ed25519:";

Status Bad(std::string_view text, std::string_view why) {
  return Status::InvalidArgument(err::BAD_PEER_ADDRESS, "peer address \"" + std::string(text) + "\": " +
                                                         std::string(why) +
                                                         " (expected node_id@host:port)");
}

}  // namespace

std::string PeerAddress::ToString() const {
  std::string out = std::string(kEd25519Prefix) + ToHex(node_key.key) + "@";
  if (host.find(':') != std::string::npos) {
    out += "[" + host + "]";
  } else {
    out += host;
  }
  return out + ":" + std::to_string(port);
}

Result<PeerAddress> PeerAddress::Parse(std::string_view text) {
  const size_t at = text.find('@');
  if (at == std::string_view::npos) return Bad(text, "missing '@' after the node id");
  std::string_view id = text.substr(0, at);
  std::string_view where = text.substr(at + 1);

  if (id.substr(0, kEd25519Prefix.size()) == kEd25519Prefix) {
    id.remove_prefix(kEd25519Prefix.size());
  } else if (id.find(':') != std::string_view::npos) {
    return Bad(text, "node keys must be ed25519");
  }
  std::optional<Bytes> key = FromHex(id);
  if (!key || key->size() != kEd25519KeyBytes) {
    return Bad(text, "node id must be 64 hex digits of an ed25519 key");
  }

  const size_t colon = where.rfind(':');
  if (colon == std::string_view::npos) return Bad(text, "missing ':port'");
  std::string_view host = where.substr(0, colon);
  std::string_view port_text = where.substr(colon + 1);
  if (!host.empty() && host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return Bad(text, "unbalanced brackets around the IPv6 host");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return Bad(text, "IPv6 hosts must be written in brackets");
  }
  if (host.empty()) return Bad(text, "empty host");

  uint32_t port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    return Bad(text, "port must be a number in 1..65535");
  }

  PeerAddress out;
  out.node_key.algo = crypto::Algo::kEd25519;
  out.node_key.key = std::move(*key);
  out.host = std::string(host);
  out.port = static_cast<uint16_t>(port);
  return out;
}

std::string ShortKey(const crypto::PublicKey& key) {
  return std::string(crypto::AlgoName(key.algo)) + ":" + ToHex(key.key).substr(0, 16);
}

}  // namespace civic::node::p2p
