#include "node/webhooks.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "contracts/certificate/calls.h"
#include "crypto/hash.h"
#include "node/errors.h"
#include "tests/unit/rpc/chain_fixture.h"

namespace civic::node {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using rpc::testing::FakeNode;

// Records every attempt; answers with `status` (settable).
struct FakeReceiver {
  std::mutex mu;
  std::vector<WebhookRequest> attempts;
  int status = 200;

  WebhookPoster Poster() {
    return [this](const WebhookRequest& req) -> Result<int> {
      std::lock_guard<std::mutex> lock(mu);
      attempts.push_back(req);
      if (status == 0) return Status::Unavailable("CONNECTION_REFUSED", "down");
      return status;
    };
  }
  std::vector<WebhookRequest> Delivered() {
    std::lock_guard<std::mutex> lock(mu);
    return attempts;
  }
  void SetStatus(int s) {
    std::lock_guard<std::mutex> lock(mu);
    status = s;
  }
};

std::string Header(const WebhookRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class WebhooksTest : public ::testing::Test {
 protected:
  FakeNode node{FakeNode::Mode::kSample};
  std::string id = node.sample_cert_id();
  fs::path dir = fs::temp_directory_path() / ("civic-webhooks-" + std::to_string(::getpid()) + "-" +
                                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  FakeReceiver receiver;
  int nonce = 0;

  void SetUp() override { fs::remove_all(dir); }
  void TearDown() override { fs::remove_all(dir); }

  WebhookOptions Options(std::vector<std::string> issuers = {}) {
    WebhookOptions o;
    o.targets = {"http://127.0.0.1:9/hook"};
    o.secret = std::string(32, 'k');
    o.issuers = std::move(issuers);
    o.chain_id = "test-chain";
    o.cursor_dir = dir.string();
    o.min_backoff = std::chrono::milliseconds(10);
    o.max_backoff = std::chrono::milliseconds(40);
    o.now_ms = [] { return int64_t{1767225600000}; };
    return o;
  }
  void Commit(const pb::CertificateCall& call) {
    Bytes raw = contracts::CertificateTx(node.SampleTxParams("n" + std::to_string(++nonce)), call, node.org_keys()[0]);
    ASSERT_TRUE(node.SubmitTx(raw).ok());
    node.CommitPending();
  }
  // Waits (bounded) until `n` deliveries were acknowledged.
  static bool Await(const Webhooks& hooks, uint64_t n) {
    for (int i = 0; i < 500 && hooks.delivered() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return hooks.delivered() >= n;
  }
};

TEST(WebhookSignatureTest, HmacIsRfc4231AndTheSignatureCoversTimestampAndBody) {
  // RFC 4231 test case 2.
  EXPECT_EQ(ToHex(crypto::HmacSha256("Jefe", {"what do ya ", "want for nothing?"})),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  Bytes secret(32, 's');
  std::string sig = WebhookSignature(secret, 1767225600000, "{}");
  EXPECT_EQ(sig, "v1=" + ToHex(crypto::HmacSha256(secret, {"1767225600000.{}"})));
  EXPECT_NE(sig, WebhookSignature(secret, 1767225600001, "{}"));
  EXPECT_NE(sig, WebhookSignature(secret, 1767225600000, "{ }"));
}

TEST_F(WebhooksTest, DeliversEachStatusChangeSignedAndInOrder) {
  Webhooks hooks(Options(), &node.chain(), receiver.Poster());
  ASSERT_TRUE(hooks.Start().ok());
  Commit(contracts::SuspendCall(id, "核查"));
  hooks.OnBlockCommitted();
  Commit(contracts::ReinstateCall(id, "核查完毕"));
  hooks.OnBlockCommitted();
  ASSERT_TRUE(Await(hooks, 2));
  hooks.Stop();
  auto got = receiver.Delivered();
  ASSERT_EQ(got.size(), 2u);
  std::vector<std::string> statuses;
  for (const WebhookRequest& r : got) {
    EXPECT_EQ(r.url, "http://127.0.0.1:9/hook");
    json::value body = json::parse(r.body);
    EXPECT_EQ(Header(r, "X-Civic-Delivery"), body.at("delivery").as_string());
    EXPECT_EQ(Header(r, "X-Civic-Timestamp"), "1767225600000");
    EXPECT_EQ(Header(r, "X-Civic-Signature"), WebhookSignature(std::string(32, 'k'), 1767225600000, r.body));
    EXPECT_EQ(body.at("event").at("id").as_string(), id);
    statuses.emplace_back(body.at("event").at("status").as_string());
  }
  EXPECT_EQ(statuses, (std::vector<std::string>{"suspended", "active"}));
  EXPECT_EQ(hooks.cursor(0), node.chain().tip().height);
}

TEST_F(WebhooksTest, RetriesTheSameDeliveryUntilAcknowledged) {
  receiver.SetStatus(503);
  Webhooks hooks(Options(), &node.chain(), receiver.Poster());
  ASSERT_TRUE(hooks.Start().ok());
  uint64_t before = node.chain().tip().height;
  Commit(contracts::SuspendCall(id, "核查"));
  hooks.OnBlockCommitted();
  for (int i = 0; i < 500 && hooks.failed_attempts() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_GE(hooks.failed_attempts(), 3u);
  EXPECT_EQ(hooks.cursor(0), before);  // not acknowledged: the cursor holds
  receiver.SetStatus(0);                // connection refused counts as a failure too
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  receiver.SetStatus(204);
  ASSERT_TRUE(Await(hooks, 1));
  hooks.Stop();
  auto got = receiver.Delivered();
  ASSERT_GE(got.size(), 4u);
  for (const WebhookRequest& r : got) EXPECT_EQ(Header(r, "X-Civic-Delivery"), Header(got[0], "X-Civic-Delivery"));
  EXPECT_EQ(hooks.cursor(0), before + 1);
}

TEST_F(WebhooksTest, CatchesUpAfterARestartWithoutRepeatingAcknowledgedOnes) {
  {
    Webhooks hooks(Options(), &node.chain(), receiver.Poster());
    ASSERT_TRUE(hooks.Start().ok());
    Commit(contracts::SuspendCall(id, "one"));
    hooks.OnBlockCommitted();
    ASSERT_TRUE(Await(hooks, 1));
  }
  // While the node is down for webhooks, two more changes are committed.
  Commit(contracts::ReinstateCall(id, "two"));
  Commit(contracts::RevokeCall(id, "three"));
  Webhooks again(Options(), &node.chain(), receiver.Poster());
  ASSERT_TRUE(again.Start().ok());
  ASSERT_TRUE(Await(again, 2));
  again.Stop();
  std::vector<std::string> reasons;
  for (const WebhookRequest& r : receiver.Delivered()) {
    reasons.emplace_back(json::parse(r.body).at("event").at("event").at("reason").as_string());
  }
  EXPECT_EQ(reasons, (std::vector<std::string>{"one", "two", "three"}));
}

TEST_F(WebhooksTest, ANewTargetStartsAtTheTipAndIssuersFilter) {
  Commit(contracts::SuspendCall(id, "before the target existed"));
  Webhooks hooks(Options({"91510703MA6ATB0F16"}), &node.chain(), receiver.Poster());  // another issuer only
  ASSERT_TRUE(hooks.Start().ok());
  Commit(contracts::ReinstateCall(id, "after"));
  hooks.OnBlockCommitted();
  for (int i = 0; i < 200 && hooks.cursor(0) < node.chain().tip().height; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  hooks.Stop();
  EXPECT_EQ(hooks.cursor(0), node.chain().tip().height);
  EXPECT_TRUE(receiver.Delivered().empty());
}

TEST_F(WebhooksTest, ACorruptCursorIsATypedError) {
  fs::create_directories(dir);
  Webhooks probe(Options(), &node.chain(), receiver.Poster());
  ASSERT_TRUE(probe.Start().ok());
  probe.Stop();
  for (const auto& entry : fs::directory_iterator(dir)) std::ofstream(entry.path()) << "not a height";
  Webhooks hooks(Options(), &node.chain(), receiver.Poster());
  Status st = hooks.Start();
  EXPECT_EQ(st.app_code(), "CORRUPTION") << st.ToString();
}

TEST_F(WebhooksTest, SecretFileChecks) {
  fs::create_directories(dir);
  std::string path = (dir / "secret").string();
  EXPECT_EQ(ReadWebhookSecret(path).status().app_code(), err::WEBHOOK_SECRET_INVALID);
  std::ofstream(path) << std::string(40, 'x') << "\n";
  ::chmod(path.c_str(), 0644);
  EXPECT_EQ(ReadWebhookSecret(path).status().app_code(), err::WEBHOOK_SECRET_INVALID);
  ::chmod(path.c_str(), 0600);
  auto secret = ReadWebhookSecret(path);
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  EXPECT_EQ(*secret, std::string(40, 'x'));
  std::ofstream(path) << "short";
  EXPECT_EQ(ReadWebhookSecret(path).status().app_code(), err::WEBHOOK_SECRET_INVALID);
}

}  // namespace
}  // namespace civic::node
