// Helpers shared by the crypto tests.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "crypto/base/bytes.h"

namespace civic::crypto::testing {

// Decodes hex that the test itself spells out; a typo fails the test loudly.
inline Bytes Hex(std::string_view hex) {
  std::optional<Bytes> raw = FromHex(hex);
  EXPECT_TRUE(raw.has_value()) << "bad hex literal in test: " << hex;
  return raw.value_or(Bytes());
}

// a - b for 32-byte big-endian numbers with a >= b (order minus s, and the like).
inline Bytes Sub256(std::string_view a, std::string_view b) {
  Bytes out(32, '\0');
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = static_cast<unsigned char>(a[i]) - static_cast<unsigned char>(b[i]) - borrow;
    borrow = d < 0;
    out[i] = static_cast<char>(d & 0xff);
  }
  return out;
}

}  // namespace civic::crypto::testing
