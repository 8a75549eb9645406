// EvidencePool: double-vote evidence waiting to be committed on chain.
//
// Evidence enters from this node's consensus core (ReportEvidence: built from
// two votes the core verified) or from peers (the engine verifies it against the
// validator set of its height with ledger::VerifyEvidence before Add). The
// proposer includes pending evidence in its block (Pending); a committed block's
// evidence leaves the pool and is remembered, so gossip arriving later does not
// bring it back. Evidence older than max_age_heights below the tip is dropped:
// governance acts on recent misbehaviour, and the pool stays bounded.
//
// Identity: SHA-256 of the deterministic serialization; consensus::MakeEvidence
// orders the two votes canonically, so every node builds the same bytes.
// Metrics (node/metrics.h): civic_bft_evidence_pending and
// civic_bft_evidence_committed_total.
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "crypto/base/bytes.h"
#include "ledger/ledger.pb.h"
#include "node/metrics.h"

namespace civic::node {

struct EvidencePoolOptions {
  size_t max_pending = 1000;
  size_t max_remembered = 10000;  // ids of committed evidence kept for dedup
  uint64_t max_age_heights = 1000;
};

// SHA-256 of the evidence's deterministic serialization.
Bytes EvidenceId(const pb::Evidence& evidence);

class EvidencePool {
 public:
  // `metrics` must outlive the pool.
  EvidencePool(EvidencePoolOptions options, prometheus::Registry& metrics);

  // Adds verified evidence. False if already pending or committed, or the pool
  // is full (counted in dropped()).
  bool Add(const pb::Evidence& evidence);
  // Up to `max_items` pending evidence for heights <= max_height (a block at
  // height h may carry evidence of heights < h), oldest height first.
  std::vector<pb::Evidence> Pending(uint64_t max_height, size_t max_items) const;
  // After block `height` is applied: forgets its evidence (and remembers the ids)
  // and drops evidence older than max_age_heights.
  void OnBlockCommitted(uint64_t height, const pb::Block& block);

  bool Contains(const pb::Evidence& evidence) const;
  size_t size() const;
  uint64_t committed() const;  // evidence seen in committed blocks since start
  uint64_t dropped() const;

 private:
  const EvidencePoolOptions options_;
  mutable std::mutex mu_;
  // Pending by (height, id) so Pending() is ordered by height.
  std::map<std::pair<uint64_t, Bytes>, pb::Evidence> pending_;
  std::set<Bytes> committed_ids_;
  std::deque<Bytes> committed_order_;
  uint64_t dropped_ = 0;
  prometheus::Gauge& pending_gauge_;
  prometheus::Counter& committed_;
};

}  // namespace civic::node
