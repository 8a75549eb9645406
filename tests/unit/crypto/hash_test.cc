#include "crypto/hash.h"

#include <gtest/gtest.h>

#include <string>

namespace civic::crypto {
namespace {

TEST(Sha256Test, NistKnownAnswers) {
  // FIPS 180-2 appendix B and the empty string.
  EXPECT_EQ(ToHex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ToHex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ToHex(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(ToHex(Sha256(std::string(1000000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, IncrementalMatchesOneShotAtEverySplit) {
  std::string data;
  for (int i = 0; i < 200; ++i) data.push_back(static_cast<char>(i * 7));
  const Bytes expected = Sha256(data);
  for (size_t split = 0; split <= data.size(); split += 13) {
    Sha256Hasher hasher;
    hasher.Update(std::string_view(data).substr(0, split));
    hasher.Update(std::string_view(data).substr(split));
    EXPECT_EQ(hasher.Finish(), expected) << "split at " << split;
  }
  Sha256Hasher byte_by_byte;
  for (char c : data) byte_by_byte.Update(std::string_view(&c, 1));
  EXPECT_EQ(byte_by_byte.Finish(), expected);
}

TEST(Sha256Test, ConcatHashesTheConcatenation) {
  EXPECT_EQ(Sha256Concat({"ab", "", "c"}), Sha256("abc"));
  EXPECT_EQ(Sha256Concat({}), Sha256(""));
  EXPECT_EQ(Sha256(std::string_view("a\0b", 3)).size(), kHashSize);
  EXPECT_NE(Sha256(std::string_view("a\0b", 3)), Sha256("a"));
}

TEST(Sm3Test, GbT32905KnownAnswers) {
  EXPECT_EQ(ToHex(Sm3("abc")), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
  std::string abcd16;
  for (int i = 0; i < 16; ++i) abcd16 += "abcd";
  EXPECT_EQ(ToHex(Sm3(abcd16)), "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
  EXPECT_EQ(Sm3("").size(), kHashSize);
  EXPECT_NE(Sm3("abc"), Sha256("abc"));
}

}  // namespace
}  // namespace civic::crypto
