#include "ledger/store.h"

namespace civic::ledger::store {

namespace {

Bytes Prefixed(char prefix, std::string_view rest) {
  Bytes out;
  out.reserve(1 + rest.size());
  out.push_back(prefix);
  out.append(rest);
  return out;
}

Bytes PrefixedU64(char prefix, uint64_t v) {
  Bytes out(1, prefix);
  PutBigEndian64(&out, v);
  return out;
}

}  // namespace

Bytes MetaKey(std::string_view name) { return Prefixed(kMeta, name); }
Bytes BlockKey(uint64_t height) { return PrefixedU64(kBlock, height); }

Bytes BlockTxKey(uint64_t height, uint32_t index) {
  Bytes out = PrefixedU64(kBlockTx, height);
  PutBigEndian32(&out, index);
  return out;
}

Bytes BlockTxPrefix(uint64_t height) { return PrefixedU64(kBlockTx, height); }
Bytes BlockByHashKey(std::string_view block_hash) { return Prefixed(kBlockByHash, block_hash); }
Bytes TxLocationKey(std::string_view tx_id) { return Prefixed(kTxLocation, tx_id); }
Bytes ValidatorsKey(uint64_t height) { return PrefixedU64(kValidators, height); }
Bytes SpaceKey(char space, std::string_view key) { return Prefixed(space, key); }
Bytes TreeRootKey(uint64_t version) { return PrefixedU64(kTreeRoot, version); }

Bytes ArchiveKey(std::string_view path, uint64_t version) {
  Bytes out = Prefixed(kArchive, path);
  PutBigEndian64(&out, version);
  return out;
}

Bytes StaleKey(uint64_t version) { return PrefixedU64(kStale, version); }

Bytes EncodeU64(uint64_t v) {
  Bytes out;
  PutBigEndian64(&out, v);
  return out;
}

uint64_t DecodeU64(std::string_view in) { return GetBigEndian64(in); }

void PutVarint(Bytes* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && !in->empty(); shift += 7) {
    auto byte = static_cast<unsigned char>(in->front());
    in->remove_prefix(1);
    if (shift == 63 && byte > 1) return false;
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

}  // namespace civic::ledger::store
