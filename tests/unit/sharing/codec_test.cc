// The JSON forms of the sharing module (rpc/codec/sharing.h): the CLI's access
// and acknowledgement lines, parsed and rendered back.
#include <gtest/gtest.h>

#include "rpc/codec/sharing.h"
#include "sharing_fixture.h"

namespace civic::sharing_testing {
namespace {

using namespace rpc;

TEST(SharingJsonLinesTest, AccessAndAckLines) {
  boost::json::value line = boost::json::parse(R"({"request_id":"q-1","resource":"psb.population","grant":"G-1",
      "purpose":"核验","fields":["name"],"subjects":[")" +
                                               ToHex(Subject(1)) + R"("],
      "response_digest":")" + ToHex(Digest("x")) +
                                               R"(","accessed_at":"2025-01-01T00:00:00Z"})");
  auto a = AccessFromJson(line);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->record_count(), 1u);
  EXPECT_EQ(a->accessed_at_ms(), 1735689600000);
  auto back = AccessFromJson(boost::json::value(AccessToJson(*a)));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->SerializeAsString(), a->SerializeAsString());
  auto bad = [](const char* text) { return AccessFromJson(boost::json::parse(text)).status().app_code(); };
  EXPECT_EQ(bad(R"({"request_id":"q","resource":"r","purpose":"p","fields":["a"],"response_digest":"00","x":1})"),
            "ACCESS_MALFORMED");
  EXPECT_EQ(bad(R"({"request_id":"q","resource":"r","purpose":"p","fields":["a"],"response_digest":"00"})"),
            "BAD_DIGEST");
  EXPECT_EQ(bad(R"({"resource":"r","purpose":"p","fields":["a"]})"), "ACCESS_MALFORMED");
  EXPECT_EQ(bad(R"([1])"), "ACCESS_MALFORMED");
  auto ack = AckFromJson(boost::json::parse(
      R"({"requester":"11510700008207428G","request_id":"q-1","provider_digest":")" + ToHex(Digest("x")) + R"("})"));
  ASSERT_TRUE(ack.ok()) << ack.status().ToString();
  EXPECT_EQ(AckFromJson(boost::json::parse(R"({"requester":"bad","request_id":"q","provider_digest":""})"))
                .status()
                .app_code(),
            "BAD_USCC");
}

}  // namespace
}  // namespace civic::sharing_testing
