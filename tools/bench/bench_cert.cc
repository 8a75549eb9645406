// civic bench issue | verify: e-certificate throughput, disk and memory of a
// one-validator civicd that the bench starts itself (docs/PERFORMANCE.md).
//
// bench issue
//   1. The floor: single-core Ed25519 verification rate (in-process loop) times
//      the number of cores, measured before the node starts.
//   2. Single-certificate issue txs, signed in the bench process beforehand,
//      sent with tx_submit over several keep-alive connections with pipelining
//      (--rpc-batch N puts N calls in one JSON-RPC batch request); committed
//      tx/s is counted from the committed blocks (chain_getBlock). civicd's CPU
//      time is read from /proc, so the rate per civicd CPU-second is printed too
//      (the steadier figure on a shared machine).
//   3. Batched issuance of --certs certificates in txs of --batch certificates,
//      signed beforehand, sent with tx_submit (retrying MEMPOOL_FULL); committed
//      certificates/s from the blocks.
//   4. civicd's resident memory (VmRSS, VmHWM) after the load; disk use of its
//      data folder (du) per certificate against the raw record size: the state
//      key "cert/c/<id>" plus the encoded pb::Certificate value, rebuilt from
//      cert_get of a certificate of the run.
//   With --data DIR the network stays in DIR with a manifest (bench-certs.json)
//   naming the certificates, for `civic bench verify --data DIR`.
//
// bench verify
//   cert_verify of random existing ids over HTTP keep-alive with wrk (a Lua
//   script POSTs JSON-RPC, or GETs /v1/certificates/{id}/verify with --rest),
//   then nginx serving a static file with the bytes of one such answer under the
//   same wrk load. Req/s, p50 and p99 of both, and the ratio. With --proof,
//   cert_proof of the same ids under the same load right after, and its rate
//   against cert_verify's.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "contracts/certificate/holder.h"
#include "contracts/base/identifiers.h"
#include "contracts/certificate/keys.h"
#include "contracts/governance/keys.h"
#include "crypto/base/bytes.h"
#include "ledger/tx.h"
#include "node/errors.h"
#include "rpc/client.h"
#include "rpc/error_codes.h"
#include "tools/bench/bench_common.h"
#include "tools/bench/bench_commands.h"
#include "tools/common/errors.h"
#include "tools/common/files.h"
#include "tools/import/sample_data.h"

namespace civic::tools {
namespace json = boost::json;
using bench::Fixed;
using bench::Grouped;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kManifestFile = "bench-certs.json";
constexpr const char* kBatchSerialPrefix = "B";
constexpr const char* kSingleSerialPrefix = "S";
using bench::kIssuerShortName;
using bench::kSerialDigits;
using bench::kValidBlocks;
using bench::IssuePlan;
using bench::Serial;
using bench::Verdict;
using bench::BuildIssueTxs;
using bench::CommitCounter;
using bench::AwaitCommitted;

// Where progress and results are printed (stderr when --json is given).
std::ostream* g_out = &std::cout;
std::ostream& Out() { return *g_out; }

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// ---- What a bench run issues

Result<IssuePlan> LoadPlan(const bench::BenchNode& node, NodeApi& api) {
  std::string org;
  CIVIC_ASSIGN_OR_RETURN(crypto::KeyPair key, node.OrgKey(kIssuerShortName, &org));
  return bench::LoadIssuePlan(std::move(key), std::move(org), api);
}

// ---- The raw record size of a certificate

Bytes HexMember(const json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return {};
  auto b = FromHex(std::string(it->value().get_string()));
  return b ? *b : Bytes();
}
int64_t IntMember(const json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end()) return 0;
  if (it->value().is_int64()) return it->value().get_int64();
  if (it->value().is_uint64()) return static_cast<int64_t>(it->value().get_uint64());
  return 0;
}
std::string StrMember(const json::object& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().get_string()) : "";
}

// The state entry of certificate `id` as the contract stores it: key
// "cert/c/<id>" plus the encoded pb::Certificate, rebuilt from cert_get.
Result<uint64_t> RawRecordBytes(NodeApi& api, const std::string& id) {
  CIVIC_ASSIGN_OR_RETURN(json::value v, api.Call("cert_get", json::object{{"id", id}}));
  if (!v.is_object()) return Status(Code::kInternal, err::BAD_RESPONSE, "cert_get answered a non-object");
  const json::object& o = v.get_object();
  pb::Certificate c;
  c.set_id(StrMember(o, "id"));
  c.set_type_code(StrMember(o, "type_code"));
  c.set_issuer_org(StrMember(o, "issuer_org"));
  auto key = crypto::PublicKey::Parse(StrMember(o, "issuer_key"));
  if (key.ok()) {
    c.set_issuer_key_algo(static_cast<uint32_t>(key->algo));
    c.set_issuer_key(key->key);
  }
  c.set_holder_commitment(HexMember(o, "holder_commitment"));
  c.set_claims_digest(HexMember(o, "claims_digest"));
  if (auto it = o.find("claims"); it != o.end() && it->value().is_array()) {
    for (const auto& cv : it->value().get_array()) {
      if (!cv.is_object()) continue;
      pb::ClaimDigest* d = c.add_claims();
      d->set_name(StrMember(cv.get_object(), "name"));
      d->set_digest(HexMember(cv.get_object(), "digest"));
    }
  }
  c.set_issued_at_ms(IntMember(o, "issued_at_ms"));
  c.set_valid_from_ms(IntMember(o, "valid_from_ms"));
  c.set_valid_until_ms(IntMember(o, "valid_until_ms"));
  c.set_status(pb::CERT_ACTIVE);
  c.set_version(static_cast<uint32_t>(IntMember(o, "version")));
  c.set_issuing_tx_id(HexMember(o, "issuing_tx_id"));
  c.set_height(static_cast<uint64_t>(IntMember(o, "height")));
  c.set_serial(StrMember(o, "serial"));
  return contracts::Cat(contracts::keys::kCertPrefix, c.id()).size() + c.ByteSizeLong();
}

// ---- bench issue

struct IssueArgs {
  uint64_t certs = 1'000'000;
  uint64_t txs = 20'000;
  uint64_t batch = 5'000;
  uint64_t connections = 8;
  uint64_t window = 64;
  uint64_t rpc_batch = 1;
  uint64_t batch_connections = 2;
  uint64_t max_pending = 32;
  int stall_s = 120;
  std::string data;
  std::string civicd;
  bool skip_single = false;
};

Status CheckIssueArgs(const IssueArgs& a) {
  CIVIC_RETURN_IF_ERROR(bench::CheckRange("--certs", a.certs, 1, 10'000'000));
  CIVIC_RETURN_IF_ERROR(bench::CheckRange("--txs", a.txs, 1, 1'000'000));
  CIVIC_RETURN_IF_ERROR(bench::CheckRange("--batch", a.batch, 1, 10'000));
  CIVIC_RETURN_IF_ERROR(bench::CheckRange("--connections", a.connections, 1, 256));
  CIVIC_RETURN_IF_ERROR(bench::CheckRange("--window", a.window, 1, 1024));
  CIVIC_RETURN_IF_ERROR(bench::CheckRange("--rpc-batch", a.rpc_batch, 1, 100));
  CIVIC_RETURN_IF_ERROR(bench::CheckRange("--batch-connections", a.batch_connections, 1, 16));
  CIVIC_RETURN_IF_ERROR(bench::CheckRange("--max-pending", a.max_pending, 1, 10'000));
  CIVIC_RETURN_IF_ERROR(bench::CheckRange("--stall-timeout", static_cast<uint64_t>(std::max(0, a.stall_s)), 5, 3600));
  return Status::Ok();
}

struct SingleResult {
  uint64_t sent = 0, admitted = 0, committed = 0, failed = 0;
  double submit_s = 0, commit_s = 0;
  double node_cpu_s = 0;
  size_t tx_bytes = 0;
  std::map<std::string, uint64_t> rejected;  // app code -> count
  std::string first_failure;
};

Result<SingleResult> RunSingle(const IssueArgs& args, const IssuePlan& plan, bench::BenchNode& node, NodeApi& api) {
  SingleResult r;
  CIVIC_ASSIGN_OR_RETURN(ChainStatusInfo st, GetChainStatus(api));
  Out() << "single-certificate txs: signing " << Grouped(args.txs) << " txs..." << std::flush;
  CIVIC_ASSIGN_OR_RETURN(std::vector<Bytes> txs,
                         BuildIssueTxs(plan, kSingleSerialPrefix, 0, args.txs, 1, st.height + kValidBlocks));
  // One HTTP request carries `rpc_batch` tx_submit calls (a JSON-RPC batch when
  // more than one); request r goes over connection r mod `connections`.
  using Calls = std::vector<std::pair<std::string, json::value>>;
  const uint64_t requests = (txs.size() + args.rpc_batch - 1) / args.rpc_batch;
  std::vector<Calls> calls(std::min<uint64_t>(args.connections, std::max<uint64_t>(requests, 1)));
  CIVIC_ASSIGN_OR_RETURN(st, GetChainStatus(api));
  CommitCounter counter(&api, st.height);
  for (size_t i = 0; i < txs.size(); ++i) {
    calls[(i / args.rpc_batch) % calls.size()].emplace_back("tx_submit", json::object{{"tx", ToHex(txs[i])}});
    counter.Expect(ToHex(ledger::TxId(txs[i])), 1);
  }
  r.tx_bytes = txs.empty() ? 0 : txs[0].size();
  Out() << " done (" << r.tx_bytes << " bytes each); sending over " << args.connections << " connections, "
            << args.window << " pipelined requests each, " << args.rpc_batch << " tx_submit per request\n";
  std::mutex mu;
  std::atomic<uint64_t> admitted{0};
  Status error;
  auto on_result = [&](size_t, Result<json::value> result) {
    if (result.ok()) {
      ++admitted;
      return;
    }
    const Status& refused = result.status();
    std::lock_guard<std::mutex> lock(mu);
    ++r.rejected[refused.app_code().empty() ? CodeName(refused.code()) : refused.app_code()];
  };
  CIVIC_ASSIGN_OR_RETURN(double cpu0, bench::ProcessCpuSeconds(node.pid()));
  auto t0 = Clock::now();
  std::vector<std::thread> senders;
  for (const Calls& connection_calls : calls) {
    senders.emplace_back([&, connection = &connection_calls] {
      rpc::ClientOptions co;
      co.port = node.rpc_port();
      co.timeout = std::chrono::seconds(120);
      rpc::Client client(co);
      Status sent = client.CallPipelined(*connection, args.rpc_batch, args.window, on_result);
      std::lock_guard<std::mutex> lock(mu);
      if (error.ok()) error = sent;
    });
  }
  for (auto& th : senders) th.join();
  // Ctrl-C during the sending is seen once every answer is in (a few seconds).
  CIVIC_RETURN_IF_ERROR(bench::CheckInterrupted());
  CIVIC_RETURN_IF_ERROR(error);
  auto t_sent = Clock::now();
  r.sent = requests;
  r.admitted = admitted.load();
  CIVIC_ASSIGN_OR_RETURN(auto t_done, AwaitCommitted(&counter, r.admitted, args.stall_s));
  CIVIC_ASSIGN_OR_RETURN(double cpu1, bench::ProcessCpuSeconds(node.pid()));
  r.committed = counter.txs_ok();
  r.failed = counter.txs_failed();
  r.first_failure = counter.first_failure();
  r.submit_s = Seconds(t0, t_sent);
  r.commit_s = Seconds(t0, t_done);
  r.node_cpu_s = cpu1 - cpu0;
  return r;
}

struct BatchResult {
  uint64_t certs = 0, txs = 0, failed_txs = 0;
  uint64_t mempool_full_retries = 0;
  double build_s = 0, commit_s = 0, node_cpu_s = 0;
  uint64_t tx_bytes_total = 0;
  std::string first_failure;
};

Result<BatchResult> RunBatch(const IssueArgs& args, const IssuePlan& plan, bench::BenchNode& node, NodeApi& api) {
  BatchResult r;
  CIVIC_ASSIGN_OR_RETURN(ChainStatusInfo st, GetChainStatus(api));
  Out() << "batched issuance: building and signing " << Grouped(args.certs) << " certificates in txs of "
            << Grouped(args.batch) << "..." << std::flush;
  auto b0 = Clock::now();
  CIVIC_ASSIGN_OR_RETURN(std::vector<Bytes> txs, BuildIssueTxs(plan, kBatchSerialPrefix, 0, args.certs, args.batch,
                                                               st.height + kValidBlocks));
  r.build_s = Seconds(b0, Clock::now());
  CIVIC_ASSIGN_OR_RETURN(st, GetChainStatus(api));
  CommitCounter counter(&api, st.height);
  std::vector<std::string> hex(txs.size());
  for (size_t i = 0; i < txs.size(); ++i) {
    uint64_t in_tx = std::min<uint64_t>(args.batch, args.certs - i * args.batch);
    counter.Expect(ToHex(ledger::TxId(txs[i])), in_tx);
    r.tx_bytes_total += txs[i].size();
    hex[i] = ToHex(txs[i]);
  }
  txs.clear();
  txs.shrink_to_fit();
  r.txs = hex.size();
  Out() << " done in " << Fixed(r.build_s, 1) << " s (" << Grouped(r.tx_bytes_total / std::max<uint64_t>(1, r.txs))
            << " bytes per tx); sending " << Grouped(r.txs) << " txs over " << args.batch_connections
            << " connections\n";

  CIVIC_ASSIGN_OR_RETURN(double cpu0, bench::ProcessCpuSeconds(node.pid()));
  auto t0 = Clock::now();
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> retries{0};
  std::mutex mu;
  Status error;
  auto sender = [&] {
    auto client = ConnectNode(node.rpc_url());
    if (!client.ok()) {
      std::lock_guard<std::mutex> lock(mu);
      if (error.ok()) error = client.status();
      return;
    }
    for (;;) {
      size_t i = next++;
      if (i >= hex.size()) return;
      // Keep at most `max_pending` txs waiting in the mempool: a refused 2 MB tx
      // would still cost the node its decoding.
      for (;;) {
        if (bench::Interrupted()) return;
        auto status = (*client)->Call("chain_status", json::object{});
        if (!status.ok() || !status->is_object()) break;
        const json::value* size = status->as_object().if_contains("mempool_size");
        if (!size || !size->is_number() || size->to_number<double>() < static_cast<double>(args.max_pending)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      for (;;) {
        if (bench::Interrupted()) return;
        auto res = (*client)->Call("tx_submit", json::object{{"tx", hex[i]}});
        if (res.ok()) break;
        if (res.status().app_code() == err::MEMPOOL_FULL) {
          ++retries;
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        if (error.ok()) error = res.status();
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (uint64_t i = 0; i < args.batch_connections; ++i) threads.emplace_back(sender);
  for (auto& th : threads) th.join();
  CIVIC_RETURN_IF_ERROR(bench::CheckInterrupted());
  CIVIC_RETURN_IF_ERROR(error);
  CIVIC_ASSIGN_OR_RETURN(auto t_done, AwaitCommitted(&counter, r.txs, args.stall_s));
  CIVIC_ASSIGN_OR_RETURN(double cpu1, bench::ProcessCpuSeconds(node.pid()));
  r.certs = counter.certs();
  r.failed_txs = counter.txs_failed();
  r.first_failure = counter.first_failure();
  r.commit_s = Seconds(t0, t_done);
  r.node_cpu_s = cpu1 - cpu0;
  r.mempool_full_retries = retries.load();
  return r;
}


CmdStatus BenchIssue(const IssueArgs& args, const CommonOptions& common) {
  CIVIC_USAGE_IF_ERROR(CheckIssueArgs(args));
  bench::InstallInterruptHandler();
  g_out = common.json ? &std::cerr : &std::cout;  // with --json, stdout holds only the JSON
  Out() << std::unitbuf;  // progress lines appear at once, also when piped

  Out() << "floor: measuring single-core Ed25519 verification..." << std::flush;
  bench::VerifyFloor floor = bench::MeasureVerifyFloor(crypto::Algo::kEd25519, 400, 2.0);
  Out() << " " << Grouped(static_cast<uint64_t>(floor.single_core_per_sec)) << "/s x " << floor.cores
            << " cores = " << Grouped(static_cast<uint64_t>(floor.floor_per_sec())) << " verifications/s\n";

  bench::BenchNodeOptions no;
  no.civicd = args.civicd;
  no.dir = args.data;
  no.create = true;
  uint64_t single_txs = args.skip_single ? 0 : args.txs;
  no.tune = [single_txs](node::Config* c) {
    // Room for every pipelined single-certificate tx at once (the default is 20,000).
    c->mempool.max_txs = std::max<size_t>(c->mempool.max_txs, single_txs + 1000);
    // A batch of --batch certificates (up to 10,000) travels as one hex-encoded
    // tx: more than the 1 MiB body a production node accepts.
    c->rpc.max_body_bytes = std::max<size_t>(c->rpc.max_body_bytes, 24u << 20);
  };
  CIVIC_ASSIGN_OR_RETURN(std::unique_ptr<bench::BenchNode> node, bench::BenchNode::Open(no));
  CIVIC_RETURN_IF_ERROR(node->Start());
  Out() << "civicd pid " << node->pid() << " on " << node->rpc_url() << ", network folder "
            << node->network().dir << "\n";
  CIVIC_ASSIGN_OR_RETURN(std::unique_ptr<NodeApi> api, ConnectNode(node->rpc_url()));
  CIVIC_ASSIGN_OR_RETURN(IssuePlan plan, LoadPlan(*node, *api));

  json::object out;
  out["floor"] = json::object{{"algo", "ed25519"},
                              {"single_core_verify_per_sec", floor.single_core_per_sec},
                              {"cores", floor.cores},
                              {"floor_per_sec", floor.floor_per_sec()}};
  SingleResult single;
  if (!args.skip_single) {
    CIVIC_ASSIGN_OR_RETURN(single, RunSingle(args, plan, *node, *api));
    double rate = single.commit_s > 0 ? static_cast<double>(single.committed) / single.commit_s : 0;
    double ratio = floor.floor_per_sec() > 0 ? rate / floor.floor_per_sec() : 0;
    std::string rejected;
    for (const auto& [code, n] : single.rejected) rejected += " " + code + " x" + Grouped(n);
    double per_cpu = single.node_cpu_s > 0 ? static_cast<double>(single.committed) / single.node_cpu_s : 0;
    double cpu_ratio = floor.single_core_per_sec > 0 ? per_cpu / floor.single_core_per_sec : 0;
    Out() << "  sent " << Grouped(single.sent) << " requests, admitted " << Grouped(single.admitted) << " txs in "
              << Fixed(single.submit_s, 2) << " s" << (rejected.empty() ? "" : ", refused:" + rejected) << "\n"
              << "  committed " << Grouped(single.committed) << " txs (" << single.failed << " failed in block) in "
              << Fixed(single.commit_s, 2) << " s: " << Fixed(rate, 0) << " tx/s; civicd CPU "
              << Fixed(single.node_cpu_s, 1) << " s\n"
              << "  committed tx/s / floor = " << Fixed(ratio, 3) << " (target >= 0.6: " << Verdict(ratio >= 0.6)
              << ")\n"
              << "  per civicd CPU-second: " << Fixed(per_cpu, 0) << " txs = " << Fixed(cpu_ratio, 3)
              << " of the single-core verification rate (the ratio with every core given to civicd)\n";
    if (!single.first_failure.empty()) Out() << "  first failure: " << single.first_failure << "\n";
    json::object rej;
    for (const auto& [code, n] : single.rejected) rej[code] = n;
    out["single"] = json::object{{"txs_sent", single.sent},         {"admitted", single.admitted},
                                 {"committed", single.committed},    {"failed", single.failed},
                                 {"tx_bytes", single.tx_bytes},      {"submit_seconds", single.submit_s},
                                 {"commit_seconds", single.commit_s}, {"committed_tx_per_sec", rate},
                                 {"ratio_to_floor", ratio},          {"node_cpu_seconds", single.node_cpu_s},
                                 {"txs_per_node_cpu_second", per_cpu}, {"cpu_ratio_to_single_core", cpu_ratio},
                                 {"refused", std::move(rej)}};
  }

  CIVIC_ASSIGN_OR_RETURN(BatchResult batch, RunBatch(args, plan, *node, *api));
  double cert_rate = batch.commit_s > 0 ? static_cast<double>(batch.certs) / batch.commit_s : 0;
  Out() << "  committed " << Grouped(batch.certs) << " certificates in " << Grouped(batch.txs) << " txs ("
            << batch.failed_txs << " failed) in " << Fixed(batch.commit_s, 2) << " s: " << Fixed(cert_rate, 0)
            << " certificates/s (target >= 50,000: " << Verdict(cert_rate >= 50'000) << "); civicd CPU "
            << Fixed(batch.node_cpu_s, 1) << " s (" << Fixed(batch.node_cpu_s > 0 ? batch.certs / batch.node_cpu_s : 0, 0)
            << " certificates per civicd CPU-second); MEMPOOL_FULL retries " << batch.mempool_full_retries << "\n";
  if (!batch.first_failure.empty()) Out() << "  first failure: " << batch.first_failure << "\n";

  // Memory after the load, then the disk once civicd has stopped.
  CIVIC_ASSIGN_OR_RETURN(bench::ProcessMemory mem, bench::ReadProcessMemory(node->pid()));
  uint64_t raw_record = 0;
  if (batch.certs > 0) {
    CIVIC_ASSIGN_OR_RETURN(std::string id, contracts::MakeCertId(plan.type_code, plan.org,
                                                                 Serial(kBatchSerialPrefix, 0), 1));
    CIVIC_ASSIGN_OR_RETURN(raw_record, RawRecordBytes(*api, id));
  }
  CIVIC_RETURN_IF_ERROR(node->Stop());
  CIVIC_ASSIGN_OR_RETURN(bench::DiskUsage du, bench::MeasureDiskUsage(node->data_dir()));
  uint64_t on_chain = batch.certs + single.committed;
  double per_cert = on_chain ? static_cast<double>(du.allocated_bytes) / static_cast<double>(on_chain) : 0;
  double tx_per_cert = batch.certs ? static_cast<double>(batch.tx_bytes_total) / static_cast<double>(args.certs) : 0;
  Out() << "civicd memory after the load: VmRSS " << Grouped(mem.rss_kb / 1024) << " MiB, VmHWM "
            << Grouped(mem.hwm_kb / 1024) << " MiB\n"
            << "disk: " << Grouped(du.allocated_bytes) << " bytes (du) for " << Grouped(on_chain)
            << " certificates = " << Fixed(per_cert, 0) << " bytes/certificate; raw record (state key + encoded "
            << "pb::Certificate) " << raw_record << " bytes: " << Fixed(raw_record ? per_cert / raw_record : 0, 2)
            << "x (target <= 2x: " << Verdict(raw_record && per_cert <= 2.0 * raw_record) << "); batch tx bytes per "
            << "certificate " << Fixed(tx_per_cert, 0) << "\n";

  out["batch"] = json::object{{"certificates", batch.certs},     {"txs", batch.txs},
                              {"failed_txs", batch.failed_txs},  {"certs_per_tx", args.batch},
                              {"build_seconds", batch.build_s},  {"commit_seconds", batch.commit_s},
                              {"certificates_per_sec", cert_rate}, {"node_cpu_seconds", batch.node_cpu_s},
                              {"mempool_full_retries", batch.mempool_full_retries},
                              {"tx_bytes_per_certificate", tx_per_cert}};
  out["memory"] = json::object{{"vm_rss_kb", mem.rss_kb}, {"vm_hwm_kb", mem.hwm_kb}};
  out["disk"] = json::object{{"du_bytes", du.allocated_bytes},
                             {"apparent_bytes", du.apparent_bytes},
                             {"certificates", on_chain},
                             {"bytes_per_certificate", per_cert},
                             {"raw_record_bytes", raw_record},
                             {"ratio_to_raw", raw_record ? per_cert / raw_record : 0}};

  if (!args.data.empty()) {
    json::object manifest{{"type_code", plan.type_code},
                          {"issuer_org", plan.org},
                          {"serial_prefix", kBatchSerialPrefix},
                          {"serial_digits", kSerialDigits},
                          {"certificates", batch.certs == args.certs ? args.certs : 0}};
    CIVIC_RETURN_IF_ERROR(
        WriteFileAtomic(node->network().Path(kManifestFile), json::serialize(manifest) + "\n", 0644));
    Out() << "network kept in " << node->network().dir << " (civic bench verify --data " << args.data << ")\n";
    out["data"] = node->network().dir;
  }
  if (common.json) PrintJson(out);
  return CmdStatus::Ok();
}

// ---- bench verify

struct VerifyArgs {
  std::string data;
  std::string civicd;
  uint64_t certs = 1'000'000;
  uint64_t batch = 5'000;
  uint64_t duration_s = 10;
  uint64_t connections = 32;
  uint64_t threads = 2;
  uint64_t ids = 10'000;
  uint64_t warmup_s = 2;
  bool rest = false;
  bool proof = false;  // also cert_proof under the same load, for the ratio to cert_verify
  std::string wrk = "/usr/bin/wrk";
  std::string nginx = "/usr/sbin/nginx";
};

Status CheckVerifyArgs(const VerifyArgs& a) {
  CIVIC_RETURN_IF_ERROR(bench::CheckRange("--certs", a.certs, 1, 10'000'000));
  CIVIC_RETURN_IF_ERROR(bench::CheckRange("--batch", a.batch, 1, 10'000));
  CIVIC_RETURN_IF_ERROR(bench::CheckRange("--duration", a.duration_s, 1, 600));
  CIVIC_RETURN_IF_ERROR(bench::CheckRange("--connections", a.connections, 1, 1000));
  CIVIC_RETURN_IF_ERROR(bench::CheckRange("--threads", a.threads, 1, 64));
  CIVIC_RETURN_IF_ERROR(bench::CheckRange("--ids", a.ids, 1, 1'000'000));
  CIVIC_RETURN_IF_ERROR(bench::CheckRange("--warmup", a.warmup_s, 0, 60));
  if (a.connections < a.threads) {
    return Status::InvalidArgument(err::BENCH_BAD_ARGUMENT, "--connections (" + std::to_string(a.connections) +
                                                             ") must be at least --threads (" +
                                                             std::to_string(a.threads) + ")");
  }
  return Status::Ok();
}

struct Manifest {
  std::string type_code, issuer_org, serial_prefix;
  uint64_t serial_digits = 0, certificates = 0;
};

Result<Manifest> ReadManifest(const Network& net) {
  auto bad = [&](std::string why) {
    return Status(Code::kFailedPrecondition, err::BENCH_NO_CERTIFICATES,
                  net.Path(kManifestFile) + ": " + why + "; create the data with `civic bench issue --data DIR`");
  };
  auto text = ReadFile(net.Path(kManifestFile));
  if (!text.ok()) return bad("cannot be read (" + text.status().message() + ")");
  json::error_code ec;
  json::value v = json::parse(*text, ec);
  if (ec || !v.is_object()) return bad("is not a JSON object");
  const json::object& o = v.get_object();
  Manifest m;
  m.type_code = StrMember(o, "type_code");
  m.issuer_org = StrMember(o, "issuer_org");
  m.serial_prefix = StrMember(o, "serial_prefix");
  m.serial_digits = static_cast<uint64_t>(IntMember(o, "serial_digits"));
  m.certificates = static_cast<uint64_t>(IntMember(o, "certificates"));
  if (m.type_code.empty() || m.issuer_org.empty() || m.serial_prefix != kBatchSerialPrefix ||
      m.serial_digits != static_cast<uint64_t>(kSerialDigits)) {
    return bad("does not name the certificates in the expected form");
  }
  if (m.certificates == 0) return bad("records no completed issuance");
  return m;
}

std::string LuaString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

// `method` is cert_verify or cert_proof (the REST form: its route's last segment).
std::string VerifyLuaScript(const std::vector<std::string>& ids, bool rest, std::string_view method = "cert_verify") {
  const std::string name(method);
  const std::string segment = method == "cert_proof" ? "proof" : "verify";
  std::string lua = "-- civic bench verify: " + name + " of random existing certificates\nlocal ids = {\n";
  for (const auto& id : ids) lua += "  " + LuaString(id) + ",\n";
  lua += "}\nlocal n = #ids\n";
  lua += "local counter = 0\n";
  lua += "setup = function(thread) counter = counter + 1; thread:set(\"seed\", counter) end\n";
  lua += "init = function(args) math.randomseed(os.time() * 1000 + (seed or 0)) end\n";
  if (rest) {
    lua += "request = function()\n  return wrk.format(\"GET\", \"/v1/certificates/\" .. ids[math.random(n)] .. "
           "\"/" + segment + "\")\nend\n";
  } else {
    lua += "local headers = { [\"Content-Type\"] = \"application/json\" }\n";
    lua += "request = function()\n  return wrk.format(\"POST\", \"/rpc\", headers, "
           "'{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + name + "\",\"params\":{\"id\":\"' .. ids[math.random(n)] "
           ".. '\"}}')\nend\n";
  }
  return lua;
}

CmdStatus BenchVerify(const VerifyArgs& args, const CommonOptions& common) {
  CIVIC_USAGE_IF_ERROR(CheckVerifyArgs(args));
  bench::InstallInterruptHandler();
  g_out = common.json ? &std::cerr : &std::cout;  // with --json, stdout holds only the JSON
  Out() << std::unitbuf;  // progress lines appear at once, also when piped
  CIVIC_RETURN_IF_ERROR(bench::CheckTools({{args.wrk, "wrk"}, {args.nginx, "nginx"}}));

  bench::BenchNodeOptions no;
  no.civicd = args.civicd;
  no.dir = args.data;
  no.create = args.data.empty();
  CIVIC_ASSIGN_OR_RETURN(std::unique_ptr<bench::BenchNode> node, bench::BenchNode::Open(no));
  Manifest manifest;
  if (!args.data.empty()) {
    CIVIC_ASSIGN_OR_RETURN(manifest, ReadManifest(node->network()));
  }
  CIVIC_RETURN_IF_ERROR(node->Start());
  Out() << "civicd pid " << node->pid() << " on " << node->rpc_url() << ", network folder "
            << node->network().dir << "\n";
  CIVIC_ASSIGN_OR_RETURN(std::unique_ptr<NodeApi> api, ConnectNode(node->rpc_url()));
  if (args.data.empty()) {
    IssueArgs ia;
    ia.certs = args.certs;
    ia.batch = args.batch;
    CIVIC_ASSIGN_OR_RETURN(IssuePlan plan, LoadPlan(*node, *api));
    CIVIC_ASSIGN_OR_RETURN(BatchResult b, RunBatch(ia, plan, *node, *api));
    if (b.certs != args.certs) {
      return Status(Code::kInternal, err::BENCH_ISSUE_FAILED,
                    "only " + Grouped(b.certs) + " of " + Grouped(args.certs) + " certificates were issued: " +
                        b.first_failure);
    }
    manifest = {plan.type_code, plan.org, kBatchSerialPrefix, kSerialDigits, b.certs};
  }

  // Random existing ids; a sample must verify as genuine.
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_int_distribution<uint64_t> pick(0, manifest.certificates - 1);
  std::vector<std::string> ids;
  uint64_t sample = std::min(args.ids, manifest.certificates);
  for (uint64_t i = 0; i < sample; ++i) {
    CIVIC_ASSIGN_OR_RETURN(std::string id, contracts::MakeCertId(manifest.type_code, manifest.issuer_org,
                                                                 Serial(kBatchSerialPrefix, pick(rng)), 1));
    ids.push_back(std::move(id));
  }
  for (size_t i = 0; i < std::min<size_t>(ids.size(), 20); ++i) {
    CIVIC_ASSIGN_OR_RETURN(json::value v, api->Call("cert_verify", json::object{{"id", ids[i]}}));
    if (!v.is_object() || !v.as_object().contains("genuine") || !v.as_object().at("genuine").is_bool() ||
        !v.as_object().at("genuine").get_bool()) {
      return Status(Code::kFailedPrecondition, err::BENCH_NO_CERTIFICATES,
                    "certificate " + ids[i] + " does not verify as genuine on this node: " + json::serialize(v));
    }
  }
  if (args.proof) {
    CIVIC_ASSIGN_OR_RETURN(json::value v, api->Call("cert_proof", json::object{{"id", ids[0]}}));
    if (!v.is_object() || !v.as_object().contains("proof")) {
      return Status(Code::kInternal, err::BAD_RESPONSE, "cert_proof answered without a proof: " + json::serialize(v));
    }
  }
  // One answer's exact bytes: nginx serves a file of the same size.
  rpc::ClientOptions co;
  co.port = node->rpc_port();
  rpc::Client http(co);
  Result<rpc::HttpResponse> sample_answer =
      args.rest ? http.Request("GET", "/v1/certificates/" + ids[0] + "/verify")
                : http.Request("POST", "/rpc",
                               R"({"jsonrpc":"2.0","id":1,"method":"cert_verify","params":{"id":")" + ids[0] + "\"}}");
  if (!sample_answer.ok()) return sample_answer.status();
  if (sample_answer->status != 200) {
    return Status(Code::kInternal, err::BAD_RESPONSE, "cert_verify answered HTTP " + std::to_string(sample_answer->status));
  }
  const std::string answer = sample_answer->body;

  CIVIC_ASSIGN_OR_RETURN(bench::TempDir scratch, bench::TempDir::Create("civic-bench-wrk-"));
  std::string script = scratch.path() + "/cert_verify.lua";
  CIVIC_RETURN_IF_ERROR(WriteFileWithMode(script, VerifyLuaScript(ids, args.rest), 0644));

  bench::WrkOptions wo;
  wo.wrk = args.wrk;
  wo.threads = static_cast<int>(args.threads);
  wo.connections = static_cast<int>(args.connections);
  std::string target = node->rpc_url() + (args.rest ? "/" : "/rpc");
  Out() << "wrk -t" << args.threads << " -c" << args.connections << " -d" << args.duration_s
            << "s --latency: cert_verify of " << Grouped(ids.size()) << " random ids out of "
            << Grouped(manifest.certificates) << " (" << (args.rest ? "GET /v1/certificates/{id}/verify" : "POST /rpc")
            << "), answer " << answer.size() << " bytes\n";
  if (args.warmup_s > 0) {
    wo.url = target;
    wo.script = script;
    wo.duration_s = static_cast<int>(args.warmup_s);
    CIVIC_RETURN_IF_ERROR(bench::RunWrk(wo).status());
  }
  wo.url = target;
  wo.script = script;
  wo.duration_s = static_cast<int>(args.duration_s);
  CIVIC_ASSIGN_OR_RETURN(double cpu0, bench::ProcessCpuSeconds(node->pid()));
  CIVIC_ASSIGN_OR_RETURN(bench::WrkResult civic, bench::RunWrk(wo));
  CIVIC_ASSIGN_OR_RETURN(double cpu1, bench::ProcessCpuSeconds(node->pid()));
  CIVIC_ASSIGN_OR_RETURN(bench::ProcessMemory mem, bench::ReadProcessMemory(node->pid()));
  std::optional<bench::WrkResult> proof;
  if (args.proof) {
    std::string proof_script = scratch.path() + "/cert_proof.lua";
    CIVIC_RETURN_IF_ERROR(WriteFileWithMode(proof_script, VerifyLuaScript(ids, args.rest, "cert_proof"), 0644));
    wo.script = proof_script;
    CIVIC_ASSIGN_OR_RETURN(proof, bench::RunWrk(wo));
  }
  CIVIC_RETURN_IF_ERROR(node->Stop());

  CIVIC_ASSIGN_OR_RETURN(uint16_t nginx_port, FindFreePorts(1));
  bench::NginxOptions nopt;
  nopt.nginx = args.nginx;
  nopt.port = nginx_port;
  nopt.body = answer;
  CIVIC_ASSIGN_OR_RETURN(std::unique_ptr<bench::NginxServer> nginx, bench::NginxServer::Start(nopt));
  wo.url = nginx->url();
  wo.script.clear();
  if (args.warmup_s > 0) {
    wo.duration_s = static_cast<int>(args.warmup_s);
    CIVIC_RETURN_IF_ERROR(bench::RunWrk(wo).status());
  }
  wo.duration_s = static_cast<int>(args.duration_s);
  CIVIC_ASSIGN_OR_RETURN(bench::WrkResult ref, bench::RunWrk(wo));
  nginx->Stop();

  double ratio = ref.requests_per_sec > 0 ? civic.requests_per_sec / ref.requests_per_sec : 0;
  auto line = [](const char* name, const bench::WrkResult& w) {
    Out() << "  " << name << Fixed(w.requests_per_sec, 0) << " req/s, p50 " << Fixed(w.p50(), 3) << " ms, p99 "
              << Fixed(w.p99(), 3) << " ms (" << Grouped(w.requests) << " requests, " << w.non_2xx << " non-2xx, "
              << w.socket_errors << " socket errors)\n";
  };
  line("civicd cert_verify: ", civic);
  line("nginx static file:  ", ref);
  if (proof) {
    line("civicd cert_proof:  ", *proof);
    const double proof_ratio = civic.requests_per_sec > 0 ? proof->requests_per_sec / civic.requests_per_sec : 0;
    Out() << "  cert_proof " << Fixed(proof_ratio, 3) << " of cert_verify (target >= 0.5: " << Verdict(proof_ratio >= 0.5)
          << ")\n";
  }
  Out() << "  ratio " << Fixed(ratio, 3) << " of nginx (target >= 0.5: " << Verdict(ratio >= 0.5)
            << "); p99 " << Fixed(civic.p99(), 3) << " ms (target <= 5 ms: " << Verdict(civic.p99() <= 5.0)
            << "); civicd CPU " << Fixed(cpu1 - cpu0, 1) << " s in " << args.duration_s << " s; VmRSS "
            << Grouped(mem.rss_kb / 1024) << " MiB, VmHWM " << Grouped(mem.hwm_kb / 1024) << " MiB\n";
  if (civic.non_2xx > 0 || civic.socket_errors > 0) {
    Out() << "  warning: civicd answered " << civic.non_2xx << " non-2xx and had " << civic.socket_errors
              << " socket errors; its rate counts them\n";
  }
  if (common.json) {
    auto wj = [](const bench::WrkResult& w) {
      return json::object{{"requests_per_sec", w.requests_per_sec}, {"p50_ms", w.p50()}, {"p99_ms", w.p99()},
                          {"requests", w.requests},                 {"non_2xx", w.non_2xx},
                          {"socket_errors", w.socket_errors}};
    };
    json::object result{{"civicd", wj(civic)},
                           {"nginx", wj(ref)},
                           {"ratio", ratio},
                           {"answer_bytes", answer.size()},
                           {"certificates", manifest.certificates},
                           {"node_cpu_seconds", cpu1 - cpu0},
                           {"memory", json::object{{"vm_rss_kb", mem.rss_kb}, {"vm_hwm_kb", mem.hwm_kb}}}};
    if (proof) result["cert_proof"] = wj(*proof);
    PrintJson(result);
  }
  return CmdStatus::Ok();
}

}  // namespace

void AddBenchCertCommands(CLI::App* bench, CliContext* ctx) {
  auto* issue = bench->add_subcommand(
      "issue",
      "Issuance throughput against a civicd the bench starts: committed single-certificate\n"
      "txs/s vs. the Ed25519 verification floor, then batched certificates/s, disk bytes per\n"
      "certificate and civicd's resident memory.");
  auto ia = std::make_shared<IssueArgs>();
  issue->add_option("--certs", ia->certs, "Certificates issued in batches (default 1,000,000)");
  issue->add_option("--batch", ia->batch, "Certificates per batch tx (default 5,000; the chain allows 10,000)");
  issue->add_option("--txs", ia->txs, "Single-certificate txs (default 20,000)");
  issue->add_option("--connections", ia->connections, "Connections for single-certificate txs (default 8)");
  issue->add_option("--window", ia->window, "Pipelined requests per connection (default 64)");
  issue->add_option("--rpc-batch", ia->rpc_batch,
                    "tx_submit calls per HTTP request (a JSON-RPC batch; default 1, at most 100)");
  issue->add_option("--batch-connections", ia->batch_connections, "Connections for batch txs (default 2)");
  issue->add_option("--max-pending", ia->max_pending,
                    "Batch txs the bench lets wait in the mempool before sending more (default 32)");
  issue->add_option("--stall-timeout", ia->stall_s, "Give up when no block arrives for this many seconds (default 120)");
  issue->add_flag("--skip-single", ia->skip_single, "Only the batched issuance");
  issue->add_option("--data", ia->data, "Keep the network in this new folder (for bench verify --data)");
  issue->add_option("--civicd", ia->civicd, "Path to civicd (default: next to civic, or on PATH)");
  AddJsonOption(issue, ctx);
  OnRun(issue, ctx, [ia, ctx] { return BenchIssue(*ia, ctx->common); });

  auto* verify = bench->add_subcommand(
      "verify",
      "cert_verify over HTTP keep-alive (wrk) against a civicd holding the certificates,\n"
      "and nginx serving a static file of the same size under the same load.");
  auto va = std::make_shared<VerifyArgs>();
  verify->add_option("--data", va->data, "A network folder written by `civic bench issue --data` (default: build one)");
  verify->add_option("--certs", va->certs, "Certificates to issue first when no --data is given (default 1,000,000)");
  verify->add_option("--batch", va->batch, "Certificates per batch tx when building (default 5,000)");
  verify->add_option("--duration", va->duration_s, "Seconds of load per server (default 10)");
  verify->add_option("--warmup", va->warmup_s, "Seconds of warm-up load per server (default 2)");
  verify->add_option("--connections", va->connections, "wrk connections (default 32)");
  verify->add_option("--threads", va->threads, "wrk threads (default 2)");
  verify->add_option("--ids", va->ids, "Random certificate ids the script picks from (default 10,000)");
  verify->add_flag("--rest", va->rest, "GET /v1/certificates/{id}/verify instead of POST /rpc cert_verify");
  verify->add_flag("--proof", va->proof, "Also cert_proof (or GET .../proof) under the same load: its rate against cert_verify's");
  verify->add_option("--wrk", va->wrk, "Path to wrk (default /usr/bin/wrk; scripts/setup bench installs it)");
  verify->add_option("--nginx", va->nginx, "Path to nginx (default /usr/sbin/nginx; scripts/setup bench installs it)");
  verify->add_option("--civicd", va->civicd, "Path to civicd (default: next to civic, or on PATH)");
  AddJsonOption(verify, ctx);
  OnRun(verify, ctx, [va, ctx] { return BenchVerify(*va, ctx->common); });
}

}  // namespace civic::tools
