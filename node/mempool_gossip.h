// MempoolGossip: spreads admitted txs to peers (p2p channel kMempool, payload
// civic.pb.BftTxs) so that every validator can propose them and the proposer's
// peers find most of a proposed block's txs already verified in their mempool.
//
// - It observes the mempool's admissions (Mempool::Subscribe, from Start to
//   Stop): a tx a client submitted to this node is sent to every peer.
// - Txs from a peer go through the mempool's normal admission (Mempool::AddBatch:
//   size, dedup, signature on the worker pool, stateful checks). Only those
//   admitted here for the first time are relayed, and never back to the sender,
//   so a tx crosses each link at most a bounded number of times and gossip
//   cannot storm (a duplicate is refused by id before any signature work).
// - Outgoing txs are batched for up to flush_interval_ms or max_batch_bytes.
// - Received batches wait in a queue bounded by max_inbound_bytes in all and by
//   max_inbound_bytes_per_peer for each sender, so one peer flooding the channel
//   cannot take the room of the others; beyond either bound a batch is dropped
//   and counted (the sender's mempool still holds the txs, and its proposals
//   carry them). An undecodable message disconnects the peer.
//
// Metrics (node/metrics.h): civic_bft_mempool_gossip_{sent,received,admitted,
// refused,dropped_batches,malformed}_total.
//
// Thread safety: every public method may be called from any thread; admission
// and sending run on the gossip's own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "crypto/signature.h"
#include "node/mempool.h"
#include "node/metrics.h"
#include "node/p2p/peer_manager.h"

namespace civic::node {

struct MempoolGossipOptions {
  size_t max_batch_bytes = 4u << 20;  // one outgoing message
  uint32_t flush_interval_ms = 5;
  size_t max_inbound_bytes = 64u << 20;
  size_t max_inbound_bytes_per_peer = 16u << 20;
  size_t max_txs_per_message = 20000;
  bool relay = true;  // relay txs first seen from a peer to the other peers
};

struct MempoolGossipStats {
  uint64_t txs_sent = 0;         // tx copies sent (one per peer)
  uint64_t txs_received = 0;
  uint64_t txs_admitted = 0;     // received and admitted here for the first time
  uint64_t txs_refused = 0;      // received and refused (duplicates included)
  uint64_t batches_dropped = 0;  // received batches dropped: inbound queue full
  uint64_t malformed = 0;        // undecodable messages
};

class MempoolGossip {
 public:
  // `mempool` and `metrics` must outlive this object.
  MempoolGossip(MempoolGossipOptions options, Mempool* mempool, prometheus::Registry& metrics);
  ~MempoolGossip();  // Stop()
  MempoolGossip(const MempoolGossip&) = delete;
  MempoolGossip& operator=(const MempoolGossip&) = delete;

  // Before the PeerManager starts: registers the mempool channel.
  Status Attach(p2p::PeerManager* peers, p2p::ChannelPolicy policy);
  // Starts the thread and observing the mempool.
  void Start();
  void Stop();

  // p2p handler of the mempool channel.
  void OnMessage(const crypto::PublicKey& peer, std::string payload);

  MempoolGossipStats stats() const;

 private:
  struct Outgoing {
    std::shared_ptr<const Bytes> raw;
    std::optional<crypto::PublicKey> from;  // not sent back to the peer it came from
  };
  struct Incoming {
    crypto::PublicKey from;
    std::vector<Bytes> txs;
    size_t bytes = 0;
  };

  void Run();
  // Mempool observer: queues admitted txs for sending.
  void OnAdmitted(const AdmittedTxs& admitted);
  void Admit(Incoming batch);
  void Flush(std::vector<Outgoing> out);

  const MempoolGossipOptions options_;
  Mempool* const mempool_;
  p2p::PeerManager* peers_ = nullptr;
  uint64_t subscription_ = 0;  // of the mempool observer while started

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::deque<Incoming> incoming_;
  size_t incoming_bytes_ = 0;
  std::map<crypto::PublicKey, size_t> incoming_bytes_by_peer_;  // peers with queued batches only
  std::vector<Outgoing> outgoing_;
  std::chrono::steady_clock::time_point first_outgoing_;
  std::thread thread_;

  // Metrics, read back by stats().
  prometheus::Counter& txs_sent_;
  prometheus::Counter& txs_received_;
  prometheus::Counter& txs_admitted_;
  prometheus::Counter& txs_refused_;
  prometheus::Counter& batches_dropped_;
  prometheus::Counter& malformed_;
};

}  // namespace civic::node
