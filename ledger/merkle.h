// Binary Merkle tree over a list of leaves (RFC 6962 style: leaf hash
// H(0x00||leaf), node hash H(0x01||l||r), an odd node is promoted), with proofs.
#pragma once

#include <vector>

#include "crypto/base/bytes.h"

namespace civic::ledger {

// Root of `leaves`; the root of an empty list is SHA-256("").
Bytes MerkleRoot(const std::vector<Bytes>& leaves);
// Audit path for leaf `index`, from the leaf level up.
std::vector<Bytes> MerkleProof(const std::vector<Bytes>& leaves, size_t index);
bool VerifyMerkleProof(const Bytes& root, const Bytes& leaf, size_t index, size_t count,
                       const std::vector<Bytes>& proof);

}  // namespace civic::ledger
