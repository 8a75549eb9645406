// civic-sim: runs the consensus simulator for a range of seeds, or replays one.
//   civic-sim --preset n7_byz --seeds 1000
//   civic-sim --preset n4_byz --seed 42            (replay one seed)
//   civic-sim --preset n4_byz --seed 42 --trace    (narrate it)
//   civic-sim --list
// Any field of the configuration can be overridden (see --help); the replay
// line printed for a failing seed reproduces the run exactly.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "tests/sim/sim.h"

namespace {

bool ParseList(const std::string& text, std::vector<uint64_t>* out) {
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    try {
      size_t used = 0;
      out->push_back(std::stoull(item, &used));
      if (used != item.size()) return false;
    } catch (const std::exception&) {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using civic::sim::SimConfig;
  CLI::App app{"Deterministic simulation of the CivicLedger consensus core"};
  std::string preset = "n4_byz";
  uint64_t seed = 0;
  uint64_t seeds = 1;
  bool list = false;
  bool verbose = false;
  SimConfig o;  // override values
  std::string faults;
  std::string timeouts;
  int partitions = 1;
  int crashes = 1;
  int break_locking = 0;
  int trust_height_claims = 0;
  int inbound_queue = 0;
  int evidence_limits = 1;
  app.add_option("--preset", preset, "named configuration (see --list)");
  app.add_option("--seed", seed, "first seed");
  app.add_option("--seeds", seeds, "number of seeds to run, from --seed on");
  app.add_flag("--list", list, "list the presets");
  app.add_flag("--verbose", verbose, "print every run, not only failures");
  bool trace = false;
  app.add_flag("--trace", trace, "narrate every input and output of every node (use with one seed)");
  app.add_option("--validators", o.validators);
  app.add_option("--byzantine", o.byzantine);
  app.add_option("--faults", faults, "comma-separated: silent,equivocating-proposer,equivocating-voter,twins,invalid-proposer,forker,height-liar,next-height-spammer,evidence-flooder,inbound-flooder");
  app.add_option("--target-heights", o.target_heights);
  app.add_option("--heights-after-heal", o.heights_after_heal);
  app.add_option("--min-delay", o.min_delay_ms);
  app.add_option("--max-delay", o.max_delay_ms);
  app.add_option("--drop", o.drop_permille, "per mille");
  app.add_option("--duplicate", o.duplicate_permille, "per mille");
  app.add_option("--partitions", partitions, "0 or 1");
  app.add_option("--partition-ms", o.partition_ms, "typical partition length (0 = heal / 5)");
  app.add_option("--crashes", crashes, "0 or 1");
  app.add_option("--crash-permille", o.crash_permille);
  app.add_option("--heal", o.heal_ms, "virtual ms until the network heals");
  app.add_option("--liveness", o.liveness_ms, "virtual ms after the heal to reach the target");
  app.add_option("--gossip", o.gossip_interval_ms);
  app.add_option("--timeouts", timeouts, "propose,delta,prevote,delta,precommit,delta (ms)");
  app.add_option("--max-future-rounds", o.max_future_rounds);
  app.add_option("--break-locking", break_locking, "0 or 1 (simulator self-test)");
  app.add_option("--trust-height-claims", trust_height_claims, "0 or 1 (simulator self-test)");
  app.add_option("--inbound-queue", inbound_queue, "0 or 1: the node model of the reactor's inbound queue");
  app.add_option("--inbound-bound", o.inbound_bound, "messages");
  app.add_option("--inbound-per-peer", o.inbound_per_peer, "messages; 0 = no per-peer share (simulator self-test)");
  app.add_option("--message-cost-us", o.message_cost_us);
  app.add_option("--evidence-cost-us", o.evidence_cost_us);
  app.add_option("--evidence-limits", evidence_limits, "0 or 1 (0: simulator self-test)");
  app.add_option("--max-events", o.max_events);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (list) {
    for (const SimConfig& c : civic::sim::Presets()) std::cout << c.name << ": " << c.ToFlags() << "\n";
    return 0;
  }
  std::optional<SimConfig> base = civic::sim::FindPreset(preset);
  if (!base) {
    std::cerr << "unknown preset '" << preset << "' (see --list)\n";
    return 2;
  }
  SimConfig config = *base;
  bool custom = false;
  auto given = [&](const char* flag) {
    const bool g = app.count(flag) > 0;
    custom = custom || g;
    return g;
  };
  if (given("--validators")) config.validators = o.validators;
  if (given("--byzantine")) config.byzantine = o.byzantine;
  if (given("--faults")) {
    config.faults.clear();
    std::stringstream in(faults);
    std::string item;
    while (std::getline(in, item, ',')) {
      std::optional<civic::sim::Fault> f = civic::sim::ParseFault(item);
      if (!f) {
        std::cerr << "unknown fault '" << item << "'\n";
        return 2;
      }
      config.faults.push_back(*f);
    }
  }
  if (given("--target-heights")) config.target_heights = o.target_heights;
  if (given("--heights-after-heal")) config.heights_after_heal = o.heights_after_heal;
  if (given("--min-delay")) config.min_delay_ms = o.min_delay_ms;
  if (given("--max-delay")) config.max_delay_ms = o.max_delay_ms;
  if (given("--drop")) config.drop_permille = o.drop_permille;
  if (given("--duplicate")) config.duplicate_permille = o.duplicate_permille;
  if (given("--partitions")) config.partitions = partitions != 0;
  if (given("--partition-ms")) config.partition_ms = o.partition_ms;
  if (given("--crashes")) config.crashes = crashes != 0;
  if (given("--crash-permille")) config.crash_permille = o.crash_permille;
  if (given("--heal")) config.heal_ms = o.heal_ms;
  if (given("--liveness")) config.liveness_ms = o.liveness_ms;
  if (given("--gossip")) config.gossip_interval_ms = o.gossip_interval_ms;
  if (given("--timeouts")) {
    std::vector<uint64_t> t;
    if (!ParseList(timeouts, &t) || t.size() != 6) {
      std::cerr << "--timeouts wants six comma-separated numbers\n";
      return 2;
    }
    config.timeouts.propose_ms = t[0];
    config.timeouts.propose_delta_ms = t[1];
    config.timeouts.prevote_ms = t[2];
    config.timeouts.prevote_delta_ms = t[3];
    config.timeouts.precommit_ms = t[4];
    config.timeouts.precommit_delta_ms = t[5];
  }
  if (given("--max-future-rounds")) config.max_future_rounds = o.max_future_rounds;
  if (given("--break-locking")) config.break_locking = break_locking != 0;
  if (given("--trust-height-claims")) config.trust_height_claims = trust_height_claims != 0;
  if (given("--inbound-queue")) config.inbound_queue = inbound_queue != 0;
  if (given("--inbound-bound")) config.inbound_bound = o.inbound_bound;
  if (given("--inbound-per-peer")) config.inbound_per_peer = o.inbound_per_peer;
  if (given("--message-cost-us")) config.message_cost_us = o.message_cost_us;
  if (given("--evidence-cost-us")) config.evidence_cost_us = o.evidence_cost_us;
  if (given("--evidence-limits")) config.evidence_limits = evidence_limits != 0;
  if (given("--max-events")) config.max_events = o.max_events;
  if (config.validators == 0 || config.validators > 100 || config.max_delay_ms < config.min_delay_ms ||
      config.gossip_interval_ms == 0) {
    std::cerr << "bad configuration: need 1..100 validators, min-delay <= max-delay, gossip > 0\n";
    return 2;
  }
  if (custom) config.name = "custom";

  uint64_t failures = 0;
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t s = seed; s < seed + seeds; ++s) {
    civic::sim::SimResult r = civic::sim::RunSimulation(config, s, trace ? &std::cout : nullptr);
    if (!r.ok) ++failures;
    if (verbose || !r.ok) std::cout << r.Summary() << "\n";
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: %llu seeds, %llu failed, %.1f s, %.1f seeds/s\n", config.name.c_str(),
              static_cast<unsigned long long>(seeds), static_cast<unsigned long long>(failures), secs,
              secs > 0 ? static_cast<double>(seeds) / secs : 0.0);
  return failures == 0 ? 0 : 1;
}
