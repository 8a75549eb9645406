#include "tests/faults/fault_proxy.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <vector>

namespace civic::faults {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kReadChunk = 16384;
// While held (or over the queue bound), how often a pipe looks again.
constexpr auto kHeldPoll = 10ms;

// Closing with SO_LINGER 0 sends RST: the peer sees a reset, not an orderly end.
void ResetSocket(tcp::socket& socket) {
  boost::system::error_code ec;
  socket.set_option(asio::socket_base::linger(true, 0), ec);
  socket.close(ec);
}

}  // namespace

// Two sockets and, per direction, a reader that queues stamped chunks and a
// writer that releases them in order when due. All on the io thread.
class FaultProxy::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(FaultProxy* proxy, tcp::socket dialer, tcp::socket listener, bool capture)
      : proxy_(proxy),
        capture_(capture),
        dialer_(std::move(dialer)),
        listener_(std::move(listener)),
        pipes_{Pipe(dialer_, listener_), Pipe(listener_, dialer_)} {}

  void Start() {
    for (Direction d : {Direction::kDialerToListener, Direction::kListenerToDialer}) {
      asio::co_spawn(dialer_.get_executor(), Read(d), asio::detached);
      asio::co_spawn(dialer_.get_executor(), Write(d), asio::detached);
    }
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    ResetSocket(dialer_);
    ResetSocket(listener_);
    for (Pipe& p : pipes_) p.wake.cancel();
    proxy_->Remove(shared_from_this());
  }

 private:
  struct Chunk {
    Clock::time_point release;
    std::vector<char> bytes;
  };
  struct Pipe {
    Pipe(tcp::socket& from_socket, tcp::socket& to_socket)
        : from(from_socket), to(to_socket), wake(from_socket.get_executor()) {}
    tcp::socket& from;
    tcp::socket& to;
    std::deque<Chunk> queue;
    size_t queued = 0;
    asio::steady_timer wake;  // the writer waits on it; the reader cancels it
    Clock::time_point last_release{};
    Clock::time_point next_send{};  // bandwidth limit
  };

  asio::awaitable<void> Read(Direction d) {
    auto self = shared_from_this();
    Pipe& p = pipes_[static_cast<int>(d)];
    std::vector<char> buf(kReadChunk);
    asio::steady_timer pause(dialer_.get_executor());
    while (!closed_) {
      const LinkFaults f = proxy_->Get(d);
      if (f.held || p.queued >= kMaxQueuedBytes) {
        pause.expires_after(kHeldPoll);
        co_await pause.async_wait(kUseTuple);
        continue;
      }
      // About 50 ms of bandwidth per chunk keeps a slow stream dripping evenly.
      size_t cap = buf.size();
      if (f.bytes_per_second > 0) cap = std::clamp<size_t>(f.bytes_per_second / 20, 1, buf.size());
      auto [ec, n] = co_await p.from.async_read_some(asio::buffer(buf.data(), cap), kUseTuple);
      if (ec || closed_) break;
      const Clock::time_point release = std::max(Clock::now() + proxy_->DrawDelay(d), p.last_release);
      p.last_release = release;
      p.queue.push_back(Chunk{release, std::vector<char>(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(n))});
      p.queued += n;
      p.wake.cancel();
      if (capture_ && d == Direction::kDialerToListener) proxy_->Capture(buf.data(), n);
    }
    Close();
  }

  asio::awaitable<void> Write(Direction d) {
    auto self = shared_from_this();
    Pipe& p = pipes_[static_cast<int>(d)];
    while (!closed_) {
      const LinkFaults f = proxy_->Get(d);
      if (p.queue.empty() || f.held) {
        p.wake.expires_after(p.queue.empty() ? 1s : kHeldPoll);
        co_await p.wake.async_wait(kUseTuple);
        continue;
      }
      const Clock::time_point due = std::max(p.queue.front().release, p.next_send);
      if (due > Clock::now()) {
        p.wake.expires_at(due);
        co_await p.wake.async_wait(kUseTuple);
        continue;
      }
      Chunk chunk = std::move(p.queue.front());
      p.queue.pop_front();
      auto [ec, n] = co_await asio::async_write(p.to, asio::buffer(chunk.bytes), kUseTuple);
      if (ec || closed_) break;
      p.queued -= chunk.bytes.size();
      proxy_->CountBytes(d, n);
      if (f.bytes_per_second > 0) {
        p.next_send = Clock::now() + std::chrono::microseconds(n * 1000000 / f.bytes_per_second);
      }
    }
    Close();
  }

  FaultProxy* const proxy_;
  const bool capture_;
  tcp::socket dialer_;
  tcp::socket listener_;
  Pipe pipes_[2];
  bool closed_ = false;
};

FaultProxy::FaultProxy(asio::io_context& io, uint16_t target_port, uint64_t seed)
    : io_(io),
      acceptor_(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)),
      target_port_(target_port),
      rng_(seed) {
  port_ = acceptor_.local_endpoint().port();
  Accept();
}

FaultProxy::~FaultProxy() = default;

void FaultProxy::Accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket dialer) {
    if (!acceptor_.is_open()) return;
    if (!ec) {
      bool refuse;
      {
        std::lock_guard<std::mutex> lock(mu_);
        refuse = refusing_;
        if (refuse) ++stats_.refused;
      }
      if (refuse) {
        ResetSocket(dialer);
      } else {
        asio::co_spawn(io_, Connect(std::move(dialer)), asio::detached);
      }
    }
    Accept();
  });
}

asio::awaitable<void> FaultProxy::Connect(tcp::socket dialer) {
  tcp::socket listener(io_);
  auto [ec] = co_await listener.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), target_port_), kUseTuple);
  bool refuse;
  bool capture = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    refuse = refusing_ || !acceptor_.is_open();
    if (!ec && !refuse) {
      ++stats_.accepted;
      capture = !capturing_started_;
      capturing_started_ = true;
    }
  }
  if (ec || refuse) {
    ResetSocket(dialer);
    ResetSocket(listener);
    co_return;
  }
  auto connection = std::make_shared<Connection>(this, std::move(dialer), std::move(listener), capture);
  connections_.insert(connection);
  connection->Start();
}

void FaultProxy::Remove(const std::shared_ptr<Connection>& connection) { connections_.erase(connection); }

void FaultProxy::CloseAll() {
  std::vector<std::shared_ptr<Connection>> open(connections_.begin(), connections_.end());
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.resets += open.size();
  }
  for (auto& c : open) c->Close();
}

std::chrono::milliseconds FaultProxy::DrawDelay(Direction direction) {
  std::lock_guard<std::mutex> lock(mu_);
  const LinkFaults& f = faults_[static_cast<int>(direction)];
  uint64_t ms = f.delay_ms;
  if (f.jitter_ms > 0) ms += rng_() % (f.jitter_ms + 1);
  if (f.stall_per_mille > 0 && rng_() % 1000 < f.stall_per_mille) ms += f.stall_ms;
  return std::chrono::milliseconds(ms);
}

void FaultProxy::CountBytes(Direction direction, size_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  stats_.bytes[static_cast<int>(direction)] += n;
}

void FaultProxy::Capture(const char* data, size_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  captured_.append(data, std::min(n, kCaptureBytes - captured_.size()));
}

std::string FaultProxy::captured() const {
  std::lock_guard<std::mutex> lock(mu_);
  return captured_;
}

void FaultProxy::Set(Direction direction, const LinkFaults& faults) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_[static_cast<int>(direction)] = faults;
}

LinkFaults FaultProxy::Get(Direction direction) const {
  std::lock_guard<std::mutex> lock(mu_);
  return faults_[static_cast<int>(direction)];
}

void FaultProxy::SetRefusing(bool refusing) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    refusing_ = refusing;
  }
  if (refusing) ResetConnections();
}

void FaultProxy::ResetConnections() {
  asio::post(io_, [this] { CloseAll(); });
}

void FaultProxy::Heal() {
  std::lock_guard<std::mutex> lock(mu_);
  faults_[0] = faults_[1] = LinkFaults{};
  refusing_ = false;
}

ProxyStats FaultProxy::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void FaultProxy::Stop() {
  asio::post(io_, [this] {
    boost::system::error_code ec;
    acceptor_.close(ec);
    CloseAll();
  });
}

}  // namespace civic::faults
