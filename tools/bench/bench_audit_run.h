// Load drivers shared by `civic bench audit` and `civic bench credit`:
//   - CommitPipelined: builds and commits many signed txs with several txs in
//     flight (one keep-alive connection per worker, tx_commit each), recording
//     where each landed; the first failure stops the run.
//   - RunClosedLoop: a closed-loop query load (each worker sends the next
//     request when the previous answer arrived) for a bounded time and count,
//     with per-request latencies.
//   - SignedQuery: an auditor's signed JSON-RPC request (rpc/request_auth.h).
// Both drivers poll bench::Interrupted() and stop with BENCH_INTERRUPTED.
// Thread safety: the callbacks are called from the worker threads at once;
// they must be safe for that (each worker index is used by one thread only).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "crypto/signature.h"
#include "crypto/base/status.h"
#include "rpc/client.h"
#include "tools/common/node_api.h"

namespace civic::tools::bench {

struct CommitOptions {
  std::string url;
  size_t workers = 4;
  uint32_t commit_timeout_ms = 60000;
};
struct CommitReport {
  std::vector<TxOutcome> outcomes;  // by tx number
  double seconds = 0;               // first submit to last commit
};
// `build(i, valid_until_height)` returns the signed tx number i. valid_until is
// the newest height seen plus 900 (within the chain's replay window).
Result<CommitReport> CommitPipelined(const CommitOptions& options, size_t count,
                                     const std::function<Result<Bytes>(size_t i, uint64_t valid_until)>& build);

struct LoadOptions {
  size_t workers = 4;
  double seconds = 5;
  uint64_t max_requests = 4000;
  uint64_t warmup = 20;  // requests per worker before measuring (not counted)
};
struct LoadReport {
  uint64_t requests = 0;
  uint64_t errors = 0;
  Status first_error;
  double seconds = 0;
  std::vector<double> latencies_ms;
  double per_sec() const { return seconds > 0 ? static_cast<double>(requests) / seconds : 0; }
};
// Calls `request(worker, n)` (n counts every request, warm-up included) until
// the time or count bound is reached. A failing request counts as an error; the
// run goes on.
Result<LoadReport> RunClosedLoop(const LoadOptions& options, const std::function<Status(size_t worker, uint64_t n)>& request);

// The signed params of an auditor query (fresh nonce, the wall clock).
boost::json::object SignedQuery(const crypto::KeyPair& key, const std::string& org, const std::string& chain_id,
                                const std::string& audience, const std::string& method,
                                const std::string& request_json);

// Milliseconds since the Unix epoch (wall clock).
int64_t WallClockMs();

}  // namespace civic::tools::bench
