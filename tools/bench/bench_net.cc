// civic bench net | bench net-load: see tools/bench/bench_net.h.
//
// bench net, in one run:
//   1. The floor: single-core Ed25519 verification rate (in-process loop) x cores
//      / validators: every validator verifies every tx once, so the machine's
//      verification capacity is shared by the validators.
//   2. Four validators (BFT engine, synced writes) from `civic net init 4` in a
//      temp folder (bench::BenchChain).
//   3. Maximum committed tx/s: single-certificate txs in a closed loop that keeps
//      --max-pending txs submitted but not yet committed, spread over the four
//      nodes' RPC ports; the rate is counted in the window after the warm-up.
//   4. Commit latency (tx_submit -> the block holding the tx seen on node0) in an
//      open loop on a fixed schedule at 50% and at 100% of that maximum; the
//      latency runs from the scheduled send time, so a sender that falls behind
//      counts its lag.
//   5. Batched issuance: txs of --batch-certs certificates, at most
//      --batch-pending of them waiting; certificates/s from the first send to the
//      last commit.
//   6. Catch-up: node3 is stopped (SIGTERM), the other three keep committing
//      under the closed loop for --catchup-seconds, then node3 is restarted and
//      timed until it holds every block committed while it was down; its
//      blocks/s and txs/s against the rate at which those blocks were committed.
// Every load phase is a `civic-bench net-load` child process (ChildProcess); the
// chain and every child are stopped on any error return and on Ctrl-C.
#include "tools/bench/bench_net.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "crypto/keyfile.h"
#include "ledger/tx.h"
#include "rpc/error_codes.h"
#include "tools/bench/bench_audit_net.h"
#include "tools/bench/bench_common.h"
#include "tools/bench/bench_commands.h"
#include "tools/common/errors.h"
#include "tools/common/files.h"

namespace civic::tools {
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace bench {

namespace {

Status BadReport(const std::string& why) {
  return Status(Code::kInternal, err::BENCH_BAD_TOOL_OUTPUT, "the load process's report " + why);
}

// A non-negative integer member, or an error naming it.
Status ReadCount(const json::object& o, const char* key, uint64_t* out) {
  const json::value* v = o.if_contains(key);
  if (!v) return BadReport("has no \"" + std::string(key) + "\"");
  if (v->is_uint64()) {
    *out = v->get_uint64();
  } else if (v->is_int64() && v->get_int64() >= 0) {
    *out = static_cast<uint64_t>(v->get_int64());
  } else {
    return BadReport("has \"" + std::string(key) + "\" that is not a non-negative integer");
  }
  return Status::Ok();
}

std::optional<double> NonNegativeNumber(const json::value& v) {
  double d = 0;
  if (v.is_double()) d = v.get_double();
  else if (v.is_int64()) d = static_cast<double>(v.get_int64());
  else if (v.is_uint64()) d = static_cast<double>(v.get_uint64());
  else return std::nullopt;
  if (!std::isfinite(d) || d < 0) return std::nullopt;
  return d;
}

Status ReadSeconds(const json::object& o, const char* key, double* out) {
  const json::value* v = o.if_contains(key);
  if (!v) return BadReport("has no \"" + std::string(key) + "\"");
  auto d = NonNegativeNumber(*v);
  if (!d) return BadReport("has \"" + std::string(key) + "\" that is not a finite non-negative number");
  *out = *d;
  return Status::Ok();
}

}  // namespace

Result<std::vector<uint16_t>> ParsePortList(std::string_view text) {
  std::vector<uint16_t> ports;
  auto bad = [&] {
    return Status::InvalidArgument(err::BENCH_BAD_ARGUMENT,
                                   "--ports must list RPC ports 1 to 65535 separated by commas, not \"" +
                                       std::string(text) + "\"");
  };
  if (text.empty()) return bad();
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view part = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    uint32_t port = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), port);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size() || port == 0 || port > 65535) {
      return bad();
    }
    ports.push_back(static_cast<uint16_t>(port));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (ports.size() > 64) return bad();
  return ports;
}

Status CheckNetLoadArgs(const NetLoadArgs& a) {
  if (a.net_dir.empty()) return Status::InvalidArgument(err::BENCH_BAD_ARGUMENT, "--net names the network folder");
  CIVIC_RETURN_IF_ERROR(ParsePortList(a.ports).status());
  CIVIC_RETURN_IF_ERROR(CheckRange("--watch-port", a.watch_port, 1, 65535));
  CIVIC_RETURN_IF_ERROR(CheckRange("--rate", a.rate, 0, 1'000'000));
  CIVIC_RETURN_IF_ERROR(CheckRange("--max-pending", a.max_pending, 1, 1'000'000));
  CIVIC_RETURN_IF_ERROR(CheckRange("--seconds", a.seconds, 1, 3600));
  CIVIC_RETURN_IF_ERROR(CheckRange("--warmup", a.warmup, 0, 600));
  CIVIC_RETURN_IF_ERROR(CheckRange("--txs", a.txs, 1, 10'000'000));
  CIVIC_RETURN_IF_ERROR(CheckRange("--certs-per-tx", a.certs_per_tx, 1, 10'000));
  CIVIC_RETURN_IF_ERROR(CheckRange("--connections", a.connections, 1, 256));
  CIVIC_RETURN_IF_ERROR(CheckRange("--stall-timeout", a.stall_s, 5, 3600));
  if (a.warmup >= a.seconds) {
    return Status::InvalidArgument(err::BENCH_BAD_ARGUMENT, "--warmup (" + std::to_string(a.warmup) +
                                                             ") must be less than --seconds (" +
                                                             std::to_string(a.seconds) + ")");
  }
  if (a.serial_prefix.empty() || a.serial_prefix.size() > 8 ||
      !std::all_of(a.serial_prefix.begin(), a.serial_prefix.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); })) {
    return Status::InvalidArgument(err::BENCH_BAD_ARGUMENT, "--serial-prefix must be 1 to 8 letters or digits");
  }
  return Status::Ok();
}

Status CheckNetBenchArgs(const NetBenchArgs& a) {
  CIVIC_RETURN_IF_ERROR(CheckRange("--seconds", a.seconds, 5, 600));
  CIVIC_RETURN_IF_ERROR(CheckRange("--latency-seconds", a.latency_seconds, 5, 600));
  CIVIC_RETURN_IF_ERROR(CheckRange("--warmup", a.warmup, 0, 60));
  CIVIC_RETURN_IF_ERROR(CheckRange("--max-pending", a.max_pending, 10, 100'000));
  CIVIC_RETURN_IF_ERROR(CheckRange("--max-txs", a.max_txs, 100, 2'000'000));
  CIVIC_RETURN_IF_ERROR(CheckRange("--connections", a.connections, 1, 256));
  CIVIC_RETURN_IF_ERROR(CheckRange("--batch-certs", a.batch_certs, 1, 10'000));
  CIVIC_RETURN_IF_ERROR(CheckRange("--batch-txs", a.batch_txs, 1, 10'000));
  CIVIC_RETURN_IF_ERROR(CheckRange("--batch-pending", a.batch_pending, 1, 1000));
  CIVIC_RETURN_IF_ERROR(CheckRange("--catchup-seconds", a.catchup_seconds, 5, 600));
  CIVIC_RETURN_IF_ERROR(CheckRange("--floor-seconds", a.floor_seconds, 1, 60));
  CIVIC_RETURN_IF_ERROR(CheckRange("--stall-timeout", a.stall_s, 5, 3600));
  for (auto [name, phase] : {std::pair<const char*, uint64_t>{"--seconds", a.seconds},
                             {"--latency-seconds", a.latency_seconds}}) {
    if (a.warmup >= phase) {
      return Status::InvalidArgument(err::BENCH_BAD_ARGUMENT, "--warmup (" + std::to_string(a.warmup) +
                                                               ") must be less than " + name + " (" +
                                                               std::to_string(phase) + ")");
    }
  }
  if (a.batch_certs * a.batch_txs > 10'000'000) {
    return Status::InvalidArgument(err::BENCH_BAD_ARGUMENT, "--batch-certs x --batch-txs must be at most 10,000,000");
  }
  return Status::Ok();
}

std::string FormatLoadReport(const NetLoadReport& r) {
  json::object refused;
  for (const auto& [code, n] : r.refused) refused[code] = n;
  json::array lat;
  lat.reserve(r.latencies_ms.size());
  for (double v : r.latencies_ms) lat.push_back(std::round(v * 1000) / 1000);
  json::object o{{"txs_signed", r.txs_signed},
                 {"submitted", r.submitted},
                 {"admitted", r.admitted},
                 {"committed", r.committed},
                 {"failed", r.failed},
                 {"certificates", r.certificates},
                 {"refused", std::move(refused)},
                 {"sign_seconds", r.sign_seconds},
                 {"elapsed_seconds", r.elapsed_seconds},
                 {"window_seconds", r.window_seconds},
                 {"window_committed", r.window_committed},
                 {"window_certificates", r.window_certificates},
                 {"first_height", r.first_height},
                 {"last_height", r.last_height},
                 {"ran_out", r.ran_out},
                 {"first_failure", r.first_failure},
                 {"latencies_ms", std::move(lat)}};
  return json::serialize(o) + "\n";
}

Result<NetLoadReport> ParseLoadReport(std::string_view text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return BadReport("is not JSON (" + ec.message() + ")");
  const json::object* o = v.if_object();
  if (!o) return BadReport("is not a JSON object");
  NetLoadReport r;
  for (auto [key, out] : {std::pair<const char*, uint64_t*>{"txs_signed", &r.txs_signed},
                          {"submitted", &r.submitted},
                          {"admitted", &r.admitted},
                          {"committed", &r.committed},
                          {"failed", &r.failed},
                          {"certificates", &r.certificates},
                          {"window_committed", &r.window_committed},
                          {"window_certificates", &r.window_certificates},
                          {"first_height", &r.first_height},
                          {"last_height", &r.last_height}}) {
    CIVIC_RETURN_IF_ERROR(ReadCount(*o, key, out));
  }
  CIVIC_RETURN_IF_ERROR(ReadSeconds(*o, "sign_seconds", &r.sign_seconds));
  CIVIC_RETURN_IF_ERROR(ReadSeconds(*o, "elapsed_seconds", &r.elapsed_seconds));
  CIVIC_RETURN_IF_ERROR(ReadSeconds(*o, "window_seconds", &r.window_seconds));
  const json::value* ran_out = o->if_contains("ran_out");
  if (!ran_out || !ran_out->is_bool()) return BadReport("has no boolean \"ran_out\"");
  r.ran_out = ran_out->get_bool();
  const json::value* failure = o->if_contains("first_failure");
  if (!failure || !failure->is_string()) return BadReport("has no string \"first_failure\"");
  r.first_failure = std::string(failure->get_string());
  const json::value* refused = o->if_contains("refused");
  if (!refused || !refused->is_object()) return BadReport("has no object \"refused\"");
  for (const auto& kv : refused->get_object()) {
    uint64_t n = 0;
    CIVIC_RETURN_IF_ERROR(ReadCount(refused->get_object(), std::string(kv.key()).c_str(), &n));
    r.refused[std::string(kv.key())] = n;
  }
  const json::value* lat = o->if_contains("latencies_ms");
  if (!lat || !lat->is_array()) return BadReport("has no array \"latencies_ms\"");
  r.latencies_ms.reserve(lat->get_array().size());
  for (const json::value& item : lat->get_array()) {
    auto d = NonNegativeNumber(item);
    if (!d) return BadReport("has a latency that is not a finite non-negative number");
    r.latencies_ms.push_back(*d);
  }
  if (r.committed + r.failed > r.admitted || r.admitted > r.submitted || r.submitted > r.txs_signed ||
      r.window_committed > r.committed || r.latencies_ms.size() > r.committed || r.last_height < r.first_height) {
    return BadReport("has counts that contradict each other");
  }
  return r;
}

LatencySummary SummarizeLatencies(std::vector<double> samples_ms) {
  LatencySummary s;
  s.samples = samples_ms.size();
  s.p50_ms = Percentile(&samples_ms, 50);
  s.p99_ms = Percentile(&samples_ms, 99);
  return s;
}

}  // namespace bench

namespace {

using bench::Fixed;
using bench::Grouped;
using bench::NetLoadReport;
using bench::NetBenchArgs;
using bench::NetLoadArgs;

constexpr uint32_t kValidators = 4;

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

std::string MetOrMissed(bool met) { return met ? "met" : "missed"; }

// ---- The load process

// The run's txs that are submitted and not yet seen in a block, and what was seen.
class CommitWatcher {
 public:
  struct Sent {
    Clock::time_point at;  // submit time (the scheduled one in the open loop)
    uint64_t certs = 0;
    bool in_window = false;
  };
  struct Commit {
    Clock::time_point at;
    uint64_t certs = 0;
  };

  CommitWatcher(NodeApi* api, uint64_t from_height) : api_(api), height_(from_height), first_height_(from_height) {}

  void Add(const std::string& id, Sent sent) {
    std::lock_guard<std::mutex> lock(mu_);
    sent_[id] = sent;
  }
  void Remove(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    sent_.erase(id);
  }
  size_t pending() {
    std::lock_guard<std::mutex> lock(mu_);
    return sent_.size();
  }

  // Reads the blocks committed since the last call (one thread only).
  Status Poll() {
    CIVIC_ASSIGN_OR_RETURN(ChainStatusInfo status, GetChainStatus(*api_));
    while (height_ < status.height) {
      uint64_t h = height_ + 1;
      CIVIC_ASSIGN_OR_RETURN(json::value block, api_->Call("chain_getBlock", json::object{{"height", h}}));
      auto seen = Clock::now();
      const json::object* b = block.if_object();
      const json::value* txs = b ? b->if_contains("txs") : nullptr;
      if (!txs || !txs->is_array()) {
        return Status(Code::kInternal, err::BAD_RESPONSE, "chain_getBlock " + std::to_string(h) + " has no txs array");
      }
      std::lock_guard<std::mutex> lock(mu_);
      for (const json::value& tx : txs->get_array()) {
        std::string id;
        bool ok = false;
        if (!bench::ReadBlockTx(tx, &id, &ok)) continue;
        auto it = sent_.find(id);
        if (it == sent_.end()) continue;
        if (ok) {
          commits_.push_back({seen, it->second.certs});
          if (it->second.in_window) latencies_ms_.push_back(Seconds(it->second.at, seen) * 1000.0);
        } else {
          ++failed_;
          if (first_failure_.empty()) {
            const json::value* result = tx.as_object().if_contains("result");
            first_failure_ = json::serialize(result ? *result : json::value());
          }
        }
        sent_.erase(it);
      }
      height_ = h;
    }
    return Status::Ok();
  }

  uint64_t height() const { return height_; }
  uint64_t first_height() const { return first_height_; }
  const std::vector<Commit>& commits() const { return commits_; }
  const std::vector<double>& latencies_ms() const { return latencies_ms_; }
  uint64_t failed() const { return failed_; }
  const std::string& first_failure() const { return first_failure_; }

 private:
  NodeApi* api_;
  std::atomic<uint64_t> height_;
  uint64_t first_height_;
  std::mutex mu_;
  std::unordered_map<std::string, Sent> sent_;
  std::vector<Commit> commits_;
  std::vector<double> latencies_ms_;
  uint64_t failed_ = 0;
  std::string first_failure_;
};

std::string RpcUrl(uint16_t port) { return "http://127.0.0.1:" + std::to_string(port); }

Result<NetLoadReport> RunLoad(const NetLoadArgs& args) {
  CIVIC_ASSIGN_OR_RETURN(std::vector<uint16_t> ports, bench::ParsePortList(args.ports));
  CIVIC_ASSIGN_OR_RETURN(Network net, LoadNetwork(args.net_dir));
  std::string org;
  std::string key_file;
  for (const auto& o : net.orgs) {
    if (o.short_name == bench::kIssuerShortName) {
      org = o.code;
      key_file = net.Path(o.key_file);
    }
  }
  if (org.empty()) return Status::NotFound(err::NET_MALFORMED, "the network has no org 'psb'");
  CIVIC_ASSIGN_OR_RETURN(crypto::KeyPair key, crypto::ReadKeyFile(key_file));
  CIVIC_ASSIGN_OR_RETURN(std::unique_ptr<NodeApi> watch_api, ConnectNode(RpcUrl(static_cast<uint16_t>(args.watch_port))));
  CIVIC_ASSIGN_OR_RETURN(bench::IssuePlan plan, bench::LoadIssuePlan(std::move(key), org, *watch_api));
  CIVIC_ASSIGN_OR_RETURN(ChainStatusInfo st, GetChainStatus(*watch_api));
  const auto sign_start = Clock::now();
  CIVIC_ASSIGN_OR_RETURN(std::vector<Bytes> txs,
                         bench::BuildIssueTxs(plan, args.serial_prefix, 0, args.txs * args.certs_per_tx,
                                              args.certs_per_tx, st.height + bench::kValidBlocks));
  std::vector<std::string> ids(txs.size());
  for (size_t i = 0; i < txs.size(); ++i) ids[i] = ToHex(ledger::TxId(txs[i]));

  NetLoadReport report;
  report.txs_signed = txs.size();
  report.sign_seconds = Seconds(sign_start, Clock::now());
  CIVIC_ASSIGN_OR_RETURN(st, GetChainStatus(*watch_api));
  CommitWatcher watcher(watch_api.get(), st.height);

  // The watcher thread reads blocks until told to stop; `last_block` is when it
  // last saw one (or started).
  std::atomic<bool> stop_watch{false};
  std::atomic<int64_t> last_block_ns{Clock::now().time_since_epoch().count()};
  std::mutex error_mu;
  Status watch_error;
  std::thread watch_thread([&] {
    uint64_t seen = watcher.height();
    while (!stop_watch.load() && !bench::Interrupted()) {
      Status s = watcher.Poll();
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(error_mu);
        watch_error = s;  // a node busy past the client timeout: retried, and the stall limit applies
      } else if (watcher.height() != seen) {
        seen = watcher.height();
        last_block_ns = Clock::now().time_since_epoch().count();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });

  const auto t0 = Clock::now();
  const auto send_end = t0 + std::chrono::seconds(args.seconds);
  const auto window_start = t0 + std::chrono::seconds(args.warmup);
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> submitted{0}, admitted{0};
  std::atomic<bool> ran_out{false};
  std::mutex mu;
  Clock::time_point last_submit = t0;
  Status sender_error;
  auto sender = [&](size_t conn) {
    auto api = ConnectNode(RpcUrl(ports[conn % ports.size()]));
    if (!api.ok()) {
      std::lock_guard<std::mutex> lock(mu);
      if (sender_error.ok()) sender_error = api.status();
      return;
    }
    for (;;) {
      if (bench::Interrupted()) return;
      Clock::time_point at;
      size_t k = 0;
      if (args.rate > 0) {
        k = next++;
        at = t0 + std::chrono::nanoseconds(static_cast<int64_t>(1e9 * static_cast<double>(k) / args.rate));
        if (at >= send_end) return;
        if (k >= txs.size()) {
          ran_out = true;
          return;
        }
        std::this_thread::sleep_until(at);
      } else {
        if (Clock::now() >= send_end) return;
        if (watcher.pending() >= args.max_pending) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
          continue;
        }
        k = next++;
        if (k >= txs.size()) {
          ran_out = true;
          return;
        }
        at = Clock::now();
      }
      watcher.Add(ids[k], {at, args.certs_per_tx, at >= window_start});
      ++submitted;
      auto res = SubmitTx(**api, txs[k]);
      if (res.ok()) {
        ++admitted;
      } else {
        watcher.Remove(ids[k]);
        std::lock_guard<std::mutex> lock(mu);
        ++report.refused[res.status().app_code().empty() ? CodeName(res.status().code()) : res.status().app_code()];
      }
      std::lock_guard<std::mutex> lock(mu);
      last_submit = std::max(last_submit, Clock::now());
    }
  };
  std::vector<std::thread> senders;
  for (size_t c = 0; c < args.connections; ++c) senders.emplace_back(sender, c);
  for (auto& th : senders) th.join();

  // Wait for the admitted txs to reach a block.
  Status drain;
  for (;;) {
    if (bench::Interrupted()) {
      drain = bench::CheckInterrupted();
      break;
    }
    if (watcher.pending() == 0) break;
    auto idle = Clock::now().time_since_epoch() - std::chrono::nanoseconds(last_block_ns.load());
    if (idle > std::chrono::seconds(args.stall_s)) {
      std::lock_guard<std::mutex> lock(error_mu);
      drain = Status::DeadlineExceeded(err::BENCH_TIMEOUT, "no new block for " + std::to_string(args.stall_s) + " s with " +
                                                            Grouped(watcher.pending()) + " txs not yet committed" +
                                                            (watch_error.ok() ? "" : " (" + watch_error.ToString() + ")"));
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop_watch = true;
  watch_thread.join();
  CIVIC_RETURN_IF_ERROR(sender_error);
  CIVIC_RETURN_IF_ERROR(drain);

  const auto window_end = std::max(window_start, std::min(send_end, last_submit));
  report.submitted = submitted.load();
  report.admitted = admitted.load();
  report.ran_out = ran_out.load();
  report.failed = watcher.failed();
  report.first_failure = watcher.first_failure();
  report.first_height = watcher.first_height();
  report.last_height = watcher.height();
  report.window_seconds = Seconds(window_start, window_end);
  Clock::time_point last_commit = t0;
  for (const auto& c : watcher.commits()) {
    ++report.committed;
    report.certificates += c.certs;
    last_commit = std::max(last_commit, c.at);
    if (c.at >= window_start && c.at <= window_end) {
      ++report.window_committed;
      report.window_certificates += c.certs;
    }
  }
  report.elapsed_seconds = Seconds(t0, last_commit);
  report.latencies_ms = watcher.latencies_ms();
  return report;
}

CmdStatus BenchNetLoad(const NetLoadArgs& args) {
  CIVIC_USAGE_IF_ERROR(bench::CheckNetLoadArgs(args));
  bench::InstallInterruptHandler();
  CIVIC_ASSIGN_OR_RETURN(NetLoadReport report, RunLoad(args));
  std::string text = bench::FormatLoadReport(report);
  if (args.out.empty()) {
    std::cout << text << std::flush;
  } else {
    CIVIC_RETURN_IF_ERROR(WriteFileAtomic(args.out, text, 0644));
  }
  return CmdStatus::Ok();
}

// ---- The bench

std::ostream* g_out = &std::cout;
std::ostream& Out() { return *g_out; }

Result<std::string> SelfExe() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return Status(Code::kInternal, err::BENCH_PROCESS_FAILED, "cannot read /proc/self/exe");
  return std::string(buf, static_cast<size_t>(n));
}

std::string LastLines(const std::string& text, size_t lines) {
  size_t pos = text.size();
  while (lines > 0 && pos > 0) {
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) {
      pos = 0;
      break;
    }
    --lines;
  }
  return text.substr(pos);
}

// One load phase: `civic-bench net-load` as a child process, its report read back.
struct Phase {
  std::string name;  // also the log and report file names
  NetLoadArgs load;
};

class LoadRunner {
 public:
  LoadRunner(std::string self, std::string scratch) : self_(std::move(self)), scratch_(std::move(scratch)) {}

  // Starts the phase; Wait() collects it.
  Status Start(Phase phase) {
    CIVIC_RETURN_IF_ERROR(bench::CheckInterrupted());
    phase_ = std::move(phase);
    phase_.load.out = scratch_ + "/" + phase_.name + ".json";
    const NetLoadArgs& a = phase_.load;
    std::vector<std::string> argv = {self_,
                                     "net-load",
                                     "--net",
                                     a.net_dir,
                                     "--ports",
                                     a.ports,
                                     "--watch-port",
                                     std::to_string(a.watch_port),
                                     "--rate",
                                     std::to_string(a.rate),
                                     "--max-pending",
                                     std::to_string(a.max_pending),
                                     "--seconds",
                                     std::to_string(a.seconds),
                                     "--warmup",
                                     std::to_string(a.warmup),
                                     "--txs",
                                     std::to_string(a.txs),
                                     "--certs-per-tx",
                                     std::to_string(a.certs_per_tx),
                                     "--serial-prefix",
                                     a.serial_prefix,
                                     "--connections",
                                     std::to_string(a.connections),
                                     "--stall-timeout",
                                     std::to_string(a.stall_s),
                                     "--out",
                                     a.out};
    CIVIC_ASSIGN_OR_RETURN(child_, bench::ChildProcess::Spawn(argv, log_path()));
    return Status::Ok();
  }
  int pid() const { return child_.pid(); }

  Result<NetLoadReport> Wait() {
    // Signing, sending, draining: generous, the child has its own stall limit.
    auto deadline = Clock::now() + std::chrono::seconds(phase_.load.seconds + 2 * phase_.load.stall_s + 600);
    std::optional<int> code;
    for (;;) {
      if (bench::Interrupted()) {
        child_.Stop(3000);
        return bench::CheckInterrupted();
      }
      code = child_.TryWait();
      if (code) break;
      if (Clock::now() > deadline) {
        child_.Stop(3000);
        return Status::DeadlineExceeded(err::BENCH_TIMEOUT, "the load process of phase " + phase_.name + " did not finish");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (*code != 0) {
      auto log = ReadFile(log_path());
      return Status(Code::kInternal, err::BENCH_PROCESS_FAILED,
                    "the load process of phase " + phase_.name + " exited with " + std::to_string(*code) + ": " +
                        (log.ok() ? LastLines(*log, 3) : std::string("(no log)")));
    }
    CIVIC_ASSIGN_OR_RETURN(std::string text, ReadFile(phase_.load.out));
    return bench::ParseLoadReport(text);
  }

 private:
  std::string log_path() const { return scratch_ + "/" + phase_.name + ".log"; }
  std::string self_;
  std::string scratch_;
  Phase phase_;
  bench::ChildProcess child_;
};

std::string JoinPorts(const Network& net, size_t count) {
  std::string s;
  for (size_t i = 0; i < count && i < net.nodes.size(); ++i) {
    if (!s.empty()) s += ",";
    s += std::to_string(net.nodes[i].rpc_port);
  }
  return s;
}

std::vector<int> NodePids(const Network& net) {
  std::vector<int> pids;
  for (const auto& n : net.nodes) pids.push_back(LiveCivicdPid(net.Path(n.dir + "/civicd.pid")));
  return pids;
}

double CpuSum(const std::vector<int>& pids) {
  double sum = 0;
  for (int pid : pids) {
    auto s = pid > 0 ? bench::ProcessCpuSeconds(pid) : Result<double>(0.0);
    if (s.ok()) sum += *s;
  }
  return sum;
}

Result<uint64_t> NodeHeight(const NetNode& node) {
  CIVIC_ASSIGN_OR_RETURN(std::unique_ptr<NodeApi> api, ConnectNode(node.rpc_url()));
  CIVIC_ASSIGN_OR_RETURN(ChainStatusInfo st, GetChainStatus(*api));
  return st.height;
}

// Txs in blocks (from, to] of the node at `url`, from the headers.
Result<uint64_t> TxsInBlocks(const std::string& url, uint64_t from, uint64_t to) {
  CIVIC_ASSIGN_OR_RETURN(std::unique_ptr<NodeApi> api, ConnectNode(url));
  uint64_t txs = 0;
  for (uint64_t h = from + 1; h <= to; ++h) {
    CIVIC_RETURN_IF_ERROR(bench::CheckInterrupted());
    CIVIC_ASSIGN_OR_RETURN(json::value block, api->Call("chain_getBlock", json::object{{"height", h}}));
    const json::value* header = block.is_object() ? block.as_object().if_contains("header") : nullptr;
    const json::value* count = header && header->is_object() ? header->as_object().if_contains("tx_count") : nullptr;
    if (!count || !count->is_number()) {
      return Status(Code::kInternal, err::BAD_RESPONSE, "chain_getBlock " + std::to_string(h) + " has no header.tx_count");
    }
    txs += count->to_number<uint64_t>();
  }
  return txs;
}

struct CatchUp {
  uint64_t height_at_stop = 0, target_height = 0, missed_txs = 0;
  double down_seconds = 0;    // load while the node was down (first send to last commit)
  double live_tx_per_sec = 0; // committed by the other three meanwhile (window rate)
  double restart_seconds = 0; // until the node answered healthy
  double catchup_seconds = 0; // restart until it held the target height
  double blocks_per_sec() const { return catchup_seconds > 0 ? (target_height - height_at_stop) / catchup_seconds : 0; }
  double txs_per_sec() const { return catchup_seconds > 0 ? missed_txs / catchup_seconds : 0; }
  double live_blocks_per_sec() const { return down_seconds > 0 ? (target_height - height_at_stop) / down_seconds : 0; }
};

void PrintPhase(const std::string& what, const NetLoadReport& r) {
  std::string refused;
  for (const auto& [code, n] : r.refused) refused += " " + code + " x" + Grouped(n);
  Out() << "  " << what << ": signed " << Grouped(r.txs_signed) << " txs in " << Fixed(r.sign_seconds, 1)
        << " s; sent " << Grouped(r.submitted) << ", admitted " << Grouped(r.admitted) << ", committed "
        << Grouped(r.committed) << " (" << r.failed << " failed in block) in blocks " << r.first_height + 1 << ".."
        << r.last_height << "; ";
  if (r.certificates > r.committed) {
    Out() << Grouped(r.certificates) << " certificates in " << Fixed(r.elapsed_seconds, 2)
          << " s from the first send to the last commit: " << Fixed(r.certs_per_sec(), 0) << " certificates/s";
  } else {
    Out() << "window " << Fixed(r.window_seconds, 1) << " s: " << Fixed(r.window_tx_per_sec(), 0) << " tx/s"
          << (r.ran_out ? " (ran out of signed txs; the window ends at the last send)" : "");
  }
  Out() << (refused.empty() ? "" : "; refused:" + refused) << "\n";
  if (!r.first_failure.empty()) Out() << "  first failure: " << r.first_failure << "\n";
}

CmdStatus BenchNet(const NetBenchArgs& args, const CommonOptions& common) {
  CIVIC_USAGE_IF_ERROR(bench::CheckNetBenchArgs(args));
  bench::InstallInterruptHandler();
  g_out = common.json ? &std::cerr : &std::cout;
  Out() << std::unitbuf;
  CIVIC_ASSIGN_OR_RETURN(std::string self, SelfExe());
  CIVIC_ASSIGN_OR_RETURN(bench::TempDir scratch, bench::TempDir::Create("civic-bench-net-load-"));

  Out() << "floor: measuring single-core Ed25519 verification..." << std::flush;
  bench::VerifyFloor floor =
      bench::MeasureVerifyFloor(crypto::Algo::kEd25519, 400, static_cast<double>(args.floor_seconds));
  const double floor_tx = floor.floor_per_sec() / kValidators;
  Out() << " " << Grouped(static_cast<uint64_t>(floor.single_core_per_sec)) << "/s x " << floor.cores << " cores / "
        << kValidators << " validators = " << Grouped(static_cast<uint64_t>(floor_tx)) << " tx/s\n";

  const uint64_t pending = std::max(args.max_pending, args.batch_pending);
  auto tune = [pending](node::Config* c) {
    c->mempool.max_txs = std::max<size_t>(c->mempool.max_txs, 2 * pending + 1000);
  };
  Out() << "starting " << kValidators << " validators..." << std::flush;
  CIVIC_ASSIGN_OR_RETURN(std::unique_ptr<bench::BenchChain> chain,
                         bench::BenchChain::Start(kValidators, args.civicd, tune));
  const Network& net = chain->network();
  std::vector<int> pids = NodePids(net);
  Out() << " up in " << net.dir << " (pids";
  for (int pid : pids) Out() << " " << pid;
  Out() << ")\n";

  LoadRunner runner(self, scratch.path());
  NetLoadArgs base;
  base.net_dir = net.dir;
  base.ports = JoinPorts(net, net.nodes.size());
  base.watch_port = net.nodes[0].rpc_port;
  base.connections = args.connections;
  base.max_pending = args.max_pending;
  base.warmup = args.warmup;
  base.stall_s = args.stall_s;

  // 1. Maximum committed tx/s (closed loop).
  Phase max{"max", base};
  max.load.seconds = args.seconds;
  max.load.txs = args.max_txs;
  max.load.serial_prefix = "M";
  Out() << "maximum: closed loop, " << Grouped(args.max_pending) << " txs pending at most, " << args.seconds
        << " s (load process signs " << Grouped(args.max_txs) << " txs first)\n";
  double cpu0 = CpuSum(pids);
  CIVIC_RETURN_IF_ERROR(runner.Start(max));
  CIVIC_ASSIGN_OR_RETURN(NetLoadReport rmax, runner.Wait());
  double max_cpu = CpuSum(pids) - cpu0;
  PrintPhase("maximum", rmax);
  const double max_rate = rmax.window_tx_per_sec();
  auto max_lat = bench::SummarizeLatencies(rmax.latencies_ms);
  if (max_rate < 1) {
    return Status(Code::kInternal, err::BENCH_NO_COMMITS, "the network committed no txs in the maximum-throughput window");
  }

  // 2. Latency at 50% and 100% of the maximum (open loop).
  auto latency_phase = [&](const char* name, const char* prefix, double share) -> Result<NetLoadReport> {
    Phase p{name, base};
    p.load.rate = std::max<uint64_t>(1, static_cast<uint64_t>(max_rate * share));
    p.load.seconds = args.latency_seconds;
    p.load.txs = p.load.rate * args.latency_seconds + 100;
    p.load.serial_prefix = prefix;
    Out() << "latency at " << Fixed(share * 100, 0) << "%: open loop, " << Grouped(p.load.rate) << " tx/s for "
          << args.latency_seconds << " s\n";
    CIVIC_RETURN_IF_ERROR(runner.Start(p));
    return runner.Wait();
  };
  CIVIC_ASSIGN_OR_RETURN(NetLoadReport r50, latency_phase("half", "H", 0.5));
  PrintPhase("50%", r50);
  CIVIC_ASSIGN_OR_RETURN(NetLoadReport r100, latency_phase("full", "F", 1.0));
  PrintPhase("100%", r100);
  auto lat50 = bench::SummarizeLatencies(r50.latencies_ms);
  auto lat100 = bench::SummarizeLatencies(r100.latencies_ms);

  // 3. Batched issuance.
  Phase batch{"batch", base};
  batch.load.certs_per_tx = args.batch_certs;
  batch.load.txs = args.batch_txs;
  batch.load.max_pending = args.batch_pending;
  batch.load.warmup = 0;
  batch.load.seconds = 3600;
  batch.load.connections = std::min<uint64_t>(args.connections, std::max<uint64_t>(1, args.batch_pending));
  batch.load.serial_prefix = "B";
  Out() << "batched issuance: " << Grouped(args.batch_txs) << " txs of " << Grouped(args.batch_certs)
        << " certificates, " << args.batch_pending << " pending at most\n";
  CIVIC_RETURN_IF_ERROR(runner.Start(batch));
  CIVIC_ASSIGN_OR_RETURN(NetLoadReport rbatch, runner.Wait());
  PrintPhase("batch", rbatch);
  const double cert_rate = rbatch.certs_per_sec();

  // 4. Catch-up of a stopped validator.
  CatchUp cu;
  const NetNode& lagging = net.nodes.back();
  Network only_lagging = net;
  only_lagging.nodes = {lagging};
  CIVIC_ASSIGN_OR_RETURN(cu.height_at_stop, NodeHeight(lagging));
  CIVIC_RETURN_IF_ERROR(StopNetwork(only_lagging, 30).status());
  Phase down{"down", base};
  down.load.ports = JoinPorts(net, net.nodes.size() - 1);
  down.load.seconds = args.catchup_seconds;
  down.load.txs = args.max_txs;
  down.load.serial_prefix = "D";
  Out() << "catch-up: " << lagging.name << " stopped at height " << cu.height_at_stop << "; closed loop on the other "
        << net.nodes.size() - 1 << " for " << args.catchup_seconds << " s\n";
  CIVIC_RETURN_IF_ERROR(runner.Start(down));
  CIVIC_ASSIGN_OR_RETURN(NetLoadReport rdown, runner.Wait());
  PrintPhase("while down", rdown);
  CIVIC_ASSIGN_OR_RETURN(cu.target_height, NodeHeight(net.nodes[0]));
  CIVIC_ASSIGN_OR_RETURN(cu.missed_txs, TxsInBlocks(net.nodes[0].rpc_url(), cu.height_at_stop, cu.target_height));
  cu.down_seconds = rdown.elapsed_seconds;
  cu.live_tx_per_sec = rdown.window_tx_per_sec();
  auto t_restart = Clock::now();
  NetUpOptions up;
  up.civicd = args.civicd;
  up.timeout_s = 120;
  CIVIC_ASSIGN_OR_RETURN(std::vector<NodeRunState> states, StartNetwork(net, up));
  for (const auto& s : states) {
    if (!s.healthy) return Status::Unavailable(err::NODE_NOT_HEALTHY, s.name + " did not become healthy: " + s.detail);
  }
  cu.restart_seconds = Seconds(t_restart, Clock::now());
  {
    CIVIC_ASSIGN_OR_RETURN(std::unique_ptr<NodeApi> api, ConnectNode(lagging.rpc_url()));
    auto last_progress = Clock::now();
    uint64_t last_height = 0;
    for (;;) {
      CIVIC_RETURN_IF_ERROR(bench::CheckInterrupted());
      auto st = GetChainStatus(*api);
      auto now = Clock::now();
      if (st.ok()) {
        if (st->height >= cu.target_height) break;
        if (st->height != last_height) {
          last_height = st->height;
          last_progress = now;
        }
      }
      if (Seconds(last_progress, now) > static_cast<double>(args.stall_s)) {
        return Status::DeadlineExceeded(err::BENCH_TIMEOUT, lagging.name + " stayed at height " +
                                                             std::to_string(last_height) + " of " +
                                                             std::to_string(cu.target_height) + " for " +
                                                             std::to_string(args.stall_s) + " s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  cu.catchup_seconds = Seconds(t_restart, Clock::now());
  const double catchup_ratio = cu.live_tx_per_sec > 0 ? cu.txs_per_sec() / cu.live_tx_per_sec : 0;
  Out() << "  " << lagging.name << " restarted: healthy after " << Fixed(cu.restart_seconds, 2) << " s, held height "
        << cu.target_height << " after " << Fixed(cu.catchup_seconds, 2) << " s: "
        << Grouped(cu.target_height - cu.height_at_stop) << " blocks, " << Grouped(cu.missed_txs) << " txs\n";

  CIVIC_RETURN_IF_ERROR(chain->Stop());

  // The table.
  const double ratio = floor_tx > 0 ? max_rate / floor_tx : 0;
  auto row = [](const std::string& name, const std::string& value, const std::string& target, std::optional<bool> met) {
    std::string n = name, v = value;
    n.resize(std::max<size_t>(n.size(), 44), ' ');
    v.resize(std::max<size_t>(v.size(), 26), ' ');
    Out() << "  " << n << v << target << (met ? "  " + MetOrMissed(*met) : "") << "\n";
  };
  Out() << "\nresults (4 validators, BFT, synced writes; " << floor.cores << " cores)\n";
  row("figure", "value", "target", std::nullopt);
  row("floor (verify/s x cores / validators)", Grouped(static_cast<uint64_t>(floor_tx)) + " tx/s", "", std::nullopt);
  row("max committed single-certificate tx/s", Fixed(max_rate, 0) + " tx/s", "", std::nullopt);
  row("  ratio to the floor", Fixed(ratio, 3), ">= 0.6", ratio >= 0.6);
  row("  latency at max, closed loop p50 / p99",
      Fixed(max_lat.p50_ms, 1) + " / " + Fixed(max_lat.p99_ms, 1) + " ms", "", std::nullopt);
  row("latency at 50% (" + Grouped(static_cast<uint64_t>(max_rate * 0.5)) + " tx/s) p50",
      Fixed(lat50.p50_ms, 1) + " ms", "<= 50 ms", lat50.p50_ms <= 50.0 && lat50.samples > 0);
  row("latency at 50% p99", Fixed(lat50.p99_ms, 1) + " ms", "", std::nullopt);
  row("  committed at 50%", Fixed(r50.window_tx_per_sec(), 0) + " tx/s", "", std::nullopt);
  row("latency at 100% (" + Grouped(static_cast<uint64_t>(max_rate)) + " tx/s) p50 / p99",
      Fixed(lat100.p50_ms, 1) + " / " + Fixed(lat100.p99_ms, 1) + " ms", "", std::nullopt);
  row("  committed at 100%", Fixed(r100.window_tx_per_sec(), 0) + " tx/s", "", std::nullopt);
  row("batched issuance (" + Grouped(args.batch_certs) + " per tx)", Fixed(cert_rate, 0) + " certificates/s",
      ">= 20,000", cert_rate >= 20'000);
  row("catch-up: blocks/s (live)", Fixed(cu.blocks_per_sec(), 1) + " (" + Fixed(cu.live_blocks_per_sec(), 1) + ")",
      "", std::nullopt);
  row("catch-up: txs/s (live)", Fixed(cu.txs_per_sec(), 0) + " (" + Fixed(cu.live_tx_per_sec, 0) + ")", "",
      std::nullopt);
  row("  catch-up / live commit rate", Fixed(catchup_ratio, 2) + "x", ">= 3x", catchup_ratio >= 3.0);
  Out() << "  civicd CPU during the maximum phase: " << Fixed(max_cpu, 1) << " s over 4 nodes ("
        << Fixed(rmax.committed > 0 ? max_cpu / static_cast<double>(rmax.committed) * 1e6 : 0, 0)
        << " us of CPU per committed tx, the floor allows " << Fixed(1e6 / floor.single_core_per_sec * kValidators, 0)
        << ")\n";

  if (common.json) {
    auto lat = [](const bench::LatencySummary& l) {
      return json::object{{"samples", l.samples}, {"p50_ms", l.p50_ms}, {"p99_ms", l.p99_ms}};
    };
    PrintJson(json::object{
        {"floor", json::object{{"single_core_verify_per_sec", floor.single_core_per_sec},
                               {"cores", floor.cores},
                               {"validators", kValidators},
                               {"floor_tx_per_sec", floor_tx}}},
        {"max", json::object{{"committed_tx_per_sec", max_rate},
                             {"ratio_to_floor", ratio},
                             {"latency", lat(max_lat)},
                             {"node_cpu_seconds", max_cpu}}},
        {"half_load", json::object{{"rate", r50.window_tx_per_sec()}, {"latency", lat(lat50)}}},
        {"full_load", json::object{{"rate", r100.window_tx_per_sec()}, {"latency", lat(lat100)}}},
        {"batch", json::object{{"certificates", rbatch.certificates},
                               {"certs_per_tx", args.batch_certs},
                               {"certificates_per_sec", cert_rate}}},
        {"catch_up", json::object{{"blocks", cu.target_height - cu.height_at_stop},
                                  {"txs", cu.missed_txs},
                                  {"seconds", cu.catchup_seconds},
                                  {"restart_seconds", cu.restart_seconds},
                                  {"blocks_per_sec", cu.blocks_per_sec()},
                                  {"txs_per_sec", cu.txs_per_sec()},
                                  {"live_tx_per_sec", cu.live_tx_per_sec},
                                  {"ratio", catchup_ratio}}}});
  }
  return CmdStatus::Ok();
}

}  // namespace

void AddBenchNetCommands(CLI::App* bench, CliContext* ctx) {
  auto* net = bench->add_subcommand(
      "net",
      "Four validators on loopback under load from a separate process: maximum committed\n"
      "single-certificate tx/s vs. the Ed25519 floor, commit latency at 50% and 100% of it,\n"
      "batched certificates/s, and the catch-up rate of a restarted validator.");
  auto a = std::make_shared<NetBenchArgs>();
  net->add_option("--seconds", a->seconds, "Seconds of the maximum-throughput phase (default 20)");
  net->add_option("--latency-seconds", a->latency_seconds, "Seconds of each latency phase (default 15)");
  net->add_option("--warmup", a->warmup, "Seconds left out at the start of each phase (default 3)");
  net->add_option("--max-pending", a->max_pending, "Closed loop: txs submitted but not committed (default 4,000)");
  net->add_option("--max-txs", a->max_txs, "Txs signed for each closed-loop phase (default 100,000)");
  net->add_option("--connections", a->connections, "Keep-alive connections of the load process (default 8)");
  net->add_option("--batch-certs", a->batch_certs, "Certificates per batched tx (default 1,000)");
  net->add_option("--batch-txs", a->batch_txs, "Batched txs sent (default 60)");
  net->add_option("--batch-pending", a->batch_pending, "Batched txs pending at most (default 8)");
  net->add_option("--catchup-seconds", a->catchup_seconds, "Seconds of load while one validator is down (default 20)");
  net->add_option("--floor-seconds", a->floor_seconds, "CPU seconds of the verification loop (default 2)");
  net->add_option("--stall-timeout", a->stall_s, "Give up when no block arrives for this many seconds (default 60)");
  net->add_option("--civicd", a->civicd, "Path to civicd (default: next to civic, or on PATH)");
  AddJsonOption(net, ctx);
  OnRun(net, ctx, [a, ctx] { return BenchNet(*a, ctx->common); });

  // The load process of `bench net`; not listed in the help.
  auto* load = bench->add_subcommand("net-load", "Load process of `civic bench net` (internal).");
  load->group("");
  auto l = std::make_shared<NetLoadArgs>();
  load->add_option("--net", l->net_dir, "Network folder");
  load->add_option("--ports", l->ports, "RPC ports to submit to, comma-separated");
  load->add_option("--watch-port", l->watch_port, "RPC port whose blocks are read");
  load->add_option("--rate", l->rate, "Open loop tx/s; 0 = closed loop");
  load->add_option("--max-pending", l->max_pending, "Closed loop: txs pending at most");
  load->add_option("--seconds", l->seconds, "Seconds of sending");
  load->add_option("--warmup", l->warmup, "Seconds left out of the measurements");
  load->add_option("--txs", l->txs, "Txs signed beforehand");
  load->add_option("--certs-per-tx", l->certs_per_tx, "Certificates per tx");
  load->add_option("--serial-prefix", l->serial_prefix, "Serial prefix of the certificates");
  load->add_option("--connections", l->connections, "Keep-alive connections");
  load->add_option("--stall-timeout", l->stall_s, "Seconds without a block before giving up");
  load->add_option("--out", l->out, "Report file (default stdout)");
  OnRun(load, ctx, [l] { return BenchNetLoad(*l); });
}

}  // namespace civic::tools
