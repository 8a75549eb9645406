// cert_proof, state_proof and light_headers on the sample chain: answers verify
// with the light library from the genesis alone (the certificate valid, an
// unknown id proven absent), the REST route maps to cert_proof, and bad input
// gets its typed error.
#include <gtest/gtest.h>

#include <future>

#include "chain_fixture.h"
#include "crypto/base/bytes.h"
#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "light/cert_verdict.h"
#include "light/errors.h"
#include "rpc/error_codes.h"
#include "rpc/jsonrpc.h"
#include "rpc/rest_routes.h"

namespace civic::rpc {
namespace {

using testing::FakeNode;

class ProofMethodsTest : public ::testing::Test {
 protected:
  ProofMethodsTest() : node_(FakeNode::Mode::kSample), dispatcher_(&methods_, 100) {
    RegisterAllMethods(&methods_);
    node_.CommitPending();  // the newest provable state is the one before the tip's
  }

  Result<json::value> Call(std::string_view method, json::value params) {
    auto promise = std::make_shared<std::promise<Result<json::value>>>();
    auto future = promise->get_future();
    CallContext ctx{&node_, "127.0.0.1", &methods_};
    dispatcher_.Call(method, params, ctx, [promise](Result<json::value> r) { promise->set_value(std::move(r)); });
    return future.get();
  }
  template <typename M>
  M Decode(const json::value& answer) {
    M out;
    auto bytes = Base64UrlDecode(std::string_view(answer.at("proto").as_string()));
    EXPECT_TRUE(bytes && out.ParseFromString(*bytes));
    return out;
  }
  light::TrustedState Root() {
    const contracts::Genesis& g = node_.genesis();
    return light::TrustGenesis(g.chain_id, g.genesis_time_ms, g.validators).value();
  }

  FakeNode node_;
  MethodTable methods_;
  Dispatcher dispatcher_;
};

TEST_F(ProofMethodsTest, CertProofVerifiesFromTheGenesisAlone) {
  const std::string id = node_.sample_cert_id();
  auto answer = Call("cert_proof", json::object{{"id", id}});
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  auto proof = Decode<pb::LightProof>(answer->at("proof"));
  auto proven = light::VerifyProof(Root(), light::VerifyOptions{}, proof);
  ASSERT_TRUE(proven.ok()) << proven.status().ToString();
  auto verdict = light::DecideCertificate(*proven, id, proven->proven_until_ms);
  ASSERT_TRUE(verdict.ok());
  EXPECT_TRUE(verdict->valid) << verdict->invalid_reason;

  // The JSON's hex members are the proto's bytes.
  EXPECT_EQ(answer->at("proof").at("block").at("header_bytes").as_string(), ToHex(proof.block().header()));
  EXPECT_EQ(answer->at("proof").at("entries").at(0).at("value").as_string(), ToHex(proof.entries(0).value()));
}

TEST_F(ProofMethodsTest, UnknownCertificateIsProvenAbsent) {
  const std::string unknown =
      contracts::MakeCertId("11510700008207313A001", "11510700008207313A", "0000000777", 1).value();
  ASSERT_NE(unknown, node_.sample_cert_id());
  auto answer = Call("cert_proof", json::object{{"id", unknown}});
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  auto proven = light::VerifyProof(Root(), light::VerifyOptions{}, Decode<pb::LightProof>(answer->at("proof")));
  ASSERT_TRUE(proven.ok()) << proven.status().ToString();
  auto verdict = light::DecideCertificate(*proven, unknown, proven->proven_until_ms);
  ASSERT_TRUE(verdict.ok());
  EXPECT_FALSE(verdict->exists);
  EXPECT_EQ(verdict->invalid_reason, "CERT_NOT_FOUND");
}

TEST_F(ProofMethodsTest, StateProofOfPublicKeysOnly) {
  auto answer = Call("state_proof", json::object{{"key", "gov/params"}});
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  auto proven = light::VerifyProof(Root(), light::VerifyOptions{}, Decode<pb::LightProof>(answer->at("proof")));
  ASSERT_TRUE(proven.ok()) << proven.status().ToString();
  EXPECT_TRUE(proven->entries[0].exists);

  EXPECT_EQ(Call("state_proof", json::object{{"key", "credit/e/x"}}).status().app_code(), err::PROOF_KEY_NOT_PUBLIC);
  EXPECT_EQ(Call("state_proof", json::object{{"key_hex", ToHex("share/rec/x")}}).status().app_code(),
            err::PROOF_KEY_NOT_PUBLIC);
  EXPECT_EQ(Call("state_proof", json::object{{"key", "gov/params"}, {"key_hex", "00"}}).status().app_code(),
            err::INVALID_PARAMS);
  EXPECT_EQ(Call("state_proof", json::object{}).status().app_code(), err::INVALID_PARAMS);
  EXPECT_EQ(Call("state_proof", json::object{{"key", "gov/params"}, {"height", 99}}).status().app_code(),
            err::STATE_VERSION_NOT_FOUND);
  EXPECT_EQ(Call("state_proof", json::object{{"key", "gov/params"}, {"height", -1}}).status().app_code(),
            err::INVALID_PARAMS);
  EXPECT_EQ(Call("cert_proof", json::object{{"id", "not-an-id"}}).status().app_code(), err::BAD_CERT_ID);
  EXPECT_EQ(Call("cert_proof", json::object{{"id", node_.sample_cert_id()}, {"at", "yesterday"}}).status().app_code(),
            err::BAD_TIME);
}

TEST_F(ProofMethodsTest, LightHeadersFollowFromTheGenesisAndAreBounded) {
  const uint64_t tip = node_.chain().tip().height;
  auto answer = Call("light_headers", json::object{{"from", 1}, {"to", static_cast<int64_t>(tip)}});
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  auto headers = Decode<pb::LightHeaders>(*answer);
  ASSERT_EQ(static_cast<uint64_t>(headers.blocks_size()), tip);
  light::LightClient client(Root(), light::VerifyOptions{});
  ASSERT_TRUE(client.UpdateAll(headers.blocks()).ok());
  EXPECT_EQ(client.latest().height, tip);

  auto code = [&](int64_t from, int64_t to) {
    return Call("light_headers", json::object{{"from", from}, {"to", to}}).status().app_code();
  };
  EXPECT_EQ(code(0, 1), err::BAD_HEADER_RANGE);
  EXPECT_EQ(code(2, 1), err::BAD_HEADER_RANGE);
  EXPECT_EQ(code(1, static_cast<int64_t>(tip) + 1), err::BAD_HEADER_RANGE);
  EXPECT_EQ(code(-5, 1), err::BAD_HEADER_RANGE);
}

TEST(ProofRestRouteTest, ProofRouteCallsCertProofWithItsQuery) {
  RestCall call = RestCallFor("/v1/certificates/ID-1/proof", "at=1700000000000&height=3&fields=x");
  ASSERT_TRUE(call.status.ok());
  EXPECT_EQ(call.method, "cert_proof");
  EXPECT_EQ(call.route, Route::kCertificateProof);
  EXPECT_EQ(call.params.at("id"), json::value("ID-1"));
  EXPECT_EQ(call.params.at("at"), json::value(int64_t{1700000000000}));
  EXPECT_EQ(call.params.at("height"), json::value(int64_t{3}));
  EXPECT_FALSE(call.params.contains("fields"));
}

}  // namespace
}  // namespace civic::rpc
