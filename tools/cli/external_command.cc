#include "tools/cli/external_command.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "tools/common/errors.h"

namespace civic::tools {
namespace {

CmdStatus Exec(const std::string& program, const std::vector<std::string>& args) {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return Status::Internal("cannot read /proc/self/exe: " + ec.message());
  std::string path = (self.parent_path() / program).string();
  if (::access(path.c_str(), X_OK) != 0) {
    return Status::NotFound(err::PROGRAM_NOT_FOUND, program + " is not installed next to civic (" + path +
                                                     "); build it: cmake --build --preset release");
  }
  std::vector<char*> argv{const_cast<char*>(path.c_str())};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(path.c_str(), argv.data());
  return Status(Code::kInternal, err::PROGRAM_FAILED, "cannot run " + path + ": " + std::strerror(errno));
}

}  // namespace

void AddExternalCommand(CLI::App* app, CliContext* ctx, const std::string& name, const std::string& program,
                        const std::string& description) {
  CLI::App* cmd = app->add_subcommand(name, description);
  // Arguments the command does not know go to remaining() unparsed, and all of
  // them from the first positional one on; with no help flag of its own, --help
  // is one of them.
  cmd->prefix_command();
  cmd->set_help_flag();
  OnRun(cmd, ctx, [cmd, program] { return Exec(program, cmd->remaining()); });
}

}  // namespace civic::tools
