#include "node/p2p/connection.h"

#include <bit>
#include <cstring>
#include <exception>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "crypto/base/log_text.h"
#include "node/errors.h"
#include "node/p2p/p2p.pb.h"
#include "node/p2p/peer_address.h"

// CIVIC_RETURN_IF_ERROR for coroutines.
#define CIVIC_CO_RETURN_IF_ERROR(expr) \
  do {                                 \
    ::civic::Status _st = (expr);      \
    if (!_st.ok()) co_return _st;      \
  } while (0)

namespace civic::node::p2p {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kMaxBatchFrames = 256;
constexpr size_t kMaxBatchBytes = 256 * 1024;
constexpr uint32_t kControl = static_cast<uint32_t>(Channel::kControl);

// An empty Envelope (channel 0, no payload) serializes to zero bytes.
const std::shared_ptr<const std::string>& KeepaliveEnvelope() {
  static const std::shared_ptr<const std::string> keepalive = std::make_shared<const std::string>();
  return keepalive;
}

bool Is(const Status& s, std::string_view app_code) { return s.app_code() == app_code; }

void LogCoroutineException(spdlog::logger* log, std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    log->error("p2p: connection task failed: {}", ex.what());
  } catch (...) {
    log->error("p2p: connection task failed with an unknown exception");
  }
}

}  // namespace

// ---- CoroutineCounter -----------------------------------------------------------

CoroutineCounter::Token CoroutineCounter::Hold() {
  std::lock_guard lock(mu_);
  ++live_;
  return Token(this);
}

void CoroutineCounter::Release() {
  std::lock_guard lock(mu_);
  if (--live_ == 0) idle_.notify_all();
}

bool CoroutineCounter::WaitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return idle_.wait_for(lock, timeout, [this] { return live_ == 0; });
}

// ---- Connection -----------------------------------------------------------------

Connection::Connection(ConnectionHost& host, tcp::socket socket, Role role,
                       std::optional<crypto::PublicKey> expected_key)
    : host_(host),
      ctx_(host.context()),
      socket_(std::move(socket)),
      role_(role),
      expected_key_(std::move(expected_key)),
      handshake_timer_(socket_.get_executor()),
      wake_timer_(socket_.get_executor()),
      keepalive_timer_(socket_.get_executor()) {
  boost::system::error_code ec;
  const tcp::endpoint remote = socket_.remote_endpoint(ec);
  remote_address_ = ec ? std::string("unknown") : remote.address().to_string() + ":" + std::to_string(remote.port());
  socket_.set_option(tcp::no_delay(true), ec);
  ctx_.metrics->handshakes_in_progress.Increment();
}

Connection::~Connection() {
  if (handshake_gauge_held_) ctx_.metrics->handshakes_in_progress.Decrement();
}

std::string Connection::Describe() const {
  std::string out = remote_address_;
  if (authenticated()) {
    out += " (" + ShortKey(peer_key_) + ")";
  } else if (expected_key_) {
    out += " (expecting " + ShortKey(*expected_key_) + ")";
  }
  return out;
}

PeerInfo Connection::Info() const {
  PeerInfo info;
  info.node_key = peer_key_;
  info.remote_address = remote_address_;
  info.outbound = role_ == Role::kDialer;
  info.stats.bytes_in = bytes_in_.load(std::memory_order_relaxed);
  info.stats.bytes_out = bytes_out_.load(std::memory_order_relaxed);
  info.stats.frames_in = frames_in_.load(std::memory_order_relaxed);
  info.stats.frames_out = frames_out_.load(std::memory_order_relaxed);
  info.stats.drops = drops_.load(std::memory_order_relaxed);
  std::lock_guard lock(queue_mu_);
  info.stats.queued_messages = queued_messages_;
  info.stats.queued_bytes = queued_bytes_;
  return info;
}

asio::awaitable<Connection::Outcome> Connection::Run(CoroutineCounter::Token token) {
  auto self = shared_from_this();
  Status status = co_await DoHandshake();
  handshake_timer_.cancel();
  if (handshake_gauge_held_) {
    handshake_gauge_held_ = false;
    ctx_.metrics->handshakes_in_progress.Decrement();
  }
  if (!status.ok()) {
    CountHandshakeFailure(status);
    CloseNow(status);
    host_.Finished(self, close_reason_);
    co_return Outcome::kHandshakeFailed;
  }
  ctx_.metrics->handshakes_completed.Increment();

  const RegisterOutcome registered = host_.Register(self);
  if (registered != RegisterOutcome::kRegistered) {
    Status why;
    switch (registered) {
      case RegisterOutcome::kDuplicate:
        why = Status::AlreadyExists(err::DUPLICATE_CONNECTION, "already connected to this peer");
        break;
      case RegisterOutcome::kTooManyPeers:
        why = Status::ResourceExhausted(err::TOO_MANY_PEERS, "not accepting more peers");
        break;
      default:
        why = Status::Unavailable(err::P2P_STOPPING, "the node is shutting down");
        break;
    }
    ctx_.log->debug("p2p: closing {}: {}", Describe(), LogText(why.ToString()));
    CloseNow(why);
    host_.Finished(self, close_reason_);
    co_return registered == RegisterOutcome::kDuplicate ? Outcome::kDuplicate : Outcome::kRefused;
  }
  ctx_.log->info("p2p: connected to {} ({})", Describe(), role_ == Role::kDialer ? "outbound" : "inbound");

  last_read_ = last_write_ = Clock::now();
  auto log = ctx_.log;
  asio::co_spawn(executor(), WriteLoop(host_.HoldCoroutine()),
                 [log](std::exception_ptr e) { LogCoroutineException(log, e); });
  asio::co_spawn(executor(), KeepaliveLoop(host_.HoldCoroutine()),
                 [log](std::exception_ptr e) { LogCoroutineException(log, e); });

  status = co_await ReadLoop();
  CloseNow(status);
  if (!superseded()) {
    ctx_.log->info("p2p: disconnected from {}: {}", Describe(), LogText(close_reason_.ToString()));
  }
  host_.Finished(self, close_reason_);
  co_return Outcome::kEstablished;
}

// ---- handshake ------------------------------------------------------------------

asio::awaitable<Status> Connection::DoHandshake() {
  auto self = shared_from_this();
  handshake_timer_.expires_after(ctx_.handshake_timeout);
  handshake_timer_.async_wait([self](const boost::system::error_code& ec) {
    if (ec || self->closed_.load() || self->authenticated()) return;
    self->handshake_timed_out_ = true;
    boost::system::error_code ignored;
    self->socket_.close(ignored);
  });

  Handshake handshake(role_, *ctx_.node_key, ctx_.chain_id);
  CIVIC_CO_RETURN_IF_ERROR(co_await WriteAll(handshake.hello()));
  std::string magic(kHelloMagicBytes, '\0');
  CIVIC_CO_RETURN_IF_ERROR(co_await ReadExactly(&magic));
  CIVIC_CO_RETURN_IF_ERROR(Handshake::CheckMagic(magic));
  std::string rest(kHelloBytes - kHelloMagicBytes, '\0');
  CIVIC_CO_RETURN_IF_ERROR(co_await ReadExactly(&rest));
  CIVIC_CO_RETURN_IF_ERROR(handshake.ReadPeerHello(magic + rest));

  CIVIC_CO_RETURN_IF_ERROR(co_await WriteAll(handshake.IdentityFrame()));
  std::string header, body;
  CIVIC_CO_RETURN_IF_ERROR(co_await ReadHandshakeFrame(&header, &body));
  Result<crypto::PublicKey> peer = handshake.ReadPeerIdentity(header, body);
  if (!peer.ok()) co_return peer.status();
  if (expected_key_ && *peer != *expected_key_) {
    co_return Status::PermissionDenied(err::UNEXPECTED_PEER_KEY, "peer presented node key " + ShortKey(*peer) +
                                                                  ", but its address names " +
                                                                  ShortKey(*expected_key_));
  }
  if (!ctx_.admission->Admitted(*peer)) {
    co_return Status::PermissionDenied(err::PEER_NOT_ADMITTED,
                                       "node key " + ShortKey(*peer) + " is not admitted to this network");
  }

  CIVIC_CO_RETURN_IF_ERROR(co_await WriteAll(handshake.AuthFrame()));
  CIVIC_CO_RETURN_IF_ERROR(co_await ReadHandshakeFrame(&header, &body));
  CIVIC_CO_RETURN_IF_ERROR(handshake.ReadPeerAuth(header, body));
  if (handshake_timed_out_ || closed_.load()) {
    co_return Status::DeadlineExceeded(err::HANDSHAKE_TIMEOUT, "handshake took longer than allowed");
  }
  session_.emplace(handshake.TakeSession());
  peer_key_ = *peer;
  authenticated_.store(true);
  co_return Status::Ok();
}

asio::awaitable<Status> Connection::ReadHandshakeFrame(std::string* header, std::string* body) {
  header->assign(kFrameHeaderBytes, '\0');
  CIVIC_CO_RETURN_IF_ERROR(co_await ReadExactly(header));
  Result<uint32_t> length = ParseFrameHeader(*header, kMaxHandshakeFrameBytes);
  if (!length.ok()) {
    co_return Status::InvalidArgument(err::HANDSHAKE_MALFORMED,
                                      "handshake frame: " + length.status().message());
  }
  body->assign(*length, '\0');
  co_return co_await ReadExactly(body);
}

asio::awaitable<Status> Connection::WriteAll(const std::string& bytes) {
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(bytes), kAwait);
  if (ec) co_return SocketError(ec, "write");
  co_return Status::Ok();
}

asio::awaitable<Status> Connection::ReadExactly(std::string* out) {
  auto [ec, n] = co_await asio::async_read(socket_, asio::buffer(out->data(), out->size()), kAwait);
  if (ec) co_return SocketError(ec, "read");
  co_return Status::Ok();
}

Status Connection::SocketError(const boost::system::error_code& ec, const char* what) {
  if (handshake_timed_out_ && !authenticated()) {
    return Status::DeadlineExceeded(err::HANDSHAKE_TIMEOUT, "peer did not finish the handshake within " +
                                                             std::to_string(ctx_.handshake_timeout.count()) +
                                                             " ms");
  }
  if (closed_.load()) return close_reason_;
  if (ec == asio::error::eof || ec == asio::error::connection_reset) {
    return Status::Unavailable(err::PEER_CLOSED, "peer closed the connection");
  }
  return Status::IOError(std::string("socket ") + what + " failed: " + ec.message());
}

void Connection::CountHandshakeFailure(const Status& status) {
  LiveMetrics& m = *ctx_.metrics;
  m.handshake_failures.Increment();
  const std::string& code = status.app_code();
  bool protocol_violation = true;
  if (code == err::HANDSHAKE_TIMEOUT) {
    m.handshake_timeouts.Increment();
  } else if (code == err::HANDSHAKE_BAD_MAGIC || code == err::PROTOCOL_VERSION_MISMATCH ||
             code == err::CHAIN_ID_MISMATCH || code == err::HANDSHAKE_REFLECTED || code == err::HANDSHAKE_BAD_KEY) {
    m.handshake_bad_hello.Increment();
  } else if (code == err::BAD_MAC || code == err::HANDSHAKE_MALFORMED || code == err::UNSUPPORTED_KEY_ALGO ||
             code == err::BAD_HANDSHAKE_SIGNATURE) {
    m.handshake_bad_auth.Increment();
  } else if (code == err::PEER_NOT_ADMITTED) {
    m.rejected_unadmitted.Increment();
  } else if (code == err::UNEXPECTED_PEER_KEY) {
    m.rejected_unexpected_key.Increment();
  } else if (code == err::SELF_CONNECTION) {
    m.rejected_self.Increment();
  } else {
    protocol_violation = false;  // the peer hung up or the node is stopping
  }
  if (Is(status, err::P2P_STOPPING)) return;
  if (protocol_violation) {
    ctx_.log->warn("p2p: handshake with {} failed: {}", Describe(), LogText(status.ToString()));
  } else {
    ctx_.log->debug("p2p: handshake with {} failed: {}", Describe(), LogText(status.ToString()));
  }
}

// ---- reading --------------------------------------------------------------------

asio::awaitable<Status> Connection::ReadLoop() {
  LiveMetrics& m = *ctx_.metrics;
  std::string buffer(kReadChunk, '\0');
  size_t begin = 0;
  size_t end = 0;
  Bytes plaintext;
  while (!closed_.load()) {
    // Deliver every complete frame in the buffer; `need` is the size of the first
    // incomplete one (or of a header).
    size_t need = kFrameHeaderBytes;
    while (end - begin >= kFrameHeaderBytes) {
      const std::string_view header(buffer.data() + begin, kFrameHeaderBytes);
      Result<uint32_t> length = ParseFrameHeader(header, ctx_.max_frame_bytes);
      if (!length.ok()) {
        (Is(length.status(), err::FRAME_TOO_LARGE) ? m.oversized_frames : m.malformed_frames).Increment();
        ctx_.log->warn("p2p: closing {}: {}", Describe(), LogText(length.status().ToString()));
        co_return length.status();
      }
      const size_t frame_size = kFrameHeaderBytes + *length;
      if (end - begin < frame_size) {
        need = frame_size;
        break;
      }
      Status opened = session_->OpenFrame(header, std::string_view(buffer.data() + begin + kFrameHeaderBytes, *length),
                                          &plaintext);
      if (!opened.ok()) {
        m.bad_mac.Increment();
        ctx_.log->warn("p2p: closing {}: {}", Describe(), LogText(opened.ToString()));
        co_return opened;
      }
      begin += frame_size;
      frames_in_.fetch_add(1, std::memory_order_relaxed);
      bytes_in_.fetch_add(frame_size, std::memory_order_relaxed);
      m.frames_in.Increment();
      m.bytes_in.Increment(static_cast<double>(frame_size));
      CIVIC_CO_RETURN_IF_ERROR(Dispatch(plaintext));
    }

    // Make room: move the partial frame to the front, grow for a large frame,
    // give back memory after a large frame is done.
    if (begin == end) {
      begin = end = 0;
      if (buffer.size() > 4 * kReadChunk) {
        buffer.assign(kReadChunk, '\0');
        buffer.shrink_to_fit();
      }
    } else if (buffer.size() - begin < need || end == buffer.size()) {
      std::memmove(buffer.data(), buffer.data() + begin, end - begin);
      end -= begin;
      begin = 0;
    }
    if (buffer.size() < need) buffer.resize(need);

    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buffer.data() + end, buffer.size() - end), kAwait);
    if (ec) {
      if (!closed_.load()) m.io_errors.Increment();
      co_return SocketError(ec, "read");
    }
    end += n;
    last_read_ = Clock::now();
  }
  co_return close_reason_;
}

Status Connection::Dispatch(const Bytes& plaintext) {
  LiveMetrics& m = *ctx_.metrics;
  wire::Envelope envelope;
  if (!envelope.ParseFromString(plaintext)) {
    m.malformed_frames.Increment();
    Status bad = Status::InvalidArgument(err::MALFORMED_ENVELOPE, "frame does not hold a decodable envelope");
    ctx_.log->warn("p2p: closing {}: {}", Describe(), LogText(bad.ToString()));
    return bad;
  }
  const uint32_t channel = envelope.channel();
  if (channel == kControl) return Status::Ok();  // keepalive
  if (channel >= kMaxChannels || !ctx_.channels[channel].registered) {
    m.unknown_channel_messages.Increment();
    ctx_.log->debug("p2p: ignoring a message from {} on unregistered {}", Describe(), ChannelName(channel));
    return Status::Ok();
  }
  if (ctx_.stopping->load()) return Status::Ok();
  try {
    ctx_.channels[channel].handler(peer_key_, std::move(*envelope.mutable_payload()));
  } catch (const std::exception& e) {
    ctx_.log->error("p2p: {} handler threw on a message from {}: {}", ChannelName(channel), Describe(), e.what());
  } catch (...) {
    ctx_.log->error("p2p: {} handler threw on a message from {}", ChannelName(channel), Describe());
  }
  return Status::Ok();
}

// ---- writing --------------------------------------------------------------------

Status Connection::Enqueue(uint32_t channel, std::shared_ptr<const std::string> envelope) {
  if (closed_.load()) {
    return Status::Unavailable(err::PEER_DISCONNECTED, "connection to the peer is closing");
  }
  const size_t size = envelope->size();
  bool full = false;
  OnQueueFull on_full = OnQueueFull::kDrop;
  {
    std::lock_guard lock(queue_mu_);
    if (closed_.load()) {
      return Status::Unavailable(err::PEER_DISCONNECTED, "connection to the peer is closing");
    }
    ChannelQueue& queue = queues_[channel];
    if (channel != kControl) {
      const ChannelPolicy& policy = ctx_.channels[channel].policy;
      full = queue.messages.size() + 1 > policy.max_queued_messages || queue.bytes + size > policy.max_queued_bytes;
      on_full = policy.on_full;
    }
    if (!full) {
      queue.messages.push_back(std::move(envelope));
      queue.bytes += size;
      queued_messages_ += 1;
      queued_bytes_ += size;
      nonempty_mask_ |= uint32_t{1} << channel;
    }
  }
  if (full) {
    drops_.fetch_add(1, std::memory_order_relaxed);
    ctx_.metrics->queue_drops.Increment();
    Status status = Status::ResourceExhausted(
        err::SEND_QUEUE_FULL, "send queue of " + ChannelName(channel) + " to " + ShortKey(peer_key_) + " is full");
    if (on_full == OnQueueFull::kDisconnect && !queue_disconnect_counted_.exchange(true)) {
      ctx_.metrics->queue_full_disconnects.Increment();
      ctx_.log->warn("p2p: disconnecting {}: {}", Describe(), LogText(status.message()));
      RequestClose(status);
    }
    return status;
  }
  Kick();
  return Status::Ok();
}

bool Connection::HasQueued() const {
  std::lock_guard lock(queue_mu_);
  return queued_messages_ != 0;
}

void Connection::Kick() {
  if (kick_pending_.exchange(true)) return;
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->kick_pending_.store(false);
    self->wake_timer_.cancel();
  });
}

void Connection::TakeBatch(std::vector<std::shared_ptr<const std::string>>* batch) {
  batch->clear();
  size_t bytes = 0;
  std::lock_guard lock(queue_mu_);
  // One message per non-empty channel per pass, lower ids first (the control
  // channel and consensus lead), until the batch is full.
  while (nonempty_mask_ != 0 && batch->size() < kMaxBatchFrames && bytes < kMaxBatchBytes) {
    uint32_t pending = nonempty_mask_;
    while (pending != 0 && batch->size() < kMaxBatchFrames && bytes < kMaxBatchBytes) {
      const int channel = std::countr_zero(pending);
      pending &= pending - 1;
      ChannelQueue& queue = queues_[channel];
      std::shared_ptr<const std::string> message = std::move(queue.messages.front());
      queue.messages.pop_front();
      queue.bytes -= message->size();
      queued_messages_ -= 1;
      queued_bytes_ -= message->size();
      if (queue.messages.empty()) nonempty_mask_ &= ~(uint32_t{1} << channel);
      bytes += message->size();
      batch->push_back(std::move(message));
    }
  }
}

asio::awaitable<void> Connection::WriteLoop(CoroutineCounter::Token token) {
  auto self = shared_from_this();
  LiveMetrics& m = *ctx_.metrics;
  std::vector<std::shared_ptr<const std::string>> batch;
  std::string out;
  while (!closed_.load()) {
    TakeBatch(&batch);
    if (batch.empty()) {
      wake_timer_.expires_at(Clock::time_point::max());
      co_await wake_timer_.async_wait(kAwait);
      continue;
    }
    out.clear();
    for (const auto& envelope : batch) {
      Status sealed = session_->SealFrame(*envelope, &out);
      if (!sealed.ok()) {
        CloseNow(sealed);
        co_return;
      }
    }
    const uint64_t frames = batch.size();
    batch.clear();
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(out), kAwait);
    if (ec) {
      if (!closed_.load()) m.io_errors.Increment();
      CloseNow(SocketError(ec, "write"));
      co_return;
    }
    frames_out_.fetch_add(frames, std::memory_order_relaxed);
    bytes_out_.fetch_add(n, std::memory_order_relaxed);
    m.frames_out.Increment(static_cast<double>(frames));
    m.bytes_out.Increment(static_cast<double>(n));
    last_write_ = Clock::now();
    if (out.capacity() > 4 * kMaxBatchBytes) std::string().swap(out);  // after a large frame
  }
}

asio::awaitable<void> Connection::KeepaliveLoop(CoroutineCounter::Token token) {
  auto self = shared_from_this();
  const auto ping = ctx_.ping_interval;
  const auto idle = ctx_.idle_timeout;
  // Wake often enough to honour both the ping interval and the idle timeout.
  const auto tick = idle.count() > 0 ? std::min(ping, idle / 2) : ping;
  while (!closed_.load()) {
    keepalive_timer_.expires_after(tick);
    auto [ec] = co_await keepalive_timer_.async_wait(kAwait);
    if (ec || closed_.load()) co_return;
    const auto now = Clock::now();
    if (idle.count() > 0 && now - last_read_ > idle) {
      ctx_.metrics->idle_timeouts.Increment();
      Status status = Status::DeadlineExceeded(
          err::IDLE_TIMEOUT, "received nothing for " + std::to_string(idle.count()) + " ms");
      ctx_.log->warn("p2p: closing {}: {}", Describe(), LogText(status.message()));
      CloseNow(status);
      co_return;
    }
    // Anything already queued keeps the link alive once written.
    if (now - last_write_ >= ping && !HasQueued()) (void)Enqueue(kControl, KeepaliveEnvelope());
  }
}

// ---- closing --------------------------------------------------------------------

void Connection::RequestClose(Status reason) {
  asio::post(socket_.get_executor(), [self = shared_from_this(), reason = std::move(reason)] {
    self->CloseNow(reason);
  });
}

void Connection::CloseNow(const Status& reason) {
  if (closed_.exchange(true)) return;
  close_reason_ = reason.ok() ? Status::Unavailable(err::CLOSED, "connection closed") : reason;
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  handshake_timer_.cancel();
  wake_timer_.cancel();
  keepalive_timer_.cancel();
  std::lock_guard lock(queue_mu_);
  for (ChannelQueue& queue : queues_) {
    queue.messages.clear();
    queue.bytes = 0;
  }
  nonempty_mask_ = 0;
  queued_messages_ = 0;
  queued_bytes_ = 0;
}

}  // namespace civic::node::p2p
