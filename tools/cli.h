// The `civic` command line: builds the command table and runs one command.
//
// Returns the process exit code: 0 success, 1 runtime error, 2 bad arguments
// (tools/cli_common.h). Never throws. Not thread-safe (one call per process).
#pragma once

namespace civic::tools {

int RunCli(int argc, char** argv);

}  // namespace civic::tools
