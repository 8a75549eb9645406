// A real ledger::Chain (LevelDB in a temp dir) run by the default registry plus
// the credit contract, on the sample genesis of CreditChain's keys, behind a
// NodeBackend, with the credit_* (and gov_*) JSON-RPC methods. Blocks are
// committed on demand by the single validator, one second apart.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <optional>

#include "credit_chain.h"
#include "ledger/block.h"
#include "ledger/chain.h"
#include "rpc/jsonrpc.h"
#include "rpc/methods.h"
#include "tools/samples/credit_sample.h"
#include "contracts/base/contract_names.h"

namespace civic::contracts::credit_testing {

class LedgerNode final : public rpc::NodeBackend {
 public:
  explicit LedgerNode(const ledger::Chain* chain) : chain_(chain) {}
  const ledger::Chain& chain() const override { return *chain_; }
  rpc::NodeInfo info() const override { return rpc::NodeInfo{CreditChain::kChainId, "", "test", true, 0, 0}; }
  Result<Bytes> SubmitTx(Bytes) override { return Status::Unavailable("NOT_READY", "not in this test"); }
  void AwaitCommit(const Bytes&, std::chrono::milliseconds, std::function<void(Result<pb::TxLocation>)> done) override {
    done(Status::Unavailable("NOT_READY", "not in this test"));
  }

 private:
  const ledger::Chain* chain_;
};

class CreditLedger {
 public:
  explicit CreditLedger(std::string_view name) {
    dir_ = (std::filesystem::temp_directory_path() /
            ("civic-credit-" + std::string(name) + "-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    std::filesystem::remove_all(dir_);
    registry_ = Registry::CreateDefault();
    if (registry_->Find(kCreditContract) == nullptr) registry_->Add(std::make_unique<CreditContract>());
    ledger::ChainOptions options;
    options.chain_id = CreditChain::kChainId;
    options.sync_writes = false;
    options.block_cache_mb = 4;
    options.tree_cache_mb = 4;
    options.write_buffer_mb = 1;
    auto chain = ledger::Chain::Open(dir_, options, registry_.get());
    EXPECT_TRUE(chain.ok()) << chain.status().ToString();
    chain_ = std::move(*chain);
    const Genesis& g = keys.genesis;
    Status st = chain_->InitGenesis(g.genesis_time_ms, g.state, g.hash);
    EXPECT_TRUE(st.ok()) << st.ToString();
    node_ = std::make_unique<LedgerNode>(chain_.get());
    rpc::RegisterCreditMethods(&table);
    rpc::RegisterGovernanceMethods(&table);
  }

  ~CreditLedger() {
    chain_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Commits the sample credit data; every tx must succeed.
  void CommitSample() {
    samples::CreditSampleInput in;
    in.chain_id = CreditChain::kChainId;
    in.org_keys = keys.org_keys;
    in.now_ms = chain_->tip().time_ms;
    auto blocks = samples::SampleCreditBlocks(in);
    ASSERT_TRUE(blocks.ok()) << blocks.status().ToString();
    for (const auto& block : *blocks) {
      auto results = Commit(block);
      for (const Status& st : results) ASSERT_TRUE(st.ok()) << st.ToString();
    }
  }

  // Commits `txs` as the next block (at `time_ms`, default one second after the
  // tip); returns each tx's result.
  std::vector<Status> Commit(const std::vector<Bytes>& txs, int64_t time_ms = 0) {
    auto node_key = crypto::KeyPair::FromSecret(crypto::Algo::kEd25519, Bytes(32, 100)).value();
    int64_t time = time_ms != 0 ? time_ms : chain_->tip().time_ms + 1000;
    pb::Block block = chain_->BuildBlock(txs, time, node_key.public_key(), last_commit_);
    Bytes hash = ledger::BlockHash(block);
    uint64_t height = chain_->tip().height + 1;
    pb::Commit commit;
    commit.set_height(height);
    commit.set_block_hash(hash);
    auto* sig = commit.add_sigs();
    *sig->mutable_validator() = ledger::ToProto(node_key.public_key());
    sig->set_sig(node_key.Sign(ledger::VoteSignBytes(CreditChain::kChainId, ledger::kPrecommit, height, 0, hash)));
    Status st = chain_->ApplyBlock(block, commit);
    EXPECT_TRUE(st.ok()) << st.ToString();
    last_commit_ = commit;
    std::vector<Status> results;
    for (const Bytes& tx : txs) {
      auto record = chain_->GetTx(ledger::TxId(tx));
      if (!record.ok()) {
        results.push_back(record.status());
        continue;
      }
      const auto& r = record->location.result();
      results.push_back(r.code() == 0 ? Status::Ok()
                                      : Status(static_cast<Code>(r.code()), r.app_code(), r.message()));
    }
    return results;
  }

  Result<boost::json::value> Call(std::string_view method, boost::json::value params) {
    const rpc::Method* m = table.Find(method);
    if (m == nullptr) return Status::NotFound("METHOD_NOT_FOUND", std::string(method));
    std::optional<Result<boost::json::value>> answer;
    m->handler(Context(), params, [&](Result<boost::json::value> r) {
      EXPECT_FALSE(answer.has_value()) << "replied twice";
      answer.emplace(std::move(r));
    });
    EXPECT_TRUE(answer.has_value()) << "no reply";
    return answer.has_value() ? std::move(*answer) : Result<boost::json::value>(Status::Internal("no reply"));
  }

  // A whole JSON-RPC request body through the dispatcher.
  std::string Dispatch(std::string_view body) {
    rpc::Dispatcher dispatcher(&table, 100);
    std::string out;
    dispatcher.Handle(body, Context(), [](size_t) { return true; }, [&](rpc::DispatchResult r) { out = r.body; });
    return out;
  }

  rpc::CallContext Context() {
    rpc::CallContext ctx;
    ctx.node = node_.get();
    ctx.methods = &table;
    return ctx;
  }

  const ledger::Chain& chain() const { return *chain_; }

  CreditChain keys;  // org keys and the genesis
  rpc::MethodTable table;

 private:
  std::string dir_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<ledger::Chain> chain_;
  std::unique_ptr<LedgerNode> node_;
  pb::Commit last_commit_;
};

}  // namespace civic::contracts::credit_testing
