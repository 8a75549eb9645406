#include "node/block_sync.h"

#include <algorithm>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "crypto/base/log_text.h"
#include "ledger/block.h"

namespace civic::node {
namespace {

constexpr uint32_t kPushDelayMs = 300;

std::string Short(const crypto::PublicKey& key) {
  std::string s = key.ToString();
  return s.size() > 24 ? s.substr(0, 24) : s;
}

}  // namespace

BlockSync::BlockSync(BlockSyncOptions options, const ledger::Chain* chain, ConsensusReactor* reactor,
                     Preverified preverified, Penalise penalise, prometheus::Registry& metrics)
    : options_(options),
      chain_(chain),
      reactor_(reactor),
      preverified_(std::move(preverified)),
      penalise_(std::move(penalise)),
      claims_(consensus::SyncTargetOptions{uint64_t{options.batch_blocks} * options.max_inflight_requests,
                                           options.claim_ttl_ms}),
      target_height_(NewGauge(metrics, "civic_bft_sync_target_height",
                              "Highest chain height reported by a peer, capped at the own tip plus the window.")),
      proven_target_height_(NewGauge(metrics, "civic_bft_sync_proven_target_height",
                                     "Highest chain height proven by validator signatures to be ahead of this node.")),
      syncing_(NewGauge(metrics, "civic_bft_syncing", "1 while this node fetches blocks because it is behind.")),
      blocks_applied_(NewCounter(metrics, "civic_bft_sync_blocks_applied_total", "Blocks applied from block sync.")),
      requests_sent_(NewCounter(metrics, "civic_bft_sync_requests_total", "Block requests sent to peers.")),
      request_timeouts_(
          NewCounter(metrics, "civic_bft_sync_request_timeouts_total", "Block requests that timed out.")),
      blocks_served_(NewCounter(metrics, "civic_bft_sync_blocks_served_total", "Blocks sent to peers.")),
      serves_dropped_(NewCounter(metrics, "civic_bft_sync_serves_dropped_total",
                                 "Block requests dropped: serve queue full.")),
      peers_disconnected_(NewCounter(metrics, "civic_bft_sync_peers_disconnected_total",
                                     "Peers disconnected for invalid commits, blocks or messages.")),
      rejected_(metrics, "civic_bft_sync_rejected_total", "Synced blocks and messages refused, by reason.",
                "reason") {}

BlockSync::~BlockSync() { Stop(); }

Status BlockSync::Attach(p2p::PeerManager* peers, p2p::ChannelPolicy policy) {
  peers_ = peers;
  return peers->RegisterChannel(p2p::Channel::kBlockSync, policy,
                                [this](const crypto::PublicKey& peer, std::string payload) {
                                  OnMessage(peer, std::move(payload));
                                });
}

void BlockSync::Start() {
  {
    std::lock_guard<std::mutex> lock(serve_mu_);
    serve_stop_ = false;
  }
  serve_thread_ = std::thread([this] { ServeLoop(); });
  reactor_->Post([this] { StatusTick(); });
}

void BlockSync::Stop() {
  {
    std::lock_guard<std::mutex> lock(serve_mu_);
    serve_stop_ = true;
    serve_jobs_.clear();
  }
  serve_cv_.notify_all();
  if (serve_thread_.joinable()) serve_thread_.join();
}

// ---- p2p side (any thread) -----------------------------------------------------

void BlockSync::OnPeerConnected(const crypto::PublicKey& peer) {
  reactor_->Post([this, peer] {
    peer_states_[peer] = PeerState{};
    SendStatus(&peer);
  });
}

void BlockSync::OnPeerDisconnected(const crypto::PublicKey& peer) {
  reactor_->Post([this, peer] {
    ForgetRequestsOf(peer);
    peer_states_.erase(peer);
    claims_.Forget(peer);
    SchedulePump();
  });
}

void BlockSync::OnMessage(const crypto::PublicKey& peer, std::string payload) {
  auto message = std::make_shared<pb::BftSyncMessage>();
  if (!message->ParseFromString(payload) || message->msg_case() == pb::BftSyncMessage::MSG_NOT_SET) {
    rejected_.Increment("MALFORMED_SYNC_MESSAGE");
    spdlog::warn("event=sync_message_refused reason=MALFORMED_SYNC_MESSAGE peer={} bytes={}", Short(peer),
                 payload.size());
    if (penalise_) penalise_(peer, Offence::kMalformed);
    peers_->DisconnectPeer(peer);
    peers_disconnected_.Increment();
    return;
  }
  if (message->has_request()) {
    // Serving needs only the chain: straight to the serving thread.
    const pb::BftSyncRequest& r = message->request();
    if (r.from_height() == 0 || r.count() == 0) {
      rejected_.Increment("BAD_SYNC_REQUEST");
      return;
    }
    QueueServe(ServeJob{peer, r.from_height(), r.count()});
    return;
  }
  reactor_->PostInbound(peer, [this, peer, message] { Handle(peer, *message); }, payload.size());
}

// ---- reactor thread ------------------------------------------------------------

void BlockSync::Handle(const crypto::PublicKey& peer, const pb::BftSyncMessage& message) {
  if (!peer_states_.count(peer)) return;  // not connected (any more)
  const uint64_t tip = chain_->tip().height;
  switch (message.msg_case()) {
    case pb::BftSyncMessage::kStatus:
      claims_.OnClaim(peer, message.status().height(), /*proven=*/false, tip, NowMs());
      break;
    case pb::BftSyncMessage::kBlocks:
      OnBlocks(peer, message.blocks());
      break;
    case pb::BftSyncMessage::kNoBlocks: {
      const pb::BftSyncNoBlocks& nb = message.no_blocks();
      if (claims_.OnNoBlocks(peer, nb.from_height(), NowMs()) == consensus::SyncVerdict::kPenalise) {
        rejected_.Increment("FAILED_TO_SERVE");
        spdlog::warn("event=sync_claim_dropped reason=FAILED_TO_SERVE peer={} from={}", Short(peer), nb.from_height());
        if (penalise_) penalise_(peer, Offence::kFailedToServe);
      }
      claims_.OnClaim(peer, nb.height(), /*proven=*/false, tip, NowMs());
      ForgetRequestsOf(peer);
      break;
    }
    default:
      break;
  }
  SchedulePump();
}

void BlockSync::OnBlocks(const crypto::PublicKey& peer, const pb::BftSyncBlocks& blocks) {
  const uint64_t tip = chain_->tip().height;
  auto state = peer_states_.find(peer);
  uint64_t lowest = UINT64_MAX;
  uint64_t highest = 0;
  for (const std::string& raw : blocks.stored_blocks()) {
    pb::StoredBlock stored;
    pb::BlockHeader header;
    if (!stored.ParseFromString(raw) || !header.ParseFromString(stored.block().header())) {
      return Punish(peer, "MALFORMED_SYNC_MESSAGE", "a synced block does not decode");
    }
    const uint64_t height = header.height();
    lowest = std::min(lowest, height);
    highest = std::max(highest, height);
    if (height <= tip || height > tip + 2 * Window() || buffered_.count(height)) continue;
    if (buffered_bytes_ + raw.size() > options_.max_buffered_bytes && height != tip + 1) {
      rejected_.Increment("SYNC_BUFFER_FULL");
      continue;
    }
    buffered_bytes_ += raw.size();
    buffered_.emplace(height, Buffered{std::move(stored), peer, raw.size()});
  }
  // One answer per request: a request this answer overlaps is done, even if the
  // size limit cut the answer short (the heights left are asked for again).
  for (auto r = requests_.begin(); r != requests_.end();) {
    const Request& req = r->second;
    if (req.peer == peer && req.from <= highest && lowest < req.from + req.count) {
      if (state != peer_states_.end() && state->second.inflight > 0) --state->second.inflight;
      r = requests_.erase(r);
    } else {
      ++r;
    }
  }
}

void BlockSync::OnHeightHint(const crypto::PublicKey& peer, const consensus::HeightHint& hint) {
  switch (hint.kind) {
    case consensus::HeightHint::Kind::kSenderAhead: return OnPeerAhead(peer, hint.height);
    case consensus::HeightHint::Kind::kSenderBehind: return OnPeerBehind(peer, hint.height);
  }
}

void BlockSync::OnPeerAhead(const crypto::PublicKey& peer, uint64_t message_height) {
  if (!peer_states_.count(peer) || message_height == 0) return;
  // Proven by the core: validators with > 1/3 of the power signed messages for
  // height m, so at least one correct one has committed m - 1.
  claims_.OnClaim(peer, message_height - 1, /*proven=*/true, chain_->tip().height, NowMs());
  SchedulePump();
}

void BlockSync::OnPeerBehind(const crypto::PublicKey& peer, uint64_t message_height) {
  auto it = peer_states_.find(peer);
  if (it == peer_states_.end() || message_height == 0 || it->second.push_pending) return;
  const uint64_t tip = chain_->tip().height;
  // Only a peer close to the tip is helped unasked; one far behind fetches itself.
  if (message_height > tip || message_height + 8 <= tip) return;
  it->second.push_pending = true;
  reactor_->PostAfter(std::chrono::milliseconds(kPushDelayMs), [this, peer, message_height] {
    auto ps = peer_states_.find(peer);
    if (ps == peer_states_.end()) return;
    ps->second.push_pending = false;
    // A message for a later height since: the peer was not behind, just late.
    if (reactor_->PeerMessageHeight(peer) > message_height) return;
    const uint64_t tip = chain_->tip().height;
    if (message_height > tip) return;
    const uint32_t count = static_cast<uint32_t>(std::min<uint64_t>(tip - message_height + 1, 4));
    QueueServe(ServeJob{peer, message_height, count});
  });
}

void BlockSync::OnHeightStarted(uint64_t height) { SchedulePump(); }

void BlockSync::SchedulePump() {
  if (pump_scheduled_) return;
  pump_scheduled_ = true;
  reactor_->Post([this] { Pump(); });
}

uint64_t BlockSync::Window() const { return claims_.options().window; }

uint64_t BlockSync::NowMs() const {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - epoch_).count());
}

void BlockSync::Pump() {
  pump_scheduled_ = false;
  if (reactor_->halted()) return;
  const auto now = Clock::now();
  uint64_t tip = chain_->tip().height;
  if (tip != last_tip_) {
    last_tip_ = tip;
    tip_changed_at_ = now;
  }
  while (!buffered_.empty() && buffered_.begin()->first <= tip) {
    buffered_bytes_ -= buffered_.begin()->second.bytes;
    buffered_.erase(buffered_.begin());
  }
  std::set<crypto::PublicKey> timed_out;  // penalised once per pass, however many requests
  for (auto it = requests_.begin(); it != requests_.end();) {
    const Request& r = it->second;
    const bool passed = r.from + r.count - 1 <= tip;
    if (passed || r.deadline <= now) {
      if (!passed) {
        request_timeouts_.Increment();
        spdlog::info("event=sync_request_timeout peer={} from={} count={}", Short(r.peer), r.from, r.count);
        if (claims_.OnRequestTimeout(r.peer, NowMs()) == consensus::SyncVerdict::kPenalise) timed_out.insert(r.peer);
      }
      auto ps = peer_states_.find(r.peer);
      if (ps != peer_states_.end() && ps->second.inflight > 0) --ps->second.inflight;
      it = requests_.erase(it);
    } else {
      ++it;
    }
  }

  if (penalise_) {
    for (const crypto::PublicKey& peer : timed_out) penalise_(peer, Offence::kRequestTimeout);
  }

  uint32_t applied = 0;
  while (applied < options_.apply_per_task && ApplyNext()) ++applied;
  tip = chain_->tip().height;
  for (const crypto::PublicKey& peer : claims_.Expire(tip, NowMs())) {
    rejected_.Increment("CLAIM_EXPIRED");
    spdlog::info("event=sync_claim_dropped reason=CLAIM_EXPIRED peer={} ttl_ms={}", Short(peer), options_.claim_ttl_ms);
  }
  if (tip != last_tip_) {
    last_tip_ = tip;
    tip_changed_at_ = now;
  }
  RequestMissing(tip);
  // More ready to apply: continue after the consensus messages queued meanwhile.
  if (applied == options_.apply_per_task && buffered_.count(tip + 1)) SchedulePump();
}

bool BlockSync::ApplyNext() {
  const ledger::Tip tip = chain_->tip();
  const uint64_t height = tip.height + 1;
  auto it = buffered_.find(height);
  if (it == buffered_.end()) return false;
  const consensus::Core& core = reactor_->core();
  if (reactor_->halted() || !core.started() || core.height() != height || core.decided()) {
    return false;  // between heights: the next height start pumps again
  }
  Buffered b = std::move(it->second);
  buffered_bytes_ -= b.bytes;
  buffered_.erase(it);

  const pb::Block& block = b.stored.block();
  const pb::Commit& commit = b.stored.commit();
  const Bytes hash = ledger::BlockHash(block);
  if (commit.height() != height || commit.block_hash() != hash) {
    Punish(b.from, "BAD_COMMIT",
           fmt::format("the commit sent with block {} is for height {} and another block", height,
                       commit.height()));
    return false;
  }
  if (Status st = ledger::VerifyCommit(chain_->options().chain_id, tip.validators, commit, height, hash);
      !st.ok()) {
    Punish(b.from, "BAD_COMMIT", fmt::format("block {}: {}", height, st.message()));
    return false;
  }
  if (Status st = chain_->ValidateBlock(block, preverified_); !st.ok()) {
    Punish(b.from, "BAD_BLOCK", fmt::format("block {}: {}", height, st.ToString()));
    return false;
  }
  Status st = reactor_->DeliverChecked(consensus::CommitReceived{block.SerializeAsString(), hash, commit});
  if (!st.ok()) {
    Punish(b.from, "BAD_COMMIT", fmt::format("block {}: the consensus core refused the commit: {}", height,
                                             st.ToString()));
    return false;
  }
  if (chain_->tip().height != height) return false;  // the reactor halted
  claims_.OnServed(b.from, height, NowMs());
  blocks_applied_.Increment();
  spdlog::debug("event=sync_block_applied height={} from={}", height, Short(b.from));
  return true;
}

bool BlockSync::Covered(uint64_t height) const {
  for (const auto& [from, r] : requests_) {
    if (height >= r.from && height < r.from + r.count) return true;
  }
  return false;
}

void BlockSync::RequestMissing(uint64_t tip) {
  const uint64_t target = claims_.Target(tip);
  target_height_.Set(static_cast<double>(target));
  proven_target_height_.Set(static_cast<double>(claims_.ProvenTarget(tip)));
  const auto now = Clock::now();
  const bool behind =
      target >= tip + 2 ||
      (target >= tip + 1 && now - tip_changed_at_ >= std::chrono::milliseconds(options_.lag_grace_ms));
  if (behind && !syncing()) {
    sync_started_at_ = now;
    applied_at_sync_start_ = CountOf(blocks_applied_);
    spdlog::info("event=sync_started height={} target={}", tip, target);
  } else if (!behind && syncing()) {
    const uint64_t applied = CountOf(blocks_applied_) - applied_at_sync_start_;
    const double seconds = std::chrono::duration<double>(now - sync_started_at_).count();
    spdlog::info("event=sync_finished height={} target={} blocks={} seconds={:.3f} blocks_per_s={:.1f}", tip,
                 target, applied, seconds, seconds > 0 ? applied / seconds : 0.0);
  }
  syncing_.Set(behind ? 1 : 0);
  if (!behind || peers_ == nullptr) return;

  const uint64_t end = std::min(target, tip + Window());
  uint64_t h = tip + 1;
  while (h <= end && requests_.size() < options_.max_inflight_requests &&
         buffered_bytes_ < options_.max_buffered_bytes) {
    if (buffered_.count(h) || Covered(h)) {
      ++h;
      continue;
    }
    // The least busy peer that has height h; ties rotate.
    std::vector<std::map<crypto::PublicKey, PeerState>::iterator> candidates;
    uint32_t least = UINT32_MAX;
    for (auto it = peer_states_.begin(); it != peer_states_.end(); ++it) {
      if (claims_.PeerTip(it->first, tip) < h) continue;
      if (it->second.inflight < least) {
        least = it->second.inflight;
        candidates.clear();
      }
      if (it->second.inflight == least) candidates.push_back(it);
    }
    if (candidates.empty()) break;
    auto chosen = candidates[next_peer_++ % candidates.size()];
    const uint64_t last = std::min(end, claims_.PeerTip(chosen->first, tip));
    uint32_t count = 0;
    while (count < options_.batch_blocks && h + count <= last && !buffered_.count(h + count) &&
           !Covered(h + count)) {
      ++count;
    }
    pb::BftSyncMessage msg;
    msg.mutable_request()->set_from_height(h);
    msg.mutable_request()->set_count(count);
    if (!peers_->Send(chosen->first, p2p::Channel::kBlockSync, msg.SerializeAsString()).ok()) break;
    requests_sent_.Increment();
    requests_[h] = Request{chosen->first, h, count, now + std::chrono::milliseconds(options_.request_timeout_ms)};
    ++chosen->second.inflight;
    h += count;
  }
}

void BlockSync::ForgetRequestsOf(const crypto::PublicKey& peer) {
  for (auto it = requests_.begin(); it != requests_.end();) {
    if (it->second.peer == peer) {
      it = requests_.erase(it);
    } else {
      ++it;
    }
  }
  auto ps = peer_states_.find(peer);
  if (ps != peer_states_.end()) ps->second.inflight = 0;
}

void BlockSync::Punish(const crypto::PublicKey& peer, const std::string& reason, const std::string& detail) {
  rejected_.Increment(reason);
  spdlog::warn("event=sync_block_refused reason={} peer={} detail=\"{}\" action=disconnect", reason,
               peer.ToString(), LogText(detail));
  ForgetRequestsOf(peer);
  for (auto it = buffered_.begin(); it != buffered_.end();) {
    if (it->second.from == peer) {
      buffered_bytes_ -= it->second.bytes;
      it = buffered_.erase(it);
    } else {
      ++it;
    }
  }
  peer_states_.erase(peer);
  claims_.Forget(peer);
  if (penalise_) penalise_(peer, reason == "BAD_COMMIT" ? Offence::kInvalidSignature : Offence::kMalformed);
  if (peers_ != nullptr) peers_->DisconnectPeer(peer);
  peers_disconnected_.Increment();
  SchedulePump();
}

void BlockSync::StatusTick() {
  if (reactor_->halted()) return;
  SendStatus(nullptr);
  Pump();
  reactor_->PostAfter(std::chrono::milliseconds(options_.status_interval_ms), [this] { StatusTick(); });
}

void BlockSync::SendStatus(const crypto::PublicKey* to) {
  if (peers_ == nullptr) return;
  pb::BftSyncMessage msg;
  msg.mutable_status()->set_height(chain_->tip().height);
  if (to != nullptr) {
    // A lost status is repeated at the next status interval.
    static_cast<void>(peers_->Send(*to, p2p::Channel::kBlockSync, msg.SerializeAsString()));
  } else {
    peers_->Broadcast(p2p::Channel::kBlockSync, msg.SerializeAsString());
  }
}

// ---- serving thread -------------------------------------------------------------

bool BlockSync::QueueServe(ServeJob job) {
  {
    std::lock_guard<std::mutex> lock(serve_mu_);
    if (serve_stop_) return false;
    if (serve_jobs_.size() >= options_.max_queued_serves) {
      serves_dropped_.Increment();
      return false;
    }
    serve_jobs_.push_back(std::move(job));
  }
  serve_cv_.notify_one();
  return true;
}

void BlockSync::ServeLoop() {
  for (;;) {
    ServeJob job;
    {
      std::unique_lock<std::mutex> lock(serve_mu_);
      serve_cv_.wait(lock, [this] { return serve_stop_ || !serve_jobs_.empty(); });
      if (serve_stop_) return;
      job = std::move(serve_jobs_.front());
      serve_jobs_.pop_front();
    }
    Serve(job);
  }
}

void BlockSync::Serve(const ServeJob& job) {
  if (peers_ == nullptr) return;
  const uint64_t tip = chain_->tip().height;
  pb::BftSyncMessage msg;
  size_t bytes = 0;
  if (job.from <= tip) {
    const uint64_t count = std::min<uint64_t>(job.count, options_.max_serve_blocks);
    for (uint64_t h = job.from; h <= tip && h < job.from + count; ++h) {
      auto stored = chain_->GetBlock(h);
      if (!stored.ok()) {
        spdlog::error("event=sync_serve_failed height={} error=\"{}\"", h, stored.status().ToString());
        break;
      }
      std::string raw = stored->SerializeAsString();
      if (bytes > 0 && bytes + raw.size() > options_.max_response_bytes) break;
      bytes += raw.size();
      msg.mutable_blocks()->add_stored_blocks(std::move(raw));
    }
  }
  if (!msg.has_blocks()) {
    msg.mutable_no_blocks()->set_from_height(job.from);
    msg.mutable_no_blocks()->set_height(tip);
  }
  const int served = msg.has_blocks() ? msg.blocks().stored_blocks_size() : 0;
  if (peers_->Send(job.peer, p2p::Channel::kBlockSync, msg.SerializeAsString()).ok()) {
    blocks_served_.Increment(served);
  }
}

// ---- counters ------------------------------------------------------------------

BlockSyncStats BlockSync::stats() const {
  BlockSyncStats s;
  s.target_height = target_height();
  s.proven_target_height = proven_target_height();
  s.syncing = syncing();
  s.blocks_applied = CountOf(blocks_applied_);
  s.requests_sent = CountOf(requests_sent_);
  s.request_timeouts = CountOf(request_timeouts_);
  s.blocks_served = CountOf(blocks_served_);
  s.serves_dropped = CountOf(serves_dropped_);
  s.peers_disconnected = CountOf(peers_disconnected_);
  s.rejected = rejected_.Values();
  return s;
}

}  // namespace civic::node
