// Signed RPC requests (rpc/request_auth.h): the web console's fixed vector,
// every refusal, the replay cache's window and bounds, the audience (another
// node), the durable nonce file (a restart), concurrent callers.
#include "rpc/request_auth.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
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
constexpr int64_t kWindow = 60'000;       // the default window
const char* const kNodeA = "ed25519:aa00000000000000000000000000000000000000000000000000000000000001";
const char* const kNodeB = "ed25519:bb00000000000000000000000000000000000000000000000000000000000002";

// web/tests/unit/auth.test.js signs the same bytes to the same signature.
const char* const kWebVectorSig = "9532d85d0862c66e9c8aa71177781f668d6c4136ab376503ba2ae6a87fa6f0a3b2e5c2bf21984f70022cd78828a833d1d941ad546ca2d30e3458be1f144cd20c";

TEST(RequestAuthVectorTest, MatchesTheWebConsole) {
  // web/README.md and web/tests/unit/auth.test.js: RFC 8032 test key 1.
  auto key = crypto::KeyPair::FromSecret(crypto::Algo::kEd25519,
                                         *FromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  ASSERT_TRUE(key.ok());
  const std::string request = R"({"org":"11510700008207313A","limit":20})";
  const std::string audience = "ed25519:3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29";
  Bytes bytes =
      rpc::AuthSignBytes("mianyang-1", audience, "sharing_query", kNow, "00112233445566778899aabbccddeeff", request);
  EXPECT_EQ(bytes, std::string("civicledger/rpc-auth/v2\0mianyang-1\0", 35) + audience +
                       std::string("\0sharing_query\0"
                                   "1767225600000\0"
                                   "00112233445566778899aabbccddeeff\0",
                                   62) +
                       request);
  json::object params = SignRequest(*key, "11510700MB160296X2", "mianyang-1", audience, "sharing_query", request, kNow,
                                    "00112233445566778899aabbccddeeff");
  EXPECT_EQ(params.at("auth").at("sig").as_string(), kWebVectorSig);
  EXPECT_EQ(params.at("auth").at("version").as_int64(), 2);
  EXPECT_EQ(params.at("auth").at("audience").as_string(), audience);
  EXPECT_EQ(params.at("auth").at("key").as_string(),
            "ed25519:d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  EXPECT_EQ(params.at("request").as_string(), request);
  // A fresh nonce is 32 lower-case hex characters.
  json::object fresh = SignRequest(*key, "x", "c", "n", "m", "{}", kNow);
  std::string nonce(fresh.at("auth").at("nonce").as_string());
  EXPECT_EQ(nonce.size(), 32u);
  EXPECT_EQ(nonce, ToHex(*FromHex(nonce)));
}

class RequestAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(auth.Configure(Options()).ok());
  }
  RequestAuthOptions Options(const std::string& audience = kNodeA) {
    RequestAuthOptions options;
    options.audience = audience;
    options.clock = [this] { return now.load(); };
    return options;
  }

  json::value Signed(size_t org, const std::string& method = "sharing_query", const std::string& request = "{}",
                     int64_t ts = kNow, std::string nonce = "", const std::string& audience = kNodeA) {
    return SignRequest(chain.org_keys[org], chain.code(org), "test-chain", audience, method, request, ts,
                       std::move(nonce));
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
  EXPECT_EQ(RequestAuthOptions{}.max_clock_skew, std::chrono::milliseconds(kWindow));
  // Expired and future-dated.
  EXPECT_EQ(Check(Signed(kGss, "sharing_query", "{}", kNow - kWindow - 1)).app_code(), "AUTH_STALE_TIMESTAMP");
  EXPECT_EQ(Check(Signed(kGss, "sharing_query", "{}", kNow + kWindow + 1)).app_code(), "AUTH_STALE_TIMESTAMP");
  EXPECT_TRUE(Check(Signed(kGss, "sharing_query", "{}", kNow - kWindow)).ok());

  json::value once = Signed(kGss);
  EXPECT_TRUE(Check(once).ok());
  EXPECT_EQ(Check(once).app_code(), "AUTH_REPLAYED_NONCE");
  // The nonce alone identifies a request: reusing it for another request is a replay too.
  std::string nonce(once.at("auth").at("nonce").as_string());
  EXPECT_EQ(Check(Signed(kGss, "sharing_stats", "{}", kNow, nonce), "sharing_stats").app_code(), "AUTH_REPLAYED_NONCE");

  // Once the timestamp is out of the window the nonce is forgotten, and a
  // replay is refused as stale.
  now = kNow + kWindow + 1;
  EXPECT_TRUE(Check(Signed(kGss, "sharing_query", "{}", now)).ok());
  EXPECT_EQ(auth.remembered_nonces(), 1u);
  EXPECT_EQ(Check(once).app_code(), "AUTH_STALE_TIMESTAMP");
}

TEST_F(RequestAuthTest, RefusesNonAuditorsAndUnknownKeys) {
  EXPECT_EQ(Check(Signed(kPsb)).app_code(), "AUTH_NOT_AUDITOR");
  // A key that is not the named org's.
  json::value p = SignRequest(chain.org_keys[kPsb], chain.code(kGss), "test-chain", kNodeA, "sharing_query", "{}", kNow);
  EXPECT_EQ(Check(p).app_code(), "AUTH_UNKNOWN_KEY");
  auto stranger = crypto::KeyPair::Generate(crypto::Algo::kEd25519);
  EXPECT_EQ(Check(SignRequest(stranger, chain.code(kGss), "test-chain", kNodeA, "sharing_query", "{}", kNow)).app_code(),
            "AUTH_UNKNOWN_KEY");
  EXPECT_EQ(Check(SignRequest(stranger, "11510700008207313B", "test-chain", kNodeA, "sharing_query", "{}", kNow)).app_code(),
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
  json::value p = SignRequest(second, chain.code(kGss), "test-chain", kNodeA, "sharing_query", "{}", kNow);
  EXPECT_TRUE(Check(p).ok()) << Check(p).ToString();

  pb::GovernanceCall revoke;
  revoke.mutable_revoke_key()->set_org(chain.code(kGss));
  revoke.mutable_revoke_key()->set_algo(static_cast<uint32_t>(second.public_key().algo));
  revoke.mutable_revoke_key()->set_key(second.public_key().key);
  ASSERT_TRUE(chain.Exec(contracts::GovernanceTx(chain.Params(kGss), revoke, chain.org_keys[kGss])).ok());
  p = SignRequest(second, chain.code(kGss), "test-chain", kNodeA, "sharing_query", "{}", kNow);
  EXPECT_EQ(Check(p).app_code(), "AUTH_UNKNOWN_KEY");
}

TEST_F(RequestAuthTest, TheRequestMustBeJsonParams) {
  EXPECT_EQ(Check(Signed(kGss, "sharing_query", "not json")).app_code(), "INVALID_PARAMS");
  EXPECT_EQ(Check(Signed(kGss, "sharing_query", "42")).app_code(), "INVALID_PARAMS");
}

TEST_F(RequestAuthTest, TheReplayCacheIsBounded) {
  RequestAuthOptions options = Options();
  options.max_nonces = 2;
  ASSERT_TRUE(auth.Configure(options).ok());
  EXPECT_TRUE(Check(Signed(kGss)).ok());
  EXPECT_TRUE(Check(Signed(kGss)).ok());
  Status full = Check(Signed(kGss));
  EXPECT_EQ(full.app_code(), "AUTH_BUSY");
  EXPECT_EQ(full.code(), Code::kResourceExhausted);
  now = kNow + kWindow + 1;  // the first two are forgotten
  EXPECT_TRUE(Check(Signed(kGss, "sharing_query", "{}", now)).ok());
}

TEST_F(RequestAuthTest, OneOrgCannotFillTheCache) {
  RequestAuthOptions options = Options();
  options.max_nonces_per_org = 2;
  ASSERT_TRUE(auth.Configure(options).ok());
  EXPECT_TRUE(Check(Signed(kGss)).ok());
  EXPECT_TRUE(Check(Signed(kGss)).ok());
  Status full = Check(Signed(kGss));
  EXPECT_EQ(full.app_code(), "AUTH_BUSY");
  EXPECT_NE(full.message().find(chain.code(kGss)), std::string::npos) << full.message();
  // Another org is not held back.
  EXPECT_TRUE(auth.Authenticate("test-chain", "m", Signed(kPsb, "m"), chain.state, pb::ROLE_DATA_PROVIDER).ok());
}

TEST_F(RequestAuthTest, ARequestIsBoundToItsNode) {
  // Accepted by node A, the same bytes are refused by node B (and by a node
  // that knows no name for itself).
  json::value for_a = Signed(kGss);
  ASSERT_TRUE(Check(for_a).ok());
  RequestAuthenticator node_b(Options(kNodeB));
  EXPECT_EQ(node_b.Authenticate("test-chain", "sharing_query", for_a, chain.state).status().app_code(),
            "AUTH_WRONG_AUDIENCE");
  RequestAuthenticator unnamed(Options(""));
  EXPECT_EQ(unnamed.Authenticate("test-chain", "sharing_query", Signed(kGss), chain.state).status().app_code(),
            "AUTH_WRONG_AUDIENCE");
  // Claiming node B's name in the envelope while the signature covers node A's
  // does not verify at B.
  json::value relabelled = Signed(kGss);
  relabelled.as_object()["auth"].as_object()["audience"] = kNodeB;
  EXPECT_EQ(node_b.Authenticate("test-chain", "sharing_query", relabelled, chain.state).status().app_code(),
            "AUTH_BAD_SIGNATURE");
  // Signed for B, it is answered there once.
  json::value for_b = Signed(kGss, "sharing_query", "{}", kNow, "", kNodeB);
  EXPECT_EQ(Check(for_b).app_code(), "AUTH_WRONG_AUDIENCE");
  EXPECT_TRUE(node_b.Authenticate("test-chain", "sharing_query", for_b, chain.state).ok());
  EXPECT_EQ(node_b.Authenticate("test-chain", "sharing_query", for_b, chain.state).status().app_code(),
            "AUTH_REPLAYED_NONCE");
  // Another chain id is another signed message.
  EXPECT_EQ(auth.Authenticate("other-chain", "sharing_query", Signed(kGss), chain.state).status().app_code(),
            "AUTH_BAD_SIGNATURE");
}

TEST_F(RequestAuthTest, VersionOneRequestsAreRefused) {
  // The v1 envelope: no version, no audience, the v1 bytes signed.
  const std::string nonce = "00112233445566778899aabbccddeeff";
  Bytes v1 = std::string("civicledger/rpc-auth/v1\0test-chain\0sharing_query\0", 50) + std::to_string(kNow) +
             std::string("\0", 1) + nonce + std::string("\0{}", 3);
  json::object auth_v1{{"org", chain.code(kGss)},
                       {"key", chain.org_keys[kGss].public_key().ToString()},
                       {"timestamp_ms", kNow},
                       {"nonce", nonce},
                       {"sig", ToHex(chain.org_keys[kGss].Sign(v1))}};
  Status st = Check(json::object{{"request", "{}"}, {"auth", auth_v1}});
  EXPECT_EQ(st.app_code(), "AUTH_OLD_VERSION");
  EXPECT_EQ(st.code(), Code::kPermissionDenied);
  EXPECT_NE(st.message().find("node_id"), std::string::npos) << st.message();
  json::value p = Signed(kGss);
  p.as_object()["auth"].as_object()["version"] = 1;
  EXPECT_EQ(Check(p).app_code(), "AUTH_OLD_VERSION");
  p.as_object()["auth"].as_object()["version"] = "2";
  EXPECT_EQ(Check(p).app_code(), "AUTH_OLD_VERSION");
  p = Signed(kGss);
  p.as_object()["auth"].as_object().erase("audience");
  EXPECT_EQ(Check(p).app_code(), "AUTH_REQUIRED");
  EXPECT_EQ(auth.remembered_nonces(), 0u);
}

class RequestAuthRestartTest : public RequestAuthTest {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("civic-nonces-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    file_ = (dir_ / "rpc_auth_nonces").string();
    ASSERT_TRUE(auth.Configure(Durable()).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  RequestAuthOptions Durable() {
    RequestAuthOptions options = Options();
    options.nonce_file = file_;
    return options;
  }
  size_t Lines() {
    std::ifstream in(file_);
    size_t n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
  }

  std::filesystem::path dir_;
  std::string file_;
};

TEST_F(RequestAuthRestartTest, ARestartDoesNotReopenReplays) {
  json::value once = Signed(kGss);
  ASSERT_TRUE(Check(once).ok());
  EXPECT_EQ(std::filesystem::status(file_).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  // The node restarts: a new authenticator on the same file.
  RequestAuthenticator restarted;
  ASSERT_TRUE(restarted.Configure(Durable()).ok());
  EXPECT_EQ(restarted.remembered_nonces(), 1u);
  EXPECT_EQ(restarted.Authenticate("test-chain", "sharing_query", once, chain.state).status().app_code(),
            "AUTH_REPLAYED_NONCE");
  EXPECT_TRUE(restarted.Authenticate("test-chain", "sharing_query", Signed(kGss), chain.state).ok());
  // Without the file the replay would have passed.
  RequestAuthenticator amnesiac(Options());
  EXPECT_TRUE(amnesiac.Authenticate("test-chain", "sharing_query", once, chain.state).ok());
}

TEST_F(RequestAuthRestartTest, TheFileIsPrunedPastTheWindowAndToleratesATornTail) {
  ASSERT_TRUE(Check(Signed(kGss)).ok());
  ASSERT_TRUE(Check(Signed(kGss)).ok());
  EXPECT_EQ(Lines(), 2u);
  // A crash mid-append leaves a partial line; it is skipped.
  std::ofstream(file_, std::ios::app) << "1767225660000 3131 0011";
  now = kNow + 1000;
  json::value later = Signed(kGss, "sharing_query", "{}", now);
  RequestAuthenticator restarted;
  ASSERT_TRUE(restarted.Configure(Durable()).ok());
  EXPECT_EQ(restarted.remembered_nonces(), 2u);
  EXPECT_EQ(Lines(), 2u);
  ASSERT_TRUE(restarted.Authenticate("test-chain", "sharing_query", later, chain.state).ok());
  // Past the window of the first two, a restart keeps only the third.
  now = kNow + kWindow + 1;
  RequestAuthenticator again;
  ASSERT_TRUE(again.Configure(Durable()).ok());
  EXPECT_EQ(again.remembered_nonces(), 1u);
  EXPECT_EQ(Lines(), 1u);
  EXPECT_EQ(again.Authenticate("test-chain", "sharing_query", later, chain.state).status().app_code(),
            "AUTH_REPLAYED_NONCE");
}

TEST_F(RequestAuthRestartTest, AnUnusableFileIsATypedError) {
  RequestAuthOptions options = Options();
  options.nonce_file = (dir_ / "missing-folder" / "nonces").string();
  RequestAuthenticator other;
  Status st = other.Configure(options);
  EXPECT_EQ(st.app_code(), "AUTH_NONCE_LOG");
  EXPECT_EQ(st.code(), Code::kUnavailable);
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
