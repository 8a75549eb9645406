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

// The verify query as params: "at" and boolean flags only (see the header).
Status AddVerifyQuery(std::string_view query, json::object* params) {
  for (auto& [name, value] : ParseQuery(query)) {
    if (name == "id") continue;
    if (name == "at") {
      (*params)[name] = AllDigits(value) ? json::value(static_cast<int64_t>(std::stoll(value))) : json::value(value);
    } else if (value == "true" || value == "false") {
      (*params)[name] = value == "true";
    } else {
      return Status::InvalidArgument(err::PERSONAL_DATA_IN_URL,
                                     "\"" + name + "\" may not be sent in a URL: POST it in the JSON body of "
                                     "/v1/certificates/{id}/verify (a verify URL carries only \"at\" and true/false flags)");
    }
  }
  return Status::Ok();
}

// A POST body's members as params; "id", if given, must be the path's.
Status AddVerifyBody(std::string_view body, const std::string& id, json::object* params) {
  json::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec) return Status::InvalidArgument(err::PARSE_ERROR, "the request body is not valid JSON");
  if (!parsed.is_object()) {
    return Status::InvalidArgument(err::INVALID_PARAMS, "the request body must be a JSON object of cert_verify params");
  }
  for (auto& [name, value] : parsed.get_object()) {
    if (name == "id") {
      if (!value.is_string() || value.get_string() != id) {
        return Status::InvalidArgument(err::INVALID_PARAMS, "the body's \"id\" differs from the certificate in the path");
      }
      continue;
    }
    (*params)[name] = value;
  }
  return Status::Ok();
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

RestCall RestCallFor(std::string_view path, std::string_view query, bool post, std::string_view body) {
  RestCall call;
  auto parsed = PathSegments(path);
  if (!parsed.ok()) {
    call.status = parsed.status();
    return call;
  }
  const std::vector<std::string>& segments = *parsed;
  auto is = [&](size_t n, std::string_view first) { return segments.size() == n && segments[0] == first; };
  const bool verify = is(3, "certificates") && segments[2] == "verify";
  if (post && !verify) {
    call.allow = "GET, HEAD, OPTIONS";
    call.status = Status::InvalidArgument(err::METHOD_NOT_ALLOWED, "use GET, HEAD, OPTIONS");
    return call;
  }
  if (verify) {
    call.route = Route::kCertificateVerify;
    call.params["id"] = segments[1];
    Status st = AddVerifyQuery(query, &call.params);
    if (st.ok() && post) st = AddVerifyBody(body, segments[1], &call.params);
    if (!st.ok()) {
      call.params.clear();
      call.status = st;
      return call;
    }
    call.method = "cert_verify";
  } else if (is(2, "certificates")) {
    call.route = Route::kCertificate;
    call.method = "cert_get";
    call.params["id"] = segments[1];
  } else if (is(3, "certificates") && segments[2] == "proof") {
    call.route = Route::kCertificateProof;
    call.method = "cert_proof";
    call.params["id"] = segments[1];
    for (auto& [name, value] : ParseQuery(query)) {
      if (name != "at" && name != "height") continue;
      call.params[name] = AllDigits(value) ? json::value(static_cast<int64_t>(std::stoll(value))) : json::value(value);
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
  error["message"] = MessageText(st.message());
  json::object body;
  body["error"] = std::move(error);
  return json::serialize(body);
}

int RestErrorHttpStatus(const Status& st) {
  return st.app_code() == err::METHOD_NOT_FOUND ? 404 : HttpStatusFor(st.code());
}

}  // namespace civic::rpc
