// Kills a process that applies blocks with SIGKILL at a random moment, then
// reopens its database: the tip must be a whole block whose state recomputes.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <thread>

#include "ledger/block.h"
#include "test_util.h"

namespace civic::ledger {
namespace {

using testing::TempDir;
using testing::TestChain;
using testing::TestExecutor;

// Runs the child on `dir`, lets it apply at least `min_blocks` more blocks, waits
// `extra_ms` more, kills it; returns the last height it reported as applied.
uint64_t RunAndKill(const std::string& dir, unsigned seed, int min_blocks, int extra_ms) {
  int fds[2];
  if (pipe(fds) != 0) {
    ADD_FAILURE() << "pipe failed";
    return 0;
  }
  const std::string seed_arg = std::to_string(seed);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl(LEDGER_CRASH_CHILD, "ledger_crash_child", dir.c_str(), seed_arg.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  uint64_t last = 0;
  int reported = 0;
  std::string buffer;
  auto drain = [&](int timeout_ms) {
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return false;
    char chunk[4096];
    ssize_t n = read(fds[0], chunk, sizeof chunk);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(n));
    for (size_t nl; (nl = buffer.find('\n')) != std::string::npos; buffer.erase(0, nl + 1)) {
      last = std::stoull(buffer.substr(0, nl));
      ++reported;
    }
    return true;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (reported < min_blocks && std::chrono::steady_clock::now() < deadline) {
    if (!drain(1000)) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) break;  // the child died on its own
    }
  }
  EXPECT_GE(reported, min_blocks) << "the child stopped reporting";
  const auto kill_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(extra_ms);
  while (std::chrono::steady_clock::now() < kill_at) drain(1);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  while (drain(0)) {
  }
  close(fds[0]);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child exited by itself: " << status;
  return last;
}

TEST(ChainCrashTest, SigkillLeavesTheLastWholeBlock) {
  TempDir dir;
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  uint64_t previous_tip = 0;
  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    uint64_t reported = RunAndKill(dir.path(), seed + round, 3, static_cast<int>(rng() % 400));

    TestExecutor exec;
    ChainOptions options = TestChain::Defaults();
    auto opened = Chain::Open(dir.path(), options, &exec);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    auto chain = std::move(opened).value();
    const Tip tip = chain->tip();
    // Every height the child reported was durably applied; nothing half-applied.
    EXPECT_GE(tip.height, reported);
    EXPECT_GT(tip.height, previous_tip);
    previous_tip = tip.height;
    ASSERT_TRUE(chain->VerifyState().ok()) << chain->VerifyState().ToString();
    EXPECT_EQ(chain->StateRootAt(tip.height).value(), tip.app_state_root);
    auto block = chain->GetBlock(tip.height);
    ASSERT_TRUE(block.ok());
    EXPECT_EQ(BlockHash(block->block()), tip.block_hash);
    EXPECT_EQ(CommitHash(block->commit()), tip.last_commit_hash);
    EXPECT_EQ(chain->GetHeader(tip.height)->state_root(), chain->StateRootAt(tip.height - 1).value());
    for (const Bytes& raw : block->block().txs()) {
      auto rec = chain->GetTx(TxId(raw));
      ASSERT_TRUE(rec.ok());
      EXPECT_EQ(rec->location.height(), tip.height);
    }
    EXPECT_EQ(chain->GetBlock(tip.height + 1).status().code(), Code::kNotFound);
    auto meta = chain->state().Get(Space::kState, "meta/height");
    ASSERT_TRUE(meta.ok() && meta->has_value());
    EXPECT_EQ(**meta, std::to_string(tip.height));
  }
}

}  // namespace
}  // namespace civic::ledger
