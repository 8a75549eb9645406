#include "rpc/codec/proof.h"

#include "crypto/base/bytes.h"
#include "crypto/hash.h"
#include "rpc/codec/chain.h"

namespace civic::rpc {

json::object LightBlockJson(const pb::LightBlock& block) {
  json::object out;
  out["header_bytes"] = ToHex(block.header());
  out["block_hash"] = ToHex(crypto::Sha256(block.header()));
  pb::BlockHeader header;
  if (header.ParseFromString(block.header())) out["header"] = HeaderJson(header);
  out["commit"] = CommitJson(block.commit());
  out["validators"] = ValidatorsJson(block.validators());
  out["next_validators"] = ValidatorsJson(block.next_validators());
  return out;
}

json::object StateProofJson(const pb::StateProof& proof) {
  json::object out;
  out["key"] = ToHex(proof.key());
  out["exists"] = proof.exists();
  out["value"] = ToHex(proof.value());
  out["version"] = proof.version();
  out["root"] = ToHex(proof.root());
  out["depth"] = proof.depth();
  json::array siblings;
  for (const Bytes& s : proof.siblings()) siblings.emplace_back(ToHex(s));
  out["siblings"] = std::move(siblings);
  out["leaf_path"] = ToHex(proof.leaf_path());
  out["leaf_value_hash"] = ToHex(proof.leaf_value_hash());
  return out;
}

json::object LightProofJson(const pb::LightProof& proof) {
  json::object out;
  out["chain_id"] = proof.chain_id();
  out["height"] = proof.height();
  out["block"] = LightBlockJson(proof.block());
  json::array entries;
  for (const pb::StateProof& e : proof.entries()) entries.emplace_back(StateProofJson(e));
  out["entries"] = std::move(entries);
  json::array path;
  for (const pb::LightBlock& b : proof.validator_path()) path.emplace_back(LightBlockJson(b));
  out["validator_path"] = std::move(path);
  out["proto"] = Base64UrlEncode(proof.SerializeAsString());
  return out;
}

json::object LightHeadersJson(const pb::LightHeaders& headers) {
  json::object out;
  json::array blocks;
  for (const pb::LightBlock& b : headers.blocks()) blocks.emplace_back(LightBlockJson(b));
  out["blocks"] = std::move(blocks);
  out["proto"] = Base64UrlEncode(headers.SerializeAsString());
  return out;
}

}  // namespace civic::rpc
