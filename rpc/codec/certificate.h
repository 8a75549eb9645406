// JSON renderings of the certificate contract's records and query results, as
// the cert_* methods and the REST certificate routes answer them (docs/RPC.md).
// Member order is part of the answer.
//
// Binary values are lower-case hex, public keys "<algo>:<hex>" ("unknown:<hex>"
// for an algorithm this build does not know), times both as ms and RFC 3339
// ("<name>_ms" and "<name>"). Status names: "active", "suspended", "revoked",
// "superseded" ("none" before issuance); event kinds: "issued", "renewed", ...
// ("unknown" for a kind this build does not know).
//
// Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <vector>

#include "contracts/certificate/certificate.pb.h"
#include "contracts/certificate/query.h"

namespace civic::rpc {

boost::json::object CertificateToJson(const pb::Certificate& cert);
boost::json::object CertTypeToJson(const pb::CertType& type);
boost::json::object CertEventToJson(const pb::CertEvent& event);
boost::json::object VerificationToJson(const contracts::Verification& v);
boost::json::object HistoryToJson(const contracts::CertHistory& history);
boost::json::object CertPageToJson(const contracts::CertPage& page);
boost::json::array CertTypesToJson(const std::vector<pb::CertType>& types);

}  // namespace civic::rpc
