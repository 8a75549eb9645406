// Measures Chain::ApplyBlock throughput and disk use (a program, not a test).
//
//   ledger_bench [--blocks N] [--txs-per-block N] [--keys-per-tx N] [--value-bytes N]
//                [--verify-signatures] [--no-sync] [--keep-versions N] [--dir PATH]
//
// Each tx writes fresh state keys ("cert/<serial>", random values). Prints one
// key=value line per block and a summary; "cpu" is CPU time of the calling
// thread, "process_cpu" includes LevelDB's background compaction and helper threads.
#include <leveldb/db.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <random>
#include <string>

#include "ledger/block.h"
#include "ledger/chain.h"
#include "test_util.h"

using namespace civic;
using namespace civic::ledger;

namespace {

// call = repeated: u8 key length, key, u16 value length (big-endian), value.
class BinaryPutExecutor : public TxExecutor {
 public:
  explicit BinaryPutExecutor(pb::ValidatorSet validators) : validators_(std::move(validators)) {}
  Status Execute(const TxContext& ctx, StateView* view) override {
    std::string_view c = ctx.tx->body.call();
    while (c.size() >= 3) {
      size_t key_len = static_cast<unsigned char>(c[0]);
      if (c.size() < 1 + key_len + 2) break;
      std::string_view key = c.substr(1, key_len);
      c.remove_prefix(1 + key_len);
      size_t value_len = (static_cast<size_t>(static_cast<unsigned char>(c[0])) << 8) | static_cast<unsigned char>(c[1]);
      view->Put(key, c.substr(2, value_len));
      c.remove_prefix(std::min(c.size(), 2 + value_len));
    }
    return Status::Ok();
  }
  Status EndBlock(const BlockContext&, StateView*) override { return Status::Ok(); }
  Result<pb::ValidatorSet> Validators(const KvReader&) const override { return validators_; }

 private:
  pb::ValidatorSet validators_;
};

double Clock(clockid_t id) {
  timespec ts;
  clock_gettime(id, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}
double Wall() { return Clock(CLOCK_MONOTONIC); }

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

uint64_t ProcessWriteBytes() {
  FILE* f = std::fopen("/proc/self/io", "r");
  if (f == nullptr) return 0;
  char line[256];
  uint64_t bytes = 0;
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, "write_bytes:", 12) == 0) bytes = std::strtoull(line + 12, nullptr, 10);
  }
  std::fclose(f);
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  int blocks = 5, txs_per_block = 1, keys_per_tx = 30000, value_bytes = 200;
  bool verify_signatures = false, sync = true;
  uint64_t keep_versions = 0;
  testing::TempDir temp;
  std::string dir = temp.sub("chain");
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--blocks") blocks = std::stoi(next());
    else if (a == "--txs-per-block") txs_per_block = std::stoi(next());
    else if (a == "--keys-per-tx") keys_per_tx = std::stoi(next());
    else if (a == "--value-bytes") value_bytes = std::stoi(next());
    else if (a == "--verify-signatures") verify_signatures = true;
    else if (a == "--no-sync") sync = false;
    else if (a == "--keep-versions") keep_versions = std::stoull(next());
    else if (a == "--dir") dir = next();
    else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (blocks < 1 || txs_per_block < 1 || keys_per_tx < 1 || value_bytes < 0 || value_bytes > 65535) {
    std::fprintf(stderr, "bad arguments\n");
    return 2;
  }
  std::filesystem::remove_all(dir);

  const auto key = testing::KeyFromSeed(0);
  BinaryPutExecutor executor(testing::MakeValidatorSet({key}));
  ChainOptions options;
  options.chain_id = "bench";
  options.sync_writes = sync;
  options.keep_state_versions = keep_versions;
  auto opened = Chain::Open(dir, options, &executor);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  auto chain = std::move(opened).value();
  WriteSet genesis;
  genesis.state["bench/genesis"] = "1";
  if (Status st = chain->InitGenesis(1, genesis, "bench-genesis"); !st.ok()) return 1;

  std::mt19937_64 rng(42);
  pb::Commit last_commit;
  uint64_t serial = 0, total_keys = 0, raw_bytes = 0;
  double total_wall = 0, total_cpu = 0, total_process_cpu = 0;
  const uint64_t io_before = ProcessWriteBytes();
  for (int b = 0; b < blocks; ++b) {
    std::vector<Bytes> txs;
    for (int t = 0; t < txs_per_block; ++t) {
      pb::TxBody body;
      body.set_chain_id(options.chain_id);
      body.set_valid_until_height(chain->tip().height + 10);
      body.set_org("ORG");
      body.set_contract("bench");
      body.set_nonce(std::to_string(b) + "/" + std::to_string(t));
      std::string call;
      for (int k = 0; k < keys_per_tx; ++k) {
        std::string state_key = "cert/1.2.156.3005.2.11100000MB0000000X." + std::to_string(serial++);
        std::string value(static_cast<size_t>(value_bytes), '\0');
        for (size_t j = 0; j < value.size(); j += 8) {
          uint64_t r = rng();
          std::memcpy(value.data() + j, &r, std::min<size_t>(8, value.size() - j));
        }
        call.push_back(static_cast<char>(state_key.size()));
        call += state_key;
        call.push_back(static_cast<char>(value.size() >> 8));
        call.push_back(static_cast<char>(value.size() & 0xff));
        call += value;
        raw_bytes += state_key.size() + value.size();
      }
      body.set_call(call);
      txs.push_back(SignTx(body, key));
    }
    const uint64_t keys = static_cast<uint64_t>(keys_per_tx) * static_cast<uint64_t>(txs_per_block);
    total_keys += keys;
    pb::Block block = chain->BuildBlock(std::move(txs), 0, key.public_key(), last_commit);
    pb::Commit commit = testing::SignCommit(options.chain_id, {key}, chain->tip().height + 1, BlockHash(block));

    const double wall0 = Wall(), cpu0 = Clock(CLOCK_THREAD_CPUTIME_ID), proc0 = Clock(CLOCK_PROCESS_CPUTIME_ID);
    Status valid = chain->ValidateBlock(block, [&](const Bytes&) { return !verify_signatures; });
    Status applied = valid.ok() ? chain->ApplyBlock(block, commit) : valid;
    const double wall = Wall() - wall0, cpu = Clock(CLOCK_THREAD_CPUTIME_ID) - cpu0,
                 process_cpu = Clock(CLOCK_PROCESS_CPUTIME_ID) - proc0;
    if (!applied.ok()) {
      std::fprintf(stderr, "block %d: %s\n", b + 1, applied.ToString().c_str());
      return 1;
    }
    last_commit = commit;
    total_wall += wall;
    total_cpu += cpu;
    total_process_cpu += process_cpu;
    ApplyStats s = chain->last_apply_stats();
    std::printf("block=%d keys=%llu wall_s=%.3f cpu_s=%.3f process_cpu_s=%.3f tree_nodes_written=%zu "
                "tree_nodes_read=%zu batch_bytes=%zu\n",
                b + 1, static_cast<unsigned long long>(keys), wall, cpu, process_cpu, s.tree_nodes_written,
                s.tree_nodes_read, s.batch_bytes);
  }
  const uint64_t io_written = ProcessWriteBytes() - io_before;
  chain.reset();
  const uint64_t disk = DirBytes(dir);
  uint64_t compacted = disk;
  {
    leveldb::DB* db = nullptr;
    if (leveldb::DB::Open(leveldb::Options(), dir, &db).ok()) {
      db->CompactRange(nullptr, nullptr);
      delete db;
      compacted = DirBytes(dir);
    }
  }
  const double n = static_cast<double>(total_keys);
  std::printf("summary keys=%llu keys_per_wall_s=%.0f keys_per_cpu_s=%.0f keys_per_process_cpu_s=%.0f "
              "raw_bytes_per_key=%.1f disk_bytes_per_key=%.1f compacted_disk_bytes_per_key=%.1f "
              "io_written_bytes_per_key=%.1f\n",
              static_cast<unsigned long long>(total_keys), n / total_wall, n / total_cpu, n / total_process_cpu,
              static_cast<double>(raw_bytes) / n, static_cast<double>(disk) / n, static_cast<double>(compacted) / n,
              static_cast<double>(io_written) / n);
  return 0;
}
