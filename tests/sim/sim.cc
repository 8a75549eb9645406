#include "tests/sim/sim.h"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <queue>
#include <random>
#include <set>
#include <sstream>

#include "consensus/messages.h"
#include "consensus/signer.h"
#include "consensus/sync_target.h"
#include "consensus/wal.h"
#include "crypto/hash.h"
#include "ledger/block.h"
#include "ledger/tx.h"
#include "node/peer_score.h"

namespace civic::sim {

namespace {

using consensus::Core;
using consensus::ValidatorSet;
using Offence = node::Offence;

constexpr std::string_view kChainId = "civic-sim";
constexpr std::string_view kInvalidTx = "INVALID";
// The height the height liar claims, and how honest nodes judge claims.
constexpr uint64_t kHugeHeight = uint64_t{1} << 62;
constexpr consensus::SyncTargetOptions kSyncTarget{/*window=*/64, /*claim_ttl_ms=*/2000};
// The engine's evidence limits (node/bft_engine.h BftOptions defaults).
constexpr size_t kMaxEvidencePerMessage = 16;
constexpr size_t kMaxEvidenceInFlightPerPeer = 64;
// What the evidence flooder sends each peer on each gossip tick: one message of
// this many forged items, and kSmallFloodMessages of the most a message may carry.
constexpr size_t kFloodEvidenceItems = 4000;
constexpr size_t kSmallFloodMessages = 8;

// A node's identity for the claims policy (twins are two peers).
crypto::PublicKey PeerId(int node) { return crypto::PublicKey{crypto::Algo::kEd25519, Bytes(1, static_cast<char>(node))}; }

// Ed25519 verification with results remembered for the run: n nodes verify the
// same message n times, so this makes the simulation several times faster.
class CachedVerifier final : public consensus::Verifier {
 public:
  bool Verify(const crypto::PublicKey& key, std::string_view message,
              std::string_view sig) const override {
    std::string k;
    k.reserve(1 + key.key.size() + sig.size() + message.size());
    k.push_back(static_cast<char>(key.algo));
    k.append(key.key).append(sig).append(message);
    auto it = cache_.find(k);
    if (it != cache_.end()) return it->second;
    const bool ok = crypto::Verify(key, message, sig);
    cache_.emplace(std::move(k), ok);
    return ok;
  }

 private:
  mutable std::map<std::string, bool> cache_;
};

// Seeded PRNG with a platform-independent mapping to ranges.
class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : gen_() % n; }
  uint64_t Range(uint64_t lo, uint64_t hi) { return lo + Below(hi - lo + 1); }
  bool Chance(uint32_t permille) { return Below(1000) < permille; }

 private:
  std::mt19937_64 gen_;
};

struct StoredBlock {
  uint64_t height = 0;
  Bytes block;
  Bytes hash;
  pb::Commit commit;
};
using MsgPtr = std::shared_ptr<const pb::ConsensusMessage>;
using BlockPtr = std::shared_ptr<const StoredBlock>;

using EvidencePtr = std::shared_ptr<const pb::Evidence>;

struct Packet {
  enum class Kind : uint8_t { kConsensus, kStatus, kBlock, kRequest, kNoBlocks, kEvidence } kind = Kind::kConsensus;
  std::vector<MsgPtr> msgs;  // kConsensus
  std::vector<EvidencePtr> evidence;  // kEvidence: the items of one message
  uint64_t height = 0;       // kStatus: the sender's current height; kRequest, kNoBlocks: the first height
  BlockPtr block;            // kBlock
};

enum class EvType : uint8_t { kDeliver, kInput, kGossip, kCrash, kRestart, kPartition, kHeal, kServe };

struct Ev {
  uint64_t time = 0;
  uint64_t seq = 0;
  EvType type = EvType::kInput;
  int node = -1;
  int from = -1;
  uint64_t incarnation = 0;
  Packet packet;
  std::optional<consensus::Event> input;  // kInput: a timer or an application answer
  std::vector<int> sides;                 // kPartition
};
struct EvLater {
  bool operator()(const Ev& a, const Ev& b) const {
    return a.time != b.time ? a.time > b.time : a.seq > b.seq;
  }
};

struct Node {
  int id = 0;
  int key = 0;  // validator index
  Fault fault = Fault::kHonest;
  bool alive = false;
  uint64_t incarnation = 0;
  std::unique_ptr<consensus::KeyPairSigner> signer;
  std::unique_ptr<Core> core;
  consensus::MemoryWal wal;
  std::vector<BlockPtr> chain;  // durable: survives crashes
  Bytes last_proposal_hash;     // for the equivocating voter
  std::unique_ptr<consensus::SyncTarget> claims;  // peers' height claims (volatile)
  size_t next_request = 0;      // round-robin among peers to fetch from
  MsgPtr last_own_vote;         // the inbound flooder's stream repeats it

  // The inbound queue of an honest node (SimConfig::inbound_queue); volatile.
  struct Queued {
    int from = -1;
    Packet packet;              // one consensus message, or one evidence message
    uint32_t messages = 1;      // > 1: a run of the flooder's copies of one stale vote
    uint64_t cost_us = 0;
    size_t evidence_items = 0;  // counted in flight until handled
    bool invalid_evidence = false;
  };
  std::deque<Queued> inbound;
  uint64_t queued = 0;
  std::map<int, uint64_t> queued_by_peer;
  std::map<int, size_t> evidence_in_flight;
  uint64_t busy_until_us = 0;   // the consensus thread works until then
  bool serving = false;         // a kServe event is pending
  std::unique_ptr<node::PeerScore> score;
  bool honest() const { return fault == Fault::kHonest; }
  uint64_t tip() const { return chain.size(); }
  uint64_t next_height() const { return chain.size() + 1; }
};

class World {
 public:
  World(const SimConfig& config, uint64_t seed, std::ostream* log)
      : config_(config), seed_(seed), rng_(seed), log_(log) {}
  SimResult Run();

 private:
  void Setup();
  void Push(Ev ev);
  void Fail(std::string what);
  void Trace(std::string_view record);

  void Process(Ev& ev);
  void Deliver(Node& node, int from, const Packet& packet);
  void HandleConsensus(Node& node, int from, const Packet& packet);
  bool Disconnected(int a, int b) const;
  void Penalise(Node& node, int peer, node::Offence offence);
  void Enqueue(Node& node, int from, const Packet& packet);
  bool Admit(Node& node, Node::Queued item);
  void TopUpFlood(Node& node);
  void ScheduleServe(Node& node);
  void Serve(Node& node);
  void ResetInbound(Node& node);
  const std::vector<EvidencePtr>& ForgedEvidence(const Node& flooder);
  void Handle(Node& node, const consensus::Event& event, int from = -1);
  void FetchTick(Node& node);
  void Attack(Node& node);
  bool SkipBuild(const Node& node, uint64_t height) const;
  void Execute(Node& node, std::vector<consensus::Action>& actions);
  void DoBroadcast(Node& node, const pb::ConsensusMessage& msg);
  bool ForkerBroadcast(const Node& node, const pb::ConsensusMessage& msg);
  void DoCommit(Node& node, const consensus::Commit& c);
  void Send(int from, int to, Packet packet);
  void Crash(Node& node);
  void Restart(Node& node);
  void Heal();
  void CheckDone();

  Bytes BuildBlock(const Node& node, uint64_t height, bool invalid);
  bool ValidBlock(const std::vector<BlockPtr>& chain, uint64_t height, const Bytes& block,
                  const Bytes& hash) const;
  bool before_heal() const { return now_ < config_.heal_ms; }
  std::string Where(const Node& node) const;

  void Narrate(const Node& node, const consensus::Event& event, const consensus::Output& out);

  const SimConfig config_;
  const uint64_t seed_;
  Rng rng_;
  std::ostream* log_;
  CachedVerifier verifier_;
  std::vector<crypto::KeyPair> keys_;
  ValidatorSet validators_;
  pb::ValidatorSet validators_proto_;
  std::vector<bool> honest_key_;
  std::vector<Node> nodes_;
  std::vector<int> sides_;  // partition side per node
  std::priority_queue<Ev, std::vector<Ev>, EvLater> queue_;
  uint64_t seq_ = 0;
  uint64_t now_ = 0;
  uint64_t target_ = 0;
  bool healed_ = false;
  bool done_ = false;
  std::map<uint64_t, Bytes> decided_;  // first hash committed by an honest node per height
  std::map<std::tuple<int, uint64_t, uint32_t, uint32_t>, Bytes> honest_signed_;
  // The forker's split of the peers for a round it proposes.
  struct ForkPlan {
    Bytes v1, v2;        // the block most peers get, and the one the next proposer gets
    std::set<int> side2;  // nodes that get v2
    int victim = -1;      // the only node that gets the forker's precommit for v1
  };
  std::map<std::tuple<int, uint64_t, uint32_t>, ForkPlan> fork_plans_;  // by (node, height, round)
  std::vector<EvidencePtr> forged_evidence_;  // the evidence flooder's items, made once
  crypto::Sha256Hasher trace_;
  SimResult result_;
};

void World::Push(Ev ev) {
  ev.seq = seq_++;
  queue_.push(std::move(ev));
}

void World::Fail(std::string what) {
  if (!result_.ok) return;
  result_.ok = false;
  result_.failure = std::move(what);
  done_ = true;
}

void World::Trace(std::string_view record) {
  Bytes line;
  PutBigEndian64(&line, now_);
  line.append(record);
  trace_.Update(line);
}

std::string World::Where(const Node& node) const {
  std::ostringstream out;
  out << "node " << node.id << " (validator " << node.key << ", " << FaultName(node.fault) << ")";
  return out.str();
}

void World::Setup() {
  const uint32_t n = std::max<uint32_t>(config_.validators, 1);
  const uint32_t f = (n - 1) / 3;
  for (uint32_t i = 0; i < n; ++i) {
    Bytes material(kChainId);
    PutBigEndian64(&material, seed_);
    PutBigEndian64(&material, i);
    keys_.push_back(crypto::KeyPair::FromSecret(crypto::Algo::kEd25519, crypto::Sha256(material)).value());
  }
  std::vector<ValidatorSet::Member> members;
  for (const auto& k : keys_) members.push_back({k.public_key(), 1});
  validators_ = ValidatorSet::Create(members).value();
  validators_proto_ = validators_.ToProto();
  // Validator index = position in the sorted set; map keys to it.
  std::vector<int> key_of_member(n);
  for (uint32_t i = 0; i < n; ++i) key_of_member[*validators_.IndexOf(keys_[i].public_key())] = static_cast<int>(i);

  std::vector<uint32_t> order(n);
  for (uint32_t i = 0; i < n; ++i) order[i] = i;
  for (uint32_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng_.Below(i)]);
  std::vector<Fault> kinds = config_.faults;
  if (kinds.empty()) {
    kinds = {Fault::kSilent, Fault::kEquivocatingProposer, Fault::kEquivocatingVoter, Fault::kTwins,
             Fault::kInvalidProposer, Fault::kForker};
  }
  std::vector<Fault> fault_of(n, Fault::kHonest);
  const uint32_t byz = std::min(config_.byzantine, f);
  for (uint32_t b = 0; b < byz; ++b) fault_of[order[b]] = kinds[rng_.Below(kinds.size())];

  honest_key_.assign(n, true);
  for (uint32_t v = 0; v < n; ++v) {
    const int copies = fault_of[v] == Fault::kTwins ? 2 : 1;
    honest_key_[v] = fault_of[v] == Fault::kHonest;
    for (int c = 0; c < copies; ++c) {
      Node node;
      node.id = static_cast<int>(nodes_.size());
      node.key = static_cast<int>(v);
      node.fault = fault_of[v];
      node.signer = std::make_unique<consensus::KeyPairSigner>(keys_[key_of_member[v]]);
      nodes_.push_back(std::move(node));
    }
  }
  sides_.assign(nodes_.size(), 0);

  for (Node& node : nodes_) {
    if (node.fault == Fault::kSilent) continue;
    Ev boot;
    boot.type = EvType::kRestart;
    boot.node = node.id;
    Push(std::move(boot));
    Ev gossip;
    gossip.type = EvType::kGossip;
    gossip.node = node.id;
    gossip.time = rng_.Range(1, config_.gossip_interval_ms);
    Push(std::move(gossip));
  }
  if (config_.partitions && config_.heal_ms > 10) {
    const uint64_t typical = config_.partition_ms ? config_.partition_ms : std::max<uint64_t>(config_.heal_ms / 5, 2);
    uint64_t t = rng_.Below(typical);
    while (t < config_.heal_ms) {
      Ev split;
      split.type = EvType::kPartition;
      split.time = t;
      for (size_t i = 0; i < nodes_.size(); ++i) split.sides.push_back(static_cast<int>(rng_.Below(2)));
      // Twins go to opposite sides: each can then act in a different world.
      for (size_t i = 1; i < nodes_.size(); ++i) {
        if (nodes_[i].key == nodes_[i - 1].key) split.sides[i] = 1 - split.sides[i - 1];
      }
      Push(std::move(split));
      const uint64_t end = std::min<uint64_t>(t + rng_.Range(typical / 2, typical * 3 / 2), config_.heal_ms);
      Ev join;
      join.type = EvType::kPartition;
      join.time = end;
      join.sides.assign(nodes_.size(), 0);
      Push(std::move(join));
      t = end + rng_.Range(typical / 2, typical * 3 / 2);
    }
  }
  if (config_.crashes) {
    for (Node& node : nodes_) {
      if (!node.honest() || !rng_.Chance(500)) continue;
      Ev crash;
      crash.type = EvType::kCrash;
      crash.node = node.id;
      crash.time = rng_.Below(config_.heal_ms);
      Push(std::move(crash));
    }
  }
  Ev heal;
  heal.type = EvType::kHeal;
  heal.time = config_.heal_ms;
  Push(std::move(heal));
}

SimResult World::Run() {
  result_.seed = seed_;
  Setup();
  while (!done_ && !queue_.empty()) {
    Ev ev = std::move(const_cast<Ev&>(queue_.top()));
    queue_.pop();
    now_ = ev.time;
    if (healed_ && now_ > config_.heal_ms + config_.liveness_ms) break;
    if (++result_.events > config_.max_events) {
      Fail("LIVENESS: event budget of " + std::to_string(config_.max_events) + " exhausted");
      break;
    }
    Process(ev);
  }
  if (!done_ && result_.ok) {
    std::ostringstream out;
    out << "LIVENESS: target height " << target_ << " not reached by every honest node "
        << config_.liveness_ms << " ms after the heal;";
    for (const Node& node : nodes_) {
      if (!node.honest()) continue;
      out << " [node " << node.id << ": committed " << node.chain.size();
      if (node.core) {
        out << ", round " << node.core->round() << " " << consensus::StepName(node.core->step());
      }
      out << "]";
    }
    Fail(out.str());
  }
  uint64_t lowest = UINT64_MAX;
  for (const Node& node : nodes_) {
    if (!node.honest()) continue;
    lowest = std::min<uint64_t>(lowest, node.chain.size());
    // PREFIX: every honest chain agrees with the decided blocks.
    for (const BlockPtr& b : node.chain) {
      auto it = decided_.find(b->height);
      if (result_.ok && (it == decided_.end() || it->second != b->hash)) {
        Fail("SAFETY: " + Where(node) + " holds a block at height " + std::to_string(b->height) +
             " that is not the decided one");
      }
    }
  }
  result_.committed_height = lowest == UINT64_MAX ? 0 : lowest;
  result_.end_time_ms = now_;
  const Bytes digest = trace_.Finish();
  result_.trace_hash = GetBigEndian64(digest);
  result_.replay = ReplayCommand(config_, seed_);
  return result_;
}

void World::Process(Ev& ev) {
  switch (ev.type) {
    case EvType::kDeliver: {
      Node& node = nodes_[ev.node];
      if (!node.alive) return;
      Deliver(node, ev.from, ev.packet);
      return;
    }
    case EvType::kInput: {
      Node& node = nodes_[ev.node];
      if (!node.alive || node.incarnation != ev.incarnation) return;
      Handle(node, *ev.input);
      return;
    }
    case EvType::kGossip: {
      Node& node = nodes_[ev.node];
      if (node.alive && node.core) {
        Trace("gossip " + std::to_string(node.id));
        for (Node& peer : nodes_) {
          if (peer.id == node.id) continue;
          Packet status;
          status.kind = Packet::Kind::kStatus;
          status.height = node.fault == Fault::kHeightLiar ? kHugeHeight : node.next_height();
          Send(node.id, peer.id, std::move(status));
        }
        if (node.honest()) FetchTick(node);
        Attack(node);
        Packet bundle;
        for (pb::ConsensusMessage& m : node.core->GossipMessages()) {
          bundle.msgs.push_back(std::make_shared<const pb::ConsensusMessage>(std::move(m)));
        }
        if (!bundle.msgs.empty() && nodes_.size() > 1) {
          int peer = static_cast<int>(rng_.Below(nodes_.size() - 1));
          if (peer >= node.id) ++peer;
          Send(node.id, peer, std::move(bundle));
        }
      }
      ev.time = now_ + rng_.Range(config_.gossip_interval_ms / 2 + 1, config_.gossip_interval_ms * 3 / 2 + 1);
      Push(std::move(ev));
      return;
    }
    case EvType::kCrash: {
      Node& node = nodes_[ev.node];
      if (node.alive && before_heal()) Crash(node);
      return;
    }
    case EvType::kRestart: {
      Node& node = nodes_[ev.node];
      if (!node.alive) Restart(node);
      return;
    }
    case EvType::kPartition:
      if (before_heal()) sides_ = ev.sides;
      Trace("partition");
      return;
    case EvType::kHeal:
      Heal();
      return;
    case EvType::kServe: {
      Node& node = nodes_[ev.node];
      if (node.alive && node.incarnation == ev.incarnation) Serve(node);
      return;
    }
  }
}

void World::Heal() {
  Trace("heal");
  healed_ = true;
  sides_.assign(nodes_.size(), 0);
  uint64_t highest = 0;
  for (Node& node : nodes_) {
    if (!node.honest()) continue;
    if (!node.alive) Restart(node);
    highest = std::max<uint64_t>(highest, node.chain.size());
  }
  target_ = std::max<uint64_t>(config_.target_heights, highest + config_.heights_after_heal);
  CheckDone();
}

void World::CheckDone() {
  if (!healed_ || done_) return;
  for (const Node& node : nodes_) {
    if (node.honest() && node.chain.size() < target_) return;
  }
  done_ = true;
}

void World::Crash(Node& node) {
  Trace("crash " + std::to_string(node.id));
  node.alive = false;
  node.core.reset();
  ResetInbound(node);
  ++node.incarnation;
  Ev restart;
  restart.type = EvType::kRestart;
  restart.node = node.id;
  restart.time = std::min<uint64_t>(now_ + rng_.Range(50, std::max<uint64_t>(config_.heal_ms / 3, 51)), config_.heal_ms);
  Push(std::move(restart));
}

void World::Restart(Node& node) {
  Trace("restart " + std::to_string(node.id));
  node.alive = true;
  ++node.incarnation;
  consensus::CoreOptions options;
  options.chain_id = std::string(kChainId);
  options.timeouts = config_.timeouts;
  options.max_future_rounds = config_.max_future_rounds;
  // Byzantine cores ignore their locks (it only makes them nastier); honest ones
  // only when the simulator's self-test asks for it.
  options.unsafe_ignore_lock_for_testing = !node.honest() || config_.break_locking;
  node.core = std::make_unique<Core>(options, node.signer.get(), &verifier_);
  node.claims = std::make_unique<consensus::SyncTarget>(kSyncTarget);
  // A node's scores of its peers live in memory: a restart forgets them.
  if (config_.inbound_queue && node.honest()) node.score = std::make_unique<node::PeerScore>();
  consensus::StartHeight start;
  start.height = node.next_height();
  start.validators = validators_;
  start.wal = node.wal.ReadAll().value();
  if (node.honest() && !start.wal.empty()) ++result_.wal_replays;
  Handle(node, start);
}

void World::Send(int from, int to, Packet packet) {
  if (Disconnected(from, to)) return;
  if (before_heal()) {
    if (sides_[from] != sides_[to]) return;
    if (rng_.Chance(config_.drop_permille)) return;
  }
  const int copies = rng_.Chance(config_.duplicate_permille) ? 2 : 1;
  for (int c = 0; c < copies; ++c) {
    Ev ev;
    ev.type = EvType::kDeliver;
    ev.node = to;
    ev.from = from;
    ev.time = now_ + rng_.Range(config_.min_delay_ms, std::max(config_.min_delay_ms, config_.max_delay_ms));
    ev.packet = packet;
    ++result_.messages;
    Push(std::move(ev));
  }
}

void World::Deliver(Node& node, int from, const Packet& packet) {
  if (!node.core || Disconnected(from, node.id)) return;
  const bool queued_kind = packet.kind == Packet::Kind::kConsensus || packet.kind == Packet::Kind::kEvidence;
  if (config_.inbound_queue && node.honest() && queued_kind) return Enqueue(node, from, packet);
  switch (packet.kind) {
    case Packet::Kind::kConsensus:
      HandleConsensus(node, from, packet);
      return;
    case Packet::Kind::kEvidence:  // only the node model of inbound_queue looks at evidence
      return;
    case Packet::Kind::kStatus:
      if (packet.height >= 1) node.claims->OnClaim(PeerId(from), packet.height - 1, false, node.tip(), now_);
      // The peer is behind: send it the block it needs, with its commit.
      if (packet.height < node.next_height() && packet.height >= 1) {
        Packet reply;
        reply.kind = Packet::Kind::kBlock;
        reply.block = node.chain[packet.height - 1];
        Send(node.id, from, std::move(reply));
      }
      return;
    case Packet::Kind::kBlock: {
      const StoredBlock& b = *packet.block;
      if (b.height != node.next_height() || node.core->decided()) return;
      pb::Block block;
      if (!block.ParseFromString(b.block) || ledger::BlockHash(block) != b.hash) return;
      Trace("sync " + std::to_string(node.id) + " " + std::to_string(b.height));
      Handle(node, consensus::CommitReceived{b.block, b.hash, b.commit});
      if (node.alive && node.claims && node.tip() >= b.height) node.claims->OnServed(PeerId(from), b.height, now_);
      return;
    }
    case Packet::Kind::kRequest: {
      Packet reply;
      if (node.fault != Fault::kHeightLiar && packet.height >= 1 && packet.height <= node.tip()) {
        reply.kind = Packet::Kind::kBlock;
        reply.block = node.chain[packet.height - 1];
      } else {
        reply.kind = Packet::Kind::kNoBlocks;
        reply.height = packet.height;
      }
      Send(node.id, from, std::move(reply));
      return;
    }
    case Packet::Kind::kNoBlocks:
      if (config_.trust_height_claims) return;  // as before: the claim stays
      if (node.claims->OnNoBlocks(PeerId(from), packet.height, now_) == consensus::SyncVerdict::kPenalise &&
          node.honest()) {
        ++result_.penalties;
      }
      return;
  }
}

void World::HandleConsensus(Node& node, int from, const Packet& packet) {
  for (const MsgPtr& m : packet.msgs) {
    if (!node.alive || done_) return;
    if (m->has_proposal()) {
      Trace("p " + std::to_string(node.id) + m->proposal().sig().substr(0, 8));
      if (m->proposal().height() == node.next_height()) node.last_proposal_hash = m->proposal().block_hash();
      Handle(node, consensus::ProposalReceived{m->proposal()}, from);
    } else if (m->has_vote()) {
      Trace("v " + std::to_string(node.id) + m->vote().sig().substr(0, 8));
      Handle(node, consensus::VoteReceived{m->vote()}, from);
    }
  }
}

// Whether one of the two has disconnected the other for its score.
bool World::Disconnected(int a, int b) const {
  const auto banned = [&](int by, int peer) {
    const Node& n = nodes_[by];
    return n.score != nullptr && n.score->IsBanned(PeerId(peer), static_cast<int64_t>(now_));
  };
  return banned(a, b) || banned(b, a);
}

void World::Penalise(Node& node, int peer, Offence offence) {
  if (node.score == nullptr) return;
  if (node.score->Penalise(PeerId(peer), offence, static_cast<int64_t>(now_))) {
    ++result_.bans;
    Trace("ban " + std::to_string(node.id) + " " + std::to_string(peer));
  }
}

// A consensus or evidence message reaches an honest node: into its inbound
// queue, as ConsensusReactor::PostInbound and BftEngine::OnEvidenceMessage do.
void World::Enqueue(Node& node, int from, const Packet& packet) {
  TopUpFlood(node);  // the flooders' streams took what room they could first
  if (packet.kind == Packet::Kind::kConsensus) {
    for (const MsgPtr& m : packet.msgs) {  // one queue entry per message, as on the wire
      Node::Queued item;
      item.from = from;
      item.packet.msgs.push_back(m);
      item.cost_us = config_.message_cost_us;
      Admit(node, std::move(item));
    }
    return ScheduleServe(node);
  }
  const size_t items = packet.evidence.size();
  if (config_.evidence_limits) {
    if (items > kMaxEvidencePerMessage) {  // TOO_MUCH_EVIDENCE: refused whole, unverified
      ++result_.evidence_refused;
      return Penalise(node, from, Offence::kInvalidEvidence);
    }
    if (node.evidence_in_flight[from] + items > kMaxEvidenceInFlightPerPeer) {  // EVIDENCE_OVER_QUOTA
      ++result_.evidence_refused;
      return Penalise(node, from, Offence::kOverQuota);
    }
  }
  // The engine verifies items in order and stops at the first invalid one;
  // without the limits every item is verified. Copies of one item give the same
  // answer, so each distinct item is verified once; the virtual time is per item.
  Node::Queued item;
  item.from = from;
  item.packet.kind = Packet::Kind::kEvidence;
  item.evidence_items = items;
  std::map<const pb::Evidence*, bool> valid;
  size_t verified = 0;
  for (const EvidencePtr& e : packet.evidence) {
    ++verified;
    auto [it, fresh] = valid.try_emplace(e.get(), false);
    if (fresh) it->second = consensus::VerifyEvidence(kChainId, validators_, *e, verifier_).ok();
    if (it->second) continue;
    item.invalid_evidence = true;
    if (config_.evidence_limits) break;
  }
  item.cost_us = verified * config_.evidence_cost_us;
  if (Admit(node, std::move(item)) && config_.evidence_limits) node.evidence_in_flight[from] += items;
  ScheduleServe(node);
}

// Queues `item` if the whole queue and the sender's share have room for it; a
// message over the sender's share is dropped and scored, one over the whole
// queue's bound only dropped (ConsensusReactor::PostInbound).
bool World::Admit(Node& node, Node::Queued item) {
  const uint64_t n = item.messages;
  const uint64_t share = node.queued_by_peer.count(item.from) ? node.queued_by_peer[item.from] : 0;
  if (config_.inbound_per_peer > 0 && share + n > config_.inbound_per_peer) {
    result_.inbound_dropped += n;
    Penalise(node, item.from, Offence::kOverQuota);
    return false;
  }
  if (node.queued + n > config_.inbound_bound) {
    result_.inbound_dropped += n;
    return false;
  }
  node.queued_by_peer[item.from] = share + n;
  node.queued += n;
  node.inbound.push_back(std::move(item));
  return true;
}

// An inbound flooder's stream outpaces the node: whenever the node's queue has
// room the flooder may take, a copy of its stale vote is already there to take
// it, and more are waiting (so one is always dropped as well).
void World::TopUpFlood(Node& node) {
  for (const Node& flooder : nodes_) {
    if (flooder.fault != Fault::kInboundFlooder || !flooder.alive || !flooder.last_own_vote) continue;
    if (Disconnected(flooder.id, node.id) || (before_heal() && sides_[flooder.id] != sides_[node.id])) continue;
    const uint64_t share = node.queued_by_peer.count(flooder.id) ? node.queued_by_peer[flooder.id] : 0;
    uint64_t room = config_.inbound_bound - std::min<uint64_t>(node.queued, config_.inbound_bound);
    if (config_.inbound_per_peer > 0) {
      room = std::min<uint64_t>(room, config_.inbound_per_peer - std::min<uint64_t>(share, config_.inbound_per_peer));
    }
    if (room > 0) {
      Node::Queued run;
      run.from = flooder.id;
      run.packet.msgs.push_back(flooder.last_own_vote);
      run.messages = static_cast<uint32_t>(room);
      run.cost_us = room * config_.message_cost_us;
      Admit(node, std::move(run));
    }
    Node::Queued one_more;
    one_more.from = flooder.id;
    one_more.packet.msgs.push_back(flooder.last_own_vote);
    Admit(node, std::move(one_more));  // no room left: dropped (scored when over the share)
  }
}

void World::ScheduleServe(Node& node) {
  if (node.serving || node.inbound.empty()) return;
  node.serving = true;
  node.busy_until_us = std::max(node.busy_until_us, now_ * 1000) + node.inbound.front().cost_us;
  Ev ev;
  ev.type = EvType::kServe;
  ev.node = node.id;
  ev.incarnation = node.incarnation;
  ev.time = (node.busy_until_us + 999) / 1000;
  Push(std::move(ev));
}

// The consensus thread finished the first queued entry: it takes effect now.
void World::Serve(Node& node) {
  node.serving = false;
  if (node.inbound.empty()) return;
  Node::Queued item = std::move(node.inbound.front());
  node.inbound.pop_front();
  node.queued -= item.messages;
  if ((node.queued_by_peer[item.from] -= item.messages) == 0) node.queued_by_peer.erase(item.from);
  auto in_flight = node.evidence_in_flight.find(item.from);
  if (in_flight != node.evidence_in_flight.end()) {
    in_flight->second -= std::min(in_flight->second, item.evidence_items);
    if (in_flight->second == 0) node.evidence_in_flight.erase(in_flight);
  }
  if (item.packet.kind == Packet::Kind::kEvidence) {
    if (item.invalid_evidence) {
      ++result_.evidence_refused;
      if (config_.evidence_limits) Penalise(node, item.from, Offence::kInvalidEvidence);
    }
  } else {
    HandleConsensus(node, item.from, item.packet);  // a run of copies: the core sees one
  }
  if (!node.alive || done_) return;
  TopUpFlood(node);
  ScheduleServe(node);
}

void World::ResetInbound(Node& node) {
  node.inbound.clear();
  node.queued = 0;
  node.queued_by_peer.clear();
  node.evidence_in_flight.clear();
  node.serving = false;
  node.busy_until_us = now_ * 1000;
}

// Evidence accusing other validators of double votes they never cast: the
// flooder signs both votes itself, so no item verifies.
const std::vector<EvidencePtr>& World::ForgedEvidence(const Node& flooder) {
  if (!forged_evidence_.empty()) return forged_evidence_;
  std::vector<crypto::PublicKey> victims;
  for (size_t i = 0; i < validators_.size(); ++i) {
    if (validators_.at(i).key != flooder.signer->public_key()) victims.push_back(validators_.at(i).key);
  }
  for (uint32_t i = 0; i < kMaxEvidencePerMessage && !victims.empty(); ++i) {
    pb::Vote a = consensus::MakeVote(kChainId, consensus::VoteType::kPrevote, 1, i,
                                     crypto::Sha256("forged a " + std::to_string(i)), *flooder.signer);
    pb::Vote b = consensus::MakeVote(kChainId, consensus::VoteType::kPrevote, 1, i,
                                     crypto::Sha256("forged b " + std::to_string(i)), *flooder.signer);
    *a.mutable_validator() = ledger::ToProto(victims[i % victims.size()]);
    *b.mutable_validator() = a.validator();
    forged_evidence_.push_back(std::make_shared<const pb::Evidence>(consensus::MakeEvidence(a, b)));
  }
  return forged_evidence_;
}

void World::Handle(Node& node, const consensus::Event& event, int from) {
  consensus::Output out = node.core->Handle(event);
  if (log_) Narrate(node, event, out);
  if (from >= 0 && out.hint && out.hint->kind == consensus::HeightHint::Kind::kSenderAhead) {
    node.claims->OnClaim(PeerId(from), out.hint->height - 1, /*proven=*/true, node.tip(), now_);
  }
  const uint64_t rounds = config_.max_future_rounds + 1;
  if (node.honest() && node.core->next_height_buffered() > (2 * validators_.size() + 1) * rounds) {
    Fail("MEMORY: " + Where(node) + " buffers " + std::to_string(node.core->next_height_buffered()) +
         " next-height messages");
    return;
  }
  Execute(node, out.actions);
}

// Honest nodes fetch what their peers claim to have, and drop claims that were
// not served in time (as node/block_sync.cc does).
void World::FetchTick(Node& node) {
  const uint64_t tip = node.tip();
  if (!config_.trust_height_claims) node.claims->Expire(tip, now_);
  if (node.claims->Target(tip) <= tip || nodes_.size() < 2) return;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const int peer = static_cast<int>((node.next_request + i) % nodes_.size());
    if (peer == node.id || node.claims->PeerTip(PeerId(peer), tip) <= tip) continue;
    node.next_request = static_cast<size_t>(peer) + 1;
    Packet request;
    request.kind = Packet::Kind::kRequest;
    request.height = tip + 1;
    Send(node.id, peer, std::move(request));
    return;
  }
}

// What the liveness attackers send on each gossip tick, besides their consensus.
void World::Attack(Node& node) {
  if (node.fault == Fault::kEvidenceFlooder) {
    const std::vector<EvidencePtr>& forged = ForgedEvidence(node);
    if (forged.empty()) return;
    std::vector<Packet> packets(1 + kSmallFloodMessages);
    for (size_t i = 0; i < kFloodEvidenceItems; ++i) packets[0].evidence.push_back(forged[i % forged.size()]);
    for (size_t m = 1; m < packets.size(); ++m) {
      for (size_t i = 0; i < kMaxEvidencePerMessage; ++i) {
        packets[m].evidence.push_back(forged[(m + i) % forged.size()]);
      }
    }
    for (Packet& p : packets) p.kind = Packet::Kind::kEvidence;
    for (const Node& peer : nodes_) {
      if (peer.id == node.id) continue;
      for (const Packet& p : packets) Send(node.id, peer.id, p);
    }
    return;
  }
  std::vector<MsgPtr> msgs;
  if (node.fault == Fault::kHeightLiar) {
    const crypto::KeyPair outsider = crypto::KeyPair::FromSecret(crypto::Algo::kEd25519, crypto::Sha256("outsider")).value();
    const consensus::KeyPairSigner outsider_signer(outsider);
    pb::ConsensusMessage forged, own, stolen;
    *forged.mutable_vote() = consensus::MakeVote(kChainId, consensus::VoteType::kPrevote, kHugeHeight, 0, Bytes(), outsider_signer);
    *own.mutable_vote() = consensus::MakeVote(kChainId, consensus::VoteType::kPrevote, kHugeHeight, 0, Bytes(), *node.signer);
    stolen = own;  // another validator's key, this node's signature
    *stolen.mutable_vote()->mutable_validator() = ledger::ToProto(validators_.at(0).key == node.signer->public_key()
                                                                      ? validators_.at(1).key
                                                                      : validators_.at(0).key);
    for (pb::ConsensusMessage* m : {&forged, &own, &stolen}) msgs.push_back(std::make_shared<const pb::ConsensusMessage>(*m));
  } else if (node.fault == Fault::kNextHeightSpammer) {
    const uint64_t height = node.next_height() + 1;
    for (uint32_t round = 0; round <= config_.max_future_rounds; ++round) {
      Bytes block = BuildBlock(node, height, false);
      pb::Block parsed;
      parsed.ParseFromString(block);
      pb::ConsensusMessage m;
      *m.mutable_proposal() =
          consensus::MakeProposal(kChainId, height, round, -1, block, ledger::BlockHash(parsed), *node.signer);
      msgs.push_back(std::make_shared<const pb::ConsensusMessage>(std::move(m)));
    }
  }
  if (msgs.empty()) return;
  for (const Node& peer : nodes_) {
    if (peer.id == node.id) continue;
    Packet p;
    p.msgs = msgs;
    Send(node.id, peer.id, std::move(p));
  }
}

// As BftEngine::BuildBlock: no proposal for a height proven committed elsewhere.
// The height liar never proposes: it wants the chain to stop.
bool World::SkipBuild(const Node& node, uint64_t height) const {
  if (node.fault == Fault::kHeightLiar) return true;
  const uint64_t tip = node.tip();
  const uint64_t target = config_.trust_height_claims ? node.claims->Target(tip) : node.claims->ProvenTarget(tip);
  return node.honest() && target >= height;
}

void World::Execute(Node& node, std::vector<consensus::Action>& actions) {
  size_t crash_at = actions.size() + 1;
  if (!actions.empty() && node.honest() && config_.crashes && before_heal() && rng_.Chance(config_.crash_permille)) {
    crash_at = rng_.Below(actions.size() + 1);  // in the middle of the actions
  }
  std::optional<uint64_t> next_height;
  for (size_t i = 0; i < actions.size() && !done_; ++i) {
    if (i == crash_at) {
      Crash(node);
      return;
    }
    std::visit(
        [&](auto& a) {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, consensus::WriteWal>) {
            if (!node.wal.Append(a.entry).ok()) Fail("internal: WAL append failed");
          } else if constexpr (std::is_same_v<T, consensus::Broadcast>) {
            DoBroadcast(node, a.message);
          } else if constexpr (std::is_same_v<T, consensus::ScheduleTimeout>) {
            Ev ev;
            ev.type = EvType::kInput;
            ev.node = node.id;
            ev.incarnation = node.incarnation;
            ev.time = now_ + a.duration_ms;
            ev.input = consensus::TimeoutFired{a.height, a.round, a.step};
            Push(std::move(ev));
          } else if constexpr (std::is_same_v<T, consensus::BuildBlock>) {
            if (SkipBuild(node, a.height)) return;
            Ev ev;
            ev.type = EvType::kInput;
            ev.node = node.id;
            ev.incarnation = node.incarnation;
            ev.time = now_ + rng_.Below(3);
            Bytes block = BuildBlock(node, a.height, node.fault == Fault::kInvalidProposer);
            pb::Block parsed;
            parsed.ParseFromString(block);
            ev.input = consensus::BlockBuilt{a.height, a.round, block, ledger::BlockHash(parsed)};
            Push(std::move(ev));
          } else if constexpr (std::is_same_v<T, consensus::ValidateBlock>) {
            Ev ev;
            ev.type = EvType::kInput;
            ev.node = node.id;
            ev.incarnation = node.incarnation;
            ev.time = now_ + rng_.Below(4);
            ev.input = consensus::BlockValidated{a.height, a.block_hash,
                                                 ValidBlock(node.chain, a.height, a.block, a.block_hash)};
            Push(std::move(ev));
          } else if constexpr (std::is_same_v<T, consensus::Commit>) {
            DoCommit(node, a);
            next_height = a.height + 1;
          } else if constexpr (std::is_same_v<T, consensus::ReportEvidence>) {
            const pb::Vote& v = a.evidence.a();
            const std::optional<size_t> index = validators_.IndexOf(ledger::FromProto(v.validator()));
            if (!consensus::VerifyEvidence(kChainId, validators_, a.evidence, verifier_).ok()) {
              Fail("VALIDITY: " + Where(node) + " reported evidence that does not verify");
            } else if (index && honest_key_[*index]) {
              Fail("SAFETY: " + Where(node) + " reported double-vote evidence against honest validator " +
                   std::to_string(*index));
            } else if (node.honest()) {
              ++result_.evidence;
            }
          }
        },
        actions[i]);
  }
  if (crash_at == actions.size() && !done_) {
    Crash(node);  // after the last action
    return;
  }
  if (next_height && !done_ && node.alive) {
    consensus::StartHeight start;
    start.height = *next_height;
    start.validators = validators_;
    Handle(node, start);
  }
}

void World::DoBroadcast(Node& node, const pb::ConsensusMessage& msg) {
  const uint32_t kind = msg.has_proposal() ? 0 : msg.vote().type();
  const uint64_t height = msg.has_proposal() ? msg.proposal().height() : msg.vote().height();
  const uint32_t round = msg.has_proposal() ? msg.proposal().round() : msg.vote().round();
  const Bytes& hash = msg.has_proposal() ? msg.proposal().block_hash() : msg.vote().block_hash();
  const pb::PublicKey& signer = msg.has_proposal() ? msg.proposal().proposer() : msg.vote().validator();
  const bool own = signer.key() == node.signer->public_key().key;  // else relayed (a proof of lock change)
  if (node.honest() && own) {
    result_.max_round = std::max<uint64_t>(result_.max_round, round);
    auto [it, inserted] = honest_signed_.try_emplace({node.key, height, round, kind}, hash);
    if (!inserted && it->second != hash) {
      Fail("SAFETY: honest " + Where(node) + " signed two different " +
           (kind == 0 ? std::string("proposals") : kind == 1 ? std::string("prevotes") : std::string("precommits")) +
           " for height " + std::to_string(height) + " round " + std::to_string(round));
      return;
    }
  }
  Trace("send " + std::to_string(node.id) + " " + std::to_string(kind) + " " + std::to_string(height) + " " +
        std::to_string(round));
  if (node.fault == Fault::kInboundFlooder && own && msg.has_vote()) {
    node.last_own_vote = std::make_shared<const pb::ConsensusMessage>(msg);
  }
  if (node.fault == Fault::kForker && own && ForkerBroadcast(node, msg)) return;
  MsgPtr primary = std::make_shared<const pb::ConsensusMessage>(msg);
  MsgPtr other;  // what an equivocating node sends to the other half of its peers
  if (node.fault == Fault::kEquivocatingProposer && msg.has_proposal()) {
    Bytes block = BuildBlock(node, height, false);
    pb::Block parsed;
    parsed.ParseFromString(block);
    pb::ConsensusMessage alt;
    *alt.mutable_proposal() =
        consensus::MakeProposal(kChainId, height, round, -1, block, ledger::BlockHash(parsed), *node.signer);
    other = std::make_shared<const pb::ConsensusMessage>(std::move(alt));
  } else if (node.fault == Fault::kEquivocatingVoter && msg.has_vote()) {
    Bytes alt_hash = hash.empty() ? node.last_proposal_hash : Bytes();
    if (alt_hash.empty() && hash.empty()) alt_hash = crypto::Sha256(std::to_string(rng_.Below(1u << 30)));
    pb::ConsensusMessage alt;
    *alt.mutable_vote() = consensus::MakeVote(kChainId, static_cast<consensus::VoteType>(kind), height, round,
                                              alt_hash, *node.signer);
    other = std::make_shared<const pb::ConsensusMessage>(std::move(alt));
  }
  // The equivocating proposer also withholds: each of its votes reaches only some
  // peers, so that some see a quorum that others never will.
  const bool withhold = node.fault == Fault::kEquivocatingProposer && msg.has_vote();
  for (const Node& peer : nodes_) {
    if (peer.id == node.id) continue;
    if (withhold && rng_.Chance(500)) continue;
    Packet p;
    p.msgs.push_back(other && rng_.Chance(500) ? other : primary);
    Send(node.id, peer.id, std::move(p));
  }
}

// The forker splits the network in the rounds it proposes. The next round's
// proposer gets block v2, everyone else v1; its prevotes follow the same split.
// The others see a polka for v1 and lock on it; only one victim gets its
// precommit for v1 and can decide v1; the rest time out to the next round, where
// the proposer, who never saw v1 win, proposes a fresh block. Correct nodes are
// then saved only by their locks.
bool World::ForkerBroadcast(const Node& node, const pb::ConsensusMessage& msg) {
  const auto send = [&](int to, pb::ConsensusMessage m) {
    Packet p;
    p.msgs.push_back(std::make_shared<const pb::ConsensusMessage>(std::move(m)));
    Send(node.id, to, std::move(p));
  };
  if (msg.has_proposal()) {
    const pb::BlockProposal& own = msg.proposal();
    const size_t next = validators_.ProposerIndex(own.height(), own.round() + 1);
    ForkPlan plan;
    std::vector<int> side1;
    for (const Node& peer : nodes_) {
      if (peer.id == node.id) continue;
      if (static_cast<size_t>(peer.key) == next) {
        plan.side2.insert(peer.id);
      } else {
        side1.push_back(peer.id);
      }
    }
    if (plan.side2.empty() || side1.empty()) return false;
    plan.victim = side1[rng_.Below(side1.size())];
    pb::ConsensusMessage m1, m2;
    for (auto [m, hash] : {std::pair{&m1, &plan.v1}, std::pair{&m2, &plan.v2}}) {
      Bytes block = BuildBlock(node, own.height(), false);
      pb::Block parsed;
      parsed.ParseFromString(block);
      *hash = ledger::BlockHash(parsed);
      *m->mutable_proposal() = consensus::MakeProposal(kChainId, own.height(), own.round(), -1, block, *hash, *node.signer);
    }
    for (int peer : side1) send(peer, m1);
    for (int peer : plan.side2) send(peer, m2);
    fork_plans_[{node.id, own.height(), own.round()}] = std::move(plan);
    return true;
  }
  const pb::Vote& v = msg.vote();
  auto it = fork_plans_.find({node.id, v.height(), v.round()});
  if (it == fork_plans_.end()) return false;
  const ForkPlan& plan = it->second;
  const auto type = static_cast<consensus::VoteType>(v.type());
  for (const Node& peer : nodes_) {
    if (peer.id == node.id) continue;
    Bytes hash;
    if (type == consensus::VoteType::kPrevote) {
      hash = plan.side2.count(peer.id) ? plan.v2 : plan.v1;
    } else if (peer.id == plan.victim) {
      hash = plan.v1;
    }
    pb::ConsensusMessage m;
    *m.mutable_vote() = consensus::MakeVote(kChainId, type, v.height(), v.round(), hash, *node.signer);
    send(peer.id, std::move(m));
  }
  return true;
}

void World::DoCommit(Node& node, const consensus::Commit& c) {
  Trace("commit " + std::to_string(node.id) + " " + std::to_string(c.height) + " " + c.block_hash.substr(0, 8));
  if (c.height != node.next_height()) {
    Fail("internal: " + Where(node) + " committed height " + std::to_string(c.height) + " while at " +
         std::to_string(node.next_height()));
    return;
  }
  if (node.honest()) {
    auto [it, inserted] = decided_.try_emplace(c.height, c.block_hash);
    if (!inserted && it->second != c.block_hash) {
      Fail("SAFETY: " + Where(node) + " committed " + ToHex(c.block_hash.substr(0, 8)) + " at height " +
           std::to_string(c.height) + " where another honest node committed " + ToHex(it->second.substr(0, 8)));
      return;
    }
    std::vector<BlockPtr> canonical;
    for (uint64_t h = 1; h < c.height; ++h) canonical.push_back(node.chain[h - 1]);
    if (!ValidBlock(canonical, c.height, c.block, c.block_hash)) {
      Fail("VALIDITY: " + Where(node) + " committed an invalid block at height " + std::to_string(c.height));
      return;
    }
    if (Status st = ledger::VerifyCommit(kChainId, validators_proto_, c.commit, c.height, c.block_hash); !st.ok()) {
      Fail("VALIDITY: commit certificate of " + Where(node) + " at height " + std::to_string(c.height) +
           " fails ledger::VerifyCommit: " + st.ToString());
      return;
    }
  }
  auto stored = std::make_shared<StoredBlock>();
  stored->height = c.height;
  stored->block = c.block;
  stored->hash = c.block_hash;
  stored->commit = c.commit;
  node.chain.push_back(std::move(stored));  // block and commit stored durably, then
  (void)node.wal.Reset();                   // the WAL of that height is dropped
  CheckDone();
}

namespace {
std::string Short(const Bytes& hash) { return hash.empty() ? "nil" : ToHex(hash.substr(0, 3)); }
std::string VoteText(const pb::Vote& v) {
  return std::string(v.type() == 1 ? "prevote" : "precommit") + " h" + std::to_string(v.height()) + " r" +
         std::to_string(v.round()) + " " + Short(v.block_hash()) + " by " + ToHex(v.validator().key().substr(0, 2));
}
std::string ProposalText(const pb::BlockProposal& p) {
  return "proposal h" + std::to_string(p.height()) + " r" + std::to_string(p.round()) + " pol" +
         std::to_string(p.pol_round()) + " " + Short(p.block_hash()) + " by " + ToHex(p.proposer().key().substr(0, 2));
}
}  // namespace

void World::Narrate(const Node& node, const consensus::Event& event, const consensus::Output& out) {
  std::ostream& o = *log_;
  o << now_ << " n" << node.id << " [h" << node.core->height() << " r" << node.core->round() << " "
    << consensus::StepName(node.core->step()) << " lock" << node.core->locked_round() << ":"
    << Short(node.core->locked_hash()) << " valid" << node.core->valid_round() << ":" << Short(node.core->valid_hash())
    << "] <- ";
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, consensus::StartHeight>) o << "start h" << e.height << " wal=" << e.wal.size();
        if constexpr (std::is_same_v<T, consensus::ProposalReceived>) o << ProposalText(e.proposal);
        if constexpr (std::is_same_v<T, consensus::VoteReceived>) o << VoteText(e.vote);
        if constexpr (std::is_same_v<T, consensus::TimeoutFired>)
          o << "timeout h" << e.height << " r" << e.round << " " << consensus::StepName(e.step);
        if constexpr (std::is_same_v<T, consensus::BlockBuilt>) o << "built " << Short(e.block_hash);
        if constexpr (std::is_same_v<T, consensus::BlockValidated>) o << "validated " << Short(e.block_hash) << " " << e.valid;
        if constexpr (std::is_same_v<T, consensus::CommitReceived>) o << "synced commit " << Short(e.block_hash);
      },
      event);
  if (!out.status.ok()) o << " (refused: " << out.status.ToString() << ")";
  o << "\n";
  for (const consensus::Action& a : out.actions) {
    o << "      -> ";
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, consensus::WriteWal>) o << "wal";
          if constexpr (std::is_same_v<T, consensus::Broadcast>)
            o << "send " << (x.message.has_vote() ? VoteText(x.message.vote()) : ProposalText(x.message.proposal()));
          if constexpr (std::is_same_v<T, consensus::ScheduleTimeout>)
            o << "timer r" << x.round << " " << consensus::StepName(x.step) << " " << x.duration_ms << "ms";
          if constexpr (std::is_same_v<T, consensus::BuildBlock>) o << "build";
          if constexpr (std::is_same_v<T, consensus::ValidateBlock>) o << "validate " << Short(x.block_hash);
          if constexpr (std::is_same_v<T, consensus::Commit>) o << "COMMIT h" << x.height << " " << Short(x.block_hash);
          if constexpr (std::is_same_v<T, consensus::ReportEvidence>) o << "evidence";
        },
        a);
    o << "\n";
  }
}

Bytes World::BuildBlock(const Node& node, uint64_t height, bool invalid) {
  pb::BlockHeader header;
  header.set_chain_id(std::string(kChainId));
  header.set_height(height);
  header.set_time_ms(static_cast<int64_t>(now_));
  header.set_prev_block_hash(height >= 2 && node.chain.size() >= height - 1 ? node.chain[height - 2]->hash : Bytes());
  *header.mutable_proposer() = ledger::ToProto(node.signer->public_key());
  pb::Block block;
  const uint64_t txs = rng_.Range(1, 3);
  for (uint64_t i = 0; i < txs; ++i) block.add_txs("tx-" + std::to_string(node.id) + "-" + std::to_string(rng_.Below(1u << 30)));
  if (invalid) block.add_txs(std::string(kInvalidTx));
  header.set_tx_count(static_cast<uint32_t>(block.txs_size()));
  block.set_header(header.SerializeAsString());
  return block.SerializeAsString();
}

bool World::ValidBlock(const std::vector<BlockPtr>& chain, uint64_t height, const Bytes& bytes,
                       const Bytes& hash) const {
  pb::Block block;
  pb::BlockHeader header;
  if (!block.ParseFromString(bytes) || ledger::BlockHash(block) != hash || !header.ParseFromString(block.header())) {
    return false;
  }
  if (header.chain_id() != kChainId || header.height() != height || chain.size() + 1 != height) return false;
  if (header.prev_block_hash() != (height == 1 ? Bytes() : chain[height - 2]->hash)) return false;
  for (const std::string& tx : block.txs()) {
    if (tx == kInvalidTx) return false;
  }
  return header.tx_count() == static_cast<uint32_t>(block.txs_size());
}

}  // namespace

const char* FaultName(Fault fault) {
  switch (fault) {
    case Fault::kHonest: return "honest";
    case Fault::kSilent: return "silent";
    case Fault::kEquivocatingProposer: return "equivocating-proposer";
    case Fault::kEquivocatingVoter: return "equivocating-voter";
    case Fault::kTwins: return "twins";
    case Fault::kInvalidProposer: return "invalid-proposer";
    case Fault::kForker: return "forker";
    case Fault::kHeightLiar: return "height-liar";
    case Fault::kNextHeightSpammer: return "next-height-spammer";
    case Fault::kEvidenceFlooder: return "evidence-flooder";
    case Fault::kInboundFlooder: return "inbound-flooder";
  }
  return "unknown";
}

std::optional<Fault> ParseFault(std::string_view name) {
  for (Fault f : {Fault::kHonest, Fault::kSilent, Fault::kEquivocatingProposer, Fault::kEquivocatingVoter,
                  Fault::kTwins, Fault::kInvalidProposer, Fault::kForker, Fault::kHeightLiar,
                  Fault::kNextHeightSpammer, Fault::kEvidenceFlooder, Fault::kInboundFlooder}) {
    if (name == FaultName(f)) return f;
  }
  return std::nullopt;
}

std::string SimConfig::ToFlags() const {
  std::ostringstream out;
  out << "--validators " << validators << " --byzantine " << byzantine;
  if (!faults.empty()) {
    out << " --faults ";
    for (size_t i = 0; i < faults.size(); ++i) out << (i ? "," : "") << FaultName(faults[i]);
  }
  out << " --target-heights " << target_heights << " --heights-after-heal " << heights_after_heal
      << " --min-delay " << min_delay_ms << " --max-delay " << max_delay_ms << " --drop " << drop_permille
      << " --duplicate " << duplicate_permille << " --partitions " << (partitions ? 1 : 0) << " --partition-ms "
      << partition_ms << " --crashes "
      << (crashes ? 1 : 0) << " --crash-permille " << crash_permille << " --heal " << heal_ms << " --liveness "
      << liveness_ms << " --gossip " << gossip_interval_ms << " --timeouts " << timeouts.propose_ms << ","
      << timeouts.propose_delta_ms << "," << timeouts.prevote_ms << "," << timeouts.prevote_delta_ms << ","
      << timeouts.precommit_ms << "," << timeouts.precommit_delta_ms << " --max-future-rounds "
      << max_future_rounds << " --break-locking " << (break_locking ? 1 : 0) << " --trust-height-claims "
      << (trust_height_claims ? 1 : 0) << " --inbound-queue " << (inbound_queue ? 1 : 0) << " --inbound-bound "
      << inbound_bound << " --inbound-per-peer " << inbound_per_peer << " --message-cost-us " << message_cost_us
      << " --evidence-cost-us " << evidence_cost_us << " --evidence-limits " << (evidence_limits ? 1 : 0)
      << " --max-events " << max_events;
  return out.str();
}

std::string SimResult::Summary() const {
  std::ostringstream out;
  out << "seed=" << seed << (ok ? " ok" : " FAIL") << " heights=" << committed_height << " time=" << end_time_ms
      << "ms events=" << events << " msgs=" << messages << " max_round=" << max_round << " evidence=" << evidence << " wal_replays=" << wal_replays
      << " penalties=" << penalties << " inbound_dropped=" << inbound_dropped << " evidence_refused="
      << evidence_refused << " bans=" << bans << " trace=" << std::hex << trace_hash << std::dec;
  if (!ok) out << " | " << failure << " | replay: " << replay;
  return out.str();
}

SimResult RunSimulation(const SimConfig& config, uint64_t seed) {
  return RunSimulation(config, seed, nullptr);
}

SimResult RunSimulation(const SimConfig& config, uint64_t seed, std::ostream* log) {
  World world(config, seed, log);
  return world.Run();
}

const std::vector<SimConfig>& Presets() {
  static const std::vector<SimConfig> presets = [] {
    auto make = [](std::string name, uint32_t n, uint32_t byz, std::vector<Fault> faults) {
      SimConfig c;
      c.name = std::move(name);
      c.validators = n;
      c.byzantine = byz;
      c.faults = std::move(faults);
      return c;
    };
    std::vector<SimConfig> out;
    out.push_back(make("n4_honest", 4, 0, {}));
    out.push_back(make("n4_byz", 4, 1, {}));  // one faulty node of a kind the seed picks
    out.push_back(make("n7_byz", 7, 2, {}));
    out.push_back(make("n10_byz", 10, 3, {}));
    out.push_back(make("n4_twins", 4, 1, {Fault::kTwins}));
    out.push_back(make("n7_equivocate", 7, 2, {Fault::kEquivocatingProposer, Fault::kEquivocatingVoter}));
    SimConfig lossy = make("n4_lossy", 4, 1, {});
    lossy.drop_permille = 300;
    lossy.heal_ms = 6000;
    out.push_back(lossy);
    // The split-brain attacker on a network it can count on (few drops, no
    // partitions, slow catch-up): only the locks keep the correct nodes safe.
    SimConfig forker = make("n4_forker", 4, 1, {Fault::kForker});
    forker.drop_permille = 50;
    forker.partitions = false;
    forker.gossip_interval_ms = 1000;
    out.push_back(forker);
    // The self-test: the same attack on honest cores that ignore their locks
    // (CoreOptions::unsafe_ignore_lock_for_testing). A fork must be found.
    SimConfig teeth = forker;
    teeth.name = "teeth_n4";
    teeth.break_locking = true;
    out.push_back(teeth);
    // Liveness attackers of issue 12, on a lossy, partitioned network.
    out.push_back(make("n4_height_liar", 4, 1, {Fault::kHeightLiar}));
    out.push_back(make("n7_height_liar", 7, 2, {Fault::kHeightLiar}));
    out.push_back(make("n4_next_height_spam", 4, 1, {Fault::kNextHeightSpammer}));
    // The self-test: honest nodes that believe unproven height claims stall.
    SimConfig trusting = make("teeth_height_claims", 4, 1, {Fault::kHeightLiar});
    trusting.trust_height_claims = true;
    trusting.liveness_ms = 20000;
    out.push_back(trusting);
    // The floods of issue 12, against the node model of the reactor's inbound
    // queue and the engine's evidence limits (SimConfig::inbound_queue).
    SimConfig evidence_flood = make("n4_evidence_flood", 4, 1, {Fault::kEvidenceFlooder});
    evidence_flood.inbound_queue = true;
    out.push_back(evidence_flood);
    SimConfig inbound_flood = make("n4_inbound_flood", 4, 1, {Fault::kInboundFlooder});
    inbound_flood.inbound_queue = true;
    out.push_back(inbound_flood);
    SimConfig floods = make("n7_floods", 7, 2, {Fault::kEvidenceFlooder, Fault::kInboundFlooder});
    floods.inbound_queue = true;
    out.push_back(floods);
    // The self-tests: the same floods without the evidence limits, and without
    // the per-peer share of the inbound queue, stall the chain.
    SimConfig unlimited = evidence_flood;
    unlimited.name = "teeth_evidence_flood";
    unlimited.evidence_limits = false;
    unlimited.liveness_ms = 20000;
    out.push_back(unlimited);
    SimConfig unshared = inbound_flood;
    unshared.name = "teeth_inbound_flood";
    unshared.inbound_per_peer = 0;
    unshared.liveness_ms = 20000;
    out.push_back(unshared);
    return out;
  }();
  return presets;
}

std::optional<SimConfig> FindPreset(std::string_view name) {
  for (const SimConfig& c : Presets()) {
    if (c.name == name) return c;
  }
  return std::nullopt;
}

std::string ReplayCommand(const SimConfig& config, uint64_t seed) {
  std::optional<SimConfig> preset = FindPreset(config.name);
  if (preset && *preset == config) return "civic-sim --preset " + config.name + " --seed " + std::to_string(seed);
  return "civic-sim --seed " + std::to_string(seed) + " " + config.ToFlags();
}

}  // namespace civic::sim
