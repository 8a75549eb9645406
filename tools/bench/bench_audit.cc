// civic bench audit: data-sharing audit ingestion and auditor queries on a real
// civicd, against PostgreSQL holding the same records with equivalent B-tree
// indexes (tools/bench/bench_audit_data.h), in the same run.
//
// Steps: start a one-validator network, or --validators N nodes running the
// BFT engine (tools/bench/bench_audit_net.h; queries go to node0);
// register the catalogue and grants; log --records access records in batched
// sharing txs signed by four requester departments (records/s); read each
// block's time; start a throw-away PostgreSQL (tools/bench/bench_audit_pg.h) and COPY
// the same records in, then build the indexes and ANALYZE; check that both
// sides report the same totals; then, for each auditor query shape, a
// closed-loop load over --connections keep-alive connections against the node
// (signed JSON-RPC, rpc/request_auth.h) and against PostgreSQL (libpq), and a
// table of p50/p99 and queries/s with the ratio node/PostgreSQL. --ingest-only
// stops after the ingestion (the 4-validator ingestion figure).
// The node's auditor nonce cache holds 100,000 requests per 5 minutes, so
// --max-queries is bounded to keep every shape's requests inside it.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "contracts/genesis.h"
#include "contracts/sharing/calls.h"
#include "rpc/client.h"
#include "tools/bench/bench_audit_data.h"
#include "tools/bench/bench_audit_net.h"
#include "tools/bench/bench_audit_pg.h"
#include "tools/bench/bench_audit_run.h"
#include "tools/bench/bench_common.h"
#include "tools/bench/bench_commands.h"
#include "contracts/base/tx_builder.h"
#include "tools/common/errors.h"

namespace civic::tools {
namespace {

namespace json = boost::json;
using bench::AuditShape;

struct AuditArgs {
  uint64_t records = 1'000'000;
  uint32_t batch = 2000;
  uint32_t connections = 4;
  uint32_t ingest_workers = 4;
  double seconds = 5;
  uint64_t max_queries = 3000;
  uint32_t page = 100;
  uint64_t seed = 1;
  std::string civicd;
  bool skip_postgres = false;
  bool ingest_only = false;
  uint32_t validators = 1;
};

const std::vector<std::string> kDataOrgs = {"psb", "hrss", "amr", "ndrc"};

struct Party {
  crypto::KeyPair key;
  std::string org;
};

Result<Party> LoadParty(const bench::BenchChain& node, std::string_view short_name) {
  std::string org;
  CIVIC_ASSIGN_OR_RETURN(crypto::KeyPair key, node.OrgKey(short_name, &org));
  return Party{std::move(key), std::move(org)};
}

// Commits one tx per call, in order, from the given signers.
Status CommitCalls(const std::string& url, const std::string& chain_id,
                   const std::vector<std::pair<const Party*, pb::SharingCall>>& calls) {
  bench::CommitOptions co;
  co.url = url;
  co.workers = std::min<size_t>(4, std::max<size_t>(1, calls.size()));
  auto report = bench::CommitPipelined(co, calls.size(), [&](size_t i, uint64_t valid_until) -> Result<Bytes> {
    contracts::TxParams p;
    p.chain_id = chain_id;
    p.org = calls[i].first->org;
    p.valid_until_height = valid_until;
    return contracts::SharingTx(p, calls[i].second, calls[i].first->key);
  });
  return report.status();
}

double CpuSeconds(int pid) {
  auto cpu = bench::ProcessCpuSeconds(pid);
  return cpu.ok() ? *cpu : 0;
}

std::string Ms(double v) { return bench::Fixed(v, v < 10 ? 2 : 1); }

struct SideResult {
  double p50 = 0, p99 = 0, qps = 0;
  uint64_t errors = 0;
  Status first_error;
};

SideResult Summarise(bench::LoadReport& r) {
  SideResult s;
  s.p50 = bench::Percentile(&r.latencies_ms, 50);
  s.p99 = bench::Percentile(&r.latencies_ms, 99);
  s.qps = r.per_sec();
  s.errors = r.errors;
  s.first_error = r.first_error;
  return s;
}

// The node's total for variant 0 of a shape ("-" for statistics).
Result<std::string> NodeTotal(rpc::Client& client, const Party& auditor, const std::string& chain_id,
                              const std::string& audience, const bench::AuditQuery& q) {
  if (q.method == "sharing_stats") return std::string("-");
  CIVIC_ASSIGN_OR_RETURN(json::value v, client.Call(q.method, bench::SignedQuery(auditor.key, auditor.org, chain_id,
                                                                                   audience, q.method, q.request_json)));
  const json::object* o = v.if_object();
  const json::value* total = o ? o->if_contains("total") : nullptr;
  if (total == nullptr) return Status::Internal("the node's answer has no total");
  return json::serialize(*total);
}

CmdStatus RunAudit(const AuditArgs& a) {
  CIVIC_USAGE_IF_ERROR(bench::CheckRange("--records", a.records, 1, 10'000'000));
  CIVIC_USAGE_IF_ERROR(bench::CheckRange("--batch", a.batch, 1, 10000));
  CIVIC_USAGE_IF_ERROR(bench::CheckRange("--connections", a.connections, 1, 64));
  CIVIC_USAGE_IF_ERROR(bench::CheckRange("--ingest-workers", a.ingest_workers, 1, 32));
  CIVIC_USAGE_IF_ERROR(bench::CheckRange("--seconds", static_cast<uint64_t>(a.seconds), 1, 120));
  CIVIC_USAGE_IF_ERROR(bench::CheckRange("--max-queries", a.max_queries, 10, 10000));
  CIVIC_USAGE_IF_ERROR(bench::CheckRange("--page", a.page, 1, 1000));
  bench::InstallInterruptHandler();

  // ---- node
  CIVIC_USAGE_IF_ERROR(bench::CheckRange("--validators", a.validators, 1, bench::kMaxBenchValidators));
  CIVIC_ASSIGN_OR_RETURN(auto node, bench::BenchChain::Start(a.validators, a.civicd, [](node::Config* c) {
                           c->rpc.commit_timeout_ms = 60000;
                           c->rpc.threads = 4;
                           c->mempool.max_bytes = size_t{1} << 30;
                         }));
  const std::string url = node->rpc_url();
  const std::string chain_id = node->chain_id();
  std::vector<Party> data;
  for (const auto& s : kDataOrgs) {
    CIVIC_ASSIGN_OR_RETURN(Party p, LoadParty(*node, s));
    data.push_back(std::move(p));
  }
  CIVIC_ASSIGN_OR_RETURN(Party auditor, LoadParty(*node, "gss"));
  std::printf("civic bench audit: %s records in txs of %u, %u validator%s (node0 civicd pid %d), %u connections\n",
              bench::Grouped(a.records).c_str(), a.batch, a.validators, a.validators == 1 ? "" : "s", node->pid(),
              a.connections);

  bench::AuditSpec spec;
  spec.records = a.records;
  spec.batch = a.batch;
  spec.seed = a.seed;
  spec.base_time_ms = bench::WallClockMs();
  for (const auto& p : data) spec.orgs.push_back(p.org);
  CIVIC_USAGE_IF_ERROR(bench::ValidateAuditSpec(spec));
  const auto resources = bench::AuditResources(spec.orgs.size());
  const auto grants = bench::AuditGrants(spec.orgs.size());

  // ---- catalogue and grants
  std::vector<std::pair<const Party*, pb::SharingCall>> setup;
  for (const auto& r : resources) {
    pb::SharingResource res;
    res.set_code(r.code);
    res.set_name(r.name);
    for (const auto& f : r.fields) res.add_fields(f);
    res.set_share_type(r.share_type);
    setup.emplace_back(&data[r.provider], contracts::RegisterResourceCall(res));
  }
  CIVIC_RETURN_IF_ERROR(CommitCalls(url, chain_id, setup));
  setup.clear();
  for (const auto& g : grants) {
    pb::SharingGrant grant;
    grant.set_id(g.id);
    grant.set_requester_org(spec.orgs[g.requester]);
    grant.set_resource(resources[g.resource].code);
    for (const auto& f : g.fields) grant.add_fields(f);
    grant.set_purpose(g.purpose);
    grant.set_legal_basis("《政务数据共享管理办法》");
    grant.set_valid_from_ms(spec.base_time_ms - int64_t{2} * 86'400'000);  // in force before the logged accesses
    grant.set_expires_at_ms(spec.base_time_ms + int64_t{365} * 86'400'000);
    setup.emplace_back(&data[resources[g.resource].provider], contracts::IssueGrantCall(grant));
  }
  CIVIC_RETURN_IF_ERROR(CommitCalls(url, chain_id, setup));
  std::printf("catalogue: %zu resources, %zu grants\n", resources.size(), grants.size());

  // ---- ingestion
  const uint64_t txs = bench::AuditTxCount(spec);
  std::atomic<uint64_t> expected_violations{0};
  const double cpu_before = CpuSeconds(node->pid());
  bench::CommitOptions co;
  co.url = url;
  co.workers = a.ingest_workers;
  co.commit_timeout_ms = 60000;
  std::printf("ingesting %s records in %s txs ...\n", bench::Grouped(a.records).c_str(), bench::Grouped(txs).c_str());
  std::fflush(stdout);
  CIVIC_ASSIGN_OR_RETURN(
      bench::CommitReport ingest,
      bench::CommitPipelined(co, txs, [&](size_t i, uint64_t valid_until) -> Result<Bytes> {
        auto records = bench::AuditTxRecords(spec, i);
        std::vector<pb::SharingAccess> accesses;
        accesses.reserve(records.size());
        for (auto& g : records) {
          if (g.verdict == pb::SHARING_VIOLATION) ++expected_violations;
          accesses.push_back(std::move(g.access));
        }
        const Party& signer = data[bench::AuditTxRequester(spec, i)];
        contracts::TxParams p;
        p.chain_id = chain_id;
        p.org = signer.org;
        p.valid_until_height = valid_until;
        return contracts::SharingTx(p, contracts::LogAccessCall(std::move(accesses)), signer.key);
      }));
  const double cpu_ingest = CpuSeconds(node->pid()) - cpu_before;
  const double ingest_rate = static_cast<double>(a.records) / ingest.seconds;
  std::printf("ingestion (%u validator%s): %s records in %s s = %s records/s (node0 civicd CPU %s s = %s records per "
              "CPU-second)\n",
              a.validators, a.validators == 1 ? "" : "s", bench::Grouped(a.records).c_str(), bench::Fixed(ingest.seconds, 1).c_str(),
              bench::Grouped(static_cast<uint64_t>(ingest_rate)).c_str(), bench::Fixed(cpu_ingest, 1).c_str(),
              bench::Grouped(static_cast<uint64_t>(cpu_ingest > 0 ? a.records / cpu_ingest : 0)).c_str());

  if (a.ingest_only) {
    CIVIC_RETURN_IF_ERROR(node->Stop());
    return CmdStatus::Ok();
  }

  // ---- block times
  auto client_options = rpc::Client::ParseUrl(url);
  if (!client_options.ok()) return client_options.status();
  client_options->timeout = std::chrono::milliseconds(120000);
  rpc::Client client(*client_options);
  // Signed queries name the node they are sent to (rpc/request_auth.h).
  CIVIC_ASSIGN_OR_RETURN(json::value status, client.Call("chain_status", json::object{}));
  const json::value* node_id = status.is_object() ? status.as_object().if_contains("node") : nullptr;
  node_id = node_id && node_id->is_object() ? node_id->as_object().if_contains("node_id") : nullptr;
  if (node_id == nullptr || !node_id->is_string()) return Status::Internal("chain_status answered no node.node_id");
  const std::string audience(node_id->as_string());
  std::map<uint64_t, int64_t> block_time;
  for (const auto& o : ingest.outcomes) block_time[o.height] = 0;
  for (auto& [height, time] : block_time) {
    CIVIC_ASSIGN_OR_RETURN(json::value b, client.Call("chain_getBlock", json::object{{"height", height}}));
    const json::value* header = b.is_object() ? b.as_object().if_contains("header") : nullptr;
    const json::value* t = header && header->is_object() ? header->as_object().if_contains("time_ms") : nullptr;
    if (t == nullptr || !t->is_int64()) return Status::Internal("chain_getBlock answered no header.time_ms");
    time = t->as_int64();
  }
  bench::AuditQueryContext qc;
  qc.orgs = spec.orgs;
  for (const auto& r : resources) qc.resources.push_back(r.code);
  for (uint32_t s = 0; s < spec.hot_subjects; ++s) qc.subjects.push_back(bench::AuditSubject(spec.seed, true, s));
  qc.min_time_ms = block_time.begin()->second;
  qc.max_time_ms = block_time.rbegin()->second;
  qc.page = a.page;

  // ---- node totals agree with the generator
  {
    bench::AuditQuery all{"sharing_query", "{\"limit\":1}", "", {}};
    bench::AuditQuery viol{"sharing_violations", "{\"limit\":1}", "", {}};
    CIVIC_ASSIGN_OR_RETURN(std::string total, NodeTotal(client, auditor, chain_id, audience, all));
    CIVIC_ASSIGN_OR_RETURN(std::string violations, NodeTotal(client, auditor, chain_id, audience, viol));
    std::printf("node totals: %s records, %s violations (generated: %s records, %s violations)\n", total.c_str(),
                violations.c_str(), bench::Grouped(a.records).c_str(),
                bench::Grouped(expected_violations.load()).c_str());
    if (total != std::to_string(a.records) || violations != std::to_string(expected_violations.load())) {
      return Status(Code::kInternal, err::BENCH_DATA_MISMATCH,
                              "the node's totals differ from the generated records; the PostgreSQL copy would not "
                              "hold the same data");
    }
  }

  // ---- PostgreSQL
  std::unique_ptr<bench::PgServer> pg;
  std::string pg_conninfo;
  double pg_load_seconds = 0, pg_index_seconds = 0;
  if (!a.skip_postgres) {
    CIVIC_ASSIGN_OR_RETURN(uint16_t port, FindFreePorts(1));
    CIVIC_ASSIGN_OR_RETURN(pg, bench::PgServer::Start(bench::PgServerOptions{port}));
    pg_conninfo = pg->conninfo();
    CIVIC_ASSIGN_OR_RETURN(auto conn, bench::PgConn::Connect(pg_conninfo));
    CIVIC_RETURN_IF_ERROR(conn->Exec(bench::AuditSchemaSql()));
    std::string inserts;
    for (const auto& r : resources) {
      inserts += "INSERT INTO resources VALUES ('" + r.code + "', '" + r.name + "');\n";
    }
    CIVIC_RETURN_IF_ERROR(conn->Exec(inserts));
    std::printf("PostgreSQL %s on 127.0.0.1:%u: loading with COPY ...\n", bench::FindPgBin().c_str(), port);
    std::fflush(stdout);
    auto place_of = [&](uint64_t tx) {
      const TxOutcome& o = ingest.outcomes[tx];
      bench::AuditRowPlace place;
      place.height = o.height;
      place.tx_index = o.index;
      place.time_ms = block_time[o.height];
      place.tx_id = FromHex(o.id).value_or(Bytes());
      return place;
    };
    const auto t0 = std::chrono::steady_clock::now();
    for (int table = 0; table < 2; ++table) {
      uint64_t tx = 0;
      CIVIC_RETURN_IF_ERROR(conn->CopyIn(
          table == 0 ? "COPY access FROM STDIN" : "COPY access_subject FROM STDIN", [&](std::string* chunk) -> Result<bool> {
            CIVIC_RETURN_IF_ERROR(bench::CheckInterrupted());
            if (tx >= txs) return false;
            const auto place = place_of(tx);
            for (const auto& g : bench::AuditTxRecords(spec, tx)) {
              *chunk += table == 0 ? bench::AuditAccessCopyLine(spec, g, place)
                                   : bench::AuditSubjectCopyLines(spec, g, place);
            }
            ++tx;
            return true;
          }));
    }
    const auto t1 = std::chrono::steady_clock::now();
    CIVIC_RETURN_IF_ERROR(conn->Exec(bench::AuditIndexSql()));
    pg_load_seconds = std::chrono::duration<double>(t1 - t0).count();
    pg_index_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    std::printf("PostgreSQL load: COPY %s s (%s records/s, generation included), indexes + ANALYZE %s s\n",
                bench::Fixed(pg_load_seconds, 1).c_str(),
                bench::Grouped(static_cast<uint64_t>(a.records / pg_load_seconds)).c_str(),
                bench::Fixed(pg_index_seconds, 1).c_str());
  }

  // ---- queries, once the node's background compaction after the load has settled
  for (int i = 0; i < 120 && !bench::Interrupted(); ++i) {
    const double before = CpuSeconds(node->pid());
    std::this_thread::sleep_for(std::chrono::seconds(1));
    if (CpuSeconds(node->pid()) - before < 0.1) break;
  }
  struct Row {
    AuditShape shape;
    SideResult node, pg;
    std::string node_total, pg_total;
  };
  std::vector<Row> rows;
  std::vector<rpc::Client> clients;
  for (uint32_t w = 0; w < a.connections; ++w) clients.emplace_back(*client_options);
  std::vector<std::unique_ptr<bench::PgConn>> pgs;
  if (pg) {
    for (uint32_t w = 0; w < a.connections; ++w) {
      CIVIC_ASSIGN_OR_RETURN(auto c, bench::PgConn::Connect(pg_conninfo));
      pgs.push_back(std::move(c));
    }
  }
  bench::LoadOptions lo;
  lo.workers = a.connections;
  lo.seconds = a.seconds;
  lo.max_requests = a.max_queries;
  lo.warmup = 5;
  for (AuditShape shape : bench::AllAuditShapes()) {
    Row row{shape, {}, {}, "-", "-"};
    const auto q0 = bench::MakeAuditQuery(shape, qc, 0);
    CIVIC_ASSIGN_OR_RETURN(row.node_total, NodeTotal(client, auditor, chain_id, audience, q0));
    std::printf("%-26s node ...", bench::AuditShapeName(shape));
    std::fflush(stdout);
    CIVIC_ASSIGN_OR_RETURN(bench::LoadReport nr, bench::RunClosedLoop(lo, [&](size_t w, uint64_t n) -> Status {
                             const auto q = bench::MakeAuditQuery(shape, qc, n);
                             auto r = clients[w].Call(q.method, bench::SignedQuery(auditor.key, auditor.org, chain_id,
                                                                                     audience, q.method, q.request_json));
                             return r.status();
                           }));
    row.node = Summarise(nr);
    if (pg) {
      if (shape == AuditShape::kStats) {
        row.pg_total = "-";
      } else {
        CIVIC_ASSIGN_OR_RETURN(bench::PgRows r0, pgs[0]->Query(q0.sql, q0.sql_params, 22));
        row.pg_total = r0.first_value.empty() ? "0" : r0.first_value;
      }
      std::printf(" PostgreSQL ...");
      std::fflush(stdout);
      CIVIC_ASSIGN_OR_RETURN(bench::LoadReport pr, bench::RunClosedLoop(lo, [&](size_t w, uint64_t n) -> Status {
                               const auto q = bench::MakeAuditQuery(shape, qc, n);
                               if (q.sql_params.empty() && shape == AuditShape::kStats) {
                                 return pgs[w]->QueryMulti(q.sql).status();
                               }
                               return pgs[w]->Query(q.sql, q.sql_params).status();
                             }));
      row.pg = Summarise(pr);
    }
    std::printf(" done\n");
    rows.push_back(std::move(row));
  }

  // ---- report
  std::printf("\n%-26s %9s %9s %9s | %9s %9s %9s | %7s %s\n", "shape", "node p50", "p99", "q/s", "pg p50",
              "p99", "q/s", "node/pg", "totals node = pg");
  bool all_met = true;
  for (const auto& r : rows) {
    const double ratio = r.pg.qps > 0 ? r.node.qps / r.pg.qps : 0;
    if (pg && ratio < 1) all_met = false;
    std::printf("%-26s %7sms %7sms %9s | %7sms %7sms %9s | %6sx %s%s\n", bench::AuditShapeName(r.shape),
                Ms(r.node.p50).c_str(), Ms(r.node.p99).c_str(), bench::Fixed(r.node.qps, 0).c_str(),
                Ms(r.pg.p50).c_str(), Ms(r.pg.p99).c_str(), bench::Fixed(r.pg.qps, 0).c_str(),
                bench::Fixed(ratio, 2).c_str(), (r.node_total + " = " + r.pg_total).c_str(),
                !pg || r.node_total == r.pg_total ? "" : "  MISMATCH");  // without PostgreSQL nothing to compare
    if (r.node.errors) {
      std::printf("   node errors: %s (first: %s)\n", bench::Grouped(r.node.errors).c_str(),
                  r.node.first_error.ToString().c_str());
    }
    if (r.pg.errors) {
      std::printf("   PostgreSQL errors: %s (first: %s)\n", bench::Grouped(r.pg.errors).c_str(),
                  r.pg.first_error.ToString().c_str());
    }
  }
  std::printf("(page %u records with total count; %u connections each side; at most %s s or %s queries per shape)\n",
              a.page, a.connections, bench::Fixed(a.seconds, 0).c_str(), bench::Grouped(a.max_queries).c_str());
  if (auto mem = bench::ReadProcessMemory(node->pid()); mem.ok()) {
    std::printf("civicd RSS %s MB (peak %s MB)", bench::Grouped(mem->rss_kb / 1024).c_str(),
                bench::Grouped(mem->hwm_kb / 1024).c_str());
  }
  if (auto du = bench::MeasureDiskUsage(node->data_dir()); du.ok()) {
    std::printf("; node data %s MB", bench::Grouped(du->allocated_bytes >> 20).c_str());
  }
  if (pg) {
    if (auto du = bench::MeasureDiskUsage(pg->data_dir()); du.ok()) {
      std::printf("; PostgreSQL data %s MB", bench::Grouped(du->allocated_bytes >> 20).c_str());
    }
  }
  std::printf("\n");
  if (pg) std::printf("target node >= 1x PostgreSQL on every shape: %s\n", all_met ? "met" : "NOT met");
  pgs.clear();
  if (pg) pg->Stop();
  CIVIC_RETURN_IF_ERROR(node->Stop());
  return CmdStatus::Ok();
}

}  // namespace

void AddBenchAuditCommands(CLI::App* bench_app, CliContext* ctx) {
  auto a = std::make_shared<AuditArgs>();
  CLI::App* cmd = bench_app->add_subcommand(
      "audit", "Data-sharing audit: ingestion records/s and auditor query latency vs PostgreSQL");
  cmd->add_option("--records", a->records, "Access records to load (1..10,000,000)")->capture_default_str();
  cmd->add_option("--batch", a->batch, "Records per sharing tx (1..10,000)")->capture_default_str();
  cmd->add_option("--connections", a->connections, "Client connections per side during queries (1..64)")
      ->capture_default_str();
  cmd->add_option("--ingest-workers", a->ingest_workers, "Txs in flight during ingestion (1..32)")
      ->capture_default_str();
  cmd->add_option("--seconds", a->seconds, "Longest run per query shape and side (1..120)")->capture_default_str();
  cmd->add_option("--max-queries", a->max_queries, "Most queries per shape and side (10..10,000)")
      ->capture_default_str();
  cmd->add_option("--page", a->page, "Records per page (1..1000)")->capture_default_str();
  cmd->add_option("--seed", a->seed, "Data set seed")->capture_default_str();
  cmd->add_option("--civicd", a->civicd, "Path to civicd (default: next to civic, else PATH)");
  cmd->add_flag("--no-postgres", a->skip_postgres, "Measure the node only");
  cmd->add_flag("--ingest-only", a->ingest_only, "Stop after the ingestion (no PostgreSQL, no queries)");
  cmd->add_option("--validators", a->validators,
                  "Validators of the chain (1..7; more than one runs the BFT engine; queries go to node0)")
      ->capture_default_str();
  OnRun(cmd, ctx, [a] { return RunAudit(*a); });
}

}  // namespace civic::tools
