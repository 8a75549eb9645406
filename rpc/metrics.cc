#include "rpc/metrics.h"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <string>

namespace civic::rpc {
namespace {

const prometheus::Histogram::BucketBoundaries kLatencyBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                                 0.025,  0.05,    0.1,    0.25,  0.5,    1,     5};

// The series in `slot`, made by `make` the first time.
template <typename T, typename Make>
T& Lazy(std::atomic<T*>& slot, Make make) {
  T* series = slot.load(std::memory_order_acquire);
  if (series == nullptr) {
    series = &make();
    slot.store(series, std::memory_order_release);
  }
  return *series;
}

}  // namespace

const char* RouteLabel(Route route) {
  switch (route) {
    case Route::kRpc: return "/rpc";
    case Route::kWebSocket: return "/ws";
    case Route::kHealth: return "/healthz";
    case Route::kMetrics: return "/metrics";
    case Route::kCertificate: return "/v1/certificates/{id}";
    case Route::kCertificateVerify: return "/v1/certificates/{id}/verify";
    case Route::kCertificateProof: return "/v1/certificates/{id}/proof";
    case Route::kBlock: return "/v1/blocks/{height}";
    case Route::kTx: return "/v1/txs/{id}";
    case Route::kCredit: return "/v1/credit/{subject}";
    case Route::kStatic: return "static";
    case Route::kOther:
    case Route::kCount: break;
  }
  return "other";
}

const char* RejectLabel(Reject reason) {
  switch (reason) {
    case Reject::kRateLimit: return "rate_limit";
    case Reject::kBodyTooLarge: return "body_too_large";
    case Reject::kHeaderTooLarge: return "header_too_large";
    case Reject::kMalformedHttp: return "malformed_http";
    case Reject::kConnectionLimit: return "connection_limit";
    case Reject::kConnectionsPerIp: return "connections_per_ip";
    case Reject::kBadOrigin: return "bad_origin";
    case Reject::kSlowSubscriber: return "slow_subscriber";
    case Reject::kBodyBudget: return "body_budget";
    case Reject::kTlsHandshake: return "tls_handshake";
    case Reject::kSubscriptions: return "subscriptions";
    case Reject::kCount: break;
  }
  return "other";
}

HttpMetrics::HttpMetrics(const MethodTable* methods, std::shared_ptr<prometheus::Registry> registry)
    : registry_(registry ? std::move(registry) : std::make_shared<prometheus::Registry>()),
      requests_(prometheus::BuildCounter()
                    .Name("civic_rpc_http_requests_total")
                    .Help("HTTP requests answered, by route and status.")
                    .Register(*registry_)),
      durations_(prometheus::BuildHistogram()
                     .Name("civic_rpc_http_request_duration_seconds")
                     .Help("Time from a request's last byte to its answer.")
                     .Register(*registry_)),
      calls_(prometheus::BuildCounter()
                 .Name("civic_rpc_calls_total")
                 .Help("JSON-RPC calls answered, by method and result code.")
                 .Register(*registry_)),
      chain_height_(prometheus::BuildGauge()
                        .Name("civic_chain_height")
                        .Help("Height of the last committed block.")
                        .Register(*registry_)),
      open_connections_(prometheus::BuildGauge()
                            .Name("civic_rpc_open_connections")
                            .Help("Open HTTP and WebSocket connections.")
                            .Register(*registry_)
                            .Add({})),
      subscribers_(prometheus::BuildGauge()
                       .Name("civic_rpc_ws_subscribers")
                       .Help("WebSocket connections subscribed to at least one topic.")
                       .Register(*registry_)
                       .Add({})) {
  auto& rejects = prometheus::BuildCounter()
                      .Name("civic_rpc_rejected_total")
                      .Help("Requests and connections refused before dispatch, by reason.")
                      .Register(*registry_);
  for (int i = 0; i < kRejects; ++i) rejects_[i] = &rejects.Add({{"reason", RejectLabel(static_cast<Reject>(i))}});
  if (methods) {
    for (const auto& [name, method] : methods->all()) method_series_.emplace(name, std::make_unique<CallSeries>());
  }
}

size_t HttpMetrics::StatusIndex(int http_status) {
  for (size_t i = 0; i + 1 < kStatuses.size(); ++i) {
    if (kStatuses[i] == http_status) return i;
  }
  return kStatuses.size() - 1;
}

void HttpMetrics::RecordRequest(Route route, int http_status, std::chrono::nanoseconds latency) {
  const int r = static_cast<int>(route);
  const size_t s = StatusIndex(http_status);
  Lazy(by_status_[r][s], [&]() -> prometheus::Counter& {
    const std::string status = kStatuses[s] == 0 ? "other" : std::to_string(kStatuses[s]);
    return requests_.Add({{"route", RouteLabel(route)}, {"status", status}});
  }).Increment();
  Lazy(latency_[r], [&]() -> prometheus::Histogram& {
    return durations_.Add({{"route", RouteLabel(route)}}, kLatencyBuckets);
  }).Observe(std::chrono::duration<double>(std::max(latency, std::chrono::nanoseconds(0))).count());
}

void HttpMetrics::RecordCall(std::string_view method, Code code) {
  auto it = method_series_.find(method);
  if (it == method_series_.end()) return CallCounter("unknown", unknown_calls_, code).Increment();
  CallCounter(it->first, *it->second, code).Increment();
}

prometheus::Counter& HttpMetrics::CallCounter(std::string_view method, CallSeries& series, Code code) {
  return Lazy(series.by_code[static_cast<int>(code)], [&]() -> prometheus::Counter& {
    return calls_.Add({{"method", std::string(method)}, {"code", CodeName(code)}});
  });
}

void HttpMetrics::SetChainHeight(uint64_t height) { chain_height_.Add({}).Set(static_cast<double>(height)); }

std::string HttpMetrics::Text() const { return prometheus::TextSerializer().Serialize(registry_->Collect()); }

}  // namespace civic::rpc
