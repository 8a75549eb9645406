// Runs real civicd processes for integration tests: writes a node's key,
// genesis and config into a temp dir, starts civicd as a child process on free
// loopback ports, waits for /healthz, and stops it with SIGTERM or SIGKILL.
// The child's stdout and stderr go to <dir>/civicd.log (printed by tests on
// failure).
#pragma once

#include <sys/types.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "node/config.h"
#include "rpc/client.h"
#include "tests/unit/node/sample_network.h"

namespace civic::testing {

// A free port on 127.0.0.1 below the kernel's ephemeral range, reserved for
// this test process until it exits (tools::FindFreePorts): no test running at
// once picks it, and a node killed and restarted on it finds it free. Throws
// when there is none.
uint16_t PickFreePort();

// The first of `count` consecutive such ports.
uint16_t PickFreeRange(size_t count);

// The files of one node: node key, genesis, config.
struct NodeFiles {
  SampleNetwork net;
  std::unique_ptr<TempDir> dir;
  node::Config config;
  std::filesystem::path config_path;
  std::filesystem::path log_path;
  // What NewClient trusts and presents when the config serves TLS (rpc.tls_cert_file).
  rpc::TlsClientFiles client_tls;
};

// Writes a one-validator sample network's files. `tweak` may adjust the config
// before it is written.
NodeFiles WriteNodeFiles(const std::string& chain_id,
                         const std::function<void(node::Config*)>& tweak = {});

class CivicdProcess {
 public:
  explicit CivicdProcess(const NodeFiles* files);
  ~CivicdProcess();  // SIGKILL if still running

  // fork/exec civicd --config <file>; extra args replace the default ones.
  void Start();
  void StartWithArgs(const std::vector<std::string>& args);
  // "NAME=value" entries added to the environment of the next starts (e.g. a
  // preloaded library that skews the clock).
  void SetExtraEnvironment(std::vector<std::string> vars) { extra_env_ = std::move(vars); }
  // Polls GET /healthz until it answers 200 or the process exits; true if healthy.
  bool WaitHealthy(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // SIGTERM and wait; returns the exit code (or 128 + signal).
  int Terminate(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // SIGKILL and wait.
  void Kill();
  // Waits for the process to exit by itself; exit code, or nullopt on timeout.
  std::optional<int> WaitExit(std::chrono::milliseconds timeout);
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  rpc::Client NewClient(std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
  // The tail of civicd's log, for failure messages.
  std::string LogTail(size_t bytes = 4000) const;

 private:
  const NodeFiles* files_;
  std::vector<std::string> extra_env_;
  pid_t pid_ = -1;
};

// Polls `done` every `every` until it returns true (then true) or `timeout`
// passes (then false). Poll RPC-heavy conditions less often.
bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout,
               std::chrono::milliseconds every = std::chrono::milliseconds(5));

// Parses a JSON number as uint64 (accepts int64/uint64 JSON values).
uint64_t JsonU64(const boost::json::value& v);

// Thin wrappers over the JSON-RPC methods the tests use.
struct Committed {
  Bytes id;
  uint64_t height = 0;
  bool ok = false;           // the tx's own result (a tx may commit with an error)
  std::string app_code;      // of the tx's result
};
// tx_commit; a transport or JSON-RPC error comes back as the Status.
Result<Committed> TxCommit(rpc::Client& client, const Bytes& raw, int64_t timeout_ms = 20000);
// tx_submit; the tx id.
Result<Bytes> TxSubmit(rpc::Client& client, const Bytes& raw);
// chain_status height.
Result<uint64_t> ChainHeight(rpc::Client& client);
// chain_getTx height of a committed tx.
Result<uint64_t> TxHeight(rpc::Client& client, const Bytes& id);

}  // namespace civic::testing
