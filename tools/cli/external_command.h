// A `civic` command served by another program installed next to civic: `civic
// <name> ARGS...` replaces the civic process with `<civic's folder>/<program>
// ARGS...` (exec: the same pid, signals, output and exit code), so that program's
// code and libraries stay out of civic. Every argument after <name> goes over
// unparsed, --help included.
//
// Typed errors (exit 1): PROGRAM_NOT_FOUND when <program> is not next to civic,
// PROGRAM_FAILED when it cannot be executed. Not thread-safe (one command per process).
#pragma once

#include <string>

#include "tools/common/cli_common.h"

namespace civic::tools {

void AddExternalCommand(CLI::App* app, CliContext* ctx, const std::string& name, const std::string& program,
                        const std::string& description);

}  // namespace civic::tools
