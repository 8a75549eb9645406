// Applies blocks to a chain in a loop until killed; prints each applied height.
// Usage: ledger_crash_child <dir> <seed>
// Used by crash_test.cc, which kills this process with SIGKILL at a random moment.
#include <cstdio>
#include <random>

#include "test_util.h"

using namespace civic;
using namespace civic::ledger;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <dir> <seed>\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  std::mt19937 rng(static_cast<unsigned>(std::stoul(argv[2])));

  testing::TestExecutor executor;
  ChainOptions options = testing::TestChain::Defaults();
  options.sync_writes = true;
  options.write_buffer_mb = 1;  // flush and compact often while being killed
  auto opened = Chain::Open(dir, options, &executor);
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  auto chain = std::move(opened).value();
  const auto key = testing::KeyFromSeed(0);
  if (!chain->initialised()) {
    Status st = chain->InitGenesis(1000, testing::GenesisState(testing::MakeValidatorSet({key})), "crash-genesis");
    if (!st.ok()) return 1;
  }
  pb::Commit last_commit;
  if (chain->tip().height > 0) last_commit = chain->GetBlock(chain->tip().height)->commit();

  for (uint64_t n = 0;; ++n) {
    const Tip tip = chain->tip();
    std::vector<Bytes> txs;
    int tx_count = static_cast<int>(rng() % 6);
    for (int i = 0; i < tx_count; ++i) {
      std::string call;
      int writes = 1 + static_cast<int>(rng() % 300);
      for (int w = 0; w < writes; ++w) {
        int k = static_cast<int>(rng() % 5000);
        switch (rng() % 4) {
          case 0: call += "del k/" + std::to_string(k) + "\n"; break;
          case 1: call += "idx i/" + std::to_string(k) + " " + std::to_string(n) + "\n"; break;
          default: call += "put k/" + std::to_string(k) + " v" + std::to_string(rng()) + "\n";
        }
      }
      if (rng() % 5 == 0) call += "fail\n";
      txs.push_back(testing::MakeTx(options.chain_id, key, tip.height + 5, call,
                                    std::to_string(tip.height) + "/" + std::to_string(i)));
    }
    pb::Block block = chain->BuildBlock(std::move(txs), 0, key.public_key(), last_commit);
    pb::Commit commit = testing::SignCommit(options.chain_id, {key}, tip.height + 1, BlockHash(block));
    Status st = chain->ApplyBlock(block, commit);
    if (!st.ok()) {
      std::fprintf(stderr, "apply: %s\n", st.ToString().c_str());
      return 1;
    }
    last_commit = commit;
    std::printf("%llu\n", static_cast<unsigned long long>(tip.height + 1));
    std::fflush(stdout);
  }
}
