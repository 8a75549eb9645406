// SoloEngine: block production for a network of one validator.
//
// Produces the next block as soon as the previous one is committed and txs wait
// in the mempool (txs that arrive during a commit form the next block, so load
// batches itself), or after `block_interval_ms` without a block (an empty
// heartbeat block, so block time keeps up with the clock). Each block is built on
// the tip with the current wall-clock time (BlockProducer, shared with the BFT
// engine), finalised by a 1-of-1 commit (this node's precommit signature over
// ledger::VoteSignBytes, round 0), applied and reported by BlockProducer::Commit.
//
// Metrics (node/metrics.h): civic_engine_blocks_produced_total{engine="solo"},
// civic_engine_empty_blocks_total{engine="solo"}.
//
// Requires: the validator set for the next height is exactly this node's key;
// otherwise Start() fails with NOT_SOLE_VALIDATOR (and production stops with the
// same error reported through on_fatal if governance changes the set).
// Thread safety: as ConsensusEngine. Blocks are built and applied on one thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "node/block_producer.h"
#include "node/engine.h"
#include "node/metrics.h"

namespace civic::node {

class SoloEngine final : public ConsensusEngine {
 public:
  explicit SoloEngine(EngineHost host);
  ~SoloEngine() override;

  Status Start() override;
  void Stop() override;
  void OnTxsAvailable() override;
  bool is_validator() const override { return true; }
  size_t peer_count() const override { return 0; }

  // Blocks produced since Start (empty ones included).
  uint64_t blocks_produced() const { return CountOf(blocks_produced_); }
  uint64_t empty_blocks_produced() const { return CountOf(empty_blocks_); }

 private:
  Status CheckSoleValidator(const ledger::Tip& tip) const;
  void Run();
  Status ProduceBlock();

  EngineHost host_;
  BlockProducer producer_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool wake_ = false;
  std::thread thread_;

  prometheus::Counter& blocks_produced_;
  prometheus::Counter& empty_blocks_;
};

}  // namespace civic::node
