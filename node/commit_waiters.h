// CommitWaiters: callers waiting for a tx to be committed (tx_commit), keyed by
// tx id, each with a deadline.
//
// Guarantees: every registered callback runs exactly once: with the tx's
// location when Complete() is called for its id, with DEADLINE_EXCEEDED
// (COMMIT_TIMEOUT) when its deadline passes first, or with the Close() status.
// Callbacks run on the waiters' own thread, never on the caller's: the block
// producer that reports commits is never held up by (or re-entered from) an RPC
// reply.
// Thread safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "crypto/base/bytes.h"
#include "crypto/base/status.h"
#include "ledger/ledger.pb.h"

namespace civic::node {

class CommitWaiters {
 public:
  using Clock = std::chrono::steady_clock;
  using Done = std::function<void(Result<pb::TxLocation>)>;

  CommitWaiters();
  ~CommitWaiters();  // Close(Unavailable SHUTTING_DOWN)
  CommitWaiters(const CommitWaiters&) = delete;
  CommitWaiters& operator=(const CommitWaiters&) = delete;

  // Registers `done` for `tx_id`; returns a token for CompleteOne. After Close()
  // the callback is answered at once with the close status.
  uint64_t Add(const Bytes& tx_id, std::chrono::milliseconds timeout, Done done);
  // Answers every waiter of `tx_id` with `result`.
  void Complete(const Bytes& tx_id, const Result<pb::TxLocation>& result);
  // Answers the waiter `token` if it is still pending; false if it was answered.
  bool CompleteOne(uint64_t token, Result<pb::TxLocation> result);
  // Cheap test so that the commit path looks up locations only when asked for.
  bool HasWaiters(const Bytes& tx_id) const;
  size_t pending() const;
  // Answers every pending waiter with `reason`, runs the queued callbacks and
  // joins the thread. Idempotent.
  void Close(const Status& reason);

 private:
  struct Waiter {
    Bytes tx_id;
    Clock::time_point deadline;
    Done done;
  };
  struct Ready {
    Done done;
    Result<pb::TxLocation> result;
  };

  // Requires mu_. Moves waiter `token` to the ready queue.
  void ReadyLocked(uint64_t token, Result<pb::TxLocation> result);
  void Run();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
  Status close_status_;
  uint64_t next_token_ = 1;
  std::map<uint64_t, Waiter> waiters_;
  std::unordered_multimap<Bytes, uint64_t> by_tx_;
  std::multimap<Clock::time_point, uint64_t> by_deadline_;
  std::deque<Ready> ready_;
  std::thread thread_;
};

}  // namespace civic::node
