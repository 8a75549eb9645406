#include "rpc/ws_session.h"

#include <spdlog/spdlog.h>

#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>

#include "contracts/base/identifiers.h"
#include "rpc/error_codes.h"
#include "rpc/errors.h"

namespace civic::rpc {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;

namespace {

// The topics: "blocks", "certificates" (every certificate status change) and
// "certificate:<id>" (one certificate's; rpc/cert_events.h).
Status CheckTopic(std::string_view name) {
  if (name == "blocks" || name == "certificates") return Status::Ok();
  if (name.starts_with("certificate:")) {
    auto id = contracts::ParseCertId(name.substr(std::string_view("certificate:").size()));
    if (id.ok()) return Status::Ok();
    return Status::InvalidArgument(err::UNKNOWN_TOPIC, "\"" + std::string(name) + "\" does not name a certificate: " +
                                                           id.status().message());
  }
  return Status::InvalidArgument(err::UNKNOWN_TOPIC, "no topic named \"" + std::string(name) +
                                                         "\"; topics: blocks, certificates, certificate:<id>");
}

// `Stream` is the HTTP session's: beast::tcp_stream or beast::ssl_stream<beast::tcp_stream> (wss).
template <typename Stream>
class WsSession final : public WsSubscriber, public std::enable_shared_from_this<WsSession<Stream>> {
 public:
  using std::enable_shared_from_this<WsSession>::shared_from_this;
  using std::enable_shared_from_this<WsSession>::weak_from_this;

  WsSession(std::shared_ptr<ServerState> state, Stream&& stream, std::string remote,
            std::shared_ptr<ConnectionSlot> slot)
      : state_(std::move(state)), ws_(std::move(stream)), remote_(std::move(remote)), slot_(std::move(slot)) {}

  ~WsSession() override {
    state_->Unregister(id_);
    Unsubscribe();
  }

  void Run(http::request<http::string_body> req) {
    req_ = std::move(req);
    id_ = state_->Register(weak_from_this());
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = state_->options.read_timeout;
    timeouts.idle_timeout = state_->options.idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, kServerName);
    }));
    ws_.read_message_max(state_->options.ws_max_message_bytes);
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

  void Enqueue(std::shared_ptr<const std::string> message) override {
    auto self = shared_from_this();
    state_->RunOn(ws_.get_executor(), [self, message = std::move(message)]() mutable {
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
    if (!state_->limiter.Allow(remote_)) {
      state_->metrics.RecordReject(Reject::kRateLimit);
      SendError(err::RATE_LIMITED, "too many messages; slow down");
      return;
    }
    json::error_code ec;
    json::value msg = json::parse(text, ec);
    const json::object* obj = ec ? nullptr : msg.if_object();
    if (!obj) {
      SendError(err::BAD_MESSAGE, "send a JSON object such as {\"subscribe\":\"blocks\"}");
      return;
    }
    bool subscribe = obj->contains("subscribe");
    const json::value* topic = subscribe ? obj->if_contains("subscribe") : obj->if_contains("unsubscribe");
    if (!topic || !topic->is_string()) {
      SendError(err::BAD_MESSAGE, "expected {\"subscribe\":\"<topic>\"} or {\"unsubscribe\":\"<topic>\"}");
      return;
    }
    std::string name(topic->get_string());
    if (Status known = CheckTopic(name); !known.ok()) {
      SendError(known.app_code(), known.message());
      return;
    }
    if (!SetSubscribed(name, subscribe)) {
      state_->metrics.RecordReject(Reject::kSubscriptions);
      SendError(err::TOO_MANY_SUBSCRIPTIONS, "this address holds as many subscriptions as the node allows (" +
                                                 std::to_string(state_->options.ws_max_subscriptions_per_ip) +
                                                 "); unsubscribe or close a connection first");
      return;
    }
    json::object ack;
    ack[subscribe ? "subscribed" : "unsubscribed"] = name;
    Push(std::make_shared<const std::string>(json::serialize(ack)));
  }

  // The subscriber gauge counts sessions with at least one topic. False (and
  // nothing changed) when a new subscription would pass the client's cap.
  bool SetSubscribed(const std::string& topic, bool subscribe) {
    std::lock_guard<std::mutex> lock(state_->subs_mu);
    auto& sub = state_->subscribers[id_];
    bool was_subscriber = !sub.topics.empty();
    sub.session = weak_from_this();
    if (subscribe && !sub.topics.contains(topic)) {
      size_t& held = state_->subscriptions_per_client[remote_];
      const size_t cap = state_->options.ws_max_subscriptions_per_ip;
      if (cap != 0 && held >= cap) {
        if (held == 0) state_->subscriptions_per_client.erase(remote_);
        if (!was_subscriber) state_->subscribers.erase(id_);
        return false;
      }
      ++held;
      sub.topics.insert(topic);
    } else if (!subscribe && sub.topics.erase(topic) != 0) {
      ReleaseSubscriptions(1);
    }
    bool is_subscriber = !sub.topics.empty();
    if (!is_subscriber) state_->subscribers.erase(id_);
    if (is_subscriber && !was_subscriber) state_->metrics.SubscriberAdded();
    if (!is_subscriber && was_subscriber) state_->metrics.SubscriberRemoved();
    return true;
  }

  // Gives back `n` of the client's subscriptions; subs_mu held.
  void ReleaseSubscriptions(size_t n) {
    auto it = state_->subscriptions_per_client.find(remote_);
    if (it == state_->subscriptions_per_client.end()) return;
    it->second -= std::min(n, it->second);
    if (it->second == 0) state_->subscriptions_per_client.erase(it);
  }

  void SendError(std::string_view app_code, std::string_view message) {
    json::object error;
    error["app_code"] = app_code;
    error["message"] = MessageText(message);
    json::object msg;
    msg["error"] = std::move(error);
    Push(std::make_shared<const std::string>(json::serialize(msg)));
  }

  void Push(std::shared_ptr<const std::string> message) {
    if (closing_ || !accepted_) return;
    if (queue_.size() >= state_->options.ws_max_queue) {
      state_->metrics.RecordReject(Reject::kSlowSubscriber);
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
    std::lock_guard<std::mutex> lock(state_->subs_mu);
    auto it = state_->subscribers.find(id_);
    if (it == state_->subscribers.end()) return;
    if (!it->second.topics.empty()) state_->metrics.SubscriberRemoved();
    ReleaseSubscriptions(it->second.topics.size());
    state_->subscribers.erase(it);
  }

  void Finish() {
    if (finished_) return;
    finished_ = true;
    closing_ = true;
    Unsubscribe();
    slot_.reset();
  }

  std::shared_ptr<ServerState> state_;
  websocket::stream<Stream> ws_;
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

template <typename Stream>
void StartSession(std::shared_ptr<ServerState> state, Stream stream, std::string remote,
                  std::shared_ptr<ConnectionSlot> slot, http::request<http::string_body> upgrade) {
  auto session =
      std::make_shared<WsSession<Stream>>(std::move(state), std::move(stream), std::move(remote), std::move(slot));
  session->Run(std::move(upgrade));
}

}  // namespace

void StartWebSocketSession(std::shared_ptr<ServerState> state, beast::tcp_stream stream, std::string remote,
                           std::shared_ptr<ConnectionSlot> slot, http::request<http::string_body> upgrade) {
  StartSession(std::move(state), std::move(stream), std::move(remote), std::move(slot), std::move(upgrade));
}

void StartWebSocketSession(std::shared_ptr<ServerState> state, beast::ssl_stream<beast::tcp_stream> stream,
                           std::string remote, std::shared_ptr<ConnectionSlot> slot,
                           http::request<http::string_body> upgrade) {
  StartSession(std::move(state), std::move(stream), std::move(remote), std::move(slot), std::move(upgrade));
}

void PublishToSubscribers(ServerState& state, std::string_view topic, const json::value& data) {
  std::vector<std::shared_ptr<WsSubscriber>> targets;
  {
    std::lock_guard<std::mutex> lock(state.subs_mu);
    for (auto& [id, sub] : state.subscribers) {
      if (!sub.topics.contains(topic)) continue;
      if (auto session = sub.session.lock()) targets.push_back(std::move(session));
    }
  }
  if (targets.empty()) return;
  json::object msg;
  msg["topic"] = topic;
  msg["data"] = data;
  auto text = std::make_shared<const std::string>(json::serialize(msg));
  for (auto& session : targets) session->Enqueue(text);
}

bool AnySubscriber(ServerState& state, std::string_view topic_prefix) {
  std::lock_guard<std::mutex> lock(state.subs_mu);
  for (const auto& [id, sub] : state.subscribers) {
    for (const std::string& topic : sub.topics) {
      if (topic.starts_with(topic_prefix)) return true;
    }
  }
  return false;
}

}  // namespace civic::rpc
