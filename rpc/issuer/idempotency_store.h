// The issuer API's idempotency records: for each (token, Idempotency-Key) the
// hash of the request it first came with, the tx that request was turned into
// (id and signed bytes) and the answer given, without personal values (the
// holder's material is rebuilt from the retried body; rpc/issuer/issuer_api.h).
// A retry after a timeout or a node restart finds the record and gets the same
// tx id, so a certificate is never issued twice for one key.
//
// Durable: LevelDB in its own folder of the node's data dir, every write synced.
// Bounded: a record lives `ttl_ms` (24 h) of node time after it was made, then
// Prune removes it (Put prunes first), and one token holds at most
// `per_token_cap` live records (IDEMPOTENCY_CAP_REACHED past that, answered 429).
// Layout: "r/<token id>/<key>" -> record JSON; "t/<be64 created_ms><token id>/<key>"
// -> "" (the expiry order).
//
// Errors: IO_ERROR (the disk), CORRUPTION (a record that does not decode).
// Thread safety: thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/base/bytes.h"
#include "crypto/base/status.h"

namespace leveldb {
class DB;
}  // namespace leveldb

namespace civic::rpc {

struct IdempotencyRecord {
  Bytes request_hash;  // SHA-256 of what identifies the request (token, action, path, body)
  Bytes tx_id;
  Bytes raw_tx;        // the signed tx, sent again if the node lost it (restart)
  std::string answer;  // JSON object text
  int64_t created_ms = 0;
};

struct IdempotencyOptions {
  int64_t ttl_ms = 24 * 3600 * 1000;
  size_t per_token_cap = 10000;
};

class IdempotencyStore {
 public:
  static Result<std::unique_ptr<IdempotencyStore>> Open(const std::string& dir, IdempotencyOptions options);
  ~IdempotencyStore();

  // The record of (token_id, key) unless it is older than ttl at `now_ms`.
  Result<std::optional<IdempotencyRecord>> Find(std::string_view token_id, std::string_view key, int64_t now_ms);
  // Stores the record of a new (token_id, key) at record.created_ms, after pruning
  // what expired by then.
  Status Put(std::string_view token_id, std::string_view key, const IdempotencyRecord& record);
  // Forgets (token_id, key): its request issued nothing.
  Status Erase(std::string_view token_id, std::string_view key);
  // Removes every record older than ttl at `now_ms`; how many went.
  Result<size_t> Prune(int64_t now_ms);
  // Live records of `token_id` (as of the last Prune).
  size_t RecordsOf(std::string_view token_id);

 private:
  IdempotencyStore(std::unique_ptr<leveldb::DB> db, IdempotencyOptions options);
  Status LoadCounts();
  Result<std::optional<IdempotencyRecord>> Get(std::string_view token_id, std::string_view key);

  std::unique_ptr<leveldb::DB> db_;
  const IdempotencyOptions options_;
  std::mutex mu_;
  std::map<std::string, size_t, std::less<>> per_token_;
};

}  // namespace civic::rpc
