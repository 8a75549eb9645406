// The sample data-sharing data (tools/samples/sharing_sample.h) committed on the
// test chain: every tx succeeds, the counts it announces are what the contract
// judged and indexed, the same input gives the same txs, and bad input is
// refused.
#include <gtest/gtest.h>

#include "contracts/sharing/query.h"
#include "tools/samples/sharing_sample.h"
#include "sharing_fixture.h"

namespace civic::sharing_testing {
namespace {

using namespace contracts;
namespace sk = contracts::sharing_keys;

size_t Count(const ledger::KvReader &state, ledger::Space space, const std::string &prefix) {
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

samples::SharingSampleInput InputFor(const SharingChain &chain, uint32_t records) {
  samples::SharingSampleInput in;
  in.chain_id = "test-chain";
  in.org_keys = chain.org_keys;
  in.now_ms = chain.time_ms;
  in.valid_until_height = chain.height + 100;
  in.records = records;
  in.records_per_tx = 250;
  in.extra_subject_keys = {Subject(42)};
  return in;
}

TEST(SharingSampleTest, CommitsAndTheContractJudgesWhatTheSampleAnnounces) {
  SharingChain chain;
  auto sample = samples::SampleSharingBlocks(InputFor(chain, 1000));
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  ASSERT_EQ(sample->records, 1000u);
  for (const auto &block : sample->blocks) {
    auto results = chain.Block(block);
    for (const Status &st : results) ASSERT_TRUE(st.ok()) << st.ToString();
  }
  const auto &state = chain.state;
  EXPECT_EQ(Count(state, ledger::Space::kIndex, std::string(sk::kByTime)), size_t{sample->records});
  for (auto reason :
       {pb::SHARING_REASON_FIELDS_BEYOND_GRANT, pb::SHARING_REASON_PURPOSE_MISMATCH, pb::SHARING_REASON_NO_GRANT,
        pb::SHARING_REASON_RESOURCE_NOT_SHARED, pb::SHARING_REASON_GRANT_REVOKED}) {
    EXPECT_GT(Count(state, ledger::Space::kIndex, sk::ReasonIndex(reason)), 0u) << EnumUpperName(reason);
  }
  EXPECT_GT(sample->digest_mismatches, 0u);
  EXPECT_EQ(Count(state, ledger::Space::kIndex, sk::ReasonIndex(pb::SHARING_REASON_DIGEST_MISMATCH)),
            size_t{sample->digest_mismatches});
  // Records judged violations when logged, plus authorized ones a mismatching
  // acknowledgement turned into violations.
  size_t violations = Count(state, ledger::Space::kIndex, sk::VerdictIndex(pb::SHARING_VIOLATION));
  EXPECT_GE(violations, size_t{sample->violations_at_logging});
  EXPECT_LE(violations, size_t{sample->violations_at_logging} + sample->digest_mismatches);
  EXPECT_LT(violations, size_t{sample->records} / 10) << "a few violations, mostly authorized accesses";
  EXPECT_GT(sample->unacknowledged, 0u);
  size_t records = 0;
  size_t unacknowledged = 0;
  ASSERT_TRUE(state
                  .Scan(ledger::Space::kState, std::string(sk::kRecordPrefix), "",
                        [&](std::string_view, std::string_view value) {
                          pb::SharingAccessRecord r;
                          EXPECT_TRUE(r.ParseFromArray(value.data(), static_cast<int>(value.size())));
                          ++records;
                          unacknowledged += r.acknowledged() ? 0 : 1;
                          return true;
                        })
                  .ok());
  EXPECT_EQ(records, size_t{sample->records});
  EXPECT_EQ(unacknowledged, size_t{sample->unacknowledged});
  // The sample holder finds the accesses to its data.
  // by its tag under the logging departments; its subject key itself is never stored.
  size_t tagged = 0;
  for (const auto &org : samples::SampleOrgs()) {
    tagged += Count(state, ledger::Space::kIndex, sk::SubjectIndex(AccessSubjectTag(Subject(42), org.code)));
  }
  EXPECT_GT(tagged, 0u);
  EXPECT_EQ(Count(state, ledger::Space::kIndex, sk::SubjectIndex(Subject(42))), 0u);
  EXPECT_EQ(chain.GrantRecord("G-NDRC-INS")->status(), pb::SHARING_GRANT_REVOKED);
}

// Totals of sharing_query come from the per-day counters for filters they cover
// (org and side, resource, verdict, time range) plus a scan of partial days: on
// records over three days, with verdicts changed after logging (digest
// mismatches, acknowledgements that never came), every total equals a count
// over the records themselves.
TEST(SharingSampleTest, TotalsFromCountersEqualCountingTheRecords) {
  constexpr int64_t kDay = 86'400'000;
  SharingChain chain;
  pb::SharingParams params = DefaultSharingParams();
  params.set_ack_deadline_ms(20'000);
  chain.SetParams(params);
  auto sample = samples::SampleSharingBlocks(InputFor(chain, 600));
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  for (const auto &block : sample->blocks) {
    for (const Status &st : chain.Block(block)) ASSERT_TRUE(st.ok()) << st.ToString();
  }
  // Two more days of accesses by HR & social security, a few beyond the grant
  // and none acknowledged: they turn into violations after the deadline.
  for (int day = 1; day <= 2; ++day) {
    chain.time_ms += kDay + 3'600'000 * day;
    std::vector<pb::SharingAccess> batch;
    for (int i = 0; i < 40; ++i) {
      pb::SharingAccess a = MakeAccess(
          "late-" + std::to_string(day) + "-" + std::to_string(i), "psb.population", "G-HRSS-POP",
          "社会保险参保登记身份核验",
          i % 7 == 0 ? std::vector<std::string>{"address", "name"} : std::vector<std::string>{"name"}, {Subject(i)});
      a.set_provider_org(chain.code(kPsb));
      batch.push_back(std::move(a));
    }
    ASSERT_TRUE(chain.Run(kHrss, LogAccessCall(batch)).ok());
    for (int i = 0; i < 25; ++i) chain.Block({});
  }

  std::vector<pb::SharingAccessRecord> records;
  ASSERT_TRUE(chain.state
                  .Scan(ledger::Space::kState, std::string(sk::kRecordPrefix), "",
                        [&](std::string_view, std::string_view value) {
                          records.emplace_back();
                          return records.back().ParseFromArray(value.data(), static_cast<int>(value.size()));
                        })
                  .ok());
  ASSERT_EQ(records.size(), 680u);
  int64_t first = records.front().time_ms(), last = first;
  for (const auto &r : records) {
    first = std::min(first, r.time_ms());
    last = std::max(last, r.time_ms());
  }
  ASSERT_GT(SharingDay(last) - SharingDay(first), 1);
  auto day_start = [](int64_t day) { return day * kDay - kSharingDayOffsetMs; };
  const int64_t middle = SharingDay(first) + 1;

  using Range = std::pair<std::optional<int64_t>, std::optional<int64_t>>;
  const std::vector<Range> ranges = {
      {std::nullopt, std::nullopt},
      {first + 1, std::nullopt},
      {std::nullopt, last - 1},
      {first + 1, last - 1},
      {day_start(middle), day_start(middle + 1) - 1},
      {day_start(middle) + 1, day_start(middle + 1) - 2},
      {day_start(SharingDay(first)), last},
      {last, last},
  };
  const std::vector<std::string> orgs = {"", chain.code(kPsb), chain.code(kHrss), chain.code(kNdrc)};
  const std::vector<std::string> resources = {"", "psb.population", "hrss.insurance"};
  const std::vector<std::optional<pb::SharingVerdict>> verdicts = {std::nullopt, pb::SHARING_VIOLATION,
                                                                   pb::SHARING_AUTHORIZED};
  size_t checked = 0;
  for (const auto &org : orgs) {
    for (AccessSide side : {AccessSide::kEither, AccessSide::kRequester, AccessSide::kProvider}) {
      if (org.empty() && side != AccessSide::kEither) continue;
      for (const auto &resource : resources) {
        for (const auto &verdict : verdicts) {
          for (const auto &[from, to] : ranges) {
            AccessFilter f;
            f.org = org;
            f.side = side;
            f.resource = resource;
            f.verdict = verdict;
            f.from_ms = from;
            f.to_ms = to;
            uint64_t expected = 0;
            for (const auto &r : records) {
              if ((from && r.time_ms() < *from) || (to && r.time_ms() > *to)) continue;
              if (!resource.empty() && r.resource() != resource) continue;
              if (verdict && r.verdict() != *verdict) continue;
              uint64_t sides = 1;
              if (!org.empty()) {
                sides = (side != AccessSide::kProvider && r.requester_org() == org ? 1 : 0) +
                        (side != AccessSide::kRequester && r.provider_org() == org ? 1 : 0);
              }
              expected += sides;
            }
            auto page = QueryAccesses(chain.state, f, "", 1);
            ASSERT_TRUE(page.ok()) << page.status().ToString();
            EXPECT_EQ(page->total, expected)
                << "org " << org << " side " << static_cast<int>(side) << " resource " << resource << " verdict "
                << (verdict ? EnumName(*verdict) : "-") << " from " << from.value_or(-1) << " to " << to.value_or(-1);
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, size_t{(1 + 3 * 3) * 3 * 3 * 8});
  // The verdicts did change after logging, so the counters were really tested
  // on that.
  size_t overdue = 0;
  for (const auto &r : records) overdue += r.overdue() ? 1 : 0;
  EXPECT_GE(overdue, 80u);
}

// A time-only range is counted from the ordinals of the time index (two
// seeks). Every record's time entry carries its place in logging order, kept
// when a record's verdict changes later; a chain whose entries lack ordinals
// (logged before they existed) is counted by scanning, with the same totals.
TEST(SharingSampleTest, TimeRangeTotalsFromOrdinalsAndFromOlderEntriesWithout) {
  SharingChain chain;
  pb::SharingParams params = DefaultSharingParams();
  params.set_ack_deadline_ms(20'000);  // unacknowledged records turn overdue: their indexes are rewritten
  chain.SetParams(params);
  auto sample = samples::SampleSharingBlocks(InputFor(chain, 600));
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  for (const auto &block : sample->blocks) {
    for (const Status &st : chain.Block(block)) ASSERT_TRUE(st.ok()) << st.ToString();
  }
  for (int i = 0; i < 25; ++i) chain.Block({});

  // The time entries in key order carry 0, 1, 2, ... and the total is their number.
  std::vector<std::pair<std::string, pb::SharingIndexEntry>> entries;
  ASSERT_TRUE(chain.state
                  .Scan(ledger::Space::kIndex, std::string(sk::kByTime), "",
                        [&](std::string_view key, std::string_view value) {
                          entries.emplace_back(std::string(key), pb::SharingIndexEntry());
                          return entries.back().second.ParseFromArray(value.data(), static_cast<int>(value.size()));
                        })
                  .ok());
  ASSERT_EQ(entries.size(), 600u);
  size_t overdue = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    ASSERT_TRUE(entries[i].second.has_ordinal()) << i;
    EXPECT_EQ(entries[i].second.ordinal(), i);
    overdue += entries[i].second.verdict() == pb::SHARING_VIOLATION ? 1 : 0;
  }
  EXPECT_GT(overdue, 0u) << "no entry was rewritten";
  auto total = chain.state.Get(ledger::Space::kIndex, sk::kRecordTotal);
  ASSERT_TRUE(total.ok() && total->has_value());
  EXPECT_EQ(GetBigEndian64(**total), 600u);

  const int64_t first = sk::TimeOfKey(std::string_view(entries.front().first).substr(sk::kByTime.size()));
  const int64_t last = sk::TimeOfKey(std::string_view(entries.back().first).substr(sk::kByTime.size()));
  ASSERT_LT(first, last);
  const int64_t middle = first + (last - first) / 2;
  using Range = std::pair<std::optional<int64_t>, std::optional<int64_t>>;
  const std::vector<Range> ranges = {{std::nullopt, std::nullopt}, {first + 1, std::nullopt}, {std::nullopt, middle},
                                     {middle, middle},             {middle, last - 1},          {last + 1, std::nullopt},
                                     {std::nullopt, first - 1},    {first, last}};
  auto expect_totals = [&](const std::string &what) {
    for (const auto &[from, to] : ranges) {
      uint64_t expected = 0;
      for (const auto &[key, entry] : entries) {
        int64_t t = sk::TimeOfKey(std::string_view(key).substr(sk::kByTime.size()));
        expected += (!from || t >= *from) && (!to || t <= *to) ? 1 : 0;
      }
      AccessFilter f;
      f.from_ms = from;
      f.to_ms = to;
      auto page = QueryAccesses(chain.state, f, "", 1);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      EXPECT_EQ(page->total, expected) << what << ": from " << from.value_or(-1) << " to " << to.value_or(-1);
    }
  };
  expect_totals("ordinals");

  // The totals do come from the ordinals: a wrong first ordinal shows.
  ledger::WriteSet wrong;
  pb::SharingIndexEntry shifted = entries.front().second;
  shifted.set_ordinal(5);
  wrong.index[entries.front().first] = shifted.SerializeAsString();
  chain.state.Apply(wrong);
  AccessFilter all;
  EXPECT_EQ(QueryAccesses(chain.state, all, "", 1)->total, 595u);

  // Entries of the first half without ordinals, as logged before they existed.
  ledger::WriteSet older;
  for (size_t i = 0; i < entries.size() / 2; ++i) {
    pb::SharingIndexEntry e = entries[i].second;
    e.clear_ordinal();
    older.index[entries[i].first] = e.SerializeAsString();
  }
  chain.state.Apply(older);
  expect_totals("first half without ordinals");
  ledger::WriteSet no_total;
  no_total.index[std::string(sk::kRecordTotal)] = std::nullopt;
  chain.state.Apply(no_total);
  expect_totals("no record total");
}

TEST(SharingSampleTest, SameInputSameTxs) {
  SharingChain chain;
  auto a = samples::SampleSharingBlocks(InputFor(chain, 300));
  auto b = samples::SampleSharingBlocks(InputFor(chain, 300));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->blocks, b->blocks);
}

TEST(SharingSampleTest, BadInputIsRefused) {
  SharingChain chain;
  auto expect_bad = [](const samples::SharingSampleInput &in) {
    auto r = samples::SampleSharingBlocks(in);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().app_code(), "SHARING_BAD_SAMPLE_INPUT") << r.status().ToString();
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
  in.extra_subject_keys = {Bytes(31, 1)};
  expect_bad(in);
}

}  // namespace
}  // namespace civic::sharing_testing
