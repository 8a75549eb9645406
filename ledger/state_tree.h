// StateTree: the authenticated, versioned state of the chain.
//
// Logically a binary sparse Merkle tree over 256-bit paths (path = SHA-256(key)),
// each leaf at the shortest prefix that no other leaf shares, an empty subtree
// hashed as 32 zero bytes (hashes in state_hash.h). A tree with one leaf has that
// leaf's hash as its root; an empty tree has the zero hash.
//
// Storage follows Diem's Jellyfish Merkle Tree: the binary tree is cut into 16-ary
// internal nodes of four bit levels, and every node written at a version is stored
// under 'N' BE64(version) u8(depth in nibbles) packed_nibbles, never overwritten.
// Versions share all unchanged nodes. Unlike JMT, a leaf is not a node of its own:
// its path and value hash sit in its parent's child slot, so inserting next to an
// existing leaf, moving a leaf up or down, or proving one costs no extra read.
//
// Internal node value: 0x01, u16 present-bitmap, u16 leaf-bitmap (bit i = child
// nibble i, big-endian), then for each present child in nibble order either
//   leaf:     32-byte path, 32-byte value hash
//   internal: 32-byte hash, varint(this node's version - child's version)
// An internal node holds two or more leaves below it. Inside a node the binary
// hashes are recomputed from the children (a range holding a single leaf hashes to
// that leaf: it sits at its shortest unique prefix).
// Root of a version: 'R' BE64(version) -> 0x00 (empty) | 0x01 path value_hash (one
// leaf) | 0x02 varint(root node version) hash (internal).
//
// History: when a version replaces a node, the old node stays for older versions; a
// version's 'S' record lists every node it replaced and every state value it
// archived (the previous value of a key it changed, kept under 'A' for proofs at
// older versions). Prune deletes what the records of versions <= keep_from list.
//
// Updates come as one batch per version, sorted by path, applied in one pass down
// the tree: every node on a changed path is read once, rewritten once and hashed
// once (large batches split the root's children between two threads). The nodes
// of the top levels of the latest version are cached by position.
// A batch of B random keys over N leaves rewrites about B * (log16(N / B) + 1)
// nodes (all nodes above depth log16(B), about one per key below).
//
// Thread safety: Stage/Commit/Prune from one writer thread at a time; RootOf,
// Prove and ForEachLeaf may run concurrently with them (reads pin a snapshot).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "crypto/base/status.h"
#include "ledger/state_hash.h"

namespace leveldb {
class DB;
class Snapshot;
class WriteBatch;
}  // namespace leveldb

namespace civic::ledger {

struct TreeUpdate {
  Hash32 path{};
  std::optional<Hash32> value_hash;  // nullopt = delete
};

// What a proof walk found for one path at one version.
struct TreeProof {
  Hash32 root{};
  std::vector<Hash32> siblings;  // from the leaf level up; size = bit depth of the end
  bool ends_at_leaf = false;     // false: the walk ended in an empty subtree
  Hash32 leaf_path{};            // when ends_at_leaf
  Hash32 leaf_value_hash{};
};

// A staged version; handed back to Commit once its batch is written.
struct StagedTree {
  uint64_t version = 0;
  Hash32 root{};
  size_t nodes_written = 0;
  size_t nodes_read = 0;   // node reads served by LevelDB (not the cache)
  size_t replaced = 0;     // existing leaves changed or removed (values archived)
  // New nodes of the cached top levels: (depth, path, encoded node).
  struct CachedNode {
    unsigned depth;
    Hash32 path;
    std::shared_ptr<const std::string> node;
  };
  std::vector<CachedNode> cache_updates;
};

class StateTree {
 public:
  // `db` outlives the tree. `cache_bytes` sizes the cache of top-level nodes
  // (>= 48 MiB caches four levels: 69,905 nodes; less caches three or two).
  StateTree(leveldb::DB* db, size_t cache_bytes);
  ~StateTree();
  StateTree(const StateTree&) = delete;
  StateTree& operator=(const StateTree&) = delete;

  // Returns the current value of updates[index]'s key (called for updates that
  // change or remove an existing leaf, before the batch is written). Large
  // batches call it from two threads at once.
  using OldValueFn = std::function<Result<Bytes>(size_t index)>;

  // Stages `version` = the tree of `base` (nullopt: the empty tree) with `updates`
  // applied. Requires updates sorted by path with distinct paths and version > base.
  // Adds the new nodes, the root record, the archived old values and the version's
  // 'S' record to `batch`; nothing is visible until the batch is written. Deleting
  // an absent path and writing an unchanged value hash are no-ops.
  Result<StagedTree> Stage(std::optional<uint64_t> base, uint64_t version,
                           const std::vector<TreeUpdate>& updates, const OldValueFn& old_value,
                           leveldb::WriteBatch* batch);
  // Updates the cache; call only after the batch was written.
  void Commit(StagedTree staged);

  // Root hash of `version`; NOT_FOUND if it was never written or was pruned.
  Result<Hash32> RootOf(uint64_t version, const leveldb::Snapshot* snapshot = nullptr) const;
  Result<TreeProof> Prove(const Hash32& path, uint64_t version,
                          const leveldb::Snapshot* snapshot = nullptr) const;
  // Visits every leaf of `version` in path order; stops early when fn returns false.
  Status ForEachLeaf(uint64_t version, const leveldb::Snapshot* snapshot,
                     const std::function<bool(const Hash32& path, const Hash32& value_hash)>& fn) const;
  // The value a key with `path` had at `version`, from the archive, if its hash is
  // `value_hash` (nullopt otherwise: the value is the current one, or was pruned).
  Result<std::optional<Bytes>> ArchivedValue(const Hash32& path, uint64_t version, const Hash32& value_hash,
                                             const leveldb::Snapshot* snapshot = nullptr) const;

  // Deletes every node and archived value that only versions < keep_from use, and
  // the root records of versions < keep_from. Starts at version `from` (an earlier
  // completed Prune covered everything below it; 0 scans all). Writes in bounded
  // batches; safe to repeat after a crash.
  Status Prune(uint64_t from, uint64_t keep_from, bool sync);

  // Reference root over a full set of leaves (path -> value hash), computed
  // directly from the definition; for checks and tests.
  static Hash32 ComputeRoot(std::vector<std::pair<Hash32, Hash32>> leaves);

 private:
  class Cache;
  class Reader;
  class Updater;
  leveldb::DB* db_;
  std::unique_ptr<Cache> cache_;
};

}  // namespace civic::ledger
