// Webhooks: the node POSTs every certificate status change (rpc/cert_events.h)
// to the URLs of [webhooks] targets, signed, in chain order, at least once.
//
// One worker thread per target follows the chain with its own cursor (the last
// block whose events the target acknowledged with a 2xx), kept in
// <data_dir>/webhooks/<target hash>.cursor and written (synced) after each block
// that had events. A target that is down or answers non-2xx gets the same
// delivery again with backoff (1 s doubling to 5 min) and holds back only its
// own cursor: nothing is queued in memory, the chain is the queue, so a target
// that is away for a day catches up from where it stopped, also across node
// restarts. A new target starts at the chain's tip.
//
// A delivery is one event:
//   POST <target>  Content-Type: application/json
//   X-Civic-Delivery:  <chain_id>/<height>/<n>   (the same on every retry: dedupe on it)
//   X-Civic-Timestamp: <ms since the epoch of this attempt>
//   X-Civic-Signature: v1=<hex HMAC-SHA256(secret, timestamp "." body)>
//   {"delivery": "<chain_id>/<height>/<n>", "chain_id", "height", "event": {...}}
// The receiver checks the signature with the shared secret ([webhooks]
// secret_file, >= 32 bytes) and refuses a timestamp far from its clock.
//
// Thread safety: Start/Stop/OnBlockCommitted from one thread (the node);
// workers read the chain through its thread-safe readers.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "crypto/base/bytes.h"
#include "crypto/base/status.h"
#include "ledger/chain.h"

namespace civic::node {

struct WebhookRequest {
  std::string url;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Sends one request; the HTTP status, or a transport error. Must be callable
// from several threads (one call per worker at a time).
using WebhookPoster = std::function<Result<int>(const WebhookRequest&)>;

struct WebhookOptions {
  std::vector<std::string> targets;
  Bytes secret;                       // HMAC key, >= 32 bytes
  std::vector<std::string> issuers;   // only events of these issuer orgs; empty = all
  std::string chain_id;
  std::string cursor_dir;             // <data_dir>/webhooks
  std::chrono::milliseconds min_backoff{1000};
  std::chrono::milliseconds max_backoff{300000};
  // The clock that stamps X-Civic-Timestamp (injectable for tests).
  std::function<int64_t()> now_ms;
};

// The poster civicd uses: one HTTP(S) connection per attempt, `timeout` each.
WebhookPoster HttpWebhookPoster(std::chrono::milliseconds timeout);

// Reads the HMAC key: WEBHOOK_SECRET_INVALID when the file is missing, shorter
// than 32 bytes, or readable by group or others.
Result<Bytes> ReadWebhookSecret(const std::string& path);

// The signature header value for `body` sent at `timestamp_ms`.
std::string WebhookSignature(const Bytes& secret, int64_t timestamp_ms, std::string_view body);

class Webhooks {
 public:
  Webhooks(WebhookOptions options, const ledger::Chain* chain, WebhookPoster poster);
  ~Webhooks();  // stops the workers

  // Reads or creates each target's cursor and starts its worker. Typed errors:
  // IO_ERROR (cursor folder or file), CORRUPTION (a cursor file that does not parse).
  Status Start();
  void Stop();
  // Wakes the workers: the chain has a new block.
  void OnBlockCommitted();

  // For tests and metrics: the cursor of target i, deliveries made, attempts failed.
  uint64_t cursor(size_t i) const;
  uint64_t delivered() const { return delivered_.load(); }
  uint64_t failed_attempts() const { return failed_.load(); }

 private:
  struct Target;
  void Run(Target* target);
  bool DeliverBlock(Target* target, uint64_t height);
  bool Wait(std::chrono::milliseconds d);
  bool Sleep(std::chrono::milliseconds d);

  WebhookOptions options_;
  const ledger::Chain* chain_;
  WebhookPoster poster_;
  std::vector<std::unique_ptr<Target>> targets_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable wake_;
  uint64_t generation_ = 0;  // bumped by OnBlockCommitted (guarded by mu_)
  bool stopping_ = false;
  std::atomic<uint64_t> delivered_{0};
  std::atomic<uint64_t> failed_{0};
};

}  // namespace civic::node
