// TLS on the RPC port: https with a local CA, wrong CA and wrong name refused by
// the client, no plain HTTP on a TLS port, mutual TLS and the client identity
// reaching handlers, wss, reloading the certificate, silent clients dropped
// after the header timeout, and typed errors for bad files.
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <fstream>

#include "rpc/server.h"
#include "rpc/tls_context.h"
#include "test_util.h"
#include "tools/net/tls_ca.h"

namespace civic::rpc {
namespace {

using testing::ParseJson;
using testing::RawSocket;
using testing::TempDir;
namespace beast = boost::beast;
namespace net = boost::asio;

// Polls `done` until it holds (true) or 10 s pass (false).
bool WaitFor(const std::function<bool()>& done) {
  for (int i = 0; i < 2000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

std::string Write(const TempDir& dir, const std::string& name, const std::string& text) {
  std::string path = (dir.path() / name).string();
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

// A CA and the files of a server certificate it signed, in a temp folder.
struct Pki {
  explicit Pki(const std::string& ca_name = "Test CA", const std::vector<std::string>& hosts = {"127.0.0.1"}) {
    ca = tools::CreateTlsCa(ca_name).value();
    server = tools::IssueTlsServerCertificate(ca, hosts).value();
    ca_file = Write(dir, "ca.crt", ca.cert_pem);
    cert_file = Write(dir, "server.crt", server.cert_pem);
    key_file = Write(dir, "server.key", server.key_pem);
  }
  TlsServerFiles ServerFiles() const { return {cert_file, key_file, ""}; }
  // A client certificate signed by this CA, as files.
  TlsClientFiles ClientFiles(const std::string& cn) const {
    auto client = tools::IssueTlsClientCertificate(ca, cn).value();
    return {ca_file, Write(dir, cn + ".crt", client.cert_pem), Write(dir, cn + ".key", client.key_pem)};
  }

  TempDir dir;
  tools::TlsCertificate ca, server;
  std::string ca_file, cert_file, key_file;
};

// Answers the caller's TLS identity: {"cn":..., "sha256":...}.
void RegisterWhoAmI(MethodTable* table) {
  testing::RegisterTestMethods(table);
  table->Add("whoami", [](const CallContext& ctx, const json::value&, Reply reply) {
    json::object out;
    out["present"] = ctx.client_identity.present();
    out["cn"] = ctx.client_identity.subject_cn;
    out["sha256"] = ctx.client_identity.fingerprint_sha256;
    reply(json::value(std::move(out)));
  });
}

struct TlsServer {
  explicit TlsServer(TlsServerFiles files, ServerOptions options = {})
      : t((options.tls = std::move(files), options), nullptr, RegisterWhoAmI) {}
  Client MakeClient(TlsClientFiles files, std::string host = "127.0.0.1") const {
    ClientOptions o;
    o.host = std::move(host);
    o.port = t.server->port();
    o.tls = true;
    o.tls_files = std::move(files);
    o.timeout = std::chrono::seconds(10);
    return Client(o);
  }
  testing::TestServer t;
};

std::string Sha256OfPem(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  unsigned char md[32];
  unsigned int size = 0;
  X509_digest(cert, EVP_sha256(), md, &size);
  X509_free(cert);
  BIO_free(bio);
  std::string hex;
  for (unsigned i = 0; i < size; ++i) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[md[i] >> 4];
    hex += kDigits[md[i] & 0xf];
  }
  return hex;
}

TEST(TlsTest, HttpsWithTheCaAndNoPlainHttpOnTheTlsPort) {
  Pki pki;
  TlsServer s(pki.ServerFiles());
  EXPECT_EQ(s.t.server->url(), "https://127.0.0.1:" + std::to_string(s.t.server->port()));
  Client client = s.MakeClient({pki.ca_file, "", ""});
  auto r = client.Call("echo", ParseJson("[1]"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, ParseJson("[1]"));
  auto health = client.Get("/healthz");  // REST and the rest share the port
  EXPECT_EQ(health.status().app_code(), "HTTP_503");
  // Without a client certificate the identity is empty.
  EXPECT_EQ(client.Call("whoami")->at("present"), json::value(false));

  // A plain HTTP client gets no HTTP answer: the handshake fails and the server closes.
  RawSocket raw(s.t.server->port());
  ASSERT_TRUE(raw.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string answer = raw.ReadAll();
  EXPECT_EQ(answer.find("HTTP/1.1"), std::string::npos) << answer;
  Client plain = s.t.MakeClient();
  EXPECT_FALSE(plain.Call("echo").ok());
  EXPECT_GE(s.t.server->metrics().rejected(Reject::kTlsHandshake), 1u);
}

TEST(TlsTest, TheClientRefusesAnUntrustedOrMisnamedServer) {
  Pki pki;
  TlsServer s(pki.ServerFiles());
  Pki other("Other CA");
  auto r = s.MakeClient({other.ca_file, "", ""}).Call("echo");
  EXPECT_EQ(r.status().app_code(), "TLS_VERIFY_FAILED") << r.status().ToString();
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  // The system roots do not know a local CA either.
  EXPECT_EQ(s.MakeClient({}).Call("echo").status().app_code(), "TLS_VERIFY_FAILED");
  // The right CA, but the certificate names 127.0.0.1, not localhost.
  r = s.MakeClient({pki.ca_file, "", ""}, "localhost").Call("echo");
  EXPECT_EQ(r.status().app_code(), "TLS_VERIFY_FAILED") << r.status().ToString();

  Pki named("Named CA", {"node.example"});
  TlsServer by_name(named.ServerFiles());
  r = by_name.MakeClient({named.ca_file, "", ""}).Call("echo");  // dialed as 127.0.0.1
  EXPECT_EQ(r.status().app_code(), "TLS_VERIFY_FAILED") << r.status().ToString();
}

TEST(TlsTest, MutualTlsRequiresAClientCertificateAndPassesItsIdentity) {
  Pki pki;
  Pki clients("Client CA");
  TlsServerFiles files = pki.ServerFiles();
  files.client_ca_file = clients.ca_file;
  TlsServer s(files);

  auto r = s.MakeClient({pki.ca_file, "", ""}).Call("echo");
  EXPECT_EQ(r.status().app_code(), "TLS_HANDSHAKE_FAILED") << r.status().ToString();
  TlsClientFiles wrong_ca = pki.ClientFiles("signed-by-the-server-ca");  // not the client CA
  wrong_ca.ca_file = pki.ca_file;
  r = s.MakeClient(wrong_ca).Call("echo");
  EXPECT_EQ(r.status().app_code(), "TLS_HANDSHAKE_FAILED") << r.status().ToString();

  TlsClientFiles psb = clients.ClientFiles("psb-household-register");
  psb.ca_file = pki.ca_file;
  std::ifstream cert_in(psb.cert_file);
  std::string cert_pem((std::istreambuf_iterator<char>(cert_in)), std::istreambuf_iterator<char>());
  Client client = s.MakeClient(psb);
  auto who = client.Call("whoami");
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(who->at("present"), json::value(true));
  EXPECT_EQ(who->at("cn"), json::value("psb-household-register"));
  EXPECT_EQ(who->at("sha256"), json::value(Sha256OfPem(cert_pem)));
  // REST handlers get it too (the same CallContext); a second call on the kept-alive connection still carries it.
  EXPECT_EQ(client.Call("whoami")->at("cn"), json::value("psb-household-register"));
}

TEST(TlsTest, WebSocketOverTls) {
  Pki pki;
  TlsServer s(pki.ServerFiles());
  net::io_context ioc;
  auto ctx = MakeClientTlsContext({pki.ca_file, "", ""}).value();
  beast::websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ioc, *ctx);
  beast::get_lowest_layer(ws).connect({net::ip::make_address("127.0.0.1"), s.t.server->port()});
  beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(10));
  ExpectServerName(ws.next_layer().native_handle(), "127.0.0.1");
  ws.next_layer().handshake(net::ssl::stream_base::client);
  ws.handshake("127.0.0.1", "/ws");
  ws.write(net::buffer(std::string(R"({"subscribe":"blocks"})")));
  beast::flat_buffer buffer;
  ws.read(buffer);
  EXPECT_EQ(ParseJson(beast::buffers_to_string(buffer.data())), ParseJson(R"({"subscribed":"blocks"})"));
  buffer.clear();
  s.t.server->Publish("blocks", ParseJson(R"({"height":7})"));
  ws.read(buffer);
  EXPECT_EQ(ParseJson(beast::buffers_to_string(buffer.data())).at("data").at("height"), json::value(7));
}

TEST(TlsTest, ReloadServesTheNewCertificateAndKeepsTheOldOnABadPair) {
  Pki first("First CA");
  TlsServer s(first.ServerFiles());
  ASSERT_TRUE(s.MakeClient({first.ca_file, "", ""}).Call("echo").ok());

  // The files are replaced with a certificate of another CA, then reloaded.
  Pki second("Second CA");
  Write(first.dir, "server.crt", second.server.cert_pem);
  Write(first.dir, "server.key", second.server.key_pem);
  Client old_connection = s.MakeClient({first.ca_file, "", ""});
  ASSERT_TRUE(old_connection.Call("echo").ok());
  Status reloaded = s.t.server->ReloadTls();
  ASSERT_TRUE(reloaded.ok()) << reloaded.ToString();
  EXPECT_EQ(s.MakeClient({first.ca_file, "", ""}).Call("echo").status().app_code(), "TLS_VERIFY_FAILED");
  EXPECT_TRUE(s.MakeClient({second.ca_file, "", ""}).Call("echo").ok());
  EXPECT_TRUE(old_connection.Call("echo").ok());  // an open connection keeps its session

  // A key that does not match: refused, and the second pair stays in use.
  Write(first.dir, "server.key", first.server.key_pem);
  EXPECT_EQ(s.t.server->ReloadTls().app_code(), "TLS_KEY_MISMATCH");
  Write(first.dir, "server.crt", "not a certificate");
  EXPECT_EQ(s.t.server->ReloadTls().app_code(), "TLS_CERT_UNREADABLE");
  EXPECT_TRUE(s.MakeClient({second.ca_file, "", ""}).Call("echo").ok());

  testing::TestServer plain;
  EXPECT_EQ(plain.server->ReloadTls().app_code(), "TLS_NOT_CONFIGURED");
}

// True when the server closed the connection (end of stream or reset), false
// when the read only timed out (the socket's 5 s receive timeout).
bool ServerClosed(uint16_t port) {
  net::io_context ioc;
  net::ip::tcp::socket socket(ioc);
  socket.connect({net::ip::make_address("127.0.0.1"), port});
  timeval tv{5, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  char byte;
  beast::error_code ec;
  socket.read_some(net::buffer(&byte, 1), ec);
  return ec == net::error::eof || ec == net::error::connection_reset;
}

TEST(TlsTest, ASilentClientIsDroppedAfterTheHeaderTimeout) {
  Pki pki;
  ServerOptions options;
  options.header_timeout = std::chrono::milliseconds(200);
  TlsServer s(pki.ServerFiles(), options);
  EXPECT_TRUE(ServerClosed(s.t.server->port()));
  // The timer closes the socket first; the failed handshake is counted right after.
  EXPECT_TRUE(WaitFor([&] { return s.t.server->metrics().rejected(Reject::kTlsHandshake) == 1; }));
}

TEST(TlsTest, ConnectionsInTheirHandshakeCountAgainstThePerAddressCap) {
  Pki pki;
  ServerOptions options;
  options.max_connections_per_ip = 1;
  TlsServer s(pki.ServerFiles(), options);
  RawSocket silent(s.t.server->port());  // holds the address's one connection, never handshakes
  ASSERT_TRUE(WaitFor([&] { return s.t.server->metrics().open_connections() == 1; }));
  auto r = s.MakeClient({pki.ca_file, "", ""}).Call("echo");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(s.t.server->metrics().rejected(Reject::kConnectionsPerIp), 1u);
  silent.Close();
  ASSERT_TRUE(WaitFor([&] { return s.t.server->metrics().open_connections() == 0; }));
  EXPECT_TRUE(s.MakeClient({pki.ca_file, "", ""}).Call("echo").ok());
}

TEST(TlsTest, BadFilesAreTypedErrorsAtStart) {
  Pki pki;
  Pki other("Other CA");
  MethodTable methods;
  auto start = [&](TlsServerFiles files) {
    ServerOptions options;
    options.port = 0;
    options.tls = std::move(files);
    return Server(options, &methods, nullptr).Start().app_code();
  };
  EXPECT_EQ(start({(pki.dir.path() / "missing.crt").string(), pki.key_file, ""}), "TLS_CERT_UNREADABLE");
  EXPECT_EQ(start({pki.key_file, pki.key_file, ""}), "TLS_CERT_UNREADABLE");  // a key is no certificate
  EXPECT_EQ(start({pki.cert_file, (pki.dir.path() / "missing.key").string(), ""}), "TLS_KEY_UNREADABLE");
  EXPECT_EQ(start({pki.cert_file, pki.cert_file, ""}), "TLS_KEY_UNREADABLE");  // a certificate is no key
  EXPECT_EQ(start({pki.cert_file, other.key_file, ""}), "TLS_KEY_MISMATCH");
  EXPECT_EQ(start({pki.cert_file, pki.key_file, pki.key_file}), "TLS_CA_UNREADABLE");
  EXPECT_EQ(start({pki.cert_file, pki.key_file, (pki.dir.path() / "none").string()}), "TLS_CA_UNREADABLE");
  // The client's files are checked the same way, at its first connection.
  TlsServer s(pki.ServerFiles());
  EXPECT_EQ(s.MakeClient({pki.key_file, "", ""}).Call("echo").status().app_code(), "TLS_CA_UNREADABLE");
  EXPECT_EQ(s.MakeClient({pki.ca_file, pki.cert_file, other.key_file}).Call("echo").status().app_code(),
            "TLS_KEY_MISMATCH");
}

TEST(TlsTest, OnlyTls12AndUp) {
  Pki pki;
  TlsServer s(pki.ServerFiles());
  net::io_context ioc;
  net::ssl::context old(net::ssl::context::tlsv11_client);
  SSL_CTX_set_min_proto_version(old.native_handle(), TLS1_1_VERSION);
  SSL_CTX_set_max_proto_version(old.native_handle(), TLS1_1_VERSION);
  SSL_CTX_set_security_level(old.native_handle(), 0);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, old);
  beast::get_lowest_layer(stream).connect({net::ip::make_address("127.0.0.1"), s.t.server->port()});
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
  beast::error_code ec;
  stream.handshake(net::ssl::stream_base::client, ec);
  EXPECT_TRUE(ec) << "a TLS 1.1 handshake succeeded";
}

}  // namespace
}  // namespace civic::rpc
