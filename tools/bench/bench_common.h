// Shared pieces of the `civic bench ...` programs: a node started from a fresh
// local network, child processes that are always stopped, the wrk runner and
// its output parser, a check for the tools the benches run, an nginx reference
// server, percentiles, resident memory and disk usage of a process and a
// folder, the in-process signature verification floor, and signed
// certificate-issue txs with the block walk that finds them committed (bench
// issue, bench net).
//
// Contract for every bench built on these pieces:
//   - Argument checks return BENCH_BAD_ARGUMENT (a usage error) before any
//     process is started.
//   - Every process a bench starts is owned by an RAII object (BenchNode,
//     ChildProcess, NginxServer) whose destructor stops it, so an error return
//     anywhere stops everything. InstallInterruptHandler() turns SIGINT/SIGTERM
//     into Interrupted() == true; long loops poll it and return BENCH_INTERRUPTED.
//   - Temporary folders live under the system temp dir and are removed unless
//     the user asked to keep them.
// Typed errors: BENCH_BAD_ARGUMENT, BENCH_INTERRUPTED, BENCH_TOOL_MISSING,
// BENCH_PROCESS_FAILED, BENCH_BAD_TOOL_OUTPUT, BENCH_TIMEOUT,
// BENCH_DATA_EXISTS, NET_RUNNING (BenchNode found a civicd it did not start),
// PROCESS_GONE, IO_ERROR, plus those of tools/net/net.h.
// Thread safety: free functions are thread-safe; objects are used by one thread.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crypto/base/bytes.h"
#include "crypto/signature.h"
#include "crypto/base/status.h"
#include "node/config.h"
#include "tools/net/net.h"
#include "tools/common/node_api.h"

namespace civic::tools::bench {

// ---- Arguments and interruption

// BENCH_BAD_ARGUMENT unless lo <= value <= hi.
Status CheckRange(std::string_view option, uint64_t value, uint64_t lo, uint64_t hi);
// SIGINT and SIGTERM set the flag read by Interrupted() (idempotent).
void InstallInterruptHandler();
bool Interrupted();
// BENCH_INTERRUPTED when Interrupted(), else OK.
Status CheckInterrupted();

// ---- Files and folders

// A fresh folder "<system temp>/<prefix>XXXXXX", removed on destruction unless kept.
class TempDir {
 public:
  static Result<TempDir> Create(std::string_view prefix);
  TempDir() = default;
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  ~TempDir();
  const std::string& path() const { return path_; }
  void Keep() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

struct DiskUsage {
  uint64_t allocated_bytes = 0;  // what `du` reports (st_blocks * 512)
  uint64_t apparent_bytes = 0;   // sum of file sizes
  uint64_t files = 0;
};
// Walks `dir` (not following symlinks). IO_ERROR when it cannot be read.
Result<DiskUsage> MeasureDiskUsage(const std::string& dir);

// ---- Processes

struct ProcessMemory {
  uint64_t rss_kb = 0;  // VmRSS
  uint64_t hwm_kb = 0;  // VmHWM (peak resident set)
};
// From /proc/<pid>/status. NOT_FOUND when the process is gone.
Result<ProcessMemory> ReadProcessMemory(int pid);
// Parses the text of /proc/<pid>/status (exposed for tests).
Result<ProcessMemory> ParseProcStatus(std::string_view text);
// Total CPU time (user + system) of `pid` so far, in seconds; from /proc/<pid>/stat.
Result<double> ProcessCpuSeconds(int pid);

// A child in a session of its own (terminal signals do not reach it), stdout and
// stderr to `log_path` (or /dev/null). Stop() sends SIGTERM, waits up to
// `grace_ms`, then SIGKILL, and reaps it; the destructor calls Stop().
class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(ChildProcess&&) noexcept;
  ChildProcess& operator=(ChildProcess&&) noexcept;
  ~ChildProcess();
  // BENCH_PROCESS_FAILED when fork/exec fails (exec failure shows as exit 127).
  static Result<ChildProcess> Spawn(const std::vector<std::string>& argv, const std::string& log_path);
  int pid() const { return pid_; }
  bool Running();
  // Exit code if it has exited (reaps it), else nullopt.
  std::optional<int> TryWait();
  void Stop(int grace_ms = 5000);

 private:
  int pid_ = 0;
  std::optional<int> exit_code_;
};

struct RunOutput {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};
// Runs argv to completion, capturing its output; killed (BENCH_TIMEOUT) after
// `timeout_s`. BENCH_PROCESS_FAILED when it cannot be started.
Result<RunOutput> RunProcess(const std::vector<std::string>& argv, int timeout_s);

// ---- Tools the benches run (scripts/setup bench installs them; a bench never does)

struct ToolPackage {
  std::string binary;   // "/usr/bin/wrk"
  std::string package;  // the Debian package that provides it: "wrk"
};
// OK when every `binary` is an executable file; else ToolsMissing for the missing ones.
Status CheckTools(const std::vector<ToolPackage>& tools);
// BENCH_TOOL_MISSING: "<what> not found: run scripts/setup bench, or apt-get install <packages>".
Status ToolsMissing(const std::string& what, const std::vector<std::string>& packages);

// ---- A bench node: a one-validator network of tools/net/net.h in a folder

// What every benchmark changes in a node's config before `tune`: the per-client
// rate limit is off, since the load comes from one address on purpose and a
// benchmark measures the node, not its limiter.
void ApplyBenchConfig(node::Config* config, const std::function<void(node::Config*)>& tune);

struct BenchNodeOptions {
  std::string civicd;       // empty = FindCivicd()
  std::string dir;          // network folder; empty = a temp folder removed on Stop()
  bool create = true;       // true: InitNetwork in `dir` (must be absent or empty); false: LoadNetwork(dir)
  int start_timeout_s = 120;
  // Applied to node0's config before each start (e.g. a larger mempool), after ApplyBenchConfig's changes.
  std::function<void(node::Config*)> tune;
};

class BenchNode {
 public:
  // Creates or loads the network (not started). Typed errors of net.h, and
  // BENCH_DATA_EXISTS when `create` is set and `dir` holds files.
  static Result<std::unique_ptr<BenchNode>> Open(BenchNodeOptions options);
  ~BenchNode();  // Stop(); removes a temp folder
  BenchNode(const BenchNode&) = delete;
  BenchNode& operator=(const BenchNode&) = delete;

  // Starts node0 and waits until it is healthy (NODE_NOT_HEALTHY, NODE_EXITED).
  Status Start();
  // Stops node0 if it runs (idempotent).
  Status Stop();

  const Network& network() const { return net_; }
  int pid() const { return pid_; }
  uint16_t rpc_port() const { return net_.nodes[0].rpc_port; }
  std::string rpc_url() const { return net_.nodes[0].rpc_url(); }
  // node0's data folder (the chain).
  std::string data_dir() const { return net_.Path(net_.nodes[0].dir + "/data"); }
  // The signing key of sample org `short_name` ("psb") and its org code.
  Result<crypto::KeyPair> OrgKey(std::string_view short_name, std::string* org_code) const;

 private:
  BenchNode() = default;
  BenchNodeOptions options_;
  Network net_;
  std::optional<TempDir> temp_;
  int pid_ = 0;
};

// ---- wrk

struct WrkResult {
  double requests_per_sec = 0;
  uint64_t requests = 0;
  double seconds = 0;
  double transfer_bytes_per_sec = 0;
  // Latency distribution (wrk --latency), milliseconds; key = percentile (50, 75, 90, 99).
  std::map<int, double> latency_ms;
  double latency_avg_ms = 0;
  uint64_t non_2xx = 0;
  uint64_t socket_errors = 0;  // connect + read + write + timeout
  double p50() const { return latency_ms.count(50) ? latency_ms.at(50) : 0; }
  double p99() const { return latency_ms.count(99) ? latency_ms.at(99) : 0; }
};
// Parses wrk's report ("Requests/sec:", "Latency Distribution", "Non-2xx or 3xx
// responses:", "Socket errors:"). BENCH_BAD_TOOL_OUTPUT when the requests rate
// or (with --latency) the 50%/99% lines are missing.
Result<WrkResult> ParseWrkOutput(std::string_view text);
// "812.00us" / "1.20ms" / "2.01s" / "3m" -> milliseconds; nullopt if malformed.
std::optional<double> ParseWrkDuration(std::string_view text);

struct WrkOptions {
  std::string wrk = "/usr/bin/wrk";
  std::string url;
  std::string script;  // Lua script path; empty = plain GET
  int threads = 2;
  int connections = 32;
  int duration_s = 10;
  int timeout_s = 2;   // per request (wrk --timeout)
};
Result<WrkResult> RunWrk(const WrkOptions& options);

// ---- nginx serving one static file

struct NginxOptions {
  std::string nginx = "/usr/sbin/nginx";
  uint16_t port = 0;
  std::string body;  // served at GET /file
  std::string content_type = "application/json";
  int workers = 0;   // 0 = one per core
};
// Writes its own prefix folder (config, file, logs) under the system temp dir,
// runs nginx in the foreground as a ChildProcess and waits until it answers.
class NginxServer {
 public:
  static Result<std::unique_ptr<NginxServer>> Start(const NginxOptions& options);
  ~NginxServer();  // Stop()
  void Stop();
  std::string url() const;  // "http://127.0.0.1:<port>/file"
  int pid() const { return process_.pid(); }

 private:
  NginxServer() = default;
  NginxOptions options_;
  std::optional<TempDir> prefix_;
  ChildProcess process_;
};

// ---- Statistics and the signature floor

// Nearest-rank percentile (p in [0, 100]) of `values` (sorted in place); 0 if empty.
double Percentile(std::vector<double>* values, double p);

struct VerifyFloor {
  double single_core_per_sec = 0;
  unsigned cores = 0;
  double floor_per_sec() const { return single_core_per_sec * cores; }
};
// Verifies one `algo` signature over a `message_bytes` message in a loop on one
// thread for `seconds` of that thread's CPU time (so a busy machine does not
// lower it) and multiplies by the number of cores.
VerifyFloor MeasureVerifyFloor(crypto::Algo algo, size_t message_bytes, double seconds);

// "12,345" style with thousands separators; "1.23" style with fixed decimals.
std::string Grouped(uint64_t n);
std::string Fixed(double v, int decimals);
// "met" / "NOT met", next to a target.
std::string Verdict(bool met);

// ---- Signed certificate-issue txs

// The sample department that issues in the benches (the public security bureau,
// type <org>001, 居民身份证), serial digits, and how many blocks past the tip a
// bench tx stays valid (the chain's replay window is 1000).
constexpr const char* kIssuerShortName = "psb";
constexpr int kSerialDigits = 9;
constexpr uint64_t kValidBlocks = 900;

// prefix + n zero-padded to kSerialDigits.
std::string Serial(std::string_view prefix, uint64_t n);

struct IssuePlan {
  std::string chain_id;
  std::string org;
  std::string type_code;
  std::optional<crypto::KeyPair> key;
  CertTypeInfo type;
};
// The plan for `org` signing with `key`: its type <org>001 and the chain id, read from the node.
Result<IssuePlan> LoadIssuePlan(crypto::KeyPair key, std::string org, NodeApi& api);

// Signed issue txs: certificates [first, first + count) with serials prefix+index,
// `per_tx` per tx, built on all cores. Deterministic field values (SampleRng),
// random salts. BENCH_INTERRUPTED when interrupted.
Result<std::vector<Bytes>> BuildIssueTxs(const IssuePlan& plan, std::string_view prefix, uint64_t first,
                                         uint64_t count, uint64_t per_tx, uint64_t valid_until_height);

// Counts committed txs of a run by walking the blocks after `from_height`.
class CommitCounter {
 public:
  CommitCounter(NodeApi* api, uint64_t from_height) : api_(api), height_(from_height) {}
  // `certs` certificates ride in tx `id_hex`.
  void Expect(const std::string& id_hex, uint64_t certs) { expected_[id_hex] = certs; }
  // Reads the blocks committed since the last call.
  Status Poll();
  uint64_t txs_ok() const { return txs_ok_; }
  uint64_t txs_failed() const { return txs_failed_; }
  uint64_t certs() const { return certs_; }
  uint64_t height() const { return height_; }
  const std::string& first_failure() const { return first_failure_; }

 private:
  NodeApi* api_;
  uint64_t height_;
  std::unordered_map<std::string, uint64_t> expected_;
  uint64_t txs_ok_ = 0, txs_failed_ = 0, certs_ = 0;
  std::string first_failure_;
};

// Polls until `done_txs` of the run's txs are in blocks (committed or failed) or
// no new block arrives for `stall_s` (BENCH_TIMEOUT). Returns the time the last one was seen.
Result<std::chrono::steady_clock::time_point> AwaitCommitted(CommitCounter* counter, uint64_t done_txs, int stall_s);

// A committed tx of a chain_getBlock answer: its id and whether it succeeded
// (`result.ok`). False when `tx` is not such an object.
bool ReadBlockTx(const boost::json::value& tx, std::string* id_hex, bool* ok);

}  // namespace civic::tools::bench
