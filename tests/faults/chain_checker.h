// ChainChecker: what must hold after a fault scenario, asked over the RPC of
// every node (chain_status, chain_getBlock, chain_getTx):
//   no fork            every node has the same block hash (and so the same
//                      header, state root included) at every height they all
//                      have
//   no commit lost     every tx whose commit a node acknowledged (tx_commit
//                      answered) is found by chain_getTx on every node
//   equal state roots  nodes at the same height report the same app state root
//   liveness           after healing, every node passes a height within a bound
//   block time rules   block times strictly increase and none is ahead of the
//                      checker's clock by more than the drift the nodes accept
// Each check returns OK or a Status whose message names the node and height.
// App codes: FORK, COMMIT_LOST, STATE_ROOT_MISMATCH, NOT_LIVE, BLOCK_TIME.
//
// Thread safety: Acknowledge and acknowledged may be called from any thread
// (load generators); the checks from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <vector>

#include "crypto/base/bytes.h"
#include "crypto/base/status.h"
#include "rpc/client.h"

namespace civic::faults {

class ChainChecker {
 public:
  // One RPC port per node, by node index.
  explicit ChainChecker(std::vector<uint16_t> rpc_ports);

  void Acknowledge(const Bytes& tx_id);
  size_t acknowledged() const;

  Result<uint64_t> Height(size_t node) const;
  // The highest height any of `nodes` reports (0 if none answers).
  uint64_t MaxHeight(const std::vector<size_t>& nodes) const;
  // Waits until every one of `nodes` is at `height` or above; the time it took,
  // or NOT_LIVE naming the nodes still below after `bound`.
  Result<std::chrono::milliseconds> WaitAllAt(const std::vector<size_t>& nodes, uint64_t height,
                                              std::chrono::milliseconds bound) const;

  Status CheckNoFork(const std::vector<size_t>& nodes) const;
  Status CheckNoCommitLost(const std::vector<size_t>& nodes) const;
  Status CheckStateRoots(const std::vector<size_t>& nodes) const;
  Status CheckBlockTimes(size_t node, int64_t max_ahead_ms) const;
  // The first three, in that order.
  Status CheckAll(const std::vector<size_t>& nodes) const;

 private:
  rpc::Client ClientOf(size_t node) const;

  const std::vector<uint16_t> rpc_ports_;
  mutable std::mutex mu_;
  std::vector<Bytes> acknowledged_;
};

}  // namespace civic::faults
