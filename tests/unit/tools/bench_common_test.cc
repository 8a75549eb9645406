// The bench building blocks that need no running node: the wrk report parser,
// /proc status parsing, percentiles, argument ranges, child processes, the
// check for the tools the benches run, and the commands' refusal of bad
// arguments (before starting anything), through `civic bench` and `civic-bench`.
#include <gtest/gtest.h>

#include "test_util.h"
#include "tools/bench/bench_common.h"

namespace civic::tools::bench {
namespace {

constexpr const char* kWrkReport = R"(Running 10s test @ http://127.0.0.1:26657/rpc
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.73ms    1.05ms  31.22ms   88.10%
    Req/Sec     9.52k   612.45    10.80k    71.00%
  Latency Distribution
     50%    1.52ms
     75%    2.01ms
     90%    2.72ms
     99%  812.00us
  189534 requests in 10.01s, 170.25MB read
  Socket errors: connect 0, read 2, write 1, timeout 4
  Non-2xx or 3xx responses: 3
Requests/sec:  18935.06
Transfer/sec:     17.01MB
)";

TEST(WrkParserTest, ReadsRateLatenciesAndErrors) {
  auto r = ParseWrkOutput(kWrkReport);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_DOUBLE_EQ(r->requests_per_sec, 18935.06);
  EXPECT_EQ(r->requests, 189534u);
  EXPECT_NEAR(r->seconds, 10.01, 1e-9);
  EXPECT_NEAR(r->latency_avg_ms, 1.73, 1e-9);
  EXPECT_NEAR(r->p50(), 1.52, 1e-9);
  EXPECT_NEAR(r->latency_ms.at(75), 2.01, 1e-9);
  EXPECT_NEAR(r->p99(), 0.812, 1e-9);
  EXPECT_EQ(r->non_2xx, 3u);
  EXPECT_EQ(r->socket_errors, 7u);
  EXPECT_NEAR(r->transfer_bytes_per_sec, 17.01 * 1024 * 1024, 1);
}

TEST(WrkParserTest, RejectsReportsWithoutTheFigures) {
  auto none = ParseWrkOutput("unable to connect to 127.0.0.1:1 Connection refused\n");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().app_code(), "BENCH_BAD_TOOL_OUTPUT");

  std::string no99 = kWrkReport;
  no99.erase(no99.find("     99%"), std::string("     99%  812.00us\n").size());
  auto partial = ParseWrkOutput(no99);
  ASSERT_FALSE(partial.ok());
  EXPECT_EQ(partial.status().app_code(), "BENCH_BAD_TOOL_OUTPUT");

  std::string bad_unit = kWrkReport;
  bad_unit.replace(bad_unit.find("1.52ms"), 6, "1.52xs");
  EXPECT_FALSE(ParseWrkOutput(bad_unit).ok());
}

TEST(WrkParserTest, Durations) {
  EXPECT_NEAR(*ParseWrkDuration("812.00us"), 0.812, 1e-9);
  EXPECT_NEAR(*ParseWrkDuration(" 1.20ms"), 1.2, 1e-9);
  EXPECT_NEAR(*ParseWrkDuration("2.01s"), 2010, 1e-9);
  EXPECT_NEAR(*ParseWrkDuration("1.00m"), 60000, 1e-9);
  EXPECT_FALSE(ParseWrkDuration("").has_value());
  EXPECT_FALSE(ParseWrkDuration("ms").has_value());
  EXPECT_FALSE(ParseWrkDuration("3 parsecs").has_value());
}

TEST(ProcStatusTest, ReadsRssAndPeak) {
  auto m = ParseProcStatus("Name:\tcivicd\nVmPeak:\t  900000 kB\nVmHWM:\t  123456 kB\nVmRSS:\t   65432 kB\n");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->rss_kb, 65432u);
  EXPECT_EQ(m->hwm_kb, 123456u);
  EXPECT_FALSE(ParseProcStatus("Name:\tkthreadd\n").ok());
  auto self = ReadProcessMemory(::getpid());
  ASSERT_TRUE(self.ok());
  EXPECT_GT(self->rss_kb, 0u);
  EXPECT_GE(self->hwm_kb, self->rss_kb);
}

TEST(PercentileTest, NearestRank) {
  std::vector<double> v = {5, 1, 4, 2, 3, 6, 7, 8, 9, 10};
  EXPECT_EQ(Percentile(&v, 50), 5);
  EXPECT_EQ(Percentile(&v, 99), 10);
  EXPECT_EQ(Percentile(&v, 0), 1);
  std::vector<double> empty;
  EXPECT_EQ(Percentile(&empty, 50), 0);
}

TEST(CheckRangeTest, NamesTheOptionAndTheRange) {
  EXPECT_TRUE(CheckRange("--certs", 5, 1, 10).ok());
  Status st = CheckRange("--certs", 0, 1, 10'000'000);
  EXPECT_EQ(st.app_code(), "BENCH_BAD_ARGUMENT");
  EXPECT_NE(st.message().find("--certs must be 1 to 10,000,000, not 0"), std::string::npos) << st.message();
}

TEST(ChildProcessTest, StopsWhatItStarted) {
  auto child = ChildProcess::Spawn({"/bin/sleep", "30"}, "");
  ASSERT_TRUE(child.ok());
  int pid = child->pid();
  EXPECT_TRUE(child->Running());
  child->Stop(2000);
  EXPECT_FALSE(child->Running());
  EXPECT_NE(::kill(pid, 0), 0);  // reaped: the pid no longer exists
}

TEST(RunProcessTest, CapturesOutputAndExitCode) {
  auto r = RunProcess({"/bin/sh", "-c", "echo hello; exit 3"}, 10);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "hello\n");
  auto slow = RunProcess({"/bin/sleep", "10"}, 1);
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.status().app_code(), "BENCH_TIMEOUT");
}

TEST(CheckToolsTest, NamesWhatIsMissingAndHowToInstallIt) {
  EXPECT_TRUE(CheckTools({{"/bin/true", "coreutils"}}).ok());
  Status st = CheckTools({{"/nonexistent/wrk", "wrk"}, {"/bin/true", "coreutils"}, {"/nonexistent/nginx", "nginx"}});
  EXPECT_EQ(st.app_code(), "BENCH_TOOL_MISSING");
  EXPECT_EQ(st.message(), "/nonexistent/wrk, /nonexistent/nginx not found: run scripts/setup bench, or apt-get install "
                          "wrk nginx");
}

TEST(DiskUsageTest, CountsFiles) {
  testing::TempDir dir;
  {
    std::ofstream f(dir.File("a"));
    f << std::string(10000, 'x');
  }
  auto du = MeasureDiskUsage(dir.path());
  ASSERT_TRUE(du.ok());
  EXPECT_EQ(du->files, 1u);
  EXPECT_EQ(du->apparent_bytes, 10000u);
  EXPECT_GE(du->allocated_bytes, 8192u);
  EXPECT_FALSE(MeasureDiskUsage(dir.File("missing")).ok());
}

// The commands refuse bad arguments with a typed usage error (exit 2) before
// starting any process.
TEST(BenchCliTest, BadArgumentsAreUsageErrors) {
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {{"bench", "issue", "--certs", "0"}, "BENCH_BAD_ARGUMENT: --certs must be 1 to 10,000,000, not 0"},
      {{"bench", "issue", "--batch", "20000"}, "--batch must be 1 to 10,000"},
      {{"bench", "issue", "--connections", "0"}, "--connections must be 1 to 256"},
      {{"bench", "issue", "--certs", "many"}, "--certs"},
      {{"bench", "verify", "--duration", "0"}, "--duration must be 1 to 600"},
      {{"bench", "verify", "--threads", "8", "--connections", "4"}, "must be at least --threads"},
      {{"bench", "verify", "--bogus"}, "bogus"},
      {{"bench"}, "bench"},
  };
  for (const auto& c : cases) {
    testing::RunResult r = testing::Run(CIVIC_CLI_PATH, c.args);
    std::string cmd;
    for (const auto& a : c.args) cmd += a + " ";
    EXPECT_EQ(r.exit_code, 2) << cmd << "\n" << r.out;
    EXPECT_NE(r.out.find(c.expect), std::string::npos) << cmd << "\n" << r.out;
  }
}

// civic-bench is the program; `civic bench` runs it with the same arguments.
TEST(BenchCliTest, CivicBenchAndCivicBenchCommandAnswerAlike) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"issue", "--help"}, {"verify", "--help"}, {"audit", "--help"}, {"credit", "--help"},
           {"net", "--help"}}) {
    testing::RunResult direct = testing::Run(CIVIC_BENCH_PATH, args);
    std::vector<std::string> through_civic = {"bench"};
    through_civic.insert(through_civic.end(), args.begin(), args.end());
    testing::RunResult via = testing::Run(CIVIC_CLI_PATH, through_civic);
    EXPECT_EQ(direct.exit_code, 0) << args[0] << "\n" << direct.out;
    EXPECT_NE(direct.out.find("Usage"), std::string::npos) << direct.out;
    EXPECT_EQ(via.exit_code, direct.exit_code);
    EXPECT_EQ(via.out, direct.out);
  }
  testing::RunResult verify = testing::Run(CIVIC_BENCH_PATH, {"verify", "--help"});
  EXPECT_NE(verify.out.find("--nginx"), std::string::npos) << verify.out;
  testing::RunResult missing =
      testing::Run(CIVIC_CLI_PATH, {"bench", "verify", "--wrk", "/nonexistent/wrk", "--nginx", "/bin/true"});
  EXPECT_EQ(missing.exit_code, 1) << missing.out;
  EXPECT_NE(missing.out.find("civic-bench: error: BENCH_TOOL_MISSING: /nonexistent/wrk not found: run scripts/setup "
                             "bench, or apt-get install wrk"),
            std::string::npos)
      << missing.out;
}

TEST(BenchCliTest, MissingDataFolderIsATypedError) {
  testing::TempDir dir;
  testing::RunResult r = testing::Run(CIVIC_CLI_PATH, {"bench", "verify", "--data", dir.File("none"),
                                                       "--wrk", "/bin/true", "--nginx", "/bin/true"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("NET_NOT_FOUND"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace civic::tools::bench
