#include "consensus/validator_set.h"

#include <algorithm>

#include "ledger/errors.h"
#include "ledger/tx.h"

namespace civic::consensus {

namespace {
Status Bad(std::string message) {
  return Status::InvalidArgument(err::BAD_VALIDATOR_SET, std::move(message));
}
}  // namespace

Result<ValidatorSet> ValidatorSet::Create(std::vector<Member> members) {
  if (members.empty()) return Bad("the validator set is empty");
  std::sort(members.begin(), members.end(),
            [](const Member& a, const Member& b) { return a.key < b.key; });
  ValidatorSet set;
  for (size_t i = 0; i < members.size(); ++i) {
    const Member& m = members[i];
    if (Status st = m.key.Validate(); !st.ok()) {
      return Bad("validator key " + m.key.ToString() + " is invalid: " + st.message());
    }
    if (i > 0 && members[i - 1].key == m.key) {
      return Bad("validator " + m.key.ToString() + " is listed twice");
    }
    if (m.power == 0) return Bad("validator " + m.key.ToString() + " has zero power");
    if (m.power > kMaxTotalPower || set.total_power_ > kMaxTotalPower - m.power) {
      return Bad("total voting power exceeds 2^60");
    }
    set.total_power_ += m.power;
  }
  set.members_ = std::move(members);
  return set;
}

Result<ValidatorSet> ValidatorSet::FromProto(const pb::ValidatorSet& set) {
  std::vector<Member> members;
  members.reserve(set.validators_size());
  for (const pb::Validator& v : set.validators()) {
    members.push_back(Member{ledger::FromProto(v.pub_key()), v.power()});
  }
  return Create(std::move(members));
}

pb::ValidatorSet ValidatorSet::ToProto() const {
  pb::ValidatorSet out;
  for (const Member& m : members_) {
    pb::Validator* v = out.add_validators();
    *v->mutable_pub_key() = ledger::ToProto(m.key);
    v->set_power(m.power);
  }
  return out;
}

std::optional<size_t> ValidatorSet::IndexOf(const crypto::PublicKey& key) const {
  auto it = std::lower_bound(members_.begin(), members_.end(), key,
                             [](const Member& m, const crypto::PublicKey& k) { return m.key < k; });
  if (it == members_.end() || it->key != key) return std::nullopt;
  return static_cast<size_t>(it - members_.begin());
}

size_t ValidatorSet::ProposerIndex(uint64_t height, uint32_t round) const {
  const uint64_t n = members_.size();
  return static_cast<size_t>((height % n + round % n) % n);
}

}  // namespace civic::consensus
