// ConsensusReactor: the driver of the pure consensus core (consensus/core.h) and
// its glue to the p2p layer's consensus channel.
//
// It owns the core, the write-ahead log and one thread, the reactor thread, that
// runs a FIFO of tasks and a timer heap. Everything that touches the core runs on
// that thread: peer messages, timeouts, answers of the application and the work
// of the engine's other parts (block sync, evidence), which post tasks here. The
// core's driver contract is followed exactly:
//   - the actions of one Handle() are executed in order; events those actions
//     produce (BlockValidated, BlockBuilt, StartHeight) are handled after them;
//   - WriteWal is appended and fsync'ed before the next action (the Broadcast of
//     the message just signed); a WAL failure halts the reactor for good;
//   - ScheduleTimeout is never cancelled (the core ignores stale ones);
//   - Commit -> ConsensusApp::CommitBlock, then the WAL is reset, then
//     StartHeight{h+1, validators of h+1} in a new task (after timeout_commit_ms
//     for a block decided by votes; next in the queue for one received by
//     block sync);
//   - refusals are counted by reason; the core's HeightHint of a refused peer
//     message (STALE_HEIGHT, FUTURE_HEIGHT) goes to the application.
//
// Consensus channel: each payload is one serialized civic.pb.ConsensusMessage.
// Undecodable payloads are counted (MALFORMED_MESSAGE) and dropped on the p2p
// thread. Inbound messages (of every channel posted through PostInbound) wait in
// a bounded queue with a quota per peer (messages and bytes), so one peer cannot
// fill it for all: a message over its sender's quota, or over the whole queue's
// bound, is dropped (counted; the sender's periodic gossip repairs the loss), and
// a drop over quota is reported (ConsensusApp::OnPeerOffence, kOverQuota). A peer
// message the core refuses for a bad signature or a signer outside the validator
// set of its height (BAD_SIGNATURE, NOT_A_VALIDATOR) or for its shape (MALFORMED_*,
// also an undecodable payload) is reported the same way (kInvalidSignature,
// kMalformed); a far-future message from an unknown signer (UNKNOWN_SIGNER) is
// not, since the set may have changed at heights this node has not reached.
//
// Gossip: every gossip_interval_ms the reactor offers Core::GossipMessages() to
// each connected peer, skipping what that peer already got from this node or
// sent to it during the current height; every full_resend_interval_ms (and when
// the height changes or the peer reconnects) that memory is forgotten, so a peer
// that lost messages (it was behind, or restarted) gets them again. Rounds that
// send nothing double the pause (up to 1 s); a send, a new height, a new peer or
// a newly accepted message resets it.
//
// Metrics (node/metrics.h): civic_bft_height, _round, _halted,
// _blocks_decided_total, _consensus_messages_total, _inbound_dropped_total,
// _inbound_over_quota_total,
// _timeouts_total, _round_changes_total, _wal_entries_replayed,
// _gossip_resent_total and _rejected_messages_total{reason}.
//
// Thread safety: Post, PostAfter, the p2p callbacks, OnPeer* and the getters may
// be called from any thread; Deliver and core() only on the reactor thread.
// Configure (Attach) before Start; Start at most once; Stop is idempotent and must
// not be called from the reactor thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "consensus/core.h"
#include "consensus/wal.h"
#include "crypto/signature.h"
#include "crypto/base/status.h"
#include "node/metrics.h"
#include "node/p2p/peer_manager.h"
#include "node/peer_score.h"

namespace civic::node {

// The application side of consensus (BftEngine). Every method is called on the
// reactor thread.
class ConsensusApp {
 public:
  virtual ~ConsensusApp() = default;
  // This node proposes at (height, round). Answer with
  // ConsensusReactor::Deliver(consensus::BlockBuilt{...}), now or later.
  virtual void BuildBlock(uint64_t height, uint32_t round) = 0;
  // Whether `block` (which must hash to `block_hash`) may be decided at `height`.
  virtual bool ValidateBlock(uint64_t height, const Bytes& block, const Bytes& block_hash) = 0;
  // The block is decided: store and apply it durably. Returns the validator set
  // of the next height. An error halts the reactor (then OnFatal).
  virtual Result<consensus::ValidatorSet> CommitBlock(const consensus::Commit& decided) = 0;
  // The core started `height` (after boot or a commit).
  virtual void OnHeightStarted(uint64_t height) = 0;
  // A validator double-voted (from the core).
  virtual void OnEvidence(const pb::Evidence& evidence) = 0;
  // A peer's consensus message was for a height this node has passed or not
  // reached: where that peer is.
  virtual void OnHeightHint(const crypto::PublicKey& peer, const consensus::HeightHint& hint) = 0;
  // A peer did something only a faulty node does (may be called from a p2p thread).
  virtual void OnPeerOffence(const crypto::PublicKey& /*peer*/, Offence /*offence*/) {}
  // The reactor halted for good (WAL or storage failure).
  virtual void OnFatal(const Status& status) = 0;
};

struct ReactorOptions {
  consensus::CoreOptions core;
  // Pause after a decided block before the next height starts (lets txs gather).
  uint32_t timeout_commit_ms = 0;
  uint32_t gossip_interval_ms = 100;
  uint32_t full_resend_interval_ms = 2000;
  // Inbound peer messages (all channels posted through PostInbound) waiting for
  // the reactor thread: at most this many, and this many payload bytes.
  size_t max_queued_inbound = 20000;
  size_t max_queued_inbound_bytes = size_t{512} << 20;
  // One peer's share of the inbound queue.
  size_t max_queued_inbound_per_peer = 2000;
  size_t max_queued_inbound_bytes_per_peer = size_t{128} << 20;
};

// A snapshot of the reactor's counters.
struct ReactorStats {
  uint64_t height = 0;
  uint32_t round = 0;
  bool halted = false;
  uint64_t blocks_decided = 0;        // Commit actions executed (votes or block sync)
  uint64_t messages_received = 0;     // consensus messages handed to the core
  uint64_t inbound_dropped = 0;       // dropped because the inbound queue was full
  uint64_t inbound_over_quota = 0;    // of those, dropped because the sender's share was full
  uint64_t timeouts_fired = 0;
  uint64_t round_changes = 0;         // rounds > 0 started
  uint64_t wal_entries_replayed = 0;  // entries read from the WAL at boot
  uint64_t gossip_messages_sent = 0;  // re-sent by periodic gossip
  std::map<std::string, uint64_t> rejected;  // refused inputs by reason (app code)
};

class ConsensusReactor {
 public:
  using Clock = std::chrono::steady_clock;

  // `signer` may be null (never signs); `signer`, `verifier`, `app` and
  // `metrics` must outlive the reactor. `wal` is this node's opened log.
  ConsensusReactor(ReactorOptions options, const consensus::Signer* signer,
                   const consensus::Verifier* verifier, std::unique_ptr<consensus::Wal> wal,
                   ConsensusApp* app, prometheus::Registry& metrics);
  ~ConsensusReactor();  // Stop()
  ConsensusReactor(const ConsensusReactor&) = delete;
  ConsensusReactor& operator=(const ConsensusReactor&) = delete;

  // Before Start: where to send. Also registers the consensus channel on `peers`
  // (which must not be started yet). Errors: those of RegisterChannel.
  Status Attach(p2p::PeerManager* peers, p2p::ChannelPolicy policy);

  // Reads the WAL, starts the thread and delivers StartHeight{height, validators,
  // wal entries}. Errors: those of Wal::ReadAll (CORRUPTION, IO_ERROR).
  Status Start(uint64_t height, consensus::ValidatorSet validators);
  // Stops the thread after the task in progress; queued tasks are dropped.
  void Stop();

  // Any thread.
  void Post(std::function<void()> task);
  void PostAfter(std::chrono::milliseconds delay, std::function<void()> task);
  // Like Post for work caused by a message of `bytes` bytes from `peer`: bounded
  // in all and per peer, drops when full (counted; over the peer's quota also
  // reported). Returns false if dropped.
  bool PostInbound(const crypto::PublicKey& peer, std::function<void()> task, size_t bytes = 0);
  // p2p handler of the consensus channel (runs on a p2p io thread).
  void OnConsensusMessage(const crypto::PublicKey& peer, std::string payload);
  void OnPeerConnected(const crypto::PublicKey& peer);
  void OnPeerDisconnected(const crypto::PublicKey& peer);
  // Counts a refused input under `reason` (an app code) and logs `detail`
  // (warn: at most once per reason every 10 s; otherwise debug).
  void CountRejected(const std::string& reason, const std::string& detail, bool warn = true);

  // Reactor thread only. Hands `event` to the core and executes the actions.
  // Called while the actions of an earlier event are being executed, it queues
  // the event behind them.
  void Deliver(consensus::Event event);
  // Like Deliver, and returns the core's refusal of `event` (OK if accepted, or
  // if the event had to be queued).
  Status DeliverChecked(consensus::Event event);
  const consensus::Core& core() const { return core_; }
  // Highest height of a consensus message received from `peer` (0 if none).
  uint64_t PeerMessageHeight(const crypto::PublicKey& peer) const;
  bool on_reactor_thread() const { return std::this_thread::get_id() == thread_id_.load(); }

  ReactorStats stats() const;
  bool halted() const { return halted_.load(); }

 private:
  struct Timer {
    Clock::time_point at;
    uint64_t seq = 0;
    std::function<void()> task;
    bool operator>(const Timer& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  struct PeerGossip {
    // Keys (GossipKey, ordered by height first) of messages this peer has: sent
    // to it or received from it.
    std::set<std::string> known;
    Clock::time_point last_reset;
  };

  void Run();
  void HandlePeerMessage(const crypto::PublicKey& peer, const pb::ConsensusMessage& message);
  Status Dispatch(consensus::Event event, const crypto::PublicKey* from);
  void Execute(consensus::Action& action);
  void Halt(const Status& status);
  void Reject(const consensus::Output& out, const crypto::PublicKey* from);
  void ReportOffence(const crypto::PublicKey& peer, const Status& refusal);
  void GossipTick();
  void ScheduleGossip(uint32_t delay_ms);
  void GossipActivity();
  void SendToAll(const pb::ConsensusMessage& message);
  void NoteKnown(const crypto::PublicKey& peer, const std::string& key);
  // Forgets keys of passed heights, or everything once full_resend_interval_ms passed.
  void Refresh(PeerGossip* gossip, Clock::time_point now);

  const ReactorOptions options_;
  ConsensusApp* const app_;
  std::unique_ptr<consensus::Wal> wal_;
  consensus::Core core_;
  p2p::PeerManager* peers_ = nullptr;

  // Reactor thread state.
  std::deque<consensus::Event> events_;
  bool dispatching_ = false;
  bool commit_from_sync_ = false;  // the event being handled is a CommitReceived
  std::map<crypto::PublicKey, PeerGossip> gossip_;
  std::map<crypto::PublicKey, uint64_t> peer_heights_;
  uint32_t gossip_delay_ms_ = 0;   // current pause between gossip rounds
  uint64_t gossip_generation_ = 0; // only the latest scheduled round runs
  uint64_t gossip_height_ = 0;     // height at the last gossip round
  uint32_t last_round_ = 0;

  // Task queue.
  mutable std::mutex mu_;
  std::condition_variable cv_;
  struct QueuedTask {
    std::function<void()> fn;
    bool inbound = false;
    size_t bytes = 0;
    crypto::PublicKey peer;  // inbound: the sender
  };
  struct PeerQueued {
    size_t messages = 0;
    size_t bytes = 0;
  };
  std::deque<QueuedTask> tasks_;
  size_t inbound_queued_ = 0;
  size_t inbound_bytes_ = 0;
  std::map<crypto::PublicKey, PeerQueued> inbound_by_peer_;  // peers with queued messages only
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  uint64_t timer_seq_ = 0;
  bool stop_ = false;
  std::thread thread_;
  std::atomic<std::thread::id> thread_id_{};

  std::atomic<bool> halted_{false};

  // Metrics, read back by stats().
  prometheus::Gauge& height_;
  prometheus::Gauge& round_;
  prometheus::Gauge& halted_gauge_;
  prometheus::Counter& blocks_decided_;
  prometheus::Counter& messages_received_;
  prometheus::Counter& inbound_dropped_;
  prometheus::Counter& inbound_over_quota_;
  prometheus::Counter& timeouts_fired_;
  prometheus::Counter& round_changes_;
  prometheus::Gauge& wal_entries_replayed_;
  prometheus::Counter& gossip_sent_;
  CounterByLabel rejected_;
  std::mutex log_mu_;
  std::map<std::string, Clock::time_point> last_logged_;  // by reason
};

// Message keys for gossip bookkeeping: equal for the same signed content; they
// start with the height (8 bytes big-endian) so that they sort by height.
std::string GossipKey(const pb::ConsensusMessage& message);
// The height a consensus message is for (0 if it has none).
uint64_t MessageHeight(const pb::ConsensusMessage& message);

}  // namespace civic::node
