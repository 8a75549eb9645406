// Read access to committed chain state, and the buffered view contracts write to.
//
// Two keyspaces: kState is authenticated (every entry is under the state root and
// has proofs); kIndex holds secondary indexes for queries, written in the same
// atomic batch as the block but not authenticated. Keys are ordered bytewise.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string_view>

#include "crypto/base/bytes.h"
#include "crypto/base/status.h"

namespace civic::ledger {

enum class Space : char { kState = 's', kIndex = 'i' };

// Calls back with (key, value) in ascending key order; return false to stop.
using ScanFn = std::function<bool(std::string_view key, std::string_view value)>;

// Implementations must be safe for concurrent readers.
class KvReader {
 public:
  virtual ~KvReader() = default;
  virtual Result<std::optional<Bytes>> Get(Space space, std::string_view key) const = 0;
  // Visits keys that start with `prefix` and are >= `start` (start empty = from prefix).
  virtual Status Scan(Space space, std::string_view prefix, std::string_view start,
                      const ScanFn& fn) const = 0;
};

// Ordered set of writes; nullopt = delete. Ordered maps keep block execution
// deterministic (no unordered iteration reaches state).
struct WriteSet {
  std::map<Bytes, std::optional<Bytes>, std::less<>> state;
  std::map<Bytes, std::optional<Bytes>, std::less<>> index;
  bool empty() const { return state.empty() && index.empty(); }
  auto& of(Space s) { return s == Space::kState ? state : index; }
  const auto& of(Space s) const { return s == Space::kState ? state : index; }
};

// A copy-on-write view over a KvReader: reads see the base plus this view's own
// writes; writes stay in the view until the owner takes them. A tx runs in a child
// view of the block's view and its writes are merged only if it succeeds, so a
// rejected tx changes nothing. Not thread-safe.
class StateView final : public KvReader {
 public:
  explicit StateView(const KvReader* base) : base_(base) {}

  Result<std::optional<Bytes>> Get(Space space, std::string_view key) const override;
  Status Scan(Space space, std::string_view prefix, std::string_view start,
              const ScanFn& fn) const override;

  // Shorthands for the authenticated keyspace.
  Result<std::optional<Bytes>> Get(std::string_view key) const { return Get(Space::kState, key); }
  void Put(std::string_view key, std::string_view value) { Put(Space::kState, key, value); }
  void Delete(std::string_view key) { Delete(Space::kState, key); }

  void Put(Space space, std::string_view key, std::string_view value);
  void Delete(Space space, std::string_view key);

  // Moves this view's writes into `parent` (which must be this view's base).
  void MergeInto(StateView* parent);
  const WriteSet& writes() const { return writes_; }
  WriteSet TakeWrites() { return std::move(writes_); }

 private:
  const KvReader* base_;
  WriteSet writes_;
};

}  // namespace civic::ledger
