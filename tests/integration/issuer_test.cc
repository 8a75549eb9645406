// The issuer API on a real civicd: a department's business system issues a
// certificate with a token, retries with the same Idempotency-Key (also after a
// restart) and gets the same tx, verifies the certificate with the holder's
// material it got back, is refused for a scope it lacks and once its token is
// revoked, revokes the certificate through the API; the node's log never holds
// the holder's identity number; a node without [issuer] answers 404.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fstream>
#include <sstream>

#include "crypto/keyfile.h"
#include "rpc/codec/holder_certificate.h"
#include "rpc/error_codes.h"
#include "rpc/issuer/token_store.h"
#include "tests/integration/civicd_harness.h"

namespace civic::testing {
namespace {

namespace json = boost::json;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using namespace std::chrono_literals;

constexpr const char* kPassEnv = "CIVIC_IT_ORG_PASS";
constexpr const char* kPass = "issuer test passphrase";

struct Answer {
  int status = 0;
  json::value body;
  std::string app_code() const {
    const json::object* o = body.if_object();
    const json::value* e = o ? o->if_contains("error") : nullptr;
    return e ? std::string(e->at("app_code").as_string()) : "";
  }
};

Answer Post(uint16_t port, const std::string& target, const std::string& body, const std::string& token,
            const std::string& key) {
  boost::asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{http::verb::post, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::content_type, "application/json");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!key.empty()) req.set("Idempotency-Key", key);
  req.body() = body;
  req.prepare_payload();
  http::write(socket, req);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  json::error_code ec;
  json::value parsed = json::parse(res.body(), ec);
  return Answer{static_cast<int>(res.result_int()), ec ? json::value(res.body()) : parsed};
}

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class IssuerApiIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string org = FindIssuer(MakeSampleNetwork("it-issuer-1")).org;
    files_ = std::make_unique<NodeFiles>(WriteNodeFiles("it-issuer-1", [org](node::Config* c) {
      c->issuer.enabled = true;
      c->issuer.org = org;
      c->issuer.org_key_file = "org_key.json";
      c->issuer.org_key_passphrase_env = kPassEnv;
      c->issuer.tokens_file = "issuer_tokens.json";
    }));
    issuer_ = FindIssuer(files_->net);
    ASSERT_EQ(issuer_.org, org);
    const std::filesystem::path dir = files_->dir->path();
    tokens_file_ = (dir / "issuer_tokens.json").string();
    ASSERT_TRUE(crypto::WriteKeyFile((dir / "org_key.json").string(), *issuer_.key, kPass).ok());
    proc_ = std::make_unique<CivicdProcess>(files_.get());
    proc_->SetExtraEnvironment({std::string(kPassEnv) + "=" + kPass});
  }
  void TearDown() override {
    if (HasFailure() && proc_) std::cerr << "---- civicd log (tail) ----\n" << proc_->LogTail() << "\n";
  }

  std::string Token(const std::string& scope) {
    auto made = rpc::CreateToken(tokens_file_, rpc::ParseScopes(scope).value(), 86400000, "hr-system",
                                 std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    token_ids_.push_back(made->token.id);
    return made->secret;
  }

  std::string IssueBody(const contracts::HolderCertificate& sample, const std::string& serial) const {
    json::object fields;
    for (const auto& f : sample.fields) fields[f.name] = f.value;
    return json::serialize(json::object{{"type_code", issuer_.type.code()},
                                        {"holder_code_type", sample.holder_code_type},
                                        {"holder_code", sample.holder_code},
                                        {"fields", fields},
                                        {"serial", serial}});
  }

  uint16_t port() const { return files_->config.rpc.listen.port; }

  std::unique_ptr<NodeFiles> files_;
  Issuer issuer_;
  std::string tokens_file_;
  std::vector<std::string> token_ids_;
  std::unique_ptr<CivicdProcess> proc_;
};

TEST_F(IssuerApiIntegrationTest, IssueRetryVerifyScopeRevokeRestart) {
  const std::filesystem::path dir = files_->dir->path();
  const std::string issue_token = Token("cert.issue:" + issuer_.type.code());
  const std::string revoke_token = Token("cert.revoke:*");
  proc_->Start();
  ASSERT_TRUE(proc_->WaitHealthy()) << proc_->LogTail();
  rpc::Client client = proc_->NewClient();

  contracts::HolderCertificate sample = MakeHolderCert(issuer_, 4242);
  const std::string body = IssueBody(sample, "API0001");
  Answer first = Post(port(), "/v1/issuer/certificates?wait=true", body, issue_token, "order-4242");
  ASSERT_EQ(first.status, 200) << json::serialize(first.body);
  const std::string tx_id(first.body.at("tx_id").as_string());
  const json::value holder = first.body.at("certificates").as_array().at(0).at("holder_certificate");
  const std::string id(first.body.at("certificates").as_array().at(0).at("id").as_string());

  // A retry (the answer was lost, say) gets the same tx, and one certificate is on chain.
  Answer retry = Post(port(), "/v1/issuer/certificates?wait=true", body, issue_token, "order-4242");
  ASSERT_EQ(retry.status, 200) << json::serialize(retry.body);
  EXPECT_EQ(retry.body.at("tx_id").as_string(), tx_id);
  EXPECT_TRUE(retry.body.at("replayed").as_bool());
  auto copy = rpc::HolderCertificateFromJson(holder);
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  auto listed =
      client.Call("cert_listByHolder", json::object{{"holder_commitment", ToHex(copy->Commitment())}, {"limit", 10}});
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(listed->at("certificates").as_array().size(), 1u);

  // The holder's material verifies.
  auto verified = client.Call("cert_verify", json::object{{"id", id}, {"holder_certificate", holder}});
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->at("verdict").as_string(), "valid");

  // The issue token may not revoke; the revoke token may.
  Answer denied = Post(port(), "/v1/issuer/certificates/" + id + "/revoke", R"({"reason":"x"})", issue_token, "r1");
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.app_code(), err::ISSUER_SCOPE_DENIED);
  Answer revoked = Post(port(), "/v1/issuer/certificates/" + id + "/revoke?wait=true",
                        R"({"reason":"issued in error"})", revoke_token, "r1");
  ASSERT_EQ(revoked.status, 200) << json::serialize(revoked.body);
  verified = client.Call("cert_verify", json::object{{"id", id}, {"holder_certificate", holder}});
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->at("verdict").as_string(), "invalid");
  EXPECT_EQ(verified->at("verdict_reason").as_string(), "REVOKED");

  // A revoked token is refused from the next call on (no restart).
  ASSERT_TRUE(rpc::RevokeToken(tokens_file_, token_ids_[1], 1).ok());
  Answer gone = Post(port(), "/v1/issuer/certificates/" + id + "/revoke", R"({"reason":"x"})", revoke_token, "r2");
  EXPECT_EQ(gone.status, 401);
  EXPECT_EQ(gone.app_code(), err::ISSUER_TOKEN_REVOKED);

  // After a restart the key still answers with the same tx.
  ASSERT_EQ(proc_->Terminate(), 0);
  proc_->Start();
  ASSERT_TRUE(proc_->WaitHealthy()) << proc_->LogTail();
  Answer after = Post(port(), "/v1/issuer/certificates", body, issue_token, "order-4242");
  ASSERT_EQ(after.status, 202) << json::serialize(after.body);
  EXPECT_EQ(after.body.at("tx_id").as_string(), tx_id);
  auto again = rpc::HolderCertificateFromJson(after.body.at("certificates").as_array().at(0).at("holder_certificate"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->holder_salt, copy->holder_salt);
  EXPECT_EQ(again->Digest(), copy->Digest());

  // The log names the calls but never the holder's identity number or a field value.
  ASSERT_EQ(proc_->Terminate(), 0);
  std::string log = ReadAll(files_->log_path);
  EXPECT_NE(log.find("event=issuer_call"), std::string::npos);
  EXPECT_EQ(log.find(sample.holder_code), std::string::npos);
  for (const auto& f : sample.fields) EXPECT_EQ(log.find(f.value), std::string::npos) << f.name;
  EXPECT_EQ(log.find(issue_token), std::string::npos);
  // Nor does the data dir hold them.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir / "data" / "issuer")) {
    if (entry.is_regular_file()) EXPECT_EQ(ReadAll(entry.path()).find(sample.holder_code), std::string::npos);
  }
}

TEST(IssuerApiOffTest, ANodeWithoutIssuerSectionAnswers404) {
  NodeFiles files = WriteNodeFiles("it-issuer-off-1");
  CivicdProcess proc(&files);
  proc.Start();
  ASSERT_TRUE(proc.WaitHealthy()) << proc.LogTail();
  Answer a = Post(files.config.rpc.listen.port, "/v1/issuer/certificates", "{}", "", "");
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.app_code(), err::NO_SUCH_ROUTE);
  EXPECT_EQ(proc.Terminate(), 0);
}

}  // namespace
}  // namespace civic::testing
