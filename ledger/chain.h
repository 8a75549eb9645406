// Chain: the committed blocks and state of one node, and the one place that
// changes them.
//
// ApplyBlock executes a committed block's txs through a TxExecutor and writes the
// block, the state changes (authenticated tree + flat values), the indexes, the tx
// locations and the new tip in ONE synced LevelDB WriteBatch: a crash at any point
// leaves the chain at the last fully applied block.
//
// Execution is pipelined: block h's header carries the state root after block h-1
// (the tip's app state). A tx that fails inside a block is kept in the block with
// its error as the result and changes nothing.
//
// Thread safety: ApplyBlock/InitGenesis from one thread at a time; all readers
// (Get*, state(), tip()) may run concurrently with them and see whole blocks only.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "ledger/kv.h"
#include "ledger/ledger.pb.h"
#include "ledger/tx.h"

namespace civic::ledger {

// What a contract sees of the block and tx it runs in.
struct TxContext {
  std::string_view chain_id;
  uint64_t height = 0;
  int64_t block_time_ms = 0;  // block time: the only clock contracts may read
  uint32_t tx_index = 0;
  const DecodedTx* tx = nullptr;
  // True when the call runs as the action of a governance proposal that more
  // than 2/3 of ADMIN orgs passed (the tx is the deciding vote).
  bool governance = false;
};

struct BlockContext {
  std::string_view chain_id;
  uint64_t height = 0;
  int64_t block_time_ms = 0;
};

// Implemented by contracts::Registry. Must be deterministic.
class TxExecutor {
 public:
  virtual ~TxExecutor() = default;
  // Runs one tx in `view`. A non-OK result discards the view's writes.
  virtual Status Execute(const TxContext& ctx, StateView* view) = 0;
  // Runs after the block's txs (time-driven changes, validator updates).
  virtual Status EndBlock(const BlockContext& ctx, StateView* view) = 0;
  // The validator set recorded in `state`.
  virtual Result<pb::ValidatorSet> Validators(const KvReader& state) const = 0;
  // Stateful admission check for the mempool (signer admitted, role held, ...);
  // must not write. Default: admit.
  virtual Status CheckTx(const TxContext& ctx, const KvReader& state) const { return Status::Ok(); }
};

// The chain's latest applied block.
struct Tip {
  uint64_t height = 0;            // 0 = only genesis
  Bytes block_hash;               // empty at height 0
  int64_t time_ms = 0;            // genesis time at height 0
  Bytes app_state_root;           // state root after the tip block
  Bytes last_results_hash;        // results root of the tip block
  Bytes last_commit_hash;         // hash of the tip block's commit
  pb::ValidatorSet validators;       // signs block height+1
  pb::ValidatorSet next_validators;  // signs block height+2
};

struct ChainOptions {
  std::string chain_id;
  // A tx's valid_until_height may be at most tip + window; ids committed within
  // the window are rejected as replays.
  uint64_t replay_window = 1000;
  size_t block_cache_mb = 64;
  bool sync_writes = true;
};

class Chain {
 public:
  ~Chain();
  static Result<std::unique_ptr<Chain>> Open(const std::string& dir, const ChainOptions& options,
                                             TxExecutor* executor);

  // Writes the genesis state (from contracts' genesis) once; height stays 0.
  // Fails with ALREADY_INITIALISED if the chain has a genesis with another hash.
  Status InitGenesis(int64_t genesis_time_ms, const WriteSet& genesis_state,
                     std::string_view genesis_hash);
  bool initialised() const;

  Tip tip() const;
  const ChainOptions& options() const { return options_; }

  // Builds the next block from `txs` (serialized SignedTx, already checked) on the
  // tip. Block time = max(time_ms, tip time + 1).
  pb::Block BuildBlock(std::vector<Bytes> txs, int64_t time_ms, const crypto::PublicKey& proposer,
                       const pb::Commit& last_commit, std::vector<pb::Evidence> evidence = {}) const;

  // Checks a proposed block against the tip: height, prev hash, roots, time,
  // validators, last commit, every tx decodes with a valid signature, no tx
  // twice and no replay. `preverified(id)` may skip signature checks.
  Status ValidateBlock(const pb::Block& block,
                       const std::function<bool(const Bytes&)>& preverified = {}) const;

  // Checks a tx against the tip for the mempool: decode (signature check unless
  // preverified), valid_until_height in (tip, tip + window], not committed before,
  // executor's CheckTx.
  Status CheckTx(const DecodedTx& tx) const;

  // Executes and durably stores `block` finalised by `commit`.
  Status ApplyBlock(const pb::Block& block, const pb::Commit& commit,
                    const std::function<bool(const Bytes&)>& preverified = {});

  // Reads.
  Result<pb::StoredBlock> GetBlock(uint64_t height) const;
  Result<uint64_t> GetHeightByHash(std::string_view block_hash) const;
  Result<pb::BlockHeader> GetHeader(uint64_t height) const;
  struct TxRecord {
    Bytes raw;
    pb::TxLocation location;
  };
  Result<TxRecord> GetTx(std::string_view tx_id) const;
  // Committed state as of the tip (reads are consistent per call).
  const KvReader& state() const;
  // Proof of `key` (present or absent) against the state root after block
  // `version` (0 = genesis); NOT_FOUND if that version has been pruned.
  Result<pb::StateProof> Prove(std::string_view key, uint64_t version) const;
  // State root after block `version`.
  Result<Bytes> StateRootAt(uint64_t version) const;

 private:
  Chain() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ChainOptions options_;
};

// Checks a StateProof against its root (no chain needed: light clients use this).
bool VerifyStateProof(const pb::StateProof& proof);

}  // namespace civic::ledger
