#include "tools/bench/bench_common.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "contracts/certificate/holder.h"
#include "contracts/certificate/rules.h"
#include "contracts/certificate/calls.h"
#include "contracts/base/tx_builder.h"
#include "crypto/keyfile.h"
#include "rpc/client.h"
#include "rpc/error_codes.h"
#include "tools/common/errors.h"
#include "tools/common/files.h"
#include "tools/common/spawn.h"
#include "tools/import/sample_data.h"

namespace civic::tools::bench {
namespace fs = std::filesystem;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void OnInterrupt(int) { g_interrupted.store(true); }

Status ProcessFailed(std::string msg) {
  return Status(Code::kInternal, err::BENCH_PROCESS_FAILED, std::move(msg));
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::optional<double> ParseDouble(std::string_view s) {
  std::string t = Trim(s);
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (end == t.c_str()) return std::nullopt;
  return v;
}

// "12.5k" -> 12500 (wrk's unit suffixes for counts); the unit part must be known.
std::optional<double> ParseScaled(std::string_view s, bool bytes) {
  std::string t = Trim(s);
  size_t i = 0;
  while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.')) ++i;
  auto num = ParseDouble(t.substr(0, i));
  if (!num) return std::nullopt;
  std::string unit = t.substr(i);
  double scale = 1;
  if (bytes) {
    if (unit == "B" || unit.empty()) scale = 1;
    else if (unit == "KB") scale = 1024.0;
    else if (unit == "MB") scale = 1024.0 * 1024;
    else if (unit == "GB") scale = 1024.0 * 1024 * 1024;
    else if (unit == "TB") scale = 1024.0 * 1024 * 1024 * 1024;
    else return std::nullopt;
  } else {
    if (unit.empty()) scale = 1;
    else if (unit == "k") scale = 1e3;
    else if (unit == "M") scale = 1e6;
    else if (unit == "G") scale = 1e9;
    else return std::nullopt;
  }
  return *num * scale;
}

uint64_t ParseCount(std::string_view s) {
  uint64_t v = 0;
  std::string t = Trim(s);
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

// ---- Arguments and interruption

Status CheckRange(std::string_view option, uint64_t value, uint64_t lo, uint64_t hi) {
  if (value < lo || value > hi) {
    return Status::InvalidArgument(err::BENCH_BAD_ARGUMENT, std::string(option) + " must be " + Grouped(lo) + " to " +
                                                             Grouped(hi) + ", not " + Grouped(value));
  }
  return Status::Ok();
}

void InstallInterruptHandler() {
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  // A peer that closes a pipelined connection must not kill the bench.
  ::signal(SIGPIPE, SIG_IGN);
}

bool Interrupted() { return g_interrupted.load(); }

Status CheckInterrupted() {
  if (!Interrupted()) return Status::Ok();
  return Status(Code::kUnavailable, err::BENCH_INTERRUPTED, "interrupted; every process the bench started was stopped");
}

// ---- Files and folders

Result<TempDir> TempDir::Create(std::string_view prefix) {
  std::error_code ec;
  fs::path base = fs::temp_directory_path(ec);
  if (ec) return Status::IOError("no system temporary folder: " + ec.message());
  std::string pattern = (base / (std::string(prefix) + "XXXXXX")).string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    return Status::IOError("cannot create a temporary folder " + pattern + ": " + std::strerror(errno));
  }
  TempDir t;
  t.path_ = buf.data();
  return t;
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)), keep_(other.keep_) { other.path_.clear(); }

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    if (!path_.empty() && !keep_) {
      std::error_code ec;
      fs::remove_all(path_, ec);
    }
    path_ = std::move(other.path_);
    keep_ = other.keep_;
    other.path_.clear();
  }
  return *this;
}

TempDir::~TempDir() {
  if (!path_.empty() && !keep_) {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
}

Result<DiskUsage> MeasureDiskUsage(const std::string& dir) {
  DiskUsage du;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) return Status::IOError("cannot read " + dir + ": " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return Status::IOError("cannot read " + dir + ": " + ec.message());
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0) continue;  // removed meanwhile (LevelDB compaction)
    if (!S_ISREG(st.st_mode)) continue;
    du.allocated_bytes += static_cast<uint64_t>(st.st_blocks) * 512;
    du.apparent_bytes += static_cast<uint64_t>(st.st_size);
    ++du.files;
  }
  return du;
}

// ---- Processes

Result<ProcessMemory> ParseProcStatus(std::string_view text) {
  ProcessMemory m;
  bool rss = false, hwm = false;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    auto value_kb = [&](std::string_view key) -> std::optional<uint64_t> {
      if (!StartsWith(line, key)) return std::nullopt;
      std::string rest = Trim(std::string_view(line).substr(key.size()));
      uint64_t v = 0;
      auto [p, e] = std::from_chars(rest.data(), rest.data() + rest.size(), v);
      if (e != std::errc()) return std::nullopt;
      return v;
    };
    if (auto v = value_kb("VmRSS:")) { m.rss_kb = *v; rss = true; }
    if (auto v = value_kb("VmHWM:")) { m.hwm_kb = *v; hwm = true; }
  }
  if (!rss || !hwm) {
    return Status(Code::kInternal, err::BENCH_BAD_TOOL_OUTPUT, "/proc status text lacks VmRSS or VmHWM");
  }
  return m;
}

Result<ProcessMemory> ReadProcessMemory(int pid) {
  auto text = ReadFile("/proc/" + std::to_string(pid) + "/status");
  if (!text.ok()) return Status::NotFound(err::PROCESS_GONE, "process " + std::to_string(pid) + " is not running");
  return ParseProcStatus(*text);
}

Result<double> ProcessCpuSeconds(int pid) {
  auto text = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (!text.ok()) return Status::NotFound(err::PROCESS_GONE, "process " + std::to_string(pid) + " is not running");
  size_t close = text->rfind(')');
  if (close == std::string::npos) return Status(Code::kInternal, err::BENCH_BAD_TOOL_OUTPUT, "malformed /proc stat");
  std::istringstream in(text->substr(close + 2));
  std::vector<std::string> fields;
  std::string f;
  while (in >> f) fields.push_back(f);
  // Fields after the command: state(3) ... utime(14) stime(15); here index = n - 3.
  if (fields.size() < 13) return Status(Code::kInternal, err::BENCH_BAD_TOOL_OUTPUT, "malformed /proc stat");
  double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return (std::strtod(fields[11].c_str(), nullptr) + std::strtod(fields[12].c_str(), nullptr)) / ticks;
}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept : pid_(o.pid_), exit_code_(o.exit_code_) { o.pid_ = 0; }

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    Stop();
    pid_ = o.pid_;
    exit_code_ = o.exit_code_;
    o.pid_ = 0;
  }
  return *this;
}

ChildProcess::~ChildProcess() { Stop(); }

Result<ChildProcess> ChildProcess::Spawn(const std::vector<std::string>& argv, const std::string& log_path) {
  auto pid = SpawnDetached(argv.empty() ? std::string() : argv[0], argv, log_path);
  if (!pid.ok()) return ProcessFailed(pid.status().message());
  ChildProcess p;
  p.pid_ = *pid;
  return p;
}

std::optional<int> ChildProcess::TryWait() {
  if (exit_code_) return exit_code_;
  if (pid_ <= 0) return std::nullopt;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    pid_ = 0;
    return exit_code_;
  }
  return std::nullopt;
}

bool ChildProcess::Running() { return pid_ > 0 && !TryWait().has_value(); }

void ChildProcess::Stop(int grace_ms) {
  if (pid_ <= 0) return;
  if (TryWait()) return;
  int pid = pid_;
  ::kill(pid, SIGTERM);
  auto deadline = Clock::now() + std::chrono::milliseconds(grace_ms);
  while (Clock::now() < deadline) {
    if (TryWait()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  exit_code_ = 128 + SIGKILL;
  pid_ = 0;
}

Result<RunOutput> RunProcess(const std::vector<std::string>& argv, int timeout_s) {
  if (argv.empty()) return ProcessFailed("empty command");
  int fds[2];
  if (::pipe(fds) != 0) return ProcessFailed(std::string("pipe failed: ") + std::strerror(errno));
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return ProcessFailed(std::string("fork failed: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::setsid();
    int in = ::open("/dev/null", O_RDONLY);
    if (in >= 0) ::dup2(in, 0);
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  RunOutput out;
  auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  bool timed_out = false;
  char buf[4096];
  for (;;) {
    pollfd p{fds[0], POLLIN, 0};
    int r = ::poll(&p, 1, 200);
    if (r > 0) {
      ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n <= 0) break;
      out.out.append(buf, static_cast<size_t>(n));
    }
    if (Clock::now() >= deadline || Interrupted()) {
      timed_out = !Interrupted();
      ::kill(pid, SIGKILL);
      break;
    }
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CIVIC_RETURN_IF_ERROR(CheckInterrupted());
  if (timed_out) {
    return Status::DeadlineExceeded(err::BENCH_TIMEOUT, argv[0] + " did not finish within " + std::to_string(timeout_s) + " s");
  }
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (out.exit_code == 127) return ProcessFailed("cannot run " + argv[0] + ":\n" + out.out);
  return out;
}

// ---- Tools

Status CheckTools(const std::vector<ToolPackage>& tools) {
  std::string missing;
  std::vector<std::string> packages;
  for (const auto& t : tools) {
    if (::access(t.binary.c_str(), X_OK) == 0) continue;
    missing += (missing.empty() ? "" : ", ") + t.binary;
    packages.push_back(t.package);
  }
  if (packages.empty()) return Status::Ok();
  return ToolsMissing(missing, packages);
}

Status ToolsMissing(const std::string& what, const std::vector<std::string>& packages) {
  std::string install;
  for (const auto& p : packages) install += " " + p;
  return Status::NotFound(err::BENCH_TOOL_MISSING,
                          what + " not found: run scripts/setup bench, or apt-get install" + install);
}

// ---- BenchNode

Result<std::unique_ptr<BenchNode>> BenchNode::Open(BenchNodeOptions options) {
  std::unique_ptr<BenchNode> node(new BenchNode());
  std::string dir = options.dir;
  if (dir.empty()) {
    CIVIC_ASSIGN_OR_RETURN(TempDir t, TempDir::Create("civic-bench-"));
    dir = t.path() + "/net";
    node->temp_ = std::move(t);
  }
  if (options.create) {
    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
      return Status::AlreadyExists(err::BENCH_DATA_EXISTS, dir + " already holds files; give a new or empty folder "
                                                              "(a bench never overwrites data)");
    }
    CIVIC_ASSIGN_OR_RETURN(uint16_t base, FindFreePorts(2));
    NetInitOptions init;
    init.nodes = 1;
    init.dir = dir;
    init.base_port = base;
    CIVIC_ASSIGN_OR_RETURN(node->net_, InitNetwork(init));
  } else {
    CIVIC_ASSIGN_OR_RETURN(node->net_, LoadNetwork(dir));
  }
  node->options_ = std::move(options);
  return node;
}

void ApplyBenchConfig(node::Config* config, const std::function<void(node::Config*)>& tune) {
  config->rpc.rate_limit_per_sec = 0;
  if (tune) tune(config);
}

BenchNode::~BenchNode() { (void)Stop(); }

Status BenchNode::Start() {
  if (pid_ > 0 && LiveCivicdPid(net_.Path(net_.nodes[0].dir + "/civicd.pid")) == pid_) return Status::Ok();
  std::string config_path = net_.Path(net_.nodes[0].dir + "/config.toml");
  {
    CIVIC_ASSIGN_OR_RETURN(node::Config config, node::LoadConfig(config_path));
    ApplyBenchConfig(&config, options_.tune);
    CIVIC_RETURN_IF_ERROR(WriteFileAtomic(config_path, node::FormatConfig(config), 0644));
  }
  NetUpOptions up;
  up.civicd = options_.civicd;
  up.timeout_s = options_.start_timeout_s;
  CIVIC_ASSIGN_OR_RETURN(std::vector<NodeRunState> states, StartNetwork(net_, up));
  if (states[0].already_running) {
    return Status::FailedPrecondition(err::NET_RUNNING, "a civicd already runs on " + net_.dir +
                                                         "; a bench measures only a node it started itself (stop "
                                                         "that one with `civic net down --dir " + net_.dir + "`)");
  }
  pid_ = states[0].pid;
  if (!states[0].healthy) {
    (void)Stop();
    return Status::Unavailable(err::NODE_NOT_HEALTHY, "civicd did not become healthy within " +
                                                       std::to_string(options_.start_timeout_s) + " s: " + states[0].detail);
  }
  return Status::Ok();
}

Status BenchNode::Stop() {
  if (pid_ <= 0) return Status::Ok();
  pid_ = 0;
  auto r = StopNetwork(net_, 60);
  if (!r.ok()) return r.status();
  return Status::Ok();
}

Result<crypto::KeyPair> BenchNode::OrgKey(std::string_view short_name, std::string* org_code) const {
  for (const auto& org : net_.orgs) {
    if (org.short_name == short_name) {
      if (org_code) *org_code = org.code;
      return crypto::ReadKeyFile(net_.Path(org.key_file));
    }
  }
  return Status::NotFound(err::NET_MALFORMED, "the network has no org '" + std::string(short_name) + "'");
}

// ---- wrk

std::optional<double> ParseWrkDuration(std::string_view text) {
  std::string t = Trim(text);
  size_t i = 0;
  while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.')) ++i;
  if (i == 0) return std::nullopt;
  auto v = ParseDouble(t.substr(0, i));
  if (!v) return std::nullopt;
  std::string unit = t.substr(i);
  if (unit == "us") return *v / 1000.0;
  if (unit == "ms") return *v;
  if (unit == "s") return *v * 1000.0;
  if (unit == "m") return *v * 60'000.0;
  if (unit == "h") return *v * 3'600'000.0;
  return std::nullopt;
}

Result<WrkResult> ParseWrkOutput(std::string_view text) {
  auto bad = [](std::string what) {
    return Status(Code::kInternal, err::BENCH_BAD_TOOL_OUTPUT, "unexpected wrk output: " + what);
  };
  WrkResult r;
  bool have_rate = false, in_distribution = false, saw_distribution = false;
  std::istringstream in{std::string(text)};
  std::string raw;
  while (std::getline(in, raw)) {
    std::string line = Trim(raw);
    if (line.empty()) continue;
    if (StartsWith(line, "Latency Distribution")) {
      in_distribution = saw_distribution = true;
      continue;
    }
    if (in_distribution) {
      size_t pct = line.find('%');
      if (pct != std::string::npos && pct > 0 && pct <= 6 && std::isdigit(static_cast<unsigned char>(line[0]))) {
        auto p = ParseDouble(line.substr(0, pct));
        auto ms = ParseWrkDuration(line.substr(pct + 1));
        if (!p || !ms) return bad("latency line '" + line + "'");
        r.latency_ms[static_cast<int>(std::lround(*p))] = *ms;
        continue;
      }
      in_distribution = false;
    }
    if (StartsWith(line, "Latency ")) {
      std::istringstream f(line.substr(8));
      std::string avg;
      f >> avg;
      if (auto ms = ParseWrkDuration(avg)) r.latency_avg_ms = *ms;
    } else if (StartsWith(line, "Requests/sec:")) {
      auto v = ParseDouble(line.substr(13));
      if (!v) return bad("'" + line + "'");
      r.requests_per_sec = *v;
      have_rate = true;
    } else if (StartsWith(line, "Transfer/sec:")) {
      if (auto v = ParseScaled(line.substr(13), true)) r.transfer_bytes_per_sec = *v;
    } else if (StartsWith(line, "Non-2xx or 3xx responses:")) {
      r.non_2xx = ParseCount(line.substr(25));
    } else if (StartsWith(line, "Socket errors:")) {
      // "Socket errors: connect 0, read 0, write 0, timeout 0"
      std::istringstream f(line.substr(14));
      std::string name, count;
      while (f >> name >> count) r.socket_errors += ParseCount(count);
    } else if (line.find(" requests in ") != std::string::npos) {
      // "400000 requests in 10.00s, 300.00MB read"
      size_t at = line.find(" requests in ");
      r.requests = ParseCount(line.substr(0, at));
      std::string rest = line.substr(at + 13);
      size_t comma = rest.find(',');
      if (auto ms = ParseWrkDuration(rest.substr(0, comma))) r.seconds = *ms / 1000.0;
    }
  }
  if (!have_rate) return bad("no 'Requests/sec:' line");
  if (saw_distribution && (!r.latency_ms.count(50) || !r.latency_ms.count(99))) {
    return bad("the latency distribution lacks the 50% or 99% line");
  }
  return r;
}

Result<WrkResult> RunWrk(const WrkOptions& o) {
  std::vector<std::string> argv = {o.wrk, "-t" + std::to_string(o.threads), "-c" + std::to_string(o.connections),
                                   "-d" + std::to_string(o.duration_s) + "s", "--timeout",
                                   std::to_string(o.timeout_s) + "s", "--latency"};
  if (!o.script.empty()) {
    argv.push_back("-s");
    argv.push_back(o.script);
  }
  argv.push_back(o.url);
  CIVIC_ASSIGN_OR_RETURN(RunOutput out, RunProcess(argv, o.duration_s + 60));
  if (out.exit_code != 0) {
    return ProcessFailed("wrk exited with " + std::to_string(out.exit_code) + ":\n" + out.out);
  }
  auto parsed = ParseWrkOutput(out.out);
  if (!parsed.ok()) return Status(parsed.status().code(), parsed.status().app_code(), parsed.status().message() + "\n" + out.out);
  return parsed;
}

// ---- nginx

Result<std::unique_ptr<NginxServer>> NginxServer::Start(const NginxOptions& options) {
  if (::access(options.nginx.c_str(), X_OK) != 0) {
    return Status::NotFound(err::BENCH_TOOL_MISSING, options.nginx + " is not an executable file");
  }
  std::unique_ptr<NginxServer> s(new NginxServer());
  s->options_ = options;
  CIVIC_ASSIGN_OR_RETURN(TempDir prefix, TempDir::Create("civic-bench-nginx-"));
  // nginx workers run as an unprivileged user when started as root: they must
  // be able to reach the served file.
  ::chmod(prefix.path().c_str(), 0755);
  std::string root = prefix.path() + "/html";
  std::error_code ec;
  fs::create_directories(root, ec);
  fs::create_directories(prefix.path() + "/logs", ec);
  if (ec) return Status::IOError("cannot create " + root + ": " + ec.message());
  ::chmod(root.c_str(), 0755);
  CIVIC_RETURN_IF_ERROR(WriteFileWithMode(root + "/file", options.body, 0644));
  std::string workers = options.workers > 0 ? std::to_string(options.workers) : "auto";
  std::string conf =
      "worker_processes " + workers + ";\n"
      "daemon off;\n"
      "master_process on;\n"
      "pid " + prefix.path() + "/nginx.pid;\n"
      "error_log " + prefix.path() + "/logs/error.log warn;\n"
      "events { worker_connections 4096; }\n"
      "http {\n"
      "  access_log off;\n"
      "  sendfile on;\n"
      "  tcp_nopush on;\n"
      "  keepalive_requests 1000000;\n"
      "  keepalive_timeout 120s;\n"
      "  client_body_temp_path " + prefix.path() + "/tmp_body;\n"
      "  proxy_temp_path " + prefix.path() + "/tmp_proxy;\n"
      "  fastcgi_temp_path " + prefix.path() + "/tmp_fastcgi;\n"
      "  uwsgi_temp_path " + prefix.path() + "/tmp_uwsgi;\n"
      "  scgi_temp_path " + prefix.path() + "/tmp_scgi;\n"
      "  server {\n"
      "    listen 127.0.0.1:" + std::to_string(options.port) + ";\n"
      "    root " + root + ";\n"
      "    location = /file { default_type " + options.content_type + "; }\n"
      "  }\n"
      "}\n";
  std::string conf_path = prefix.path() + "/nginx.conf";
  CIVIC_RETURN_IF_ERROR(WriteFileWithMode(conf_path, conf, 0644));
  CIVIC_ASSIGN_OR_RETURN(s->process_, ChildProcess::Spawn({options.nginx, "-p", prefix.path(), "-c", conf_path},
                                                          prefix.path() + "/logs/stderr.log"));
  s->prefix_ = std::move(prefix);
  // Wait until it answers.
  rpc::ClientOptions co;
  co.port = options.port;
  co.timeout = std::chrono::milliseconds(1000);
  auto deadline = Clock::now() + std::chrono::seconds(10);
  for (;;) {
    rpc::Client client(co);
    auto r = client.Request("GET", "/file");
    if (r.ok() && r->status == 200) break;
    if (!s->process_.Running()) {
      auto log = ReadFile(s->prefix_->path() + "/logs/stderr.log");
      auto err = ReadFile(s->prefix_->path() + "/logs/error.log");
      return ProcessFailed("nginx exited at start:\n" + (log.ok() ? *log : "") + (err.ok() ? *err : ""));
    }
    if (Clock::now() >= deadline) {
      return Status::Unavailable(err::NODE_NOT_HEALTHY, "nginx did not answer on port " + std::to_string(options.port));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return s;
}

NginxServer::~NginxServer() { Stop(); }

void NginxServer::Stop() { process_.Stop(5000); }

std::string NginxServer::url() const { return "http://127.0.0.1:" + std::to_string(options_.port) + "/file"; }

// ---- Statistics and the floor

double Percentile(std::vector<double>* values, double p) {
  if (values->empty()) return 0;
  std::sort(values->begin(), values->end());
  p = std::clamp(p, 0.0, 100.0);
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(values->size())));
  if (rank == 0) rank = 1;
  return (*values)[rank - 1];
}

VerifyFloor MeasureVerifyFloor(crypto::Algo algo, size_t message_bytes, double seconds) {
  crypto::KeyPair key = crypto::KeyPair::Generate(algo);
  std::string message(message_bytes, '\0');
  for (size_t i = 0; i < message.size(); ++i) message[i] = static_cast<char>(i * 131 + 7);
  const Bytes sig = key.Sign(message);
  crypto::PublicKey pub = key.public_key();
  // The rate per second of this thread's CPU time: on a shared machine the loop
  // may be descheduled, which must not lower the floor.
  auto thread_cpu = [] {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  };
  uint64_t count = 0;
  bool all_ok = true;
  double cpu0 = thread_cpu();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (int i = 0; i < 64; ++i) all_ok &= crypto::Verify(pub, message, sig);
    count += 64;
    elapsed = thread_cpu() - cpu0;
  }
  VerifyFloor f;
  f.single_core_per_sec = all_ok ? static_cast<double>(count) / elapsed : 0;
  f.cores = std::max(1u, std::thread::hardware_concurrency());
  return f;
}

std::string Grouped(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string Fixed(double v, int decimals) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(decimals);
  o << v;
  return o.str();
}


// ---- Signed certificate-issue txs

namespace {

constexpr const char* kTypeSuffix = "001";  // the issuer's first certificate type (居民身份证 for psb)

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

}  // namespace

std::string Verdict(bool met) { return met ? "met" : "NOT met"; }

std::string Serial(std::string_view prefix, uint64_t n) {
  std::string digits = std::to_string(n);
  return std::string(prefix) + std::string(kSerialDigits - std::min<size_t>(kSerialDigits, digits.size()), '0') +
         digits;
}

Result<IssuePlan> LoadIssuePlan(crypto::KeyPair key, std::string org, NodeApi& api) {
  IssuePlan plan;
  plan.org = std::move(org);
  plan.key.emplace(std::move(key));
  plan.type_code = plan.org + kTypeSuffix;
  CIVIC_ASSIGN_OR_RETURN(plan.type, GetCertType(api, plan.type_code));
  CIVIC_ASSIGN_OR_RETURN(ChainStatusInfo status, GetChainStatus(api));
  plan.chain_id = status.chain_id;
  return plan;
}

bool ReadBlockTx(const json::value& tx, std::string* id_hex, bool* ok) {
  const json::object* t = tx.if_object();
  if (!t || !t->contains("id") || !t->at("id").is_string()) return false;
  *id_hex = std::string(t->at("id").get_string());
  const json::value* result = t->if_contains("result");
  *ok = result && result->is_object() && result->as_object().contains("ok") &&
        result->as_object().at("ok").is_bool() && result->as_object().at("ok").get_bool();
  return true;
}

Result<std::vector<Bytes>> BuildIssueTxs(const IssuePlan& plan, std::string_view prefix, uint64_t first,
                                         uint64_t count, uint64_t per_tx, uint64_t valid_until_height) {
  uint64_t tx_count = (count + per_tx - 1) / per_tx;
  std::vector<Bytes> txs(tx_count);
  std::atomic<uint64_t> next{0};
  std::mutex mu;
  Status error;
  auto worker = [&] {
    for (;;) {
      uint64_t t = next++;
      if (t >= tx_count || Interrupted()) return;
      uint64_t begin = first + t * per_tx;
      uint64_t end = std::min(first + count, begin + per_tx);
      std::vector<pb::CertIssueItem> items;
      items.reserve(end - begin);
      SampleRng rng(0x5eed0000ULL + begin);
      for (uint64_t i = begin; i < end; ++i) {
        SampleRow row = SampleCertificateRow(plan.type, rng);
        std::map<std::string, std::string> fields(row.fields.begin(), row.fields.end());
        contracts::HolderCertificate cert = contracts::NewHolderCertificate(
            plan.type_code, plan.org, std::string(contracts::kHolderCitizenId), row.holder, fields);
        auto item = contracts::MakeIssueItem(cert, Serial(prefix, i));
        if (!item.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          if (error.ok()) error = item.status();
          return;
        }
        items.push_back(std::move(item).value());
      }
      contracts::TxParams params;
      params.chain_id = plan.chain_id;
      params.org = plan.org;
      params.valid_until_height = valid_until_height;
      txs[t] = contracts::IssueTx(params, std::move(items), *plan.key);
    }
  };
  std::vector<std::thread> threads;
  unsigned n = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) threads.emplace_back(worker);
  for (auto& th : threads) th.join();
  CIVIC_RETURN_IF_ERROR(CheckInterrupted());
  CIVIC_RETURN_IF_ERROR(error);
  return txs;
}

Status CommitCounter::Poll() {
  CIVIC_ASSIGN_OR_RETURN(ChainStatusInfo status, GetChainStatus(*api_));
  while (height_ < status.height) {
    uint64_t h = height_ + 1;
    CIVIC_ASSIGN_OR_RETURN(json::value block, api_->Call("chain_getBlock", json::object{{"height", h}}));
    const json::object* b = block.if_object();
    const json::value* txs = b ? b->if_contains("txs") : nullptr;
    if (!txs || !txs->is_array()) {
      return Status(Code::kInternal, err::BAD_RESPONSE, "chain_getBlock " + std::to_string(h) + " has no txs array");
    }
    for (const json::value& tx : txs->get_array()) {
      std::string id;
      bool ok = false;
      if (!ReadBlockTx(tx, &id, &ok)) continue;
      auto it = expected_.find(id);
      if (it == expected_.end()) continue;
      if (ok) {
        ++txs_ok_;
        certs_ += it->second;
      } else {
        ++txs_failed_;
        const json::value* result = tx.as_object().if_contains("result");
        if (first_failure_.empty()) first_failure_ = json::serialize(result ? *result : json::value());
      }
    }
    height_ = h;
  }
  return Status::Ok();
}

Result<Clock::time_point> AwaitCommitted(CommitCounter* counter, uint64_t done_txs, int stall_s) {
  auto last_progress = Clock::now();
  uint64_t last_height = counter->height();
  for (;;) {
    CIVIC_RETURN_IF_ERROR(CheckInterrupted());
    CIVIC_RETURN_IF_ERROR(counter->Poll());
    auto now = Clock::now();
    if (counter->txs_ok() + counter->txs_failed() >= done_txs) return now;
    if (counter->height() != last_height) {
      last_height = counter->height();
      last_progress = now;
    } else if (Seconds(last_progress, now) > stall_s) {
      return Status::DeadlineExceeded(
          err::BENCH_TIMEOUT, "only " + Grouped(counter->txs_ok() + counter->txs_failed()) + " of " + Grouped(done_txs) +
                               " txs were committed; no new block for " + std::to_string(stall_s) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace civic::tools::bench
