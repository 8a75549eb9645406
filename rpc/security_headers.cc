#include "rpc/security_headers.h"


namespace civic::rpc {
namespace {

// host, host:port, [v6]:port; nothing a CSP parser would split on.
bool IsPlainHost(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
              c == ':' || c == '[' || c == ']';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string ContentSecurityPolicy(std::string_view host) {
  std::string connect = "connect-src 'self'";
  if (IsPlainHost(host)) {
    connect += " ws://" + std::string(host) + " wss://" + std::string(host);
  }
  return "default-src 'self'; " + connect +
         "; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'";
}

void SetSecurityHeaders(boost::beast::http::fields& fields, std::string_view host) {
  fields.set("Content-Security-Policy", ContentSecurityPolicy(host));
  fields.set("X-Frame-Options", "DENY");
  fields.set("Referrer-Policy", "no-referrer");
  fields.set("X-Content-Type-Options", "nosniff");
}

}  // namespace civic::rpc
