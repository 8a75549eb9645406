// civic bench credit: bulk listing import rate, credit_report latency for a
// subject with many entries, and credit_check queries/s, on a real civicd
// holding --entries credit list entries.
//
// Steps: start a one-validator network (tools/bench/bench_common.h BenchNode); commit
// the sample credit categories and measures (tools/import/credit_import.h
// CommitCreditSample); list one "heavy" enterprise --heavy-entries times (all
// but one entry per category with a publicity period that ended in the past, so
// the subject has a long history and is published in every category now), then
// the other entries as one new subject each (enterprises by a generated valid
// USCC and persons by commitment, alternately), in txs of --batch listings
// signed by each category's deciding org, several txs in flight (entries/s);
// then closed-loop loads of credit_report on the heavy subject and on
// one-entry subjects, and of credit_check on varying subjects and matters.
#include <algorithm>
#include <cstdio>

#include "contracts/base/identifiers.h"
#include "contracts/credit/calls.h"
#include "contracts/credit/rules.h"
#include "contracts/genesis.h"
#include "crypto/hash.h"
#include "rpc/client.h"
#include "tools/bench/bench_audit_run.h"
#include "tools/bench/bench_common.h"
#include "tools/bench/bench_commands.h"
#include "tools/common/errors.h"
#include "tools/import/credit_import.h"
#include "tools/samples/network.h"
#include "contracts/base/tx_builder.h"

namespace civic::tools {
namespace {

namespace json = boost::json;

constexpr int64_t kDayMs = 86'400'000;

struct CreditArgs {
  uint64_t entries = 1'000'000;
  uint32_t batch = 1000;
  uint32_t heavy_entries = 100;
  uint32_t connections = 4;
  uint32_t ingest_workers = 4;
  double seconds = 5;
  uint64_t max_queries = 20000;
  std::string civicd;
};

struct Category {
  std::string code;
  std::string decider;  // org code
  int64_t max_publicity_ms = 0;
  std::vector<std::string> matters;
};

struct Party {
  crypto::KeyPair key;
  std::string org;
};

Result<std::vector<Category>> FetchCategories(rpc::Client& client) {
  CIVIC_ASSIGN_OR_RETURN(json::value v, client.Call("credit_categories", json::object{}));
  std::vector<Category> out;
  const json::value* list = v.is_object() ? v.as_object().if_contains("categories") : nullptr;
  if (list == nullptr || !list->is_array()) return Status::Internal("credit_categories answered no categories");
  for (const auto& c : list->as_array()) {
    const json::object* o = c.if_object();
    if (o == nullptr) continue;
    if (const json::value* r = o->if_contains("retired"); r && r->is_bool() && r->as_bool()) continue;
    Category cat;
    if (const json::value* code = o->if_contains("code"); code && code->is_string()) cat.code = code->as_string();
    if (const json::value* d = o->if_contains("deciding_orgs"); d && d->is_array() && !d->as_array().empty() &&
                                                                  d->as_array()[0].is_string()) {
      cat.decider = d->as_array()[0].as_string();
    }
    if (const json::value* m = o->if_contains("max_publicity_ms"); m && m->is_int64()) cat.max_publicity_ms = m->as_int64();
    if (const json::value* ms = o->if_contains("measures"); ms && ms->is_array()) {
      for (const auto& m : ms->as_array()) {
        const json::value* matter = m.is_object() ? m.as_object().if_contains("matter") : nullptr;
        if (matter && matter->is_string()) cat.matters.emplace_back(matter->as_string());
      }
    }
    if (!cat.code.empty() && !cat.decider.empty() && cat.max_publicity_ms > 0) out.push_back(std::move(cat));
  }
  if (out.empty()) return Status::Internal("no usable credit category on the chain");
  return out;
}

// A valid USCC for enterprise number n ("91510700" + 9 digits + check character).
std::string BenchUscc(uint64_t n) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "%09llu", static_cast<unsigned long long>(n % 1'000'000'000ULL));
  std::string first17 = "91510700" + std::string(digits);
  return first17 + *contracts::UsccCheckChar(first17);
}

pb::CreditSubject BulkSubject(uint64_t n) {
  pb::CreditSubject s;
  if (n % 2 == 0) {
    s.set_type(pb::CREDIT_SUBJECT_ENTERPRISE);
    s.set_uscc(BenchUscc(n + 1));
    s.set_name("示例企业" + std::to_string(n));
  } else {
    s.set_type(pb::CREDIT_SUBJECT_PERSON);
    s.set_commitment(crypto::Sha256("civic-bench-credit-person/" + std::to_string(n)));
    s.set_masked_name("张*");
  }
  return s;
}

pb::CreditListing Listing(pb::CreditSubject subject, const Category& cat, const std::string& doc_no,
                          int64_t decided_at_ms) {
  pb::CreditListing l;
  *l.mutable_subject() = std::move(subject);
  l.set_category(cat.code);
  l.set_reason("存在严重失信行为，依法列入名单");
  l.set_legal_basis("《社会信用体系建设规划纲要》");
  l.set_decision_doc_no(doc_no);
  l.set_decision_doc_digest(crypto::Sha256(doc_no));
  l.set_decided_at_ms(decided_at_ms);
  return l;
}

double CpuSeconds(int pid) {
  auto cpu = bench::ProcessCpuSeconds(pid);
  return cpu.ok() ? *cpu : 0;
}

std::string Ms(double v) { return bench::Fixed(v, v < 10 ? 2 : 1); }

void PrintLoad(const char* what, bench::LoadReport& r) {
  const double p50 = bench::Percentile(&r.latencies_ms, 50);
  const double p99 = bench::Percentile(&r.latencies_ms, 99);
  std::printf("%-44s p50 %7s ms  p99 %7s ms  %9s queries/s  (%s queries", what, Ms(p50).c_str(), Ms(p99).c_str(),
              bench::Fixed(r.per_sec(), 0).c_str(), bench::Grouped(r.requests).c_str());
  if (r.errors) std::printf(", %s errors, first: %s", bench::Grouped(r.errors).c_str(), r.first_error.ToString().c_str());
  std::printf(")\n");
}

CmdStatus RunCredit(const CreditArgs& a) {
  CIVIC_USAGE_IF_ERROR(bench::CheckRange("--entries", a.entries, 1, 10'000'000));
  CIVIC_USAGE_IF_ERROR(bench::CheckRange("--batch", a.batch, 1, contracts::kMaxCreditBatch));
  CIVIC_USAGE_IF_ERROR(bench::CheckRange("--heavy-entries", a.heavy_entries, 1, 1000));
  CIVIC_USAGE_IF_ERROR(bench::CheckRange("--connections", a.connections, 1, 64));
  CIVIC_USAGE_IF_ERROR(bench::CheckRange("--ingest-workers", a.ingest_workers, 1, 32));
  CIVIC_USAGE_IF_ERROR(bench::CheckRange("--seconds", static_cast<uint64_t>(a.seconds), 1, 120));
  CIVIC_USAGE_IF_ERROR(bench::CheckRange("--max-queries", a.max_queries, 10, 1'000'000));
  if (a.heavy_entries > a.entries) {
    return CmdStatus::Usage(err::BENCH_BAD_ARGUMENT, "--heavy-entries must not exceed --entries");
  }
  bench::InstallInterruptHandler();

  bench::BenchNodeOptions no;
  no.civicd = a.civicd;
  no.tune = [](node::Config* c) {
    c->rpc.commit_timeout_ms = 60000;
    c->mempool.max_bytes = size_t{1} << 30;
  };
  CIVIC_ASSIGN_OR_RETURN(auto node, bench::BenchNode::Open(no));
  CIVIC_RETURN_IF_ERROR(node->Start());
  const std::string url = node->rpc_url();
  const std::string chain_id = node->network().chain_id;
  std::vector<crypto::KeyPair> keys;
  std::vector<Party> parties;
  for (const auto& o : samples::SampleOrgs()) {
    std::string org;
    CIVIC_ASSIGN_OR_RETURN(crypto::KeyPair key, node->OrgKey(o.short_name, &org));
    keys.push_back(key);
    parties.push_back(Party{std::move(key), std::move(org)});
  }
  CIVIC_ASSIGN_OR_RETURN(auto api, ConnectNode(url));
  CIVIC_RETURN_IF_ERROR(CommitCreditSample(*api, keys, 60000).status());
  auto client_options = rpc::Client::ParseUrl(url);
  if (!client_options.ok()) return client_options.status();
  client_options->timeout = std::chrono::milliseconds(120000);
  rpc::Client client(*client_options);
  CIVIC_ASSIGN_OR_RETURN(std::vector<Category> cats, FetchCategories(client));
  std::vector<const Party*> signer(cats.size(), nullptr);
  for (size_t c = 0; c < cats.size(); ++c) {
    for (const auto& p : parties) {
      if (p.org == cats[c].decider) signer[c] = &p;
    }
    if (signer[c] == nullptr) {
      return Status(Code::kInternal, err::BENCH_SETUP, "no key of category " + cats[c].code + "'s deciding org");
    }
  }
  CIVIC_ASSIGN_OR_RETURN(ChainStatusInfo status, GetChainStatus(*api));
  const int64_t now_ms = status.time_ms > 0 ? status.time_ms : bench::WallClockMs();

  // The heavy subject: per category, a history of ended entries, then one published now.
  const std::string heavy_uscc = BenchUscc(999'999'999);
  std::vector<std::vector<pb::CreditListing>> heavy(cats.size());
  for (uint32_t k = 0; k < a.heavy_entries; ++k) {
    const size_t c = k % cats.size();
    heavy[c].push_back({});
  }
  for (size_t c = 0; c < cats.size(); ++c) {
    const size_t n = heavy[c].size();
    for (size_t k = 0; k < n; ++k) {
      pb::CreditSubject s;
      s.set_type(pb::CREDIT_SUBJECT_ENTERPRISE);
      s.set_uscc(heavy_uscc);
      s.set_name("重点监测企业");
      const bool current = k + 1 == n;
      const int64_t decided =
          current ? 0 : now_ms - cats[c].max_publicity_ms - static_cast<int64_t>(n - k) * kDayMs;
      heavy[c][k] = Listing(std::move(s), cats[c], "BENCH-H-" + cats[c].code + "-" + std::to_string(k), decided);
    }
  }
  heavy.erase(std::remove_if(heavy.begin(), heavy.end(), [](const auto& v) { return v.empty(); }), heavy.end());
  // Category of each heavy tx (heavy[] was built in category order; empties dropped at the end only).
  const uint64_t bulk = a.entries - a.heavy_entries;
  const uint64_t bulk_txs = (bulk + a.batch - 1) / a.batch;
  const size_t heavy_txs = heavy.size();
  std::printf("civic bench credit: %s entries (%u for one subject) in txs of %u, one validator (civicd pid %d)\n",
              bench::Grouped(a.entries).c_str(), a.heavy_entries, a.batch, node->pid());
  std::fflush(stdout);

  bench::CommitOptions co;
  co.url = url;
  co.workers = a.ingest_workers;
  co.commit_timeout_ms = 60000;
  const double cpu_before = CpuSeconds(node->pid());
  CIVIC_ASSIGN_OR_RETURN(
      bench::CommitReport report,
      bench::CommitPipelined(co, heavy_txs + bulk_txs, [&](size_t i, uint64_t valid_until) -> Result<Bytes> {
        std::vector<pb::CreditListing> listings;
        const Party* by = nullptr;
        if (i < heavy_txs) {
          listings = heavy[i];
          by = signer[i];
        } else {
          const uint64_t t = i - heavy_txs;
          const size_t c = t % cats.size();
          by = signer[c];
          const uint64_t first = t * a.batch;
          const uint64_t last = std::min<uint64_t>(bulk, first + a.batch);
          listings.reserve(last - first);
          for (uint64_t n = first; n < last; ++n) {
            listings.push_back(Listing(BulkSubject(n), cats[c], "BENCH-D-" + std::to_string(n), 0));
          }
        }
        contracts::TxParams p;
        p.chain_id = chain_id;
        p.org = by->org;
        p.valid_until_height = valid_until;
        return contracts::CreditTx(p, contracts::ListCreditCall(std::move(listings)), by->key);
      }));
  const double cpu = CpuSeconds(node->pid()) - cpu_before;
  std::printf("bulk listing import: %s entries in %s txs, %s s = %s entries/s (civicd CPU %s s = %s entries per CPU-second)\n",
              bench::Grouped(a.entries).c_str(), bench::Grouped(heavy_txs + bulk_txs).c_str(),
              bench::Fixed(report.seconds, 1).c_str(),
              bench::Grouped(static_cast<uint64_t>(a.entries / report.seconds)).c_str(), bench::Fixed(cpu, 1).c_str(),
              bench::Grouped(static_cast<uint64_t>(cpu > 0 ? a.entries / cpu : 0)).c_str());

  // The heavy subject's report must show every entry.
  CIVIC_ASSIGN_OR_RETURN(json::value rep, client.Call("credit_report", json::object{{"subject", heavy_uscc}}));
  const json::value* total = rep.is_object() ? rep.as_object().if_contains("entries_total") : nullptr;
  std::printf("credit_report of the heavy subject: entries_total %s, current_list %s\n",
              total ? json::serialize(*total).c_str() : "?",
              rep.is_object() && rep.as_object().contains("current_list")
                  ? json::serialize(rep.as_object().at("current_list")).c_str()
                  : "?");

  std::vector<rpc::Client> clients;
  for (uint32_t w = 0; w < a.connections; ++w) clients.emplace_back(*client_options);
  bench::LoadOptions lo;
  lo.workers = a.connections;
  lo.seconds = a.seconds;
  lo.max_requests = a.max_queries;
  lo.warmup = 5;
  const std::string heavy_label = "credit_report (subject with " + std::to_string(a.heavy_entries) + " entries)";
  CIVIC_ASSIGN_OR_RETURN(bench::LoadReport heavy_report, bench::RunClosedLoop(lo, [&](size_t w, uint64_t) -> Status {
                           return clients[w].Call("credit_report", json::object{{"subject", heavy_uscc}}).status();
                         }));
  const uint64_t stride = 7'919;  // spreads consecutive queries over the key space
  auto subject_text = [&](uint64_t n) { return bulk == 0 ? heavy_uscc : SubjectText(BulkSubject((n * stride) % bulk)); };
  CIVIC_ASSIGN_OR_RETURN(bench::LoadReport single_report, bench::RunClosedLoop(lo, [&](size_t w, uint64_t n) -> Status {
                           return clients[w].Call("credit_report", json::object{{"subject", subject_text(n)}}).status();
                         }));
  std::vector<std::string> matters;
  for (const auto& c : cats) {
    for (const auto& m : c.matters) {
      if (std::find(matters.begin(), matters.end(), m) == matters.end()) matters.push_back(m);
    }
  }
  CIVIC_ASSIGN_OR_RETURN(bench::LoadReport check_report, bench::RunClosedLoop(lo, [&](size_t w, uint64_t n) -> Status {
                           json::object params{{"subject", subject_text(n)}};
                           if (!matters.empty()) params["matter"] = matters[n % matters.size()];
                           return clients[w].Call("credit_check", std::move(params)).status();
                         }));
  std::printf("\n");
  PrintLoad(heavy_label.c_str(), heavy_report);
  PrintLoad("credit_report (subjects with 1 entry)", single_report);
  PrintLoad("credit_check (varying subjects and matters)", check_report);
  std::printf("(%u connections, at most %s s or %s queries each)\n", a.connections, bench::Fixed(a.seconds, 0).c_str(),
              bench::Grouped(a.max_queries).c_str());
  if (auto mem = bench::ReadProcessMemory(node->pid()); mem.ok()) {
    std::printf("civicd RSS %s MB (peak %s MB)", bench::Grouped(mem->rss_kb / 1024).c_str(),
                bench::Grouped(mem->hwm_kb / 1024).c_str());
  }
  if (auto du = bench::MeasureDiskUsage(node->data_dir()); du.ok()) {
    std::printf("; node data %s MB", bench::Grouped(du->allocated_bytes >> 20).c_str());
  }
  std::printf("\n");
  CIVIC_RETURN_IF_ERROR(node->Stop());
  return CmdStatus::Ok();
}

}  // namespace

void AddBenchCreditCommands(CLI::App* bench_app, CliContext* ctx) {
  auto a = std::make_shared<CreditArgs>();
  CLI::App* cmd = bench_app->add_subcommand(
      "credit", "Credit lists: bulk listing import rate, credit_report latency, credit_check queries/s");
  cmd->add_option("--entries", a->entries, "Credit entries to list (1..10,000,000)")->capture_default_str();
  cmd->add_option("--batch", a->batch, "Listings per tx (1..1000)")->capture_default_str();
  cmd->add_option("--heavy-entries", a->heavy_entries, "Entries of the subject whose report is timed (1..1000)")
      ->capture_default_str();
  cmd->add_option("--connections", a->connections, "Client connections during queries (1..64)")->capture_default_str();
  cmd->add_option("--ingest-workers", a->ingest_workers, "Txs in flight during the import (1..32)")
      ->capture_default_str();
  cmd->add_option("--seconds", a->seconds, "Longest run per query kind (1..120)")->capture_default_str();
  cmd->add_option("--max-queries", a->max_queries, "Most queries per query kind (10..1,000,000)")
      ->capture_default_str();
  cmd->add_option("--civicd", a->civicd, "Path to civicd (default: next to civic, else PATH)");
  OnRun(cmd, ctx, [a] { return RunCredit(*a); });
}

}  // namespace civic::tools
