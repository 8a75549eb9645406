#include "tools/bench/bench_audit_run.h"

#include <chrono>
#include <mutex>
#include <thread>

#include "rpc/request_auth.h"
#include "tools/bench/bench_common.h"
#include "tools/common/errors.h"

namespace civic::tools::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<CommitReport> CommitPipelined(const CommitOptions& options, size_t count,
                                     const std::function<Result<Bytes>(size_t i, uint64_t valid_until)>& build) {
  if (options.workers == 0) return Status::InvalidArgument(err::BENCH_BAD_ARGUMENT, "at least one worker is needed");
  std::vector<std::unique_ptr<NodeApi>> apis;
  for (size_t w = 0; w < options.workers; ++w) {
    CIVIC_ASSIGN_OR_RETURN(auto api, ConnectNode(options.url));
    apis.push_back(std::move(api));
  }
  CIVIC_ASSIGN_OR_RETURN(ChainStatusInfo status, GetChainStatus(*apis[0]));
  std::atomic<uint64_t> newest_height{status.height};
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first_error;
  CommitReport report;
  report.outcomes.resize(count);
  auto fail = [&](Status st) {
    std::lock_guard<std::mutex> lock(mu);
    if (first_error.ok()) first_error = std::move(st);
    failed = true;
  };
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (size_t w = 0; w < options.workers; ++w) {
    threads.emplace_back([&, w] {
      for (;;) {
        if (failed) return;
        if (Interrupted()) return fail(CheckInterrupted());
        const size_t i = next.fetch_add(1);
        if (i >= count) return;
        auto raw = build(i, newest_height.load() + 900);
        if (!raw.ok()) return fail(raw.status());
        auto outcome = CommitTx(*apis[w], *raw, options.commit_timeout_ms);
        if (!outcome.ok()) {
          return fail(Status(outcome.status().code(), outcome.status().app_code(),
                             "tx " + std::to_string(i) + ": " + outcome.status().message()));
        }
        if (!outcome->result.ok()) {
          return fail(Status(outcome->result.code(), outcome->result.app_code(),
                             "tx " + std::to_string(i) + " failed in its block: " + outcome->result.message()));
        }
        uint64_t seen = newest_height.load();
        while (outcome->height > seen && !newest_height.compare_exchange_weak(seen, outcome->height)) {
        }
        report.outcomes[i] = std::move(*outcome);
      }
    });
  }
  for (auto& t : threads) t.join();
  report.seconds = Since(start);
  CIVIC_RETURN_IF_ERROR(first_error);
  return report;
}

Result<LoadReport> RunClosedLoop(const LoadOptions& options,
                                 const std::function<Status(size_t worker, uint64_t n)>& request) {
  if (options.workers == 0) return Status::InvalidArgument(err::BENCH_BAD_ARGUMENT, "at least one connection is needed");
  std::atomic<uint64_t> counter{0};
  std::atomic<uint64_t> measured{0};
  std::mutex mu;
  LoadReport report;
  // Warm-up: each worker's first requests are not measured.
  {
    std::vector<std::thread> threads;
    for (size_t w = 0; w < options.workers; ++w) {
      threads.emplace_back([&, w] {
        for (uint64_t k = 0; k < options.warmup && !Interrupted(); ++k) (void)request(w, counter.fetch_add(1));
      });
    }
    for (auto& t : threads) t.join();
  }
  CIVIC_RETURN_IF_ERROR(CheckInterrupted());
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.seconds));
  std::vector<std::thread> threads;
  for (size_t w = 0; w < options.workers; ++w) {
    threads.emplace_back([&, w] {
      std::vector<double> latencies;
      uint64_t errors = 0;
      Status error;
      while (Clock::now() < deadline && !Interrupted()) {
        if (measured.fetch_add(1) >= options.max_requests) break;
        const auto t0 = Clock::now();
        Status st = request(w, counter.fetch_add(1));
        latencies.push_back(Since(t0) * 1000.0);
        if (!st.ok()) {
          ++errors;
          if (error.ok()) error = st;
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      report.latencies_ms.insert(report.latencies_ms.end(), latencies.begin(), latencies.end());
      report.errors += errors;
      if (report.first_error.ok() && !error.ok()) report.first_error = error;
    });
  }
  for (auto& t : threads) t.join();
  report.seconds = Since(start);
  report.requests = report.latencies_ms.size();
  CIVIC_RETURN_IF_ERROR(CheckInterrupted());
  return report;
}

boost::json::object SignedQuery(const crypto::KeyPair& key, const std::string& org, const std::string& chain_id,
                                const std::string& audience, const std::string& method,
                                const std::string& request_json) {
  return rpc::SignRequest(key, org, chain_id, audience, method, request_json, WallClockMs());
}

}  // namespace civic::tools::bench
