// Reading and writing protobuf records in contract state. A record that does not
// parse is reported as CORRUPTION (state is only ever written by contracts).
#pragma once

#include <optional>
#include <string>
#include <string_view>

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
