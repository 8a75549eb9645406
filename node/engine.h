// ConsensusEngine: the seam between the node and whatever decides the next block.
//
// The node owns the chain, the mempool and the RPC server; an engine decides
// blocks, applies them and reports each one through EngineHost::on_committed
// before it works on the next height (both through BlockProducer,
// node/block_producer.h). Implemented by SoloEngine (a lone one-validator node)
// and BftEngine (a network); Node picks one with WantsBftEngine
// (node/bft_engine.h).
//
// Contract for implementations:
// - Start() checks that the engine can run on this chain (validator set, keys)
//   and returns a typed error instead of starting if not; on success it runs on
//   its own threads.
// - Stop() finishes the block being applied (never leaves one half done; the
//   chain's atomic commit guarantees that anyway), stops producing, joins its
//   threads. Idempotent.
// - on_committed is called once per applied block, in height order, from an
//   engine thread; on_fatal when the engine cannot go on (e.g. storage fails).
// Thread safety: Start/Stop from one controlling thread; OnTxsAvailable and the
// getters from any thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <prometheus/registry.h>

#include "crypto/signature.h"
#include "crypto/base/status.h"
#include "ledger/chain.h"

namespace civic::node {

class Mempool;
struct ConsensusSection;

// One applied block, as reported to the node.
struct CommittedBlock {
  uint64_t height = 0;
  const pb::Block* block = nullptr;
  const pb::Commit* commit = nullptr;
  std::vector<Bytes> tx_ids;  // in block order
  double apply_ms = 0;        // time spent in Chain::ApplyBlock
};

// What an engine is given by the node.
struct EngineHost {
  ledger::Chain* chain = nullptr;
  Mempool* mempool = nullptr;
  const crypto::KeyPair* node_key = nullptr;
  const ConsensusSection* config = nullptr;
  // Where the engine and its parts register their metrics (node/metrics.h).
  prometheus::Registry* metrics = nullptr;
  std::function<void(const CommittedBlock&)> on_committed;
  std::function<void(const Status&)> on_fatal;
};

class ConsensusEngine {
 public:
  virtual ~ConsensusEngine() = default;
  virtual Status Start() = 0;
  virtual void Stop() = 0;
  // The mempool admitted txs; the engine may propose sooner.
  virtual void OnTxsAvailable() = 0;
  // Whether this node signs blocks.
  virtual bool is_validator() const = 0;
  // Connected p2p peers (0 for an engine without a network).
  virtual size_t peer_count() const = 0;
};

}  // namespace civic::node
