#include "node/bft_engine.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "consensus/wal.h"
#include "crypto/base/log_text.h"
#include "ledger/block.h"
#include "ledger/errors.h"
#include "ledger/tx.h"
#include "node/errors.h"
#include "node/mempool.h"

namespace civic::node {
namespace {

using Clock = std::chrono::steady_clock;

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
}

// Room left in a block for the header, the last commit and per-tx framing.
constexpr size_t kBlockOverheadBytes = 64 * 1024;
constexpr size_t kPerTxFramingBytes = 8;

p2p::ChannelPolicy Policy(size_t messages, size_t bytes) {
  p2p::ChannelPolicy policy;
  policy.max_queued_messages = messages;
  policy.max_queued_bytes = bytes;
  policy.on_full = p2p::OnQueueFull::kDrop;
  return policy;
}

std::set<crypto::PublicKey> KeysOf(const pb::ValidatorSet& set) {
  std::set<crypto::PublicKey> keys;
  for (const auto& v : set.validators()) keys.insert(ledger::FromProto(v.pub_key()));
  return keys;
}

}  // namespace

BftOptions BftOptionsFromConfig(const Config& config) {
  BftOptions options;
  options.wal_path = (std::filesystem::path(config.node.data_dir) / "consensus.wal").string();
  options.p2p.listen = true;
  options.p2p.listen_host = config.p2p.listen.host;
  options.p2p.listen_port = config.p2p.listen.port;
  for (const PeerAddress& peer : config.p2p.peers) options.p2p.persistent_peers.push_back(peer.ToString());
  options.observers = config.p2p.observers;
  return options;
}

bool WantsBftEngine(const Config& config, const ledger::Tip& tip) {
  return tip.validators.validators_size() > 1 || !config.p2p.peers.empty();
}

BftEngine::BftEngine(EngineHost host, BftOptions options)
    : host_(std::move(host)),
      options_(std::move(options)),
      producer_(host_, options_.wall_clock_ms),
      signer_(*host_.node_key),
      admission_(std::make_shared<Admission>()),
      score_(std::make_shared<PeerScore>(options_.peer_score)),
      evidence_(options_.evidence, *host_.metrics),
      is_validator_(NewGauge(*host_.metrics, "civic_bft_is_validator", "1 if this node signs the current height.")),
      peers_gauge_(NewGauge(*host_.metrics, "civic_bft_peers", "Connected p2p peers.")),
      blocks_proposed_(NewCounter(*host_.metrics, "civic_bft_blocks_proposed_total", "Blocks this node proposed.")),
      proposals_refused_(NewCounter(*host_.metrics, "civic_bft_proposals_refused_total",
                                    "Proposed blocks this node judged invalid.")),
      evidence_rejected_(NewCounter(*host_.metrics, "civic_bft_evidence_rejected_total",
                                    "Evidence from peers that did not verify.")),
      peers_banned_(NewCounter(*host_.metrics, "civic_p2p_peers_banned_total",
                               "Peers disconnected and refused for a while because their offences added up.")),
      offences_(*host_.metrics, "civic_p2p_peer_offences_total", "Offences of peers, by kind.", "offence") {}

BftEngine::~BftEngine() { Stop(); }

// ---- life cycle ------------------------------------------------------------------

Status BftEngine::Start() {
  if (started_) return Status::Ok();
  ledger::Chain& chain = *host_.chain;
  const ConsensusSection& cfg = *host_.config;
  const ledger::Tip tip = chain.tip();
  const std::string& chain_id = chain.options().chain_id;

  auto validators = consensus::ValidatorSet::FromProto(tip.validators);
  if (!validators.ok()) {
    return Status::FailedPrecondition(
        err::BAD_VALIDATOR_SET, fmt::format("the validator set for height {} cannot run consensus: {}",
                                         tip.height + 1, validators.status().message()));
  }
  CIVIC_RETURN_IF_ERROR(producer_.LoadLastCommit());
  if (options_.wal_path.empty()) {
    return Status::InvalidArgument(err::BAD_P2P_CONFIG, "the BFT engine needs a consensus WAL path");
  }
  auto wal = consensus::FileWal::Open(options_.wal_path);
  if (!wal.ok()) {
    const Status& st = wal.status();
    return Status(st.code(), st.app_code(), fmt::format("consensus WAL {}: {}", options_.wal_path, st.message()));
  }
  if ((*wal)->truncated_bytes() > 0) {
    spdlog::warn("event=wal_torn_record_dropped path={} bytes={}", options_.wal_path, (*wal)->truncated_bytes());
  }

  ReactorOptions ro;
  ro.core.chain_id = chain_id;
  ro.core.timeouts.propose_ms = cfg.timeout_propose_ms;
  ro.core.timeouts.propose_delta_ms = cfg.timeout_propose_delta_ms;
  ro.core.timeouts.prevote_ms = cfg.timeout_prevote_ms;
  ro.core.timeouts.prevote_delta_ms = cfg.timeout_prevote_delta_ms;
  ro.core.timeouts.precommit_ms = cfg.timeout_precommit_ms;
  ro.core.timeouts.precommit_delta_ms = cfg.timeout_precommit_delta_ms;
  ro.core.max_block_bytes = cfg.max_block_bytes;
  ro.timeout_commit_ms = cfg.timeout_commit_ms;
  ro.gossip_interval_ms = options_.gossip_interval_ms;
  ro.full_resend_interval_ms = options_.full_resend_interval_ms;
  reactor_ = std::make_unique<ConsensusReactor>(ro, &signer_, &verifier_, std::move(wal).value(),
                                                static_cast<ConsensusApp*>(this), *host_.metrics);

  p2p::PeerManagerOptions popts = options_.p2p;
  if (popts.chain_id.empty()) popts.chain_id = chain_id;
  // A proposal carries a whole block: frames must fit the largest one.
  popts.max_frame_bytes = std::max<uint32_t>(
      popts.max_frame_bytes, static_cast<uint32_t>(std::min<size_t>(cfg.max_block_bytes + (1u << 20), 1u << 30)));
  UpdateAdmission(tip);
  std::shared_ptr<Admission> admission = admission_;
  std::shared_ptr<const PeerScore> score = score_;
  peers_ = std::make_unique<p2p::PeerManager>(
      popts, *host_.node_key,
      p2p::AdmitIf([admission, score](const crypto::PublicKey& key) {
        if (score->IsBanned(key, SteadyMs())) return false;
        std::lock_guard<std::mutex> lock(admission->mu);
        return admission->keys.count(key) > 0;
      }),
      *host_.metrics);

  const size_t block_bytes = cfg.max_block_bytes;
  CIVIC_RETURN_IF_ERROR(reactor_->Attach(peers_.get(), Policy(20000, 4 * block_bytes + (16u << 20))));
  sync_ = std::make_unique<BlockSync>(
      options_.sync, &chain, reactor_.get(), [this](const Bytes& id) { return Preverified(id); },
      [this](const crypto::PublicKey& peer, Offence offence) { OnPeerOffence(peer, offence); }, *host_.metrics);
  CIVIC_RETURN_IF_ERROR(
      sync_->Attach(peers_.get(), Policy(4096, std::max<size_t>(2 * block_bytes, options_.sync.max_response_bytes) +
                                                   (64u << 20))));
  gossip_ = std::make_unique<MempoolGossip>(options_.mempool_gossip, host_.mempool, *host_.metrics);
  CIVIC_RETURN_IF_ERROR(gossip_->Attach(peers_.get(), Policy(4096, 64u << 20)));
  CIVIC_RETURN_IF_ERROR(peers_->RegisterChannel(
      p2p::Channel::kEvidence, Policy(1024, 16u << 20),
      [this](const crypto::PublicKey& peer, std::string payload) { OnEvidenceMessage(peer, payload); }));
  peers_->OnPeerConnected([this](const p2p::PeerInfo& info) {
    spdlog::info("event=peer_connected peer={} address={} outbound={}", info.node_key.ToString(),
                 info.remote_address, info.outbound);
    peers_gauge_.Increment();
    reactor_->OnPeerConnected(info.node_key);
    sync_->OnPeerConnected(info.node_key);
  });
  peers_->OnPeerDisconnected([this](const crypto::PublicKey& peer, const Status& reason) {
    spdlog::info("event=peer_disconnected peer={} reason=\"{}\"", peer.ToString(), LogText(reason.ToString()));
    peers_gauge_.Decrement();
    reactor_->OnPeerDisconnected(peer);
    sync_->OnPeerDisconnected(peer);
  });

  is_validator_.Set(validators->IndexOf(host_.node_key->public_key()).has_value() ? 1 : 0);
  last_commit_at_ = Clock::now();
  Status st = reactor_->Start(tip.height + 1, *validators);
  if (!st.ok()) return st;
  sync_->Start();
  gossip_->Start();
  st = peers_->Start();
  if (!st.ok()) {
    gossip_->Stop();
    sync_->Stop();
    reactor_->Stop();
    return Status(st.code(), st.app_code(), "p2p: " + st.message());
  }
  started_ = true;
  spdlog::info("event=engine_started engine=bft height={} validator={} validators={} p2p_port={} peers={}",
               tip.height, is_validator(), validators->size(), peers_->listen_port(),
               popts.persistent_peers.size());
  return Status::Ok();
}

void BftEngine::Stop() {
  const bool was_started = started_.exchange(false);
  // P2P first: no callback reaches the parts below once it has stopped.
  if (peers_) peers_->Stop();
  peers_gauge_.Set(0);  // a stopped PeerManager reports no disconnections
  if (reactor_) reactor_->Stop();
  if (sync_) sync_->Stop();
  if (gossip_) gossip_->Stop();
  if (was_started) spdlog::info("event=engine_stopped engine=bft height={}", host_.chain->tip().height);
}

void BftEngine::OnTxsAvailable() {
  if (!started_ || !has_pending_build_.load()) return;
  if (build_wake_posted_.exchange(true)) return;
  reactor_->Post([this] {
    build_wake_posted_ = false;
    if (pending_build_) BuildNow(pending_build_->height, pending_build_->round);
  });
}

Status BftEngine::AddPeer(std::string_view address) {
  if (!peers_) {
    return Status::FailedPrecondition(err::P2P_NOT_RUNNING, "the BFT engine has not started");
  }
  return peers_->AddPersistentPeer(address);
}

size_t BftEngine::peer_count() const { return peers_ && started_ ? peers_->Peers().size() : 0; }

uint16_t BftEngine::p2p_port() const { return peers_ ? peers_->listen_port() : 0; }

// ---- proposing ---------------------------------------------------------------------

void BftEngine::BuildBlock(uint64_t height, uint32_t round) {
  // Validators have proven (signed) that this height is committed: block sync
  // brings that block, and a proposal of ours could not be decided. A peer's
  // unsigned claim does not count here, or one lie would stop every proposer.
  if (sync_->proven_target_height() >= height) return;
  const auto now = Clock::now();
  const auto wait_until = last_commit_at_ + std::chrono::milliseconds(host_.config->block_interval_ms);
  if (round > 0 || host_.mempool->size() > 0 || now >= wait_until) return BuildNow(height, round);
  // Nothing to propose yet: wait for txs or the block interval, but not so long
  // that the other validators time out on this proposer.
  const auto cap = now + std::chrono::milliseconds(
                             reactor_->core().options().timeouts.Duration(consensus::Step::kPropose, round) / 2);
  const auto deadline = std::min(wait_until, cap);
  pending_build_ = PendingBuild{height, round};
  has_pending_build_ = true;
  reactor_->PostAfter(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) +
                          std::chrono::milliseconds(1),
                      [this, height, round] {
                        if (pending_build_ && pending_build_->height == height && pending_build_->round == round) {
                          BuildNow(height, round);
                        }
                      });
}

void BftEngine::BuildNow(uint64_t height, uint32_t round) {
  pending_build_.reset();
  has_pending_build_ = false;
  const consensus::Core& core = reactor_->core();
  if (core.height() != height || core.round() != round || core.decided() || core.step() != consensus::Step::kPropose) {
    return;
  }
  ledger::Chain& chain = *host_.chain;
  const ledger::Tip tip = chain.tip();
  if (tip.height + 1 != height) return;

  pb::Block block = AssembleBlock(tip);
  auto preverified = [this](const Bytes& id) { return Preverified(id); };
  Status st = chain.ValidateBlock(block, preverified);
  if (!st.ok()) {
    // A tx went stale in a way the mempool's re-check did not see: evict what
    // fails on its own and build again; if that still fails, propose an empty block.
    const size_t evicted = producer_.EvictFailingTxs(block);
    spdlog::warn("event=own_block_invalid height={} round={} error=\"{}\" evicted={}", height, round,
                 st.ToString(), evicted);
    block = AssembleBlock(tip);
    if (!chain.ValidateBlock(block, preverified).ok()) block = producer_.Build(/*max_tx_bytes=*/0);
  }
  Bytes hash = ledger::BlockHash(block);
  blocks_proposed_.Increment();
  spdlog::debug("event=block_proposed height={} round={} txs={} evidence={}", height, round, block.txs_size(),
                block.evidence_size());
  reactor_->Deliver(consensus::BlockBuilt{height, round, block.SerializeAsString(), std::move(hash)});
}

pb::Block BftEngine::AssembleBlock(const ledger::Tip& tip) {
  const ConsensusSection& cfg = *host_.config;
  std::vector<pb::Evidence> evidence = evidence_.Pending(tip.height, options_.max_block_evidence);
  size_t overhead =
      kBlockOverheadBytes + producer_.last_commit().ByteSizeLong() + cfg.max_block_txs * kPerTxFramingBytes;
  for (const pb::Evidence& e : evidence) overhead += e.ByteSizeLong() + kPerTxFramingBytes;
  const size_t budget = cfg.max_block_bytes > overhead ? cfg.max_block_bytes - overhead : 0;
  return producer_.Build(budget, std::move(evidence));
}

// ---- validating and committing ----------------------------------------------------

bool BftEngine::ValidateBlock(uint64_t height, const Bytes& bytes, const Bytes& block_hash) {
  auto refuse = [&](const std::string& reason, const std::string& detail) {
    proposals_refused_.Increment();
    reactor_->CountRejected(reason, fmt::format("proposed block {}: {}", height, detail));
    return false;
  };
  pb::Block block;
  if (!block.ParseFromString(bytes)) return refuse("BAD_BLOCK", "the block does not decode");
  if (ledger::BlockHash(block) != block_hash) return refuse("BAD_BLOCK", "the block does not hash to its proposal");
  pb::BlockHeader header;
  if (!header.ParseFromString(block.header())) return refuse("BAD_BLOCK", "the block header does not decode");
  const int64_t now = producer_.WallClockMs();
  if (header.time_ms() > now + options_.max_block_time_drift_ms) {
    return refuse("BLOCK_TIME_IN_FUTURE",
                  fmt::format("block time {} is {} ms ahead of this node's clock (at most {} accepted)",
                              header.time_ms(), header.time_ms() - now, options_.max_block_time_drift_ms));
  }
  Status st = host_.chain->ValidateBlock(block, [this](const Bytes& id) { return Preverified(id); });
  if (!st.ok()) return refuse(st.app_code().empty() ? "BAD_BLOCK" : st.app_code(), st.ToString());
  return true;
}

Result<consensus::ValidatorSet> BftEngine::CommitBlock(const consensus::Commit& decided) {
  pb::Block block;
  if (!block.ParseFromString(decided.block)) {
    return Status::Internal(fmt::format("decided block {} does not decode", decided.height));
  }
  if (Status applied = producer_.Commit(block, decided.commit); !applied.ok()) {
    return Status(applied.code(), applied.app_code(),
                  fmt::format("applying decided block {} failed: {}", decided.height, applied.message()));
  }
  last_commit_at_ = Clock::now();
  pending_build_.reset();
  has_pending_build_ = false;
  evidence_.OnBlockCommitted(decided.height, block);
  if (block.evidence_size() > 0) {
    spdlog::warn("event=evidence_committed height={} items={}", decided.height, block.evidence_size());
  }

  const ledger::Tip tip = host_.chain->tip();
  UpdateAdmission(tip);
  auto next = consensus::ValidatorSet::FromProto(tip.validators);
  if (!next.ok()) {
    return Status::FailedPrecondition(
        err::BAD_VALIDATOR_SET, fmt::format("the validator set for height {} cannot run consensus: {}",
                                         tip.height + 1, next.status().message()));
  }
  const bool validator = next->IndexOf(host_.node_key->public_key()).has_value();
  if (validator != is_validator()) {
    is_validator_.Set(validator ? 1 : 0);
    spdlog::warn("event=validator_role_changed height={} validator={}", tip.height + 1, validator);
  }
  return next;
}

void BftEngine::OnHeightStarted(uint64_t height) { sync_->OnHeightStarted(height); }

void BftEngine::OnFatal(const Status& status) {
  if (host_.on_fatal) host_.on_fatal(status);
}

void BftEngine::OnHeightHint(const crypto::PublicKey& peer, const consensus::HeightHint& hint) {
  sync_->OnHeightHint(peer, hint);
}

// ---- evidence ------------------------------------------------------------------------

void BftEngine::OnEvidence(const pb::Evidence& evidence) {
  if (!evidence_.Add(evidence)) return;
  spdlog::warn("event=double_vote_detected validator={} height={} round={} type={}",
               ledger::FromProto(evidence.a().validator()).ToString(), evidence.a().height(), evidence.a().round(),
               evidence.a().type());
  GossipEvidence(evidence, nullptr);
}

void BftEngine::OnPeerOffence(const crypto::PublicKey& peer, Offence offence) {
  offences_.Increment(OffenceName(offence));
  if (!score_->Penalise(peer, offence, SteadyMs())) return;
  peers_banned_.Increment();
  spdlog::warn("event=peer_banned peer={} last_offence={}", peer.ToString(), OffenceName(offence));
  if (peers_) peers_->DisconnectPeer(peer);
}

void BftEngine::OnEvidenceMessage(const crypto::PublicKey& peer, const std::string& payload) {
  auto msg = std::make_shared<pb::BftEvidence>();
  if (!msg->ParseFromString(payload)) {
    evidence_rejected_.Increment();
    reactor_->CountRejected("MALFORMED_EVIDENCE", fmt::format("evidence message from {} does not decode", peer.ToString()));
    return OnPeerOffence(peer, Offence::kMalformed);
  }
  const size_t items = static_cast<size_t>(msg->evidence_size());
  if (items > options_.max_evidence_per_message) {
    evidence_rejected_.Increment();
    reactor_->CountRejected("TOO_MUCH_EVIDENCE", fmt::format("evidence message from {} has {} items (at most {})",
                                                             peer.ToString(), items, options_.max_evidence_per_message));
    return OnPeerOffence(peer, Offence::kInvalidEvidence);
  }
  {
    std::lock_guard<std::mutex> lock(evidence_mu_);
    size_t& in_flight = evidence_in_flight_[peer];
    if (in_flight + items > options_.max_evidence_in_flight_per_peer) {
      reactor_->CountRejected("EVIDENCE_OVER_QUOTA", fmt::format("evidence from {}: {} items already waiting",
                                                                 peer.ToString(), in_flight));
      if (in_flight == 0) evidence_in_flight_.erase(peer);
      return OnPeerOffence(peer, Offence::kOverQuota);
    }
    in_flight += items;
  }
  auto done = [this, peer, items] {
    std::lock_guard<std::mutex> lock(evidence_mu_);
    auto it = evidence_in_flight_.find(peer);
    if (it != evidence_in_flight_.end() && (it->second -= std::min(it->second, items)) == 0) {
      evidence_in_flight_.erase(it);
    }
  };
  if (!reactor_->PostInbound(peer, [this, peer, msg, done] {
        OnPeerEvidence(peer, *msg);
        done();
      }, payload.size())) {
    done();
  }
}

void BftEngine::OnPeerEvidence(const crypto::PublicKey& peer, const pb::BftEvidence& message) {
  const ledger::Chain& chain = *host_.chain;
  const ledger::Tip tip = chain.tip();
  auto reject = [&](const std::string& reason, const std::string& detail) {
    evidence_rejected_.Increment();
    reactor_->CountRejected(reason, fmt::format("evidence from {}: {}", peer.ToString(), detail));
  };
  for (const std::string& raw : message.evidence()) {
    pb::Evidence e;
    if (!e.ParseFromString(raw)) {
      reject("MALFORMED_EVIDENCE", "does not decode");
      OnPeerOffence(peer, Offence::kMalformed);
      break;
    }
    if (evidence_.Contains(e)) continue;
    const uint64_t h = e.a().height();
    if (h == 0 || h > tip.height + 1 || h + options_.evidence.max_age_heights < tip.height) {
      reject("BAD_EVIDENCE", fmt::format("height {} is outside the accepted range", h));
      continue;
    }
    auto set = chain.ValidatorsAt(h);
    if (!set.ok()) {
      reject("BAD_EVIDENCE", set.status().message());
      continue;
    }
    if (Status st = ledger::VerifyEvidence(chain.options().chain_id, *set, e); !st.ok()) {
      reject("BAD_EVIDENCE", st.message());
      OnPeerOffence(peer, Offence::kInvalidEvidence);
      break;  // a peer that sends forged evidence gets no more verification work for this message
    }
    if (evidence_.Add(e)) GossipEvidence(e, &peer);
  }
}

void BftEngine::GossipEvidence(const pb::Evidence& evidence, const crypto::PublicKey* except) {
  pb::BftEvidence msg;
  msg.add_evidence(evidence.SerializeAsString());
  const std::string payload = msg.SerializeAsString();
  for (const p2p::PeerInfo& peer : peers_->Peers()) {
    if (except != nullptr && peer.node_key == *except) continue;
    // Best effort: a peer that misses it still sees it in a block.
    static_cast<void>(peers_->Send(peer.node_key, p2p::Channel::kEvidence, payload));
  }
}

// ---- membership ----------------------------------------------------------------------

void BftEngine::UpdateAdmission(const ledger::Tip& tip) {
  std::set<crypto::PublicKey> keys(options_.observers.begin(), options_.observers.end());
  for (const pb::ValidatorSet* set : {&tip.last_validators, &tip.validators, &tip.next_validators}) {
    std::set<crypto::PublicKey> members = KeysOf(*set);
    keys.insert(members.begin(), members.end());
  }
  bool changed = false;
  {
    std::lock_guard<std::mutex> lock(admission_->mu);
    changed = keys != admission_->keys;
    if (changed) admission_->keys = std::move(keys);
  }
  if (changed && peers_ && started_) {
    spdlog::info("event=admission_changed height={}", tip.height);
    peers_->ReevaluateAdmission();
  }
}

// ---- helpers and metrics ----------------------------------------------------------------

bool BftEngine::Preverified(const Bytes& tx_id) const { return host_.mempool->IsVerified(tx_id); }

BftStats BftEngine::stats() const {
  BftStats s;
  if (reactor_) s.consensus = reactor_->stats();
  if (sync_) s.sync = sync_->stats();
  if (gossip_) s.mempool_gossip = gossip_->stats();
  s.peers = peer_count();
  s.evidence_pending = evidence_.size();
  s.evidence_committed = evidence_.committed();
  s.evidence_rejected = CountOf(evidence_rejected_);
  s.peers_banned = CountOf(peers_banned_);
  s.blocks_proposed = CountOf(blocks_proposed_);
  s.proposals_refused = CountOf(proposals_refused_);
  return s;
}

}  // namespace civic::node
