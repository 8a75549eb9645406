#include "contracts/governance/contract.h"

#include <gtest/gtest.h>

#include "contracts/governance/query.h"
#include "contracts/governance/rules.h"
#include "test_chain.h"
#include "tools/samples/network.h"
#include "contracts/certificate/calls.h"
#include "contracts/governance/calls.h"
#include "contracts/base/tx_builder.h"

namespace civic::contracts {
namespace {

using testing::kAmr;
using testing::kGss;
using testing::kHrss;
using testing::kNdrc;
using testing::kPsb;
using testing::TestChain;

// A made-up org outside the sample network.
constexpr char kNewOrg[] = "914403001922038216";

crypto::KeyPair Key(char seed, crypto::Algo algo = crypto::Algo::kEd25519) {
  return crypto::KeyPair::FromSecret(algo, Bytes(32, seed)).value();
}

pb::GovernanceCall AddOrgCall(const crypto::KeyPair& key, std::vector<pb::OrgRole> roles = {pb::ROLE_DATA_REQUESTER}) {
  pb::GovernanceCall call;
  auto* m = call.mutable_add_org();
  m->set_code(kNewOrg);
  m->set_name("深圳市某数据公司");
  auto* k = m->add_keys();
  k->set_algo(static_cast<uint32_t>(key.public_key().algo));
  k->set_key(key.public_key().key);
  for (auto r : roles) m->add_roles()->set_role(r);
  return call;
}

TxParams ParamsFor(TestChain& chain, const std::string& org) {
  TxParams p = chain.Params(kPsb);
  p.org = org;
  return p;
}

class GovernanceTest : public ::testing::Test {
 protected:
  Status Propose(size_t org, const pb::GovernanceCall& action) {
    return chain.Exec(ProposeTx(chain.Params(org), "t", action, chain.org_keys[org]));
  }
  Status Vote(size_t org, uint64_t id, bool yes) {
    return chain.Exec(VoteTx(chain.Params(org), id, yes, chain.org_keys[org]));
  }
  pb::Proposal Proposal(uint64_t id) { return GetProposal(chain.state, id).value(); }
  bool NewOrgExists() { return GetOrg(chain.state, kNewOrg).ok(); }

  TestChain chain;
};

TEST_F(GovernanceTest, ProposalPassesOnlyWithMoreThanTwoThirdsOfAdmins) {
  crypto::KeyPair key = Key(60);
  uint64_t id = chain.NextProposalId();
  ASSERT_TRUE(Propose(kGss, AddOrgCall(key)).ok());
  EXPECT_EQ(Proposal(id).status(), pb::PROPOSAL_OPEN);
  EXPECT_EQ(Proposal(id).yes_size(), 1);  // the proposer's org
  ASSERT_TRUE(Vote(kPsb, id, true).ok());
  ASSERT_TRUE(Vote(kHrss, id, true).ok());
  // 3 of 5 is not more than 2/3.
  EXPECT_EQ(Proposal(id).status(), pb::PROPOSAL_OPEN);
  EXPECT_FALSE(NewOrgExists());
  ASSERT_TRUE(Vote(kAmr, id, true).ok());
  pb::Proposal p = Proposal(id);
  EXPECT_EQ(p.status(), pb::PROPOSAL_EXECUTED);
  EXPECT_EQ(p.decided_height(), chain.height);
  EXPECT_TRUE(NewOrgExists());
  // The new org's key signs its txs now; it is no admin.
  auto org = GetOrg(chain.state, kNewOrg).value();
  EXPECT_TRUE(HasRole(org, pb::ROLE_DATA_REQUESTER));
  EXPECT_FALSE(HasRole(org, pb::ROLE_ADMIN));
  EXPECT_EQ(Vote(kNdrc, id, true).app_code(), "PROPOSAL_CLOSED");
}

TEST_F(GovernanceTest, DoubleVoteAndNonAdminVoteRejected) {
  chain.PassProposal(ProposeCall("add", AddOrgCall(Key(61))));
  ASSERT_TRUE(NewOrgExists());
  uint64_t id = chain.NextProposalId();
  pb::GovernanceCall params;
  params.mutable_set_params()->mutable_params()->set_proposal_ttl_blocks(50);
  params.mutable_set_params()->mutable_params()->set_max_batch_certificates(100);
  ASSERT_TRUE(Propose(kPsb, params).ok());
  EXPECT_EQ(Vote(kPsb, id, true).app_code(), "ALREADY_VOTED");
  ASSERT_TRUE(Vote(kHrss, id, false).ok());
  Status again = Vote(kHrss, id, true);
  EXPECT_EQ(again.app_code(), "ALREADY_VOTED");
  EXPECT_EQ(again.code(), Code::kAlreadyExists);
  // The new org holds no ADMIN role.
  crypto::KeyPair key = Key(61);
  Status st = chain.Exec(VoteTx(ParamsFor(chain, kNewOrg), id, true, key));
  EXPECT_EQ(st.app_code(), "NOT_ADMIN");
  EXPECT_EQ(st.code(), Code::kPermissionDenied);
  EXPECT_EQ(chain.Exec(ProposeTx(ParamsFor(chain, kNewOrg), "x", params, key)).app_code(), "NOT_ADMIN");
  EXPECT_EQ(chain.Check(VoteTx(ParamsFor(chain, kNewOrg), id, true, key)).app_code(), "NOT_ADMIN");
  EXPECT_EQ(Vote(kAmr, 999, true).app_code(), "UNKNOWN_PROPOSAL");
}

TEST_F(GovernanceTest, ProposalRejectedWhenThresholdUnreachable) {
  uint64_t id = chain.NextProposalId();
  ASSERT_TRUE(Propose(kGss, AddOrgCall(Key(62))).ok());
  ASSERT_TRUE(Vote(kPsb, id, false).ok());
  EXPECT_EQ(Proposal(id).status(), pb::PROPOSAL_OPEN);  // 4 of 5 could still pass
  ASSERT_TRUE(Vote(kHrss, id, false).ok());
  EXPECT_EQ(Proposal(id).status(), pb::PROPOSAL_REJECTED);
  EXPECT_FALSE(NewOrgExists());
  EXPECT_EQ(Vote(kAmr, id, true).app_code(), "PROPOSAL_CLOSED");
}

TEST_F(GovernanceTest, ProposalsExpire) {
  pb::GovernanceCall params;
  params.mutable_set_params()->mutable_params()->set_proposal_ttl_blocks(2);
  params.mutable_set_params()->mutable_params()->set_max_batch_certificates(100);
  ASSERT_EQ(chain.PassProposal(ProposeCall("ttl", params)).status(), pb::PROPOSAL_EXECUTED);
  uint64_t id = chain.NextProposalId();
  ASSERT_TRUE(Propose(kGss, AddOrgCall(Key(63))).ok());
  uint64_t created = chain.height;
  EXPECT_EQ(Proposal(id).expires_height(), created + 2);
  chain.Block({});
  ASSERT_TRUE(Vote(kPsb, id, true).ok());  // at expires_height: still accepted
  EXPECT_EQ(Proposal(id).status(), pb::PROPOSAL_EXPIRED);  // EndBlock of that height closed it
  EXPECT_EQ(Vote(kHrss, id, true).app_code(), "PROPOSAL_EXPIRED");
  EXPECT_FALSE(NewOrgExists());
}

TEST_F(GovernanceTest, ActionsNeedGovernance) {
  testing::MemState before = chain.state;
  for (const auto& call : {AddOrgCall(Key(64)), [] {
                             pb::GovernanceCall c;
                             c.mutable_remove_org()->set_code(samples::SampleOrgs()[kNdrc].code);
                             return c;
                           }()}) {
    Status st = chain.Exec(GovernanceTx(chain.Params(kPsb), call, chain.org_keys[kPsb]));
    EXPECT_EQ(st.app_code(), "GOVERNANCE_REQUIRED");
    EXPECT_EQ(chain.Check(GovernanceTx(chain.Params(kPsb), call, chain.org_keys[kPsb])).app_code(),
              "GOVERNANCE_REQUIRED");
  }
  EXPECT_TRUE(chain.state == before);
  // Registering a certificate type too.
  pb::CertType type = chain.genesis.cert_types[0];
  type.set_name("changed");
  Status st = chain.Exec(CertificateTx(chain.Params(kPsb), RegisterTypeCall(type), chain.org_keys[kPsb]));
  EXPECT_EQ(st.app_code(), "GOVERNANCE_REQUIRED");
  EXPECT_TRUE(chain.state == before);
}

TEST_F(GovernanceTest, RegistryChecksTheSigner) {
  pb::GovernanceCall vote = VoteCall(1, true);
  // Unknown org.
  Status st = chain.Exec(GovernanceTx(ParamsFor(chain, kNewOrg), vote, chain.org_keys[kPsb]));
  EXPECT_EQ(st.app_code(), "UNKNOWN_ORG");
  EXPECT_EQ(st.code(), Code::kPermissionDenied);
  // A key of another org.
  st = chain.Exec(GovernanceTx(chain.Params(kPsb), vote, chain.org_keys[kHrss]));
  EXPECT_EQ(st.app_code(), "KEY_NOT_ADMITTED");
  // Unknown contract.
  pb::TxBody body = MakeBody(chain.Params(kPsb), "lottery", "x");
  st = chain.Exec(ledger::SignTx(body, chain.org_keys[kPsb]));
  EXPECT_EQ(st.app_code(), "UNKNOWN_CONTRACT");
  // Malformed and empty calls.
  body = MakeBody(chain.Params(kPsb), "governance", "\xff\xff\xff");
  EXPECT_EQ(chain.Exec(ledger::SignTx(body, chain.org_keys[kPsb])).app_code(), "CALL_MALFORMED");
  body = MakeBody(chain.Params(kPsb), "governance", "");
  EXPECT_EQ(chain.Exec(ledger::SignTx(body, chain.org_keys[kPsb])).app_code(), "EMPTY_CALL");
  // CheckTx gives the same answers.
  EXPECT_EQ(chain.Check(GovernanceTx(ParamsFor(chain, kNewOrg), vote, chain.org_keys[kPsb])).app_code(),
            "UNKNOWN_ORG");
  EXPECT_EQ(chain.Check(GovernanceTx(chain.Params(kPsb), vote, chain.org_keys[kHrss])).app_code(),
            "KEY_NOT_ADMITTED");
  EXPECT_EQ(chain.Check(ledger::SignTx(MakeBody(chain.Params(kPsb), "lottery", "x"), chain.org_keys[kPsb])).app_code(),
            "UNKNOWN_CONTRACT");
  EXPECT_TRUE(chain.Check(ProposeTx(chain.Params(kPsb), "t", AddOrgCall(Key(65)), chain.org_keys[kPsb])).ok());
}

TEST_F(GovernanceTest, BadProposals) {
  EXPECT_EQ(chain.Exec(GovernanceTx(chain.Params(kPsb), ProposeCall("t", "lottery", "x"), chain.org_keys[kPsb]))
                .app_code(),
            "UNKNOWN_CONTRACT");
  EXPECT_EQ(chain.Exec(GovernanceTx(chain.Params(kPsb), ProposeCall("t", VoteCall(1, true)), chain.org_keys[kPsb]))
                .app_code(),
            "BAD_ACTION");
  EXPECT_EQ(chain.Exec(GovernanceTx(chain.Params(kPsb), ProposeCall("t", "governance", "\xff"), chain.org_keys[kPsb]))
                .app_code(),
            "BAD_ACTION");
  EXPECT_EQ(chain.Exec(GovernanceTx(chain.Params(kPsb), ProposeCall("", AddOrgCall(Key(66))), chain.org_keys[kPsb]))
                .app_code(),
            "BAD_PROPOSAL");
}

TEST_F(GovernanceTest, AddAndRemoveOrg) {
  crypto::KeyPair key = Key(67);
  ASSERT_EQ(chain.PassProposal(ProposeCall("add", AddOrgCall(key, {pb::ROLE_ADMIN}))).status(),
            pb::PROPOSAL_EXECUTED);
  // Six admins now: more than 2/3 needs 5 yes votes.
  uint64_t id = chain.NextProposalId();
  pb::GovernanceCall remove;
  remove.mutable_remove_org()->set_code(kNewOrg);
  ASSERT_TRUE(Propose(kPsb, remove).ok());
  for (size_t org : {kHrss, kAmr, kNdrc}) ASSERT_TRUE(Vote(org, id, true).ok());
  EXPECT_EQ(Proposal(id).status(), pb::PROPOSAL_OPEN);
  ASSERT_TRUE(Vote(kGss, id, true).ok());
  EXPECT_EQ(Proposal(id).status(), pb::PROPOSAL_EXECUTED);
  EXPECT_TRUE(GetOrg(chain.state, kNewOrg)->removed());
  Status st = chain.Exec(VoteTx(ParamsFor(chain, kNewOrg), id, true, key));
  EXPECT_EQ(st.app_code(), "ORG_REMOVED");
  // Adding it again, or an org with a bad code, fails inside the proposal.
  pb::Proposal again = chain.PassProposal(ProposeCall("again", AddOrgCall(Key(68))));
  EXPECT_EQ(again.status(), pb::PROPOSAL_FAILED);
  EXPECT_EQ(again.result_code(), "ORG_EXISTS");
  pb::GovernanceCall bad = AddOrgCall(Key(69));
  bad.mutable_add_org()->set_code("914403001922038217");
  EXPECT_EQ(chain.PassProposal(ProposeCall("bad", bad)).result_code(), "BAD_USCC");
  // A key already used by another org.
  pb::Proposal reuse = chain.PassProposal(ProposeCall("reuse", AddOrgCall(chain.org_keys[kPsb])));
  EXPECT_EQ(reuse.result_code(), "ORG_EXISTS");
}

TEST_F(GovernanceTest, FailedActionLeavesNoWritesButKeepsTheVotes) {
  pb::GovernanceCall call = AddOrgCall(Key(70));
  call.mutable_add_org()->mutable_keys(0)->set_key("short");
  uint64_t id = chain.NextProposalId();
  pb::Proposal p = chain.PassProposal(ProposeCall("bad key", call));
  EXPECT_EQ(p.id(), id);
  EXPECT_EQ(p.status(), pb::PROPOSAL_FAILED);
  EXPECT_EQ(p.result_code(), "BAD_KEY");
  EXPECT_EQ(p.yes_size(), 4);
  EXPECT_FALSE(NewOrgExists());
  EXPECT_FALSE(GetOrg(chain.state, kNewOrg).ok());
}

TEST_F(GovernanceTest, GrantAndRevokeRoles) {
  const std::string& hrss = chain.code(kHrss);
  std::string id_card = chain.genesis.cert_types[0].code();
  pb::GovernanceCall grant;
  grant.mutable_grant_role()->set_org(hrss);
  grant.mutable_grant_role()->set_role(pb::ROLE_ISSUER);
  grant.mutable_grant_role()->add_scopes(id_card);
  ASSERT_EQ(chain.PassProposal(ProposeCall("grant", grant)).status(), pb::PROPOSAL_EXECUTED);
  EXPECT_TRUE(HasRole(*GetOrg(chain.state, hrss), pb::ROLE_ISSUER, id_card));

  pb::GovernanceCall revoke;
  revoke.mutable_revoke_role()->set_org(hrss);
  revoke.mutable_revoke_role()->set_role(pb::ROLE_ISSUER);
  revoke.mutable_revoke_role()->add_scopes(id_card);
  ASSERT_EQ(chain.PassProposal(ProposeCall("revoke scope", revoke)).status(), pb::PROPOSAL_EXECUTED);
  EXPECT_FALSE(HasRole(*GetOrg(chain.state, hrss), pb::ROLE_ISSUER, id_card));
  EXPECT_TRUE(HasRole(*GetOrg(chain.state, hrss), pb::ROLE_ISSUER));  // keeps its own type
  EXPECT_EQ(chain.PassProposal(ProposeCall("again", revoke)).result_code(), "SCOPE_NOT_HELD");

  pb::GovernanceCall whole;
  whole.mutable_revoke_role()->set_org(hrss);
  whole.mutable_revoke_role()->set_role(pb::ROLE_DATA_PROVIDER);
  ASSERT_EQ(chain.PassProposal(ProposeCall("whole", whole)).status(), pb::PROPOSAL_EXECUTED);
  EXPECT_FALSE(HasRole(*GetOrg(chain.state, hrss), pb::ROLE_DATA_PROVIDER));
  EXPECT_EQ(chain.PassProposal(ProposeCall("whole again", whole)).result_code(), "ROLE_NOT_HELD");

  pb::GovernanceCall validator_role;
  validator_role.mutable_revoke_role()->set_org(chain.code(kPsb));  // runs the only validator
  validator_role.mutable_revoke_role()->set_role(pb::ROLE_VALIDATOR);
  EXPECT_EQ(chain.PassProposal(ProposeCall("validator", validator_role)).result_code(), "VALIDATOR_IN_USE");

  pb::GovernanceCall bad_scope = grant;
  bad_scope.mutable_grant_role()->set_scopes(0, "nonsense");
  EXPECT_EQ(chain.PassProposal(ProposeCall("bad scope", bad_scope)).result_code(), "BAD_SCOPE");
  pb::GovernanceCall bad_role = grant;
  bad_role.mutable_grant_role()->set_role(static_cast<pb::OrgRole>(42));
  EXPECT_EQ(chain.PassProposal(ProposeCall("bad role", bad_role)).result_code(), "BAD_ROLE");
}

TEST_F(GovernanceTest, KeysAddRevokeRotate) {
  const std::string& psb = chain.code(kPsb);
  crypto::KeyPair second = Key(71);
  pb::GovernanceCall add;
  add.mutable_add_key()->set_org(psb);
  add.mutable_add_key()->set_algo(static_cast<uint32_t>(second.public_key().algo));
  add.mutable_add_key()->set_key(second.public_key().key);
  ASSERT_EQ(chain.PassProposal(ProposeCall("add key", add)).status(), pb::PROPOSAL_EXECUTED);
  EXPECT_EQ(chain.PassProposal(ProposeCall("add key again", add)).result_code(), "KEY_IN_USE");
  // The second key signs for the psb.
  uint64_t id = chain.NextProposalId();
  ASSERT_TRUE(chain.Exec(ProposeTx(chain.Params(kPsb), "x", AddOrgCall(Key(72)), second)).ok());

  // The psb revokes its second key itself.
  pb::GovernanceCall revoke;
  revoke.mutable_revoke_key()->set_org(psb);
  revoke.mutable_revoke_key()->set_algo(static_cast<uint32_t>(second.public_key().algo));
  revoke.mutable_revoke_key()->set_key(second.public_key().key);
  ASSERT_TRUE(chain.Exec(GovernanceTx(chain.Params(kPsb), revoke, chain.org_keys[kPsb])).ok());
  Status st = chain.Exec(VoteTx(chain.Params(kPsb), id, true, second));
  EXPECT_EQ(st.app_code(), "KEY_REVOKED");
  EXPECT_EQ(chain.Check(VoteTx(chain.Params(kPsb), id, true, second)).app_code(), "KEY_REVOKED");
  EXPECT_EQ(chain.Exec(GovernanceTx(chain.Params(kPsb), revoke, chain.org_keys[kPsb])).app_code(),
            "KEY_ALREADY_REVOKED");
  // Not the last active key, and not another org's key without governance.
  pb::GovernanceCall last;
  last.mutable_revoke_key()->set_org(psb);
  last.mutable_revoke_key()->set_algo(1);
  last.mutable_revoke_key()->set_key(chain.org_keys[kPsb].public_key().key);
  EXPECT_EQ(chain.Exec(GovernanceTx(chain.Params(kPsb), last, chain.org_keys[kPsb])).app_code(), "LAST_KEY");
  EXPECT_EQ(chain.Exec(GovernanceTx(chain.Params(kHrss), last, chain.org_keys[kHrss])).app_code(),
            "GOVERNANCE_REQUIRED");

  // Rotation by governance: the old key stops, the new one signs.
  crypto::KeyPair rotated = Key(73, crypto::Algo::kSecp256k1);
  pb::GovernanceCall rotate;
  auto* r = rotate.mutable_rotate_key();
  r->set_org(chain.code(kHrss));
  r->set_old_algo(1);
  r->set_old_key(chain.org_keys[kHrss].public_key().key);
  r->set_new_algo(static_cast<uint32_t>(crypto::Algo::kSecp256k1));
  r->set_new_key(rotated.public_key().key);
  ASSERT_EQ(chain.PassProposal(ProposeCall("rotate", rotate)).status(), pb::PROPOSAL_EXECUTED);
  EXPECT_EQ(chain.Exec(VoteTx(chain.Params(kHrss), id, true, chain.org_keys[kHrss])).app_code(), "KEY_REVOKED");
  EXPECT_TRUE(chain.Exec(VoteTx(chain.Params(kHrss), id, true, rotated)).ok());
  auto owner = OrgOfKey(chain.state, rotated.public_key());
  ASSERT_TRUE(owner.ok() && owner->has_value());
  EXPECT_EQ(**owner, chain.code(kHrss));
}

TEST_F(GovernanceTest, ValidatorSetChanges) {
  crypto::KeyPair node2 = Key(80);
  pb::GovernanceCall set;
  set.mutable_set_validator()->set_org(chain.code(kHrss));
  set.mutable_set_validator()->set_algo(1);
  set.mutable_set_validator()->set_key(node2.public_key().key);
  set.mutable_set_validator()->set_power(7);
  ASSERT_EQ(chain.PassProposal(ProposeCall("add validator", set)).status(), pb::PROPOSAL_EXECUTED);
  auto vs = chain.registry().Validators(chain.state);
  ASSERT_TRUE(vs.ok());
  ASSERT_EQ(vs->validators_size(), 2);
  EXPECT_LT(vs->validators(0).pub_key().key(), vs->validators(1).pub_key().key());

  set.mutable_set_validator()->set_power(9);
  ASSERT_EQ(chain.PassProposal(ProposeCall("power", set)).status(), pb::PROPOSAL_EXECUTED);
  vs = chain.registry().Validators(chain.state);
  for (const auto& v : vs->validators()) {
    if (v.pub_key().key() == node2.public_key().key) {
      EXPECT_EQ(v.power(), 9u);
      EXPECT_EQ(v.org(), chain.code(kHrss));
    }
  }
  // Another org cannot take over the node key; org keys are no node keys.
  pb::GovernanceCall other = set;
  other.mutable_set_validator()->set_org(chain.code(kAmr));
  EXPECT_EQ(chain.PassProposal(ProposeCall("steal", other)).result_code(), "VALIDATOR_OTHER_ORG");
  pb::GovernanceCall org_key = set;
  org_key.mutable_set_validator()->set_key(chain.org_keys[kHrss].public_key().key);
  EXPECT_EQ(chain.PassProposal(ProposeCall("org key", org_key)).result_code(), "KEY_IN_USE");
  pb::GovernanceCall huge = set;
  huge.mutable_set_validator()->set_power(uint64_t{1} << 50);
  EXPECT_EQ(chain.PassProposal(ProposeCall("huge", huge)).result_code(), "BAD_POWER");

  set.mutable_set_validator()->set_power(0);
  ASSERT_EQ(chain.PassProposal(ProposeCall("remove", set)).status(), pb::PROPOSAL_EXECUTED);
  EXPECT_EQ(chain.registry().Validators(chain.state)->validators_size(), 1);
  EXPECT_EQ(chain.PassProposal(ProposeCall("remove again", set)).result_code(), "UNKNOWN_VALIDATOR");
  pb::GovernanceCall last;
  last.mutable_set_validator()->set_org(chain.code(kPsb));
  last.mutable_set_validator()->set_algo(1);
  last.mutable_set_validator()->set_key(chain.node_key.key);
  last.mutable_set_validator()->set_power(0);
  EXPECT_EQ(chain.PassProposal(ProposeCall("remove last", last)).result_code(), "VALIDATOR_SET_EMPTY");

  // An org without the VALIDATOR role.
  ASSERT_EQ(chain.PassProposal(ProposeCall("add org", AddOrgCall(Key(81)))).status(), pb::PROPOSAL_EXECUTED);
  pb::GovernanceCall no_role = set;
  no_role.mutable_set_validator()->set_org(kNewOrg);
  no_role.mutable_set_validator()->set_power(1);
  EXPECT_EQ(chain.PassProposal(ProposeCall("no role", no_role)).result_code(), "MISSING_ROLE");
}

TEST_F(GovernanceTest, ParamsValidated) {
  pb::GovernanceCall params;
  params.mutable_set_params()->mutable_params()->set_proposal_ttl_blocks(0);
  params.mutable_set_params()->mutable_params()->set_max_batch_certificates(10);
  EXPECT_EQ(chain.PassProposal(ProposeCall("bad", params)).result_code(), "BAD_PARAMS");
  params.mutable_set_params()->mutable_params()->set_proposal_ttl_blocks(10);
  params.mutable_set_params()->mutable_params()->set_max_batch_certificates(1'000'000);
  EXPECT_EQ(chain.PassProposal(ProposeCall("bad", params)).result_code(), "BAD_PARAMS");
}

TEST(GovParamsTest, RangesAreInclusive) {
  pb::GovParams p;
  p.set_proposal_ttl_blocks(1);
  p.set_max_batch_certificates(1);
  EXPECT_TRUE(ValidateParams(p).ok());
  p.set_proposal_ttl_blocks(kMaxProposalTtlBlocks);
  p.set_max_batch_certificates(kMaxBatchCertificatesLimit);
  EXPECT_TRUE(ValidateParams(p).ok());
  p.set_proposal_ttl_blocks(kMaxProposalTtlBlocks + 1);
  EXPECT_EQ(ValidateParams(p).app_code(), "BAD_PARAMS");
  p.set_proposal_ttl_blocks(1);
  p.set_max_batch_certificates(kMaxBatchCertificatesLimit + 1);
  EXPECT_EQ(ValidateParams(p).app_code(), "BAD_PARAMS");
  p.set_max_batch_certificates(0);
  EXPECT_EQ(ValidateParams(p).app_code(), "BAD_PARAMS");
}

TEST(GovRulesTest, RolesParseByTheirUpperCaseNames) {
  EXPECT_EQ(ParseRole("AUDITOR").value(), pb::ROLE_AUDITOR);
  EXPECT_EQ(ParseRole("CREDIT_AUTHORITY").value(), pb::ROLE_CREDIT_AUTHORITY);
  for (std::string_view bad : {"auditor", "UNSPECIFIED", ""}) {
    Status st = ParseRole(bad).status();
    EXPECT_EQ(st.app_code(), "BAD_ROLE") << bad;
    EXPECT_NE(st.message().find("(VALIDATOR, ISSUER, CREDIT_AUTHORITY, DATA_PROVIDER, DATA_REQUESTER, AUDITOR, ADMIN)"),
              std::string::npos)
        << st.message();
  }
}

TEST(GovRulesTest, ScopesAreTypeCodesForIssuersAndTokensOtherwise) {
  EXPECT_TRUE(ValidateScope(pb::ROLE_CREDIT_AUTHORITY, "FOOD_DRUG").ok());
  EXPECT_TRUE(ValidateScope(pb::ROLE_DATA_PROVIDER, std::string(64, 'a')).ok());
  EXPECT_EQ(ValidateScope(pb::ROLE_DATA_PROVIDER, std::string(65, 'a')).app_code(), "BAD_SCOPE");
  EXPECT_EQ(ValidateScope(pb::ROLE_DATA_PROVIDER, "").app_code(), "BAD_SCOPE");
  Status st = ValidateScope(pb::ROLE_CREDIT_AUTHORITY, "FOOD DRUG");
  EXPECT_EQ(st.app_code(), "BAD_SCOPE");
  EXPECT_NE(st.message().find("CREDIT_AUTHORITY scope 'FOOD DRUG'"), std::string::npos) << st.message();
  EXPECT_EQ(ValidateScope(pb::ROLE_ISSUER, "FOOD_DRUG").app_code(), "BAD_SCOPE");
}

}  // namespace
}  // namespace civic::contracts
