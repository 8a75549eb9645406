// Key layout of the governance and certificate contracts' state. One place, so
// contracts, queries and genesis agree.
//
// Authenticated state (Space::kState):
//   gov/org/<org code>                      -> pb::Org
//   gov/key/<algo byte><key bytes>          -> org code owning that signing key
//   gov/validators                          -> pb::GovValidatorList
//   gov/params                              -> pb::GovParams
//   gov/next_proposal                       -> 8-byte big-endian next proposal id
//   gov/proposal/<id be64>                  -> pb::Proposal
//   gov/open/<expires_height be64><id be64> -> "" (open proposals by expiry)
//   cert/type/<type code>                   -> pb::CertType
//   cert/c/<certificate id>                 -> pb::Certificate
//   cert/serial/<type code>/<issuer code>   -> 8-byte big-endian last running number
// Secondary indexes (Space::kIndex):
//   cert/holder/<32-byte commitment><id>    -> ""
//   cert/issuer/<issuer code>/<id>          -> ""
#pragma once

#include <string>
#include <string_view>

#include "crypto/bytes.h"
#include "crypto/signature.h"

namespace civic::contracts::keys {

constexpr std::string_view kOrgPrefix = "gov/org/";
constexpr std::string_view kKeyOwnerPrefix = "gov/key/";
constexpr std::string_view kValidators = "gov/validators";
constexpr std::string_view kParams = "gov/params";
constexpr std::string_view kNextProposal = "gov/next_proposal";
constexpr std::string_view kProposalPrefix = "gov/proposal/";
constexpr std::string_view kOpenProposalPrefix = "gov/open/";
constexpr std::string_view kCertTypePrefix = "cert/type/";
constexpr std::string_view kCertPrefix = "cert/c/";
constexpr std::string_view kSerialPrefix = "cert/serial/";
constexpr std::string_view kHolderIndexPrefix = "cert/holder/";
constexpr std::string_view kIssuerIndexPrefix = "cert/issuer/";

inline std::string Cat(std::string_view a, std::string_view b) {
  std::string out;
  out.reserve(a.size() + b.size());
  out.append(a).append(b);
  return out;
}

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
inline std::string CertType(std::string_view code) { return Cat(kCertTypePrefix, code); }
inline std::string Cert(std::string_view id) { return Cat(kCertPrefix, id); }
inline std::string Serial(std::string_view type_code, std::string_view issuer) {
  std::string out(kSerialPrefix);
  out.append(type_code).push_back('/');
  out.append(issuer);
  return out;
}
inline std::string HolderIndexPrefix(std::string_view commitment) { return Cat(kHolderIndexPrefix, commitment); }
inline std::string HolderIndex(std::string_view commitment, std::string_view id) {
  std::string out(kHolderIndexPrefix);
  out.append(commitment).append(id);
  return out;
}
inline std::string IssuerIndexPrefix(std::string_view org) {
  std::string out(kIssuerIndexPrefix);
  out.append(org).push_back('/');
  return out;
}
inline std::string IssuerIndex(std::string_view org, std::string_view id) {
  return Cat(IssuerIndexPrefix(org), id);
}

}  // namespace civic::contracts::keys
