#include "tools/common/timefmt.h"

#include <gtest/gtest.h>

namespace civic::tools {
namespace {

TEST(TimeFmtTest, DatesAreChinaStandardTime) {
  // 2024-05-01 00:00 +08:00 = 2024-04-30T16:00:00Z = 1714492800000 ms.
  EXPECT_EQ(*ParseTimeMs("2024-05-01"), 1714492800000);
  EXPECT_EQ(*ParseTimeMs("2024-05-01", DateEdge::kEndOfDay), 1714492800000 + 86400000 - 1);
}

TEST(TimeFmtTest, Rfc3339AndMilliseconds) {
  EXPECT_EQ(*ParseTimeMs("2024-04-30T16:00:00Z"), 1714492800000);
  EXPECT_EQ(*ParseTimeMs("2024-05-01T00:00:00+08:00"), 1714492800000);
  EXPECT_EQ(*ParseTimeMs("2024-05-01T00:00:00.250+08:00"), 1714492800250);
  EXPECT_EQ(*ParseTimeMs("1714492800000"), 1714492800000);
  EXPECT_EQ(*ParseTimeMs("2000-02-29"), *ParseTimeMs("2000-02-28") + 86400000);
}

TEST(TimeFmtTest, BadDatesAreTyped) {
  for (const char* bad : {"", "2024-02-30", "2023-02-29", "2024-13-01", "24-05-01", "2024-05-01T25:00:00Z",
                          "2024-05-01T10:00:00", "2024-05-01T10:00:00+0800", "tomorrow", "1899-12-31",
                          "2024-05-01x", "99999999999999999999"}) {
    auto r = ParseTimeMs(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().app_code(), "BAD_DATE") << bad;
  }
}

}  // namespace
}  // namespace civic::tools
