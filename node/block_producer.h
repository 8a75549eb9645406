// BlockProducer: the steps of block production that SoloEngine and BftEngine
// share, so that both build, apply and report blocks the same way.
//
// - Build: a block on the chain tip from the mempool's oldest txs (FIFO, within
//   max_block_txs and a byte budget) and the given evidence, carrying the commit
//   of the tip block, with block time max(now, previous block time + 1 ms)
//   (Chain::BuildBlock).
// - Commit: applies a decided block with its commit (Chain::ApplyBlock, skipping
//   the signature checks of txs the mempool verified), remembers the commit for
//   the next block, and reports the block once through EngineHost::on_committed,
//   with its tx ids computed once.
// - EvictFailingTxs: after a block built here was refused, removes from the
//   mempool the txs that fail their checks on their own.
//
// Requires: the host's chain, mempool, node key and config outlive it.
// Thread safety: none; LoadLastCommit before the engine's thread starts, then
// Build, Commit and EvictFailingTxs from that one thread. WallClockMs from any.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "node/engine.h"

namespace civic::node {

class BlockProducer {
 public:
  // `wall_clock_ms`: ms since the Unix epoch, for block time; null = the system clock.
  BlockProducer(const EngineHost& host, std::function<int64_t()> wall_clock_ms);

  // Reads the commit of the tip block, which the next block carries. Errors:
  // those of Chain::GetBlock.
  Status LoadLastCommit();

  // The next block: mempool txs of at most `max_tx_bytes` in total, then `evidence`.
  pb::Block Build(size_t max_tx_bytes, std::vector<pb::Evidence> evidence = {}) const;

  // Applies `block`, decided by `commit` (for height commit.height()), and
  // reports it. Errors: those of Chain::ApplyBlock (nothing is applied or reported).
  Status Commit(const pb::Block& block, const pb::Commit& commit);

  // Removes the txs of `block` that fail Chain::CheckTx (or do not decode) from
  // the mempool; returns how many.
  size_t EvictFailingTxs(const pb::Block& block);

  const pb::Commit& last_commit() const { return last_commit_; }
  int64_t WallClockMs() const;

 private:
  const EngineHost& host_;
  const std::function<int64_t()> wall_clock_ms_;
  pb::Commit last_commit_;  // of the tip block (empty at height 0)
};

}  // namespace civic::node
