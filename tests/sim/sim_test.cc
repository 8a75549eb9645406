// Seed sweeps of the consensus simulator (at least 500 seeds in all), its
// determinism, and proof that it catches a broken locking rule.
#include <gtest/gtest.h>

#include "tests/sim/sim.h"

namespace civic::sim {
namespace {

SimConfig Preset(const std::string& name) {
  std::optional<SimConfig> c = FindPreset(name);
  EXPECT_TRUE(c.has_value()) << name;
  return c.value_or(SimConfig{});
}

// Runs seeds [first, first + count) and fails with the summary (and the replay
// command) of every failing seed.
void Sweep(const std::string& preset, uint64_t first, uint64_t count) {
  const SimConfig config = Preset(preset);
  uint64_t failures = 0;
  for (uint64_t seed = first; seed < first + count; ++seed) {
    SimResult r = RunSimulation(config, seed);
    if (!r.ok) {
      ++failures;
      ADD_FAILURE() << preset << " " << r.Summary();
      if (failures >= 3) return;  // enough to debug; do not flood the log
    } else {
      EXPECT_GE(r.committed_height, config.target_heights) << preset << " " << r.Summary();
    }
  }
}

// 4 validators.
TEST(SimSweep, N4Honest) { Sweep("n4_honest", 1000, 80); }
TEST(SimSweep, N4ByzantineA) { Sweep("n4_byz", 2000, 60); }
TEST(SimSweep, N4ByzantineB) { Sweep("n4_byz", 2060, 60); }
TEST(SimSweep, N4Twins) { Sweep("n4_twins", 3000, 50); }
TEST(SimSweep, N4Lossy) { Sweep("n4_lossy", 4000, 40); }
TEST(SimSweep, N4Forker) { Sweep("n4_forker", 4500, 40); }
// 7 validators.
TEST(SimSweep, N7ByzantineA) { Sweep("n7_byz", 5000, 50); }
TEST(SimSweep, N7ByzantineB) { Sweep("n7_byz", 5050, 50); }
TEST(SimSweep, N7Equivocate) { Sweep("n7_equivocate", 6000, 50); }
// 10 validators.
TEST(SimSweep, N10ByzantineA) { Sweep("n10_byz", 7000, 35); }
TEST(SimSweep, N10ByzantineB) { Sweep("n10_byz", 7035, 35); }
// 80 + 120 + 50 + 40 + 40 + 100 + 50 + 70 = 550 seeds.

TEST(SimDeterminism, SameSeedSameTrace) {
  for (const std::string name : {"n4_byz", "n7_equivocate", "n10_byz", "n4_evidence_flood", "n4_inbound_flood"}) {
    const SimConfig config = Preset(name);
    for (uint64_t seed : {11u, 12u}) {
      SimResult a = RunSimulation(config, seed);
      SimResult b = RunSimulation(config, seed);
      EXPECT_EQ(a.trace_hash, b.trace_hash) << name << " seed " << seed;
      EXPECT_EQ(a.events, b.events);
      EXPECT_EQ(a.messages, b.messages);
      EXPECT_EQ(a.end_time_ms, b.end_time_ms);
      EXPECT_EQ(a.ok, b.ok);
      EXPECT_EQ(a.failure, b.failure);
    }
  }
}

TEST(SimDeterminism, DifferentSeedsDiffer) {
  const SimConfig config = Preset("n4_byz");
  EXPECT_NE(RunSimulation(config, 1).trace_hash, RunSimulation(config, 2).trace_hash);
}

// The simulator has teeth: with the locking rule broken in the honest cores
// (CoreOptions::unsafe_ignore_lock_for_testing), it must find a fork, and the
// failing seed must replay to the same failure.
TEST(SimTeeth, BrokenLockingIsCaught) {
  const SimConfig config = Preset("teeth_n4");
  std::optional<SimResult> found;
  uint64_t tried = 0;
  for (uint64_t seed = 1; seed <= 300 && !found; ++seed, ++tried) {
    SimResult r = RunSimulation(config, seed);
    if (!r.ok && r.failure.rfind("SAFETY", 0) == 0) found = r;
  }
  ASSERT_TRUE(found.has_value()) << "no safety violation found in " << tried << " seeds with locking broken";
  std::cout << "broken locking caught after " << tried << " seeds: " << found->Summary() << "\n";
  EXPECT_NE(found->replay.find("--preset teeth_n4 --seed " + std::to_string(found->seed)), std::string::npos);
  SimResult again = RunSimulation(config, found->seed);
  EXPECT_EQ(again.failure, found->failure);
  EXPECT_EQ(again.trace_hash, found->trace_hash);
}

// The same seeds with the lock intact are safe.
TEST(SimTeeth, IntactLockingIsSafe) {
  SimConfig config = Preset("teeth_n4");
  config.break_locking = false;
  SimConfig forker = Preset("n4_forker");
  forker.name = config.name;
  EXPECT_EQ(forker, config);  // the very same attack, the lock intact
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    SimResult r = RunSimulation(config, seed);
    EXPECT_TRUE(r.ok) << r.Summary();
  }
}

TEST(SimEvidence, EquivocatorsAreReported) {
  SimConfig config = Preset("n7_equivocate");
  config.faults = {Fault::kEquivocatingVoter};
  uint64_t with_evidence = 0;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    SimResult r = RunSimulation(config, seed);
    EXPECT_TRUE(r.ok) << r.Summary();
    if (r.evidence > 0) ++with_evidence;
  }
  EXPECT_GE(with_evidence, 8u);
}

// Crashes hit nodes between writing their WAL and sending; restarted nodes
// replay it (and the SAFETY check proves they never sign anything different).
TEST(SimCrashes, RestartedNodesReplayTheirWal) {
  SimConfig config = Preset("n4_honest");
  config.crash_permille = 20;
  uint64_t replays = 0;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    SimResult r = RunSimulation(config, seed);
    EXPECT_TRUE(r.ok) << r.Summary();
    replays += r.wal_replays;
  }
  EXPECT_GE(replays, 10u);
}

// Issue 12 liveness attacks by one admitted validator (two of seven): honest
// nodes keep committing to the target within the liveness bound on every seed.
TEST(SimLiveness, HeightLiarN4) { Sweep("n4_height_liar", 8000, 100); }
TEST(SimLiveness, HeightLiarN7) { Sweep("n7_height_liar", 8100, 40); }
TEST(SimLiveness, NextHeightSpamN4) { Sweep("n4_next_height_spam", 8200, 100); }

// The liar's unserved claims are dropped and penalised, not just ignored.
TEST(SimLiveness, HeightLiarIsPenalised) {
  const SimConfig config = Preset("n4_height_liar");
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    SimResult r = RunSimulation(config, seed);
    EXPECT_TRUE(r.ok) << r.Summary();
    EXPECT_GT(r.penalties, 0u) << r.Summary();
  }
}

// The simulator catches the old behaviour: nodes that stop proposing on any
// peer's unproven height claim stall under the height liar.
TEST(SimTeeth, TrustedHeightClaimsStall) {
  const SimConfig config = Preset("teeth_height_claims");
  uint64_t stalled = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    SimResult r = RunSimulation(config, seed);
    if (!r.ok && r.failure.rfind("LIVENESS", 0) == 0) ++stalled;
  }
  EXPECT_GE(stalled, 15u);
  SimConfig fixed = config;
  fixed.trust_height_claims = false;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    SimResult r = RunSimulation(fixed, seed);
    EXPECT_TRUE(r.ok) << r.Summary();
  }
}

// The floods of issue 12 by one admitted validator (two of seven), against
// the node model of the reactor's inbound queue and the engine's evidence
// limits: honest nodes keep committing within the liveness bound on every seed.
TEST(SimLiveness, EvidenceFloodN4A) { Sweep("n4_evidence_flood", 8300, 100); }
TEST(SimLiveness, EvidenceFloodN4B) { Sweep("n4_evidence_flood", 8400, 100); }
TEST(SimLiveness, InboundFloodN4A) { Sweep("n4_inbound_flood", 8500, 100); }
TEST(SimLiveness, InboundFloodN4B) { Sweep("n4_inbound_flood", 8600, 100); }
TEST(SimLiveness, FloodsN7) { Sweep("n7_floods", 8700, 40); }

// The flooders are refused, scored and disconnected, not just outlasted.
TEST(SimLiveness, FloodersAreRefusedAndDisconnected) {
  for (const std::string name : {"n4_evidence_flood", "n4_inbound_flood"}) {
    const SimConfig config = Preset(name);
    for (uint64_t seed = 1; seed <= 10; ++seed) {
      SimResult r = RunSimulation(config, seed);
      EXPECT_TRUE(r.ok) << name << " " << r.Summary();
      EXPECT_GT(r.bans, 0u) << name << " " << r.Summary();
      EXPECT_GT(name == "n4_evidence_flood" ? r.evidence_refused : r.inbound_dropped, 0u) << name << " " << r.Summary();
    }
  }
}

// The simulator catches the floods' effect without the defences: with every
// evidence item verified and nothing scored, or with one inbound queue that a
// single peer may fill, the chain stalls; the same seeds with them do not.
void ExpectStallsWithoutTheDefence(const std::string& teeth, const std::string& defended) {
  const SimConfig config = Preset(teeth);
  uint64_t stalled = 0;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    SimResult r = RunSimulation(config, seed);
    if (!r.ok && r.failure.rfind("LIVENESS", 0) == 0) ++stalled;
  }
  EXPECT_GE(stalled, 9u) << teeth;
  SimConfig fixed = Preset(defended);
  fixed.liveness_ms = config.liveness_ms;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    SimResult r = RunSimulation(fixed, seed);
    EXPECT_TRUE(r.ok) << defended << " " << r.Summary();
  }
}

TEST(SimTeeth, UnlimitedEvidenceStalls) { ExpectStallsWithoutTheDefence("teeth_evidence_flood", "n4_evidence_flood"); }
TEST(SimTeeth, UnsharedInboundQueueStalls) {
  ExpectStallsWithoutTheDefence("teeth_inbound_flood", "n4_inbound_flood");
}

TEST(SimConfigTest, ReplayCommand) {
  SimConfig c = Preset("n7_byz");
  EXPECT_EQ(ReplayCommand(c, 9), "civic-sim --preset n7_byz --seed 9");
  c.drop_permille = 123;
  const std::string custom = ReplayCommand(c, 9);
  EXPECT_NE(custom.find("--drop 123"), std::string::npos);
  EXPECT_NE(custom.find("--seed 9"), std::string::npos);
  EXPECT_FALSE(FindPreset("no_such_preset").has_value());
  EXPECT_EQ(ParseFault("twins"), Fault::kTwins);
  EXPECT_EQ(ParseFault("evidence-flooder"), Fault::kEvidenceFlooder);
  EXPECT_EQ(ParseFault("inbound-flooder"), Fault::kInboundFlooder);
  SimConfig teeth = Preset("teeth_inbound_flood");
  EXPECT_NE(ReplayCommand(teeth, 3).find("--preset teeth_inbound_flood"), std::string::npos);
  teeth.inbound_per_peer = 7;
  EXPECT_NE(ReplayCommand(teeth, 3).find("--inbound-queue 1 --inbound-bound 20000 --inbound-per-peer 7"),
            std::string::npos);
  EXPECT_FALSE(ParseFault("bogus").has_value());
}

}  // namespace
}  // namespace civic::sim
