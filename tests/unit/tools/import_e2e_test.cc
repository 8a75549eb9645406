// Integration (label "integration"): a bulk import against a real civicd,
// killed with SIGKILL midway and resumed. Afterwards the chain holds exactly one
// certificate per accepted row: no row lost, none issued twice, and every
// holder's copy verifies.
//
// Starts civicd from its built path (CIVICD_PATH) through `civic net up`, and
// runs the civic binary (CIVIC_CLI_PATH) as a separate process so that SIGKILL
// hits a real importer.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <set>
#include <thread>

#include "contracts/certificate/holder.h"
#include "rpc/codec/holder_certificate.h"
#include "contracts/base/identifiers.h"
#include "test_util.h"
#include "tools/import/import_state.h"
#include "tools/common/cli_common.h"
#include "tools/common/json_view.h"
#include "tools/common/node_api.h"

namespace civic::tools {
namespace {

using testing::TempDir;

constexpr const char* kIdCard = "11510700008207313A001";

pid_t Spawn(const std::vector<std::string>& args, const std::string& log) {
  pid_t pid = ::fork();
  if (pid == 0) {
    FILE* f = std::fopen(log.c_str(), "w");
    if (f) {
      ::dup2(fileno(f), 1);
      ::dup2(fileno(f), 2);
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(CIVIC_CLI_PATH));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(CIVIC_CLI_PATH, argv.data());
    ::_exit(127);
  }
  return pid;
}

class ImportE2ETest : public ::testing::Test {
 protected:
  // Runs before the members are destroyed, so the network folder still exists.
  void TearDown() override {
    if (import_pid_ > 0 && ::kill(import_pid_, SIGKILL) == 0) ::waitpid(import_pid_, nullptr, 0);
    if (!net_dir_.empty()) testing::Run(CIVIC_CLI_PATH, {"net", "down", "--dir", net_dir_, "--timeout", "10"});
  }
  TempDir tmp;
  std::string net_dir_;
  pid_t import_pid_ = 0;  // the first import run, until it is reaped
};

TEST_F(ImportE2ETest, KilledMidwayAndResumedImportsEveryRowExactlyOnce) {
  std::string url;
  net_dir_ = tmp.File("net");
  auto r = testing::StartOneNodeNet(CIVIC_CLI_PATH, CIVICD_PATH, net_dir_, &url);
  ASSERT_EQ(r.exit_code, 0) << r.out;

  const uint64_t rows = 3000, invalid = 30, batch = 50;
  std::string csv = tmp.File("stock.csv");
  r = testing::Run(CIVIC_CLI_PATH, {"sample", "certificates", "--type", kIdCard, "--count", std::to_string(rows), "--invalid",
                           std::to_string(invalid), "--seed", "7", "--out", csv, "--genesis",
                           net_dir_ + "/genesis.json"});
  ASSERT_EQ(r.exit_code, 0) << r.out;

  const std::vector<std::string> import_args = {
      "import", "--type", kIdCard, "--file", csv, "--batch", std::to_string(batch), "--in-flight", "2",
      "--key", net_dir_ + "/orgs/psb.key", "--node", url, "--no-progress"};
  const uint64_t batches = (rows - invalid + batch - 1) / batch;

  // First run: SIGKILL once a few batches are committed.
  pid_t pid = Spawn(import_args, tmp.File("import1.log"));
  ASSERT_GT(pid, 0);
  import_pid_ = pid;
  uint64_t committed_at_kill = 0;
  bool exited = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    auto state = LoadImportState(csv + ".state");
    if (state.ok()) {
      uint64_t committed = 0;
      for (const auto& b : state->batches) committed += b.status == BatchStatus::kCommitted;
      if (committed >= 3) {
        ::kill(pid, SIGKILL);
        committed_at_kill = committed;
        break;
      }
    }
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      import_pid_ = 0;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!exited) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    import_pid_ = 0;
    ASSERT_TRUE(WIFSIGNALED(status)) << testing::ReadAll(tmp.File("import1.log"));
  }
  ASSERT_FALSE(exited) << "the import ended before it could be killed:\n" << testing::ReadAll(tmp.File("import1.log"));
  ASSERT_GE(committed_at_kill, 3u);
  {
    auto state = LoadImportState(csv + ".state");
    ASSERT_TRUE(state.ok()) << state.status().ToString();  // never torn, even by SIGKILL
    EXPECT_LT(state->CommittedRows(), rows - invalid);
    uint64_t pending = 0;
    for (const auto& b : state->batches) pending += b.status == BatchStatus::kPending;
    std::cout << "killed with " << state->batches.size() << " of " << batches << " batches prepared, " << pending
              << " pending\n";
  }

  // Second run: resumes and finishes.
  r = testing::Run(CIVIC_CLI_PATH, import_args);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("resumed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("committed:  " + std::to_string(rows - invalid) + " certificates"), std::string::npos)
      << r.out;

  auto state = LoadImportState(csv + ".state");
  ASSERT_TRUE(state.ok());
  ASSERT_EQ(state->batches.size(), batches);
  for (const auto& b : state->batches) EXPECT_EQ(b.status, BatchStatus::kCommitted) << b.index;
  EXPECT_EQ(testing::Lines(testing::ReadAll(tmp.File("stock.rejected.csv"))).size(), invalid + 1);

  // The chain: walk every block and count the certificates that committed issue txs carry.
  auto api = ConnectNode(url);
  ASSERT_TRUE(api.ok());
  auto tip = GetChainStatus(**api);
  ASSERT_TRUE(tip.ok()) << tip.status().ToString();
  uint64_t issued = 0;
  std::set<std::string> tx_ids;
  for (uint64_t h = 1; h <= tip->height; ++h) {
    auto block = (*api)->Call("chain_getBlock", boost::json::object{{"height", h}});
    ASSERT_TRUE(block.ok()) << block.status().ToString();
    for (const JsonView t : JsonView(*block)["txs"].Items()) {
      std::string id = t.raw()->is_string() ? t.Str() : t["id"].Str();
      ASSERT_EQ(id.size(), 64u) << boost::json::serialize(*block);
      auto tx = GetTxOutcome(**api, id);
      ASSERT_TRUE(tx.ok() && tx->has_value());
      if (!(*tx)->result.ok()) continue;
      auto full = (*api)->Call("chain_getTx", boost::json::object{{"id", id}});
      ASSERT_TRUE(full.ok());
      issued += JsonView(*full)["body"]["call"]["issue"]["certificates"].Items().size();
      tx_ids.insert(id);
    }
  }
  EXPECT_EQ(issued, rows - invalid);
  for (const auto& b : state->batches) EXPECT_TRUE(tx_ids.count(b.tx_id)) << b.index;

  // Every holder's copy is a distinct certificate on chain whose fields verify.
  auto lines = testing::Lines(testing::ReadAll(csv + ".holders.jsonl"));
  ASSERT_EQ(lines.size(), rows - invalid);
  std::set<std::string> ids;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto copy = rpc::ParseHolderCertificate(lines[i]);
    ASSERT_TRUE(copy.ok());
    ASSERT_TRUE(ids.insert(copy->id).second) << copy->id;
    if (i % 97 != 0) continue;
    auto v = (*api)->Call("cert_verify", boost::json::object{
                                             {"holder_certificate", rpc::HolderCertificateToJson(*copy)}});
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    JsonView view(*v);
    EXPECT_TRUE(view["genuine"].Bool()) << lines[i];
    EXPECT_TRUE(view["holder_match"].Bool());
    EXPECT_TRUE(view["fields_match"].Bool());
  }

  // The CLI's own verification of one holder's copy, in plain words.
  testing::WriteAll(tmp.File("one.json"), lines[0]);
  r = testing::Run(CIVIC_CLI_PATH, {"cert", "verify", "--holder-file", tmp.File("one.json"), "--node", url});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("verdict:    VALID"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("all presented fields match"), std::string::npos) << r.out;
  // A copy with one value changed: not genuine, and the exit code says so.
  auto edited = rpc::ParseHolderCertificate(lines[0]);
  ASSERT_TRUE(edited.ok());
  edited->fields[0].value += "x";
  testing::WriteAll(tmp.File("edited.json"), rpc::SerializeHolderCertificate(*edited));
  r = testing::Run(CIVIC_CLI_PATH, {"cert", "verify", "--holder-file", tmp.File("edited.json"), "--node", url});
  EXPECT_EQ(r.exit_code, kExitNegative) << r.out;
  EXPECT_NE(r.out.find("verdict:    NOT GENUINE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(FIELD_MISMATCH)"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace civic::tools
