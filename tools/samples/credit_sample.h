// The credit sample of the sample Mianyang network (tools/samples/network.h).
// Pure and deterministic: the same input gives the same txs. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/base/bytes.h"
#include "crypto/base/status.h"
#include "crypto/signature.h"

namespace civic::samples {

// Sample data for the sample Mianyang network (contracts/genesis.h): four
// categories with their measures, a broken commitment, red and black listed
// enterprises (one repaired, one expired) and one listed person.

struct CreditSampleInput {
  std::string chain_id = "mianyang-1";
  std::vector<crypto::KeyPair> org_keys;  // exactly kSampleOrgCount, in SampleOrgs() order
  int64_t now_ms = 0;                     // the tip's block time; sample dates are relative to it
  uint64_t first_proposal_id = 1;         // the id the next governance proposal will get
  uint64_t valid_until_height = 100;
  std::string nonce_prefix = "credit-sample-";
};
// Blocks of signed txs; commit each inner list as one block, in order, on a
// chain without credit entries or commitments yet (entry ids are assumed to start
// at 1). Typed error CREDIT_BAD_SAMPLE_INPUT.
Result<std::vector<std::vector<Bytes>>> SampleCreditBlocks(const CreditSampleInput& input);
// The credit key of sample org `org` (SampleOrgs() order): derived from the
// org's short name, so anyone can compute it. For sample networks only; a real
// department creates its key with `civic credit keygen`. HR & social security
// lists the sample person under its key.
Bytes SampleCreditKey(size_t org);
// The sample enterprises' USCCs (valid), in listing order: black FOOD_DRUG
// (listed), black LABOUR (repaired), black TAX (expired), red MARKET (listed).
std::vector<std::string> SampleCreditEnterprises();

}  // namespace civic::samples
