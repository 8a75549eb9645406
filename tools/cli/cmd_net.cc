// civic net init | up | down | status | add-node | remove-node
#include <iostream>

#include "tools/cli/commands.h"
#include "tools/common/errors.h"
#include "tools/net/net.h"

namespace civic::tools {
namespace json = boost::json;
namespace {

json::array StatesJson(const std::vector<NodeRunState>& states) {
  json::array out;
  for (const auto& s : states) {
    json::object o{{"name", s.name}, {"pid", s.pid}, {"running", s.pid > 0}, {"healthy", s.healthy}};
    if (s.already_running) o["already_running"] = true;
    if (s.rpc_ok) {
      o["height"] = s.height;
      o["peers"] = s.peers;
      o["validator"] = s.validator;
    }
    if (!s.detail.empty()) o["detail"] = s.detail;
    out.push_back(std::move(o));
  }
  return out;
}

CmdStatus Init(const NetInitOptions& opt, const CommonOptions& common) {
  CIVIC_ASSIGN_OR_RETURN(Network net, InitNetwork(opt));
  if (common.json) {
    json::array nodes;
    for (const auto& n : net.nodes) {
      nodes.push_back(json::object{{"name", n.name}, {"moniker", n.moniker}, {"org", n.org},
                                   {"node_id", n.node_id}, {"rpc", n.rpc_url()}, {"p2p_port", n.p2p_port}});
    }
    json::object out{{"dir", net.dir}, {"chain_id", net.chain_id}, {"nodes", std::move(nodes)}};
    if (!net.tls_ca.empty()) out["tls_ca"] = net.Path(net.tls_ca);
    PrintJson(out);
    return CmdStatus::Ok();
  }
  std::cout << "network " << net.chain_id << " in " << net.dir << ": " << net.nodes.size()
            << " validator node(s)\n";
  for (const auto& n : net.nodes) {
    std::string org_name;
    for (const auto& o : net.orgs) {
      if (o.code == n.org) org_name = o.name;
    }
    std::cout << "  " << n.name << "  " << n.moniker << "  " << org_name << "  rpc " << n.rpc_url() << "  p2p 127.0.0.1:"
              << n.p2p_port << "\n";
  }
  std::cout << "department signing keys: " << net.Path("orgs") << "/<short name>.key (with .org sidecars)\n";
  if (!net.tls_ca.empty()) {
    std::cout << "the nodes serve https; clients trust the network's CA: --ca-file " << net.Path(net.tls_ca)
              << " (or CIVIC_CA_FILE=" << net.Path(net.tls_ca) << ")\n";
  }
  if (net.nodes.size() > 1) {
    const size_t quorum = net.nodes.size() * 2 / 3 + 1;
    std::cout << "all " << net.nodes.size() << " nodes are validators (BFT consensus over p2p): blocks commit "
              << "while at least " << quorum << " of them run\n";
  }
  std::cout << "start it with: civic net up --dir " << opt.dir << "\n";
  return CmdStatus::Ok();
}

CmdStatus Up(const std::string& dir, const NetUpOptions& opt, const CommonOptions& common) {
  CIVIC_ASSIGN_OR_RETURN(Network net, LoadNetwork(dir));
  CIVIC_ASSIGN_OR_RETURN(std::vector<NodeRunState> states, StartNetwork(net, opt));
  std::vector<std::string> unhealthy;
  for (const auto& s : states) {
    if (!s.healthy) unhealthy.push_back(s.name + (s.detail.empty() ? "" : " (" + s.detail + ")"));
  }
  if (common.json) {
    PrintJson(json::object{{"dir", net.dir}, {"nodes", StatesJson(states)}});
  } else {
    for (size_t i = 0; i < states.size(); ++i) {
      const auto& s = states[i];
      std::cout << "  " << s.name << "  pid " << s.pid << "  " << (s.healthy ? "healthy" : "NOT healthy") << "  "
                << net.nodes[i].rpc_url() << (s.already_running ? "  (already running)" : "") << "\n";
    }
    std::cout << "logs: " << net.dir << "/node<i>/civicd.log; stop with: civic net down --dir " << dir << "\n";
  }
  if (!unhealthy.empty()) {
    std::string list;
    for (const auto& u : unhealthy) list += "\n  " + u;
    return Status(Code::kUnavailable, err::NODE_NOT_HEALTHY,
                  "these nodes did not report healthy within " + std::to_string(opt.timeout_s) +
                      "s (they keep running; see their logs):" + list);
  }
  return CmdStatus::Ok();
}

CmdStatus Down(const std::string& dir, int timeout_s, const CommonOptions& common) {
  CIVIC_ASSIGN_OR_RETURN(Network net, LoadNetwork(dir));
  CIVIC_ASSIGN_OR_RETURN(std::vector<NodeRunState> states, StopNetwork(net, timeout_s));
  bool failed = false;
  for (const auto& s : states) failed = failed || s.detail == "still running after SIGKILL";
  if (common.json) {
    PrintJson(json::object{{"dir", net.dir}, {"nodes", StatesJson(states)}});
  } else {
    for (const auto& s : states) std::cout << "  " << s.name << "  " << s.detail << "\n";
  }
  if (failed) return Status::Internal("a node could not be stopped");
  return CmdStatus::Ok();
}

CmdStatus StatusCmd(const std::string& dir, const CommonOptions& common) {
  CIVIC_ASSIGN_OR_RETURN(Network net, LoadNetwork(dir));
  std::vector<NodeRunState> states = NetworkStatus(net);
  if (common.json) {
    PrintJson(json::object{{"dir", net.dir}, {"chain_id", net.chain_id}, {"nodes", StatesJson(states)}});
    return CmdStatus::Ok();
  }
  std::cout << "network " << net.chain_id << " in " << net.dir << "\n";
  for (size_t i = 0; i < states.size(); ++i) {
    const auto& s = states[i];
    const auto& n = net.nodes[i];
    std::cout << "  " << n.name << "  " << n.moniker << "  " << n.rpc_url() << "  "
              << (s.pid > 0 ? "running (pid " + std::to_string(s.pid) + ")" : std::string("stopped")) << "  "
              << (s.healthy ? "healthy" : "not healthy");
    if (s.rpc_ok) {
      std::cout << "  height " << s.height << "  peers " << s.peers << "/" << net.nodes.size() - 1 << "  "
                << (s.validator ? "validator" : "observer");
    }
    if (!s.healthy && !s.detail.empty() && s.pid > 0) std::cout << "  (" << s.detail << ")";
    std::cout << "\n";
  }
  return CmdStatus::Ok();
}

CmdStatus AddNode(const std::string& dir, const NetMembershipOptions& opt, const CommonOptions& common) {
  CIVIC_ASSIGN_OR_RETURN(Network net, LoadNetwork(dir));
  CIVIC_ASSIGN_OR_RETURN(MembershipResult r, AddNetworkNode(net, opt));
  if (common.json) {
    PrintJson(json::object{{"dir", r.net.dir}, {"name", r.node.name}, {"moniker", r.node.moniker},
                           {"org", r.node.org}, {"node_id", r.node.node_id}, {"rpc", r.node.rpc_url()},
                           {"p2p_port", r.node.p2p_port}, {"proposal", r.proposal_id}, {"height", r.height}});
    return CmdStatus::Ok();
  }
  std::cout << "added " << r.node.name << "  " << r.node.moniker << "  rpc " << r.node.rpc_url() << "  p2p 127.0.0.1:"
            << r.node.p2p_port << "\n"
            << "  node key " << r.node.node_id << "\n"
            << "  governance proposal " << r.proposal_id << " executed; it votes from height " << r.height << " on\n"
            << "  the other nodes were not restarted; their configs list it as a peer from their next start\n";
  return CmdStatus::Ok();
}

CmdStatus RemoveNode(const std::string& dir, const std::string& name, const NetMembershipOptions& opt,
                     const CommonOptions& common) {
  CIVIC_ASSIGN_OR_RETURN(Network net, LoadNetwork(dir));
  CIVIC_ASSIGN_OR_RETURN(MembershipResult r, RemoveNetworkNode(net, name, opt));
  if (common.json) {
    json::object o{{"dir", r.net.dir}, {"name", r.node.name}, {"node_id", r.node.node_id}, {"height", r.height}};
    if (r.proposal_id) o["proposal"] = r.proposal_id;
    PrintJson(o);
    return CmdStatus::Ok();
  }
  std::cout << "removed " << r.node.name << "  " << r.node.moniker << "  " << r.node.node_id << "\n";
  if (r.proposal_id) {
    std::cout << "  governance proposal " << r.proposal_id << " executed; out of the validator set at height "
              << r.height << "\n";
  }
  std::cout << "  stopped; its folder " << r.net.Path(r.node.dir) << " is kept\n";
  return CmdStatus::Ok();
}

}  // namespace

void AddNetCommands(CLI::App* app, CliContext* ctx) {
  CLI::App* net = app->add_subcommand("net", "Create, start, stop and inspect a local network of department nodes");
  net->require_subcommand(1);

  auto init = std::make_shared<NetInitOptions>();
  init->dir = "localnet";
  CLI::App* init_cmd = net->add_subcommand(
      "init", "Write keys, the sample genesis and one config per node for N department nodes\n"
              "(public security, HR & social security, market regulation, the credit office, then others)");
  init_cmd->add_option("N", init->nodes, "Number of nodes (all validators)")
      ->required()
      ->check(CLI::Range(size_t{1}, kMaxNetworkNodes));
  init_cmd->add_option("--dir", init->dir, "The network folder")->capture_default_str();
  auto base_port = std::make_shared<std::string>(std::to_string(kDefaultBasePort));
  init_cmd
      ->add_option("--base-port", *base_port,
                   "First port: node i uses p2p base+2i and RPC base+2i+1; \"auto\": the first of 2N\n"
                   "free ports drawn from 20000..32767, for networks side by side")
      ->capture_default_str()
      ->check(CLI::Range(1024, 65000) | CLI::IsMember({"auto"}));
  init_cmd->add_option("--chain-id", init->chain_id, "The chain id")->capture_default_str();
  init_cmd->add_option("--web-root", init->web_root, "Folder of the web page every node serves")
      ->check(CLI::ExistingDirectory);
  init_cmd->add_flag("--force", init->force, "Wipe an existing network folder first");
  init_cmd->add_flag("--tls", init->tls,
                     "Create a local CA (tls/ca.crt) and a certificate per node: every node serves https");
  AddJsonOption(init_cmd, ctx);
  OnRun(init_cmd, ctx, [init, base_port, ctx]() -> CmdStatus {
    if (*base_port != "auto") {
      init->base_port = static_cast<uint16_t>(std::stoi(*base_port));  // checked above
    } else {
      CIVIC_ASSIGN_OR_RETURN(init->base_port, FindFreePorts(2 * init->nodes));
    }
    return Init(*init, ctx->common);
  });

  auto dir = std::make_shared<std::string>("localnet");
  auto up = std::make_shared<NetUpOptions>();
  CLI::App* up_cmd = net->add_subcommand("up", "Start every node in the background and wait until /healthz answers");
  up_cmd->add_option("--dir", *dir, "The network folder")->capture_default_str();
  up_cmd->add_option("--civicd", up->civicd, "Path of civicd (default: next to civic, else on PATH)");
  up_cmd->add_option("--timeout", up->timeout_s, "Seconds to wait for the nodes to become healthy")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  AddJsonOption(up_cmd, ctx);
  OnRun(up_cmd, ctx, [dir, up, ctx] { return Up(*dir, *up, ctx->common); });

  auto down_timeout = std::make_shared<int>(10);
  CLI::App* down_cmd = net->add_subcommand("down", "Stop the nodes (SIGTERM, then SIGKILL after the timeout)");
  down_cmd->add_option("--dir", *dir, "The network folder")->capture_default_str();
  down_cmd->add_option("--timeout", *down_timeout, "Seconds to wait after SIGTERM")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  AddJsonOption(down_cmd, ctx);
  OnRun(down_cmd, ctx, [dir, down_timeout, ctx] { return Down(*dir, *down_timeout, ctx->common); });

  auto membership = std::make_shared<NetMembershipOptions>();
  CLI::App* add_cmd = net->add_subcommand(
      "add-node", "Add a node for the next department to the running network: start it, pass a governance\n"
                  "proposal making it a validator (votes signed with the departments' keys in the folder),\n"
                  "wait until it votes. The other nodes keep running");
  add_cmd->add_option("--dir", *dir, "The network folder")->capture_default_str();
  add_cmd->add_option("--civicd", membership->civicd, "Path of civicd (default: next to civic, else on PATH)");
  add_cmd->add_option("--timeout", membership->timeout_s, "Seconds to wait for each step")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  AddJsonOption(add_cmd, ctx);
  OnRun(add_cmd, ctx, [dir, membership, ctx] { return AddNode(*dir, *membership, ctx->common); });

  auto remove_name = std::make_shared<std::string>();
  CLI::App* remove_cmd = net->add_subcommand(
      "remove-node", "Remove a node from the running network: a governance proposal takes its key out of the\n"
                     "validator set, then it is stopped and dropped from network.json. The others keep running");
  remove_cmd->add_option("NAME", *remove_name, "The node, e.g. node2")->required();
  remove_cmd->add_option("--dir", *dir, "The network folder")->capture_default_str();
  remove_cmd->add_option("--timeout", membership->timeout_s, "Seconds to wait for each step")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  AddJsonOption(remove_cmd, ctx);
  OnRun(remove_cmd, ctx, [dir, remove_name, membership, ctx] {
    return RemoveNode(*dir, *remove_name, *membership, ctx->common);
  });

  CLI::App* status_cmd = net->add_subcommand("status", "Print each node's process, health, height, p2p peers and role");
  status_cmd->add_option("--dir", *dir, "The network folder")->capture_default_str();
  AddJsonOption(status_cmd, ctx);
  OnRun(status_cmd, ctx, [dir, ctx] { return StatusCmd(*dir, ctx->common); });
}

}  // namespace civic::tools
