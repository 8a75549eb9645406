// civic-bench: the CivicLedger benchmarks (also run as `civic bench`).
#include "tools/bench/bench_commands.h"
#include "tools/common/program.h"

int main(int argc, char** argv) {
  using namespace civic::tools;
  ProgramInfo bench{"civic-bench", "civic-bench 0.1.0",
                    "civic-bench: benchmarks against a civicd the bench starts itself (docs/PERFORMANCE.md).",
                    [](CLI::App* app, CliContext* ctx) {
                      AddBenchCertCommands(app, ctx);
                      AddBenchAuditCommands(app, ctx);
                      AddBenchCreditCommands(app, ctx);
                      AddBenchNetCommands(app, ctx);
                      AddBenchProofCommands(app, ctx);
                    }};
  return RunProgram(bench, argc, argv);
}
