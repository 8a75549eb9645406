// Bad input against a live node: each gets its typed error, nothing changes, and
// the node keeps serving (healthz ok, blocks go on, valid txs still commit).
#include <gtest/gtest.h>

#include <thread>

#include "tests/integration/civicd_harness.h"

namespace civic::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class BadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    files_ = new NodeFiles(WriteNodeFiles("it-bad-input-1", [](node::Config* c) {
      c->rpc.max_body_bytes = 1 << 20;
      c->consensus.block_interval_ms = 100;
    }));
    proc_ = new CivicdProcess(files_);
    proc_->Start();
    healthy_ = proc_->WaitHealthy();
  }
  static void TearDownTestSuite() {
    if (proc_->running()) {
      EXPECT_EQ(proc_->Terminate(), 0);
    }
    delete proc_;
    delete files_;
  }
  void SetUp() override {
    ASSERT_TRUE(healthy_) << proc_->LogTail();
    client_ = std::make_unique<rpc::Client>(proc_->NewClient());
    issuer_ = FindIssuer(files_->net);
  }
  void TearDown() override {
    // Whatever the test sent, the node still serves.
    auto health = proc_->NewClient().Get("/healthz");
    EXPECT_TRUE(health.ok() && health->status == 200) << proc_->LogTail();
    if (HasFailure()) std::cerr << "---- civicd log (tail) ----\n" << proc_->LogTail() << "\n";
  }

  uint64_t Height() {
    auto h = ChainHeight(*client_);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? *h : 0;
  }
  Bytes ValidTx(uint64_t n) { return MakeIssueTx(files_->net, issuer_, 1, n, Height() + 100, nullptr, true); }
  // tx_submit that must fail with `app_code`.
  void ExpectRefused(const Bytes& raw, std::string_view app_code) {
    auto r = TxSubmit(*client_, raw);
    ASSERT_FALSE(r.ok()) << "expected " << app_code;
    EXPECT_EQ(r.status().app_code(), app_code) << r.status().ToString();
  }
  // A raw POST /rpc; the parsed JSON answer.
  json::value Post(std::string body, int expect_http = 200) {
    auto r = client_->Request("POST", "/rpc", std::move(body));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return {};
    EXPECT_EQ(r->status, expect_http) << r->body;
    boost::system::error_code ec;
    json::value v = json::parse(r->body, ec);
    EXPECT_FALSE(ec) << r->body;
    return v;
  }

  static NodeFiles* files_;
  static CivicdProcess* proc_;
  static bool healthy_;
  std::unique_ptr<rpc::Client> client_;
  Issuer issuer_;
};

NodeFiles* BadInputTest::files_ = nullptr;
CivicdProcess* BadInputTest::proc_ = nullptr;
bool BadInputTest::healthy_ = false;

TEST_F(BadInputTest, MalformedJson) {
  json::value v = Post("{\"jsonrpc\":\"2.0\",\"method\":");
  EXPECT_EQ(v.at("error").at("code").as_int64(), -32700) << json::serialize(v);
  json::value empty_batch = Post("[]");
  EXPECT_EQ(empty_batch.at("error").at("code").as_int64(), -32600) << json::serialize(empty_batch);
  json::value not_request = Post("[1, \"x\"]");
  ASSERT_TRUE(not_request.is_array()) << json::serialize(not_request);
  EXPECT_EQ(not_request.as_array().at(0).at("error").at("code").as_int64(), -32600);
}

TEST_F(BadInputTest, WrongTypesAndUnknownMethod) {
  auto wrong = client_->Call("tx_submit", json::object{{"tx", 5}});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), Code::kInvalidArgument) << wrong.status().ToString();
  auto height = client_->Call("chain_getBlock", json::object{{"height", "abc"}});
  ASSERT_FALSE(height.ok());
  EXPECT_EQ(height.status().code(), Code::kInvalidArgument) << height.status().ToString();
  auto unknown = client_->Call("no_such_method");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().app_code(), "METHOD_NOT_FOUND") << unknown.status().ToString();
  auto not_hex = client_->Call("tx_submit", json::object{{"tx", "zz-not-hex-or-base64!"}});
  ASSERT_FALSE(not_hex.ok());
  EXPECT_EQ(not_hex.status().code(), Code::kInvalidArgument) << not_hex.status().ToString();
  ExpectRefused("\x01\x02garbage bytes", "TX_MALFORMED");
}

TEST_F(BadInputTest, OversizedBody) {
  auto r = client_->Request("POST", "/rpc", std::string(2 << 20, ' '));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
}

TEST_F(BadInputTest, BadSignatureAndWrongChain) {
  pb::SignedTx stx;
  ASSERT_TRUE(stx.ParseFromString(ValidTx(1)));
  std::string sig = stx.sig().sig();
  sig[10] ^= 0x40;
  stx.mutable_sig()->set_sig(sig);
  ExpectRefused(stx.SerializeAsString(), "BAD_SIGNATURE");

  SampleNetwork other = files_->net;
  other.chain_id = "some-other-chain";
  ExpectRefused(MakeIssueTx(other, issuer_, 1, 2, Height() + 100), "WRONG_CHAIN_ID");
}

TEST_F(BadInputTest, ExpiredAndTooFarValidUntil) {
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (Height() < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
  ASSERT_GE(Height(), 2u);
  ExpectRefused(MakeIssueTx(files_->net, issuer_, 1, 3, 1), "TX_EXPIRED");
  ExpectRefused(MakeIssueTx(files_->net, issuer_, 1, 4, Height() + 100000), "TX_VALID_UNTIL_TOO_FAR");
}

TEST_F(BadInputTest, Duplicates) {
  Bytes raw = ValidTx(10);
  auto first = TxCommit(*client_, raw);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ExpectRefused(raw, "TX_ALREADY_COMMITTED");

  // The same new tx twice in one batch: the second is a duplicate, whether the
  // first is still waiting or already committed.
  Bytes twice = ValidTx(11);
  auto batch = client_->CallBatch({{"tx_submit", json::object{{"tx", ToHex(twice)}}},
                                   {"tx_submit", json::object{{"tx", ToHex(twice)}}}});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->size(), 2u);
  int admitted = 0;
  for (const auto& r : *batch) {
    if (r.ok()) {
      ++admitted;
    } else {
      EXPECT_TRUE(r.status().app_code() == "TX_IN_MEMPOOL" || r.status().app_code() == "TX_ALREADY_COMMITTED")
          << r.status().ToString();
    }
  }
  EXPECT_EQ(admitted, 1);
}

TEST_F(BadInputTest, OrgWithoutRoleAndKeyNotAdmitted) {
  Issuer outsider = FindNonIssuer(files_->net, issuer_);
  auto r = TxSubmit(*client_, MakeIssueTx(files_->net, outsider, 1, 20, Height() + 100));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().app_code(), "NOT_ISSUER") << r.status().ToString();
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);

  crypto::KeyPair stranger = crypto::KeyPair::Generate(crypto::Algo::kEd25519);
  Issuer impostor = issuer_;
  impostor.key = &stranger;
  auto k = TxSubmit(*client_, MakeIssueTx(files_->net, impostor, 1, 21, Height() + 100));
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().app_code(), "KEY_NOT_ADMITTED") << k.status().ToString();
}

TEST_F(BadInputTest, NodeKeepsServingAfterAll) {
  uint64_t before = Height();
  // A burst of garbage, then a valid tx.
  for (int i = 0; i < 50; ++i) {
    (void)client_->Request("POST", "/rpc", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tx_submit\",\"params\":{\"tx\":\"00ff\"}}");
  }
  std::vector<contracts::HolderCertificate> copies;
  auto ok = TxCommit(*client_, MakeIssueTx(files_->net, issuer_, 3, 30, Height() + 100, &copies, true));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->ok) << ok->app_code;
  EXPECT_GT(Height(), before);
  auto cert = client_->Call("cert_get", json::object{{"id", copies[2].id}});
  EXPECT_TRUE(cert.ok()) << cert.status().ToString();
  auto metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("civic_tx_rejections_total{app_code=\"TX_MALFORMED\"}"), std::string::npos)
      << metrics->body.substr(0, 2000);
}

}  // namespace
}  // namespace civic::testing
