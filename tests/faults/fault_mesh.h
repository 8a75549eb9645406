// FaultMesh: a FaultProxy on every link of an n-node network and the one
// thread that runs them all. Node `from` dials node `to` through the proxy
// AddLink(from, to, ...) returns; a pair of nodes has two such proxies (each
// may dial the other), so a one-way fault from A to B is set on both: A's
// sending side of the A->B proxy and B's receiving side of the B->A one.
//
// Thread safety: every method may be called from any thread; AddLink before
// the nodes start. Randomness: proxy k (in AddLink order) is seeded with
// seed + k.
#pragma once

#include <map>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "tests/faults/fault_proxy.h"

namespace civic::faults {

class FaultMesh {
 public:
  explicit FaultMesh(uint64_t seed);
  ~FaultMesh();  // stops the proxies, then the thread
  FaultMesh(const FaultMesh&) = delete;
  FaultMesh& operator=(const FaultMesh&) = delete;

  // A proxy for node `from` dialing node `to`, whose p2p port is `port`; the
  // port `from` should dial instead.
  uint16_t AddLink(size_t from, size_t to, uint16_t port);

  // What `from` sends to `to`.
  void SetOneWay(size_t from, size_t to, const LinkFaults& faults);
  // Both directions of every link.
  void SetEverywhere(const LinkFaults& faults);
  // Every link with one end in `side` and the other not: refusing (cut both
  // ways) or not.
  void Partition(const std::vector<size_t>& side, bool cut);
  // Resets every open connection between a and b.
  void ResetLink(size_t a, size_t b);
  void ResetEverywhere();
  // No faults anywhere.
  void HealAll();

  // Sums over every proxy.
  ProxyStats Totals() const;
  // The proxy `from` dials `to` through; requires AddLink(from, to, ...).
  const FaultProxy& link(size_t from, size_t to) const { return *proxies_.at({from, to}); }

 private:
  // The proxies between a and b in either dialing direction, with the
  // direction that carries what a sends.
  std::vector<std::pair<FaultProxy*, Direction>> Sending(size_t a, size_t b) const;

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  const uint64_t seed_;
  std::map<std::pair<size_t, size_t>, std::unique_ptr<FaultProxy>> proxies_;  // (from, to)
  std::thread thread_;
};

}  // namespace civic::faults
