#include "light/client.h"

#include <iterator>
#include <utility>

#include "crypto/hash.h"
#include "light/errors.h"

namespace civic::light {

LightClient::LightClient(TrustedState root, VerifyOptions options)
    : options_(options), root_height_(root.height) {
  states_[root.height] = Known{std::move(root), pb::LightBlock()};
}

Status LightClient::Conflict(const Known& held, const pb::LightBlock& block) {
  // Only a block that verifies from the trust below it is evidence; anything
  // else is just a bad block.
  auto below = states_.lower_bound(held.state.height);
  if (below == states_.begin()) {
    CIVIC_RETURN_IF_ERROR(VerifyLightBlock(held.state.chain_id, block).status());
  } else {
    CIVIC_RETURN_IF_ERROR(VerifyAgainstTrust(std::prev(below)->second.state, block, options_).status());
  }
  if (!fork_) {
    pb::ForkEvidence evidence;
    *evidence.mutable_a() = held.block;
    *evidence.mutable_b() = block;
    fork_ = std::move(evidence);
  }
  return Status::InvalidArgument(err::FORK_DETECTED, "two valid commits for height " +
                                                         std::to_string(held.state.height) + " name different blocks");
}

void LightClient::Remember(TrustedState state, const pb::LightBlock& block) {
  const uint64_t height = state.height;
  states_[height] = Known{std::move(state), block};
  while (states_.size() > kMaxRemembered) {
    auto oldest = std::next(states_.begin());  // never the root
    if (oldest->first == height) break;
    states_.erase(oldest);
  }
}

Status LightClient::Update(const pb::LightBlock& block) {
  pb::BlockHeader header;
  if (!header.ParseFromString(block.header())) {
    return Status::InvalidArgument(err::LIGHT_MALFORMED, "the header does not decode");
  }
  if (header.height() < root_height_) {
    return Status::InvalidArgument(err::LIGHT_HEIGHT_MISMATCH, "block " + std::to_string(header.height()) +
                                                                   " is below the trust root");
  }
  if (auto held = states_.find(header.height()); held != states_.end()) {
    if (held->second.state.block_hash == crypto::Sha256(block.header())) return Status::Ok();
    return Conflict(held->second, block);
  }
  auto above = states_.upper_bound(header.height());
  auto below = std::prev(above);
  CIVIC_ASSIGN_OR_RETURN(TrustedState next, VerifyAgainstTrust(below->second.state, block, options_));
  // A block between two known ones must also be vouched for by the one above it.
  if (above != states_.end() && above->first == header.height() + 1) {
    pb::BlockHeader later;
    later.ParseFromString(above->second.block.header());
    if (later.prev_block_hash() != next.block_hash) {
      if (!fork_) {
        pb::ForkEvidence evidence;
        *evidence.mutable_a() = above->second.block;
        *evidence.mutable_b() = block;
        fork_ = std::move(evidence);
      }
      return Status::InvalidArgument(err::FORK_DETECTED, "block " + std::to_string(header.height()) +
                                                             " has a valid commit but the trusted block after it "
                                                             "links to another");
    }
  }
  Remember(std::move(next), block);
  return Status::Ok();
}

Status LightClient::UpdateAll(const google::protobuf::RepeatedPtrField<pb::LightBlock>& blocks) {
  for (const pb::LightBlock& block : blocks) CIVIC_RETURN_IF_ERROR(Update(block));
  return Status::Ok();
}

}  // namespace civic::light
