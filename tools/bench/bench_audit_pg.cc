#include "tools/bench/bench_audit_pg.h"

#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "tools/common/errors.h"

namespace civic::tools::bench {
namespace {

Status ProcessFailed(std::string message) {
  return Status(Code::kInternal, err::BENCH_PROCESS_FAILED, std::move(message));
}

Status RunChecked(const std::vector<std::string>& argv, int timeout_s, const std::string& what) {
  CIVIC_ASSIGN_OR_RETURN(RunOutput out, RunProcess(argv, timeout_s));
  if (out.exit_code != 0) {
    return ProcessFailed(what + " failed (exit " + std::to_string(out.exit_code) + "):\n" + out.out);
  }
  return Status::Ok();
}

std::string PqError(pg_conn* conn) {
  std::string m = conn ? PQerrorMessage(conn) : "no connection";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

}  // namespace

std::string FindPgBin() {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string best;
  int best_version = -1;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    std::string name = entry.path().filename().string();
    int version = std::atoi(name.c_str());
    std::string bin = entry.path().string() + "/bin";
    if (version > best_version && ::access((bin + "/initdb").c_str(), X_OK) == 0 &&
        ::access((bin + "/pg_ctl").c_str(), X_OK) == 0) {
      best = bin;
      best_version = version;
    }
  }
  return best;
}

std::vector<std::string> PgServer::AsOwner(std::vector<std::string> argv) const {
  if (!as_postgres_) return argv;
  std::vector<std::string> out = {"runuser", "-u", "postgres", "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

Result<std::unique_ptr<PgServer>> PgServer::Start(const PgServerOptions& options) {
  if (options.port == 0) return Status::InvalidArgument(err::BENCH_BAD_ARGUMENT, "PostgreSQL needs a port");
  std::unique_ptr<PgServer> server(new PgServer());
  server->bin_ = FindPgBin();
  if (server->bin_.empty()) {
    return ToolsMissing("PostgreSQL's server binaries (initdb, pg_ctl under /usr/lib/postgresql)", {"postgresql"});
  }
  server->port_ = options.port;
  CIVIC_ASSIGN_OR_RETURN(TempDir dir, TempDir::Create("civic-bench-pg-"));
  server->dir_ = dir.path();
  server->temp_.emplace(std::move(dir));
  server->as_postgres_ = ::geteuid() == 0;
  if (server->as_postgres_) {
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr) {
      return Status::NotFound(err::BENCH_TOOL_MISSING,
                              "running as root, but there is no 'postgres' user to run initdb as (initdb refuses root)");
    }
    if (::chown(server->dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      return Status::IOError("cannot hand " + server->dir_ + " to the postgres user");
    }
  }
  CIVIC_RETURN_IF_ERROR(RunChecked(server->AsOwner({server->bin_ + "/initdb", "-D", server->data_dir(), "-U", "bench",
                                                    "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"}),
                                   300, "initdb"));
  const std::string server_options = "-p " + std::to_string(options.port) + " -k " + server->dir_ +
                                     " -c listen_addresses=127.0.0.1 -c shared_buffers=" + options.shared_buffers;
  server->running_ = true;  // from here on Stop() tries to stop it, even after a failed start
  CIVIC_RETURN_IF_ERROR(RunChecked(
      server->AsOwner({server->bin_ + "/pg_ctl", "-D", server->data_dir(), "-l", server->dir_ + "/server.log", "-w",
                       "-t", std::to_string(options.start_timeout_s), "-o", server_options, "start"}),
      options.start_timeout_s + 10, "pg_ctl start"));
  return server;
}

PgServer::~PgServer() { Stop(); }

void PgServer::Stop() {
  if (running_) {
    // Signals the postmaster directly rather than through pg_ctl: this also works
    // while the bench is being interrupted (when child commands are cut short).
    // SIGINT = fast shutdown; SIGQUIT = immediate; SIGKILL as the last resort.
    const int postmaster = pid();
    if (postmaster > 0) {
      auto wait_exit = [postmaster](int ms) {
        for (int waited = 0; waited < ms; waited += 50) {
          if (::kill(postmaster, 0) != 0) return true;
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return ::kill(postmaster, 0) != 0;
      };
      ::kill(postmaster, SIGINT);
      if (!wait_exit(30000)) {
        ::kill(postmaster, SIGQUIT);
        if (!wait_exit(10000)) {
          ::kill(postmaster, SIGKILL);
          (void)wait_exit(5000);
        }
      }
    }
    running_ = false;
  }
  temp_.reset();
}

std::string PgServer::conninfo() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=bench dbname=postgres";
}

int PgServer::pid() const {
  std::ifstream in(data_dir() + "/postmaster.pid");
  int pid = 0;
  in >> pid;
  return pid;
}

// ---------------------------------------------------------------------------

Result<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& conninfo) {
  std::unique_ptr<PgConn> c(new PgConn());
  c->conn_ = PQconnectdb(conninfo.c_str());
  if (c->conn_ == nullptr || PQstatus(c->conn_) != CONNECTION_OK) {
    return Status::Unavailable(err::PG_CONNECT_FAILED, "PostgreSQL (" + conninfo + "): " + PqError(c->conn_));
  }
  return c;
}

PgConn::~PgConn() {
  if (conn_ != nullptr) PQfinish(conn_);
}

Status PgConn::Exec(const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  const ExecStatusType st = PQresultStatus(r);
  std::string err = PQresultErrorMessage(r);
  PQclear(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    return Status(Code::kInternal, err::PG_QUERY_FAILED, err.empty() ? PqError(conn_) : err);
  }
  return Status::Ok();
}

namespace {

void ReadAll(PGresult* r, PgRows* rows, int total_column) {
  const int n = PQntuples(r);
  const int m = PQnfields(r);
  rows->rows += static_cast<size_t>(n);
  rows->columns = static_cast<size_t>(m);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < m; ++j) {
      rows->bytes += std::string_view(PQgetvalue(r, i, j), static_cast<size_t>(PQgetlength(r, i, j))).size();
    }
  }
  if (total_column >= 0 && n > 0 && total_column < m) rows->first_value = PQgetvalue(r, 0, total_column);
}

}  // namespace

Result<PgRows> PgConn::Query(const std::string& sql, const std::vector<std::string>& params, int total_column) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p.c_str());
  PGresult* r = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                             nullptr, 0);
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    std::string err = PQresultErrorMessage(r);
    PQclear(r);
    return Status(Code::kInternal, err::PG_QUERY_FAILED, err.empty() ? PqError(conn_) : err);
  }
  PgRows rows;
  ReadAll(r, &rows, total_column);
  PQclear(r);
  return rows;
}

Result<PgRows> PgConn::QueryMulti(const std::string& sql) {
  if (PQsendQuery(conn_, sql.c_str()) != 1) return Status(Code::kInternal, err::PG_QUERY_FAILED, PqError(conn_));
  PgRows rows;
  Status error;
  while (PGresult* r = PQgetResult(conn_)) {
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK) {
      ReadAll(r, &rows, -1);
    } else if (st != PGRES_COMMAND_OK && error.ok()) {
      error = Status(Code::kInternal, err::PG_QUERY_FAILED, PQresultErrorMessage(r));
    }
    PQclear(r);
  }
  CIVIC_RETURN_IF_ERROR(error);
  return rows;
}

Status PgConn::CopyIn(const std::string& copy_sql, const std::function<Result<bool>(std::string* chunk)>& next) {
  PGresult* r = PQexec(conn_, copy_sql.c_str());
  const bool ready = PQresultStatus(r) == PGRES_COPY_IN;
  std::string err = PQresultErrorMessage(r);
  PQclear(r);
  if (!ready) return Status(Code::kInternal, err::PG_COPY_FAILED, err.empty() ? PqError(conn_) : err);
  Status failure;
  std::string chunk;
  for (;;) {
    chunk.clear();
    auto more = next(&chunk);
    if (!more.ok()) {
      failure = more.status();
      break;
    }
    if (!chunk.empty() && PQputCopyData(conn_, chunk.data(), static_cast<int>(chunk.size())) != 1) {
      failure = Status(Code::kInternal, err::PG_COPY_FAILED, PqError(conn_));
      break;
    }
    if (!*more) break;
  }
  PQputCopyEnd(conn_, failure.ok() ? nullptr : "aborted by the bench");
  Status result;
  while (PGresult* end = PQgetResult(conn_)) {
    if (PQresultStatus(end) != PGRES_COMMAND_OK && result.ok()) {
      result = Status(Code::kInternal, err::PG_COPY_FAILED, PQresultErrorMessage(end));
    }
    PQclear(end);
  }
  CIVIC_RETURN_IF_ERROR(failure);
  return result;
}

}  // namespace civic::tools::bench
