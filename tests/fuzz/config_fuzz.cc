// Fuzz target: the node configuration (TOML), which an operator edits by hand.
// Properties: an error has a stable app code; an accepted config renders
// (FormatConfig) to TOML that parses back to the same config, rendered the same.
#include "node/config.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace civic;
  using namespace civic::fuzz;
  // An absolute base: relative paths resolve once, so the rendering parses back to itself.
  Result<node::Config> config = node::ParseConfig(AsText(data, size), "/node", "fuzz.toml");
  if (!config.ok()) {
    FUZZ_CHECK(!config.status().app_code().empty());
    return 0;
  }
  const std::string text = node::FormatConfig(*config);
  Result<node::Config> again = node::ParseConfig(text, "/node", "fuzz.toml");
  if (!again.ok()) std::fprintf(stderr, "%s\n%s\n", text.c_str(), again.status().ToString().c_str());
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(node::FormatConfig(*again) == text);
  return 0;
}
