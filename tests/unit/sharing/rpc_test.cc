// The sharing_* JSON-RPC methods against a real ledger::Chain: auditor
// authorization of every auditor method, pagination while blocks are appended,
// the subject's own query, public catalogue and grants, the call decoder, and
// the examples of docs/RPC.md ("Data-sharing audit").
#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "rpc/doc_examples.h"
#include "rpc/errors.h"
#include "rpc/methods.h"
#include "rpc/request_auth.h"
#include "sharing_fixture.h"


namespace civic::sharing_testing {
namespace {

namespace json = boost::json;
using namespace contracts;

const char* const kPurpose = "社保待遇资格认证";
// The time the documentation's signed examples were signed at.
constexpr int64_t kDocNow = 1767225600000;  // 2026-01-01T00:00:00Z

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Base64 as protobuf's JSON mapping writes bytes.
std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);
  return out;
}

class SharingRpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rpc::RequestAuthOptions auth;
    auth.audience = node.info().node_id;
    ASSERT_TRUE(rpc::SharedRequestAuthenticator().Configure(auth).ok());
    rpc::RegisterSharingMethods(&table_);
    rpc::RegisterChainMethods(&table_);
  }

  Result<json::value> Call(std::string_view method, json::value params) {
    const rpc::Method* m = table_.Find(method);
    EXPECT_NE(m, nullptr) << method;
    if (m == nullptr) return Status::Internal("no method");
    rpc::CallContext ctx;
    ctx.node = &node;
    ctx.methods = &table_;
    std::optional<Result<json::value>> answer;
    m->handler(ctx, params, [&](Result<json::value> r) {
      EXPECT_FALSE(answer.has_value()) << "replied twice";
      answer.emplace(std::move(r));
    });
    EXPECT_TRUE(answer.has_value()) << "no reply";
    return answer.has_value() ? std::move(*answer) : Result<json::value>(Status::Internal("no reply"));
  }

  // A call signed now by `org`'s key.
  Result<json::value> Signed(std::string_view method, size_t org, const json::object& request) {
    return Call(method, rpc::SignRequest(node.org_keys[org], node.code(org), TestNode::kChainId, node.info().node_id, method,
                                         json::serialize(request), WallClockMs()));
  }

  void Catalogue() {
    node.Commit(
        {node.Tx(kPsb, RegisterResourceCall(MakeResource("psb.population", "人口基础信息",
                                                         {"address", "id_number", "name"}, pb::SHARING_CONDITIONAL))),
         node.Tx(kAmr, RegisterResourceCall(MakeResource("amr.business", "企业登记信息", {"name", "uscc"},
                                                         pb::SHARING_UNCONDITIONAL)))});
    node.Commit(
        {node.Tx(kPsb, IssueGrantCall(MakeGrant("G-1", node.code(kHrss), "psb.population", {"id_number", "name"},
                                                kPurpose, node.chain().tip().time_ms + 365LL * 86'400'000)))});
  }

  TestNode node;
  rpc::MethodTable table_;
};

TEST_F(SharingRpcTest, AuditorMethodsAnswerOnlySignedRequestsOfAuditors) {
  Catalogue();
  node.Commit({node.Tx(kHrss, LogAccessCall({MakeAccess("r-1", "psb.population", "G-1", kPurpose, {"name"})}))});
  for (const char* method : {"sharing_query", "sharing_violations", "sharing_stats"}) {
    SCOPED_TRACE(method);
    auto code = [](const Result<json::value>& r) { return r.ok() ? std::string("OK") : r.status().app_code(); };
    // Unsigned: plain params, or none.
    EXPECT_EQ(code(Call(method, json::object{{"org", node.code(kPsb)}})), "AUTH_REQUIRED");
    EXPECT_EQ(code(Call(method, json::value())), "AUTH_REQUIRED");
    EXPECT_EQ(Call(method, json::object{}).status().code(), Code::kPermissionDenied);
    // Signed for another method.
    json::value other = rpc::SignRequest(node.org_keys[kGss], node.code(kGss), TestNode::kChainId, node.info().node_id, "sharing_catalogue",
                                         "{}", WallClockMs());
    EXPECT_EQ(code(Call(method, other)), "AUTH_BAD_SIGNATURE");
    // A tampered request.
    json::value tampered =
        rpc::SignRequest(node.org_keys[kGss], node.code(kGss), TestNode::kChainId, node.info().node_id, method, "{}", WallClockMs());
    tampered.as_object()["request"] = R"({"org":"11510700008207313A"})";
    EXPECT_EQ(code(Call(method, tampered)), "AUTH_BAD_SIGNATURE");
    // Stale and future timestamps.
    EXPECT_EQ(code(Call(method, rpc::SignRequest(node.org_keys[kGss], node.code(kGss), TestNode::kChainId, node.info().node_id, method, "{}",
                                                 WallClockMs() - 600'000))),
              "AUTH_STALE_TIMESTAMP");
    EXPECT_EQ(code(Call(method, rpc::SignRequest(node.org_keys[kGss], node.code(kGss), TestNode::kChainId, node.info().node_id, method, "{}",
                                                 WallClockMs() + 600'000))),
              "AUTH_STALE_TIMESTAMP");
    // A department that is not an auditor, and a key of nobody.
    EXPECT_EQ(code(Signed(method, kPsb, {})), "AUTH_NOT_AUDITOR");
    EXPECT_EQ(code(Call(method, rpc::SignRequest(crypto::KeyPair::Generate(crypto::Algo::kEd25519), node.code(kGss),
                                                 TestNode::kChainId, node.info().node_id, method, "{}", WallClockMs()))),
              "AUTH_UNKNOWN_KEY");
    // The auditor: answered once, refused when replayed.
    json::value good =
        rpc::SignRequest(node.org_keys[kGss], node.code(kGss), TestNode::kChainId, node.info().node_id, method, "{}", WallClockMs());
    auto first = Call(method, good);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    EXPECT_EQ(code(Call(method, good)), "AUTH_REPLAYED_NONCE");
    // Bad parameters inside a well-signed request are typed errors too.
    EXPECT_EQ(code(Signed(method, kGss, {{"org", "nope"}})), "BAD_USCC");
    EXPECT_EQ(code(Signed(method, kGss, {{"from", 1}})), "INVALID_PARAMS");
  }
  auto page = Signed("sharing_query", kGss, {{"org", node.code(kHrss)}, {"org_role", "requester"}});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->at("total").as_uint64(), 1u);
  EXPECT_EQ(page->at("records").as_array()[0].at("verdict").as_string(), "authorized");
  EXPECT_EQ(page->at("records").as_array()[0].at("resource_name").as_string(), "人口基础信息");
  EXPECT_FALSE(page->at("records").as_array()[0].as_object().contains("subject_tags"));
  auto with_subjects = Signed("sharing_query", kGss, {{"subjects", true}, {"limit", 100}});
  ASSERT_TRUE(with_subjects.ok());
  EXPECT_TRUE(with_subjects->at("records").as_array()[0].as_object().contains("subject_tags"));
  EXPECT_EQ(Signed("sharing_query", kGss, {{"subjects", true}, {"limit", 101}}).status().app_code(), "BAD_LIMIT");
  EXPECT_EQ(Signed("sharing_query", kGss, {{"limit", 0}}).status().app_code(), "BAD_LIMIT");
  EXPECT_EQ(Signed("sharing_query", kGss, {{"cursor", "00"}}).status().app_code(), "BAD_CURSOR");
  EXPECT_EQ(Signed("sharing_query", kGss, {{"org_role", "provider"}}).status().app_code(), "INVALID_PARAMS");
  EXPECT_EQ(Signed("sharing_violations", kGss, {{"verdict", "authorized"}}).status().app_code(), "INVALID_PARAMS");
}

// An auditor pages through the records while new blocks keep arriving: every
// record is returned exactly once, in order, including the new ones.
TEST_F(SharingRpcTest, PaginationNeitherSkipsNorRepeatsWhileBlocksArrive) {
  Catalogue();
  int n = 0;
  auto block_of = [&](int count) {
    std::vector<pb::SharingAccess> hrss, ndrc;
    for (int i = 0; i < count; ++i) {
      std::string id = "p-" + std::to_string(n++);
      hrss.push_back(MakeAccess(id, i % 2 ? "psb.population" : "amr.business", i % 2 ? "G-1" : "", kPurpose, {"name"},
                                {Subject(i % 5)}));
      ndrc.push_back(MakeAccess(id, "psb.population", "", kPurpose, {"name"}));  // violations (no grant)
    }
    node.Commit({node.Tx(kHrss, LogAccessCall(hrss)), node.Tx(kNdrc, LogAccessCall(ndrc))});
  };
  for (int b = 0; b < 5; ++b) block_of(20);  // 200 records to start with

  struct Query {
    json::object filter;
    size_t limit;
  };
  std::vector<Query> queries = {
      {{}, 7},
      {{{"org", node.code(kPsb)}}, 9},  // either side (merged indexes)
      {{{"verdict", "violation"}}, 11},
      {{{"resource", "psb.population"}, {"org", node.code(kHrss)}, {"org_role", "requester"}}, 5},
      {{{"subject_tag", ToHex(Subject(3))}}, 4},
  };
  for (const Query& q : queries) {
    SCOPED_TRACE(json::serialize(q.filter));
    std::vector<std::string> seen;
    std::set<std::string> unique;
    std::string cursor;
    uint64_t first_total = 0;
    for (int page = 0; page < 500; ++page) {
      json::object request = q.filter;
      request["limit"] = q.limit;
      if (!cursor.empty()) request["cursor"] = cursor;
      auto answer = Signed("sharing_query", kGss, request);
      ASSERT_TRUE(answer.ok()) << answer.status().ToString();
      if (page == 0) first_total = answer->at("total").as_uint64();
      for (const auto& r : answer->at("records").as_array()) {
        std::string key =
            std::string(r.at("requester").as_string()) + "/" + std::string(r.at("request_id").as_string());
        seen.push_back(std::string(r.at("cursor").as_string()));
        EXPECT_TRUE(unique.insert(key).second) << "repeated " << key;
      }
      cursor = std::string(answer->at("next_cursor").as_string());
      if (cursor.empty()) break;
      if (page < 6) block_of(3);  // new records arrive between pages
    }
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    // Everything that matches now was returned: the final total equals what we saw.
    auto final_page = Signed("sharing_query", kGss, [&] {
      json::object r = q.filter;
      r["limit"] = 1;
      return r;
    }());
    ASSERT_TRUE(final_page.ok());
    EXPECT_EQ(final_page->at("total").as_uint64(), seen.size());
    EXPECT_GE(seen.size(), first_total);
  }
}

TEST_F(SharingRpcTest, SubjectSeesOnlyItsOwnRecords) {
  Catalogue();
  const std::string code = "11010519491231002X", salt = "hS2fWq8sLr0xBv5nKc3pYa";
  const std::string hrss = node.code(kHrss), ndrc = node.code(kNdrc);
  Bytes key = SubjectKey(salt, "citizen_id", code);
  Bytes other_key = SubjectKey("another-salt", "citizen_id", "110105194912310021");
  Bytes holder = HolderCommitment(salt, "citizen_id", code);  // what cert_get shows
  Bytes mine_hrss = AccessSubjectTag(key, hrss), mine_ndrc = AccessSubjectTag(key, ndrc);
  Bytes other = AccessSubjectTag(other_key, hrss);
  node.Commit({node.Tx(kHrss, LogAccessCall({
                                  MakeAccess("s-1", "psb.population", "G-1", kPurpose, {"name"}, {mine_hrss}),
                                  MakeAccess("s-2", "psb.population", "G-1", kPurpose, {"name"}, {mine_hrss, other}),
                                  MakeAccess("s-3", "psb.population", "G-1", kPurpose, {"name"}, {other}),
                                  MakeAccess("s-4", "amr.business", "", "核验", {"uscc"}),
                                  // Another department's tag, or the public commitment, names nobody here.
                                  MakeAccess("s-5", "psb.population", "G-1", kPurpose, {"name"}, {mine_ndrc}),
                                  MakeAccess("s-6", "psb.population", "G-1", kPurpose, {"name"}, {holder}),
                              })),
               node.Tx(kNdrc, LogAccessCall({
                                  MakeAccess("n-1", "psb.population", "", kPurpose, {"name"}, {mine_ndrc}),
                              }))});
  auto answer =
      Call("sharing_mySubjectAccesses", json::object{{"salt", salt}, {"code_type", "citizen_id"}, {"code", code}});
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_FALSE(answer->as_object().contains("subject_commitment"));
  EXPECT_GE(answer->at("orgs_searched").as_uint64(), 2u);
  EXPECT_EQ(answer->at("total").as_uint64(), 3u);
  const auto& records = answer->at("records").as_array();
  ASSERT_EQ(records.size(), 3u);
  std::multiset<std::string> requesters;
  for (const auto& r : records) requesters.insert(std::string(r.at("requester").as_string()));
  EXPECT_EQ(requesters, (std::multiset<std::string>{hrss, hrss, ndrc}));
  EXPECT_EQ(records[0].at("provider").as_string(), node.code(kPsb));
  EXPECT_EQ(records[0].at("purpose").as_string(), kPurpose);
  std::string text = json::serialize(*answer);
  for (const Bytes& hidden : {other, holder, key, mine_hrss, mine_ndrc}) {
    EXPECT_EQ(text.find(ToHex(hidden)), std::string::npos);
  }
  EXPECT_EQ(text.find("s-3"), std::string::npos);
  EXPECT_EQ(text.find("record_count"), std::string::npos);
  EXPECT_EQ(text.find("response_digest"), std::string::npos);

  // The auditor finds the subject's records under every department by its key, or one department's by a tag.
  auto by_key = Signed("sharing_query", kGss, {{"subject_key", ToHex(key)}});
  ASSERT_TRUE(by_key.ok()) << by_key.status().ToString();
  EXPECT_EQ(by_key->at("total").as_uint64(), 3u);
  auto by_tag = Signed("sharing_query", kGss, {{"subject_tag", ToHex(mine_ndrc)}});
  ASSERT_TRUE(by_tag.ok()) << by_tag.status().ToString();
  EXPECT_EQ(by_tag->at("total").as_uint64(), 2u);  // n-1 and the misplaced s-5
  EXPECT_EQ(Signed("sharing_query", kGss, {{"subject_key", "12"}}).status().app_code(), "BAD_SUBJECT_COMMITMENT");
  EXPECT_EQ(Signed("sharing_query", kGss, {{"subject_key", ToHex(key)}, {"subject_tag", ToHex(mine_ndrc)}})
                .status()
                .app_code(),
            "INVALID_PARAMS");

  // The wrong opening finds nothing; bad openings are typed errors.
  auto wrong =
      Call("sharing_mySubjectAccesses", json::object{{"salt", "guess"}, {"code_type", "citizen_id"}, {"code", code}});
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->at("total").as_uint64(), 0u);
  EXPECT_EQ(
      Call("sharing_mySubjectAccesses", json::object{{"salt", salt}, {"code_type", "citizen_id"}, {"code", "123"}})
          .status()
          .app_code(),
      "BAD_CITIZEN_ID");
  EXPECT_EQ(Call("sharing_mySubjectAccesses", json::object{{"salt", salt}, {"code_type", "passport"}, {"code", code}})
                .status()
                .app_code(),
            "HOLDER_CODE_TYPE_UNKNOWN");
  EXPECT_EQ(
      Call("sharing_mySubjectAccesses", json::object{{"code_type", "citizen_id"}, {"code", code}}).status().app_code(),
      "INVALID_PARAMS");
  EXPECT_EQ(Call("sharing_mySubjectAccesses",
                 json::object{
                     {"salt", salt}, {"code_type", "citizen_id"}, {"code", code}, {"subject_tag", ToHex(other)}})
                .status()
                .app_code(),
            "INVALID_PARAMS");
}

TEST_F(SharingRpcTest, PublicCatalogueGrantsAndCallDecoding) {
  Catalogue();
  auto catalogue = Call("sharing_catalogue", json::object{});
  ASSERT_TRUE(catalogue.ok());
  EXPECT_EQ(catalogue->at("resources").as_array().size(), 2u);
  auto one = Call("sharing_catalogue", json::object{{"code", "psb.population"}});
  ASSERT_EQ(one->at("resources").as_array().size(), 1u);
  EXPECT_EQ(one->at("resources").as_array()[0].at("share_type").as_string(), "conditional");
  EXPECT_EQ(Call("sharing_catalogue", json::object{{"nope", 1}}).status().app_code(), "INVALID_PARAMS");
  EXPECT_EQ(Call("sharing_catalogue", json::array{}).status().app_code(), "INVALID_PARAMS");

  auto grants = Call("sharing_grants", json::object{{"requester", node.code(kHrss)}, {"status", "active"}});
  ASSERT_TRUE(grants.ok());
  ASSERT_EQ(grants->at("grants").as_array().size(), 1u);
  EXPECT_EQ(grants->at("grants").as_array()[0].at("id").as_string(), "G-1");
  EXPECT_EQ(Call("sharing_grants", json::object{{"status", "gone"}}).status().app_code(), "BAD_GRANT_STATUS");

}

// An access log names whose data was read: the public tx view shows only that it
// is a log_access by that department; the auditor's signed view shows it whole.
TEST_F(SharingRpcTest, PublicTxViewHidesAccessLogsAuditorSeesThem) {
  Catalogue();
  const std::string request_id = "hrss-secret-request-1";
  Bytes subject = AccessSubjectTag(SubjectKey("hS2fWq8sLr0xBv5nKc3pYa", "citizen_id", "11010519491231002X"),
                                   node.code(kHrss));
  Bytes tx = node.Tx(kHrss, LogAccessCall({MakeAccess(request_id, "psb.population", "G-1", kPurpose, {"name"},
                                                      {subject})}));
  node.Commit({tx});
  const std::string id = ToHex(ledger::TxId(tx));
  const std::string subject_base64 = Base64(subject);  // as protobuf's JSON writes it
  auto shown = Call("chain_getTx", json::object{{"id", id}, {"raw", true}});
  ASSERT_TRUE(shown.ok()) << shown.status().ToString();
  std::string text = json::serialize(*shown);
  EXPECT_EQ(shown->at("body").at("method").as_string(), "log_access");
  EXPECT_EQ(shown->at("body").at("org").as_string(), node.code(kHrss));
  EXPECT_TRUE(shown->at("redacted").as_bool());
  for (const std::string& secret : {request_id, ToHex(request_id), ToHex(subject), subject_base64,
                                    std::string(kPurpose), ToHex(std::string(kPurpose))}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << text;
  }

  auto full = Call("chain_getTxFull", rpc::SignRequest(node.org_keys[kGss], node.code(kGss), TestNode::kChainId,
                                                       node.info().node_id, "chain_getTxFull", json::serialize(json::object{{"id", id},
                                                                                                      {"raw", true}}),
                                                       WallClockMs()));
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  text = json::serialize(*full);
  EXPECT_FALSE(full->at("redacted").as_bool());
  EXPECT_EQ(full->at("raw_hex").as_string(), ToHex(tx));
  EXPECT_NE(text.find(request_id), std::string::npos);
  EXPECT_NE(text.find(subject_base64), std::string::npos);

  EXPECT_EQ(Signed("chain_getTxFull", kHrss, {{"id", id}}).status().app_code(), "AUTH_NOT_AUDITOR");
  EXPECT_EQ(Call("chain_getTxFull", json::object{{"id", id}}).status().app_code(), "AUTH_REQUIRED");
}

// ---------------------------------------------------------------------------
// docs/RPC.md, section "Data-sharing audit": every example is answered as
// documented by a node holding the documentation's sample data.

// The sample data the examples show: three resources, a grant, three accesses
// of which one reads a field beyond its grant, and the provider's acknowledgements
// (one digest differs). Subjects: the sample resident ID card holder of the
// certificate examples, and an enterprise, by their tags under the requester.
void SeedDocSample(TestNode* node) {
  node->Commit({node->Tx(kPsb, RegisterResourceCall(MakeResource("psb.population", "人口基础信息",
                                                                 {"address", "birth_date", "id_number", "name", "sex"},
                                                                 pb::SHARING_CONDITIONAL))),
                node->Tx(kHrss, RegisterResourceCall(MakeResource(
                                    "hrss.insurance", "社会保险参保信息",
                                    {"contribution_base", "insured_status", "name", "ssn"}, pb::SHARING_CONDITIONAL))),
                node->Tx(kAmr, RegisterResourceCall(MakeResource("amr.business", "企业登记信息",
                                                                 {"address", "legal_representative", "name", "uscc"},
                                                                 pb::SHARING_UNCONDITIONAL)))});
  node->Commit({node->Tx(kPsb, IssueGrantCall(MakeGrant("G-2025-0001", node->code(kHrss), "psb.population",
                                                        {"id_number", "name"}, kPurpose, 1767225600000)))});
  Bytes citizen = AccessSubjectTag(SubjectKey("hS2fWq8sLr0xBv5nKc3pYa", "citizen_id", "11010519491231002X"),
                                   node->code(kHrss));
  Bytes enterprise = AccessSubjectTag(SubjectKey("e7Kq2LmV9xRt4NcB8sWp1A", "uscc", node->code(kAmr)),
                                      node->code(kHrss));
  node->Commit(
      {node->Tx(kHrss, LogAccessCall({MakeAccess("hrss-2025-000001", "psb.population", "G-2025-0001", kPurpose,
                                                 {"id_number", "name"}, {citizen}, "response-1"),
                                      MakeAccess("hrss-2025-000002", "psb.population", "G-2025-0001", kPurpose,
                                                 {"address", "name"}, {citizen}, "response-2"),
                                      MakeAccess("hrss-2025-000003", "amr.business", "", "企业职工参保登记核验",
                                                 {"name", "uscc"}, {enterprise}, "response-3")}))});
  node->Commit({node->Tx(kPsb, AcknowledgeCall({MakeAck(node->code(kHrss), "hrss-2025-000001", "response-1"),
                                                MakeAck(node->code(kHrss), "hrss-2025-000002", "response-2b")}))});
}

std::vector<rpc::DocExample> SharingExamples() {
  std::ifstream in(CIVIC_RPC_DOC);
  EXPECT_TRUE(in.good()) << "cannot read " << CIVIC_RPC_DOC;
  std::stringstream text;
  text << in.rdbuf();
  auto examples = rpc::ParseDocExamples(text.str());
  EXPECT_TRUE(examples.ok()) << examples.status().ToString();
  std::vector<rpc::DocExample> out;
  if (!examples.ok()) return out;
  for (auto& ex : *examples) {
    if (ex.is_jsonrpc() && ex.method().starts_with("sharing_")) out.push_back(std::move(ex));
  }
  return out;
}

// The JSON-RPC answer to one example request, as the server would send it.
std::string Answer(const rpc::MethodTable& table, TestNode* node, const json::value& request) {
  json::object out{{"jsonrpc", "2.0"}, {"id", request.at("id")}};
  const rpc::Method* m = table.Find(request.at("method").as_string());
  if (m == nullptr) {
    out["error"] = rpc::ErrorObject(rpc::MethodNotFoundStatus(request.at("method").as_string()));
    return json::serialize(out);
  }
  rpc::CallContext ctx;
  ctx.node = node;
  ctx.methods = &table;
  const json::value* params = request.as_object().if_contains("params");
  m->handler(ctx, params ? *params : json::value(), [&](Result<json::value> r) {
    if (r.ok()) {
      out["result"] = std::move(*r);
    } else {
      out["error"] = rpc::ErrorObject(r.status());
    }
  });
  return json::serialize(out);
}

TEST(SharingRpcDocTest, ExamplesHoldAgainstTheSampleNode) {
  TestNode node;
  rpc::RequestAuthOptions pinned;
  pinned.audience = node.info().node_id;
  pinned.clock = [] { return kDocNow; };
  ASSERT_TRUE(rpc::SharedRequestAuthenticator().Configure(pinned).ok());
  SeedDocSample(&node);
  rpc::MethodTable table;
  rpc::RegisterSharingMethods(&table);

  std::vector<rpc::DocExample> examples = SharingExamples();
  std::set<std::string> documented;
  bool print = std::getenv("CIVIC_RPC_PRINT_EXAMPLES") != nullptr;
  for (const rpc::DocExample& ex : examples) {
    SCOPED_TRACE("docs/RPC.md line " + std::to_string(ex.line));
    EXPECT_TRUE(rpc::CheckJsonRpcExample(ex).ok()) << rpc::CheckJsonRpcExample(ex).ToString();
    std::string answer = Answer(table, &node, *ex.request_json);
    if (print) std::cout << "=== " << ex.heading << " (line " << ex.line << ")\n" << answer << "\n";
    Status st = rpc::CheckAnswer(ex, 200, answer);
    EXPECT_TRUE(st.ok()) << st.ToString() << "\nanswer: " << answer.substr(0, 3000);
    documented.insert(ex.method());
  }
  for (const auto& [name, method] : table.all()) EXPECT_TRUE(documented.count(name)) << name << " has no example";
  ASSERT_TRUE(rpc::SharedRequestAuthenticator().Configure(rpc::RequestAuthOptions{}).ok());
}

// Every public answer over the documentation's sample data: each block and tx
// the public can list, and every unsigned example of docs/RPC.md (the subject's
// own query aside), must hold no value of an access record that only auditors
// may see: request ids, response digests, subject tags and keys (and the holder
// commitments, which no access record may carry).
TEST(SharingRpcDocTest, PublicAnswersHoldNoAuditorOnlyValue) {
  rpc::SharedRequestAuthenticator().Configure(rpc::RequestAuthOptions{});
  TestNode node;
  SeedDocSample(&node);
  rpc::MethodTable table;
  rpc::RegisterAllMethods(&table);

  std::vector<std::string> secrets;
  for (const char* request_id : {"hrss-2025-000001", "hrss-2025-000002", "hrss-2025-000003"}) {
    secrets.push_back(request_id);
  }
  const Bytes citizen_key = SubjectKey("hS2fWq8sLr0xBv5nKc3pYa", "citizen_id", "11010519491231002X");
  const Bytes enterprise_key = SubjectKey("e7Kq2LmV9xRt4NcB8sWp1A", "uscc", node.code(kAmr));
  for (const Bytes& value : {citizen_key, enterprise_key, AccessSubjectTag(citizen_key, node.code(kHrss)),
                             AccessSubjectTag(enterprise_key, node.code(kHrss)),
                             Digest("response-1"), Digest("response-2"), Digest("response-2b"), Digest("response-3")}) {
    secrets.push_back(ToHex(value));
    secrets.push_back(Base64(value));
  }
  size_t answers = 0;
  auto check = [&](const std::string& what, const std::string& answer) {
    ++answers;
    for (const std::string& secret : secrets) {
      EXPECT_EQ(answer.find(secret), std::string::npos) << secret << " in " << what;
    }
  };
  auto call = [&](std::string_view method, json::object params) {
    return Answer(table, &node, json::object{{"id", 1}, {"method", method}, {"params", std::move(params)}});
  };
  for (uint64_t h = 1; h <= node.chain().tip().height; ++h) {
    std::string block = call("chain_getBlock", {{"height", h}});
    check("block " + std::to_string(h), block);
    json::value parsed = json::parse(block);
    for (const json::value& tx : parsed.at("result").at("txs").as_array()) {
      std::string id(tx.at("id").as_string());
      check("tx " + id, call("chain_getTx", {{"id", id}, {"raw", true}}));
    }
  }
  std::ifstream in(CIVIC_RPC_DOC);
  std::stringstream text;
  text << in.rdbuf();
  auto examples = rpc::ParseDocExamples(text.str());
  ASSERT_TRUE(examples.ok()) << examples.status().ToString();
  for (const rpc::DocExample& ex : *examples) {
    if (!ex.is_jsonrpc() || !ex.request_json->is_object() || !ex.request_json->as_object().contains("id") ||
        !ex.request_json->as_object().contains("method") || ex.method() == "sharing_mySubjectAccesses" ||
        ex.method().starts_with("tx_")) {  // tx_* write; tx_commit answers later
      continue;
    }
    const json::value* params = ex.request_json->as_object().if_contains("params");
    if (params && params->is_object() && params->as_object().contains("auth")) continue;  // signed: not public
    check("docs/RPC.md line " + std::to_string(ex.line), Answer(table, &node, *ex.request_json));
  }
  EXPECT_GT(answers, 30u);
}

// Prints the signed params of the documentation's examples (for refreshing docs/RPC.md).
TEST(SharingRpcDocTest, PrintSignedExampleParams) {
  if (std::getenv("CIVIC_RPC_PRINT_EXAMPLES") == nullptr) GTEST_SKIP() << "set CIVIC_RPC_PRINT_EXAMPLES=1";
  TestNode node;
  struct Item {
    const char* method;
    size_t org;
    const char* request;
    const char* nonce;
  };
  const std::string psb = node.code(kPsb);
  std::string query = R"({"org":")" + psb + R"(","org_role":"provider","limit":1})";
  for (const Item& item :
       {Item{"sharing_query", kGss, query.c_str(), "3f1e9a0c5b7d2e4f6a8c0b1d3e5f7a9c"},
        Item{"sharing_violations", kGss, R"({"resource":"psb.population"})", "9b8a7c6d5e4f30211203f4e5d6c7b8a9"},
        Item{"sharing_stats", kGss, R"({"from_ms":1735660800000,"to_ms":1735747199999})",
             "0a1b2c3d4e5f60718293a4b5c6d7e8f9"},
        Item{"sharing_stats", kPsb, R"({})", "f0e1d2c3b4a5968778695a4b3c2d1e0f"}}) {
    json::object params = rpc::SignRequest(node.org_keys[item.org], node.code(item.org), TestNode::kChainId, node.info().node_id,
                                           item.method, item.request, kDocNow, item.nonce);
    std::cout << item.method << ": " << json::serialize(params) << "\n";
  }
}

}  // namespace
}  // namespace civic::sharing_testing
