#include "tests/unit/consensus/test_util.h"

#include "crypto/hash.h"

namespace civic::consensus::testing {

crypto::KeyPair TestKey(uint64_t n) {
  Bytes seed = "consensus-test-key";
  PutBigEndian64(&seed, n);
  return crypto::KeyPair::FromSecret(crypto::Algo::kEd25519, crypto::Sha256(seed)).value();
}

Validators::Validators(size_t n, std::vector<uint64_t> powers) {
  std::vector<ValidatorSet::Member> members;
  std::vector<crypto::KeyPair> keys;
  for (size_t i = 0; i < n; ++i) {
    keys.push_back(TestKey(i + 1));
    members.push_back({keys.back().public_key(), powers.empty() ? 1 : powers[i]});
  }
  set = ValidatorSet::Create(members).value();
  signers.resize(n);
  for (auto& k : keys) {
    const size_t index = *set.IndexOf(k.public_key());
    signers[index] = std::make_unique<KeyPairSigner>(k);
  }
}

Bytes HashOf(const Bytes& block) { return crypto::Sha256(block); }

std::vector<pb::Vote> SentVotes(const Output& out, VoteType type) {
  std::vector<pb::Vote> votes;
  for (const Broadcast& b : ActionsOf<Broadcast>(out)) {
    if (b.message.has_vote() && b.message.vote().type() == static_cast<uint32_t>(type)) {
      votes.push_back(b.message.vote());
    }
  }
  return votes;
}

std::vector<pb::BlockProposal> SentProposals(const Output& out) {
  std::vector<pb::BlockProposal> props;
  for (const Broadcast& b : ActionsOf<Broadcast>(out)) {
    if (b.message.has_proposal()) props.push_back(b.message.proposal());
  }
  return props;
}

}  // namespace civic::consensus::testing
