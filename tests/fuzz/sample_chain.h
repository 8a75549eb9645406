// A real chain for fuzz targets: the sample Mianyang genesis with every contract
// (Registry::CreateDefault), one validator (node key seed 7), org keys seeds 1..5,
// and block 1 holding one certificate issue tx, stored in a fresh temporary folder
// that is removed when the process ends.
//
// Deterministic: fixed keys, times and salts, so an input means the same thing on
// every run. Built once per process (Get); the targets only read it, except that
// the JSON-RPC targets may add txs to the FuzzNode's mempool list, which is bounded.
// Not thread-safe; fuzz targets run one input at a time.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "contracts/certificate/holder.h"
#include "contracts/genesis.h"
#include "contracts/registry.h"
#include "ledger/chain.h"
#include "rpc/backend.h"

namespace civic::fuzz {

class SampleChain {
 public:
  static constexpr const char* kChainId = "mianyang-1";
  static constexpr int64_t kGenesisTimeMs = 1735689600000;  // 2025-01-01T00:00:00Z

  // The process-wide instance; aborts if it cannot be built.
  static SampleChain& Get();

  ledger::Chain& chain() { return *chain_; }
  contracts::Registry& registry() { return *registry_; }
  const contracts::Genesis& genesis() const { return genesis_; }
  const crypto::KeyPair& node_key() const { return node_key_; }
  const std::vector<crypto::KeyPair>& org_keys() const { return org_keys_; }
  // Block 1 and the commit that finalised it.
  const pb::Block& block1() const { return block1_; }
  const pb::Commit& commit1() const { return commit1_; }
  // The serialized issue tx in block 1 and the holder's copy of its certificate.
  const Bytes& issue_tx() const { return issue_tx_; }
  const contracts::HolderCertificate& holder_cert() const { return holder_cert_; }
  // A signed tx of `org_keys()[0]` for the next block (a certificate issue);
  // distinct per `nonce`.
  Bytes MakeIssueTx(const std::string& nonce) const;

  ~SampleChain();

 private:
  SampleChain();
  Status Build();

  std::filesystem::path dir_;
  crypto::KeyPair node_key_;
  std::vector<crypto::KeyPair> org_keys_;
  contracts::Genesis genesis_;
  std::unique_ptr<contracts::Registry> registry_;
  std::unique_ptr<ledger::Chain> chain_;
  pb::Block block1_;
  pb::Commit commit1_;
  Bytes issue_tx_;
  contracts::HolderCertificate holder_cert_;
  const pb::CertType* citizen_type_ = nullptr;
};

// A NodeBackend over the SampleChain for the JSON-RPC targets: SubmitTx runs the
// real checks and keeps at most kMaxMempool txs (then MEMPOOL_FULL); AwaitCommit
// answers TX_WAIT_TIMEOUT at once (nothing is ever committed).
class FuzzNode final : public rpc::NodeBackend {
 public:
  static constexpr size_t kMaxMempool = 64;

  const ledger::Chain& chain() const override { return SampleChain::Get().chain(); }
  rpc::NodeInfo info() const override;
  Result<Bytes> SubmitTx(Bytes raw) override;
  void AwaitCommit(const Bytes& tx_id, std::chrono::milliseconds timeout,
                   std::function<void(Result<pb::TxLocation>)> done) override;

 private:
  mutable std::mutex mu_;
  std::set<Bytes> mempool_;
};

}  // namespace civic::fuzz
