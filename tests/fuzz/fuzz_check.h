// What every fuzz target shares: a check that aborts (so libFuzzer and the corpus
// replay both report the input), and small helpers to split fuzz input.
//
// A failed FUZZ_CHECK is a bug in the code under test or in the target: it means a
// decoder accepted garbage, lost data on a round trip or broke its contract.
// Thread safety: none needed; each target runs one input at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#define FUZZ_CHECK(cond)                                                              \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)

namespace civic::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// Takes the first byte of *in (0 when empty) and advances past it.
inline uint8_t TakeByte(std::string_view* in) {
  if (in->empty()) return 0;
  const uint8_t b = static_cast<uint8_t>(in->front());
  in->remove_prefix(1);
  return b;
}

}  // namespace civic::fuzz
