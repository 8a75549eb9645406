#include "node/commit_waiters.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

namespace civic::node {
namespace {

using namespace std::chrono_literals;

pb::TxLocation Location(uint64_t height, uint32_t index) {
  pb::TxLocation loc;
  loc.set_height(height);
  loc.set_index(index);
  return loc;
}

TEST(CommitWaitersTest, CompleteAnswersEveryWaiterOfTheTx) {
  CommitWaiters waiters;
  std::promise<Result<pb::TxLocation>> a, b, other;
  waiters.Add("tx1", 10s, [&](Result<pb::TxLocation> r) { a.set_value(std::move(r)); });
  waiters.Add("tx1", 10s, [&](Result<pb::TxLocation> r) { b.set_value(std::move(r)); });
  waiters.Add("tx2", 10s, [&](Result<pb::TxLocation> r) { other.set_value(std::move(r)); });
  EXPECT_TRUE(waiters.HasWaiters("tx1"));
  EXPECT_EQ(waiters.pending(), 3u);

  waiters.Complete("tx1", Location(7, 2));
  auto ra = a.get_future().get();
  auto rb = b.get_future().get();
  ASSERT_TRUE(ra.ok());
  ASSERT_TRUE(rb.ok());
  EXPECT_EQ(ra->height(), 7u);
  EXPECT_EQ(rb->index(), 2u);
  EXPECT_FALSE(waiters.HasWaiters("tx1"));
  EXPECT_TRUE(waiters.HasWaiters("tx2"));
  EXPECT_EQ(waiters.pending(), 1u);

  waiters.Close(Status::Unavailable("SHUTTING_DOWN", "bye"));
  auto ro = other.get_future().get();
  ASSERT_FALSE(ro.ok());
  EXPECT_EQ(ro.status().app_code(), "SHUTTING_DOWN");
}

TEST(CommitWaitersTest, TimeoutGivesCommitTimeout) {
  CommitWaiters waiters;
  std::promise<Result<pb::TxLocation>> p;
  waiters.Add("tx", 20ms, [&](Result<pb::TxLocation> r) { p.set_value(std::move(r)); });
  auto r = p.get_future().get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kDeadlineExceeded);
  EXPECT_EQ(r.status().app_code(), "COMMIT_TIMEOUT");
  EXPECT_EQ(waiters.pending(), 0u);
  // A late commit finds nobody and answers nothing twice.
  waiters.Complete("tx", Location(1, 0));
}

TEST(CommitWaitersTest, EarlierDeadlineWakesTheTimer) {
  CommitWaiters waiters;
  std::promise<void> long_done;
  std::promise<Result<pb::TxLocation>> short_done;
  waiters.Add("long", 3600s, [&](Result<pb::TxLocation>) { long_done.set_value(); });
  waiters.Add("short", 10ms, [&](Result<pb::TxLocation> r) { short_done.set_value(std::move(r)); });
  EXPECT_EQ(short_done.get_future().get().status().app_code(), "COMMIT_TIMEOUT");
  EXPECT_TRUE(waiters.HasWaiters("long"));
  waiters.Close(Status::Unavailable("SHUTTING_DOWN", "bye"));
  long_done.get_future().get();
}

TEST(CommitWaitersTest, CompleteOneAnswersOnce) {
  CommitWaiters waiters;
  std::atomic<int> calls{0};
  std::promise<void> done;
  uint64_t token = waiters.Add("tx", 10s, [&](Result<pb::TxLocation> r) {
    EXPECT_TRUE(r.ok());
    if (++calls == 1) done.set_value();
  });
  EXPECT_TRUE(waiters.CompleteOne(token, Location(3, 0)));
  EXPECT_FALSE(waiters.CompleteOne(token, Location(3, 0)));
  waiters.Complete("tx", Location(3, 0));
  done.get_future().get();
  waiters.Close(Status::Unavailable("SHUTTING_DOWN", "bye"));
  EXPECT_EQ(calls.load(), 1);
}

TEST(CommitWaitersTest, AddAfterCloseAnswersAtOnce) {
  CommitWaiters waiters;
  waiters.Close(Status::Unavailable("SHUTTING_DOWN", "bye"));
  bool called = false;
  waiters.Add("tx", 10s, [&](Result<pb::TxLocation> r) {
    called = true;
    EXPECT_EQ(r.status().app_code(), "SHUTTING_DOWN");
  });
  EXPECT_TRUE(called);
}

TEST(CommitWaitersTest, ConcurrentAddAndComplete) {
  CommitWaiters waiters;
  constexpr int kThreads = 4, kPerThread = 200;
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Bytes id = "tx-" + std::to_string(t) + "-" + std::to_string(i);
        waiters.Add(id, 10s, [&](Result<pb::TxLocation> r) {
          EXPECT_TRUE(r.ok());
          ++answered;
        });
        waiters.Complete(id, Location(1, 0));
      }
    });
  }
  for (auto& t : threads) t.join();
  waiters.Close(Status::Unavailable("SHUTTING_DOWN", "bye"));
  EXPECT_EQ(answered.load(), kThreads * kPerThread);
}

}  // namespace
}  // namespace civic::node
