#include "light/verifier.h"

#include <map>
#include <utility>

#include "crypto/hash.h"
#include "ledger/block.h"
#include "ledger/chain.h"
#include "light/errors.h"

namespace civic::light {
namespace {

Status Refuse(const char* code, std::string message) { return Status::InvalidArgument(code, std::move(message)); }

using KeyId = std::pair<int, Bytes>;
KeyId IdOf(const pb::PublicKey& key) { return {static_cast<int>(key.algo()), key.key()}; }

unsigned __int128 TotalPower(const pb::ValidatorSet& set) {
  unsigned __int128 total = 0;
  for (const pb::Validator& v : set.validators()) total += v.power();
  return total;
}

// Power of `trusted` among the commit's signers. The signatures were verified
// by ledger::VerifyCommit before (each signer counted once there).
unsigned __int128 TrustedSignedPower(const pb::ValidatorSet& trusted, const pb::Commit& commit) {
  std::map<KeyId, uint64_t> power_of;
  for (const pb::Validator& v : trusted.validators()) power_of[IdOf(v.pub_key())] = v.power();
  unsigned __int128 power = 0;
  for (const pb::CommitSig& sig : commit.sigs()) {
    auto it = power_of.find(IdOf(sig.validator()));
    if (it == power_of.end()) continue;
    power += it->second;
    power_of.erase(it);
  }
  return power;
}

Status CheckTime(const TrustedState& trusted, const pb::BlockHeader& header, const VerifyOptions& options) {
  if (header.time_ms() <= trusted.time_ms) {
    return Refuse(err::LIGHT_TIME_NOT_MONOTONIC, "header " + std::to_string(header.height()) + " has time " +
                                                     std::to_string(header.time_ms()) + ", not after the trusted " +
                                                     std::to_string(trusted.time_ms));
  }
  if (options.now_ms > 0 && header.time_ms() > options.now_ms + options.max_clock_drift_ms) {
    return Refuse(err::LIGHT_HEADER_IN_FUTURE, "header " + std::to_string(header.height()) + " has time " +
                                                   std::to_string(header.time_ms()) + ", ahead of now " +
                                                   std::to_string(options.now_ms));
  }
  return Status::Ok();
}

Status CheckAdjacent(const TrustedState& trusted, const pb::BlockHeader& header) {
  if (header.validators_hash() != ledger::ValidatorSetHash(trusted.next_validators)) {
    return Refuse(err::LIGHT_UNTRUSTED_VALIDATORS, "header " + std::to_string(header.height()) +
                                                       " is signed by another set than the trusted header named next");
  }
  if (trusted.height > 0 && header.prev_block_hash() != trusted.block_hash) {
    return Refuse(err::LIGHT_PREV_HASH_MISMATCH, "header " + std::to_string(header.height()) +
                                                     " does not link to the trusted block " +
                                                     std::to_string(trusted.height));
  }
  return Status::Ok();
}

Status CheckSkip(const TrustedState& trusted, const pb::LightBlock& block, const VerifyOptions& options) {
  if (!trusted.from_genesis && options.trust_period_ms > 0 && options.now_ms > 0 &&
      options.now_ms - trusted.time_ms >= options.trust_period_ms) {
    return Refuse(err::LIGHT_TRUST_EXPIRED, "the trusted header " + std::to_string(trusted.height) +
                                                " is older than the trust period");
  }
  const unsigned __int128 total = TotalPower(trusted.next_validators);
  const unsigned __int128 vouched = TrustedSignedPower(trusted.next_validators, block.commit());
  if (total == 0 || vouched * 3 <= total) {
    return Refuse(err::LIGHT_TRUST_OVERLAP_TOO_LOW,
                  "trusted validators hold " + std::to_string(static_cast<uint64_t>(vouched)) + " of " +
                      std::to_string(static_cast<uint64_t>(total)) +
                      " power among the signers; more than 1/3 is needed (verify the headers in between)");
  }
  return Status::Ok();
}

TrustedState Advance(const TrustedState& trusted, const pb::BlockHeader& header, Bytes block_hash,
                     pb::ValidatorSet next) {
  TrustedState out;
  out.chain_id = trusted.chain_id;
  out.height = header.height();
  out.block_hash = std::move(block_hash);
  out.time_ms = header.time_ms();
  out.next_validators = std::move(next);
  out.from_genesis = trusted.from_genesis;
  return out;
}

}  // namespace

Result<TrustedState> TrustGenesis(std::string chain_id, int64_t genesis_time_ms, pb::ValidatorSet validators) {
  TrustedState t;
  t.chain_id = std::move(chain_id);
  t.time_ms = genesis_time_ms;
  CIVIC_ASSIGN_OR_RETURN(t.next_validators, ledger::NormaliseValidators(std::move(validators)));
  t.from_genesis = true;
  return t;
}

Result<pb::ValidatorSet> NextValidatorsOf(const pb::BlockHeader& header, const pb::LightBlock& block) {
  if (block.next_validators().validators_size() > 0) return block.next_validators();
  if (header.next_validators_hash() == header.validators_hash()) return block.validators();
  return Refuse(err::LIGHT_MALFORMED, "block " + std::to_string(header.height()) +
                                          " changes its validators but comes without the next set");
}

Result<pb::BlockHeader> VerifyLightBlock(std::string_view chain_id, const pb::LightBlock& block) {
  pb::BlockHeader header;
  if (block.header().empty() || !header.ParseFromString(block.header())) {
    return Refuse(err::LIGHT_MALFORMED, "the header does not decode");
  }
  if (header.chain_id() != chain_id) {
    return Refuse(err::LIGHT_WRONG_CHAIN, "header of chain '" + header.chain_id().substr(0, 64) + "', expected '" +
                                              std::string(chain_id) + "'");
  }
  const std::string at = "block " + std::to_string(header.height());
  if (header.height() == 0) return Refuse(err::LIGHT_MALFORMED, "a header has height 0");
  if (block.commit().height() != header.height()) {
    return Refuse(err::LIGHT_HEIGHT_MISMATCH, at + ": the commit is for height " +
                                                  std::to_string(block.commit().height()));
  }
  const Bytes block_hash = crypto::Sha256(block.header());
  if (block.commit().block_hash() != block_hash) {
    return Refuse(err::LIGHT_HEADER_HASH_MISMATCH, at + ": the commit is for another block hash");
  }
  if (ledger::ValidatorSetHash(block.validators()) != header.validators_hash()) {
    return Refuse(err::LIGHT_VALIDATORS_HASH_MISMATCH, at + ": the validator set does not hash to validators_hash");
  }
  if (block.next_validators().validators_size() > 0 &&
      ledger::ValidatorSetHash(block.next_validators()) != header.next_validators_hash()) {
    return Refuse(err::LIGHT_VALIDATORS_HASH_MISMATCH,
                  at + ": the next validator set does not hash to next_validators_hash");
  }
  if (Status st = ledger::VerifyCommit(chain_id, block.validators(), block.commit(), header.height(), block_hash);
      !st.ok()) {
    return Refuse(err::LIGHT_COMMIT_INVALID, at + ": " + st.message());
  }
  return header;
}

Result<TrustedState> TrustBlock(std::string_view chain_id, const pb::LightBlock& block) {
  CIVIC_ASSIGN_OR_RETURN(pb::BlockHeader header, VerifyLightBlock(chain_id, block));
  CIVIC_ASSIGN_OR_RETURN(pb::ValidatorSet next, NextValidatorsOf(header, block));
  TrustedState root;
  root.chain_id = std::string(chain_id);
  return Advance(root, header, crypto::Sha256(block.header()), std::move(next));
}

Result<TrustedState> VerifyAgainstTrust(const TrustedState& trusted, const pb::LightBlock& block,
                                        const VerifyOptions& options) {
  CIVIC_ASSIGN_OR_RETURN(pb::BlockHeader header, VerifyLightBlock(trusted.chain_id, block));
  Bytes block_hash = crypto::Sha256(block.header());
  if (header.height() == trusted.height) {
    if (block_hash == trusted.block_hash) return trusted;
    return Refuse(err::FORK_DETECTED, "block " + std::to_string(header.height()) +
                                          " has a valid commit but another hash than the trusted block");
  }
  if (header.height() < trusted.height) {
    return Refuse(err::LIGHT_HEIGHT_MISMATCH, "block " + std::to_string(header.height()) +
                                                  " is below the trusted height " + std::to_string(trusted.height));
  }
  CIVIC_RETURN_IF_ERROR(CheckTime(trusted, header, options));
  if (header.height() == trusted.height + 1) {
    CIVIC_RETURN_IF_ERROR(CheckAdjacent(trusted, header));
  } else {
    CIVIC_RETURN_IF_ERROR(CheckSkip(trusted, block, options));
  }
  pb::ValidatorSet next;
  if (auto n = NextValidatorsOf(header, block); n.ok()) next = std::move(*n);
  return Advance(trusted, header, std::move(block_hash), std::move(next));
}

}  // namespace civic::light
