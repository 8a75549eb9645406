#include "ledger/merkle.h"

#include "crypto/hash.h"

namespace civic::ledger {

namespace {

const std::string_view kLeafPrefix("\x00", 1);
const std::string_view kNodePrefix("\x01", 1);

Bytes LeafHash(const Bytes& leaf) { return crypto::Sha256Concat({kLeafPrefix, leaf}); }
Bytes NodeHash(const Bytes& left, const Bytes& right) {
  return crypto::Sha256Concat({kNodePrefix, left, right});
}

// Pairs neighbours level by level; the last node of an odd level moves up as is.
// This equals RFC 6962's split at the largest power of two below the count.
std::vector<Bytes> NextLevel(const std::vector<Bytes>& level) {
  std::vector<Bytes> next;
  next.reserve((level.size() + 1) / 2);
  for (size_t i = 0; i + 1 < level.size(); i += 2) next.push_back(NodeHash(level[i], level[i + 1]));
  if (level.size() % 2 == 1) next.push_back(level.back());
  return next;
}

std::vector<Bytes> LeafLevel(const std::vector<Bytes>& leaves) {
  std::vector<Bytes> level;
  level.reserve(leaves.size());
  for (const Bytes& leaf : leaves) level.push_back(LeafHash(leaf));
  return level;
}

}  // namespace

Bytes MerkleRoot(const std::vector<Bytes>& leaves) {
  if (leaves.empty()) return crypto::Sha256("");
  std::vector<Bytes> level = LeafLevel(leaves);
  while (level.size() > 1) level = NextLevel(level);
  return level.front();
}

std::vector<Bytes> MerkleProof(const std::vector<Bytes>& leaves, size_t index) {
  std::vector<Bytes> proof;
  if (index >= leaves.size()) return proof;
  std::vector<Bytes> level = LeafLevel(leaves);
  while (level.size() > 1) {
    size_t sibling = index ^ 1;
    if (sibling < level.size()) proof.push_back(level[sibling]);
    level = NextLevel(level);
    index /= 2;
  }
  return proof;
}

bool VerifyMerkleProof(const Bytes& root, const Bytes& leaf, size_t index, size_t count,
                       const std::vector<Bytes>& proof) {
  if (count == 0 || index >= count) return false;
  Bytes hash = LeafHash(leaf);
  size_t used = 0;
  for (size_t size = count; size > 1; size = (size + 1) / 2, index /= 2) {
    size_t sibling = index ^ 1;
    if (sibling >= size) continue;  // promoted without a partner
    if (used == proof.size()) return false;
    const Bytes& other = proof[used++];
    if (other.size() != hash.size()) return false;
    hash = (index % 2 == 0) ? NodeHash(hash, other) : NodeHash(other, hash);
  }
  return used == proof.size() && hash == root;
}

}  // namespace civic::ledger
