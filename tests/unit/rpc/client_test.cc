// rpc::Client::CallPipelined: many JSON-RPC calls on one connection, one or a
// batch per HTTP request, every call's own result in order, and the typed
// failures of the connection.
#include "rpc/client.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

namespace civic::rpc {
namespace {

using testing::TestServer;
using Calls = std::vector<std::pair<std::string, json::value>>;

Calls AddCalls(int count) {
  Calls calls;
  for (int i = 0; i < count; ++i) calls.emplace_back("add", json::array{i, 1});
  return calls;
}

// Every on_result call, in the order they came.
struct Recorder {
  std::vector<size_t> order;
  std::vector<Result<json::value>> results;
  Client::CallResultHandler handler() {
    return [this](size_t i, Result<json::value> r) {
      order.push_back(i);
      results.push_back(std::move(r));
    };
  }
};

TEST(ClientPipelineTest, SingleCallsOnOneConnectionAnswerInOrder) {
  TestServer t;
  Client client = t.MakeClient();
  Calls calls = AddCalls(300);
  calls[0] = {"later", json::array{50}};  // a slow first answer holds back the others
  Recorder got;
  Status st = client.CallPipelined(calls, 1, 16, got.handler());
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(got.order.size(), calls.size());
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(got.order[i], i);
    ASSERT_TRUE(got.results[i].ok()) << got.results[i].status().ToString();
    EXPECT_EQ(*got.results[i], json::value(i == 0 ? 50 : static_cast<int64_t>(i) + 1));
  }
  // One connection carried them all, and it stays open for the next call.
  std::string metrics = client.Get("/metrics")->body;
  EXPECT_NE(metrics.find("civic_rpc_open_connections 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("civic_rpc_calls_total{code=\"OK\",method=\"add\"} 299"), std::string::npos) << metrics;
  EXPECT_TRUE(client.Call("echo").ok());
}

TEST(ClientPipelineTest, BatchedCallsKeepTheirOwnResultsAndErrors) {
  TestServer t;
  Client client = t.MakeClient();
  Calls calls = AddCalls(23);
  for (size_t i = 2; i < calls.size(); i += 5) calls[i] = {"fail", json::array{"not_found"}};
  Recorder got;
  Status st = client.CallPipelined(calls, 5, 2, got.handler());  // 5 requests, the last of 3 calls
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(got.order.size(), calls.size());
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(got.order[i], i);
    if (i % 5 == 2) {
      EXPECT_EQ(got.results[i].status().app_code(), "THING_NOT_FOUND") << i;
    } else {
      ASSERT_TRUE(got.results[i].ok()) << i << ": " << got.results[i].status().ToString();
      EXPECT_EQ(*got.results[i], json::value(static_cast<int64_t>(i) + 1));
    }
  }
}

TEST(ClientPipelineTest, AnErrorForAWholeBatchReachesEachOfItsCalls) {
  ServerOptions options;
  options.max_batch = 3;
  TestServer t(options);
  Client client = t.MakeClient();
  Recorder got;
  Status st = client.CallPipelined(AddCalls(7), 4, 8, got.handler());  // 4 calls (too many), then 3
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(got.results.size(), 7u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(got.results[i].status().app_code(), "BATCH_TOO_LARGE") << i;
  for (size_t i = 4; i < 7; ++i) EXPECT_EQ(*got.results[i], json::value(static_cast<int64_t>(i) + 1));
}

TEST(ClientPipelineTest, TypedFailures) {
  TestServer t;
  Client client = t.MakeClient();
  Recorder got;
  EXPECT_EQ(client.CallPipelined(AddCalls(2), 0, 8, got.handler()).app_code(), "BAD_ARGUMENT");
  EXPECT_TRUE(client.CallPipelined({}, 1, 8, got.handler()).ok());
  EXPECT_TRUE(got.order.empty());

  // An answer that never comes: the calls answered before it have their results.
  Client impatient = t.MakeClient(std::chrono::milliseconds(300));
  Calls calls = AddCalls(5);
  calls[3] = {"later", json::array{1000}};
  Status st = impatient.CallPipelined(calls, 1, 8, got.handler());
  EXPECT_EQ(st.app_code(), "TIMEOUT");
  EXPECT_EQ(st.code(), Code::kDeadlineExceeded);
  EXPECT_EQ(got.order, (std::vector<size_t>{0, 1, 2}));
  EXPECT_TRUE(impatient.Call("echo").ok());  // reconnects

  uint16_t closed_port;
  {
    TestServer gone;
    closed_port = gone.server->port();
  }
  ClientOptions o;
  o.port = closed_port;
  EXPECT_EQ(Client(o).CallPipelined(AddCalls(3), 1, 8, got.handler()).app_code(), "CONNECTION_REFUSED");
}

// A server that answers the first request with "Connection: close" and closes.
TEST(ClientPipelineTest, AServerThatClosesWithRequestsUnansweredIsConnectionLost) {
  namespace net = boost::asio;
  net::io_context ioc;
  net::ip::tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), 0});
  std::thread server([&] {
    net::ip::tcp::socket socket(ioc);
    acceptor.accept(socket);
    // Reads the whole first request, so that closing sends no reset.
    std::string head;
    char c;
    while (head.find("\r\n\r\n") == std::string::npos && net::read(socket, net::buffer(&c, 1))) head += c;
    size_t length_at = head.find("Content-Length: ");
    std::string request_body(std::stoul(head.substr(length_at + 16)), '\0');
    net::read(socket, net::buffer(request_body));
    std::string body = R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"closing"}})";
    net::write(socket, net::buffer("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/json\r\n"
                                   "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body));
    boost::system::error_code ec;
    socket.shutdown(net::ip::tcp::socket::shutdown_both, ec);
  });
  ClientOptions o;
  o.port = acceptor.local_endpoint().port();
  o.timeout = std::chrono::milliseconds(5000);
  Client client(o);
  Recorder got;
  Status st = client.CallPipelined(AddCalls(3), 1, 1, got.handler());
  server.join();
  EXPECT_EQ(st.app_code(), "CONNECTION_LOST") << st.ToString();
  EXPECT_NE(st.message().find("after 1 of 3 answers"), std::string::npos) << st.ToString();
  ASSERT_EQ(got.order, (std::vector<size_t>{0}));
  EXPECT_FALSE(got.results[0].ok());
}

}  // namespace
}  // namespace civic::rpc
