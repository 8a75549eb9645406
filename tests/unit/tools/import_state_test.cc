#include "tools/import/import_state.h"

#include <gtest/gtest.h>

#include "tools/common/files.h"
#include "test_util.h"

namespace civic::tools {
namespace {

using testing::TempDir;

ImportState SampleState() {
  ImportState s;
  s.input_sha256 = std::string(64, 'a');
  s.type_code = "11510700008207313A001";
  s.org = "11510700008207313A";
  s.signer = "ed25519:" + std::string(64, 'b');
  s.chain_id = "mianyang-1";
  s.batch_size = 100;
  s.accepted_digest = std::string(64, 'c');
  s.accepted_rows = 250;
  s.secret = std::string(32, '\x07');
  s.holders_file = "stock.csv.holders.jsonl";
  s.holders_batches = 1;
  s.holders_bytes = 12345;
  for (uint64_t i = 0; i < 3; ++i) {
    BatchRecord b;
    b.index = i;
    b.first_row = i * 100;
    b.row_count = i == 2 ? 50 : 100;
    b.first_line = 2 + i * 100;
    b.last_line = b.first_line + b.row_count - 1;
    b.attempt = i == 1 ? 2 : 0;
    b.tx_id = std::string(64, static_cast<char>('0' + i));
    b.valid_until_height = 300 + i;
    b.status = i == 0 ? BatchStatus::kCommitted : i == 1 ? BatchStatus::kFailed : BatchStatus::kPending;
    b.height = i == 2 ? 0 : 7 + i;
    if (i == 1) {
      b.app_code = "CERT_EXISTS";
      b.message = "certificate \"x\" exists";
    }
    s.batches.push_back(b);
  }
  return s;
}

TEST(ImportStateTest, RoundTripThroughFile) {
  TempDir dir;
  ImportState s = SampleState();
  ASSERT_TRUE(SaveImportState(dir.File("s.state"), s).ok());
  auto mode = FileMode(dir.File("s.state"));
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(*mode, 0600u);  // the secret lets one recompute holder commitments
  auto loaded = LoadImportState(dir.File("s.state"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, s);
  EXPECT_EQ(loaded->CommittedRows(), 100u);
  EXPECT_EQ(loaded->Find(1)->app_code, "CERT_EXISTS");
  EXPECT_EQ(loaded->Find(9), nullptr);
  // Saving again replaces the file atomically (no temp files left behind).
  s.batches[2].status = BatchStatus::kCommitted;
  ASSERT_TRUE(SaveImportState(dir.File("s.state"), s).ok());
  EXPECT_EQ(LoadImportState(dir.File("s.state"))->batches[2].status, BatchStatus::kCommitted);
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1u);
}

TEST(ImportStateTest, MissingFileIsNotFound) {
  TempDir dir;
  EXPECT_EQ(LoadImportState(dir.File("none.state")).status().app_code(), "FILE_NOT_FOUND");
}

TEST(ImportStateTest, CorruptionIsDetected) {
  std::string good = SerializeImportState(SampleState());
  ASSERT_TRUE(ParseImportState(good).ok());

  std::vector<std::string> bad = {
      "",
      "{",
      good.substr(0, good.size() / 2),                 // truncated
      "[]",
      R"({"state":{},"sha256":"00"})",
  };
  // One flipped character inside the body: the checksum catches it.
  std::string flipped = good;
  size_t pos = flipped.find("mianyang-1");
  flipped[pos] = 'M';
  bad.push_back(flipped);
  // A well-formed body with an impossible value and a matching checksum still fails.
  ImportState s = SampleState();
  s.batches[1].first_row = 7;
  bad.push_back(SerializeImportState(s));
  s = SampleState();
  s.batches[0].tx_id = "xyz";
  bad.push_back(SerializeImportState(s));
  s = SampleState();
  s.secret = "short";
  bad.push_back(SerializeImportState(s));
  s = SampleState();
  s.holders_batches = 9;
  bad.push_back(SerializeImportState(s));
  s = SampleState();
  s.accepted_rows = 10;
  bad.push_back(SerializeImportState(s));

  for (size_t i = 0; i < bad.size(); ++i) {
    auto r = ParseImportState(bad[i]);
    ASSERT_FALSE(r.ok()) << "case " << i;
    EXPECT_EQ(r.status().app_code(), "STATE_CORRUPT") << "case " << i;
    EXPECT_EQ(r.status().code(), Code::kCorruption) << "case " << i;
  }

  TempDir dir;
  testing::WriteAll(dir.File("bad.state"), flipped);
  auto loaded = LoadImportState(dir.File("bad.state"));
  EXPECT_EQ(loaded.status().app_code(), "STATE_CORRUPT");
  EXPECT_NE(loaded.status().message().find("bad.state"), std::string::npos);
}

}  // namespace
}  // namespace civic::tools
