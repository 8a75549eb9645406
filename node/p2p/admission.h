// Which node keys may connect. The node answers from governance state (validators
// and observers); tests and static setups use a fixed set.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "crypto/signature.h"

namespace civic::node::p2p {

class AdmissionPolicy {
 public:
  virtual ~AdmissionPolicy() = default;
  // True if a peer holding `node_key` may connect. Called from p2p io threads,
  // possibly concurrently, during every handshake and by
  // PeerManager::ReevaluateAdmission(): must be thread-safe, fast and must not
  // call back into the PeerManager.
  virtual bool Admitted(const crypto::PublicKey& node_key) const = 0;
};

// Adapts a function (which must meet the same contract).
std::shared_ptr<const AdmissionPolicy> AdmitIf(std::function<bool(const crypto::PublicKey&)> admitted);

// Admits exactly `keys`; immutable, so thread-safe.
std::shared_ptr<const AdmissionPolicy> AdmitOnly(std::vector<crypto::PublicKey> keys);

}  // namespace civic::node::p2p
