// Registration of the `civic` command groups (one file per group).
#pragma once

#include <CLI/CLI.hpp>

#include "tools/common/cli_common.h"

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
void AddVerifyCommands(CLI::App* app, CliContext* ctx);  // verify (light client, cmd_verify.cc)
void AddIssuerCommands(CLI::App* app, CliContext* ctx);  // issuer token create|revoke|list

}  // namespace civic::tools
