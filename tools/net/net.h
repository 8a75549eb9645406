// A local network of department nodes in one folder: `civic net init|up|down|status`.
//
// Layout written by InitNetwork (paths inside are relative, so the folder can move):
//   DIR/network.json            what the other commands read (chain id, orgs, nodes, ports)
//   DIR/genesis.json            the sample genesis (samples::SampleGenesisText)
//   DIR/orgs/<short>.key        each department's signing key (0600), with
//   DIR/orgs/<short>.key.org    its org code (USCC): the key's sidecar
//   DIR/node<i>/config.toml     node i: TOML config (node/config.h)
//   DIR/node<i>/node_key.json   node i's ed25519 node key (0600)
//   DIR/node<i>/data/           its chain (created by civicd)
//   DIR/node<i>/civicd.log      its log, DIR/node<i>/civicd.pid while it runs
// With --tls (NetInitOptions::tls) also (tools/net/tls_ca.h):
//   DIR/tls/ca.crt, ca.key      the network's local CA (key 0600); clients trust ca.crt
//   DIR/node<i>/tls.crt, .key   node i's RPC certificate (SAN 127.0.0.1, localhost; key 0600),
//                               named by [rpc] tls_cert_file and tls_key_file
// and every node serves https:// (network.json "tls_ca" names the CA).
// Node i belongs to department i mod 5 in the order of samples::SampleOrgs()
// (public security, HR & social security, market regulation, the credit office,
// the supervision bureau) and is a validator. Ports on 127.0.0.1: p2p base+2i,
// RPC base+2i+1 (base 26656: node0 serves RPC on the default port 26657).
//
// Every node runs the BFT engine (several validators, or p2p peers); a network
// of one node runs the one-validator engine. Blocks commit while more than 2/3
// of the validators' power is up: 3 of 4 nodes, 5 of 7.
//
// StartNetwork starts every node that is not running (setsid, log and pid file),
// then waits for /healthz of each. NetworkStatus reads each node's chain_status:
// height, p2p peers, whether it is a validator. StopNetwork sends SIGTERM, waits, then SIGKILL.
// A pid file is trusted only when that process is a civicd, so a reused pid is
// never signalled.
//
// Typed errors: NET_EXISTS, NET_NOT_FOUND, NET_BAD_SIZE, NET_BAD_PORT,
// NET_MALFORMED, CIVICD_NOT_FOUND, NODE_EXITED, NODE_NOT_HEALTHY, IO_ERROR,
// TLS_CERT_CREATE_FAILED (and
// those of the membership commands below).
// Not thread-safe; one command at a time per folder.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/base/status.h"
#include "tools/common/node_api.h"
#include "tools/samples/network.h"

namespace civic::tools {

constexpr size_t kMaxNetworkNodes = 64;

struct NetOrg {
  std::string code;
  std::string name;
  std::string short_name;
  std::string key_file;  // relative to the network folder
};

struct NetNode {
  std::string name;      // "node0"
  std::string moniker;   // "psb-0"
  std::string org;       // USCC
  std::string dir;       // relative to the network folder
  std::string node_id;   // "ed25519:<hex>"
  uint16_t rpc_port = 0;
  uint16_t p2p_port = 0;
  bool tls = false;  // the network's nodes serve https
  std::string rpc_url() const {
    return std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(rpc_port);
  }
};

struct Network {
  std::string dir;  // absolute
  std::string chain_id;
  uint16_t base_port = kDefaultBasePort;
  std::vector<NetOrg> orgs;
  std::vector<NetNode> nodes;
  std::string tls_ca;  // relative path of the CA certificate; empty = plain http

  std::string Path(const std::string& relative) const { return dir + "/" + relative; }
};

struct NetInitOptions {
  size_t nodes = 1;
  std::string dir;
  uint16_t base_port = kDefaultBasePort;
  std::string chain_id = "mianyang-1";
  std::string web_root;  // served by every node's RPC server; empty = none
  bool force = false;    // wipe an existing network folder first
  bool tls = false;      // a local CA and https on every node's RPC port
};

// What a client of `net`'s nodes trusts: the network's CA (or, for plain
// http, the defaults of TlsFilesFromEnvironment).
rpc::TlsClientFiles NetClientTls(const Network& net);

Result<Network> InitNetwork(const NetInitOptions& options);
Result<Network> LoadNetwork(const std::string& dir);

struct NodeRunState {
  std::string name;
  int pid = 0;           // 0 = not running
  bool already_running = false;  // StartNetwork found it running
  bool healthy = false;
  bool rpc_ok = false;   // chain_status answered
  uint64_t height = 0;
  size_t peers = 0;      // connected p2p peers (with rpc_ok)
  bool validator = false;  // signs blocks at this height (with rpc_ok)
  std::string detail;    // why unhealthy, or an RPC error
};

struct NetUpOptions {
  std::string civicd;  // path to civicd; empty = FindCivicd()
  int timeout_s = 30;
};
// Starts the nodes; the returned states are after waiting for health.
Result<std::vector<NodeRunState>> StartNetwork(const Network& net, const NetUpOptions& options);
Result<std::vector<NodeRunState>> StopNetwork(const Network& net, int timeout_s);
std::vector<NodeRunState> NetworkStatus(const Network& net);

// Membership of a running local network, through governance (the network
// folder holds every department's signing key, so civic casts the votes that a
// real deployment gets from each department).
//
// AddNetworkNode: a node for the next department in order (node<i>, ports
// base+2i and base+2i+1, a new node key, a config that dials every node), added
// to network.json and started; then a proposal `set_validator` (power of the
// current validators) signed by the first department and voted yes by the others
// until it executes; waits until the node syncs and reports itself a validator.
// No other node restarts: they admit the new key once it is in the validator
// set of the next height.
//
// RemoveNetworkNode: a proposal `set_validator` with power 0 for the node's key,
// voted until it executes; waits until the node is out of the validator set,
// stops it, drops it from network.json and from the other nodes' [p2p] peers
// (read at their next start; the running nodes already refuse its key). Its
// folder stays on disk.
//
// Typed errors: NET_SINGLE_NODE (a one-node network cannot grow while it runs),
// NET_NOT_RUNNING (no healthy node to submit through),
// NET_UNKNOWN_NODE, NET_LAST_VALIDATOR, NET_PROPOSAL_FAILED (the proposal was
// rejected or its action failed, with the reason), NET_TIMEOUT, those of
// StartNetwork and of the node's RPC.
struct NetMembershipOptions {
  std::string civicd;  // for AddNetworkNode; empty = FindCivicd()
  int timeout_s = 60;
};
struct MembershipResult {
  Network net;          // the updated network
  NetNode node;         // the node added or removed
  uint64_t proposal_id = 0;
  uint64_t height = 0;  // the chain height when the change was seen in effect
};
Result<MembershipResult> AddNetworkNode(const Network& net, const NetMembershipOptions& options);
Result<MembershipResult> RemoveNetworkNode(const Network& net, const std::string& name,
                                           const NetMembershipOptions& options);

// civicd next to this civic binary (../node/civicd in a build tree, or the same
// folder), else on PATH. Error CIVICD_NOT_FOUND.
Result<std::string> FindCivicd();
// The pid in `pid_file` if that process is alive and is civicd; else 0.
int LiveCivicdPid(const std::string& pid_file);
// Whether a TCP port on 127.0.0.1 can be bound now, as civicd binds it (address
// reuse on, so connections in TIME_WAIT do not count). Tests pick ports with it too.
bool PortFree(uint16_t port);
// The first of `count` consecutive ports free on 127.0.0.1, drawn at random
// from 20000..32767: below the kernel's ephemeral range (32768 and up), so no
// outgoing connection takes one while a node that uses it is restarting.
// The ports stay reserved for this process until it exits: each is held bound,
// not listening, with address reuse on, so FindFreePorts in any other process
// (tests running at once) skips them, while civicd, whose listeners set address
// reuse, can listen on them, be killed and listen again. 1 to 128 ports (else
// BAD_PORT_COUNT); NO_FREE_PORT when none is found. Used by `civic net init
// --base-port auto`, the benchmarks and the tests.
Result<uint16_t> FindFreePorts(size_t count);

}  // namespace civic::tools
