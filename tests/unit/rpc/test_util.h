// Helpers for the rpc tests: a server on an ephemeral loopback port with test
// methods, raw socket access for malformed HTTP, temp dirs.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "rpc/client.h"
#include "rpc/methods.h"
#include "rpc/server.h"

namespace civic::rpc::testing {

namespace json = boost::json;

// A fresh folder under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("civic-rpc-test-" + std::to_string(rd()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Methods used by the server tests: echo (returns params), fail (returns the
// Status named by params.code), later (replies from another thread after
// params.ms), throw (throws), silent (drops its reply).
inline void RegisterTestMethods(MethodTable* table) {
  table->Add("echo", [](const CallContext&, const json::value& params, Reply reply) {
    reply(params);
  });
  table->Add("fail", [](const CallContext&, const json::value& params, Reply reply) {
    auto code = StringParam(params, "code", 0);
    if (!code.ok()) return reply(code.status());
    if (*code == "not_found") return reply(Status::NotFound("THING_NOT_FOUND", "no such thing"));
    if (*code == "permission") return reply(Status::PermissionDenied("NOT_ISSUER", "the org may not issue"));
    if (*code == "internal") return reply(Status::Internal("boom"));
    if (*code == "deadline") return reply(Status::DeadlineExceeded("TX_TIMEOUT", "waited too long"));
    reply(Status::InvalidArgument("BAD_THING", "bad thing"));
  });
  table->Add("later", [](const CallContext&, const json::value& params, Reply reply) {
    auto ms = IntParam(params, "ms", 0, false, 20);
    if (!ms.ok()) return reply(ms.status());
    std::thread([reply, ms = *ms] {
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      reply(json::value(ms));
    }).detach();
  });
  table->Add("throw", [](const CallContext&, const json::value&, Reply) -> void {
    throw std::runtime_error("thrown on purpose");
  });
  table->Add("silent", [](const CallContext&, const json::value&, Reply) {});
  table->Add("add", [](const CallContext&, const json::value& params, Reply reply) {
    auto a = IntParam(params, "a", 0);
    if (!a.ok()) return reply(a.status());
    auto b = IntParam(params, "b", 1);
    if (!b.ok()) return reply(b.status());
    reply(json::value(*a + *b));
  });
}

// A server on 127.0.0.1 with an ephemeral port.
struct TestServer {
  // `register_methods` fills the table before the server starts (default: the test methods).
  explicit TestServer(ServerOptions options = {}, NodeBackend* node = nullptr,
                      const std::function<void(MethodTable*)>& register_methods = RegisterTestMethods) {
    register_methods(&methods);
    options.address = "127.0.0.1";
    options.port = 0;
    server = std::make_unique<Server>(options, &methods, node);
    Status st = server->Start();
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  ~TestServer() { server->Stop(); }

  Client MakeClient(std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) const {
    ClientOptions o;
    o.host = "127.0.0.1";
    o.port = server->port();
    o.timeout = timeout;
    return Client(o);
  }

  MethodTable methods;
  std::unique_ptr<Server> server;
};

// A blocking socket with a receive timeout, for sending raw bytes.
class RawSocket {
 public:
  explicit RawSocket(uint16_t port) : socket_(ioc_) {
    boost::system::error_code ec;
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    EXPECT_FALSE(ec) << ec.message();
    timeval tv{5, 0};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  bool Send(std::string_view data) {
    boost::system::error_code ec;
    boost::asio::write(socket_, boost::asio::buffer(data), ec);
    return !ec;
  }
  // Reads until the peer closes (or the timeout passes).
  std::string ReadAll() {
    std::string out;
    char buf[4096];
    for (;;) {
      boost::system::error_code ec;
      size_t n = socket_.read_some(boost::asio::buffer(buf), ec);
      out.append(buf, n);
      if (ec) break;
    }
    return out;
  }
  // Reads until `needle` has appeared `count` times (or close/timeout).
  std::string ReadUntil(std::string_view needle, size_t count = 1) {
    char buf[4096];
    for (;;) {
      size_t seen = 0;
      for (size_t pos = received_.find(needle); pos != std::string::npos; pos = received_.find(needle, pos + 1)) ++seen;
      if (seen >= count) return received_;
      boost::system::error_code ec;
      size_t n = socket_.read_some(boost::asio::buffer(buf), ec);
      received_.append(buf, n);
      if (ec) return received_;
    }
  }
  void Close() {
    boost::system::error_code ec;
    socket_.close(ec);
  }
  void ShutdownSend() {
    boost::system::error_code ec;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
  }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  std::string received_;
};

inline json::value ParseJson(std::string_view text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  EXPECT_FALSE(ec) << "not JSON: " << text;
  return v;
}

}  // namespace civic::rpc::testing
