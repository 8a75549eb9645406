// Deterministic cluster simulator for the consensus core.
//
// One process, virtual time, one seed. Every validator runs the REAL
// consensus::Core, driven the way a node drives it (actions executed in order,
// WAL entries persisted before the message leaves), over a simulated network
// with random delays, drops, duplicates, reordering and partitions, with crashes
// and restarts (a restarted node gets a fresh core and replays its MemoryWal) and
// up to f Byzantine validators: silent, equivocating proposer, equivocating
// voter, twins (two nodes sharing one key), invalid proposals, and a "forker"
// that splits the network in its rounds so that only locks prevent a fork; and
// attackers of liveness that take part in consensus while they attack: a height
// liar (block sync status and NoBlocks answers claiming height 2^62, forged and
// self-signed votes for that height) and a next-height spammer (signed
// proposals for the next height in every early round, though it is not their
// proposer); and two flooders that keep the rest of the protocol: an evidence
// flooder (messages of forged evidence items, far more than one message may
// carry, to every node on every gossip tick) and an inbound flooder (a stream
// of its own duplicated stale votes, faster than a node handles messages).
// Byzantine cores also ignore their own locks. Catch-up is modelled too: nodes
// exchange their heights and a node behind receives decided blocks with their
// commit certificates (CommitReceived). Honest nodes judge height claims as a
// node does (consensus/sync_target.h): a peer's status is an unproven claim that
// makes the node request blocks from that peer; only the core's proven
// FUTURE_HEIGHT hint stops it from building its proposal. Signatures are real Ed25519
// (verification results are memoised per run, which changes nothing but speed).
//
// With `inbound_queue` on (the flood models), an honest node is modelled as a
// node's reactor (node/consensus_reactor.h, node/bft_engine.h): consensus and
// evidence messages wait in one inbound queue, bounded in all and per peer,
// served in order, each taking virtual time (message_cost_us, evidence_cost_us
// per item verified); evidence messages obey the engine's limits (at most 16
// items per message, 64 in flight per peer, verification stops at the first
// invalid item); over-quota drops and invalid evidence cost the peer points
// (node/peer_score.h), and a peer over the threshold is disconnected (no
// packets either way) for its ban. Timers, the application's answers and
// block sync are not queued.
//
// After `heal_ms` of virtual time the network heals: no more drops, partitions
// or crashes, every crashed honest node restarts. Checked on every run:
//   SAFETY     no two honest nodes commit different blocks at one height; no honest
//              validator ever sends two different messages for one
//              (height, round, step); no evidence accuses an honest validator;
//   VALIDITY   every block an honest node commits is valid for the chain, and its
//              commit certificate passes ledger::VerifyCommit;
//   PREFIX     all honest chains are prefixes of one chain;
//   LIVENESS   within `liveness_ms` after the heal every honest node has committed
//              max(target_heights, highest height at the heal + heights_after_heal).
//   MEMORY     an honest core never buffers more next-height messages than one per
//              (validator, round, vote type) plus one proposal per round.
//
// The same (config, seed) always gives the same run: same events, same trace
// hash. No wall clock, no std::random_device, no unordered iteration.
// RunSimulation is thread-compatible (independent runs may go in parallel).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core.h"
#include "crypto/base/status.h"

namespace civic::sim {

enum class Fault : uint8_t {
  kHonest = 0,
  kSilent = 1,                // never sends anything
  kEquivocatingProposer = 2,  // as proposer, sends one block to some peers and another to the
                              // rest; sends each of its votes to only some peers
  kEquivocatingVoter = 3,     // sends each vote to some peers and a conflicting one to the rest
  kTwins = 4,                 // two nodes run with the same key, each on its own
  kInvalidProposer = 5,       // as proposer, sends blocks the application rejects
  kForker = 6,                // splits the network in the rounds it proposes so that one
                              // node decides and the others are left with only their locks
  kHeightLiar = 7,            // never proposes; claims height 2^62 by status, NoBlocks and
                              // votes (forged with a random key and with a validator's key,
                              // and its own)
  kNextHeightSpammer = 8,     // sends signed next-height proposals for every early round
  kEvidenceFlooder = 9,       // sends every peer, on each gossip tick, one message of 4000
                              // forged evidence items and 8 of 16 (the most one may carry)
  kInboundFlooder = 10,       // streams copies of its own stale votes to every peer, more
                              // than the peer can handle (its queue share stays full)
};
const char* FaultName(Fault fault);
std::optional<Fault> ParseFault(std::string_view name);

struct SimConfig {
  std::string name = "custom";
  uint32_t validators = 4;
  // Byzantine validators (capped at f = (validators - 1) / 3); their kinds are
  // drawn by the seed from `faults` (all kinds when empty).
  uint32_t byzantine = 0;
  std::vector<Fault> faults;
  uint32_t target_heights = 4;
  uint32_t heights_after_heal = 2;

  // Network, virtual milliseconds and per-mille probabilities.
  uint32_t min_delay_ms = 1;
  uint32_t max_delay_ms = 40;
  uint32_t drop_permille = 50;       // before the heal
  uint32_t duplicate_permille = 30;
  bool partitions = true;            // random partitions before the heal
  uint64_t partition_ms = 0;         // typical length of a partition and of the gap
                                     // between two; 0 = about heal_ms / 5
  bool crashes = true;               // honest nodes crash and restart before the heal
  uint32_t crash_permille = 2;       // per handled event: crash in the middle of its actions
  uint64_t heal_ms = 3000;
  uint64_t liveness_ms = 60000;
  uint32_t gossip_interval_ms = 200;

  consensus::TimeoutConfig timeouts{/*propose*/ 200, 100, /*prevote*/ 100, 50, /*precommit*/ 100, 50, 1000};
  uint32_t max_future_rounds = 8;
  // Honest cores run with CoreOptions::unsafe_ignore_lock_for_testing (test only).
  bool break_locking = false;
  // Honest nodes stop proposing on any peer's unproven height claim and never
  // drop it, as nodes did before claims needed signatures (test only: it shows
  // that the simulator catches a height liar).
  bool trust_height_claims = false;
  // The node's inbound queue, evidence limits and peer score (see above); off:
  // messages are handled the moment they arrive and nothing is scored.
  bool inbound_queue = false;
  uint32_t inbound_bound = 20000;    // messages (ReactorOptions::max_queued_inbound)
  uint32_t inbound_per_peer = 2000;  // one peer's share; 0 = none (test only: the flood's teeth)
  uint32_t message_cost_us = 50;     // virtual time to handle one consensus message
  uint32_t evidence_cost_us = 100;   // to verify one evidence item (two signatures)
  // The engine's evidence limits and the scoring of invalid evidence; off: every
  // item of every message is verified, nothing is scored (test only).
  bool evidence_limits = true;
  // Budget of processed events; exceeding it is reported as a liveness failure.
  uint64_t max_events = 4'000'000;

  bool operator==(const SimConfig&) const = default;
  // "--validators 4 --byzantine 1 ..." covering every field (CLI flags of civic-sim).
  std::string ToFlags() const;
};

struct SimResult {
  bool ok = true;
  std::string failure;  // "SAFETY: ...", "VALIDITY: ...", "LIVENESS: ..."; empty when ok
  uint64_t seed = 0;
  uint64_t trace_hash = 0;
  uint64_t end_time_ms = 0;
  uint64_t events = 0;
  uint64_t messages = 0;
  uint64_t evidence = 0;          // double-vote evidence reported by honest nodes
  uint64_t committed_height = 0;  // lowest committed height among honest nodes at the end
  uint64_t max_round = 0;         // highest round an honest node reached
  uint64_t wal_replays = 0;       // restarts of honest nodes that replayed WAL entries
  uint64_t penalties = 0;         // peers honest nodes penalised for claims they could not serve
  uint64_t inbound_dropped = 0;   // messages honest nodes' inbound queues refused (full, or the share)
  uint64_t evidence_refused = 0;  // evidence messages honest nodes refused or found invalid
  uint64_t bans = 0;              // peers honest nodes disconnected for their score
  std::string replay;             // one-line command that replays this run
  // One line: "seed=.. ok|FAIL heights=.. time=..ms events=.. trace=.. [failure] [replay]".
  std::string Summary() const;
};

SimResult RunSimulation(const SimConfig& config, uint64_t seed);
// The same run, narrating every input and output of every node to `log`.
SimResult RunSimulation(const SimConfig& config, uint64_t seed, std::ostream* log);

// Named configurations (the ones CI runs): n4_*, n7_*, n10_*, teeth_*.
const std::vector<SimConfig>& Presets();
std::optional<SimConfig> FindPreset(std::string_view name);

// The replay command for (config, seed): "civic-sim --preset NAME --seed S" when
// config is a preset, else with every flag.
std::string ReplayCommand(const SimConfig& config, uint64_t seed);

}  // namespace civic::sim
