// Building state keys: a prefix followed by fixed- or variable-width parts.
// Every contract's key layout (contracts/<name>/keys.h) is built from these, so
// keys of all contracts are composed the same way. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "crypto/base/bytes.h"

namespace civic::contracts {

// a followed by b, with one allocation.
inline std::string Cat(std::string_view a, std::string_view b) {
  std::string out;
  out.reserve(a.size() + b.size());
  out.append(a).append(b);
  return out;
}

}  // namespace civic::contracts
