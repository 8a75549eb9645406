// The sample data-sharing data (contracts/sharing_sample.h) committed on the
// test chain: every tx succeeds, the counts it announces are what the contract
// judged and indexed, the same input gives the same txs, and bad input is
// refused.
#include <gtest/gtest.h>

#include "contracts/sharing_sample.h"
#include "sharing_fixture.h"

namespace civic::sharing_testing {
namespace {

using namespace contracts;
namespace sk = contracts::sharing_keys;

size_t Count(const ledger::KvReader &state, ledger::Space space,
             const std::string &prefix) {
  size_t n = 0;
  EXPECT_TRUE(state
                  .Scan(space, prefix, "",
                        [&](std::string_view, std::string_view) {
                          ++n;
                          return true;
                        })
                  .ok());
  return n;
}

SharingSampleInput InputFor(const SharingChain &chain, uint32_t records) {
  SharingSampleInput in;
  in.chain_id = "test-chain";
  in.org_keys = chain.org_keys;
  in.now_ms = chain.time_ms;
  in.valid_until_height = chain.height + 100;
  in.records = records;
  in.records_per_tx = 250;
  in.extra_subjects = {Subject(42)};
  return in;
}

TEST(SharingSampleTest, CommitsAndTheContractJudgesWhatTheSampleAnnounces) {
  SharingChain chain;
  auto sample = SampleSharingBlocks(InputFor(chain, 1000));
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  ASSERT_EQ(sample->records, 1000u);
  for (const auto &block : sample->blocks) {
    auto results = chain.Block(block);
    for (const Status &st : results)
      ASSERT_TRUE(st.ok()) << st.ToString();
  }
  const auto &state = chain.state;
  EXPECT_EQ(Count(state, ledger::Space::kIndex, std::string(sk::kByTime)),
            size_t{sample->records});
  for (auto reason :
       {pb::SHARING_REASON_FIELDS_BEYOND_GRANT,
        pb::SHARING_REASON_PURPOSE_MISMATCH, pb::SHARING_REASON_NO_GRANT,
        pb::SHARING_REASON_RESOURCE_NOT_SHARED,
        pb::SHARING_REASON_GRANT_REVOKED}) {
    EXPECT_GT(Count(state, ledger::Space::kIndex, sk::ReasonIndex(reason)), 0u)
        << ReasonName(reason);
  }
  EXPECT_GT(sample->digest_mismatches, 0u);
  EXPECT_EQ(Count(state, ledger::Space::kIndex,
                  sk::ReasonIndex(pb::SHARING_REASON_DIGEST_MISMATCH)),
            size_t{sample->digest_mismatches});
  // Records judged violations when logged, plus authorized ones a mismatching
  // acknowledgement turned into violations.
  size_t violations = Count(state, ledger::Space::kIndex,
                            sk::VerdictIndex(pb::SHARING_VIOLATION));
  EXPECT_GE(violations, size_t{sample->violations_at_logging});
  EXPECT_LE(violations,
            size_t{sample->violations_at_logging} + sample->digest_mismatches);
  EXPECT_LT(violations, size_t{sample->records} / 10)
      << "a few violations, mostly authorized accesses";
  EXPECT_GT(sample->unacknowledged, 0u);
  size_t records = 0;
  size_t unacknowledged = 0;
  ASSERT_TRUE(
      state
          .Scan(ledger::Space::kState, std::string(sk::kRecordPrefix), "",
                [&](std::string_view, std::string_view value) {
                  pb::SharingAccessRecord r;
                  EXPECT_TRUE(r.ParseFromArray(value.data(),
                                               static_cast<int>(value.size())));
                  ++records;
                  unacknowledged += r.acknowledged() ? 0 : 1;
                  return true;
                })
          .ok());
  EXPECT_EQ(records, size_t{sample->records});
  EXPECT_EQ(unacknowledged, size_t{sample->unacknowledged});
  // The sample holder finds the accesses to its data.
  EXPECT_GT(Count(state, ledger::Space::kIndex, sk::SubjectIndex(Subject(42))),
            0u);
  EXPECT_EQ(chain.GrantRecord("G-NDRC-INS")->status(),
            pb::SHARING_GRANT_REVOKED);
}

TEST(SharingSampleTest, SameInputSameTxs) {
  SharingChain chain;
  auto a = SampleSharingBlocks(InputFor(chain, 300));
  auto b = SampleSharingBlocks(InputFor(chain, 300));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->blocks, b->blocks);
}

TEST(SharingSampleTest, BadInputIsRefused) {
  SharingChain chain;
  auto expect_bad = [](const SharingSampleInput &in) {
    auto r = SampleSharingBlocks(in);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().app_code(), "SHARING_BAD_SAMPLE_INPUT")
        << r.status().ToString();
  };
  auto in = InputFor(chain, 300);
  in.org_keys.pop_back();
  expect_bad(in);
  in = InputFor(chain, 99);
  expect_bad(in);
  in = InputFor(chain, 300);
  in.records_per_tx = 0;
  expect_bad(in);
  in = InputFor(chain, 300);
  in.now_ms = 0;
  expect_bad(in);
  in = InputFor(chain, 300);
  in.extra_subjects = {Bytes(31, 1)};
  expect_bad(in);
}

} // namespace
} // namespace civic::sharing_testing
