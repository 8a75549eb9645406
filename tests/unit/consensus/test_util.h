// Shared fixtures of the consensus unit tests: deterministic validator keys and
// helpers to pick actions out of a core's output.
#pragma once

#include <optional>
#include <vector>

#include "consensus/core.h"
#include "consensus/signer.h"
#include "consensus/validator_set.h"

namespace civic::consensus::testing {

inline constexpr char kChain[] = "test-chain";

// n Ed25519 validators of power 1 (or the given powers), indexed in the sorted
// order of the set, with a signer each.
struct Validators {
  explicit Validators(size_t n, std::vector<uint64_t> powers = {});
  ValidatorSet set;
  std::vector<std::unique_ptr<KeyPairSigner>> signers;  // by validator index
  const Signer& signer(size_t index) const { return *signers[index]; }
};

// A deterministic key from a small number.
crypto::KeyPair TestKey(uint64_t n);

// A 32-byte block hash for the test block bytes (SHA-256).
Bytes HashOf(const Bytes& block);

template <typename T>
std::vector<T> ActionsOf(const Output& out) {
  std::vector<T> found;
  for (const Action& a : out.actions) {
    if (const T* t = std::get_if<T>(&a)) found.push_back(*t);
  }
  return found;
}

// Votes of `type` this core broadcast in `out`.
std::vector<pb::Vote> SentVotes(const Output& out, VoteType type);
std::vector<pb::BlockProposal> SentProposals(const Output& out);

}  // namespace civic::consensus::testing
