// The credit contract's rules: categories through governance, listing and its
// permissions, repair, objections, commitments, expiry by block time, joint
// measures, batches and the admission check. Every rejected tx is checked to
// change nothing.
#include <gtest/gtest.h>

#include "contracts/base/state_io.h"
#include "credit_chain.h"
#include "contracts/governance/calls.h"
#include "contracts/governance/rules.h"
#include "contracts/base/tx_builder.h"
#include "contracts/base/contract_names.h"
#include "crypto/hash.h"
#include "rpc/codec/credit.h"

namespace civic::contracts {
namespace {

using namespace credit_testing;

class CreditContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    e1 = ValidUscc("91510703MA6ATB0F1");
    e2 = ValidUscc("91510704MA6BXK3H2");
    e3 = ValidUscc("91510723MA68YL5P8");
    pb::Proposal p = chain.Govern(RegisterCreditCall(
        {Category("FOOD_DRUG", pb::CREDIT_LIST_BLACK, {chain.code(kAmr)}, 365, 3 * 365, true),
         Category("TAX", pb::CREDIT_LIST_BLACK, {chain.code(kNdrc)}, 365, 3 * 365, false),
         Category("LABOUR", pb::CREDIT_LIST_BLACK, {chain.code(kHrss)}, 90, 365, true, pb::CREDIT_SEVERITY_GENERAL),
         Category("MARKET", pb::CREDIT_LIST_RED, {chain.code(kAmr)}, 0, 2 * 365, false, pb::CREDIT_SEVERITY_GENERAL)},
        {Measure("FOOD_DRUG", "no_procurement", chain.code(kNdrc), "government_procurement"),
         Measure("FOOD_DRUG", "licensing_review", chain.code(kAmr), "administrative_licensing", "从严审核行政许可"),
         Measure("MARKET", "fast_track", chain.code(kAmr), "administrative_licensing", "容缺受理")}));
    ASSERT_EQ(p.status(), pb::PROPOSAL_EXECUTED) << p.result_code() << ": " << p.result_message();
  }

  // Lists `subject` in `category` by `org`; returns the new entry's id.
  uint64_t ListOk(size_t org, const pb::CreditListing& listing) {
    uint64_t id = NextEntryId();
    Status st = chain.Exec(org, ListCreditCall({listing}));
    EXPECT_TRUE(st.ok()) << st.ToString();
    return id;
  }

  uint64_t NextEntryId() {
    auto raw = chain.state.Get(ledger::Space::kState, credit_keys::kNextEntry);
    return raw.ok() && raw->has_value() ? GetBigEndian64(**raw) : 1;
  }

  pb::CreditEntry Entry(uint64_t id) { return GetCreditEntry(chain.state, id).value(); }

  Bytes Digest(std::string_view text) { return crypto::Sha256(text); }

  CreditChain chain;
  std::string e1, e2, e3;
};

// ---------------------------------------------------------------------------
// Categories and measures

TEST_F(CreditContractTest, CategoriesAreRegisteredOnlyThroughGovernance) {
  chain.ExpectRejected(
      chain.Tx(kGss, RegisterCreditCall({Category("FINANCE", pb::CREDIT_LIST_BLACK, {chain.code(kNdrc)}, 30, 60, true)})),
      "GOVERNANCE_REQUIRED");
  auto food = GetCreditCategory(chain.state, "FOOD_DRUG");
  ASSERT_TRUE(food.ok()) << food.status().ToString();
  EXPECT_EQ(food->list(), pb::CREDIT_LIST_BLACK);
  EXPECT_TRUE(food->repairable());
  EXPECT_EQ(food->min_publicity_ms(), 365 * kDayMs);
  // Registration granted the scope to the deciding orgs.
  EXPECT_TRUE(HasRole(GetOrg(chain.state, chain.code(kAmr)).value(), pb::ROLE_CREDIT_AUTHORITY, "FOOD_DRUG"));
  EXPECT_TRUE(HasRole(GetOrg(chain.state, chain.code(kHrss)).value(), pb::ROLE_CREDIT_AUTHORITY, "LABOUR"));
  EXPECT_FALSE(HasRole(GetOrg(chain.state, chain.code(kPsb)).value(), pb::ROLE_CREDIT_AUTHORITY));
  auto measures = ListCreditMeasures(chain.state, "FOOD_DRUG");
  ASSERT_TRUE(measures.ok());
  ASSERT_EQ(measures->size(), 2u);
  EXPECT_EQ((*measures)[0].code(), "licensing_review");  // code order
}

TEST_F(CreditContractTest, BadRegistrationsFailTheirProposalAndChangeNothing) {
  struct Case {
    pb::CreditCall call;
    const char* code;
  };
  std::string ghost = ValidUscc("91510700MA6CWN7E6");  // a valid code that is no org
  std::vector<Case> cases = {
      {RegisterCreditCall({Category("X", pb::CREDIT_LIST_BLACK, {chain.code(kAmr)}, 400, 300, true)}), "BAD_CATEGORY"},
      {RegisterCreditCall({Category("X", pb::CREDIT_LIST_UNSPECIFIED, {chain.code(kAmr)}, 1, 3, true)}), "BAD_CATEGORY"},
      {RegisterCreditCall({Category("bad code", pb::CREDIT_LIST_RED, {chain.code(kAmr)}, 1, 3, true)}),
       "BAD_CATEGORY_CODE"},
      {RegisterCreditCall({Category("X", pb::CREDIT_LIST_RED, {}, 1, 3, true)}), "BAD_CATEGORY"},
      {RegisterCreditCall({Category("X", pb::CREDIT_LIST_RED, {ghost}, 1, 3, true)}), "UNKNOWN_ORG"},
      {RegisterCreditCall({}, {Measure("NOPE", "m", chain.code(kAmr), "bidding")}), "UNKNOWN_CATEGORY"},
      {RegisterCreditCall({}, {Measure("TAX", "m", chain.code(kAmr), "not a token")}), "BAD_MEASURE"},
      {RegisterCreditCall({}, {}, {[] {
                            pb::CreditMeasureRef r;
                            r.set_category("TAX");
                            r.set_code("missing");
                            return r;
                          }()}),
       "UNKNOWN_MEASURE"},
  };
  for (const auto& c : cases) {
    auto before = ListCreditCategories(chain.state).value().size();
    pb::Proposal p = chain.Govern(c.call);
    EXPECT_EQ(p.status(), pb::PROPOSAL_FAILED);
    EXPECT_EQ(p.result_code(), c.code) << p.result_message();
    EXPECT_EQ(ListCreditCategories(chain.state).value().size(), before);
  }
}

TEST_F(CreditContractTest, MeasuresCanBeReplacedAndRemoved) {
  pb::CreditMeasureRef ref;
  ref.set_category("FOOD_DRUG");
  ref.set_code("licensing_review");
  pb::Proposal p = chain.Govern(RegisterCreditCall({}, {}, {ref}));
  ASSERT_EQ(p.status(), pb::PROPOSAL_EXECUTED) << p.result_message();
  EXPECT_EQ(ListCreditMeasures(chain.state, "FOOD_DRUG").value().size(), 1u);
}

// ---------------------------------------------------------------------------
// Listing

TEST_F(CreditContractTest, ListsAnEnterpriseWithItsPublicityPeriod) {
  uint64_t id = ListOk(kAmr, Listing(Enterprise(e1), "FOOD_DRUG", "绵市监罚〔2025〕1号"));
  pb::CreditEntry e = Entry(id);
  EXPECT_EQ(e.state(), pb::CREDIT_LISTED);
  EXPECT_EQ(e.list(), pb::CREDIT_LIST_BLACK);
  EXPECT_EQ(e.deciding_org(), chain.code(kAmr));
  EXPECT_EQ(e.listed_at_ms(), chain.time_ms);
  EXPECT_EQ(e.decided_at_ms(), chain.time_ms);
  EXPECT_EQ(e.publicity_end_ms(), chain.time_ms + 3 * 365 * kDayMs);
  EXPECT_EQ(e.earliest_repair_ms(), chain.time_ms + 365 * kDayMs);
  ASSERT_EQ(e.events_size(), 1);
  EXPECT_EQ(e.events(0).kind(), pb::CREDIT_EVENT_LISTED);
  EXPECT_EQ(e.listing_key(), chain.org_keys[kAmr].public_key().key);
  auto report = BuildCreditReport(chain.state, Enterprise(e1), chain.time_ms);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->entries.size(), 1u);
  EXPECT_EQ(report->entries[0].id(), id);
}

TEST_F(CreditContractTest, WrongOrgIsRejected) {
  // The credit office holds CREDIT_AUTHORITY for FOOD_DRUG (genesis) but is not
  // a deciding org of the category.
  ASSERT_TRUE(HasRole(GetOrg(chain.state, chain.code(kNdrc)).value(), pb::ROLE_CREDIT_AUTHORITY, "FOOD_DRUG"));
  chain.ExpectRejected(chain.Tx(kNdrc, ListCreditCall({Listing(Enterprise(e1), "FOOD_DRUG", "d1")})),
                       "NOT_DECIDING_ORG");
}

TEST_F(CreditContractTest, MissingRoleIsRejected) {
  chain.ExpectRejected(chain.Tx(kPsb, ListCreditCall({Listing(Enterprise(e1), "FOOD_DRUG", "d1")})), "MISSING_ROLE");
  // A deciding org that lost the scope may no longer list.
  pb::GovernanceCall revoke;
  revoke.mutable_revoke_role()->set_org(chain.code(kAmr));
  revoke.mutable_revoke_role()->set_role(pb::ROLE_CREDIT_AUTHORITY);
  revoke.mutable_revoke_role()->add_scopes("FOOD_DRUG");
  uint64_t id = chain.NextProposalId();
  ASSERT_TRUE(chain.Exec(GovernanceTx(chain.Params(kGss), ProposeCall("revoke", revoke), chain.org_keys[kGss])).ok());
  for (size_t org : {kPsb, kHrss, kAmr}) {
    ASSERT_TRUE(chain.Exec(GovernanceTx(chain.Params(org), VoteCall(id, true), chain.org_keys[org])).ok());
  }
  ASSERT_EQ(GetProposal(chain.state, id).value().status(), pb::PROPOSAL_EXECUTED);
  chain.ExpectRejected(chain.Tx(kAmr, ListCreditCall({Listing(Enterprise(e1), "FOOD_DRUG", "d1")})), "MISSING_ROLE");
}

TEST_F(CreditContractTest, BadUsccCheckCharacterIsRejected) {
  std::string bad = e1;
  bad.back() = bad.back() == '0' ? '1' : '0';
  pb::CreditListing l = Listing(Enterprise(e1), "FOOD_DRUG", "d1");
  l.mutable_subject()->set_uscc(bad);
  chain.ExpectRejected(chain.Tx(kAmr, ListCreditCall({l})), "BAD_USCC");
}

TEST_F(CreditContractTest, PersonsOnlyByCommitmentAndMaskedName) {
  auto listing = [&](const std::function<void(pb::CreditSubject*)>& edit) {
    pb::CreditSubject s;
    s.set_type(pb::CREDIT_SUBJECT_PERSON);
    s.set_commitment(Bytes(32, 'c'));
    s.set_masked_name("张*");
    edit(&s);
    return chain.Tx(kHrss, ListCreditCall({Listing(s, "LABOUR", "p1")}));
  };
  chain.ExpectRejected(listing([](pb::CreditSubject* s) { s->clear_commitment(); }), "PERSON_COMMITMENT_REQUIRED");
  chain.ExpectRejected(listing([](pb::CreditSubject* s) { s->set_commitment(Bytes(31, 'c')); }), "BAD_COMMITMENT");
  chain.ExpectRejected(listing([](pb::CreditSubject* s) { s->set_name("张三"); }), "BAD_SUBJECT");
  chain.ExpectRejected(listing([&](pb::CreditSubject* s) { s->set_uscc(e1); }), "BAD_SUBJECT");
  chain.ExpectRejected(listing([](pb::CreditSubject* s) { s->set_masked_name("张三"); }), "BAD_MASKED_NAME");
  chain.ExpectRejected(listing([](pb::CreditSubject* s) { s->clear_masked_name(); }), "BAD_MASKED_NAME");
  chain.ExpectRejected(listing([](pb::CreditSubject* s) { s->set_masked_name("*"); }), "BAD_MASKED_NAME");
  chain.ExpectRejected(listing([](pb::CreditSubject* s) { s->set_masked_name("张*1"); }), "BAD_MASKED_NAME");
  chain.ExpectRejected(listing([](pb::CreditSubject* s) { s->set_type(pb::CREDIT_SUBJECT_UNSPECIFIED); }),
                       "BAD_SUBJECT");
  EXPECT_TRUE(chain.Exec(listing([](pb::CreditSubject*) {})).ok());
}

TEST_F(CreditContractTest, DuplicateListingIsRejected) {
  ListOk(kAmr, Listing(Enterprise(e1), "FOOD_DRUG", "d1"));
  chain.ExpectRejected(chain.Tx(kAmr, ListCreditCall({Listing(Enterprise(e1), "FOOD_DRUG", "d2")})),
                       "DUPLICATE_LISTING");
  // Within one batch too.
  chain.ExpectRejected(chain.Tx(kAmr, ListCreditCall({Listing(Enterprise(e2), "FOOD_DRUG", "d3"),
                                                      Listing(Enterprise(e2), "FOOD_DRUG", "d4")})),
                       "DUPLICATE_LISTING");
  // Another category of the same subject is no duplicate.
  ListOk(kAmr, Listing(Enterprise(e1), "MARKET", "r1"));
}

TEST_F(CreditContractTest, OneDecisionListsASubjectOnce) {
  uint64_t id = ListOk(kAmr, Listing(Enterprise(e1), "FOOD_DRUG", "d1"));
  ASSERT_TRUE(chain.Exec(kAmr, DelistCall(id, "行政复议撤销")).ok());
  // Withdrawn, so no longer published; the same decision still cannot list again.
  chain.ExpectRejected(chain.Tx(kAmr, ListCreditCall({Listing(Enterprise(e1), "FOOD_DRUG", "d1")})),
                       "DUPLICATE_DECISION");
  ListOk(kAmr, Listing(Enterprise(e1), "FOOD_DRUG", "d2"));
}

TEST_F(CreditContractTest, ListingInputIsChecked) {
  auto rejected = [&](pb::CreditListing l, const char* code, size_t org = kAmr) {
    chain.ExpectRejected(chain.Tx(org, ListCreditCall({std::move(l)})), code);
  };
  pb::CreditListing l = Listing(Enterprise(e1), "FOOD_DRUG", "d1");
  auto with = [&](const std::function<void(pb::CreditListing*)>& edit) {
    pb::CreditListing copy = l;
    edit(&copy);
    return copy;
  };
  rejected(with([](auto* x) { x->set_category("NOPE"); }), "UNKNOWN_CATEGORY");
  rejected(with([](auto* x) { x->set_category("a/b"); }), "BAD_CATEGORY_CODE");
  rejected(with([](auto* x) { x->set_list(pb::CREDIT_LIST_RED); }), "LIST_MISMATCH");
  rejected(with([](auto* x) { x->clear_reason(); }), "REASON_REQUIRED");
  rejected(with([](auto* x) { x->clear_legal_basis(); }), "LEGAL_BASIS_REQUIRED");
  rejected(with([](auto* x) { x->clear_decision_doc_no(); }), "DOC_NO_REQUIRED");
  rejected(with([](auto* x) { x->set_reason(std::string(kMaxCreditText + 1, 'a')); }), "TEXT_TOO_LONG");
  rejected(with([](auto* x) { x->set_decision_doc_digest("short"); }), "BAD_DIGEST");
  rejected(with([&](auto* x) { x->set_decided_at_ms(chain.time_ms + 10 * kDayMs); }), "BAD_TIME");
  rejected(with([](auto* x) { x->set_decided_at_ms(-5); }), "BAD_TIME");
  int64_t t = chain.time_ms + CreditChain::kBlockInterval;
  rejected(with([&](auto* x) { x->set_publicity_end_ms(t + 100 * kDayMs); }), "BAD_PUBLICITY_PERIOD");  // < min
  rejected(with([&](auto* x) { x->set_publicity_end_ms(t + 4 * 365 * kDayMs); }), "BAD_PUBLICITY_PERIOD");  // > max
  rejected(with([&](auto* x) { x->set_publicity_end_ms(t - kDayMs); }), "BAD_PUBLICITY_PERIOD");
  rejected(with([](auto* x) { x->set_basis_commitment_id(99); }), "COMMITMENT_NOT_FOUND");
  rejected(with([](auto*) {}), "MISSING_ROLE", kPsb);
  // An explicit, matching list and an end inside the period are fine.
  EXPECT_TRUE(chain.Exec(kAmr, ListCreditCall({with([&](auto* x) {
                                                 x->set_list(pb::CREDIT_LIST_BLACK);
                                                 x->set_publicity_end_ms(t + 2 * 365 * kDayMs);
                                               })}))
                  .ok());
}

TEST_F(CreditContractTest, RetiredCategoryTakesNoNewListings) {
  pb::CreditCategory food = GetCreditCategory(chain.state, "FOOD_DRUG").value();
  food.set_retired(true);
  ASSERT_EQ(chain.Govern(RegisterCreditCall({food})).status(), pb::PROPOSAL_EXECUTED);
  chain.ExpectRejected(chain.Tx(kAmr, ListCreditCall({Listing(Enterprise(e1), "FOOD_DRUG", "d1")})),
                       "CATEGORY_RETIRED");
}

TEST_F(CreditContractTest, BatchesAreAllOrNothing) {
  chain.ExpectRejected(chain.Tx(kAmr, ListCreditCall({})), "EMPTY_BATCH");
  std::vector<pb::CreditListing> too_many(kMaxCreditBatch + 1, Listing(Enterprise(e1), "FOOD_DRUG", "d"));
  chain.ExpectRejected(chain.Tx(kAmr, ListCreditCall(too_many)), "BATCH_TOO_LARGE");
  pb::CreditListing bad = Listing(Enterprise(e3), "FOOD_DRUG", "d3");
  bad.mutable_subject()->set_uscc("91510700MA6CWN7E60");
  Bytes tx = chain.Tx(kAmr, ListCreditCall({Listing(Enterprise(e1), "FOOD_DRUG", "d1"),
                                            Listing(Enterprise(e2), "FOOD_DRUG", "d2"), bad}));
  MemState before = chain.state;
  Status st = chain.Exec(tx);
  EXPECT_EQ(st.app_code(), "BAD_USCC");
  EXPECT_NE(st.message().find("listing #2"), std::string::npos) << st.message();
  EXPECT_TRUE(chain.state == before);
  EXPECT_EQ(NextEntryId(), 1u);
}

TEST_F(CreditContractTest, MalformedCallsAreRejected) {
  auto raw = [&](std::string call) {
    TxParams p = chain.Params(kAmr);
    return ledger::SignTx(MakeBody(p, kCreditContract, call), chain.org_keys[kAmr]);
  };
  chain.ExpectRejected(raw("\xff\xff\xff"), "CALL_MALFORMED");
  chain.ExpectRejected(raw(""), "EMPTY_CALL");
}

// ---------------------------------------------------------------------------
// Credit repair

TEST_F(CreditContractTest, RepairIsNotPossibleBeforeTheMinimumPeriod) {
  uint64_t id = ListOk(kAmr, Listing(Enterprise(e1), "FOOD_DRUG", "d1"));
  chain.ExpectRejected(chain.Tx(kNdrc, RepairApplyCall(id, Digest("evidence"), "已整改")), "REPAIR_TOO_EARLY");
  int64_t earliest = Entry(id).earliest_repair_ms();
  EXPECT_EQ(chain.Exec(kNdrc, RepairApplyCall(id, Digest("evidence"), "已整改"), earliest).ToString(), "OK");
}

TEST_F(CreditContractTest, NonRepairableCategoryCannotBeRepaired) {
  uint64_t id = ListOk(kNdrc, Listing(Enterprise(e1), "TAX", "t1", chain.time_ms - 400 * kDayMs));
  chain.ExpectRejected(chain.Tx(kNdrc, RepairApplyCall(id, Digest("evidence"), "已补缴")), "NOT_REPAIRABLE");
}

TEST_F(CreditContractTest, OnlyTheDecidingOrgDecidesARepair) {
  // Decided 400 days ago: the one-year minimum has passed.
  uint64_t id = ListOk(kAmr, Listing(Enterprise(e1), "FOOD_DRUG", "d1", chain.time_ms - 400 * kDayMs));
  chain.ExpectRejected(chain.Tx(kAmr, RepairDecideCall(id, true, "")), "NO_PENDING_REPAIR");
  ASSERT_TRUE(chain.Exec(kNdrc, RepairApplyCall(id, Digest("evidence 1"), "已整改到位")).ok());
  chain.ExpectRejected(chain.Tx(kNdrc, RepairApplyCall(id, Digest("evidence 2"), "")), "REPAIR_PENDING");
  chain.ExpectRejected(chain.Tx(kNdrc, RepairDecideCall(id, true, "")), "NOT_ENTRY_DECIDER");
  chain.ExpectRejected(chain.Tx(kHrss, RepairDecideCall(id, true, "")), "NOT_ENTRY_DECIDER");
  // Rejected: still listed; a new application may follow.
  ASSERT_TRUE(chain.Exec(kAmr, RepairDecideCall(id, false, "证据不足")).ok());
  EXPECT_EQ(Entry(id).state(), pb::CREDIT_LISTED);
  ASSERT_TRUE(chain.Exec(kNdrc, RepairApplyCall(id, Digest("evidence 3"), "补充证据")).ok());
  ASSERT_TRUE(chain.Exec(kAmr, RepairDecideCall(id, true, "准予修复")).ok());

  pb::CreditEntry e = Entry(id);
  EXPECT_EQ(e.state(), pb::CREDIT_REPAIRED);
  EXPECT_EQ(e.ended_at_ms(), chain.time_ms);
  ASSERT_EQ(e.repairs_size(), 2);
  EXPECT_EQ(e.repairs(0).state(), pb::CREDIT_APPLICATION_REJECTED);
  EXPECT_EQ(e.repairs(1).state(), pb::CREDIT_APPLICATION_APPROVED);
  EXPECT_TRUE(e.repairs(1).on_behalf());
  std::vector<pb::CreditEventKind> kinds;
  for (const auto& ev : e.events()) kinds.push_back(ev.kind());
  EXPECT_EQ(kinds, (std::vector<pb::CreditEventKind>{
                       pb::CREDIT_EVENT_LISTED, pb::CREDIT_EVENT_REPAIR_FILED, pb::CREDIT_EVENT_REPAIR_REJECTED,
                       pb::CREDIT_EVENT_REPAIR_FILED, pb::CREDIT_EVENT_REPAIR_APPROVED}));
  // Publication ended: off the published list, the history stays.
  auto page = ListPublished(chain.state, pb::CREDIT_LIST_BLACK, "", "", 10, chain.time_ms);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->entries.empty());
  EXPECT_FALSE(chain.state.map(ledger::Space::kIndex).count(credit_keys::ListIndex(pb::CREDIT_LIST_BLACK, "FOOD_DRUG", id)));
  EXPECT_FALSE(chain.state.map(ledger::Space::kState).count(credit_keys::Expiry(e.publicity_end_ms(), id)));
  chain.ExpectRejected(chain.Tx(kNdrc, RepairApplyCall(id, Digest("again"), "")), "ENTRY_NOT_LISTED");
  // The subject may be listed in the category again (a new decision).
  ListOk(kAmr, Listing(Enterprise(e1), "FOOD_DRUG", "d2"));
}

TEST_F(CreditContractTest, TheSubjectOrACreditAuthorityApplies) {
  // The supervision bureau is itself an enterprise-coded org: list it, and let it apply.
  const std::string& gss = chain.code(kGss);
  uint64_t id = ListOk(kAmr, Listing(Enterprise(gss), "FOOD_DRUG", "d1", chain.time_ms - 400 * kDayMs));
  chain.ExpectRejected(chain.Tx(kPsb, RepairApplyCall(id, Digest("e"), "")), "NOT_SUBJECT_OR_AGENT");
  ASSERT_TRUE(chain.Exec(kGss, RepairApplyCall(id, Digest("e"), "本单位已整改")).ok());
  EXPECT_FALSE(Entry(id).repairs(0).on_behalf());
  chain.ExpectRejected(chain.Tx(kGss, RepairApplyCall(id + 1, Digest("e"), "")), "ENTRY_NOT_FOUND");
  chain.ExpectRejected(chain.Tx(kGss, ObjectionFileCall(id, "short", "理由")), "BAD_DIGEST");
}

// ---------------------------------------------------------------------------
// Objections and delisting

TEST_F(CreditContractTest, ObjectionsRejectedOrUpheld) {
  uint64_t id = ListOk(kAmr, Listing(Enterprise(e1), "FOOD_DRUG", "d1", chain.time_ms - 400 * kDayMs));
  chain.ExpectRejected(chain.Tx(kNdrc, ObjectionFileCall(id, Digest("o"), "")), "REASON_REQUIRED");
  ASSERT_TRUE(chain.Exec(kNdrc, ObjectionFileCall(id, Digest("o1"), "认定事实有误")).ok());
  chain.ExpectRejected(chain.Tx(kNdrc, ObjectionFileCall(id, Digest("o2"), "再次异议")), "OBJECTION_PENDING");
  chain.ExpectRejected(chain.Tx(kHrss, ObjectionDecideCall(id, true, "")), "NOT_ENTRY_DECIDER");
  // Rejected -> unchanged.
  ASSERT_TRUE(chain.Exec(kAmr, ObjectionDecideCall(id, false, "异议不成立")).ok());
  EXPECT_EQ(Entry(id).state(), pb::CREDIT_LISTED);
  EXPECT_EQ(Entry(id).objections(0).state(), pb::CREDIT_APPLICATION_REJECTED);
  chain.ExpectRejected(chain.Tx(kAmr, ObjectionDecideCall(id, false, "")), "NO_PENDING_OBJECTION");
  // A pending repair is closed when an upheld objection withdraws the entry.
  ASSERT_TRUE(chain.Exec(kNdrc, RepairApplyCall(id, Digest("r"), "已整改")).ok());
  ASSERT_TRUE(chain.Exec(kNdrc, ObjectionFileCall(id, Digest("o3"), "新证据")).ok());
  ASSERT_TRUE(chain.Exec(kAmr, ObjectionDecideCall(id, true, "异议成立，撤销公示")).ok());
  pb::CreditEntry e = Entry(id);
  EXPECT_EQ(e.state(), pb::CREDIT_WITHDRAWN);
  EXPECT_EQ(e.objections(1).state(), pb::CREDIT_APPLICATION_APPROVED);
  EXPECT_EQ(e.repairs(0).state(), pb::CREDIT_APPLICATION_CLOSED);
  EXPECT_EQ(e.events(e.events_size() - 1).kind(), pb::CREDIT_EVENT_OBJECTION_UPHELD);
  // Objection on a withdrawn entry: typed error, nothing changes.
  chain.ExpectRejected(chain.Tx(kNdrc, ObjectionFileCall(id, Digest("o4"), "又一次")), "ENTRY_WITHDRAWN");
  chain.ExpectRejected(chain.Tx(kAmr, DelistCall(id, "再撤")), "ENTRY_WITHDRAWN");
  chain.ExpectRejected(chain.Tx(kNdrc, RepairApplyCall(id, Digest("r2"), "")), "ENTRY_WITHDRAWN");
}

TEST_F(CreditContractTest, DelistingIsForTheDecidingOrg) {
  uint64_t id = ListOk(kAmr, Listing(Enterprise(e1), "FOOD_DRUG", "d1"));
  chain.ExpectRejected(chain.Tx(kNdrc, DelistCall(id, "撤销")), "NOT_ENTRY_DECIDER");
  chain.ExpectRejected(chain.Tx(kAmr, DelistCall(id, "")), "REASON_REQUIRED");
  ASSERT_TRUE(chain.Exec(kAmr, DelistCall(id, "经行政复议撤销原处罚决定")).ok());
  pb::CreditEntry e = Entry(id);
  EXPECT_EQ(e.state(), pb::CREDIT_WITHDRAWN);
  EXPECT_EQ(e.events(1).kind(), pb::CREDIT_EVENT_WITHDRAWN);
  EXPECT_EQ(e.events(1).note(), "经行政复议撤销原处罚决定");
  // A withdrawn entry frees the category for a new decision at once.
  ListOk(kAmr, Listing(Enterprise(e1), "FOOD_DRUG", "d2"));
}

// ---------------------------------------------------------------------------
// Commitments

TEST_F(CreditContractTest, ABrokenCommitmentCanBeTheBasisOfAListing) {
  ASSERT_TRUE(chain.Exec(kAmr, CommitCall(Enterprise(e1), "administrative_licensing", Digest("letter"),
                                          "承诺符合许可条件"))
                  .ok());
  ASSERT_TRUE(chain.Exec(kAmr, CommitCall(Enterprise(e2), "administrative_licensing", Digest("letter 2"), "")).ok());
  pb::CreditListing l = Listing(Enterprise(e1), "FOOD_DRUG", "d1");
  l.set_basis_commitment_id(1);
  chain.ExpectRejected(chain.Tx(kAmr, ListCreditCall({l})), "COMMITMENT_NOT_BROKEN");
  chain.ExpectRejected(chain.Tx(kHrss, BreakCommitmentCall(1, "未履行")), "NOT_COMMITMENT_RECORDER");
  chain.ExpectRejected(chain.Tx(kAmr, BreakCommitmentCall(1, "")), "REASON_REQUIRED");
  chain.ExpectRejected(chain.Tx(kAmr, BreakCommitmentCall(7, "x")), "COMMITMENT_NOT_FOUND");
  ASSERT_TRUE(chain.Exec(kAmr, BreakCommitmentCall(1, "核查不符合承诺条件")).ok());
  ASSERT_TRUE(chain.Exec(kAmr, BreakCommitmentCall(2, "未履行")).ok());
  chain.ExpectRejected(chain.Tx(kAmr, BreakCommitmentCall(1, "again")), "COMMITMENT_ALREADY_BROKEN");
  pb::CreditListing other = l;
  other.set_basis_commitment_id(2);
  chain.ExpectRejected(chain.Tx(kAmr, ListCreditCall({other})), "COMMITMENT_SUBJECT_MISMATCH");
  uint64_t id = ListOk(kAmr, l);
  EXPECT_EQ(Entry(id).basis_commitment_id(), 1u);
  auto report = BuildCreditReport(chain.state, Enterprise(e1), chain.time_ms);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->commitments.size(), 1u);
  EXPECT_EQ(report->commitments[0].state(), pb::CREDIT_COMMITMENT_BROKEN);
  chain.ExpectRejected(chain.Tx(kAmr, CommitCall(Enterprise(e1), "bad matter", Digest("x"), "")), "BAD_MATTER");
  chain.ExpectRejected(chain.Tx(kAmr, CommitCall(Enterprise(e1), "m", "short", "")), "BAD_DIGEST");
  chain.ExpectRejected(chain.Tx(kAmr, CommitCall(Enterprise(e1), "m", Digest("x"), "", chain.time_ms - 1)), "BAD_TIME");
}

// ---------------------------------------------------------------------------
// Expiry

TEST_F(CreditContractTest, ExpiryFollowsBlockTimeWithoutATx) {
  int64_t decided = chain.time_ms;
  int64_t end = decided + 100 * kDayMs;
  uint64_t id = ListOk(kHrss, Listing(Enterprise(e1), "LABOUR", "l1", decided, end));
  pb::CreditSubject subject = Enterprise(e1);
  // No tx, no block: a query at the end of the period already reads "expired".
  for (int64_t at : {end - 1, end}) {
    bool published = at < end;
    auto report = BuildCreditReport(chain.state, subject, at);
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(EffectiveState(report->entries[0], at), published ? pb::CREDIT_LISTED : pb::CREDIT_EXPIRED);
    auto json = rpc::CreditReportToJson(*report, CreditView::kPublic);
    EXPECT_EQ(json.at("current_list").as_string(), published ? "black" : "none");
    auto page = ListPublished(chain.state, pb::CREDIT_LIST_BLACK, "LABOUR", "", 10, at);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->entries.size(), published ? 1u : 0u);
  }
  EXPECT_EQ(Entry(id).state(), pb::CREDIT_LISTED);  // nothing recorded yet

  // The first block at or after the end records it, with no tx in it.
  chain.Block({}, end - 1);
  EXPECT_EQ(Entry(id).state(), pb::CREDIT_LISTED);
  chain.Block({}, end);
  pb::CreditEntry e = Entry(id);
  EXPECT_EQ(e.state(), pb::CREDIT_EXPIRED);
  EXPECT_EQ(e.ended_at_ms(), end);
  ASSERT_EQ(e.events_size(), 2);
  EXPECT_EQ(e.events(1).kind(), pb::CREDIT_EVENT_EXPIRED);
  EXPECT_EQ(e.events(1).time_ms(), end);
  EXPECT_TRUE(e.events(1).tx_id().empty());
  EXPECT_FALSE(chain.state.map(ledger::Space::kState).count(credit_keys::Expiry(end, id)));
  EXPECT_FALSE(chain.state.map(ledger::Space::kState).count(credit_keys::Open(CreditSubjectKey(subject), "LABOUR")));
  EXPECT_FALSE(chain.state.map(ledger::Space::kIndex).count(credit_keys::ListIndex(pb::CREDIT_LIST_BLACK, "LABOUR", id)));
  // Expired: no repair, but a new listing is possible.
  chain.ExpectRejected(chain.Tx(kNdrc, RepairApplyCall(id, crypto::Sha256("e"), "")), "ENTRY_NOT_LISTED");
  ListOk(kHrss, Listing(Enterprise(e1), "LABOUR", "l2"));
}

TEST_F(CreditContractTest, AnExpiredButUnrecordedEntryIsNoDuplicate) {
  int64_t end = chain.time_ms + 100 * kDayMs;
  uint64_t first = ListOk(kHrss, Listing(Enterprise(e1), "LABOUR", "l1", chain.time_ms, end));
  // The next block is past the end: the listing tx sees the old entry as expired
  // (the same block's EndBlock records it afterwards).
  uint64_t second = NextEntryId();
  ASSERT_TRUE(chain.Exec(kHrss, ListCreditCall({Listing(Enterprise(e1), "LABOUR", "l2")}), end + 1).ok());
  EXPECT_EQ(Entry(first).state(), pb::CREDIT_EXPIRED);
  EXPECT_EQ(Entry(second).state(), pb::CREDIT_LISTED);
  // The open pointer is the new entry's.
  auto open = chain.state.Get(ledger::Space::kState, credit_keys::Open(CreditSubjectKey(Enterprise(e1)), "LABOUR"));
  ASSERT_TRUE(open.ok() && open->has_value());
  EXPECT_EQ(GetBigEndian64(**open), second);
}

TEST_F(CreditContractTest, ImportedHistoryThatAlreadyEndedIsExpiredAtOnce) {
  int64_t decided = chain.time_ms - 4 * 365 * kDayMs;
  uint64_t id = ListOk(kNdrc, Listing(Enterprise(e1), "TAX", "t1", decided, decided + 3 * 365 * kDayMs));
  EXPECT_EQ(Entry(id).state(), pb::CREDIT_EXPIRED);  // recorded by that block's EndBlock
  EXPECT_EQ(Entry(id).ended_at_ms(), decided + 3 * 365 * kDayMs);
}

TEST_F(CreditContractTest, EndBlockRecordsAtMostALimitPerBlock) {
  std::vector<pb::CreditListing> listings;
  int64_t decided = chain.time_ms;
  int64_t end = decided + 100 * kDayMs;
  for (size_t i = 0; i < kMaxExpiriesPerBlock + 5; ++i) {
    char base[18];
    std::snprintf(base, sizeof base, "9151070000%07zu", i);
    listings.push_back(Listing(Enterprise(ValidUscc(base)), "LABOUR", "bulk-" + std::to_string(i), decided, end));
  }
  std::vector<pb::CreditListing> first(listings.begin(), listings.begin() + kMaxCreditBatch);
  std::vector<pb::CreditListing> rest(listings.begin() + kMaxCreditBatch, listings.end());
  auto results = chain.Block({chain.Tx(kHrss, ListCreditCall(first)), chain.Tx(kHrss, ListCreditCall(rest))});
  ASSERT_TRUE(results[0].ok()) << results[0].ToString();
  ASSERT_TRUE(results[1].ok()) << results[1].ToString();
  auto published = [&](int64_t at) {
    return ListPublished(chain.state, pb::CREDIT_LIST_BLACK, "LABOUR", "", kMaxCreditPage, at).value().entries.size();
  };
  EXPECT_EQ(published(end - 1), kMaxCreditPage);  // one full page
  chain.Block({}, end);
  EXPECT_EQ(Entry(1).state(), pb::CREDIT_EXPIRED);
  EXPECT_EQ(Entry(kMaxExpiriesPerBlock).state(), pb::CREDIT_EXPIRED);
  EXPECT_EQ(Entry(kMaxExpiriesPerBlock + 1).state(), pb::CREDIT_LISTED);  // recorded next block
  EXPECT_EQ(EffectiveState(Entry(kMaxExpiriesPerBlock + 1), chain.time_ms), pb::CREDIT_EXPIRED);
  EXPECT_EQ(published(chain.time_ms), 0u);  // and queries already agree
  chain.Block({});
  EXPECT_EQ(Entry(kMaxExpiriesPerBlock + 5).state(), pb::CREDIT_EXPIRED);
}

// ---------------------------------------------------------------------------
// Joint measures

TEST_F(CreditContractTest, JointMeasuresApplyWhilePublished) {
  uint64_t black = ListOk(kAmr, Listing(Enterprise(e1), "FOOD_DRUG", "d1", chain.time_ms - 400 * kDayMs));
  uint64_t red = ListOk(kAmr, Listing(Enterprise(e2), "MARKET", "r1"));
  auto check = [&](const std::string& uscc, std::string_view matter) {
    auto c = CheckCredit(chain.state, Enterprise(uscc), matter, chain.time_ms);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : CreditCheck{};
  };
  CreditCheck procurement = check(e1, "government_procurement");
  ASSERT_EQ(procurement.measures.size(), 1u);
  EXPECT_EQ(procurement.measures[0].measure.code(), "no_procurement");
  EXPECT_EQ(procurement.measures[0].measure.org(), chain.code(kNdrc));
  EXPECT_EQ(procurement.measures[0].entries, std::vector<uint64_t>{black});
  ASSERT_EQ(procurement.entries.size(), 1u);
  EXPECT_EQ(procurement.entries[0].id(), black);
  EXPECT_EQ(check(e1, "").measures.size(), 2u);  // any matter
  EXPECT_TRUE(check(e1, "bidding").measures.empty());
  EXPECT_TRUE(check(e1, "bidding").entries.empty());
  CreditCheck incentive = check(e2, "administrative_licensing");
  ASSERT_EQ(incentive.measures.size(), 1u);
  EXPECT_EQ(incentive.measures[0].list, pb::CREDIT_LIST_RED);
  EXPECT_EQ(incentive.measures[0].entries, std::vector<uint64_t>{red});
  EXPECT_TRUE(check(e3, "").measures.empty());
  EXPECT_EQ(CheckCredit(chain.state, Enterprise(e1), "not a matter", chain.time_ms).status().app_code(), "BAD_MATTER");
  // After repair nothing applies any more.
  ASSERT_TRUE(chain.Exec(kNdrc, RepairApplyCall(black, crypto::Sha256("e"), "已整改")).ok());
  ASSERT_TRUE(chain.Exec(kAmr, RepairDecideCall(black, true, "准予")).ok());
  EXPECT_TRUE(check(e1, "").measures.empty());
  // And a measure registered later applies to entries listed before.
  ASSERT_EQ(chain.Govern(RegisterCreditCall({}, {Measure("MARKET", "bonus", chain.code(kHrss), "subsidy", "优先")}))
                .status(),
            pb::PROPOSAL_EXECUTED);
  EXPECT_EQ(check(e2, "").measures.size(), 2u);
}

// ---------------------------------------------------------------------------
// Admission check and determinism

TEST_F(CreditContractTest, AdmissionCheckAppliesTheRulesAndWritesNothing) {
  MemState before = chain.state;
  EXPECT_EQ(chain.Check(chain.Tx(kNdrc, ListCreditCall({Listing(Enterprise(e1), "FOOD_DRUG", "d1")}))).app_code(),
            "NOT_DECIDING_ORG");
  EXPECT_EQ(chain.Check(chain.Tx(kPsb, ListCreditCall({Listing(Enterprise(e1), "FOOD_DRUG", "d1")}))).app_code(),
            "MISSING_ROLE");
  EXPECT_EQ(chain.Check(chain.Tx(kGss, RegisterCreditCall({}))).app_code(), "GOVERNANCE_REQUIRED");
  EXPECT_EQ(chain.Check(chain.Tx(kAmr, RepairApplyCall(5, crypto::Sha256("e"), ""))).app_code(), "ENTRY_NOT_FOUND");
  EXPECT_TRUE(chain.Check(chain.Tx(kAmr, ListCreditCall({Listing(Enterprise(e1), "FOOD_DRUG", "d1")}))).ok());
  EXPECT_TRUE(chain.state == before);
  ListOk(kAmr, Listing(Enterprise(e1), "FOOD_DRUG", "d1"));
  EXPECT_EQ(chain.Check(chain.Tx(kAmr, ListCreditCall({Listing(Enterprise(e1), "FOOD_DRUG", "d2")}))).app_code(),
            "DUPLICATE_LISTING");
  // Rules that depend on the block time wait for the block: the mempool knows only the tip's time.
  uint64_t id = NextEntryId() - 1;
  EXPECT_TRUE(chain.Check(chain.Tx(kNdrc, RepairApplyCall(id, crypto::Sha256("e"), ""))).ok());
  chain.ExpectRejected(chain.Tx(kNdrc, RepairApplyCall(id, crypto::Sha256("e"), "")), "REPAIR_TOO_EARLY");
}

// One scenario touching every operation; returns each block's writes.
std::vector<ledger::WriteSet> Scenario() {
  CreditChain c;
  std::vector<ledger::WriteSet> writes;
  auto ok = [&](const std::vector<Status>& results) {
    for (const auto& st : results) EXPECT_TRUE(st.ok()) << st.ToString();
    writes.push_back(c.last_block_writes);
  };
  std::string e1 = ValidUscc("91510703MA6ATB0F1"), e2 = ValidUscc("91510704MA6BXK3H2");
  EXPECT_EQ(c.Govern(RegisterCreditCall(
                         {Category("FOOD_DRUG", pb::CREDIT_LIST_BLACK, {c.code(kAmr)}, 30, 365, true),
                          Category("MARKET", pb::CREDIT_LIST_RED, {c.code(kAmr)}, 0, 365, false)},
                         {Measure("FOOD_DRUG", "no_procurement", c.code(kNdrc), "government_procurement")}))
                .status(),
            pb::PROPOSAL_EXECUTED);
  writes.push_back(c.last_block_writes);
  ok(c.Block({c.Tx(kAmr, CommitCall(Enterprise(e1), "administrative_licensing", crypto::Sha256("l"), "承诺"))}));
  ok(c.Block({c.Tx(kAmr, BreakCommitmentCall(1, "未履行"))}));
  pb::CreditListing l = Listing(Enterprise(e1), "FOOD_DRUG", "d1", c.time_ms - 40 * kDayMs);
  l.set_basis_commitment_id(1);
  ok(c.Block({c.Tx(kAmr, ListCreditCall({l, Listing(Enterprise(e2), "MARKET", "r1")})),
              c.Tx(kAmr, ListCreditCall({Listing(Enterprise(e2), "FOOD_DRUG", "d2", 0, c.time_ms + 31 * kDayMs)}))}));
  ok(c.Block({c.Tx(kNdrc, RepairApplyCall(1, crypto::Sha256("e"), "已整改")),
              c.Tx(kNdrc, ObjectionFileCall(2, crypto::Sha256("o"), "异议"))}));
  ok(c.Block({c.Tx(kAmr, RepairDecideCall(1, true, "准予")), c.Tx(kAmr, ObjectionDecideCall(2, true, "成立"))}));
  ok(c.Block({}, c.time_ms + 60 * kDayMs));  // entry 3 expires without a tx
  EXPECT_EQ(GetCreditEntry(c.state, 3).value().state(), pb::CREDIT_EXPIRED);
  return writes;
}

TEST(CreditDeterminismTest, SameTxsGiveIdenticalWrites) {
  std::vector<ledger::WriteSet> a = Scenario();
  std::vector<ledger::WriteSet> b = Scenario();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_FALSE(a[i].empty()) << "block " << i << " wrote nothing";
    EXPECT_TRUE(a[i].state == b[i].state) << "state writes of block " << i << " differ";
    EXPECT_TRUE(a[i].index == b[i].index) << "index writes of block " << i << " differ";
  }
}

}  // namespace
}  // namespace civic::contracts
