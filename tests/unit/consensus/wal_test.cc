#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <cstdlib>

#include "consensus/messages.h"
#include "consensus/wal.h"
#include "tests/unit/consensus/test_util.h"

namespace civic::consensus {
namespace {

namespace fs = std::filesystem;

class WalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "civic-wal-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = (dir_ / "consensus.wal").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  pb::ConsensusWalEntry Entry(uint32_t round, const Bytes& block = "") {
    pb::ConsensusWalEntry e;
    *e.mutable_vote() = MakeVote(testing::kChain, VoteType::kPrecommit, 3, round,
                                 block.empty() ? Bytes() : testing::HashOf(block), v_.signer(0));
    e.set_locked_block(block);
    return e;
  }
  Bytes FileBytes() {
    std::ifstream in(path_, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
  }
  void WriteBytes(const Bytes& data) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
  }
  // Writes n entries and returns the file size after each.
  std::vector<size_t> WriteEntries(int n) {
    std::vector<size_t> sizes;
    auto wal = FileWal::Open(path_);
    EXPECT_TRUE(wal.ok());
    for (int i = 0; i < n; ++i) {
      EXPECT_TRUE((*wal)->Append(Entry(i, "block " + std::to_string(i))).ok());
      sizes.push_back(fs::file_size(path_));
    }
    return sizes;
  }

  testing::Validators v_{1};
  fs::path dir_;
  std::string path_;
};

TEST_F(WalTest, AppendReadReopenReset) {
  {
    auto wal = FileWal::Open(path_);
    ASSERT_TRUE(wal.ok()) << wal.status().ToString();
    EXPECT_TRUE((*wal)->ReadAll()->empty());
    ASSERT_TRUE((*wal)->Append(Entry(0)).ok());
    ASSERT_TRUE((*wal)->Append(Entry(1, "locked block")).ok());
  }
  auto wal = FileWal::Open(path_);
  ASSERT_TRUE(wal.ok());
  EXPECT_EQ((*wal)->truncated_bytes(), 0u);
  auto entries = (*wal)->ReadAll();
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].SerializeAsString(), Entry(0).SerializeAsString());
  EXPECT_EQ((*entries)[1].locked_block(), "locked block");
  ASSERT_TRUE((*wal)->Reset().ok());
  EXPECT_TRUE((*wal)->ReadAll()->empty());
  ASSERT_TRUE((*wal)->Append(Entry(5)).ok());
  auto again = FileWal::Open(path_);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ((*again)->ReadAll()->size(), 1u);
  EXPECT_EQ((*(*again)->ReadAll())[0].vote().round(), 5u);
}

TEST_F(WalTest, TornLastRecordIsCutAtEveryLength) {
  std::vector<size_t> sizes = WriteEntries(3);
  const Bytes whole = FileBytes();
  for (size_t cut = sizes[1]; cut < sizes[2]; ++cut) {
    WriteBytes(whole.substr(0, cut));
    auto wal = FileWal::Open(path_);
    ASSERT_TRUE(wal.ok()) << "cut at " << cut << ": " << wal.status().ToString();
    EXPECT_EQ((*wal)->truncated_bytes(), cut - sizes[1]);
    auto entries = (*wal)->ReadAll();
    ASSERT_TRUE(entries.ok());
    ASSERT_EQ(entries->size(), 2u) << "cut at " << cut;
    EXPECT_EQ(fs::file_size(path_), sizes[1]);
    // The log goes on after the repair.
    ASSERT_TRUE((*wal)->Append(Entry(9)).ok());
    EXPECT_EQ((*wal)->ReadAll()->size(), 3u);
  }
}

TEST_F(WalTest, ZeroFilledOrGarbledTailIsTorn) {
  std::vector<size_t> sizes = WriteEntries(2);
  Bytes data = FileBytes();
  WriteBytes(data + Bytes(100, '\0'));  // preallocated zeros after the last record
  {
    auto wal = FileWal::Open(path_);
    ASSERT_TRUE(wal.ok());
    EXPECT_EQ((*wal)->ReadAll()->size(), 2u);
  }
  // The last record complete in length but with garbage payload bytes.
  Bytes garbled = data;
  garbled[sizes[1] - 3] ^= 0x5a;
  WriteBytes(garbled);
  auto wal = FileWal::Open(path_);
  ASSERT_TRUE(wal.ok());
  EXPECT_EQ((*wal)->ReadAll()->size(), 1u);
  EXPECT_EQ(fs::file_size(path_), sizes[0]);
}

TEST_F(WalTest, DamageBeforeTheLastRecordIsAnError) {
  std::vector<size_t> sizes = WriteEntries(3);
  const Bytes whole = FileBytes();
  // A payload byte of the first record.
  Bytes payload_hit = whole;
  payload_hit[sizes[0] - 5] ^= 0x01;
  WriteBytes(payload_hit);
  auto a = FileWal::Open(path_);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), Code::kCorruption);
  EXPECT_EQ(fs::file_size(path_), whole.size());  // nothing was cut
  // A length byte of the second record.
  Bytes header_hit = whole;
  header_hit[sizes[0]] ^= 0x40;
  WriteBytes(header_hit);
  auto b = FileWal::Open(path_);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), Code::kCorruption);
  // Garbage appended after good records (not zeros) is damage, not a torn write.
  WriteBytes(whole + "this is not a record at all");
  EXPECT_FALSE(FileWal::Open(path_).ok());
}

TEST_F(WalTest, OpenFailsCleanlyOnABadPath) {
  auto wal = FileWal::Open((dir_ / "no-such-dir" / "x.wal").string());
  ASSERT_FALSE(wal.ok());
  EXPECT_EQ(wal.status().code(), Code::kIOError);
}

TEST_F(WalTest, MemoryWal) {
  MemoryWal wal;
  ASSERT_TRUE(wal.Append(Entry(1)).ok());
  ASSERT_TRUE(wal.Append(Entry(2)).ok());
  EXPECT_EQ(wal.ReadAll()->size(), 2u);
  ASSERT_TRUE(wal.Reset().ok());
  EXPECT_EQ(wal.size(), 0u);
}

}  // namespace
}  // namespace civic::consensus
