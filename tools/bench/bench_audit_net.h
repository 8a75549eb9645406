// The chain a data-sharing or credit bench runs against: one validator
// (bench::BenchNode) or a local network of several validators running the BFT
// engine (tools/net/net.h), in a temp folder, every civicd stopped by the
// destructor (so also on any error return). Clients talk to node0.
// Typed errors: those of bench::BenchNode, tools/net/net.h, BENCH_BAD_ARGUMENT
// (validators outside 1..kMaxBenchValidators), NODE_NOT_HEALTHY.
// Thread safety: used by one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "node/config.h"
#include "tools/bench/bench_common.h"

namespace civic::tools::bench {

constexpr uint32_t kMaxBenchValidators = 7;

class BenchChain {
 public:
  // Creates the network and starts every node; `tune` is applied to each config first.
  static Result<std::unique_ptr<BenchChain>> Start(uint32_t validators, const std::string& civicd,
                                                   const std::function<void(node::Config*)>& tune);
  ~BenchChain();
  BenchChain(const BenchChain&) = delete;
  BenchChain& operator=(const BenchChain&) = delete;

  Status Stop();
  uint32_t validators() const { return validators_; }
  std::string rpc_url() const;
  const std::string& chain_id() const;
  int pid() const;  // node0's civicd
  std::string data_dir() const;
  // The network of several validators (empty with one validator).
  const Network& network() const { return net_; }
  Result<crypto::KeyPair> OrgKey(std::string_view short_name, std::string* org_code) const;

 private:
  BenchChain() = default;
  uint32_t validators_ = 1;
  std::unique_ptr<BenchNode> single_;
  // Several validators:
  std::optional<TempDir> temp_;
  Network net_;
  bool up_ = false;
  int pid_ = 0;
};

}  // namespace civic::tools::bench
