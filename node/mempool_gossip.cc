#include "node/mempool_gossip.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "node/bft.pb.h"

namespace civic::node {

MempoolGossip::MempoolGossip(MempoolGossipOptions options, Mempool* mempool, prometheus::Registry& metrics)
    : options_(options),
      mempool_(mempool),
      txs_sent_(NewCounter(metrics, "civic_bft_mempool_gossip_sent_total", "Tx copies sent to peers.")),
      txs_received_(NewCounter(metrics, "civic_bft_mempool_gossip_received_total", "Txs received from peers.")),
      txs_admitted_(
          NewCounter(metrics, "civic_bft_mempool_gossip_admitted_total", "Txs from peers admitted here first.")),
      txs_refused_(NewCounter(metrics, "civic_bft_mempool_gossip_refused_total",
                              "Txs from peers refused (duplicates included).")),
      batches_dropped_(NewCounter(metrics, "civic_bft_mempool_gossip_dropped_batches_total",
                                  "Tx batches from peers dropped: queue full.")),
      malformed_(
          NewCounter(metrics, "civic_bft_mempool_gossip_malformed_total", "Undecodable tx batches from peers.")) {}

MempoolGossip::~MempoolGossip() { Stop(); }

Status MempoolGossip::Attach(p2p::PeerManager* peers, p2p::ChannelPolicy policy) {
  peers_ = peers;
  return peers->RegisterChannel(p2p::Channel::kMempool, policy,
                                [this](const crypto::PublicKey& peer, std::string payload) {
                                  OnMessage(peer, std::move(payload));
                                });
}

void MempoolGossip::Start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Run(); });
  subscription_ = mempool_->Subscribe([this](const AdmittedTxs& admitted) { OnAdmitted(admitted); });
}

void MempoolGossip::Stop() {
  if (subscription_ != 0) mempool_->Unsubscribe(std::exchange(subscription_, 0));
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MempoolGossip::OnAdmitted(const AdmittedTxs& admitted) {
  if (admitted.from && !options_.relay) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    if (outgoing_.empty()) first_outgoing_ = std::chrono::steady_clock::now();
    for (const auto& raw : admitted.txs) outgoing_.push_back(Outgoing{raw, admitted.from});
  }
  cv_.notify_one();
}

void MempoolGossip::OnMessage(const crypto::PublicKey& peer, std::string payload) {
  pb::BftTxs msg;
  if (!msg.ParseFromString(payload) || msg.txs_size() == 0 ||
      static_cast<size_t>(msg.txs_size()) > options_.max_txs_per_message) {
    malformed_.Increment();
    spdlog::warn("event=mempool_gossip_refused reason=MALFORMED_TX_BATCH peer={} bytes={} action=disconnect",
                 peer.ToString(), payload.size());
    if (peers_ != nullptr) peers_->DisconnectPeer(peer);
    return;
  }
  Incoming batch{peer, {}, payload.size()};
  batch.txs.reserve(msg.txs_size());
  for (std::string& raw : *msg.mutable_txs()) batch.txs.push_back(std::move(raw));
  txs_received_.Increment(static_cast<double>(batch.txs.size()));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    const auto queued = incoming_bytes_by_peer_.find(peer);
    const size_t from_peer = queued == incoming_bytes_by_peer_.end() ? 0 : queued->second;
    if (incoming_bytes_ + batch.bytes > options_.max_inbound_bytes ||
        from_peer + batch.bytes > options_.max_inbound_bytes_per_peer) {
      batches_dropped_.Increment();
      return;
    }
    incoming_bytes_ += batch.bytes;
    incoming_bytes_by_peer_[peer] = from_peer + batch.bytes;
    incoming_.push_back(std::move(batch));
  }
  cv_.notify_one();
}

void MempoolGossip::Run() {
  const auto flush_after = std::chrono::milliseconds(options_.flush_interval_ms);
  for (;;) {
    std::deque<Incoming> incoming;
    std::vector<Outgoing> outgoing;
    {
      std::unique_lock<std::mutex> lock(mu_);
      for (;;) {
        if (stop_) return;
        if (!incoming_.empty()) break;
        if (!outgoing_.empty()) {
          if (std::chrono::steady_clock::now() >= first_outgoing_ + flush_after) break;
          cv_.wait_until(lock, first_outgoing_ + flush_after);
        } else {
          cv_.wait(lock);
        }
      }
      incoming.swap(incoming_);
      incoming_bytes_ = 0;
      incoming_bytes_by_peer_.clear();
      const bool due = !outgoing_.empty() && std::chrono::steady_clock::now() >= first_outgoing_ + flush_after;
      if (due) outgoing.swap(outgoing_);
    }
    // Admitted txs come back through OnAdmitted to be relayed.
    for (Incoming& batch : incoming) Admit(std::move(batch));
    if (!outgoing.empty()) Flush(std::move(outgoing));
  }
}

void MempoolGossip::Admit(Incoming batch) {
  for (const Result<Bytes>& result : mempool_->AddBatch(std::move(batch.txs), batch.from)) {
    (result.ok() ? txs_admitted_ : txs_refused_).Increment();
  }
}

void MempoolGossip::Flush(std::vector<Outgoing> out) {
  if (peers_ == nullptr) return;
  for (const p2p::PeerInfo& peer : peers_->Peers()) {
    pb::BftTxs msg;
    size_t bytes = 0;
    auto send = [&] {
      if (msg.txs_size() == 0) return;
      const size_t n = static_cast<size_t>(msg.txs_size());
      if (peers_->Send(peer.node_key, p2p::Channel::kMempool, msg.SerializeAsString()).ok()) {
        txs_sent_.Increment(static_cast<double>(n));
      }
      msg.Clear();
      bytes = 0;
    };
    for (const Outgoing& o : out) {
      if (o.from && *o.from == peer.node_key) continue;
      if (bytes > 0 && bytes + o.raw->size() > options_.max_batch_bytes) send();
      msg.add_txs(*o.raw);
      bytes += o.raw->size();
    }
    send();
  }
}

MempoolGossipStats MempoolGossip::stats() const {
  MempoolGossipStats s;
  s.txs_sent = CountOf(txs_sent_);
  s.txs_received = CountOf(txs_received_);
  s.txs_admitted = CountOf(txs_admitted_);
  s.txs_refused = CountOf(txs_refused_);
  s.batches_dropped = CountOf(batches_dropped_);
  s.malformed = CountOf(malformed_);
  return s;
}

}  // namespace civic::node
