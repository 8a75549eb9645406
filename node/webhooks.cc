#include "node/webhooks.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "crypto/hash.h"
#include "ledger/errors.h"
#include "node/errors.h"
#include "rpc/client.h"
#include "rpc/cert_events.h"

namespace civic::node {

namespace json = boost::json;

struct Webhooks::Target {
  std::string url;
  std::string cursor_path;
  std::atomic<uint64_t> cursor{0};
};

namespace {

constexpr uint64_t kCursorSyncEveryBlocks = 256;

Status WriteCursor(const std::string& path, uint64_t height) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return Status::IOError("cannot write " + tmp + ": " + std::strerror(errno));
  std::string text = std::to_string(height) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::IOError("cannot write " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

Result<uint64_t> ReadCursor(const std::string& path) {
  std::ifstream in(path);
  uint64_t height = 0;
  std::string rest;
  if (!(in >> height) || (in >> rest)) return Status::Corruption("webhook cursor " + path + " does not parse");
  return height;
}

std::string CursorFileName(const std::string& url) {
  return ToHex(crypto::Sha256(url)).substr(0, 32) + ".cursor";
}

bool IssuerWanted(const WebhookOptions& options, const json::object& event) {
  if (options.issuers.empty()) return true;
  const auto& issuer = event.at("issuer_org").as_string();
  return std::any_of(options.issuers.begin(), options.issuers.end(), [&](const std::string& o) { return o == issuer; });
}

}  // namespace

WebhookPoster HttpWebhookPoster(std::chrono::milliseconds timeout) {
  return [timeout](const WebhookRequest& req) -> Result<int> {
    CIVIC_ASSIGN_OR_RETURN(rpc::ClientOptions options, rpc::Client::ParseUrl(req.url));
    options.timeout = timeout;
    options.max_response_bytes = 64 * 1024;  // the answer's status is all that counts
    // The path after the authority ("https://host:port/hooks/civic" -> "/hooks/civic").
    size_t authority = req.url.find("://");
    size_t slash = authority == std::string::npos ? std::string::npos : req.url.find('/', authority + 3);
    std::string path = slash == std::string::npos ? "/" : req.url.substr(slash);
    rpc::Client client(options);
    CIVIC_ASSIGN_OR_RETURN(rpc::HttpResponse res, client.Request("POST", path, req.body, "application/json", req.headers));
    return res.status;
  };
}

Result<Bytes> ReadWebhookSecret(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status(Code::kNotFound, err::WEBHOOK_SECRET_INVALID, "webhook secret file " + path + " does not exist");
  }
  if ((st.st_mode & 077) != 0) {
    return Status::InvalidArgument(err::WEBHOOK_SECRET_INVALID,
                                   "webhook secret file " + path + " is readable by others; chmod 600 it");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  Bytes secret = text.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.size() < 32) {
    return Status::InvalidArgument(err::WEBHOOK_SECRET_INVALID,
                                   "webhook secret file " + path + " holds fewer than 32 bytes");
  }
  return secret;
}

std::string WebhookSignature(const Bytes& secret, int64_t timestamp_ms, std::string_view body) {
  std::string ts = std::to_string(timestamp_ms);
  return "v1=" + ToHex(crypto::HmacSha256(secret, {ts, ".", body}));
}

Webhooks::Webhooks(WebhookOptions options, const ledger::Chain* chain, WebhookPoster poster)
    : options_(std::move(options)), chain_(chain), poster_(std::move(poster)) {
  for (const std::string& url : options_.targets) {
    auto t = std::make_unique<Target>();
    t->url = url;
    t->cursor_path = options_.cursor_dir + "/" + CursorFileName(url);
    targets_.push_back(std::move(t));
  }
}

Webhooks::~Webhooks() { Stop(); }

Status Webhooks::Start() {
  if (targets_.empty()) return Status::Ok();
  if (::mkdir(options_.cursor_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::IOError("cannot create " + options_.cursor_dir + ": " + std::strerror(errno));
  }
  for (auto& t : targets_) {
    struct stat st;
    if (::stat(t->cursor_path.c_str(), &st) == 0) {
      CIVIC_ASSIGN_OR_RETURN(uint64_t height, ReadCursor(t->cursor_path));
      t->cursor = std::min(height, chain_->tip().height);
    } else {
      t->cursor = chain_->tip().height;  // a new target hears of what happens from now on
      CIVIC_RETURN_IF_ERROR(WriteCursor(t->cursor_path, t->cursor));
    }
    spdlog::info("event=webhook_target url={} from_height={}", t->url, t->cursor.load());
  }
  for (auto& t : targets_) threads_.emplace_back([this, target = t.get()] { Run(target); });
  return Status::Ok();
}

void Webhooks::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& th : threads_) {
    if (th.joinable()) th.join();
  }
  threads_.clear();
}

void Webhooks::OnBlockCommitted() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
  }
  wake_.notify_all();
}

uint64_t Webhooks::cursor(size_t i) const { return targets_.at(i)->cursor.load(); }

// Until a block is committed, `d` passes or Stop(); false when stopping.
bool Webhooks::Wait(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t seen = generation_;
  wake_.wait_for(lock, d, [&] { return stopping_ || generation_ != seen; });
  return !stopping_;
}

// `d` or until Stop(), whatever the chain does; false when stopping.
bool Webhooks::Sleep(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  wake_.wait_for(lock, d, [&] { return stopping_; });
  return !stopping_;
}

void Webhooks::Run(Target* target) {
  uint64_t since_sync = 0;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
    }
    uint64_t next = target->cursor + 1;
    if (next > chain_->tip().height) {
      if (!Wait(std::chrono::milliseconds(1000))) break;
      continue;
    }
    if (!DeliverBlock(target, next)) break;
    target->cursor = next;
    // Blocks with events are synced in DeliverBlock; quiet ones now and then, so
    // that a restart does not rescan many blocks.
    if (++since_sync >= kCursorSyncEveryBlocks) {
      since_sync = 0;
      if (Status st = WriteCursor(target->cursor_path, next); !st.ok()) {
        spdlog::warn("event=webhook_cursor_failed url={} error=\"{}\"", target->url, st.ToString());
      }
    }
  }
  if (Status st = WriteCursor(target->cursor_path, target->cursor); !st.ok()) {
    spdlog::warn("event=webhook_cursor_failed url={} error=\"{}\"", target->url, st.ToString());
  }
}

// Delivers every wanted event of block `height`, retrying each until a 2xx;
// false when stopped first.
bool Webhooks::DeliverBlock(Target* target, uint64_t height) {
  auto stored = chain_->GetBlock(height);
  if (!stored.ok()) {
    spdlog::warn("event=webhook_block_unreadable height={} error=\"{}\"", height, stored.status().ToString());
    return Sleep(options_.max_backoff);
  }
  std::vector<json::object> events = rpc::CertificateEventsOf(stored->block(), *chain_);
  bool sent_any = false;
  for (size_t n = 0; n < events.size(); ++n) {
    if (!IssuerWanted(options_, events[n])) continue;
    std::string delivery = options_.chain_id + "/" + std::to_string(height) + "/" + std::to_string(n);
    json::object body;
    body["delivery"] = delivery;
    body["chain_id"] = options_.chain_id;
    body["height"] = height;
    body["event"] = std::move(events[n]);
    std::string text = json::serialize(body);
    std::chrono::milliseconds backoff = options_.min_backoff;
    while (true) {
      int64_t ts = options_.now_ms();
      WebhookRequest req{target->url, text,
                         {{"X-Civic-Delivery", delivery},
                          {"X-Civic-Timestamp", std::to_string(ts)},
                          {"X-Civic-Signature", WebhookSignature(options_.secret, ts, text)}}};
      Result<int> status = poster_(req);
      if (status.ok() && *status >= 200 && *status < 300) break;
      failed_.fetch_add(1);
      spdlog::warn("event=webhook_retry url={} delivery={} answer=\"{}\" backoff_ms={}", target->url, delivery,
                   status.ok() ? "HTTP " + std::to_string(*status) : status.status().ToString(), backoff.count());
      if (!Sleep(backoff)) return false;
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
    delivered_.fetch_add(1);
    sent_any = true;
  }
  if (sent_any) {
    if (Status st = WriteCursor(target->cursor_path, height); !st.ok()) {
      spdlog::warn("event=webhook_cursor_failed url={} error=\"{}\"", target->url, st.ToString());
    }
  }
  return true;
}

}  // namespace civic::node
