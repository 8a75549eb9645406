#include "tools/cli.h"

#include <sodium.h>

#include <exception>
#include <iostream>

#include "tools/commands.h"

namespace civic::tools {
namespace {

constexpr const char* kVersion = "civic 0.1.0";

void PrintError(const CliContext& ctx, const CmdStatus& result) {
  const Status& st = result.status();
  if (ctx.common.json) {
    boost::json::object err;
    err["app_code"] = st.app_code();
    err["code"] = CodeName(st.code());
    err["message"] = st.message();
    PrintJson(boost::json::object{{"error", std::move(err)}});
  }
  std::cerr << "civic: error: " << st.ToString() << "\n";
  if (result.exit_code() == kExitUsage) {
    std::string name = ctx.selected_app ? ctx.selected_app->get_name() : "";
    std::string path;
    for (const CLI::App* a = ctx.selected_app; a && a->get_parent(); a = a->get_parent()) {
      path = a->get_name() + (path.empty() ? "" : " " + path);
    }
    std::cerr << "Run 'civic " << (path.empty() ? "" : path + " ") << "--help' for usage.\n";
  }
}

}  // namespace

int RunCli(int argc, char** argv) {
  if (sodium_init() < 0) {
    std::cerr << "civic: error: INTERNAL: libsodium failed to initialise\n";
    return kExitRuntime;
  }
  CLI::App app{
      "civic: the CivicLedger command line. Keys, genesis and local networks; e-certificates\n"
      "(issue, renew, replace, suspend, reinstate, revoke, show, verify); bulk import of\n"
      "existing certificates; governance; chain queries.",
      "civic"};
  app.set_version_flag("--version", kVersion);
  app.require_subcommand(1);
  app.get_formatter()->column_width(36);

  CliContext ctx;
  AddKeyCommands(&app, &ctx);
  AddNetCommands(&app, &ctx);
  AddCertCommands(&app, &ctx);
  AddGovCommands(&app, &ctx);
  AddChainCommands(&app, &ctx);
  AddImportCommands(&app, &ctx);
  AddCreditCommands(&app, &ctx);
  AddSharingCommands(&app, &ctx);
  CLI::App* bench = app.add_subcommand(
      "bench", "Benchmarks against a civicd the bench starts itself (docs/PERFORMANCE.md).");
  bench->require_subcommand(1);
  AddBenchCertCommands(bench, &ctx);
  AddBenchAuditCommands(bench, &ctx);
  AddBenchCreditCommands(bench, &ctx);
  AddBenchNetCommands(bench, &ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "civic: error: " << e.what() << "\n";
    // Point at the help of the deepest command that was named.
    std::string path;
    const CLI::App* cur = &app;
    for (;;) {
      auto subs = cur->get_subcommands();
      if (subs.empty()) break;
      cur = subs.front();
      path += cur->get_name() + " ";
    }
    std::cerr << "Run 'civic " << path << "--help' for usage.\n";
    return kExitUsage;
  }
  if (!ctx.selected) {
    // A command group named without one of its commands.
    std::string path;
    const CLI::App* cur = &app;
    for (;;) {
      auto subs = cur->get_subcommands();
      if (subs.empty()) break;
      cur = subs.front();
      path += cur->get_name() + " ";
    }
    std::cerr << "civic: error: choose a command\n" << cur->help() << "\n";
    return kExitUsage;
  }
  CmdStatus result;
  try {
    result = ctx.selected();
  } catch (const std::exception& e) {
    result = CmdStatus(Status::Internal(std::string("unexpected error: ") + e.what()));
  }
  if (!result.ok()) {
    PrintError(ctx, result);
    return result.exit_code();
  }
  return kExitOk;
}

}  // namespace civic::tools
