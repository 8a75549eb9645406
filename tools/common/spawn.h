// Starting a program detached from the terminal: the local-network manager
// starts civicd this way, the benchmarks their servers and load generators.
//
// SpawnDetached forks and execs `program` (a path) with argv (argv[0] is the
// name the process shows), in a session of its own (so the terminal's Ctrl-C
// does not reach it), stdin from /dev/null, stdout and stderr appended to
// `log_path` (/dev/null when empty). Returns the child's pid; the caller reaps
// it. Typed errors: INTERNAL (empty argv), IO_ERROR (fork failed). A
// failed exec shows as the child exiting with 127. Thread-safe.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "crypto/base/status.h"

namespace civic::tools {

Result<pid_t> SpawnDetached(const std::string& program, const std::vector<std::string>& argv,
                            const std::string& log_path);

}  // namespace civic::tools
