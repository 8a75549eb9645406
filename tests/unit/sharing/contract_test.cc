// The sharing contract: catalogue, grants, every verdict rule, rejections of
// malformed input and wrong signers, batches, indexes, counters, determinism.
#include <gtest/gtest.h>

#include "sharing_fixture.h"
#include "contracts/governance/calls.h"
#include "contracts/base/tx_builder.h"
#include "contracts/base/contract_names.h"

namespace civic::sharing_testing {
namespace {

using namespace contracts;
namespace sk = contracts::sharing_keys;

constexpr int64_t kDay = 86'400'000;
const char* const kPurpose = "社保待遇资格认证";

class SharingContractTest : public ::testing::Test {
 protected:
  void SetUp() override { chain.SampleCatalogue(); }

  // hrss may read name and id_number of psb.population for kPurpose for 30 days.
  void IssuePopulationGrant(const std::string& id = "G-POP-1") {
    Status st = chain.Run(kPsb, IssueGrantCall(MakeGrant(id, chain.code(kHrss), "psb.population", {"id_number", "name"},
                                                         kPurpose, chain.time_ms + 30 * kDay)));
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  Status Log(size_t requester, std::vector<pb::SharingAccess> accesses) {
    return chain.Run(requester, LogAccessCall(std::move(accesses)));
  }

  // The reasons of a record, in order.
  std::vector<std::string> Reasons(size_t requester, const std::string& id) {
    std::vector<std::string> out;
    auto r = chain.Record(requester, id);
    EXPECT_TRUE(r.has_value()) << id;
    if (!r) return out;
    for (const auto& f : r->findings()) out.push_back(EnumUpperName(f.reason()));
    EXPECT_EQ(r->verdict(), out.empty() ? pb::SHARING_AUTHORIZED : pb::SHARING_VIOLATION);
    return out;
  }

  size_t IndexCount(const std::string& prefix) {
    size_t n = 0;
    EXPECT_TRUE(chain.state
                    .Scan(ledger::Space::kIndex, prefix, "",
                          [&](std::string_view, std::string_view) {
                            ++n;
                            return true;
                          })
                    .ok());
    return n;
  }

  SharingChain chain;
};

using Strings = std::vector<std::string>;

// ---- catalogue

TEST_F(SharingContractTest, ProvidersRegisterAndUpdateTheirOwnResources) {
  auto res = ListResources(chain.state, "", "psb.population");
  ASSERT_TRUE(res.ok());
  ASSERT_EQ(res->size(), 1u);
  EXPECT_EQ((*res)[0].provider_org(), chain.code(kPsb));
  uint64_t registered = (*res)[0].registered_height();

  // Update: fields re-sorted, registration height kept.
  auto update =
      MakeResource("psb.population", "人口基础信息（更新）", {"sex", "name", "address"}, pb::SHARING_CONDITIONAL);
  ASSERT_TRUE(chain.Run(kPsb, RegisterResourceCall(update)).ok());
  res = ListResources(chain.state, "", "psb.population");
  EXPECT_EQ((*res)[0].registered_height(), registered);
  EXPECT_EQ((*res)[0].updated_height(), chain.height);
  EXPECT_EQ(Strings((*res)[0].fields().begin(), (*res)[0].fields().end()), (Strings{"address", "name", "sex"}));

  // Another provider may not take the code; the auditor org is no provider.
  EXPECT_EQ(chain.Run(kHrss, RegisterResourceCall(update)).app_code(), "RESOURCE_OF_OTHER_PROVIDER");
  EXPECT_EQ(
      chain.Run(kGss, RegisterResourceCall(MakeResource("gss.x", "x", {"a"}, pb::SHARING_CONDITIONAL))).app_code(),
      "MISSING_ROLE");
  auto for_other = MakeResource("hrss.other", "x", {"a"}, pb::SHARING_CONDITIONAL);
  for_other.set_provider_org(chain.code(kHrss));
  EXPECT_EQ(chain.Run(kPsb, RegisterResourceCall(for_other)).app_code(), "RESOURCE_OF_OTHER_PROVIDER");
}

TEST_F(SharingContractTest, BadCatalogueEntriesAreRejected) {
  auto run = [&](pb::SharingResource r) { return chain.Run(kPsb, RegisterResourceCall(r)).app_code(); };
  EXPECT_EQ(run(MakeResource("bad code", "x", {"a"}, pb::SHARING_CONDITIONAL)), "BAD_RESOURCE_CODE");
  EXPECT_EQ(run(MakeResource("", "x", {"a"}, pb::SHARING_CONDITIONAL)), "BAD_RESOURCE_CODE");
  EXPECT_EQ(run(MakeResource("psb.x", "", {"a"}, pb::SHARING_CONDITIONAL)), "BAD_RESOURCE");
  EXPECT_EQ(run(MakeResource("psb.x", "x", {}, pb::SHARING_CONDITIONAL)), "BAD_FIELD");
  EXPECT_EQ(run(MakeResource("psb.x", "x", {"Name"}, pb::SHARING_CONDITIONAL)), "BAD_FIELD");
  EXPECT_EQ(run(MakeResource("psb.x", "x", {"a", "a"}, pb::SHARING_CONDITIONAL)), "BAD_FIELD");
  EXPECT_EQ(run(MakeResource("psb.x", "x", {"a"}, pb::SHARING_SHARE_TYPE_UNSPECIFIED)), "BAD_RESOURCE");
  EXPECT_EQ(run(MakeResource("psb.x", "张三 11010519491231002X 的档案", {"a"}, pb::SHARING_CONDITIONAL)),
            "PERSONAL_DATA_IN_TEXT");
  EXPECT_EQ(chain.Exec(chain.Tx(kPsb, pb::SharingCall())).app_code(), "EMPTY_CALL");
  pb::TxBody body = MakeBody(chain.Params(kPsb), kSharingContract, "\xff\xff\xff");
  EXPECT_EQ(chain.Exec(ledger::SignTx(body, chain.org_keys[kPsb])).app_code(), "CALL_MALFORMED");
}

TEST_F(SharingContractTest, GovernanceRegistersForAProviderAndSetsParameters) {
  auto r = MakeResource("ndrc.credit", "公共信用信息", {"category", "uscc"}, pb::SHARING_UNCONDITIONAL);
  r.set_provider_org(chain.code(kNdrc));
  auto proposal =
      chain.PassProposal(ProposeCall("catalogue", kSharingContract, RegisterResourceCall(r).SerializeAsString()));
  ASSERT_EQ(proposal.status(), pb::PROPOSAL_EXECUTED) << proposal.result_message();
  auto res = ListResources(chain.state, chain.code(kNdrc), "");
  ASSERT_TRUE(res.ok());
  ASSERT_EQ(res->size(), 1u);

  // A governance registration must name a provider that holds DATA_PROVIDER.
  r.set_code("gss.registry");
  r.set_provider_org(chain.code(kGss));
  proposal =
      chain.PassProposal(ProposeCall("catalogue", kSharingContract, RegisterResourceCall(r).SerializeAsString()));
  EXPECT_EQ(proposal.status(), pb::PROPOSAL_FAILED);
  EXPECT_EQ(proposal.result_code(), "MISSING_ROLE");

  // Logging is never a governance action; parameters only are.
  proposal = chain.PassProposal(
      ProposeCall("log", kSharingContract,
                  LogAccessCall({MakeAccess("r1", "amr.business", "", kPurpose, {"name"})}).SerializeAsString()));
  EXPECT_EQ(proposal.result_code(), "NOT_A_GOVERNANCE_ACTION");
  pb::SharingParams params = DefaultSharingParams();
  EXPECT_EQ(chain.Run(kGss, SetSharingParamsCall(params)).app_code(), "GOVERNANCE_REQUIRED");
  params.set_max_batch_records(0);
  proposal =
      chain.PassProposal(ProposeCall("params", kSharingContract, SetSharingParamsCall(params).SerializeAsString()));
  EXPECT_EQ(proposal.result_code(), "BAD_PARAMS");
  params.set_max_batch_records(5);
  chain.SetParams(params);
  EXPECT_EQ(GetSharingParams(chain.state)->max_batch_records(), 5u);
}

// ---- grants

TEST_F(SharingContractTest, RequestApproveRejectIssueAndRevoke) {
  // The requester files; the provider narrows fields and expiry and approves.
  auto request =
      MakeGrant("G-REQ-1", "", "psb.population", {"name", "id_number", "address"}, kPurpose, chain.time_ms + 60 * kDay);
  ASSERT_TRUE(chain.Run(kHrss, RequestGrantCall(request)).ok());
  auto g = chain.GrantRecord("G-REQ-1");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->status(), pb::SHARING_GRANT_REQUESTED);
  EXPECT_EQ(g->requester_org(), chain.code(kHrss));
  EXPECT_EQ(g->provider_org(), chain.code(kPsb));

  EXPECT_EQ(chain.Run(kAmr, ApproveGrantCall("G-REQ-1")).app_code(), "NOT_GRANT_PROVIDER");
  EXPECT_EQ(chain.Run(kPsb, ApproveGrantCall("G-REQ-1", {"sex"})).app_code(), "BAD_GRANT");
  EXPECT_EQ(chain.Run(kPsb, ApproveGrantCall("G-REQ-1", {}, chain.time_ms + 90 * kDay)).app_code(), "BAD_TIME");
  ASSERT_TRUE(
      chain.Run(kPsb, ApproveGrantCall("G-REQ-1", {"name", "id_number"}, chain.time_ms + 30 * kDay, "ok")).ok());
  g = chain.GrantRecord("G-REQ-1");
  EXPECT_EQ(g->status(), pb::SHARING_GRANT_ACTIVE);
  EXPECT_EQ(Strings(g->fields().begin(), g->fields().end()), (Strings{"id_number", "name"}));
  EXPECT_EQ(g->valid_from_ms(), chain.time_ms);  // in force from the approval, not before
  EXPECT_EQ(chain.Run(kPsb, ApproveGrantCall("G-REQ-1")).app_code(), "GRANT_NOT_REQUESTED");
  ASSERT_EQ(g->events_size(), 2);
  EXPECT_EQ(g->events(1).kind(), pb::SHARING_GRANT_EVENT_APPROVED);

  // Rejected requests stay rejected.
  ASSERT_TRUE(chain
                  .Run(kAmr, RequestGrantCall(MakeGrant("G-REQ-2", "", "hrss.insurance", {"insured_status"}, kPurpose,
                                                        chain.time_ms + kDay)))
                  .ok());
  EXPECT_EQ(chain.Run(kHrss, RejectGrantCall("G-REQ-2", "")).app_code(), "BAD_TEXT");
  ASSERT_TRUE(chain.Run(kHrss, RejectGrantCall("G-REQ-2", "无法定依据")).ok());
  EXPECT_EQ(chain.GrantRecord("G-REQ-2")->status(), pb::SHARING_GRANT_REJECTED);
  EXPECT_EQ(chain.Run(kHrss, RevokeGrantCall("G-REQ-2", "x")).app_code(), "GRANT_NOT_ACTIVE");

  // Issued directly, then revoked by the provider.
  IssuePopulationGrant("G-ISS-1");
  EXPECT_EQ(chain.GrantRecord("G-ISS-1")->status(), pb::SHARING_GRANT_ACTIVE);
  EXPECT_EQ(chain.Run(kHrss, RevokeGrantCall("G-ISS-1", "x")).app_code(), "NOT_GRANT_PROVIDER");
  ASSERT_TRUE(chain.Run(kPsb, RevokeGrantCall("G-ISS-1", "业务终止")).ok());
  g = chain.GrantRecord("G-ISS-1");
  EXPECT_EQ(g->status(), pb::SHARING_GRANT_REVOKED);
  EXPECT_EQ(g->revoked_time_ms(), chain.time_ms);
  EXPECT_EQ(g->status_reason(), "业务终止");
}

TEST_F(SharingContractTest, BadGrantsAreRejected) {
  auto issue = [&](pb::SharingGrant g) { return chain.Run(kPsb, IssueGrantCall(g)).app_code(); };
  int64_t later = chain.time_ms + kDay;
  EXPECT_EQ(issue(MakeGrant("G 1", chain.code(kHrss), "psb.population", {"name"}, kPurpose, later)), "BAD_GRANT_ID");
  EXPECT_EQ(issue(MakeGrant("G-1", chain.code(kHrss), "psb.nothing", {"name"}, kPurpose, later)), "RESOURCE_NOT_FOUND");
  EXPECT_EQ(issue(MakeGrant("G-1", chain.code(kHrss), "psb.criminal", {"record"}, kPurpose, later)),
            "RESOURCE_NOT_SHARED");
  EXPECT_EQ(issue(MakeGrant("G-1", chain.code(kHrss), "psb.population", {"salary"}, kPurpose, later)), "UNKNOWN_FIELD");
  EXPECT_EQ(issue(MakeGrant("G-1", chain.code(kHrss), "psb.population", {"name"}, "", later)), "PURPOSE_REQUIRED");
  EXPECT_EQ(issue(MakeGrant("G-1", chain.code(kHrss), "psb.population", {"name"}, kPurpose, chain.time_ms)),
            "BAD_TIME");
  EXPECT_EQ(issue(MakeGrant("G-1", chain.code(kPsb), "psb.population", {"name"}, kPurpose, later)), "SELF_ACCESS");
  EXPECT_EQ(issue(MakeGrant("G-1", chain.code(kGss), "psb.population", {"name"}, kPurpose, later)), "MISSING_ROLE");
  EXPECT_EQ(issue(MakeGrant("G-1", chain.code(kAmr), "hrss.insurance", {"name"}, kPurpose, later)),
            "RESOURCE_OF_OTHER_PROVIDER");
  auto no_basis = MakeGrant("G-1", chain.code(kHrss), "psb.population", {"name"}, kPurpose, later);
  no_basis.clear_legal_basis();
  EXPECT_EQ(issue(no_basis), "BAD_GRANT");
  IssuePopulationGrant("G-1");
  EXPECT_EQ(issue(MakeGrant("G-1", chain.code(kAmr), "psb.population", {"name"}, kPurpose, later)), "GRANT_EXISTS");
  // Only requesters request.
  EXPECT_EQ(
      chain.Run(kGss, RequestGrantCall(MakeGrant("G-2", "", "psb.population", {"name"}, kPurpose, later))).app_code(),
      "MISSING_ROLE");
}

// ---- verdicts

TEST_F(SharingContractTest, AuthorizedUnderAGrantAndForUnconditionalResources) {
  IssuePopulationGrant();
  ASSERT_TRUE(Log(kHrss, {MakeAccess("a1", "psb.population", "G-POP-1", kPurpose, {"name", "id_number"}, {Subject(1)}),
                          MakeAccess("a2", "amr.business", "", "企业开办核验", {"name", "uscc"})})
                  .ok());
  EXPECT_EQ(Reasons(kHrss, "a1"), Strings{});
  EXPECT_EQ(Reasons(kHrss, "a2"), Strings{});
  auto r = chain.Record(kHrss, "a1");
  EXPECT_EQ(r->provider_org(), chain.code(kPsb));  // taken from the catalogue
  EXPECT_EQ(r->time_ms(), chain.time_ms);
  EXPECT_EQ(r->accessed_at_ms(), chain.time_ms);
  EXPECT_EQ(r->ack_deadline_ms(), chain.time_ms + DefaultSharingParams().ack_deadline_ms());
  EXPECT_FALSE(r->acknowledged());
  EXPECT_EQ(std::string(AckStatusName(*r)), "pending");
}

TEST_F(SharingContractTest, ResourceNotShared) {
  pb::SharingAccess unknown = MakeAccess("n2", "dept.secret", "", kPurpose, {"a"});
  unknown.set_provider_org(chain.code(kPsb));
  ASSERT_TRUE(Log(kHrss, {MakeAccess("n1", "psb.criminal", "", kPurpose, {"record"}), unknown}).ok());
  EXPECT_EQ(Reasons(kHrss, "n1"), Strings{"RESOURCE_NOT_SHARED"});
  EXPECT_EQ(Reasons(kHrss, "n2"), Strings{"RESOURCE_NOT_SHARED"});
}

TEST_F(SharingContractTest, NoGrant) {
  IssuePopulationGrant();
  ASSERT_TRUE(chain
                  .Run(kAmr, RequestGrantCall(MakeGrant("G-PENDING", "", "psb.population", {"name"}, kPurpose,
                                                        chain.time_ms + kDay)))
                  .ok());
  ASSERT_TRUE(Log(kHrss, {MakeAccess("g1", "psb.population", "", kPurpose, {"name"}),
                          MakeAccess("g2", "psb.population", "G-NONE", kPurpose, {"name"}),
                          MakeAccess("g3", "psb.population", "G-PENDING", kPurpose, {"name"}),
                          MakeAccess("g4", "hrss.other", "G-POP-1", kPurpose, {"name"})})
                  .code() == Code::kInvalidArgument);  // g4: unknown resource without a provider
  ASSERT_TRUE(Log(kHrss, {MakeAccess("g1", "psb.population", "", kPurpose, {"name"}),
                          MakeAccess("g2", "psb.population", "G-NONE", kPurpose, {"name"})})
                  .ok());
  ASSERT_TRUE(Log(kAmr, {MakeAccess("g3", "psb.population", "G-PENDING", kPurpose, {"name"}),
                         MakeAccess("g4", "psb.population", "G-POP-1", kPurpose, {"name"})})
                  .ok());
  EXPECT_EQ(Reasons(kHrss, "g1"), Strings{"NO_GRANT"});
  EXPECT_EQ(Reasons(kHrss, "g2"), Strings{"NO_GRANT"});
  EXPECT_EQ(Reasons(kAmr, "g3"), Strings{"NO_GRANT"});  // requested, not approved
  EXPECT_EQ(Reasons(kAmr, "g4"), Strings{"NO_GRANT"});  // another requester's grant
  auto r = chain.Record(kAmr, "g4");
  EXPECT_NE(r->findings(0).detail().find(chain.code(kHrss)), std::string::npos);
}

TEST_F(SharingContractTest, GrantExpired) {
  Status st = chain.Run(kPsb, IssueGrantCall(MakeGrant("G-SHORT", chain.code(kHrss), "psb.population", {"name"},
                                                       kPurpose, chain.time_ms + 5000)));
  ASSERT_TRUE(st.ok()) << st.ToString();
  int64_t expiry = chain.time_ms + 4000;  // the grant's block was one block earlier
  ASSERT_TRUE(Log(kHrss, {MakeAccess("e1", "psb.population", "G-SHORT", kPurpose, {"name"})}).ok());
  chain.AdvanceTo(expiry + 2000);
  auto late = MakeAccess("e2", "psb.population", "G-SHORT", kPurpose, {"name"});
  auto backdated = MakeAccess("e3", "psb.population", "G-SHORT", kPurpose, {"name"});
  backdated.set_accessed_at_ms(chain.GrantRecord("G-SHORT")->expires_at_ms() - 1);
  ASSERT_TRUE(Log(kHrss, {late, backdated}).ok());
  EXPECT_EQ(Reasons(kHrss, "e1"), Strings{});
  EXPECT_EQ(Reasons(kHrss, "e2"), Strings{"GRANT_EXPIRED"});
  EXPECT_EQ(Reasons(kHrss, "e3"), Strings{});  // accessed before the expiry, logged after
}

TEST_F(SharingContractTest, GrantRevoked) {
  IssuePopulationGrant();
  int64_t before_revocation = chain.time_ms;
  ASSERT_TRUE(chain.Run(kPsb, RevokeGrantCall("G-POP-1", "业务终止")).ok());
  auto after = MakeAccess("v1", "psb.population", "G-POP-1", kPurpose, {"name"});
  auto before = MakeAccess("v2", "psb.population", "G-POP-1", kPurpose, {"name"});
  before.set_accessed_at_ms(before_revocation);
  ASSERT_TRUE(Log(kHrss, {after, before}).ok());
  EXPECT_EQ(Reasons(kHrss, "v1"), Strings{"GRANT_REVOKED"});
  EXPECT_EQ(Reasons(kHrss, "v2"), Strings{});
}

TEST_F(SharingContractTest, FieldsBeyondTheGrantOrTheCatalogue) {
  IssuePopulationGrant();
  ASSERT_TRUE(Log(kHrss, {MakeAccess("f1", "psb.population", "G-POP-1", kPurpose, {"address", "name"}),
                          MakeAccess("f2", "amr.business", "", "核验", {"name", "tax_records"})})
                  .ok());
  EXPECT_EQ(Reasons(kHrss, "f1"), Strings{"FIELDS_BEYOND_GRANT"});
  EXPECT_NE(chain.Record(kHrss, "f1")->findings(0).detail().find("address"), std::string::npos);
  EXPECT_EQ(Reasons(kHrss, "f2"), Strings{"FIELDS_BEYOND_GRANT"});
}

TEST_F(SharingContractTest, PurposeMismatchAndSeveralFindingsAtOnce) {
  IssuePopulationGrant();
  ASSERT_TRUE(Log(kHrss, {MakeAccess("p1", "psb.population", "G-POP-1", "商业营销", {"name"}),
                          MakeAccess("p2", "psb.population", "G-POP-1", "商业营销", {"name", "sex"})})
                  .ok());
  EXPECT_EQ(Reasons(kHrss, "p1"), Strings{"PURPOSE_MISMATCH"});
  EXPECT_EQ(Reasons(kHrss, "p2"), (Strings{"FIELDS_BEYOND_GRANT", "PURPOSE_MISMATCH"}));
}

TEST_F(SharingContractTest, DigestMismatchAtAcknowledgement) {
  IssuePopulationGrant();
  ASSERT_TRUE(Log(kHrss, {MakeAccess("d1", "psb.population", "G-POP-1", kPurpose, {"name"}, {}, "resp-1"),
                          MakeAccess("d2", "psb.population", "G-POP-1", kPurpose, {"name"}, {}, "resp-2")})
                  .ok());
  ASSERT_TRUE(chain
                  .Run(kPsb, AcknowledgeCall({MakeAck(chain.code(kHrss), "d1", "resp-1"),
                                              MakeAck(chain.code(kHrss), "d2", "tampered")}))
                  .ok());
  EXPECT_EQ(Reasons(kHrss, "d1"), Strings{});
  EXPECT_EQ(Reasons(kHrss, "d2"), Strings{"DIGEST_MISMATCH"});
  auto r = chain.Record(kHrss, "d1");
  EXPECT_TRUE(r->acknowledged());
  EXPECT_EQ(r->ack_height(), chain.height);
  EXPECT_EQ(std::string(AckStatusName(*r)), "acknowledged");
  // The pending queue of that tx is settled: nothing left to expire.
  size_t pending = 0;
  ASSERT_TRUE(chain.state
                  .Scan(ledger::Space::kState, sk::kPendingPrefix, "",
                        [&](std::string_view, std::string_view) {
                          ++pending;
                          return true;
                        })
                  .ok());
  EXPECT_EQ(pending, 0u);
  // The verdict index follows the change.
  EXPECT_EQ(IndexCount(sk::VerdictIndex(pb::SHARING_VIOLATION)), 1u);
  EXPECT_EQ(IndexCount(sk::VerdictIndex(pb::SHARING_AUTHORIZED)), 1u);
  EXPECT_EQ(IndexCount(sk::ReasonIndex(pb::SHARING_REASON_DIGEST_MISMATCH)), 1u);
}

TEST_F(SharingContractTest, UnacknowledgedAfterTheDeadlineAndLateAcknowledgements) {
  pb::SharingParams params = DefaultSharingParams();
  params.set_ack_deadline_ms(10'000);
  chain.SetParams(params);
  IssuePopulationGrant();
  ASSERT_TRUE(Log(kHrss, {MakeAccess("u1", "psb.population", "G-POP-1", kPurpose, {"name"}),
                          MakeAccess("u2", "psb.population", "G-POP-1", kPurpose, {"name"}),
                          MakeAccess("u3", "psb.population", "G-POP-1", kPurpose, {"name"})})
                  .ok());
  int64_t deadline = chain.Record(kHrss, "u1")->ack_deadline_ms();
  ASSERT_TRUE(chain.Run(kPsb, AcknowledgeCall({MakeAck(chain.code(kHrss), "u1")})).ok());
  chain.AdvanceTo(deadline - 1000);
  EXPECT_EQ(Reasons(kHrss, "u2"), Strings{});
  // The block whose time reaches the deadline: u3 is acknowledged in it (late),
  // u2 is not acknowledged at all.
  ASSERT_EQ(chain.time_ms + 1000, deadline);
  auto results = chain.Block({chain.Tx(kPsb, AcknowledgeCall({MakeAck(chain.code(kHrss), "u3")}))});
  ASSERT_TRUE(results[0].ok()) << results[0].ToString();
  EXPECT_EQ(Reasons(kHrss, "u1"), Strings{});
  EXPECT_EQ(Reasons(kHrss, "u2"), Strings{"UNACKNOWLEDGED"});
  EXPECT_EQ(Reasons(kHrss, "u3"), Strings{"UNACKNOWLEDGED"});
  EXPECT_EQ(std::string(AckStatusName(*chain.Record(kHrss, "u2"))), "overdue");
  EXPECT_EQ(std::string(AckStatusName(*chain.Record(kHrss, "u3"))), "acknowledged_late");

  // Acknowledged after it became overdue: the evidence stays, the ack is kept.
  ASSERT_TRUE(chain.Run(kPsb, AcknowledgeCall({MakeAck(chain.code(kHrss), "u2", "other")})).ok());
  EXPECT_EQ(Reasons(kHrss, "u2"), (Strings{"DIGEST_MISMATCH", "UNACKNOWLEDGED"}));
  EXPECT_EQ(std::string(AckStatusName(*chain.Record(kHrss, "u2"))), "acknowledged_late");
  EXPECT_EQ(chain.Run(kPsb, AcknowledgeCall({MakeAck(chain.code(kHrss), "u2")})).app_code(), "ALREADY_ACKNOWLEDGED");

  // Counted once as a violation each, on the day of the log.
  auto stats = ComputeStats(chain.state, AccessFilter{});
  ASSERT_TRUE(stats.ok());
  ASSERT_EQ(stats->days.size(), 1u);
  EXPECT_EQ(stats->days[0].total, 3u);
  EXPECT_EQ(stats->days[0].violations, 2u);
}

TEST_F(SharingContractTest, ViolationsAreStoredAndTheTxSucceeds) {
  // A batch of only violations is accepted: they are the evidence.
  std::vector<pb::SharingAccess> batch;
  for (int i = 0; i < 5; ++i)
    batch.push_back(MakeAccess("x" + std::to_string(i), "psb.population", "", kPurpose, {"name"}));
  auto results = chain.Block({chain.Tx(kHrss, LogAccessCall(batch))});
  ASSERT_TRUE(results[0].ok()) << results[0].ToString();
  EXPECT_EQ(IndexCount(sk::VerdictIndex(pb::SHARING_VIOLATION)), 5u);
  EXPECT_EQ(IndexCount(sk::ReasonIndex(pb::SHARING_REASON_NO_GRANT)), 5u);
}

// ---- rejected input and signers

TEST_F(SharingContractTest, MalformedRecordsAndWrongSignersAreRejected) {
  IssuePopulationGrant();
  auto ok = MakeAccess("m1", "psb.population", "G-POP-1", kPurpose, {"name"});
  auto code = [&](size_t org, pb::SharingAccess a) { return Log(org, {a}).app_code(); };
  EXPECT_EQ(code(kGss, ok), "MISSING_ROLE");  // the auditor requests nothing
  auto bad = ok;
  bad.set_request_id("has space");
  EXPECT_EQ(code(kHrss, bad), "BAD_REQUEST_ID");
  bad = ok;
  bad.set_response_digest("short");
  EXPECT_EQ(code(kHrss, bad), "BAD_DIGEST");
  bad = ok;
  bad.add_subject_tags("not 32 bytes");
  EXPECT_EQ(code(kHrss, bad), "BAD_SUBJECT_COMMITMENT");
  bad = ok;
  bad.clear_fields();
  EXPECT_EQ(code(kHrss, bad), "BAD_FIELD");
  bad = ok;
  bad.set_purpose("");
  EXPECT_EQ(code(kHrss, bad), "PURPOSE_REQUIRED");
  bad = ok;
  bad.set_purpose("核验 11010519491231002X");
  EXPECT_EQ(code(kHrss, bad), "PERSONAL_DATA_IN_TEXT");
  bad = ok;
  bad.set_provider_org(chain.code(kAmr));
  EXPECT_EQ(code(kHrss, bad), "PROVIDER_MISMATCH");
  bad = ok;
  bad.set_resource("unlisted");
  EXPECT_EQ(code(kHrss, bad), "PROVIDER_REQUIRED");
  bad.set_provider_org("11510700MB160296X3");
  EXPECT_EQ(code(kHrss, bad), "BAD_USCC");
  EXPECT_EQ(code(kPsb, ok), "SELF_ACCESS");
  bad = ok;
  bad.set_accessed_at_ms(chain.time_ms + 1000 + 61'000);
  EXPECT_EQ(code(kHrss, bad), "BAD_ACCESS_TIME");
  bad.set_accessed_at_ms(chain.time_ms + 1000 - DefaultSharingParams().max_access_lag_ms() - 1);
  EXPECT_EQ(code(kHrss, bad), "BAD_ACCESS_TIME");
  EXPECT_EQ(Log(kHrss, {}).app_code(), "EMPTY_BATCH");
  EXPECT_EQ(Log(kHrss, {ok, ok}).app_code(), "DUPLICATE_REQUEST_ID");

  // One bad record rejects the whole tx, naming it; nothing is written.
  auto second = MakeAccess("m2", "psb.population", "G-POP-1", kPurpose, {"name"});
  second.set_response_digest("");
  Status st = Log(kHrss, {ok, second});
  EXPECT_EQ(st.app_code(), "BAD_DIGEST");
  EXPECT_NE(st.message().find("access #1"), std::string::npos) << st.message();
  EXPECT_FALSE(chain.Record(kHrss, "m1").has_value());

  ASSERT_TRUE(Log(kHrss, {ok}).ok());
  EXPECT_EQ(Log(kHrss, {ok}).app_code(), "RECORD_EXISTS");
  // The same request id of another requester is another record.
  ASSERT_TRUE(Log(kAmr, {MakeAccess("m1", "amr.business", "", kPurpose, {"name"})}).code() == Code::kInvalidArgument);
  ASSERT_TRUE(Log(kNdrc, {MakeAccess("m1", "amr.business", "", kPurpose, {"name"})}).ok());

  // Acknowledgements: only by the record's provider, of existing records, once.
  EXPECT_EQ(chain.Run(kAmr, AcknowledgeCall({MakeAck(chain.code(kHrss), "m1")})).app_code(), "NOT_RECORD_PROVIDER");
  EXPECT_EQ(chain.Run(kPsb, AcknowledgeCall({MakeAck(chain.code(kHrss), "nope")})).app_code(), "RECORD_NOT_FOUND");
  auto short_digest = MakeAck(chain.code(kHrss), "m1");
  short_digest.set_provider_digest("x");
  EXPECT_EQ(chain.Run(kPsb, AcknowledgeCall({short_digest})).app_code(), "BAD_DIGEST");
  EXPECT_EQ(chain.Run(kPsb, AcknowledgeCall({})).app_code(), "EMPTY_BATCH");
  EXPECT_EQ(
      chain.Run(kPsb, AcknowledgeCall({MakeAck(chain.code(kHrss), "m1"), MakeAck(chain.code(kHrss), "m1")})).app_code(),
      "ALREADY_ACKNOWLEDGED");

  // Batch size is a parameter; the mempool check refuses oversize batches too.
  pb::SharingParams params = DefaultSharingParams();
  params.set_max_batch_records(2);
  chain.SetParams(params);
  std::vector<pb::SharingAccess> three;
  for (int i = 0; i < 3; ++i)
    three.push_back(MakeAccess("b" + std::to_string(i), "amr.business", "", kPurpose, {"name"}));
  EXPECT_EQ(chain.Check(chain.Tx(kHrss, LogAccessCall(three))).app_code(), "BATCH_TOO_LARGE");
  EXPECT_EQ(Log(kHrss, three).app_code(), "BATCH_TOO_LARGE");
  EXPECT_EQ(chain.Check(chain.Tx(kGss, LogAccessCall({ok}))).app_code(), "MISSING_ROLE");
  EXPECT_TRUE(chain.Check(chain.Tx(kHrss, LogAccessCall({ok}))).ok());
}

// ---- batches, indexes, counters

TEST_F(SharingContractTest, ThousandsOfRecordsInOneTxAreJudgedAndIndexed) {
  IssuePopulationGrant();
  constexpr int kRecords = 3000;
  std::vector<pb::SharingAccess> batch;
  int expected_violations = 0;
  for (int i = 0; i < kRecords; ++i) {
    bool beyond = i % 10 == 0;  // every tenth reads a field outside the grant
    expected_violations += beyond ? 1 : 0;
    batch.push_back(MakeAccess("batch-" + std::to_string(i), "psb.population", "G-POP-1", kPurpose,
                               beyond ? Strings{"name", "sex"} : Strings{"name"}, {Subject(i), Subject(i + 1)}));
  }
  Bytes tx = chain.Tx(kHrss, LogAccessCall(batch));
  ASSERT_LT(tx.size(), ledger::kMaxTxBytes);
  auto results = chain.Block({tx});
  ASSERT_TRUE(results[0].ok()) << results[0].ToString();

  EXPECT_EQ(IndexCount(std::string(sk::kByTime)), size_t{kRecords});
  EXPECT_EQ(IndexCount(sk::RequesterIndex(chain.code(kHrss))), size_t{kRecords});
  EXPECT_EQ(IndexCount(sk::ProviderIndex(chain.code(kPsb))), size_t{kRecords});
  EXPECT_EQ(IndexCount(sk::ResourceIndex("psb.population")), size_t{kRecords});
  EXPECT_EQ(IndexCount(sk::PurposeIndex(sk::PurposeHash(kPurpose))), size_t{kRecords});
  EXPECT_EQ(IndexCount(sk::VerdictIndex(pb::SHARING_VIOLATION)), size_t(expected_violations));
  EXPECT_EQ(IndexCount(sk::VerdictIndex(pb::SHARING_AUTHORIZED)), size_t(kRecords - expected_violations));
  EXPECT_EQ(IndexCount(sk::ReasonIndex(pb::SHARING_REASON_FIELDS_BEYOND_GRANT)), size_t(expected_violations));
  EXPECT_EQ(IndexCount(sk::SubjectIndex(Subject(0))), 1u);
  EXPECT_EQ(IndexCount(sk::SubjectIndex(Subject(5))), 2u);
  EXPECT_EQ(IndexCount(std::string(sk::kBySubject)), size_t{2 * kRecords});
  // Every index entry and counter was written in the block's own batch.
  size_t index_writes = chain.last_block_writes.index.size();
  EXPECT_GE(index_writes, size_t{kRecords} * 6 + 2 * kRecords);

  auto stats = ComputeStats(chain.state, AccessFilter{});
  ASSERT_TRUE(stats.ok());
  ASSERT_EQ(stats->days.size(), 1u);
  EXPECT_EQ(stats->days[0].total, uint64_t{kRecords});
  EXPECT_EQ(stats->days[0].violations, uint64_t(expected_violations));
  EXPECT_EQ(stats->days[0].record_count, uint64_t{2 * kRecords});

  // Acknowledging the whole batch in one tx settles its queue.
  std::vector<pb::SharingAck> acks;
  for (int i = 0; i < kRecords; ++i) acks.push_back(MakeAck(chain.code(kHrss), "batch-" + std::to_string(i)));
  ASSERT_TRUE(chain.Run(kPsb, AcknowledgeCall(acks)).ok());
  auto r = chain.Record(kHrss, "batch-2999");
  EXPECT_TRUE(r->acknowledged());
  size_t pending = 0;
  ASSERT_TRUE(chain.state
                  .Scan(ledger::Space::kState, sk::kPendingPrefix, "",
                        [&](std::string_view, std::string_view) {
                          ++pending;
                          return true;
                        })
                  .ok());
  EXPECT_EQ(pending, 0u);
}

// The same txs on two chains give the same state and indexes, byte for byte.
TEST(SharingDeterminismTest, SameBlocksSameStateAndIndexes) {
  auto run = [](SharingChain* c) {
    c->SampleCatalogue();
    EXPECT_TRUE(c->Run(kPsb, IssueGrantCall(MakeGrant("G-1", c->code(kHrss), "psb.population", {"name"}, kPurpose,
                                                      c->time_ms + 5000)))
                    .ok());
    pb::SharingParams params = DefaultSharingParams();
    params.set_ack_deadline_ms(3000);
    c->SetParams(params);
    for (int block = 0; block < 6; ++block) {
      std::vector<pb::SharingAccess> batch;
      for (int i = 0; i < 50; ++i) {
        std::string id = "d-" + std::to_string(block) + "-" + std::to_string(i);
        batch.push_back(MakeAccess(id, i % 3 ? "psb.population" : "amr.business", i % 3 ? "G-1" : "", kPurpose,
                                   {"name"}, {Subject(i % 7)}));
      }
      std::vector<Bytes> txs{c->Tx(kHrss, LogAccessCall(batch))};
      if (block % 2 == 1) {
        txs.push_back(c->Tx(kPsb, AcknowledgeCall({MakeAck(c->code(kHrss), "d-" + std::to_string(block - 1) + "-1")})));
      }
      for (const Status& st : c->Block(txs)) EXPECT_TRUE(st.ok()) << st.ToString();
    }
    c->AdvanceTo(c->time_ms + 10'000);
  };
  SharingChain a, b;
  run(&a);
  run(&b);
  EXPECT_TRUE(a.state == b.state);
  EXPECT_FALSE(a.state.map(ledger::Space::kIndex).empty());
}

TEST(SharingNamesTest, DaysAndNames) {
  // 2025-01-01T16:00:00Z is 2025-01-02 00:00 in China Standard Time.
  EXPECT_EQ(SharingDayText(SharingDay(1735747200000)), "2025-01-02");
  EXPECT_EQ(SharingDayText(SharingDay(1735747199999)), "2025-01-01");
  for (int r = pb::SHARING_REASON_RESOURCE_NOT_SHARED; r <= pb::SHARING_REASON_UNACKNOWLEDGED; ++r) {
    auto reason = static_cast<pb::SharingReason>(r);
    EXPECT_EQ(*ParseReason(EnumUpperName(reason)), reason);
  }
  EXPECT_EQ(ParseReason("NOPE").status().app_code(), "BAD_REASON");
  EXPECT_EQ(*ParseShareType("none"), pb::SHARING_NOT_SHARED);
  EXPECT_EQ(ParseVerdict("ok").status().app_code(), "BAD_VERDICT");
  std::string a = sk::TimeKey(5, 1, 0, 0), b = sk::TimeKey(5, 1, 0, 1), c = sk::TimeKey(6, 0, 0, 0);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(sk::TimeOfKey(c), 6);
  EXPECT_LT(sk::TimeKeyFloor(5), a);
}

}  // namespace
}  // namespace civic::sharing_testing
