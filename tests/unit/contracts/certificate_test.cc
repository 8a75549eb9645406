#include "contracts/certificate/contract.h"

#include <gtest/gtest.h>

#include "contracts/base/identifiers.h"
#include "contracts/certificate/query.h"
#include "contracts/certificate/rules.h"
#include "contracts/governance/query.h"
#include "contracts/governance/rules.h"
#include "contracts/base/state_io.h"
#include "test_chain.h"
#include "contracts/certificate/calls.h"
#include "contracts/governance/calls.h"
#include "contracts/base/tx_builder.h"

namespace civic::contracts {
namespace {

using testing::kAmr;
using testing::kGss;
using testing::kHrss;
using testing::kPsb;
using testing::MemState;
using testing::TestChain;

constexpr int64_t kDay = 86'400'000;

// A valid citizen id number for person `n` (< 1000).
std::string CitizenId(int n) {
  std::string seq = std::to_string(n % 1000);
  std::string first17 = "51070219800101" + std::string(3 - seq.size(), '0') + seq;
  return first17 + *CitizenIdCheckChar(first17);
}

class CertificateTest : public ::testing::Test {
 protected:
  CertificateTest() {
    for (const auto& t : chain.genesis.cert_types) {
      if (t.name() == "居民身份证") id_card = t;
      if (t.name() == "社会保障卡") social_card = t;
      if (t.name() == "营业执照") business = t;
    }
  }

  HolderCertificate IdCardCopy(int n) {
    std::string id = CitizenId(n);
    return NewHolderCertificate(id_card.code(), chain.code(kPsb), "citizen_id", id,
                                {{"name", "测试姓名" + std::to_string(n)},
                                 {"sex", "男"},
                                 {"ethnicity", "汉"},
                                 {"birth_date", "1980-01-01"},
                                 {"address", "四川省绵阳市涪城区测试路" + std::to_string(n) + "号"},
                                 {"id_number", id}});
  }

  pb::CertIssueItem Item(const HolderCertificate& copy, std::string_view serial = "") {
    auto item = MakeIssueItem(copy, serial);
    EXPECT_TRUE(item.ok()) << item.status().ToString();
    return *item;
  }

  Status Issue(std::vector<pb::CertIssueItem> items, size_t org = kPsb) {
    return chain.Exec(IssueTx(chain.Params(org), std::move(items), chain.org_keys[org]));
  }
  Status Call(const pb::CertificateCall& call, size_t org = kPsb) {
    return chain.Exec(CertificateTx(chain.Params(org), call, chain.org_keys[org]));
  }

  // Issues one ID card with `serial` and returns its id.
  std::string IssueIdCard(int n, std::string serial, HolderCertificate* copy_out = nullptr) {
    HolderCertificate copy = IdCardCopy(n);
    Status st = Issue({Item(copy, serial)});
    EXPECT_TRUE(st.ok()) << st.ToString();
    copy.id = MakeCertId(id_card.code(), chain.code(kPsb), serial, 1).value();
    if (copy_out != nullptr) *copy_out = copy;
    return copy.id;
  }

  pb::Certificate Get(const std::string& id) { return GetCertificate(chain.state, id).value(); }

  Verification Verify(const std::string& id, int64_t at, const std::map<std::string, PresentedField>& fields = {}) {
    return VerifyCertificate(chain.state, id, at, fields).value();
  }

  TestChain chain;
  pb::CertType id_card, social_card, business;
};

TEST_F(CertificateTest, IssueAndVerify) {
  HolderCertificate copy;
  std::string id = IssueIdCard(1, "A0000001", &copy);
  pb::Certificate c = Get(id);
  EXPECT_EQ(c.type_code(), id_card.code());
  EXPECT_EQ(c.issuer_org(), chain.code(kPsb));
  EXPECT_EQ(c.issuer_key(), chain.org_keys[kPsb].public_key().key);
  EXPECT_EQ(c.holder_commitment(), copy.Commitment());
  EXPECT_EQ(c.claims_digest(), copy.Digest());
  EXPECT_EQ(c.claims_size(), 6);
  EXPECT_EQ(c.status(), pb::CERT_ACTIVE);
  EXPECT_EQ(c.version(), 1u);
  EXPECT_EQ(c.issued_at_ms(), chain.time_ms);
  EXPECT_EQ(c.valid_until_ms(), chain.time_ms + 7305 * kDay);  // the type's default validity
  EXPECT_EQ(c.height(), chain.height);
  EXPECT_EQ(c.issuing_tx_id().size(), 32u);

  Verification v = Verify(id, chain.time_ms);
  EXPECT_TRUE(v.genuine);
  EXPECT_TRUE(v.valid_at_time);
  EXPECT_EQ(v.issuer_name, "绵阳市公安局");
  EXPECT_EQ(v.type_name, "居民身份证");
  EXPECT_FALSE(v.fields_match.has_value());

  // Selective disclosure: the holder shows two fields.
  std::map<std::string, PresentedField> shown;
  for (const auto& f : copy.fields)
    if (f.name == "name" || f.name == "birth_date") shown[f.name] = {f.salt, f.value};
  v = Verify(id, chain.time_ms, shown);
  EXPECT_TRUE(*v.fields_match);
  ASSERT_EQ(v.fields.size(), 2u);
  EXPECT_EQ(v.fields[0].match, FieldMatch::kMatch);
  shown["name"].value = "冒名顶替";
  shown["phone"] = {"salt", "123"};
  v = Verify(id, chain.time_ms, shown);
  EXPECT_FALSE(*v.fields_match);
  std::map<std::string, FieldMatch> by_name;
  for (const auto& f : v.fields) by_name[f.name] = f.match;
  EXPECT_EQ(by_name["name"], FieldMatch::kMismatch);
  EXPECT_EQ(by_name["birth_date"], FieldMatch::kMatch);
  EXPECT_EQ(by_name["phone"], FieldMatch::kNotOnCertificate);

  // The holder's whole copy.
  v = VerifyHolderCertificate(chain.state, copy, chain.time_ms).value();
  EXPECT_TRUE(v.genuine);
  EXPECT_TRUE(*v.holder_match);
  EXPECT_TRUE(*v.fields_match);
  HolderCertificate forged = copy;
  forged.holder_code = CitizenId(2);
  v = VerifyHolderCertificate(chain.state, forged, chain.time_ms).value();
  EXPECT_FALSE(v.genuine);
  EXPECT_EQ(v.not_genuine_reason, "HOLDER_MISMATCH");
  forged = copy;
  forged.fields[0].value = "x";
  v = VerifyHolderCertificate(chain.state, forged, chain.time_ms).value();
  EXPECT_FALSE(v.genuine);
  EXPECT_EQ(v.not_genuine_reason, "FIELD_MISMATCH");

  // Unknown and malformed ids are answers, not errors.
  std::string unknown = MakeCertId(id_card.code(), chain.code(kPsb), "A0000002", 1).value();
  v = Verify(unknown, chain.time_ms);
  EXPECT_FALSE(v.genuine);
  EXPECT_EQ(v.not_genuine_reason, "CERT_NOT_FOUND");
  v = Verify("1.2.156.3005.2.garbage", chain.time_ms);
  EXPECT_FALSE(v.genuine);
  EXPECT_EQ(v.not_genuine_reason, "BAD_CERT_ID");
  EXPECT_EQ(GetCertificate(chain.state, unknown).status().app_code(), "CERT_NOT_FOUND");
}

TEST_F(CertificateTest, RunningSerialsAreDeterministicAndSkipTakenIds) {
  ASSERT_TRUE(Issue({Item(IdCardCopy(1)), Item(IdCardCopy(2)), Item(IdCardCopy(3))}).ok());
  auto id = [&](const char* serial) { return MakeCertId(id_card.code(), chain.code(kPsb), serial, 1).value(); };
  for (const char* s : {"0000000001", "0000000002", "0000000003"}) EXPECT_TRUE(GetCertificate(chain.state, id(s)).ok());
  // The issuer takes number 5 explicitly; the running number skips it.
  ASSERT_TRUE(Issue({Item(IdCardCopy(4), "0000000005")}).ok());
  ASSERT_TRUE(Issue({Item(IdCardCopy(5)), Item(IdCardCopy(6))}).ok());
  EXPECT_TRUE(GetCertificate(chain.state, id("0000000004")).ok());
  EXPECT_TRUE(GetCertificate(chain.state, id("0000000006")).ok());
  EXPECT_EQ(Get(id("0000000006")).serial(), "0000000006");
  // Running numbers are per (type, issuer).
  HolderCertificate social = NewHolderCertificate(social_card.code(), chain.code(kHrss), "citizen_id", CitizenId(9),
                                                  {{"name", "某人"}, {"sex", "女"}, {"id_number", CitizenId(9)},
                                                   {"card_number", "C123"}});
  ASSERT_TRUE(Issue({Item(social)}, kHrss).ok());
  EXPECT_TRUE(GetCertificate(chain.state, MakeCertId(social_card.code(), chain.code(kHrss), "0000000001", 1).value()).ok());
}

TEST_F(CertificateTest, BatchOfThousands) {
  constexpr int kCount = 5000;
  std::vector<pb::CertIssueItem> items;
  HolderCertificate first;
  for (int i = 0; i < kCount; ++i) {
    HolderCertificate copy = IdCardCopy(i);
    if (i == 0) first = copy;
    items.push_back(Item(copy));
  }
  Bytes raw = IssueTx(chain.Params(kPsb), items, chain.org_keys[kPsb]);
  EXPECT_LT(raw.size(), ledger::kMaxTxBytes);
  ASSERT_TRUE(chain.Exec(raw).ok());
  auto page = ListByIssuer(chain.state, chain.code(kPsb), "", kMaxPageSize);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), kMaxPageSize);
  size_t total = 0;
  std::string cursor;
  Bytes tx_id;
  do {
    auto p = ListByIssuer(chain.state, chain.code(kPsb), cursor, 700);
    ASSERT_TRUE(p.ok());
    for (const auto& c : p->items) {
      if (tx_id.empty()) tx_id = c.issuing_tx_id();
      EXPECT_EQ(c.issuing_tx_id(), tx_id);  // one seal for the batch
    }
    total += p->items.size();
    cursor = p->next_cursor;
  } while (!cursor.empty());
  EXPECT_EQ(total, static_cast<size_t>(kCount));
  // The holder finds their certificate by commitment.
  auto mine = ListByHolder(chain.state, first.Commitment(), "", 10);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->items.size(), 1u);
  first.id = mine->items[0].id();
  EXPECT_TRUE(VerifyHolderCertificate(chain.state, first, chain.time_ms)->genuine);
}

TEST_F(CertificateTest, LifeCycle) {
  HolderCertificate copy;
  std::string v1 = IssueIdCard(1, "L1", &copy);
  int64_t issued = chain.time_ms;

  ASSERT_TRUE(Call(SuspendCall(v1, "under investigation")).ok());
  int64_t suspended = chain.time_ms;
  EXPECT_EQ(Get(v1).status(), pb::CERT_SUSPENDED);
  Verification v = Verify(v1, chain.time_ms);
  EXPECT_FALSE(v.valid_at_time);
  EXPECT_EQ(v.invalid_reason, "SUSPENDED");
  EXPECT_EQ(v.status_at.reason, "under investigation");

  ASSERT_TRUE(Call(ReinstateCall(v1, "cleared")).ok());
  int64_t reinstated = chain.time_ms;
  EXPECT_EQ(Get(v1).status(), pb::CERT_ACTIVE);
  EXPECT_TRUE(Verify(v1, chain.time_ms).valid_at_time);

  // Renew with an updated address (new salts for the changed copy).
  HolderCertificate renewed = copy;
  renewed.fields[4].value = "四川省绵阳市游仙区新址1号";
  renewed.fields[4].salt = NewSalt();
  ASSERT_TRUE(Call(RenewCall(v1, &renewed)).ok());
  int64_t renew_time = chain.time_ms;
  std::string v2 = MakeCertId(id_card.code(), chain.code(kPsb), "L1", 2).value();
  pb::Certificate old = Get(v1), next = Get(v2);
  EXPECT_EQ(old.status(), pb::CERT_SUPERSEDED);
  EXPECT_EQ(old.next_id(), v2);
  EXPECT_EQ(next.previous_id(), v1);
  EXPECT_EQ(next.version(), 2u);
  EXPECT_EQ(next.claims_digest(), renewed.Digest());
  EXPECT_EQ(next.valid_from_ms(), renew_time);
  EXPECT_EQ(next.valid_until_ms(), renew_time + 7305 * kDay);
  // Old version: valid before the renewal, superseded after.
  EXPECT_TRUE(Verify(v1, renew_time - 1).valid_at_time);
  v = Verify(v1, renew_time);
  EXPECT_FALSE(v.valid_at_time);
  EXPECT_EQ(v.invalid_reason, "SUPERSEDED");
  EXPECT_EQ(v.next_id, v2);
  EXPECT_EQ(Verify(v1, suspended).invalid_reason, "SUSPENDED");
  EXPECT_TRUE(Verify(v1, reinstated).valid_at_time);
  EXPECT_EQ(Verify(v1, issued - 1).invalid_reason, "NOT_YET_ISSUED");

  // Replace (lost card): v2 revoked as "replaced", v3 active.
  ASSERT_TRUE(Call(ReplaceCall(v2, nullptr, "lost")).ok());
  std::string v3 = MakeCertId(id_card.code(), chain.code(kPsb), "L1", 3).value();
  EXPECT_EQ(Get(v2).status(), pb::CERT_REVOKED);
  EXPECT_EQ(Get(v2).status_reason(), "replaced");
  EXPECT_EQ(Get(v3).claims_digest(), renewed.Digest());  // unchanged content
  EXPECT_EQ(Get(v3).holder_commitment(), copy.Commitment());

  ASSERT_TRUE(Call(RevokeCall(v3, "holder deceased")).ok());
  EXPECT_EQ(Get(v3).status(), pb::CERT_REVOKED);
  v = Verify(v3, chain.time_ms);
  EXPECT_EQ(v.invalid_reason, "REVOKED");
  EXPECT_EQ(v.reason_now, "holder deceased");

  auto history = History(chain.state, v2).value();
  ASSERT_EQ(history.versions.size(), 3u);
  EXPECT_EQ(history.versions[0], v1);
  EXPECT_EQ(history.versions[2], v3);
  ASSERT_EQ(history.events.size(), 3u);
  EXPECT_EQ(history.events[0].kind(), pb::CERT_EVENT_ISSUED);
  EXPECT_EQ(history.events[1].kind(), pb::CERT_EVENT_RENEWED);
  EXPECT_EQ(history.events[2].kind(), pb::CERT_EVENT_REVOKED);
  auto h1 = History(chain.state, v1).value();
  ASSERT_EQ(h1.events.size(), 4u);  // issued, suspended, reinstated, superseded
  EXPECT_EQ(h1.events[3].kind(), pb::CERT_EVENT_SUPERSEDED);
}

// One verdict an app can act on alone: never "valid" when anything presented
// differs, and the same forgery gives the same verdict whether it comes as
// disclosed fields or as the holder's copy.
TEST_F(CertificateTest, VerdictIsNeverValidWhenAnythingDiffers) {
  HolderCertificate copy;
  std::string id = IssueIdCard(1, "V1", &copy);
  int64_t issued = chain.time_ms;
  HolderCertificate replaced_copy;
  std::string lost = IssueIdCard(2, "V2", &replaced_copy);
  ASSERT_TRUE(Call(ReplaceCall(lost, nullptr, "lost")).ok());
  std::string renewed_from;
  {
    HolderCertificate c;
    renewed_from = IssueIdCard(3, "V3", &c);
    ASSERT_TRUE(Call(RenewCall(renewed_from, &c)).ok());
  }
  std::string revoked = IssueIdCard(4, "V4");
  int64_t before_revocation = chain.time_ms;
  ASSERT_TRUE(Call(RevokeCall(revoked, "holder deceased")).ok());
  int64_t now = chain.time_ms;

  std::map<std::string, PresentedField> honest, forged, extra;
  for (const auto& f : copy.fields) honest[f.name] = {f.salt, f.value};
  forged = honest;
  forged["name"].value = "冒名顶替";
  extra = honest;
  extra["phone"] = {"salt", "123"};
  HolderCertificate forged_copy = copy;
  for (auto& f : forged_copy.fields)
    if (f.name == "name") f.value = "冒名顶替";

  struct Case {
    const char* what;
    Verification v;
    Verdict verdict;
    std::string reason;
  };
  std::vector<Case> cases = {
      {"nothing presented", Verify(id, now), Verdict::kValid, ""},
      {"every field honest", Verify(id, now, honest), Verdict::kValid, ""},
      {"holder copy honest", VerifyHolderCertificate(chain.state, copy, now).value(), Verdict::kValid, ""},
      {"forged field", Verify(id, now, forged), Verdict::kNotGenuine, "FIELD_MISMATCH"},
      {"forged holder copy", VerifyHolderCertificate(chain.state, forged_copy, now).value(), Verdict::kNotGenuine,
       "FIELD_MISMATCH"},
      {"field not on it", Verify(id, now, extra), Verdict::kNotGenuine, "FIELD_NOT_ON_CERTIFICATE"},
      {"forged field, revoked", Verify(revoked, now, {{"name", {"s", "x"}}}), Verdict::kNotGenuine,
       "FIELD_MISMATCH"},
      {"unknown id", Verify(MakeCertId(id_card.code(), chain.code(kPsb), "V9", 1).value(), now), Verdict::kUnknownId,
       "CERT_NOT_FOUND"},
      {"not an id", Verify("hello", now), Verdict::kUnknownId, "BAD_CERT_ID"},
      {"before issuance", Verify(id, issued - 1), Verdict::kInvalid, "NOT_YET_ISSUED"},
      {"revoked", Verify(revoked, now), Verdict::kInvalid, "REVOKED"},
      {"valid then, revoked now", Verify(revoked, before_revocation), Verdict::kValid, ""},
      {"replaced", Verify(lost, now), Verdict::kInvalid, "REPLACED"},
      {"renewed", Verify(renewed_from, now), Verdict::kInvalid, "SUPERSEDED"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(VerdictName(c.v.verdict), std::string(VerdictName(c.verdict)));
    EXPECT_EQ(c.v.verdict_reason, c.reason);
    // The detailed members agree with the verdict.
    EXPECT_EQ(c.v.genuine, c.verdict == Verdict::kValid || c.verdict == Verdict::kInvalid);
    if (c.verdict == Verdict::kValid) EXPECT_TRUE(c.v.valid_at_time);
  }
  EXPECT_EQ(Verify(lost, now).next_id, MakeCertId(id_card.code(), chain.code(kPsb), "V2", 2).value());
  EXPECT_EQ(Verify(revoked, before_revocation).status_now, pb::CERT_REVOKED);
}

TEST_F(CertificateTest, VerificationAtDifferentTimes) {
  // Bulk import of an existing certificate issued a year ago, valid for two years.
  HolderCertificate copy = IdCardCopy(7);
  pb::CertIssueItem item = Item(copy, "OLD1");
  int64_t now = chain.time_ms + TestChain::kBlockInterval;
  item.set_issued_at_ms(now - 365 * kDay);
  item.set_valid_from_ms(now - 365 * kDay);
  item.set_valid_until_ms(now + 365 * kDay);
  ASSERT_TRUE(Issue({item}).ok());
  std::string id = MakeCertId(id_card.code(), chain.code(kPsb), "OLD1", 1).value();
  EXPECT_TRUE(Verify(id, now - 100 * kDay).valid_at_time);
  EXPECT_EQ(Verify(id, now - 366 * kDay).invalid_reason, "NOT_YET_ISSUED");
  EXPECT_EQ(Verify(id, now + 365 * kDay).invalid_reason, "EXPIRED");
  EXPECT_TRUE(Verify(id, now + 365 * kDay - 1).valid_at_time);

  // A certificate that becomes valid next month.
  pb::CertIssueItem later = Item(IdCardCopy(8), "NEXT1");
  int64_t from = chain.time_ms + 30 * kDay;
  later.set_valid_from_ms(from);
  ASSERT_TRUE(Issue({later}).ok());
  std::string later_id = MakeCertId(id_card.code(), chain.code(kPsb), "NEXT1", 1).value();
  EXPECT_EQ(Verify(later_id, chain.time_ms).invalid_reason, "NOT_YET_VALID");
  EXPECT_TRUE(Verify(later_id, chain.time_ms + 31 * kDay).valid_at_time);
  EXPECT_EQ(Get(later_id).valid_until_ms(), from + 7305 * kDay);

  // Business licences have no default expiry.
  HolderCertificate biz = NewHolderCertificate(
      business.code(), chain.code(kAmr), "uscc", "914403001922038216",
      {{"name", "绵阳某科技有限公司"}, {"uscc", "914403001922038216"}, {"legal_representative", "李四"},
       {"registered_capital", "100万元"}, {"business_scope", "软件开发"}, {"address", "绵阳市科创园"},
       {"established", "2020-01-01"}});
  ASSERT_TRUE(Issue({Item(biz, "B1")}, kAmr).ok());
  std::string biz_id = MakeCertId(business.code(), chain.code(kAmr), "B1", 1).value();
  EXPECT_EQ(Get(biz_id).valid_until_ms(), 0);
  EXPECT_TRUE(Verify(biz_id, chain.time_ms + 36500 * kDay).valid_at_time);
}

TEST_F(CertificateTest, TypedErrors) {
  std::string id = IssueIdCard(1, "E1");
  auto expect = [&](Status st, const char* app) {
    EXPECT_EQ(st.app_code(), app) << st.ToString();
    EXPECT_FALSE(st.message().empty());
  };
  // Wrong org: hrss is no issuer of ID cards.
  HolderCertificate wrong = IdCardCopy(2);
  expect(Issue({Item(wrong)}, kHrss), "NOT_ISSUER");
  expect(chain.Check(IssueTx(chain.Params(kHrss), {Item(wrong)}, chain.org_keys[kHrss])), "NOT_ISSUER");
  // Unknown type, bad type code.
  pb::CertIssueItem unknown_type = Item(IdCardCopy(2));
  unknown_type.set_type_code(chain.code(kPsb) + "999");
  expect(Issue({unknown_type}), "UNKNOWN_TYPE");
  unknown_type.set_type_code("nonsense");
  expect(Issue({unknown_type}), "BAD_TYPE_CODE");
  // Duplicates, across txs and inside one batch.
  expect(Issue({Item(IdCardCopy(3), "E1")}), "CERT_EXISTS");
  expect(Issue({Item(IdCardCopy(3), "E2"), Item(IdCardCopy(4), "E2")}), "CERT_EXISTS");
  pb::CertIssueItem bad_serial = Item(IdCardCopy(3));
  bad_serial.set_serial("e-2");
  expect(Issue({bad_serial}), "BAD_SERIAL");
  // Schema.
  pb::CertIssueItem item = Item(IdCardCopy(5));
  item.mutable_claims()->DeleteSubrange(0, 1);
  expect(Issue({item}), "MISSING_FIELD");
  item = Item(IdCardCopy(5));
  auto* extra = item.add_claims();
  extra->set_name("favourite_colour");
  extra->set_digest(Bytes(32, 'x'));
  expect(Issue({item}), "UNKNOWN_FIELD");
  item = Item(IdCardCopy(5));
  *item.add_claims() = item.claims(0);
  expect(Issue({item}), "DUPLICATE_FIELD");
  item = Item(IdCardCopy(5));
  item.mutable_claims(1)->set_digest("short");
  expect(Issue({item}), "BAD_CLAIM_DIGEST");
  item = Item(IdCardCopy(5));
  item.set_holder_commitment("short");
  expect(Issue({item}), "BAD_HOLDER_COMMITMENT");
  item = Item(IdCardCopy(5));
  item.set_valid_from_ms(chain.time_ms + 10 * kDay);
  item.set_valid_until_ms(chain.time_ms + kDay);
  expect(Issue({item}), "BAD_VALIDITY");
  item = Item(IdCardCopy(5));
  item.set_issued_at_ms(chain.time_ms + 10 * kDay);
  expect(Issue({item}), "BAD_VALIDITY");
  expect(Issue({}), "EMPTY_BATCH");
  // Bad and unknown identifiers.
  expect(Call(SuspendCall("1.2.156.3005.2.x", "r")), "BAD_CERT_ID");
  expect(Call(SuspendCall(MakeCertId(id_card.code(), chain.code(kPsb), "NONE", 1).value(), "r")), "CERT_NOT_FOUND");
  // Acting on another issuer's certificate.
  expect(Call(SuspendCall(id, "r"), kHrss), "NOT_CERT_ISSUER");
  expect(chain.Check(CertificateTx(chain.Params(kHrss), RevokeCall(id, "r"), chain.org_keys[kHrss])),
         "NOT_CERT_ISSUER");
  // Reasons.
  expect(Call(SuspendCall(id, "")), "REASON_REQUIRED");
  expect(Call(RevokeCall(id, std::string(300, 'x'))), "REASON_TOO_LONG");
  // State machine.
  expect(Call(ReinstateCall(id, "")), "CERT_NOT_SUSPENDED");
  ASSERT_TRUE(Call(SuspendCall(id, "check")).ok());
  expect(Call(SuspendCall(id, "check")), "CERT_ALREADY_SUSPENDED");
  expect(Call(RenewCall(id, nullptr)), "CERT_SUSPENDED");
  ASSERT_TRUE(Call(RevokeCall(id, "fraud")).ok());
  expect(Call(RevokeCall(id, "fraud")), "CERT_ALREADY_REVOKED");
  expect(Call(RenewCall(id, nullptr)), "CERT_REVOKED");
  expect(Call(ReplaceCall(id, nullptr, "lost")), "CERT_REVOKED");
  expect(Call(ReinstateCall(id, "")), "CERT_NOT_SUSPENDED");
  std::string other = IssueIdCard(6, "E6");
  ASSERT_TRUE(Call(RenewCall(other, nullptr)).ok());
  expect(Call(RenewCall(other, nullptr)), "CERT_SUPERSEDED");
  expect(Call(RevokeCall(other, "r")), "CERT_SUPERSEDED");
  // Calls that do not decode.
  pb::TxBody body = MakeBody(chain.Params(kPsb), "certificate", "\x0a\xff");
  expect(chain.Exec(ledger::SignTx(body, chain.org_keys[kPsb])), "CALL_MALFORMED");
  body = MakeBody(chain.Params(kPsb), "certificate", "");
  expect(chain.Exec(ledger::SignTx(body, chain.org_keys[kPsb])), "EMPTY_CALL");
}

TEST_F(CertificateTest, MissingIssuerRoleAndRevokedKey) {
  std::string id = IssueIdCard(1, "R1");
  // Governance takes the ID card scope away from the psb.
  pb::GovernanceCall revoke;
  revoke.mutable_revoke_role()->set_org(chain.code(kPsb));
  revoke.mutable_revoke_role()->set_role(pb::ROLE_ISSUER);
  revoke.mutable_revoke_role()->add_scopes(id_card.code());
  ASSERT_EQ(chain.PassProposal(ProposeCall("revoke", revoke)).status(), pb::PROPOSAL_EXECUTED);
  EXPECT_EQ(Issue({Item(IdCardCopy(2))}).app_code(), "NOT_ISSUER");
  EXPECT_EQ(Call(SuspendCall(id, "r")).app_code(), "NOT_ISSUER");
  // Other types of the psb are unaffected.
  EXPECT_TRUE(HasRole(*GetOrg(chain.state, chain.code(kPsb)), pb::ROLE_ISSUER));

  // A revoked key cannot issue.
  HolderCertificate social = NewHolderCertificate(social_card.code(), chain.code(kHrss), "citizen_id", CitizenId(9),
                                                  {{"name", "某人"}, {"sex", "女"}, {"id_number", CitizenId(9)},
                                                   {"card_number", "C123"}});
  crypto::KeyPair second = crypto::KeyPair::FromSecret(crypto::Algo::kEd25519, Bytes(32, '\x55')).value();
  pb::GovernanceCall add;
  add.mutable_add_key()->set_org(chain.code(kHrss));
  add.mutable_add_key()->set_algo(1);
  add.mutable_add_key()->set_key(second.public_key().key);
  ASSERT_EQ(chain.PassProposal(ProposeCall("add", add)).status(), pb::PROPOSAL_EXECUTED);
  ASSERT_TRUE(chain.Exec(IssueTx(chain.Params(kHrss), {Item(social, "S1")}, second)).ok());
  pb::GovernanceCall revoke_key;
  revoke_key.mutable_revoke_key()->set_org(chain.code(kHrss));
  revoke_key.mutable_revoke_key()->set_algo(1);
  revoke_key.mutable_revoke_key()->set_key(second.public_key().key);
  ASSERT_TRUE(chain.Exec(GovernanceTx(chain.Params(kHrss), revoke_key, chain.org_keys[kHrss])).ok());
  Status st = chain.Exec(IssueTx(chain.Params(kHrss), {Item(social, "S2")}, second));
  EXPECT_EQ(st.app_code(), "KEY_REVOKED");
  EXPECT_EQ(st.code(), Code::kPermissionDenied);
  // Certificates sealed by the key before its revocation stay genuine.
  EXPECT_TRUE(Verify(MakeCertId(social_card.code(), chain.code(kHrss), "S1", 1).value(), chain.time_ms).genuine);
}

TEST_F(CertificateTest, RejectedTxChangesNothing) {
  IssueIdCard(1, "D1");
  MemState before = chain.state;
  std::vector<pb::CertIssueItem> items;
  for (int i = 0; i < 200; ++i) items.push_back(Item(IdCardCopy(100 + i)));
  items.push_back(Item(IdCardCopy(99), "D1"));  // duplicate at the end
  Status st = Issue(items);
  EXPECT_EQ(st.app_code(), "CERT_EXISTS");
  EXPECT_NE(st.message().find("certificate #200"), std::string::npos) << st.message();
  // Only EndBlock could have written; with no open proposals it writes nothing.
  EXPECT_TRUE(chain.last_block_writes.empty());
  EXPECT_TRUE(chain.state == before);
  EXPECT_EQ(Call(RevokeCall(MakeCertId(id_card.code(), chain.code(kPsb), "D1", 1).value(), "r"), kHrss).app_code(),
            "NOT_CERT_ISSUER");
  EXPECT_TRUE(chain.state == before);
  // The running number was not consumed either.
  ASSERT_TRUE(Issue({Item(IdCardCopy(5))}).ok());
  EXPECT_TRUE(GetCertificate(chain.state, MakeCertId(id_card.code(), chain.code(kPsb), "0000000001", 1).value()).ok());
}

TEST_F(CertificateTest, DeterministicWrites) {
  std::vector<HolderCertificate> copies;
  for (int i = 0; i < 50; ++i) copies.push_back(IdCardCopy(i));
  auto run = [&](TestChain& c) {
    std::vector<pb::CertIssueItem> items;
    for (const auto& copy : copies) items.push_back(Item(copy));
    EXPECT_TRUE(c.Exec(IssueTx(c.Params(kPsb), items, c.org_keys[kPsb])).ok());
    std::string id = MakeCertId(id_card.code(), c.code(kPsb), "0000000007", 1).value();
    EXPECT_TRUE(c.Exec(CertificateTx(c.Params(kPsb), SuspendCall(id, "r"), c.org_keys[kPsb])).ok());
    EXPECT_TRUE(c.Exec(CertificateTx(c.Params(kPsb), RenewCall(MakeCertId(id_card.code(), c.code(kPsb), "0000000008", 1).value(), nullptr), c.org_keys[kPsb])).ok());
  };
  TestChain a, b;
  run(a);
  run(b);
  EXPECT_TRUE(a.state == b.state);
  EXPECT_EQ(a.last_block_writes.state, b.last_block_writes.state);
  EXPECT_EQ(a.last_block_writes.index, b.last_block_writes.index);
  EXPECT_FALSE(a.last_block_writes.state.empty());
}

TEST_F(CertificateTest, NoPersonalDataInState) {
  std::vector<HolderCertificate> copies;
  std::vector<pb::CertIssueItem> items;
  for (int i = 0; i < 300; ++i) {
    copies.push_back(IdCardCopy(i));
    items.push_back(Item(copies.back()));
  }
  ASSERT_TRUE(Issue(items).ok());
  std::string some = ListByIssuer(chain.state, chain.code(kPsb), "", 1)->items[0].id();
  ASSERT_TRUE(Call(RenewCall(some, &copies[0])).ok());
  // Every distinctive personal value (6 bytes or more) of every copy.
  std::set<std::string> secrets;
  for (const auto& c : copies) {
    secrets.insert(c.holder_code);
    for (const auto& f : c.fields)
      if (f.value.size() >= 6) secrets.insert(f.value);
  }
  size_t scanned = 0;
  for (ledger::Space space : {ledger::Space::kState, ledger::Space::kIndex}) {
    for (const auto& [key, value] : chain.state.map(space)) {
      ++scanned;
      for (const auto& secret : secrets) {
        ASSERT_EQ(key.find(secret), std::string::npos) << "key holds " << secret;
        ASSERT_EQ(value.find(secret), std::string::npos) << "value of a key holds " << secret;
      }
    }
  }
  EXPECT_GT(scanned, 600u);
}

TEST_F(CertificateTest, BatchLimitFromParams) {
  pb::GovernanceCall params;
  params.mutable_set_params()->mutable_params()->set_proposal_ttl_blocks(100);
  params.mutable_set_params()->mutable_params()->set_max_batch_certificates(3);
  ASSERT_EQ(chain.PassProposal(ProposeCall("small batches", params)).status(), pb::PROPOSAL_EXECUTED);
  std::vector<pb::CertIssueItem> items;
  for (int i = 0; i < 4; ++i) items.push_back(Item(IdCardCopy(i)));
  EXPECT_EQ(chain.Check(IssueTx(chain.Params(kPsb), items, chain.org_keys[kPsb])).app_code(), "BATCH_TOO_LARGE");
  EXPECT_EQ(Issue(items).app_code(), "BATCH_TOO_LARGE");
  items.pop_back();
  EXPECT_TRUE(Issue(items).ok());
}

TEST_F(CertificateTest, RegisterTypeByGovernance) {
  pb::CertType type;
  type.set_code(chain.code(kAmr) + "002");
  type.set_name("食品经营许可证");
  type.add_issuer_orgs(chain.code(kAmr));
  type.set_holder_code_type("uscc");
  type.set_default_validity_ms(5 * 365 * kDay);
  auto* f = type.add_fields();
  f->set_name("name");
  f->set_required(true);
  f = type.add_fields();
  f->set_name("licence_number");
  f->set_required(true);
  EXPECT_EQ(chain.Check(CertificateTx(chain.Params(kAmr), RegisterTypeCall(type), chain.org_keys[kAmr])).app_code(),
            "GOVERNANCE_REQUIRED");
  ASSERT_EQ(chain.PassProposal(ProposeCall("food licence", RegisterTypeCall(type))).status(), pb::PROPOSAL_EXECUTED);
  auto stored = GetCertType(chain.state, type.code());
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->registered_height(), chain.height);
  EXPECT_TRUE(HasRole(*GetOrg(chain.state, chain.code(kAmr)), pb::ROLE_ISSUER, type.code()));
  HolderCertificate copy = NewHolderCertificate(type.code(), chain.code(kAmr), "uscc", "914403001922038216",
                                                {{"name", "某餐饮店"}, {"licence_number", "JY15107000000001"}});
  EXPECT_TRUE(Issue({Item(copy)}, kAmr).ok());
  EXPECT_EQ(ListTypes(chain.state)->size(), 7u);

  // Retiring the type stops issuance.
  type.set_retired(true);
  ASSERT_EQ(chain.PassProposal(ProposeCall("retire", RegisterTypeCall(type))).status(), pb::PROPOSAL_EXECUTED);
  EXPECT_EQ(Issue({Item(copy)}, kAmr).app_code(), "TYPE_RETIRED");

  // Bad definitions fail inside the proposal.
  pb::CertType bad = type;
  bad.set_holder_code_type("passport");
  EXPECT_EQ(chain.PassProposal(ProposeCall("bad", RegisterTypeCall(bad))).result_code(), "BAD_TYPE");
  bad = type;
  bad.set_code("123");
  EXPECT_EQ(chain.PassProposal(ProposeCall("bad", RegisterTypeCall(bad))).result_code(), "BAD_TYPE_CODE");
  bad = type;
  bad.clear_issuer_orgs();
  bad.add_issuer_orgs("914403001922038216");  // valid code, not a member
  EXPECT_EQ(chain.PassProposal(ProposeCall("bad", RegisterTypeCall(bad))).result_code(), "UNKNOWN_ORG");
}

// The JSON renderings of these results are tested with rpc/codec/certificate.h
// (tests/unit/rpc/codec_certificate_test.cc).
TEST_F(CertificateTest, ListByHolderChecksItsArguments) {
  HolderCertificate copy;
  IssueIdCard(1, "J1", &copy);
  EXPECT_EQ(ListByHolder(chain.state, copy.Commitment(), "", 5).value().items.size(), 1u);
  EXPECT_EQ(ListByHolder(chain.state, "short", "", 5).status().app_code(), "BAD_HOLDER_COMMITMENT");
  EXPECT_EQ(ListByHolder(chain.state, copy.Commitment(), "", 0).status().app_code(), "BAD_LIMIT");
}

}  // namespace
}  // namespace civic::contracts
