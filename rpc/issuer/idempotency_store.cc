#include "rpc/issuer/idempotency_store.h"

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <boost/json.hpp>
#include <vector>

#include "rpc/error_codes.h"

namespace civic::rpc {
namespace {

namespace json = boost::json;

constexpr std::string_view kRecordPrefix = "r/";
constexpr std::string_view kTimePrefix = "t/";

std::string RecordKey(std::string_view token_id, std::string_view key) {
  return std::string(kRecordPrefix) + std::string(token_id) + "/" + std::string(key);
}

// "<token id>/<key>" of a record key.
std::string_view Suffix(std::string_view db_key, std::string_view prefix) { return db_key.substr(prefix.size()); }

std::string TimeKey(int64_t created_ms, std::string_view token_and_key) {
  std::string out(kTimePrefix);
  PutBigEndian64(&out, static_cast<uint64_t>(std::max<int64_t>(created_ms, 0)));
  out += token_and_key;
  return out;
}

Status DbError(const leveldb::Status& s) { return Status::IOError("idempotency store: " + s.ToString()); }

std::string Encode(const IdempotencyRecord& r) {
  return json::serialize(json::object{{"request_hash", ToHex(r.request_hash)},
                                      {"tx_id", ToHex(r.tx_id)},
                                      {"raw_tx", ToHex(r.raw_tx)},
                                      {"answer", r.answer},
                                      {"created_ms", r.created_ms}});
}

Result<IdempotencyRecord> Decode(std::string_view text) {
  auto corrupt = [] { return Status::Corruption("an idempotency record does not decode"); };
  json::error_code ec;
  json::value v = json::parse(text, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  if (!o) return corrupt();
  IdempotencyRecord r;
  for (auto [name, out] : {std::pair{"request_hash", &r.request_hash}, {"tx_id", &r.tx_id}, {"raw_tx", &r.raw_tx}}) {
    const json::value* m = o->if_contains(name);
    auto bytes = m && m->is_string() ? FromHex(m->get_string()) : std::nullopt;
    if (!bytes) return corrupt();
    *out = std::move(*bytes);
  }
  const json::value* answer = o->if_contains("answer");
  const json::value* created = o->if_contains("created_ms");
  if (!answer || !answer->is_string() || !created || !created->is_int64()) return corrupt();
  r.answer = std::string(answer->get_string());
  r.created_ms = created->get_int64();
  return r;
}

std::string_view TokenOf(std::string_view token_and_key) { return token_and_key.substr(0, token_and_key.find('/')); }

}  // namespace

IdempotencyStore::IdempotencyStore(std::unique_ptr<leveldb::DB> db, IdempotencyOptions options)
    : db_(std::move(db)), options_(options) {}

IdempotencyStore::~IdempotencyStore() = default;

Result<std::unique_ptr<IdempotencyStore>> IdempotencyStore::Open(const std::string& dir, IdempotencyOptions options) {
  leveldb::Options db_options;
  db_options.create_if_missing = true;
  leveldb::DB* raw = nullptr;
  leveldb::Status s = leveldb::DB::Open(db_options, dir, &raw);
  if (!s.ok()) return DbError(s);
  std::unique_ptr<IdempotencyStore> store(new IdempotencyStore(std::unique_ptr<leveldb::DB>(raw), options));
  CIVIC_RETURN_IF_ERROR(store->LoadCounts());
  return store;
}

Status IdempotencyStore::LoadCounts() {
  std::lock_guard<std::mutex> lock(mu_);
  per_token_.clear();
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(std::string(kRecordPrefix)); it->Valid() && it->key().starts_with(std::string(kRecordPrefix));
       it->Next()) {
    std::string_view rest = Suffix(std::string_view(it->key().data(), it->key().size()), kRecordPrefix);
    ++per_token_[std::string(TokenOf(rest))];
  }
  return it->status().ok() ? Status::Ok() : DbError(it->status());
}

Result<std::optional<IdempotencyRecord>> IdempotencyStore::Get(std::string_view token_id, std::string_view key) {
  std::string value;
  leveldb::Status s = db_->Get(leveldb::ReadOptions(), RecordKey(token_id, key), &value);
  if (s.IsNotFound()) return std::optional<IdempotencyRecord>();
  if (!s.ok()) return DbError(s);
  CIVIC_ASSIGN_OR_RETURN(IdempotencyRecord r, Decode(value));
  return std::optional<IdempotencyRecord>(std::move(r));
}

Result<std::optional<IdempotencyRecord>> IdempotencyStore::Find(std::string_view token_id, std::string_view key,
                                                                 int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  CIVIC_ASSIGN_OR_RETURN(std::optional<IdempotencyRecord> r, Get(token_id, key));
  if (r && now_ms - r->created_ms >= options_.ttl_ms) return std::optional<IdempotencyRecord>();
  return r;
}

Status IdempotencyStore::Put(std::string_view token_id, std::string_view key, const IdempotencyRecord& record) {
  CIVIC_RETURN_IF_ERROR(Prune(record.created_ms).status());
  std::lock_guard<std::mutex> lock(mu_);
  // An expired record not yet pruned (clock moved back) is replaced.
  CIVIC_ASSIGN_OR_RETURN(std::optional<IdempotencyRecord> old, Get(token_id, key));
  auto count = per_token_.find(token_id);
  size_t live = count == per_token_.end() ? 0 : count->second;
  if (!old && live >= options_.per_token_cap) {
    return Status::ResourceExhausted(err::IDEMPOTENCY_CAP_REACHED,
                                     "this token holds " + std::to_string(live) +
                                         " idempotency keys of the last 24 hours, as many as the node keeps");
  }
  std::string token_and_key = std::string(token_id) + "/" + std::string(key);
  leveldb::WriteBatch batch;
  if (old) batch.Delete(TimeKey(old->created_ms, token_and_key));
  batch.Put(RecordKey(token_id, key), Encode(record));
  batch.Put(TimeKey(record.created_ms, token_and_key), "");
  leveldb::WriteOptions sync;
  sync.sync = true;
  leveldb::Status s = db_->Write(sync, &batch);
  if (!s.ok()) return DbError(s);
  if (!old) ++per_token_[std::string(token_id)];
  return Status::Ok();
}

Status IdempotencyStore::Erase(std::string_view token_id, std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  CIVIC_ASSIGN_OR_RETURN(std::optional<IdempotencyRecord> old, Get(token_id, key));
  if (!old) return Status::Ok();
  leveldb::WriteBatch batch;
  batch.Delete(RecordKey(token_id, key));
  batch.Delete(TimeKey(old->created_ms, std::string(token_id) + "/" + std::string(key)));
  leveldb::WriteOptions sync;
  sync.sync = true;
  leveldb::Status s = db_->Write(sync, &batch);
  if (!s.ok()) return DbError(s);
  auto count = per_token_.find(token_id);
  if (count != per_token_.end() && count->second > 0) --count->second;
  return Status::Ok();
}

Result<size_t> IdempotencyStore::Prune(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string end = TimeKey(now_ms - options_.ttl_ms + 1, "");
  leveldb::WriteBatch batch;
  std::vector<std::string> owners;  // the token of each record removed
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(std::string(kTimePrefix)); it->Valid() && it->key().starts_with(std::string(kTimePrefix)) &&
                                           it->key().compare(leveldb::Slice(end)) < 0;
       it->Next()) {
    std::string_view time_key(it->key().data(), it->key().size());
    std::string_view token_and_key = time_key.substr(kTimePrefix.size() + 8);
    batch.Delete(leveldb::Slice(time_key.data(), time_key.size()));
    batch.Delete(std::string(kRecordPrefix) + std::string(token_and_key));
    owners.emplace_back(TokenOf(token_and_key));
  }
  if (!it->status().ok()) return DbError(it->status());
  if (owners.empty()) return size_t{0};
  leveldb::WriteOptions sync;
  sync.sync = true;
  leveldb::Status s = db_->Write(sync, &batch);
  if (!s.ok()) return DbError(s);
  for (const std::string& token : owners) {
    auto count = per_token_.find(token);
    if (count != per_token_.end() && count->second > 0) --count->second;
  }
  return owners.size();
}

size_t IdempotencyStore::RecordsOf(std::string_view token_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto count = per_token_.find(token_id);
  return count == per_token_.end() ? 0 : count->second;
}

}  // namespace civic::rpc
