// Test helpers of the data-sharing module: a registry with the sharing contract,
// builders of catalogue entries, grants and accesses, the in-memory chain of the
// contract tests, and a node over a real ledger::Chain (LevelDB in a temp dir)
// for the RPC and CLI tests.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>

#include "contracts/base/contract_names.h"
#include "contracts/base/enum_names.h"
#include "contracts/base/state_io.h"
#include "contracts/base/tx_builder.h"
#include "contracts/certificate/holder.h"
#include "contracts/genesis.h"
#include "contracts/governance/calls.h"
#include "contracts/registry.h"
#include "contracts/sharing/calls.h"
#include "contracts/sharing/contract.h"
#include "contracts/sharing/keys.h"
#include "contracts/sharing/query.h"
#include "contracts/sharing/rules.h"
#include "contracts/sharing/subject_tag.h"
#include "crypto/hash.h"
#include "ledger/block.h"
#include "ledger/chain.h"
#include "ledger/tx.h"
#include "rpc/backend.h"
#include "tests/unit/contracts/test_chain.h"
#include "tools/samples/network.h"

namespace civic::sharing_testing {

using contracts::testing::kAmr;
using contracts::testing::kGss;
using contracts::testing::kHrss;
using contracts::testing::kNdrc;
using contracts::testing::kPsb;

// The default registry plus the sharing contract (unless it is registered already).
inline void AddSharing(contracts::Registry* registry) {
  if (registry->Find(contracts::kSharingContract) == nullptr) {
    registry->Add(std::make_unique<contracts::SharingContract>());
  }
}

inline Bytes Digest(std::string_view text) { return crypto::Sha256(text); }
inline Bytes Subject(int n) {
  return contracts::HolderCommitment("salt-" + std::to_string(n), "citizen_id", "11010519491231002X");
}

inline pb::SharingResource MakeResource(std::string code, std::string name, std::vector<std::string> fields,
                                        pb::SharingShareType type) {
  pb::SharingResource r;
  r.set_code(std::move(code));
  r.set_name(std::move(name));
  for (auto& f : fields) r.add_fields(std::move(f));
  r.set_share_type(type);
  return r;
}

inline pb::SharingGrant MakeGrant(std::string id, std::string requester, std::string resource,
                                  std::vector<std::string> fields, std::string purpose, int64_t expires_at_ms,
                                  int64_t valid_from_ms = 0) {
  pb::SharingGrant g;
  g.set_id(std::move(id));
  g.set_requester_org(std::move(requester));
  g.set_resource(std::move(resource));
  for (auto& f : fields) g.add_fields(std::move(f));
  g.set_purpose(std::move(purpose));
  g.set_legal_basis("《社会保险法》第七十四条");
  g.set_expires_at_ms(expires_at_ms);
  g.set_valid_from_ms(valid_from_ms);
  return g;
}

inline pb::SharingAccess MakeAccess(std::string request_id, std::string resource, std::string grant,
                                    std::string purpose, std::vector<std::string> fields,
                                    std::vector<Bytes> subjects = {}, std::string response = "response") {
  pb::SharingAccess a;
  a.set_request_id(std::move(request_id));
  a.set_resource(std::move(resource));
  a.set_grant_id(std::move(grant));
  a.set_purpose(std::move(purpose));
  for (auto& f : fields) a.add_fields(std::move(f));
  for (auto& s : subjects) a.add_subject_tags(std::move(s));
  a.set_record_count(static_cast<uint64_t>(std::max<size_t>(1, a.subject_tags_size())));
  a.set_response_digest(Digest(response));
  return a;
}

inline pb::SharingAck MakeAck(std::string requester, std::string request_id, std::string response = "response") {
  pb::SharingAck ack;
  ack.set_requester_org(std::move(requester));
  ack.set_request_id(std::move(request_id));
  ack.set_provider_digest(Digest(response));
  return ack;
}

// The in-memory chain of tests/unit/contracts with the sharing contract.
class SharingChain : public contracts::testing::TestChain {
 public:
  SharingChain() { AddSharing(&registry()); }

  Bytes Tx(size_t org, const pb::SharingCall& call) { return contracts::SharingTx(Params(org), call, org_keys[org]); }
  Status Run(size_t org, const pb::SharingCall& call) { return Exec(Tx(org, call)); }

  std::optional<pb::SharingAccessRecord> Record(size_t requester, std::string_view request_id) const {
    auto r = contracts::ReadRecord<pb::SharingAccessRecord>(
        state, contracts::sharing_keys::Record(code(requester), request_id));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }
  std::optional<pb::SharingGrant> GrantRecord(std::string_view id) const {
    auto r = contracts::ReadRecord<pb::SharingGrant>(state, contracts::sharing_keys::Grant(id));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }
  // Empty blocks until the block time reaches `time_ms`.
  void AdvanceTo(int64_t time_ms) {
    while (time_ms_now() < time_ms) Block({});
  }
  int64_t time_ms_now() const { return time_ms; }

  // Sets the sharing parameters through a governance proposal.
  void SetParams(const pb::SharingParams& params) {
    auto proposal = PassProposal(contracts::ProposeCall("sharing params", contracts::kSharingContract,
                                                        contracts::SetSharingParamsCall(params).SerializeAsString()));
    ASSERT_EQ(proposal.status(), pb::PROPOSAL_EXECUTED) << proposal.result_code() << ": " << proposal.result_message();
  }

  // A catalogue of the sample network: population (psb, conditional),
  // social security (hrss, conditional), business registration (amr,
  // unconditional), criminal records (psb, not shared).
  void SampleCatalogue() {
    using contracts::RegisterResourceCall;
    ASSERT_TRUE(Run(kPsb, RegisterResourceCall(MakeResource("psb.population", "人口基础信息",
                                                            {"address", "birth_date", "id_number", "name", "sex"},
                                                            pb::SHARING_CONDITIONAL)))
                    .ok());
    ASSERT_TRUE(Run(kHrss, RegisterResourceCall(MakeResource("hrss.insurance", "社会保险参保信息",
                                                             {"contribution_base", "insured_status", "name", "ssn"},
                                                             pb::SHARING_CONDITIONAL)))
                    .ok());
    ASSERT_TRUE(Run(kAmr, RegisterResourceCall(MakeResource("amr.business", "企业登记信息",
                                                            {"address", "legal_representative", "name", "uscc"},
                                                            pb::SHARING_UNCONDITIONAL)))
                    .ok());
    ASSERT_TRUE(Run(kPsb, RegisterResourceCall(MakeResource("psb.criminal", "违法犯罪记录", {"case_no", "record"},
                                                            pb::SHARING_NOT_SHARED)))
                    .ok());
  }
};

// ---------------------------------------------------------------------------
// A node over a real chain, for RPC and CLI tests.

class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("civic-sharing-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline crypto::KeyPair SeedKey(char seed) {
  return crypto::KeyPair::FromSecret(crypto::Algo::kEd25519, Bytes(32, seed)).value();
}

// The sample Mianyang network as the RPC documentation's node has it: chain
// "mianyang-1", org keys from seeds 1..5, node key seed 7, genesis 2025-01-01.
class TestNode final : public rpc::NodeBackend {
 public:
  static constexpr const char* kChainId = "mianyang-1";
  static constexpr int64_t kGenesisTimeMs = 1735689600000;

  TestNode() : node_key_(SeedKey('\x07')) {
    samples::SampleGenesisInput input;
    input.chain_id = kChainId;
    input.genesis_time_ms = kGenesisTimeMs;
    for (char seed = 1; seed <= static_cast<char>(samples::kSampleOrgCount); ++seed) {
      org_keys.push_back(SeedKey(seed));
      input.org_keys.push_back(org_keys.back().public_key());
    }
    input.node_keys.push_back(node_key_.public_key());
    auto json = samples::SampleGenesis(input);
    EXPECT_TRUE(json.ok()) << json.status().ToString();
    auto genesis = contracts::ParseGenesisJson(boost::json::value(*json));
    EXPECT_TRUE(genesis.ok()) << genesis.status().ToString();
    registry_ = contracts::Registry::CreateDefault();
    AddSharing(registry_.get());
    ledger::ChainOptions options;
    options.chain_id = kChainId;
    options.sync_writes = false;
    options.block_cache_mb = 4;
    options.tree_cache_mb = 8;
    options.write_buffer_mb = 4;
    auto chain = ledger::Chain::Open((dir_.path() / "chain").string(), options, registry_.get());
    EXPECT_TRUE(chain.ok()) << chain.status().ToString();
    chain_ = std::move(chain).value();
    Status st = chain_->InitGenesis(genesis->genesis_time_ms, genesis->state, genesis->hash);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }

  const std::string& code(size_t org) const { return samples::SampleOrgs()[org].code; }

  contracts::TxParams Params(size_t org) {
    contracts::TxParams p;
    p.chain_id = kChainId;
    p.org = code(org);
    p.valid_until_height = chain_->tip().height + 50;
    p.nonce = "node-" + std::to_string(++nonce_);
    return p;
  }
  Bytes Tx(size_t org, const pb::SharingCall& call) { return contracts::SharingTx(Params(org), call, org_keys[org]); }

  // Commits `txs` as the next block (block time: tip + step); every tx must succeed.
  void Commit(std::vector<Bytes> txs, int64_t step_ms = 1000) {
    std::lock_guard<std::mutex> lock(mu_);
    CommitLocked(std::move(txs), chain_->tip().time_ms + step_ms);
  }

  // NodeBackend.
  const ledger::Chain& chain() const override { return *chain_; }
  rpc::NodeInfo info() const override {
    return rpc::NodeInfo{kChainId, node_key_.public_key().ToString(), "psb", true, 0, 0};
  }
  Result<Bytes> SubmitTx(Bytes raw) override {
    auto tx = ledger::DecodeTx(raw, kChainId);
    if (!tx.ok()) return tx.status();
    std::lock_guard<std::mutex> lock(mu_);
    CIVIC_RETURN_IF_ERROR(chain_->CheckTx(*tx));
    if (std::find(pending_.begin(), pending_.end(), raw) != pending_.end()) {
      return Status::AlreadyExists("TX_IN_MEMPOOL", "tx " + ToHex(tx->id) + " is already in the mempool");
    }
    pending_.push_back(std::move(raw));
    return tx->id;
  }
  // Commits what is pending, then answers.
  void AwaitCommit(const Bytes& tx_id, std::chrono::milliseconds,
                   std::function<void(Result<pb::TxLocation>)> done) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!pending_.empty()) {
        std::vector<Bytes> txs;
        txs.swap(pending_);
        CommitLocked(std::move(txs), chain_->tip().time_ms + 1000, /*expect_ok=*/false);
      }
    }
    auto record = chain_->GetTx(tx_id);
    if (!record.ok()) return done(Status::DeadlineExceeded("TX_WAIT_TIMEOUT", "not committed"));
    done(record->location);
  }

  std::vector<crypto::KeyPair> org_keys;

 private:
  void CommitLocked(std::vector<Bytes> txs, int64_t time_ms, bool expect_ok = true) {
    std::vector<Bytes> ids;
    for (const auto& raw : txs) ids.push_back(ledger::TxId(raw));
    pb::Block block = chain_->BuildBlock(std::move(txs), time_ms, node_key_.public_key(), last_commit_);
    Bytes hash = ledger::BlockHash(block);
    uint64_t height = chain_->tip().height + 1;
    pb::Commit commit;
    commit.set_height(height);
    commit.set_block_hash(hash);
    pb::CommitSig* sig = commit.add_sigs();
    *sig->mutable_validator() = ledger::ToProto(node_key_.public_key());
    sig->set_sig(node_key_.Sign(ledger::VoteSignBytes(kChainId, ledger::kPrecommit, height, 0, hash)));
    Status st = chain_->ApplyBlock(block, commit);
    ASSERT_TRUE(st.ok()) << st.ToString();
    last_commit_ = commit;
    if (!expect_ok) return;
    for (const Bytes& id : ids) {
      auto record = chain_->GetTx(id);
      ASSERT_TRUE(record.ok());
      EXPECT_EQ(record->location.result().code(), 0u)
          << record->location.result().app_code() << ": " << record->location.result().message();
    }
  }

  TempDir dir_;
  crypto::KeyPair node_key_;
  std::unique_ptr<contracts::Registry> registry_;
  std::unique_ptr<ledger::Chain> chain_;
  pb::Commit last_commit_;
  std::mutex mu_;
  std::vector<Bytes> pending_;
  uint64_t nonce_ = 0;
};

}  // namespace civic::sharing_testing
