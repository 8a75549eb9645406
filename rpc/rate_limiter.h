// Per-client token buckets: each client (a remote IP) may spend up to `burst`
// tokens at once and regains `rate` tokens per second. A rate of 0 turns the
// limiter off (every request is allowed).
//
// Memory is bounded: idle clients whose bucket is full again are forgotten, and
// past `max_clients` tracked clients the fullest idle ones are dropped first.
// Thread safety: Allow() may be called concurrently (the table is sharded, one
// mutex per shard).
#pragma once

#include <array>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace civic::rpc {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(double rate_per_sec, double burst, size_t max_clients = 100000);

  bool enabled() const { return rate_ > 0; }
  // Takes `cost` tokens from `client`'s bucket; false (and nothing taken) if it
  // does not hold that many.
  bool Allow(std::string_view client, double cost = 1.0, Clock::time_point now = Clock::now());
  // Number of clients currently tracked (for tests and metrics).
  size_t tracked() const;

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point last;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
    size_t inserts_since_sweep = 0;
  };
  static constexpr size_t kShards = 16;

  void Sweep(Shard* shard, Clock::time_point now);

  double rate_;
  double burst_;
  size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace civic::rpc
