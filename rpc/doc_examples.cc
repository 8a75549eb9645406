#include "rpc/doc_examples.h"

#include "rpc/error_codes.h"
#include "rpc/jsonrpc.h"

namespace civic::rpc {

namespace {

Status BadDoc(size_t line, std::string message) {
  return Status::InvalidArgument(err::BAD_DOC, "line " + std::to_string(line) + ": " + message);
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

struct Fence {
  std::string lang;  // the info string's first word
  std::string role;  // "request" | "response" | "" (other blocks)
  std::string text;
  size_t line = 0;
};

Result<std::optional<json::value>> ParseIfJson(const Fence& fence) {
  if (fence.lang != "json") return std::optional<json::value>();
  json::error_code ec;
  json::value v = json::parse(fence.text, ec);
  if (ec) return BadDoc(fence.line, "the " + fence.role + " is not valid JSON: " + ec.message());
  return std::optional<json::value>(std::move(v));
}

const char* Kind(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "bool";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "number";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
  }
  return "?";
}

Status Mismatch(const std::string& path, std::string message) {
  return Status::InvalidArgument(err::SHAPE_MISMATCH, path + ": " + message);
}

Status MatchAt(const json::value& doc, const json::value& actual, bool allow_extra, const std::string& path) {
  if (doc.is_null()) return Status::Ok();
  if (std::string_view(Kind(doc)) != Kind(actual)) {
    return Mismatch(path, std::string("documented as ") + Kind(doc) + ", got " + Kind(actual));
  }
  if (doc.is_object()) {
    const json::object& d = doc.get_object();
    const json::object& a = actual.get_object();
    for (const auto& member : d) {
      std::string sub = path + "." + std::string(member.key());
      const json::value* got = a.if_contains(member.key());
      if (!got) return Mismatch(sub, "documented but missing");
      CIVIC_RETURN_IF_ERROR(MatchAt(member.value(), *got, allow_extra, sub));
    }
    if (!allow_extra) {
      for (const auto& member : a) {
        if (!d.contains(member.key())) return Mismatch(path + "." + std::string(member.key()), "not documented");
      }
    }
  } else if (doc.is_array()) {
    const json::array& d = doc.get_array();
    const json::array& a = actual.get_array();
    for (size_t i = 0; i < d.size() && i < a.size(); ++i) {
      CIVIC_RETURN_IF_ERROR(MatchAt(d[i], a[i], allow_extra, path + "[" + std::to_string(i) + "]"));
    }
  }
  return Status::Ok();
}

}  // namespace

bool DocExample::is_jsonrpc() const {
  return request_json && request_json->is_object() && request_json->get_object().contains("method");
}

std::string DocExample::method() const {
  if (!is_jsonrpc()) return "";
  const json::value& m = request_json->get_object().at("method");
  return m.is_string() ? std::string(m.get_string()) : std::string();
}

Result<std::vector<DocExample>> ParseDocExamples(std::string_view markdown) {
  std::vector<DocExample> out;
  std::string heading;
  std::optional<Fence> open;         // the fence being read
  std::optional<Fence> pending;      // a request waiting for its response
  std::string fence_marker;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos <= markdown.size()) {
    size_t end = markdown.find('\n', pos);
    if (end == std::string_view::npos) end = markdown.size();
    std::string_view line = TrimRight(markdown.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;

    if (open) {
      if (TrimLeft(line) == fence_marker) {
        Fence fence = std::move(*open);
        open.reset();
        if (fence.role == "request") {
          if (pending) return BadDoc(pending->line, "a request without a response");
          pending = std::move(fence);
        } else if (fence.role == "response") {
          if (!pending) return BadDoc(fence.line, "a response without a request");
          DocExample ex;
          ex.heading = heading;
          ex.line = pending->line;
          ex.request_lang = pending->lang;
          ex.request_text = pending->text;
          ex.response_lang = fence.lang;
          ex.response_text = fence.text;
          CIVIC_ASSIGN_OR_RETURN(ex.request_json, ParseIfJson(*pending));
          CIVIC_ASSIGN_OR_RETURN(ex.response_json, ParseIfJson(fence));
          out.push_back(std::move(ex));
          pending.reset();
        }
      } else {
        open->text.append(line);
        open->text.push_back('\n');
      }
      if (pos > markdown.size()) break;
      continue;
    }

    std::string_view trimmed = TrimLeft(line);
    if (trimmed.starts_with("```") || trimmed.starts_with("~~~")) {
      size_t n = 0;
      while (n < trimmed.size() && trimmed[n] == trimmed[0]) ++n;
      fence_marker = std::string(trimmed.substr(0, n));
      std::string_view info = TrimLeft(trimmed.substr(n));
      Fence fence;
      fence.line = line_no;
      size_t space = info.find(' ');
      fence.lang = std::string(info.substr(0, space));
      std::string_view rest = space == std::string_view::npos ? std::string_view() : TrimLeft(info.substr(space + 1));
      if (rest == "request" || rest == "response") fence.role = std::string(rest);
      open = std::move(fence);
    } else if (line.starts_with("#")) {
      if (pending) return BadDoc(pending->line, "a request without a response");
      size_t level = 0;
      while (level < line.size() && line[level] == '#') ++level;
      if (level == 3) heading = std::string(TrimLeft(line.substr(level)));
      if (level < 3) heading.clear();
    }
    if (pos > markdown.size()) break;
  }
  if (open) return BadDoc(open->line, "an unclosed code block");
  if (pending) return BadDoc(pending->line, "a request without a response");
  return out;
}

std::set<std::string> DocumentedMethods(const std::vector<DocExample>& examples) {
  std::set<std::string> out;
  for (const DocExample& ex : examples) {
    if (ex.is_jsonrpc() && ex.method() == ex.heading) out.insert(ex.method());
  }
  return out;
}

Status CheckJsonRpcExample(const DocExample& ex) {
  if (!ex.is_jsonrpc()) return BadDoc(ex.line, "not a JSON-RPC example");
  const json::value& req = *ex.request_json;
  Status st = ValidateRequest(req);
  if (!st.ok()) return BadDoc(ex.line, "request: " + st.message());
  if (ex.method() != ex.heading) {
    return BadDoc(ex.line, "the request calls \"" + ex.method() + "\" under the heading \"" + ex.heading + "\"");
  }
  const json::value* id = req.get_object().if_contains("id");
  if (!id || id->is_null()) return BadDoc(ex.line, "an example request needs a non-null id");
  if (!ex.response_json) return BadDoc(ex.line, "the response is not a json block");
  const json::value& resp = *ex.response_json;
  st = ValidateResponse(resp);
  if (!st.ok()) return BadDoc(ex.line, "response: " + st.message());
  if (resp.get_object().at("id") != *id) return BadDoc(ex.line, "the response id differs from the request id");
  return Status::Ok();
}

Status MatchShape(const json::value& documented, const json::value& actual, bool allow_extra_members) {
  return MatchAt(documented, actual, allow_extra_members, "$");
}

Result<ExampleHttpRequest> HttpRequestOf(const DocExample& ex) {
  auto not_runnable = [&] {
    return Status::InvalidArgument(err::NOT_RUNNABLE, "line " + std::to_string(ex.line) + ": the " + ex.request_lang +
                                                       " request under \"" + ex.heading + "\" is not sent over HTTP");
  };
  if (ex.request_lang == "json") {
    if (ex.heading.starts_with("WebSocket")) return not_runnable();
    if (ex.request_json && (ex.request_json->is_object() || ex.request_json->is_array())) {
      return ExampleHttpRequest{"POST", "/rpc", std::string(TrimRight(ex.request_text))};
    }
    return not_runnable();
  }
  if (ex.request_lang == "text" && ex.heading.starts_with("POST /rpc")) {
    std::string body = ex.request_text;
    if (!body.empty() && body.back() == '\n') body.pop_back();
    return ExampleHttpRequest{"POST", "/rpc", body};
  }
  if (ex.request_lang == "http") {
    std::string_view text = ex.request_text;
    size_t eol = text.find('\n');
    std::string_view line = TrimRight(text.substr(0, eol));
    size_t space = line.find(' ');
    if (space == std::string_view::npos) return BadDoc(ex.line, "an http request starts with \"METHOD /target\"");
    ExampleHttpRequest req;
    req.method = std::string(line.substr(0, space));
    req.target = std::string(TrimLeft(line.substr(space + 1)));
    if (req.target.empty() || req.target.front() != '/') return BadDoc(ex.line, "the target must start with /");
    size_t blank = text.find("\n\n");
    if (blank != std::string_view::npos) req.body = std::string(TrimRight(text.substr(blank + 2)));
    return req;
  }
  return not_runnable();
}

namespace {

Status AnswerMismatch(const DocExample& ex, std::string message) {
  return Status::InvalidArgument(err::ANSWER_MISMATCH, "line " + std::to_string(ex.line) + " (" + ex.heading +
                                                        "): " + message);
}

std::string AppCodeOf(const json::value& error) {
  const json::object* e = error.if_object();
  if (!e) return "";
  if (const json::value* a = e->if_contains("app_code"); a && a->is_string()) return std::string(a->get_string());
  if (const json::value* d = e->if_contains("data"); d && d->is_object()) {
    if (const json::value* a = d->get_object().if_contains("app_code"); a && a->is_string()) {
      return std::string(a->get_string());
    }
  }
  return "";
}

// One JSON-RPC response object against its documented form.
Status CheckRpcResponse(const DocExample& ex, const json::value& doc, const json::value& actual) {
  const json::object* d = doc.if_object();
  const json::object* a = actual.if_object();
  if (!d || !a) return AnswerMismatch(ex, "a response is not an object");
  if (d->contains("id") && a->contains("id") && d->at("id") != a->at("id")) {
    return AnswerMismatch(ex, "id " + json::serialize(a->at("id")) + " instead of " + json::serialize(d->at("id")));
  }
  if (const json::value* de = d->if_contains("error")) {
    const json::value* ae = a->if_contains("error");
    if (!ae) return AnswerMismatch(ex, "documented an error, got " + json::serialize(actual).substr(0, 300));
    auto code_of = [](const json::value& e) {
      const json::value* c = e.is_object() ? e.get_object().if_contains("code") : nullptr;
      return c ? json::serialize(*c) : std::string();
    };
    if (code_of(*de) != code_of(*ae) || AppCodeOf(*de) != AppCodeOf(*ae)) {
      return AnswerMismatch(ex, "documented error " + json::serialize(*de) + ", got " + json::serialize(*ae));
    }
    return Status::Ok();
  }
  const json::value* dr = d->if_contains("result");
  const json::value* ar = a->if_contains("result");
  if (!dr) return AnswerMismatch(ex, "the documented response has neither result nor error");
  if (!ar) return AnswerMismatch(ex, "documented a result, got " + json::serialize(actual).substr(0, 300));
  Status st = MatchShape(*dr, *ar);
  if (!st.ok()) return AnswerMismatch(ex, st.message());
  return Status::Ok();
}

}  // namespace

Status CheckAnswer(const DocExample& ex, int http_status, std::string_view body) {
  if (ex.response_lang != "json") {
    if (http_status != 200) return AnswerMismatch(ex, "HTTP " + std::to_string(http_status));
    return Status::Ok();
  }
  json::error_code ec;
  json::value actual = json::parse(body, ec);
  if (ec) return AnswerMismatch(ex, "the answer is not JSON: " + std::string(body.substr(0, 200)));
  const json::value& doc = *ex.response_json;
  if (doc.is_array()) {
    if (!actual.is_array() || actual.get_array().size() != doc.get_array().size()) {
      return AnswerMismatch(ex, "a batch of another size: " + json::serialize(actual).substr(0, 300));
    }
    for (size_t i = 0; i < doc.get_array().size(); ++i) {
      CIVIC_RETURN_IF_ERROR(CheckRpcResponse(ex, doc.get_array()[i], actual.get_array()[i]));
    }
    return Status::Ok();
  }
  if (doc.is_object() && doc.get_object().contains("jsonrpc")) return CheckRpcResponse(ex, doc, actual);
  if (const json::object* d = doc.if_object(); d && d->contains("error") && d->size() == 1) {
    const json::value* ae = actual.is_object() ? actual.get_object().if_contains("error") : nullptr;
    if (!ae || AppCodeOf(d->at("error")) != AppCodeOf(*ae)) {
      return AnswerMismatch(ex, "documented error " + json::serialize(d->at("error")) + ", got " +
                                    json::serialize(actual).substr(0, 300));
    }
    return Status::Ok();
  }
  if (http_status != 200) return AnswerMismatch(ex, "HTTP " + std::to_string(http_status) + ": " + std::string(body.substr(0, 300)));
  Status st = MatchShape(doc, actual);
  if (!st.ok()) return AnswerMismatch(ex, st.message());
  return Status::Ok();
}

}  // namespace civic::rpc
