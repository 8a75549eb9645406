// civic bench net: a four-validator network on loopback under load from a
// separate process (docs/PERFORMANCE.md, "Network").
//
// The bench process starts the network (tools/bench/bench_audit_net.h) and runs its
// own binary again as `civic-bench net-load` once per load phase. That process
// signs real certificate-issue txs beforehand, submits them over HTTP keep-alive
// (tx_submit) and watches node0's blocks for them; it writes what it measured as
// one JSON object (a NetLoadReport) to a file the bench reads.
//
// This header holds the pieces both sides share and that tests check: the
// options of both commands with their range checks, the report's JSON form and
// the latency summary.
// Typed errors: BENCH_BAD_ARGUMENT (an option out of range), BENCH_BAD_TOOL_OUTPUT
// (a load report that is not the expected JSON).
// Thread safety: free functions only, all thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/base/status.h"

namespace civic::tools::bench {

// ---- The load process

struct NetLoadArgs {
  std::string net_dir;          // the network folder (chain id and the issuer's key)
  std::string ports;            // RPC ports the txs are spread over: "26657,26659"
  uint64_t watch_port = 0;      // RPC port whose blocks are watched for commits
  uint64_t rate = 0;            // open loop: txs per second on a fixed schedule; 0 = closed loop
  uint64_t max_pending = 4000;  // closed loop: submitted but not yet committed txs at most
  uint64_t seconds = 10;        // sending stops after this long
  uint64_t warmup = 2;          // the first seconds are left out of the rate and the latencies
  uint64_t txs = 10000;         // txs signed beforehand (sending also stops when they run out)
  uint64_t certs_per_tx = 1;
  std::string serial_prefix = "N";  // certificate serials prefix+index: distinct per phase
  uint64_t connections = 8;
  uint64_t stall_s = 60;        // after sending, wait at most this long without a new block
  std::string out;              // the report file; empty = stdout
};
// BENCH_BAD_ARGUMENT unless every option is in range and the ports parse.
Status CheckNetLoadArgs(const NetLoadArgs& args);
// "26657,26659" -> ports; BENCH_BAD_ARGUMENT when empty, malformed or out of 1..65535.
Result<std::vector<uint16_t>> ParsePortList(std::string_view text);

struct NetLoadReport {
  uint64_t txs_signed = 0;
  uint64_t submitted = 0;     // tx_submit calls made
  uint64_t admitted = 0;      // accepted into a mempool
  uint64_t committed = 0;     // found in a block with result ok
  uint64_t failed = 0;        // found in a block with an error result
  uint64_t certificates = 0;  // carried by the committed txs
  std::map<std::string, uint64_t> refused;  // app code -> tx_submit calls refused
  double sign_seconds = 0;     // building and signing the txs before the clock starts
  double elapsed_seconds = 0;  // first submit to the last commit seen
  double window_seconds = 0;   // the measured window: after the warm-up, while sending
  uint64_t window_committed = 0;
  uint64_t window_certificates = 0;
  uint64_t first_height = 0;   // tip when sending started
  uint64_t last_height = 0;    // last block read
  bool ran_out = false;        // sending stopped because the signed txs were used up
  std::string first_failure;
  // Submit (scheduled time in the open loop) -> commit seen, of the txs sent in the window.
  std::vector<double> latencies_ms;

  double window_tx_per_sec() const { return window_seconds > 0 ? window_committed / window_seconds : 0; }
  double window_certs_per_sec() const { return window_seconds > 0 ? window_certificates / window_seconds : 0; }
  double certs_per_sec() const { return elapsed_seconds > 0 ? certificates / elapsed_seconds : 0; }
};
std::string FormatLoadReport(const NetLoadReport& report);
// BENCH_BAD_TOOL_OUTPUT when `text` is not one JSON object with every member of
// the right type (counts non-negative integers, times finite and non-negative).
Result<NetLoadReport> ParseLoadReport(std::string_view text);

struct LatencySummary {
  size_t samples = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};
LatencySummary SummarizeLatencies(std::vector<double> samples_ms);

// ---- The bench

struct NetBenchArgs {
  uint64_t seconds = 20;          // the maximum-throughput phase
  uint64_t latency_seconds = 15;  // each latency phase (50% and 100% of the maximum)
  uint64_t warmup = 3;
  uint64_t max_pending = 4000;
  uint64_t max_txs = 100000;      // signed for each closed-loop phase
  uint64_t connections = 8;
  uint64_t batch_certs = 1000;    // certificates per batched tx
  uint64_t batch_txs = 60;
  uint64_t batch_pending = 8;
  uint64_t catchup_seconds = 20;  // load while one validator is stopped
  uint64_t floor_seconds = 2;
  uint64_t stall_s = 60;
  std::string civicd;
};
// BENCH_BAD_ARGUMENT unless every option is in range.
Status CheckNetBenchArgs(const NetBenchArgs& args);

}  // namespace civic::tools::bench
