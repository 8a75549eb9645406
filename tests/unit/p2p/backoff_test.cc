#include "node/p2p/backoff.h"

#include <gtest/gtest.h>

namespace civic::node::p2p {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, GrowsWithJitterUpToTheCap) {
  Backoff backoff({milliseconds(100), milliseconds(3000)}, 42);
  int64_t nominal = 100;
  for (int attempt = 0; attempt < 12; ++attempt) {
    const int64_t delay = backoff.Next().count();
    EXPECT_GE(delay, nominal / 2) << attempt;
    EXPECT_LE(delay, nominal) << attempt;
    nominal = std::min<int64_t>(nominal * 2, 3000);
  }
  EXPECT_EQ(backoff.failures(), 12u);
}

TEST(BackoffTest, ResetStartsOver) {
  Backoff backoff({milliseconds(100), milliseconds(3000)}, 1);
  for (int i = 0; i < 6; ++i) (void)backoff.Next();
  backoff.Reset();
  EXPECT_LE(backoff.Next().count(), 100);
}

TEST(BackoffTest, SameSeedSameDelaysDifferentSeedsDiffer) {
  Backoff a({milliseconds(1000), milliseconds(60000)}, 9), b({milliseconds(1000), milliseconds(60000)}, 9),
      c({milliseconds(1000), milliseconds(60000)}, 10);
  bool any_difference = false;
  for (int i = 0; i < 10; ++i) {
    const auto da = a.Next(), db = b.Next(), dc = c.Next();
    EXPECT_EQ(da, db);
    any_difference |= da != dc;
  }
  EXPECT_TRUE(any_difference);
}

TEST(BackoffTest, SurvivesManyFailuresAndOddOptions) {
  Backoff backoff({milliseconds(0), milliseconds(0)}, 3);
  for (int i = 0; i < 100000; ++i) {
    const auto delay = backoff.Next().count();
    ASSERT_GE(delay, 0);
    ASSERT_LE(delay, 1);
  }
}

}  // namespace
}  // namespace civic::node::p2p
