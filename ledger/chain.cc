#include "ledger/chain.h"

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <filesystem>
#include <set>
#include <thread>

#include "ledger/block.h"
#include "ledger/errors.h"
#include "ledger/merkle.h"
#include "ledger/state_hash.h"
#include "ledger/state_tree.h"
#include "ledger/store.h"

namespace civic::ledger {

namespace {

Status BadBlock(std::string msg) { return Status::InvalidArgument(err::BAD_BLOCK, std::move(msg)); }
Status NotInitialised() {
  return Status::Unavailable(err::NOT_INITIALISED, "the chain has no genesis yet");
}
Status Io(const std::string& what, const leveldb::Status& st) {
  return Status::IOError(what + ": " + st.ToString());
}

std::string Short(std::string_view hash) { return hash.empty() ? "(none)" : ToHex(hash.substr(0, 8)); }

// Reads one key; nullopt when absent.
Result<std::optional<Bytes>> ReadKey(leveldb::DB* db, const leveldb::ReadOptions& options,
                                     const Bytes& key) {
  std::string value;
  leveldb::Status st = db->Get(options, key, &value);
  if (st.IsNotFound()) return std::optional<Bytes>();
  if (!st.ok()) return Io("reading the chain database", st);
  return std::optional<Bytes>(std::move(value));
}

pb::ChainTip TipToProto(const Tip& tip) {
  pb::ChainTip out;
  out.set_height(tip.height);
  out.set_block_hash(tip.block_hash);
  out.set_time_ms(tip.time_ms);
  out.set_app_state_root(tip.app_state_root);
  out.set_last_results_hash(tip.last_results_hash);
  out.set_last_commit_hash(tip.last_commit_hash);
  *out.mutable_validators() = tip.validators;
  *out.mutable_next_validators() = tip.next_validators;
  *out.mutable_last_validators() = tip.last_validators;
  return out;
}

Tip TipFromProto(const pb::ChainTip& in) {
  Tip tip;
  tip.height = in.height();
  tip.block_hash = in.block_hash();
  tip.time_ms = in.time_ms();
  tip.app_state_root = in.app_state_root();
  tip.last_results_hash = in.last_results_hash();
  tip.last_commit_hash = in.last_commit_hash();
  tip.validators = in.validators();
  tip.next_validators = in.next_validators();
  tip.last_validators = in.last_validators();
  return tip;
}

Result<std::optional<Tip>> ReadTip(leveldb::DB* db, const leveldb::ReadOptions& options) {
  CIVIC_ASSIGN_OR_RETURN(auto raw, ReadKey(db, options, store::MetaKey(store::kMetaTip)));
  if (!raw) return std::optional<Tip>();
  pb::ChainTip proto;
  if (!proto.ParseFromString(*raw)) return Status::Corruption("the stored chain tip does not decode");
  return std::optional<Tip>(TipFromProto(proto));
}

bool IsMember(const pb::ValidatorSet& set, const pb::PublicKey& key) {
  for (const pb::Validator& v : set.validators()) {
    if (v.pub_key().algo() == key.algo() && v.pub_key().key() == key.key()) return true;
  }
  return false;
}

// Sorts by (algorithm, key bytes) and checks that the set can sign blocks.
bool SameSet(const pb::ValidatorSet& a, const pb::ValidatorSet& b) {
  return ValidatorSetHash(a) == ValidatorSetHash(b);
}

// Runs fn(i) for i in [0, n) on up to two threads per core; fn must be thread-safe.
void ParallelFor(size_t n, const std::function<void(size_t)>& fn) {
  size_t threads = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), 8);
  if (n < 64 || threads < 2) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) fn(i);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
}

pb::TxResult ResultOf(const Status& st) {
  pb::TxResult result;
  result.set_code(static_cast<uint32_t>(st.code()));
  if (!st.ok()) {
    result.set_app_code(st.app_code());
    result.set_message(st.message());
  }
  return result;
}

// Flat state reads (Space::kState / Space::kIndex), optionally at a snapshot.
class FlatReader : public KvReader {
 public:
  FlatReader(leveldb::DB* db, const leveldb::Snapshot* snapshot) : db_(db) { options_.snapshot = snapshot; }

  Result<std::optional<Bytes>> Get(Space space, std::string_view key) const override {
    return ReadKey(db_, options_, store::SpaceKey(static_cast<char>(space), key));
  }

  Status Scan(Space space, std::string_view prefix, std::string_view start, const ScanFn& fn) const override {
    const Bytes full_prefix = store::SpaceKey(static_cast<char>(space), prefix);
    const Bytes from = store::SpaceKey(static_cast<char>(space), std::max(prefix, start));
    // An iterator reads one implicit snapshot: a scan never mixes two blocks.
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(options_));
    for (it->Seek(from); it->Valid(); it->Next()) {
      std::string_view key(it->key().data(), it->key().size());
      if (key.substr(0, full_prefix.size()) != full_prefix) break;
      if (!fn(key.substr(1), std::string_view(it->value().data(), it->value().size()))) break;
    }
    if (!it->status().ok()) return Io("scanning state", it->status());
    return Status::Ok();
  }

 private:
  leveldb::DB* db_;
  leveldb::ReadOptions options_;
};

class SnapshotImpl final : public StateSnapshot {
 public:
  SnapshotImpl(leveldb::DB* db, const leveldb::Snapshot* snapshot, Tip tip)
      : db_(db), snapshot_(snapshot), reader_(db, snapshot), tip_(std::move(tip)) {}
  ~SnapshotImpl() override { db_->ReleaseSnapshot(snapshot_); }

  Result<std::optional<Bytes>> Get(Space space, std::string_view key) const override {
    return reader_.Get(space, key);
  }
  Status Scan(Space space, std::string_view prefix, std::string_view start, const ScanFn& fn) const override {
    return reader_.Scan(space, prefix, start, fn);
  }
  const Tip& tip() const override { return tip_; }

 private:
  leveldb::DB* db_;
  const leveldb::Snapshot* snapshot_;
  FlatReader reader_;
  Tip tip_;
};

// Releases a LevelDB snapshot at scope end.
class ScopedSnapshot {
 public:
  explicit ScopedSnapshot(leveldb::DB* db) : db_(db), snapshot_(db->GetSnapshot()) {}
  ~ScopedSnapshot() { db_->ReleaseSnapshot(snapshot_); }
  ScopedSnapshot(const ScopedSnapshot&) = delete;
  ScopedSnapshot& operator=(const ScopedSnapshot&) = delete;
  const leveldb::Snapshot* get() const { return snapshot_; }
  leveldb::ReadOptions options() const {
    leveldb::ReadOptions o;
    o.snapshot = snapshot_;
    return o;
  }

 private:
  leveldb::DB* db_;
  const leveldb::Snapshot* snapshot_;
};

// Whether `block` carries exactly the txs of a validated block with the same
// header, and a last commit and evidence that match that header.
bool SameBody(const pb::Block& block, const std::vector<DecodedTx>& validated) {
  if (static_cast<size_t>(block.txs_size()) != validated.size()) return false;
  for (size_t i = 0; i < validated.size(); ++i) {
    if (block.txs(static_cast<int>(i)) != validated[i].raw) return false;
  }
  pb::BlockHeader h;
  return h.ParseFromString(block.header()) && h.last_commit_hash() == CommitHash(block.last_commit()) &&
         h.evidence_hash() == EvidenceHash(block.evidence());
}

}  // namespace

Result<pb::ValidatorSet> NormaliseValidators(pb::ValidatorSet set) {
  auto* list = set.mutable_validators();
  std::sort(list->begin(), list->end(), [](const pb::Validator& a, const pb::Validator& b) {
    if (a.pub_key().algo() != b.pub_key().algo()) return a.pub_key().algo() < b.pub_key().algo();
    return a.pub_key().key() < b.pub_key().key();
  });
  if (list->empty()) return Status::FailedPrecondition(err::BAD_VALIDATOR_SET, "the validator set is empty");
  for (int i = 0; i < list->size(); ++i) {
    const pb::Validator& v = list->Get(i);
    if (v.power() == 0) {
      return Status::FailedPrecondition(err::BAD_VALIDATOR_SET, "validator " + FromProto(v.pub_key()).ToString() +
                                                                 " has no voting power");
    }
    if (Status valid = FromProto(v.pub_key()).Validate(); !valid.ok()) {
      return Status::FailedPrecondition(err::BAD_VALIDATOR_SET, "validator key is invalid: " + valid.message());
    }
    if (i > 0 && list->Get(i - 1).pub_key().algo() == v.pub_key().algo() &&
        list->Get(i - 1).pub_key().key() == v.pub_key().key()) {
      return Status::FailedPrecondition(err::BAD_VALIDATOR_SET, "validator " + FromProto(v.pub_key()).ToString() +
                                                                 " is listed twice");
    }
  }
  return set;
}

struct Chain::Impl {
  ChainOptions options;
  TxExecutor* executor = nullptr;
  // Declared before db: LevelDB needs them until the database is closed.
  std::unique_ptr<const leveldb::FilterPolicy> filter;
  std::unique_ptr<leveldb::Cache> block_cache;
  std::unique_ptr<leveldb::DB> db;
  std::unique_ptr<StateTree> tree;
  std::unique_ptr<FlatReader> latest;  // state(): the committed state, read per call

  std::mutex write_mu;  // ApplyBlock, InitGenesis, Prune
  mutable std::shared_mutex tip_mu;
  Tip tip;
  // The view as of `tip`, taken right after the tip's block was written (under
  // write_mu, so no other write lies between): Snapshot() hands it out without
  // I/O. Declared after db, so it is released before the database closes.
  std::shared_ptr<const StateSnapshot> snapshot;
  bool initialised = false;
  std::atomic<uint64_t> prune_floor{0};
  uint64_t pruned_through = 0;  // Prune finished for every version below this
  ApplyStats stats;

  // The last block that passed ValidateBlock, so ApplyBlock need not decode and
  // verify it again.
  struct Validated {
    Bytes block_hash;
    uint64_t tip_height = 0;
    std::shared_ptr<const std::vector<DecodedTx>> txs;
  };
  mutable std::mutex validated_mu;
  mutable Validated validated;

  Tip CurrentTip() const {
    std::shared_lock lock(tip_mu);
    return tip;
  }
  // The database as of now, labelled with `at`; call with write_mu held (or
  // before anyone else can write) so that `at` describes it.
  std::shared_ptr<const StateSnapshot> ViewAt(Tip at) const {
    return std::make_shared<SnapshotImpl>(db.get(), db->GetSnapshot(), std::move(at));
  }

  Status Validate(const pb::Block& block, const std::function<bool(const Bytes&)>& preverified,
                  const Tip& at, std::vector<DecodedTx>* decoded) const;
  Status CheckReplay(const DecodedTx& tx, uint64_t tip_height) const;
  Status CheckNotCommitted(std::string_view tx_id) const;
  Result<pb::ValidatorSet> ValidatorsAt(uint64_t height, const leveldb::ReadOptions& options) const;
  Result<std::optional<Bytes>> ValueAt(std::string_view key, const Hash32& path, const Hash32& value_hash,
                                       uint64_t version, const leveldb::ReadOptions& options) const;
  Status PruneLocked(uint64_t keep_from);
};

Chain::~Chain() = default;

Result<std::unique_ptr<Chain>> Chain::Open(const std::string& dir, const ChainOptions& options,
                                           TxExecutor* executor) {
  if (options.chain_id.empty()) return Status::InvalidArgument(err::BAD_OPTIONS, "chain_id must not be empty");
  if (executor == nullptr) return Status::InvalidArgument(err::BAD_OPTIONS, "a TxExecutor is required");
  if (options.replay_window == 0) return Status::InvalidArgument(err::BAD_OPTIONS, "replay_window must be at least 1");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create chain directory " + dir + ": " + ec.message());

  std::unique_ptr<Chain> chain(new Chain());
  chain->options_ = options;
  chain->impl_ = std::make_unique<Impl>();
  Impl& impl = *chain->impl_;
  impl.options = options;
  impl.executor = executor;
  impl.filter.reset(leveldb::NewBloomFilterPolicy(10));
  impl.block_cache.reset(leveldb::NewLRUCache(std::max<size_t>(options.block_cache_mb, 1) << 20));

  leveldb::Options db_options;
  db_options.create_if_missing = true;
  db_options.filter_policy = impl.filter.get();
  db_options.block_cache = impl.block_cache.get();
  db_options.write_buffer_size = std::max<size_t>(options.write_buffer_mb, 1) << 20;
  db_options.max_file_size = 8 << 20;
  db_options.compression = leveldb::kSnappyCompression;
  leveldb::DB* raw_db = nullptr;
  leveldb::Status st = leveldb::DB::Open(db_options, dir, &raw_db);
  if (!st.ok()) {
    return Status(Code::kIOError, err::DB_OPEN_FAILED, "cannot open chain database in " + dir + ": " + st.ToString());
  }
  impl.db.reset(raw_db);
  impl.tree = std::make_unique<StateTree>(raw_db, options.tree_cache_mb << 20);
  impl.latest = std::make_unique<FlatReader>(raw_db, nullptr);

  const leveldb::ReadOptions read;
  CIVIC_ASSIGN_OR_RETURN(auto stored_id, ReadKey(raw_db, read, store::MetaKey(store::kMetaChainId)));
  if (stored_id && *stored_id != options.chain_id) {
    return Status::FailedPrecondition(err::WRONG_CHAIN_ID, "the database in " + dir + " belongs to chain '" +
                                                            *stored_id + "', not '" + options.chain_id + "'");
  }
  if (!stored_id) {
    leveldb::WriteOptions sync;
    sync.sync = options.sync_writes;
    st = raw_db->Put(sync, store::MetaKey(store::kMetaChainId), options.chain_id);
    if (!st.ok()) return Io("writing the chain id", st);
  }
  CIVIC_ASSIGN_OR_RETURN(auto tip, ReadTip(raw_db, read));
  if (tip) {
    impl.tip = std::move(*tip);
    impl.initialised = true;
    CIVIC_ASSIGN_OR_RETURN(Hash32 root, impl.tree->RootOf(impl.tip.height));
    if (ToBytes(root) != impl.tip.app_state_root) {
      return Status::Corruption("the state tree root at height " + std::to_string(impl.tip.height) +
                                " does not match the tip's state root");
    }
  }
  CIVIC_ASSIGN_OR_RETURN(auto floor, ReadKey(raw_db, read, store::MetaKey(store::kMetaPruneFloor)));
  if (floor && floor->size() == 8) {
    impl.prune_floor = store::DecodeU64(*floor);
    // Finish a prune that a crash may have cut short.
    CIVIC_RETURN_IF_ERROR(impl.tree->Prune(0, impl.prune_floor, false));
    impl.pruned_through = impl.prune_floor;
  }
  impl.snapshot = impl.ViewAt(impl.tip);
  return chain;
}

bool Chain::initialised() const {
  std::shared_lock lock(impl_->tip_mu);
  return impl_->initialised;
}

Tip Chain::tip() const { return impl_->CurrentTip(); }

const KvReader& Chain::state() const { return *impl_->latest; }

uint64_t Chain::prune_floor() const { return impl_->prune_floor.load(); }

ApplyStats Chain::last_apply_stats() const {
  std::shared_lock lock(impl_->tip_mu);
  return impl_->stats;
}

Status Chain::InitGenesis(int64_t genesis_time_ms, const WriteSet& genesis_state, std::string_view genesis_hash) {
  Impl& impl = *impl_;
  std::lock_guard<std::mutex> write_lock(impl.write_mu);
  if (genesis_hash.empty()) return Status::InvalidArgument(err::BAD_GENESIS, "the genesis hash is empty");
  const leveldb::ReadOptions read;
  if (initialised()) {
    CIVIC_ASSIGN_OR_RETURN(auto stored, ReadKey(impl.db.get(), read, store::MetaKey(store::kMetaGenesisHash)));
    if (stored && *stored == genesis_hash) return Status::Ok();
    return Status::FailedPrecondition(err::ALREADY_INITIALISED,
                                      "the chain was initialised with genesis " + Short(stored.value_or("")) +
                                          ", not " + Short(genesis_hash));
  }

  // The genesis state as a view, so the executor can read its validators.
  StateView view(impl.latest.get());
  for (Space space : {Space::kState, Space::kIndex}) {
    for (const auto& [key, value] : genesis_state.of(space)) {
      if (value) view.Put(space, key, *value);
    }
  }
  Result<pb::ValidatorSet> validators = Status::Internal("unset");
  try {
    validators = impl.executor->Validators(view);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("reading genesis validators threw: ") + e.what());
  }
  if (!validators.ok()) return validators.status();
  CIVIC_ASSIGN_OR_RETURN(pb::ValidatorSet set, NormaliseValidators(*validators));

  leveldb::WriteBatch batch;
  std::vector<TreeUpdate> updates;
  for (const auto& [key, value] : genesis_state.state) {
    if (!value) continue;
    batch.Put(store::SpaceKey(store::kState, key), *value);
    updates.push_back(TreeUpdate{StatePath(key), StateValueHash(*value)});
  }
  for (const auto& [key, value] : genesis_state.index) {
    if (value) batch.Put(store::SpaceKey(store::kIndex, key), *value);
  }
  std::sort(updates.begin(), updates.end(), [](const TreeUpdate& a, const TreeUpdate& b) { return a.path < b.path; });
  auto no_old_values = [](size_t) -> Result<Bytes> { return Status::Internal("genesis replaces no values"); };
  CIVIC_ASSIGN_OR_RETURN(StagedTree staged, impl.tree->Stage(std::nullopt, 0, updates, no_old_values, &batch));

  Tip tip;
  tip.height = 0;
  tip.time_ms = genesis_time_ms;
  tip.app_state_root = ToBytes(staged.root);
  tip.last_results_hash = ResultsHash({});
  tip.last_commit_hash = CommitHash(pb::Commit());
  tip.validators = set;
  tip.next_validators = set;
  batch.Put(store::ValidatorsKey(1), set.SerializeAsString());
  batch.Put(store::MetaKey(store::kMetaGenesisHash), Bytes(genesis_hash));
  batch.Put(store::MetaKey(store::kMetaGenesisTime), store::EncodeU64(static_cast<uint64_t>(genesis_time_ms)));
  batch.Put(store::MetaKey(store::kMetaTip), TipToProto(tip).SerializeAsString());

  leveldb::WriteOptions write;
  write.sync = impl.options.sync_writes;
  leveldb::Status st = impl.db->Write(write, &batch);
  if (!st.ok()) return Io("writing genesis", st);
  impl.tree->Commit(std::move(staged));
  auto committed = impl.ViewAt(tip);
  std::unique_lock lock(impl.tip_mu);
  impl.tip = std::move(tip);
  impl.snapshot = std::move(committed);
  impl.initialised = true;
  return Status::Ok();
}

pb::Block Chain::BuildBlock(std::vector<Bytes> txs, int64_t time_ms, const crypto::PublicKey& proposer,
                            const pb::Commit& last_commit, std::vector<pb::Evidence> evidence) const {
  const Tip tip = this->tip();
  pb::Block block;
  std::vector<Bytes> ids;
  ids.reserve(txs.size());
  for (const Bytes& raw : txs) ids.push_back(TxId(raw));
  for (pb::Evidence& e : evidence) *block.add_evidence() = std::move(e);

  pb::BlockHeader header;
  header.set_chain_id(options_.chain_id);
  header.set_height(tip.height + 1);
  header.set_time_ms(std::max(time_ms, tip.time_ms + 1));
  header.set_prev_block_hash(tip.block_hash);
  header.set_tx_root(MerkleRoot(ids));
  header.set_state_root(tip.app_state_root);
  header.set_last_results_hash(tip.last_results_hash);
  header.set_validators_hash(ValidatorSetHash(tip.validators));
  header.set_next_validators_hash(ValidatorSetHash(tip.next_validators));
  *header.mutable_proposer() = ToProto(proposer);
  header.set_last_commit_hash(CommitHash(last_commit));
  header.set_tx_count(static_cast<uint32_t>(txs.size()));
  header.set_evidence_hash(EvidenceHash(block.evidence()));
  block.set_header(header.SerializeAsString());
  for (Bytes& raw : txs) block.add_txs(std::move(raw));
  *block.mutable_last_commit() = last_commit;
  return block;
}

Status Chain::Impl::CheckReplay(const DecodedTx& tx, uint64_t tip_height) const {
  const uint64_t valid_until = tx.body.valid_until_height();
  if (valid_until <= tip_height) {
    return Status::FailedPrecondition(err::TX_EXPIRED, "tx " + ToHex(tx.id) + " was valid until height " +
                                                        std::to_string(valid_until) + "; the chain is at " +
                                                        std::to_string(tip_height));
  }
  if (valid_until - tip_height > options.replay_window) {
    return Status::InvalidArgument(err::TX_VALID_UNTIL_TOO_FAR,
                                   "tx " + ToHex(tx.id) + " is valid until height " + std::to_string(valid_until) +
                                       "; at most " + std::to_string(tip_height + options.replay_window) +
                                       " (chain height + replay window) is accepted");
  }
  return CheckNotCommitted(tx.id);
}

Status Chain::Impl::CheckNotCommitted(std::string_view tx_id) const {
  CIVIC_ASSIGN_OR_RETURN(auto location, ReadKey(db.get(), leveldb::ReadOptions(), store::TxLocationKey(tx_id)));
  if (location) {
    pb::TxLocation loc;
    loc.ParseFromString(*location);
    return Status::AlreadyExists(err::TX_ALREADY_COMMITTED, "tx " + ToHex(tx_id) + " is already committed at height " +
                                                             std::to_string(loc.height()));
  }
  return Status::Ok();
}

Status Chain::Impl::Validate(const pb::Block& block, const std::function<bool(const Bytes&)>& preverified,
                             const Tip& at, std::vector<DecodedTx>* decoded) const {
  pb::BlockHeader h;
  if (!h.ParseFromString(block.header())) return BadBlock("the block header does not decode");
  const uint64_t height = at.height + 1;
  if (h.chain_id() != options.chain_id) {
    return BadBlock("block is for chain '" + h.chain_id() + "', this is '" + options.chain_id + "'");
  }
  if (h.height() != height) {
    return BadBlock("block height is " + std::to_string(h.height()) + ", expected " + std::to_string(height));
  }
  if (h.time_ms() <= at.time_ms) {
    return BadBlock("block time " + std::to_string(h.time_ms()) + " is not after the previous block's time " +
                    std::to_string(at.time_ms));
  }
  if (h.prev_block_hash() != at.block_hash) {
    return BadBlock("prev_block_hash is " + Short(h.prev_block_hash()) + ", expected " + Short(at.block_hash));
  }
  if (h.state_root() != at.app_state_root) {
    return BadBlock("state_root is " + Short(h.state_root()) + ", expected " + Short(at.app_state_root) +
                    " (state after block " + std::to_string(at.height) + ")");
  }
  if (h.last_results_hash() != at.last_results_hash) {
    return BadBlock("last_results_hash is " + Short(h.last_results_hash()) + ", expected " +
                    Short(at.last_results_hash));
  }
  if (h.validators_hash() != ValidatorSetHash(at.validators)) {
    return BadBlock("validators_hash does not match the validator set of height " + std::to_string(height));
  }
  if (h.next_validators_hash() != ValidatorSetHash(at.next_validators)) {
    return BadBlock("next_validators_hash does not match the validator set of height " +
                    std::to_string(height + 1));
  }
  if (!IsMember(at.validators, h.proposer())) {
    return BadBlock("proposer " + FromProto(h.proposer()).ToString() + " is not a validator of height " +
                    std::to_string(height));
  }
  if (h.last_commit_hash() != CommitHash(block.last_commit())) {
    return BadBlock("last_commit_hash does not match the block's last commit");
  }
  if (height == 1) {
    if (block.last_commit().ByteSizeLong() != 0) return BadBlock("block 1 must carry an empty last commit");
  } else if (Status st = VerifyCommit(options.chain_id, at.last_validators, block.last_commit(), at.height,
                                      at.block_hash);
             !st.ok()) {
    return BadBlock("last commit is invalid: " + st.message());
  }
  if (h.tx_count() != static_cast<uint32_t>(block.txs_size())) {
    return BadBlock("tx_count is " + std::to_string(h.tx_count()) + " but the block holds " +
                    std::to_string(block.txs_size()) + " txs");
  }
  if (h.evidence_hash() != EvidenceHash(block.evidence())) {
    return BadBlock("evidence_hash does not match the block's evidence");
  }
  for (int i = 0; i < block.evidence_size(); ++i) {
    const pb::Evidence& e = block.evidence(i);
    if (e.a().height() == 0 || e.a().height() > at.height) {
      return BadBlock("evidence " + std::to_string(i) + " is for height " + std::to_string(e.a().height()) +
                      ", not a committed height");
    }
    CIVIC_ASSIGN_OR_RETURN(pb::ValidatorSet set, ValidatorsAt(e.a().height(), leveldb::ReadOptions()));
    if (Status st = VerifyEvidence(options.chain_id, set, e); !st.ok()) {
      return BadBlock("evidence " + std::to_string(i) + " is invalid: " + st.message());
    }
  }

  // Decoding computes each id; the tx root is checked on those ids.
  const size_t n = static_cast<size_t>(block.txs_size());
  std::vector<Result<DecodedTx>> results(n, Result<DecodedTx>(Status::Internal("not decoded")));
  ParallelFor(n, [&](size_t i) {
    const Bytes& raw = block.txs(static_cast<int>(i));
    bool verify = !(preverified && preverified(TxId(raw)));
    results[i] = DecodeTx(raw, options.chain_id, verify);
  });
  auto prefix = [&](size_t i, const Status& st) {
    return Status(st.code(), st.app_code(), "block " + std::to_string(height) + " tx " + std::to_string(i) + ": " +
                                                st.message());
  };
  std::vector<Bytes> ids(n);
  for (size_t i = 0; i < n; ++i) {
    if (!results[i].ok()) return prefix(i, results[i].status());
    ids[i] = results[i]->id;
  }
  if (h.tx_root() != MerkleRoot(ids)) return BadBlock("tx_root does not match the block's txs");

  std::set<Bytes> seen;
  decoded->clear();
  decoded->reserve(n);
  for (size_t i = 0; i < n; ++i) {
    auto prefix_i = [&](const Status& st) { return prefix(i, st); };
    if (!seen.insert(ids[i]).second) {
      return prefix_i(Status::AlreadyExists(err::DUPLICATE_TX, "tx " + ToHex(ids[i]) + " appears twice in the block"));
    }
    if (Status st = CheckReplay(*results[i], at.height); !st.ok()) return prefix_i(st);
    decoded->push_back(std::move(results[i]).value());
  }
  return Status::Ok();
}

Status Chain::ValidateBlock(const pb::Block& block, const std::function<bool(const Bytes&)>& preverified) const {
  Impl& impl = *impl_;
  if (!initialised()) return NotInitialised();
  const Tip tip = impl.CurrentTip();
  auto decoded = std::make_shared<std::vector<DecodedTx>>();
  CIVIC_RETURN_IF_ERROR(impl.Validate(block, preverified, tip, decoded.get()));
  std::lock_guard<std::mutex> lock(impl.validated_mu);
  impl.validated = Impl::Validated{BlockHash(block), tip.height, std::move(decoded)};
  return Status::Ok();
}

Status Chain::CheckNotCommitted(std::string_view tx_id) const {
  {
    std::shared_lock lock(impl_->tip_mu);
    if (!impl_->initialised) return NotInitialised();
  }
  return impl_->CheckNotCommitted(tx_id);
}

Status Chain::CheckTx(const DecodedTx& tx) const {
  Impl& impl = *impl_;
  uint64_t height;
  int64_t time_ms;
  {
    std::shared_lock lock(impl.tip_mu);
    if (!impl.initialised) return NotInitialised();
    height = impl.tip.height;
    time_ms = impl.tip.time_ms;
  }
  if (tx.body.chain_id() != options_.chain_id) {
    return Status::InvalidArgument(err::WRONG_CHAIN_ID, "tx is for chain '" + tx.body.chain_id() + "'");
  }
  CIVIC_RETURN_IF_ERROR(impl.CheckReplay(tx, height));
  TxContext ctx;
  ctx.chain_id = options_.chain_id;
  ctx.height = height + 1;
  ctx.block_time_ms = time_ms;
  ctx.tx = &tx;
  try {
    return impl.executor->CheckTx(ctx, *impl.latest);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("CheckTx threw: ") + e.what());
  }
}

Status Chain::ApplyBlock(const pb::Block& block, const pb::Commit& commit,
                         const std::function<bool(const Bytes&)>& preverified) {
  Impl& impl = *impl_;
  std::lock_guard<std::mutex> write_lock(impl.write_mu);
  if (!initialised()) return NotInitialised();
  const Tip tip = impl.CurrentTip();
  const uint64_t height = tip.height + 1;
  const Bytes block_hash = BlockHash(block);

  // 1. Validate (or reuse the validation ValidateBlock just did on this tip).
  std::shared_ptr<const std::vector<DecodedTx>> txs;
  {
    std::lock_guard<std::mutex> lock(impl.validated_mu);
    if (impl.validated.txs && impl.validated.block_hash == block_hash && impl.validated.tip_height == tip.height &&
        SameBody(block, *impl.validated.txs)) {
      txs = impl.validated.txs;
    }
    impl.validated = Impl::Validated{};
  }
  if (!txs) {
    auto decoded = std::make_shared<std::vector<DecodedTx>>();
    CIVIC_RETURN_IF_ERROR(impl.Validate(block, preverified, tip, decoded.get()));
    txs = std::move(decoded);
  }
  CIVIC_RETURN_IF_ERROR(VerifyCommit(options_.chain_id, tip.validators, commit, height, block_hash));
  pb::BlockHeader header;
  header.ParseFromString(block.header());

  // 2. Execute: each tx in a child view, merged only if it succeeds.
  StateView block_view(impl.latest.get());
  std::vector<pb::TxResult> results;
  results.reserve(txs->size());
  size_t failed = 0;
  for (size_t i = 0; i < txs->size(); ++i) {
    TxContext ctx;
    ctx.chain_id = options_.chain_id;
    ctx.height = height;
    ctx.block_time_ms = header.time_ms();
    ctx.tx_index = static_cast<uint32_t>(i);
    ctx.tx = &(*txs)[i];
    StateView tx_view(&block_view);
    Status st;
    try {
      st = impl.executor->Execute(ctx, &tx_view);
    } catch (const std::exception& e) {
      st = Status::Internal(std::string("tx execution threw: ") + e.what());
    }
    if (st.ok()) {
      tx_view.MergeInto(&block_view);
    } else {
      ++failed;
    }
    results.push_back(ResultOf(st));
  }
  BlockContext bctx{options_.chain_id, height, header.time_ms()};
  Result<pb::ValidatorSet> reported = Status::Internal("unset");
  try {
    if (Status st = impl.executor->EndBlock(bctx, &block_view); !st.ok()) {
      return Status(st.code(), st.app_code(), "end of block " + std::to_string(height) + ": " + st.message());
    }
    reported = impl.executor->Validators(block_view);
  } catch (const std::exception& e) {
    return Status::Internal("end of block " + std::to_string(height) + " threw: " + e.what());
  }
  if (!reported.ok()) return reported.status();
  CIVIC_ASSIGN_OR_RETURN(pb::ValidatorSet next_validators, NormaliseValidators(*reported));
  WriteSet writes = block_view.TakeWrites();

  // 3. One batch: state (flat + tree + archive), indexes, block, txs, tip.
  // Fresh keys need no read: the tree walk finds which keys existed, and only
  // their old values are read (to archive them for proofs at older versions).
  leveldb::WriteBatch batch;
  std::vector<std::pair<TreeUpdate, const Bytes*>> changes;
  changes.reserve(writes.state.size());
  for (const auto& [key, value] : writes.state) {
    const Bytes flat_key = store::SpaceKey(store::kState, key);
    if (value) {
      batch.Put(flat_key, *value);
      changes.emplace_back(TreeUpdate{StatePath(key), StateValueHash(*value)}, &key);
    } else {
      batch.Delete(flat_key);
      changes.emplace_back(TreeUpdate{StatePath(key), std::nullopt}, &key);
    }
  }
  std::sort(changes.begin(), changes.end(), [](const auto& a, const auto& b) { return a.first.path < b.first.path; });
  std::vector<TreeUpdate> updates;
  updates.reserve(changes.size());
  for (const auto& c : changes) updates.push_back(c.first);
  auto old_value = [&](size_t i) -> Result<Bytes> {
    CIVIC_ASSIGN_OR_RETURN(auto old, ReadKey(impl.db.get(), leveldb::ReadOptions(),
                                             store::SpaceKey(store::kState, *changes[i].second)));
    if (!old) return Status::Corruption("state key is in the tree but not in the flat state");
    return std::move(*old);
  };
  for (const auto& [key, value] : writes.index) {
    const Bytes flat_key = store::SpaceKey(store::kIndex, key);
    if (value) {
      batch.Put(flat_key, *value);
    } else {
      batch.Delete(flat_key);
    }
  }
  CIVIC_ASSIGN_OR_RETURN(StagedTree staged, impl.tree->Stage(tip.height, height, updates, old_value, &batch));

  pb::StoredBlock stored;
  stored.mutable_block()->set_header(block.header());
  *stored.mutable_block()->mutable_last_commit() = block.last_commit();
  *stored.mutable_block()->mutable_evidence() = block.evidence();
  *stored.mutable_commit() = commit;
  batch.Put(store::BlockKey(height), stored.SerializeAsString());
  batch.Put(store::BlockByHashKey(block_hash), store::EncodeU64(height));
  for (size_t i = 0; i < txs->size(); ++i) {
    const DecodedTx& tx = (*txs)[i];
    batch.Put(store::BlockTxKey(height, static_cast<uint32_t>(i)), tx.raw);
    pb::TxLocation location;
    location.set_height(height);
    location.set_index(static_cast<uint32_t>(i));
    *location.mutable_result() = results[i];
    batch.Put(store::TxLocationKey(tx.id), location.SerializeAsString());
  }
  if (!SameSet(next_validators, tip.next_validators)) {
    batch.Put(store::ValidatorsKey(height + 2), next_validators.SerializeAsString());
  }

  Tip next;
  next.height = height;
  next.block_hash = block_hash;
  next.time_ms = header.time_ms();
  next.app_state_root = ToBytes(staged.root);
  next.last_results_hash = ResultsHash(results);
  next.last_commit_hash = CommitHash(commit);
  next.validators = tip.next_validators;
  next.next_validators = std::move(next_validators);
  next.last_validators = tip.validators;
  batch.Put(store::MetaKey(store::kMetaTip), TipToProto(next).SerializeAsString());

  ApplyStats stats;
  stats.height = height;
  stats.txs = txs->size();
  stats.failed_txs = failed;
  stats.state_writes = updates.size();
  stats.tree_nodes_written = staged.nodes_written;
  stats.tree_nodes_read = staged.nodes_read;
  stats.values_archived = staged.replaced;
  stats.batch_bytes = batch.ApproximateSize();

  leveldb::WriteOptions write;
  write.sync = impl.options.sync_writes;
  leveldb::Status st = impl.db->Write(write, &batch);
  if (!st.ok()) return Io("writing block " + std::to_string(height), st);

  // 4. Only now does anyone see the new block.
  impl.tree->Commit(std::move(staged));
  auto committed = impl.ViewAt(next);
  {
    std::unique_lock lock(impl.tip_mu);
    impl.tip = std::move(next);
    impl.snapshot = std::move(committed);
    impl.stats = stats;
  }
  // The block is committed whatever pruning does; a failed prune is retried
  // after the next block and reported in the stats.
  if (impl.options.keep_state_versions > 0 && height + 1 > impl.options.keep_state_versions) {
    Status pruned = impl.PruneLocked(height + 1 - impl.options.keep_state_versions);
    std::unique_lock lock(impl.tip_mu);
    impl.stats.prune_error = pruned.ok() ? "" : pruned.ToString();
  }
  return Status::Ok();
}

Result<pb::StoredBlock> Chain::GetBlock(uint64_t height) const {
  Impl& impl = *impl_;
  ScopedSnapshot snap(impl.db.get());
  CIVIC_ASSIGN_OR_RETURN(auto raw, ReadKey(impl.db.get(), snap.options(), store::BlockKey(height)));
  if (!raw) return Status::NotFound(err::BLOCK_NOT_FOUND, "no block at height " + std::to_string(height));
  pb::StoredBlock stored;
  if (!stored.ParseFromString(*raw)) {
    return Status::Corruption("stored block " + std::to_string(height) + " does not decode");
  }
  const Bytes prefix = store::BlockTxPrefix(height);
  std::unique_ptr<leveldb::Iterator> it(impl.db->NewIterator(snap.options()));
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    if (key.substr(0, prefix.size()) != prefix) break;
    stored.mutable_block()->add_txs(it->value().ToString());
  }
  if (!it->status().ok()) return Io("reading the txs of block " + std::to_string(height), it->status());
  return stored;
}

Result<uint64_t> Chain::GetHeightByHash(std::string_view block_hash) const {
  CIVIC_ASSIGN_OR_RETURN(auto raw, ReadKey(impl_->db.get(), leveldb::ReadOptions(),
                                           store::BlockByHashKey(block_hash)));
  if (!raw || raw->size() != 8) {
    return Status::NotFound(err::BLOCK_NOT_FOUND, "no block with hash " + ToHex(block_hash));
  }
  return store::DecodeU64(*raw);
}

Result<pb::BlockHeader> Chain::GetHeader(uint64_t height) const {
  CIVIC_ASSIGN_OR_RETURN(auto raw, ReadKey(impl_->db.get(), leveldb::ReadOptions(), store::BlockKey(height)));
  if (!raw) return Status::NotFound(err::BLOCK_NOT_FOUND, "no block at height " + std::to_string(height));
  pb::StoredBlock stored;
  pb::BlockHeader header;
  if (!stored.ParseFromString(*raw) || !header.ParseFromString(stored.block().header())) {
    return Status::Corruption("stored block " + std::to_string(height) + " does not decode");
  }
  return header;
}

Result<Chain::TxRecord> Chain::GetTx(std::string_view tx_id) const {
  Impl& impl = *impl_;
  CIVIC_ASSIGN_OR_RETURN(auto loc, ReadKey(impl.db.get(), leveldb::ReadOptions(), store::TxLocationKey(tx_id)));
  if (!loc) return Status::NotFound(err::TX_NOT_FOUND, "no committed tx with id " + ToHex(tx_id));
  TxRecord record;
  if (!record.location.ParseFromString(*loc)) {
    return Status::Corruption("the location of tx " + ToHex(tx_id) + " does not decode");
  }
  CIVIC_ASSIGN_OR_RETURN(auto raw, ReadKey(impl.db.get(), leveldb::ReadOptions(),
                                           store::BlockTxKey(record.location.height(), record.location.index())));
  if (!raw) return Status::Corruption("tx " + ToHex(tx_id) + " is indexed but its bytes are missing");
  record.raw = std::move(*raw);
  return record;
}

Result<std::optional<Bytes>> Chain::Impl::ValueAt(std::string_view key, const Hash32& path,
                                                  const Hash32& value_hash, uint64_t version,
                                                  const leveldb::ReadOptions& options) const {
  CIVIC_ASSIGN_OR_RETURN(auto current, ReadKey(db.get(), options, store::SpaceKey(store::kState, key)));
  if (current && StateValueHash(*current) == value_hash) return current;
  return tree->ArchivedValue(path, version, value_hash, options.snapshot);
}

Result<pb::StateProof> Chain::Prove(std::string_view key, uint64_t version) const {
  Impl& impl = *impl_;
  ScopedSnapshot snap(impl.db.get());
  CIVIC_ASSIGN_OR_RETURN(auto tip, ReadTip(impl.db.get(), snap.options()));
  if (!tip) return NotInitialised();
  if (version > tip->height) {
    return Status::NotFound(err::STATE_VERSION_NOT_FOUND, "version " + std::to_string(version) +
                                                           " is above the chain height " + std::to_string(tip->height));
  }
  if (version < impl.prune_floor.load()) {
    return Status::NotFound(err::STATE_VERSION_NOT_FOUND, "version " + std::to_string(version) +
                                                           " has been pruned (oldest kept: " +
                                                           std::to_string(impl.prune_floor.load()) + ")");
  }
  const Hash32 path = StatePath(key);
  CIVIC_ASSIGN_OR_RETURN(TreeProof walk, impl.tree->Prove(path, version, snap.get()));
  pb::StateProof proof;
  proof.set_key(Bytes(key));
  proof.set_version(version);
  proof.set_root(ToBytes(walk.root));
  proof.set_depth(static_cast<uint32_t>(walk.siblings.size()));
  for (const Hash32& s : walk.siblings) proof.add_siblings(ToBytes(s));
  if (walk.ends_at_leaf && walk.leaf_path == path) {
    CIVIC_ASSIGN_OR_RETURN(auto value, impl.ValueAt(key, path, walk.leaf_value_hash, version, snap.options()));
    if (!value) {
      return Status::Corruption("the value of a state key at version " + std::to_string(version) + " is missing");
    }
    proof.set_exists(true);
    proof.set_value(std::move(*value));
  } else if (walk.ends_at_leaf) {
    proof.set_leaf_path(ToBytes(walk.leaf_path));
    proof.set_leaf_value_hash(ToBytes(walk.leaf_value_hash));
  }
  return proof;
}

Result<Bytes> Chain::StateRootAt(uint64_t version) const {
  if (version < impl_->prune_floor.load()) {
    return Status::NotFound(err::STATE_VERSION_NOT_FOUND, "version " + std::to_string(version) + " has been pruned");
  }
  CIVIC_ASSIGN_OR_RETURN(Hash32 root, impl_->tree->RootOf(version));
  return ToBytes(root);
}

Result<pb::ValidatorSet> Chain::Impl::ValidatorsAt(uint64_t height, const leveldb::ReadOptions& options) const {
  std::unique_ptr<leveldb::Iterator> it(db->NewIterator(options));
  it->Seek(store::ValidatorsKey(height + 1));
  // The last key below the target: the newest set that starts at or before `height`.
  if (it->Valid()) {
    it->Prev();
  } else {
    it->SeekToLast();
  }
  if (!it->status().ok()) return Io("reading validator sets", it->status());
  if (!it->Valid() || it->key().size() != 9 || it->key()[0] != store::kValidators) {
    return Status::NotFound(err::VALIDATORS_NOT_FOUND, "no validator set for height " + std::to_string(height));
  }
  pb::ValidatorSet set;
  if (!set.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
    return Status::Corruption("a stored validator set does not decode");
  }
  return set;
}

Result<pb::ValidatorSet> Chain::ValidatorsAt(uint64_t height) const {
  ScopedSnapshot snap(impl_->db.get());
  CIVIC_ASSIGN_OR_RETURN(auto tip, ReadTip(impl_->db.get(), snap.options()));
  if (!tip) return NotInitialised();
  if (height == 0 || height > tip->height + 2) {
    return Status::NotFound(err::VALIDATORS_NOT_FOUND, "validator sets are known for heights 1.." +
                                                        std::to_string(tip->height + 2));
  }
  return impl_->ValidatorsAt(height, snap.options());
}

Result<std::vector<uint64_t>> Chain::ValidatorChangeHeights(uint64_t from, uint64_t to, size_t limit) const {
  std::vector<uint64_t> heights;
  std::unique_ptr<leveldb::Iterator> it(impl_->db->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(store::ValidatorsKey(std::max<uint64_t>(from, 2))); it->Valid(); it->Next()) {
    if (it->key().size() != 9 || it->key()[0] != store::kValidators) break;
    const uint64_t height = GetBigEndian64(std::string_view(it->key().data() + 1, 8));
    if (height > to) break;
    heights.push_back(height);
  }
  if (!it->status().ok()) return Io("reading validator sets", it->status());
  if (heights.size() > limit) heights.erase(heights.begin(), heights.end() - static_cast<ptrdiff_t>(limit));
  return heights;
}

std::shared_ptr<const StateSnapshot> Chain::Snapshot() const {
  std::shared_lock lock(impl_->tip_mu);
  return impl_->snapshot;
}

Status Chain::Impl::PruneLocked(uint64_t keep_from) {
  if (keep_from <= prune_floor.load()) return Status::Ok();
  leveldb::WriteOptions write;
  write.sync = options.sync_writes;
  // The floor goes first: from here on no one is served a version being deleted.
  leveldb::Status st = db->Put(write, store::MetaKey(store::kMetaPruneFloor), store::EncodeU64(keep_from));
  if (!st.ok()) return Io("writing the prune floor", st);
  prune_floor = keep_from;
  CIVIC_RETURN_IF_ERROR(tree->Prune(pruned_through, keep_from, false));
  pruned_through = keep_from;
  return Status::Ok();
}

Status Chain::Prune(uint64_t keep_from_version) {
  Impl& impl = *impl_;
  std::lock_guard<std::mutex> write_lock(impl.write_mu);
  if (!initialised()) return NotInitialised();
  const uint64_t height = impl.CurrentTip().height;
  if (keep_from_version > height) {
    return Status::InvalidArgument(err::BAD_PRUNE_HEIGHT, "cannot prune past the tip: keep_from_version " +
                                                           std::to_string(keep_from_version) + " > height " +
                                                           std::to_string(height));
  }
  return impl.PruneLocked(keep_from_version);
}

Status Chain::VerifyState() const {
  Impl& impl = *impl_;
  ScopedSnapshot snap(impl.db.get());
  CIVIC_ASSIGN_OR_RETURN(auto tip, ReadTip(impl.db.get(), snap.options()));
  if (!tip) return NotInitialised();
  std::vector<std::pair<Hash32, Hash32>> flat;
  FlatReader reader(impl.db.get(), snap.get());
  CIVIC_RETURN_IF_ERROR(reader.Scan(Space::kState, "", "", [&](std::string_view key, std::string_view value) {
    flat.emplace_back(StatePath(key), StateValueHash(value));
    return true;
  }));
  std::sort(flat.begin(), flat.end());
  std::vector<std::pair<Hash32, Hash32>> leaves;
  leaves.reserve(flat.size());
  CIVIC_RETURN_IF_ERROR(impl.tree->ForEachLeaf(tip->height, snap.get(), [&](const Hash32& p, const Hash32& v) {
    leaves.emplace_back(p, v);
    return true;
  }));
  if (leaves != flat) {
    return Status::Corruption("the flat state (" + std::to_string(flat.size()) + " keys) differs from the state tree (" +
                              std::to_string(leaves.size()) + " leaves) at height " + std::to_string(tip->height));
  }
  const Bytes recomputed = ToBytes(StateTree::ComputeRoot(std::move(flat)));
  if (recomputed != tip->app_state_root) {
    return Status::Corruption("the state root recomputed from the flat state differs from the tip's at height " +
                              std::to_string(tip->height));
  }
  CIVIC_ASSIGN_OR_RETURN(Hash32 stored_root, impl.tree->RootOf(tip->height, snap.get()));
  if (ToBytes(stored_root) != tip->app_state_root) {
    return Status::Corruption("the stored tree root differs from the tip's at height " + std::to_string(tip->height));
  }
  return Status::Ok();
}

bool VerifyStateProof(const pb::StateProof& proof) {
  if (proof.root().size() != 32 || proof.depth() > 256 ||
      static_cast<size_t>(proof.siblings_size()) != proof.depth()) {
    return false;
  }
  for (const Bytes& s : proof.siblings()) {
    if (s.size() != 32) return false;
  }
  const Hash32 path = StatePath(proof.key());
  Hash32 hash;
  if (proof.exists()) {
    if (!proof.leaf_path().empty() || !proof.leaf_value_hash().empty()) return false;
    hash = StateLeafHash(path, StateValueHash(proof.value()));
  } else if (!proof.leaf_path().empty()) {
    if (!proof.value().empty() || proof.leaf_path().size() != 32 || proof.leaf_value_hash().size() != 32) return false;
    const Hash32 other = ToHash32(proof.leaf_path());
    if (other == path) return false;  // that would be the key itself
    for (unsigned i = 0; i < proof.depth(); ++i) {
      if (PathBit(other, i) != PathBit(path, i)) return false;  // not in the key's subtree
    }
    hash = StateLeafHash(other, ToHash32(proof.leaf_value_hash()));
  } else {
    if (!proof.value().empty() || !proof.leaf_value_hash().empty()) return false;
    hash = kEmptySubtreeHash;
  }
  // siblings[0] is at the leaf level (bit depth - 1), the last one under the root.
  for (unsigned level = proof.depth(); level-- > 0;) {
    const Hash32 sibling = ToHash32(proof.siblings(static_cast<int>(proof.depth() - 1 - level)));
    hash = PathBit(path, level) ? StateInternalHash(sibling, hash) : StateInternalHash(hash, sibling);
  }
  return AsView(hash) == proof.root();
}

}  // namespace civic::ledger
