// The server-wide budget for request bodies in flight: every request reserves
// the bytes its body may take (its Content-Length, or the body limit when it is
// sent in chunks) before the body is read, and gives them back when its answer
// has been written or its connection ends. A request that does not fit is
// refused (503 BODY_BUDGET_EXHAUSTED) without reading its body, so many
// clients, each within its own limits, cannot make the node hold more than the
// budget of request bodies at once.
//
// A budget of 0 means no budget (every reservation succeeds).
// Thread safety: Reserve() and the Reservation destructor may run on any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <optional>

namespace civic::rpc {

class BodyBudget {
 public:
  // Bytes held until destroyed (or reset); move-only.
  class Reservation {
   public:
    Reservation() = default;
    Reservation(Reservation&& other) noexcept;
    Reservation& operator=(Reservation&& other) noexcept;
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    ~Reservation() { reset(); }
    void reset();
    size_t bytes() const { return bytes_; }

   private:
    friend class BodyBudget;
    Reservation(BodyBudget* budget, size_t bytes) : budget_(budget), bytes_(bytes) {}
    BodyBudget* budget_ = nullptr;
    size_t bytes_ = 0;
  };

  explicit BodyBudget(size_t limit) : limit_(limit) {}

  // `bytes` of the budget, or nothing when they would take it past its limit.
  std::optional<Reservation> Reserve(size_t bytes);
  size_t in_use() const { return in_use_.load(std::memory_order_relaxed); }
  size_t limit() const { return limit_; }

 private:
  const size_t limit_;
  std::atomic<size_t> in_use_{0};
};

}  // namespace civic::rpc
