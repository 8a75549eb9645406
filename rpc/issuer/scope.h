// What an issuer API token may do: a list of "action:type" entries, e.g.
// "cert.issue:11100000000013127D001,cert.revoke:*".
//
//   action  cert.issue (one or a batch) | cert.renew | cert.replace |
//           cert.suspend | cert.reinstate | cert.revoke | cert.* (all of them)
//   type    a certificate type code, or * for every type
//
// The type of a renew, replace, suspend, reinstate or revoke is the one the
// certificate id names (GB/T 36904 ids begin with their type code), so one
// scope rule covers every action. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/base/status.h"

namespace civic::rpc {

enum class IssuerAction { kIssue, kRenew, kReplace, kSuspend, kReinstate, kRevoke };

// "cert.issue", ...
const char* IssuerActionName(IssuerAction action);

struct ScopeEntry {
  std::string action;  // an IssuerActionName or "cert.*"
  std::string type;    // a type code or "*"
  bool operator==(const ScopeEntry&) const = default;
};

// Parses a comma-separated list (spaces around entries are ignored; at least one
// entry; at most 64). Typed error ISSUER_BAD_SCOPE naming the entry.
Result<std::vector<ScopeEntry>> ParseScopes(std::string_view text);
// The same list back as text: "cert.issue:T1,cert.revoke:*".
std::string FormatScopes(const std::vector<ScopeEntry>& scopes);

// True when some entry covers `action` on certificate type `type_code`.
bool ScopeAllows(const std::vector<ScopeEntry>& scopes, IssuerAction action, std::string_view type_code);

}  // namespace civic::rpc
