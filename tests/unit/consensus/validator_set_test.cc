#include <gtest/gtest.h>

#include "consensus/validator_set.h"
#include "tests/unit/consensus/test_util.h"

namespace civic::consensus {
namespace {

using testing::TestKey;

TEST(ValidatorSet, SortedByKeyWithTotals) {
  std::vector<ValidatorSet::Member> members;
  for (uint64_t i = 1; i <= 5; ++i) members.push_back({TestKey(i).public_key(), i});
  ValidatorSet set = ValidatorSet::Create(members).value();
  ASSERT_EQ(set.size(), 5u);
  EXPECT_EQ(set.total_power(), 15u);
  for (size_t i = 1; i < set.size(); ++i) EXPECT_LT(set.at(i - 1).key, set.at(i).key);
  for (const auto& m : members) {
    std::optional<size_t> index = set.IndexOf(m.key);
    ASSERT_TRUE(index.has_value());
    EXPECT_EQ(set.at(*index).power, m.power);
  }
  EXPECT_FALSE(set.IndexOf(TestKey(99).public_key()).has_value());
}

TEST(ValidatorSet, ProtoRoundTrip) {
  testing::Validators v(4, {1, 2, 3, 4});
  Result<ValidatorSet> again = ValidatorSet::FromProto(v.set.ToProto());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_EQ(again->size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(again->at(i).key, v.set.at(i).key);
    EXPECT_EQ(again->at(i).power, v.set.at(i).power);
  }
}

TEST(ValidatorSet, RejectsBadSets) {
  EXPECT_EQ(ValidatorSet::Create({}).status().app_code(), "BAD_VALIDATOR_SET");
  const crypto::PublicKey k = TestKey(1).public_key();
  EXPECT_EQ(ValidatorSet::Create({{k, 1}, {k, 2}}).status().app_code(), "BAD_VALIDATOR_SET");
  EXPECT_EQ(ValidatorSet::Create({{k, 0}}).status().app_code(), "BAD_VALIDATOR_SET");
  EXPECT_EQ(ValidatorSet::Create({{k, kMaxTotalPower}, {TestKey(2).public_key(), 1}}).status().app_code(),
            "BAD_VALIDATOR_SET");
  crypto::PublicKey bad{crypto::Algo::kEd25519, Bytes(5, 'x')};
  EXPECT_EQ(ValidatorSet::Create({{bad, 1}}).status().app_code(), "BAD_VALIDATOR_SET");
  pb::ValidatorSet proto;
  proto.add_validators()->mutable_pub_key()->set_key("short");
  EXPECT_FALSE(ValidatorSet::FromProto(proto).ok());
}

TEST(ValidatorSet, QuorumThresholds) {
  testing::Validators four(4);
  EXPECT_FALSE(four.set.IsQuorum(2));
  EXPECT_TRUE(four.set.IsQuorum(3));   // 2f+1
  EXPECT_FALSE(four.set.IsOneThird(1));
  EXPECT_TRUE(four.set.IsOneThird(2));  // f+1
  testing::Validators seven(7);
  EXPECT_FALSE(seven.set.IsQuorum(4));
  EXPECT_TRUE(seven.set.IsQuorum(5));
  EXPECT_FALSE(seven.set.IsOneThird(2));
  EXPECT_TRUE(seven.set.IsOneThird(3));
  // Weighted: total 10, quorum needs > 20/3 i.e. 7.
  testing::Validators weighted(3, {5, 3, 2});
  EXPECT_FALSE(weighted.set.IsQuorum(6));
  EXPECT_TRUE(weighted.set.IsQuorum(7));
  EXPECT_TRUE(weighted.set.IsOneThird(4));
  EXPECT_FALSE(weighted.set.IsOneThird(3));
}

TEST(ValidatorSet, ProposerRotatesRoundRobin) {
  testing::Validators v(4, {1, 10, 1, 1});  // power does not skew the rotation
  for (uint64_t h = 1; h <= 6; ++h) {
    for (uint32_t r = 0; r < 9; ++r) {
      EXPECT_EQ(v.set.ProposerIndex(h, r), (h + r) % 4);
      EXPECT_EQ(v.set.Proposer(h, r), v.set.at((h + r) % 4).key);
    }
  }
  // Every validator proposes once in any n consecutive rounds; no overflow at the edges.
  std::vector<int> seen(4, 0);
  for (uint32_t r = 0; r < 4; ++r) ++seen[v.set.ProposerIndex(UINT64_MAX, r)];
  for (int s : seen) EXPECT_EQ(s, 1);
  EXPECT_LT(v.set.ProposerIndex(UINT64_MAX, UINT32_MAX), 4u);
}

}  // namespace
}  // namespace civic::consensus
