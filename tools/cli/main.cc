// civic: the CivicLedger command line.
#include "tools/cli/commands.h"
#include "tools/cli/external_command.h"
#include "tools/common/program.h"

int main(int argc, char** argv) {
  using namespace civic::tools;
  ProgramInfo civic{
      "civic", "civic 0.1.0",
      "civic: the CivicLedger command line. Keys, genesis and local networks; e-certificates\n"
      "(issue, renew, replace, suspend, reinstate, revoke, show, verify); bulk import of\n"
      "existing certificates; governance; chain queries.",
      [](CLI::App* app, CliContext* ctx) {
        AddKeyCommands(app, ctx);
        AddNetCommands(app, ctx);
        AddCertCommands(app, ctx);
        AddGovCommands(app, ctx);
        AddChainCommands(app, ctx);
        AddImportCommands(app, ctx);
        AddCreditCommands(app, ctx);
        AddSharingCommands(app, ctx);
        AddVerifyCommands(app, ctx);
        AddIssuerCommands(app, ctx);
        AddExternalCommand(
            app, ctx, "bench", "civic-bench",
            "Benchmarks against a civicd the bench starts itself (docs/PERFORMANCE.md); runs civic-bench.");
      }};
  return RunProgram(civic, argc, argv);
}
