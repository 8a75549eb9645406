// What the RPC layer needs from a running node. node/ implements it; rpc/ never
// includes node/ headers (node -> rpc).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "ledger/chain.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace civic::rpc {

struct NodeInfo {
  std::string chain_id;
  std::string node_id;      // the node key, "ed25519:<hex>"
  std::string moniker;      // e.g. the department's short name
  bool validator = false;
  size_t mempool_size = 0;
  size_t peers = 0;
};

class NodeBackend {
 public:
  virtual ~NodeBackend() = default;
  virtual const ledger::Chain& chain() const = 0;
  virtual NodeInfo info() const = 0;
  // Admits a tx to the mempool (stateless + stateful checks); returns its id.
  virtual Result<Bytes> SubmitTx(Bytes raw) = 0;
  // Calls `done` once with the tx's location when it is committed, or with
  // DEADLINE_EXCEEDED after `timeout`. Called from a node thread.
  virtual void AwaitCommit(const Bytes& tx_id, std::chrono::milliseconds timeout,
                           std::function<void(Result<pb::TxLocation>)> done) = 0;
  // The registry of the node's metrics (mempool, consensus, p2p): the server
  // adds its own series to it and serves it at /metrics. Null (the default):
  // the server keeps a registry of its own.
  virtual std::shared_ptr<prometheus::Registry> metrics() const { return nullptr; }
  // False while the node cannot answer yet (starting, catching up); /healthz
  // answers 503 then. Default: ready.
  virtual bool ready() const { return true; }
};

}  // namespace civic::rpc
