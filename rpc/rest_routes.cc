#include "rpc/rest_routes.h"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

#include "crypto/base/bytes.h"
#include "rpc/error_codes.h"
#include "rpc/errors.h"
#include "rpc/static_files.h"

namespace civic::rpc {
namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && s.size() <= 18 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

// The query string as (name, value) pairs, percent-decoded; malformed pairs are skipped.
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto name = PercentDecode(pair.substr(0, eq), true);
    auto value = PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (name && value) out.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

json::value QueryValue(std::string_view name, const std::string& value) {
  if ((name == "at" || name == "height") && AllDigits(value)) return static_cast<int64_t>(std::stoll(value));
  if (name == "fields") {
    json::error_code ec;
    json::value v = json::parse(value, ec);
    if (!ec && (v.is_object() || v.is_array())) return v;
    if (auto decoded = Base64UrlDecode(value)) {
      v = json::parse(*decoded, ec);
      if (!ec && (v.is_object() || v.is_array())) return v;
    }
    return json::value(value);
  }
  if (value == "true") return true;
  if (value == "false") return false;
  return json::value(value);
}

// The percent-decoded segments after "/v1", without a trailing empty one.
Result<std::vector<std::string>> PathSegments(std::string_view path) {
  std::vector<std::string> segments;
  std::string_view rest = path.substr(std::string_view("/v1").size());
  while (!rest.empty()) {
    rest.remove_prefix(1);  // the '/'
    size_t slash = rest.find('/');
    auto seg = PercentDecode(rest.substr(0, slash));
    if (!seg) return Status::InvalidArgument(err::BAD_PATH, "malformed percent escape in the path");
    segments.push_back(std::move(*seg));
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  }
  if (!segments.empty() && segments.back().empty()) segments.pop_back();
  return segments;
}

}  // namespace

RestCall RestCallFor(std::string_view path, std::string_view query) {
  RestCall call;
  auto parsed = PathSegments(path);
  if (!parsed.ok()) {
    call.status = parsed.status();
    return call;
  }
  const std::vector<std::string>& segments = *parsed;
  auto is = [&](size_t n, std::string_view first) { return segments.size() == n && segments[0] == first; };
  if (is(2, "certificates")) {
    call.route = Route::kCertificate;
    call.method = "cert_get";
    call.params["id"] = segments[1];
  } else if (is(3, "certificates") && segments[2] == "verify") {
    call.route = Route::kCertificateVerify;
    call.method = "cert_verify";
    call.params["id"] = segments[1];
    for (auto& [name, value] : ParseQuery(query)) {
      if (name == "id") continue;
      call.params[name] = QueryValue(name, value);
    }
  } else if (is(3, "certificates") && segments[2] == "proof") {
    call.route = Route::kCertificateProof;
    call.method = "cert_proof";
    call.params["id"] = segments[1];
    for (auto& [name, value] : ParseQuery(query)) {
      if (name == "at" || name == "height") call.params[name] = QueryValue(name, value);
    }
  } else if (is(2, "blocks")) {
    call.route = Route::kBlock;
    const std::string& which = segments[1];
    if (AllDigits(which)) {
      call.params["height"] = static_cast<int64_t>(std::stoll(which));
    } else if (which.size() == 64 && IsHex(which)) {
      call.params["hash"] = which;
    } else if (which != "latest") {
      call.params.clear();
      call.status = Status::InvalidArgument(err::BAD_HEIGHT, "a block is named by its height, hash or \"latest\"");
      return call;
    }
    call.method = "chain_getBlock";
  } else if (is(2, "txs")) {
    call.route = Route::kTx;
    call.method = "chain_getTx";
    call.params["id"] = segments[1];
  } else if (is(2, "credit")) {
    call.route = Route::kCredit;
    call.method = "credit_report";
    call.params["subject"] = segments[1];
  } else {
    call.status = Status::NotFound(err::NO_SUCH_ROUTE, "no REST route for this path");
  }
  return call;
}

std::string RestErrorBody(const Status& st) {
  json::object error;
  error["code"] = JsonRpcCodeFor(st);
  error["code_name"] = CodeName(st.code());
  error["app_code"] = st.app_code().empty() ? CodeName(st.code()) : st.app_code();
  error["message"] = st.message();
  json::object body;
  body["error"] = std::move(error);
  return json::serialize(body);
}

int RestErrorHttpStatus(const Status& st) {
  return st.app_code() == err::METHOD_NOT_FOUND ? 404 : HttpStatusFor(st.code());
}

}  // namespace civic::rpc
