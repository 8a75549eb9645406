// The headers every HTTP answer of the node carries, so the page it serves
// talks only to this node and cannot be framed or re-typed:
//   Content-Security-Policy: default-src 'self'; connect-src 'self' ws://H wss://H;
//     img-src 'self' data:; frame-ancestors 'none'; base-uri 'none';
//     object-src 'none'; form-action 'self'
//   X-Frame-Options: DENY, Referrer-Policy: no-referrer,
//   X-Content-Type-Options: nosniff
// H is the request's Host header when it is a plain host[:port] (browsers
// before CSP level 3 do not let 'self' cover ws:/wss:); any other Host value is
// left out, so a client cannot write directives into the policy. `data:` images
// are the page's empty favicon; the page has no inline script or style.
// Pure functions; thread-safe.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <string>
#include <string_view>

namespace civic::rpc {

std::string ContentSecurityPolicy(std::string_view host);
void SetSecurityHeaders(boost::beast::http::fields& fields, std::string_view host);

}  // namespace civic::rpc
