// The RPC server's own series, in the node's metrics registry (prometheus-cpp):
// HTTP requests by route and status, a latency histogram per route, JSON-RPC
// calls by method and result code, open connections, WebSocket subscribers,
// requests rejected before dispatch (by reason) and the chain height; and the
// whole registry in the Prometheus text format (version 0.0.4) for /metrics.
//
// A series of a route, status, method or code appears once it counts something;
// civic_rpc_rejected_total shows every reason from the start.
// Thread safety: every method may be called from any thread. Recording into a
// series seen before takes no lock; the first record of a series takes its
// family's.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

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
  kCertificateProof,
  kBlock,
  kTx,
  kCredit,
  kStatic,
  kOther,
  kCount,
};
const char* RouteLabel(Route route);

enum class Reject : int { kRateLimit, kBodyTooLarge, kHeaderTooLarge, kMalformedHttp, kConnectionLimit, kSlowSubscriber,
                        kConnectionsPerIp, kBadOrigin, kBodyBudget, kSubscriptions, kTlsHandshake, kCount };
const char* RejectLabel(Reject reason);

class HttpMetrics {
 public:
  // Methods of `methods` get their own label; calls of other names count as
  // "unknown". The series go in `registry` (the node's), or in a registry of
  // their own if it is null.
  HttpMetrics(const MethodTable* methods, std::shared_ptr<prometheus::Registry> registry);

  void RecordRequest(Route route, int http_status, std::chrono::nanoseconds latency);
  void RecordCall(std::string_view method, Code code);
  void RecordReject(Reject reason) { rejects_[static_cast<int>(reason)]->Increment(); }
  void ConnectionOpened() { open_connections_.Increment(); }
  void ConnectionClosed() { open_connections_.Decrement(); }
  void SubscriberAdded() { subscribers_.Increment(); }
  void SubscriberRemoved() { subscribers_.Decrement(); }
  void SetChainHeight(uint64_t height);

  int64_t open_connections() const { return static_cast<int64_t>(open_connections_.Value()); }
  uint64_t rejected(Reject reason) const {
    return static_cast<uint64_t>(rejects_[static_cast<int>(reason)]->Value());
  }

  // Every series of the registry (the node's too) in the Prometheus text format.
  std::string Text() const;

 private:
  static constexpr std::array<int, 15> kStatuses = {101, 200, 204, 400, 403, 404, 405, 409, 413, 429, 431, 500, 503, 504, 0};
  static constexpr int kRoutes = static_cast<int>(Route::kCount);
  static constexpr int kCodes = static_cast<int>(Code::kInternal) + 1;
  static constexpr int kRejects = static_cast<int>(Reject::kCount);

  // Series made on first use; the family returns the same one to racing makers.
  struct CallSeries {
    std::array<std::atomic<prometheus::Counter*>, kCodes> by_code{};
  };

  static size_t StatusIndex(int http_status);
  prometheus::Counter& CallCounter(std::string_view method, CallSeries& series, Code code);

  const std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& durations_;
  prometheus::Family<prometheus::Counter>& calls_;
  prometheus::Family<prometheus::Gauge>& chain_height_;
  prometheus::Gauge& open_connections_;
  prometheus::Gauge& subscribers_;
  std::array<prometheus::Counter*, kRejects> rejects_{};
  std::array<std::array<std::atomic<prometheus::Counter*>, kStatuses.size()>, kRoutes> by_status_{};
  std::array<std::atomic<prometheus::Histogram*>, kRoutes> latency_{};
  // Keys are fixed at construction, so lookups need no lock.
  std::map<std::string, std::unique_ptr<CallSeries>, std::less<>> method_series_;
  CallSeries unknown_calls_;
};

}  // namespace civic::rpc
