// `civic bench net` without a network: the load process's report round trip and
// its refusal of malformed reports, the port list, the latency summary, and the
// commands' refusal of bad arguments (typed usage errors, before any process starts).
#include <gtest/gtest.h>

#include "test_util.h"
#include "tools/bench/bench_net.h"

namespace civic::tools::bench {
namespace {

NetLoadReport SampleReport() {
  NetLoadReport r;
  r.txs_signed = 100;
  r.submitted = 90;
  r.admitted = 88;
  r.committed = 85;
  r.failed = 1;
  r.certificates = 85;
  r.refused["MEMPOOL_FULL"] = 2;
  r.elapsed_seconds = 4.5;
  r.window_seconds = 2.0;
  r.window_committed = 40;
  r.window_certificates = 40;
  r.first_height = 10;
  r.last_height = 30;
  r.ran_out = true;
  r.first_failure = R"({"ok":false,"app_code":"CERT_EXISTS"})";
  r.latencies_ms = {12.5, 30.25, 7};
  return r;
}

TEST(LoadReportTest, RoundTrips) {
  NetLoadReport in = SampleReport();
  auto out = ParseLoadReport(FormatLoadReport(in));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->txs_signed, 100u);
  EXPECT_EQ(out->submitted, 90u);
  EXPECT_EQ(out->admitted, 88u);
  EXPECT_EQ(out->committed, 85u);
  EXPECT_EQ(out->failed, 1u);
  EXPECT_EQ(out->refused.at("MEMPOOL_FULL"), 2u);
  EXPECT_DOUBLE_EQ(out->elapsed_seconds, 4.5);
  EXPECT_DOUBLE_EQ(out->window_tx_per_sec(), 20.0);
  EXPECT_EQ(out->first_height, 10u);
  EXPECT_EQ(out->last_height, 30u);
  EXPECT_TRUE(out->ran_out);
  EXPECT_EQ(out->first_failure, in.first_failure);
  ASSERT_EQ(out->latencies_ms.size(), 3u);
  EXPECT_DOUBLE_EQ(out->latencies_ms[1], 30.25);
}

TEST(LoadReportTest, RejectsMalformedReports) {
  std::string good = FormatLoadReport(SampleReport());
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) s.replace(at, from.size(), to);
    return s;
  };
  const std::vector<std::string> bad = {
      "",
      "not json",
      "[1,2,3]",
      "{}",
      good.substr(0, good.size() / 2),                         // truncated
      replaced("\"committed\":85", "\"committed\":-85"),       // negative count
      replaced("\"committed\":85", "\"committed\":\"85\""),    // wrong type
      replaced("\"committed\":85", "\"commited\":85"),         // missing member
      replaced("\"ran_out\":true", "\"ran_out\":1"),           // not a boolean
      replaced("\"refused\":{", "\"refused\":{\"X\":-1,"),     // negative refusal count
      replaced("\"latencies_ms\":[", "\"latencies_ms\":[-1,"), // negative latency
      replaced("\"latencies_ms\":[", "\"latencies_ms\":[\"a\","),
      replaced("\"committed\":85", "\"committed\":95"),        // more committed than admitted
      replaced("\"last_height\":30", "\"last_height\":3"),     // heights backwards
      replaced("\"elapsed_seconds\":", "\"elapsed_seconds\":null,\"x\":"),
  };
  for (const auto& text : bad) {
    auto r = ParseLoadReport(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().app_code(), "BENCH_BAD_TOOL_OUTPUT") << text;
  }
}

TEST(PortListTest, ParsesAndRejects) {
  auto ports = ParsePortList("26657,26659,1");
  ASSERT_TRUE(ports.ok());
  EXPECT_EQ(*ports, (std::vector<uint16_t>{26657, 26659, 1}));
  for (const char* bad : {"", ",", "26657,", "0", "65536", "12a", "-1", "1,,2"}) {
    auto r = ParsePortList(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().app_code(), "BENCH_BAD_ARGUMENT") << bad;
  }
}

TEST(LatencySummaryTest, NearestRankPercentiles) {
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);
  LatencySummary s = SummarizeLatencies(v);
  EXPECT_EQ(s.samples, 100u);
  EXPECT_EQ(s.p50_ms, 50);
  EXPECT_EQ(s.p99_ms, 99);
  LatencySummary empty = SummarizeLatencies({});
  EXPECT_EQ(empty.samples, 0u);
  EXPECT_EQ(empty.p50_ms, 0);
}

TEST(NetArgsTest, DefaultsAreValidAndRangesChecked) {
  EXPECT_TRUE(CheckNetBenchArgs(NetBenchArgs{}).ok());
  NetBenchArgs a;
  a.warmup = 20;
  EXPECT_EQ(CheckNetBenchArgs(a).app_code(), "BENCH_BAD_ARGUMENT");
  NetLoadArgs l;
  EXPECT_EQ(CheckNetLoadArgs(l).app_code(), "BENCH_BAD_ARGUMENT");  // no --net
  l.net_dir = "net";
  l.ports = "26657";
  l.watch_port = 26657;
  EXPECT_TRUE(CheckNetLoadArgs(l).ok());
  l.serial_prefix = "a/b";
  EXPECT_EQ(CheckNetLoadArgs(l).app_code(), "BENCH_BAD_ARGUMENT");
}

TEST(BenchNetCliTest, BadArgumentsAreUsageErrors) {
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {{"bench", "net", "--seconds", "0"}, "BENCH_BAD_ARGUMENT: --seconds must be 5 to 600, not 0"},
      {{"bench", "net", "--connections", "0"}, "--connections must be 1 to 256"},
      {{"bench", "net", "--batch-certs", "20000"}, "--batch-certs must be 1 to 10,000"},
      {{"bench", "net", "--catchup-seconds", "1"}, "--catchup-seconds must be 5 to 600"},
      {{"bench", "net", "--warmup", "10", "--latency-seconds", "10"}, "must be less than --latency-seconds"},
      {{"bench", "net", "--max-pending", "lots"}, "--max-pending"},
      {{"bench", "net", "--bogus"}, "bogus"},
      {{"bench", "net-load", "--ports", "26657"}, "--net names the network folder"},
      {{"bench", "net-load", "--net", "x", "--ports", "99999", "--watch-port", "1"}, "--ports must list"},
      {{"bench", "net-load", "--net", "x", "--ports", "1", "--watch-port", "0"}, "--watch-port must be 1 to 65,535"},
  };
  for (const auto& c : cases) {
    testing::RunResult r = testing::Run(CIVIC_CLI_PATH, c.args);
    std::string cmd;
    for (const auto& arg : c.args) cmd += arg + " ";
    EXPECT_EQ(r.exit_code, 2) << cmd << "\n" << r.out;
    EXPECT_NE(r.out.find(c.expect), std::string::npos) << cmd << "\n" << r.out;
  }
}

}  // namespace
}  // namespace civic::tools::bench
