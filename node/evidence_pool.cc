#include "node/evidence_pool.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "crypto/hash.h"

namespace civic::node {

Bytes EvidenceId(const pb::Evidence& evidence) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    evidence.SerializeToCodedStream(&coded);
  }
  return crypto::Sha256(bytes);
}

EvidencePool::EvidencePool(EvidencePoolOptions options, prometheus::Registry& metrics)
    : options_(options),
      pending_gauge_(NewGauge(metrics, "civic_bft_evidence_pending", "Double-vote evidence waiting for a block.")),
      committed_(
          NewCounter(metrics, "civic_bft_evidence_committed_total", "Evidence items seen in committed blocks.")) {}

bool EvidencePool::Add(const pb::Evidence& evidence) {
  const Bytes id = EvidenceId(evidence);
  const uint64_t height = evidence.a().height();
  std::lock_guard<std::mutex> lock(mu_);
  if (committed_ids_.count(id) || pending_.count({height, id})) return false;
  if (pending_.size() >= options_.max_pending) {
    ++dropped_;
    return false;
  }
  pending_.emplace(std::make_pair(height, id), evidence);
  pending_gauge_.Set(static_cast<double>(pending_.size()));
  return true;
}

std::vector<pb::Evidence> EvidencePool::Pending(uint64_t max_height, size_t max_items) const {
  std::vector<pb::Evidence> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, evidence] : pending_) {
    if (out.size() >= max_items || key.first > max_height) break;
    out.push_back(evidence);
  }
  return out;
}

void EvidencePool::OnBlockCommitted(uint64_t height, const pb::Block& block) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const pb::Evidence& e : block.evidence()) {
    const Bytes id = EvidenceId(e);
    pending_.erase({e.a().height(), id});
    committed_.Increment();
    if (committed_ids_.insert(id).second) {
      committed_order_.push_back(id);
      if (committed_order_.size() > options_.max_remembered) {
        committed_ids_.erase(committed_order_.front());
        committed_order_.pop_front();
      }
    }
  }
  if (height > options_.max_age_heights) {
    const uint64_t floor = height - options_.max_age_heights;
    pending_.erase(pending_.begin(), pending_.lower_bound({floor, Bytes()}));
  }
  pending_gauge_.Set(static_cast<double>(pending_.size()));
}

bool EvidencePool::Contains(const pb::Evidence& evidence) const {
  const Bytes id = EvidenceId(evidence);
  std::lock_guard<std::mutex> lock(mu_);
  return pending_.count({evidence.a().height(), id}) > 0;
}

size_t EvidencePool::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_.size();
}

uint64_t EvidencePool::committed() const { return CountOf(committed_); }

uint64_t EvidencePool::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

}  // namespace civic::node
