#include "rpc/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <thread>
#include <vector>

#include "crypto/base/bytes.h"
#include "rpc/errors.h"
#include "rpc/jsonrpc.h"
#include "rpc/rate_limiter.h"
#include "rpc/static_files.h"

namespace civic::rpc {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace fs = std::filesystem;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using Strand = net::strand<net::io_context::executor_type>;

namespace {

constexpr std::string_view kServerName = "civicd";
constexpr std::string_view kJson = "application/json";

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Graceful: finish the request in flight, then close. Forced: close now.
  // Called from a thread outside the session's strand.
  virtual void Shutdown(bool force) = 0;
};

class WsSession;

// State shared by the server and its sessions. Sessions hold it by shared_ptr,
// so the io_context outlives every socket even when a late reply keeps a
// session alive after the server is gone.
struct Core {
  Core(ServerOptions opts, const MethodTable* table, NodeBackend* backend)
      : options(std::move(opts)),
        methods(table),
        node(backend),
        metrics_ptr(std::make_shared<HttpMetrics>(table, backend ? backend->metrics() : nullptr)),
        metrics(*metrics_ptr),
        limiter(options.rate_limit_per_sec, options.rate_limit_burst),
        dispatcher(table, options.max_batch, [m = metrics_ptr](std::string_view method, const Status& st) {
          m->RecordCall(method, st.code());
        }) {}

  ServerOptions options;
  const MethodTable* methods;
  NodeBackend* node;
  net::io_context ioc;
  std::shared_ptr<HttpMetrics> metrics_ptr;  // shared with late replies
  HttpMetrics& metrics;
  RateLimiter limiter;
  Dispatcher dispatcher;
  fs::path web_root;  // canonical; empty = no static files

  std::atomic<bool> stopping{false};

  // Closed once the server threads are about to end: nothing may be posted
  // to the io_context after that.
  std::shared_mutex gate_mu;
  bool gate_closed = false;

  // Live sessions (for Stop) and open connections.
  std::mutex sessions_mu;
  std::condition_variable sessions_cv;
  std::map<uint64_t, std::weak_ptr<SessionBase>> sessions;
  uint64_t next_session_id = 1;
  int64_t open_connections = 0;

  // WebSocket subscriptions: session id -> (session, topics).
  std::mutex subs_mu;
  struct Subscriber {
    std::weak_ptr<WsSession> session;
    std::set<std::string, std::less<>> topics;
  };
  std::map<uint64_t, Subscriber> subscribers;

  // Runs `fn` on `ex`: inline when already there, else posted unless the gate is closed.
  template <typename Fn>
  void RunOn(const net::any_io_executor& ex, Fn&& fn) {
    const Strand* strand = ex.target<Strand>();
    if (strand && strand->running_in_this_thread()) {
      fn();
      return;
    }
    std::shared_lock<std::shared_mutex> lock(gate_mu);
    if (gate_closed) return;
    net::post(ex, std::forward<Fn>(fn));
  }

  uint64_t Register(std::weak_ptr<SessionBase> session) {
    std::lock_guard<std::mutex> lock(sessions_mu);
    uint64_t id = next_session_id++;
    sessions.emplace(id, std::move(session));
    return id;
  }
  void Unregister(uint64_t id) {
    std::lock_guard<std::mutex> lock(sessions_mu);
    sessions.erase(id);
  }
  std::vector<std::shared_ptr<SessionBase>> LiveSessions() {
    std::vector<std::shared_ptr<SessionBase>> out;
    std::lock_guard<std::mutex> lock(sessions_mu);
    for (auto& [id, weak] : sessions) {
      if (auto s = weak.lock()) out.push_back(std::move(s));
    }
    return out;
  }
};

// One open connection, counted until released (moves from an HTTP session to
// the WebSocket session that takes the connection over).
class ConnectionSlot {
 public:
  explicit ConnectionSlot(std::shared_ptr<Core> core) : core_(std::move(core)) {
    core_->metrics.ConnectionOpened();
  }
  ~ConnectionSlot() {
    core_->metrics.ConnectionClosed();
    std::lock_guard<std::mutex> lock(core_->sessions_mu);
    --core_->open_connections;
    core_->sessions_cv.notify_all();
  }

 private:
  std::shared_ptr<Core> core_;
};

bool AllDigits(std::string_view s) {
  return !s.empty() && s.size() <= 18 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
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

// A query value as a JSON parameter: "at" digits -> integer; "fields" JSON or
// base64url JSON; "true"/"false" -> bool; anything else stays a string.
json::value QueryValue(std::string_view name, const std::string& value) {
  if (name == "at" && AllDigits(value)) return static_cast<int64_t>(std::stoll(value));
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

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

// ---------------------------------------------------------------------------
// WebSocket session: subscriptions and a bounded send queue.

class WsSession : public SessionBase, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(std::shared_ptr<Core> core, beast::tcp_stream&& stream, std::string remote,
            std::shared_ptr<ConnectionSlot> slot)
      : core_(std::move(core)), ws_(std::move(stream)), remote_(std::move(remote)), slot_(std::move(slot)) {}

  ~WsSession() override {
    core_->Unregister(id_);
    Unsubscribe();
  }

  void Run(http::request<http::string_body> req) {
    req_ = std::move(req);
    id_ = core_->Register(weak_from_this());
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = core_->options.read_timeout;
    timeouts.idle_timeout = core_->options.idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, kServerName);
    }));
    ws_.read_message_max(core_->options.ws_max_message_bytes);
    ws_.text(true);
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) { self->OnAccept(ec); });
  }

  void Shutdown(bool force) override {
    auto self = shared_from_this();
    net::post(ws_.get_executor(), [self, force] {
      if (force) {
        beast::error_code ec;
        beast::get_lowest_layer(self->ws_).socket().close(ec);
        self->Finish();
      } else {
        self->CloseWith(websocket::close_code::going_away, "server stopping");
      }
    });
  }

  // Queues `message` (called from any thread).
  void Enqueue(std::shared_ptr<const std::string> message) {
    auto self = shared_from_this();
    core_->RunOn(ws_.get_executor(), [self, message = std::move(message)]() mutable {
      self->Push(std::move(message));
    });
  }

 private:
  void OnAccept(beast::error_code ec) {
    if (ec) {
      Finish();
      return;
    }
    accepted_ = true;
    Read();
  }

  void Read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) {
      Finish();
      return;
    }
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    HandleMessage(text);
    if (!closing_) Read();
  }

  void HandleMessage(const std::string& text) {
    if (!core_->limiter.Allow(remote_)) {
      core_->metrics.RecordReject(Reject::kRateLimit);
      SendError("RATE_LIMITED", "too many messages; slow down");
      return;
    }
    json::error_code ec;
    json::value msg = json::parse(text, ec);
    const json::object* obj = ec ? nullptr : msg.if_object();
    if (!obj) {
      SendError("BAD_MESSAGE", "send a JSON object such as {\"subscribe\":\"blocks\"}");
      return;
    }
    bool subscribe = obj->contains("subscribe");
    const json::value* topic = subscribe ? obj->if_contains("subscribe") : obj->if_contains("unsubscribe");
    if (!topic || !topic->is_string()) {
      SendError("BAD_MESSAGE", "expected {\"subscribe\":\"<topic>\"} or {\"unsubscribe\":\"<topic>\"}");
      return;
    }
    std::string name(topic->get_string());
    if (name != "blocks") {
      SendError("UNKNOWN_TOPIC", "no topic named \"" + name + "\"; topics: blocks");
      return;
    }
    json::object ack;
    {
      std::lock_guard<std::mutex> lock(core_->subs_mu);
      auto& sub = core_->subscribers[id_];
      bool was_subscriber = !sub.topics.empty();
      sub.session = weak_from_this();
      if (subscribe) {
        sub.topics.insert(name);
      } else {
        sub.topics.erase(name);
      }
      bool is_subscriber = !sub.topics.empty();
      if (!is_subscriber) core_->subscribers.erase(id_);
      if (is_subscriber && !was_subscriber) core_->metrics.SubscriberAdded();
      if (!is_subscriber && was_subscriber) core_->metrics.SubscriberRemoved();
    }
    ack[subscribe ? "subscribed" : "unsubscribed"] = name;
    Push(std::make_shared<const std::string>(json::serialize(ack)));
  }

  void SendError(std::string_view app_code, std::string_view message) {
    json::object error;
    error["app_code"] = app_code;
    error["message"] = message;
    json::object msg;
    msg["error"] = std::move(error);
    Push(std::make_shared<const std::string>(json::serialize(msg)));
  }

  void Push(std::shared_ptr<const std::string> message) {
    if (closing_ || !accepted_) return;
    if (queue_.size() >= core_->options.ws_max_queue) {
      core_->metrics.RecordReject(Reject::kSlowSubscriber);
      spdlog::info("rpc: dropping slow websocket subscriber {}", remote_);
      queue_.clear();
      CloseWith(websocket::close_code::policy_error, "too slow: send queue full");
      return;
    }
    queue_.push_back(std::move(message));
    if (!writing_) Write();
  }

  void Write() {
    writing_ = true;
    auto message = queue_.front();
    ws_.async_write(net::buffer(*message), [self = shared_from_this(), message](beast::error_code ec, size_t) {
      self->OnWrite(ec);
    });
  }

  void OnWrite(beast::error_code ec) {
    writing_ = false;
    if (ec) {
      Finish();
      return;
    }
    if (!queue_.empty()) queue_.pop_front();
    if (pending_close_) {
      pending_close_ = false;
      StartClose();
      return;
    }
    if (!queue_.empty() && !closing_) Write();
  }

  // Sends a close frame once the write in flight (if any) is done.
  void CloseWith(websocket::close_code code, std::string reason) {
    if (closing_ || finished_) return;
    closing_ = true;
    close_reason_ = websocket::close_reason(code, reason);
    if (!accepted_) {
      beast::error_code ec;
      beast::get_lowest_layer(ws_).socket().close(ec);
      Finish();
      return;
    }
    if (writing_) {
      // Keep only the frame being written; drop the rest.
      while (queue_.size() > 1) queue_.pop_back();
      pending_close_ = true;
      return;
    }
    StartClose();
  }

  void StartClose() {
    ws_.async_close(close_reason_, [self = shared_from_this()](beast::error_code) {
      beast::error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().close(ignored);
      self->Finish();
    });
  }

  void Unsubscribe() {
    std::lock_guard<std::mutex> lock(core_->subs_mu);
    auto it = core_->subscribers.find(id_);
    if (it == core_->subscribers.end()) return;
    if (!it->second.topics.empty()) core_->metrics.SubscriberRemoved();
    core_->subscribers.erase(it);
  }

  void Finish() {
    if (finished_) return;
    finished_ = true;
    closing_ = true;
    Unsubscribe();
    slot_.reset();
  }

  std::shared_ptr<Core> core_;
  websocket::stream<beast::tcp_stream> ws_;
  std::string remote_;
  std::shared_ptr<ConnectionSlot> slot_;
  uint64_t id_ = 0;
  http::request<http::string_body> req_;
  beast::flat_buffer buffer_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  websocket::close_reason close_reason_;
  bool accepted_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool pending_close_ = false;
  bool finished_ = false;
};

// ---------------------------------------------------------------------------
// HTTP session: one request at a time, in order.

class HttpSession : public SessionBase, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(std::shared_ptr<Core> core, tcp::socket&& socket, std::string remote,
              std::shared_ptr<ConnectionSlot> slot)
      : core_(std::move(core)),
        stream_(std::move(socket)),
        executor_(stream_.get_executor()),
        remote_(std::move(remote)),
        slot_(std::move(slot)) {}

  ~HttpSession() override { core_->Unregister(id_); }

  void Run() {
    id_ = core_->Register(weak_from_this());
    net::dispatch(executor_, [self = shared_from_this()] { self->ReadHeader(); });
  }

  void Shutdown(bool force) override {
    auto self = shared_from_this();
    net::post(executor_, [self, force] {
      if (self->handed_over_) return;
      if (force) {
        self->Close();
      } else if (!self->busy_) {
        self->stream_.cancel();  // the pending read ends with operation_aborted
      } else {
        self->close_after_ = true;
      }
    });
  }

 private:
  const ServerOptions& options() const { return core_->options; }

  void ReadHeader() {
    if (core_->stopping || close_after_) {
      Close();
      return;
    }
    busy_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(options().max_header_bytes));
    parser_->body_limit(options().max_body_bytes);
    stream_.expires_after(options().idle_timeout);
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
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      stream_.expires_after(options().write_timeout);
      http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code ec, size_t) {
        if (ec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(options().read_timeout);
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
      core_->metrics.RecordReject(Reject::kHeaderTooLarge);
      return SendFinal(http::status::request_header_fields_too_large, RestErrorBody(Status::ResourceExhausted(
                                                                          "HEADER_TOO_LARGE", "the request header is too large")));
    }
    bool quiet = ec == http::error::end_of_stream || ec == net::error::eof ||
                 ec == net::error::connection_reset || ec == net::error::operation_aborted ||
                 ec == beast::error::timeout || ec == net::error::broken_pipe ||
                 ec == http::error::partial_message;
    if (quiet) return Close();
    core_->metrics.RecordReject(Reject::kMalformedHttp);
    SendFinal(http::status::bad_request,
              RestErrorBody(Status::InvalidArgument("MALFORMED_HTTP", "malformed HTTP request: " + ec.message())));
  }

  void RejectTooLarge(std::string_view target) {
    core_->metrics.RecordReject(Reject::kBodyTooLarge);
    Status st = Status::ResourceExhausted(
        "BODY_TOO_LARGE", "the request body is larger than " + std::to_string(options().max_body_bytes) + " bytes");
    std::string path(target.substr(0, target.find('?')));
    route_ = path == "/rpc" ? Route::kRpc : Route::kOther;
    SendFinal(http::status::payload_too_large,
              path == "/rpc" ? ErrorResponseBody(JsonRpcCodeFor(st), st) : RestErrorBody(st));
  }

  // Answers and closes the connection (the rest of the request is not read).
  void SendFinal(http::status status, std::string body) {
    busy_ = true;
    close_after_ = true;
    linger_ = true;
    req_ = {};
    req_.version(11);
    req_.method(http::verb::get);
    if (started_ == Clock::time_point()) started_ = Clock::now();
    SendText(status, std::move(body), kJson);
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
      if (!websocket::is_upgrade(req_)) {
        return SendText(http::status::bad_request,
                        RestErrorBody(Status::InvalidArgument("UPGRADE_REQUIRED", "/ws expects a WebSocket upgrade")),
                        kJson);
      }
      if (!core_->limiter.Allow(remote_)) return SendRateLimited();
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
    if (path == "/v1" || path.starts_with("/v1/")) {
      if (verb == http::verb::options) return SendPreflight();
      if (!get) return SendMethodNotAllowed("GET, HEAD, OPTIONS");
      return HandleRest(path, query);
    }
    route_ = Route::kStatic;
    if (!get) return SendMethodNotAllowed("GET, HEAD");
    HandleStatic(path);
  }

  // ---- /rpc

  void HandleRpc() {
    CallContext ctx{core_->node, remote_, core_->methods};
    auto admit = [this](size_t calls) { return core_->limiter.Allow(remote_, static_cast<double>(calls)); };
    auto self = shared_from_this();
    core_->dispatcher.Handle(req_.body(), ctx, admit, [self](DispatchResult result) {
      self->core_->RunOn(self->executor_, [self, result = std::move(result)]() mutable {
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
    core_->metrics.RecordReject(Reject::kRateLimit);
    Status st = Status::ResourceExhausted("RATE_LIMITED", "too many requests from this address; retry later");
    std::string body = route_ == Route::kRpc ? ErrorResponseBody(JsonRpcCodeFor(st), st) : RestErrorBody(st);
    http::response<http::string_body> res{http::status::too_many_requests, req_.version()};
    res.set(http::field::retry_after, "1");
    res.set(http::field::content_type, kJson);
    res.body() = std::move(body);
    Send(std::move(res));
  }

  // ---- REST

  void HandleRest(std::string_view path, std::string_view query) {
    std::vector<std::string> segments;
    std::string_view rest = path.substr(std::string_view("/v1").size());
    while (!rest.empty()) {
      rest.remove_prefix(1);  // the '/'
      size_t slash = rest.find('/');
      auto seg = PercentDecode(rest.substr(0, slash));
      if (!seg) return SendRestError(Status::InvalidArgument("BAD_PATH", "malformed percent escape in the path"));
      segments.push_back(std::move(*seg));
      rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    }
    if (!segments.empty() && segments.back().empty()) segments.pop_back();

    std::string method;
    json::object params;
    auto is = [&](size_t n, std::string_view first) { return segments.size() == n && segments[0] == first; };
    if (is(2, "certificates")) {
      route_ = Route::kCertificate;
      method = "cert_get";
      params["id"] = segments[1];
    } else if (is(3, "certificates") && segments[2] == "verify") {
      route_ = Route::kCertificateVerify;
      method = "cert_verify";
      params["id"] = segments[1];
      for (auto& [name, value] : ParseQuery(query)) {
        if (name == "id") continue;
        params[name] = QueryValue(name, value);
      }
    } else if (is(2, "blocks")) {
      route_ = Route::kBlock;
      method = "chain_getBlock";
      const std::string& which = segments[1];
      if (AllDigits(which)) {
        params["height"] = static_cast<int64_t>(std::stoll(which));
      } else if (which.size() == 64 && IsHex(which)) {
        params["hash"] = which;
      } else if (which != "latest") {
        return SendRestError(Status::InvalidArgument("BAD_HEIGHT", "a block is named by its height, hash or \"latest\""));
      }
    } else if (is(2, "txs")) {
      route_ = Route::kTx;
      method = "chain_getTx";
      params["id"] = segments[1];
    } else if (is(2, "credit")) {
      route_ = Route::kCredit;
      method = "credit_report";
      params["subject"] = segments[1];
    } else {
      route_ = Route::kOther;
      return SendRestError(Status::NotFound("NO_SUCH_ROUTE", "no REST route for this path"));
    }
    if (!core_->limiter.Allow(remote_)) return SendRateLimited();

    CallContext ctx{core_->node, remote_, core_->methods};
    auto self = shared_from_this();
    core_->dispatcher.Call(method, json::value(std::move(params)), ctx, [self, method](Result<json::value> result) {
      self->core_->metrics.RecordCall(method, result.status().code());
      self->core_->RunOn(self->executor_, [self, result = std::move(result)]() mutable {
        if (!result.ok()) return self->SendRestError(result.status());
        self->SendText(http::status::ok, json::serialize(result.value()), kJson);
      });
    });
  }

  void SendRestError(const Status& st) {
    // An unknown method behind a REST route means the route is not available here.
    int status = st.app_code() == "METHOD_NOT_FOUND" ? 404 : HttpStatusFor(st.code());
    SendText(static_cast<http::status>(status), RestErrorBody(st), kJson);
  }

  // ---- health and metrics

  void HandleHealth() {
    NodeBackend* node = core_->node;
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
    NodeBackend* node = core_->node;
    if (node && node->chain().initialised()) core_->metrics.SetChainHeight(node->chain().tip().height);
    SendText(http::status::ok, core_->metrics.Text(), "text/plain; version=0.0.4; charset=utf-8");
  }

  // ---- static files

  void HandleStatic(std::string_view path) {
    if (core_->web_root.empty()) {
      return SendRestError(Status::NotFound("NO_WEB_ROOT", "this node serves no web page"));
    }
    auto file = ResolveStaticFile(core_->web_root, path, core_->options.spa_fallback);
    if (!file.ok()) return SendRestError(file.status());
    beast::error_code ec;
    http::file_body::value_type body;
    body.open(file->path.c_str(), beast::file_mode::scan, ec);
    if (ec) return SendRestError(Status::NotFound("FILE_NOT_FOUND", "no such file"));
    uint64_t size = body.size();
    bool html = file->content_type.starts_with("text/html");
    auto fill = [&](auto& res) {
      res.set(http::field::content_type, file->content_type);
      res.set(http::field::cache_control, html ? "no-cache" : "public, max-age=3600");
      res.set("X-Content-Type-Options", "nosniff");
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

  void UpgradeToWebSocket() {
    handed_over_ = true;
    core_->metrics.RecordRequest(Route::kWebSocket, 101, Clock::now() - started_);
    auto ws = std::make_shared<WsSession>(core_, std::move(stream_), remote_, std::move(slot_));
    ws->Run(std::move(req_));
  }

  // ---- writing answers

  void SendPreflight() {
    http::response<http::string_body> res{http::status::no_content, req_.version()};
    res.set(http::field::access_control_allow_methods, "GET, POST, OPTIONS");
    res.set(http::field::access_control_allow_headers, "Content-Type");
    res.set(http::field::access_control_max_age, "600");
    Send(std::move(res));
  }

  void SendMethodNotAllowed(std::string_view allow) {
    http::response<http::string_body> res{http::status::method_not_allowed, req_.version()};
    res.set(http::field::allow, allow);
    res.set(http::field::content_type, kJson);
    res.body() = RestErrorBody(Status::InvalidArgument("METHOD_NOT_ALLOWED", "use " + std::string(allow)));
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
    bool api = route_ == Route::kRpc || (route_ >= Route::kCertificate && route_ <= Route::kCredit) ||
               (route_ == Route::kOther && req_.target().starts_with("/v1"));
    if (api && !options().cors_origin.empty()) {
      res.set(http::field::access_control_allow_origin, options().cors_origin);
    }
    bool keep_alive = req_.keep_alive() && !close_after_ && !core_->stopping;
    core_->metrics.RecordRequest(route_, static_cast<int>(res.result_int()), Clock::now() - started_);
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
    stream_.expires_after(options().write_timeout);
    beast::async_write(stream_, std::move(msg),
                       [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                         self->OnWrite(ec, keep_alive);
                       });
  }

  void OnWrite(beast::error_code ec, bool keep_alive) {
    busy_ = false;
    started_ = Clock::time_point();
    if (!ec && linger_) return LingerClose();
    if (ec || !keep_alive) return Close();
    ReadHeader();
  }

  void Close() {
    beast::error_code ec;
    if (!closed_) stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    closed_ = true;
    stream_.close();
    slot_.reset();
  }

  // After an early answer (413, 400) the client may still be sending: read and
  // discard for a moment before closing, so that closing with unread data does
  // not reset the connection before the client has read the answer.
  void LingerClose() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    closed_ = true;
    drain_ = std::make_unique<std::array<char, 16384>>();
    stream_.expires_after(std::chrono::seconds(2));
    Drain(0);
  }

  void Drain(size_t drained) {
    stream_.async_read_some(net::buffer(*drain_), [self = shared_from_this(), drained](beast::error_code ec, size_t n) {
      if (ec || drained + n > 64 * self->options().max_body_bytes) return self->Close();
      self->Drain(drained + n);
    });
  }

  std::shared_ptr<Core> core_;
  beast::tcp_stream stream_;
  net::any_io_executor executor_;  // kept: stream_ is moved away on a WebSocket upgrade
  std::string remote_;
  std::shared_ptr<ConnectionSlot> slot_;
  uint64_t id_ = 0;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> req_;
  Route route_ = Route::kOther;
  Clock::time_point started_;
  bool busy_ = false;         // a request is being read or answered
  bool close_after_ = false;  // close once the current answer is written
  bool closed_ = false;
  bool linger_ = false;       // drain the connection before closing it
  bool handed_over_ = false;
  std::unique_ptr<std::array<char, 16384>> drain_;  // the connection now belongs to a WsSession
};

// Answers a connection over the limit with 503 and closes it.
void RefuseConnection(tcp::socket socket) {
  static const std::string kResponse = [] {
    std::string body = RestErrorBody(Status::Unavailable("TOO_MANY_CONNECTIONS", "the server has too many open connections"));
    return "HTTP/1.1 503 Service Unavailable\r\nServer: civicd\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  }();
  auto sock = std::make_shared<tcp::socket>(std::move(socket));
  net::async_write(*sock, net::buffer(kResponse), [sock](beast::error_code, size_t) {
    beast::error_code ec;
    sock->shutdown(tcp::socket::shutdown_both, ec);
    sock->close(ec);
  });
}

}  // namespace

// ---------------------------------------------------------------------------

struct Server::Impl {
  Impl(ServerOptions options, const MethodTable* methods, NodeBackend* node)
      : core(std::make_shared<Core>(std::move(options), methods, node)) {}

  void Accept() {
    acceptor->async_accept(net::make_strand(core->ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
      if (!ec) OnAccept(std::move(socket));
      if (core->stopping) return;
      if (ec) {
        // Out of file descriptors and the like: back off briefly instead of spinning.
        auto timer = std::make_shared<net::steady_timer>(acceptor->get_executor(), std::chrono::milliseconds(50));
        timer->async_wait([this, timer](beast::error_code) {
          if (!core->stopping && acceptor->is_open()) Accept();
        });
        return;
      }
      Accept();
    });
  }

  void OnAccept(tcp::socket socket) {
    if (core->stopping) return;
    beast::error_code ec;
    auto endpoint = socket.remote_endpoint(ec);
    if (ec) return;
    std::string remote = endpoint.address().to_string();
    {
      std::lock_guard<std::mutex> lock(core->sessions_mu);
      if (core->open_connections >= static_cast<int64_t>(core->options.max_connections)) {
        core->metrics.RecordReject(Reject::kConnectionLimit);
        RefuseConnection(std::move(socket));
        return;
      }
      ++core->open_connections;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto slot = std::make_shared<ConnectionSlot>(core);
    std::make_shared<HttpSession>(core, std::move(socket), std::move(remote), std::move(slot))->Run();
  }

  std::shared_ptr<Core> core;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::mutex threads_mu;
  std::condition_variable threads_cv;
  size_t running_threads = 0;
  uint16_t bound_port = 0;
  bool started = false;
  bool stopped = false;
};

Server::Server(ServerOptions options, const MethodTable* methods, NodeBackend* node)
    : impl_(std::make_unique<Impl>(std::move(options), methods, node)) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  Impl& s = *impl_;
  if (s.started) return Status::FailedPrecondition("ALREADY_STARTED", "the server was started already");
  Core& core = *s.core;
  const ServerOptions& opt = core.options;

  if (!opt.web_root.empty()) {
    std::error_code fec;
    fs::path root = fs::canonical(opt.web_root, fec);
    if (fec || !fs::is_directory(root, fec)) {
      return Status::InvalidArgument("WEB_ROOT_MISSING", "the web root \"" + opt.web_root + "\" is not a folder");
    }
    core.web_root = root;
  }

  beast::error_code ec;
  auto address = net::ip::make_address(opt.address, ec);
  if (ec) return Status::InvalidArgument("BAD_ADDRESS", "\"" + opt.address + "\" is not an IP address");
  tcp::endpoint endpoint(address, opt.port);
  s.acceptor.emplace(net::make_strand(core.ioc));
  s.acceptor->open(endpoint.protocol(), ec);
  if (!ec) s.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor->bind(endpoint, ec);
  if (!ec) s.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    s.acceptor.reset();
    return Status::Unavailable("BIND_FAILED", "cannot listen on " + opt.address + ":" + std::to_string(opt.port) +
                                                  ": " + ec.message());
  }
  s.bound_port = s.acceptor->local_endpoint(ec).port();
  s.started = true;
  s.work.emplace(core.ioc.get_executor());
  s.Accept();
  size_t n = std::max<size_t>(1, opt.threads);
  s.running_threads = n;
  for (size_t i = 0; i < n; ++i) {
    s.threads.emplace_back([&s] {
      for (;;) {
        try {
          s.core->ioc.run();
          break;
        } catch (const std::exception& e) {
          spdlog::error("rpc: unexpected exception on a server thread: {}", e.what());
        }
      }
      std::lock_guard<std::mutex> lock(s.threads_mu);
      --s.running_threads;
      s.threads_cv.notify_all();
    });
  }
  spdlog::info("rpc: listening on {}", url());
  return Status::Ok();
}

void Server::Stop() {
  Impl& s = *impl_;
  if (!s.started || s.stopped) return;
  s.stopped = true;
  Core& core = *s.core;
  core.stopping = true;

  // 1. No new connections.
  {
    std::promise<void> closed;
    net::post(s.acceptor->get_executor(), [&s, &closed] {
      beast::error_code ec;
      s.acceptor->close(ec);
      closed.set_value();
    });
    closed.get_future().wait();
  }
  // 2. Idle connections close now, busy ones after their answer.
  for (auto& session : core.LiveSessions()) session->Shutdown(false);
  {
    std::unique_lock<std::mutex> lock(core.sessions_mu);
    core.sessions_cv.wait_for(lock, core.options.stop_grace, [&] { return core.open_connections == 0; });
  }
  // 3. Nothing more may be posted; close what is left and let the threads drain.
  {
    std::unique_lock<std::shared_mutex> lock(core.gate_mu);
    core.gate_closed = true;
  }
  for (auto& session : core.LiveSessions()) session->Shutdown(true);
  s.work.reset();
  {
    std::unique_lock<std::mutex> lock(s.threads_mu);
    if (!s.threads_cv.wait_for(lock, std::chrono::seconds(5), [&] { return s.running_threads == 0; })) {
      spdlog::warn("rpc: connections did not close in time; stopping the server threads");
      core.ioc.stop();
    }
  }
  for (auto& t : s.threads) t.join();
  s.threads.clear();
  s.acceptor.reset();
  spdlog::info("rpc: stopped");
}

uint16_t Server::port() const { return impl_->bound_port; }

std::string Server::url() const {
  const std::string& address = impl_->core->options.address;
  bool v6 = address.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port());
}

const HttpMetrics& Server::metrics() const { return impl_->core->metrics; }

void Server::PublishBlock(const json::value& block) { Publish("blocks", block); }

void Server::Publish(std::string_view topic, const json::value& data) {
  Core& core = *impl_->core;
  if (core.stopping) return;
  json::object msg;
  msg["topic"] = topic;
  msg["data"] = data;
  auto text = std::make_shared<const std::string>(json::serialize(msg));
  std::vector<std::shared_ptr<WsSession>> targets;
  {
    std::lock_guard<std::mutex> lock(core.subs_mu);
    for (auto& [id, sub] : core.subscribers) {
      if (!sub.topics.contains(topic)) continue;
      if (auto session = sub.session.lock()) targets.push_back(std::move(session));
    }
  }
  for (auto& session : targets) session->Enqueue(text);
}

}  // namespace civic::rpc
