// Helpers for the ledger tests: temp dirs, keys, txs, commits and a trivial
// TxExecutor whose calls are lines of text:
//   "put <key> <value>"   write a state key
//   "del <key>"           delete a state key
//   "idx <key> <value>"   write an index key
//   "vals 0,2"            make the keys of seeds 0 and 2 the validators
//   "fail"                fail the tx here (after the writes before it)
// Validators come from the state key "validators" (a serialized pb::ValidatorSet).
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/signature.h"
#include "ledger/block.h"
#include "ledger/chain.h"
#include "ledger/tx.h"

namespace civic::ledger::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "civic-ledger-test-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    path_ = made ? made : tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline crypto::KeyPair KeyFromSeed(int n, crypto::Algo algo = crypto::Algo::kEd25519) {
  Bytes seed(32, static_cast<char>(n + 1));
  return crypto::KeyPair::FromSecret(algo, seed).value();
}

inline pb::ValidatorSet MakeValidatorSet(const std::vector<crypto::KeyPair>& keys, uint64_t power = 10) {
  pb::ValidatorSet set;
  for (const auto& k : keys) {
    pb::Validator* v = set.add_validators();
    *v->mutable_pub_key() = ToProto(k.public_key());
    v->set_power(power);
    v->set_org("ORG");
  }
  return set;
}

inline Bytes MakeTx(const std::string& chain_id, const crypto::KeyPair& key, uint64_t valid_until,
                    const std::string& call, const std::string& nonce = "") {
  pb::TxBody body;
  body.set_chain_id(chain_id);
  body.set_valid_until_height(valid_until);
  body.set_org("ORG");
  body.set_nonce(nonce);
  body.set_contract("test");
  body.set_call(call);
  return SignTx(body, key);
}

inline pb::Commit SignCommit(const std::string& chain_id, const std::vector<crypto::KeyPair>& signers,
                             uint64_t height, const Bytes& block_hash, uint32_t round = 0) {
  pb::Commit commit;
  commit.set_height(height);
  commit.set_round(round);
  commit.set_block_hash(block_hash);
  for (const auto& k : signers) {
    pb::CommitSig* sig = commit.add_sigs();
    *sig->mutable_validator() = ToProto(k.public_key());
    sig->set_sig(k.Sign(VoteSignBytes(chain_id, kPrecommit, height, round, block_hash)));
  }
  return commit;
}

class TestExecutor : public TxExecutor {
 public:
  bool write_height_at_end_block = true;

  Status Execute(const TxContext& ctx, StateView* view) override {
    std::istringstream lines(ctx.tx->body.call());
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream words(line);
      std::string op, key, value;
      words >> op >> key >> value;
      if (op == "put") {
        view->Put(key, value);
      } else if (op == "del") {
        view->Delete(key);
      } else if (op == "idx") {
        view->Put(Space::kIndex, key, value);
      } else if (op == "vals") {
        // "vals 0,2,3": the validators become the keys of those seeds.
        std::vector<crypto::KeyPair> keys;
        std::istringstream seeds(key);
        for (std::string seed; std::getline(seeds, seed, ',');) keys.push_back(KeyFromSeed(std::stoi(seed)));
        view->Put("validators", MakeValidatorSet(keys).SerializeAsString());
      } else if (op == "fail") {
        return Status::FailedPrecondition("TEST_FAIL", "the tx asked to fail");
      }
    }
    return Status::Ok();
  }

  Status EndBlock(const BlockContext& ctx, StateView* view) override {
    if (write_height_at_end_block) view->Put("meta/height", std::to_string(ctx.height));
    return Status::Ok();
  }

  Result<pb::ValidatorSet> Validators(const KvReader& state) const override {
    auto raw = state.Get(Space::kState, "validators");
    if (!raw.ok()) return raw.status();
    if (!raw->has_value()) return Status::NotFound("NO_VALIDATORS", "no validators in state");
    pb::ValidatorSet set;
    if (!set.ParseFromString(**raw)) return Status::Corruption("bad validators");
    return set;
  }

  Status CheckTx(const TxContext& ctx, const KvReader& state) const override {
    if (ctx.tx->body.call().rfind("reject", 0) == 0) {
      return Status::PermissionDenied("TEST_REJECT", "the tx asked to be rejected");
    }
    return Status::Ok();
  }
};

inline WriteSet GenesisState(const pb::ValidatorSet& validators) {
  WriteSet ws;
  ws.state["validators"] = validators.SerializeAsString();
  ws.state["genesis/hello"] = "world";
  ws.index["idx/genesis"] = "1";
  return ws;
}

// A chain on a temp dir with `n` ed25519 validators, initialised at time 1000.
struct TestChain {
  explicit TestChain(const std::string& dir, int validators = 1, ChainOptions options = Defaults()) : dir(dir) {
    for (int i = 0; i < validators; ++i) keys.push_back(KeyFromSeed(i));
    opts = options;
    chain = Chain::Open(dir, opts, &executor).value();
    Status st = chain->InitGenesis(1000, GenesisState(MakeValidatorSet(keys)), "genesis-hash");
    if (!st.ok()) abort();
  }

  static ChainOptions Defaults() {
    ChainOptions o;
    o.chain_id = "test-chain";
    o.replay_window = 100;
    o.sync_writes = false;
    o.tree_cache_mb = 8;
    o.block_cache_mb = 8;
    o.write_buffer_mb = 4;
    return o;
  }

  // Reopens the database (the old Chain is closed first).
  void Reopen() {
    chain.reset();
    chain = Chain::Open(dir, opts, &executor).value();
  }

  Bytes Tx(const std::string& call, const std::string& nonce = "", int valid_for = 10) {
    return MakeTx(opts.chain_id, keys[0], chain->tip().height + valid_for, call, nonce);
  }

  pb::Block Build(std::vector<Bytes> txs, int64_t time_ms = 0) {
    return chain->BuildBlock(std::move(txs), time_ms, keys[0].public_key(), last_commit);
  }

  pb::Commit CommitFor(const pb::Block& block) {
    return SignCommit(opts.chain_id, keys, chain->tip().height + 1, BlockHash(block));
  }

  // Builds, commits and applies the next block.
  Status Apply(std::vector<Bytes> txs, int64_t time_ms = 0) {
    pb::Block block = Build(std::move(txs), time_ms);
    return ApplyBuilt(block);
  }

  Status ApplyBuilt(const pb::Block& block) {
    pb::Commit commit = CommitFor(block);
    Status st = chain->ApplyBlock(block, commit);
    if (st.ok()) last_commit = commit;
    return st;
  }

  std::string dir;
  ChainOptions opts;
  TestExecutor executor;
  std::vector<crypto::KeyPair> keys;
  std::unique_ptr<Chain> chain;
  pb::Commit last_commit;
};

}  // namespace civic::ledger::testing
