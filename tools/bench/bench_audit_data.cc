#include "tools/bench/bench_audit_data.h"

#include <algorithm>

#include "crypto/hash.h"
#include "tools/common/errors.h"

namespace civic::tools::bench {
namespace {

constexpr int64_t kAccessSpreadMs = int64_t{20} * 3600 * 1000;
constexpr int64_t kAckDeadlineMs = int64_t{24} * 3600 * 1000;  // the contract's default

const std::vector<std::string>& Purposes() {
  static const std::vector<std::string> kPurposes = {"社保待遇资格认证", "户籍信息核验",     "企业登记核验",
                                                     "信用审查",         "行政许可审查",     "公积金缴存核验"};
  return kPurposes;
}
constexpr std::string_view kWrongPurpose = "其他用途";

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::vector<std::string> Fields(std::initializer_list<const char*> names) {
  std::vector<std::string> out(names.begin(), names.end());
  std::sort(out.begin(), out.end());
  return out;
}

std::string Join(const google::protobuf::RepeatedPtrField<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string ByteaText(std::string_view raw) { return "\\\\x" + ToHex(raw); }  // escaped for COPY

}  // namespace

Status ValidateAuditSpec(const AuditSpec& spec) {
  if (spec.orgs.size() < 2) {
    return Status::InvalidArgument(err::BENCH_BAD_ARGUMENT, "the audit data set needs at least 2 departments");
  }
  if (spec.records == 0) return Status::InvalidArgument(err::BENCH_BAD_ARGUMENT, "--records must be at least 1");
  if (spec.batch < 1 || spec.batch > 10000) {
    return Status::InvalidArgument(err::BENCH_BAD_ARGUMENT, "--batch must be 1..10000 (the contract's default limit)");
  }
  if (spec.hot_subjects == 0) return Status::InvalidArgument(err::BENCH_BAD_ARGUMENT, "hot_subjects must be >= 1");
  return Status::Ok();
}

std::vector<AuditResource> AuditResources(size_t org_count) {
  const auto all = Fields({"address", "birth_date", "id_number", "name", "phone", "status"});
  std::vector<AuditResource> out;
  for (size_t p = 0; p < org_count; ++p) {
    std::string base = "bench.o" + std::to_string(p);
    out.push_back({base + ".basic", "基础信息 " + std::to_string(p), p, pb::SHARING_CONDITIONAL, all});
    out.push_back({base + ".social", "社会保障信息 " + std::to_string(p), p, pb::SHARING_CONDITIONAL, all});
    out.push_back({base + ".public", "公开登记信息 " + std::to_string(p), p, pb::SHARING_UNCONDITIONAL, all});
  }
  out.push_back({"bench.o0.restricted", "不予共享信息", 0, pb::SHARING_NOT_SHARED, all});
  return out;
}

std::vector<AuditGrant> AuditGrants(size_t org_count) {
  const auto resources = AuditResources(org_count);
  std::vector<AuditGrant> out;
  for (size_t r = 0; r < org_count; ++r) {
    for (size_t x = 0; x < resources.size(); ++x) {
      if (resources[x].provider == r || resources[x].share_type != pb::SHARING_CONDITIONAL) continue;
      out.push_back({"BG-r" + std::to_string(r) + "-" + std::to_string(x), r, x,
                     Fields({"id_number", "name", "status"}), Purposes()[(r * 7 + x) % Purposes().size()]});
    }
  }
  return out;
}

uint64_t AuditTxCount(const AuditSpec& spec) { return (spec.records + spec.batch - 1) / spec.batch; }

size_t AuditTxRequester(const AuditSpec& spec, uint64_t tx) { return tx % spec.orgs.size(); }

Bytes AuditSubject(uint64_t seed, bool hot, uint64_t n) {
  return crypto::Sha256("civic-bench-subject/" + std::to_string(seed) + (hot ? "/h/" : "/c/") + std::to_string(n));
}

std::vector<GeneratedAccess> AuditTxRecords(const AuditSpec& spec, uint64_t tx) {
  const size_t orgs = spec.orgs.size();
  const auto resources = AuditResources(orgs);
  const auto grants = AuditGrants(orgs);
  const size_t requester = AuditTxRequester(spec, tx);
  std::vector<size_t> candidates;  // shared resources of the other orgs
  size_t restricted = resources.size();
  for (size_t x = 0; x < resources.size(); ++x) {
    if (resources[x].provider == requester) continue;
    if (resources[x].share_type == pb::SHARING_NOT_SHARED) {
      restricted = x;
      continue;
    }
    candidates.push_back(x);
  }
  auto grant_of = [&](size_t x) -> const AuditGrant* {
    for (const auto& g : grants) {
      if (g.requester == requester && g.resource == x) return &g;
    }
    return nullptr;
  };
  const uint64_t cold_pool = std::max<uint64_t>(1000, spec.records / 2);
  const uint64_t first = tx * spec.batch;
  const uint64_t last = std::min<uint64_t>(spec.records, first + spec.batch);
  std::vector<GeneratedAccess> out;
  out.reserve(last - first);
  for (uint64_t n = first; n < last; ++n) {
    const uint64_t h1 = Mix(spec.seed * 0x100000001b3ULL ^ n);
    const uint64_t h2 = Mix(h1);
    GeneratedAccess g;
    g.number = n;
    g.requester = requester;
    const uint64_t pick = (h1 >> 8) % 100;
    size_t x = pick < 35 ? candidates[0] : candidates[pick % candidates.size()];
    const uint64_t v = (h1 >> 24) % 1000;
    pb::SharingAccess& a = g.access;
    a.set_request_id("r" + std::to_string(n));
    std::vector<std::string> fields;
    std::string purpose;
    std::string grant_id;
    if (v < 5 && restricted < resources.size()) {
      x = restricted;
      fields = {"name"};
      purpose = Purposes()[0];
      g.verdict = pb::SHARING_VIOLATION;
      g.reason = pb::SHARING_REASON_RESOURCE_NOT_SHARED;
    } else if (resources[x].share_type == pb::SHARING_UNCONDITIONAL) {
      fields = (h2 & 1) ? Fields({"address", "name"}) : Fields({"name", "phone"});
      purpose = Purposes()[(h2 >> 1) % Purposes().size()];
    } else {
      const AuditGrant* grant = grant_of(x);
      grant_id = grant->id;
      purpose = grant->purpose;
      switch ((h2 >> 1) % 4) {
        case 0: fields = Fields({"id_number", "name"}); break;
        case 1: fields = Fields({"name", "status"}); break;
        case 2: fields = Fields({"id_number", "name", "status"}); break;
        default: fields = Fields({"name"}); break;
      }
      if (v >= 5 && v < 15) {
        grant_id.clear();
        g.verdict = pb::SHARING_VIOLATION;
        g.reason = pb::SHARING_REASON_NO_GRANT;
      } else if (v >= 15 && v < 35) {
        fields = Fields({"address", "name"});
        g.verdict = pb::SHARING_VIOLATION;
        g.reason = pb::SHARING_REASON_FIELDS_BEYOND_GRANT;
      } else if (v >= 35 && v < 50) {
        purpose = std::string(kWrongPurpose);
        g.verdict = pb::SHARING_VIOLATION;
        g.reason = pb::SHARING_REASON_PURPOSE_MISMATCH;
      }
    }
    g.resource = x;
    g.provider = resources[x].provider;
    a.set_resource(resources[x].code);
    a.set_grant_id(grant_id);
    a.set_purpose(purpose);
    for (auto& f : fields) a.add_fields(std::move(f));
    // Subjects: usually one; every tenth record several. 30% from the hot pool.
    const size_t subject_count = (h2 % 10 == 0) ? 2 + (h2 >> 4) % 4 : 1;
    std::vector<Bytes> subjects;
    for (size_t j = 0; j < subject_count; ++j) {
      const uint64_t hs = Mix(h2 + j);
      const bool hot = (hs >> 40) % 10 < 3;
      subjects.push_back(AuditSubject(spec.seed, hot, hot ? hs % spec.hot_subjects : hs % cold_pool));
    }
    std::sort(subjects.begin(), subjects.end());
    subjects.erase(std::unique(subjects.begin(), subjects.end()), subjects.end());
    for (auto& s : subjects) a.add_subject_tags(std::move(s));
    a.set_record_count(1 + (h2 >> 32) % 50);
    std::string digest;
    uint64_t d = h2;
    for (int i = 0; i < 4; ++i) {
      d = Mix(d);
      PutBigEndian64(&digest, d);
    }
    a.set_response_digest(digest);
    a.set_accessed_at_ms(spec.base_time_ms - static_cast<int64_t>((h1 >> 40) % kAccessSpreadMs));
    out.push_back(std::move(g));
  }
  return out;
}

// ---------------------------------------------------------------------------
// PostgreSQL

uint64_t AuditSeq(uint64_t height, uint32_t tx_index, uint32_t position) {
  return (height << 40) | (uint64_t{tx_index & 0xfffff} << 20) | (position & 0xfffff);
}

std::string AuditSchemaSql() {
  return "CREATE TABLE resources (code text PRIMARY KEY, name text NOT NULL);\n"
         "CREATE TABLE access (seq bigint NOT NULL, time_ms bigint NOT NULL, height bigint NOT NULL,\n"
         "  tx_index integer NOT NULL, position integer NOT NULL, requester text NOT NULL,\n"
         "  request_id text NOT NULL, provider text NOT NULL, resource text NOT NULL, grant_id text NOT NULL,\n"
         "  purpose text NOT NULL, fields text NOT NULL, subject_count integer NOT NULL,\n"
         "  record_count bigint NOT NULL, response_digest bytea NOT NULL, accessed_at_ms bigint NOT NULL,\n"
         "  verdict smallint NOT NULL, reason smallint NOT NULL, tx_id bytea NOT NULL,\n"
         "  ack_deadline_ms bigint NOT NULL, acknowledged boolean NOT NULL);\n"
         "CREATE TABLE access_subject (subject bytea NOT NULL, seq bigint NOT NULL);\n";
}

std::string AuditIndexSql() {
  return "ALTER TABLE access ADD PRIMARY KEY (seq);\n"
         "CREATE UNIQUE INDEX access_record ON access (requester, request_id);\n"
         "CREATE INDEX access_by_requester ON access (requester, seq);\n"
         "CREATE INDEX access_by_provider ON access (provider, seq);\n"
         "CREATE INDEX access_by_resource ON access (resource, seq);\n"
         "CREATE INDEX access_by_verdict ON access (verdict, seq);\n"
         "CREATE INDEX access_by_time ON access (time_ms, seq);\n"
         "CREATE INDEX access_by_subject ON access_subject (subject, seq);\n"
         "ANALYZE;\n";
}

std::string CopyEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string AuditAccessCopyLine(const AuditSpec& spec, const GeneratedAccess& g, const AuditRowPlace& place) {
  const pb::SharingAccess& a = g.access;
  const uint32_t position = static_cast<uint32_t>(g.number % spec.batch);
  std::string line;
  line.reserve(400);
  auto col = [&](std::string_view v) {
    if (!line.empty()) line.push_back('\t');
    line += v;
  };
  col(std::to_string(AuditSeq(place.height, place.tx_index, position)));
  col(std::to_string(place.time_ms));
  col(std::to_string(place.height));
  col(std::to_string(place.tx_index));
  col(std::to_string(position));
  col(CopyEscape(spec.orgs[g.requester]));
  col(CopyEscape(a.request_id()));
  col(CopyEscape(spec.orgs[g.provider]));
  col(CopyEscape(a.resource()));
  col(CopyEscape(a.grant_id()));
  col(CopyEscape(a.purpose()));
  col(CopyEscape(Join(a.fields())));
  col(std::to_string(a.subject_tags_size()));
  col(std::to_string(a.record_count()));
  col(ByteaText(a.response_digest()));
  col(std::to_string(a.accessed_at_ms()));
  col(std::to_string(static_cast<int>(g.verdict)));
  col(std::to_string(static_cast<int>(g.reason)));
  col(ByteaText(place.tx_id));
  col(std::to_string(place.time_ms + kAckDeadlineMs));
  col("f");
  line.push_back('\n');
  return line;
}

std::string AuditSubjectCopyLines(const AuditSpec& spec, const GeneratedAccess& g, const AuditRowPlace& place) {
  const std::string seq =
      std::to_string(AuditSeq(place.height, place.tx_index, static_cast<uint32_t>(g.number % spec.batch)));
  std::string out;
  for (const auto& s : g.access.subject_tags()) out += ByteaText(s) + "\t" + seq + "\n";
  return out;
}

// ---------------------------------------------------------------------------
// Query shapes

const std::vector<AuditShape>& AllAuditShapes() {
  static const std::vector<AuditShape> kShapes = {
      AuditShape::kRequester, AuditShape::kProvider, AuditShape::kResource,   AuditShape::kVerdict, AuditShape::kTime,
      AuditShape::kSubject,   AuditShape::kCombined, AuditShape::kViolations, AuditShape::kStats};
  return kShapes;
}

const char* AuditShapeName(AuditShape shape) {
  switch (shape) {
    case AuditShape::kRequester: return "by requester";
    case AuditShape::kProvider: return "by provider";
    case AuditShape::kResource: return "by resource";
    case AuditShape::kVerdict: return "by verdict (authorized)";
    case AuditShape::kTime: return "by time range (5%)";
    case AuditShape::kSubject: return "by subject tag";
    case AuditShape::kCombined: return "requester+resource+time";
    case AuditShape::kViolations: return "sharing_violations";
    case AuditShape::kStats: return "sharing_stats";
  }
  return "?";
}

namespace {

constexpr std::string_view kColumns =
    "a.seq, a.time_ms, a.height, a.tx_index, a.position, a.requester, a.request_id, a.provider, a.resource, "
    "r.name, a.grant_id, a.purpose, a.fields, a.subject_count, a.record_count, a.response_digest, "
    "a.accessed_at_ms, a.verdict, a.reason, a.tx_id, a.ack_deadline_ms, a.acknowledged, t.total";

// A page in the contract's order with the total, in one statement.
std::string PageSql(std::string_view where, std::string_view order, uint32_t page) {
  return "SELECT " + std::string(kColumns) + " FROM (SELECT * FROM access WHERE " + std::string(where) +
         " ORDER BY " + std::string(order) + " LIMIT " + std::to_string(page) +
         ") a LEFT JOIN resources r ON r.code = a.resource CROSS JOIN (SELECT count(*) AS total FROM access WHERE " +
         std::string(where) + ") t ORDER BY a.seq";
}

std::string Window(const AuditQueryContext& ctx, uint64_t variant, int percent, int64_t* from) {
  const int64_t span = std::max<int64_t>(1, ctx.max_time_ms - ctx.min_time_ms);
  const int64_t width = std::max<int64_t>(1, span * percent / 100);
  const int64_t slots = std::max<int64_t>(1, (span - width) / std::max<int64_t>(1, width / 4) + 1);
  *from = ctx.min_time_ms + static_cast<int64_t>(variant % static_cast<uint64_t>(slots)) * std::max<int64_t>(1, width / 4);
  return std::to_string(*from + width - 1);
}

std::string JsonString(std::string_view s) { return "\"" + std::string(s) + "\""; }  // codes need no escaping

}  // namespace

AuditQuery MakeAuditQuery(AuditShape shape, const AuditQueryContext& ctx, uint64_t variant) {
  AuditQuery q;
  q.method = "sharing_query";
  const std::string limit = ",\"limit\":" + std::to_string(ctx.page);
  const std::string org = ctx.orgs.empty() ? "" : ctx.orgs[variant % ctx.orgs.size()];
  const std::string resource = ctx.resources.empty() ? "" : ctx.resources[variant % ctx.resources.size()];
  switch (shape) {
    case AuditShape::kRequester:
    case AuditShape::kProvider: {
      const char* side = shape == AuditShape::kRequester ? "requester" : "provider";
      q.request_json = "{\"org\":" + JsonString(org) + ",\"org_role\":\"" + side + "\"" + limit + "}";
      q.sql = PageSql(std::string(side) + " = $1", "seq", ctx.page);
      q.sql_params = {org};
      break;
    }
    case AuditShape::kResource:
      q.request_json = "{\"resource\":" + JsonString(resource) + limit + "}";
      q.sql = PageSql("resource = $1", "seq", ctx.page);
      q.sql_params = {resource};
      break;
    case AuditShape::kVerdict:
      q.request_json = "{\"verdict\":\"authorized\"" + limit + "}";
      q.sql = PageSql("verdict = $1", "seq", ctx.page);
      q.sql_params = {std::to_string(static_cast<int>(pb::SHARING_AUTHORIZED))};
      break;
    case AuditShape::kTime: {
      int64_t from = 0;
      std::string to = Window(ctx, variant, 5, &from);
      q.request_json = "{\"from_ms\":" + std::to_string(from) + ",\"to_ms\":" + to + limit + "}";
      q.sql = PageSql("time_ms BETWEEN $1 AND $2", "time_ms, seq", ctx.page);
      q.sql_params = {std::to_string(from), to};
      break;
    }
    case AuditShape::kSubject: {
      const std::string subject = ctx.subjects.empty() ? std::string(32, '\0') : ctx.subjects[variant % ctx.subjects.size()];
      q.request_json = "{\"subject_tag\":\"" + ToHex(subject) + "\"" + limit + "}";
      q.sql = "SELECT " + std::string(kColumns) +
              " FROM (SELECT x.* FROM access_subject s JOIN access x ON x.seq = s.seq WHERE s.subject = $1"
              " ORDER BY s.seq LIMIT " +
              std::to_string(ctx.page) +
              ") a LEFT JOIN resources r ON r.code = a.resource CROSS JOIN"
              " (SELECT count(*) AS total FROM access_subject WHERE subject = $1) t ORDER BY a.seq";
      q.sql_params = {"\\x" + ToHex(subject)};
      break;
    }
    case AuditShape::kCombined: {
      // A conditional resource of the next org (AuditResources lists three per
      // provider), so that the requester does read it.
      std::string resource = ctx.resources.empty() ? "" : ctx.resources[variant % ctx.resources.size()];
      if (!ctx.orgs.empty() && ctx.resources.size() >= 3 * ctx.orgs.size()) {
        const size_t next_org = (variant % ctx.orgs.size() + 1) % ctx.orgs.size();
        resource = ctx.resources[3 * next_org + (variant / ctx.orgs.size()) % 2];
      }
      int64_t from = 0;
      std::string to = Window(ctx, variant, 25, &from);
      q.request_json = "{\"org\":" + JsonString(org) + ",\"org_role\":\"requester\",\"resource\":" +
                       JsonString(resource) + ",\"from_ms\":" + std::to_string(from) + ",\"to_ms\":" + to + limit + "}";
      q.sql = PageSql("requester = $1 AND resource = $2 AND time_ms BETWEEN $3 AND $4", "seq", ctx.page);
      q.sql_params = {org, resource, std::to_string(from), to};
      break;
    }
    case AuditShape::kViolations:
      q.method = "sharing_violations";
      q.request_json = "{" + limit.substr(1) + "}";
      q.sql = PageSql("verdict = " + std::to_string(static_cast<int>(pb::SHARING_VIOLATION)), "seq", ctx.page);
      break;
    case AuditShape::kStats:
      q.method = "sharing_stats";
      q.request_json = "{}";
      q.sql =
          "SELECT (time_ms + 28800000) / 86400000 AS day, count(*), count(*) FILTER (WHERE verdict = 2),"
          " sum(record_count) FROM access GROUP BY 1 ORDER BY 1;\n"
          "SELECT org, sum(rq), sum(pv), sum(v) FROM ("
          "SELECT requester AS org, count(*) AS rq, 0 AS pv, count(*) FILTER (WHERE verdict = 2) AS v"
          " FROM access GROUP BY requester UNION ALL "
          "SELECT provider, 0, count(*), count(*) FILTER (WHERE verdict = 2) FROM access GROUP BY provider"
          ") x GROUP BY org ORDER BY org;\n"
          "SELECT a.resource, r.name, count(*), count(*) FILTER (WHERE a.verdict = 2), sum(a.record_count)"
          " FROM access a LEFT JOIN resources r ON r.code = a.resource GROUP BY a.resource, r.name ORDER BY 1;";
      break;
  }
  return q;
}

}  // namespace civic::tools::bench
