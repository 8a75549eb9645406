// The holder's certificate file (rpc/codec/holder_certificate.h).
#include <gtest/gtest.h>

#include "rpc/codec/holder_certificate.h"

namespace civic::rpc {
namespace {

using contracts::HolderCertificate;

HolderCertificate SampleCopy() {
  HolderCertificate c =
      contracts::NewHolderCertificate("11510700008207313A001", "11510700008207313A", "citizen_id", "11010519491231002X",
                                      {{"name", "张三"}, {"sex", "男"}, {"id_number", "11010519491231002X"}});
  c.id = "1.2.156.3005.2.x";
  c.valid_from_ms = 10;
  c.valid_until_ms = 20;
  return c;
}

TEST(HolderCertificateTest, JsonRoundTrip) {
  HolderCertificate c = SampleCopy();
  EXPECT_EQ(c.holder_salt.size(), 22u);
  auto parsed = ParseHolderCertificate(SerializeHolderCertificate(c));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->id, c.id);
  EXPECT_EQ(parsed->holder_code, c.holder_code);
  EXPECT_EQ(parsed->holder_salt, c.holder_salt);
  ASSERT_EQ(parsed->fields.size(), 3u);
  EXPECT_EQ(parsed->valid_until_ms, 20);
  EXPECT_EQ(parsed->Commitment(), c.Commitment());
  EXPECT_EQ(parsed->Digest(), c.Digest());
  auto claims = c.Claims();
  ASSERT_EQ(claims.size(), 3u);
  EXPECT_EQ(claims[0].name(), "id_number");  // sorted by name
}

TEST(HolderCertificateTest, MalformedJsonIsATypedError) {
  for (std::string_view bad :
       {"", "{", "[]", "{\"type_code\":1}", "{\"type_code\":\"t\",\"issuer_org\":\"o\"}",
        "{\"type_code\":\"t\",\"issuer_org\":\"o\",\"holder\":{\"code_type\":\"uscc\"},"
        "\"fields\":[]}",
        "{\"type_code\":\"t\",\"issuer_org\":\"o\",\"holder\":{\"code_type\":\"c\",\"code\":\"c\","
        "\"salt\":\"s\"},\"fields\":[1]}",
        "{\"type_code\":\"t\",\"issuer_org\":\"o\",\"holder\":{\"code_type\":\"c\",\"code\":\"c\","
        "\"salt\":\"s\"},\"fields\":[],\"valid_from_ms\":\"x\"}"}) {
    auto r = ParseHolderCertificate(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().app_code(), "HOLDER_CERT_MALFORMED") << bad;
    }
  }
}

}  // namespace
}  // namespace civic::rpc
