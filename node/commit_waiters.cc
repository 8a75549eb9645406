#include "node/commit_waiters.h"

#include <fmt/format.h>

#include "crypto/base/bytes.h"
#include "node/errors.h"
#include "rpc/error_codes.h"

namespace civic::node {

CommitWaiters::CommitWaiters() { thread_ = std::thread([this] { Run(); }); }

CommitWaiters::~CommitWaiters() {
  Close(Status::Unavailable(err::SHUTTING_DOWN, "the node is shutting down"));
}

uint64_t CommitWaiters::Add(const Bytes& tx_id, std::chrono::milliseconds timeout, Done done) {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t token = next_token_++;
  if (closed_) {
    // No thread is left to run it: answer here, outside the lock.
    Status reason = close_status_;
    lock.unlock();
    done(std::move(reason));
    return token;
  }
  auto deadline = Clock::now() + timeout;
  waiters_.emplace(token, Waiter{tx_id, deadline, std::move(done)});
  by_tx_.emplace(tx_id, token);
  bool earliest = by_deadline_.empty() || deadline < by_deadline_.begin()->first;
  by_deadline_.emplace(deadline, token);
  if (earliest) cv_.notify_all();
  return token;
}

void CommitWaiters::ReadyLocked(uint64_t token, Result<pb::TxLocation> result) {
  auto it = waiters_.find(token);
  if (it == waiters_.end()) return;
  Waiter& w = it->second;
  auto range = by_tx_.equal_range(w.tx_id);
  for (auto t = range.first; t != range.second; ++t) {
    if (t->second == token) {
      by_tx_.erase(t);
      break;
    }
  }
  auto drange = by_deadline_.equal_range(w.deadline);
  for (auto d = drange.first; d != drange.second; ++d) {
    if (d->second == token) {
      by_deadline_.erase(d);
      break;
    }
  }
  ready_.push_back(Ready{std::move(w.done), std::move(result)});
  waiters_.erase(it);
}

void CommitWaiters::Complete(const Bytes& tx_id, const Result<pb::TxLocation>& result) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<uint64_t> tokens;
  auto range = by_tx_.equal_range(tx_id);
  for (auto t = range.first; t != range.second; ++t) tokens.push_back(t->second);
  if (tokens.empty()) return;
  for (uint64_t token : tokens) ReadyLocked(token, result);
  cv_.notify_all();
}

bool CommitWaiters::CompleteOne(uint64_t token, Result<pb::TxLocation> result) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!waiters_.contains(token)) return false;
  ReadyLocked(token, std::move(result));
  cv_.notify_all();
  return true;
}

bool CommitWaiters::HasWaiters(const Bytes& tx_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_tx_.contains(tx_id);
}

size_t CommitWaiters::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiters_.size();
}

void CommitWaiters::Close(const Status& reason) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    close_status_ = reason;
    std::vector<uint64_t> tokens;
    for (const auto& [token, w] : waiters_) tokens.push_back(token);
    for (uint64_t token : tokens) ReadyLocked(token, reason);
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CommitWaiters::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    // Expire waiters whose deadline has passed.
    auto now = Clock::now();
    while (!by_deadline_.empty() && by_deadline_.begin()->first <= now) {
      uint64_t token = by_deadline_.begin()->second;
      const Bytes tx_id = waiters_.at(token).tx_id;
      ReadyLocked(token, Status::DeadlineExceeded(
                             err::COMMIT_TIMEOUT,
                             fmt::format("tx {} was not committed before the timeout; it may still "
                                         "commit later (query chain_getTx)",
                                         ToHex(tx_id))));
    }
    if (!ready_.empty()) {
      std::deque<Ready> batch;
      batch.swap(ready_);
      lock.unlock();
      for (Ready& r : batch) r.done(std::move(r.result));
      lock.lock();
      continue;
    }
    if (closed_) return;
    if (by_deadline_.empty()) {
      cv_.wait(lock);
    } else {
      // A copy: wait_until reads the deadline again after waking, and while it
      // waits (lock released) another thread may erase that map entry.
      const Clock::time_point next_deadline = by_deadline_.begin()->first;
      cv_.wait_until(lock, next_deadline);
    }
  }
}

}  // namespace civic::node
