#include "crypto/base/bytes.h"

#include <gtest/gtest.h>

namespace civic {
namespace {

TEST(HexTest, RoundTripsEveryByte) {
  Bytes all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  std::string hex = ToHex(all);
  EXPECT_EQ(hex.size(), 512u);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  EXPECT_EQ(hex.substr(504), "fcfdfeff");
  EXPECT_EQ(FromHex(hex), all);
}

TEST(HexTest, AcceptsEitherCaseAndEmpty) {
  EXPECT_EQ(FromHex("DEADbeef"), Bytes("\xde\xad\xbe\xef"));
  EXPECT_EQ(FromHex(""), Bytes());
  EXPECT_EQ(ToHex(""), "");
}

TEST(HexTest, RejectsBadInput) {
  EXPECT_FALSE(FromHex("abc").has_value());    // odd length
  EXPECT_FALSE(FromHex("0g").has_value());     // not a hex digit
  EXPECT_FALSE(FromHex("0x00").has_value());   // prefix
  EXPECT_FALSE(FromHex(" 00").has_value());    // whitespace
  EXPECT_FALSE(FromHex("00 ").has_value());
  EXPECT_FALSE(FromHex(std::string_view("0\0", 2)).has_value());
  EXPECT_FALSE(FromHex("\xc3\xa9").has_value());  // non-ASCII
}

TEST(BigEndianTest, RoundTripsAndSortsAsNumbers) {
  Bytes a, b;
  PutBigEndian64(&a, 0x0102030405060708ull);
  EXPECT_EQ(ToHex(a), "0102030405060708");
  EXPECT_EQ(GetBigEndian64(a), 0x0102030405060708ull);
  a.clear();
  PutBigEndian64(&a, 255);
  PutBigEndian64(&b, 256);
  EXPECT_LT(a, b);
  Bytes max;
  PutBigEndian64(&max, UINT64_MAX);
  EXPECT_EQ(GetBigEndian64(max), UINT64_MAX);
}

TEST(Base64UrlTest, Rfc4648Vectors) {
  // RFC 4648 section 10, without padding.
  const std::pair<const char*, const char*> kVectors[] = {
      {"", ""},         {"f", "Zg"},        {"fo", "Zm8"},       {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : kVectors) {
    EXPECT_EQ(Base64UrlEncode(plain), encoded);
    EXPECT_EQ(Base64UrlDecode(encoded), Bytes(plain));
  }
}

TEST(Base64UrlTest, UsesTheUrlAlphabet) {
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlDecode("-_8"), Bytes("\xfb\xff"));
  Bytes all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  std::string text = Base64UrlEncode(all);
  EXPECT_EQ(text.find_first_of("+/="), std::string::npos);
  EXPECT_EQ(Base64UrlDecode(text), all);
}

TEST(Base64UrlTest, RejectsBadInput) {
  EXPECT_FALSE(Base64UrlDecode("+/8").has_value());    // standard alphabet
  EXPECT_FALSE(Base64UrlDecode("Zg==").has_value());   // padding
  EXPECT_FALSE(Base64UrlDecode("Z").has_value());      // impossible length
  EXPECT_FALSE(Base64UrlDecode("Zh").has_value());     // non-zero unused bits
  EXPECT_FALSE(Base64UrlDecode("Zm9v!").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm 9v").has_value());
  EXPECT_FALSE(Base64UrlDecode("\xc3\xa9").has_value());
}

}  // namespace
}  // namespace civic
