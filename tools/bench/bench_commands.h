// Registration of the `civic-bench` commands (one file per benchmark; their
// shared pieces are in tools/bench/bench_common.h).
#pragma once

#include <CLI/CLI.hpp>

#include "tools/common/cli_common.h"

namespace civic::tools {

void AddBenchCertCommands(CLI::App* bench, CliContext* ctx);    // issue, verify
void AddBenchAuditCommands(CLI::App* bench, CliContext* ctx);   // audit
void AddBenchCreditCommands(CLI::App* bench, CliContext* ctx);  // credit
void AddBenchNetCommands(CLI::App* bench, CliContext* ctx);     // net (and its load process, net-load)
void AddBenchProofCommands(CLI::App* bench, CliContext* ctx);   // proof

}  // namespace civic::tools
