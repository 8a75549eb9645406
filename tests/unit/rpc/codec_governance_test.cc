// JSON renderings of governance records (rpc/codec/governance.h) over a chain
// the contracts ran, and proposals whose actions carry non-public calls (the
// gov_* answers and chain_getTx's rendering of the propose tx). docs/RPC.md
// pins the complete answers (RpcDocTest).
#include <gtest/gtest.h>

#include "contracts/base/contract_names.h"
#include "contracts/credit/calls.h"
#include "contracts/governance/calls.h"
#include "contracts/governance/query.h"
#include "contracts/sharing/calls.h"
#include "crypto/hash.h"
#include "ledger/tx.h"
#include "rpc/codec/chain.h"
#include "rpc/codec/governance.h"
#include "tests/unit/contracts/test_chain.h"

namespace civic::rpc {
namespace {

using contracts::testing::TestChain;
namespace json = boost::json;

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
  auto pj = ProposalToJson(p, nullptr, contracts::Viewer::kPublic);
  EXPECT_EQ(pj["status"].as_string(), "executed");
  EXPECT_EQ(pj["action"].as_object()["contract"].as_string(), "governance");
  EXPECT_EQ(pj["action"].as_object()["method"].as_string(), "add_org");
  EXPECT_EQ(pj["action"].as_object()["call"].at("add_org").at("code").as_string(), "914403001922038216");
  EXPECT_EQ(pj["action"].as_object()["call_hex"].as_string(), ToHex(p.action().call()));
  EXPECT_EQ(pj["redacted"].as_bool(), false);
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


// A credit repair decision's note is for the deciding org and auditors, a
// logged access (with whose data was read) for auditors only: proposals that
// carry them as their action must hide them as the calls sent directly do.
constexpr std::string_view kRepairNote = "proposal-note: 准予信用修复 after wage proof 7731";
constexpr std::string_view kRequestId = "proposal-request-4471";

pb::ProposalAction CreditAction() {
  pb::ProposalAction action;
  action.set_contract(std::string(contracts::kCreditContract));
  action.set_call(contracts::RepairDecideCall(3, true, kRepairNote).SerializeAsString());
  return action;
}

Bytes SubjectTag() { return crypto::Sha256("the subject tag of a citizen"); }

pb::ProposalAction SharingAction() {
  pb::SharingAccess access;
  access.set_request_id(std::string(kRequestId));
  access.set_resource("household_registry");
  access.set_purpose("social_assistance_review");
  access.add_subject_tags(SubjectTag());
  access.set_record_count(1);
  pb::ProposalAction action;
  action.set_contract(std::string(contracts::kSharingContract));
  action.set_call(contracts::LogAccessCall({access}).SerializeAsString());
  return action;
}

// The forms in which an answer could hold the action's hidden values.
std::vector<std::string> HiddenForms() {
  return {std::string(kRepairNote), ToHex(kRepairNote), std::string(kRequestId), ToHex(kRequestId),
          ToHex(SubjectTag())};
}

std::string FirstLeak(const json::value& answer) {
  const std::string text = json::serialize(answer);
  for (const std::string& form : HiddenForms()) {
    if (text.find(form) != std::string::npos) return form;
  }
  return "";
}

class ProposalVisibilityTest : public ::testing::Test {
 protected:
  ProposalVisibilityTest() { RegisterAllMethods(&table_); }

  // The action's call as the contract's own decoder shows it to `viewer`.
  json::value Direct(const pb::ProposalAction& action, contracts::Viewer viewer) {
    const CallDecoder* decoder = table_.FindCallDecoder(action.contract());
    EXPECT_NE(decoder, nullptr);
    auto decoded = (*decoder)(action.call(), viewer);
    EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
    return decoded.ok() ? decoded->call : json::value();
  }

  MethodTable table_;
};

TEST_F(ProposalVisibilityTest, GovProposalAnswersHideWhatTheActionsCallWouldHide) {
  for (const pb::ProposalAction& action : {CreditAction(), SharingAction()}) {
    pb::Proposal p;
    p.set_id(7);
    p.set_proposer_org("11510700008207313A");
    p.set_title("a proposal carrying a non-public call");
    *p.mutable_action() = action;
    p.set_status(pb::PROPOSAL_OPEN);

    json::object shown = ProposalToJson(p, &table_, contracts::Viewer::kPublic);
    EXPECT_EQ(FirstLeak(shown), "") << json::serialize(shown);
    EXPECT_EQ(shown.at("redacted"), json::value(true));
    const json::object& public_action = shown.at("action").as_object();
    EXPECT_EQ(public_action.at("contract").as_string(), action.contract());
    EXPECT_FALSE(public_action.contains("call_hex"));
    EXPECT_EQ(public_action.at("call"), Direct(action, contracts::Viewer::kPublic));

    json::object full = ProposalToJson(p, &table_, contracts::Viewer::kAuditor);
    EXPECT_NE(FirstLeak(full), "") << "the auditor sees the action whole";
    EXPECT_EQ(full.at("redacted"), json::value(false));
    EXPECT_EQ(full.at("action").at("call_hex").as_string(), ToHex(action.call()));
    EXPECT_EQ(full.at("action").at("call"), Direct(action, contracts::Viewer::kAuditor));
  }
}

TEST_F(ProposalVisibilityTest, ProposeTxsShowTheirActionsRedactedInChainGetTx) {
  auto key = crypto::KeyPair::FromSecret(crypto::Algo::kEd25519, Bytes(32, 9)).value();
  contracts::TxParams params;
  params.chain_id = "test-chain";
  params.org = "11510700008207313A";
  params.valid_until_height = 10;
  for (const pb::ProposalAction& action : {CreditAction(), SharingAction()}) {
    params.nonce = action.contract();
    Bytes raw = contracts::GovernanceTx(
        params, contracts::ProposeCall("a proposal carrying a non-public call", action.contract(), action.call()),
        key);
    pb::TxLocation location;
    json::object shown = TxJson(raw, location, &table_, true, contracts::Viewer::kPublic);
    EXPECT_EQ(FirstLeak(shown), "") << json::serialize(shown);
    EXPECT_EQ(shown.at("redacted"), json::value(true));
    EXPECT_FALSE(shown.contains("raw_hex"));
    EXPECT_FALSE(shown.at("body").as_object().contains("call_hex"));
    EXPECT_EQ(shown.at("body").at("method"), json::value("propose"));
    const json::value& public_action = shown.at("body").at("call").at("propose").at("action");
    EXPECT_EQ(public_action.at("call"), Direct(action, contracts::Viewer::kPublic));
    EXPECT_FALSE(public_action.as_object().contains("call_hex"));

    json::object full = TxJson(raw, location, &table_, true, contracts::Viewer::kAuditor);
    EXPECT_NE(FirstLeak(full), "");
    EXPECT_EQ(full.at("redacted"), json::value(false));
    EXPECT_EQ(full.at("raw_hex").as_string(), ToHex(raw));
    EXPECT_EQ(full.at("body").at("call").at("propose").at("action").at("call"),
              Direct(action, contracts::Viewer::kAuditor));
  }
}

TEST_F(ProposalVisibilityTest, UndecodableAndNestedActionsAreNotShownToThePublic) {
  pb::ProposalAction garbage;
  garbage.set_contract(std::string(contracts::kCreditContract));
  garbage.set_call(std::string("\xff\xff") + std::string(kRepairNote));
  ActionView view = ActionToJson(garbage, &table_, contracts::Viewer::kPublic);
  EXPECT_TRUE(view.redacted);
  EXPECT_EQ(FirstLeak(view.json), "");
  EXPECT_NE(view.json.at("call_error").as_string().find("CALL_MALFORMED"), json::string::npos);
  EXPECT_EQ(ActionToJson(garbage, &table_, contracts::Viewer::kAuditor).json.at("call_hex").as_string(),
            ToHex(garbage.call()));

  // Unknown fields of the action message could carry anything.
  pb::ProposalAction padded = CreditAction();
  padded.GetReflection()->MutableUnknownFields(&padded)->AddLengthDelimited(9, std::string(kRequestId));
  view = ActionToJson(padded, &table_, contracts::Viewer::kPublic);
  EXPECT_TRUE(view.redacted);
  EXPECT_EQ(FirstLeak(view.json), "");

  // A proposal inside a proposal inside ... (the contract refuses them; a
  // refused tx is still shown): the non-public call at the bottom stays hidden,
  // and decoding stops at a bounded depth.
  pb::GovernanceCall call = contracts::ProposeCall("inner", CreditAction().contract(), CreditAction().call());
  for (int i = 0; i < 50; ++i) call = contracts::ProposeCall("wrapper", call);
  const CallDecoder* gov = table_.FindCallDecoder(contracts::kGovernanceContract);
  ASSERT_NE(gov, nullptr);
  auto nested = (*gov)(call.SerializeAsString(), contracts::Viewer::kPublic);
  ASSERT_TRUE(nested.ok()) << nested.status().ToString();
  EXPECT_TRUE(nested->redacted);
  EXPECT_EQ(FirstLeak(nested->call), "");
  EXPECT_NE(json::serialize(nested->call).find("nest deeper"), std::string::npos);
  auto nested_full = (*gov)(call.SerializeAsString(), contracts::Viewer::kAuditor);
  ASSERT_TRUE(nested_full.ok());
  EXPECT_FALSE(nested_full->redacted);

  // An action of a contract without a decoder is shown as bytes, as chain_getTx shows such a call.
  pb::ProposalAction other;
  other.set_contract("kv");
  other.set_call("put a 1");
  view = ActionToJson(other, &table_, contracts::Viewer::kPublic);
  EXPECT_FALSE(view.redacted);
  EXPECT_EQ(view.json.at("call_hex").as_string(), ToHex("put a 1"));
}

}  // namespace
}  // namespace civic::rpc
