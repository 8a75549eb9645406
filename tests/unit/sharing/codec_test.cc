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
      "purpose":"核验","fields":["name"],"subject_keys":[")" +
                                               ToHex(Subject(1)) + R"("],
      "response_digest":")" + ToHex(Digest("x")) +
                                               R"(","accessed_at":"2025-01-01T00:00:00Z"})");
  const std::string hrss = "11510700008207428G";
  auto a = AccessFromJson(line, hrss);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->record_count(), 1u);
  // A subject key is logged as its tag under the logging org, never as itself.
  ASSERT_EQ(a->subject_tags_size(), 1);
  EXPECT_EQ(a->subject_tags(0), contracts::AccessSubjectTag(Subject(1), hrss));
  EXPECT_EQ(AccessFromJson(line, "").status().app_code(), "ACCESS_MALFORMED");
  EXPECT_EQ(a->accessed_at_ms(), 1735689600000);
  EXPECT_TRUE(AccessToJson(*a).contains("subject_tags"));
  auto back = AccessFromJson(boost::json::value(AccessToJson(*a)), "");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->SerializeAsString(), a->SerializeAsString());
  auto bad = [](const char* text) { return AccessFromJson(boost::json::parse(text), "").status().app_code(); };
  EXPECT_EQ(bad(R"({"request_id":"q","resource":"r","purpose":"p","fields":["a"],"response_digest":"00","x":1})"),
            "ACCESS_MALFORMED");
  EXPECT_EQ(bad(R"({"request_id":"q","resource":"r","purpose":"p","fields":["a"],"response_digest":"00"})"),
            "BAD_DIGEST");
  EXPECT_EQ(bad(R"({"resource":"r","purpose":"p","fields":["a"]})"), "ACCESS_MALFORMED");
  EXPECT_EQ(bad(R"([1])"), "ACCESS_MALFORMED");
  EXPECT_EQ(bad(R"({"request_id":"q","resource":"r","purpose":"p","fields":["a"],"subject_tags":["ab"]})"),
            "BAD_SUBJECT_COMMITMENT");
  EXPECT_EQ(bad(R"({"request_id":"q","resource":"r","purpose":"p","fields":["a"],"subjects":[]})"),
            "ACCESS_MALFORMED");
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
