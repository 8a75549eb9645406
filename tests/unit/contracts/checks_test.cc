// The input rules every contract shares (contracts/base/checks.h).
#include "contracts/base/checks.h"

#include <gtest/gtest.h>

namespace civic::contracts {
namespace {

// GB 11643-1999's published example: a valid citizen identity number.
constexpr std::string_view kCitizenId = "11010519491231002X";

TEST(ChecksTest, Utf8RoundTripsAndRefusesMalformedInput) {
  auto cps = DecodeUtf8("张a€😀");
  ASSERT_TRUE(cps.has_value());
  EXPECT_EQ(*cps, (std::vector<uint32_t>{0x5F20, 'a', 0x20AC, 0x1F600}));
  std::string back;
  for (uint32_t cp : *cps) back += EncodeUtf8(cp);
  EXPECT_EQ(back, "张a€😀");
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE5\xBC"));          // cut short
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_TRUE(IsValidUtf8(""));
}

TEST(ChecksTest, FindsAValidCitizenIdAnywhereInAText) {
  EXPECT_TRUE(ContainsCitizenId(kCitizenId));
  EXPECT_TRUE(ContainsCitizenId("申请人 " + std::string(kCitizenId) + " 已核实"));
  EXPECT_TRUE(ContainsCitizenId("ID:11010519491231002x."));  // lower-case check character
  EXPECT_TRUE(ContainsCitizenId("9" + std::string(kCitizenId)));  // inside a longer run of digits
  EXPECT_FALSE(ContainsCitizenId("110105194912310021"));  // wrong check character
  EXPECT_FALSE(ContainsCitizenId("11010519491231002"));   // 17 characters
  EXPECT_FALSE(ContainsCitizenId("decision 2025-001, order 42"));
}

TEST(ChecksTest, CheckTextAppliesEachRuleWithItsCode) {
  EXPECT_TRUE(CheckText("the note", "", {.max_bytes = 10}).ok());
  EXPECT_EQ(CheckText("the reason", "", {.max_bytes = 10, .required_code = "REASON_REQUIRED"}).app_code(),
            "REASON_REQUIRED");
  Status too_long = CheckText("the note", "12345678901", {.max_bytes = 10});
  EXPECT_EQ(too_long.app_code(), "TEXT_TOO_LONG");
  EXPECT_NE(too_long.message().find("the note"), std::string::npos);
  Status personal = CheckText("the reason", "holder " + std::string(kCitizenId), {.max_bytes = 100});
  EXPECT_EQ(personal.app_code(), "PERSONAL_DATA_IN_TEXT");
  EXPECT_NE(personal.message().find("the reason"), std::string::npos);
  EXPECT_EQ(CheckNoIdNumber("--summary", kCitizenId).app_code(), "PERSONAL_DATA_IN_TEXT");
}

TEST(ChecksTest, DigestsAreThirtyTwoBytes) {
  EXPECT_TRUE(CheckDigest("the response digest", std::string(32, 'x')).ok());
  Status bad = CheckDigest("the response digest", std::string(31, 'x'));
  EXPECT_EQ(bad.app_code(), "BAD_DIGEST");
  EXPECT_NE(bad.message().find("the response digest"), std::string::npos);
  EXPECT_EQ(CheckDigest("x", "").app_code(), "BAD_DIGEST");
}

TEST(ChecksTest, Tokens) {
  EXPECT_TRUE(IsToken("FOOD_DRUG", "_.-"));
  EXPECT_TRUE(IsToken(std::string(64, 'a'), ""));
  EXPECT_FALSE(IsToken(std::string(65, 'a'), ""));
  EXPECT_FALSE(IsToken("", "_"));
  EXPECT_FALSE(IsToken("a b", "_"));
  EXPECT_FALSE(IsToken("a/b", "_.-"));
  EXPECT_TRUE(IsToken("a/b", "/"));
  EXPECT_EQ(Shown(std::string(100, 'z')).size(), 64u);
}

}  // namespace
}  // namespace civic::contracts
