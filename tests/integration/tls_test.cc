// TLS and CORS on a real civicd's RPC port: https with the CA that signed the
// node's certificate and no plain HTTP, a client with the wrong CA refused,
// mutual TLS, SIGHUP switching the served certificate (and keeping it when the
// new pair is bad), a silent TLS client dropped after the header timeout, CORS
// answers, config and file errors at start, and `civic net init --tls`.
#include <signal.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "tests/integration/civicd_harness.h"
#include "tools/common/node_api.h"
#include "tools/net/net.h"
#include "tools/net/tls_ca.h"

namespace civic::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// A CA, written as <dir>/<name>.crt, that issues certificates for 127.0.0.1.
struct TestCa {
  TestCa(const fs::path& dir, const std::string& name) : ca(tools::CreateTlsCa(name).value()) {
    file = (dir / (name + ".crt")).string();
    WriteText(file, ca.cert_pem);
  }
  tools::TlsCertificate Server() const { return tools::IssueTlsServerCertificate(ca, {"127.0.0.1"}).value(); }
  tools::TlsCertificate ca;
  std::string file;
};

// A node whose RPC port serves TLS with a certificate of `ca_name`'s CA
// (files tls.crt and tls.key next to its config).
class TlsNodeTest : public ::testing::Test {
 protected:
  static void ServeTls(node::Config* c) {
    c->rpc.tls_cert_file = "tls.crt";
    c->rpc.tls_key_file = "tls.key";
    c->rpc.header_timeout_ms = 300;
  }
  void SetUp() override {
    ca_ = std::make_unique<TestCa>(dir(), "first-ca");
    InstallServerCertificate(ca_->Server());
    files_.client_tls.ca_file = ca_->file;
  }
  const fs::path& dir() const { return files_.dir->path(); }
  void InstallServerCertificate(const tools::TlsCertificate& cert) {
    WriteText(dir() / "tls.crt", cert.cert_pem);
    WriteText(dir() / "tls.key", cert.key_pem);
  }
  rpc::Client ClientTrusting(const std::string& ca_file) const {
    rpc::ClientOptions o;
    o.port = files_.config.rpc.listen.port;
    o.tls = true;
    o.tls_files.ca_file = ca_file;
    o.timeout = 5s;
    return rpc::Client(o);
  }
  std::string Url() const { return "https://127.0.0.1:" + std::to_string(files_.config.rpc.listen.port); }

  NodeFiles files_ = WriteNodeFiles("it-tls-1", ServeTls);
  std::unique_ptr<TestCa> ca_;
};

TEST_F(TlsNodeTest, AnswersHttpsWithTheCaAndRefusesPlainHttpAndTheWrongCa) {
  CivicdProcess proc(&files_);
  proc.Start();
  ASSERT_TRUE(proc.WaitHealthy()) << proc.LogTail();
  EXPECT_NE(proc.LogTail().find("rpc=" + Url()), std::string::npos) << proc.LogTail();

  rpc::Client client = proc.NewClient();
  auto status = client.Call("chain_status");
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->at("chain_id"), boost::json::value("it-tls-1"));

  // The CLI's way in: --ca-file, or CIVIC_CA_FILE when no option names one.
  auto api = tools::ConnectNode(Url(), {ca_->file, "", ""});
  ASSERT_TRUE(api.ok());
  EXPECT_TRUE(tools::GetChainStatus(**api).ok());
  ::setenv("CIVIC_CA_FILE", ca_->file.c_str(), 1);
  auto from_env = tools::ConnectNode(Url());
  ::unsetenv("CIVIC_CA_FILE");
  ASSERT_TRUE(from_env.ok());
  EXPECT_TRUE(tools::GetChainStatus(**from_env).ok());

  // Plain HTTP to the TLS port gets no answer.
  rpc::ClientOptions plain;
  plain.port = files_.config.rpc.listen.port;
  plain.timeout = 5s;
  auto r = rpc::Client(plain).Get("/healthz");
  EXPECT_FALSE(r.ok());
  // Another CA, or none (the system roots): the client refuses the node.
  TestCa other(dir(), "other-ca");
  r = ClientTrusting(other.file).Get("/healthz");
  EXPECT_EQ(r.status().app_code(), "TLS_VERIFY_FAILED") << r.status().ToString();
  auto no_ca = tools::ConnectNode(Url(), {"", "", ""});
  ASSERT_TRUE(no_ca.ok());
  EXPECT_EQ(tools::GetChainStatus(**no_ca).status().app_code(), "TLS_VERIFY_FAILED");
  EXPECT_EQ(proc.Terminate(), 0);
}

TEST_F(TlsNodeTest, ASilentClientIsDropped) {
  CivicdProcess proc(&files_);
  proc.Start();
  ASSERT_TRUE(proc.WaitHealthy()) << proc.LogTail();
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(files_.config.rpc.listen.port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  char byte;
  ssize_t n = ::recv(fd, &byte, 1, 0);
  int recv_errno = errno;
  ::close(fd);
  // Closed by the node (end of stream or reset), not the receive timeout.
  EXPECT_TRUE(n == 0 || (n < 0 && recv_errno == ECONNRESET)) << "recv " << n << " errno " << recv_errno;
  rpc::Client client = proc.NewClient();
  EXPECT_TRUE(WaitUntil(
      [&] {
        auto metrics = client.Get("/metrics");
        return metrics.ok() && metrics->body.find("reason=\"tls_handshake\"} 1") != std::string::npos;
      },
      10s, 50ms));
  EXPECT_EQ(proc.Terminate(), 0);
}

TEST_F(TlsNodeTest, SighupSwitchesTheCertificateAndKeepsItWhenTheNewPairIsBad) {
  CivicdProcess proc(&files_);
  proc.Start();
  ASSERT_TRUE(proc.WaitHealthy()) << proc.LogTail();

  TestCa second(dir(), "second-ca");
  InstallServerCertificate(second.Server());
  ASSERT_EQ(::kill(proc.pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitUntil([&] { return ClientTrusting(second.file).Get("/healthz").ok(); }, 10s, 50ms))
      << proc.LogTail();
  EXPECT_EQ(ClientTrusting(ca_->file).Get("/healthz").status().app_code(), "TLS_VERIFY_FAILED");
  EXPECT_NE(proc.LogTail().find("event=tls_reloaded"), std::string::npos) << proc.LogTail();

  // A key of another certificate: refused, logged, and the second pair stays.
  WriteText(dir() / "tls.key", ca_->Server().key_pem);
  ASSERT_EQ(::kill(proc.pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitUntil([&] { return proc.LogTail().find("event=tls_reload_failed") != std::string::npos; }, 10s, 50ms))
      << proc.LogTail();
  EXPECT_NE(proc.LogTail().find("TLS_KEY_MISMATCH"), std::string::npos) << proc.LogTail();
  EXPECT_TRUE(ClientTrusting(second.file).Get("/healthz").ok());
  EXPECT_TRUE(proc.running());
  EXPECT_EQ(proc.Terminate(), 0);
}

TEST_F(TlsNodeTest, MutualTlsRefusesAClientWithoutACertificate) {
  TestCa clients(dir(), "client-ca");
  files_.config.rpc.tls_client_ca_file = clients.file;
  std::ofstream(files_.config_path, std::ios::trunc) << node::FormatConfig(files_.config);
  auto client_cert = tools::IssueTlsClientCertificate(clients.ca, "market-regulator-licensing").value();
  WriteText(dir() / "client.crt", client_cert.cert_pem);
  WriteText(dir() / "client.key", client_cert.key_pem);
  files_.client_tls = {ca_->file, (dir() / "client.crt").string(), (dir() / "client.key").string()};

  CivicdProcess proc(&files_);
  proc.Start();
  ASSERT_TRUE(proc.WaitHealthy()) << proc.LogTail();  // with the client certificate
  auto r = ClientTrusting(ca_->file).Get("/healthz");
  EXPECT_EQ(r.status().app_code(), "TLS_HANDSHAKE_FAILED") << r.status().ToString();
  EXPECT_EQ(proc.Terminate(), 0);
}

TEST_F(TlsNodeTest, BadTlsFilesStopTheStartWithTypedErrors) {
  auto run = [&](const std::function<void()>& change) {
    change();
    std::ofstream(files_.config_path, std::ios::trunc) << node::FormatConfig(files_.config);
    std::ofstream(files_.log_path, std::ios::trunc);
    CivicdProcess proc(&files_);
    proc.Start();
    auto code = proc.WaitExit(30s);
    EXPECT_TRUE(code.has_value());
    return std::make_pair(code.value_or(-1), proc.LogTail(20000));
  };
  auto [code, log] = run([&] { files_.config.rpc.tls_key_file.clear(); });
  EXPECT_EQ(code, 2);
  EXPECT_NE(log.find("CONFIG_BAD_VALUE"), std::string::npos) << log;
  EXPECT_NE(log.find("rpc.tls_key_file"), std::string::npos) << log;

  std::tie(code, log) = run([&] {
    files_.config.rpc.tls_key_file = "tls.key";
    files_.config.rpc.tls_cert_file = "missing.crt";
  });
  EXPECT_EQ(code, 1);
  EXPECT_NE(log.find("TLS_CERT_UNREADABLE"), std::string::npos) << log;

  std::tie(code, log) = run([&] {
    files_.config.rpc.tls_cert_file = "tls.crt";
    WriteText(dir() / "tls.key", ca_->Server().key_pem);
  });
  EXPECT_EQ(code, 1);
  EXPECT_NE(log.find("TLS_KEY_MISMATCH"), std::string::npos) << log;
}

// A request with an Origin header over a plain socket; the raw answer.
std::string FromOrigin(uint16_t port, const std::string& method, const std::string& origin) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return "";
  std::string body = method == "POST" ? R"({"jsonrpc":"2.0","id":1,"method":"chain_status"})" : "";
  std::string request = method + " /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: " + origin +
                        "\r\nAccess-Control-Request-Method: POST\r\nContent-Type: application/json\r\n"
                        "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  ::send(fd, request.data(), request.size(), 0);
  std::string answer;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;) answer.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return answer;
}

TEST(CorsNodeTest, ListedOriginsOnly) {
  NodeFiles files = WriteNodeFiles("it-cors-1", [](node::Config* c) { c->rpc.cors_origins = {"https://app.example"}; });
  CivicdProcess proc(&files);
  proc.Start();
  ASSERT_TRUE(proc.WaitHealthy()) << proc.LogTail();
  const uint16_t port = files.config.rpc.listen.port;
  std::string answer = FromOrigin(port, "OPTIONS", "https://app.example");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 204")) << answer;
  EXPECT_NE(answer.find("Access-Control-Allow-Origin: https://app.example"), std::string::npos) << answer;
  answer = FromOrigin(port, "POST", "https://app.example");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  EXPECT_NE(answer.find("Access-Control-Allow-Origin: https://app.example"), std::string::npos) << answer;
  answer = FromOrigin(port, "POST", "https://elsewhere.example");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  EXPECT_EQ(answer.find("Access-Control-Allow-Origin"), std::string::npos) << answer;
  answer = FromOrigin(port, "OPTIONS", "https://elsewhere.example");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 403")) << answer;
  EXPECT_EQ(proc.Terminate(), 0);
}

TEST(NetTlsTest, InitTlsWritesACaAndNodeCertificatesAndTheNetworkServesHttps) {
  TempDir dir("civic-it-net-tls");
  tools::NetInitOptions init;
  init.nodes = 1;
  init.dir = (dir.path() / "net").string();
  init.base_port = PickFreeRange(2);
  init.tls = true;
  auto net = tools::InitNetwork(init);
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  EXPECT_EQ(net->tls_ca, "tls/ca.crt");
  auto mode = [](const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 0777) : 0u;
  };
  EXPECT_EQ(mode(net->Path("tls/ca.key")), 0600u);
  EXPECT_EQ(mode(net->Path("node0/tls.key")), 0600u);
  auto config = node::LoadConfig(net->Path("node0/config.toml"));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->rpc.tls_cert_file, net->Path("node0/tls.crt"));
  EXPECT_EQ(config->rpc.tls_key_file, net->Path("node0/tls.key"));
  EXPECT_TRUE(net->nodes[0].rpc_url().starts_with("https://127.0.0.1:"));
  auto loaded = tools::LoadNetwork(init.dir);
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE(loaded->nodes[0].tls);

  tools::NetUpOptions up;
  up.civicd = CIVICD_PATH;
  auto states = tools::StartNetwork(*loaded, up);
  ASSERT_TRUE(states.ok()) << states.status().ToString();
  EXPECT_TRUE((*states)[0].healthy) << (*states)[0].detail;
  auto status = tools::NetworkStatus(*loaded);
  EXPECT_TRUE(status[0].rpc_ok) << status[0].detail;
  // The served certificate names localhost too.
  rpc::ClientOptions by_name;
  by_name.host = "localhost";
  by_name.port = loaded->nodes[0].rpc_port;
  by_name.tls = true;
  by_name.tls_files.ca_file = loaded->Path("tls/ca.crt");
  EXPECT_TRUE(rpc::Client(by_name).Get("/healthz").ok());
  EXPECT_TRUE(tools::StopNetwork(*loaded, 30).ok());
}

}  // namespace
}  // namespace civic::testing
