#include "rpc/http_session.h"

#include <spdlog/spdlog.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <optional>
#include <tuple>

#include "rpc/api_documents.h"
#include "rpc/error_codes.h"
#include "rpc/errors.h"
#include "rpc/rest_routes.h"
#include "rpc/security_headers.h"
#include "rpc/static_files.h"
#include "rpc/ws_session.h"

namespace civic::rpc {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kJson = "application/json";

// `Stream` is beast::tcp_stream (plain HTTP) or beast::ssl_stream<beast::tcp_stream> (TLS).
template <typename Stream>
class HttpSession : public SessionBase, public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  using std::enable_shared_from_this<HttpSession>::shared_from_this;
  using std::enable_shared_from_this<HttpSession>::weak_from_this;

  // `tls` is null for plain HTTP. The connection's SSL object holds its own
  // reference to the OpenSSL context, so a reload may drop `tls` meanwhile.
  HttpSession(std::shared_ptr<ServerState> state, tcp::socket&& socket, const std::shared_ptr<TlsContext>& tls,
              std::string remote, std::shared_ptr<ConnectionSlot> slot)
      : state_(std::move(state)),
        stream_(OpenStream(std::move(socket), tls)),
        executor_(stream_.get_executor()),
        remote_(std::move(remote)),
        client_(remote_),
        via_proxy_(state_->trusted_proxies.Contains(remote_)),
        slot_(std::move(slot)) {}

  ~HttpSession() override { state_->Unregister(id_); }

  void Run() {
    id_ = state_->Register(weak_from_this());
    net::dispatch(executor_, [self = shared_from_this()] {
      if constexpr (kTls) {
        self->Handshake();
      } else {
        self->ReadHeader();
      }
    });
  }

  void Shutdown(bool force) override {
    auto self = shared_from_this();
    net::post(executor_, [self, force] {
      if (self->handed_over_) return;
      if (force) {
        self->Close();
      } else if (!self->busy_) {
        beast::get_lowest_layer(self->stream_).cancel();  // the pending read ends with operation_aborted
      } else {
        self->close_after_ = true;
      }
    });
  }

 private:
  static Stream OpenStream(tcp::socket&& socket, const std::shared_ptr<TlsContext>& tls) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *tls);
    } else {
      return Stream(std::move(socket));
    }
  }

  const ServerOptions& options() const { return state_->options; }
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  // ---- TLS

  // The handshake counts against the header timeout, and the connection holds
  // its slot meanwhile: a client that connects and stays silent, or sends
  // plain HTTP, is dropped like one that sends no request header.
  void Handshake() {
    Lowest().expires_after(options().header_timeout);
    stream_.async_handshake(boost::asio::ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) { self->OnHandshake(ec); });
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) {
      state_->metrics.RecordReject(Reject::kTlsHandshake);
      spdlog::debug("rpc: TLS handshake with {} failed: {}", remote_, ec.message());
      return Close();
    }
    identity_ = PeerIdentity(stream_.native_handle());
    if (identity_.present()) {
      spdlog::debug("rpc: TLS client {} cn=\"{}\" sha256={}", remote_, identity_.subject_cn,
                    identity_.fingerprint_sha256);
    }
    ReadHeader();
  }

  void ReadHeader() {
    if (state_->stopping || close_after_) {
      Close();
      return;
    }
    busy_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(options().max_header_bytes));
    parser_->body_limit(options().max_body_bytes);
    Lowest().expires_after(options().header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    busy_ = true;
    route_ = Route::kOther;
    const auto& header = parser_->get();
    if (auto length = parser_->content_length(); length && *length > options().max_body_bytes) {
      return RejectTooLarge(header.target());
    }
    if (!ResolveClient()) return;
    if (!ReserveBody()) return RejectOverBudget(header.target());
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      Lowest().expires_after(options().write_timeout);
      http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code ec, size_t) {
        if (ec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    Lowest().expires_after(options().read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
  }

  void OnBody(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    started_ = Clock::now();
    req_ = parser_->release();
    parser_.reset();
    HandleRequest();
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return RejectTooLarge(parser_ ? std::string_view(parser_->get().target()) : std::string_view());
    }
    if (ec == http::error::header_limit) {
      state_->metrics.RecordReject(Reject::kHeaderTooLarge);
      Status st = Status::ResourceExhausted(err::HEADER_TOO_LARGE, "the request header is too large");
      return SendFinal(http::status::request_header_fields_too_large, RestErrorBody(st));
    }
    bool quiet = ec == http::error::end_of_stream || ec == net::error::eof ||
                 ec == net::error::connection_reset || ec == net::error::operation_aborted ||
                 ec == beast::error::timeout || ec == net::error::broken_pipe ||
                 ec == http::error::partial_message ||
                 // TLS: a close without close_notify, or a broken record (nothing to answer on)
                 ec == net::ssl::error::stream_truncated || ec.category() == net::error::get_ssl_category();
    if (quiet) return Close();
    state_->metrics.RecordReject(Reject::kMalformedHttp);
    SendFinal(http::status::bad_request,
              RestErrorBody(Status::InvalidArgument(err::MALFORMED_HTTP, "malformed HTTP request: " + ec.message())));
  }

  void RejectTooLarge(std::string_view target) {
    state_->metrics.RecordReject(Reject::kBodyTooLarge);
    Status st = Status::ResourceExhausted(
        err::BODY_TOO_LARGE, "the request body is larger than " + std::to_string(options().max_body_bytes) + " bytes");
    RejectBeforeBody(target, http::status::payload_too_large, st);
  }

  // Behind a trusted proxy, the client the proxy forwards this request for: the
  // rate limit and the connection cap count it (rpc/client_address.h).
  bool ResolveClient() {
    if (!via_proxy_) return true;
    std::string forwarded_for;
    auto [first, last] = parser_->get().equal_range("X-Forwarded-For");
    for (auto field = first; field != last; ++field) {
      if (!forwarded_for.empty()) forwarded_for += ',';
      forwarded_for += field->value();
    }
    auto client = state_->trusted_proxies.ClientKey(remote_, forwarded_for);
    if (!client.ok()) {
      state_->metrics.RecordReject(Reject::kMalformedHttp);
      SendFinal(http::status::bad_request, RestErrorBody(client.status()));
      return false;
    }
    if (!slot_->CountAs(*client)) {
      state_->metrics.RecordReject(Reject::kConnectionsPerIp);
      Status st = Status::ResourceExhausted(err::TOO_MANY_CONNECTIONS_FROM_ADDRESS,
                                            "too many open connections from this address; close some or retry later");
      SendFinal(http::status::too_many_requests, RestErrorBody(st), /*retry_after=*/true);
      return false;
    }
    client_ = std::move(client).value();
    return true;
  }

  // The bytes the body may take: its declared length, or the body limit when it
  // comes in chunks. Held until the answer is written (OnWrite) or the session ends.
  bool ReserveBody() {
    size_t bytes = parser_->content_length().value_or(parser_->chunked() ? options().max_body_bytes : 0);
    auto reservation = state_->body_budget.Reserve(bytes);
    if (!reservation) return false;
    body_reservation_ = std::move(*reservation);
    return true;
  }

  void RejectOverBudget(std::string_view target) {
    state_->metrics.RecordReject(Reject::kBodyBudget);
    Status st = Status::Unavailable(err::BODY_BUDGET_EXHAUSTED,
                                    "the node is reading as many request bodies as it allows; retry later");
    RejectBeforeBody(target, http::status::service_unavailable, st, /*retry_after=*/true);
  }

  // Answers a request whose body will not be read (as JSON-RPC on /rpc) and closes.
  void RejectBeforeBody(std::string_view target, http::status status, const Status& st, bool retry_after = false) {
    std::string path(target.substr(0, target.find('?')));
    route_ = path == "/rpc" ? Route::kRpc : Route::kOther;
    SendFinal(status, path == "/rpc" ? ErrorResponseBody(JsonRpcCodeFor(st), st) : RestErrorBody(st), retry_after);
  }

  // Answers and closes the connection (the rest of the request is not read).
  void SendFinal(http::status status, std::string body, bool retry_after = false) {
    busy_ = true;
    close_after_ = true;
    linger_ = true;
    req_ = {};
    req_.version(11);
    req_.method(http::verb::get);
    if (started_ == Clock::time_point()) started_ = Clock::now();
    http::response<http::string_body> res{status, req_.version()};
    res.set(http::field::content_type, kJson);
    if (retry_after) res.set(http::field::retry_after, "1");
    res.body() = std::move(body);
    Send(std::move(res));
  }

  void HandleRequest() {
    std::string_view target = req_.target();
    size_t qmark = target.find('?');
    std::string_view path = target.substr(0, qmark);
    std::string_view query = qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1);
    http::verb verb = req_.method();
    bool get = verb == http::verb::get || verb == http::verb::head;

    if (path == "/rpc") {
      route_ = Route::kRpc;
      if (verb == http::verb::options) return SendPreflight();
      if (verb != http::verb::post) return SendMethodNotAllowed("POST, OPTIONS");
      return HandleRpc();
    }
    if (path == "/ws") {
      route_ = Route::kWebSocket;
      if (!beast::websocket::is_upgrade(req_)) {
        return SendText(http::status::bad_request,
                        RestErrorBody(Status::InvalidArgument(err::UPGRADE_REQUIRED, "/ws expects a WebSocket upgrade")),
                        kJson);
      }
      if (!OriginMayOpenWebSocket()) {
        state_->metrics.RecordReject(Reject::kBadOrigin);
        return SendText(http::status::forbidden,
                        RestErrorBody(Status::PermissionDenied(
                            err::ORIGIN_NOT_ALLOWED, "/ws accepts pages of this node's own origin only")),
                        kJson);
      }
      if (!state_->limiter.Allow(client_)) return SendRateLimited();
      return UpgradeToWebSocket();
    }
    if (path == "/healthz") {
      route_ = Route::kHealth;
      if (!get) return SendMethodNotAllowed("GET, HEAD");
      return HandleHealth();
    }
    if (path == "/metrics") {
      route_ = Route::kMetrics;
      if (!get) return SendMethodNotAllowed("GET, HEAD");
      return HandleMetrics();
    }
    if (path == "/v1/genesis") {
      route_ = Route::kOther;
      if (!get) return SendMethodNotAllowed("GET, HEAD");
      return HandleGenesis();
    }
    if (path == "/openapi.json" || path == "/openrpc.json") {
      route_ = Route::kOther;
      if (!get) return SendMethodNotAllowed("GET, HEAD");
      return SendText(http::status::ok, std::string(path == "/openapi.json" ? OpenApiDocument() : OpenRpcDocument()),
                      kJson);
    }
    if (path == "/v1/issuer" || path.starts_with("/v1/issuer/")) {
      route_ = Route::kOther;
      if (!options().issuer) {
        return SendRestError(Status::NotFound(err::NO_SUCH_ROUTE, "this node does not serve the issuer API"));
      }
      return HandleIssuer(path, query);
    }
    if (path == "/v1" || path.starts_with("/v1/")) {
      if (verb == http::verb::options) return SendPreflight();
      bool post = verb == http::verb::post;
      if (!get && !post) return SendMethodNotAllowed("GET, HEAD, POST, OPTIONS");
      return HandleRest(RestCallFor(path, query, post, req_.body()));
    }
    route_ = Route::kStatic;
    if (!get) return SendMethodNotAllowed("GET, HEAD");
    HandleStatic(path);
  }

  // ---- /rpc

  void HandleRpc() {
    CallContext ctx{state_->node, client_, state_->methods, identity_};
    auto admit = [this](size_t calls) { return state_->limiter.Allow(client_, static_cast<double>(calls)); };
    auto self = shared_from_this();
    state_->dispatcher.Handle(req_.body(), ctx, admit, [self](DispatchResult result) {
      self->state_->RunOn(self->executor_, [self, result = std::move(result)]() mutable {
        self->FinishRpc(std::move(result));
      });
    });
  }

  void FinishRpc(DispatchResult result) {
    if (!result.admitted) return SendRateLimited();
    if (result.body.empty()) return SendText(http::status::no_content, "", "");
    SendText(http::status::ok, std::move(result.body), kJson);
  }

  void SendRateLimited() {
    state_->metrics.RecordReject(Reject::kRateLimit);
    Status st = Status::ResourceExhausted(err::RATE_LIMITED, "too many requests from this address; retry later");
    std::string body = route_ == Route::kRpc ? ErrorResponseBody(JsonRpcCodeFor(st), st) : RestErrorBody(st);
    http::response<http::string_body> res{http::status::too_many_requests, req_.version()};
    res.set(http::field::retry_after, "1");
    res.set(http::field::content_type, kJson);
    res.body() = std::move(body);
    Send(std::move(res));
  }

  // ---- REST

  void HandleRest(RestCall call) {
    route_ = call.route;
    if (!call.allow.empty()) return SendMethodNotAllowed(call.allow);
    if (!call.status.ok()) return SendRestError(call.status);
    if (!state_->limiter.Allow(client_)) return SendRateLimited();

    CallContext ctx{state_->node, client_, state_->methods, identity_};
    auto self = shared_from_this();
    std::string method = std::move(call.method);
    json::value params(std::move(call.params));
    state_->dispatcher.Call(method, params, ctx, [self, method](Result<json::value> result) {
      self->state_->metrics.RecordCall(method, result.status().code());
      self->state_->RunOn(self->executor_, [self, result = std::move(result)]() mutable {
        if (!result.ok()) return self->SendRestError(result.status());
        self->SendText(http::status::ok, json::serialize(result.value()), kJson);
      });
    });
  }

  // ---- /v1/issuer (rpc/issuer_gateway.h)

  void HandleIssuer(std::string_view path, std::string_view query) {
    if (!state_->limiter.Allow(client_)) return SendRateLimited();
    IssuerHttpRequest request;
    request.method = std::string(req_.method_string());
    request.path = std::string(path);
    request.query = std::string(query);
    request.body = req_.body();
    request.authorization = std::string(req_[http::field::authorization]);
    auto key = req_.find("Idempotency-Key");
    request.has_idempotency_key = key != req_.end();
    if (request.has_idempotency_key) request.idempotency_key = std::string(key->value());
    request.identity.client_address = client_;
    auto self = shared_from_this();
    options().issuer->Handle(std::move(request), [self](IssuerHttpAnswer answer) {
      self->state_->RunOn(self->executor_, [self, answer = std::move(answer)]() mutable {
        self->SendText(static_cast<http::status>(answer.status), std::move(answer.body), kJson);
      });
    });
  }

  void SendRestError(const Status& st) {
    SendText(static_cast<http::status>(RestErrorHttpStatus(st)), RestErrorBody(st), kJson);
  }

  // ---- health and metrics

  // The genesis file this node started from, byte for byte: the trust root of
  // the page's proof checks (which pin its hash) and of any light client that
  // has no copy from the city yet.
  void HandleGenesis() {
    if (state_->options.genesis_json.empty()) {
      return SendText(http::status::not_found,
                      RestErrorBody(Status::NotFound(err::NO_SUCH_ROUTE, "this server has no genesis to give")), kJson);
    }
    SendText(http::status::ok, state_->options.genesis_json, kJson);
  }

  void HandleHealth() {
    NodeBackend* node = state_->node;
    json::object body;
    bool up = false;
    if (node && node->ready()) {
      const ledger::Chain& chain = node->chain();
      if (chain.initialised()) {
        ledger::Tip tip = chain.tip();
        body["status"] = "ok";
        body["height"] = tip.height;
        body["chain_id"] = chain.options().chain_id;
        up = true;
      }
    }
    if (!up) {
      body["status"] = "unavailable";
      body["reason"] = node ? "the node is not ready yet" : "no node attached";
    }
    SendText(up ? http::status::ok : http::status::service_unavailable, json::serialize(body), kJson);
  }

  void HandleMetrics() {
    NodeBackend* node = state_->node;
    if (node && node->chain().initialised()) state_->metrics.SetChainHeight(node->chain().tip().height);
    SendText(http::status::ok, state_->metrics.Text(), "text/plain; version=0.0.4; charset=utf-8");
  }

  // ---- static files

  void HandleStatic(std::string_view path) {
    if (state_->web_root.empty()) {
      return SendRestError(Status::NotFound(err::NO_WEB_ROOT, "this node serves no web page"));
    }
    auto file = ResolveStaticFile(state_->web_root, path, state_->options.spa_fallback);
    if (!file.ok()) return SendRestError(file.status());
    beast::error_code ec;
    http::file_body::value_type body;
    body.open(file->path.c_str(), beast::file_mode::scan, ec);
    if (ec) return SendRestError(Status::NotFound(err::FILE_NOT_FOUND, "no such file"));
    uint64_t size = body.size();
    bool html = file->content_type.starts_with("text/html");
    auto fill = [&](auto& res) {
      res.set(http::field::content_type, file->content_type);
      res.set(http::field::cache_control, html ? "no-cache" : "public, max-age=3600");
      res.content_length(size);
    };
    if (req_.method() == http::verb::head) {
      http::response<http::empty_body> res{http::status::ok, req_.version()};
      fill(res);
      return Send(std::move(res), /*prepared=*/true);
    }
    http::response<http::file_body> res{std::piecewise_construct, std::make_tuple(std::move(body)),
                                        std::make_tuple(http::status::ok, req_.version())};
    fill(res);
    Send(std::move(res), /*prepared=*/true);
  }

  // ---- WebSocket hand-over

  // A browser names the page's origin; any page on the web could otherwise
  // open /ws with the visitor's network position. No Origin: not a browser.
  bool OriginMayOpenWebSocket() const {
    auto origin = req_.find(http::field::origin);
    if (origin == req_.end()) return true;
    std::string_view value = origin->value();
    if (!options().ws_allowed_origins.empty()) {
      return std::find(options().ws_allowed_origins.begin(), options().ws_allowed_origins.end(), value) !=
             options().ws_allowed_origins.end();
    }
    std::string_view host = req_[http::field::host];
    if (host.empty()) return false;
    return value == "http://" + std::string(host) || value == "https://" + std::string(host);
  }

  void UpgradeToWebSocket() {
    handed_over_ = true;
    body_reservation_.reset();
    state_->metrics.RecordRequest(Route::kWebSocket, 101, Clock::now() - started_);
    StartWebSocketSession(state_, std::move(stream_), client_, std::move(slot_), std::move(req_));
  }

  // ---- writing answers

  // A page may call /rpc and /v1 from another origin only when that origin
  // is listed (options.cors_origins): its preflight is answered 204 and every
  // answer names it; auditor requests sign in the JSON body, so Content-Type is
  // the only request header a page needs.
  bool CorsAllows(std::string_view origin) const {
    const auto& allowed = options().cors_origins;
    return !origin.empty() && std::find(allowed.begin(), allowed.end(), origin) != allowed.end();
  }

  void SendPreflight() {
    if (!CorsAllows(req_[http::field::origin])) {
      state_->metrics.RecordReject(Reject::kBadOrigin);
      Status st = Status::PermissionDenied(err::ORIGIN_NOT_ALLOWED,
                                           "this node does not answer pages of this origin (rpc.cors_origins)");
      return SendText(http::status::forbidden, RestErrorBody(st), kJson);
    }
    http::response<http::string_body> res{http::status::no_content, req_.version()};
    res.set(http::field::access_control_allow_methods, "GET, POST");
    res.set(http::field::access_control_allow_headers, "Content-Type");
    res.set(http::field::access_control_max_age, "600");
    Send(std::move(res));
  }

  void SendMethodNotAllowed(std::string_view allow) {
    http::response<http::string_body> res{http::status::method_not_allowed, req_.version()};
    res.set(http::field::allow, allow);
    res.set(http::field::content_type, kJson);
    res.body() = RestErrorBody(Status::InvalidArgument(err::METHOD_NOT_ALLOWED, "use " + std::string(allow)));
    Send(std::move(res));
  }

  void SendText(http::status status, std::string body, std::string_view content_type) {
    http::response<http::string_body> res{status, req_.version()};
    if (!content_type.empty()) res.set(http::field::content_type, content_type);
    res.body() = std::move(body);
    Send(std::move(res));
  }

  template <typename Body>
  void Send(http::response<Body>&& res, bool prepared = false) {
    res.set(http::field::server, kServerName);
    SetSecurityHeaders(res.base(), req_[http::field::host]);
    bool api = route_ == Route::kRpc || (route_ >= Route::kCertificate && route_ <= Route::kCredit) ||
               (route_ == Route::kOther && req_.target().starts_with("/v1"));
    if (api && !options().cors_origins.empty()) {
      res.set(http::field::vary, "Origin");
      std::string_view origin = req_[http::field::origin];
      if (CorsAllows(origin)) res.set(http::field::access_control_allow_origin, origin);
    }
    bool keep_alive = req_.keep_alive() && !close_after_ && !state_->stopping;
    state_->metrics.RecordRequest(route_, static_cast<int>(res.result_int()), Clock::now() - started_);
    if constexpr (std::is_same_v<Body, http::string_body>) {
      if (!prepared && req_.method() == http::verb::head) {
        http::response<http::empty_body> head{res.result(), res.version()};
        head.base() = res.base();
        head.content_length(res.body().size());
        head.keep_alive(keep_alive);
        return Write(http::message_generator(std::move(head)), keep_alive);
      }
      if (!prepared) res.prepare_payload();
    }
    res.keep_alive(keep_alive);
    Write(http::message_generator(std::move(res)), keep_alive);
  }

  void Write(http::message_generator msg, bool keep_alive) {
    Lowest().expires_after(options().write_timeout);
    beast::async_write(stream_, std::move(msg),
                       [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                         self->OnWrite(ec, keep_alive);
                       });
  }

  void OnWrite(beast::error_code ec, bool keep_alive) {
    busy_ = false;
    started_ = Clock::time_point();
    std::string().swap(req_.body());
    body_reservation_.reset();
    if (!ec && linger_) return LingerClose();
    if (ec || !keep_alive) return Close();
    ReadHeader();
  }

  void Close() {
    beast::error_code ec;
    if (!closed_) Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    closed_ = true;
    Lowest().close();
    slot_.reset();
    body_reservation_.reset();
  }

  // After an early answer (413, 400) the client may still be sending: read and
  // discard for a moment before closing, so that closing with unread data does
  // not reset the connection before the client has read the answer.
  void LingerClose() {
    beast::error_code ec;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    closed_ = true;
    drain_ = std::make_unique<std::array<char, 16384>>();
    Lowest().expires_after(std::chrono::seconds(2));
    Drain(0);
  }

  void Drain(size_t drained) {
    stream_.async_read_some(net::buffer(*drain_), [self = shared_from_this(), drained](beast::error_code ec, size_t n) {
      if (ec || drained + n > 64 * self->options().max_body_bytes) return self->Close();
      self->Drain(drained + n);
    });
  }

  std::shared_ptr<ServerState> state_;
  Stream stream_;
  net::any_io_executor executor_;  // kept: stream_ is moved away on a WebSocket upgrade
  std::string remote_;  // the socket peer
  std::string client_;  // whom the current request counts against: remote_, or whom a trusted proxy names
  bool via_proxy_;      // remote_ is a trusted proxy
  std::shared_ptr<ConnectionSlot> slot_;
  ClientIdentity identity_;  // of the TLS client certificate, when one was verified
  uint64_t id_ = 0;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  BodyBudget::Reservation body_reservation_;  // the budget share of the request being read or answered
  http::request<http::string_body> req_;
  Route route_ = Route::kOther;
  Clock::time_point started_;
  bool busy_ = false;         // a request is being read or answered
  bool close_after_ = false;  // close once the current answer is written
  bool closed_ = false;
  bool linger_ = false;       // drain the connection before closing it
  bool handed_over_ = false;  // the connection now belongs to a WebSocket session
  std::unique_ptr<std::array<char, 16384>> drain_;  // LingerClose's read buffer
};

}  // namespace

void StartHttpSession(std::shared_ptr<ServerState> state, tcp::socket socket, std::string remote,
                      std::shared_ptr<ConnectionSlot> slot, std::shared_ptr<TlsContext> tls) {
  if (tls) {
    std::make_shared<HttpSession<beast::ssl_stream<beast::tcp_stream>>>(std::move(state), std::move(socket), tls,
                                                                        std::move(remote), std::move(slot))
        ->Run();
  } else {
    std::make_shared<HttpSession<beast::tcp_stream>>(std::move(state), std::move(socket), tls, std::move(remote),
                                                     std::move(slot))
        ->Run();
  }
}

}  // namespace civic::rpc
