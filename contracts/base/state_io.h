// Reading and writing protobuf records in contract state. A record that does not
// parse is reported as CORRUPTION (state is only ever written by contracts).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/kv.h"

namespace civic::contracts {

// The record at `key`, nullopt if absent.
template <typename Message>
Result<std::optional<Message>> ReadRecord(const ledger::KvReader& state, std::string_view key,
                                          ledger::Space space = ledger::Space::kState) {
  auto raw = state.Get(space, key);
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return std::optional<Message>();
  Message message;
  if (!message.ParseFromString(**raw)) {
    return Status::Corruption("state record '" + std::string(key) + "' does not parse as " +
                              std::string(Message::descriptor()->name()));
  }
  return std::optional<Message>(std::move(message));
}

// The records under `prefix`, in key order, those `keep` accepts (all by
// default).
template <typename Message, typename Keep = bool (*)(const Message&)>
Result<std::vector<Message>> RecordsUnder(const ledger::KvReader& state, std::string_view prefix,
                                          Keep keep = [](const Message&) { return true; }) {
  std::vector<Message> out;
  Status bad;
  Status st = state.Scan(ledger::Space::kState, prefix, "", [&](std::string_view key, std::string_view value) {
    Message m;
    if (!m.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      bad = Status::Corruption("state record '" + std::string(key) + "' does not parse as " +
                               std::string(Message::descriptor()->name()));
      return false;
    }
    if (keep(m)) out.push_back(std::move(m));
    return true;
  });
  if (!st.ok()) return st;
  if (!bad.ok()) return bad;
  return out;
}

// Deterministic serialization (no unknown-field or map-order surprises).
template <typename Message>
std::string SerializeRecord(const Message& message) {
  std::string out;
  message.SerializeToString(&out);
  return out;
}

template <typename Message>
void WriteRecord(ledger::StateView* view, std::string_view key, const Message& message) {
  view->Put(ledger::Space::kState, key, SerializeRecord(message));
}

}  // namespace civic::contracts
