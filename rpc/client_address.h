// Which client a request comes from, for the rate limiter, the per-address
// connection cap and the WebSocket subscription cap.
//
// A request's client is the socket's peer address, unless that peer is one of
// the operator's trusted proxies ([rpc] trusted_proxies: addresses or CIDRs,
// IPv4 and IPv6). Then it is the right-most X-Forwarded-For hop that is not a
// trusted proxy: each proxy appends the address it received the request from,
// so that hop was written by the proxy nearest the client, and everything left
// of it is what the client chose to send. X-Forwarded-For from any other peer
// is ignored: a client cannot choose its own key.
//
// Addresses are compared in one spelling: an IPv4-mapped IPv6 address
// (::ffff:a.b.c.d, a dual-stack socket's view of an IPv4 peer) is its IPv4 address.
// Immutable after Parse; thread-safe.
#pragma once

#include <array>
#include <boost/asio/ip/address.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/base/status.h"

namespace civic::rpc {

// `address` in the one spelling used as a client key ("1.2.3.4", "2001:db8::1").
std::string CanonicalAddress(const boost::asio::ip::address& address);

class TrustedProxies {
 public:
  // Entries such as "10.0.0.5", "10.0.0.0/8", "::1", "fd00::/8". Typed error
  // BAD_TRUSTED_PROXY naming the entry that is not an address or CIDR.
  static Result<TrustedProxies> Parse(const std::vector<std::string>& entries);

  bool empty() const { return networks_.empty(); }
  bool Contains(const boost::asio::ip::address& address) const;
  bool Contains(std::string_view address) const;

  // The client key of a request from socket peer `peer` (an address in
  // canonical spelling) carrying `forwarded_for` (every X-Forwarded-For header
  // of the request joined by ","; empty if none). Typed error BAD_FORWARDED_FOR
  // when the peer is trusted and a hop right of the client is not an address.
  Result<std::string> ClientKey(std::string_view peer, std::string_view forwarded_for) const;

 private:
  struct Network {
    std::array<unsigned char, 16> bytes{};  // IPv4 in the first 4
    bool v4 = true;
    unsigned prefix_bits = 0;
  };
  std::vector<Network> networks_;
};

}  // namespace civic::rpc
