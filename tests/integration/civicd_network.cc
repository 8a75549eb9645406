#include "tests/integration/civicd_network.h"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <stdexcept>

#include "contracts/genesis.h"
#include "crypto/keyfile.h"
#include "tools/samples/network.h"

namespace civic::testing {
namespace {

namespace fs = std::filesystem;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::vector<std::unique_ptr<NodeFiles>> WriteNetwork(size_t validators, const std::string& chain_id, size_t extra,
                                                     ExtraNodes kind, const PeerPortFn& peer_port) {
  const size_t n = validators + extra;
  std::vector<crypto::KeyPair> node_keys;
  for (size_t i = 0; i < n; ++i) node_keys.push_back(crypto::KeyPair::Generate(crypto::Algo::kEd25519));
  SampleNetwork base{chain_id, node_keys[0], {}, {}, {}};
  samples::SampleGenesisInput input;
  input.chain_id = chain_id;
  input.genesis_time_ms = NowMs() - 24 * 3600 * 1000;
  for (size_t i = 0; i < samples::kSampleOrgCount; ++i) {
    base.org_keys.push_back(crypto::KeyPair::Generate(crypto::Algo::kEd25519));
    input.org_keys.push_back(base.org_keys.back().public_key());
  }
  for (size_t i = 0; i < validators; ++i) input.node_keys.push_back(node_keys[i].public_key());
  base.genesis_text = samples::SampleGenesisText(input).value();
  base.genesis = contracts::ParseGenesis(base.genesis_text).value();

  std::vector<std::unique_ptr<NodeFiles>> nodes;
  std::vector<uint16_t> p2p_ports;
  for (size_t i = 0; i < n; ++i) p2p_ports.push_back(PickFreePort());
  for (size_t i = 0; i < n; ++i) {
    SampleNetwork net = base;
    net.node_key = node_keys[i];
    auto files =
        std::make_unique<NodeFiles>(NodeFiles{std::move(net), std::make_unique<TempDir>("civic-bft-it"), {}, {}, {}});
    const fs::path& dir = files->dir->path();
    Status st = crypto::WriteKeyFile((dir / "node_key.json").string(), node_keys[i]);
    if (!st.ok()) throw std::runtime_error("write node key: " + st.ToString());
    std::ofstream(dir / "genesis.json") << base.genesis_text;
    node::Config& c = files->config;
    c.node.moniker = fmt::format("bft-it-{}", i);
    c.node.data_dir = "data";
    c.node.key_file = "node_key.json";
    c.node.genesis_file = "genesis.json";
    c.node.log_level = "info";
    c.rpc.listen = node::HostPort{"127.0.0.1", PickFreePort()};
    c.rpc.threads = 4;
    c.p2p.listen = node::HostPort{"127.0.0.1", p2p_ports[i]};
    for (size_t j = 0; j < validators; ++j) {
      if (j == i) continue;
      const uint16_t port = peer_port ? peer_port(i, j, p2p_ports[j]) : p2p_ports[j];
      c.p2p.peers.push_back(node::PeerAddress{node_keys[j].public_key(), {"127.0.0.1", port}});
    }
    if (i < validators && kind == ExtraNodes::kObservers) {
      for (size_t j = validators; j < n; ++j) c.p2p.observers.push_back(node_keys[j].public_key());
    }
    c.consensus.block_interval_ms = 200;
    c.consensus.timeout_propose_ms = 1000;
    c.consensus.timeout_propose_delta_ms = 250;
    c.consensus.timeout_prevote_ms = 500;
    c.consensus.timeout_prevote_delta_ms = 250;
    c.consensus.timeout_precommit_ms = 500;
    c.consensus.timeout_precommit_delta_ms = 250;
    // The tests check every block and tx on every node from one address, far
    // faster than a client may; the limiter has tests of its own.
    c.rpc.rate_limit_per_sec = 0;
    files->config_path = dir / "node.toml";
    files->log_path = dir / "civicd.log";
    std::ofstream(files->config_path) << node::FormatConfig(c);
    nodes.push_back(std::move(files));
  }
  return nodes;
}

}  // namespace civic::testing
