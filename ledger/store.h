// The key layout of a chain database: one LevelDB database per node holds the
// blocks, the txs, the flat state, the indexes, the authenticated state tree and
// the meta records. Every key starts with one prefix byte; integers are fixed-width
// big-endian so that they sort as numbers.
//
//   'M' name                       -> meta record: "chain_id", "genesis_hash",
//                                     "genesis_time" (BE64), "tip" (pb::ChainTip),
//                                     "prune_floor" (BE64: oldest provable version)
//   'B' BE64(height)               -> pb::StoredBlock without its txs (header,
//                                     last_commit, evidence, commit)
//   'X' BE64(height) BE32(index)   -> raw SignedTx bytes (each tx stored once; a block
//                                     is reassembled by one range scan)
//   'H' block_hash                 -> BE64(height)
//   'L' tx_id                      -> pb::TxLocation (height, index, result); also the
//                                     replay check: an id here is committed
//   'V' BE64(height)               -> pb::ValidatorSet that signs blocks from `height`
//                                     on (written when the set changes)
//   's' key                        -> state value (Space::kState, flat copy of the
//                                     tree's leaves for fast reads and ordered scans)
//   'i' key                        -> index value (Space::kIndex, not authenticated)
//   'N' BE64(version) u8(depth) packed_nibbles
//                                  -> state tree node written at `version` (see
//                                     state_tree.h for the node encoding)
//   'R' BE64(version)              -> the tree root of `version`
//   'A' path BE64(version)         -> value of the state key with tree path `path`
//                                     as it was before it changed at `version`
//                                     (serves proofs at old versions)
//   'S' BE64(version)              -> the nodes `version` replaced and the values it
//                                     archived: nothing from version on needs them;
//                                     pruning deletes them once `version` <= the
//                                     prune floor (encoding in state_tree.cc)
//
// Everything one block changes goes into one WriteBatch. Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "crypto/base/bytes.h"

namespace civic::ledger::store {

constexpr char kMeta = 'M';
constexpr char kBlock = 'B';
constexpr char kBlockTx = 'X';
constexpr char kBlockByHash = 'H';
constexpr char kTxLocation = 'L';
constexpr char kValidators = 'V';
constexpr char kState = 's';
constexpr char kIndex = 'i';
constexpr char kTreeNode = 'N';
constexpr char kTreeRoot = 'R';
constexpr char kArchive = 'A';
constexpr char kStale = 'S';

constexpr std::string_view kMetaChainId = "chain_id";
constexpr std::string_view kMetaGenesisHash = "genesis_hash";
constexpr std::string_view kMetaGenesisTime = "genesis_time";
constexpr std::string_view kMetaTip = "tip";
constexpr std::string_view kMetaPruneFloor = "prune_floor";

Bytes MetaKey(std::string_view name);
Bytes BlockKey(uint64_t height);
Bytes BlockTxKey(uint64_t height, uint32_t index);
Bytes BlockTxPrefix(uint64_t height);
Bytes BlockByHashKey(std::string_view block_hash);
Bytes TxLocationKey(std::string_view tx_id);
Bytes ValidatorsKey(uint64_t height);
// Space::kState / Space::kIndex keys: the space byte followed by the key.
Bytes SpaceKey(char space, std::string_view key);
Bytes TreeRootKey(uint64_t version);
Bytes ArchiveKey(std::string_view path, uint64_t version);
Bytes StaleKey(uint64_t version);

Bytes EncodeU64(uint64_t v);
// Requires in.size() >= 8.
uint64_t DecodeU64(std::string_view in);

// Unsigned LEB128 varints for compact values.
void PutVarint(Bytes* out, uint64_t v);
// Reads a varint from *in and advances it; false on truncation or overflow.
bool GetVarint(std::string_view* in, uint64_t* v);

}  // namespace civic::ledger::store
