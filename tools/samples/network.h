// The sample Mianyang network: five departments and six certificate types, as
// a genesis file that passes contracts::ParseGenesis. For local networks, demos,
// tests and benchmarks; never linked into civicd. Pure; thread-safe.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "crypto/base/status.h"
#include "crypto/signature.h"

namespace civic::samples {

struct SampleOrg {
  std::string code;        // a valid USCC
  std::string name;        // e.g. "绵阳市公安局"
  std::string short_name;  // e.g. "psb"
};
// In this order: public security, HR & social security, market regulation,
// development & reform (Credit Mianyang), government-service supervision bureau.
const std::vector<SampleOrg>& SampleOrgs();
constexpr size_t kSampleOrgCount = 5;

struct SampleGenesisInput {
  std::string chain_id = "mianyang-1";
  int64_t genesis_time_ms = 0;
  std::vector<crypto::PublicKey> org_keys;   // exactly kSampleOrgCount, in SampleOrgs() order
  std::vector<crypto::PublicKey> node_keys;  // at least one; node i belongs to org i % kSampleOrgCount
  uint64_t validator_power = 10;
};
// The sample genesis file (it passes ParseGenesis). Typed error:
// GENESIS_BAD_SAMPLE_INPUT for a wrong key count.
Result<boost::json::object> SampleGenesis(const SampleGenesisInput& input);
// Pretty-printed JSON text of SampleGenesis.
Result<std::string> SampleGenesisText(const SampleGenesisInput& input);

}  // namespace civic::samples
