// Key layout of the governance contract's state. One place, so the contract,
// its queries and genesis agree.
//
// Authenticated state (Space::kState):
//   gov/org/<org code>                      -> pb::Org
//   gov/key/<algo byte><key bytes>          -> org code owning that signing key
//   gov/validators                          -> pb::GovValidatorList
//   gov/params                              -> pb::GovParams
//   gov/next_proposal                       -> 8-byte big-endian next proposal id
//   gov/proposal/<id be64>                  -> pb::Proposal
//   gov/open/<expires_height be64><id be64> -> "" (open proposals by expiry)
#pragma once

#include <string>
#include <string_view>

#include "contracts/base/key_format.h"
#include "crypto/signature.h"

namespace civic::contracts::keys {

constexpr std::string_view kOrgPrefix = "gov/org/";
constexpr std::string_view kKeyOwnerPrefix = "gov/key/";
constexpr std::string_view kValidators = "gov/validators";
constexpr std::string_view kParams = "gov/params";
constexpr std::string_view kNextProposal = "gov/next_proposal";
constexpr std::string_view kProposalPrefix = "gov/proposal/";
constexpr std::string_view kOpenProposalPrefix = "gov/open/";

inline std::string Org(std::string_view code) { return Cat(kOrgPrefix, code); }
inline std::string KeyOwner(uint32_t algo, std::string_view key) {
  std::string out(kKeyOwnerPrefix);
  out.push_back(static_cast<char>(algo));
  out.append(key);
  return out;
}
inline std::string KeyOwner(const crypto::PublicKey& key) {
  return KeyOwner(static_cast<uint32_t>(key.algo), key.key);
}
inline std::string Proposal(uint64_t id) {
  std::string out(kProposalPrefix);
  PutBigEndian64(&out, id);
  return out;
}
inline std::string OpenProposal(uint64_t expires_height, uint64_t id) {
  std::string out(kOpenProposalPrefix);
  PutBigEndian64(&out, expires_height);
  PutBigEndian64(&out, id);
  return out;
}

}  // namespace civic::contracts::keys
