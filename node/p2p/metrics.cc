#include "node/p2p/metrics.h"

#include <string>

namespace civic::node::p2p {
namespace {

prometheus::Counter& NewCounter(prometheus::Registry& registry, const std::string& field, const std::string& help) {
  return prometheus::BuildCounter().Name("civic_p2p_" + field + "_total").Help(help).Register(registry).Add({});
}

prometheus::Gauge& NewGauge(prometheus::Registry& registry, const std::string& field, const std::string& help) {
  return prometheus::BuildGauge().Name("civic_p2p_" + field).Help(help).Register(registry).Add({});
}

}  // namespace

LiveMetrics RegisterMetrics(prometheus::Registry& registry) {
  return LiveMetrics{
#define CIVIC_P2P_FIELD(name, type, help) New##type(registry, #name, help),
      CIVIC_P2P_METRICS(CIVIC_P2P_FIELD)
#undef CIVIC_P2P_FIELD
  };
}

P2PMetrics LiveMetrics::Snapshot() const {
  P2PMetrics out;
#define CIVIC_P2P_FIELD(name, type, help) out.name = static_cast<uint64_t>(name.Value());
  CIVIC_P2P_METRICS(CIVIC_P2P_FIELD)
#undef CIVIC_P2P_FIELD
  return out;
}

}  // namespace civic::node::p2p
