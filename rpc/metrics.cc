#include "rpc/metrics.h"

#include <fmt/format.h>

namespace civic::rpc {

std::string PrometheusLabelValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

const char* RouteLabel(Route route) {
  switch (route) {
    case Route::kRpc: return "/rpc";
    case Route::kWebSocket: return "/ws";
    case Route::kHealth: return "/healthz";
    case Route::kMetrics: return "/metrics";
    case Route::kCertificate: return "/v1/certificates/{id}";
    case Route::kCertificateVerify: return "/v1/certificates/{id}/verify";
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
    case Reject::kSlowSubscriber: return "slow_subscriber";
    case Reject::kCount: break;
  }
  return "other";
}

HttpMetrics::HttpMetrics(const MethodTable* methods) {
  if (methods) {
    for (const auto& [name, method] : methods->all()) calls_.emplace(name, std::make_unique<CallStats>());
  }
}

size_t HttpMetrics::StatusIndex(int http_status) {
  for (size_t i = 0; i + 1 < kStatuses.size(); ++i) {
    if (kStatuses[i] == http_status) return i;
  }
  return kStatuses.size() - 1;
}

void HttpMetrics::RecordRequest(Route route, int http_status, std::chrono::nanoseconds latency) {
  RouteStats& r = routes_[static_cast<int>(route)];
  r.by_status[StatusIndex(http_status)].fetch_add(1, std::memory_order_relaxed);
  double seconds = std::chrono::duration<double>(latency).count();
  size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  r.buckets[b].fetch_add(1, std::memory_order_relaxed);
  r.sum_ns.fetch_add(static_cast<uint64_t>(latency.count() > 0 ? latency.count() : 0),
                     std::memory_order_relaxed);
  r.count.fetch_add(1, std::memory_order_relaxed);
}

void HttpMetrics::RecordCall(std::string_view method, Code code) {
  auto it = calls_.find(method);
  CallStats& stats = it == calls_.end() ? unknown_calls_ : *it->second;
  stats.by_code[static_cast<int>(code)].fetch_add(1, std::memory_order_relaxed);
}

std::string HttpMetrics::Text() const {
  auto load = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  std::string out;
  out += "# HELP civic_rpc_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE civic_rpc_http_requests_total counter\n";
  for (int r = 0; r < kRoutes; ++r) {
    for (size_t s = 0; s < kStatuses.size(); ++s) {
      uint64_t n = load(routes_[r].by_status[s]);
      if (n == 0) continue;
      std::string status = kStatuses[s] == 0 ? "other" : std::to_string(kStatuses[s]);
      out += fmt::format("civic_rpc_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                         RouteLabel(static_cast<Route>(r)), status, n);
    }
  }
  out += "# HELP civic_rpc_http_request_duration_seconds Time from a request's last byte to its answer.\n";
  out += "# TYPE civic_rpc_http_request_duration_seconds histogram\n";
  for (int r = 0; r < kRoutes; ++r) {
    const RouteStats& rs = routes_[r];
    uint64_t count = load(rs.count);
    if (count == 0) continue;
    const char* route = RouteLabel(static_cast<Route>(r));
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kBuckets.size(); ++b) {
      cumulative += load(rs.buckets[b]);
      out += fmt::format("civic_rpc_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
                         route, kBuckets[b], cumulative);
    }
    cumulative += load(rs.buckets[kBuckets.size()]);
    out += fmt::format("civic_rpc_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n",
                       route, cumulative);
    out += fmt::format("civic_rpc_http_request_duration_seconds_sum{{route=\"{}\"}} {:.9f}\n", route,
                       static_cast<double>(load(rs.sum_ns)) / 1e9);
    out += fmt::format("civic_rpc_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", route, cumulative);
  }
  out += "# HELP civic_rpc_calls_total JSON-RPC calls answered, by method and result code.\n";
  out += "# TYPE civic_rpc_calls_total counter\n";
  auto calls = [&](std::string_view name, const CallStats& stats) {
    for (int c = 0; c < kCodes; ++c) {
      uint64_t n = load(stats.by_code[c]);
      if (n == 0) continue;
      out += fmt::format("civic_rpc_calls_total{{method=\"{}\",code=\"{}\"}} {}\n", name,
                         CodeName(static_cast<Code>(c)), n);
    }
  };
  for (const auto& [name, stats] : calls_) calls(name, *stats);
  calls("unknown", unknown_calls_);
  out += "# HELP civic_rpc_rejected_total Requests and connections refused before dispatch, by reason.\n";
  out += "# TYPE civic_rpc_rejected_total counter\n";
  for (int i = 0; i < static_cast<int>(Reject::kCount); ++i) {
    out += fmt::format("civic_rpc_rejected_total{{reason=\"{}\"}} {}\n", RejectLabel(static_cast<Reject>(i)),
                       load(rejects_[i]));
  }
  out += "# HELP civic_rpc_open_connections Open HTTP and WebSocket connections.\n";
  out += "# TYPE civic_rpc_open_connections gauge\n";
  out += fmt::format("civic_rpc_open_connections {}\n", open_connections_.load(std::memory_order_relaxed));
  out += "# HELP civic_rpc_ws_subscribers WebSocket connections subscribed to at least one topic.\n";
  out += "# TYPE civic_rpc_ws_subscribers gauge\n";
  out += fmt::format("civic_rpc_ws_subscribers {}\n", subscribers_.load(std::memory_order_relaxed));
  return out;
}

}  // namespace civic::rpc
