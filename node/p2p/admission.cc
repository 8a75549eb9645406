#include "node/p2p/admission.h"

#include <algorithm>
#include <utility>

namespace civic::node::p2p {
namespace {

class FunctionPolicy final : public AdmissionPolicy {
 public:
  explicit FunctionPolicy(std::function<bool(const crypto::PublicKey&)> fn) : fn_(std::move(fn)) {}
  bool Admitted(const crypto::PublicKey& node_key) const override { return fn_ && fn_(node_key); }

 private:
  std::function<bool(const crypto::PublicKey&)> fn_;
};

class SetPolicy final : public AdmissionPolicy {
 public:
  explicit SetPolicy(std::vector<crypto::PublicKey> keys) : keys_(std::move(keys)) {
    std::sort(keys_.begin(), keys_.end());
  }
  bool Admitted(const crypto::PublicKey& node_key) const override {
    return std::binary_search(keys_.begin(), keys_.end(), node_key);
  }

 private:
  std::vector<crypto::PublicKey> keys_;
};

}  // namespace

std::shared_ptr<const AdmissionPolicy> AdmitIf(std::function<bool(const crypto::PublicKey&)> admitted) {
  return std::make_shared<FunctionPolicy>(std::move(admitted));
}

std::shared_ptr<const AdmissionPolicy> AdmitOnly(std::vector<crypto::PublicKey> keys) {
  return std::make_shared<SetPolicy>(std::move(keys));
}

}  // namespace civic::node::p2p
