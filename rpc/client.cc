#include "rpc/client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <algorithm>
#include <cctype>
#include <deque>
#include <functional>
#include <optional>

#include "rpc/error_codes.h"
#include "rpc/errors.h"

namespace civic::rpc {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

Status BadResponse(std::string message) { return Status(Code::kInternal, err::BAD_RESPONSE, std::move(message)); }

Code CodeForHttpStatus(int status) {
  switch (status) {
    case 400: return Code::kInvalidArgument;
    case 403: return Code::kPermissionDenied;
    case 404: return Code::kNotFound;
    case 409: return Code::kFailedPrecondition;
    case 413:
    case 429:
    case 431: return Code::kResourceExhausted;
    case 503: return Code::kUnavailable;
    case 504: return Code::kDeadlineExceeded;
    default: return Code::kInternal;
  }
}

}  // namespace

Status StatusFromHttpError(int http_status, std::string_view body) {
  json::error_code ec;
  json::value doc = json::parse(body, ec);
  if (!ec && doc.is_object()) {
    const json::value* error = doc.get_object().if_contains("error");
    if (error && error->is_object()) {
      const json::object& e = error->get_object();
      if (e.contains("data")) return StatusFromErrorObject(*error);  // a JSON-RPC error
      const json::value* app = e.if_contains("app_code");
      const json::value* name = e.if_contains("code_name");
      const json::value* message = e.if_contains("message");
      if (app && app->is_string()) {
        Code code = CodeForHttpStatus(http_status);
        if (name && name->is_string()) {
          if (auto parsed = CodeFromName(name->get_string()); parsed && *parsed != Code::kOk) code = *parsed;
        }
        return Status(code, std::string(app->get_string()),
                      message && message->is_string() ? std::string(message->get_string()) : std::string());
      }
    }
  }
  std::string excerpt(body.substr(0, 200));
  return Status(CodeForHttpStatus(http_status), "HTTP_" + std::to_string(http_status),
                "HTTP " + std::to_string(http_status) + (excerpt.empty() ? "" : ": " + excerpt));
}

namespace {

// A JSON-RPC answer object -> the call's result or error.
Result<json::value> ResultOf(const json::value& response) {
  const json::object* obj = response.if_object();
  if (!obj) return BadResponse("a JSON-RPC answer is not an object");
  if (const json::value* error = obj->if_contains("error")) return StatusFromErrorObject(*error);
  if (const json::value* result = obj->if_contains("result")) return *result;
  return BadResponse("a JSON-RPC answer has neither result nor error");
}

json::object CallObject(int64_t id, std::string_view method, json::value params) {
  json::object req;
  req["jsonrpc"] = "2.0";
  req["id"] = id;
  req["method"] = method;
  req["params"] = std::move(params);
  return req;
}

// The answer to the single call `id`.
Result<json::value> SingleAnswer(const HttpResponse& res, int64_t id, std::string_view method) {
  // 413, 429, 503 ...: the body is a JSON-RPC or REST error (or not JSON at all).
  if (res.status != 200) return StatusFromHttpError(res.status, res.body);
  json::error_code ec;
  json::value doc = json::parse(res.body, ec);
  if (ec || !doc.is_object()) return BadResponse("the answer to " + std::string(method) + " is not a JSON-RPC object");
  const json::object& obj = doc.get_object();
  if (!obj.contains("error")) {
    const json::value* rid = obj.if_contains("id");
    if (!rid || !rid->is_int64() || rid->get_int64() != id) return BadResponse("the answer carries another id");
  }
  return ResultOf(doc);
}

// The answers to a batch of `count` calls with ids first, first + 1, ...; the
// outer Status fails when the batch as a whole does.
Result<std::vector<Result<json::value>>> BatchAnswer(const HttpResponse& res, int64_t first, size_t count) {
  json::error_code ec;
  json::value doc = json::parse(res.body, ec);
  if (ec) {
    if (res.status != 200) return StatusFromHttpError(res.status, res.body);
    return BadResponse("the batch answer is not JSON");
  }
  if (doc.is_object()) {
    // One error for the whole batch (too large, rate limited, ...).
    auto result = ResultOf(doc);
    if (!result.ok()) return result.status();
    return BadResponse("a batch was answered with a single result");
  }
  if (!doc.is_array()) return BadResponse("the batch answer is not an array");
  std::vector<Result<json::value>> out(count, Result<json::value>(BadResponse("no answer for this call")));
  for (const json::value& item : doc.get_array()) {
    const json::object* obj = item.if_object();
    const json::value* rid = obj ? obj->if_contains("id") : nullptr;
    if (!rid || !rid->is_int64()) continue;
    int64_t index = rid->get_int64() - first;
    if (index < 0 || index >= static_cast<int64_t>(count)) continue;
    out[static_cast<size_t>(index)] = ResultOf(item);
  }
  return out;
}

HttpResponse ToHttpResponse(http::response<http::string_body>&& res) {
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  out.content_type = std::string(res[http::field::content_type]);
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(field.value());
  }
  out.body = std::move(res.body());
  return out;
}

}  // namespace

struct Client::Impl {
  using Clock = std::chrono::steady_clock;
  using Request = http::request<http::string_body>;
  // The i-th request of an exchange; it must stay valid until the next call.
  using RequestOf = std::function<const Request&(size_t)>;
  using OnAnswer = std::function<void(size_t, HttpResponse)>;

  explicit Impl(ClientOptions opts) : options(std::move(opts)) {}

  using TlsStream = beast::ssl_stream<beast::tcp_stream>;

  ClientOptions options;
  net::io_context ioc;
  std::shared_ptr<TlsContext> tls_context;  // made at the first TLS connect
  // The open connection: `stream` for http, `tls_stream` for https.
  std::optional<beast::tcp_stream> stream;
  std::optional<TlsStream> tls_stream;
  beast::flat_buffer buffer;

  bool connected() const { return stream.has_value() || tls_stream.has_value(); }
  int64_t next_id = 1;

  // Runs one asynchronous operation started by `start` to completion.
  template <typename Start>
  beast::error_code Run(Start&& start) {
    beast::error_code result = net::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  void Close() {
    beast::tcp_stream* lowest = stream ? &*stream : tls_stream ? &beast::get_lowest_layer(*tls_stream) : nullptr;
    if (lowest) {
      beast::error_code ec;
      lowest->socket().shutdown(tcp::socket::shutdown_both, ec);
      lowest->close();
    }
    stream.reset();
    tls_stream.reset();
    buffer.clear();
  }

  Status Connect(Clock::time_point deadline) {
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    auto endpoints = resolver.resolve(options.host, std::to_string(options.port), ec);
    if (ec) return Status::Unavailable(err::CONNECT_FAILED, "cannot resolve " + options.host + ": " + ec.message());
    stream.emplace(ioc);
    stream->expires_at(deadline);
    ec = Run([&](auto handler) { stream->async_connect(endpoints, handler); });
    if (!ec) {
      stream->socket().set_option(tcp::no_delay(true), ec);
      return options.tls ? StartTls(deadline) : Status::Ok();
    }
    std::string where = options.host + ":" + std::to_string(options.port);
    stream.reset();
    if (ec == beast::error::timeout) return Status::DeadlineExceeded(err::TIMEOUT, "connecting to " + where + " timed out");
    if (ec == net::error::connection_refused) {
      return Status::Unavailable(err::CONNECTION_REFUSED, "nothing is listening at " + where);
    }
    return Status::Unavailable(err::CONNECT_FAILED, "cannot connect to " + where + ": " + ec.message());
  }

  // Turns the connected `stream` into `tls_stream` and completes the handshake.
  Status StartTls(Clock::time_point deadline) {
    if (!tls_context) {
      auto context = MakeClientTlsContext(options.tls_files);
      if (!context.ok()) {
        stream.reset();
        return context.status();
      }
      tls_context = std::move(context).value();
    }
    tls_stream.emplace(std::move(*stream), *tls_context);
    stream.reset();
    ExpectServerName(tls_stream->native_handle(), options.host);
    beast::get_lowest_layer(*tls_stream).expires_at(deadline);
    beast::error_code ec =
        Run([&](auto handler) { tls_stream->async_handshake(net::ssl::stream_base::client, handler); });
    if (!ec) return Status::Ok();
    std::string where = options.host + ":" + std::to_string(options.port);
    std::string unverified = VerifyFailure(tls_stream->native_handle());
    Close();
    if (ec == beast::error::timeout) return Status::DeadlineExceeded(err::TIMEOUT, "TLS with " + where + " timed out");
    if (!unverified.empty()) {
      return Status::Unavailable(err::TLS_VERIFY_FAILED, "the certificate of " + where + " is not trusted: " +
                                                             unverified + (options.tls_files.ca_file.empty()
                                                                               ? " (checked against the system roots; "
                                                                                 "name the node's CA with --ca-file)"
                                                                               : " (checked against " +
                                                                                     options.tls_files.ca_file + ")"));
    }
    return Status::Unavailable(err::TLS_HANDSHAKE_FAILED, "TLS with " + where + " failed: " + ec.message());
  }

  Request MakeRequest(http::verb verb, std::string_view path, std::string body, std::string_view content_type) const {
    Request req{verb, path, 11};
    req.set(http::field::host, options.host + ":" + std::to_string(options.port));
    req.set(http::field::user_agent, "civic-client");
    req.keep_alive(true);
    if (!body.empty() || verb == http::verb::post) {
      req.set(http::field::content_type, content_type);
      req.body() = std::move(body);
      req.prepare_payload();
    }
    return req;
  }

  // Sends requests 0 .. count-1 on the connection, at most `window` of them
  // waiting for their answers at a time, and hands each answer to on_answer in
  // order. Each request has options.timeout from the start of its sending (for
  // the first one, of the connect) to the end of its answer. A kept-alive
  // connection the server closed meanwhile is replaced once, while nothing has
  // been answered.
  Status Exchange(size_t count, size_t window, const RequestOf& request_of, const OnAnswer& on_answer) {
    if (count == 0) return Status::Ok();
    const Clock::time_point deadline = Clock::now() + options.timeout;
    for (int attempt = 0;; ++attempt) {
      bool reused = connected();
      if (!reused) CIVIC_RETURN_IF_ERROR(Connect(deadline));
      Pass pass = tls_stream ? Pipeline(*tls_stream, count, window, deadline, request_of, on_answer)
                             : Pipeline(*stream, count, window, deadline, request_of, on_answer);
      if (!pass.ec && pass.answered == count) {
        if (!pass.keep_alive) Close();
        return Status::Ok();
      }
      Close();
      if (!pass.ec) {
        return Status(Code::kIOError, err::CONNECTION_LOST, "the server closed the connection after " +
                                                             std::to_string(pass.answered) + " of " +
                                                             std::to_string(count) + " answers");
      }
      if (pass.ec == beast::error::timeout) {
        return Status::DeadlineExceeded(err::TIMEOUT, "the server did not answer in time");
      }
      bool stale = pass.ec == http::error::end_of_stream || pass.ec == net::error::eof ||
                   pass.ec == net::error::connection_reset || pass.ec == net::error::broken_pipe ||
                   pass.ec == net::ssl::error::stream_truncated;
      if (reused && stale && pass.answered == 0 && !pass.got_bytes && attempt == 0) continue;
      if (pass.ec == http::error::body_limit) return BadResponse("the answer is larger than the client accepts");
      // A TLS alert after the handshake: with TLS 1.3 the server checks the
      // client certificate only then (e.g. "certificate required").
      if (pass.ec.category() == net::error::get_ssl_category()) {
        return Status::Unavailable(err::TLS_HANDSHAKE_FAILED, "the server refused the TLS connection: " +
                                                                  pass.ec.message());
      }
      return Status(Code::kIOError, err::CONNECTION_LOST, "the connection broke: " + pass.ec.message());
    }
  }

  // One pass of Exchange over the open connection.
  struct Pass {
    size_t answered = 0;
    bool got_bytes = false;   // of the answer that failed
    bool keep_alive = true;   // of the last answer
    beast::error_code ec;     // the first failure
  };

  // The writer sends the next request whenever none is being written and fewer
  // than `window` wait; the reader reads the answers one after the other. Both
  // run on `ioc` (HTTP/1.1 answers come in the order of the requests).
  template <typename Stream>
  Pass Pipeline(Stream& stream, size_t count, size_t window, Clock::time_point first_deadline,
                const RequestOf& request_of, const OnAnswer& on_answer) {
    beast::tcp_stream& lowest = beast::get_lowest_layer(stream);
    struct Waiting {
      Clock::time_point deadline;
      bool head;  // a HEAD answer has no body
    };
    Pass pass;
    std::deque<Waiting> waiting;  // sent or being sent, not yet answered
    size_t next = 0;
    bool writing = false;
    std::optional<http::response_parser<http::string_body>> parser;
    auto fail = [&](beast::error_code ec) {
      if (!pass.ec) pass.ec = ec;
      lowest.cancel();
    };
    std::function<void()> write_next = [&] {
      if (pass.ec || !pass.keep_alive || writing || next == count || waiting.size() >= std::max<size_t>(window, 1)) {
        return;
      }
      const Request& req = request_of(next);
      Clock::time_point deadline = next == 0 ? first_deadline : Clock::now() + options.timeout;
      waiting.push_back({deadline, req.method() == http::verb::head});
      writing = true;
      lowest.expires_at(waiting.back().deadline);
      http::async_write(stream, req, [&](beast::error_code ec, size_t) {
        writing = false;
        if (ec && pass.keep_alive) return fail(ec);  // else cancelled: the server closed the connection
        if (ec) return;
        ++next;
        write_next();
      });
    };
    std::function<void()> read_next = [&] {
      if (pass.ec || !pass.keep_alive || waiting.empty()) return;
      parser.emplace();
      parser->body_limit(options.max_response_bytes);
      parser->header_limit(64 * 1024);
      parser->skip(waiting.front().head);
      lowest.expires_at(waiting.front().deadline);
      http::async_read(stream, buffer, *parser, [&](beast::error_code ec, size_t) {
        if (ec) {
          pass.got_bytes = parser->got_some();
          return fail(ec);
        }
        http::response<http::string_body> res = parser->release();
        waiting.pop_front();
        pass.keep_alive = res.keep_alive();
        on_answer(pass.answered++, ToHttpResponse(std::move(res)));
        if (!pass.keep_alive && writing) lowest.cancel();
        write_next();
        read_next();
      });
    };
    write_next();
    read_next();
    ioc.restart();
    ioc.run();
    return pass;
  }
};

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

Result<ClientOptions> Client::ParseUrl(std::string_view url) {
  ClientOptions options;
  std::string_view rest = url;
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
    options.tls = true;
  } else if (rest.find("://") != std::string_view::npos) {
    return Status::InvalidArgument(err::BAD_URL, "only http:// and https:// URLs are supported: " + std::string(url));
  }
  rest = rest.substr(0, rest.find('/'));
  std::string_view host = rest, port;
  if (rest.starts_with("[")) {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument(err::BAD_URL, "unclosed [ in " + std::string(url));
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (after.starts_with(":")) port = after.substr(1);
  } else if (size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) return Status::InvalidArgument(err::BAD_URL, "no host in " + std::string(url));
  options.host = std::string(host);
  if (!port.empty()) {
    unsigned value = 0;
    for (char c : port) {
      if (c < '0' || c > '9' || value > 65535) return Status::InvalidArgument(err::BAD_URL, "bad port in " + std::string(url));
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) return Status::InvalidArgument(err::BAD_URL, "bad port in " + std::string(url));
    options.port = static_cast<uint16_t>(value);
  }
  return options;
}

Result<HttpResponse> Client::Request(std::string_view method, std::string_view path, std::string body,
                                     std::string_view content_type,
                                     const std::vector<std::pair<std::string, std::string>>& headers) {
  http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) return Status::InvalidArgument(err::BAD_METHOD, "unknown HTTP method " + std::string(method));
  Impl::Request req = impl_->MakeRequest(verb, path, std::move(body), content_type);
  for (const auto& [name, value] : headers) req.set(name, value);
  HttpResponse out;
  auto request_of = [&](size_t) -> const Impl::Request& { return req; };
  CIVIC_RETURN_IF_ERROR(impl_->Exchange(1, 1, request_of, [&](size_t, HttpResponse res) { out = std::move(res); }));
  return out;
}

Result<HttpResponse> Client::Get(std::string_view path) {
  CIVIC_ASSIGN_OR_RETURN(HttpResponse res, Request("GET", path));
  if (res.status < 200 || res.status > 299) return StatusFromHttpError(res.status, res.body);
  return res;
}

Result<json::value> Client::GetJson(std::string_view path) {
  CIVIC_ASSIGN_OR_RETURN(HttpResponse res, Get(path));
  json::error_code ec;
  json::value doc = json::parse(res.body, ec);
  if (ec) return BadResponse("the answer to GET " + std::string(path) + " is not JSON");
  return doc;
}

Result<json::value> Client::Call(std::string_view method, json::value params) {
  int64_t id = impl_->next_id++;
  CIVIC_ASSIGN_OR_RETURN(HttpResponse res,
                         Request("POST", "/rpc", json::serialize(CallObject(id, method, std::move(params)))));
  return SingleAnswer(res, id, method);
}

Result<std::vector<Result<json::value>>> Client::CallBatch(
    const std::vector<std::pair<std::string, json::value>>& calls) {
  json::array batch;
  int64_t first = impl_->next_id;
  for (const auto& [method, params] : calls) batch.emplace_back(CallObject(impl_->next_id++, method, params));
  CIVIC_ASSIGN_OR_RETURN(HttpResponse res, Request("POST", "/rpc", json::serialize(batch)));
  return BatchAnswer(res, first, calls.size());
}

Status Client::CallPipelined(const std::vector<std::pair<std::string, json::value>>& calls, size_t per_request,
                             size_t window, const CallResultHandler& on_result) {
  if (per_request == 0) return Status::InvalidArgument(err::BAD_ARGUMENT, "per_request must be at least 1");
  const int64_t first_id = impl_->next_id;
  impl_->next_id += static_cast<int64_t>(calls.size());
  const size_t requests = (calls.size() + per_request - 1) / per_request;
  auto id_of = [&](size_t call) { return first_id + static_cast<int64_t>(call); };
  auto first_call = [&](size_t r) { return r * per_request; };
  auto calls_in = [&](size_t r) { return std::min(per_request, calls.size() - first_call(r)); };
  Impl::Request current;
  auto request_of = [&](size_t r) -> const Impl::Request& {
    const size_t first = first_call(r);
    json::value body;
    if (per_request == 1) {
      body = CallObject(id_of(first), calls[first].first, calls[first].second);
    } else {
      json::array batch;
      for (size_t i = first; i < first + calls_in(r); ++i) {
        batch.emplace_back(CallObject(id_of(i), calls[i].first, calls[i].second));
      }
      body = std::move(batch);
    }
    current = impl_->MakeRequest(http::verb::post, "/rpc", json::serialize(body), "application/json");
    return current;
  };
  auto on_answer = [&](size_t r, HttpResponse res) {
    const size_t first = first_call(r);
    if (per_request == 1) return on_result(first, SingleAnswer(res, id_of(first), calls[first].first));
    auto answers = BatchAnswer(res, id_of(first), calls_in(r));
    for (size_t i = 0; i < calls_in(r); ++i) {
      on_result(first + i, answers.ok() ? std::move((*answers)[i]) : Result<json::value>(answers.status()));
    }
  };
  return impl_->Exchange(requests, window, request_of, on_answer);
}

void Client::Close() { impl_->Close(); }

}  // namespace civic::rpc
