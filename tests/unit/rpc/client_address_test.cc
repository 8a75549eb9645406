#include "rpc/client_address.h"

#include <gtest/gtest.h>

namespace civic::rpc {
namespace {

TEST(TrustedProxiesTest, MatchesAddressesAndCidrsOfBothFamilies) {
  auto proxies = TrustedProxies::Parse({"10.0.0.5", "192.168.0.0/16", "172.16.0.0/12", "fd00::/8", "::1"});
  ASSERT_TRUE(proxies.ok()) << proxies.status().ToString();
  for (std::string_view in : {"10.0.0.5", "192.168.44.1", "172.31.255.255", "fd12:3456::1", "::1", "[::1]",
                              "::ffff:10.0.0.5"}) {
    EXPECT_TRUE(proxies->Contains(in)) << in;
  }
  for (std::string_view out : {"10.0.0.6", "192.169.0.1", "172.32.0.0", "fe80::1", "::2", "1.2.3.4", "", "x"}) {
    EXPECT_FALSE(proxies->Contains(out)) << out;
  }
  EXPECT_TRUE(TrustedProxies::Parse({"0.0.0.0/0"})->Contains("8.8.8.8"));
  EXPECT_FALSE(TrustedProxies::Parse({"0.0.0.0/0"})->Contains("2001:db8::1"));
  EXPECT_TRUE(TrustedProxies::Parse({})->empty());
}

TEST(TrustedProxiesTest, BadEntriesAreTypedErrors) {
  for (const std::string& bad : {"proxy.example", "10.0.0.0/33", "fd00::/129", "10.0.0.0/", "10.0.0.0/8x", "",
                                 "10.0.0.0/-1", "1.2.3.4:80"}) {
    auto parsed = TrustedProxies::Parse({"127.0.0.1", bad});
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().app_code(), "BAD_TRUSTED_PROXY") << bad;
    EXPECT_NE(parsed.status().message().find("\"" + bad + "\""), std::string::npos) << parsed.status().message();
  }
}

TEST(TrustedProxiesTest, ClientKeyIsTheRightMostHopThatIsNotAProxy) {
  auto proxies = TrustedProxies::Parse({"10.0.0.0/8", "2001:db8::/32"});
  ASSERT_TRUE(proxies.ok());
  // An untrusted peer: its own address, whatever it claims.
  EXPECT_EQ(*proxies->ClientKey("203.0.113.9", "1.1.1.1"), "203.0.113.9");
  EXPECT_EQ(*proxies->ClientKey("203.0.113.9", "not an address"), "203.0.113.9");
  // A trusted peer: the hop its proxies appended, not what the client wrote.
  EXPECT_EQ(*proxies->ClientKey("10.0.0.1", "198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(*proxies->ClientKey("10.0.0.1", "6.6.6.6, 198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(*proxies->ClientKey("10.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.1.1"), "198.51.100.7");
  EXPECT_EQ(*proxies->ClientKey("10.0.0.1", " 2001:db9::5 ,\t[2001:db8::7]"), "2001:db9::5");
  EXPECT_EQ(*proxies->ClientKey("10.0.0.1", "::ffff:198.51.100.7"), "198.51.100.7");
  // Garbage left of the client's hop is the client's own doing: ignored.
  EXPECT_EQ(*proxies->ClientKey("10.0.0.1", "junk, 198.51.100.7"), "198.51.100.7");
  // Every hop a proxy: the left-most; no header: the proxy itself.
  EXPECT_EQ(*proxies->ClientKey("10.0.0.1", "10.2.2.2, 10.3.3.3"), "10.2.2.2");
  EXPECT_EQ(*proxies->ClientKey("10.0.0.1", ""), "10.0.0.1");
  // A hop the proxies wrote that is not an address: refused, not guessed.
  for (std::string_view bad : {"198.51.100.7, junk", "198.51.100.7:4000", "unknown", ",", "1.2.3.4, 10.1.1.1, x"}) {
    auto key = proxies->ClientKey("10.0.0.1", bad);
    ASSERT_FALSE(key.ok()) << bad;
    EXPECT_EQ(key.status().app_code(), "BAD_FORWARDED_FOR") << bad;
  }
}

}  // namespace
}  // namespace civic::rpc
