// Key layout of the certificate contract's state. One place, so the contract,
// its queries and genesis agree.
//
// Authenticated state (Space::kState):
//   cert/type/<type code>                   -> pb::CertType
//   cert/c/<certificate id>                 -> pb::Certificate
//   cert/serial/<type code>/<issuer code>   -> 8-byte big-endian last running number
// Secondary indexes (Space::kIndex):
//   cert/holder/<32-byte commitment><id>    -> ""
//   cert/issuer/<issuer code>/<id>          -> ""
#pragma once

#include <string>
#include <string_view>

#include "contracts/base/key_format.h"

namespace civic::contracts::keys {

constexpr std::string_view kCertTypePrefix = "cert/type/";
constexpr std::string_view kCertPrefix = "cert/c/";
constexpr std::string_view kSerialPrefix = "cert/serial/";
constexpr std::string_view kHolderIndexPrefix = "cert/holder/";
constexpr std::string_view kIssuerIndexPrefix = "cert/issuer/";

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
