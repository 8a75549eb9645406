#include "node/p2p/peer_address.h"

#include <gtest/gtest.h>

namespace civic::node::p2p {
namespace {

const std::string kHex = "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29";

TEST(PeerAddressTest, ParsesPrefixedAndBareKeys) {
  Result<PeerAddress> a = PeerAddress::Parse("ed25519:" + kHex + "@10.0.0.7:26656");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->node_key.algo, crypto::Algo::kEd25519);
  EXPECT_EQ(ToHex(a->node_key.key), kHex);
  EXPECT_EQ(a->host, "10.0.0.7");
  EXPECT_EQ(a->port, 26656);

  Result<PeerAddress> b = PeerAddress::Parse(kHex + "@node-2.city.example:1");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->node_key, a->node_key);
  EXPECT_EQ(b->host, "node-2.city.example");
  EXPECT_EQ(b->port, 1);
}

TEST(PeerAddressTest, ParsesBracketedIpv6AndRoundTrips) {
  Result<PeerAddress> a = PeerAddress::Parse(kHex + "@[::1]:65535");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 65535);
  EXPECT_EQ(a->ToString(), "ed25519:" + kHex + "@[::1]:65535");
  Result<PeerAddress> again = PeerAddress::Parse(a->ToString());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->host, "::1");
}

TEST(PeerAddressTest, RejectsBadInputWithAClearError) {
  for (const std::string& bad : {
           std::string(""),
           std::string("127.0.0.1:26656"),                   // no node id
           kHex + "@127.0.0.1",                              // no port
           kHex + "@127.0.0.1:0",                            // port 0
           kHex + "@127.0.0.1:65536",                        // port too big
           kHex + "@127.0.0.1:12ab",                         // port not a number
           kHex + "@:26656",                                 // empty host
           kHex + "@::1:26656",                              // IPv6 without brackets
           kHex + "@[::1:26656",                             // unbalanced
           kHex.substr(2) + "@127.0.0.1:1",                  // short key
           "zz" + kHex.substr(2) + "@127.0.0.1:1",           // not hex
           "secp256k1:" + kHex + "@127.0.0.1:1",             // not ed25519
       }) {
    Result<PeerAddress> parsed = PeerAddress::Parse(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().app_code(), "BAD_PEER_ADDRESS") << bad;
    }
  }
}

}  // namespace
}  // namespace civic::node::p2p
