// Signed RPC requests (rpc/request_auth.h): the web console's fixed vector,
// every refusal, the replay cache's window and bound, concurrent callers.
#include "rpc/request_auth.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "sharing_fixture.h"
#include "contracts/governance/calls.h"

namespace civic::sharing_testing {
namespace {

namespace json = boost::json;
using rpc::RequestAuthenticator;
using rpc::RequestAuthOptions;
using rpc::SignRequest;

constexpr int64_t kNow = 1767225600000;  // 2026-01-01T00:00:00Z

TEST(RequestAuthVectorTest, MatchesTheWebConsole) {
  // web/README.md and web/tests/unit/auth.test.js: RFC 8032 test key 1.
  auto key = crypto::KeyPair::FromSecret(crypto::Algo::kEd25519,
                                         *FromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  ASSERT_TRUE(key.ok());
  const std::string request = R"({"org":"11510700008207313A","limit":20})";
  Bytes bytes = rpc::AuthSignBytes("mianyang-1", "sharing_query", kNow, "00112233445566778899aabbccddeeff", request);
  EXPECT_EQ(bytes, std::string("civicledger/rpc-auth/v1\0mianyang-1\0sharing_query\0"
                               "1767225600000\0"
                               "00112233445566778899aabbccddeeff\0",
                               96) +
                       request);
  json::object params = SignRequest(*key, "11510700MB160296X2", "mianyang-1", "sharing_query", request, kNow,
                                    "00112233445566778899aabbccddeeff");
  EXPECT_EQ(params.at("auth").at("sig").as_string(),
            "844d56940749290d91e1ef0d73c16cb1165128ef0e050d81d7e0e40e1358b59c"
            "53f32d358a742429897e5fb4a9bea801f537b0a0f15bdbb0c46ef8d75de4fd08");
  EXPECT_EQ(params.at("auth").at("key").as_string(),
            "ed25519:d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  EXPECT_EQ(params.at("request").as_string(), request);
  // A fresh nonce is 32 lower-case hex characters.
  json::object fresh = SignRequest(*key, "x", "c", "m", "{}", kNow);
  std::string nonce(fresh.at("auth").at("nonce").as_string());
  EXPECT_EQ(nonce.size(), 32u);
  EXPECT_EQ(nonce, ToHex(*FromHex(nonce)));
}

class RequestAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RequestAuthOptions options;
    options.clock = [this] { return now.load(); };
    auth.Configure(options);
  }

  json::value Signed(size_t org, const std::string& method = "sharing_query", const std::string& request = "{}",
                     int64_t ts = kNow, std::string nonce = "") {
    return SignRequest(chain.org_keys[org], chain.code(org), "test-chain", method, request, ts, std::move(nonce));
  }
  Status Check(const json::value& params, const std::string& method = "sharing_query") {
    return auth.Authenticate("test-chain", method, params, chain.state).status();
  }

  SharingChain chain;
  RequestAuthenticator auth;
  std::atomic<int64_t> now{kNow};
};

TEST_F(RequestAuthTest, AcceptsASignedRequestOfAnAuditor) {
  auto ok =
      auth.Authenticate("test-chain", "sharing_query", Signed(kGss, "sharing_query", R"({"limit":5})"), chain.state);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->org, chain.code(kGss));
  EXPECT_EQ(ok->params.at("limit").as_int64(), 5);
  EXPECT_EQ(ok->request_text, R"({"limit":5})");
  EXPECT_EQ(auth.remembered_nonces(), 1u);
  // Any role can be required.
  EXPECT_TRUE(auth.Authenticate("test-chain", "m", Signed(kPsb, "m"), chain.state, pb::ROLE_DATA_PROVIDER).ok());
}

TEST_F(RequestAuthTest, RefusesMissingOrMalformedEnvelopes) {
  for (const char* text : {R"({})", R"([])", R"(null)", R"({"limit":5})", R"({"auth":{}})",
                           R"({"request":"{}","auth":[]})", R"({"request":{},"auth":{}})"}) {
    EXPECT_EQ(Check(json::parse(text)).app_code(), "AUTH_REQUIRED") << text;
  }
  json::value p = Signed(kGss);
  p.as_object()["auth"].as_object()["nonce"] = "00112233445566778899AABBCCDDEEFF";
  EXPECT_EQ(Check(p).app_code(), "AUTH_REQUIRED");
  p = Signed(kGss);
  p.as_object()["auth"].as_object()["timestamp_ms"] = "1767225600000";
  EXPECT_EQ(Check(p).app_code(), "AUTH_REQUIRED");
  p = Signed(kGss);
  p.as_object()["auth"].as_object().erase("org");
  EXPECT_EQ(Check(p).app_code(), "AUTH_REQUIRED");
  EXPECT_EQ(Check(p).code(), Code::kPermissionDenied);
}

TEST_F(RequestAuthTest, RefusesBadSignatures) {
  // Signed for another method, another chain, or another request text.
  EXPECT_EQ(Check(Signed(kGss, "sharing_stats")).app_code(), "AUTH_BAD_SIGNATURE");
  EXPECT_EQ(auth.Authenticate("other-chain", "sharing_query", Signed(kGss), chain.state).status().app_code(),
            "AUTH_BAD_SIGNATURE");
  json::value p = Signed(kGss, "sharing_query", R"({"limit":5})");
  p.as_object()["request"] = R"({"limit": 5})";
  EXPECT_EQ(Check(p).app_code(), "AUTH_BAD_SIGNATURE");
  p = Signed(kGss);
  p.as_object()["auth"].as_object()["sig"] = "zz";
  EXPECT_EQ(Check(p).app_code(), "AUTH_BAD_SIGNATURE");
  p = Signed(kGss);
  p.as_object()["auth"].as_object()["timestamp_ms"] = kNow + 1;  // signed bytes differ
  EXPECT_EQ(Check(p).app_code(), "AUTH_BAD_SIGNATURE");
  // A refused request does not burn its nonce.
  EXPECT_EQ(auth.remembered_nonces(), 0u);
}

TEST_F(RequestAuthTest, RefusesStaleTimestampsAndReplayedNonces) {
  EXPECT_EQ(Check(Signed(kGss, "sharing_query", "{}", kNow - 300'001)).app_code(), "AUTH_STALE_TIMESTAMP");
  EXPECT_EQ(Check(Signed(kGss, "sharing_query", "{}", kNow + 300'001)).app_code(), "AUTH_STALE_TIMESTAMP");
  EXPECT_TRUE(Check(Signed(kGss, "sharing_query", "{}", kNow - 300'000)).ok());

  json::value once = Signed(kGss);
  EXPECT_TRUE(Check(once).ok());
  EXPECT_EQ(Check(once).app_code(), "AUTH_REPLAYED_NONCE");
  // The nonce alone identifies a request: reusing it for another request is a replay too.
  std::string nonce(once.at("auth").at("nonce").as_string());
  EXPECT_EQ(Check(Signed(kGss, "sharing_stats", "{}", kNow, nonce), "sharing_stats").app_code(), "AUTH_REPLAYED_NONCE");

  // Once the timestamp is out of the window the nonce is forgotten, and a
  // replay is refused as stale.
  now = kNow + 300'001;
  EXPECT_TRUE(Check(Signed(kGss, "sharing_query", "{}", now)).ok());
  EXPECT_EQ(auth.remembered_nonces(), 1u);
  EXPECT_EQ(Check(once).app_code(), "AUTH_STALE_TIMESTAMP");
}

TEST_F(RequestAuthTest, RefusesNonAuditorsAndUnknownKeys) {
  EXPECT_EQ(Check(Signed(kPsb)).app_code(), "AUTH_NOT_AUDITOR");
  // A key that is not the named org's.
  json::value p = SignRequest(chain.org_keys[kPsb], chain.code(kGss), "test-chain", "sharing_query", "{}", kNow);
  EXPECT_EQ(Check(p).app_code(), "AUTH_UNKNOWN_KEY");
  auto stranger = crypto::KeyPair::Generate(crypto::Algo::kEd25519);
  EXPECT_EQ(Check(SignRequest(stranger, chain.code(kGss), "test-chain", "sharing_query", "{}", kNow)).app_code(),
            "AUTH_UNKNOWN_KEY");
  EXPECT_EQ(Check(SignRequest(stranger, "11510700008207313B", "test-chain", "sharing_query", "{}", kNow)).app_code(),
            "AUTH_UNKNOWN_KEY");
  p = Signed(kGss);
  p.as_object()["auth"].as_object()["key"] = "ed25519:1234";
  EXPECT_EQ(Check(p).app_code(), "AUTH_UNKNOWN_KEY");
}

TEST_F(RequestAuthTest, OtherAlgorithmsAndRevokedKeys) {
  // The auditor org gets a secp256k1 key by governance, uses it, then revokes it.
  auto second = crypto::KeyPair::Generate(crypto::Algo::kSecp256k1);
  pb::GovernanceCall add;
  add.mutable_add_key()->set_org(chain.code(kGss));
  add.mutable_add_key()->set_algo(static_cast<uint32_t>(second.public_key().algo));
  add.mutable_add_key()->set_key(second.public_key().key);
  ASSERT_EQ(chain.PassProposal(contracts::ProposeCall("add key", add)).status(), pb::PROPOSAL_EXECUTED);
  json::value p = SignRequest(second, chain.code(kGss), "test-chain", "sharing_query", "{}", kNow);
  EXPECT_TRUE(Check(p).ok()) << Check(p).ToString();

  pb::GovernanceCall revoke;
  revoke.mutable_revoke_key()->set_org(chain.code(kGss));
  revoke.mutable_revoke_key()->set_algo(static_cast<uint32_t>(second.public_key().algo));
  revoke.mutable_revoke_key()->set_key(second.public_key().key);
  ASSERT_TRUE(chain.Exec(contracts::GovernanceTx(chain.Params(kGss), revoke, chain.org_keys[kGss])).ok());
  p = SignRequest(second, chain.code(kGss), "test-chain", "sharing_query", "{}", kNow);
  EXPECT_EQ(Check(p).app_code(), "AUTH_UNKNOWN_KEY");
}

TEST_F(RequestAuthTest, TheRequestMustBeJsonParams) {
  EXPECT_EQ(Check(Signed(kGss, "sharing_query", "not json")).app_code(), "INVALID_PARAMS");
  EXPECT_EQ(Check(Signed(kGss, "sharing_query", "42")).app_code(), "INVALID_PARAMS");
}

TEST_F(RequestAuthTest, TheReplayCacheIsBounded) {
  RequestAuthOptions options;
  options.clock = [this] { return now.load(); };
  options.max_nonces = 2;
  auth.Configure(options);
  EXPECT_TRUE(Check(Signed(kGss)).ok());
  EXPECT_TRUE(Check(Signed(kGss)).ok());
  Status full = Check(Signed(kGss));
  EXPECT_EQ(full.app_code(), "AUTH_BUSY");
  EXPECT_EQ(full.code(), Code::kResourceExhausted);
  now = kNow + 300'001;  // the first two are forgotten
  EXPECT_TRUE(Check(Signed(kGss, "sharing_query", "{}", now)).ok());
}

TEST_F(RequestAuthTest, ConcurrentCallersGetEachNonceAcceptedOnce) {
  constexpr int kThreads = 8, kPerThread = 50;
  std::vector<json::value> requests;
  for (int i = 0; i < kThreads * kPerThread / 2; ++i) requests.push_back(Signed(kGss));
  std::atomic<int> accepted{0}, replayed{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Every request is sent by two threads.
      for (int i = 0; i < kPerThread; ++i) {
        const json::value& p = requests[static_cast<size_t>((t / 2) * kPerThread + i) % requests.size()];
        Status st = auth.Authenticate("test-chain", "sharing_query", p, chain.state).status();
        if (st.ok()) {
          ++accepted;
        } else if (st.app_code() == "AUTH_REPLAYED_NONCE") {
          ++replayed;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(accepted.load(), static_cast<int>(requests.size()));
  EXPECT_EQ(replayed.load(), kThreads * kPerThread - static_cast<int>(requests.size()));
  EXPECT_EQ(other.load(), 0);
}

}  // namespace
}  // namespace civic::sharing_testing
