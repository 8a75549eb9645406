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
// Thread safety: ApplyBlock/InitGenesis/Prune from one thread at a time; all
// readers (Get*, state(), tip(), Prove, Snapshot) may run concurrently with them
// and see whole blocks only.
//
// Storage: one LevelDB database (key layout in store.h); the authenticated state
// is a versioned sparse Merkle tree (state_tree.h) whose root after block h is
// version h (genesis = version 0).
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
  pb::ValidatorSet last_validators;  // signed the tip block (empty at height 0)
};

// Validator pipeline: the set the executor reports after block h (from state
// including h's writes) becomes next_validators of tip h and signs block h + 2;
// a validator change written in block h therefore takes effect for block h + 2.
// Sets are kept sorted by (algorithm, key bytes).

struct ChainOptions {
  std::string chain_id;
  // A tx's valid_until_height may be at most tip + window; ids committed within
  // the window are rejected as replays.
  uint64_t replay_window = 1000;
  size_t block_cache_mb = 64;
  bool sync_writes = true;
  // Cache of state tree nodes (the upper levels serve every block).
  size_t tree_cache_mb = 64;
  // LevelDB memtable size; larger absorbs big blocks with fewer flushes.
  size_t write_buffer_mb = 32;
  // 0 keeps every state version provable; N > 0 prunes after each block so that
  // the last N versions (tip - N + 1 .. tip) stay provable.
  uint64_t keep_state_versions = 0;
};

// Figures from the last ApplyBlock, for metrics.
struct ApplyStats {
  uint64_t height = 0;
  size_t txs = 0;
  size_t failed_txs = 0;
  size_t state_writes = 0;      // state keys the block wrote (set or deleted)
  size_t tree_nodes_written = 0;
  size_t tree_nodes_read = 0;   // node reads that missed the cache
  size_t values_archived = 0;   // existing state values the block changed or deleted
  size_t batch_bytes = 0;       // size of the block's WriteBatch
  std::string prune_error;      // automatic pruning after the block failed (empty: fine)
};

// A consistent read-only view of the chain at one tip (a LevelDB snapshot).
// Must not outlive the Chain. Thread-safe.
class StateSnapshot : public KvReader {
 public:
  virtual const Tip& tip() const = 0;
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
  // Errors: BAD_BLOCK (header, last commit, evidence, tx root; the message names
  // the field), or a tx's own code prefixed with its index (TX_MALFORMED,
  // BAD_SIGNATURE, WRONG_CHAIN_ID, TX_EXPIRED, TX_VALID_UNTIL_TOO_FAR,
  // TX_ALREADY_COMMITTED, DUPLICATE_TX, ...). A block that passes is remembered,
  // so ApplyBlock of the same block on the same tip does not check it again.
  Status ValidateBlock(const pb::Block& block,
                       const std::function<bool(const Bytes&)>& preverified = {}) const;

  // Checks a tx against the tip for the mempool: decode (signature check unless
  // preverified), valid_until_height in (tip, tip + window], not committed before,
  // executor's CheckTx.
  Status CheckTx(const DecodedTx& tx) const;
  // TX_ALREADY_COMMITTED if a tx with this id is committed; one index read, so
  // the mempool can refuse a late gossip copy before checking its signature.
  Status CheckNotCommitted(std::string_view tx_id) const;

  // Executes and durably stores `block` finalised by `commit` (verified against
  // tip().validators: BAD_COMMIT). Validation errors as ValidateBlock; a failure
  // leaves nothing behind. BAD_VALIDATOR_SET if the executor reports an empty
  // set, a duplicate key or a zero power.
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

  // The validator set that signs block `height` (1 <= height <= tip + 2), for
  // block sync and light clients. NOT_FOUND outside that range.
  Result<pb::ValidatorSet> ValidatorsAt(uint64_t height) const;
  // Heights in [from, to] at which another validator set than the one before
  // starts signing (so block h - 1 names it next), oldest first, at most `limit`
  // of them (the newest when there are more). Height 1 (the genesis set) is not
  // a change.
  Result<std::vector<uint64_t>> ValidatorChangeHeights(uint64_t from, uint64_t to, size_t limit) const;
  // State and tip as of the last committed block; several reads through it
  // agree with each other. Costs no I/O: the view is taken once per block.
  std::shared_ptr<const StateSnapshot> Snapshot() const;
  // Deletes tree nodes and archived values that only versions < keep_from_version
  // use; Prove and StateRootAt then answer NOT_FOUND for those versions. Requires
  // keep_from_version <= tip height. Runs like ApplyBlock (one writer at a time).
  Status Prune(uint64_t keep_from_version);
  // Oldest version that Prove still serves (0 unless pruned).
  uint64_t prune_floor() const;
  // Checks that the flat state equals the tree's leaves at the tip and that the
  // root recomputed from the flat state is the tip's app_state_root. Reads the
  // whole state: for tools and tests. CORRUPTION on any mismatch.
  Status VerifyState() const;
  ApplyStats last_apply_stats() const;

 private:
  Chain() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ChainOptions options_;
};

// Checks a StateProof against its root (no chain needed: light clients use this).
bool VerifyStateProof(const pb::StateProof& proof);

// `set` in its canonical order (by algorithm, then key bytes), as headers hash
// it. Typed error BAD_VALIDATOR_SET: empty, a zero power, an invalid or a
// repeated key.
Result<pb::ValidatorSet> NormaliseValidators(pb::ValidatorSet set);

}  // namespace civic::ledger
