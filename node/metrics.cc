#include "node/metrics.h"

namespace civic::node {

prometheus::Counter& NewCounter(prometheus::Registry& registry, const std::string& name, const std::string& help,
                                const prometheus::Labels& labels) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add(labels);
}

prometheus::Gauge& NewGauge(prometheus::Registry& registry, const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

uint64_t CountOf(const prometheus::Counter& counter) { return static_cast<uint64_t>(counter.Value()); }

CounterByLabel::CounterByLabel(prometheus::Registry& registry, const std::string& name, const std::string& help,
                               std::string label)
    : family_(prometheus::BuildCounter().Name(name).Help(help).Register(registry)), label_(std::move(label)) {}

uint64_t CounterByLabel::Increment(std::string_view value) {
  prometheus::Counter* counter = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = series_.find(value);
    if (it == series_.end()) {
      it = series_.emplace(std::string(value), &family_.Add({{label_, std::string(value)}})).first;
    }
    counter = it->second;
  }
  counter->Increment();
  return CountOf(*counter);
}

std::map<std::string, uint64_t> CounterByLabel::Values() const {
  std::map<std::string, uint64_t> values;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [value, counter] : series_) values.emplace(value, CountOf(*counter));
  return values;
}

}  // namespace civic::node
