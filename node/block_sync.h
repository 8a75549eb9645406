// BlockSync: brings a node that is behind (restarted, new, or partitioned) up to
// its peers' height, and serves this node's blocks to peers that are behind.
// Wire: p2p channel kBlockSync, payload civic.pb.BftSyncMessage (node/bft.proto).
//
// Knowing who is ahead (consensus/sync_target.h holds the rules): peers send
// their tip height (BftSyncStatus) on connect and every status_interval_ms; that
// is a peer's word only: it may make this node fetch from that peer, up to own
// tip + Window(). A peer that then answers NoBlocks for a height it claimed, or
// lets a request time out, loses its claim and is reported to the engine's
// PeerScore (node/peer_score.h); a claim not served within claim_ttl_ms is
// dropped (CLAIM_EXPIRED) and ignored for as long again. A consensus
// message for a height this node has not reached raises a peer's known height
// only when the core proved it (the HeightHint kSenderAhead: signatures of > 1/3
// of the voting power); such a proven target is what proven_target_height()
// reports, and only it stops the engine from proposing.
//
// Fetching: when a peer's tip is at least two blocks past ours (or one block for
// longer than lag_grace_ms, which normal consensus would have closed), BlockSync
// requests the missing heights in batches of batch_blocks from peers that have
// them, up to max_inflight_requests at once (pipelined: later batches arrive
// while earlier ones are applied). A request not answered within
// request_timeout_ms is asked again, of another peer if there is one.
//
// Applying, strictly in height order, on the reactor thread, for the block at
// tip + 1 with its commit: the commit must be for that height and for the
// block's hash and must verify against the validator set of that height
// (ledger::VerifyCommit with the chain tip's validators: sets change through
// governance and the chain tracks them); the block must pass
// Chain::ValidateBlock; then it goes to the consensus core as CommitReceived,
// which checks the certificate again and emits Commit (the normal commit path:
// ApplyBlock, WAL reset, next height). A block or commit that fails is never
// applied: it is dropped, logged, counted by reason, the peer that sent it is
// disconnected, and the height is fetched again elsewhere.
//
// Serving: a request is answered by a worker thread (chain reads are
// thread-safe) with at most max_serve_blocks blocks and max_response_bytes
// (always at least one block), or BftSyncNoBlocks if this node lacks the first
// one. A peer whose consensus messages show it is just behind (kSenderBehind) is
// sent the next few blocks unasked, so that a node that missed one commit does
// not wait for a status round; a short delay first lets a late message of a
// peer that has in fact moved on (its next message is for a later height) cancel
// the send.
//
// Bounded memory: blocks are buffered only within the request window above the
// tip and up to max_buffered_bytes; serve jobs are queued up to max_queued_serves.
// Metrics (node/metrics.h): civic_bft_sync_target_height,
// civic_bft_sync_proven_target_height, civic_bft_syncing,
// civic_bft_sync_{blocks_applied,requests,request_timeouts,blocks_served,
// serves_dropped,peers_disconnected}_total and civic_bft_sync_rejected_total{reason}.
//
// Thread safety: the p2p callbacks and the getters from any thread; the On*
// hint methods on the reactor thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "consensus/sync_target.h"
#include "crypto/signature.h"
#include "ledger/chain.h"
#include "node/bft.pb.h"
#include "node/consensus_reactor.h"
#include "node/metrics.h"
#include "node/p2p/peer_manager.h"
#include "node/peer_score.h"

namespace civic::node {

struct BlockSyncOptions {
  uint32_t batch_blocks = 16;
  uint32_t max_inflight_requests = 4;
  uint32_t request_timeout_ms = 5000;
  uint32_t status_interval_ms = 1000;
  uint32_t lag_grace_ms = 1500;
  uint32_t max_serve_blocks = 32;
  size_t max_response_bytes = 8u << 20;
  size_t max_buffered_bytes = 128u << 20;
  size_t max_queued_serves = 64;
  // Blocks applied per reactor task before yielding to consensus messages.
  uint32_t apply_per_task = 8;
  // A peer's claim of a tip ahead of this node's must be served within this.
  uint32_t claim_ttl_ms = 10000;
};

struct BlockSyncStats {
  uint64_t target_height = 0;      // highest tip height reported by a peer (capped)
  uint64_t proven_target_height = 0;  // the same, proven by validator signatures
  bool syncing = false;            // fetching because this node is behind
  uint64_t blocks_applied = 0;     // blocks applied from block sync
  uint64_t requests_sent = 0;
  uint64_t request_timeouts = 0;
  uint64_t blocks_served = 0;
  uint64_t serves_dropped = 0;     // serve jobs dropped: queue full
  uint64_t peers_disconnected = 0; // for invalid commits, blocks or messages
  std::map<std::string, uint64_t> rejected;  // by reason: BAD_COMMIT, BAD_BLOCK, MALFORMED_SYNC_MESSAGE, ...
};

class BlockSync {
 public:
  using Clock = std::chrono::steady_clock;
  // Whether a tx's signature is already known to be valid (the mempool).
  using Preverified = std::function<bool(const Bytes&)>;
  // Reports a peer's offence (to PeerScore); called on the reactor thread or a p2p thread.
  using Penalise = std::function<void(const crypto::PublicKey&, Offence)>;

  // `chain`, `reactor` and `metrics` must outlive this object.
  BlockSync(BlockSyncOptions options, const ledger::Chain* chain, ConsensusReactor* reactor,
            Preverified preverified, Penalise penalise, prometheus::Registry& metrics);
  ~BlockSync();  // Stop()
  BlockSync(const BlockSync&) = delete;
  BlockSync& operator=(const BlockSync&) = delete;

  // Before the PeerManager starts: registers the block sync channel.
  Status Attach(p2p::PeerManager* peers, p2p::ChannelPolicy policy);
  // Starts the serving thread and the periodic status (on the reactor).
  void Start();
  void Stop();

  // Any thread.
  void OnPeerConnected(const crypto::PublicKey& peer);
  void OnPeerDisconnected(const crypto::PublicKey& peer);
  void OnMessage(const crypto::PublicKey& peer, std::string payload);

  // Reactor thread: hints from the consensus core and the height start.
  void OnHeightHint(const crypto::PublicKey& peer, const consensus::HeightHint& hint);
  void OnHeightStarted(uint64_t height);

  // Any thread.
  bool syncing() const { return syncing_.Value() != 0; }
  uint64_t target_height() const { return static_cast<uint64_t>(target_height_.Value()); }
  // The highest height this node is proven to lack (0 if none).
  uint64_t proven_target_height() const { return static_cast<uint64_t>(proven_target_height_.Value()); }
  BlockSyncStats stats() const;

 private:
  struct PeerState {
    uint32_t inflight = 0;         // requests outstanding
    bool push_pending = false;     // an unasked send (OnPeerBehind) is scheduled
  };
  struct Request {
    crypto::PublicKey peer;
    uint64_t from = 0;
    uint32_t count = 0;
    Clock::time_point deadline;
  };
  struct Buffered {
    pb::StoredBlock stored;
    crypto::PublicKey from;
    size_t bytes = 0;
  };
  struct ServeJob {
    crypto::PublicKey peer;
    uint64_t from = 0;
    uint32_t count = 0;
  };

  // Reactor thread.
  void OnPeerAhead(const crypto::PublicKey& peer, uint64_t message_height);
  void OnPeerBehind(const crypto::PublicKey& peer, uint64_t message_height);
  void Handle(const crypto::PublicKey& peer, const pb::BftSyncMessage& message);
  void OnBlocks(const crypto::PublicKey& peer, const pb::BftSyncBlocks& blocks);
  void SchedulePump();
  void Pump();
  // Applies the buffered block at tip + 1 if there is one; false if none or it failed.
  bool ApplyNext();
  void RequestMissing(uint64_t tip);
  bool Covered(uint64_t height) const;
  void ForgetRequestsOf(const crypto::PublicKey& peer);
  void Punish(const crypto::PublicKey& peer, const std::string& reason, const std::string& detail);
  void StatusTick();
  void SendStatus(const crypto::PublicKey* to);
  uint64_t Window() const;
  uint64_t NowMs() const;

  // Serving thread.
  bool QueueServe(ServeJob job);
  void ServeLoop();
  void Serve(const ServeJob& job);

  const BlockSyncOptions options_;
  const ledger::Chain* const chain_;
  ConsensusReactor* const reactor_;
  const Preverified preverified_;
  const Penalise penalise_;
  p2p::PeerManager* peers_ = nullptr;
  const Clock::time_point epoch_ = Clock::now();

  // Reactor thread state.
  consensus::SyncTarget claims_;
  std::map<crypto::PublicKey, PeerState> peer_states_;
  std::map<uint64_t, Request> requests_;   // by first height
  std::map<uint64_t, Buffered> buffered_;  // by height
  size_t buffered_bytes_ = 0;
  bool pump_scheduled_ = false;
  uint64_t last_tip_ = 0;
  Clock::time_point tip_changed_at_ = Clock::now();
  size_t next_peer_ = 0;  // round-robin start among candidate peers
  Clock::time_point sync_started_at_;
  uint64_t applied_at_sync_start_ = 0;

  // Serving thread.
  std::mutex serve_mu_;
  std::condition_variable serve_cv_;
  std::deque<ServeJob> serve_jobs_;
  bool serve_stop_ = false;
  std::thread serve_thread_;

  // Metrics, read back by the getters and stats().
  prometheus::Gauge& target_height_;
  prometheus::Gauge& proven_target_height_;
  prometheus::Gauge& syncing_;
  prometheus::Counter& blocks_applied_;
  prometheus::Counter& requests_sent_;
  prometheus::Counter& request_timeouts_;
  prometheus::Counter& blocks_served_;
  prometheus::Counter& serves_dropped_;
  prometheus::Counter& peers_disconnected_;
  CounterByLabel rejected_;
};

}  // namespace civic::node
