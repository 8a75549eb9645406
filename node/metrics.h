// Node metrics: how the parts of a node put their series in the node's registry
// (prometheus::Registry from prometheus-cpp). The node owns one registry; each
// part registers its series when it is made and updates them as things happen;
// the RPC server adds its own series and serves the registry at /metrics.
//
// NewCounter / NewGauge: the one series of a metric with fixed labels (usually
// none). Registering a name again returns the same series, so each name must
// keep one type and help text.
// CounterByLabel: a counter whose one label takes values known only at run time
// (app codes, refusal reasons). It keeps the series it has made, so an increment
// is a map lookup rather than prometheus-cpp's label hashing under the family's
// lock, and Values() reads the counts back for stats().
//
// Thread safety: everything here may be used from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace civic::node {

prometheus::Counter& NewCounter(prometheus::Registry& registry, const std::string& name, const std::string& help,
                                const prometheus::Labels& labels = {});
prometheus::Gauge& NewGauge(prometheus::Registry& registry, const std::string& name, const std::string& help);

// A counter's value as the integer it counts.
uint64_t CountOf(const prometheus::Counter& counter);

class CounterByLabel {
 public:
  CounterByLabel(prometheus::Registry& registry, const std::string& name, const std::string& help,
                 std::string label);

  // Returns the count of `value` after the increment.
  uint64_t Increment(std::string_view value);
  // Every label value counted so far, with its count.
  std::map<std::string, uint64_t> Values() const;

 private:
  prometheus::Family<prometheus::Counter>& family_;
  const std::string label_;
  mutable std::mutex mu_;
  std::map<std::string, prometheus::Counter*, std::less<>> series_;
};

}  // namespace civic::node
