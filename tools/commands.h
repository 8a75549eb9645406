// Registration of the `civic` command groups (one file per group).
#pragma once

#include <CLI/CLI.hpp>

#include "tools/cli_common.h"

namespace civic::tools {

void AddKeyCommands(CLI::App* app, CliContext* ctx);     // keygen, key show, genesis
void AddNetCommands(CLI::App* app, CliContext* ctx);     // net init|up|down|status
void AddCertCommands(CLI::App* app, CliContext* ctx);    // cert ...
void AddGovCommands(CLI::App* app, CliContext* ctx);     // gov ...
void AddGovProposeCommands(CLI::App* gov, CliContext* ctx);  // gov propose ... (children of `gov`)
void AddChainCommands(CLI::App* app, CliContext* ctx);   // chain ...
void AddImportCommands(CLI::App* app, CliContext* ctx);  // import, sample
void AddCreditCommands(CLI::App* app, CliContext* ctx);  // credit ...
void AddSharingCommands(CLI::App* app, CliContext* ctx); // sharing ...
// Benchmarks: children of the `bench` command (tools/bench_common.h).
void AddBenchCertCommands(CLI::App* bench, CliContext* ctx);  // bench issue, bench verify
void AddBenchAuditCommands(CLI::App* bench, CliContext* ctx);   // bench audit
void AddBenchCreditCommands(CLI::App* bench, CliContext* ctx);  // bench credit
void AddBenchNetCommands(CLI::App* bench, CliContext* ctx);     // bench net (and its load process)

}  // namespace civic::tools
