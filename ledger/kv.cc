#include "ledger/kv.h"

namespace civic::ledger {

Result<std::optional<Bytes>> StateView::Get(Space space, std::string_view key) const {
  const auto& writes = writes_.of(space);
  if (auto it = writes.find(key); it != writes.end()) return it->second;
  return base_->Get(space, key);
}

// Merges the base scan with this view's writes: a write shadows the base entry
// with the same key, a delete hides it.
Status StateView::Scan(Space space, std::string_view prefix, std::string_view start,
                       const ScanFn& fn) const {
  const auto& writes = writes_.of(space);
  std::string_view from = start.empty() ? prefix : start;
  auto it = writes.lower_bound(from);
  auto in_prefix = [&](const Bytes& k) { return std::string_view(k).substr(0, prefix.size()) == prefix; };
  bool stopped = false;

  // Emits our own writes with keys < `limit` (all remaining when limit is null).
  auto drain_before = [&](const std::string_view* limit) {
    while (!stopped && it != writes.end() && in_prefix(it->first) &&
           (limit == nullptr || std::string_view(it->first) < *limit)) {
      if (it->second.has_value() && !fn(it->first, *it->second)) stopped = true;
      ++it;
    }
  };

  Status st = base_->Scan(space, prefix, start, [&](std::string_view key, std::string_view value) {
    drain_before(&key);
    if (stopped) return false;
    if (it != writes.end() && std::string_view(it->first) == key) {
      // Overridden or deleted here.
      if (it->second.has_value() && !fn(it->first, *it->second)) stopped = true;
      ++it;
      return !stopped;
    }
    if (!fn(key, value)) stopped = true;
    return !stopped;
  });
  if (!st.ok()) return st;
  drain_before(nullptr);
  return Status::Ok();
}

void StateView::Put(Space space, std::string_view key, std::string_view value) {
  writes_.of(space).insert_or_assign(Bytes(key), Bytes(value));
}

void StateView::Delete(Space space, std::string_view key) {
  writes_.of(space).insert_or_assign(Bytes(key), std::nullopt);
}

void StateView::MergeInto(StateView* parent) {
  for (Space s : {Space::kState, Space::kIndex}) {
    auto& mine = writes_.of(s);
    auto& theirs = parent->writes_.of(s);
    if (theirs.empty()) {
      theirs.swap(mine);  // the common case of a block's first writing tx: no copies
      continue;
    }
    for (auto& [k, v] : mine) theirs.insert_or_assign(k, std::move(v));
    mine.clear();
  }
}

}  // namespace civic::ledger
