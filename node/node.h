// Node: one running CivicLedger node. Opens the chain under <data_dir>/chain,
// writes the genesis state on first start (and refuses a data dir made from
// another genesis), and runs the mempool, the block production engine and the
// RPC server. It is the rpc::NodeBackend that the RPC methods talk to.
//
// Engine: BftEngine (node/bft_engine.h) when WantsBftEngine(config, tip), i.e.
// the chain has several validators or [p2p] lists peers (validators and
// observers of a network); SoloEngine for a lone one-validator node.
//
// Life cycle: Open() does everything that can fail on bad input (key file,
// genesis, storage) without starting threads; Start() starts the engine and then
// the RPC server; Stop() stops accepting RPC and lets the requests in flight
// finish (blocks are still produced meanwhile), lets the engine finish the block
// it is applying, answers the tx_commit waiters still pending, and leaves the
// database to be closed when the Node is destroyed. A restart continues from the chain
// on disk; the mempool starts empty (txs admitted but not committed before a stop
// are gone and must be submitted again: a tx's id is stable, so resubmission is
// safe and a committed one is refused as a replay).
//
// Metrics: the node owns one registry (node/metrics.h); its parts register their
// series in it (mempool, engine, consensus, block sync, p2p), the node adds
// civic_blocks_committed_total, civic_txs_committed_total,
// civic_last_block_apply_ms and civic_commit_waiters, and the RPC server adds
// its own and serves it at /metrics.
//
// Thread safety: Start/Stop from one owner thread; the NodeBackend methods and
// the getters from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "crypto/signature.h"
#include "ledger/chain.h"
#include "node/commit_waiters.h"
#include "node/config.h"
#include "node/engine.h"
#include "node/mempool.h"
#include "node/metrics.h"
#include "node/webhooks.h"
#include "rpc/backend.h"

namespace civic::rpc {
class IssuerApi;
class MethodTable;
class Server;
}  // namespace civic::rpc

namespace civic::contracts {
class Registry;
}  // namespace civic::contracts

namespace civic::node {

class Node final : public rpc::NodeBackend {
 public:
  // Typed errors: NODE_KEY_PASSPHRASE_MISSING, NODE_KEY_NOT_ED25519, those of
  // crypto::ReadKeyFile, contracts::LoadGenesisFile and ledger::Chain::Open,
  // DATA_DIR_UNUSABLE, GENESIS_MISMATCH; with [issuer] enabled, those of
  // reading the org key and of rpc::IssuerApi::Create.
  static Result<std::unique_ptr<Node>> Open(const Config& config);
  ~Node() override;

  // Starts the engine (typed error if it cannot run, e.g. NOT_SOLE_VALIDATOR)
  // and the RPC server (BIND_FAILED, ...). On error nothing is left running.
  Status Start();
  // Graceful stop; idempotent.
  void Stop();

  // Set once when the engine reports that it cannot go on (e.g. the disk
  // fails); the owner should then Stop() and exit with an error.
  std::optional<Status> fatal_error() const;
  // Blocks until fatal_error() is set or `timeout` passes; true if set.
  bool WaitForFatal(std::chrono::milliseconds timeout) const;

  // Reads the RPC port's TLS certificate and key files again (rpc::Server::ReloadTls):
  // new connections use them; on error the previous pair stays in use.
  Status ReloadRpcTls();
  uint16_t rpc_port() const;
  std::string rpc_url() const;
  const crypto::PublicKey& node_id() const { return key_.public_key(); }
  Mempool& mempool() { return *mempool_; }
  const Config& config() const { return config_; }

  // rpc::NodeBackend
  const ledger::Chain& chain() const override { return *chain_; }
  rpc::NodeInfo info() const override;
  Result<Bytes> SubmitTx(Bytes raw) override;
  void AwaitCommit(const Bytes& tx_id, std::chrono::milliseconds timeout,
                   std::function<void(Result<pb::TxLocation>)> done) override;
  std::shared_ptr<prometheus::Registry> metrics() const override { return metrics_; }
  // False before Start, after Stop began, and once the engine reported a fatal
  // error: /healthz then answers 503.
  bool ready() const override;

 private:
  Node(Config config, crypto::KeyPair key);
  void OnCommitted(const CommittedBlock& block);
  void OnFatal(const Status& status);

  const Config config_;
  const crypto::KeyPair key_;
  // Before every part that holds series of it.
  const std::shared_ptr<prometheus::Registry> metrics_;
  std::string chain_id_;
  std::unique_ptr<contracts::Registry> executor_;
  std::unique_ptr<ledger::Chain> chain_;
  std::unique_ptr<Mempool> mempool_;
  std::unique_ptr<CommitWaiters> waiters_;
  std::unique_ptr<ConsensusEngine> engine_;
  std::unique_ptr<rpc::MethodTable> methods_;
  std::unique_ptr<rpc::IssuerApi> issuer_;  // null unless [issuer] enabled; outlives the server
  std::unique_ptr<rpc::Server> server_;
  std::unique_ptr<Webhooks> webhooks_;  // null without [webhooks] targets
  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};

  prometheus::Counter& blocks_committed_;
  prometheus::Counter& txs_committed_;
  prometheus::Gauge& last_apply_ms_;
  prometheus::Gauge& commit_waiters_;

  mutable std::mutex fatal_mu_;
  mutable std::condition_variable fatal_cv_;
  std::optional<Status> fatal_;
};

}  // namespace civic::node
