// A throw-away PostgreSQL server for `civic bench audit`, and a small libpq
// connection wrapper.
//
// PgServer::Start needs PostgreSQL's server binaries (scripts/setup bench
// installs them; BENCH_TOOL_MISSING says how when they are missing), creates a
// cluster with initdb in a fresh folder under the system temp dir and starts it
// on 127.0.0.1:<port> (unix socket in that folder), trust authentication for the
// user "bench". initdb and the server refuse to run as root, so when the bench
// runs as root they run as the `postgres` system user (runuser), which owns the
// folder. Stop() (also called by the destructor, so an
// error return or an interruption anywhere stops the server) asks the postmaster
// for a fast shutdown (SIGINT), then an immediate one (SIGQUIT), then SIGKILL,
// waits for it to exit and removes the folder.
//
// PgConn: one libpq connection; queries use the text protocol with $n params.
// Typed errors: BENCH_TOOL_MISSING, BENCH_PROCESS_FAILED, PG_CONNECT_FAILED,
// PG_QUERY_FAILED, PG_COPY_FAILED.
// Thread safety: a PgServer is used by one thread; one PgConn per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/base/status.h"
#include "tools/bench/bench_common.h"

struct pg_conn;

namespace civic::tools::bench {

struct PgServerOptions {
  uint16_t port = 0;
  std::string shared_buffers = "512MB";
  int start_timeout_s = 120;
};

class PgServer {
 public:
  static Result<std::unique_ptr<PgServer>> Start(const PgServerOptions& options);
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  void Stop();
  std::string conninfo() const;
  int pid() const;  // the postmaster's pid, 0 if unknown
  std::string data_dir() const { return dir_ + "/data"; }

 private:
  PgServer() = default;
  std::vector<std::string> AsOwner(std::vector<std::string> argv) const;
  std::string bin_;  // folder of initdb, pg_ctl, postgres
  std::optional<TempDir> temp_;
  std::string dir_;
  uint16_t port_ = 0;
  bool as_postgres_ = false;
  bool running_ = false;
};

// The folder holding initdb/pg_ctl of the newest installed PostgreSQL, or "".
std::string FindPgBin();

struct PgRows {
  size_t rows = 0;
  size_t columns = 0;
  size_t bytes = 0;  // sum of the text values' sizes (every value is read)
  std::string first_value;  // row 0, column `total_column` when asked
};

class PgConn {
 public:
  static Result<std::unique_ptr<PgConn>> Connect(const std::string& conninfo);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // One or several statements without params.
  Status Exec(const std::string& sql);
  // One statement with text params; reads every value of the result. When
  // `total_column` >= 0, PgRows::first_value is that column of row 0.
  Result<PgRows> Query(const std::string& sql, const std::vector<std::string>& params, int total_column = -1);
  // Several statements without params; reads every value of every result.
  Result<PgRows> QueryMulti(const std::string& sql);
  // COPY ... FROM STDIN: `next` fills a chunk of text-format lines and returns
  // false when done.
  Status CopyIn(const std::string& copy_sql, const std::function<Result<bool>(std::string* chunk)>& next);

 private:
  PgConn() = default;
  pg_conn* conn_ = nullptr;
};

}  // namespace civic::tools::bench
