#include "rpc/server.h"

#include <gtest/gtest.h>

#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <fstream>
#include <future>
#include <random>
#include <regex>

#include "crypto/base/bytes.h"
#include "rpc/errors.h"
#include "test_util.h"

namespace civic::rpc {
namespace {

using testing::ParseJson;
using testing::RawSocket;
using testing::TempDir;
using testing::TestServer;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

std::string RpcBody(std::string_view method, std::string_view params = "{}", std::string_view id = "1") {
  return std::string(R"({"jsonrpc":"2.0","id":)") + std::string(id) + R"(,"method":")" + std::string(method) +
         R"(","params":)" + std::string(params) + "}";
}

TEST(ServerTest, BindsAnEphemeralPortAndStopsTwice) {
  TestServer t;
  EXPECT_NE(t.server->port(), 0);
  EXPECT_EQ(t.server->url(), "http://127.0.0.1:" + std::to_string(t.server->port()));
  t.server->Stop();
  t.server->Stop();
}

TEST(ServerTest, RejectsBadStartOptions) {
  MethodTable methods;
  ServerOptions bad_address;
  bad_address.address = "not-an-ip";
  bad_address.port = 0;
  EXPECT_EQ(Server(bad_address, &methods, nullptr).Start().app_code(), "BAD_ADDRESS");
  ServerOptions bad_root;
  bad_root.port = 0;
  bad_root.web_root = "/definitely/not/here";
  EXPECT_EQ(Server(bad_root, &methods, nullptr).Start().app_code(), "WEB_ROOT_MISSING");
  TestServer t;
  ServerOptions taken;
  taken.port = t.server->port();
  EXPECT_EQ(Server(taken, &methods, nullptr).Start().app_code(), "BIND_FAILED");
}

TEST(ServerTest, SingleBatchAndNotificationOverHttp) {
  TestServer t;
  Client client = t.MakeClient();
  auto r = client.Call("echo", ParseJson(R"({"hello":"世界"})"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, ParseJson(R"({"hello":"世界"})"));

  auto batch = client.CallBatch({{"add", ParseJson("[1,2]")}, {"nope", json::object()}, {"echo", ParseJson("[7]")}});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->size(), 3u);
  EXPECT_EQ((*batch)[0].value(), json::value(3));
  EXPECT_EQ((*batch)[1].status().app_code(), "METHOD_NOT_FOUND");
  EXPECT_EQ((*batch)[2].value(), ParseJson("[7]"));

  auto note = client.Request("POST", "/rpc", R"({"jsonrpc":"2.0","method":"echo","params":[1]})");
  ASSERT_TRUE(note.ok());
  EXPECT_EQ(note->status, 204);
  EXPECT_EQ(note->body, "");
}

TEST(ServerTest, EveryJsonRpcErrorClassOverHttp) {
  TestServer t;
  Client client = t.MakeClient();
  auto code_of = [&](const std::string& body) {
    auto res = client.Request("POST", "/rpc", body);
    EXPECT_TRUE(res.ok());
    EXPECT_EQ(res->status, 200);
    json::value v = ParseJson(res->body);
    return v.at("error").at("code").as_int64();
  };
  EXPECT_EQ(code_of("{oops"), kParseError);
  EXPECT_EQ(code_of(R"({"jsonrpc":"1.0","id":1,"method":"echo"})"), kInvalidRequest);
  EXPECT_EQ(code_of(RpcBody("nope")), kMethodNotFound);
  EXPECT_EQ(code_of(RpcBody("add", R"({"a":"x","b":1})")), kInvalidParams);
  EXPECT_EQ(code_of(RpcBody("fail", R"({"code":"not_found"})")), -32002);
  EXPECT_EQ(code_of(RpcBody("throw")), kInternalError);

  // The client turns them into typed Status values that keep the app code.
  auto r = client.Call("fail", ParseJson(R"({"code":"permission"})"));
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(r.status().app_code(), "NOT_ISSUER");
  EXPECT_EQ(r.status().message(), "the org may not issue");
  r = client.Call("add", ParseJson("[1]"));
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().app_code(), "INVALID_PARAMS");
}

TEST(ServerTest, WrongHttpMethodsAndUnknownRoutes) {
  TestServer t;
  Client client = t.MakeClient();
  auto res = client.Request("GET", "/rpc");
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(res->headers["allow"], "POST, OPTIONS");
  res = client.Request("POST", "/healthz", "x");
  EXPECT_EQ(res->status, 405);
  res = client.Request("GET", "/v1/nothing/here");
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(ParseJson(res->body).at("error").at("app_code"), json::value("NO_SUCH_ROUTE"));
  res = client.Request("GET", "/index.html");  // no web root configured
  EXPECT_EQ(res->status, 404);
  auto get = client.Get("/v1/nothing");
  EXPECT_EQ(get.status().code(), Code::kNotFound);
  EXPECT_EQ(get.status().app_code(), "NO_SUCH_ROUTE");
}

TEST(ServerTest, OversizedBodyGets413AndJsonRpcError) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  TestServer t(options);
  Client client = t.MakeClient();
  std::string big = RpcBody("echo", "[\"" + std::string(4000, 'x') + "\"]");
  auto res = client.Request("POST", "/rpc", big);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->status, 413);
  json::value v = ParseJson(res->body);
  EXPECT_EQ(v.at("error").at("data").at("app_code"), json::value("BODY_TOO_LARGE"));
  EXPECT_EQ(v.at("error").at("code"), json::value(JsonRpcCode(Code::kResourceExhausted)));
  auto call = client.Call("echo", json::array{std::string(2000, 'y')});
  EXPECT_EQ(call.status().app_code(), "BODY_TOO_LARGE");
  EXPECT_EQ(call.status().code(), Code::kResourceExhausted);
  // Chunked bodies are limited too (no Content-Length to check up front).
  RawSocket raw(t.server->port());
  raw.Send("POST /rpc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  for (int i = 0; i < 4; ++i) raw.Send("200\r\n" + std::string(0x200, 'z') + "\r\n");
  std::string answer = raw.ReadUntil("BODY_TOO_LARGE");
  EXPECT_NE(answer.find("413"), std::string::npos);
  // The server still answers normal requests.
  EXPECT_TRUE(client.Call("echo").ok());
  EXPECT_GE(t.server->metrics().rejected(Reject::kBodyTooLarge), 3u);
}

TEST(ServerTest, RequestBodiesInFlightShareOneBudget) {
  EXPECT_EQ(ServerOptions{}.max_inflight_body_bytes, size_t{64} << 20);
  ServerOptions options;
  options.max_body_bytes = 2000;
  options.max_inflight_body_bytes = 3000;
  TestServer t(options);
  // Two clients each declare a 1500-byte body and send only part of it: the
  // server holds both reservations while it waits for the rest.
  std::string body = RpcBody("echo", "[\"" + std::string(1500 - RpcBody("echo", "[\"\"]").size(), 'b') + "\"]");
  ASSERT_EQ(body.size(), 1500u);
  const std::string header = "POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: 1500\r\n\r\n";
  RawSocket first(t.server->port()), second(t.server->port());
  ASSERT_TRUE(first.Send(header + body.substr(0, 100)));
  ASSERT_TRUE(second.Send(header + body.substr(0, 100)));
  // A third body (or a chunked one, which may take the whole body limit) does
  // not fit: refused before it is read, with 503 and a typed code.
  for (const std::string& extra : {header, std::string("POST /v1/blocks/1 HTTP/1.1\r\nHost: x\r\n"
                                                       "Transfer-Encoding: chunked\r\n\r\n")}) {
    RawSocket third(t.server->port());
    ASSERT_TRUE(third.Send(extra));
    std::string got = third.ReadAll();
    EXPECT_TRUE(got.starts_with("HTTP/1.1 503")) << got;
    EXPECT_NE(got.find("BODY_BUDGET_EXHAUSTED"), std::string::npos) << got;
    EXPECT_NE(got.find("Retry-After: 1"), std::string::npos) << got;
  }
  EXPECT_EQ(t.server->metrics().rejected(Reject::kBodyBudget), 2u);
  // A request without a body needs no budget.
  EXPECT_EQ(t.MakeClient().Request("GET", "/healthz")->status, 503);  // no node attached, but answered
  // The first request finishes: its share comes back once its answer is written
  // (which the server may note just after the client has read it).
  ASSERT_TRUE(first.Send(body.substr(100)));
  EXPECT_NE(first.ReadUntil("\"id\":1").find("HTTP/1.1 200"), std::string::npos);
  int status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) {
    auto r = t.MakeClient().Request("POST", "/rpc", body);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    status = r->status;
    if (status != 200) {
      EXPECT_EQ(status, 503) << r->body;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  EXPECT_EQ(status, 200);
  // A client that goes away mid-body gives its share back too.
  second.Close();
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {
    RawSocket a(t.server->port());
    a.Send(header + body.substr(0, 10));
    RawSocket b(t.server->port());
    b.Send(header + body);
    served = b.ReadUntil("\"id\":1").find("HTTP/1.1 200") != std::string::npos;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(served);
}

TEST(ServerTest, ExpectContinueIsHonoured) {
  TestServer t;
  RawSocket raw(t.server->port());
  std::string body = RpcBody("add", "[40,2]");
  raw.Send("POST /rpc HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n");
  std::string got = raw.ReadUntil("100 Continue");
  EXPECT_NE(got.find("HTTP/1.1 100 Continue"), std::string::npos);
  raw.Send(body);
  got = raw.ReadUntil("\"result\":42");
  EXPECT_NE(got.find("\"result\":42"), std::string::npos);
}

TEST(ServerTest, MalformedHttpGets400AndClose) {
  TestServer t;
  {
    RawSocket raw(t.server->port());
    raw.Send("THIS IS NOT HTTP\r\n\r\n");
    std::string got = raw.ReadAll();
    EXPECT_TRUE(got.starts_with("HTTP/1.1 400")) << got;
    EXPECT_NE(got.find("MALFORMED_HTTP"), std::string::npos);
  }
  {
    RawSocket raw(t.server->port());
    raw.Send("POST /rpc HTTP/1.1\r\nContent-Length: abc\r\n\r\n");
    EXPECT_TRUE(raw.ReadAll().starts_with("HTTP/1.1 400"));
  }
  {
    RawSocket raw(t.server->port());
    raw.Send("GET / HTTP/1.1\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
    EXPECT_TRUE(raw.ReadAll().starts_with("HTTP/1.1 431"));
  }
  EXPECT_TRUE(t.MakeClient().Call("echo").ok());
}

TEST(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  TestServer t;
  Client client = t.MakeClient();
  for (int i = 0; i < 300; ++i) {
    auto r = client.Call("add", json::array{i, 1});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, json::value(i + 1));
  }
  std::string metrics = client.Get("/metrics")->body;
  EXPECT_NE(metrics.find("civic_rpc_open_connections 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("civic_rpc_calls_total{code=\"OK\",method=\"add\"} 300"), std::string::npos);
}

TEST(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  TestServer t;
  RawSocket raw(t.server->port());
  std::string pipeline;
  // The first answer is slow (async), the later ones fast: order must hold.
  std::vector<std::string> bodies = {RpcBody("later", "[60]", "1"), RpcBody("add", "[1,1]", "2"),
                                     RpcBody("echo", "[\"three\"]", "3")};
  for (const auto& b : bodies) {
    pipeline += "POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                std::to_string(b.size()) + "\r\n\r\n" + b;
  }
  raw.Send(pipeline);
  std::string got = raw.ReadUntil("HTTP/1.1 200", 3);
  got = raw.ReadUntil("\"three\"");
  size_t a = got.find("\"id\":1"), b = got.find("\"id\":2"), c = got.find("\"id\":3");
  ASSERT_NE(a, std::string::npos) << got;
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(c, std::string::npos);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
}

TEST(ServerTest, AsyncRepliesDoNotBlockOtherConnections) {
  TestServer t;
  auto slow = std::async(std::launch::async, [&] { return t.MakeClient().Call("later", json::array{300}); });
  Client fast = t.MakeClient();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(fast.Call("echo").ok());
  auto r = slow.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, json::value(300));
  auto batch = fast.CallBatch({{"later", json::array{30}}, {"later", json::array{1}}, {"echo", json::array{}}});
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ((*batch)[0].value(), json::value(30));
  EXPECT_EQ((*batch)[1].value(), json::value(1));
}

TEST(ServerTest, RateLimitAnswers429PerClient) {
  ServerOptions options;
  options.rate_limit_per_sec = 0.001;  // effectively no refill during the test
  options.rate_limit_burst = 5;
  TestServer t(options);
  Client client = t.MakeClient();
  // A batch of 3 takes 3 tokens, then 2 single calls; the next is refused.
  auto batch = client.CallBatch({{"echo", json::array{}}, {"echo", json::array{}}, {"echo", json::array{}}});
  ASSERT_TRUE(batch.ok());
  EXPECT_TRUE(client.Call("echo").ok());
  EXPECT_TRUE(client.Call("echo").ok());
  auto res = client.Request("POST", "/rpc", RpcBody("echo"));
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 429);
  EXPECT_EQ(res->headers["retry-after"], "1");
  EXPECT_EQ(ParseJson(res->body).at("error").at("data").at("app_code"), json::value("RATE_LIMITED"));
  auto r = client.Call("echo");
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
  EXPECT_EQ(r.status().app_code(), "RATE_LIMITED");
  auto rest = client.Get("/v1/blocks/1");
  EXPECT_EQ(rest.status().app_code(), "RATE_LIMITED");
  // Health and metrics stay reachable for monitoring.
  EXPECT_TRUE(client.Request("GET", "/metrics").ok());
  EXPECT_EQ(client.Request("GET", "/metrics")->status, 200);
  EXPECT_GE(t.server->metrics().rejected(Reject::kRateLimit), 3u);
}

// A JSON-RPC call sent the way a reverse proxy forwards it ("" = no
// X-Forwarded-For); `keep` leaves the connection open after the answer.
std::string CallForwarded(RawSocket& raw, std::string_view forwarded_for, bool keep = false) {
  const std::string body = RpcBody("echo");
  std::string request = "POST /rpc HTTP/1.1\r\nHost: x\r\n";
  if (!forwarded_for.empty()) request += "X-Forwarded-For: " + std::string(forwarded_for) + "\r\n";
  if (!keep) request += "Connection: close\r\n";
  raw.Send(request + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  return keep ? raw.ReadUntil("\r\n\r\n{") : raw.ReadAll();
}

std::string CallForwarded(uint16_t port, std::string_view forwarded_for) {
  RawSocket raw(port);
  return CallForwarded(raw, forwarded_for);
}

TEST(ServerTest, BehindATrustedProxyTheForwardedClientIsRateLimited) {
  ServerOptions options;
  options.rate_limit_per_sec = 0.001;  // effectively no refill during the test
  options.rate_limit_burst = 2;
  options.trusted_proxies = {"10.0.0.0/8", "127.0.0.1"};
  TestServer t(options);
  const uint16_t port = t.server->port();
  EXPECT_TRUE(CallForwarded(port, "198.51.100.1").starts_with("HTTP/1.1 200"));
  EXPECT_TRUE(CallForwarded(port, "198.51.100.1").starts_with("HTTP/1.1 200"));
  std::string refused = CallForwarded(port, "198.51.100.1");
  EXPECT_TRUE(refused.starts_with("HTTP/1.1 429")) << refused;
  EXPECT_NE(refused.find("RATE_LIMITED"), std::string::npos);
  // Another client behind the same proxy has its own bucket.
  EXPECT_TRUE(CallForwarded(port, "198.51.100.2").starts_with("HTTP/1.1 200"));
  // A client that writes a fresh address in front of its own still counts as itself,
  // also through a chain of trusted proxies.
  EXPECT_TRUE(CallForwarded(port, "203.0.113.77, 198.51.100.1").starts_with("HTTP/1.1 429"));
  EXPECT_TRUE(CallForwarded(port, "203.0.113.78, 198.51.100.1, 10.9.9.9").starts_with("HTTP/1.1 429"));
  // A hop the proxies wrote that is not an address: a typed 400, not a guess.
  std::string malformed = CallForwarded(port, "198.51.100.3, not-an-ip");
  EXPECT_TRUE(malformed.starts_with("HTTP/1.1 400")) << malformed;
  EXPECT_NE(malformed.find("BAD_FORWARDED_FOR"), std::string::npos) << malformed;
}

TEST(ServerTest, ForwardedForFromAnUntrustedPeerIsIgnored) {
  ServerOptions options;
  options.rate_limit_per_sec = 0.001;
  options.rate_limit_burst = 2;
  options.trusted_proxies = {"10.0.0.0/8"};  // not the test's own address
  TestServer t(options);
  const uint16_t port = t.server->port();
  // Each call names another client; all count against the socket's address.
  EXPECT_TRUE(CallForwarded(port, "198.51.100.1").starts_with("HTTP/1.1 200"));
  EXPECT_TRUE(CallForwarded(port, "not-an-ip").starts_with("HTTP/1.1 200"));
  std::string refused = CallForwarded(port, "198.51.100.3");
  EXPECT_TRUE(refused.starts_with("HTTP/1.1 429")) << refused;
  EXPECT_TRUE(CallForwarded(port, "").starts_with("HTTP/1.1 429"));
}

TEST(ServerTest, BehindATrustedProxyTheConnectionCapCountsTheForwardedClient) {
  ServerOptions options;
  options.max_connections_per_ip = 1;
  options.trusted_proxies = {"127.0.0.1"};
  TestServer t(options);
  const uint16_t port = t.server->port();
  // The proxy's own connections are not capped by its address...
  RawSocket a(port), b(port), c(port);
  EXPECT_TRUE(CallForwarded(a, "198.51.100.1", true).starts_with("HTTP/1.1 200"));
  // ...but a second open connection for the same client is.
  std::string refused = CallForwarded(b, "198.51.100.1", true);
  EXPECT_TRUE(refused.starts_with("HTTP/1.1 429")) << refused;
  EXPECT_NE(refused.find("TOO_MANY_CONNECTIONS_FROM_ADDRESS"), std::string::npos) << refused;
  EXPECT_TRUE(CallForwarded(c, "198.51.100.2", true).starts_with("HTTP/1.1 200"));
  // When the first connection ends, its client may open another.
  a.Close();
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {
    served = CallForwarded(port, "198.51.100.1").starts_with("HTTP/1.1 200");
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(served);
  // A bad list is refused at start.
  MethodTable methods;
  ServerOptions bad;
  bad.port = 0;
  bad.trusted_proxies = {"10.0.0.0/40"};
  EXPECT_EQ(Server(bad, &methods, nullptr).Start().app_code(), "BAD_TRUSTED_PROXY");
}

TEST(ServerTest, ConnectionLimitRefusesExtraConnections) {
  ServerOptions options;
  options.max_connections = 2;
  TestServer t(options);
  Client a = t.MakeClient(), b = t.MakeClient();
  ASSERT_TRUE(a.Call("echo").ok());
  ASSERT_TRUE(b.Call("echo").ok());
  RawSocket third(t.server->port());
  std::string got = third.ReadAll();
  EXPECT_TRUE(got.starts_with("HTTP/1.1 503")) << got;
  EXPECT_NE(got.find("TOO_MANY_CONNECTIONS"), std::string::npos);
  auto refused = t.MakeClient().Call("echo");
  EXPECT_EQ(refused.status().code(), Code::kUnavailable);
  EXPECT_EQ(refused.status().app_code(), "TOO_MANY_CONNECTIONS");
  a.Close();
  // Once a slot is free again (the server has seen the close) a new connection is served.
  Status last;
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {
    auto r = t.MakeClient().Call("echo");
    served = r.ok();
    if (!served) {
      last = r.status();
      EXPECT_EQ(last.app_code(), "TOO_MANY_CONNECTIONS");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  EXPECT_TRUE(served) << last.ToString();
}

TEST(ServerTest, SlowHeadersAndIdleConnectionsAreClosed) {
  EXPECT_EQ(ServerOptions{}.header_timeout, std::chrono::seconds(10));
  ServerOptions options;
  options.header_timeout = std::chrono::milliseconds(100);
  TestServer t(options);
  RawSocket raw(t.server->port());
  raw.Send("GET /healthz HTTP/1.1\r\n");  // an incomplete header, then silence
  EXPECT_EQ(raw.ReadAll(), "");          // closed by the server without an answer
  Client client = t.MakeClient();
  ASSERT_TRUE(client.Call("echo").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // The server closed the idle kept-alive connection; the client reconnects.
  EXPECT_TRUE(client.Call("echo").ok());
}

TEST(ServerTest, ConnectionsPerAddressAreCapped) {
  EXPECT_EQ(ServerOptions{}.max_connections_per_ip, 32u);
  ServerOptions options;
  options.max_connections_per_ip = 2;
  TestServer t(options);
  Client a = t.MakeClient(), b = t.MakeClient();
  ASSERT_TRUE(a.Call("echo").ok());
  ASSERT_TRUE(b.Call("echo").ok());
  RawSocket third(t.server->port());
  std::string got = third.ReadAll();
  EXPECT_TRUE(got.starts_with("HTTP/1.1 429")) << got;
  EXPECT_NE(got.find("TOO_MANY_CONNECTIONS_FROM_ADDRESS"), std::string::npos) << got;
  EXPECT_NE(got.find("Retry-After: 1"), std::string::npos) << got;
  auto refused = t.MakeClient().Call("echo");
  EXPECT_EQ(refused.status().app_code(), "TOO_MANY_CONNECTIONS_FROM_ADDRESS");
  EXPECT_GE(t.server->metrics().rejected(Reject::kConnectionsPerIp), 2u);
  a.Close();
  // The address's count goes down when a connection ends.
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {
    served = t.MakeClient().Call("echo").ok();
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(served);
}

TEST(ServerTest, EveryAnswerCarriesTheSecurityHeaders) {
  TempDir dir;
  std::ofstream(dir.path() / "index.html") << "<html>home</html>";
  ServerOptions options;
  options.web_root = dir.path().string();
  options.max_body_bytes = 1024;
  TestServer t(options);
  Client client = t.MakeClient();
  const std::string host = "127.0.0.1:" + std::to_string(t.server->port());
  std::vector<HttpResponse> answers;
  for (auto [verb, path] : {std::pair{"GET", "/"}, {"GET", "/v1/blocks/x"}, {"GET", "/nothing.js"}, {"PUT", "/rpc"}}) {
    auto r = client.Request(verb, path);
    ASSERT_TRUE(r.ok()) << path;
    answers.push_back(*r);
  }
  answers.push_back(*client.Request("POST", "/rpc", RpcBody("echo")));
  answers.push_back(*client.Request("POST", "/rpc", std::string(2048, ' ')));  // 413
  for (auto& r : answers) {
    SCOPED_TRACE(r.status);
    // An early refusal (413) answers before the Host is known: no ws:// source.
    const std::string ws = r.status == 413 ? "" : " ws://" + host + " wss://" + host;
    EXPECT_EQ(r.headers["content-security-policy"],
              "default-src 'self'; connect-src 'self'" + ws +
                  "; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; "
                  "form-action 'self'");
    EXPECT_EQ(r.headers["x-frame-options"], "DENY");
    EXPECT_EQ(r.headers["referrer-policy"], "no-referrer");
    EXPECT_EQ(r.headers["x-content-type-options"], "nosniff");
  }
  // A Host header that is not a plain host cannot write into the policy.
  RawSocket raw(t.server->port());
  raw.Send("GET / HTTP/1.1\r\nHost: a; script-src *\r\nConnection: close\r\n\r\n");
  std::string got = raw.ReadAll();
  EXPECT_NE(got.find("Content-Security-Policy: default-src 'self'; connect-src 'self'; img-src"), std::string::npos)
      << got;
  EXPECT_EQ(got.find("script-src"), std::string::npos) << got;
}

TEST(ServerTest, StaticFilesWithContentTypesAndNoTraversal) {
  TempDir dir;
  auto root = dir.path() / "web";
  std::filesystem::create_directories(root / "assets");
  std::filesystem::create_directories(root / "sub");
  auto write = [](const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; };
  write(root / "index.html", "<html>home</html>");
  write(root / "assets" / "app.js", "console.log(1)");
  write(root / "assets" / "style.css", "body{}");
  write(root / "sub" / "index.html", "<html>sub</html>");
  write(root / ".secret", "hidden");
  write(dir.path() / "outside.txt", "outside");
  std::filesystem::create_symlink(dir.path() / "outside.txt", root / "link.txt");

  ServerOptions options;
  options.web_root = root.string();
  TestServer t(options);
  Client client = t.MakeClient();
  auto get = [&](std::string_view path) {
    auto r = client.Request("GET", path);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return *r;
  };
  auto r = get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<html>home</html>");
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  r = get("/assets/app.js");
  EXPECT_EQ(r.body, "console.log(1)");
  EXPECT_EQ(r.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(get("/assets/style.css").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(get("/sub/").body, "<html>sub</html>");
  EXPECT_EQ(get("/sub").body, "<html>sub</html>");
  EXPECT_EQ(get("/assets/app.js?v=3").body, "console.log(1)");
  // Client-side routes fall back to index.html; missing files with an extension do not.
  EXPECT_EQ(get("/cert/1.2.156").status, 404);
  EXPECT_EQ(get("/verify").body, "<html>home</html>");
  EXPECT_EQ(get("/missing.js").status, 404);
  // Traversal in every spelling is refused; nothing outside the root is served.
  for (std::string_view bad : {"/../outside.txt", "/assets/../../outside.txt", "/%2e%2e/outside.txt",
                               "/%2E%2E%2Foutside.txt", "/assets/..%2f..%2foutside.txt", "/.secret",
                               "/assets/%00", "/..\\outside.txt", "/%zz"}) {
    auto res = get(bad);
    EXPECT_TRUE(res.status == 403 || res.status == 404) << bad << " -> " << res.status;
    EXPECT_EQ(res.body.find("outside"), std::string::npos) << bad;
    EXPECT_EQ(res.body.find("hidden"), std::string::npos) << bad;
  }
  EXPECT_EQ(get("/link.txt").status, 404);  // a symlink out of the root
  // HEAD: headers only.
  auto head = client.Request("HEAD", "/assets/app.js");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->headers["content-length"], "14");
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(get("/").status, 200);  // the connection is still in sync after HEAD
}

TEST(ServerTest, RawTraversalTargetsAreRefused) {
  TempDir dir;
  auto root = dir.path() / "web";
  std::filesystem::create_directories(root);
  std::ofstream(root / "index.html") << "home";
  std::ofstream(dir.path() / "outside.txt") << "outside";
  ServerOptions options;
  options.web_root = root.string();
  TestServer t(options);
  for (std::string_view target : {"/../outside.txt", "/..", "../outside.txt", "//../outside.txt"}) {
    RawSocket raw(t.server->port());
    raw.Send("GET " + std::string(target) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    std::string got = raw.ReadAll();
    EXPECT_EQ(got.find("\r\n\r\noutside"), std::string::npos) << target;
    EXPECT_TRUE(got.starts_with("HTTP/1.1 403") || got.starts_with("HTTP/1.1 404") ||
                got.starts_with("HTTP/1.1 400"))
        << got;
  }
}

TEST(ServerTest, HealthzWithoutNodeIs503) {
  TestServer t;
  auto r = t.MakeClient().Request("GET", "/healthz");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(ParseJson(r->body).at("status"), json::value("unavailable"));
}

TEST(ServerTest, GenesisIsServedByteForByteAndOnlyWhenKnown) {
  ServerOptions options;
  options.genesis_json = "{\"chain_id\": \"mianyang-1\",\n \"validators\": []}\n";
  TestServer t(options);
  Client client = t.MakeClient();
  auto r = client.Request("GET", "/v1/genesis");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, options.genesis_json);
  r = client.Request("POST", "/v1/genesis", "x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 405);
  TestServer none;
  r = none.MakeClient().Request("GET", "/v1/genesis");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
}

TEST(ServerTest, MetricsAreValidPrometheusText) {
  TestServer t;
  Client client = t.MakeClient();
  ASSERT_TRUE(client.Call("echo").ok());
  (void)client.Call("nope");
  (void)client.Request("GET", "/nothing");
  auto r = client.Request("GET", "/metrics");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->content_type, "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = r->body;
  EXPECT_NE(text.find("# TYPE civic_rpc_http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("civic_rpc_http_requests_total{route=\"/rpc\",status=\"200\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("civic_rpc_http_request_duration_seconds_bucket{route=\"/rpc\",le=\"+Inf\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("civic_rpc_calls_total{code=\"OK\",method=\"echo\"} 1"), std::string::npos);
  EXPECT_NE(text.find("civic_rpc_calls_total{code=\"NOT_FOUND\",method=\"unknown\"} 1"), std::string::npos);
  EXPECT_NE(text.find("civic_rpc_rejected_total{reason=\"rate_limit\"} 0"), std::string::npos);
  std::regex sample(R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"]*",?)*\})? -?[0-9.eE+-]+(Inf)?$)");
  std::regex comment(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$)");
  std::istringstream lines(text);
  std::string line;
  int samples = 0;
  while (std::getline(lines, line)) {
    if (line.starts_with("#")) {
      EXPECT_TRUE(std::regex_match(line, comment)) << line;
    } else {
      EXPECT_TRUE(std::regex_match(line, sample)) << line;
      ++samples;
    }
  }
  EXPECT_GT(samples, 10);
  // Histogram buckets are cumulative.
  std::regex bucket(R"(civic_rpc_http_request_duration_seconds_bucket\{route="/rpc",le="[^"]+"\} ([0-9]+))");
  uint64_t prev = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), bucket); it != std::sregex_iterator(); ++it) {
    uint64_t n = std::stoull((*it)[1]);
    EXPECT_GE(n, prev);
    prev = n;
  }
}

TEST(ServerTest, RestRoutesDispatchToMethods) {
  // Stand-ins that echo what the REST layer passes.
  TestServer t({}, nullptr, [](MethodTable* methods) {
    auto echo = [](const CallContext&, const json::value& params, Reply reply) { reply(params); };
    methods->Add("cert_get", echo);
    methods->Add("cert_verify", echo);
    methods->Add("chain_getBlock", echo);
    methods->Add("chain_getTx", [](const CallContext&, const json::value& params, Reply reply) {
      reply(Status::NotFound("TX_NOT_FOUND", "no such tx"));
    });
  });
  Client client = t.MakeClient();
  auto j = client.GetJson("/v1/certificates/1.2.156.3005.2.X%2FY");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ(*j, ParseJson(R"({"id":"1.2.156.3005.2.X/Y"})"));
  j = client.GetJson("/v1/certificates/ABC/verify?at=1700000000000&proof=true");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ(*j, ParseJson(R"({"id":"ABC","at":1700000000000,"proof":true})"));
  j = client.GetJson("/v1/certificates/ABC/verify?at=2024-01-01T00:00:00Z");
  EXPECT_EQ(*j, ParseJson(R"({"id":"ABC","at":"2024-01-01T00:00:00Z"})"));
  EXPECT_EQ(*client.GetJson("/v1/blocks/12"), ParseJson(R"({"height":12})"));
  EXPECT_EQ(*client.GetJson("/v1/blocks/latest"), ParseJson(R"({})"));
  std::string hash(64, 'a');
  EXPECT_EQ(*client.GetJson("/v1/blocks/" + hash), ParseJson(R"({"hash":")" + hash + "\"}"));
  auto bad = client.Request("GET", "/v1/blocks/twelve");
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(ParseJson(bad->body).at("error").at("app_code"), json::value("BAD_HEIGHT"));
  auto missing = client.Request("GET", "/v1/txs/00ff");
  EXPECT_EQ(missing->status, 404);
  json::value err = ParseJson(missing->body).at("error");
  EXPECT_EQ(err.at("app_code"), json::value("TX_NOT_FOUND"));
  EXPECT_EQ(err.at("code"), json::value(-32002));
  EXPECT_EQ(err.at("code_name"), json::value("NOT_FOUND"));
  EXPECT_EQ(err.at("message"), json::value("no such tx"));
  auto typed = client.Get("/v1/txs/00ff");
  EXPECT_EQ(typed.status().code(), Code::kNotFound);
  EXPECT_EQ(typed.status().app_code(), "TX_NOT_FOUND");
}

TEST(ServerTest, PersonalValuesAreVerifiedByPostNeverInTheUrl) {
  TestServer t({}, nullptr, [](MethodTable* methods) {
    methods->Add("cert_verify", [](const CallContext&, const json::value& params, Reply reply) { reply(params); });
    methods->Add("cert_get", [](const CallContext&, const json::value& params, Reply reply) { reply(params); });
  });
  Client client = t.MakeClient();
  // Disclosed fields, a holder certificate or any other value in the query: refused, pointing to POST.
  std::string fields = Base64UrlEncode(R"({"name":{"salt":"s","value":"张三"}})");
  for (const std::string& query : {"fields=" + fields, std::string("holder_certificate=%7B%7D"),
                                   std::string("at=1&fields=%7B%7D"), std::string("name=%E5%BC%A0%E4%B8%89")}) {
    SCOPED_TRACE(query);
    auto r = client.Request("GET", "/v1/certificates/ABC/verify?" + query);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 400);
    json::value error = ParseJson(r->body).at("error");
    EXPECT_EQ(error.at("app_code"), json::value("PERSONAL_DATA_IN_URL"));
    EXPECT_NE(error.at("message").as_string().find("POST"), std::string::npos);
    // Also on a POST: the body is the place, not the URL.
    r = client.Request("POST", "/v1/certificates/ABC/verify?" + query, "{}");
    EXPECT_EQ(ParseJson(r->body).at("error").at("app_code"), json::value("PERSONAL_DATA_IN_URL"));
  }
  // The same values in a POST body reach cert_verify; the path names the certificate.
  auto r = client.Request("POST", "/v1/certificates/ABC/verify?at=5",
                          R"({"fields":{"name":{"salt":"s","value":"张三"}},"holder_certificate":{"v":1}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(ParseJson(r->body),
            ParseJson(R"({"id":"ABC","at":5,"fields":{"name":{"salt":"s","value":"张三"}},"holder_certificate":{"v":1}})"));
  EXPECT_EQ(ParseJson(client.Request("POST", "/v1/certificates/ABC/verify", R"({"id":"ABC"})")->body),
            ParseJson(R"({"id":"ABC"})"));
  // Bad bodies are typed errors.
  for (auto [body, code] : {std::pair{"{oops", "PARSE_ERROR"}, {"[1]", "INVALID_PARAMS"}, {"", "PARSE_ERROR"},
                            {R"({"id":"OTHER"})", "INVALID_PARAMS"}}) {
    SCOPED_TRACE(body);
    auto bad = client.Request("POST", "/v1/certificates/ABC/verify", body);
    EXPECT_EQ(bad->status, 400);
    EXPECT_EQ(ParseJson(bad->body).at("error").at("app_code"), json::value(code));
  }
  // Other REST routes take no POST.
  auto post = client.Request("POST", "/v1/certificates/ABC", "{}");
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->headers["allow"], "GET, HEAD, OPTIONS");
  EXPECT_EQ(client.Request("PUT", "/v1/certificates/ABC/verify", "{}")->status, 405);
}

TEST(ServerTest, RestRouteWithoutItsMethodIs404) {
  TestServer t;
  auto r = t.MakeClient().Request("GET", "/v1/certificates/abc");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(ParseJson(r->body).at("error").at("app_code"), json::value("METHOD_NOT_FOUND"));
}

// A request with an Origin header, as a browser page sends it; the raw answer.
std::string RequestFromOrigin(uint16_t port, std::string_view method, std::string_view path, std::string_view origin,
                              std::string_view body = "") {
  RawSocket raw(port);
  std::string request = std::string(method) + " " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!origin.empty()) request += "Origin: " + std::string(origin) + "\r\n";
  if (method == "OPTIONS") request += "Access-Control-Request-Method: POST\r\n";
  if (!body.empty()) request += "Content-Type: application/json\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + std::string(body);
  EXPECT_TRUE(raw.Send(request));
  return raw.ReadAll();
}

TEST(ServerTest, CorsAnswersListedOriginsOnly) {
  ServerOptions options;
  options.cors_origins = {"https://app.example", "http://localhost:5173"};
  TestServer t(options);
  const uint16_t port = t.server->port();

  std::string pre = RequestFromOrigin(port, "OPTIONS", "/rpc", "https://app.example");
  EXPECT_TRUE(pre.starts_with("HTTP/1.1 204")) << pre;
  EXPECT_NE(pre.find("Access-Control-Allow-Origin: https://app.example\r\n"), std::string::npos) << pre;
  EXPECT_NE(pre.find("Access-Control-Allow-Methods: GET, POST\r\n"), std::string::npos) << pre;
  EXPECT_NE(pre.find("Access-Control-Allow-Headers: Content-Type\r\n"), std::string::npos) << pre;
  EXPECT_NE(pre.find("Vary: Origin\r\n"), std::string::npos) << pre;
  pre = RequestFromOrigin(port, "OPTIONS", "/v1/certificates/x", "http://localhost:5173");
  EXPECT_TRUE(pre.starts_with("HTTP/1.1 204")) << pre;

  std::string post = RequestFromOrigin(port, "POST", "/rpc", "https://app.example", RpcBody("echo"));
  EXPECT_TRUE(post.starts_with("HTTP/1.1 200")) << post;
  EXPECT_NE(post.find("Access-Control-Allow-Origin: https://app.example\r\n"), std::string::npos) << post;
  EXPECT_NE(post.find("Content-Security-Policy: "), std::string::npos) << post;  // the security headers stay

  // Unlisted: no CORS header, and a 403 preflight. A prefix or another scheme is another origin.
  for (std::string_view origin : {"https://evil.example", "https://app.example.evil", "http://app.example", ""}) {
    std::string other = RequestFromOrigin(port, "POST", "/rpc", origin, RpcBody("echo"));
    EXPECT_TRUE(other.starts_with("HTTP/1.1 200")) << other;
    EXPECT_EQ(other.find("Access-Control-Allow-Origin"), std::string::npos) << origin;
    std::string refused = RequestFromOrigin(port, "OPTIONS", "/rpc", origin);
    EXPECT_TRUE(refused.starts_with("HTTP/1.1 403")) << refused;
    EXPECT_NE(refused.find("ORIGIN_NOT_ALLOWED"), std::string::npos) << refused;
    EXPECT_EQ(refused.find("Access-Control-Allow-Origin"), std::string::npos) << origin;
  }
  // Static files are not an API: no CORS headers even for a listed origin.
  std::string page = RequestFromOrigin(port, "GET", "/healthz", "https://app.example");
  EXPECT_EQ(page.find("Access-Control-Allow-Origin"), std::string::npos) << page;
}

TEST(ServerTest, CorsIsOffByDefault) {
  TestServer t;
  std::string post = RequestFromOrigin(t.server->port(), "POST", "/rpc", "https://app.example", RpcBody("echo"));
  EXPECT_TRUE(post.starts_with("HTTP/1.1 200")) << post;
  EXPECT_EQ(post.find("Access-Control-Allow-Origin"), std::string::npos) << post;
  EXPECT_EQ(post.find("Vary: Origin"), std::string::npos) << post;
  std::string preflight = RequestFromOrigin(t.server->port(), "OPTIONS", "/rpc", "https://app.example");
  EXPECT_TRUE(preflight.starts_with("HTTP/1.1 403")) << preflight;
}

// A WebSocket client for the tests.
class WsClient {
 public:
  // `origin`: the Origin header a browser would send ("" = none).
  explicit WsClient(uint16_t port, const std::string& origin = "", beast::error_code* handshake = nullptr)
      : ws_(ioc_) {
    auto& sock = beast::get_lowest_layer(ws_);
    sock.connect({net::ip::make_address("127.0.0.1"), port});
    timeval tv{5, 0};
    setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (!origin.empty()) {
      ws_.set_option(websocket::stream_base::decorator(
          [origin](websocket::request_type& req) { req.set(beast::http::field::origin, origin); }));
    }
    const std::string host = "127.0.0.1:" + std::to_string(port);
    if (handshake) {
      ws_.handshake(host, "/ws", *handshake);
    } else {
      ws_.handshake(host, "/ws");
    }
  }
  void Send(std::string_view text) { ws_.write(net::buffer(text)); }
  // The next message, or "" once the connection is closed.
  std::string Read(beast::error_code* out = nullptr) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    ws_.read(buffer, ec);
    if (out) *out = ec;
    if (ec) return "";
    return beast::buffers_to_string(buffer.data());
  }
  websocket::close_reason reason() const { return ws_.reason(); }

 private:
  net::io_context ioc_;
  websocket::stream<net::ip::tcp::socket> ws_;
};

TEST(ServerTest, WebSocketSubscriberReceivesPublishedBlocks) {
  TestServer t;
  WsClient ws(t.server->port());
  ws.Send(R"({"subscribe":"blocks"})");
  EXPECT_EQ(ParseJson(ws.Read()), ParseJson(R"({"subscribed":"blocks"})"));
  ws.Send(R"({"subscribe":"gossip"})");
  EXPECT_EQ(ParseJson(ws.Read()).at("error").at("app_code"), json::value("UNKNOWN_TOPIC"));
  ws.Send("not json");
  EXPECT_EQ(ParseJson(ws.Read()).at("error").at("app_code"), json::value("BAD_MESSAGE"));

  WsClient quiet(t.server->port());  // connected, not subscribed: receives nothing
  for (int h = 1; h <= 3; ++h) {
    t.server->Publish("blocks", ParseJson(R"({"height":)" + std::to_string(h) + R"(,"hash":"ab","time":)" +
                                          R"("2026-01-01T00:00:00Z","tx_count":2,"proposer":"ed25519:00"})"));
  }
  for (int h = 1; h <= 3; ++h) {
    json::value msg = ParseJson(ws.Read());
    EXPECT_EQ(msg.at("topic"), json::value("blocks"));
    EXPECT_EQ(msg.at("data").at("height"), json::value(h));
    EXPECT_EQ(msg.at("data").at("tx_count"), json::value(2));
  }
  ws.Send(R"({"unsubscribe":"blocks"})");
  EXPECT_EQ(ParseJson(ws.Read()), ParseJson(R"({"unsubscribed":"blocks"})"));
  quiet.Send(R"({"subscribe":"blocks"})");
  EXPECT_EQ(ParseJson(quiet.Read()), ParseJson(R"({"subscribed":"blocks"})"));
  t.server->Publish("blocks", ParseJson(R"({"height":4})"));
  EXPECT_EQ(ParseJson(quiet.Read()).at("data").at("height"), json::value(4));
}

TEST(ServerTest, SubscriptionsPerClientAddressAreCapped) {
  EXPECT_EQ(ServerOptions{}.ws_max_subscriptions_per_ip, 16u);
  ServerOptions options;
  options.ws_max_subscriptions_per_ip = 2;
  TestServer t(options);
  auto first = std::make_unique<WsClient>(t.server->port());
  WsClient second(t.server->port()), third(t.server->port());
  first->Send(R"({"subscribe":"blocks"})");
  EXPECT_EQ(ParseJson(first->Read()), ParseJson(R"({"subscribed":"blocks"})"));
  first->Send(R"({"subscribe":"blocks"})");  // held already: not counted twice
  EXPECT_EQ(ParseJson(first->Read()), ParseJson(R"({"subscribed":"blocks"})"));
  second.Send(R"({"subscribe":"blocks"})");
  EXPECT_EQ(ParseJson(second.Read()), ParseJson(R"({"subscribed":"blocks"})"));
  third.Send(R"({"subscribe":"blocks"})");
  json::value refused = ParseJson(third.Read());
  EXPECT_EQ(refused.at("error").at("app_code"), json::value("TOO_MANY_SUBSCRIPTIONS")) << refused;
  EXPECT_EQ(t.server->metrics().rejected(Reject::kSubscriptions), 1u);
  // The refused connection stays open but receives nothing.
  t.server->Publish("blocks", ParseJson(R"({"height":1})"));
  EXPECT_EQ(ParseJson(second.Read()).at("data").at("height"), json::value(1));
  // An unsubscribe gives the slot back...
  second.Send(R"({"unsubscribe":"blocks"})");
  EXPECT_EQ(ParseJson(second.Read()), ParseJson(R"({"unsubscribed":"blocks"})"));
  third.Send(R"({"subscribe":"blocks"})");
  EXPECT_EQ(ParseJson(third.Read()), ParseJson(R"({"subscribed":"blocks"})"));
  second.Send(R"({"subscribe":"blocks"})");
  EXPECT_EQ(ParseJson(second.Read()).at("error").at("app_code"), json::value("TOO_MANY_SUBSCRIPTIONS"));
  // ...and so does a closed connection.
  first.reset();
  bool subscribed = false;
  for (int i = 0; i < 100 && !subscribed; ++i) {
    second.Send(R"({"subscribe":"blocks"})");
    subscribed = ParseJson(second.Read()).as_object().contains("subscribed");
    if (!subscribed) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(subscribed);
}

TEST(ServerTest, SlowWebSocketSubscriberIsDropped) {
  ServerOptions options;
  options.ws_max_queue = 4;
  TestServer t(options);
  WsClient ws(t.server->port());
  ws.Send(R"({"subscribe":"blocks"})");
  ASSERT_EQ(ParseJson(ws.Read()), ParseJson(R"({"subscribed":"blocks"})"));
  // Big messages that the client does not read fill the socket buffers, then the queue.
  json::object block;
  block["height"] = 1;
  block["padding"] = std::string(512 * 1024, 'p');
  json::value big(block);
  for (int i = 0; i < 200 && t.server->metrics().rejected(Reject::kSlowSubscriber) == 0; ++i) {
    t.server->Publish("blocks", big);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_GE(t.server->metrics().rejected(Reject::kSlowSubscriber), 1u);
  beast::error_code ec;
  int messages = 0;
  while (!ws.Read(&ec).empty()) ++messages;
  EXPECT_LT(messages, 200);
  EXPECT_EQ(ec, websocket::error::closed);
  EXPECT_EQ(ws.reason().code, websocket::close_code::policy_error);
}

TEST(ServerTest, WebSocketUpgradesFromOtherOriginsAreRefused) {
  TestServer t;
  const std::string own = "http://127.0.0.1:" + std::to_string(t.server->port());
  for (const std::string& origin : {std::string("https://evil.example"), std::string("null"),
                                    "http://127.0.0.1:" + std::to_string(t.server->port() + 1), own + ".evil"}) {
    SCOPED_TRACE(origin);
    beast::error_code ec;
    WsClient ws(t.server->port(), origin, &ec);
    EXPECT_EQ(ec, websocket::error::upgrade_declined);
  }
  EXPECT_GE(t.server->metrics().rejected(Reject::kBadOrigin), 4u);
  // The node's own page (http or https in front of it) and non-browser clients.
  for (const std::string& origin : {own, "https://127.0.0.1:" + std::to_string(t.server->port()), std::string()}) {
    SCOPED_TRACE(origin);
    beast::error_code ec;
    WsClient ws(t.server->port(), origin, &ec);
    ASSERT_FALSE(ec) << ec.message();
    ws.Send(R"({"subscribe":"blocks"})");
    EXPECT_EQ(ParseJson(ws.Read()), ParseJson(R"({"subscribed":"blocks"})"));
  }
  // A configured list replaces the default.
  ServerOptions options;
  options.ws_allowed_origins = {"https://civic.example.gov.cn"};
  TestServer listed(options);
  beast::error_code ec;
  WsClient allowed(listed.server->port(), "https://civic.example.gov.cn", &ec);
  EXPECT_FALSE(ec) << ec.message();
  WsClient own_refused(listed.server->port(), "http://127.0.0.1:" + std::to_string(listed.server->port()), &ec);
  EXPECT_EQ(ec, websocket::error::upgrade_declined);
}

TEST(ServerTest, WebSocketPathWithoutUpgradeIs400) {
  TestServer t;
  auto r = t.MakeClient().Request("GET", "/ws");
  EXPECT_EQ(r->status, 400);
}

TEST(ServerTest, GracefulStopFinishesRequestsInFlight) {
  auto t = std::make_unique<TestServer>();
  uint16_t port = t->server->port();
  auto slow = std::async(std::launch::async, [&] { return t->MakeClient().Call("later", json::array{200}); });
  // Wait until the call is in flight (the server has counted the connection).
  for (int i = 0; i < 200 && t->server->metrics().open_connections() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  t->server->Stop();
  auto r = slow.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, json::value(200));
  // Nothing listens any more.
  ClientOptions o;
  o.port = port;
  EXPECT_EQ(Client(o).Call("echo").status().app_code(), "CONNECTION_REFUSED");
}

TEST(ServerTest, StopWithAPendingReplyThatNeverComesIsBounded) {
  ServerOptions options;
  options.stop_grace = std::chrono::milliseconds(100);
  std::shared_ptr<Reply> kept = std::make_shared<Reply>();
  std::mutex mu;
  TestServer t(options, nullptr, [&](MethodTable* methods) {
    methods->Add("hold", [&](const CallContext&, const json::value&, Reply reply) {
      std::lock_guard<std::mutex> lock(mu);
      *kept = std::move(reply);
    });
  });
  auto call = std::async(std::launch::async, [&] { return t.MakeClient(std::chrono::milliseconds(5000)).Call("hold"); });
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (*kept) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  t.server->Stop();
  EXPECT_FALSE(call.get().ok());
  // A reply after the stop is dropped safely.
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_TRUE(*kept);
  (*kept)(json::value(1));
}

TEST(ClientTest, TypedTransportErrors) {
  uint16_t port;
  {
    TestServer t;
    port = t.server->port();
  }
  ClientOptions o;
  o.port = port;
  Client refused(o);
  EXPECT_EQ(refused.Call("echo").status().app_code(), "CONNECTION_REFUSED");
  EXPECT_EQ(refused.Call("echo").status().code(), Code::kUnavailable);

  TestServer t;
  Client impatient = t.MakeClient(std::chrono::milliseconds(100));
  auto r = impatient.Call("later", json::array{1000});
  EXPECT_EQ(r.status().app_code(), "TIMEOUT");
  EXPECT_EQ(r.status().code(), Code::kDeadlineExceeded);
  EXPECT_TRUE(impatient.Call("echo").ok());  // reconnects after the timeout

  EXPECT_EQ(Client::ParseUrl("http://10.0.0.1:9000")->port, 9000);
  EXPECT_EQ(Client::ParseUrl("http://[::1]:9000/x")->host, "::1");
  EXPECT_EQ(Client::ParseUrl("localhost")->port, 26657);
  EXPECT_FALSE(Client::ParseUrl("localhost")->tls);
  auto https = Client::ParseUrl("https://node.example:8443/rpc");
  ASSERT_TRUE(https.ok());
  EXPECT_TRUE(https->tls);
  EXPECT_EQ(https->host, "node.example");
  EXPECT_EQ(https->port, 8443);
  EXPECT_EQ(Client::ParseUrl("https://x")->port, 26657);
  EXPECT_EQ(Client::ParseUrl("ftp://x").status().app_code(), "BAD_URL");
  EXPECT_FALSE(Client::ParseUrl("http://x:99999").ok());
  EXPECT_FALSE(Client::ParseUrl("http://:80").ok());
}

TEST(ClientTest, HttpErrorBodiesBecomeTypedStatus) {
  EXPECT_EQ(StatusFromHttpError(404, R"({"error":{"code":-32002,"code_name":"NOT_FOUND","app_code":"CERT_NOT_FOUND","message":"m"}})")
                .app_code(),
            "CERT_NOT_FOUND");
  Status st = StatusFromHttpError(502, "<html>bad gateway</html>");
  EXPECT_EQ(st.app_code(), "HTTP_502");
  EXPECT_EQ(st.code(), Code::kInternal);
  EXPECT_EQ(StatusFromHttpError(503, "").code(), Code::kUnavailable);
}

// Random bytes, random HTTP-looking requests and random JSON bodies never crash
// the server; it keeps answering.
TEST(ServerTest, RandomGarbageNeverCrashes) {
  ServerOptions options;
  options.header_timeout = std::chrono::milliseconds(300);
  options.read_timeout = std::chrono::milliseconds(300);
  TestServer t(options);
  std::mt19937 rng(7);
  auto random_bytes = [&](size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(rng() & 0xff));
    return s;
  };
  std::vector<std::string> starts = {"GET ", "POST ", "PUT ", "HEAD ", "OPTIONS ", "\x16\x03\x01", "PRI * HTTP/2.0"};
  std::vector<std::string> targets = {"/rpc", "/ws", "/v1/blocks/", "/v1/certificates/%", "/healthz", "/metrics", "/",
                                      "*", "/%00", "/v1/txs/" + std::string(3000, 'a')};
  for (int i = 0; i < 120; ++i) {
    RawSocket raw(t.server->port());
    std::string req;
    switch (i % 4) {
      case 0: req = random_bytes(rng() % 300); break;
      case 1:
        req = starts[rng() % starts.size()] + targets[rng() % targets.size()] + " HTTP/1.1\r\n" +
              random_bytes(rng() % 100) + "\r\n\r\n";
        break;
      case 2: {
        std::string body = random_bytes(rng() % 200);
        req = "POST /rpc HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
        break;
      }
      case 3: {
        std::string body = R"({"jsonrpc":"2.0","id":)" + std::to_string(rng()) + R"(,"method":")" +
                           (rng() % 2 ? "echo" : random_bytes(5)) + R"(","params":)" +
                           (rng() % 2 ? "[" + random_bytes(4) + "]" : "{}") + "}";
        req = "POST /rpc HTTP/1.1\r\nContent-Length: " + std::to_string(body.size() + (rng() % 3)) +
              "\r\nConnection: close\r\n\r\n" + body;
        break;
      }
    }
    raw.Send(req);
    raw.ShutdownSend();
    (void)raw.ReadAll();
  }
  auto r = t.MakeClient().Call("echo", json::array{"still here"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

}  // namespace
}  // namespace civic::rpc
