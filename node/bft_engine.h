// BftEngine: the ConsensusEngine of a multi-department network. Tendermint-style
// BFT consensus (consensus/core.h) over the authenticated p2p layer
// (node/p2p/peer_manager.h), with block sync, mempool gossip and double-vote
// evidence.
//
// Parts, all owned here:
//   PeerManager       listens and dials (p2p.listen, p2p.peers); channels
//                     kConsensus, kMempool, kBlockSync, kEvidence.
//   ConsensusReactor  the core, the WAL (<data_dir>/consensus.wal) and the one
//                     reactor thread that drives them; this class is its
//                     ConsensusApp (build, validate and apply blocks).
//   BlockSync         fetches missing blocks with their commits; serves peers.
//   MempoolGossip     spreads txs admitted here to peers and admits theirs.
//   EvidencePool      double-vote evidence until a block carries it.
//   PeerScore         adds up what peers do wrong (invalid signatures or
//                     evidence, claims they cannot serve, quotas overrun,
//                     undecodable messages); a peer at the threshold is
//                     disconnected and refused admission for a ban that doubles
//                     with each repeat (node/peer_score.h).
//
// Byzantine peers. A peer's height claim never stops this node from proposing:
// only a height proven by validator signatures (BlockSync::proven_target_height,
// consensus/core.h FUTURE_HEIGHT) does. Evidence from a peer: at most
// max_evidence_per_message items per message (a bigger message is refused whole)
// and max_evidence_in_flight_per_peer items waiting for the reactor thread; each
// item that fails verification is an offence.
//
// Blocks. The proposer builds on the chain tip from the mempool (FIFO, within
// the block limits) and the pending evidence, with block time max(now, previous
// block time + 1 ms) (BlockProducer, shared with SoloEngine), and checks its own block before
// proposing it: a tx that went stale is evicted and the block rebuilt. When the
// mempool is empty it waits up to block_interval_ms after the last commit for
// txs (capped at half the propose timeout, so peers do not give up on it), then
// proposes an empty block: block time keeps up with the clock and a quiet
// network still commits. Validators check a proposed block with
// Chain::ValidateBlock (signatures of txs already in their mempool are not
// checked again; every other tx is fully verified) and refuse a block whose time
// is more than max_block_time_drift_ms ahead of their own clock (a clock check
// that the deterministic ledger cannot make). A decided block is decoded once,
// applied and reported by BlockProducer::Commit (the node updates the mempool,
// answers tx_commit waiters and notifies RPC subscribers).
//
// Validators and membership. Each height starts with the validator set the chain
// tip names for it (governance changes take effect two blocks after the block
// that makes them; the ledger tracks the pipeline). A node whose key is not in
// the set runs the same core as a non-signing follower (an observer): it decides
// from the proposals and precommits it receives, falls back on block sync when
// it misses them, serves RPC, and starts signing by itself if governance makes
// its key a validator. P2P admission: the node keys of the validator sets of the
// last, current and next height (so a validator added by governance can connect
// and sync before its first vote, and a removed one is dropped once it is out of
// all three), plus the observer keys given in options. After each block whose
// sets differ, PeerManager::ReevaluateAdmission disconnects peers no longer
// admitted. Peers listed in p2p.peers are dialed but not admitted by that alone,
// so removing a department takes effect without editing every config.
//
// Metrics (node/metrics.h, in EngineHost::metrics): civic_bft_is_validator,
// civic_bft_peers, civic_bft_blocks_proposed_total,
// civic_bft_proposals_refused_total, civic_bft_evidence_rejected_total,
// civic_p2p_peer_offences_total{offence}, civic_p2p_peers_banned_total, and
// those of the parts (civic_bft_*, civic_p2p_*).
//
// Thread safety: as ConsensusEngine. AddPeer and the getters may be called from
// any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "consensus/signer.h"
#include "node/block_producer.h"
#include "node/block_sync.h"
#include "node/config.h"
#include "node/consensus_reactor.h"
#include "node/engine.h"
#include "node/evidence_pool.h"
#include "node/mempool_gossip.h"
#include "node/p2p/peer_manager.h"
#include "node/peer_score.h"

namespace civic::node {

struct BftOptions {
  // The consensus write-ahead log. Required.
  std::string wal_path;
  // Listen address, persistent peers and transport limits. chain_id may be left
  // empty (the chain's is used); node keys are this node's.
  p2p::PeerManagerOptions p2p;
  // Node keys of observers (non-validators) admitted to connect.
  std::vector<crypto::PublicKey> observers;
  // Largest accepted distance of a proposed block's time ahead of this clock.
  int64_t max_block_time_drift_ms = 30000;
  // Most evidence items one block carries.
  size_t max_block_evidence = 16;
  // Most evidence items in one peer message, and waiting per peer for the reactor.
  size_t max_evidence_per_message = 16;
  size_t max_evidence_in_flight_per_peer = 64;
  // When a misbehaving peer is disconnected and for how long it is refused.
  PeerScoreOptions peer_score;
  // Tuning of the parts (the consensus timeouts come from ConsensusSection).
  uint32_t gossip_interval_ms = 100;
  uint32_t full_resend_interval_ms = 2000;
  BlockSyncOptions sync;
  MempoolGossipOptions mempool_gossip;
  EvidencePoolOptions evidence;
  // Wall clock in ms since the Unix epoch (block time, drift check); null = the
  // system clock. Tests may set a skewed clock.
  std::function<int64_t()> wall_clock_ms;
};

// The engine options for a node config: WAL at <data_dir>/consensus.wal, p2p
// listen address and persistent peers from [p2p].
BftOptions BftOptionsFromConfig(const Config& config);

// Whether a node runs BftEngine rather than SoloEngine: when the chain has more
// than one validator or peers are configured. A one-validator chain without
// peers keeps SoloEngine, which refuses (NOT_SOLE_VALIDATOR) a node that is not
// that validator: such a node could never learn a block.
bool WantsBftEngine(const Config& config, const ledger::Tip& tip);

struct BftStats {
  ReactorStats consensus;
  BlockSyncStats sync;
  MempoolGossipStats mempool_gossip;
  size_t peers = 0;
  size_t evidence_pending = 0;
  uint64_t evidence_committed = 0;
  uint64_t evidence_rejected = 0;   // evidence from peers that did not verify
  uint64_t peers_banned = 0;        // peers disconnected by PeerScore
  uint64_t blocks_proposed = 0;
  uint64_t proposals_refused = 0;   // proposed blocks (of others) judged invalid
};

class BftEngine final : public ConsensusEngine, private ConsensusApp {
 public:
  BftEngine(EngineHost host, BftOptions options);
  ~BftEngine() override;  // Stop()

  // Errors: BAD_VALIDATOR_SET (tip's set unusable), those of FileWal::Open
  // (IO_ERROR, CORRUPTION), of reading the tip block, of PeerManager::Start
  // (BAD_P2P_CONFIG, BAD_PEER_ADDRESS, LISTEN_FAILED).
  Status Start() override;
  void Stop() override;
  void OnTxsAvailable() override;
  // Whether this node's key is in the validator set of the height being decided.
  bool is_validator() const override { return is_validator_.Value() != 0; }
  size_t peer_count() const override;

  // Dials another peer ("ed25519:<hex>@host:port") from now on. Error: BAD_PEER_ADDRESS.
  Status AddPeer(std::string_view address);

  // The bound p2p port once started (0 before).
  uint16_t p2p_port() const;
  BftStats stats() const;

 private:
  // ConsensusApp (reactor thread).
  void BuildBlock(uint64_t height, uint32_t round) override;
  bool ValidateBlock(uint64_t height, const Bytes& block, const Bytes& block_hash) override;
  Result<consensus::ValidatorSet> CommitBlock(const consensus::Commit& decided) override;
  void OnHeightStarted(uint64_t height) override;
  void OnEvidence(const pb::Evidence& evidence) override;
  void OnHeightHint(const crypto::PublicKey& peer, const consensus::HeightHint& hint) override;
  void OnPeerOffence(const crypto::PublicKey& peer, Offence offence) override;
  void OnFatal(const Status& status) override;

  // Reactor thread.
  void BuildNow(uint64_t height, uint32_t round);
  pb::Block AssembleBlock(const ledger::Tip& tip);
  void OnEvidenceMessage(const crypto::PublicKey& peer, const std::string& payload);  // p2p thread
  void OnPeerEvidence(const crypto::PublicKey& peer, const pb::BftEvidence& message);
  void GossipEvidence(const pb::Evidence& evidence, const crypto::PublicKey* except);
  void UpdateAdmission(const ledger::Tip& tip);

  bool Preverified(const Bytes& tx_id) const;

  EngineHost host_;
  BftOptions options_;
  BlockProducer producer_;
  consensus::KeyPairSigner signer_;
  consensus::CryptoVerifier verifier_;

  // Admission: read by p2p io threads.
  struct Admission {
    mutable std::mutex mu;
    std::set<crypto::PublicKey> keys;
  };
  std::shared_ptr<Admission> admission_;
  std::shared_ptr<PeerScore> score_;
  // Evidence items from each peer waiting for the reactor thread.
  std::mutex evidence_mu_;
  std::map<crypto::PublicKey, size_t> evidence_in_flight_;

  std::unique_ptr<p2p::PeerManager> peers_;
  std::unique_ptr<ConsensusReactor> reactor_;
  std::unique_ptr<BlockSync> sync_;
  std::unique_ptr<MempoolGossip> gossip_;
  EvidencePool evidence_;

  // Reactor thread state.
  std::chrono::steady_clock::time_point last_commit_at_;
  struct PendingBuild {
    uint64_t height = 0;
    uint32_t round = 0;
  };
  std::optional<PendingBuild> pending_build_;
  std::atomic<bool> build_wake_posted_{false};
  std::atomic<bool> has_pending_build_{false};

  std::atomic<bool> started_{false};

  // Metrics, read back by the getters and stats().
  prometheus::Gauge& is_validator_;
  prometheus::Gauge& peers_gauge_;
  prometheus::Counter& blocks_proposed_;
  prometheus::Counter& proposals_refused_;
  prometheus::Counter& evidence_rejected_;
  prometheus::Counter& peers_banned_;
  CounterByLabel offences_;
};

}  // namespace civic::node
