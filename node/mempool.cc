#include "node/mempool.h"

#include <algorithm>
#include <future>

#include <fmt/format.h>

#include "ledger/errors.h"
#include "ledger/tx.h"
#include "node/errors.h"
#include "rpc/error_codes.h"

namespace civic::node {

// ---- WorkerPool

WorkerPool::WorkerPool(int threads) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkerPool::Submit(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void WorkerPool::Run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stop_ and nothing left
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

// ---- Mempool

Mempool::Mempool(const ledger::Chain* chain, MempoolOptions options, prometheus::Registry& metrics)
    : chain_(chain),
      options_(options),
      txs_gauge_(NewGauge(metrics, "civic_mempool_txs", "Txs waiting in the mempool.")),
      bytes_gauge_(NewGauge(metrics, "civic_mempool_bytes", "Bytes of the txs waiting in the mempool.")),
      admitted_(NewCounter(metrics, "civic_mempool_admitted_total", "Txs admitted to the mempool since start.")),
      rejections_(metrics, "civic_tx_rejections_total", "Txs refused at admission, by app code.", "app_code"),
      drops_(metrics, "civic_mempool_dropped_total", "Txs dropped by the re-check after a block, by app code.",
             "app_code") {
  if (options_.verify_threads > 0) pool_ = std::make_unique<WorkerPool>(options_.verify_threads);
  updated_height_ = chain_->tip().height;
}

Mempool::~Mempool() = default;

Status Mempool::CheckSize(const Bytes& raw) const {
  size_t limit = std::min(options_.max_tx_bytes, ledger::kMaxTxBytes);
  if (raw.size() > limit) {
    return Status::ResourceExhausted(
        err::TX_TOO_LARGE, fmt::format("tx is {} bytes; this node admits at most {}", raw.size(), limit));
  }
  return Status::Ok();
}

Status Mempool::FullStatusLocked() const {
  return Status::ResourceExhausted(
      err::MEMPOOL_FULL,
      fmt::format("mempool is full ({} txs, {} bytes; limits {} txs, {} bytes); retry after the "
                  "next block",
                  by_id_.size(), bytes_, options_.max_txs, options_.max_bytes));
}

bool Mempool::HasRoomLocked(size_t tx_bytes) const {
  return by_id_.size() < options_.max_txs && bytes_ + tx_bytes <= options_.max_bytes;
}

Status Mempool::CheckNotPresent(const Bytes& id, size_t tx_bytes) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (by_id_.contains(id)) {
    return Status::AlreadyExists(err::TX_IN_MEMPOOL,
                                 fmt::format("tx {} is already waiting in the mempool", ToHex(id)));
  }
  if (!HasRoomLocked(tx_bytes)) return FullStatusLocked();
  return Status::Ok();
}

Result<ledger::DecodedTx> Mempool::Decode(const Bytes& raw) const {
  CIVIC_RETURN_IF_ERROR(CheckSize(raw));
  // Dedup, replay and capacity before the signature check: a resubmitted tx, a
  // gossip copy arriving after its block, or any tx while the pool is full costs
  // one hash and one index read.
  const Bytes id = ledger::TxId(raw);
  CIVIC_RETURN_IF_ERROR(CheckNotPresent(id, raw.size()));
  CIVIC_RETURN_IF_ERROR(chain_->CheckNotCommitted(id));
  return ledger::DecodeTx(raw, chain_->options().chain_id, /*verify_signature=*/true);
}

Result<Bytes> Mempool::Admit(ledger::DecodedTx tx, AdmittedTxs* admitted) {
  uint64_t checked_at = chain_->tip().height;
  CIVIC_RETURN_IF_ERROR(chain_->CheckTx(tx));

  std::lock_guard<std::mutex> lock(mu_);
  if (by_id_.contains(tx.id)) {
    return Status::AlreadyExists(err::TX_IN_MEMPOOL,
                                 fmt::format("tx {} is already waiting in the mempool", ToHex(tx.id)));
  }
  // A block committed after our check and already swept by Update would not
  // remove or re-check this tx: check again against the newer tip.
  if (updated_height_ > checked_at) {
    CIVIC_RETURN_IF_ERROR(chain_->CheckTx(tx));
    checked_at = updated_height_;
  }
  if (!HasRoomLocked(tx.raw.size())) return FullStatusLocked();
  bytes_ += tx.raw.size();
  auto raw = std::make_shared<const Bytes>(std::move(tx.raw));
  fifo_.push_back(Entry{tx.id, raw, checked_at});
  by_id_.emplace(tx.id, std::prev(fifo_.end()));
  PublishSizeLocked();
  admitted_.Increment();
  admitted->txs.push_back(std::move(raw));
  return tx.id;
}

Result<Bytes> Mempool::Count(Result<Bytes> result) {
  if (!result.ok()) rejections_.Increment(result.status().app_code());
  return result;
}

void Mempool::NotifyAdmitted(const AdmittedTxs& admitted) {
  if (admitted.txs.empty()) return;
  std::shared_lock<std::shared_mutex> lock(observers_mu_);
  for (const auto& [subscription, observer] : observers_) observer(admitted);
}

Result<Bytes> Mempool::Add(Bytes raw) {
  auto decoded = Decode(raw);
  if (!decoded.ok()) return Count(decoded.status());
  AdmittedTxs admitted;
  auto id = Count(Admit(std::move(decoded).value(), &admitted));
  NotifyAdmitted(admitted);
  return id;
}

std::vector<Result<Bytes>> Mempool::AddBatch(std::vector<Bytes> raws, std::optional<crypto::PublicKey> from) {
  std::vector<Result<ledger::DecodedTx>> decoded;
  decoded.reserve(raws.size());
  if (pool_ == nullptr || raws.size() < 2) {
    for (const Bytes& raw : raws) decoded.push_back(Decode(raw));
  } else {
    std::vector<std::future<Result<ledger::DecodedTx>>> futures;
    futures.reserve(raws.size());
    for (const Bytes& raw : raws) {
      auto task = std::make_shared<std::packaged_task<Result<ledger::DecodedTx>()>>(
          [this, &raw] { return Decode(raw); });
      futures.push_back(task->get_future());
      pool_->Submit([task] { (*task)(); });
    }
    for (auto& f : futures) decoded.push_back(f.get());
  }

  std::vector<Result<Bytes>> results;
  results.reserve(raws.size());
  AdmittedTxs admitted{{}, std::move(from)};
  for (auto& d : decoded) {
    results.push_back(Count(d.ok() ? Admit(std::move(d).value(), &admitted) : Result<Bytes>(d.status())));
  }
  NotifyAdmitted(admitted);
  return results;
}

std::vector<Bytes> Mempool::ReapForBlock(size_t max_txs, size_t max_bytes) const {
  std::vector<Bytes> out;
  std::lock_guard<std::mutex> lock(mu_);
  size_t total = 0;
  for (const Entry& e : fifo_) {
    if (out.size() >= max_txs || total + e.raw->size() > max_bytes) break;
    total += e.raw->size();
    out.push_back(*e.raw);
  }
  return out;
}

std::vector<DroppedTx> Mempool::Update(uint64_t height, const std::vector<Bytes>& committed_ids) {
  std::vector<Entry> stale;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Bytes& id : committed_ids) EraseLocked(id);
    updated_height_ = std::max(updated_height_, height);
    for (const Entry& e : fifo_) {
      if (e.checked_at < height) stale.push_back(e);
    }
  }

  // Re-check outside the lock so that admission goes on meanwhile; the raw
  // bytes are shared, not copied. Chain::CheckTx is safe to call concurrently.
  std::vector<Status> results(stale.size());
  const std::string& chain_id = chain_->options().chain_id;
  auto check_range = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      auto tx = ledger::DecodeTx(*stale[i].raw, chain_id, /*verify_signature=*/false);
      results[i] = tx.ok() ? chain_->CheckTx(*tx) : tx.status();
    }
  };
  constexpr size_t kParallelFrom = 64;
  if (pool_ == nullptr || stale.size() < kParallelFrom) {
    check_range(0, stale.size());
  } else {
    // The calling thread takes a share too, so this works even if the pool is busy.
    const size_t shares = static_cast<size_t>(pool_->size()) + 1;
    const size_t chunk = (stale.size() + shares - 1) / shares;
    std::vector<std::future<void>> done;
    for (size_t begin = chunk; begin < stale.size(); begin += chunk) {
      auto task = std::make_shared<std::packaged_task<void()>>(
          [&, begin] { check_range(begin, std::min(begin + chunk, stale.size())); });
      done.push_back(task->get_future());
      pool_->Submit([task] { (*task)(); });
    }
    check_range(0, std::min(chunk, stale.size()));
    for (auto& f : done) f.get();
  }

  std::vector<DroppedTx> dropped;
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < stale.size(); ++i) {
    auto it = by_id_.find(stale[i].id);
    if (results[i].ok()) {
      if (it != by_id_.end()) it->second->checked_at = std::max(it->second->checked_at, height);
      continue;
    }
    drops_.Increment(results[i].app_code());
    EraseLocked(stale[i].id);
    dropped.push_back(DroppedTx{stale[i].id, std::move(results[i])});
  }
  return dropped;
}

void Mempool::EraseLocked(const Bytes& id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  bytes_ -= it->second->raw->size();
  fifo_.erase(it->second);
  by_id_.erase(it);
  PublishSizeLocked();
}

void Mempool::PublishSizeLocked() {
  txs_gauge_.Set(static_cast<double>(by_id_.size()));
  bytes_gauge_.Set(static_cast<double>(bytes_));
}

void Mempool::Remove(const std::vector<Bytes>& ids) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Bytes& id : ids) EraseLocked(id);
}

bool Mempool::Contains(const Bytes& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_id_.contains(id);
}

size_t Mempool::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_id_.size();
}

size_t Mempool::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

uint64_t Mempool::Subscribe(AdmissionObserver observer) {
  std::unique_lock<std::shared_mutex> lock(observers_mu_);
  const uint64_t subscription = next_subscription_++;
  observers_.emplace(subscription, std::move(observer));
  return subscription;
}

void Mempool::Unsubscribe(uint64_t subscription) {
  std::unique_lock<std::shared_mutex> lock(observers_mu_);
  observers_.erase(subscription);
}

std::map<std::string, uint64_t> Mempool::RejectionCounts() const { return rejections_.Values(); }

std::map<std::string, uint64_t> Mempool::DropCounts() const { return drops_.Values(); }

uint64_t Mempool::admitted_total() const { return CountOf(admitted_); }

}  // namespace civic::node
