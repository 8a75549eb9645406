// civicd's command line and start-up refusals: each gets a clear message and
// the documented exit code (2 for usage and config, 1 for run-time errors).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>

#include "crypto/keyfile.h"
#include "tests/integration/civicd_harness.h"

namespace civic::testing {
namespace {

using namespace std::chrono_literals;

class CliTest : public ::testing::Test {
 protected:
  // Runs civicd with `args` until it exits by itself; returns the exit code and
  // leaves its output in log().
  int Run(const std::vector<std::string>& args) {
    std::ofstream(files_.log_path, std::ios::trunc);
    CivicdProcess proc(&files_);
    proc.StartWithArgs(args);
    auto code = proc.WaitExit(30s);
    EXPECT_TRUE(code.has_value()) << "civicd did not exit";
    log_ = proc.LogTail(20000);
    return code.value_or(-1);
  }
  int RunWithConfig() { return Run({"--config", files_.config_path.string()}); }
  void RewriteConfig() { std::ofstream(files_.config_path, std::ios::trunc) << node::FormatConfig(files_.config); }
  const std::string& log() const { return log_; }

  NodeFiles files_ = WriteNodeFiles("it-cli-1");
  std::string log_;
};

TEST_F(CliTest, HelpAndVersionExitZero) {
  EXPECT_EQ(Run({"--help"}), 0);
  EXPECT_NE(log().find("--config"), std::string::npos) << log();
  EXPECT_EQ(Run({"--version"}), 0);
  EXPECT_NE(log().find("civicd "), std::string::npos) << log();
}

TEST_F(CliTest, BadArgumentsExitTwo) {
  EXPECT_EQ(Run({}), 2);
  EXPECT_NE(log().find("--config"), std::string::npos) << log();
  EXPECT_EQ(Run({"--config"}), 2);
  EXPECT_EQ(Run({"--config", files_.config_path.string(), "--bogus"}), 2);
  EXPECT_NE(log().find("--bogus"), std::string::npos) << log();
}

TEST_F(CliTest, BadConfigExitsTwoNamingTheKey) {
  EXPECT_EQ(Run({"--config", (files_.dir->path() / "missing.toml").string()}), 2);
  EXPECT_NE(log().find("CONFIG_UNREADABLE"), std::string::npos) << log();

  std::ofstream(files_.config_path, std::ios::trunc) << node::FormatConfig(files_.config) << "\n[rpc]\n";
  EXPECT_EQ(RunWithConfig(), 2);
  EXPECT_NE(log().find("CONFIG_SYNTAX"), std::string::npos) << log();

  files_.config.rpc.threads = 0;
  RewriteConfig();
  EXPECT_EQ(RunWithConfig(), 2);
  EXPECT_NE(log().find("CONFIG_BAD_VALUE"), std::string::npos) << log();
  EXPECT_NE(log().find("rpc.threads"), std::string::npos) << log();
}

TEST_F(CliTest, RunTimeRefusalsExitOne) {
  // A node key that is not the genesis validator.
  crypto::KeyPair stranger = crypto::KeyPair::Generate(crypto::Algo::kEd25519);
  ASSERT_TRUE(crypto::WriteKeyFile((files_.dir->path() / "stranger.json").string(), stranger).ok());
  std::string key_file = files_.config.node.key_file;
  files_.config.node.key_file = "stranger.json";
  RewriteConfig();
  EXPECT_EQ(RunWithConfig(), 1);
  EXPECT_NE(log().find("NOT_SOLE_VALIDATOR"), std::string::npos) << log();

  // A missing key file.
  files_.config.node.key_file = "nowhere.json";
  RewriteConfig();
  EXPECT_EQ(RunWithConfig(), 1);
  EXPECT_NE(log().find("KEYFILE_NOT_FOUND"), std::string::npos) << log();
  files_.config.node.key_file = key_file;

  // A genesis file that does not parse.
  std::ofstream(files_.dir->path() / "broken_genesis.json") << "{\"chain_id\": 5}";
  std::string genesis_file = files_.config.node.genesis_file;
  files_.config.node.genesis_file = "broken_genesis.json";
  RewriteConfig();
  EXPECT_EQ(RunWithConfig(), 1);
  EXPECT_NE(log().find("GENESIS_"), std::string::npos) << log();
  files_.config.node.genesis_file = genesis_file;
  RewriteConfig();
}

TEST_F(CliTest, RefusesADataDirFromAnotherGenesis) {
  {
    CivicdProcess proc(&files_);
    proc.Start();
    ASSERT_TRUE(proc.WaitHealthy()) << proc.LogTail();
    EXPECT_EQ(proc.Terminate(), 0);
  }
  // Same chain id, other keys: another genesis hash.
  SampleNetwork other = MakeSampleNetwork("it-cli-1");
  std::ofstream(files_.dir->path() / "genesis.json", std::ios::trunc) << other.genesis_text;
  EXPECT_EQ(RunWithConfig(), 1);
  EXPECT_NE(log().find("GENESIS_MISMATCH"), std::string::npos) << log();
  // Another chain id altogether.
  SampleNetwork another = MakeSampleNetwork("it-cli-2");
  std::ofstream(files_.dir->path() / "genesis.json", std::ios::trunc) << another.genesis_text;
  EXPECT_EQ(RunWithConfig(), 1);
  EXPECT_NE(log().find("WRONG_CHAIN_ID"), std::string::npos) << log();
}

TEST_F(CliTest, RefusesABusyPortAndABusyDataDir) {
  // Something else listens on the RPC port.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  // With address reuse, as this process holds the port reserved (PickFreePort).
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(files_.config.rpc.listen.port);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  EXPECT_EQ(RunWithConfig(), 1);
  EXPECT_NE(log().find("BIND_FAILED"), std::string::npos) << log();
  ::close(fd);

  // A second civicd on a data dir that a running one holds.
  CivicdProcess first(&files_);
  first.Start();
  ASSERT_TRUE(first.WaitHealthy()) << first.LogTail();
  CivicdProcess second(&files_);
  second.Start();
  auto code = second.WaitExit(30s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 1);
  EXPECT_NE(second.LogTail(20000).find("DB_OPEN_FAILED"), std::string::npos) << second.LogTail();
  EXPECT_EQ(first.Terminate(), 0);
}

}  // namespace
}  // namespace civic::testing
