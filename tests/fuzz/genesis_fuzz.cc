// Fuzz target: a genesis file (JSON), as every node reads it at first start and
// as `civic` tools read one they are given.
// Properties: an error has a stable app code; an accepted genesis has a 32-byte
// hash, at least one validator and its chain id, and parsing the same text again
// gives the same hash and state (the genesis is a pure function of its text).
#include "contracts/genesis.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace civic;
  using namespace civic::fuzz;
  const std::string_view text = AsText(data, size);
  Result<contracts::Genesis> genesis = contracts::ParseGenesis(text);
  if (!genesis.ok()) {
    FUZZ_CHECK(!genesis.status().app_code().empty());
    return 0;
  }
  FUZZ_CHECK(genesis->hash.size() == 32);
  FUZZ_CHECK(!genesis->chain_id.empty());
  FUZZ_CHECK(genesis->validators.validators_size() > 0);
  Result<contracts::Genesis> again = contracts::ParseGenesis(text);
  FUZZ_CHECK(again.ok() && again->hash == genesis->hash && again->state.state == genesis->state.state);
  return 0;
}
