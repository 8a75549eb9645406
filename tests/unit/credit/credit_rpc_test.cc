// credit_* JSON-RPC handlers against a real ledger::Chain (LevelDB in a temp
// dir) with the sample genesis and the sample credit data, and the examples of
// the Credit section of docs/RPC.md (run with CIVIC_RPC_PRINT_EXAMPLES=1 to
// print every real answer).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include "credit_node.h"
#include "rpc/doc_examples.h"
#include "tools/samples/credit_sample.h"

namespace civic::contracts {
namespace {

namespace json = boost::json;
using namespace credit_testing;

class CreditRpcTest : public ::testing::Test {
 protected:
  void SetUp() override { ledger_.CommitSample(); }

  Result<json::value> Call(std::string_view method, json::value params) { return ledger_.Call(method, params); }
  void Commit(const std::vector<Bytes>& txs, int64_t time_ms = 0) {
    for (const Status& st : ledger_.Commit(txs, time_ms)) EXPECT_TRUE(st.ok()) << st.ToString();
  }

  CreditLedger ledger_{"rpc"};
  const ledger::Chain* chain_ = &ledger_.chain();
  rpc::MethodTable& table_ = ledger_.table;
};

TEST_F(CreditRpcTest, ReportListGetCheckCategories) {
  std::vector<std::string> uscc = samples::SampleCreditEnterprises();
  auto report = Call("credit_report", json::object{{"subject", uscc[0]}});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->at("current_list").as_string(), "black");
  EXPECT_EQ(report->at("at_ms").as_int64(), chain_->tip().time_ms);
  EXPECT_TRUE(Call("credit_report", json::array{json::value(uscc[3])}).ok());  // positional

  auto list = Call("credit_list", json::object{{"list", "black"}, {"limit", 1}});
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(list->at("entries").as_array().size(), 1u);
  EXPECT_EQ(list->at("next_cursor").as_string(), "FOOD_DRUG/1");
  auto next = Call("credit_list", json::object{{"list", "black"}, {"cursor", "FOOD_DRUG/1"}});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->at("entries").as_array()[0].at("id").as_uint64(), 4u);
  EXPECT_TRUE(next->at("next_cursor").is_null());

  auto got = Call("credit_get", json::object{{"entry", 3}});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->at("state").as_string(), "repaired");
  EXPECT_EQ(got->at("category_name").as_string(), "拖欠农民工工资失信联合惩戒对象");

  auto check = Call("credit_check", json::object{{"subject", uscc[0]}, {"matter", "government_procurement"}});
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->at("applies").as_bool());
  auto any = Call("credit_check", json::object{{"subject", uscc[0]}});
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->at("measures").as_array().size(), 2u);

  auto categories = Call("credit_categories", json::object{});
  ASSERT_TRUE(categories.ok());
  EXPECT_EQ(categories->at("categories").as_array().size(), 4u);
}

TEST_F(CreditRpcTest, BadParamsAreTypedErrors) {
  auto code = [&](std::string_view method, json::value params) { return Call(method, std::move(params)).status().app_code(); };
  EXPECT_EQ(code("credit_report", json::object{}), "INVALID_PARAMS");
  EXPECT_EQ(code("credit_report", json::object{{"subject", 5}}), "INVALID_PARAMS");
  EXPECT_EQ(code("credit_report", json::object{{"subject", "nope"}}), "BAD_SUBJECT");
  EXPECT_EQ(code("credit_report", json::object{{"subject", "91510703MA6ATB0F10"}}), "BAD_USCC");
  EXPECT_EQ(code("credit_list", json::object{}), "INVALID_PARAMS");
  EXPECT_EQ(code("credit_list", json::object{{"list", "grey"}}), "BAD_LIST");
  EXPECT_EQ(code("credit_list", json::object{{"list", "red"}, {"limit", 0}}), "BAD_LIMIT");
  EXPECT_EQ(code("credit_list", json::object{{"list", "red"}, {"category", "NOPE"}}), "UNKNOWN_CATEGORY");
  EXPECT_EQ(code("credit_list", json::object{{"list", "red"}, {"cursor", "zzz"}}), "BAD_CURSOR");
  EXPECT_EQ(code("credit_get", json::object{{"entry", 0}}), "INVALID_PARAMS");
  EXPECT_EQ(code("credit_get", json::object{{"entry", "1"}}), "INVALID_PARAMS");
  auto missing = Call("credit_get", json::object{{"entry", 99}});
  EXPECT_EQ(missing.status().app_code(), "ENTRY_NOT_FOUND");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(code("credit_check", json::object{{"subject", samples::SampleCreditEnterprises()[0]}, {"matter", "a b"}}),
            "BAD_MATTER");
  EXPECT_EQ(code("credit_report", json::value("not params")), "INVALID_PARAMS");
}

TEST_F(CreditRpcTest, ExpiryShowsWithTheNextBlockTime) {
  // Entry 4 (the person, LABOUR, a year of publicity from ten days ago) ends in
  // about 355 days. A block past that time is enough: no tx.
  pb::CreditEntry person = GetCreditEntry(chain_->state(), 4).value();
  std::string subject = ToHex(person.subject().commitment());
  ASSERT_EQ(Call("credit_report", json::object{{"subject", subject}})->at("current_list").as_string(), "black");
  Commit({}, person.publicity_end_ms());
  auto report = Call("credit_report", json::object{{"subject", subject}});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->at("current_list").as_string(), "none");
  EXPECT_EQ(report->at("entries").as_array()[0].at("state").as_string(), "expired");
}

TEST_F(CreditRpcTest, CallsDecodeForDisplay) {
  const rpc::CallDecoder* decoder = table_.FindCallDecoder("credit");
  ASSERT_NE(decoder, nullptr);
  auto shown = (*decoder)(DelistCall(3, "撤销").SerializeAsString(), contracts::Viewer::kPublic);
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown->method, "delist");
  EXPECT_FALSE(shown->redacted);
  EXPECT_EQ(shown->call.at("delist").at("entry_id").as_string(), "3");  // proto3 JSON: 64-bit ints as strings
  EXPECT_EQ((*decoder)("\xff\xff", contracts::Viewer::kPublic).status().app_code(), "CALL_MALFORMED");
}

// ---- docs/RPC.md

std::vector<rpc::DocExample> CreditExamples() {
  std::ifstream in(CIVIC_RPC_DOC);
  EXPECT_TRUE(in.good()) << "cannot read " << CIVIC_RPC_DOC;
  std::stringstream text;
  text << in.rdbuf();
  auto examples = rpc::ParseDocExamples(text.str());
  EXPECT_TRUE(examples.ok()) << examples.status().ToString();
  std::vector<rpc::DocExample> out;
  if (!examples.ok()) return out;
  for (const auto& ex : *examples) {
    if (ex.method().starts_with("credit_") || ex.heading.starts_with("GET /v1/credit/")) out.push_back(ex);
  }
  return out;
}

TEST_F(CreditRpcTest, EveryCreditMethodHasAnExampleThatHolds) {
  bool print = std::getenv("CIVIC_RPC_PRINT_EXAMPLES") != nullptr;
  std::set<std::string> documented;
  size_t ran = 0;
  for (const rpc::DocExample& ex : CreditExamples()) {
    std::string answer;
    if (ex.is_jsonrpc()) {
      ASSERT_TRUE(rpc::CheckJsonRpcExample(ex).ok()) << rpc::CheckJsonRpcExample(ex).ToString();
      documented.insert(ex.method());
      answer = ledger_.Dispatch(ex.request_text);
    } else {
      // GET /v1/credit/{uscc}: the REST route answers credit_report {subject: uscc}.
      auto req = rpc::HttpRequestOf(ex);
      ASSERT_TRUE(req.ok()) << req.status().ToString();
      std::string uscc = req->target.substr(std::string("/v1/credit/").size());
      auto result = Call("credit_report", json::object{{"subject", uscc}});
      ASSERT_TRUE(result.ok()) << result.status().ToString();
      answer = json::serialize(*result);
    }
    if (print) std::cout << "=== " << ex.heading << " (line " << ex.line << ")\n" << answer << "\n";
    Status st = rpc::CheckAnswer(ex, 200, answer);
    EXPECT_TRUE(st.ok()) << st.ToString() << "\nanswer: " << answer.substr(0, 3000);
    ++ran;
  }
  std::set<std::string> registered;
  for (const auto& [name, method] : table_.all()) {
    if (name.starts_with("credit_")) registered.insert(name);
  }
  EXPECT_EQ(documented, registered);
  EXPECT_GE(ran, registered.size() + 1);
}

}  // namespace
}  // namespace civic::contracts
