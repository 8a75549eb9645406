#include "tools/net/net.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "contracts/base/errors.h"
#include "contracts/certificate/holder.h"
#include "contracts/certificate/calls.h"
#include "contracts/governance/calls.h"
#include "contracts/base/tx_builder.h"
#include "contracts/genesis.h"
#include "crypto/keyfile.h"
#include "node/config.h"
#include "rpc/client.h"
#include "rpc/error_codes.h"
#include "tools/common/errors.h"
#include "tools/common/files.h"
#include "tools/common/spawn.h"
#include "tools/common/node_api.h"
#include "tools/common/timefmt.h"
#include "tools/net/tls_ca.h"
#include "tools/samples/network.h"

namespace civic::tools {
namespace fs = std::filesystem;
namespace json = boost::json;
namespace {

constexpr const char* kNetworkFile = "network.json";
constexpr const char* kTlsCaCert = "tls/ca.crt";
constexpr const char* kTlsCaKey = "tls/ca.key";

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
  if (!net.tls_ca.empty()) o["tls_ca"] = net.tls_ca;
  return o;
}

// Reads a string member; records the first problem in *error.
std::string Str(const json::object& o, const char* key, Status* error) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) {
    if (error->ok()) *error = NetError(Code::kCorruption, err::NET_MALFORMED, std::string("missing or non-string \"") + key + "\"");
    return "";
  }
  return std::string(it->value().get_string());
}

uint16_t Port(const json::object& o, const char* key, Status* error) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_int64() || it->value().get_int64() <= 0 || it->value().get_int64() > 65535) {
    if (error->ok()) *error = NetError(Code::kCorruption, err::NET_MALFORMED, std::string("missing or bad port \"") + key + "\"");
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

bool Healthy(const Network& net, const NetNode& node, std::string* detail) {
  rpc::ClientOptions o;
  o.port = node.rpc_port;
  o.tls = node.tls;
  o.tls_files = NetClientTls(net);
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

// Height, peers and validator flag from a chain_status result; false if it
// lacks the height.
bool ReadNodeStatus(const json::value& status, NodeRunState* s) {
  if (!status.is_object()) return false;
  const json::object& o = status.get_object();
  auto height = o.find("height");
  if (height == o.end() || !(height->value().is_int64() || height->value().is_uint64())) return false;
  s->rpc_ok = true;
  s->height = height->value().is_uint64() ? height->value().get_uint64()
                                          : static_cast<uint64_t>(std::max<int64_t>(0, height->value().get_int64()));
  auto node = o.find("node");
  if (node != o.end() && node->value().is_object()) {
    const json::object& n = node->value().get_object();
    auto peers = n.find("peers");
    if (peers != n.end() && peers->value().is_int64()) {
      s->peers = static_cast<size_t>(std::max<int64_t>(0, peers->value().get_int64()));
    } else if (peers != n.end() && peers->value().is_uint64()) {
      s->peers = static_cast<size_t>(peers->value().get_uint64());
    }
    auto validator = n.find("validator");
    if (validator != n.end() && validator->value().is_bool()) s->validator = validator->value().get_bool();
  }
  return true;
}


// The [p2p] peers of node `self`: every other node of `net`.
Result<std::vector<node::PeerAddress>> PeersOf(const Network& net, size_t self) {
  std::vector<node::PeerAddress> peers;
  for (size_t j = 0; j < net.nodes.size(); ++j) {
    if (j == self) continue;
    CIVIC_ASSIGN_OR_RETURN(crypto::PublicKey key, crypto::PublicKey::Parse(net.nodes[j].node_id));
    peers.push_back({key, {"127.0.0.1", net.nodes[j].p2p_port}});
  }
  return peers;
}

Status WriteNodeConfig(const Network& net, size_t i, const node::Config& c) {
  const NetNode& n = net.nodes[i];
  std::string header = "# " + n.moniker + " (" + n.org + "): node " + n.name.substr(4) + " of network " +
                       net.chain_id + ", written by `civic net`.\n";
  return WriteFileAtomic(net.Path(n.dir + "/config.toml"), header + node::FormatConfig(c), 0644);
}

// Node n's RPC certificate, issued by the network's CA (tls/ca.crt, ca.key).
Status WriteNodeTls(const Network& net, const NetNode& n) {
  TlsCertificate ca;
  CIVIC_ASSIGN_OR_RETURN(ca.cert_pem, ReadFile(net.Path(net.tls_ca)));
  CIVIC_ASSIGN_OR_RETURN(ca.key_pem, ReadFile(net.Path(kTlsCaKey)));
  CIVIC_ASSIGN_OR_RETURN(TlsCertificate cert, IssueTlsServerCertificate(ca, {"127.0.0.1", "localhost"}));
  CIVIC_RETURN_IF_ERROR(WriteFileAtomic(net.Path(n.dir + "/tls.crt"), cert.cert_pem, 0644));
  return WriteFileAtomic(net.Path(n.dir + "/tls.key"), cert.key_pem, 0600);
}

// The config of a node that has none yet: paths relative to its folder, the
// ports of network.json, every other node as a peer.
Status WriteNewNodeConfig(const Network& net, size_t i, const std::string& web_root) {
  const NetNode& n = net.nodes[i];
  node::Config c;
  c.node.moniker = n.moniker;
  c.node.data_dir = "data";
  c.node.key_file = "node_key.json";
  c.node.genesis_file = "../genesis.json";
  c.rpc.listen = {"127.0.0.1", n.rpc_port};
  c.rpc.web_root = web_root;
  if (!net.tls_ca.empty()) {
    CIVIC_RETURN_IF_ERROR(WriteNodeTls(net, n));
    c.rpc.tls_cert_file = "tls.crt";
    c.rpc.tls_key_file = "tls.key";
  }
  c.p2p.listen = {"127.0.0.1", n.p2p_port};
  CIVIC_ASSIGN_OR_RETURN(c.p2p.peers, PeersOf(net, i));
  return WriteNodeConfig(net, i, c);
}

// A path inside the network folder as seen from `from_dir`; others unchanged.
std::string RelativeTo(const Network& net, const std::string& path, const std::string& from_dir) {
  if (path.empty()) return path;
  fs::path p(path);
  fs::path root(net.dir);
  auto mismatch = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
  if (mismatch.first != root.end()) return path;
  return fs::path(path).lexically_relative(from_dir).string();
}

// Rewrites node i's [p2p] peers to the nodes of `net`, keeping the rest of its
// config (read back with paths relative to its folder, so the network folder
// can still move).
Status RewritePeers(const Network& net, size_t i) {
  const NetNode& n = net.nodes[i];
  const std::string dir = net.Path(n.dir);
  CIVIC_ASSIGN_OR_RETURN(node::Config c, node::LoadConfig(dir + "/config.toml"));
  c.node.data_dir = RelativeTo(net, c.node.data_dir, dir);
  c.node.key_file = RelativeTo(net, c.node.key_file, dir);
  c.node.genesis_file = RelativeTo(net, c.node.genesis_file, dir);
  c.node.log_file = RelativeTo(net, c.node.log_file, dir);
  c.rpc.web_root = RelativeTo(net, c.rpc.web_root, dir);
  c.rpc.tls_cert_file = RelativeTo(net, c.rpc.tls_cert_file, dir);
  c.rpc.tls_key_file = RelativeTo(net, c.rpc.tls_key_file, dir);
  c.rpc.tls_client_ca_file = RelativeTo(net, c.rpc.tls_client_ca_file, dir);
  CIVIC_ASSIGN_OR_RETURN(c.p2p.peers, PeersOf(net, i));
  return WriteNodeConfig(net, i, c);
}

Status SaveNetwork(const Network& net) {
  return WriteFileAtomic(net.Path(kNetworkFile), json::serialize(NetworkToJson(net)) + "\n", 0644);
}

// ---- membership through governance ------------------------------------------

// A client of the first healthy node other than `except`.
Result<std::unique_ptr<NodeApi>> ConnectHealthy(const Network& net, const std::string& except) {
  std::string why = "no node answered";
  for (const auto& n : net.nodes) {
    if (n.name == except) continue;
    std::string detail;
    if (!Healthy(net, n, &detail)) {
      why = n.name + ": " + detail;
      continue;
    }
    return ConnectNode(n.rpc_url(), NetClientTls(net));
  }
  return NetError(Code::kUnavailable, err::NET_NOT_RUNNING,
                  "no healthy node of " + net.dir + " to send the governance txs to (" + why +
                      "); start the network with `civic net up`");
}

struct ChainView {
  uint64_t height = 0;
  uint64_t validator_power = 0;            // of the first validator
  std::vector<std::string> validator_keys;  // "ed25519:<hex>"
  bool validator = false;                   // the node answering
};

Result<ChainView> ReadChainView(NodeApi& api) {
  CIVIC_ASSIGN_OR_RETURN(json::value v, api.Call("chain_status", json::object()));
  ChainView view;
  NodeRunState state;
  if (!ReadNodeStatus(v, &state)) {
    return NetError(Code::kCorruption, err::NET_MALFORMED, "chain_status answered without a height");
  }
  view.height = state.height;
  view.validator = state.validator;
  const json::object& o = v.get_object();
  if (auto it = o.find("validators"); it != o.end() && it->value().is_array()) {
    for (const auto& val : it->value().get_array()) {
      if (!val.is_object()) continue;
      const json::object& vo = val.get_object();
      if (auto k = vo.find("pub_key"); k != vo.end() && k->value().is_string()) {
        view.validator_keys.emplace_back(k->value().get_string());
      }
      if (auto pw = vo.find("power"); pw != vo.end() && pw->value().is_int64() && view.validator_power == 0) {
        view.validator_power = static_cast<uint64_t>(std::max<int64_t>(0, pw->value().get_int64()));
      }
    }
  }
  return view;
}

// Commits `raw` and checks the tx's own result.
Result<TxOutcome> CommitOk(NodeApi& api, const Bytes& raw, std::string_view what) {
  CIVIC_ASSIGN_OR_RETURN(TxOutcome out, CommitTx(api, raw, 30000));
  if (!out.result.ok()) {
    return Status(out.result.code(), out.result.app_code(),
                  std::string(what) + " was refused: " + out.result.message());
  }
  return out;
}

// Proposes `action` as the first department and votes yes with the others,
// in order, until the proposal executes. The proposal id.
Result<uint64_t> PassProposal(NodeApi& api, const Network& net, const std::string& title,
                              const pb::GovernanceCall& action) {
  std::vector<crypto::KeyPair> keys;
  for (const auto& org : net.orgs) {
    auto key = crypto::ReadKeyFile(net.Path(org.key_file));
    if (!key.ok()) {
      return Status(key.status().code(), key.status().app_code(),
                    "department key " + net.Path(org.key_file) + ": " + key.status().message());
    }
    keys.push_back(std::move(key).value());
  }
  if (keys.empty()) return NetError(Code::kCorruption, err::NET_MALFORMED, "network.json lists no departments");
  auto params = [&](size_t org) -> Result<contracts::TxParams> {
    CIVIC_ASSIGN_OR_RETURN(ChainStatusInfo st, GetChainStatus(api));
    contracts::TxParams p;
    p.chain_id = st.chain_id;
    p.org = net.orgs[org].code;
    p.valid_until_height = st.height + 100;
    return p;
  };
  CIVIC_ASSIGN_OR_RETURN(contracts::TxParams first, params(0));
  CIVIC_ASSIGN_OR_RETURN(TxOutcome proposed,
                         CommitOk(api, contracts::ProposeTx(first, title, action, keys[0]), "the proposal"));
  CIVIC_ASSIGN_OR_RETURN(std::optional<ProposalInfo> proposal, ProposalOfTx(api, proposed.id));
  if (!proposal) {
    return NetError(Code::kInternal, err::NET_PROPOSAL_FAILED, "the proposal tx " + proposed.id + " made no proposal");
  }
  for (size_t org = 1;; ++org) {
    if (proposal->status == "executed") return proposal->id;
    if (proposal->status != "open") {
      return NetError(Code::kFailedPrecondition, err::NET_PROPOSAL_FAILED,
                      "proposal " + std::to_string(proposal->id) + " \"" + title + "\" is " + proposal->status +
                          (proposal->result_message.empty() ? "" : ": " + proposal->result_message));
    }
    if (org >= keys.size()) {
      return NetError(Code::kFailedPrecondition, err::NET_PROPOSAL_FAILED,
                      "proposal " + std::to_string(proposal->id) + " is still open after every department voted");
    }
    CIVIC_ASSIGN_OR_RETURN(contracts::TxParams p, params(org));
    CIVIC_ASSIGN_OR_RETURN(TxOutcome vote, CommitTx(api, contracts::VoteTx(p, proposal->id, true, keys[org]), 30000));
    // A department without the ADMIN role cannot vote; the next one may.
    if (!vote.result.ok() && vote.result.app_code() != err::NOT_ADMIN && vote.result.app_code() != err::ALREADY_VOTED) {
      return Status(vote.result.code(), vote.result.app_code(),
                    net.orgs[org].short_name + "'s vote was refused: " + vote.result.message());
    }
    CIVIC_ASSIGN_OR_RETURN(proposal, ProposalOfTx(api, proposed.id));
    if (!proposal) return NetError(Code::kInternal, err::NET_PROPOSAL_FAILED, "the proposal disappeared");
  }
}

pb::GovernanceCall SetValidatorCall(const NetNode& node, uint64_t power) {
  pb::GovernanceCall call;
  auto* set = call.mutable_set_validator();
  set->set_org(node.org);
  auto key = crypto::PublicKey::Parse(node.node_id);
  set->set_algo(static_cast<uint32_t>(crypto::Algo::kEd25519));
  if (key.ok()) set->set_key(key->key);
  set->set_power(power);
  return call;
}

// Polls `done` every 200 ms until it returns true or `timeout_s` passes.
bool PollUntil(int timeout_s, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return true;
}

}  // namespace

rpc::TlsClientFiles NetClientTls(const Network& net) {
  if (net.tls_ca.empty()) return TlsFilesFromEnvironment();
  return {net.Path(net.tls_ca), "", ""};
}

Result<Network> InitNetwork(const NetInitOptions& options) {
  if (options.nodes < 1 || options.nodes > kMaxNetworkNodes) {
    return NetError(Code::kInvalidArgument, err::NET_BAD_SIZE,
                    "a network has 1 to " + std::to_string(kMaxNetworkNodes) + " nodes, not " +
                        std::to_string(options.nodes));
  }
  if (options.base_port < 1024 || static_cast<uint32_t>(options.base_port) + 2 * options.nodes > 65535) {
    return NetError(Code::kInvalidArgument, err::NET_BAD_PORT,
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
        return NetError(Code::kAlreadyExists, err::NET_EXISTS,
                        dir.string() + " already exists and is not empty; use it as it is, or pass "
                                       "--force to wipe it and create a new network");
      }
      if (!is_network) {
        return NetError(Code::kFailedPrecondition, err::NET_EXISTS,
                        dir.string() + " is not a network folder (no network.json); refusing to wipe it");
      }
      for (const auto& entry : fs::directory_iterator(dir)) {
        std::string pid_file = (entry.path() / "civicd.pid").string();
        if (LiveCivicdPid(pid_file) > 0) {
          return NetError(Code::kFailedPrecondition, err::NET_RUNNING,
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

  samples::SampleGenesisInput genesis_in;
  genesis_in.chain_id = options.chain_id;
  genesis_in.genesis_time_ms = NowMs() / 1000 * 1000;

  const auto& sample_orgs = samples::SampleOrgs();
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
    n.tls = options.tls;
    fs::create_directories(net.Path(n.dir), ec);
    if (ec) return Status::IOError("cannot create " + net.Path(n.dir) + ": " + ec.message());
    auto key = crypto::KeyPair::Generate(crypto::Algo::kEd25519);
    CIVIC_RETURN_IF_ERROR(crypto::WriteKeyFile(net.Path(n.dir + "/node_key.json"), key));
    n.node_id = key.public_key().ToString();
    genesis_in.node_keys.push_back(key.public_key());
    net.nodes.push_back(std::move(n));
  }

  if (options.tls) {
    fs::create_directories(dir / "tls", ec);
    if (ec) return Status::IOError("cannot create " + (dir / "tls").string() + ": " + ec.message());
    CIVIC_ASSIGN_OR_RETURN(TlsCertificate ca, CreateTlsCa("CivicLedger local network " + options.chain_id));
    net.tls_ca = kTlsCaCert;
    CIVIC_RETURN_IF_ERROR(WriteFileAtomic(net.Path(kTlsCaKey), ca.key_pem, 0600));
    CIVIC_RETURN_IF_ERROR(WriteFileAtomic(net.Path(kTlsCaCert), ca.cert_pem, 0644));
  }

  CIVIC_ASSIGN_OR_RETURN(std::string genesis_text, samples::SampleGenesisText(genesis_in));
  CIVIC_RETURN_IF_ERROR(WriteFileAtomic(net.Path("genesis.json"), genesis_text, 0644));

  for (size_t i = 0; i < net.nodes.size(); ++i) {
    CIVIC_RETURN_IF_ERROR(WriteNewNodeConfig(net, i, options.web_root));
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
    if (text.status().app_code() == err::FILE_NOT_FOUND) {
      return NetError(Code::kNotFound, err::NET_NOT_FOUND,
                      "no network in " + abs.string() + " (no network.json); create one with "
                      "`civic net init N --dir " + dir + "`");
    }
    return text.status();
  }
  json::error_code jec;
  json::value v = json::parse(*text, jec);
  if (jec || !v.is_object()) return NetError(Code::kCorruption, err::NET_MALFORMED, "network.json is not a JSON object");
  const json::object& o = v.get_object();
  Network net;
  net.dir = abs.string();
  Status error;
  net.chain_id = Str(o, "chain_id", &error);
  net.base_port = Port(o, "base_port", &error);
  auto orgs = o.find("orgs");
  auto nodes = o.find("nodes");
  if (orgs == o.end() || !orgs->value().is_array() || nodes == o.end() || !nodes->value().is_array()) {
    return NetError(Code::kCorruption, err::NET_MALFORMED, "network.json lacks \"orgs\" or \"nodes\"");
  }
  for (const auto& ov : orgs->value().get_array()) {
    if (!ov.is_object()) return NetError(Code::kCorruption, err::NET_MALFORMED, "an org is not an object");
    const auto& oo = ov.get_object();
    net.orgs.push_back({Str(oo, "code", &error), Str(oo, "name", &error), Str(oo, "short_name", &error),
                        Str(oo, "key_file", &error)});
  }
  for (const auto& nv : nodes->value().get_array()) {
    if (!nv.is_object()) return NetError(Code::kCorruption, err::NET_MALFORMED, "a node is not an object");
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
  if (auto tls_ca = o.find("tls_ca"); tls_ca != o.end()) {
    if (!tls_ca->value().is_string() || tls_ca->value().get_string().empty()) {
      return NetError(Code::kCorruption, err::NET_MALFORMED, "network.json \"tls_ca\" is not a file name");
    }
    net.tls_ca = std::string(tls_ca->value().get_string());
    for (NetNode& n : net.nodes) n.tls = true;
  }
  if (!error.ok()) return Status(error.code(), error.app_code(), net.Path(kNetworkFile) + ": " + error.message());
  if (net.nodes.empty()) return NetError(Code::kCorruption, err::NET_MALFORMED, "network.json lists no nodes");
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
  return NetError(Code::kNotFound, err::CIVICD_NOT_FOUND,
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
    return NetError(Code::kNotFound, err::CIVICD_NOT_FOUND, civicd + " is not an executable file");
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
    CIVIC_ASSIGN_OR_RETURN(pid_t pid, SpawnDetached(civicd, {"civicd", "--config", config}, log));
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
        return NetError(Code::kFailedPrecondition, err::NODE_EXITED,
                        net.nodes[i].name + " exited; the end of " + log + ":\n" + LogTail(log, 8));
      }
      s.healthy = Healthy(net, net.nodes[i], &s.detail);
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
    s.healthy = Healthy(net, n, &s.detail);
    auto api = ConnectNode(n.rpc_url(), NetClientTls(net));
    if (api.ok()) {
      auto st = (*api)->Call("chain_status", json::object());
      if (!st.ok()) {
        if (s.detail.empty()) s.detail = st.status().ToString();
      } else if (!ReadNodeStatus(*st, &s)) {
        if (s.detail.empty()) s.detail = "chain_status answered without a height";
      }
    }
    states.push_back(std::move(s));
  }
  return states;
}

Result<MembershipResult> AddNetworkNode(const Network& net, const NetMembershipOptions& options) {
  if (net.nodes.size() >= kMaxNetworkNodes) {
    return NetError(Code::kInvalidArgument, err::NET_BAD_SIZE,
                    "a network has at most " + std::to_string(kMaxNetworkNodes) + " nodes");
  }
  if (net.orgs.empty()) return NetError(Code::kCorruption, err::NET_MALFORMED, "network.json lists no departments");
  if (net.nodes.size() == 1) {
    return NetError(Code::kFailedPrecondition, err::NET_SINGLE_NODE,
                    "a one-node network runs the one-validator engine, which stops when governance adds a "
                    "validator; create a network of two or more nodes (civic net init N)");
  }
  CIVIC_ASSIGN_OR_RETURN(std::unique_ptr<NodeApi> api, ConnectHealthy(net, ""));
  CIVIC_ASSIGN_OR_RETURN(ChainView before, ReadChainView(*api));

  // The next free index: node folders of removed nodes keep their number.
  size_t index = 0;
  for (const auto& n : net.nodes) {
    if (n.name.rfind("node", 0) == 0) index = std::max<size_t>(index, std::strtoul(n.name.c_str() + 4, nullptr, 10) + 1);
  }
  // Skip indexes whose folder exists or whose ports are taken (e.g. by an
  // outgoing connection's ephemeral port).
  auto usable = [&](size_t i) {
    if (fs::exists(net.Path("node" + std::to_string(i)))) return false;
    if (static_cast<uint32_t>(net.base_port) + 2 * i + 1 > 65535) return false;
    return PortFree(static_cast<uint16_t>(net.base_port + 2 * i)) &&
           PortFree(static_cast<uint16_t>(net.base_port + 2 * i + 1));
  };
  const size_t first_index = index;
  while (!usable(index)) {
    if (++index >= first_index + 16 || static_cast<uint32_t>(net.base_port) + 2 * index + 1 > 65535) {
      return NetError(Code::kInvalidArgument, err::NET_BAD_PORT,
                      "no free pair of ports for a new node from " +
                          std::to_string(net.base_port + 2 * first_index) + " on");
    }
  }
  const NetOrg& org = net.orgs[index % net.orgs.size()];
  Network updated = net;
  NetNode n;
  n.name = "node" + std::to_string(index);
  n.moniker = org.short_name + "-" + std::to_string(index / net.orgs.size());
  n.org = org.code;
  n.dir = n.name;
  n.p2p_port = static_cast<uint16_t>(net.base_port + 2 * index);
  n.rpc_port = static_cast<uint16_t>(net.base_port + 2 * index + 1);
  n.tls = !net.tls_ca.empty();
  std::error_code ec;
  fs::create_directories(updated.Path(n.dir), ec);
  if (ec) return Status::IOError("cannot create " + updated.Path(n.dir) + ": " + ec.message());
  auto key = crypto::KeyPair::Generate(crypto::Algo::kEd25519);
  CIVIC_RETURN_IF_ERROR(crypto::WriteKeyFile(updated.Path(n.dir + "/node_key.json"), key));
  n.node_id = key.public_key().ToString();
  updated.nodes.push_back(n);
  const size_t added = updated.nodes.size() - 1;

  // Same web page as the first node.
  std::string web_root;
  if (auto first = node::LoadConfig(net.Path(net.nodes[0].dir + "/config.toml")); first.ok()) {
    web_root = first->rpc.web_root;
  }
  CIVIC_RETURN_IF_ERROR(WriteNewNodeConfig(updated, added, web_root));
  for (size_t i = 0; i < added; ++i) CIVIC_RETURN_IF_ERROR(RewritePeers(updated, i));
  CIVIC_RETURN_IF_ERROR(SaveNetwork(updated));

  // Start it first: it is refused by the others until governance admits it,
  // then connects (it dials them), syncs and starts voting.
  Network only_new = updated;
  only_new.nodes = {n};
  NetUpOptions up;
  up.civicd = options.civicd;
  up.timeout_s = options.timeout_s;
  auto started = StartNetwork(only_new, up);
  Status start_error = started.ok() ? Status::Ok() : started.status();
  if (started.ok() && (started->empty() || !(*started)[0].healthy)) {
    start_error = NetError(Code::kUnavailable, err::NODE_NOT_HEALTHY,
                           n.name + " did not become healthy: " + (started->empty() ? "" : (*started)[0].detail));
  }
  if (!start_error.ok()) {
    // Nothing was proposed yet: undo, so the folder is as it was.
    (void)StopNetwork(only_new, 10);
    (void)SaveNetwork(net);
    for (size_t i = 0; i < net.nodes.size(); ++i) (void)RewritePeers(net, i);
    fs::remove_all(updated.Path(n.dir), ec);
    return start_error;
  }

  MembershipResult result;
  const uint64_t power = before.validator_power > 0 ? before.validator_power : 10;
  CIVIC_ASSIGN_OR_RETURN(result.proposal_id,
                         PassProposal(*api, updated, "add validator " + n.moniker + " " + n.node_id,
                                      SetValidatorCall(n, power)));
  CIVIC_ASSIGN_OR_RETURN(std::unique_ptr<NodeApi> new_api, ConnectNode(n.rpc_url(), NetClientTls(net)));
  const bool voting = PollUntil(options.timeout_s, [&] {
    auto view = ReadChainView(*new_api);
    if (!view.ok() || !view->validator) return false;
    result.height = view->height;
    return true;
  });
  if (!voting) {
    return NetError(Code::kDeadlineExceeded, err::NET_TIMEOUT,
                    "proposal " + std::to_string(result.proposal_id) + " executed, but " + n.name +
                        " did not become a validator within " + std::to_string(options.timeout_s) +
                        "s; see " + updated.Path(n.dir + "/civicd.log"));
  }
  result.net = std::move(updated);
  result.node = std::move(n);
  return result;
}

Result<MembershipResult> RemoveNetworkNode(const Network& net, const std::string& name,
                                           const NetMembershipOptions& options) {
  auto it = std::find_if(net.nodes.begin(), net.nodes.end(), [&](const NetNode& n) { return n.name == name; });
  if (it == net.nodes.end()) {
    std::string names;
    for (const auto& n : net.nodes) names += (names.empty() ? "" : ", ") + n.name;
    return NetError(Code::kNotFound, err::NET_UNKNOWN_NODE, "no node " + name + " in " + net.dir + " (nodes: " + names + ")");
  }
  const NetNode removed = *it;
  CIVIC_ASSIGN_OR_RETURN(std::unique_ptr<NodeApi> api, ConnectHealthy(net, removed.name));
  CIVIC_ASSIGN_OR_RETURN(ChainView before, ReadChainView(*api));
  const bool is_validator =
      std::find(before.validator_keys.begin(), before.validator_keys.end(), removed.node_id) != before.validator_keys.end();
  MembershipResult result;
  if (is_validator) {
    if (before.validator_keys.size() <= 1) {
      return NetError(Code::kFailedPrecondition, err::NET_LAST_VALIDATOR,
                      removed.name + " is the last validator; a chain needs at least one");
    }
    CIVIC_ASSIGN_OR_RETURN(result.proposal_id,
                           PassProposal(*api, net, "remove validator " + removed.moniker + " " + removed.node_id,
                                        SetValidatorCall(removed, 0)));
    const bool out = PollUntil(options.timeout_s, [&] {
      auto view = ReadChainView(*api);
      if (!view.ok()) return false;
      result.height = view->height;
      return std::find(view->validator_keys.begin(), view->validator_keys.end(), removed.node_id) ==
             view->validator_keys.end();
    });
    if (!out) {
      return NetError(Code::kDeadlineExceeded, err::NET_TIMEOUT,
                      "proposal " + std::to_string(result.proposal_id) + " executed, but " + removed.name +
                          " is still a validator after " + std::to_string(options.timeout_s) + "s");
    }
  }
  Network only = net;
  only.nodes = {removed};
  CIVIC_ASSIGN_OR_RETURN(std::vector<NodeRunState> stopped, StopNetwork(only, 30));
  Network updated = net;
  updated.nodes.erase(updated.nodes.begin() + (it - net.nodes.begin()));
  CIVIC_RETURN_IF_ERROR(SaveNetwork(updated));
  for (size_t i = 0; i < updated.nodes.size(); ++i) CIVIC_RETURN_IF_ERROR(RewritePeers(updated, i));
  result.net = std::move(updated);
  result.node = removed;
  return result;
}

bool PortFree(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

namespace {

// Binds `port` on 127.0.0.1 without address reuse, so that any other socket on
// it (a listener, a connection, another process's reservation) makes the bind
// fail; then turns address reuse on, so that a listener that sets it too, as
// civicd's do, can still listen next to this unlistening socket. -1 if taken.
int ReservePort(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  int one = 1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

Result<uint16_t> FindFreePorts(size_t count) {
  constexpr int kFirst = 20000, kLast = 32767;
  if (count < 1 || count > 2 * kMaxNetworkNodes) {
    return Status::InvalidArgument(err::BAD_PORT_COUNT, "ask for 1 to " + std::to_string(2 * kMaxNetworkNodes) + " ports");
  }
  static std::mutex mu;
  static std::mt19937 rng(std::random_device{}());
  static std::vector<int> reserved;  // closed by the kernel when the process exits
  std::lock_guard<std::mutex> lock(mu);
  std::uniform_int_distribution<int> pick(kFirst, kLast + 1 - static_cast<int>(count));
  for (int attempt = 0; attempt < 500; ++attempt) {
    const auto base = static_cast<uint16_t>(pick(rng));
    std::vector<int> fds;
    for (size_t i = 0; i < count; ++i) {
      const int fd = ReservePort(static_cast<uint16_t>(base + i));
      if (fd < 0) break;
      fds.push_back(fd);
    }
    if (fds.size() == count) {
      reserved.insert(reserved.end(), fds.begin(), fds.end());
      return base;
    }
    for (int fd : fds) ::close(fd);
  }
  return Status::Unavailable(err::NO_FREE_PORT, "found no " + std::to_string(count) +
                                                 " consecutive free ports on 127.0.0.1 in 20000..32767");
}

}  // namespace civic::tools
