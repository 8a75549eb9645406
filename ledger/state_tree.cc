#include "ledger/state_tree.h"

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "ledger/errors.h"
#include "ledger/store.h"

namespace civic::ledger {

namespace {

constexpr char kInternalTag = 0x01;
constexpr char kRootEmpty = 0;
constexpr char kRootLeaf = 1;
constexpr char kRootInternal = 2;
constexpr unsigned kMaxDepth = 64;  // nibbles in a path
// Batches at least this large update the root's two halves on two threads.
constexpr size_t kParallelUpdates = 4096;
// Entries of a version's 'S' record.
constexpr char kStaleNode = 'N';     // varint(node version), position
constexpr char kStaleArchive = 'A';  // 32-byte path: the 'A' entry of this version

// A child slot: a leaf (path, value hash; hash derived) or an internal node (hash, version).
struct Child {
  Hash32 hash{};
  uint64_t version = 0;
  Hash32 path{};
  Hash32 value_hash{};
};

struct InternalNode {
  uint16_t present = 0;
  uint16_t leaves = 0;
  std::array<Child, 16> child;
  bool Has(unsigned i) const { return (present >> i) & 1; }
  bool IsLeaf(unsigned i) const { return (leaves >> i) & 1; }
};

struct RootRecord {
  char kind = kRootEmpty;
  Child top;  // the root leaf, or the root node's hash and version
};

Hash32 RootHashOf(const RootRecord& root) {
  return root.kind == kRootEmpty ? kEmptySubtreeHash : root.top.hash;
}

// The first `depth` nibbles of `path`: u8 depth, then the nibbles packed (an odd
// last nibble in the high half of its byte).
void AppendPosition(Bytes* out, const Hash32& path, unsigned depth) {
  out->push_back(static_cast<char>(depth));
  out->append(reinterpret_cast<const char*>(path.data()), depth / 2);
  if (depth % 2) out->push_back(static_cast<char>(path[depth / 2] & 0xf0));
}

bool ReadPosition(std::string_view* in, Hash32* path, unsigned* depth) {
  if (in->empty()) return false;
  *depth = static_cast<unsigned char>(in->front());
  size_t bytes = (*depth + 1) / 2;
  if (*depth > kMaxDepth || in->size() < 1 + bytes) return false;
  *path = Hash32{};
  std::memcpy(path->data(), in->data() + 1, bytes);
  in->remove_prefix(1 + bytes);
  return true;
}

// The key of the node at the first `depth` nibbles of `path`, written at `version`.
Bytes NodeKey(uint64_t version, const Hash32& path, unsigned depth) {
  Bytes key;
  key.reserve(10 + (depth + 1) / 2);
  key.push_back(store::kTreeNode);
  PutBigEndian64(&key, version);
  AppendPosition(&key, path, depth);
  return key;
}

// `path` with nibble `depth` replaced by `nibble` (names a child slot's position).
Hash32 WithNibble(Hash32 path, unsigned depth, unsigned nibble) {
  unsigned char& byte = path[depth / 2];
  if (depth % 2) {
    byte = static_cast<unsigned char>((byte & 0xf0) | nibble);
  } else {
    byte = static_cast<unsigned char>((byte & 0x0f) | (nibble << 4));
  }
  return path;
}

Bytes EncodeInternal(const InternalNode& n, uint64_t version) {
  Bytes out;
  out.reserve(5 + static_cast<size_t>(std::popcount(n.present)) * 64);
  out.push_back(kInternalTag);
  out.push_back(static_cast<char>(n.present >> 8));
  out.push_back(static_cast<char>(n.present & 0xff));
  out.push_back(static_cast<char>(n.leaves >> 8));
  out.push_back(static_cast<char>(n.leaves & 0xff));
  for (unsigned i = 0; i < 16; ++i) {
    if (!n.Has(i)) continue;
    const Child& c = n.child[i];
    if (n.IsLeaf(i)) {
      out.append(AsView(c.path));
      out.append(AsView(c.value_hash));
    } else {
      out.append(AsView(c.hash));
      store::PutVarint(&out, version - c.version);
    }
  }
  return out;
}

bool DecodeInternal(std::string_view in, uint64_t version, InternalNode* n) {
  if (in.size() < 5 || in[0] != kInternalTag) return false;
  auto u8 = [&](size_t i) { return static_cast<unsigned>(static_cast<unsigned char>(in[i])); };
  n->present = static_cast<uint16_t>(u8(1) << 8 | u8(2));
  n->leaves = static_cast<uint16_t>(u8(3) << 8 | u8(4));
  if ((n->leaves & ~n->present) != 0 || n->present == 0) return false;
  in.remove_prefix(5);
  for (unsigned i = 0; i < 16; ++i) {
    if (!n->Has(i)) continue;
    Child& c = n->child[i];
    if (n->IsLeaf(i)) {
      if (in.size() < 64) return false;
      c.path = ToHash32(in.substr(0, 32));
      c.value_hash = ToHash32(in.substr(32, 32));
      c.hash = StateLeafHash(c.path, c.value_hash);
      in.remove_prefix(64);
    } else {
      if (in.size() < 32) return false;
      c.hash = ToHash32(in.substr(0, 32));
      in.remove_prefix(32);
      uint64_t delta = 0;
      if (!store::GetVarint(&in, &delta) || delta > version) return false;
      c.version = version - delta;
    }
  }
  return in.empty();
}

Bytes EncodeRoot(const RootRecord& root) {
  Bytes out(1, root.kind);
  if (root.kind == kRootLeaf) {
    out.append(AsView(root.top.path));
    out.append(AsView(root.top.value_hash));
  } else if (root.kind == kRootInternal) {
    store::PutVarint(&out, root.top.version);
    out.append(AsView(root.top.hash));
  }
  return out;
}

bool DecodeRoot(std::string_view in, RootRecord* root) {
  if (in.empty()) return false;
  root->kind = in[0];
  in.remove_prefix(1);
  switch (root->kind) {
    case kRootEmpty:
      return in.empty();
    case kRootLeaf:
      if (in.size() != 64) return false;
      root->top.path = ToHash32(in.substr(0, 32));
      root->top.value_hash = ToHash32(in.substr(32));
      root->top.hash = StateLeafHash(root->top.path, root->top.value_hash);
      return true;
    case kRootInternal:
      if (!store::GetVarint(&in, &root->top.version) || in.size() != 32) return false;
      root->top.hash = ToHash32(in);
      return true;
    default:
      return false;
  }
}

uint16_t RangeMask(unsigned lo, unsigned width) {
  return static_cast<uint16_t>(((1u << width) - 1) << lo);
}

// Binary hash of the child slots [lo, lo + width) of `n`: an empty range is the
// zero hash, a range holding a single leaf is that leaf (shortest unique prefix).
Hash32 RangeHash(const InternalNode& n, unsigned lo, unsigned width) {
  uint16_t in = n.present & RangeMask(lo, width);
  if (in == 0) return kEmptySubtreeHash;
  if (std::has_single_bit(in)) {
    unsigned slot = static_cast<unsigned>(std::countr_zero(in));
    if (n.IsLeaf(slot) || width == 1) return n.child[slot].hash;
  }
  unsigned half = width / 2;
  return StateInternalHash(RangeHash(n, lo, half), RangeHash(n, lo + half, half));
}

Status CorruptNode(const Bytes& key, const char* what) {
  return Status::Corruption("state tree node " + ToHex(key) + " " + what);
}

}  // namespace

// The nodes of the top levels of the newest version, by position (one slot per
// possible position: 16^0 + ... + 16^max_depth). A node never changes under its
// (version, position) key, so a slot holding that key is always right. Thread-safe.
class StateTree::Cache {
 public:
  explicit Cache(size_t capacity_bytes) {
    max_depth_ = capacity_bytes >= (48u << 20) ? 4 : capacity_bytes >= (4u << 20) ? 3 : capacity_bytes > 0 ? 2 : -1;
    slots_.resize(max_depth_ < 0 ? 0 : Offset(static_cast<unsigned>(max_depth_) + 1));
  }

  bool Covers(unsigned depth) const { return static_cast<int>(depth) <= max_depth_; }

  std::shared_ptr<const std::string> Get(uint64_t version, const Hash32& path, unsigned depth) {
    if (!Covers(depth)) return nullptr;
    std::lock_guard<std::mutex> lock(mu_);
    const Slot& slot = slots_[Index(path, depth)];
    return slot.version == version ? slot.node : nullptr;
  }

  // `newest`: the node belongs to the latest version (else kept only over older ones).
  void Put(uint64_t version, const Hash32& path, unsigned depth, std::shared_ptr<const std::string> node,
           bool newest) {
    if (!Covers(depth)) return;
    std::lock_guard<std::mutex> lock(mu_);
    Slot& slot = slots_[Index(path, depth)];
    if (newest || !slot.node || slot.version < version) slot = Slot{version, std::move(node)};
  }

 private:
  struct Slot {
    uint64_t version = 0;
    std::shared_ptr<const std::string> node;
  };
  static size_t Offset(unsigned depth) { return ((size_t{1} << (4 * depth)) - 1) / 15; }
  static size_t Index(const Hash32& path, unsigned depth) {
    size_t prefix = (static_cast<size_t>(path[0]) << 8 | path[1]) >> (16 - 4 * depth);
    return Offset(depth) + (depth == 0 ? 0 : prefix);
  }

  int max_depth_;
  std::mutex mu_;
  std::vector<Slot> slots_;
};

// Reads nodes through the cache, from one snapshot (or the latest state).
class StateTree::Reader {
 public:
  Reader(leveldb::DB* db, Cache* cache, const leveldb::Snapshot* snapshot) : db_(db), cache_(cache) {
    options_.snapshot = snapshot;
  }

  size_t misses() const { return misses_; }
  // Another reader of the same state, for another thread.
  Reader Fork() const { return Reader(db_, cache_, options_.snapshot); }

  // Reads the node at (version, first `depth` nibbles of `path`) into *node.
  Status Internal(uint64_t version, const Hash32& path, unsigned depth, InternalNode* node) {
    std::shared_ptr<const std::string> raw = cache_->Get(version, path, depth);
    Bytes key;
    if (!raw) {
      key = NodeKey(version, path, depth);
      std::string value;
      leveldb::Status st = db_->Get(options_, key, &value);
      if (st.IsNotFound()) return CorruptNode(key, "is missing");
      if (!st.ok()) return Status::IOError("reading state tree node: " + st.ToString());
      ++misses_;
      raw = std::make_shared<const std::string>(std::move(value));
      cache_->Put(version, path, depth, raw, /*newest=*/false);
    }
    if (!DecodeInternal(*raw, version, node)) {
      return CorruptNode(key.empty() ? NodeKey(version, path, depth) : key, "does not decode");
    }
    return Status::Ok();
  }

  Result<RootRecord> Root(uint64_t version) {
    std::string value;
    leveldb::Status st = db_->Get(options_, store::TreeRootKey(version), &value);
    if (st.IsNotFound()) {
      return Status::NotFound(err::STATE_VERSION_NOT_FOUND,
                              "no state tree for version " + std::to_string(version) + " (not applied yet, or pruned)");
    }
    if (!st.ok()) return Status::IOError("reading state root: " + st.ToString());
    RootRecord root;
    if (!DecodeRoot(value, &root)) {
      return Status::Corruption("state root record of version " + std::to_string(version) + " does not decode");
    }
    return root;
  }

 private:
  leveldb::DB* db_;
  Cache* cache_;
  leveldb::ReadOptions options_;
  size_t misses_ = 0;
};

// One version's batch update. A Sub describes a subtree after the update.
class StateTree::Updater {
 public:
  struct Sub {
    enum Kind : uint8_t { kEmpty, kLeaf, kInternal } kind = kEmpty;
    bool changed = false;
    Child top;  // leaf: path, value_hash, hash; internal: hash, version
  };

  Updater(Reader* reader, Cache* cache, uint64_t version, const TreeUpdate* first, const OldValueFn& old_value,
          leveldb::WriteBatch* batch, StagedTree* out)
      : reader_(reader), cache_(cache), version_(version), first_(first), old_value_(old_value), batch_(batch),
        out_(out) {}

  // The subtree at depth `depth` (position: the first `depth` nibbles of the
  // updates' paths), which is `existing` (null = empty), after `ups`.
  Result<Sub> Update(const Child* existing, bool existing_is_leaf, unsigned depth, std::span<const TreeUpdate> ups) {
    if (existing == nullptr) return Fresh(depth, ups);
    if (existing_is_leaf) return UpdateLeaf(*existing, depth, ups);
    return UpdateInternal(*existing, depth, ups);
  }

  // The version's 'S' record: what it replaced.
  const Bytes& stale() const { return stale_; }

 private:
  static Sub LeafSub(const Child& leaf) {
    Sub s;
    s.kind = Sub::kLeaf;
    s.changed = true;
    s.top = leaf;
    return s;
  }

  static Sub NewLeaf(const TreeUpdate& u) {
    Child leaf;
    leaf.path = u.path;
    leaf.value_hash = *u.value_hash;
    leaf.hash = StateLeafHash(u.path, *u.value_hash);
    return LeafSub(leaf);
  }

  Result<Sub> Fresh(unsigned depth, std::span<const TreeUpdate> ups) {
    std::vector<Sub> live;
    for (const TreeUpdate& u : ups) {
      if (u.value_hash) live.push_back(NewLeaf(u));
    }
    if (live.empty()) return Sub{};  // only deletes of absent paths: still empty
    return Build(depth, live);
  }

  Result<Sub> UpdateLeaf(const Child& leaf, unsigned depth, std::span<const TreeUpdate> ups) {
    bool keep_existing = true;
    std::vector<Sub> live;
    live.reserve(ups.size() + 1);
    for (const TreeUpdate& u : ups) {
      if (u.path == leaf.path) {
        if (u.value_hash && *u.value_hash == leaf.value_hash) continue;  // same value
        keep_existing = false;
        CIVIC_RETURN_IF_ERROR(Archive(static_cast<size_t>(&u - first_), leaf.path));
      }
      if (u.value_hash) live.push_back(NewLeaf(u));
    }
    if (keep_existing && live.empty()) {
      Sub same = LeafSub(leaf);
      same.changed = false;
      return same;
    }
    if (keep_existing) {
      auto at = std::lower_bound(live.begin(), live.end(), leaf.path,
                                 [](const Sub& s, const Hash32& p) { return s.top.path < p; });
      live.insert(at, LeafSub(leaf));
    }
    if (live.empty()) {
      Sub gone;
      gone.changed = true;
      return gone;
    }
    return Build(depth, live);
  }

  Result<Sub> UpdateInternal(const Child& ref, unsigned depth, std::span<const TreeUpdate> ups) {
    InternalNode node;
    CIVIC_RETURN_IF_ERROR(reader_->Internal(ref.version, ups.front().path, depth, &node));
    std::vector<SlotResult> changed;
    CIVIC_RETURN_IF_ERROR(UpdateGroups(node, depth, ups, &changed));
    return Finish(ref, &node, changed, ups.front().path, depth);
  }

 public:
  using SlotResult = std::pair<unsigned, Sub>;

  // The new subtrees of the children of `node` (at `depth`) that `ups` touch, for
  // the slots that changed. Reads `node` only, so two updaters may share it.
  Status UpdateGroups(const InternalNode& node, unsigned depth, std::span<const TreeUpdate> ups,
                      std::vector<SlotResult>* changed) {
    for (size_t begin = 0; begin < ups.size();) {
      unsigned slot = static_cast<unsigned>(PathNibble(ups[begin].path, depth));
      size_t end = begin + 1;
      while (end < ups.size() && static_cast<unsigned>(PathNibble(ups[end].path, depth)) == slot) ++end;
      const Child* child = node.Has(slot) ? &node.child[slot] : nullptr;
      CIVIC_ASSIGN_OR_RETURN(Sub sub, Update(child, node.IsLeaf(slot), depth + 1, ups.subspan(begin, end - begin)));
      if (sub.changed) changed->emplace_back(slot, sub);
      begin = end;
    }
    return Status::Ok();
  }

  // Puts the changed children into the node `ref` names and stores it (or what
  // it collapses to: nothing, or its one remaining leaf).
  Result<Sub> Finish(const Child& ref, InternalNode* node, const std::vector<SlotResult>& changed, const Hash32& pos,
                     unsigned depth) {
    if (changed.empty()) {
      Sub same;
      same.kind = Sub::kInternal;
      same.top = ref;
      return same;
    }
    MarkStale(ref.version, pos, depth);
    for (const auto& [slot, sub] : changed) {
      const uint16_t bit = static_cast<uint16_t>(1u << slot);
      node->present = static_cast<uint16_t>(sub.kind == Sub::kEmpty ? node->present & ~bit : node->present | bit);
      node->leaves = static_cast<uint16_t>(sub.kind == Sub::kLeaf ? node->leaves | bit : node->leaves & ~bit);
      node->child[slot] = sub.top;
    }
    if (node->present == 0) {
      Sub gone;
      gone.changed = true;
      return gone;
    }
    if (std::has_single_bit(node->present)) {
      unsigned s = static_cast<unsigned>(std::countr_zero(node->present));
      if (node->IsLeaf(s)) return LeafSub(node->child[s]);  // the last leaf moves up to our position
    }
    return WriteInternal(*node, pos, depth);
  }

  // Updates the internal root `root` with the root's children split between this
  // thread and one more: the two halves are independent until the root is assembled.
  Result<Sub> UpdateRootInParallel(const Child& root, std::span<const TreeUpdate> ups) {
    InternalNode node;
    CIVIC_RETURN_IF_ERROR(reader_->Internal(root.version, ups.front().path, 0, &node));
    // Cut at the root-slot boundary nearest the middle.
    size_t mid = ups.size() / 2;
    while (mid < ups.size() && PathNibble(ups[mid].path, 0) == PathNibble(ups[mid - 1].path, 0)) ++mid;
    std::vector<SlotResult> changed;
    if (mid == ups.size()) {
      CIVIC_RETURN_IF_ERROR(UpdateGroups(node, 0, ups, &changed));
    } else {
      Reader second_reader = reader_->Fork();
      leveldb::WriteBatch second_batch;
      StagedTree second_staged;
      Updater second(&second_reader, cache_, version_, first_, old_value_, &second_batch, &second_staged);
      std::vector<SlotResult> second_changed;
      Status second_status;
      std::thread helper([&] { second_status = second.UpdateGroups(node, 0, ups.subspan(mid), &second_changed); });
      Status first_status = UpdateGroups(node, 0, ups.first(mid), &changed);
      helper.join();
      CIVIC_RETURN_IF_ERROR(first_status);
      CIVIC_RETURN_IF_ERROR(second_status);
      Absorb(second);
      out_->nodes_read += second_reader.misses();
      for (auto& c : second_changed) changed.push_back(std::move(c));
    }
    return Finish(root, &node, changed, ups.front().path, 0);
  }

  // Takes over what `other` (an updater of the same version) wrote and counted.
  void Absorb(Updater& other) {
    stale_.append(other.stale_);
    batch_->Append(*other.batch_);
    out_->nodes_written += other.out_->nodes_written;
    out_->replaced += other.out_->replaced;
    for (auto& c : other.out_->cache_updates) out_->cache_updates.push_back(std::move(c));
  }

 private:
  // Builds the subtree of `live` leaves (sorted, distinct, sharing `depth` nibbles).
  Sub Build(unsigned depth, std::span<const Sub> live) {
    if (live.size() == 1) {
      Sub only = live.front();
      only.changed = true;
      return only;
    }
    InternalNode node;
    for (size_t begin = 0; begin < live.size();) {
      unsigned slot = static_cast<unsigned>(PathNibble(live[begin].top.path, depth));
      size_t end = begin + 1;
      while (end < live.size() && static_cast<unsigned>(PathNibble(live[end].top.path, depth)) == slot) ++end;
      Sub child = Build(depth + 1, live.subspan(begin, end - begin));
      node.child[slot] = child.top;
      node.present |= static_cast<uint16_t>(1u << slot);
      if (child.kind == Sub::kLeaf) node.leaves |= static_cast<uint16_t>(1u << slot);
      begin = end;
    }
    return WriteInternal(node, live.front().top.path, depth);
  }

  Sub WriteInternal(const InternalNode& node, const Hash32& pos, unsigned depth) {
    Sub s;
    s.kind = Sub::kInternal;
    s.changed = true;
    s.top.hash = RangeHash(node, 0, 16);
    s.top.version = version_;
    Bytes encoded = EncodeInternal(node, version_);
    batch_->Put(NodeKey(version_, pos, depth), encoded);
    ++out_->nodes_written;
    if (cache_->Covers(depth)) {
      out_->cache_updates.push_back(
          StagedTree::CachedNode{depth, pos, std::make_shared<const std::string>(std::move(encoded))});
    }
    return s;
  }

  void MarkStale(uint64_t old_version, const Hash32& path, unsigned depth) {
    stale_.push_back(kStaleNode);
    store::PutVarint(&stale_, old_version);
    AppendPosition(&stale_, path, depth);
  }

  // Keeps the value that update `index` replaces, for proofs at older versions.
  Status Archive(size_t index, const Hash32& path) {
    CIVIC_ASSIGN_OR_RETURN(Bytes old, old_value_(index));
    batch_->Put(store::ArchiveKey(AsView(path), version_), old);
    stale_.push_back(kStaleArchive);
    stale_.append(AsView(path));
    ++out_->replaced;
    return Status::Ok();
  }

  Reader* reader_;
  Cache* cache_;
  uint64_t version_;
  const TreeUpdate* first_;
  const OldValueFn& old_value_;
  leveldb::WriteBatch* batch_;
  StagedTree* out_;
  Bytes stale_;
};

StateTree::StateTree(leveldb::DB* db, size_t cache_bytes) : db_(db), cache_(std::make_unique<Cache>(cache_bytes)) {}

StateTree::~StateTree() = default;

Result<StagedTree> StateTree::Stage(std::optional<uint64_t> base, uint64_t version,
                                    const std::vector<TreeUpdate>& updates, const OldValueFn& old_value,
                                    leveldb::WriteBatch* batch) {
  if (base && *base >= version) {
    return Status::Internal("state tree version " + std::to_string(version) + " must be above its base " +
                            std::to_string(*base));
  }
  for (size_t i = 1; i < updates.size(); ++i) {
    if (!(updates[i - 1].path < updates[i].path)) {
      return Status::Internal("state tree updates must be sorted by path and distinct");
    }
  }
  Reader reader(db_, cache_.get(), nullptr);
  RootRecord root;
  if (base) {
    CIVIC_ASSIGN_OR_RETURN(root, reader.Root(*base));
  }

  StagedTree staged;
  staged.version = version;
  RootRecord next = root;
  Updater updater(&reader, cache_.get(), version, updates.data(), old_value, batch, &staged);
  if (!updates.empty()) {
    const Child* existing = root.kind == kRootEmpty ? nullptr : &root.top;
    Result<Updater::Sub> result = Status::Internal("unset");
    if (root.kind == kRootInternal && updates.size() >= kParallelUpdates) {
      result = updater.UpdateRootInParallel(root.top, updates);
    } else {
      result = updater.Update(existing, root.kind == kRootLeaf, 0, updates);
    }
    if (!result.ok()) return result.status();
    const Updater::Sub& sub = *result;
    if (sub.changed) {
      next.kind = sub.kind == Updater::Sub::kEmpty  ? kRootEmpty
                  : sub.kind == Updater::Sub::kLeaf ? kRootLeaf
                                                    : kRootInternal;
      next.top = sub.top;
    }
  }
  batch->Put(store::TreeRootKey(version), EncodeRoot(next));
  if (!updater.stale().empty()) batch->Put(store::StaleKey(version), updater.stale());
  staged.root = RootHashOf(next);
  staged.nodes_read += reader.misses();
  return staged;
}

void StateTree::Commit(StagedTree staged) {
  for (auto& c : staged.cache_updates) cache_->Put(staged.version, c.path, c.depth, std::move(c.node), true);
}

Result<Hash32> StateTree::RootOf(uint64_t version, const leveldb::Snapshot* snapshot) const {
  Reader reader(db_, cache_.get(), snapshot);
  CIVIC_ASSIGN_OR_RETURN(RootRecord root, reader.Root(version));
  return RootHashOf(root);
}

Result<TreeProof> StateTree::Prove(const Hash32& path, uint64_t version, const leveldb::Snapshot* snapshot) const {
  Reader reader(db_, cache_.get(), snapshot);
  CIVIC_ASSIGN_OR_RETURN(RootRecord root, reader.Root(version));
  TreeProof proof;
  proof.root = RootHashOf(root);
  auto finish = [&](const Child* leaf) -> Result<TreeProof> {
    if (leaf != nullptr) {
      proof.ends_at_leaf = true;
      proof.leaf_path = leaf->path;
      proof.leaf_value_hash = leaf->value_hash;
    }
    std::reverse(proof.siblings.begin(), proof.siblings.end());
    return std::move(proof);
  };
  if (root.kind == kRootEmpty) return finish(nullptr);
  if (root.kind == kRootLeaf) return finish(&root.top);

  uint64_t node_version = root.top.version;
  for (unsigned depth = 0; depth < kMaxDepth; ++depth) {
    InternalNode node;
    CIVIC_RETURN_IF_ERROR(reader.Internal(node_version, path, depth, &node));
    unsigned lo = 0;
    for (unsigned level = 0, width = 16; level < 4; ++level, width /= 2) {
      unsigned half = width / 2;
      bool right = PathBit(path, depth * 4 + level) != 0;
      unsigned mine = right ? lo + half : lo;
      unsigned other = right ? lo : lo + half;
      proof.siblings.push_back(RangeHash(node, other, half));
      uint16_t in = node.present & RangeMask(mine, half);
      if (in == 0) return finish(nullptr);
      if (std::has_single_bit(in)) {
        unsigned slot = static_cast<unsigned>(std::countr_zero(in));
        if (node.IsLeaf(slot)) return finish(&node.child[slot]);
      }
      lo = mine;
    }
    node_version = node.child[lo].version;  // an internal child: go down
  }
  return Status::Corruption("state tree deeper than 256 bits");
}

Status StateTree::ForEachLeaf(uint64_t version, const leveldb::Snapshot* snapshot,
                              const std::function<bool(const Hash32&, const Hash32&)>& fn) const {
  Reader reader(db_, cache_.get(), snapshot);
  CIVIC_ASSIGN_OR_RETURN(RootRecord root, reader.Root(version));
  if (root.kind == kRootEmpty) return Status::Ok();
  if (root.kind == kRootLeaf) {
    fn(root.top.path, root.top.value_hash);
    return Status::Ok();
  }
  bool stopped = false;
  // Depth-first in nibble order, which is path order.
  std::function<Status(uint64_t, const Hash32&, unsigned)> visit = [&](uint64_t v, const Hash32& pos,
                                                                       unsigned depth) -> Status {
    if (depth >= kMaxDepth) return Status::Corruption("state tree deeper than 256 bits");
    InternalNode node;
    CIVIC_RETURN_IF_ERROR(reader.Internal(v, pos, depth, &node));
    for (unsigned s = 0; s < 16 && !stopped; ++s) {
      if (!node.Has(s)) continue;
      const Child& c = node.child[s];
      if (node.IsLeaf(s)) {
        if (!fn(c.path, c.value_hash)) stopped = true;
      } else {
        CIVIC_RETURN_IF_ERROR(visit(c.version, WithNibble(pos, depth, s), depth + 1));
      }
    }
    return Status::Ok();
  };
  return visit(root.top.version, Hash32{}, 0);
}

Result<std::optional<Bytes>> StateTree::ArchivedValue(const Hash32& path, uint64_t version, const Hash32& value_hash,
                                                      const leveldb::Snapshot* snapshot) const {
  leveldb::ReadOptions options;
  options.snapshot = snapshot;
  // The value before the first change after `version` is the value at `version`.
  const Bytes start = store::ArchiveKey(AsView(path), version + 1);
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(options));
  it->Seek(start);
  if (!it->status().ok()) return Status::IOError("reading archived state: " + it->status().ToString());
  if (!it->Valid() || it->key().size() != start.size() ||
      std::memcmp(it->key().data(), start.data(), start.size() - 8) != 0) {
    return std::optional<Bytes>();
  }
  std::string_view value(it->value().data(), it->value().size());
  if (StateValueHash(value) != value_hash) return std::optional<Bytes>();
  return std::optional<Bytes>(Bytes(value));
}

Status StateTree::Prune(uint64_t from, uint64_t keep_from, bool sync) {
  constexpr size_t kBatchOps = 50000;
  leveldb::WriteOptions write_options;
  write_options.sync = sync;
  leveldb::WriteBatch batch;
  size_t ops = 0;
  auto flush = [&]() -> Status {
    if (ops == 0) return Status::Ok();
    leveldb::Status st = db_->Write(write_options, &batch);
    batch.Clear();
    ops = 0;
    if (!st.ok()) return Status::IOError("pruning the state tree: " + st.ToString());
    return Status::Ok();
  };

  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(store::StaleKey(from)); it->Valid(); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    if (key.size() != 9 || key[0] != store::kStale) break;
    const uint64_t version = store::DecodeU64(key.substr(1));
    if (version > keep_from) break;
    std::string_view record(it->value().data(), it->value().size());
    while (!record.empty()) {
      const char kind = record.front();
      record.remove_prefix(1);
      if (kind == kStaleNode) {
        uint64_t node_version = 0;
        Hash32 path;
        unsigned depth = 0;
        if (!store::GetVarint(&record, &node_version) || !ReadPosition(&record, &path, &depth)) {
          return Status::Corruption("stale record of version " + std::to_string(version) + " does not decode");
        }
        batch.Delete(NodeKey(node_version, path, depth));
      } else if (kind == kStaleArchive && record.size() >= 32) {
        batch.Delete(store::ArchiveKey(record.substr(0, 32), version));
        record.remove_prefix(32);
      } else {
        return Status::Corruption("stale record of version " + std::to_string(version) + " does not decode");
      }
      ++ops;
    }
    batch.Delete(it->key());
    if (++ops >= kBatchOps) CIVIC_RETURN_IF_ERROR(flush());
  }
  if (!it->status().ok()) return Status::IOError("scanning stale records: " + it->status().ToString());
  for (it->Seek(store::TreeRootKey(from)); it->Valid(); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    if (key.size() != 9 || key[0] != store::kTreeRoot) break;
    if (store::DecodeU64(key.substr(1)) >= keep_from) break;
    batch.Delete(it->key());
    if (++ops >= kBatchOps) CIVIC_RETURN_IF_ERROR(flush());
  }
  if (!it->status().ok()) return Status::IOError("scanning state roots: " + it->status().ToString());
  return flush();
}

namespace {

Hash32 RootOfSorted(std::span<const std::pair<Hash32, Hash32>> leaves, unsigned bit) {
  if (leaves.empty()) return kEmptySubtreeHash;
  if (leaves.size() == 1) return StateLeafHash(leaves[0].first, leaves[0].second);
  auto split = std::partition_point(leaves.begin(), leaves.end(),
                                    [bit](const auto& l) { return PathBit(l.first, bit) == 0; });
  size_t left = static_cast<size_t>(split - leaves.begin());
  return StateInternalHash(RootOfSorted(leaves.first(left), bit + 1), RootOfSorted(leaves.subspan(left), bit + 1));
}

}  // namespace

Hash32 StateTree::ComputeRoot(std::vector<std::pair<Hash32, Hash32>> leaves) {
  std::sort(leaves.begin(), leaves.end());
  leaves.erase(std::unique(leaves.begin(), leaves.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
               leaves.end());
  return RootOfSorted(leaves, 0);
}

}  // namespace civic::ledger
