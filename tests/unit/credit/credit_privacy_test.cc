// No person's name or identity number in clear: not in any tx, state value,
// state key, index key or index value. The contract refuses identity numbers in
// public texts; the client helpers mask names and keep them out of texts.
#include <gtest/gtest.h>

#include "contracts/base/identifiers.h"
#include "credit_chain.h"
#include "tools/samples/credit_sample.h"
#include "crypto/hash.h"

namespace civic::contracts {
namespace {

using namespace credit_testing;

constexpr const char* kName = "张三丰";
constexpr const char* kGivenName = "三丰";
constexpr const char* kCitizenId = "11010519491231002X";
// The listing department's credit key (32 bytes).
const Bytes kKey = crypto::Sha256("hrss credit key 2025");

// Every place a byte string of `needle` could hide: raw, upper and lower hex.
std::vector<std::string> Forms(std::string_view needle) {
  std::string hex = ToHex(needle);
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return {std::string(needle), hex, upper};
}

// Names of the places where any form of `needle` occurs.
std::vector<std::string> Occurrences(const CreditChain& chain, std::string_view needle) {
  std::vector<std::string> found;
  auto scan = [&](std::string_view where, std::string_view haystack) {
    for (const auto& form : Forms(needle)) {
      if (haystack.find(form) != std::string_view::npos) found.push_back(std::string(where));
    }
  };
  for (ledger::Space space : {ledger::Space::kState, ledger::Space::kIndex}) {
    for (const auto& [key, value] : chain.state.map(space)) {
      scan(space == ledger::Space::kState ? "state key" : "index key", key);
      scan(space == ledger::Space::kState ? "state value" : "index value", value);
    }
  }
  for (const auto& tx : chain.all_txs) scan("tx", tx);
  return found;
}

class CreditPrivacyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CommitSample(&chain);
    auto p = PersonSubject(kKey, kCitizenId, kName);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    person = *p;
  }

  CreditChain chain;
  pb::CreditSubject person;
};

TEST_F(CreditPrivacyTest, NoNameOrIdentityNumberInAnyTxOrStore) {
  EXPECT_EQ(person.masked_name(), "张**");
  pb::CreditListing l = Listing(person, "LABOUR", "绵人社监〔2025〕99号", chain.time_ms - 120 * kDayMs);
  ASSERT_TRUE(CheckNameNotInListing(l, kName).ok());
  uint64_t id = 6;  // after the five sample entries
  for (const Bytes& tx : {chain.Tx(kHrss, CommitCall(person, "labour_dispatch", crypto::Sha256("letter"), "承诺按时足额支付工资")),
                          chain.Tx(kHrss, BreakCommitmentCall(3, "未按承诺支付工资")),
                          chain.Tx(kHrss, ListCreditCall({[&] {
                                     pb::CreditListing x = l;
                                     x.set_basis_commitment_id(3);
                                     return x;
                                   }()})),
                          chain.Tx(kNdrc, ObjectionFileCall(id, crypto::Sha256("objection"), "对欠薪金额有异议")),
                          chain.Tx(kHrss, ObjectionDecideCall(id, false, "经核实异议不成立")),
                          chain.Tx(kNdrc, RepairApplyCall(id, crypto::Sha256("receipts"), "已足额支付")),
                          chain.Tx(kHrss, RepairDecideCall(id, true, "准予修复"))}) {
    Status st = chain.Exec(tx);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  ASSERT_EQ(GetCreditEntry(chain.state, id).value().state(), pb::CREDIT_REPAIRED);
  // The person is found by the commitment alone.
  auto report = BuildCreditReport(chain.state, ParseCreditSubject(ToHex(person.commitment())).value(), chain.time_ms);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->entries_total, 1u);
  EXPECT_EQ(report->subject.masked_name(), "张**");

  for (const std::string& secret : {std::string(kName), std::string(kGivenName), std::string(kCitizenId),
                                    std::string("110105194912310"), kKey, samples::SampleCreditKey(1),
                                    std::string("王小明"), std::string("小明")}) {
    std::vector<std::string> where = Occurrences(chain, secret);
    EXPECT_TRUE(where.empty()) << "'" << secret << "' found in " << where.size() << " places, first: " << where[0];
  }
  // The scan does see what is there (the masked names and a USCC).
  EXPECT_FALSE(Occurrences(chain, "张**").empty());
  EXPECT_FALSE(Occurrences(chain, samples::SampleCreditEnterprises()[0]).empty());
}

TEST_F(CreditPrivacyTest, IdentityNumbersInPublicTextsAreRefused) {
  std::string lower = kCitizenId;
  lower.back() = 'x';
  int n = 0;
  for (const std::string& text : {std::string("身份证号") + kCitizenId + "的当事人", lower, std::string("A") + kCitizenId}) {
    pb::CreditListing l = Listing(person, "LABOUR", "d-" + std::to_string(++n));
    l.set_reason(text);
    chain.ExpectRejected(chain.Tx(kHrss, ListCreditCall({l})), "PERSONAL_DATA_IN_TEXT");
  }
  pb::CreditListing legal = Listing(person, "LABOUR", "d-legal");
  legal.set_legal_basis(kCitizenId);
  chain.ExpectRejected(chain.Tx(kHrss, ListCreditCall({legal})), "PERSONAL_DATA_IN_TEXT");
  pb::CreditSubject enterprise = Enterprise(samples::SampleCreditEnterprises()[2]);
  enterprise.set_name(std::string("个体户") + kCitizenId);
  chain.ExpectRejected(chain.Tx(kAmr, ListCreditCall({Listing(enterprise, "FOOD_DRUG", "d-ent")})),
                       "PERSONAL_DATA_IN_TEXT");
  chain.ExpectRejected(chain.Tx(kAmr, CommitCall(person, "m", crypto::Sha256("x"), kCitizenId)), "PERSONAL_DATA_IN_TEXT");
  chain.ExpectRejected(chain.Tx(kNdrc, RepairApplyCall(1, crypto::Sha256("x"), kCitizenId)), "PERSONAL_DATA_IN_TEXT");
  // Numbers that are no identity number pass (a bad check character, too short).
  std::string almost = kCitizenId;
  almost.back() = '1';
  pb::CreditListing fine = Listing(person, "LABOUR", "d-fine");
  fine.set_reason("欠薪金额 " + almost + " 元 12345678901234567");
  EXPECT_TRUE(chain.Exec(kHrss, ListCreditCall({fine})).ok());
  pb::Proposal p = chain.Govern(
      RegisterCreditCall({Category("X", pb::CREDIT_LIST_RED, {chain.code(kAmr)}, 0, 10, false)}, {}, {}));
  EXPECT_EQ(p.status(), pb::PROPOSAL_EXECUTED);
  pb::CreditCategory named = Category("Y", pb::CREDIT_LIST_RED, {chain.code(kAmr)}, 0, 10, false);
  named.set_name(kCitizenId);
  EXPECT_EQ(chain.Govern(RegisterCreditCall({named})).result_code(), "PERSONAL_DATA_IN_TEXT");
}

// The documented derivation (docs/RPC.md, "Credit"): HMAC-SHA256 keyed by the
// department's credit key over the domain, a zero byte and the identity number.
TEST(CreditClientTest, PersonCommitmentIsTheDocumentedKeyedValue) {
  Bytes key;
  for (int i = 1; i <= 32; ++i) key.push_back(static_cast<char>(i));
  EXPECT_EQ(ToHex(key), "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
  EXPECT_EQ(ToHex(PersonCommitment(key, kCitizenId)),
            "faee3310de8137b4266909aa023694d9e6168a02323d802646d4f413972d16e6");
  // The v1 value (an unkeyed hash anyone holding the city salt could recompute) is gone.
  EXPECT_NE(PersonCommitment(key, kCitizenId),
            crypto::Sha256(std::string("civicledger/credit-person/v1\0", 29) + key + '\0' + kCitizenId));
}

TEST(CreditClientTest, MaskNameAndPersonSubject) {
  EXPECT_EQ(MaskName("张三").value(), "张*");
  EXPECT_EQ(MaskName("张").value(), "张*");
  EXPECT_EQ(MaskName("欧阳娜娜").value(), "欧***");
  EXPECT_EQ(MaskName("Alexander Hamilton").value(), "A****");
  EXPECT_EQ(MaskName("").status().app_code(), "BAD_NAME");
  EXPECT_EQ(MaskName("\xff\xfe").status().app_code(), "BAD_NAME");
  EXPECT_EQ(MaskName("1abc").status().app_code(), "BAD_NAME");
  for (const char* masked : {"张*", "欧阳**", "A****"}) EXPECT_TRUE(ValidateMaskedName(masked).ok()) << masked;
  for (const char* masked : {"张三", "张三丰*", "*", "张*三", "1*", " *", "张*********", "\xe5\xbc"}) {
    EXPECT_EQ(ValidateMaskedName(masked).app_code(), "BAD_MASKED_NAME") << masked;
  }

  EXPECT_EQ(PersonSubject("", kCitizenId, kName).status().app_code(), "SALT_REQUIRED");
  EXPECT_EQ(PersonSubject(std::string(31, 'k'), kCitizenId, kName).status().app_code(), "SALT_REQUIRED");
  EXPECT_EQ(PersonSubject(kKey, "110105194912310021", kName).status().app_code(), "BAD_CITIZEN_ID");
  pb::CreditSubject a = PersonSubject(kKey, kCitizenId, kName).value();
  pb::CreditSubject b = PersonSubject(kKey, kCitizenId, "张三").value();
  EXPECT_EQ(a.commitment(), b.commitment());  // one person, one commitment across the department's listings
  // Another department's key makes another commitment: no department can test numbers against others' entries.
  EXPECT_NE(a.commitment(), PersonSubject(crypto::Sha256("ndrc credit key"), kCitizenId, kName).value().commitment());
  // Not the certificate holder commitment of the same values: credit entries do not link to certificates.
  EXPECT_NE(a.commitment(), HolderCommitment(kKey, "citizen_id", kCitizenId));
  EXPECT_TRUE(a.uscc().empty());
  EXPECT_TRUE(a.name().empty());

  pb::CreditListing l = Listing(a, "LABOUR", "d1");
  EXPECT_TRUE(CheckNameNotInListing(l, kName).ok());
  l.set_reason(std::string("当事人") + kName + "拖欠工资");
  EXPECT_EQ(CheckNameNotInListing(l, kName).app_code(), "NAME_IN_TEXT");
  l.set_reason(std::string("当事人") + kGivenName);
  EXPECT_EQ(CheckNameNotInListing(l, kName).app_code(), "NAME_IN_TEXT");

  EXPECT_EQ(EnterpriseSubject("91510703MA6ATB0F10").status().app_code(), "BAD_USCC");
  EXPECT_TRUE(EnterpriseSubject(samples::SampleCreditEnterprises()[0], "示例").ok());
}

TEST(CreditClientTest, SampleInputIsChecked) {
  samples::CreditSampleInput in;
  EXPECT_EQ(samples::SampleCreditBlocks(in).status().app_code(), "CREDIT_BAD_SAMPLE_INPUT");
  for (const auto& uscc : samples::SampleCreditEnterprises()) EXPECT_TRUE(ValidateUscc(uscc).ok()) << uscc;
}

}  // namespace
}  // namespace civic::contracts
