// Fuzz target: consensus messages from peers (the consensus channel's
// pb::ConsensusMessage) driven into a real consensus::Core.
//
// Input: a sequence of records [kind][len_hi][len_lo][len bytes]. kind % 4:
//   0  a ConsensusMessage (proposal or vote) from a peer
//   1  a timeout of the current height and round (the step from the first byte)
//   2  the answer to the core's last ValidateBlock request (valid = low bit)
//   3  a CommitReceived: a pb::Commit for the last block the core was asked about
// Every message is first checked as received: shape (CheckVoteShape /
// CheckProposalShape) and real Ed25519 signatures (VerifyVoteSignature /
// VerifyProposalSignature), which random bytes never pass. The core itself then
// runs with a stand-in verifier that accepts a signature equal to the
// validator's public key bytes, so the fuzzer can speak as any of the four
// validators (keys seeds 1..4; this node is seed 1 and signs the same way).
// Properties, after every input: the core stays within its memory bounds
// (rounds stored, next-height buffer), and this node never signs two different
// proposals or votes for one (height, round, step).
#include <map>
#include <tuple>

#include "consensus/core.h"
#include "consensus/messages.h"
#include "tests/fuzz/fuzz_check.h"

namespace civic::fuzz {
namespace {

constexpr const char* kChainId = "fuzz-consensus-1";
constexpr size_t kValidators = 4;
constexpr uint32_t kMaxFutureRounds = 8;

crypto::KeyPair SeedKey(char seed) {
  return crypto::KeyPair::FromSecret(crypto::Algo::kEd25519, Bytes(32, seed)).value();
}

class KeyBytesVerifier final : public consensus::Verifier {
 public:
  bool Verify(const crypto::PublicKey& key, std::string_view, std::string_view sig) const override {
    return sig == key.key;
  }
};

class KeyBytesSigner final : public consensus::Signer {
 public:
  explicit KeyBytesSigner(crypto::PublicKey key) : key_(std::move(key)) {}
  const crypto::PublicKey& public_key() const override { return key_; }
  Bytes Sign(std::string_view) const override { return key_.key; }

 private:
  crypto::PublicKey key_;
};

struct Fixture {
  std::vector<crypto::KeyPair> keys;
  consensus::ValidatorSet set;
  std::unique_ptr<KeyBytesSigner> signer;
  KeyBytesVerifier verifier;
  consensus::CryptoVerifier crypto_verifier;

  Fixture() {
    std::vector<consensus::ValidatorSet::Member> members;
    for (char seed = 1; seed <= static_cast<char>(kValidators); ++seed) {
      keys.push_back(SeedKey(seed));
      members.push_back({keys.back().public_key(), 1});
    }
    set = consensus::ValidatorSet::Create(members).value();
    signer = std::make_unique<KeyBytesSigner>(keys[0].public_key());
  }
};

// What this node signed, by (height, round, kind): kind 0 = proposal, else the vote type.
using SignedKey = std::tuple<uint64_t, uint32_t, uint32_t>;

void NoteOwn(const consensus::Output& out, const crypto::PublicKey& self, std::map<SignedKey, Bytes>* signed_by_us) {
  for (const consensus::Action& action : out.actions) {
    const auto* broadcast = std::get_if<consensus::Broadcast>(&action);
    if (broadcast == nullptr) continue;
    const pb::ConsensusMessage& m = broadcast->message;
    SignedKey key;
    Bytes value;
    if (m.has_vote() && m.vote().validator().key() == self.key) {
      key = {m.vote().height(), m.vote().round(), m.vote().type()};
      value = m.vote().block_hash();
    } else if (m.has_proposal() && m.proposal().proposer().key() == self.key) {
      key = {m.proposal().height(), m.proposal().round(), 0};
      value = m.proposal().block_hash();
    } else {
      continue;
    }
    auto [it, fresh] = signed_by_us->emplace(key, value);
    FUZZ_CHECK(fresh || it->second == value);
  }
}

}  // namespace
}  // namespace civic::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace civic;
  using namespace civic::fuzz;
  static Fixture* fixture = new Fixture();
  consensus::CoreOptions options;
  options.chain_id = kChainId;
  options.max_future_rounds = kMaxFutureRounds;
  options.max_block_bytes = 1 << 16;
  consensus::Core core(options, fixture->signer.get(), &fixture->verifier);
  std::map<SignedKey, Bytes> signed_by_us;
  const crypto::PublicKey& self = fixture->signer->public_key();

  consensus::StartHeight start{1, fixture->set, {}};
  consensus::Output out = core.Handle(start);
  NoteOwn(out, self, &signed_by_us);
  std::optional<consensus::ValidateBlock> last_asked;
  auto remember = [&](const consensus::Output& o) {
    for (const consensus::Action& a : o.actions) {
      if (const auto* v = std::get_if<consensus::ValidateBlock>(&a)) last_asked = *v;
    }
  };
  remember(out);

  std::string_view in = AsText(data, size);
  for (int steps = 0; !in.empty() && steps < 64; ++steps) {
    const uint8_t kind = TakeByte(&in);
    size_t len = size_t{TakeByte(&in)} << 8;
    len |= TakeByte(&in);
    const std::string_view bytes = in.substr(0, std::min(len, in.size()));
    in.remove_prefix(bytes.size());
    consensus::Event event;
    switch (kind % 4) {
      case 0: {
        pb::ConsensusMessage message;
        if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) continue;
        if (message.has_vote()) {
          const pb::Vote& vote = message.vote();
          if (consensus::CheckVoteShape(vote).ok()) {
            Status real = consensus::VerifyVoteSignature(kChainId, vote, fixture->crypto_verifier);
            FUZZ_CHECK(real.ok() || real.app_code() == "BAD_SIGNATURE");
          }
          event = consensus::VoteReceived{vote};
        } else if (message.has_proposal()) {
          const pb::BlockProposal& proposal = message.proposal();
          if (consensus::CheckProposalShape(proposal, options.max_block_bytes).ok()) {
            Status real = consensus::VerifyProposalSignature(kChainId, proposal, fixture->crypto_verifier);
            FUZZ_CHECK(real.ok() || real.app_code() == "BAD_SIGNATURE");
          }
          event = consensus::ProposalReceived{proposal};
        } else {
          continue;
        }
        break;
      }
      case 1: {
        const uint8_t step = bytes.empty() ? 0 : static_cast<uint8_t>(bytes[0]);
        event = consensus::TimeoutFired{core.height(), core.round(), static_cast<consensus::Step>(1 + step % 3)};
        break;
      }
      case 2:
        if (!last_asked) continue;
        event = consensus::BlockValidated{last_asked->height, last_asked->block_hash,
                                          !bytes.empty() && (bytes[0] & 1)};
        break;
      case 3: {
        pb::Commit commit;
        if (!last_asked || !commit.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) continue;
        event = consensus::CommitReceived{last_asked->block, last_asked->block_hash, commit};
        break;
      }
    }
    out = core.Handle(event);
    FUZZ_CHECK(out.status.ok() || !out.status.app_code().empty());
    NoteOwn(out, self, &signed_by_us);
    remember(out);
    FUZZ_CHECK(core.rounds_stored() <= size_t{core.round()} + kMaxFutureRounds + 1);
    FUZZ_CHECK(core.next_height_buffered() <= kValidators * (kMaxFutureRounds + 1) * 3);
  }
  return 0;
}
