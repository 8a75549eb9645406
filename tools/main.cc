// civic: the CivicLedger command line (tools/cli.h).
#include "tools/cli.h"

int main(int argc, char** argv) { return civic::tools::RunCli(argc, argv); }
