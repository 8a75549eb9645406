// FaultProxy on its own: a client and a server on loopback sockets, the proxy
// between them.
#include "tests/faults/fault_proxy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "tests/faults/fault_proxy_control.h"

namespace civic::faults {
namespace {

using namespace std::chrono_literals;

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  return addr;
}

// Reads exactly n bytes, or what came before the stream ended.
std::string ReadN(int fd, size_t n) {
  std::string out;
  char buf[4096];
  while (out.size() < n) {
    const ssize_t r = ::recv(fd, buf, std::min(sizeof(buf), n - out.size()), 0);
    if (r <= 0) break;
    out.append(buf, static_cast<size_t>(r));
  }
  return out;
}

bool Readable(int fd, std::chrono::milliseconds within) {
  pollfd pfd{fd, POLLIN, 0};
  return ::poll(&pfd, 1, static_cast<int>(within.count())) > 0;
}

void SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t w = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    ASSERT_GT(w, 0);
    off += static_cast<size_t>(w);
  }
}

// Whether the stream ended (orderly or by reset) within the time given.
bool Ended(int fd, std::chrono::milliseconds within) {
  if (!Readable(fd, within)) return false;
  char c;
  return ::recv(fd, &c, 1, 0) <= 0;
}

class FaultProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = Loopback(0);
    ASSERT_EQ(::bind(server_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    ASSERT_EQ(::listen(server_, 8), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(server_, reinterpret_cast<sockaddr*>(&addr), &len);
    proxy_ = std::make_unique<FaultProxy>(io_, ntohs(addr.sin_port), 7);
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    proxy_->Stop();
    std::this_thread::sleep_for(50ms);
    io_.stop();
    thread_.join();
    proxy_.reset();
    for (int fd : fds_) ::close(fd);
    ::close(server_);
  }

  // A client connected through the proxy and the server's end of it.
  std::pair<int, int> Connect() {
    int client = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = Loopback(proxy_->port());
    EXPECT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    fds_.push_back(client);
    if (!Readable(server_, 5s)) return {client, -1};
    int accepted = ::accept(server_, nullptr, nullptr);
    fds_.push_back(accepted);
    return {client, accepted};
  }

  // Connect, then one byte each way: the proxy has then set the connection up
  // (the server's accept alone returns before that).
  std::pair<int, int> ConnectAndSync() {
    auto [client, server] = Connect();
    if (server < 0) return {client, server};
    SendAll(client, "s");
    EXPECT_EQ(ReadN(server, 1), "s");
    SendAll(server, "s");
    EXPECT_EQ(ReadN(client, 1), "s");
    return {client, server};
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::unique_ptr<FaultProxy> proxy_;
  std::thread thread_;
  int server_ = -1;
  std::vector<int> fds_;
};

TEST_F(FaultProxyTest, JitterKeepsTheByteOrderBothWays) {
  const LinkFaults jitter{.delay_ms = 2, .jitter_ms = 20, .stall_per_mille = 50, .stall_ms = 30};
  proxy_->Set(Direction::kDialerToListener, jitter);
  proxy_->Set(Direction::kListenerToDialer, jitter);
  auto [client, server] = Connect();
  ASSERT_GE(server, 0);
  std::string data;
  for (int i = 0; i < 20000; ++i) data += std::to_string(i) + ",";
  std::thread writer([&, client = client] {
    for (size_t off = 0; off < data.size(); off += 1000) SendAll(client, data.substr(off, 1000));
  });
  EXPECT_EQ(ReadN(server, data.size()), data);
  writer.join();
  SendAll(server, data);
  EXPECT_EQ(ReadN(client, data.size()), data);
  // Counted once the proxy's write completed, which may be after the reader saw the bytes.
  for (int i = 0; i < 100 && (proxy_->stats().bytes[0] < data.size() || proxy_->stats().bytes[1] < data.size()); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(proxy_->stats().bytes[0], data.size());
  EXPECT_EQ(proxy_->stats().bytes[1], data.size());
}

TEST_F(FaultProxyTest, HeldDirectionWaitsWhileTheOtherFlows) {
  proxy_->Set(Direction::kDialerToListener, LinkFaults{.held = true});
  auto [client, server] = Connect();
  ASSERT_GE(server, 0);
  SendAll(client, "ping");
  SendAll(server, "pong");
  EXPECT_EQ(ReadN(client, 4), "pong");
  EXPECT_FALSE(Readable(server, 300ms)) << "held bytes went through";
  proxy_->Set(Direction::kDialerToListener, LinkFaults{});
  EXPECT_EQ(ReadN(server, 4), "ping");
}

TEST_F(FaultProxyTest, RefusingResetsOpenConnectionsAndClosesNewOnes) {
  auto [client, server] = ConnectAndSync();
  ASSERT_GE(server, 0);
  proxy_->SetRefusing(true);
  EXPECT_TRUE(Ended(client, 5s));
  EXPECT_TRUE(Ended(server, 5s));
  int refused = ::socket(AF_INET, SOCK_STREAM, 0);
  fds_.push_back(refused);
  sockaddr_in addr = Loopback(proxy_->port());
  ASSERT_EQ(::connect(refused, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_TRUE(Ended(refused, 5s));
  EXPECT_FALSE(Readable(server_, 200ms)) << "a connection went through while refusing";
  EXPECT_EQ(proxy_->stats().refused, 1u);
  EXPECT_EQ(proxy_->stats().resets, 1u);

  proxy_->Heal();
  auto [again, again_server] = Connect();
  ASSERT_GE(again_server, 0);
  SendAll(again, "back");
  EXPECT_EQ(ReadN(again_server, 4), "back");
}

TEST_F(FaultProxyTest, CapturesWhatTheDialerSentFirstOnTheFirstConnection) {
  auto [client, server] = Connect();
  ASSERT_GE(server, 0);
  SendAll(client, "first");
  EXPECT_EQ(ReadN(server, 5), "first");
  SendAll(server, "answer");
  EXPECT_EQ(ReadN(client, 6), "answer");
  auto [second, second_server] = Connect();
  ASSERT_GE(second_server, 0);
  SendAll(second, "second");
  EXPECT_EQ(ReadN(second_server, 6), "second");
  EXPECT_EQ(proxy_->captured(), "first");
}

TEST_F(FaultProxyTest, ResetCutsOpenConnectionsOnly) {
  auto [client, server] = ConnectAndSync();
  ASSERT_GE(server, 0);
  proxy_->ResetConnections();
  EXPECT_TRUE(Ended(client, 5s));
  auto [again, again_server] = Connect();
  ASSERT_GE(again_server, 0);
  SendAll(again, "next");
  EXPECT_EQ(ReadN(again_server, 4), "next");
}

TEST_F(FaultProxyTest, BandwidthLimitDripsTheStream) {
  proxy_->Set(Direction::kDialerToListener, LinkFaults{.bytes_per_second = 8192});
  auto [client, server] = Connect();
  ASSERT_GE(server, 0);
  const std::string data(16384, 'd');
  const auto start = std::chrono::steady_clock::now();
  SendAll(client, data);
  EXPECT_EQ(ReadN(server, data.size()), data);
  // Two seconds' worth at the limit, less the first chunk sent at once.
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1500ms);
}

TEST_F(FaultProxyTest, ControlCommandsSetFaultsAndRejectBadInput) {
  EXPECT_EQ(RunProxyCommand(*proxy_, "set out delay=5 jitter=3 stall=10:50 rate=1000 held=1"), "ok");
  const LinkFaults out = proxy_->Get(Direction::kDialerToListener);
  EXPECT_EQ(out.delay_ms, 5u);
  EXPECT_EQ(out.jitter_ms, 3u);
  EXPECT_EQ(out.stall_per_mille, 10u);
  EXPECT_EQ(out.stall_ms, 50u);
  EXPECT_EQ(out.bytes_per_second, 1000u);
  EXPECT_TRUE(out.held);
  EXPECT_EQ(proxy_->Get(Direction::kListenerToDialer).delay_ms, 0u);
  EXPECT_EQ(RunProxyCommand(*proxy_, "set both delay=7"), "ok");
  EXPECT_EQ(proxy_->Get(Direction::kDialerToListener).delay_ms, 7u);
  EXPECT_FALSE(proxy_->Get(Direction::kDialerToListener).held) << "fields not named go back to none";
  EXPECT_EQ(proxy_->Get(Direction::kListenerToDialer).delay_ms, 7u);

  for (const char* bad : {"set sideways delay=1", "set out delay=-1", "set out delay=99999999999", "set out held=yes",
                          "set out stall=5", "set out colour=red", "set out delay", "refuse maybe", "bogus", ""}) {
    EXPECT_EQ(RunProxyCommand(*proxy_, bad).rfind("error: ", 0), 0u) << bad;
  }
  EXPECT_EQ(proxy_->Get(Direction::kDialerToListener).delay_ms, 7u) << "a bad command changed the proxy";

  EXPECT_EQ(RunProxyCommand(*proxy_, "heal"), "ok");
  EXPECT_EQ(proxy_->Get(Direction::kDialerToListener).delay_ms, 0u);
  EXPECT_EQ(RunProxyCommand(*proxy_, "stats"), "stats accepted=0 refused=0 resets=0 bytes_out=0 bytes_in=0");
}

}  // namespace
}  // namespace civic::faults
