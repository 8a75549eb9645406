#include "tests/faults/fault_mesh.h"

#include <algorithm>
#include <future>

namespace civic::faults {

FaultMesh::FaultMesh(uint64_t seed)
    : work_(boost::asio::make_work_guard(io_)), seed_(seed), thread_([this] { io_.run(); }) {}

FaultMesh::~FaultMesh() {
  for (auto& [link, proxy] : proxies_) proxy->Stop();
  // Every Stop posted before this runs; then nothing else needs the thread.
  std::promise<void> stopped;
  boost::asio::post(io_, [&stopped] { stopped.set_value(); });
  stopped.get_future().wait();
  io_.stop();
  thread_.join();
  proxies_.clear();
}

uint16_t FaultMesh::AddLink(size_t from, size_t to, uint16_t port) {
  auto proxy = std::make_unique<FaultProxy>(io_, port, seed_ + proxies_.size());
  const uint16_t through = proxy->port();
  proxies_[{from, to}] = std::move(proxy);
  return through;
}

std::vector<std::pair<FaultProxy*, Direction>> FaultMesh::Sending(size_t a, size_t b) const {
  std::vector<std::pair<FaultProxy*, Direction>> out;
  if (auto it = proxies_.find({a, b}); it != proxies_.end()) {
    out.emplace_back(it->second.get(), Direction::kDialerToListener);
  }
  if (auto it = proxies_.find({b, a}); it != proxies_.end()) {
    out.emplace_back(it->second.get(), Direction::kListenerToDialer);
  }
  return out;
}

void FaultMesh::SetOneWay(size_t from, size_t to, const LinkFaults& faults) {
  for (auto [proxy, direction] : Sending(from, to)) proxy->Set(direction, faults);
}

void FaultMesh::SetEverywhere(const LinkFaults& faults) {
  for (auto& [link, proxy] : proxies_) {
    proxy->Set(Direction::kDialerToListener, faults);
    proxy->Set(Direction::kListenerToDialer, faults);
  }
}

void FaultMesh::Partition(const std::vector<size_t>& side, bool cut) {
  auto in_side = [&](size_t n) { return std::find(side.begin(), side.end(), n) != side.end(); };
  for (auto& [link, proxy] : proxies_) {
    if (in_side(link.first) != in_side(link.second)) proxy->SetRefusing(cut);
  }
}

void FaultMesh::ResetLink(size_t a, size_t b) {
  for (auto [proxy, direction] : Sending(a, b)) proxy->ResetConnections();
}

void FaultMesh::ResetEverywhere() {
  for (auto& [link, proxy] : proxies_) proxy->ResetConnections();
}

void FaultMesh::HealAll() {
  for (auto& [link, proxy] : proxies_) proxy->Heal();
}

ProxyStats FaultMesh::Totals() const {
  ProxyStats total;
  for (const auto& [link, proxy] : proxies_) {
    const ProxyStats s = proxy->stats();
    total.accepted += s.accepted;
    total.refused += s.refused;
    total.resets += s.resets;
    total.bytes[0] += s.bytes[0];
    total.bytes[1] += s.bytes[1];
  }
  return total;
}

}  // namespace civic::faults
