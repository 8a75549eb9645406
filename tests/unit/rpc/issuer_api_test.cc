// The issuer API end to end in one process: a real chain with the certificate
// contract (FakeNode's sample network), the public security bureau's org key,
// tokens and idempotency records on disk. Covers who may call, tokens and
// scopes, idempotent retries (also after a restart), the holder's material, the
// life-cycle actions and the audit log.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <future>

#include "chain_fixture.h"
#include "contracts/base/errors.h"
#include "contracts/certificate/query.h"
#include "rpc/codec/holder_certificate.h"
#include "rpc/error_codes.h"
#include "rpc/issuer/issuer_api.h"

namespace civic::rpc {
namespace {

using testing::FakeNode;
using testing::TempDir;
namespace json = boost::json;

constexpr int64_t kNow = 1750000000000;
constexpr const char* kHolder = "510703199001011237";

struct Answer {
  int status = 0;
  json::value body;
  std::string app_code() const {
    const json::object* o = body.if_object();
    const json::value* e = o ? o->if_contains("error") : nullptr;
    return e ? std::string(e->at("app_code").as_string()) : "";
  }
  std::string Str(std::string_view key) const { return std::string(body.at(key).as_string()); }
};

class IssuerApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = std::make_shared<std::ostringstream>();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*log_);
    auto logger = std::make_shared<spdlog::logger>("issuer-test", sink);
    previous_ = spdlog::default_logger();
    spdlog::set_default_logger(logger);
    tokens_file_ = (dir_.path() / "tokens.json").string();
    node_.auto_commit_ = true;  // a wait commits the mempool as the next block
    Open();
    type_code_ = node_.sample_cert().type_code;
    for (const auto& f : node_.sample_cert().fields) fields_[f.name] = f.value;
    fields_["id_number"] = kHolder;
  }
  void TearDown() override {
    api_.reset();
    spdlog::set_default_logger(previous_);
  }

  void Open() { Open(node_.org_keys()[0]); }
  void Open(const crypto::KeyPair& org_key) {
    api_.reset();
    IssuerApiOptions options;
    options.org = samples::SampleOrgs()[0].code;
    options.allowed_clients = {"127.0.0.1", "10.1.0.0/16"};
    options.tokens_file = tokens_file_;
    options.store_dir = (dir_.path() / "store").string();
    options.commit_timeout_ms = 3000;
    options.clock = [this] { return now_; };
    auto api = IssuerApi::Create(options, org_key, &node_);
    ASSERT_TRUE(api.ok()) << api.status().ToString();
    api_ = std::move(api).value();
  }

  std::string Token(const std::string& scope, int64_t lifetime_ms = 86400000) {
    auto made = CreateToken(tokens_file_, ParseScopes(scope).value(), lifetime_ms, "hr-system", now_);
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made->secret;
  }

  Answer Call(const std::string& path, const std::string& body, const std::string& token, const std::string& key,
              const std::string& query = "", const std::string& client = "127.0.0.1") {
    IssuerHttpRequest r;
    r.method = "POST";
    r.path = path;
    r.query = query;
    r.body = body;
    if (!token.empty()) r.authorization = "Bearer " + token;
    r.has_idempotency_key = !key.empty();
    r.idempotency_key = key;
    r.identity.client_address = client;
    std::promise<IssuerHttpAnswer> done;
    api_->Handle(r, [&](IssuerHttpAnswer a) { done.set_value(std::move(a)); });
    IssuerHttpAnswer a = done.get_future().get();
    return Answer{a.status, json::parse(a.body)};
  }

  std::string IssueBody(const std::string& serial = "") const {
    json::object fields;
    for (const auto& [n, v] : fields_) fields[n] = v;
    json::object body{{"type_code", type_code_}, {"holder_code_type", "citizen_id"}, {"holder_code", kHolder},
                      {"fields", fields}};
    if (!serial.empty()) body["serial"] = serial;
    return json::serialize(body);
  }

  contracts::HolderCertificate CopyOf(const json::value& v) {
    auto copy = HolderCertificateFromJson(v);
    EXPECT_TRUE(copy.ok()) << copy.status().ToString();
    return copy.ok() ? *copy : contracts::HolderCertificate{};
  }

  FakeNode node_{FakeNode::Mode::kSample};
  TempDir dir_;
  int64_t now_ = kNow;
  std::string tokens_file_;
  std::unique_ptr<IssuerApi> api_;
  std::string type_code_;
  std::map<std::string, std::string> fields_;
  std::shared_ptr<std::ostringstream> log_;
  std::shared_ptr<spdlog::logger> previous_;
};

const char* kIssuePath = "/v1/issuer/certificates";

TEST_F(IssuerApiTest, IssuesWithHolderMaterialThatVerifies) {
  std::string token = Token("cert.issue:" + type_code_);
  Answer a = Call(kIssuePath, IssueBody("ISS1"), token, "key-1", "wait=true");
  ASSERT_EQ(a.status, 200) << json::serialize(a.body);
  EXPECT_TRUE(a.body.at("committed").as_bool());
  EXPECT_EQ(a.Str("status_url"), "/v1/txs/" + a.Str("tx_id"));
  const json::value& cert = a.body.at("certificates").as_array().at(0);
  contracts::HolderCertificate copy = CopyOf(cert.at("holder_certificate"));
  EXPECT_EQ(copy.id, std::string(cert.at("id").as_string()));
  EXPECT_EQ(copy.holder_code, kHolder);
  auto verdict = contracts::VerifyHolderCertificate(node_.chain().state(), copy, node_.chain().tip().time_ms);
  ASSERT_TRUE(verdict.ok()) << verdict.status().ToString();
  EXPECT_EQ(verdict->verdict, contracts::Verdict::kValid) << verdict->verdict_reason;
  EXPECT_GT(copy.valid_from_ms, 0);  // the validity the chain settled on
}

TEST_F(IssuerApiTest, ChainAssignedSerialIsLearnedWhenWaiting) {
  std::string token = Token("cert.issue:" + type_code_);
  Answer a = Call(kIssuePath, IssueBody(), token, "key-1", "wait=true");
  ASSERT_EQ(a.status, 200) << json::serialize(a.body);
  contracts::HolderCertificate copy = CopyOf(a.body.at("certificates").as_array().at(0).at("holder_certificate"));
  ASSERT_FALSE(copy.id.empty());
  EXPECT_TRUE(contracts::GetCertificate(node_.chain().state(), copy.id).ok());
}

TEST_F(IssuerApiTest, ARetryGetsTheSameTxAndHolderMaterialAndIssuesOnce) {
  std::string token = Token("cert.issue:" + type_code_);
  Answer first = Call(kIssuePath, IssueBody("RETRY1"), token, "key-1");
  ASSERT_EQ(first.status, 202) << json::serialize(first.body);
  EXPECT_FALSE(first.body.at("committed").as_bool());
  Answer again = Call(kIssuePath, IssueBody("RETRY1"), token, "key-1", "wait=true");
  ASSERT_EQ(again.status, 200) << json::serialize(again.body);
  EXPECT_EQ(again.Str("tx_id"), first.Str("tx_id"));
  EXPECT_TRUE(again.body.at("replayed").as_bool());
  contracts::HolderCertificate a = CopyOf(first.body.at("certificates").as_array().at(0).at("holder_certificate"));
  contracts::HolderCertificate b = CopyOf(again.body.at("certificates").as_array().at(0).at("holder_certificate"));
  EXPECT_EQ(a.holder_salt, b.holder_salt);
  EXPECT_EQ(a.Digest(), b.Digest());
  // After a restart (new API object on the same store), the same answer again.
  Open();
  Answer after = Call(kIssuePath, IssueBody("RETRY1"), token, "key-1");
  EXPECT_EQ(after.Str("tx_id"), first.Str("tx_id"));
  EXPECT_TRUE(after.body.at("replayed").as_bool());
  auto page = contracts::ListByHolder(node_.chain().state(), a.Commitment(), "", 10);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 1u);
  // The same key with another body is refused; a new key gives a new certificate.
  Answer reused = Call(kIssuePath, IssueBody("RETRY2"), token, "key-1");
  EXPECT_EQ(reused.status, 409);
  EXPECT_EQ(reused.app_code(), err::IDEMPOTENCY_KEY_REUSED);
  Answer other = Call(kIssuePath, IssueBody("RETRY2"), token, "key-2");
  EXPECT_EQ(other.status, 202);
  EXPECT_NE(other.Str("tx_id"), first.Str("tx_id"));
}

TEST_F(IssuerApiTest, ATxRefusedAtAdmissionFreesItsKey) {
  std::string token = Token("cert.issue:" + type_code_);
  // Configured with a key that is not the org's: the node refuses the tx at admission.
  Open(node_.org_keys()[1]);
  Answer refused = Call(kIssuePath, IssueBody("ADM1"), token, "k1");
  EXPECT_EQ(refused.status, 403) << json::serialize(refused.body);
  EXPECT_EQ(refused.app_code(), err::KEY_NOT_ADMITTED);
  // Nothing was issued, so the key is free for the corrected retry.
  Open();
  Answer fixed = Call(kIssuePath, IssueBody("ADM1"), token, "k1", "wait=true");
  EXPECT_EQ(fixed.status, 200) << json::serialize(fixed.body);
  EXPECT_FALSE(fixed.body.at("replayed").as_bool());
}

TEST_F(IssuerApiTest, ATxThatFailsInItsBlockAnswersWithTheChainsCode) {
  std::string token = Token("cert.issue:" + type_code_);
  ASSERT_EQ(Call(kIssuePath, IssueBody("DUP1"), token, "k1", "wait=true").status, 200);
  // The serial is taken: admitted, but refused when its block runs.
  Answer dup = Call(kIssuePath, IssueBody("DUP1"), token, "k2", "wait=true");
  EXPECT_GE(dup.status, 400) << json::serialize(dup.body);
  EXPECT_FALSE(dup.app_code().empty());
  EXPECT_TRUE(dup.body.as_object().contains("tx_id"));
}

TEST_F(IssuerApiTest, OnlyAllowedClientsAreServed) {
  std::string token = Token("cert.issue:" + type_code_);
  Answer outside = Call(kIssuePath, IssueBody("C1"), token, "k1", "", "192.0.2.7");
  EXPECT_EQ(outside.status, 403);
  EXPECT_EQ(outside.app_code(), err::ISSUER_CLIENT_NOT_ALLOWED);
  // Refused before anything is read: even a garbage request gets the same answer.
  EXPECT_EQ(Call("/v1/issuer/nothing", "{", "", "", "x=y", "192.0.2.7").app_code(), err::ISSUER_CLIENT_NOT_ALLOWED);
  EXPECT_EQ(Call(kIssuePath, IssueBody("C1"), token, "k1", "", "10.1.200.3").status, 202);
}

TEST_F(IssuerApiTest, TokensAre401AndScopes403) {
  std::string token = Token("cert.issue:" + type_code_ + ",cert.revoke:*");
  std::string short_lived = Token("cert.issue:*", 3600000);
  EXPECT_EQ(Call(kIssuePath, IssueBody("T1"), "", "k").status, 401);
  EXPECT_EQ(Call(kIssuePath, IssueBody("T1"), "", "k").app_code(), err::ISSUER_TOKEN_MISSING);
  EXPECT_EQ(Call(kIssuePath, IssueBody("T1"), token + "x", "k").app_code(), err::ISSUER_TOKEN_UNKNOWN);
  now_ += 3600000;
  Answer expired = Call(kIssuePath, IssueBody("T1"), short_lived, "k");
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(expired.app_code(), err::ISSUER_TOKEN_EXPIRED);
  // Scope: suspend is not granted; revoke is, for every type.
  std::string id = node_.sample_cert_id();
  Answer suspend = Call("/v1/issuer/certificates/" + id + "/suspend", R"({"reason":"check"})", token, "k");
  EXPECT_EQ(suspend.status, 403);
  EXPECT_EQ(suspend.app_code(), err::ISSUER_SCOPE_DENIED);
  std::string other_type = Token("cert.issue:" + samples::SampleOrgs()[0].code + "999");
  EXPECT_EQ(Call(kIssuePath, IssueBody("T1"), other_type, "k").app_code(), err::ISSUER_SCOPE_DENIED);
  // Revoked by the CLI: 401 from the next call on.
  auto tokens = ReadTokensFile(tokens_file_).value();
  ASSERT_TRUE(RevokeToken(tokens_file_, tokens[0].id, now_).ok());
  Answer revoked = Call(kIssuePath, IssueBody("T1"), token, "k");
  EXPECT_EQ(revoked.status, 401);
  EXPECT_EQ(revoked.app_code(), err::ISSUER_TOKEN_REVOKED);
}

TEST_F(IssuerApiTest, BadRequestsAreTyped400sAndIssueNothing) {
  std::string token = Token("cert.*:*");
  EXPECT_EQ(Call(kIssuePath, IssueBody("B1"), token, "").app_code(), err::IDEMPOTENCY_KEY_MISSING);
  EXPECT_EQ(Call(kIssuePath, IssueBody("B1"), token, std::string(129, 'k')).app_code(),
            err::IDEMPOTENCY_KEY_MALFORMED);
  EXPECT_EQ(Call(kIssuePath, IssueBody("B1"), token, "tab\there").app_code(), err::IDEMPOTENCY_KEY_MALFORMED);
  EXPECT_EQ(Call(kIssuePath, "{}", token, "k").app_code(), err::ISSUER_BODY_MALFORMED);
  EXPECT_EQ(Call(kIssuePath, IssueBody("B1"), token, "k", "wait=maybe").app_code(), err::INVALID_PARAMS);
  EXPECT_EQ(Call("/v1/issuer/certificates/x/explode", "{}", token, "k").status, 404);
  fields_["nickname"] = "x";
  Answer unknown = Call(kIssuePath, IssueBody("B1"), token, "k");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.app_code(), err::UNKNOWN_FIELD);
  fields_.erase("nickname");
  fields_.erase("name");
  EXPECT_EQ(Call(kIssuePath, IssueBody("B1"), token, "k").app_code(), err::MISSING_FIELD);
  // A batch names the row that failed.
  json::object row{
      {"holder_code_type", "citizen_id"}, {"holder_code", "510703199001011230"}, {"fields", json::object{}}};
  json::value batch = json::object{{"type_code", type_code_}, {"certificates", json::array{row}}};
  Answer bad_row = Call("/v1/issuer/certificates/batch", json::serialize(batch), token, "k");
  EXPECT_EQ(bad_row.status, 400);
  EXPECT_NE(std::string(bad_row.body.at("error").at("message").as_string()).find("certificates[0]"),
            std::string::npos);
  auto page = contracts::ListByIssuer(node_.chain().state(), samples::SampleOrgs()[0].code, "", 100);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 1u);  // only the fixture's own certificate
}

TEST_F(IssuerApiTest, BatchRevokeAndTheLogHoldsNoPersonalValue) {
  std::string token = Token("cert.*:*");
  json::array rows;
  for (const char* serial : {"BATCH1", "BATCH2", "BATCH3"}) {
    json::object fields;
    for (const auto& [n, v] : fields_) fields[n] = v;
    rows.push_back(json::object{{"holder_code_type", "citizen_id"}, {"holder_code", kHolder}, {"fields", fields},
                                {"serial", serial}});
  }
  json::value batch = json::object{{"type_code", type_code_}, {"certificates", rows}};
  Answer issued = Call("/v1/issuer/certificates/batch", json::serialize(batch), token, "batch-1", "wait=true");
  ASSERT_EQ(issued.status, 200) << json::serialize(issued.body);
  ASSERT_EQ(issued.body.at("certificates").as_array().size(), 3u);
  contracts::HolderCertificate second = CopyOf(issued.body.at("certificates").as_array()[1].at("holder_certificate"));
  Answer revoked =
      Call("/v1/issuer/certificates/" + second.id + "/revoke", R"({"reason":"issued in error"})", token, "rev-1",
           "wait=true");
  ASSERT_EQ(revoked.status, 200) << json::serialize(revoked.body);
  auto verdict = contracts::VerifyHolderCertificate(node_.chain().state(), second, node_.chain().tip().time_ms);
  ASSERT_TRUE(verdict.ok());
  EXPECT_EQ(verdict->verdict, contracts::Verdict::kInvalid);
  EXPECT_EQ(verdict->verdict_reason, "REVOKED");

  std::string log = log_->str();
  EXPECT_NE(log.find("event=issuer_call"), std::string::npos);
  EXPECT_NE(log.find("label=\"hr-system\""), std::string::npos);
  EXPECT_NE(log.find("action=cert.revoke ids=" + second.id), std::string::npos) << log;
  EXPECT_EQ(log.find(kHolder), std::string::npos) << log;
  for (const auto& [n, v] : fields_) EXPECT_EQ(log.find(v), std::string::npos) << n << " in " << log;
  EXPECT_EQ(log.find(second.holder_salt), std::string::npos);
}

TEST_F(IssuerApiTest, RenewWithChangedFieldsReturnsTheNewCopy) {
  std::string token = Token("cert.*:*");
  Answer issued = Call(kIssuePath, IssueBody("REN1"), token, "i-1", "wait=true");
  ASSERT_EQ(issued.status, 200) << json::serialize(issued.body);
  const json::value& copy_json = issued.body.at("certificates").as_array()[0].at("holder_certificate");
  contracts::HolderCertificate old_copy = CopyOf(copy_json);
  json::value body =
      json::object{{"holder_certificate", copy_json}, {"fields", json::object{{"address", "新地址"}}}};
  Answer renewed = Call("/v1/issuer/certificates/" + old_copy.id + "/renew", json::serialize(body), token, "r-1",
                        "wait=true");
  ASSERT_EQ(renewed.status, 200) << json::serialize(renewed.body);
  contracts::HolderCertificate next = CopyOf(renewed.body.at("holder_certificate"));
  EXPECT_EQ(renewed.Str("previous_id"), old_copy.id);
  EXPECT_EQ(next.id, renewed.Str("id"));
  EXPECT_NE(next.holder_salt, old_copy.holder_salt);
  auto verdict = contracts::VerifyHolderCertificate(node_.chain().state(), next, node_.chain().tip().time_ms);
  ASSERT_TRUE(verdict.ok());
  EXPECT_EQ(verdict->verdict, contracts::Verdict::kValid) << verdict->verdict_reason;
}

}  // namespace
}  // namespace civic::rpc
