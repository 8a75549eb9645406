// `civic credit`: subjects from arguments, import files (CSV and JSONL) with
// their typed row rejections, the import against a real chain behind the
// NodeApi seam (chain-side rejections isolated, a rerun lists nothing twice),
// and the command line's argument checks.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "credit_node.h"
#include "tools/common/cli_common.h"
#include "tools/import/credit_import.h"
#include "tools/import/credit_key.h"
#include "tools/common/files.h"
#include "tools/common/timefmt.h"
#include "tools/samples/credit_sample.h"
#include "crypto/hash.h"

namespace civic::tools {
void AddCreditCommands(CLI::App* app, CliContext* ctx);
}  // namespace civic::tools

namespace civic::tools {
namespace {

namespace json = boost::json;
using namespace contracts::credit_testing;
using namespace std::string_literals;

constexpr const char* kCitizenId = "11010519491231002X";
// The importing department's credit key.
const Bytes kKey = crypto::Sha256("hrss credit key");

// The NodeApi seam over a CreditLedger: tx_submit runs the node's admission
// check (ledger::Chain::CheckTx), tx_commit commits a block with the tx at once;
// other methods go to the registered handlers.
class LedgerApi final : public NodeApi {
 public:
  explicit LedgerApi(CreditLedger* ledger) : ledger_(ledger) {}

  Result<json::value> Call(std::string_view method, json::value params) override {
    if (method == "chain_status") {
      ledger::Tip tip = ledger_->chain().tip();
      return json::value(json::object{
          {"chain_id", CreditChain::kChainId}, {"height", tip.height}, {"latest_block_time_ms", tip.time_ms}});
    }
    if (method == "tx_submit") {
      auto raw = FromHex(params.at("tx").as_string());
      if (!raw) return Status::InvalidArgument("TX_MALFORMED", "not hex");
      auto tx = ledger::DecodeTx(*raw, CreditChain::kChainId);
      if (!tx.ok()) return tx.status();
      ++submits;
      CIVIC_RETURN_IF_ERROR(ledger_->chain().CheckTx(*tx));
      return json::value(ToHex(tx->id));
    }
    if (method == "tx_commit") {
      auto raw = FromHex(params.at("tx").as_string());
      if (!raw) return Status::InvalidArgument("TX_MALFORMED", "not hex");
      ++commits;
      Status result = ledger_->Commit({*raw}).front();
      json::object r{{"code", static_cast<int>(result.code())},
                     {"app_code", result.ok() ? "" : result.app_code()},
                     {"message", result.message()}};
      return json::value(json::object{{"id", ToHex(ledger::TxId(*raw))},
                                      {"height", ledger_->chain().tip().height},
                                      {"index", 0},
                                      {"result", std::move(r)}});
    }
    return ledger_->Call(method, std::move(params));
  }

  size_t submits = 0;
  size_t commits = 0;

 private:
  CreditLedger* ledger_;
};

class CreditToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_.CommitSample();
    schema_.categories = FetchCreditCategories(api_).value();
    schema_.person_key = kKey;
    schema_.now_ms = ledger_.chain().tip().time_ms;
    usccs_ = {ValidUscc("91510700MA6CWN7E1"), ValidUscc("91510700MA6CWN7E2"), ValidUscc("91510700MA6CWN7E3"),
              ValidUscc("91510700MA6CWN7E4")};
    digest_ = ToHex(crypto::Sha256("decision"));
  }

  CreditImportFile Csv(const std::string& text) {
    std::istringstream in(text);
    auto f = ReadCreditCsv(in, schema_);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? *f : CreditImportFile{};
  }

  std::string Row(const std::string& uscc, const std::string& category, const std::string& doc,
                  const std::string& extra = "") {
    return category + "," + uscc + ",示例企业,,,违法事实,《条例》第十条," + doc + "," + digest_ + "," + extra + "\n";
  }

  static constexpr const char* kHeader =
      "category,uscc,name,person_id,person_name,reason,legal_basis,decision_doc_no,decision_doc_digest,decided_at\n";

  CreditLedger ledger_{"tools"};
  LedgerApi api_{&ledger_};
  CreditImportSchema schema_;
  std::vector<std::string> usccs_;
  std::string digest_;
};

SubjectArgs Args(std::initializer_list<std::pair<std::string SubjectArgs::*, std::string>> fields) {
  SubjectArgs a;
  for (const auto& [member, value] : fields) a.*member = value;
  return a;
}

std::map<uint64_t, std::string> Codes(const std::vector<CreditRejectedRow>& rows) {
  std::map<uint64_t, std::string> out;
  for (const auto& r : rows) out[r.line] = r.reason.app_code();
  return out;
}

TEST_F(CreditToolsTest, CsvRowsAreCheckedOneByOne) {
  std::string bad_uscc = usccs_[1];
  bad_uscc.back() = bad_uscc.back() == '0' ? '1' : '0';
  std::string text = std::string(kHeader) +
                     Row(usccs_[0], "FOOD_DRUG", "d1") +                                   // 2 ok
                     Row(bad_uscc, "FOOD_DRUG", "d2") +                                    // 3
                     Row(usccs_[2], "NOPE", "d3") +                                        // 4
                     "LABOUR,,,"s + kCitizenId + ",张三丰,欠薪,《条例》,d4," + digest_ + ",\n" +  // 5 ok (person)
                     "LABOUR,,,"s + kCitizenId + ",张三丰,张三丰欠薪,《条例》,d5," + digest_ + ",\n" +  // 6
                     Row(usccs_[0], "FOOD_DRUG", "d6") +                                   // 7 duplicate of 2
                     Row(usccs_[3], "FOOD_DRUG", "") +                                     // 8
                     "FOOD_DRUG," + usccs_[3] + ",x,,,r,b,d8,abc,\n" +                     // 9
                     Row(usccs_[3], "FOOD_DRUG", "d9", "2099-01-01") +                     // 10
                     Row(usccs_[3], "FOOD_DRUG", "d10", "not a date") +                    // 11
                     "FOOD_DRUG,too,few\n" +                                               // 12
                     "FOOD_DRUG," + usccs_[3] + ",x,,,身份证" + kCitizenId + ",b,d11," + digest_ + ",\n" +  // 13
                     "LABOUR,,,110105194912310021,张三,r,b,d12," + digest_ + ",\n" +       // 14
                     Row(usccs_[3], "MARKET", "d13", "2024-12-01");                        // 15 ok (red)
  CreditImportFile f = Csv(text);
  EXPECT_EQ(f.rows, 14u);
  ASSERT_EQ(f.accepted.size(), 3u);
  EXPECT_EQ(f.accepted[0].line, 2u);
  EXPECT_EQ(f.accepted[1].line, 5u);
  EXPECT_EQ(f.accepted[2].line, 15u);
  const pb::CreditSubject& person = f.accepted[1].listing.subject();
  EXPECT_EQ(person.type(), pb::CREDIT_SUBJECT_PERSON);
  EXPECT_EQ(person.commitment(), contracts::PersonCommitment(kKey, kCitizenId));
  EXPECT_EQ(person.masked_name(), "张**");
  EXPECT_EQ(f.accepted[2].listing.decided_at_ms(), ParseTimeMs("2024-12-01").value());
  EXPECT_EQ(Codes(f.rejected), (std::map<uint64_t, std::string>{{3, "BAD_USCC"},
                                                                {4, "UNKNOWN_CATEGORY"},
                                                                {6, "NAME_IN_TEXT"},
                                                                {7, "DUPLICATE_ROW"},
                                                                {8, "DOC_NO_REQUIRED"},
                                                                {9, "BAD_DIGEST"},
                                                                {10, "BAD_DATE"},
                                                                {11, "BAD_DATE"},
                                                                {12, "WRONG_COLUMN_COUNT"},
                                                                {13, "PERSONAL_DATA_IN_TEXT"},
                                                                {14, "BAD_CITIZEN_ID"}}));
  std::string csv = CreditRejectedCsv(f.header, f.rejected);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "line,app_code,message," + std::string(kHeader).substr(0, std::string(kHeader).size() - 1));

  // Without the credit key, persons by identity number cannot be imported.
  schema_.person_key.clear();
  CreditImportFile no_key = Csv(std::string(kHeader) + "LABOUR,,,"s + kCitizenId + ",张三丰,欠薪,《条例》,d4," + digest_ + ",\n");
  EXPECT_EQ(Codes(no_key.rejected), (std::map<uint64_t, std::string>{{2, "CREDIT_KEY_REQUIRED"}}));
}

TEST_F(CreditToolsTest, FileLevelProblemsFailTheFile) {
  auto code = [&](const std::string& text) {
    std::istringstream in(text);
    return ReadCreditCsv(in, schema_).status().app_code();
  };
  EXPECT_EQ(code(""), "IMPORT_BAD_HEADER");
  EXPECT_EQ(code("uscc,reason\n"), "IMPORT_BAD_HEADER");                 // no category
  EXPECT_EQ(code("category,reason\n"), "IMPORT_BAD_HEADER");             // no subject column
  EXPECT_EQ(code("category,uscc,colour\n"), "IMPORT_UNKNOWN_COLUMN");
  EXPECT_EQ(code("category,uscc,uscc\n"), "IMPORT_BAD_HEADER");
  EXPECT_EQ(CreditImportFormatOf("a.csv").value(), CreditImportFormat::kCsv);
  EXPECT_EQ(CreditImportFormatOf("a.jsonl").value(), CreditImportFormat::kJsonl);
  EXPECT_EQ(CreditImportFormatOf("a.xlsx").status().app_code(), "IMPORT_UNKNOWN_FORMAT");
  EXPECT_EQ(ReadCreditImportFile("/nonexistent/credit.csv", CreditImportFormat::kCsv, schema_).status().app_code(),
            "FILE_NOT_FOUND");
}

TEST_F(CreditToolsTest, JsonlRows) {
  std::string text =
      "{\"category\":\"FOOD_DRUG\",\"uscc\":\"" + usccs_[0] + "\",\"reason\":\"r\",\"legal_basis\":\"b\","
      "\"decision_doc_no\":\"j1\",\"decision_doc_digest\":\"" + digest_ + "\",\"basis_commitment_id\":1,"
      "\"list\":\"black\"}\n"
      "\n"
      "not json\n"
      "{\"category\":\"FOOD_DRUG\",\"uscc\":\"" + usccs_[1] + "\",\"colour\":\"red\"}\n"
      "{\"category\":\"FOOD_DRUG\",\"uscc\":\"" + usccs_[1] + "\",\"reason\":[1]}\n"
      "{\"category\":\"FOOD_DRUG\",\"list\":\"red\",\"uscc\":\"" + usccs_[1] + "\",\"reason\":\"r\","
      "\"legal_basis\":\"b\",\"decision_doc_no\":\"j2\",\"decision_doc_digest\":\"" + digest_ + "\"}\n"
      "{\"category\":\"LABOUR\",\"commitment\":\"" + std::string(64, 'a') + "\",\"masked_name\":\"李*\",\"reason\":\"r\","
      "\"legal_basis\":\"b\",\"decision_doc_no\":\"j3\",\"decision_doc_digest\":\"" + digest_ + "\",\"basis_commitment_id\":-1}\n";
  std::istringstream in(text);
  auto f = ReadCreditJsonl(in, schema_);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->rows, 6u);
  ASSERT_EQ(f->accepted.size(), 1u);
  EXPECT_EQ(f->accepted[0].listing.basis_commitment_id(), 1u);
  EXPECT_EQ(Codes(f->rejected), (std::map<uint64_t, std::string>{{3, "JSON_MALFORMED"},
                                                                 {4, "IMPORT_UNKNOWN_COLUMN"},
                                                                 {5, "JSON_MALFORMED"},
                                                                 {6, "LIST_MISMATCH"},
                                                                 {7, "BAD_NUMBER"}}));
}

TEST_F(CreditToolsTest, ImportListsRowsIsolatesChainRejectionsAndIsSafeToRerun) {
  // Market regulation decides FOOD_DRUG and MARKET; a LABOUR row (decided by HR
  // and social security) passes the file checks but the chain refuses it.
  std::string text = std::string(kHeader) + Row(usccs_[0], "FOOD_DRUG", "i1") + Row(usccs_[1], "LABOUR", "i2") +
                     Row(usccs_[2], "FOOD_DRUG", "i3") + Row(usccs_[3], "MARKET", "i4") +
                     Row(samples::SampleCreditEnterprises()[0], "FOOD_DRUG", "i5") +  // already listed (sample)
                     Row(ValidUscc("91510700MA6CWN7E5"), "NOPE", "i6");
  CreditImportFile f = Csv(text);
  ASSERT_EQ(f.accepted.size(), 5u);
  const crypto::KeyPair& amr = ledger_.keys.org_keys[kAmr];
  CreditImportOptions options;
  options.batch_size = 3;
  auto s = ImportCreditRows(api_, amr, ledger_.keys.code(kAmr), f, options);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->rows, 6u);
  EXPECT_EQ(s->listed, 3u);
  EXPECT_EQ(s->entry_ids, (std::vector<uint64_t>{6, 7, 8}));
  EXPECT_EQ(Codes(s->rejected), (std::map<uint64_t, std::string>{
                                    {3, "MISSING_ROLE"}, {6, "DUPLICATE_LISTING"}, {7, "UNKNOWN_CATEGORY"}}));
  EXPECT_EQ(s->rejected_by_code.at("MISSING_ROLE"), 1u);
  // Batch 1 (3 rows) failed and was retried row by row; batch 2 (2 rows) too.
  EXPECT_EQ(s->txs, 2u + 3u + 2u);
  auto report = api_.Call("credit_report", json::object{{"subject", usccs_[2]}});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->at("current_list").as_string(), "black");

  // A rerun lists nothing twice.
  auto again = ImportCreditRows(api_, amr, ledger_.keys.code(kAmr), f, options);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->listed, 0u);
  EXPECT_EQ(again->rejected.size(), 6u);
  EXPECT_EQ(again->rejected_by_code.at("DUPLICATE_DECISION"), 3u);
  EXPECT_EQ(ImportCreditRows(api_, amr, ledger_.keys.code(kAmr), f, CreditImportOptions{0}).status().app_code(),
            "BAD_BATCH_SIZE");
}

TEST_F(CreditToolsTest, SubjectsFromArguments) {
  std::string dir = (std::filesystem::temp_directory_path() / ("civic-credit-args-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(dir);
  std::string key_file = dir + "/credit.key";
  ASSERT_TRUE(WriteFileWithMode(key_file, ToHex(kKey) + "\n", 0600).ok());
  std::string empty_file = dir + "/empty";
  ASSERT_TRUE(WriteFileWithMode(empty_file, " \n", 0600).ok());
  std::string shared_file = dir + "/shared.key";  // readable by the group: refused
  ASSERT_TRUE(WriteFileWithMode(shared_file, ToHex(kKey) + "\n", 0640).ok());

  auto code = [](const SubjectArgs& a) { return SubjectFromArgs(a).status().app_code(); };
  EXPECT_EQ(code({}), "SUBJECT_REQUIRED");
  EXPECT_EQ(code(Args({{&SubjectArgs::uscc, usccs_[0]}, {&SubjectArgs::person_id, kCitizenId}})), "BAD_SUBJECT");
  EXPECT_EQ(code(Args({{&SubjectArgs::uscc, "91510700MA6CWN7E10"}})), "BAD_USCC");
  EXPECT_EQ(code(Args({{&SubjectArgs::person_id, kCitizenId}, {&SubjectArgs::person_name, "张三"}})), "CREDIT_KEY_REQUIRED");
  EXPECT_EQ(code(Args({{&SubjectArgs::person_id, kCitizenId}, {&SubjectArgs::person_name, "张三"}, {&SubjectArgs::key_file, empty_file}})), "BAD_CREDIT_KEY_FILE");
  EXPECT_EQ(code(Args({{&SubjectArgs::person_id, kCitizenId}, {&SubjectArgs::person_name, "张三"}, {&SubjectArgs::key_file, shared_file}})), "BAD_CREDIT_KEY_FILE");
  EXPECT_EQ(code(Args({{&SubjectArgs::person_id, kCitizenId}, {&SubjectArgs::key_file, key_file}})), "BAD_SUBJECT");
  EXPECT_EQ(code(Args({{&SubjectArgs::person_id, kCitizenId}, {&SubjectArgs::person_name, "张三"}, {&SubjectArgs::key_file, dir + "/none"}})), "FILE_NOT_FOUND");
  // The city-wide salt of before is refused, saying what replaced it.
  auto salt = SubjectFromArgs(Args({{&SubjectArgs::person_id, kCitizenId}, {&SubjectArgs::person_name, "张三"}, {&SubjectArgs::salt_file, key_file}}));
  EXPECT_EQ(salt.status().app_code(), "SALT_FILE_REPLACED");
  EXPECT_NE(salt.status().message().find("--key-file"), std::string::npos) << salt.status().message();
  EXPECT_EQ(code(Args({{&SubjectArgs::commitment, "abc"}, {&SubjectArgs::masked_name, "张*"}})), "BAD_COMMITMENT");
  EXPECT_EQ(code(Args({{&SubjectArgs::commitment, std::string(64, 'a')}, {&SubjectArgs::masked_name, "张三"}})), "BAD_MASKED_NAME");
  pb::CreditSubject p = SubjectFromArgs(Args({{&SubjectArgs::person_id, kCitizenId}, {&SubjectArgs::person_name, "张三"}, {&SubjectArgs::key_file, key_file}})).value();
  EXPECT_EQ(p.commitment(), contracts::PersonCommitment(kKey, kCitizenId));
  EXPECT_EQ(SubjectText(p), ToHex(p.commitment()));
  EXPECT_EQ(SubjectText(SubjectFromArgs(Args({{&SubjectArgs::uscc, usccs_[0]}, {&SubjectArgs::name, "示例"}})).value()), usccs_[0]);

  EXPECT_EQ(DigestArg("", "", "evidence").status().app_code(), "DIGEST_REQUIRED");
  EXPECT_EQ(DigestArg(digest_, key_file, "evidence").status().app_code(), "DIGEST_REQUIRED");
  EXPECT_EQ(DigestArg("12", "", "evidence").status().app_code(), "BAD_DIGEST");
  EXPECT_EQ(DigestArg("", key_file, "evidence").value(), crypto::Sha256(ToHex(kKey) + "\n"));

  // The key file: created once with mode 0600, never overwritten, read back.
  std::string made = dir + "/made.key";
  auto created = NewCreditKeyFile(made);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->size(), 32u);
  EXPECT_EQ(FileMode(made).value(), static_cast<mode_t>(0600));
  EXPECT_EQ(ReadCreditKeyFile(made).value(), *created);
  EXPECT_EQ(NewCreditKeyFile(made).status().app_code(), "KEYFILE_EXISTS");
  EXPECT_EQ(ReadCreditKeyFile(made).value(), *created);  // untouched
  EXPECT_NE(NewCreditKeyFile(dir + "/other.key").value(), *created);
  EXPECT_EQ(ToHex(DigestArg(digest_, "", "evidence").value()), digest_);
  std::filesystem::remove_all(dir);
}

TEST_F(CreditToolsTest, ProposalAndEntryLookups) {
  auto proposals = ProposalOfTx(api_, std::string(64, '0'));
  ASSERT_TRUE(proposals.ok()) << proposals.status().ToString();
  EXPECT_FALSE(proposals->has_value());
  // The sample's first proposal (the registration) is found by its tx id.
  auto first = api_.Call("gov_proposals", json::object{{"from", 1}, {"limit", 10}});
  ASSERT_TRUE(first.ok());
  std::string tx = std::string(first->at("proposals").as_array()[0].at("created_tx_id").as_string());
  auto found = ProposalOfTx(api_, tx);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->status, "executed");
  auto entry = api_.Call("credit_get", json::object{{"entry", 1}});
  ASSERT_TRUE(entry.ok());
  auto ids = EntriesOfTx(api_, {contracts::EnterpriseSubject(samples::SampleCreditEnterprises()[0]).value()},
                         std::string(entry->at("listed_tx_id").as_string()));
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, std::vector<uint64_t>{1});
}

TEST(CreditSampleTest, TheSampleGoesOnARunningChainOnce) {
  CreditLedger ledger("sample");
  LedgerApi api(&ledger);
  auto s = CommitCreditSample(api, ledger.keys.org_keys);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->txs, 12u);
  EXPECT_EQ(s->proposal_id, 1u);
  std::vector<std::string> uscc = samples::SampleCreditEnterprises();
  std::vector<std::string> expected = {"black", "none", "none", "red"};
  for (size_t i = 0; i < uscc.size(); ++i) {
    auto report = api.Call("credit_report", json::object{{"subject", uscc[i]}});
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(report->at("current_list").as_string(), expected[i]) << uscc[i];
  }
  EXPECT_EQ(api.Call("credit_get", json::object{{"entry", 3}})->at("state").as_string(), "repaired");
  EXPECT_EQ(api.Call("credit_get", json::object{{"entry", 5}})->at("state").as_string(), "expired");
  EXPECT_EQ(CommitCreditSample(api, ledger.keys.org_keys).status().app_code(), "CREDIT_SAMPLE_EXISTS");
}

// The command line refuses bad arguments (exit code 2) before it reads a key or
// calls a node.
TEST(CreditCliTest, BadArgumentsAreUsageErrors) {
  auto run = [](std::vector<std::string> args) {
    CLI::App app{"civic"};
    app.require_subcommand(1);
    CliContext ctx;
    AddCreditCommands(&app, &ctx);
    std::vector<const char*> argv{"civic"};
    for (const auto& a : args) argv.push_back(a.c_str());
    try {
      app.parse(static_cast<int>(argv.size()), const_cast<char**>(argv.data()));
    } catch (const CLI::ParseError& e) {
      return std::make_pair(kExitUsage, std::string("PARSE: ") + e.what());
    }
    if (!ctx.selected) return std::make_pair(kExitUsage, std::string("no command"));
    CmdStatus st = ctx.selected();
    return std::make_pair(st.exit_code(), st.status().app_code());
  };
  const std::string key = "/nonexistent/key";
  using R = std::pair<int, std::string>;
  EXPECT_EQ(run({"credit", "repair", "decide", "3", "--key", key}), (R{kExitUsage, "DECISION_REQUIRED"}));
  EXPECT_EQ(run({"credit", "object", "decide", "3", "--uphold", "--reject", "--key", key}),
            (R{kExitUsage, "DECISION_REQUIRED"}));
  EXPECT_EQ(run({"credit", "list", "--uscc", "91510700MA6CWN7E10", "--category", "FOOD_DRUG", "--reason", "r",
                 "--legal-basis", "b", "--doc-no", "d", "--doc-digest", std::string(64, 'a'), "--key", key}),
            (R{kExitUsage, "BAD_USCC"}));
  EXPECT_EQ(run({"credit", "list", "--category", "FOOD_DRUG", "--reason", "r", "--legal-basis", "b", "--doc-no", "d",
                 "--doc-digest", std::string(64, 'a'), "--key", key}),
            (R{kExitUsage, "SUBJECT_REQUIRED"}));
  EXPECT_EQ(run({"credit", "list", "--commitment", std::string(64, 'a'), "--masked-name", "张*", "--category",
                 "LABOUR", "--reason", "r", "--legal-basis", "b", "--doc-no", "d", "--key", key}),
            (R{kExitUsage, "DIGEST_REQUIRED"}));
  EXPECT_EQ(run({"credit", "category", "register", "--code", "X", "--name", "n", "--list", "black", "--decider",
                 "91510700MA6CWN7E10", "--max-days", "10", "--key", key}),
            (R{kExitUsage, "BAD_CATEGORY"}));
  EXPECT_EQ(run({"credit", "category", "register", "--code", "X", "--name", "n", "--list", "black", "--decider",
                 ValidUscc("91510700MA6CWN7E1"), "--min-days", "20", "--max-days", "10", "--key", key}),
            (R{kExitUsage, "BAD_CATEGORY"}));
  EXPECT_EQ(run({"credit", "report"}), (R{kExitUsage, "SUBJECT_REQUIRED"}));
  EXPECT_EQ(run({"credit", "report", "nope"}), (R{kExitUsage, "BAD_SUBJECT"}));
  // A person's identity number comes from a file (or stdin), never as an argument.
  const std::string id_file = (std::filesystem::temp_directory_path() / "civic-credit-cli-person-id").string();
  { std::ofstream(id_file) << kCitizenId << "\n"; }
  EXPECT_EQ(run({"credit", "report", "--person-id-file", id_file}), (R{kExitUsage, "CREDIT_KEY_REQUIRED"}));
  EXPECT_EQ(run({"credit", "report", "--person-id-file", id_file, "--salt-file", "salt"}),
            (R{kExitUsage, "SALT_FILE_REPLACED"}));
  EXPECT_EQ(run({"credit", "report", "--person-id-file", "/nonexistent/id"}).first, kExitUsage);
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{"credit", "report", "--person-id", kCitizenId},
        std::vector<std::string>{"credit", "list", "--person-id", kCitizenId},
        std::vector<std::string>{"credit", "list", "--person-name", "张三丰"}}) {
    R r = run(argv);
    EXPECT_EQ(r.first, kExitUsage) << argv[2];
    EXPECT_NE(r.second.find("SECRET_ON_COMMAND_LINE"), std::string::npos) << r.second;
    EXPECT_NE(r.second.find("-file FILE"), std::string::npos) << r.second;
  }
  std::filesystem::remove(id_file);
  EXPECT_EQ(run({"credit", "import", "list.csv", "--salt-file", "salt", "--key", key}),
            (R{kExitUsage, "SALT_FILE_REPLACED"}));
  EXPECT_EQ(run({"credit", "check", ValidUscc("91510700MA6CWN7E1"), "--matter", "a b"}), (R{kExitUsage, "BAD_MATTER"}));
  EXPECT_EQ(run({"credit", "get", "0"}), (R{kExitUsage, "BAD_ENTRY"}));
  EXPECT_EQ(run({"credit", "import", "list.xlsx", "--key", key}), (R{kExitUsage, "IMPORT_UNKNOWN_FORMAT"}));
  EXPECT_EQ(run({"credit", "published", "--list", "grey"}).first, kExitUsage);
  // With good arguments the key is read next: a missing key file is a runtime error.
  R missing_key = run({"credit", "delist", "3", "--reason", "撤销", "--key", key, "--org", ValidUscc("91510700MA6CWN7E1")});
  EXPECT_EQ(missing_key.first, kExitRuntime) << missing_key.second;
}

}  // namespace
}  // namespace civic::tools
