#include "tools/net.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "contracts/genesis.h"
#include "crypto/keyfile.h"
#include "node/config.h"
#include "rpc/client.h"
#include "tools/files.h"
#include "tools/node_api.h"
#include "tools/timefmt.h"

namespace civic::tools {
namespace fs = std::filesystem;
namespace json = boost::json;
namespace {

constexpr const char* kNetworkFile = "network.json";

Status NetError(Code code, std::string app, std::string msg) { return Status(code, std::move(app), std::move(msg)); }

json::object NetworkToJson(const Network& net) {
  json::object o;
  o["chain_id"] = net.chain_id;
  o["base_port"] = net.base_port;
  o["genesis"] = "genesis.json";
  json::array orgs;
  for (const auto& org : net.orgs) {
    orgs.push_back(json::object{{"code", org.code},
                                {"name", org.name},
                                {"short_name", org.short_name},
                                {"key_file", org.key_file}});
  }
  o["orgs"] = std::move(orgs);
  json::array nodes;
  for (const auto& n : net.nodes) {
    nodes.push_back(json::object{{"name", n.name},
                                 {"moniker", n.moniker},
                                 {"org", n.org},
                                 {"dir", n.dir},
                                 {"node_id", n.node_id},
                                 {"rpc", "127.0.0.1:" + std::to_string(n.rpc_port)},
                                 {"p2p", "127.0.0.1:" + std::to_string(n.p2p_port)},
                                 {"rpc_port", n.rpc_port},
                                 {"p2p_port", n.p2p_port}});
  }
  o["nodes"] = std::move(nodes);
  return o;
}

// Reads a string member; records the first problem in *error.
std::string Str(const json::object& o, const char* key, Status* error) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) {
    if (error->ok()) *error = NetError(Code::kCorruption, "NET_MALFORMED", std::string("missing or non-string \"") + key + "\"");
    return "";
  }
  return std::string(it->value().get_string());
}

uint16_t Port(const json::object& o, const char* key, Status* error) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_int64() || it->value().get_int64() <= 0 || it->value().get_int64() > 65535) {
    if (error->ok()) *error = NetError(Code::kCorruption, "NET_MALFORMED", std::string("missing or bad port \"") + key + "\"");
    return 0;
  }
  return static_cast<uint16_t>(it->value().get_int64());
}

bool IsDirEmpty(const std::string& dir) {
  std::error_code ec;
  return fs::is_empty(dir, ec) && !ec;
}

std::string LogTail(const std::string& path, size_t lines) {
  auto text = ReadFile(path);
  if (!text.ok()) return "";
  const std::string& t = *text;
  size_t pos = t.size();
  size_t found = 0;
  while (pos > 0 && found <= lines) {
    pos = t.rfind('\n', pos - 1);
    if (pos == std::string::npos) {
      pos = 0;
      break;
    }
    ++found;
  }
  return t.substr(pos == 0 ? 0 : pos + 1);
}

bool ProcessAlive(int pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0 && errno != EPERM) return false;
  // A zombie has exited; its parent just has not reaped it yet.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t close = content.rfind(')');
  if (close != std::string::npos && close + 2 < content.size() && content[close + 2] == 'Z') return false;
  return true;
}

void ReapIfChild(int pid) {
  int status = 0;
  ::waitpid(pid, &status, WNOHANG);
}

bool Healthy(uint16_t port, std::string* detail) {
  rpc::ClientOptions o;
  o.port = port;
  o.timeout = std::chrono::milliseconds(2000);
  rpc::Client client(o);
  auto r = client.Request("GET", "/healthz");
  if (!r.ok()) {
    *detail = r.status().ToString();
    return false;
  }
  if (r->status != 200) {
    *detail = "healthz answered HTTP " + std::to_string(r->status);
    json::error_code ec;
    json::value v = json::parse(r->body, ec);
    if (!ec && v.is_object() && v.as_object().contains("reason") && v.as_object().at("reason").is_string()) {
      *detail += ": " + std::string(v.as_object().at("reason").get_string());
    }
    return false;
  }
  detail->clear();
  return true;
}

}  // namespace

Result<Network> InitNetwork(const NetInitOptions& options) {
  if (options.nodes < 1 || options.nodes > kMaxNetworkNodes) {
    return NetError(Code::kInvalidArgument, "NET_BAD_SIZE",
                    "a network has 1 to " + std::to_string(kMaxNetworkNodes) + " nodes, not " +
                        std::to_string(options.nodes));
  }
  if (options.base_port < 1024 || static_cast<uint32_t>(options.base_port) + 2 * options.nodes > 65535) {
    return NetError(Code::kInvalidArgument, "NET_BAD_PORT",
                    "--base-port " + std::to_string(options.base_port) + " leaves no room for " +
                        std::to_string(options.nodes) + " nodes (2 ports each, 1024..65535)");
  }
  std::error_code ec;
  fs::path dir = fs::absolute(options.dir, ec);
  if (ec) return Status::IOError("bad folder " + options.dir + ": " + ec.message());
  dir = dir.lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();
  if (fs::exists(dir)) {
    bool is_network = fs::exists(dir / kNetworkFile);
    if (!IsDirEmpty(dir.string())) {
      if (!options.force) {
        return NetError(Code::kAlreadyExists, "NET_EXISTS",
                        dir.string() + " already exists and is not empty; use it as it is, or pass "
                                       "--force to wipe it and create a new network");
      }
      if (!is_network) {
        return NetError(Code::kFailedPrecondition, "NET_EXISTS",
                        dir.string() + " is not a network folder (no network.json); refusing to wipe it");
      }
      for (const auto& entry : fs::directory_iterator(dir)) {
        std::string pid_file = (entry.path() / "civicd.pid").string();
        if (LiveCivicdPid(pid_file) > 0) {
          return NetError(Code::kFailedPrecondition, "NET_RUNNING",
                          "a node of " + dir.string() + " is still running; stop it first with "
                          "`civic net down --dir " + options.dir + "`");
        }
      }
      fs::remove_all(dir, ec);
      if (ec) return Status::IOError("cannot wipe " + dir.string() + ": " + ec.message());
    }
  }
  fs::create_directories(dir / "orgs", ec);
  if (ec) return Status::IOError("cannot create " + dir.string() + ": " + ec.message());

  Network net;
  net.dir = dir.string();
  net.chain_id = options.chain_id;
  net.base_port = options.base_port;

  contracts::SampleGenesisInput genesis_in;
  genesis_in.chain_id = options.chain_id;
  genesis_in.genesis_time_ms = NowMs() / 1000 * 1000;

  const auto& sample_orgs = contracts::SampleOrgs();
  for (const auto& so : sample_orgs) {
    NetOrg org{so.code, so.name, so.short_name, "orgs/" + so.short_name + ".key"};
    auto key = crypto::KeyPair::Generate(crypto::Algo::kEd25519);
    CIVIC_RETURN_IF_ERROR(crypto::WriteKeyFile(net.Path(org.key_file), key));
    CIVIC_RETURN_IF_ERROR(WriteFileWithMode(net.Path(org.key_file) + ".org", org.code + "\n", 0644));
    genesis_in.org_keys.push_back(key.public_key());
    net.orgs.push_back(std::move(org));
  }
  for (size_t i = 0; i < options.nodes; ++i) {
    const NetOrg& org = net.orgs[i % net.orgs.size()];
    NetNode n;
    n.name = "node" + std::to_string(i);
    n.moniker = org.short_name + "-" + std::to_string(i / net.orgs.size());
    n.org = org.code;
    n.dir = n.name;
    n.p2p_port = static_cast<uint16_t>(options.base_port + 2 * i);
    n.rpc_port = static_cast<uint16_t>(options.base_port + 2 * i + 1);
    fs::create_directories(net.Path(n.dir), ec);
    if (ec) return Status::IOError("cannot create " + net.Path(n.dir) + ": " + ec.message());
    auto key = crypto::KeyPair::Generate(crypto::Algo::kEd25519);
    CIVIC_RETURN_IF_ERROR(crypto::WriteKeyFile(net.Path(n.dir + "/node_key.json"), key));
    n.node_id = key.public_key().ToString();
    genesis_in.node_keys.push_back(key.public_key());
    net.nodes.push_back(std::move(n));
  }

  CIVIC_ASSIGN_OR_RETURN(std::string genesis_text, contracts::SampleGenesisText(genesis_in));
  CIVIC_RETURN_IF_ERROR(WriteFileAtomic(net.Path("genesis.json"), genesis_text, 0644));

  for (size_t i = 0; i < net.nodes.size(); ++i) {
    const NetNode& n = net.nodes[i];
    node::Config c;
    c.node.moniker = n.moniker;
    c.node.data_dir = "data";
    c.node.key_file = "node_key.json";
    c.node.genesis_file = "../genesis.json";
    c.rpc.listen = {"127.0.0.1", n.rpc_port};
    c.rpc.web_root = options.web_root;
    c.p2p.listen = {"127.0.0.1", n.p2p_port};
    for (size_t j = 0; j < net.nodes.size(); ++j) {
      if (j == i) continue;
      CIVIC_ASSIGN_OR_RETURN(crypto::PublicKey peer_key, crypto::PublicKey::Parse(net.nodes[j].node_id));
      c.p2p.peers.push_back({peer_key, {"127.0.0.1", net.nodes[j].p2p_port}});
    }
    std::string header = "# " + n.moniker + " (" + n.org + "): node " + std::to_string(i) + " of network " +
                         net.chain_id + ", written by `civic net init`.\n";
    CIVIC_RETURN_IF_ERROR(WriteFileAtomic(net.Path(n.dir + "/config.toml"), header + node::FormatConfig(c), 0644));
  }
  CIVIC_RETURN_IF_ERROR(
      WriteFileAtomic(net.Path(kNetworkFile), json::serialize(NetworkToJson(net)) + "\n", 0644));

  // What was written must read back: every config and the genesis.
  for (const auto& n : net.nodes) {
    auto cfg = node::LoadConfig(net.Path(n.dir + "/config.toml"));
    if (!cfg.ok()) return cfg.status();
  }
  auto genesis = contracts::LoadGenesisFile(net.Path("genesis.json"));
  if (!genesis.ok()) return genesis.status();
  return net;
}

Result<Network> LoadNetwork(const std::string& dir) {
  std::error_code ec;
  fs::path abs = fs::absolute(dir, ec).lexically_normal();
  if (abs.filename().empty()) abs = abs.parent_path();
  auto text = ReadFile((abs / kNetworkFile).string());
  if (!text.ok()) {
    if (text.status().app_code() == "FILE_NOT_FOUND") {
      return NetError(Code::kNotFound, "NET_NOT_FOUND",
                      "no network in " + abs.string() + " (no network.json); create one with "
                      "`civic net init N --dir " + dir + "`");
    }
    return text.status();
  }
  json::error_code jec;
  json::value v = json::parse(*text, jec);
  if (jec || !v.is_object()) return NetError(Code::kCorruption, "NET_MALFORMED", "network.json is not a JSON object");
  const json::object& o = v.get_object();
  Network net;
  net.dir = abs.string();
  Status error;
  net.chain_id = Str(o, "chain_id", &error);
  net.base_port = Port(o, "base_port", &error);
  auto orgs = o.find("orgs");
  auto nodes = o.find("nodes");
  if (orgs == o.end() || !orgs->value().is_array() || nodes == o.end() || !nodes->value().is_array()) {
    return NetError(Code::kCorruption, "NET_MALFORMED", "network.json lacks \"orgs\" or \"nodes\"");
  }
  for (const auto& ov : orgs->value().get_array()) {
    if (!ov.is_object()) return NetError(Code::kCorruption, "NET_MALFORMED", "an org is not an object");
    const auto& oo = ov.get_object();
    net.orgs.push_back({Str(oo, "code", &error), Str(oo, "name", &error), Str(oo, "short_name", &error),
                        Str(oo, "key_file", &error)});
  }
  for (const auto& nv : nodes->value().get_array()) {
    if (!nv.is_object()) return NetError(Code::kCorruption, "NET_MALFORMED", "a node is not an object");
    const auto& no = nv.get_object();
    NetNode n;
    n.name = Str(no, "name", &error);
    n.moniker = Str(no, "moniker", &error);
    n.org = Str(no, "org", &error);
    n.dir = Str(no, "dir", &error);
    n.node_id = Str(no, "node_id", &error);
    n.rpc_port = Port(no, "rpc_port", &error);
    n.p2p_port = Port(no, "p2p_port", &error);
    net.nodes.push_back(std::move(n));
  }
  if (!error.ok()) return Status(error.code(), error.app_code(), net.Path(kNetworkFile) + ": " + error.message());
  if (net.nodes.empty()) return NetError(Code::kCorruption, "NET_MALFORMED", "network.json lists no nodes");
  return net;
}

Result<std::string> FindCivicd() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path bin = self.parent_path();
    for (const fs::path& candidate : {bin / "../node/civicd", bin / "civicd"}) {
      if (::access(candidate.c_str(), X_OK) == 0) return fs::canonical(candidate, ec).string();
    }
  }
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "";
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string dir = p.substr(start, end - start);
    if (!dir.empty()) {
      std::string candidate = dir + "/civicd";
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    start = end + 1;
  }
  return NetError(Code::kNotFound, "CIVICD_NOT_FOUND",
                  "cannot find civicd next to civic or on PATH; build it (cmake --build --preset release) "
                  "or pass --civicd PATH");
}

int LiveCivicdPid(const std::string& pid_file) {
  auto text = ReadFile(pid_file);
  if (!text.ok()) return 0;
  int pid = std::atoi(text->c_str());
  if (!ProcessAlive(pid)) return 0;
  std::ifstream cmd("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string argv0;
  std::getline(cmd, argv0, '\0');
  if (fs::path(argv0).filename() != "civicd") return 0;
  return pid;
}

Result<std::vector<NodeRunState>> StartNetwork(const Network& net, const NetUpOptions& options) {
  std::string civicd = options.civicd;
  if (civicd.empty()) {
    CIVIC_ASSIGN_OR_RETURN(civicd, FindCivicd());
  } else if (::access(civicd.c_str(), X_OK) != 0) {
    return NetError(Code::kNotFound, "CIVICD_NOT_FOUND", civicd + " is not an executable file");
  }
  std::vector<NodeRunState> states(net.nodes.size());
  std::vector<bool> started(net.nodes.size(), false);
  for (size_t i = 0; i < net.nodes.size(); ++i) {
    const NetNode& n = net.nodes[i];
    states[i].name = n.name;
    std::string pid_file = net.Path(n.dir + "/civicd.pid");
    if (int pid = LiveCivicdPid(pid_file)) {
      states[i].pid = pid;
      states[i].already_running = true;
      continue;
    }
    std::string config = net.Path(n.dir + "/config.toml");
    std::string log = net.Path(n.dir + "/civicd.log");
    pid_t pid = ::fork();
    if (pid < 0) return Status::IOError(std::string("fork failed: ") + std::strerror(errno));
    if (pid == 0) {
      // Child: a session of its own so the terminal's Ctrl-C does not reach it.
      ::setsid();
      int in = ::open("/dev/null", O_RDONLY);
      int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (in >= 0) ::dup2(in, 0);
      if (out >= 0) {
        ::dup2(out, 1);
        ::dup2(out, 2);
      }
      ::execl(civicd.c_str(), "civicd", "--config", config.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    states[i].pid = pid;
    started[i] = true;
    CIVIC_RETURN_IF_ERROR(WriteFileAtomic(pid_file, std::to_string(pid) + "\n", 0644));
  }

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.timeout_s);
  for (;;) {
    bool all = true;
    for (size_t i = 0; i < net.nodes.size(); ++i) {
      NodeRunState& s = states[i];
      if (s.healthy) continue;
      if (started[i]) ReapIfChild(s.pid);
      if (!ProcessAlive(s.pid)) {
        ::unlink(net.Path(net.nodes[i].dir + "/civicd.pid").c_str());
        std::string log = net.Path(net.nodes[i].dir + "/civicd.log");
        return NetError(Code::kFailedPrecondition, "NODE_EXITED",
                        net.nodes[i].name + " exited; the end of " + log + ":\n" + LogTail(log, 8));
      }
      s.healthy = Healthy(net.nodes[i].rpc_port, &s.detail);
      all = all && s.healthy;
    }
    if (all || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return states;
}

Result<std::vector<NodeRunState>> StopNetwork(const Network& net, int timeout_s) {
  std::vector<NodeRunState> states(net.nodes.size());
  for (size_t i = 0; i < net.nodes.size(); ++i) {
    states[i].name = net.nodes[i].name;
    states[i].pid = LiveCivicdPid(net.Path(net.nodes[i].dir + "/civicd.pid"));
    if (states[i].pid > 0) ::kill(states[i].pid, SIGTERM);
  }
  auto wait_all = [&](std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      bool any = false;
      for (auto& s : states) {
        if (s.pid <= 0) continue;
        ReapIfChild(s.pid);
        if (ProcessAlive(s.pid)) any = true;
      }
      if (!any || std::chrono::steady_clock::now() >= deadline) return !any;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  };
  if (!wait_all(std::chrono::seconds(timeout_s))) {
    for (auto& s : states) {
      if (s.pid > 0 && ProcessAlive(s.pid)) {
        ::kill(s.pid, SIGKILL);
        s.detail = "did not stop within " + std::to_string(timeout_s) + "s; killed";
      }
    }
    wait_all(std::chrono::seconds(5));
  }
  for (size_t i = 0; i < net.nodes.size(); ++i) {
    NodeRunState& s = states[i];
    if (s.pid > 0 && ProcessAlive(s.pid)) {
      s.detail = "still running after SIGKILL";
      continue;
    }
    ::unlink(net.Path(net.nodes[i].dir + "/civicd.pid").c_str());
    if (s.pid > 0 && s.detail.empty()) s.detail = "stopped";
    if (s.pid == 0) s.detail = "was not running";
  }
  return states;
}

std::vector<NodeRunState> NetworkStatus(const Network& net) {
  std::vector<NodeRunState> states;
  for (const auto& n : net.nodes) {
    NodeRunState s;
    s.name = n.name;
    s.pid = LiveCivicdPid(net.Path(n.dir + "/civicd.pid"));
    s.healthy = Healthy(n.rpc_port, &s.detail);
    auto api = ConnectNode(n.rpc_url());
    if (api.ok()) {
      auto st = GetChainStatus(**api);
      if (st.ok()) {
        s.rpc_ok = true;
        s.height = st->height;
      } else if (s.detail.empty()) {
        s.detail = st.status().ToString();
      }
    }
    states.push_back(std::move(s));
  }
  return states;
}

}  // namespace civic::tools
