#include "rpc/rate_limiter.h"

#include <algorithm>
#include <functional>

namespace civic::rpc {

RateLimiter::RateLimiter(double rate_per_sec, double burst, size_t max_clients)
    : rate_(rate_per_sec > 0 ? rate_per_sec : 0),
      burst_(burst >= 1 ? burst : std::max(1.0, rate_per_sec)),
      max_per_shard_(std::max<size_t>(1, max_clients / kShards)) {}

bool RateLimiter::Allow(std::string_view client, double cost, Clock::time_point now) {
  if (!enabled()) return true;
  Shard& shard = shards_[std::hash<std::string_view>{}(client) % kShards];
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.buckets.find(std::string(client));
  if (it == shard.buckets.end()) {
    if (++shard.inserts_since_sweep >= 1024 || shard.buckets.size() >= max_per_shard_) {
      Sweep(&shard, now);
    }
    it = shard.buckets.emplace(std::string(client), Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.last).count();
  if (elapsed > 0) {
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.last = now;
  }
  if (b.tokens < cost) return false;
  b.tokens -= cost;
  return true;
}

void RateLimiter::Sweep(Shard* shard, Clock::time_point now) {
  shard->inserts_since_sweep = 0;
  // A bucket that would be full by now holds no information: forget it.
  std::erase_if(shard->buckets, [&](const auto& kv) {
    double elapsed = std::chrono::duration<double>(now - kv.second.last).count();
    return kv.second.tokens + elapsed * rate_ >= burst_;
  });
  // Still too many clients: drop the ones that waited longest.
  while (shard->buckets.size() >= max_per_shard_) {
    auto oldest = std::min_element(shard->buckets.begin(), shard->buckets.end(),
                                   [](const auto& a, const auto& b) { return a.second.last < b.second.last; });
    shard->buckets.erase(oldest);
  }
}

size_t RateLimiter::tracked() const {
  size_t n = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    n += shard.buckets.size();
  }
  return n;
}

}  // namespace civic::rpc
