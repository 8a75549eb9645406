// civicd: the CivicLedger node daemon.
//
//   civicd --config node.toml     run a node until SIGINT or SIGTERM
//   civicd --help | --version
//
// SIGHUP reloads the RPC port's TLS files ([rpc] tls_cert_file, tls_key_file,
// tls_client_ca_file): new connections use the new pair; a pair that does not load is
// logged (event=tls_reload_failed with its typed error) and the old one stays.
//
// Exit codes: 0 after a clean stop; 2 for bad command-line arguments or a bad
// config file (the message on stderr says which key, and where); 1 for errors
// at run time (key file, genesis, storage, port in use, a failing disk).
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "node/config.h"
#include "node/errors.h"
#include "node/node.h"
#include "rpc/error_codes.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

// Logs go to stderr or to node.log_file, one line per event: a timestamp, the
// level and key=value pairs.
civic::Status SetUpLogging(const civic::node::NodeSection& cfg) {
  std::shared_ptr<spdlog::logger> logger;
  try {
    if (cfg.log_file.empty()) {
      logger = std::make_shared<spdlog::logger>("civicd", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    } else {
      logger = std::make_shared<spdlog::logger>(
          "civicd", std::make_shared<spdlog::sinks::basic_file_sink_mt>(cfg.log_file));
    }
  } catch (const spdlog::spdlog_ex& e) {
    return civic::Status::InvalidArgument(
        civic::err::CONFIG_BAD_VALUE, "node.log_file " + cfg.log_file + " cannot be opened: " + e.what());
  }
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z level=%l %v");
  logger->set_level(spdlog::level::from_str(cfg.log_level));
  // Every line reaches the file at once: after a crash the log is complete.
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  return civic::Status::Ok();
}

int Fail(int code, const std::string& what, const civic::Status& status) {
  std::cerr << "civicd: " << what << ": " << status.ToString() << "\n";
  spdlog::critical("event=exit code={} error=\"{}\"", code, status.ToString());
  return code;
}

void ReloadTls(civic::node::Node& node) {
  civic::Status reloaded = node.ReloadRpcTls();
  if (reloaded.ok()) {
    spdlog::info("event=tls_reloaded");
  } else if (reloaded.app_code() == civic::err::TLS_NOT_CONFIGURED) {
    spdlog::info("event=signal signal=SIGHUP note=\"no TLS to reload\"");
  } else {
    spdlog::error("event=tls_reload_failed error=\"{}\" note=\"the previous certificate stays in use\"",
                  reloaded.ToString());
  }
}

int Run(const std::string& config_path) {
  auto config = civic::node::LoadConfig(config_path);
  if (!config.ok()) {
    std::cerr << "civicd: bad config: " << config.status().ToString() << "\n";
    return kExitUsage;
  }
  civic::Status logging = SetUpLogging(config->node);
  if (!logging.ok()) {
    std::cerr << "civicd: bad config: " << logging.ToString() << "\n";
    return kExitUsage;
  }

  // SIGINT/SIGTERM are taken synchronously by this thread (sigtimedwait); block
  // them before any other thread exists so that every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  spdlog::info("event=starting version={} config={}", CIVIC_VERSION, config->path);
  auto node = civic::node::Node::Open(*config);
  if (!node.ok()) return Fail(kExitRuntime, "cannot open the node", node.status());
  civic::Status started = (*node)->Start();
  if (!started.ok()) return Fail(kExitRuntime, "cannot start the node", started);

  int exit_code = kExitOk;
  for (;;) {
    timespec tick{0, 200 * 1000 * 1000};
    int sig = sigtimedwait(&stop_signals, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM) {
      spdlog::info("event=signal signal={}", sig == SIGINT ? "SIGINT" : "SIGTERM");
      break;
    }
    if (sig == SIGHUP) ReloadTls(**node);
    if (auto fatal = (*node)->fatal_error()) {
      std::cerr << "civicd: stopping after a fatal error: " << fatal->ToString() << "\n";
      exit_code = kExitRuntime;
      break;
    }
  }
  (*node)->Stop();
  node->reset();  // closes the database
  spdlog::info("event=exit code={}", exit_code);
  spdlog::shutdown();
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  // Everything the node writes (data dir, database, WAL, logs) is its own.
  ::umask(077);
  CLI::App app{"civicd: the CivicLedger node daemon. Runs one node until SIGINT or SIGTERM."};
  std::string config_path;
  app.add_option("-c,--config", config_path, "The node's TOML config file")->required();
  app.set_version_flag("--version", std::string("civicd ") + CIVIC_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "civicd: " << e.what() << "\nRun 'civicd --help' for usage.\n";
    return kExitUsage;
  }
  try {
    return Run(config_path);
  } catch (const std::exception& e) {
    std::cerr << "civicd: internal error: " << e.what() << "\n";
    return kExitRuntime;
  }
}
