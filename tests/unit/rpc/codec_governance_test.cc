// JSON renderings of governance records (rpc/codec/governance.h) over a chain
// the contracts ran. docs/RPC.md pins the complete answers (RpcDocTest).
#include <gtest/gtest.h>

#include "contracts/governance/calls.h"
#include "contracts/governance/query.h"
#include "rpc/codec/governance.h"
#include "tests/unit/contracts/test_chain.h"

namespace civic::rpc {
namespace {

using contracts::testing::TestChain;

TEST(GovernanceCodecTest, JsonRendering) {
  TestChain chain;
  auto orgs = contracts::ListOrgs(chain.state).value();
  auto json = OrgsToJson(orgs);
  ASSERT_EQ(json.size(), 5u);
  auto text = boost::json::serialize(json);
  EXPECT_NE(text.find("\"ADMIN\""), std::string::npos);
  EXPECT_NE(text.find("ed25519:"), std::string::npos);
  auto key = crypto::KeyPair::FromSecret(crypto::Algo::kEd25519, Bytes(32, 82)).value();
  pb::RoleGrant requester;
  requester.set_role(pb::ROLE_DATA_REQUESTER);
  auto add_org = contracts::AddOrgCall("914403001922038216", "深圳市某数据公司", "", {key.public_key()}, {requester});
  pb::Proposal p = chain.PassProposal(contracts::ProposeCall("add", add_org));
  auto pj = ProposalToJson(p);
  EXPECT_EQ(pj["status"].as_string(), "executed");
  EXPECT_EQ(pj["action"].as_object()["contract"].as_string(), "governance");
  auto vj = ValidatorsToJson(contracts::GetValidators(chain.state).value());
  EXPECT_EQ(vj["total_power"].as_uint64(), 10u);
}

TEST(GovernanceCodecTest, KeysOfUnknownAlgorithmsReadUnknown) {
  pb::GovValidatorList list;
  pb::GovValidator* v = list.add_validators();
  v->set_algo(4);
  v->set_key("\xab");
  v->set_power(1);
  EXPECT_EQ(ValidatorsToJson(list)["validators"].as_array()[0].as_object().at("pub_key").as_string(), "unknown:ab");
  pb::Org org;
  pb::OrgKey* k = org.add_keys();
  k->set_algo(0xFFFFFFFF);
  k->set_key("\xcd");
  EXPECT_EQ(OrgToJson(org)["keys"].as_array()[0].as_object().at("pub_key").as_string(), "unknown:cd");
}

}  // namespace
}  // namespace civic::rpc
