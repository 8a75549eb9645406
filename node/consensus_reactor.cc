#include "node/consensus_reactor.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "consensus/errors.h"
#include "crypto/base/errors.h"
#include "crypto/base/log_text.h"
#include "ledger/errors.h"
#include "ledger/tx.h"
#include "node/errors.h"

namespace civic::node {
namespace {

using consensus::Action;
using consensus::Event;

// Longest pause between gossip rounds when peers have everything.
constexpr uint32_t kMaxGossipDelayMs = 1000;

void AppendU64(std::string *out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}

void AppendU32(std::string *out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}

}  // namespace

std::string GossipKey(const pb::ConsensusMessage &message) {
  std::string key;
  key.reserve(128);
  if (message.has_proposal()) {
    const pb::BlockProposal &p = message.proposal();
    AppendU64(&key, p.height());
    key.push_back('P');
    AppendU32(&key, p.round());
    key += p.block_hash();
    key += p.proposer().key();
  } else if (message.has_vote()) {
    const pb::Vote &v = message.vote();
    AppendU64(&key, v.height());
    key.push_back('V');
    AppendU32(&key, v.type());
    AppendU32(&key, v.round());
    key += v.validator().key();
    key += v.block_hash();
  }
  return key;
}

uint64_t MessageHeight(const pb::ConsensusMessage &message) {
  if (message.has_proposal()) return message.proposal().height();
  if (message.has_vote()) return message.vote().height();
  return 0;
}

ConsensusReactor::ConsensusReactor(ReactorOptions options, const consensus::Signer *signer,
                                   const consensus::Verifier *verifier, std::unique_ptr<consensus::Wal> wal,
                                   ConsensusApp *app, prometheus::Registry &metrics)
    : options_(std::move(options)),
      app_(app),
      wal_(std::move(wal)),
      core_(options_.core, signer, verifier),
      height_(NewGauge(metrics, "civic_bft_height", "Height the consensus core is deciding.")),
      round_(NewGauge(metrics, "civic_bft_round", "Round of the current height.")),
      halted_gauge_(NewGauge(metrics, "civic_bft_halted", "1 if consensus stopped after a WAL or storage failure.")),
      blocks_decided_(
          NewCounter(metrics, "civic_bft_blocks_decided_total", "Blocks decided and applied since start.")),
      messages_received_(
          NewCounter(metrics, "civic_bft_consensus_messages_total", "Consensus messages received from peers.")),
      inbound_dropped_(NewCounter(metrics, "civic_bft_inbound_dropped_total",
                                  "Peer messages dropped because the reactor's inbound queue was full.")),
      inbound_over_quota_(NewCounter(metrics, "civic_bft_inbound_over_quota_total",
                                     "Peer messages dropped because their sender's share of the inbound queue was full.")),
      timeouts_fired_(NewCounter(metrics, "civic_bft_timeouts_total", "Consensus timeouts that fired.")),
      round_changes_(NewCounter(metrics, "civic_bft_round_changes_total",
                                "Rounds after round 0 started (failed rounds).")),
      wal_entries_replayed_(
          NewGauge(metrics, "civic_bft_wal_entries_replayed", "Entries read from the consensus WAL at start.")),
      gossip_sent_(
          NewCounter(metrics, "civic_bft_gossip_resent_total", "Consensus messages re-sent by periodic gossip.")),
      rejected_(metrics, "civic_bft_rejected_messages_total", "Consensus inputs refused, by reason.", "reason") {
  gossip_delay_ms_ = std::max<uint32_t>(options_.gossip_interval_ms, 1);
}

ConsensusReactor::~ConsensusReactor() { Stop(); }

Status ConsensusReactor::Attach(p2p::PeerManager *peers, p2p::ChannelPolicy policy) {
  peers_ = peers;
  return peers->RegisterChannel(
      p2p::Channel::kConsensus, policy,
      [this](const crypto::PublicKey &peer, std::string payload) { OnConsensusMessage(peer, std::move(payload)); });
}

Status ConsensusReactor::Start(uint64_t height, consensus::ValidatorSet validators) {
  if (thread_.joinable()) return Status::FailedPrecondition(err::ALREADY_STARTED, "the reactor is running");
  auto entries = wal_->ReadAll();
  if (!entries.ok()) {
    const Status &st = entries.status();
    return Status(st.code(), st.app_code(), "consensus WAL: " + st.message());
  }
  wal_entries_replayed_.Set(static_cast<double>(entries->size()));
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Run(); });
  Post([this, height, validators = std::move(validators), wal = std::move(entries).value()] {
    spdlog::info("event=consensus_start height={} validators={} wal_entries={}", height, validators.size(), wal.size());
    Deliver(consensus::StartHeight{height, validators, wal});
    ScheduleGossip(options_.gossip_interval_ms);
  });
  return Status::Ok();
}

void ConsensusReactor::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_ && !thread_.joinable()) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  tasks_.clear();
  inbound_queued_ = 0;
  inbound_bytes_ = 0;
  inbound_by_peer_.clear();
  while (!timers_.empty()) timers_.pop();
}

void ConsensusReactor::Post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    tasks_.push_back(QueuedTask{std::move(task), false, 0, {}});
  }
  cv_.notify_one();
}

bool ConsensusReactor::PostInbound(const crypto::PublicKey &peer, std::function<void()> task, size_t bytes) {
  bool over_quota = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return false;
    PeerQueued &mine = inbound_by_peer_[peer];
    over_quota = mine.messages >= options_.max_queued_inbound_per_peer ||
                 mine.bytes + bytes > options_.max_queued_inbound_bytes_per_peer;
    if (over_quota || inbound_queued_ >= options_.max_queued_inbound ||
        inbound_bytes_ + bytes > options_.max_queued_inbound_bytes) {
      if (mine.messages == 0) inbound_by_peer_.erase(peer);
      inbound_dropped_.Increment();
      if (over_quota) inbound_over_quota_.Increment();
    } else {
      ++mine.messages;
      mine.bytes += bytes;
      ++inbound_queued_;
      inbound_bytes_ += bytes;
      tasks_.push_back(QueuedTask{std::move(task), true, bytes, peer});
    }
  }
  if (over_quota) {
    app_->OnPeerOffence(peer, Offence::kOverQuota);
    return false;
  }
  cv_.notify_one();
  return true;
}

void ConsensusReactor::PostAfter(std::chrono::milliseconds delay, std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    timers_.push(Timer{Clock::now() + delay, ++timer_seq_, std::move(task)});
  }
  cv_.notify_one();
}

void ConsensusReactor::Run() {
  thread_id_ = std::this_thread::get_id();
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      for (;;) {
        if (stop_) return;
        if (!timers_.empty() && timers_.top().at <= Clock::now()) {
          // top() is const; the element is popped right after the move.
          task = std::move(const_cast<Timer &>(timers_.top()).task);
          timers_.pop();
          break;
        }
        if (!tasks_.empty()) {
          QueuedTask next = std::move(tasks_.front());
          tasks_.pop_front();
          if (next.inbound) {
            --inbound_queued_;
            inbound_bytes_ -= next.bytes;
            auto mine = inbound_by_peer_.find(next.peer);
            if (mine != inbound_by_peer_.end() && --mine->second.messages == 0) {
              inbound_by_peer_.erase(mine);
            } else if (mine != inbound_by_peer_.end()) {
              mine->second.bytes -= next.bytes;
            }
          }
          task = std::move(next.fn);
          break;
        }
        if (timers_.empty()) {
          cv_.wait(lock);
        } else {
          // A copy: wait_until reads the deadline again after waking, and a
          // timer posted meanwhile may move the heap's elements.
          const auto next_timer = timers_.top().at;
          cv_.wait_until(lock, next_timer);
        }
      }
    }
    task();
  }
}

void ConsensusReactor::OnConsensusMessage(const crypto::PublicKey &peer, std::string payload) {
  auto message = std::make_shared<pb::ConsensusMessage>();
  if (!message->ParseFromString(payload) || message->msg_case() == pb::ConsensusMessage::MSG_NOT_SET) {
    CountRejected("MALFORMED_MESSAGE",
                  fmt::format("consensus message of {} bytes from {} does not decode", payload.size(), peer.ToString()),
                  true);
    app_->OnPeerOffence(peer, Offence::kMalformed);
    return;
  }
  PostInbound(peer, [this, peer, message] { HandlePeerMessage(peer, *message); }, payload.size());
}

void ConsensusReactor::OnPeerConnected(const crypto::PublicKey &peer) {
  Post([this, peer] {
    gossip_[peer] = PeerGossip{{}, Clock::now()};
    GossipActivity();  // catch the new peer up soon
  });
}

void ConsensusReactor::OnPeerDisconnected(const crypto::PublicKey &peer) {
  Post([this, peer] {
    gossip_.erase(peer);
    peer_heights_.erase(peer);
  });
}

uint64_t ConsensusReactor::PeerMessageHeight(const crypto::PublicKey &peer) const {
  auto it = peer_heights_.find(peer);
  return it == peer_heights_.end() ? 0 : it->second;
}

void ConsensusReactor::HandlePeerMessage(const crypto::PublicKey &peer, const pb::ConsensusMessage &message) {
  if (halted_) return;
  messages_received_.Increment();
  NoteKnown(peer, GossipKey(message));
  if (gossip_.count(peer)) {
    uint64_t &seen = peer_heights_[peer];
    seen = std::max(seen, MessageHeight(message));
  }
  Event event;
  if (message.has_proposal()) {
    event = consensus::ProposalReceived{message.proposal()};
  } else {
    event = consensus::VoteReceived{message.vote()};
  }
  // Refusals are counted inside; an accepted message may be worth relaying.
  if (Dispatch(std::move(event), &peer).ok()) GossipActivity();
}

void ConsensusReactor::Deliver(Event event) {
  static_cast<void>(Dispatch(std::move(event), nullptr));  // refusals are counted inside
}

Status ConsensusReactor::DeliverChecked(Event event) { return Dispatch(std::move(event), nullptr); }

Status ConsensusReactor::Dispatch(Event event, const crypto::PublicKey *from) {
  if (halted_) return Status::Unavailable(err::CONSENSUS_HALTED, "the consensus reactor has halted");
  events_.push_back(std::move(event));
  if (dispatching_) return Status::Ok();
  dispatching_ = true;
  Status first;
  bool is_first = true;
  while (!events_.empty() && !halted_) {
    Event e = std::move(events_.front());
    events_.pop_front();
    commit_from_sync_ = std::holds_alternative<consensus::CommitReceived>(e);
    const auto *start = std::get_if<consensus::StartHeight>(&e);
    const uint64_t start_height = start ? start->height : 0;
    consensus::Output out = core_.Handle(e);
    if (!out.status.ok()) {
      Reject(out, is_first ? from : nullptr);
      if (is_first) {
        first = out.status;
        if (from != nullptr && out.hint) app_->OnHeightHint(*from, *out.hint);
        if (from != nullptr) ReportOffence(*from, out.status);
      }
    }
    is_first = false;
    for (Action &action : out.actions) {
      if (halted_) break;
      Execute(action);
    }
    height_.Set(static_cast<double>(core_.height()));
    if (core_.round() != last_round_ || start_height != 0) {
      if (core_.round() > last_round_ && start_height == 0) round_changes_.Increment();
      last_round_ = core_.round();
    }
    round_.Set(core_.round());
    if (start_height != 0 && core_.started() && core_.height() == start_height && !halted_) {
      app_->OnHeightStarted(start_height);
    }
  }
  commit_from_sync_ = false;
  dispatching_ = false;
  return first;
}

void ConsensusReactor::Execute(Action &action) {
  std::visit(
      [this](auto &a) {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, consensus::WriteWal>) {
          if (Status st = wal_->Append(a.entry); !st.ok()) {
            Halt(Status(st.code(), st.app_code(), "writing the consensus WAL failed: " + st.message()));
          }
        } else if constexpr (std::is_same_v<T, consensus::Broadcast>) {
          SendToAll(a.message);
        } else if constexpr (std::is_same_v<T, consensus::ScheduleTimeout>) {
          consensus::TimeoutFired fired{a.height, a.round, a.step};
          PostAfter(std::chrono::milliseconds(a.duration_ms), [this, fired] {
            timeouts_fired_.Increment();
            Deliver(fired);
          });
        } else if constexpr (std::is_same_v<T, consensus::BuildBlock>) {
          app_->BuildBlock(a.height, a.round);
        } else if constexpr (std::is_same_v<T, consensus::ValidateBlock>) {
          const bool valid = app_->ValidateBlock(a.height, a.block, a.block_hash);
          events_.push_back(consensus::BlockValidated{a.height, a.block_hash, valid});
        } else if constexpr (std::is_same_v<T, consensus::Commit>) {
          Result<consensus::ValidatorSet> next = app_->CommitBlock(a);
          if (!next.ok()) return Halt(next.status());
          blocks_decided_.Increment();
          if (Status st = wal_->Reset(); !st.ok()) {
            return Halt(Status(st.code(), st.app_code(), "resetting the consensus WAL failed: " + st.message()));
          }
          // The next height starts in a task of its own, so that stopping and
          // peer messages get their turn between heights.
          consensus::StartHeight start{a.height + 1, std::move(next).value(), {}};
          if (options_.timeout_commit_ms > 0 && !commit_from_sync_) {
            PostAfter(std::chrono::milliseconds(options_.timeout_commit_ms), [this, start] { Deliver(start); });
          } else {
            Post([this, start] { Deliver(start); });
          }
        } else if constexpr (std::is_same_v<T, consensus::ReportEvidence>) {
          app_->OnEvidence(a.evidence);
        }
      },
      action);
}

void ConsensusReactor::Halt(const Status &status) {
  if (halted_.exchange(true)) return;
  halted_gauge_.Set(1);
  events_.clear();
  spdlog::critical("event=consensus_halted height={} error=\"{}\"", core_.height(), status.ToString());
  app_->OnFatal(status);
}

void ConsensusReactor::ReportOffence(const crypto::PublicKey &peer, const Status &refusal) {
  // Only what no correct peer sends: correct peers relay only messages their own
  // core accepted.
  const std::string &code = refusal.app_code();
  if (code == err::BAD_SIGNATURE || code == err::NOT_A_VALIDATOR) {
    app_->OnPeerOffence(peer, Offence::kInvalidSignature);
  } else if (code == err::MALFORMED_VOTE || code == err::MALFORMED_PROPOSAL) {
    app_->OnPeerOffence(peer, Offence::kMalformed);
  }
}

void ConsensusReactor::Reject(const consensus::Output &out, const crypto::PublicKey *from) {
  const Status &status = out.status;
  const std::string &reason = status.app_code().empty() ? std::string("REFUSED") : status.app_code();
  // A height hint is no fault of the sender: logged at debug level only.
  CountRejected(reason,
                fmt::format("{}{}", status.message(), from ? " (from " + from->ToString() + ")" : std::string()),
                !out.hint.has_value());
}

void ConsensusReactor::CountRejected(const std::string &reason, const std::string &detail, bool warn) {
  bool log = false;
  const uint64_t count = rejected_.Increment(reason);
  if (warn) {
    std::lock_guard<std::mutex> lock(log_mu_);
    auto now = Clock::now();
    auto [it, inserted] = last_logged_.try_emplace(reason, now);
    if (inserted || now - it->second >= std::chrono::seconds(10)) {
      it->second = now;
      log = true;
    }
  }
  if (log) {
    spdlog::warn("event=consensus_input_refused reason={} total={} detail=\"{}\"", reason, count, LogText(detail));
  } else {
    spdlog::debug("event=consensus_input_refused reason={} detail=\"{}\"", reason, LogText(detail));
  }
}

void ConsensusReactor::Refresh(PeerGossip *gossip, Clock::time_point now) {
  if (now - gossip->last_reset >= std::chrono::milliseconds(options_.full_resend_interval_ms) ||
      gossip->known.size() > 100000) {
    gossip->known.clear();
    gossip->last_reset = now;
    return;
  }
  std::string floor;
  AppendU64(&floor, core_.height());
  gossip->known.erase(gossip->known.begin(), gossip->known.lower_bound(floor));
}

void ConsensusReactor::NoteKnown(const crypto::PublicKey &peer, const std::string &key) {
  auto it = gossip_.find(peer);
  if (it == gossip_.end()) return;
  Refresh(&it->second, Clock::now());
  it->second.known.insert(key);
}

void ConsensusReactor::SendToAll(const pb::ConsensusMessage &message) {
  if (peers_ == nullptr) return;
  const std::string key = GossipKey(message);
  peers_->Broadcast(p2p::Channel::kConsensus, message.SerializeAsString());
  GossipActivity();
  const auto now = Clock::now();
  for (auto &[peer, gossip] : gossip_) {
    Refresh(&gossip, now);
    gossip.known.insert(key);
  }
}

void ConsensusReactor::ScheduleGossip(uint32_t delay_ms) {
  const uint64_t generation = ++gossip_generation_;
  gossip_delay_ms_ = std::max<uint32_t>(delay_ms, 1);
  PostAfter(std::chrono::milliseconds(gossip_delay_ms_), [this, generation] {
    if (generation == gossip_generation_) GossipTick();
  });
}

void ConsensusReactor::GossipActivity() {
  // A new message may be one a peer lacks: gossip soon, not after the backoff.
  if (gossip_delay_ms_ > options_.gossip_interval_ms) ScheduleGossip(options_.gossip_interval_ms);
}

void ConsensusReactor::GossipTick() {
  if (halted_) return;
  bool sent = false;
  if (core_.started() && peers_ != nullptr && !gossip_.empty()) {
    std::vector<pb::ConsensusMessage> messages = core_.GossipMessages();
    if (!messages.empty()) {
      std::vector<std::string> keys;
      keys.reserve(messages.size());
      for (const auto &m : messages) keys.push_back(GossipKey(m));
      std::vector<std::optional<std::string>> payloads(messages.size());
      const auto now = Clock::now();
      for (auto &[peer, gossip] : gossip_) {
        Refresh(&gossip, now);
        for (size_t i = 0; i < messages.size(); ++i) {
          if (!gossip.known.insert(keys[i]).second) continue;
          if (!payloads[i]) payloads[i] = messages[i].SerializeAsString();
          if (peers_->Send(peer, p2p::Channel::kConsensus, *payloads[i]).ok()) {
            gossip_sent_.Increment();
            sent = true;
          } else {
            gossip.known.erase(keys[i]);  // try again next tick
          }
        }
      }
    }
  }
  // Collecting the gossip copies the current proposals (whole blocks): when
  // every peer already has everything, back off, up to kMaxGossipDelayMs.
  const uint32_t delay =
      sent || core_.height() != gossip_height_
          ? options_.gossip_interval_ms
          : std::min<uint32_t>(gossip_delay_ms_ * 2, std::max(kMaxGossipDelayMs, options_.gossip_interval_ms));
  gossip_height_ = core_.height();
  ScheduleGossip(delay);
}

ReactorStats ConsensusReactor::stats() const {
  ReactorStats s;
  s.height = static_cast<uint64_t>(height_.Value());
  s.round = static_cast<uint32_t>(round_.Value());
  s.halted = halted_.load();
  s.blocks_decided = CountOf(blocks_decided_);
  s.messages_received = CountOf(messages_received_);
  s.inbound_dropped = CountOf(inbound_dropped_);
  s.inbound_over_quota = CountOf(inbound_over_quota_);
  s.timeouts_fired = CountOf(timeouts_fired_);
  s.round_changes = CountOf(round_changes_);
  s.wal_entries_replayed = static_cast<uint64_t>(wal_entries_replayed_.Value());
  s.gossip_messages_sent = CountOf(gossip_sent_);
  s.rejected = rejected_.Values();
  return s;
}

}  // namespace civic::node
