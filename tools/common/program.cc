#include "tools/common/program.h"

#include <sodium.h>

#include <exception>
#include <iostream>

namespace civic::tools {
namespace {

// The deepest command named on the command line; its path ("net init ") goes to `path` if given.
const CLI::App* DeepestCommand(const CLI::App& app, std::string* path = nullptr) {
  const CLI::App* cur = &app;
  for (;;) {
    auto subs = cur->get_subcommands();
    if (subs.empty()) return cur;
    cur = subs.front();
    if (path) *path += cur->get_name() + " ";
  }
}

void PrintError(const std::string& program, const CliContext& ctx, const CmdStatus& result) {
  const Status& st = result.status();
  if (ctx.common.json) {
    boost::json::object err;
    err["app_code"] = st.app_code();
    err["code"] = CodeName(st.code());
    err["message"] = st.message();
    PrintJson(boost::json::object{{"error", std::move(err)}});
  }
  std::cerr << program << ": error: " << st.ToString() << "\n";
  if (result.exit_code() == kExitUsage) {
    std::string path;
    for (const CLI::App* a = ctx.selected_app; a && a->get_parent(); a = a->get_parent()) {
      path = a->get_name() + (path.empty() ? "" : " " + path);
    }
    std::cerr << "Run '" << program << " " << (path.empty() ? "" : path + " ") << "--help' for usage.\n";
  }
}

}  // namespace

int RunProgram(const ProgramInfo& program, int argc, char** argv) {
  if (sodium_init() < 0) {
    std::cerr << program.name << ": error: INTERNAL: libsodium failed to initialise\n";
    return kExitRuntime;
  }
  CLI::App app{program.description, program.name};
  app.set_version_flag("--version", program.version);
  app.require_subcommand(1);
  app.get_formatter()->column_width(36);

  CliContext ctx;
  program.add_commands(&app, &ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << program.name << ": error: " << e.what() << "\n";
    // Point at the help of the deepest command that was named.
    std::string path;
    DeepestCommand(app, &path);
    std::cerr << "Run '" << program.name << " " << path << "--help' for usage.\n";
    return kExitUsage;
  }
  if (!ctx.selected) {
    // A command group named without one of its commands.
    std::cerr << program.name << ": error: choose a command\n" << DeepestCommand(app)->help() << "\n";
    return kExitUsage;
  }
  CmdStatus result;
  try {
    result = ctx.selected();
  } catch (const std::exception& e) {
    result = CmdStatus(Status::Internal(std::string("unexpected error: ") + e.what()));
  }
  if (!result.ok()) PrintError(program.name, ctx, result);
  return result.exit_code();
}

}  // namespace civic::tools
