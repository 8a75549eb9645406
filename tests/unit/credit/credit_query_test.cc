// Credit queries and their JSON on the sample credit data: the public and the
// full view of a report, published lists with paging, subjects and bad input.
#include <gtest/gtest.h>

#include "credit_chain.h"
#include "rpc/codec/credit.h"
#include "tools/samples/credit_sample.h"

namespace civic::contracts {
namespace {

using namespace credit_testing;
namespace json = boost::json;

class CreditQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CommitSample(&chain);
    uscc = samples::SampleCreditEnterprises();
  }

  json::object Report(const std::string& subject, CreditView view = CreditView::kPublic) {
    auto s = ParseCreditSubject(subject);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    auto r = BuildCreditReport(chain.state, *s, chain.time_ms);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return rpc::CreditReportToJson(*r, view);
  }

  CreditChain chain;
  std::vector<std::string> uscc;
};

TEST_F(CreditQueryTest, SampleDataHasEveryState) {
  auto state = [&](uint64_t id) { return EffectiveState(GetCreditEntry(chain.state, id).value(), chain.time_ms); };
  EXPECT_EQ(state(1), pb::CREDIT_LISTED);    // black FOOD_DRUG
  EXPECT_EQ(state(2), pb::CREDIT_LISTED);    // red MARKET
  EXPECT_EQ(state(3), pb::CREDIT_REPAIRED);  // black LABOUR
  EXPECT_EQ(state(4), pb::CREDIT_LISTED);    // black LABOUR, a person
  EXPECT_EQ(state(5), pb::CREDIT_EXPIRED);   // black TAX
  EXPECT_EQ(ListCreditCategories(chain.state).value().size(), 4u);
  EXPECT_EQ(GetCreditCategory(chain.state, "NOPE").status().app_code(), "UNKNOWN_CATEGORY");
  EXPECT_EQ(GetCreditCategory(chain.state, "a b").status().app_code(), "BAD_CATEGORY_CODE");
  EXPECT_EQ(GetCreditEntry(chain.state, 0).status().app_code(), "ENTRY_NOT_FOUND");
  EXPECT_EQ(GetCreditEntry(chain.state, 99).status().app_code(), "ENTRY_NOT_FOUND");
  EXPECT_EQ(GetCreditCommitment(chain.state, 9).status().app_code(), "COMMITMENT_NOT_FOUND");
}

TEST_F(CreditQueryTest, PublishedEntriesShowTheDecision) {
  json::object r = Report(uscc[0]);
  EXPECT_EQ(r.at("current_list").as_string(), "black");
  EXPECT_TRUE(r.at("on_black_list").as_bool());
  EXPECT_EQ(r.at("subject").at("name").as_string(), "绵阳市涪城区示例食品有限公司");
  const json::object& e = r.at("entries").as_array().at(0).as_object();
  EXPECT_EQ(e.at("state").as_string(), "listed");
  EXPECT_TRUE(e.at("published").as_bool());
  EXPECT_EQ(e.at("category_name").as_string(), "食品药品安全严重失信主体");
  EXPECT_FALSE(e.at("reason").as_string().empty());
  EXPECT_EQ(e.at("basis_commitment_id").as_uint64(), 1u);
  EXPECT_FALSE(e.contains("events"));  // the public view has no history details
  EXPECT_EQ(r.at("measures").as_array().size(), 2u);
  ASSERT_EQ(r.at("commitments").as_array().size(), 1u);
  EXPECT_EQ(r.at("commitments").as_array()[0].at("state").as_string(), "broken");
}

TEST_F(CreditQueryTest, RepairedEntriesShowOnlyTheFactPublicly) {
  json::object pub = Report(uscc[1]);
  EXPECT_EQ(pub.at("current_list").as_string(), "none");
  const json::object& e = pub.at("entries").as_array().at(0).as_object();
  EXPECT_EQ(e.at("state").as_string(), "repaired");
  EXPECT_FALSE(e.at("published").as_bool());
  EXPECT_FALSE(e.contains("reason"));
  EXPECT_FALSE(e.contains("legal_basis"));
  EXPECT_TRUE(e.contains("ended_at"));
  ASSERT_EQ(pub.at("repairs").as_array().size(), 1u);
  const json::object& repair = pub.at("repairs").as_array()[0].as_object();
  EXPECT_EQ(repair.at("state").as_string(), "approved");
  EXPECT_EQ(repair.at("entry").as_uint64(), 3u);
  EXPECT_FALSE(repair.contains("evidence_digest"));
  EXPECT_TRUE(pub.at("measures").as_array().empty());

  // An authorized view keeps the whole history.
  json::object full = Report(uscc[1], CreditView::kFull);
  const json::object& f = full.at("entries").as_array().at(0).as_object();
  EXPECT_FALSE(f.at("reason").as_string().empty());
  EXPECT_EQ(f.at("events").as_array().size(), 3u);  // listed, repair filed, repair approved
  EXPECT_EQ(full.at("repairs").as_array()[0].at("evidence_digest").as_string().size(), 64u);
  EXPECT_TRUE(full.at("repairs").as_array()[0].at("on_behalf").as_bool());
}

TEST_F(CreditQueryTest, ExpiredAndRedEntries) {
  json::object expired = Report(uscc[2]);
  EXPECT_EQ(expired.at("current_list").as_string(), "none");
  EXPECT_EQ(expired.at("entries").as_array().at(0).at("state").as_string(), "expired");
  json::object red = Report(uscc[3]);
  EXPECT_EQ(red.at("current_list").as_string(), "red");
  ASSERT_EQ(red.at("measures").as_array().size(), 1u);
  EXPECT_EQ(red.at("measures").as_array()[0].at("code").as_string(), "fast_track");
  EXPECT_EQ(red.at("commitments").as_array()[0].at("state").as_string(), "active");
  json::object nobody = Report(ValidUscc("91510700MA6CWN7E7"));
  EXPECT_EQ(nobody.at("current_list").as_string(), "none");
  EXPECT_TRUE(nobody.at("entries").as_array().empty());
  EXPECT_EQ(nobody.at("entries_total").as_uint64(), 0u);
}

TEST_F(CreditQueryTest, PersonsAreFoundByCommitment) {
  pb::CreditEntry person = GetCreditEntry(chain.state, 4).value();
  json::object r = Report(ToHex(person.subject().commitment()));
  EXPECT_EQ(r.at("subject").at("type").as_string(), "person");
  EXPECT_EQ(r.at("subject").at("masked_name").as_string(), "王**");
  EXPECT_FALSE(r.at("subject").as_object().contains("uscc"));
  EXPECT_EQ(r.at("current_list").as_string(), "black");
}

TEST_F(CreditQueryTest, SubjectsAreParsed) {
  EXPECT_EQ(ParseCreditSubject(uscc[0]).value().type(), pb::CREDIT_SUBJECT_ENTERPRISE);
  EXPECT_EQ(ParseCreditSubject(std::string(64, 'a')).value().type(), pb::CREDIT_SUBJECT_PERSON);
  EXPECT_EQ(ParseCreditSubject("91510703MA6ATB0F10").status().app_code(), "BAD_USCC");
  for (const char* bad : {"", "123", "11010519491231002X1", "zz"}) {
    EXPECT_EQ(ParseCreditSubject(bad).status().app_code(), "BAD_SUBJECT") << bad;
  }
  EXPECT_EQ(ParseCreditSubject(std::string(64, 'g')).status().app_code(), "BAD_SUBJECT");
}

TEST_F(CreditQueryTest, PublishedListsArePaged) {
  auto page = [&](pb::CreditList list, std::string_view category, std::string_view cursor, size_t limit) {
    return ListPublished(chain.state, list, category, cursor, limit, chain.time_ms);
  };
  auto all = page(pb::CREDIT_LIST_BLACK, "", "", 10);
  ASSERT_TRUE(all.ok());
  std::vector<uint64_t> ids;
  for (const auto& e : all->entries) ids.push_back(e.id());
  EXPECT_EQ(ids, (std::vector<uint64_t>{1, 4}));  // (category, id) order; repaired and expired are not published
  EXPECT_TRUE(all->next_cursor.empty());

  auto first = page(pb::CREDIT_LIST_BLACK, "", "", 1);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->entries.size(), 1u);
  EXPECT_EQ(first->next_cursor, "FOOD_DRUG/1");
  auto second = page(pb::CREDIT_LIST_BLACK, "", first->next_cursor, 1);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->entries.size(), 1u);
  EXPECT_EQ(second->entries[0].id(), 4u);
  EXPECT_TRUE(second->next_cursor.empty());

  auto labour = page(pb::CREDIT_LIST_BLACK, "LABOUR", "", 10);
  ASSERT_TRUE(labour.ok());
  ASSERT_EQ(labour->entries.size(), 1u);
  EXPECT_EQ(labour->entries[0].id(), 4u);
  auto red = page(pb::CREDIT_LIST_RED, "", "", 10);
  ASSERT_TRUE(red.ok());
  ASSERT_EQ(red->entries.size(), 1u);
  EXPECT_EQ(rpc::CreditPageToJson(*red).at("entries").as_array()[0].at("category_name").as_string(), "守合同重信用企业");

  EXPECT_EQ(page(pb::CREDIT_LIST_UNSPECIFIED, "", "", 10).status().app_code(), "BAD_LIST");
  EXPECT_EQ(page(pb::CREDIT_LIST_BLACK, "", "", 0).status().app_code(), "BAD_LIMIT");
  EXPECT_EQ(page(pb::CREDIT_LIST_BLACK, "", "", kMaxCreditPage + 1).status().app_code(), "BAD_LIMIT");
  EXPECT_EQ(page(pb::CREDIT_LIST_BLACK, "NOPE", "", 10).status().app_code(), "UNKNOWN_CATEGORY");
  for (const char* cursor : {"x", "FOOD_DRUG/", "FOOD_DRUG/1a", "/1", "bad code/1", "FOOD_DRUG/99999999999999999999"}) {
    EXPECT_EQ(page(pb::CREDIT_LIST_BLACK, "", cursor, 10).status().app_code(), "BAD_CURSOR") << cursor;
  }
  EXPECT_EQ(page(pb::CREDIT_LIST_BLACK, "LABOUR", "FOOD_DRUG/1", 10).status().app_code(), "BAD_CURSOR");
}

TEST_F(CreditQueryTest, CategoriesRenderWithTheirMeasures) {
  auto categories = ListCreditCategories(chain.state).value();
  auto measures = ListCreditMeasures(chain.state).value();
  EXPECT_EQ(measures.size(), 6u);
  json::object food = rpc::CreditCategoryToJson(categories[0], measures);
  EXPECT_EQ(food.at("code").as_string(), "FOOD_DRUG");
  EXPECT_EQ(food.at("max_publicity_days").as_int64(), 3 * 365);
  EXPECT_EQ(food.at("measures").as_array().size(), 2u);
  EXPECT_EQ(food.at("deciding_orgs").as_array()[0].as_string(), chain.code(kAmr));
}

TEST_F(CreditQueryTest, CheckNamesTheTriggeringEntries) {
  auto check = CheckCredit(chain.state, ParseCreditSubject(uscc[0]).value(), "government_procurement", chain.time_ms);
  ASSERT_TRUE(check.ok());
  json::object j = rpc::CreditCheckToJson(*check);
  EXPECT_TRUE(j.at("applies").as_bool());
  EXPECT_EQ(j.at("matter").as_string(), "government_procurement");
  ASSERT_EQ(j.at("measures").as_array().size(), 1u);
  EXPECT_EQ(j.at("measures").as_array()[0].at("org").as_string(), chain.code(kNdrc));
  ASSERT_EQ(j.at("entries").as_array().size(), 1u);
  EXPECT_EQ(j.at("entries").as_array()[0].at("id").as_uint64(), 1u);
  auto none = CheckCredit(chain.state, ParseCreditSubject(uscc[1]).value(), "", chain.time_ms);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(rpc::CreditCheckToJson(*none).at("applies").as_bool());
}

}  // namespace
}  // namespace civic::contracts
