// A peer to dial: its node key and where it listens, written "node_id@host:port".
//
// node_id is "ed25519:<64 hex>" (crypto::PublicKey::ToString form) or the bare 64
// hex digits of an Ed25519 key. host is an IPv4 address, a DNS name, or an IPv6
// address in brackets ("[::1]:26656"). Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/signature.h"
#include "crypto/base/status.h"

namespace civic::node::p2p {

struct PeerAddress {
  crypto::PublicKey node_key;
  std::string host;  // without brackets
  uint16_t port = 0;

  // "ed25519:<hex>@host:port" (IPv6 hosts in brackets).
  std::string ToString() const;
  // Errors: BAD_PEER_ADDRESS with what is wrong.
  static Result<PeerAddress> Parse(std::string_view text);
};

// "ed25519:<first 16 hex digits>": enough to tell peers apart in logs.
std::string ShortKey(const crypto::PublicKey& key);

}  // namespace civic::node::p2p
