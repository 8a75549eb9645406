// The holder's certificate file: the JSON form of contracts::HolderCertificate
// that `civic cert issue --out` writes, the holder keeps in a wallet, and
// cert_verify, the CLI and the web page read (web/src/lib/disclosure.js):
//
//   {"id":..,"type_code":..,"issuer_org":..,
//    "holder":{"code_type":"citizen_id","code":..,"salt":..},
//    "fields":[{"name":..,"value":..,"salt":..},..],
//    "valid_from_ms":..,"valid_until_ms":..}
//
// Members are written in that order. Reading checks the shape only ("id" and
// the times may be absent or null); ValidateHolderCertificate
// (contracts/certificate/holder.h) checks the contents.
//
// Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "contracts/certificate/holder.h"

namespace civic::rpc {

boost::json::value HolderCertificateToJson(const contracts::HolderCertificate& cert);
// Typed errors: HOLDER_CERT_MALFORMED (with the offending member named).
Result<contracts::HolderCertificate> HolderCertificateFromJson(const boost::json::value& json);
// The same from JSON text; text that is not JSON is HOLDER_CERT_MALFORMED too.
Result<contracts::HolderCertificate> ParseHolderCertificate(std::string_view json_text);
// Compact JSON text.
std::string SerializeHolderCertificate(const contracts::HolderCertificate& cert);

}  // namespace civic::rpc
