#include "rpc/body_budget.h"

#include <gtest/gtest.h>

namespace civic::rpc {
namespace {

TEST(BodyBudgetTest, ReservationsShareTheLimitAndComeBack) {
  BodyBudget budget(1000);
  auto a = budget.Reserve(600);
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(budget.Reserve(401).has_value());
  auto b = budget.Reserve(400);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(budget.in_use(), 1000u);
  EXPECT_FALSE(budget.Reserve(1).has_value());
  EXPECT_TRUE(budget.Reserve(0).has_value());  // no body, no budget
  BodyBudget::Reservation moved = std::move(*a);
  EXPECT_EQ(budget.in_use(), 1000u);
  moved.reset();
  EXPECT_EQ(budget.in_use(), 400u);
  { auto c = budget.Reserve(600); EXPECT_TRUE(c.has_value()); }
  EXPECT_EQ(budget.in_use(), 400u);
  b.reset();
  EXPECT_EQ(budget.in_use(), 0u);
  EXPECT_FALSE(budget.Reserve(1001).has_value());
  EXPECT_TRUE(BodyBudget(0).Reserve(size_t{1} << 40).has_value());  // 0 = no budget
}

}  // namespace
}  // namespace civic::rpc
