#include "ledger/merkle.h"

#include <gtest/gtest.h>

#include "crypto/hash.h"

namespace civic::ledger {
namespace {

Bytes H(std::string_view a) { return crypto::Sha256(a); }
Bytes Leaf(const Bytes& x) { return crypto::Sha256Concat({std::string_view("\x00", 1), x}); }
Bytes Node(const Bytes& l, const Bytes& r) { return crypto::Sha256Concat({std::string_view("\x01", 1), l, r}); }

// RFC 6962 section 2.1 written out: split at the largest power of two below n.
Bytes Rfc6962(const std::vector<Bytes>& d, size_t lo, size_t hi) {
  size_t n = hi - lo;
  if (n == 1) return Leaf(d[lo]);
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  return Node(Rfc6962(d, lo, lo + k), Rfc6962(d, lo + k, hi));
}

std::vector<Bytes> Leaves(size_t n) {
  std::vector<Bytes> out;
  for (size_t i = 0; i < n; ++i) out.push_back("leaf-" + std::to_string(i));
  return out;
}

TEST(MerkleTest, EmptyRootIsHashOfEmptyString) { EXPECT_EQ(MerkleRoot({}), H("")); }

TEST(MerkleTest, SingleLeafRootIsLeafHash) { EXPECT_EQ(MerkleRoot({"a"}), Leaf("a")); }

TEST(MerkleTest, RootsMatchRfc6962ForManyCounts) {
  for (size_t n = 1; n <= 33; ++n) {
    auto leaves = Leaves(n);
    EXPECT_EQ(MerkleRoot(leaves), Rfc6962(leaves, 0, n)) << "n=" << n;
  }
}

TEST(MerkleTest, OddCountPromotesLastNode) {
  auto l = Leaves(3);
  EXPECT_EQ(MerkleRoot(l), Node(Node(Leaf(l[0]), Leaf(l[1])), Leaf(l[2])));
  auto five = Leaves(5);
  Bytes four = Node(Node(Leaf(five[0]), Leaf(five[1])), Node(Leaf(five[2]), Leaf(five[3])));
  EXPECT_EQ(MerkleRoot(five), Node(four, Leaf(five[4])));
}

TEST(MerkleTest, EveryProofVerifiesForManyCounts) {
  for (size_t n = 1; n <= 20; ++n) {
    auto leaves = Leaves(n);
    Bytes root = MerkleRoot(leaves);
    for (size_t i = 0; i < n; ++i) {
      auto proof = MerkleProof(leaves, i);
      EXPECT_TRUE(VerifyMerkleProof(root, leaves[i], i, n, proof)) << "n=" << n << " i=" << i;
    }
  }
}

TEST(MerkleTest, BadProofsAreRejected) {
  auto leaves = Leaves(7);
  Bytes root = MerkleRoot(leaves);
  auto proof = MerkleProof(leaves, 2);
  ASSERT_TRUE(VerifyMerkleProof(root, leaves[2], 2, 7, proof));
  EXPECT_FALSE(VerifyMerkleProof(root, "other", 2, 7, proof));             // wrong leaf
  EXPECT_FALSE(VerifyMerkleProof(root, leaves[2], 3, 7, proof));           // wrong index
  EXPECT_FALSE(VerifyMerkleProof(root, leaves[2], 2, 4, proof));           // wrong count
  auto last = MerkleProof(leaves, 6);
  EXPECT_FALSE(VerifyMerkleProof(root, leaves[6], 6, 8, last));            // wrong count
  EXPECT_FALSE(VerifyMerkleProof(root, leaves[2], 7, 7, proof));           // index out of range
  EXPECT_FALSE(VerifyMerkleProof(root, leaves[2], 0, 0, {}));              // empty tree
  EXPECT_FALSE(VerifyMerkleProof(H("x"), leaves[2], 2, 7, proof));         // wrong root
  auto tampered = proof;
  tampered[0][0] ^= 1;
  EXPECT_FALSE(VerifyMerkleProof(root, leaves[2], 2, 7, tampered));        // changed sibling
  auto shorter = proof;
  shorter.pop_back();
  EXPECT_FALSE(VerifyMerkleProof(root, leaves[2], 2, 7, shorter));         // missing sibling
  auto longer = proof;
  longer.push_back(H("extra"));
  EXPECT_FALSE(VerifyMerkleProof(root, leaves[2], 2, 7, longer));          // extra sibling
  auto bad_size = proof;
  bad_size[1] = "short";
  EXPECT_FALSE(VerifyMerkleProof(root, leaves[2], 2, 7, bad_size));        // malformed sibling
}

TEST(MerkleTest, LastLeafOfOddTreeHasShortProof) {
  auto leaves = Leaves(5);
  auto proof = MerkleProof(leaves, 4);
  EXPECT_EQ(proof.size(), 1u);  // promoted twice, one sibling at the top
  EXPECT_TRUE(VerifyMerkleProof(MerkleRoot(leaves), leaves[4], 4, 5, proof));
  EXPECT_TRUE(MerkleProof(leaves, 5).empty());
}

TEST(MerkleTest, LeafAndNodeDomainsDiffer) {
  // A two-leaf tree must not equal a one-leaf tree whose leaf is the concatenation.
  auto two = std::vector<Bytes>{"a", "b"};
  EXPECT_NE(MerkleRoot(two), MerkleRoot({Leaf("a") + Leaf("b")}));
}

}  // namespace
}  // namespace civic::ledger
