#include "tools/import/importer.h"

#include <gtest/gtest.h>

#include <set>

#include "contracts/base/identifiers.h"
#include "fake_chain.h"
#include "rpc/codec/holder_certificate.h"
#include "test_util.h"
#include "tools/common/files.h"
#include "tools/import/sample_data.h"

namespace civic::tools {
namespace {

namespace json = boost::json;

using testing::FakeChain;
using testing::TempDir;

const char* kOrg = "11510700008207313A";
const char* kType = "11510700008207313A001";

CertTypeInfo IdCardType() {
  CertTypeInfo t;
  t.code = kType;
  t.name = "居民身份证";
  t.holder_code_type = "citizen_id";
  t.issuer_orgs = {kOrg};
  t.fields = {{"name", true, "姓名"}, {"sex", true, "性别"}, {"address", false, "住址"}};
  return t;
}

json::array TypesJson() {
  json::array fields;
  for (const auto& f : IdCardType().fields) {
    fields.push_back(json::object{{"name", f.name}, {"label", f.label}, {"required", f.required}});
  }
  return json::array{json::object{{"code", kType},
                                  {"name", "居民身份证"},
                                  {"issuer_orgs", json::array{kOrg}},
                                  {"holder_code_type", "citizen_id"},
                                  {"fields", std::move(fields)},
                                  {"retired", false}}};
}

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chain_.types = TypesJson();
    SampleFileOptions o;
    o.count = 255;
    o.invalid = 5;
    o.seed = 42;
    csv_ = dir_.File("stock.csv");
    testing::WriteAll(csv_, SampleCertificatesCsv(IdCardType(), o));
  }

  ImportOptions Options(uint64_t batch = 100, int in_flight = 1) {
    ImportOptions opt;
    opt.input_path = csv_;
    opt.format = ImportFormat::kCsv;
    opt.type_code = kType;
    opt.org = kOrg;
    opt.batch_size = batch;
    opt.in_flight = in_flight;
    opt.node_retry_ms = 0;
    opt.show_progress = false;
    return opt;
  }

  Result<ImportSummary> RunImport(const ImportOptions& opt) {
    Importer importer(&chain_, &key_, opt);
    return importer.Run();
  }

  // Every holder copy is well formed, unique, and matches what the chain holds.
  void ExpectHoldersMatchChain(size_t expected) {
    auto lines = testing::Lines(testing::ReadAll(csv_ + ".holders.jsonl"));
    ASSERT_EQ(lines.size(), expected);
    auto on_chain = chain_.certificates();
    std::set<std::string> ids;
    uint64_t last_serial_line = 0;
    for (const auto& line : lines) {
      auto copy = rpc::ParseHolderCertificate(line);
      ASSERT_TRUE(copy.ok()) << copy.status().ToString();
      ASSERT_TRUE(ids.insert(copy->id).second) << "duplicate " << copy->id;
      auto id = contracts::ParseCertId(copy->id);
      ASSERT_TRUE(id.ok()) << copy->id;
      ASSERT_TRUE(on_chain.count(id->serial)) << id->serial;
      EXPECT_EQ(on_chain[id->serial], ToHex(copy->Commitment()));
      // Copies are written in file order.
      uint64_t line_no = std::stoull(id->serial.substr(10));
      EXPECT_GT(line_no, last_serial_line);
      last_serial_line = line_no;
    }
    EXPECT_EQ(*FileMode(csv_ + ".holders.jsonl"), 0600u);
  }

  TempDir dir_;
  FakeChain chain_;
  crypto::KeyPair key_ = crypto::KeyPair::Generate(crypto::Algo::kEd25519);
  std::string csv_;
};

TEST_F(ImporterTest, ImportsGoodRowsAndReportsBadOnes) {
  auto s = RunImport(Options(100, 4));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->rows, 255u);
  EXPECT_EQ(s->accepted, 250u);
  EXPECT_EQ(s->batches, 3u);
  EXPECT_EQ(s->committed_rows, 250u);
  EXPECT_EQ(s->failed_batches, 0u);
  ASSERT_EQ(s->rejected.size(), 5u);
  std::set<std::string> reasons;
  for (const auto& r : s->rejected) reasons.insert(r.reason.app_code());
  EXPECT_EQ(reasons, (std::set<std::string>{"BAD_CITIZEN_ID", "MISSING_FIELD", "BAD_DATE", "HOLDER_TYPE_MISMATCH"}));
  EXPECT_EQ(chain_.certificate_count(), 250u);
  EXPECT_EQ(chain_.committed().size(), 3u);
  ExpectHoldersMatchChain(250);
  EXPECT_EQ(testing::Lines(testing::ReadAll(dir_.File("stock.rejected.csv"))).size(), 6u);
  EXPECT_EQ(*FileMode(csv_ + ".state"), 0600u);

  // A rerun finds everything done and sends nothing.
  auto again = RunImport(Options(100, 4));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->resumed);
  EXPECT_EQ(again->batches_already_done, 3u);
  EXPECT_EQ(again->committed_rows_this_run, 0u);
  EXPECT_EQ(chain_.committed().size(), 3u);
  ExpectHoldersMatchChain(250);
}

TEST_F(ImporterTest, ResumesWhenTheNodeDiedAfterCommittingABatch) {
  chain_.crash_after_applying = 1;  // batch 1 is applied, the answer is lost
  auto first = RunImport(Options());
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().code(), Code::kUnavailable);
  EXPECT_EQ(chain_.certificate_count(), 200u);
  auto state = LoadImportState(csv_ + ".state");
  ASSERT_TRUE(state.ok());
  ASSERT_EQ(state->batches.size(), 2u);
  EXPECT_EQ(state->batches[1].status, BatchStatus::kPending);

  chain_.SetDown(false);
  auto second = RunImport(Options());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->resumed);
  EXPECT_EQ(second->committed_rows, 250u);
  EXPECT_EQ(second->failed_batches, 0u);
  EXPECT_EQ(second->batches_rebuilt, 0u);
  EXPECT_EQ(chain_.certificate_count(), 250u);
  EXPECT_EQ(chain_.committed().size(), 3u);  // batch 1 was found on chain, not sent again
  ExpectHoldersMatchChain(250);
}

TEST_F(ImporterTest, ResendsTheSameTxWhenTheNodeDiedBeforeCommitting) {
  chain_.crash_before_applying = 1;
  ASSERT_FALSE(RunImport(Options()).ok());
  auto state = LoadImportState(csv_ + ".state");
  ASSERT_TRUE(state.ok());
  std::string recorded = state->batches[1].tx_id;
  EXPECT_EQ(chain_.committed().count(recorded), 0u);

  chain_.SetDown(false);
  auto second = RunImport(Options());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  // The rebuilt tx is byte-identical: it has the id recorded before the crash.
  EXPECT_EQ(chain_.committed().count(recorded), 1u);
  EXPECT_EQ(chain_.certificate_count(), 250u);
  ExpectHoldersMatchChain(250);
}

TEST_F(ImporterTest, RebuildsABatchWhoseTxExpired) {
  chain_.lose_next = 1;  // the first tx times out and never commits
  // When the importer then looks the lost tx up, the chain has moved past its validity.
  struct Jumper : NodeApi {
    FakeChain* chain = nullptr;
    bool armed = false;
    Result<json::value> Call(std::string_view method, json::value params) override {
      if (method == "tx_commit") armed = true;
      if (method == "chain_status" && armed) {
        chain->jump_on_next_status = 100;
        armed = false;
      }
      return chain->Call(method, std::move(params));
    }
  } jumper;
  ImportOptions opt = Options();
  opt.valid_blocks = 5;
  jumper.chain = &chain_;
  Importer importer(&jumper, &key_, opt);
  auto s = importer.Run();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_GE(s->batches_rebuilt, 1u);
  EXPECT_EQ(s->committed_rows, 250u);
  EXPECT_EQ(chain_.certificate_count(), 250u);
  auto state = LoadImportState(csv_ + ".state");
  ASSERT_TRUE(state.ok());
  EXPECT_GE(state->batches[0].attempt, 1u);
  EXPECT_EQ(chain_.committed().count(state->batches[0].tx_id), 1u);
  ExpectHoldersMatchChain(250);
}

TEST_F(ImporterTest, ABatchTheChainRefusesIsReportedRowByRow) {
  // A serial of batch 1 was issued elsewhere already.
  ImportOptions opt = Options();
  auto content = ReadImportFile(csv_, ImportFormat::kCsv,
                                ImportSchema{kType, "citizen_id", {{"name", true}, {"sex", true}, {"address", false}}});
  ASSERT_TRUE(content.ok());
  auto state_probe = RunImport([&] {
    ImportOptions o = opt;
    o.stop_after_batches = 1;
    return o;
  }());
  ASSERT_TRUE(state_probe.ok());
  auto state = LoadImportState(csv_ + ".state");
  ASSERT_TRUE(state.ok());
  const ImportRow& victim = content->accepted[150];
  chain_.taken_serials.insert(Importer::RowSerial(state->secret, victim.line));

  auto s = RunImport(opt);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->failed_batches, 1u);
  EXPECT_EQ(s->committed_rows, 150u);
  EXPECT_EQ(s->rejected.size(), 105u);
  size_t cert_exists = 0;
  for (const auto& r : s->rejected) cert_exists += r.reason.app_code() == "CERT_EXISTS";
  EXPECT_EQ(cert_exists, 100u);
  ExpectHoldersMatchChain(150);
  auto rejected_file = testing::ReadAll(dir_.File("stock.rejected.csv"));
  EXPECT_NE(rejected_file.find("CERT_EXISTS"), std::string::npos);
}

TEST_F(ImporterTest, RefusesAStateFileOfAnotherImport) {
  ASSERT_TRUE(RunImport(Options()).ok());
  auto other_batch = RunImport(Options(50));
  EXPECT_EQ(other_batch.status().app_code(), "STATE_MISMATCH");
  testing::WriteAll(csv_, testing::ReadAll(csv_) + "citizen,110101199003076514,某,男,,,\n");
  EXPECT_EQ(RunImport(Options()).status().app_code(), "STATE_MISMATCH");
}

TEST_F(ImporterTest, RefusesACorruptStateFile) {
  ASSERT_TRUE(RunImport(Options()).ok());
  std::string text = testing::ReadAll(csv_ + ".state");
  text[text.size() / 2] ^= 0x01;
  testing::WriteAll(csv_ + ".state", text);
  auto s = RunImport(Options());
  EXPECT_EQ(s.status().app_code(), "STATE_CORRUPT");
  EXPECT_EQ(chain_.committed().size(), 3u);
}

TEST_F(ImporterTest, ChecksTypeAndIssuerBeforeSending) {
  ImportOptions opt = Options();
  opt.org = "11510700008207428G";
  EXPECT_EQ(RunImport(opt).status().app_code(), "NOT_ISSUER");
  opt = Options();
  opt.type_code = "11510700008207313A999";
  EXPECT_EQ(RunImport(opt).status().app_code(), "CERT_TYPE_NOT_FOUND");
  EXPECT_EQ(chain_.committed().size(), 0u);
}

TEST_F(ImporterTest, ManyBatchesInFlight) {
  auto s = RunImport(Options(7, 4));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->batches, 36u);
  EXPECT_EQ(s->committed_rows, 250u);
  EXPECT_EQ(chain_.committed().size(), 36u);
  ExpectHoldersMatchChain(250);
}

TEST(ImporterDerivationTest, DeterministicAndDistinct) {
  Bytes secret(32, 'k');
  Bytes other(32, 'm');
  EXPECT_EQ(Importer::RowSalt(secret, 5, "name"), Importer::RowSalt(secret, 5, "name"));
  EXPECT_NE(Importer::RowSalt(secret, 5, "name"), Importer::RowSalt(secret, 6, "name"));
  EXPECT_NE(Importer::RowSalt(secret, 5, "name"), Importer::RowSalt(secret, 5, "sex"));
  EXPECT_NE(Importer::RowSalt(secret, 5, "name"), Importer::RowSalt(other, 5, "name"));
  EXPECT_EQ(Importer::RowSalt(secret, 5, "name").size(), 22u);
  EXPECT_NE(Importer::HolderSalt(secret, 5), Importer::RowSalt(secret, 5, ""));
  EXPECT_EQ(Importer::BatchNonce(secret, 1, 0).size(), 12u);
  EXPECT_NE(Importer::BatchNonce(secret, 1, 0), Importer::BatchNonce(secret, 1, 1));
  std::string serial = Importer::RowSerial(secret, 1234);
  EXPECT_TRUE(contracts::ValidateSerial(serial).ok()) << serial;
  EXPECT_EQ(serial.size(), 20u);
  EXPECT_EQ(serial.substr(10), "0000001234");
  EXPECT_EQ(serial.substr(0, 10), Importer::RowSerial(secret, 1).substr(0, 10));
  EXPECT_NE(serial, Importer::RowSerial(other, 1234));
}

}  // namespace
}  // namespace civic::tools
