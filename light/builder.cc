#include "light/builder.h"

#include "ledger/block.h"
#include "ledger/errors.h"
#include "light/errors.h"

namespace civic::light {

Result<pb::LightBlock> LightBlockAt(const ledger::Chain& chain, uint64_t height) {
  CIVIC_ASSIGN_OR_RETURN(pb::StoredBlock stored, chain.GetBlock(height));
  pb::LightBlock out;
  out.set_header(stored.block().header());
  *out.mutable_commit() = std::move(*stored.mutable_commit());
  CIVIC_ASSIGN_OR_RETURN(*out.mutable_validators(), chain.ValidatorsAt(height));
  CIVIC_ASSIGN_OR_RETURN(pb::ValidatorSet next, chain.ValidatorsAt(height + 1));
  if (ledger::ValidatorSetHash(next) != ledger::ValidatorSetHash(out.validators())) {
    *out.mutable_next_validators() = std::move(next);
  }
  return out;
}

Result<pb::LightProof> BuildProof(const ledger::Chain& chain, const std::vector<std::string>& keys,
                                  std::optional<uint64_t> height) {
  if (keys.empty() || keys.size() > kMaxProofKeys) {
    return Status::InvalidArgument(err::BAD_PROOF_REQUEST,
                                   "a proof holds 1.." + std::to_string(kMaxProofKeys) + " keys");
  }
  const uint64_t tip = chain.tip().height;
  if (tip == 0) {
    return Status::NotFound(err::STATE_VERSION_NOT_FOUND, "no block is committed yet: no header carries a state root");
  }
  const uint64_t version = height.value_or(tip - 1);
  if (version + 1 > tip) {
    return Status::NotFound(err::STATE_VERSION_NOT_FOUND,
                            "the state after block " + std::to_string(version) + " is carried by block " +
                                std::to_string(version + 1) + ", not committed yet (tip " + std::to_string(tip) + ")");
  }
  pb::LightProof proof;
  proof.set_chain_id(chain.options().chain_id);
  proof.set_height(version);
  for (const std::string& key : keys) {
    CIVIC_ASSIGN_OR_RETURN(*proof.add_entries(), chain.Prove(key, version));
  }
  CIVIC_ASSIGN_OR_RETURN(*proof.mutable_block(), LightBlockAt(chain, version + 1));
  CIVIC_ASSIGN_OR_RETURN(std::vector<uint64_t> changes,
                         chain.ValidatorChangeHeights(2, version + 1, kMaxPathChanges));
  for (uint64_t change : changes) {
    CIVIC_ASSIGN_OR_RETURN(*proof.add_validator_path(), LightBlockAt(chain, change - 1));
    if (change != version + 1) {
      CIVIC_ASSIGN_OR_RETURN(*proof.add_validator_path(), LightBlockAt(chain, change));
    }
  }
  return proof;
}

Result<pb::LightHeaders> BuildHeaders(const ledger::Chain& chain, uint64_t from, uint64_t to) {
  const uint64_t tip = chain.tip().height;
  if (from < 1 || from > to || to > tip || to - from + 1 > kMaxLightHeaders) {
    return Status::InvalidArgument(err::BAD_HEADER_RANGE,
                                   "headers are served for 1 <= from <= to <= " + std::to_string(tip) +
                                       ", at most " + std::to_string(kMaxLightHeaders) + " at once");
  }
  pb::LightHeaders out;
  for (uint64_t h = from; h <= to; ++h) {
    CIVIC_ASSIGN_OR_RETURN(*out.add_blocks(), LightBlockAt(chain, h));
  }
  return out;
}

}  // namespace civic::light
