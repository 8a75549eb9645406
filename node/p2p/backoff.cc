#include "node/p2p/backoff.h"

#include <algorithm>

namespace civic::node::p2p {

Backoff::Backoff(BackoffOptions options, uint64_t seed) : options_(options), rng_(seed) {
  if (options_.initial_delay.count() < 1) options_.initial_delay = std::chrono::milliseconds(1);
  if (options_.max_delay < options_.initial_delay) options_.max_delay = options_.initial_delay;
}

std::chrono::milliseconds Backoff::Next() {
  const int64_t initial = options_.initial_delay.count();
  const int64_t cap = options_.max_delay.count();
  // Doubling stops at the cap, so the shift never overflows.
  int64_t delay = initial;
  for (uint32_t i = 0; i < failures_ && delay < cap; ++i) delay *= 2;
  delay = std::min(delay, cap);
  if (failures_ < UINT32_MAX) ++failures_;

  const int64_t fixed = delay / 2;
  std::uniform_int_distribution<int64_t> jitter(0, delay - fixed);
  return std::chrono::milliseconds(fixed + jitter(rng_));
}

}  // namespace civic::node::p2p
