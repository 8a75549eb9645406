// The runner of a tools program (`civic`, `civic-bench`): builds its command
// table, parses the arguments, runs the one command they name and prints its error.
//
// Returns the process exit code: 0 success, 1 runtime error, 2 bad arguments
// (tools/common/cli_common.h); errors print as "<name>: error: APP_CODE: message",
// a usage error with a pointer to the --help of the command named. Never throws
// (an exception from a command becomes INTERNAL). Not thread-safe (one call per process).
#pragma once

#include <functional>
#include <string>

#include "tools/common/cli_common.h"

namespace civic::tools {

struct ProgramInfo {
  std::string name;         // "civic": how messages name the program
  std::string version;      // printed by --version
  std::string description;  // the top of --help
  // Registers the program's commands (leaf commands call OnRun).
  std::function<void(CLI::App*, CliContext*)> add_commands;
};

int RunProgram(const ProgramInfo& program, int argc, char** argv);

}  // namespace civic::tools
