#include "node/p2p/metrics.h"

#include <string_view>

namespace civic::node::p2p {

P2PMetrics MetricsRegistry::Snapshot() const {
  P2PMetrics out;
#define CIVIC_P2P_FIELD(name, type, help) out.name = name.load(std::memory_order_relaxed);
  CIVIC_P2P_METRICS(CIVIC_P2P_FIELD)
#undef CIVIC_P2P_FIELD
  return out;
}

std::string PrometheusText(const P2PMetrics& metrics, std::string_view prefix) {
  std::string out;
  auto emit = [&](std::string_view field, std::string_view type, std::string_view help, uint64_t value) {
    std::string name = std::string(prefix) + "_" + std::string(field);
    if (type == "counter") name += "_total";
    out += "# HELP " + name + " " + std::string(help) + "\n";
    out += "# TYPE " + name + " " + std::string(type) + "\n";
    out += name + " " + std::to_string(value) + "\n";
  };
#define CIVIC_P2P_FIELD(name, type, help) emit(#name, type, help, metrics.name);
  CIVIC_P2P_METRICS(CIVIC_P2P_FIELD)
#undef CIVIC_P2P_FIELD
  return out;
}

}  // namespace civic::node::p2p
