#include "ledger/state_tree.h"

#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <map>
#include <mutex>
#include <random>
#include <set>

#include "ledger/store.h"
#include "test_util.h"

namespace civic::ledger {
namespace {

using Model = std::map<Hash32, Hash32>;  // path -> value hash

Hash32 ValueHash(const std::string& v) { return StateValueHash(v); }

// An independent fold of a proof, written from the definition.
Hash32 FoldProof(const Hash32& path, const TreeProof& proof, const std::optional<Hash32>& value_hash) {
  Hash32 h = kEmptySubtreeHash;
  if (value_hash) {
    h = StateLeafHash(path, *value_hash);
  } else if (proof.ends_at_leaf) {
    h = StateLeafHash(proof.leaf_path, proof.leaf_value_hash);
  }
  size_t depth = proof.siblings.size();
  for (size_t i = 0; i < depth; ++i) {
    size_t bit = depth - 1 - i;
    const Hash32& s = proof.siblings[i];
    h = PathBit(path, static_cast<unsigned>(bit)) ? StateInternalHash(s, h) : StateInternalHash(h, s);
  }
  return h;
}

// Checks the proof for `path` against the model: membership and root.
void CheckProof(const Hash32& path, const TreeProof& proof, const Model& model) {
  auto it = model.find(path);
  if (it != model.end()) {
    ASSERT_TRUE(proof.ends_at_leaf);
    ASSERT_EQ(proof.leaf_path, path);
    ASSERT_EQ(proof.leaf_value_hash, it->second);
    EXPECT_EQ(FoldProof(path, proof, it->second), proof.root);
  } else {
    if (proof.ends_at_leaf) {
      ASSERT_NE(proof.leaf_path, path);
      for (size_t b = 0; b < proof.siblings.size(); ++b) {
        ASSERT_EQ(PathBit(proof.leaf_path, static_cast<unsigned>(b)), PathBit(path, static_cast<unsigned>(b)));
      }
      ASSERT_TRUE(model.count(proof.leaf_path));
    }
    EXPECT_EQ(FoldProof(path, proof, std::nullopt), proof.root);
  }
}

// Number of nodes the canonical 16-ary layout of `model` has: one internal node
// per nibble prefix that two or more leaves share (leaves live in their parents).
size_t CanonicalNodeCount(const Model& model) {
  if (model.size() <= 1) return 0;
  size_t internal = 0;
  for (unsigned depth = 0; depth < 64; ++depth) {
    std::map<Bytes, int> counts;
    for (const auto& [path, _] : model) {
      Bytes prefix;
      for (unsigned i = 0; i < depth; ++i) prefix.push_back(static_cast<char>(PathNibble(path, i)));
      ++counts[prefix];
    }
    size_t shared = 0;
    for (const auto& [_, n] : counts) shared += n >= 2;
    if (shared == 0) break;
    internal += shared;
  }
  return internal;
}

class TreeHarness {
 public:
  explicit TreeHarness(size_t cache_bytes = 1 << 20) {
    leveldb::Options options;
    options.create_if_missing = true;
    leveldb::DB* db = nullptr;
    EXPECT_TRUE(leveldb::DB::Open(options, dir_.path(), &db).ok());
    db_.reset(db);
    tree_ = std::make_unique<StateTree>(db, cache_bytes);
  }

  // Applies `changes` (nullopt = delete) as the next version; returns its root.
  Hash32 Apply(const std::map<Hash32, std::optional<Hash32>>& changes) {
    std::vector<TreeUpdate> updates;
    for (const auto& [p, v] : changes) updates.push_back(TreeUpdate{p, v});
    leveldb::WriteBatch batch;
    std::optional<uint64_t> base;
    if (version_ >= 0) base = static_cast<uint64_t>(version_);
    size_t expected_replaced = 0;
    for (const auto& [p, v] : changes) {
      auto it = model_.find(p);
      if (it != model_.end() && (!v || *v != it->second)) ++expected_replaced;
    }
    std::vector<size_t> asked;
    std::mutex asked_mu;  // large batches ask from two threads
    auto old_value = [&](size_t i) -> Result<Bytes> {
      std::lock_guard<std::mutex> lock(asked_mu);
      asked.push_back(i);
      EXPECT_TRUE(model_.count(updates[i].path));
      return Bytes("old value");
    };
    auto staged = tree_->Stage(base, static_cast<uint64_t>(version_ + 1), updates, old_value, &batch);
    EXPECT_TRUE(staged.ok()) << staged.status().ToString();
    EXPECT_EQ(staged->replaced, expected_replaced);
    EXPECT_EQ(asked.size(), expected_replaced);
    EXPECT_TRUE(db_->Write(leveldb::WriteOptions(), &batch).ok());
    Hash32 root = staged->root;
    tree_->Commit(std::move(staged).value());
    ++version_;
    for (const auto& [p, v] : changes) {
      if (v) {
        model_[p] = *v;
      } else {
        model_.erase(p);
      }
    }
    history_.push_back(model_);
    return root;
  }

  std::vector<std::pair<Hash32, Hash32>> Leaves(uint64_t version) {
    std::vector<std::pair<Hash32, Hash32>> out;
    EXPECT_TRUE(tree_->ForEachLeaf(version, nullptr, [&](const Hash32& p, const Hash32& v) {
      out.emplace_back(p, v);
      return true;
    }).ok());
    return out;
  }

  size_t CountKeys(char prefix) {
    size_t n = 0;
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
    for (it->Seek(std::string(1, prefix)); it->Valid() && it->key()[0] == prefix; it->Next()) ++n;
    return n;
  }

  StateTree& tree() { return *tree_; }
  leveldb::DB* db() { return db_.get(); }
  const Model& model() const { return model_; }
  const Model& model_at(uint64_t version) const { return history_.at(version); }
  uint64_t version() const { return static_cast<uint64_t>(version_); }

 private:
  testing::TempDir dir_;
  std::unique_ptr<leveldb::DB> db_;
  std::unique_ptr<StateTree> tree_;
  int64_t version_ = -1;
  Model model_;
  std::vector<Model> history_;
};

Hash32 PathOfKey(int i) { return StatePath("key-" + std::to_string(i)); }

Hash32 RootOfModel(const Model& model) {
  return StateTree::ComputeRoot(std::vector<std::pair<Hash32, Hash32>>(model.begin(), model.end()));
}

TEST(StateTreeTest, EmptyAndSingleLeafRoots) {
  TreeHarness h;
  EXPECT_EQ(h.Apply({}), kEmptySubtreeHash);
  Hash32 p = PathOfKey(1), v = ValueHash("v");
  EXPECT_EQ(h.Apply({{p, v}}), StateLeafHash(p, v));
  EXPECT_EQ(h.Apply({{p, std::nullopt}}), kEmptySubtreeHash);
  EXPECT_EQ(StateTree::ComputeRoot({}), kEmptySubtreeHash);
}

TEST(StateTreeTest, TwoLeavesSplitAtFirstDifferingBit) {
  Hash32 a{}, b{};
  b[0] = 0x80;  // differs at bit 0
  Hash32 va = ValueHash("a"), vb = ValueHash("b");
  Hash32 expected = StateInternalHash(StateLeafHash(a, va), StateLeafHash(b, vb));
  TreeHarness h;
  EXPECT_EQ(h.Apply({{a, va}, {b, vb}}), expected);

  // Differing only at bit 2: two one-sided internal nodes above the split.
  Hash32 c{};
  c[0] = 0x20;
  TreeHarness h2;
  Hash32 split = StateInternalHash(StateLeafHash(a, va), StateLeafHash(c, vb));
  Hash32 expected2 = StateInternalHash(StateInternalHash(split, kEmptySubtreeHash), kEmptySubtreeHash);
  EXPECT_EQ(h2.Apply({{a, va}, {c, vb}}), expected2);
}

TEST(StateTreeTest, DeepSharedPrefixesAndCollapse) {
  TreeHarness h;
  Hash32 base = PathOfKey(7);
  Hash32 last_bit = base, mid_bit = base, first_bit = base;
  last_bit[31] ^= 0x01;   // shares 255 bits
  mid_bit[15] ^= 0x10;    // shares 123 bits
  first_bit[0] ^= 0x80;
  std::map<Hash32, std::optional<Hash32>> all = {{base, ValueHash("0")}, {last_bit, ValueHash("1")},
                                                 {mid_bit, ValueHash("2")}, {first_bit, ValueHash("3")}};
  Hash32 root = h.Apply(all);
  EXPECT_EQ(root, RootOfModel(h.model()));
  for (const Hash32& p : {base, last_bit, mid_bit, first_bit, PathOfKey(8)}) {
    auto proof = h.tree().Prove(p, h.version());
    ASSERT_TRUE(proof.ok());
    CheckProof(p, *proof, h.model());
  }
  auto deep = h.tree().Prove(base, h.version());
  EXPECT_EQ(deep->siblings.size(), 256u);
  // Deleting the deep neighbour lifts `base` back up to depth 124.
  root = h.Apply({{last_bit, std::nullopt}});
  EXPECT_EQ(root, RootOfModel(h.model()));
  EXPECT_EQ(h.tree().Prove(base, h.version())->siblings.size(), 124u);
  EXPECT_EQ(h.Apply({{mid_bit, std::nullopt}, {first_bit, std::nullopt}}), StateLeafHash(base, ValueHash("0")));
  EXPECT_EQ(h.Leaves(h.version()).size(), 1u);
}

TEST(StateTreeTest, RootIsIndependentOfInsertionOrderAndBatching) {
  std::vector<std::pair<Hash32, Hash32>> entries;
  for (int i = 0; i < 300; ++i) entries.emplace_back(PathOfKey(i), ValueHash("v" + std::to_string(i)));
  Hash32 expected = StateTree::ComputeRoot(entries);

  std::mt19937 rng(7);
  for (int trial = 0; trial < 4; ++trial) {
    std::shuffle(entries.begin(), entries.end(), rng);
    TreeHarness h(trial % 2 ? 0 : 1 << 20);  // with and without the node cache
    size_t i = 0;
    Hash32 root{};
    while (i < entries.size()) {
      size_t n = 1 + rng() % (trial + 1) * 37;
      std::map<Hash32, std::optional<Hash32>> batch;
      for (; n > 0 && i < entries.size(); --n, ++i) batch[entries[i].first] = entries[i].second;
      root = h.Apply(batch);
    }
    EXPECT_EQ(root, expected) << "trial " << trial;
  }
}

class StateTreeRandomTest : public ::testing::TestWithParam<size_t> {};

TEST_P(StateTreeRandomTest, MatchesModelThroughInsertUpdateDelete) {
  TreeHarness h(GetParam());
  std::mt19937 rng(1234);
  const int kKeys = 400;
  h.Apply({});
  for (int round = 0; round < 40; ++round) {
    std::map<Hash32, std::optional<Hash32>> batch;
    int n = 1 + static_cast<int>(rng() % 60);
    for (int j = 0; j < n; ++j) {
      Hash32 p = PathOfKey(static_cast<int>(rng() % kKeys));
      int op = static_cast<int>(rng() % 10);
      if (op < 3) {
        batch[p] = std::nullopt;  // delete (maybe absent)
      } else {
        batch[p] = ValueHash("r" + std::to_string(round) + "-" + std::to_string(op));
      }
    }
    Hash32 root = h.Apply(batch);
    ASSERT_EQ(root, RootOfModel(h.model())) << "round " << round;
    ASSERT_EQ(h.tree().RootOf(h.version()).value(), root);
    auto leaves = h.Leaves(h.version());
    const std::vector<std::pair<Hash32, Hash32>> expected(h.model().begin(), h.model().end());
    ASSERT_EQ(leaves, expected);
  }
  // Every key, present or absent, has a proof that folds to the root.
  size_t ends_empty = 0, ends_other_leaf = 0;
  for (int i = 0; i < kKeys + 100; ++i) {
    Hash32 p = PathOfKey(i);
    auto proof = h.tree().Prove(p, h.version());
    ASSERT_TRUE(proof.ok());
    CheckProof(p, *proof, h.model());
    if (!h.model().count(p)) (proof->ends_at_leaf ? ends_other_leaf : ends_empty)++;
  }
  EXPECT_GT(ends_empty, 0u);
  EXPECT_GT(ends_other_leaf, 0u);
}

INSTANTIATE_TEST_SUITE_P(CacheSizes, StateTreeRandomTest, ::testing::Values(0, 64 << 10, 8 << 20));

TEST(StateTreeTest, LargeBatchesMatchModel) {
  // Batches this large update the root's halves on two threads.
  for (size_t cache : {size_t{0}, size_t{64} << 20}) {
    TreeHarness h(cache);
    std::mt19937 rng(77);
    for (int round = 0; round < 4; ++round) {
      std::map<Hash32, std::optional<Hash32>> batch;
      for (int j = 0; j < 7000; ++j) {
        Hash32 p = PathOfKey(static_cast<int>(rng() % 12000));
        batch[p] = (round > 0 && rng() % 4 == 0) ? std::nullopt
                                                  : std::optional<Hash32>(ValueHash(std::to_string(rng())));
      }
      Hash32 root = h.Apply(batch);
      ASSERT_EQ(root, RootOfModel(h.model())) << "round " << round;
    }
    const std::vector<std::pair<Hash32, Hash32>> expected(h.model().begin(), h.model().end());
    EXPECT_EQ(h.Leaves(h.version()), expected);
    for (int k = 0; k < 12000; k += 97) CheckProof(PathOfKey(k), h.tree().Prove(PathOfKey(k), h.version()).value(), h.model());
    ASSERT_TRUE(h.tree().Prune(0, h.version(), false).ok());
    EXPECT_EQ(h.CountKeys(store::kTreeNode), CanonicalNodeCount(h.model()));
  }
}

TEST(StateTreeTest, ProofsAtOldVersions) {
  TreeHarness h;
  std::mt19937 rng(99);
  for (int v = 0; v < 15; ++v) {
    std::map<Hash32, std::optional<Hash32>> batch;
    for (int j = 0; j < 20; ++j) {
      int k = static_cast<int>(rng() % 50);
      batch[PathOfKey(k)] = (rng() % 4 == 0) ? std::nullopt : std::optional<Hash32>(ValueHash(std::to_string(v * 100 + j)));
    }
    h.Apply(batch);
  }
  for (uint64_t v = 0; v <= h.version(); ++v) {
    const Model& then = h.model_at(v);
    ASSERT_EQ(h.tree().RootOf(v).value(), RootOfModel(then));
    for (int k = 0; k < 50; ++k) {
      auto proof = h.tree().Prove(PathOfKey(k), v);
      ASSERT_TRUE(proof.ok());
      CheckProof(PathOfKey(k), *proof, then);
    }
  }
  EXPECT_EQ(h.tree().RootOf(h.version() + 1).status().code(), Code::kNotFound);
}

TEST(StateTreeTest, TamperedProofsDoNotFold) {
  TreeHarness h;
  std::map<Hash32, std::optional<Hash32>> batch;
  for (int i = 0; i < 100; ++i) batch[PathOfKey(i)] = ValueHash(std::to_string(i));
  h.Apply(batch);
  Hash32 p = PathOfKey(5);
  TreeProof proof = h.tree().Prove(p, 0).value();
  ASSERT_EQ(FoldProof(p, proof, ValueHash("5")), proof.root);
  EXPECT_NE(FoldProof(p, proof, ValueHash("6")), proof.root);
  TreeProof absent = proof;  // claims the subtree is empty
  absent.ends_at_leaf = false;
  EXPECT_NE(FoldProof(p, absent, std::nullopt), proof.root);
  TreeProof flipped = proof;
  flipped.siblings[1][0] ^= 1;
  EXPECT_NE(FoldProof(p, flipped, ValueHash("5")), proof.root);
  TreeProof shorter = proof;
  shorter.siblings.pop_back();
  EXPECT_NE(FoldProof(p, shorter, ValueHash("5")), proof.root);
  EXPECT_NE(FoldProof(PathOfKey(6), proof, ValueHash("5")), proof.root);  // other key
}

TEST(StateTreeTest, UnsortedOrDuplicateUpdatesAreRefused) {
  TreeHarness h;
  leveldb::WriteBatch batch;
  std::vector<TreeUpdate> ups = {{PathOfKey(2), ValueHash("a")}, {PathOfKey(1), ValueHash("b")}};
  if (ups[0].path < ups[1].path) std::swap(ups[0], ups[1]);
  auto none = [](size_t) -> Result<Bytes> { return Bytes(); };
  EXPECT_FALSE(h.tree().Stage(std::nullopt, 0, ups, none, &batch).ok());
  std::vector<TreeUpdate> dup = {{PathOfKey(1), ValueHash("a")}, {PathOfKey(1), ValueHash("b")}};
  EXPECT_FALSE(h.tree().Stage(std::nullopt, 0, dup, none, &batch).ok());
  EXPECT_FALSE(h.tree().Stage(5, 5, {}, none, &batch).ok());
}

TEST(StateTreeTest, PruneKeepsNewerVersionsAndLeavesNoGarbage) {
  TreeHarness h;
  std::mt19937 rng(5);
  for (int v = 0; v < 25; ++v) {
    std::map<Hash32, std::optional<Hash32>> batch;
    for (int j = 0; j < 40; ++j) {
      int k = static_cast<int>(rng() % 200);
      batch[PathOfKey(k)] = (rng() % 5 == 0) ? std::nullopt : std::optional<Hash32>(ValueHash(std::to_string(rng())));
    }
    h.Apply(batch);
  }
  const size_t nodes_before = h.CountKeys(store::kTreeNode);
  ASSERT_TRUE(h.tree().Prune(0, 15, false).ok());
  EXPECT_LT(h.CountKeys(store::kTreeNode), nodes_before);
  for (uint64_t v = 0; v < 15; ++v) EXPECT_EQ(h.tree().RootOf(v).status().code(), Code::kNotFound);
  for (uint64_t v = 15; v <= h.version(); ++v) {
    ASSERT_EQ(h.tree().RootOf(v).value(), RootOfModel(h.model_at(v)));
    auto leaves = h.Leaves(v);
    ASSERT_EQ(leaves.size(), h.model_at(v).size());
    for (int k = 0; k < 200; k += 7) CheckProof(PathOfKey(k), h.tree().Prove(PathOfKey(k), v).value(), h.model_at(v));
  }
  // Pruning everything below the tip leaves exactly the tip's nodes.
  ASSERT_TRUE(h.tree().Prune(15, h.version(), false).ok());
  EXPECT_EQ(h.CountKeys(store::kTreeNode), CanonicalNodeCount(h.model()));
  {
    // Every live node is on disk (not only in the cache).
    StateTree uncached(h.db(), 0);
    size_t n = 0;
    EXPECT_TRUE(uncached.ForEachLeaf(h.version(), nullptr, [&](auto&, auto&) { ++n; return true; }).ok());
    EXPECT_EQ(n, h.model().size());
  }
  EXPECT_EQ(h.CountKeys(store::kTreeRoot), 1u);
  EXPECT_EQ(h.CountKeys(store::kStale), 0u);
  EXPECT_EQ(h.CountKeys(store::kArchive), 0u);
  EXPECT_EQ(h.tree().RootOf(h.version()).value(), RootOfModel(h.model()));
  // The tree keeps working after pruning.
  Hash32 root = h.Apply({{PathOfKey(1000), ValueHash("new")}, {PathOfKey(3), std::nullopt}});
  EXPECT_EQ(root, RootOfModel(h.model()));
}

TEST(StateTreeTest, NodeLayoutIsCanonical) {
  // Whatever the history, the live nodes are the canonical layout of the live set.
  TreeHarness h;
  std::mt19937 rng(11);
  for (int v = 0; v < 30; ++v) {
    std::map<Hash32, std::optional<Hash32>> batch;
    for (int j = 0; j < 30; ++j) {
      batch[PathOfKey(static_cast<int>(rng() % 300))] =
          (rng() % 3 == 0) ? std::nullopt : std::optional<Hash32>(ValueHash(std::to_string(rng())));
    }
    h.Apply(batch);
    ASSERT_TRUE(h.tree().Prune(h.version(), h.version(), false).ok());
    ASSERT_EQ(h.CountKeys(store::kTreeNode), CanonicalNodeCount(h.model())) << "version " << v;
  }
}

}  // namespace
}  // namespace civic::ledger
