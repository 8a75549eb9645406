#include "rpc/client_address.h"

#include <charconv>

#include "rpc/error_codes.h"

namespace civic::rpc {
namespace {

namespace ip = boost::asio::ip;

ip::address Unmapped(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A bare address, or an IPv6 address in brackets (some proxies write "[::1]").
bool ParseHop(std::string_view hop, ip::address* out) {
  if (hop.size() > 2 && hop.front() == '[' && hop.back() == ']') hop = hop.substr(1, hop.size() - 2);
  boost::system::error_code ec;
  ip::address a = ip::make_address(std::string(hop), ec);
  if (ec) return false;
  *out = Unmapped(a);
  return true;
}

}  // namespace

std::string CanonicalAddress(const ip::address& address) { return Unmapped(address).to_string(); }

Result<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& entries) {
  TrustedProxies proxies;
  for (const std::string& entry : entries) {
    auto bad = [&](std::string_view why) {
      return Status::InvalidArgument(err::BAD_TRUSTED_PROXY,
                                     "trusted proxy \"" + entry + "\" " + std::string(why) +
                                         " (write an address or a CIDR such as \"10.0.0.0/8\" or \"fd00::/8\")");
    };
    std::string_view text = entry;
    size_t slash = text.find('/');
    boost::system::error_code ec;
    ip::address address = ip::make_address(std::string(text.substr(0, slash)), ec);
    if (ec) return bad("is not an IP address");
    address = Unmapped(address);
    Network net;
    net.v4 = address.is_v4();
    const unsigned max_bits = net.v4 ? 32 : 128;
    net.prefix_bits = max_bits;
    if (slash != std::string_view::npos) {
      std::string_view bits = text.substr(slash + 1);
      auto [end, errc] = std::from_chars(bits.data(), bits.data() + bits.size(), net.prefix_bits);
      if (bits.empty() || errc != std::errc() || end != bits.data() + bits.size() || net.prefix_bits > max_bits) {
        return bad("has a bad prefix length");
      }
    }
    if (net.v4) {
      auto b = address.to_v4().to_bytes();
      std::copy(b.begin(), b.end(), net.bytes.begin());
    } else {
      net.bytes = address.to_v6().to_bytes();
    }
    proxies.networks_.push_back(net);
  }
  return proxies;
}

bool TrustedProxies::Contains(const ip::address& raw) const {
  ip::address address = Unmapped(raw);
  std::array<unsigned char, 16> bytes{};
  if (address.is_v4()) {
    auto b = address.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), bytes.begin());
  } else {
    bytes = address.to_v6().to_bytes();
  }
  for (const Network& net : networks_) {
    if (net.v4 != address.is_v4()) continue;
    unsigned full = net.prefix_bits / 8, rest = net.prefix_bits % 8;
    if (!std::equal(bytes.begin(), bytes.begin() + full, net.bytes.begin())) continue;
    if (rest != 0) {
      unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
      if ((bytes[full] & mask) != (net.bytes[full] & mask)) continue;
    }
    return true;
  }
  return false;
}

bool TrustedProxies::Contains(std::string_view address) const {
  ip::address a;
  return ParseHop(address, &a) && Contains(a);
}

Result<std::string> TrustedProxies::ClientKey(std::string_view peer, std::string_view forwarded_for) const {
  if (!Contains(peer)) return std::string(peer);
  // Walk the hops from the right: the first that is not a trusted proxy is the client.
  std::string client(peer);
  while (!forwarded_for.empty()) {
    size_t comma = forwarded_for.rfind(',');
    std::string_view hop = Trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for = comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    ip::address address;
    if (!ParseHop(hop, &address)) {
      return Status::InvalidArgument(err::BAD_FORWARDED_FOR,
                                     "X-Forwarded-For holds a hop that is not an IP address");
    }
    client = address.to_string();
    if (!Contains(address)) break;
  }
  return client;
}

}  // namespace civic::rpc
