// Writes the files of a network of real civicd nodes for integration tests:
// several genesis validators (the sample genesis, each with its own node key)
// and optional extra nodes, on free loopback ports, with short consensus
// timeouts. A hook chooses the port each node dials for each peer, so a test can
// put a proxy on every link.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/civicd_harness.h"

namespace civic::testing {

// The port node `from` dials to reach node `to` listening on `port`.
using PeerPortFn = std::function<uint16_t(size_t from, size_t to, uint16_t port)>;

// How the nodes after the genesis validators take part.
enum class ExtraNodes {
  kObservers,  // listed in every validator's [p2p] observers
  kJoiners,    // admitted by nobody until governance makes them validators
};

// The files of a network of `validators` genesis validators plus `extra` other
// nodes, one NodeFiles per node (each with its own node key in net.node_key and
// the shared genesis). Validators dial each other; extra nodes dial every
// validator and are dialed by nobody.
std::vector<std::unique_ptr<NodeFiles>> WriteNetwork(size_t validators, const std::string& chain_id, size_t extra = 0,
                                                     ExtraNodes kind = ExtraNodes::kObservers,
                                                     const PeerPortFn& peer_port = {});

}  // namespace civic::testing
