// Queries over the sharing indexes, checked against a brute-force reading of
// every stored record: each filter and combination, pagination, totals,
// statistics from counters and from records, catalogue and grant listings.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "rpc/codec/sharing.h"
#include "sharing_fixture.h"

namespace civic::sharing_testing {
namespace {

using namespace contracts;
namespace sk = contracts::sharing_keys;

const std::vector<std::string> kPurposes = {"社保待遇资格认证", "企业开办核验", "住房公积金提取"};

class SharingQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chain.SampleCatalogue();
    ASSERT_TRUE(
        chain
            .Run(kPsb, IssueGrantCall(MakeGrant("G-HRSS", chain.code(kHrss), "psb.population", {"id_number", "name"},
                                                kPurposes[0], chain.time_ms + 100 * 86'400'000LL)))
            .ok());
    ASSERT_TRUE(
        chain
            .Run(kHrss, IssueGrantCall(MakeGrant("G-NDRC", chain.code(kNdrc), "hrss.insurance", {"insured_status"},
                                                 kPurposes[2], chain.time_ms + 100 * 86'400'000LL)))
            .ok());
    // Blocks spread over three days, from three requesters, with a mix of
    // verdicts, purposes and subjects.
    std::mt19937 rng(7);
    int n = 0;
    for (int block = 0; block < 24; ++block) {
      std::vector<Bytes> txs;
      for (size_t requester : {kHrss, kNdrc, kAmr}) {
        std::vector<pb::SharingAccess> batch;
        for (int i = 0; i < 6; ++i) {
          std::string id = "q-" + std::to_string(n++);
          int kind = static_cast<int>(rng() % 4);
          const std::string& purpose = kPurposes[rng() % kPurposes.size()];
          std::vector<Bytes> subjects{Subject(static_cast<int>(rng() % 12)), Subject(static_cast<int>(rng() % 12))};
          if (kind == 0) {
            batch.push_back(MakeAccess(id, "amr.business", "", purpose, {"name"}, subjects));
          } else if (kind == 1) {
            batch.push_back(
                MakeAccess(id, "psb.population", requester == kHrss ? "G-HRSS" : "", purpose, {"name"}, subjects));
          } else if (kind == 2) {
            batch.push_back(MakeAccess(id, "hrss.insurance", requester == kNdrc ? "G-NDRC" : "", purpose,
                                       {"insured_status"}, subjects));
          } else {
            batch.push_back(MakeAccess(id, "psb.criminal", "", purpose, {"record"}, subjects));
          }
          // Nobody logs reading its own data.
          if (requester == kAmr && kind == 0) batch.back().set_resource("psb.population");
          if (requester == kHrss && kind == 2) {
            batch.back().set_resource("amr.business");
            batch.back().set_fields(0, "name");
          }
        }
        txs.push_back(chain.Tx(requester, LogAccessCall(batch)));
      }
      for (const Status& st : chain.Block(txs)) ASSERT_TRUE(st.ok()) << st.ToString();
      chain.time_ms += 3 * 3600 * 1000;  // the next block comes 3 hours later: 8 blocks a day
    }
    // Every stored record, in time-key order.
    ASSERT_TRUE(chain.state
                    .Scan(ledger::Space::kState, sk::kRecordPrefix, "",
                          [&](std::string_view, std::string_view value) {
                            pb::SharingAccessRecord r;
                            EXPECT_TRUE(r.ParseFromArray(value.data(), static_cast<int>(value.size())));
                            all.push_back(r);
                            return true;
                          })
                    .ok());
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return sk::TimeKeyOf(a) < sk::TimeKeyOf(b); });
    ASSERT_EQ(all.size(), 24u * 3 * 6);
  }

  static bool Match(const AccessFilter& f, const pb::SharingAccessRecord& r) {
    if (!f.org.empty()) {
      bool req = r.requester_org() == f.org, prov = r.provider_org() == f.org;
      if (f.side == AccessSide::kRequester ? !req : f.side == AccessSide::kProvider ? !prov : !(req || prov))
        return false;
    }
    if (!f.resource.empty() && r.resource() != f.resource) return false;
    if (f.purpose && r.purpose() != *f.purpose) return false;
    auto verdict = f.reason ? std::optional(pb::SHARING_VIOLATION) : f.verdict;
    if (verdict && r.verdict() != *verdict) return false;
    if (f.reason && std::none_of(r.findings().begin(), r.findings().end(),
                                 [&](const auto& x) { return x.reason() == *f.reason; })) {
      return false;
    }
    if (f.from_ms && r.time_ms() < *f.from_ms) return false;
    if (f.to_ms && r.time_ms() > *f.to_ms) return false;
    if (!f.subject_tags.empty() &&
        std::none_of(f.subject_tags.begin(), f.subject_tags.end(), [&](const SubjectTagMatch& m) {
          bool carried = std::find(r.subject_tags().begin(), r.subject_tags().end(), m.tag) != r.subject_tags().end();
          return carried && (m.requester_org.empty() || m.requester_org == r.requester_org());
        })) {
      return false;
    }
    return true;
  }

  // Pages through the query; checks each page and the total against brute force.
  void CheckQuery(const AccessFilter& f, size_t limit) {
    std::vector<std::string> expected;
    for (const auto& r : all)
      if (Match(f, r)) expected.push_back(r.request_id() + "@" + r.requester_org());
    std::vector<std::string> got;
    std::string cursor;
    for (int pages = 0; pages < 1000; ++pages) {
      auto page = QueryAccesses(chain.state, f, cursor, limit);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      EXPECT_EQ(page->total, expected.size());
      EXPECT_LE(page->records.size(), limit);
      for (const auto& r : page->records) got.push_back(r.request_id() + "@" + r.requester_org());
      if (page->next_cursor.empty()) break;
      EXPECT_EQ(page->records.size(), limit);
      cursor = page->next_cursor;
    }
    EXPECT_EQ(got, expected);
  }

  SharingChain chain;
  std::vector<pb::SharingAccessRecord> all;
};

TEST_F(SharingQueryTest, EveryFilterAndCombinationMatchesBruteForce) {
  const std::string hrss = chain.code(kHrss), psb = chain.code(kPsb), ndrc = chain.code(kNdrc);
  std::vector<AccessFilter> filters;
  filters.push_back({});
  AccessFilter f;
  f.org = hrss;
  filters.push_back(f);  // either side
  f.side = AccessSide::kRequester;
  filters.push_back(f);
  f.side = AccessSide::kProvider;
  filters.push_back(f);
  f = {};
  f.org = psb;
  f.verdict = pb::SHARING_VIOLATION;
  filters.push_back(f);
  f = {};
  f.resource = "psb.population";
  filters.push_back(f);
  f.purpose = kPurposes[0];
  filters.push_back(f);
  f = {};
  f.purpose = kPurposes[1];
  filters.push_back(f);
  f = {};
  f.verdict = pb::SHARING_AUTHORIZED;
  filters.push_back(f);
  f.org = ndrc;
  filters.push_back(f);
  f = {};
  f.reason = pb::SHARING_REASON_NO_GRANT;
  filters.push_back(f);
  f.reason = pb::SHARING_REASON_RESOURCE_NOT_SHARED;
  f.org = hrss;
  f.side = AccessSide::kRequester;
  filters.push_back(f);
  f = {};
  f.subject_tags = {{Subject(3), ""}};
  filters.push_back(f);
  f.subject_tags = {{Subject(3), hrss}, {Subject(5), ndrc}, {Subject(6), psb}};  // merged, requester-bound streams
  filters.push_back(f);
  f.verdict = pb::SHARING_VIOLATION;
  f.org = ndrc;
  filters.push_back(f);
  f = {};
  f.from_ms = all[40].time_ms();
  f.to_ms = all[300].time_ms();
  filters.push_back(f);
  f.org = hrss;
  f.resource = "amr.business";
  filters.push_back(f);
  f = {};
  f.to_ms = all[0].time_ms() - 1;  // nothing
  filters.push_back(f);
  for (const AccessFilter& filter : filters) {
    for (size_t limit : {size_t{1}, size_t{7}, size_t{1000}}) {
      SCOPED_TRACE("filter #" + std::to_string(&filter - &filters[0]) + " limit " + std::to_string(limit));
      CheckQuery(filter, limit);
    }
  }
}

TEST_F(SharingQueryTest, BadQueriesAreTypedErrors) {
  auto code = [&](const AccessFilter& f, std::string cursor = "", size_t limit = 10) {
    return QueryAccesses(chain.state, f, cursor, limit).status().app_code();
  };
  EXPECT_EQ(code({}, "short"), "BAD_CURSOR");
  EXPECT_EQ(code({}, "", 0), "BAD_LIMIT");
  EXPECT_EQ(code({}, "", 1001), "BAD_LIMIT");
  AccessFilter f;
  f.org = "11510700008207313B";
  EXPECT_EQ(code(f), "BAD_USCC");
  f = {};
  f.from_ms = 10;
  f.to_ms = 5;
  EXPECT_EQ(code(f), "BAD_TIME_RANGE");
  f = {};
  f.reason = pb::SHARING_REASON_NO_GRANT;
  f.verdict = pb::SHARING_AUTHORIZED;
  EXPECT_EQ(code(f), "BAD_FILTER");
  f = {};
  f.subject_tags = {{"abc", ""}};
  EXPECT_EQ(code(f), "BAD_SUBJECT_COMMITMENT");
  f.subject_tags = {{Subject(1), "not a uscc"}};
  EXPECT_EQ(code(f), "BAD_USCC");
  f.subject_tags.assign(kMaxSubjectTagsPerQuery + 1, SubjectTagMatch{Subject(1), ""});
  EXPECT_EQ(code(f), "BAD_FILTER");
  f.subject_tags = {{Subject(1), ""}, {Subject(2), ""}};  // streams that could overlap
  EXPECT_EQ(code(f), "BAD_FILTER");
  f.subject_tags = {{Subject(1), "11510700008207428G"}, {Subject(2), "11510700008207428G"}};
  EXPECT_EQ(code(f), "BAD_FILTER");
  EXPECT_EQ(ParseAccessSide("boss").status().app_code(), "BAD_ORG_ROLE");
}

// Statistics from the counters equal a count over the records.
TEST_F(SharingQueryTest, StatisticsMatchTheRecords) {
  auto brute = [&](const AccessFilter& f) {
    SharingStats s;
    std::map<int64_t, DayStat> days;
    std::map<std::string, OrgStat> orgs;
    std::map<std::string, ResourceStat> res;
    auto in_days = [&](int64_t t) {
      int64_t d = SharingDay(t);
      return (!f.from_ms || d >= SharingDay(*f.from_ms)) && (!f.to_ms || d <= SharingDay(*f.to_ms));
    };
    for (const auto& r : all) {
      AccessFilter no_time = f;
      no_time.from_ms.reset();
      no_time.to_ms.reset();
      if (!in_days(r.time_ms()) || !Match(no_time, r)) continue;
      bool v = r.verdict() == pb::SHARING_VIOLATION;
      DayStat& d = days[SharingDay(r.time_ms())];
      d.day = SharingDay(r.time_ms());
      d.total++;
      d.violations += v;
      d.record_count += r.record_count();
      bool as_req = f.org.empty() || (f.side != AccessSide::kProvider && r.requester_org() == f.org);
      bool as_prov = f.org.empty() || (f.side != AccessSide::kRequester && r.provider_org() == f.org);
      if (as_req) {
        orgs[r.requester_org()].org = r.requester_org();
        orgs[r.requester_org()].as_requester++;
        orgs[r.requester_org()].violations += v;
      }
      if (as_prov) {
        orgs[r.provider_org()].org = r.provider_org();
        orgs[r.provider_org()].as_provider++;
        orgs[r.provider_org()].violations += v;
      }
      res[r.resource()].resource = r.resource();
      res[r.resource()].total++;
      res[r.resource()].violations += v;
    }
    for (auto& [k, v] : days) s.days.push_back(v);
    for (auto& [k, v] : orgs) s.by_org.push_back(v);
    for (auto& [k, v] : res) s.by_resource.push_back(v);
    return s;
  };
  int case_no = 0;
  auto same = [&](const AccessFilter& f, bool expect_counters) {
    SCOPED_TRACE("stats case " + std::to_string(++case_no));
    auto got = ComputeStats(chain.state, f);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->from_counters, expect_counters);
    SharingStats want = brute(f);
    ASSERT_EQ(got->days.size(), want.days.size());
    for (size_t i = 0; i < want.days.size(); ++i) {
      EXPECT_EQ(got->days[i].day, want.days[i].day);
      EXPECT_EQ(got->days[i].total, want.days[i].total);
      EXPECT_EQ(got->days[i].violations, want.days[i].violations);
      if (expect_counters) {
        EXPECT_EQ(got->days[i].record_count, want.days[i].record_count);
      }
    }
    ASSERT_EQ(got->by_org.size(), want.by_org.size());
    for (size_t i = 0; i < want.by_org.size(); ++i) {
      EXPECT_EQ(got->by_org[i].org, want.by_org[i].org);
      EXPECT_EQ(got->by_org[i].as_requester, want.by_org[i].as_requester) << want.by_org[i].org;
      EXPECT_EQ(got->by_org[i].as_provider, want.by_org[i].as_provider) << want.by_org[i].org;
      EXPECT_EQ(got->by_org[i].violations, want.by_org[i].violations) << want.by_org[i].org;
    }
    ASSERT_EQ(got->by_resource.size(), want.by_resource.size());
    for (size_t i = 0; i < want.by_resource.size(); ++i) {
      EXPECT_EQ(got->by_resource[i].resource, want.by_resource[i].resource);
      EXPECT_EQ(got->by_resource[i].total, want.by_resource[i].total);
      EXPECT_EQ(got->by_resource[i].violations, want.by_resource[i].violations);
    }
  };
  const std::string hrss = chain.code(kHrss), psb = chain.code(kPsb);
  ASSERT_GE(SharingDay(all.back().time_ms()) - SharingDay(all.front().time_ms()), 2);
  same({}, true);
  AccessFilter f;
  f.org = hrss;
  same(f, true);
  f.side = AccessSide::kRequester;
  same(f, true);
  f.side = AccessSide::kProvider;
  same(f, true);
  f = {};
  f.resource = "psb.population";
  same(f, true);
  f.org = psb;
  same(f, true);
  f.org = hrss;
  f.side = AccessSide::kRequester;
  same(f, true);
  f = {};
  f.from_ms = all[100].time_ms();
  f.to_ms = all[100].time_ms();
  same(f, true);
  f.purpose = kPurposes[2];
  same(f, false);
  f = {};
  f.subject_tags = {{Subject(4), ""}};
  same(f, false);
  f = {};
  f.verdict = pb::SHARING_VIOLATION;
  f.org = hrss;
  same(f, false);
  EXPECT_EQ(ComputeStats(chain.state, f, 3).status().app_code(), "STATS_TOO_BROAD");
}

TEST_F(SharingQueryTest, CatalogueGrantsAndRenderings) {
  auto resources = ListResources(chain.state, "", "");
  ASSERT_TRUE(resources.ok());
  ASSERT_EQ(resources->size(), 4u);
  EXPECT_EQ((*resources)[0].code(), "amr.business");
  EXPECT_EQ(ListResources(chain.state, chain.code(kPsb), "")->size(), 2u);
  EXPECT_EQ(ListResources(chain.state, "", "nope")->size(), 0u);
  EXPECT_EQ(ListResources(chain.state, "", "bad code").status().app_code(), "BAD_RESOURCE_CODE");

  GrantFilter gf;
  EXPECT_EQ(ListGrants(chain.state, gf)->size(), 2u);
  gf.requester = chain.code(kNdrc);
  ASSERT_EQ(ListGrants(chain.state, gf)->size(), 1u);
  gf.status = pb::SHARING_GRANT_REVOKED;
  EXPECT_EQ(ListGrants(chain.state, gf)->size(), 0u);
  gf = {};
  gf.id = "G-HRSS";
  auto grants = ListGrants(chain.state, gf);
  ASSERT_EQ(grants->size(), 1u);
  auto gj = rpc::GrantToJson((*grants)[0]);
  EXPECT_EQ(gj.at("status").as_string(), "active");
  EXPECT_EQ(gj.at("events").as_array().size(), 1u);

  // Auditors see everything of a record; the subject sees nothing of others.
  const pb::SharingAccessRecord& r = all.front();
  auto full = rpc::AccessRecordToJson(r, "name", true);
  EXPECT_EQ(full.at("subject_tags").as_array().size(), static_cast<size_t>(r.subject_tags_size()));
  EXPECT_EQ(full.at("cursor").as_string(), ToHex(sk::TimeKeyOf(r)));
  EXPECT_FALSE(rpc::AccessRecordToJson(r, "name", false).contains("subject_tags"));
  auto own = rpc::SubjectAccessToJson(r, "name");
  for (const char* hidden :
       {"subject_tags", "subject_count", "record_count", "response_digest", "request_id", "tx_id", "findings"}) {
    EXPECT_FALSE(own.contains(hidden)) << hidden;
  }
  std::string text = boost::json::serialize(own);
  for (const auto& s : r.subject_tags()) EXPECT_EQ(text.find(ToHex(s)), std::string::npos);

  auto stats = ComputeStats(chain.state, {});
  auto sj = rpc::StatsToJson(*stats);
  EXPECT_EQ(sj.at("source").as_string(), "counters");
  EXPECT_EQ(sj.at("days").as_array().size(), stats->days.size());
  EXPECT_EQ(sj.at("by_resource").as_array()[0].at("resource_name").as_string(), "企业登记信息");
}

}  // namespace
}  // namespace civic::sharing_testing
