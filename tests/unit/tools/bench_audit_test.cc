// The data set and query shapes of `civic bench audit` (tools/bench/bench_audit_data.h)
// and the argument checks of `civic bench audit` / `civic bench credit`.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/json.hpp>
#include <cstdio>
#include <map>
#include <regex>
#include <set>

#include "tools/bench/bench_audit_data.h"

namespace civic::tools::bench {
namespace {

AuditSpec SmallSpec() {
  AuditSpec s;
  s.records = 20000;
  s.batch = 1000;
  s.seed = 7;
  s.base_time_ms = 1767225600000;
  s.orgs = {"11510700008207313A", "11510700008207428G", "11510700MB1537205J", "11510700MB0000000X"};
  return s;
}

TEST(BenchAuditData, RejectsBadSpecs) {
  AuditSpec s = SmallSpec();
  s.orgs.resize(1);
  EXPECT_EQ(ValidateAuditSpec(s).app_code(), "BENCH_BAD_ARGUMENT");
  s = SmallSpec();
  s.records = 0;
  EXPECT_EQ(ValidateAuditSpec(s).app_code(), "BENCH_BAD_ARGUMENT");
  s = SmallSpec();
  s.batch = 20000;
  EXPECT_EQ(ValidateAuditSpec(s).app_code(), "BENCH_BAD_ARGUMENT");
  EXPECT_TRUE(ValidateAuditSpec(SmallSpec()).ok());
}

TEST(BenchAuditData, CatalogueAndGrantsAreConsistent) {
  const auto resources = AuditResources(4);
  const auto grants = AuditGrants(4);
  ASSERT_EQ(resources.size(), 13u);
  std::set<std::string> ids;
  for (const auto& g : grants) {
    EXPECT_TRUE(ids.insert(g.id).second) << g.id;
    const auto& r = resources.at(g.resource);
    EXPECT_NE(r.provider, g.requester);
    EXPECT_EQ(r.share_type, pb::SHARING_CONDITIONAL);
    for (const auto& f : g.fields) EXPECT_TRUE(std::binary_search(r.fields.begin(), r.fields.end(), f)) << f;
  }
  // Every requester holds a grant for every conditional resource of the other 3 orgs.
  EXPECT_EQ(grants.size(), 4u * 3u * 2u);
}

TEST(BenchAuditData, RecordsAreDeterministicAndSpread) {
  const AuditSpec spec = SmallSpec();
  const auto resources = AuditResources(spec.orgs.size());
  ASSERT_EQ(AuditTxCount(spec), 20u);
  std::set<std::string> request_ids;
  std::map<pb::SharingReason, uint64_t> reasons;
  std::map<std::string, uint64_t> per_subject;
  uint64_t violations = 0, multi_subject = 0;
  for (uint64_t tx = 0; tx < AuditTxCount(spec); ++tx) {
    const auto records = AuditTxRecords(spec, tx);
    ASSERT_EQ(records.size(), 1000u);
    const auto again = AuditTxRecords(spec, tx);
    EXPECT_EQ(records[17].access.SerializeAsString(), again[17].access.SerializeAsString());
    for (const auto& g : records) {
      EXPECT_EQ(g.requester, AuditTxRequester(spec, tx));
      EXPECT_NE(g.provider, g.requester);
      EXPECT_EQ(resources[g.resource].provider, g.provider);
      EXPECT_TRUE(request_ids.insert(g.access.request_id()).second);
      EXPECT_EQ(g.access.response_digest().size(), 32u);
      EXPECT_GE(g.access.subject_tags_size(), 1);
      for (int i = 0; i < g.access.subject_tags_size(); ++i) {
        EXPECT_EQ(g.access.subject_tags(i).size(), 32u);
        if (i > 0) EXPECT_LT(g.access.subject_tags(i - 1), g.access.subject_tags(i));
        ++per_subject[g.access.subject_tags(i)];
      }
      multi_subject += g.access.subject_tags_size() > 1;
      EXPECT_LE(g.access.accessed_at_ms(), spec.base_time_ms);
      EXPECT_GT(g.access.accessed_at_ms(), spec.base_time_ms - int64_t{24} * 3600 * 1000);
      EXPECT_TRUE(std::is_sorted(g.access.fields().begin(), g.access.fields().end()));
      if (g.verdict == pb::SHARING_VIOLATION) {
        ++violations;
        ++reasons[g.reason];
      } else {
        EXPECT_EQ(g.reason, pb::SHARING_REASON_UNSPECIFIED);
      }
      if (g.reason == pb::SHARING_REASON_NO_GRANT) EXPECT_TRUE(g.access.grant_id().empty());
      if (resources[g.resource].share_type == pb::SHARING_NOT_SHARED) {
        EXPECT_EQ(g.reason, pb::SHARING_REASON_RESOURCE_NOT_SHARED);
      }
    }
  }
  // A few percent violations, of every kind the generator makes.
  EXPECT_GT(violations, 20000u / 100);
  EXPECT_LT(violations, 20000u / 10);
  for (auto r : {pb::SHARING_REASON_RESOURCE_NOT_SHARED, pb::SHARING_REASON_NO_GRANT,
                 pb::SHARING_REASON_FIELDS_BEYOND_GRANT, pb::SHARING_REASON_PURPOSE_MISMATCH}) {
    EXPECT_GT(reasons[r], 0u) << static_cast<int>(r);
  }
  // Hot subjects have many records; most subjects have one or two.
  EXPECT_GE(per_subject[AuditSubject(spec.seed, true, 0)], 15u);
  EXPECT_GT(multi_subject, 20000u / 20);
  // The last tx may be short.
  AuditSpec odd = spec;
  odd.records = 2500;
  EXPECT_EQ(AuditTxCount(odd), 3u);
  EXPECT_EQ(AuditTxRecords(odd, 2).size(), 500u);
}

TEST(BenchAuditData, SeqFollowsTheContractsTimeKeyOrder) {
  EXPECT_LT(AuditSeq(5, 0, 999), AuditSeq(5, 1, 0));
  EXPECT_LT(AuditSeq(5, 3, 9999), AuditSeq(6, 0, 0));
  EXPECT_LT(AuditSeq(100000, 0, 1), AuditSeq(100000, 0, 2));
}

TEST(BenchAuditData, CopyLinesAreEscapedAndComplete) {
  EXPECT_EQ(CopyEscape("a\tb\\c\nd\re"), "a\\tb\\\\c\\nd\\re");
  const AuditSpec spec = SmallSpec();
  const auto records = AuditTxRecords(spec, 1);
  AuditRowPlace place{42, 3, 1767225601000, std::string(32, '\x01')};
  const std::string line = AuditAccessCopyLine(spec, records[5], place);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(std::count(line.begin(), line.end(), '\t'), 20);
  EXPECT_EQ(line.substr(0, line.find('\t')), std::to_string(AuditSeq(42, 3, 5)));
  EXPECT_NE(line.find("\\\\x0101"), std::string::npos);  // bytea, escaped for COPY
  const std::string subjects = AuditSubjectCopyLines(spec, records[5], place);
  EXPECT_EQ(static_cast<int>(std::count(subjects.begin(), subjects.end(), '\n')),
            records[5].access.subject_tags_size());
}

TEST(BenchAuditData, QueryShapesPairAnRpcRequestWithSql) {
  AuditQueryContext ctx;
  ctx.orgs = SmallSpec().orgs;
  for (const auto& r : AuditResources(4)) ctx.resources.push_back(r.code);
  ctx.subjects = {AuditSubject(7, true, 0), AuditSubject(7, true, 1)};
  ctx.min_time_ms = 1767225600000;
  ctx.max_time_ms = 1767225600000 + 600000;
  ctx.page = 50;
  ASSERT_EQ(AllAuditShapes().size(), 9u);
  for (AuditShape shape : AllAuditShapes()) {
    for (uint64_t v : {0u, 1u, 77u}) {
      const AuditQuery q = MakeAuditQuery(shape, ctx, v);
      SCOPED_TRACE(AuditShapeName(shape));
      EXPECT_TRUE(q.method == "sharing_query" || q.method == "sharing_violations" || q.method == "sharing_stats");
      boost::system::error_code ec;
      boost::json::value req = boost::json::parse(q.request_json, ec);
      ASSERT_FALSE(ec) << q.request_json;
      ASSERT_TRUE(req.is_object());
      // Every $n of the SQL has a param, and no more.
      size_t max_param = 0;
      std::regex param(R"(\$(\d+))");
      for (std::sregex_iterator it(q.sql.begin(), q.sql.end(), param), end; it != end; ++it) {
        max_param = std::max<size_t>(max_param, std::stoul((*it)[1]));
      }
      EXPECT_EQ(max_param, q.sql_params.size()) << q.sql;
      if (shape != AuditShape::kStats) {
        EXPECT_EQ(req.as_object().at("limit").as_int64(), 50);
        EXPECT_NE(q.sql.find("LIMIT 50"), std::string::npos);
        EXPECT_NE(q.sql.find("count(*)"), std::string::npos);
      }
      if (req.as_object().contains("from_ms")) {
        const int64_t from = req.as_object().at("from_ms").as_int64();
        const int64_t to = req.as_object().at("to_ms").as_int64();
        EXPECT_LE(ctx.min_time_ms, from);
        EXPECT_LE(from, to);
        EXPECT_LE(to, ctx.max_time_ms);
      }
    }
  }
  // Variants rotate the org.
  EXPECT_NE(MakeAuditQuery(AuditShape::kRequester, ctx, 0).sql_params,
            MakeAuditQuery(AuditShape::kRequester, ctx, 1).sql_params);
}

int RunCli(const std::string& args, std::string* out) {
  std::string cmd = std::string(CIVIC_CLI_PATH) + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(BenchAuditCli, BadArgumentsAreUsageErrorsBeforeAnythingStarts) {
  for (const char* args : {"bench audit --records 0", "bench audit --batch 20000", "bench audit --connections 0",
                           "bench audit --max-queries 100000", "bench credit --entries 0",
                           "bench credit --batch 5000", "bench credit --entries 10 --heavy-entries 100"}) {
    std::string out;
    EXPECT_EQ(RunCli(args, &out), 2) << args << "\n" << out;
    EXPECT_NE(out.find("BENCH_BAD_ARGUMENT"), std::string::npos) << args << "\n" << out;
  }
  std::string out;
  EXPECT_EQ(RunCli("bench audit --records nine", &out), 2);
}

}  // namespace
}  // namespace civic::tools::bench
