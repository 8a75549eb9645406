#include "tests/integration/civicd_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "crypto/keyfile.h"
#include "tools/net/net.h"

#ifndef CIVICD_PATH
#error "CIVICD_PATH must name the civicd executable"
#endif

namespace civic::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

uint16_t PickFreeRange(size_t count) {
  auto base = tools::FindFreePorts(count);
  if (!base.ok()) throw std::runtime_error(base.status().ToString());
  return *base;
}

uint16_t PickFreePort() { return PickFreeRange(1); }

NodeFiles WriteNodeFiles(const std::string& chain_id, const std::function<void(node::Config*)>& tweak) {
  NodeFiles files{MakeSampleNetwork(chain_id), std::make_unique<TempDir>("civic-it"), {}, {}, {}, {}};
  const fs::path& dir = files.dir->path();
  Status st = crypto::WriteKeyFile((dir / "node_key.json").string(), files.net.node_key);
  if (!st.ok()) throw std::runtime_error("write node key: " + st.ToString());
  std::ofstream(dir / "genesis.json") << files.net.genesis_text;

  node::Config& c = files.config;
  c.node.moniker = "it-node";
  // Relative paths: the config file's folder resolves them.
  c.node.data_dir = "data";
  c.node.key_file = "node_key.json";
  c.node.genesis_file = "genesis.json";
  c.node.log_level = "info";
  c.rpc.listen = node::HostPort{"127.0.0.1", PickFreePort()};
  c.rpc.threads = 4;
  c.p2p.listen = node::HostPort{"127.0.0.1", PickFreePort()};
  c.consensus.block_interval_ms = 200;
  if (tweak) tweak(&c);
  files.config_path = dir / "node.toml";
  files.log_path = dir / "civicd.log";
  std::ofstream(files.config_path) << node::FormatConfig(c);
  return files;
}

CivicdProcess::CivicdProcess(const NodeFiles* files) : files_(files) {}

CivicdProcess::~CivicdProcess() {
  if (running()) Kill();
}

void CivicdProcess::Start() { StartWithArgs({"--config", files_->config_path.string()}); }

void CivicdProcess::StartWithArgs(const std::vector<std::string>& args) {
  if (running()) throw std::runtime_error("civicd is already running");
  std::vector<std::string> argv_store = {CIVICD_PATH};
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_store = extra_env_;
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
  envp.push_back(nullptr);
  std::string log = files_->log_path.string();

  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork() failed");
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    ::execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  pid_ = pid;
}

bool CivicdProcess::WaitHealthy(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  rpc::Client client = NewClient(2s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    auto r = client.Get("/healthz");
    if (r.ok() && r->status == 200) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

std::optional<int> CivicdProcess::WaitExit(std::chrono::milliseconds timeout) {
  if (!running()) return std::nullopt;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return ExitCodeOf(status);
    }
    std::this_thread::sleep_for(20ms);
  }
  return std::nullopt;
}

int CivicdProcess::Terminate(std::chrono::milliseconds timeout) {
  if (!running()) return -1;
  ::kill(pid_, SIGTERM);
  if (auto code = WaitExit(timeout)) return *code;
  Kill();
  return -1;
}

void CivicdProcess::Kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

rpc::Client CivicdProcess::NewClient(std::chrono::milliseconds timeout) const {
  rpc::ClientOptions options;
  options.host = "127.0.0.1";
  options.port = files_->config.rpc.listen.port;
  options.timeout = timeout;
  options.tls = !files_->config.rpc.tls_cert_file.empty();
  options.tls_files = files_->client_tls;
  return rpc::Client(options);
}

std::string CivicdProcess::LogTail(size_t bytes) const {
  std::ifstream in(files_->log_path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > bytes ? s.substr(s.size() - bytes) : s;
}

Result<Committed> TxCommit(rpc::Client& client, const Bytes& raw, int64_t timeout_ms) {
  boost::json::object params{{"tx", ToHex(raw)}, {"timeout_ms", timeout_ms}};
  CIVIC_ASSIGN_OR_RETURN(boost::json::value result, client.Call("tx_commit", params));
  Committed c;
  c.id = FromHex(std::string(result.at("id").as_string())).value_or("");
  c.height = JsonU64(result.at("height"));
  const auto& r = result.at("result").as_object();
  c.ok = r.at("ok").as_bool();
  c.app_code = std::string(r.at("app_code").as_string());
  return c;
}

Result<Bytes> TxSubmit(rpc::Client& client, const Bytes& raw) {
  CIVIC_ASSIGN_OR_RETURN(boost::json::value result,
                         client.Call("tx_submit", boost::json::object{{"tx", ToHex(raw)}}));
  return FromHex(std::string(result.at("id").as_string())).value_or("");
}

Result<uint64_t> ChainHeight(rpc::Client& client) {
  CIVIC_ASSIGN_OR_RETURN(boost::json::value result, client.Call("chain_status"));
  return JsonU64(result.at("height"));
}

Result<uint64_t> TxHeight(rpc::Client& client, const Bytes& id) {
  CIVIC_ASSIGN_OR_RETURN(boost::json::value result,
                         client.Call("chain_getTx", boost::json::object{{"id", ToHex(id)}}));
  return JsonU64(result.at("height"));
}

bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout, std::chrono::milliseconds every) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(every);
  }
  return true;
}

uint64_t JsonU64(const boost::json::value& v) {
  if (v.is_uint64()) return v.as_uint64();
  if (v.is_int64() && v.as_int64() >= 0) return static_cast<uint64_t>(v.as_int64());
  if (v.is_string()) return std::stoull(std::string(v.as_string()));
  throw std::runtime_error("not an unsigned integer: " + boost::json::serialize(v));
}

}  // namespace civic::testing
