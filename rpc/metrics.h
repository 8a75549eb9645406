// The RPC server's own counters, rendered in the Prometheus text format
// (version 0.0.4): HTTP requests by route and status, a latency histogram per
// route, JSON-RPC calls by method and result code, open connections, WebSocket
// subscribers and requests rejected before dispatch (by reason).
//
// Thread safety: every Record*/counter method is lock-free (relaxed atomics) and
// may be called from any thread; Text() reads a consistent-enough snapshot.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "crypto/base/status.h"
#include "rpc/methods.h"

namespace civic::rpc {

// Routes used as metric labels (a fixed set keeps label cardinality bounded).
enum class Route : int {
  kRpc,
  kWebSocket,
  kHealth,
  kMetrics,
  kCertificate,
  kCertificateVerify,
  kBlock,
  kTx,
  kCredit,
  kStatic,
  kOther,
  kCount,
};
const char* RouteLabel(Route route);

// A label value escaped for the Prometheus text format (backslash, quote, newline).
std::string PrometheusLabelValue(std::string_view value);

enum class Reject : int { kRateLimit, kBodyTooLarge, kHeaderTooLarge, kMalformedHttp, kConnectionLimit, kSlowSubscriber, kCount };
const char* RejectLabel(Reject reason);

class HttpMetrics {
 public:
  // Methods of `methods` get their own label; calls of other names count as "unknown".
  explicit HttpMetrics(const MethodTable* methods);

  void RecordRequest(Route route, int http_status, std::chrono::nanoseconds latency);
  void RecordCall(std::string_view method, Code code);
  void RecordReject(Reject reason) { rejects_[static_cast<int>(reason)].fetch_add(1, std::memory_order_relaxed); }
  void ConnectionOpened() { open_connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }
  void SubscriberAdded() { subscribers_.fetch_add(1, std::memory_order_relaxed); }
  void SubscriberRemoved() { subscribers_.fetch_sub(1, std::memory_order_relaxed); }

  int64_t open_connections() const { return open_connections_.load(std::memory_order_relaxed); }
  uint64_t rejected(Reject reason) const { return rejects_[static_cast<int>(reason)].load(std::memory_order_relaxed); }

  std::string Text() const;

 private:
  static constexpr std::array<int, 15> kStatuses = {101, 200, 204, 400, 403, 404, 405, 409, 413, 429, 431, 500, 503, 504, 0};
  static constexpr std::array<double, 14> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                      0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};
  static constexpr int kRoutes = static_cast<int>(Route::kCount);
  static constexpr int kCodes = static_cast<int>(Code::kInternal) + 1;

  struct RouteStats {
    std::array<std::atomic<uint64_t>, kStatuses.size()> by_status{};
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};  // last = +Inf only
    std::atomic<uint64_t> sum_ns{0};
    std::atomic<uint64_t> count{0};
  };
  struct CallStats {
    std::array<std::atomic<uint64_t>, kCodes> by_code{};
  };

  static size_t StatusIndex(int http_status);

  std::array<RouteStats, kRoutes> routes_;
  // Keys are fixed at construction, so lookups need no lock.
  std::map<std::string, std::unique_ptr<CallStats>, std::less<>> calls_;
  CallStats unknown_calls_;
  std::array<std::atomic<uint64_t>, static_cast<int>(Reject::kCount)> rejects_{};
  std::atomic<int64_t> open_connections_{0};
  std::atomic<int64_t> subscribers_{0};
};

}  // namespace civic::rpc
