#include "rpc/issuer/scope.h"

#include "contracts/base/identifiers.h"
#include "rpc/error_codes.h"

namespace civic::rpc {
namespace {

constexpr IssuerAction kActions[] = {IssuerAction::kIssue,   IssuerAction::kRenew,     IssuerAction::kReplace,
                                     IssuerAction::kSuspend, IssuerAction::kReinstate, IssuerAction::kRevoke};
constexpr std::string_view kAllActions = "cert.*";
constexpr size_t kMaxScopeEntries = 64;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

Status BadScope(std::string_view entry, std::string_view why) {
  return Status::InvalidArgument(err::ISSUER_BAD_SCOPE,
                                 "scope entry \"" + std::string(entry.substr(0, 80)) + "\" " + std::string(why));
}

bool KnownAction(std::string_view action) {
  if (action == kAllActions) return true;
  for (IssuerAction a : kActions) {
    if (action == IssuerActionName(a)) return true;
  }
  return false;
}

}  // namespace

const char* IssuerActionName(IssuerAction action) {
  switch (action) {
    case IssuerAction::kIssue: return "cert.issue";
    case IssuerAction::kRenew: return "cert.renew";
    case IssuerAction::kReplace: return "cert.replace";
    case IssuerAction::kSuspend: return "cert.suspend";
    case IssuerAction::kReinstate: return "cert.reinstate";
    case IssuerAction::kRevoke: return "cert.revoke";
  }
  return "cert.unknown";
}

Result<std::vector<ScopeEntry>> ParseScopes(std::string_view text) {
  std::vector<ScopeEntry> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view entry = Trim(text.substr(start, comma == std::string_view::npos ? comma : comma - start));
    size_t colon = entry.find(':');
    if (colon == std::string_view::npos) return BadScope(entry, "is not action:type");
    std::string_view action = entry.substr(0, colon);
    std::string_view type = entry.substr(colon + 1);
    if (!KnownAction(action)) {
      return BadScope(entry, "names no known action (cert.issue, cert.renew, cert.replace, cert.suspend, "
                             "cert.reinstate, cert.revoke, cert.*)");
    }
    if (type != "*" && !contracts::ValidateTypeCode(type).ok()) {
      return BadScope(entry, "names neither a certificate type code nor *");
    }
    if (out.size() == kMaxScopeEntries) return BadScope(entry, "is one entry too many (at most 64)");
    out.push_back(ScopeEntry{std::string(action), std::string(type)});
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string FormatScopes(const std::vector<ScopeEntry>& scopes) {
  std::string out;
  for (const ScopeEntry& s : scopes) out += (out.empty() ? "" : ",") + s.action + ":" + s.type;
  return out;
}

bool ScopeAllows(const std::vector<ScopeEntry>& scopes, IssuerAction action, std::string_view type_code) {
  for (const ScopeEntry& s : scopes) {
    bool action_ok = s.action == kAllActions || s.action == IssuerActionName(action);
    bool type_ok = s.type == "*" || s.type == type_code;
    if (action_ok && type_ok) return true;
  }
  return false;
}

}  // namespace civic::rpc
