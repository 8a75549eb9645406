// A real ledger::Chain on a temp dir with one validator, and a NodeBackend over
// it (mempool = a list; blocks are made on demand, one second apart).
//
// Two set-ups:
//  kText: a trivial executor whose calls are text lines ("put <key> <value>"
//         writes state, "fail" fails the tx); validators from state "validators".
//  kSample: the real contracts (Registry) on the sample Mianyang genesis with
//         fixed keys, and block 1 issuing one certificate with fixed salts, so
//         ids, hashes and times are the same on every run (docs/RPC.md shows them).
#pragma once

#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <sodium.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "contracts/certificate/query.h"
#include "contracts/certificate/holder.h"
#include "contracts/certificate/calls.h"
#include "contracts/governance/calls.h"
#include "contracts/base/tx_builder.h"
#include "contracts/genesis.h"
#include "contracts/registry.h"
#include "ledger/block.h"
#include "ledger/chain.h"
#include "ledger/tx.h"
#include "rpc/backend.h"
#include "test_util.h"
#include "tools/samples/network.h"

namespace civic::rpc::testing {

class TextExecutor : public ledger::TxExecutor {
 public:
  Status Execute(const ledger::TxContext& ctx, ledger::StateView* view) override {
    std::istringstream lines(ctx.tx->body.call());
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream words(line);
      std::string op, key, value;
      words >> op >> key >> value;
      if (op == "put") view->Put(key, value);
      if (op == "fail") return Status::FailedPrecondition("TEST_FAIL", "the tx asked to fail");
    }
    return Status::Ok();
  }
  Status EndBlock(const ledger::BlockContext&, ledger::StateView*) override { return Status::Ok(); }
  Result<pb::ValidatorSet> Validators(const ledger::KvReader& state) const override {
    auto raw = state.Get(ledger::Space::kState, "validators");
    if (!raw.ok()) return raw.status();
    if (!raw->has_value()) return Status::NotFound("NO_VALIDATORS", "no validators in state");
    pb::ValidatorSet set;
    if (!set.ParseFromString(**raw)) return Status::Corruption("bad validators");
    return set;
  }
};

inline crypto::KeyPair SeedKey(char seed) {
  return crypto::KeyPair::FromSecret(crypto::Algo::kEd25519, Bytes(32, seed)).value();
}

class FakeNode final : public NodeBackend {
 public:
  static constexpr const char* kChainId = "rpc-test-1";
  static constexpr const char* kSampleChainId = "mianyang-1";
  static constexpr int64_t kGenesisTimeMs = 1735689600000;  // 2025-01-01T00:00:00Z
  enum class Mode { kText, kSample };

  explicit FakeNode(Mode mode = Mode::kText) : key_(SeedKey('\x07')) {
    if (mode == Mode::kSample) {
      SetUpSample();
      return;
    }
    chain_id_ = kChainId;
    ledger::ChainOptions options = Options();
    auto chain = ledger::Chain::Open((dir_.path() / "chain").string(), options, &executor_);
    EXPECT_TRUE(chain.ok()) << chain.status().ToString();
    chain_ = std::move(chain).value();
    pb::ValidatorSet set;
    pb::Validator* v = set.add_validators();
    *v->mutable_pub_key() = ledger::ToProto(key_.public_key());
    v->set_power(10);
    v->set_org("11510700008207313A");
    ledger::WriteSet genesis;
    genesis.state["validators"] = set.SerializeAsString();
    Status st = chain_->InitGenesis(kGenesisTimeMs, genesis, "rpc-test-genesis");
    EXPECT_TRUE(st.ok()) << st.ToString();
  }

  ledger::ChainOptions Options() const {
    ledger::ChainOptions options;
    options.chain_id = chain_id_;
    options.replay_window = 100;
    options.sync_writes = false;
    options.block_cache_mb = 4;
    options.tree_cache_mb = 4;
    options.write_buffer_mb = 1;
    return options;
  }

  // The sample network: 5 org keys (seeds 1..5), node key seed 7.
  void SetUpSample() {
    chain_id_ = kSampleChainId;
    samples::SampleGenesisInput input;
    input.chain_id = chain_id_;
    input.genesis_time_ms = kGenesisTimeMs;
    for (char seed = 1; seed <= static_cast<char>(samples::kSampleOrgCount); ++seed) {
      org_keys_.push_back(SeedKey(seed));
      input.org_keys.push_back(org_keys_.back().public_key());
    }
    input.node_keys.push_back(key_.public_key());
    auto json = samples::SampleGenesis(input);
    ASSERT_TRUE(json.ok()) << json.status().ToString();
    auto genesis = contracts::ParseGenesisJson(json::value(*json));
    ASSERT_TRUE(genesis.ok()) << genesis.status().ToString();
    genesis_ = std::move(genesis).value();
    registry_ = contracts::Registry::CreateDefault();
    auto chain = ledger::Chain::Open((dir_.path() / "chain").string(), Options(), registry_.get());
    ASSERT_TRUE(chain.ok()) << chain.status().ToString();
    chain_ = std::move(chain).value();
    Status st = chain_->InitGenesis(genesis_.genesis_time_ms, genesis_.state, genesis_.hash);
    ASSERT_TRUE(st.ok()) << st.ToString();

    // Block 1: the public security bureau issues a resident ID card.
    const pb::CertType* type = nullptr;
    const std::string& psb = samples::SampleOrgs()[0].code;
    for (const pb::CertType& t : genesis_.cert_types) {
      bool by_psb = std::find(t.issuer_orgs().begin(), t.issuer_orgs().end(), psb) != t.issuer_orgs().end();
      if (by_psb && t.holder_code_type() == "citizen_id" && !type) type = &t;
    }
    ASSERT_NE(type, nullptr);
    sample_cert_.type_code = type->code();
    sample_cert_.issuer_org = psb;
    sample_cert_.holder_code_type = "citizen_id";
    sample_cert_.holder_code = "11010519491231002X";
    sample_cert_.holder_salt = "hS2fWq8sLr0xBv5nKc3pYa";
    const std::map<std::string, std::string> values = {
        {"name", "张三"},
        {"sex", "男"},
        {"ethnicity", "汉"},
        {"birth_date", "1949-12-31"},
        {"address", "四川省绵阳市涪城区临园路东段1号"},
        {"id_number", sample_cert_.holder_code},
        {"issuing_authority", "绵阳市公安局涪城分局"}};
    for (const pb::CertFieldSpec& f : type->fields()) {
      auto it = values.find(f.name());
      sample_cert_.fields.push_back({f.name(), it == values.end() ? "示例" : it->second, "salt-" + f.name() + "-0001"});
    }
    auto item = contracts::MakeIssueItem(sample_cert_);
    ASSERT_TRUE(item.ok()) << item.status().ToString();
    Bytes tx = contracts::IssueTx(SampleTxParams("sample-issue-1"), {*item}, org_keys_[0]);
    auto admitted = SubmitTx(tx);
    ASSERT_TRUE(admitted.ok()) << admitted.status().ToString();
    // And a governance proposal (open, one yes vote) so gov_proposal has something to show.
    pb::CertType food;
    const std::string& samr = samples::SampleOrgs()[2].code;
    food.set_code(samr + "009");
    food.set_name("食品经营许可证");
    food.add_issuer_orgs(samr);
    food.set_holder_code_type("uscc");
    food.set_default_validity_ms(int64_t{5} * 365 * 24 * 3600 * 1000);
    for (const char* name : {"operator_name", "business_scope", "premises"}) {
      pb::CertFieldSpec* f = food.add_fields();
      f->set_name(name);
      f->set_required(true);
    }
    Bytes propose = contracts::ProposeTx(SampleTxParams("sample-propose-1"), "register 食品经营许可证",
                                         contracts::RegisterTypeCall(food), org_keys_[0]);
    admitted = SubmitTx(propose);
    ASSERT_TRUE(admitted.ok()) << admitted.status().ToString();
    CommitPending();
    auto proposed = chain_->GetTx(ledger::TxId(propose));
    ASSERT_TRUE(proposed.ok());
    EXPECT_EQ(proposed->location.result().code(), 0u) << proposed->location.result().app_code() << ": "
                                                      << proposed->location.result().message();
    auto record = chain_->GetTx(ledger::TxId(tx));
    ASSERT_TRUE(record.ok());
    ASSERT_EQ(record->location.result().code(), 0u) << record->location.result().app_code() << ": "
                                                    << record->location.result().message();
    sample_tx_id_ = ledger::TxId(tx);
    auto page = contracts::ListByHolder(chain_->state(), sample_cert_.Commitment(), "", 1);
    ASSERT_TRUE(page.ok() && page->items.size() == 1);
    sample_cert_id_ = page->items[0].id();
  }

  // Tx parameters for the public security bureau with a fixed nonce.
  contracts::TxParams SampleTxParams(std::string nonce) const {
    contracts::TxParams params;
    params.chain_id = chain_id_;
    params.org = samples::SampleOrgs()[0].code;
    params.valid_until_height = 100;
    params.nonce = std::move(nonce);
    return params;
  }

  ~FakeNode() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : waiters_) t.join();
  }

  const ledger::Chain& chain() const override { return *chain_; }
  NodeInfo info() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return NodeInfo{chain_id_, key_.public_key().ToString(), "psb", true, mempool_.size(), 0};
  }
  Result<Bytes> SubmitTx(Bytes raw) override {
    auto tx = ledger::DecodeTx(raw, chain_id_);
    if (!tx.ok()) return tx.status();
    Status st = chain_->CheckTx(*tx);
    if (!st.ok()) return st;
    std::lock_guard<std::mutex> lock(mu_);
    if (!in_mempool_.insert(tx->id).second) {
      return Status::AlreadyExists("TX_IN_MEMPOOL", "the tx is already waiting in the mempool");
    }
    mempool_.push_back(std::move(raw));
    return tx->id;
  }
  void AwaitCommit(const Bytes& tx_id, std::chrono::milliseconds timeout,
                   std::function<void(Result<pb::TxLocation>)> done) override {
    if (auto_commit_) CommitPending();
    std::lock_guard<std::mutex> lock(mu_);
    ++await_calls_;
    waiters_.emplace_back([this, tx_id, timeout, done = std::move(done)] {
      std::unique_lock<std::mutex> lock(mu_);
      bool committed = cv_.wait_for(lock, timeout, [&] { return stopping_ || committed_.contains(tx_id); });
      if (committed && committed_.contains(tx_id)) {
        pb::TxLocation location = committed_.at(tx_id);
        lock.unlock();
        done(location);
      } else {
        lock.unlock();
        done(Status::DeadlineExceeded("TX_WAIT_TIMEOUT", "not committed in time"));
      }
    });
  }
  std::shared_ptr<prometheus::Registry> metrics() const override { return metrics_; }
  bool ready() const override { return ready_; }

  // Commits the mempool as the next block; returns it.
  pb::Block CommitPending(int64_t time_ms = 0) {
    std::vector<Bytes> txs;
    {
      std::lock_guard<std::mutex> lock(mu_);
      txs.swap(mempool_);
      in_mempool_.clear();
    }
    if (time_ms == 0) time_ms = chain_->tip().time_ms + 1000;
    pb::Block block = chain_->BuildBlock(txs, time_ms, key_.public_key(), last_commit_);
    Bytes hash = ledger::BlockHash(block);
    uint64_t height = chain_->tip().height + 1;
    pb::Commit commit;
    commit.set_height(height);
    commit.set_round(0);
    commit.set_block_hash(hash);
    pb::CommitSig* sig = commit.add_sigs();
    *sig->mutable_validator() = ledger::ToProto(key_.public_key());
    sig->set_sig(key_.Sign(ledger::VoteSignBytes(chain_id_, ledger::kPrecommit, height, 0, hash)));
    Status st = chain_->ApplyBlock(block, commit);
    EXPECT_TRUE(st.ok()) << st.ToString();
    last_commit_ = commit;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const Bytes& raw : txs) {
        auto record = chain_->GetTx(ledger::TxId(raw));
        if (record.ok()) committed_[ledger::TxId(raw)] = record->location;
      }
    }
    cv_.notify_all();
    return block;
  }

  // A signed tx for this chain ("put k v" style call).
  Bytes MakeTx(const std::string& call, const std::string& nonce = "", std::string chain_id = "") {
    if (chain_id.empty()) chain_id = chain_id_;
    pb::TxBody body;
    body.set_chain_id(chain_id);
    body.set_valid_until_height(chain_->tip().height + 50);
    body.set_org("11510700008207313A");
    body.set_nonce(nonce.empty() ? std::to_string(++nonce_) : nonce);
    body.set_contract("test");
    body.set_call(call);
    return ledger::SignTx(body, key_);
  }

  size_t await_calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return await_calls_;
  }

  std::atomic<bool> ready_{true};
  // Commit the mempool whenever someone waits for a commit (tx_commit examples).
  std::atomic<bool> auto_commit_{false};

  const std::vector<crypto::KeyPair>& org_keys() const { return org_keys_; }
  const contracts::Genesis& genesis() const { return genesis_; }
  const contracts::HolderCertificate& sample_cert() const { return sample_cert_; }
  const Bytes& sample_tx_id() const { return sample_tx_id_; }
  const std::string& sample_cert_id() const { return sample_cert_id_; }

 private:
  TempDir dir_;
  TextExecutor executor_;
  std::unique_ptr<contracts::Registry> registry_;
  crypto::KeyPair key_;
  std::string chain_id_;
  std::vector<crypto::KeyPair> org_keys_;
  contracts::Genesis genesis_;
  contracts::HolderCertificate sample_cert_;
  Bytes sample_tx_id_;
  std::string sample_cert_id_;
  std::unique_ptr<ledger::Chain> chain_;
  pb::Commit last_commit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Bytes> mempool_;
  std::set<Bytes> in_mempool_;
  std::map<Bytes, pb::TxLocation> committed_;
  std::vector<std::thread> waiters_;
  size_t await_calls_ = 0;
  bool stopping_ = false;
  int nonce_ = 0;
  // The node's series as the server finds them: one test gauge.
  std::shared_ptr<prometheus::Registry> metrics_ = [] {
    auto registry = std::make_shared<prometheus::Registry>();
    prometheus::BuildGauge().Name("civic_test_node_metric").Help("A node series.").Register(*registry).Add({}).Set(7);
    return registry;
  }();
};

}  // namespace civic::rpc::testing
