#include "rpc/rate_limiter.h"

#include <gtest/gtest.h>

namespace civic::rpc {
namespace {

using std::chrono::milliseconds;

TEST(RateLimiterTest, OffAllowsEverything) {
  RateLimiter off(0, 0);
  EXPECT_FALSE(off.enabled());
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(off.Allow("1.2.3.4"));
  EXPECT_EQ(off.tracked(), 0u);
}

TEST(RateLimiterTest, BurstThenRefillPerClient) {
  RateLimiter limiter(10, 3);  // 10 tokens/s, bucket of 3
  auto t0 = RateLimiter::Clock::time_point() + std::chrono::hours(1);
  EXPECT_TRUE(limiter.Allow("a", 1, t0));
  EXPECT_TRUE(limiter.Allow("a", 1, t0));
  EXPECT_TRUE(limiter.Allow("a", 1, t0));
  EXPECT_FALSE(limiter.Allow("a", 1, t0));
  EXPECT_TRUE(limiter.Allow("b", 1, t0));  // another client has its own bucket
  EXPECT_FALSE(limiter.Allow("a", 1, t0 + milliseconds(50)));
  EXPECT_TRUE(limiter.Allow("a", 1, t0 + milliseconds(100)));  // one token back
  EXPECT_FALSE(limiter.Allow("a", 2, t0 + milliseconds(150)));  // a cost larger than held takes nothing
  EXPECT_TRUE(limiter.Allow("a", 1, t0 + milliseconds(200)));
  // Refill never exceeds the burst.
  EXPECT_TRUE(limiter.Allow("a", 3, t0 + std::chrono::hours(1)));
  EXPECT_FALSE(limiter.Allow("a", 1, t0 + std::chrono::hours(1)));
  EXPECT_FALSE(limiter.Allow("c", 4, t0));  // more than a bucket holds
}

TEST(RateLimiterTest, MemoryStaysBounded) {
  RateLimiter limiter(1, 1, /*max_clients=*/160);
  auto t0 = RateLimiter::Clock::time_point() + std::chrono::hours(1);
  for (int i = 0; i < 10000; ++i) limiter.Allow("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256), 1, t0);
  EXPECT_LE(limiter.tracked(), 160u);
  // Clients idle long enough to be full again are forgotten at the next sweep.
  for (int i = 0; i < 2000; ++i) limiter.Allow("x" + std::to_string(i), 1, t0 + std::chrono::hours(2));
  EXPECT_LE(limiter.tracked(), 160u);
}

}  // namespace
}  // namespace civic::rpc
