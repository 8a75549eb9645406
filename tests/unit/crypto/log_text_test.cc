#include "crypto/base/log_text.h"

#include <gtest/gtest.h>

namespace civic {
namespace {

TEST(LogTextTest, KeepsPrintableTextAndUtf8) {
  EXPECT_EQ(LogText("peer 10.0.0.1 closed: timeout"), "peer 10.0.0.1 closed: timeout");
  EXPECT_EQ(LogText("绵阳市公安局"), "绵阳市公安局");
  EXPECT_EQ(LogText(""), "");
}

TEST(LogTextTest, ALineCannotBeForged) {
  // A newline would start a fake log line; a quote would end the quoted value.
  EXPECT_EQ(LogText("x\n2026-01-01 [info] event=node_started"), "x\\x0A2026-01-01 [info] event=node_started");
  EXPECT_EQ(LogText("a\r\tb\x1b[31mred\x7f"), "a\\x0D\\x09b\\x1B[31mred\\x7F");
  EXPECT_EQ(LogText(R"(x" action="none)"), R"(x\" action=\"none)");
  EXPECT_EQ(LogText("back\\slash"), "back\\\\slash");
  EXPECT_EQ(LogText(std::string_view("nul\0byte", 8)), "nul\\x00byte");
}

TEST(LogTextTest, InvisibleAndReorderingCodePointsAreEscaped) {
  EXPECT_EQ(LogText("abc\u202Edcba"), "abc\\u{202E}dcba");  // right-to-left override
  EXPECT_EQ(LogText("line\u2028sep"), "line\\u{2028}sep");
  EXPECT_EQ(LogText("c1\u0085next"), "c1\\u{0085}next");
  EXPECT_EQ(LogText("\u2066isolate\u2069"), "\\u{2066}isolate\\u{2069}");
}

TEST(LogTextTest, MalformedUtf8IsEscapedByteByByte) {
  EXPECT_EQ(LogText("\xff\xfe"), "\\xFF\\xFE");
  EXPECT_EQ(LogText("\xc0\xaf"), "\\xC0\\xAF");              // overlong '/'
  EXPECT_EQ(LogText("\xed\xa0\x80"), "\\xED\\xA0\\x80");     // a surrogate
  EXPECT_EQ(LogText("\xe7\xbb"), "\\xE7\\xBB");              // cut short
  EXPECT_EQ(LogText("\xf4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80");  // past U+10FFFF
}

TEST(LogTextTest, LongTextIsCut) {
  std::string long_text(1000, 'a');
  std::string out = LogText(long_text);
  EXPECT_EQ(out, std::string(kLogTextMaxBytes, 'a') + "...(+744 bytes)");
  EXPECT_EQ(LogText("abcdef", 3), "abc...(+3 bytes)");
  // A cut inside a UTF-8 sequence leaves its start escaped, never half a character.
  EXPECT_EQ(LogText("a绵", 2), "a\\xE7...(+2 bytes)");
}

}  // namespace
}  // namespace civic
