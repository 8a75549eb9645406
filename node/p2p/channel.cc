#include "node/p2p/channel.h"

namespace civic::node::p2p {

std::string ChannelName(uint32_t channel) {
  switch (static_cast<Channel>(channel)) {
    case Channel::kControl: return "control";
    case Channel::kConsensus: return "consensus";
    case Channel::kMempool: return "mempool";
    case Channel::kBlockSync: return "blocksync";
    case Channel::kEvidence: return "evidence";
  }
  return "channel-" + std::to_string(channel);
}

}  // namespace civic::node::p2p
