// Exponential backoff with jitter for redialing a peer.
//
// The n-th consecutive failure waits d = min(max_delay, initial_delay * 2^n), of
// which half is fixed and half uniformly random ("equal jitter"), so nodes that
// lost a link at the same moment do not redial in lockstep, while the wait still
// grows. The random source is a seeded generator: a given seed gives the same
// sequence. Not thread-safe; one Backoff per dialed peer.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace civic::node::p2p {

struct BackoffOptions {
  std::chrono::milliseconds initial_delay{200};
  std::chrono::milliseconds max_delay{30000};
};

class Backoff {
 public:
  Backoff(BackoffOptions options, uint64_t seed);

  // The wait before the next attempt; counts one more failure.
  std::chrono::milliseconds Next();
  // After a successful connection: the next wait starts from initial_delay again.
  void Reset() { failures_ = 0; }
  uint32_t failures() const { return failures_; }

 private:
  BackoffOptions options_;
  std::mt19937_64 rng_;
  uint32_t failures_ = 0;
};

}  // namespace civic::node::p2p
