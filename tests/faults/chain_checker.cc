#include "tests/faults/chain_checker.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

namespace civic::faults {

namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

uint64_t AsU64(const json::value& v) {
  if (v.is_uint64()) return v.as_uint64();
  if (v.is_int64() && v.as_int64() >= 0) return static_cast<uint64_t>(v.as_int64());
  return 0;
}

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A call retried a few times: a node busy catching up may time out once.
Result<json::value> CallRetrying(rpc::Client& client, std::string_view method, const json::value& params) {
  Result<json::value> r = client.Call(method, params);
  for (int attempt = 0; !r.ok() && r.status().code() != Code::kNotFound && attempt < 3; ++attempt) {
    std::this_thread::sleep_for(200ms);
    r = client.Call(method, params);
  }
  return r;
}

}  // namespace

ChainChecker::ChainChecker(std::vector<uint16_t> rpc_ports) : rpc_ports_(std::move(rpc_ports)) {}

void ChainChecker::Acknowledge(const Bytes& tx_id) {
  std::lock_guard<std::mutex> lock(mu_);
  acknowledged_.push_back(tx_id);
}

size_t ChainChecker::acknowledged() const {
  std::lock_guard<std::mutex> lock(mu_);
  return acknowledged_.size();
}

rpc::Client ChainChecker::ClientOf(size_t node) const {
  rpc::ClientOptions options;
  options.host = "127.0.0.1";
  options.port = rpc_ports_.at(node);
  options.timeout = 5s;
  return rpc::Client(options);
}

Result<uint64_t> ChainChecker::Height(size_t node) const {
  rpc::Client client = ClientOf(node);
  CIVIC_ASSIGN_OR_RETURN(json::value status, client.Call("chain_status"));
  return AsU64(status.at("height"));
}

uint64_t ChainChecker::MaxHeight(const std::vector<size_t>& nodes) const {
  uint64_t max = 0;
  for (size_t n : nodes) {
    Result<uint64_t> h = Height(n);
    if (h.ok()) max = std::max(max, *h);
  }
  return max;
}

Result<std::chrono::milliseconds> ChainChecker::WaitAllAt(const std::vector<size_t>& nodes, uint64_t height,
                                                          std::chrono::milliseconds bound) const {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    std::vector<size_t> behind;
    for (size_t n : nodes) {
      Result<uint64_t> h = Height(n);
      if (!h.ok() || *h < height) behind.push_back(n);
    }
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    if (behind.empty()) return took;
    if (took > bound) {
      return Status::DeadlineExceeded("NOT_LIVE", fmt::format("nodes {} did not reach height {} within {} ms",
                                                              fmt::join(behind, ","), height, bound.count()));
    }
    std::this_thread::sleep_for(50ms);
  }
}

Status ChainChecker::CheckNoFork(const std::vector<size_t>& nodes) const {
  uint64_t common = UINT64_MAX;
  for (size_t n : nodes) {
    CIVIC_ASSIGN_OR_RETURN(uint64_t h, Height(n));
    common = std::min(common, h);
  }
  std::vector<rpc::Client> clients;
  for (size_t n : nodes) clients.push_back(ClientOf(n));
  for (uint64_t h = 1; h <= common; ++h) {
    std::string first_hash;
    for (size_t i = 0; i < nodes.size(); ++i) {
      CIVIC_ASSIGN_OR_RETURN(json::value block,
                             CallRetrying(clients[i], "chain_getBlock", json::object{{"height", h}}));
      std::string hash(block.at("hash").as_string());
      if (first_hash.empty()) first_hash = hash;
      if (hash != first_hash) {
        return Status(
            Code::kInternal, "FORK",
            fmt::format("block {} is {} on node {} but {} on node {}", h, hash, nodes[i], first_hash, nodes[0]));
      }
    }
  }
  return Status::Ok();
}

Status ChainChecker::CheckNoCommitLost(const std::vector<size_t>& nodes) const {
  std::vector<Bytes> ids;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ids = acknowledged_;
  }
  for (size_t n : nodes) {
    rpc::Client client = ClientOf(n);
    for (const Bytes& id : ids) {
      Result<json::value> tx = CallRetrying(client, "chain_getTx", json::object{{"id", ToHex(id)}});
      if (!tx.ok()) {
        return Status::NotFound("COMMIT_LOST", fmt::format("tx {} acknowledged as committed is not on node {}: {}",
                                                           ToHex(id), n, tx.status().ToString()));
      }
    }
  }
  return Status::Ok();
}

Status ChainChecker::CheckStateRoots(const std::vector<size_t>& nodes) const {
  // Blocks keep coming, so one round of chain_status calls may straddle a
  // block. Rounds accumulate (height -> node -> root, each pair from one
  // answer); every height seen on two nodes is compared, until each node has
  // shared a height with another. Nodes are keyed by their place in `nodes`.
  std::map<uint64_t, std::map<size_t, std::string>> roots;
  std::set<size_t> compared;
  for (int round = 0; round < 100; ++round) {
    for (size_t i = 0; i < nodes.size(); ++i) {
      rpc::Client client = ClientOf(nodes[i]);
      CIVIC_ASSIGN_OR_RETURN(json::value status, CallRetrying(client, "chain_status", json::object{}));
      roots[AsU64(status.at("height"))][i] = std::string(status.at("app_state_root").as_string());
    }
    for (const auto& [height, by_node] : roots) {
      if (by_node.size() < 2) continue;
      const auto& [first, first_root] = *by_node.begin();
      for (const auto& [i, root] : by_node) {
        if (root != first_root) {
          return Status(Code::kInternal, "STATE_ROOT_MISMATCH",
                        fmt::format("at height {} node {} has {} but node {} has {}", height, nodes[i], root,
                                    nodes[first], first_root));
        }
        compared.insert(i);
      }
    }
    if (compared.size() == nodes.size()) return Status::Ok();
    std::this_thread::sleep_for(10ms);
  }
  return Status::DeadlineExceeded("NOT_LIVE", "some node never shared a height with another");
}

Status ChainChecker::CheckBlockTimes(size_t node, int64_t max_ahead_ms) const {
  CIVIC_ASSIGN_OR_RETURN(uint64_t top, Height(node));
  rpc::Client client = ClientOf(node);
  int64_t previous = INT64_MIN;
  for (uint64_t h = 1; h <= top; ++h) {
    CIVIC_ASSIGN_OR_RETURN(json::value block, CallRetrying(client, "chain_getBlock", json::object{{"height", h}}));
    const json::value& t = block.at("header").at("time_ms");
    const int64_t time_ms = t.is_int64() ? t.as_int64() : static_cast<int64_t>(AsU64(t));
    if (time_ms <= previous) {
      return Status(Code::kInternal, "BLOCK_TIME",
                    fmt::format("block {} time {} not after the previous {}", h, time_ms, previous));
    }
    if (time_ms > WallClockMs() + max_ahead_ms) {
      return Status(Code::kInternal, "BLOCK_TIME",
                    fmt::format("block {} time {} is {} ms ahead of the clock (limit {})", h, time_ms,
                                time_ms - WallClockMs(), max_ahead_ms));
    }
    previous = time_ms;
  }
  return Status::Ok();
}

Status ChainChecker::CheckAll(const std::vector<size_t>& nodes) const {
  CIVIC_RETURN_IF_ERROR(CheckNoFork(nodes));
  CIVIC_RETURN_IF_ERROR(CheckNoCommitLost(nodes));
  return CheckStateRoots(nodes);
}

}  // namespace civic::faults
