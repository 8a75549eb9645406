#include "ledger/block.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <map>
#include <set>

#include "crypto/hash.h"
#include "ledger/errors.h"
#include "ledger/merkle.h"
#include "ledger/store.h"
#include "ledger/tx.h"

namespace civic::ledger {

namespace {

constexpr std::string_view kVoteDomain("civicledger/vote/v1\0", 20);

Status BadCommit(std::string msg) { return Status::InvalidArgument(err::BAD_COMMIT, std::move(msg)); }
Status BadEvidence(std::string msg) { return Status::InvalidArgument(err::BAD_EVIDENCE, std::move(msg)); }

Bytes Deterministic(const google::protobuf::MessageLite& msg) {
  Bytes out;
  msg.ByteSizeLong();
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    msg.SerializeWithCachedSizes(&coded);
  }
  return out;
}

std::string Short(std::string_view hash) { return ToHex(hash.substr(0, 8)); }

// A validator's identity in a set: algorithm and key bytes.
using KeyId = std::pair<int, Bytes>;
KeyId IdOf(const pb::PublicKey& key) { return {static_cast<int>(key.algo()), key.key()}; }

}  // namespace

Bytes BlockHash(const pb::Block& block) { return crypto::Sha256(block.header()); }

Bytes VoteSignBytes(std::string_view chain_id, uint32_t type, uint64_t height, uint32_t round,
                    std::string_view block_hash) {
  Bytes out;
  out.reserve(kVoteDomain.size() + chain_id.size() + 1 + 16 + block_hash.size());
  out.append(kVoteDomain);
  out.append(chain_id);
  out.push_back('\0');
  PutBigEndian32(&out, type);
  PutBigEndian64(&out, height);
  PutBigEndian32(&out, round);
  out.append(block_hash);
  return out;
}

// Leaf i = u8 algo || u8 key length || key || BE64 power || org; the root over the
// leaves in set order (RFC 6962 style, merkle.h).
Bytes ValidatorSetHash(const pb::ValidatorSet& set) {
  std::vector<Bytes> leaves;
  leaves.reserve(set.validators_size());
  for (const pb::Validator& v : set.validators()) {
    Bytes leaf;
    leaf.push_back(static_cast<char>(v.pub_key().algo() & 0xff));
    leaf.push_back(static_cast<char>(v.pub_key().key().size() & 0xff));
    leaf.append(v.pub_key().key());
    PutBigEndian64(&leaf, v.power());
    leaf.append(v.org());
    leaves.push_back(std::move(leaf));
  }
  return MerkleRoot(leaves);
}

Bytes CommitHash(const pb::Commit& commit) { return crypto::Sha256(Deterministic(commit)); }

namespace {
Bytes ResultLeaf(const pb::TxResult& result) {
  Bytes leaf;
  PutBigEndian32(&leaf, result.code());
  leaf.append(result.app_code());
  return leaf;
}
}  // namespace

Bytes ResultsHash(const std::vector<pb::TxResult>& results) {
  std::vector<Bytes> leaves;
  leaves.reserve(results.size());
  for (const pb::TxResult& r : results) leaves.push_back(ResultLeaf(r));
  return MerkleRoot(leaves);
}

Bytes EvidenceHash(const google::protobuf::RepeatedPtrField<pb::Evidence>& evidence) {
  std::vector<Bytes> leaves;
  leaves.reserve(evidence.size());
  for (const pb::Evidence& e : evidence) leaves.push_back(Deterministic(e));
  return MerkleRoot(leaves);
}

Status VerifyCommit(std::string_view chain_id, const pb::ValidatorSet& set, const pb::Commit& commit,
                    uint64_t height, std::string_view block_hash) {
  if (commit.height() != height) {
    return BadCommit("commit is for height " + std::to_string(commit.height()) + ", expected " +
                     std::to_string(height));
  }
  if (block_hash.empty() || commit.block_hash() != block_hash) {
    return BadCommit("commit is for block " + Short(commit.block_hash()) + ", expected " +
                     Short(block_hash));
  }
  std::map<KeyId, uint64_t> power_of;
  unsigned __int128 total = 0;
  for (const pb::Validator& v : set.validators()) {
    power_of[IdOf(v.pub_key())] = v.power();
    total += v.power();
  }
  if (total == 0) return BadCommit("validator set is empty or has no voting power");

  const Bytes sign_bytes = VoteSignBytes(chain_id, kPrecommit, height, commit.round(), block_hash);
  std::set<KeyId> seen;
  unsigned __int128 signed_power = 0;
  for (int i = 0; i < commit.sigs_size(); ++i) {
    const pb::CommitSig& sig = commit.sigs(i);
    KeyId id = IdOf(sig.validator());
    std::string who = FromProto(sig.validator()).ToString();
    auto member = power_of.find(id);
    if (member == power_of.end()) {
      return BadCommit("signature " + std::to_string(i) + " is by " + who + ", not a validator of this height");
    }
    if (!seen.insert(id).second) return BadCommit("validator " + who + " signed the commit twice");
    if (!crypto::Verify(FromProto(sig.validator()), sign_bytes, sig.sig())) {
      return BadCommit("signature " + std::to_string(i) + " by " + who + " does not verify");
    }
    signed_power += member->second;
  }
  if (signed_power * 3 <= total * 2) {
    return BadCommit("commit has voting power " + std::to_string(static_cast<uint64_t>(signed_power)) +
                     " of " + std::to_string(static_cast<uint64_t>(total)) +
                     "; more than 2/3 is needed");
  }
  return Status::Ok();
}

Status VerifyEvidence(std::string_view chain_id, const pb::ValidatorSet& set, const pb::Evidence& evidence) {
  const pb::Vote& a = evidence.a();
  const pb::Vote& b = evidence.b();
  if (a.type() != b.type() || (a.type() != kPrevote && a.type() != kPrecommit)) {
    return BadEvidence("the two votes are not of one valid type");
  }
  if (a.height() != b.height() || a.round() != b.round()) {
    return BadEvidence("the two votes are for different heights or rounds");
  }
  if (IdOf(a.validator()) != IdOf(b.validator())) return BadEvidence("the two votes are by different validators");
  if (a.block_hash() == b.block_hash()) return BadEvidence("the two votes are for the same block");
  bool member = false;
  for (const pb::Validator& v : set.validators()) member = member || IdOf(v.pub_key()) == IdOf(a.validator());
  if (!member) {
    return BadEvidence(FromProto(a.validator()).ToString() + " was not a validator at height " +
                       std::to_string(a.height()));
  }
  for (const pb::Vote* vote : {&a, &b}) {
    if (!crypto::Verify(FromProto(vote->validator()),
                        VoteSignBytes(chain_id, vote->type(), vote->height(), vote->round(), vote->block_hash()),
                        vote->sig())) {
      return BadEvidence("a vote signature does not verify");
    }
  }
  return Status::Ok();
}

}  // namespace civic::ledger
