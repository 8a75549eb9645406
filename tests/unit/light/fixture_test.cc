// The proofs the JavaScript verifier is tested with (web/verifier/tests/fixtures:
// real cert_proof answers of a 4-validator network, with the node's cert_verify
// verdicts) verify here too, to the same verdicts: the two implementations of
// docs/RPC.md "Proofs and the light client" agree on the same bytes.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "contracts/genesis.h"
#include "light/cert_verdict.h"
#include "light/proof.h"

namespace civic::light {
namespace {

namespace json = boost::json;

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(CIVIC_VERIFIER_FIXTURES) + "/" + name, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(LightFixtureTest, TheJavaScriptVerifiersFixturesVerifyHereToTheSameVerdicts) {
  auto genesis = contracts::ParseGenesis(Fixture("genesis.json"));
  ASSERT_TRUE(genesis.ok()) << genesis.status().ToString();
  auto root = TrustGenesis(genesis->chain_id, genesis->genesis_time_ms, genesis->validators);
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  const json::value cases = json::parse(Fixture("cert-proofs.json"));
  VerifyOptions options;
  options.now_ms = cases.at("now_ms").to_number<int64_t>();
  size_t checked = 0;
  for (const json::value& c : cases.at("proofs").as_array()) {
    const std::string name(c.at("name").as_string());
    SCOPED_TRACE(name);
    auto bytes = Base64UrlDecode(std::string(c.at("answer").at("proto").as_string()));
    ASSERT_TRUE(bytes.has_value());
    pb::LightProof proof;
    ASSERT_TRUE(proof.ParseFromString(*bytes));
    auto proven = VerifyProof(*root, options, proof);
    ASSERT_TRUE(proven.ok()) << proven.status().ToString();
    const std::string id(c.at("id").as_string());
    auto verdict = DecideCertificate(*proven, id, c.at("at_ms").to_number<int64_t>());
    ASSERT_TRUE(verdict.ok()) << verdict.status().ToString();
    const json::value& expect = c.at("expect");
    EXPECT_EQ(verdict->valid, expect.at("verdict") == "valid");
    EXPECT_EQ(verdict->invalid_reason, std::string(expect.at("verdict_reason").as_string()));
    // One flipped bit in the record is refused.
    (*proof.mutable_entries(0)->mutable_value())[0] ^= 1;
    if (proof.entries(0).exists()) EXPECT_FALSE(VerifyProof(*root, options, proof).ok());
    ++checked;
  }
  EXPECT_GE(checked, 6u);
}

}  // namespace
}  // namespace civic::light
