// In-process clusters of BftEngines for the BFT tests: each node has its own
// temp dir with a real chain (LevelDB), mempool, consensus WAL and PeerManager
// listening on a loopback port. Nodes can be stopped (the engine, mempool and
// chain are closed, as in a process exit) and started again on the same dir.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <prometheus/registry.h>

#include "node/bft_engine.h"
#include "node/config.h"
#include "node/mempool.h"
#include "tests/unit/node/sample_network.h"

namespace civic::testing::bft {

using namespace std::chrono_literals;

// Polls `done` every 10 ms until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout);

// Fast consensus timeouts and a short empty-block interval.
node::ConsensusSection FastConsensus();
// Fast p2p options (handshake, keepalive, backoff) on 127.0.0.1, any port.
node::p2p::PeerManagerOptions FastP2p(const std::string& chain_id);
// "ed25519:<hex>@127.0.0.1:<port>"
std::string AddressOf(const crypto::PublicKey& key, uint16_t port);

// A sample network whose validators are `validators` fresh node keys (org i % 5).
struct Network {
  SampleNetwork sample;                    // sample.node_key = validator 0
  std::vector<crypto::KeyPair> node_keys;  // validators first, then observers
  size_t validators = 0;
};
Network MakeNetwork(size_t validators, size_t observers, const std::string& chain_id = "civic-bft-test");

class TestNode {
 public:
  TestNode(const Network& net, size_t index, std::filesystem::path dir, node::BftOptions options,
           node::ConsensusSection consensus);
  ~TestNode();  // Stop()

  Status Start();
  void Stop();

  ledger::Chain& chain() { return *chain_.chain; }
  node::Mempool& mempool() { return *mempool_; }
  node::BftEngine& engine() { return *engine_; }
  const crypto::KeyPair& key() const { return key_; }
  uint64_t height() const { return chain_.chain->tip().height; }
  // The node's metrics in the Prometheus text format.
  std::string MetricsText() const;
  std::optional<Status> fatal() const;
  uint64_t txs_committed() const;

 private:
  const crypto::KeyPair key_;
  node::ConsensusSection consensus_;
  OpenChain chain_;
  prometheus::Registry metrics_;
  std::unique_ptr<node::Mempool> mempool_;
  std::unique_ptr<node::BftEngine> engine_;
  mutable std::mutex mu_;
  std::optional<Status> fatal_;
  uint64_t txs_committed_ = 0;
};

class Cluster {
 public:
  // `tweak` may adjust each node's options before it starts.
  Cluster(size_t validators, size_t observers = 0,
          std::function<void(size_t index, node::BftOptions*)> tweak = {});
  ~Cluster();

  size_t size() const { return net_.node_keys.size(); }
  const Network& net() const { return net_; }
  // Starts node i (fresh, or again on its existing dir) and connects it to the
  // running nodes (those `linked` allows, if set).
  void Start(size_t i);
  // Which pairs of nodes dial each other (default: all).
  void set_links(std::function<bool(size_t, size_t)> linked) { linked_ = std::move(linked); }
  void StartAll();
  // Stops node i and closes its chain (its dir stays).
  void Stop(size_t i);
  bool running(size_t i) const { return nodes_[i] != nullptr; }
  TestNode& node(size_t i) { return *nodes_[i]; }
  uint16_t port(size_t i) const { return ports_[i]; }

  // Waits until every running node (or node i) has applied `height`.
  bool WaitHeight(uint64_t height, std::chrono::milliseconds timeout = 30s);
  bool WaitNodeHeight(size_t i, uint64_t height, std::chrono::milliseconds timeout = 30s);
  // Lowest and highest tip height among running nodes.
  uint64_t MinHeight() const;
  uint64_t MaxHeight() const;

  // A signed certificate-issue tx, valid for 200 heights, distinct per call.
  Bytes NextTx();
  // Submits through node i as a client would (admission + gossip); the tx id.
  Bytes Submit(size_t i, const Bytes& raw);
  // Waits until every running node has `tx_id` committed.
  bool WaitTxs(const std::vector<Bytes>& tx_ids, std::chrono::milliseconds timeout = 30s);

  // Every running node holds the same block hashes up to the lowest tip and the
  // same state root at it. Returns a description of the first difference.
  std::string CheckConsistent();

 private:
  Network net_;
  std::unique_ptr<TempDir> root_;
  std::function<void(size_t, node::BftOptions*)> tweak_;
  std::function<bool(size_t, size_t)> linked_;
  std::vector<std::unique_ptr<TestNode>> nodes_;
  std::vector<uint16_t> ports_;
  Issuer issuer_;
  uint64_t next_tx_ = 1;
};

}  // namespace civic::testing::bft
