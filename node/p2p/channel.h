// Channels multiplex upper-layer protocols over one authenticated peer connection,
// and the per-channel policy for a peer's send queue.
//
// The p2p layer routes a frame by its channel id and never looks inside the
// payload. Channel 0 is reserved for the layer's own keepalive frames. Ids are
// small integers below kMaxChannels so that lookups are array indexing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace civic::node::p2p {

enum class Channel : uint32_t {
  kControl = 0,  // reserved: keepalive frames of the p2p layer
  kConsensus = 1,
  kMempool = 2,
  kBlockSync = 3,
  kEvidence = 4,
};

// Channel ids are < kMaxChannels; a frame naming a larger id is counted and ignored.
inline constexpr uint32_t kMaxChannels = 32;

// "consensus", "mempool", "blocksync", "evidence", "control", or "channel-<id>".
std::string ChannelName(uint32_t channel);

// What Send does when a peer's queue for the channel is full.
enum class OnQueueFull {
  kDrop,        // refuse the new message (Send returns SEND_QUEUE_FULL), count the drop
  kDisconnect,  // count the drop and close the connection: the peer is too slow
};

// Bounds of one peer's send queue for one channel. A message is queued only if
// both bounds still hold after adding it.
struct ChannelPolicy {
  size_t max_queued_messages = 4096;
  size_t max_queued_bytes = size_t{64} << 20;
  OnQueueFull on_full = OnQueueFull::kDrop;
};

}  // namespace civic::node::p2p
