// The JSON bodies of the issuer API's calls (docs/RPC.md "Issuer API"), decoded
// into what the node builds txs from. Only the shape is checked here: members
// known, present when required, of the right JSON type, a batch within its
// bound. What the values mean (holder codes, fields against the type's schema,
// serials, reasons) is checked when the tx is prepared
// (contracts::PrepareIssue and the contract's rules).
//
//   issue       {"type_code", "holder_code_type", "holder_code", "fields": {name: value},
//                "serial"?, "valid_from"?, "valid_until"?}
//   batch       {"type_code", "certificates": [{"holder_code_type", "holder_code",
//                "fields", "serial"?, "valid_from"?, "valid_until"?}, ..]}   (1..1000)
//   renew       {"valid_from"?, "valid_until"?, "holder_certificate"?, "fields"?}
//   replace     the same and "reason"
//   suspend | reinstate | revoke   {"reason"}
// Times are RFC 3339 text or integer milliseconds. "fields" of a renew or
// replace are the changed values and need the holder's current copy
// ("holder_certificate", the holder file's JSON).
//
// Typed errors: ISSUER_BODY_MALFORMED naming the member (and the batch row as
// "certificates[i]"), ISSUER_BATCH_TOO_LARGE, BAD_TIME, HOLDER_CERT_MALFORMED.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "contracts/certificate/holder.h"
#include "crypto/base/status.h"

namespace civic::rpc {

constexpr size_t kMaxIssuerBatch = 1000;

struct IssueBody {
  std::string type_code;
  std::vector<contracts::IssueRequest> certificates;  // one for a single issue
};

struct NewVersionBody {
  int64_t valid_from_ms = 0;
  int64_t valid_until_ms = 0;
  std::string reason;  // replace only
  std::optional<contracts::HolderCertificate> holder_certificate;
  std::map<std::string, std::string> fields;  // changed values
};

struct StatusChangeBody {
  std::string reason;
};

Result<IssueBody> DecodeIssueBody(std::string_view body);
Result<IssueBody> DecodeIssueBatchBody(std::string_view body);
Result<NewVersionBody> DecodeNewVersionBody(std::string_view body, bool replace);
Result<StatusChangeBody> DecodeStatusChangeBody(std::string_view body);

}  // namespace civic::rpc
