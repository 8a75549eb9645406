// Mempool: the txs this node has admitted and not yet seen committed.
//
// Admission runs, in order: size limit, dedup by id and capacity (before any
// signature work), stateless checks with signature verification
// (ledger::DecodeTx), stateful checks against the chain tip (Chain::CheckTx:
// replay window, committed ids, signer and role via the contracts' CheckTx),
// then dedup and capacity again under the pool's lock. Typed errors:
// those of DecodeTx and Chain::CheckTx, TX_TOO_LARGE, TX_IN_MEMPOOL, MEMPOOL_FULL.
//
// Where signatures are verified: Add() verifies on the calling thread (the RPC
// server already runs several threads, and the NodeBackend API returns only once
// the tx is admitted, so handing one verification to another thread would only
// add a hand-off; see docs/OPERATIONS.md for the measurement). AddBatch() spreads
// the verifications of many txs over a pool of `verify_threads` workers; it is the
// path for bulk arrivals (peer gossip, batched submission).
//
// A tx stays in the pool until a block that holds it is committed (Update), so a
// tx reaped into a block in progress is still deduplicated. ReapForBlock returns
// txs in admission (FIFO) order. After each committed block, Update removes the
// block's ids and re-checks the rest against the new tip (skipping txs already
// checked against it; in parallel on the worker pool when there are many); txs
// that fail (expired valid_until_height, key revoked, ...) are dropped and
// reported. The re-check keeps every block the pool proposes valid: a block
// holding an expired or replayed tx would be refused as a whole.
//
// IsVerified(id) is true for every tx in the pool: its signature has been checked
// over exactly these bytes (the id is their hash), so Chain::ApplyBlock may skip it.
//
// Metrics (node/metrics.h): civic_mempool_txs, civic_mempool_bytes,
// civic_mempool_admitted_total, civic_tx_rejections_total{app_code} and
// civic_mempool_dropped_total{app_code}.
//
// Observers (Subscribe) hear of every admission: the engine proposes sooner,
// mempool gossip sends the txs to peers. They are called on the admitting
// thread, after the txs are in the pool and outside the pool's lock, and must
// not call Subscribe or Unsubscribe.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "crypto/base/status.h"
#include "ledger/chain.h"
#include "node/metrics.h"

namespace civic::node {

struct MempoolOptions {
  size_t max_txs = 20000;
  size_t max_bytes = 256u << 20;
  // Largest single tx admitted (at most ledger::kMaxTxBytes; a tx must fit in a block).
  size_t max_tx_bytes = 8u << 20;
  // Workers for AddBatch; 0 = verify on the calling thread.
  int verify_threads = 2;
};

// A tx dropped by the re-check after a block, with the reason.
struct DroppedTx {
  Bytes id;
  Status reason;
};

// Txs just admitted, as told to the observers.
struct AdmittedTxs {
  std::vector<std::shared_ptr<const Bytes>> txs;  // serialized SignedTx, in admission order
  std::optional<crypto::PublicKey> from;          // the peer that sent them; none for a client's
};
using AdmissionObserver = std::function<void(const AdmittedTxs&)>;

// A small fixed pool of threads that run submitted jobs FIFO.
class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  ~WorkerPool();  // runs the queued jobs, then joins
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Submit(std::function<void()> job);
  int size() const { return static_cast<int>(threads_.size()); }

 private:
  void Run();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

class Mempool {
 public:
  // `metrics` must outlive the mempool.
  Mempool(const ledger::Chain* chain, MempoolOptions options, prometheus::Registry& metrics);
  ~Mempool();
  Mempool(const Mempool&) = delete;
  Mempool& operator=(const Mempool&) = delete;

  // Checks and admits one serialized SignedTx from a client; returns its id.
  Result<Bytes> Add(Bytes raw);
  // Checks and admits many txs (from peer `from`, if set), verifying signatures
  // on the worker pool; one result per input, in input order. Admission order is
  // input order.
  std::vector<Result<Bytes>> AddBatch(std::vector<Bytes> raws, std::optional<crypto::PublicKey> from = {});

  // The oldest txs, in admission order, up to `max_txs` and `max_bytes` in total
  // (stops at the first tx that does not fit). The txs stay in the pool.
  std::vector<Bytes> ReapForBlock(size_t max_txs, size_t max_bytes) const;

  // Call after the block at `height` is applied: removes `committed_ids`, then
  // re-checks every remaining tx against the chain tip and drops those that
  // fail. Returns the dropped txs.
  std::vector<DroppedTx> Update(uint64_t height, const std::vector<Bytes>& committed_ids);

  // Removes `ids` without re-checking the rest (for txs a block was refused for).
  void Remove(const std::vector<Bytes>& ids);

  bool Contains(const Bytes& id) const;
  // True if `id` is in the pool (its signature has been verified).
  bool IsVerified(const Bytes& id) const { return Contains(id); }
  size_t size() const;
  size_t bytes() const;

  // Calls `observer` after each admission of one or more txs, until
  // Unsubscribe(the returned handle); Unsubscribe waits for calls in progress.
  uint64_t Subscribe(AdmissionObserver observer);
  void Unsubscribe(uint64_t subscription);

  // Counts since start, by app code: txs refused at admission, txs dropped by
  // the re-check after a block.
  std::map<std::string, uint64_t> RejectionCounts() const;
  std::map<std::string, uint64_t> DropCounts() const;
  uint64_t admitted_total() const;

 private:
  struct Entry {
    Bytes id;
    std::shared_ptr<const Bytes> raw;
    // A lower bound of the tip height the tx was last checked against: a tx
    // checked against the current tip needs no re-check.
    uint64_t checked_at = 0;
  };
  using List = std::list<Entry>;

  Status CheckSize(const Bytes& raw) const;
  // Takes mu_: TX_IN_MEMPOOL or MEMPOOL_FULL before any signature work.
  Status CheckNotPresent(const Bytes& id, size_t tx_bytes) const;
  // Require mu_.
  bool HasRoomLocked(size_t tx_bytes) const;
  Status FullStatusLocked() const;
  Result<ledger::DecodedTx> Decode(const Bytes& raw) const;
  // Stateful check (Chain::CheckTx) and insertion; an admitted tx is appended to `admitted`.
  Result<Bytes> Admit(ledger::DecodedTx tx, AdmittedTxs* admitted);
  Result<Bytes> Count(Result<Bytes> result);
  // Require mu_.
  void EraseLocked(const Bytes& id);
  void PublishSizeLocked();
  void NotifyAdmitted(const AdmittedTxs& admitted);

  const ledger::Chain* chain_;
  const MempoolOptions options_;
  std::unique_ptr<WorkerPool> pool_;

  mutable std::mutex mu_;
  List fifo_;
  std::unordered_map<Bytes, List::iterator> by_id_;
  size_t bytes_ = 0;
  uint64_t updated_height_ = 0;  // height of the last Update

  prometheus::Gauge& txs_gauge_;
  prometheus::Gauge& bytes_gauge_;
  prometheus::Counter& admitted_;
  CounterByLabel rejections_;
  CounterByLabel drops_;

  std::shared_mutex observers_mu_;
  uint64_t next_subscription_ = 1;
  std::map<uint64_t, AdmissionObserver> observers_;
};

}  // namespace civic::node
