// The sample data-sharing data of the sample Mianyang network (tools/samples/network.h
// SampleOrgs): a catalogue, grants between the departments and some thousands of
// access records, most authorized and a few violations of each kind the contract
// can judge at logging or acknowledgement time.
//
// Catalogue: psb.population (public security, conditional), hrss.insurance (HR &
// social security, conditional), amr.business (market regulation,
// unconditional), psb.criminal (public security, not shared).
// Grants (issued by the provider, in force since 30 days before now_ms):
//   G-HRSS-POP  hrss reads population {birth_date, id_number, name}
//   G-AMR-POP   amr reads population {id_number, name}
//   G-PSB-INS   psb reads insurance {insured_status, name}
//   G-NDRC-INS  ndrc reads insurance {insured_status, name}, revoked by hrss
// Violations in the records: FIELDS_BEYOND_GRANT, PURPOSE_MISMATCH, NO_GRANT,
// RESOURCE_NOT_SHARED, GRANT_REVOKED (logged after the revocation) and
// DIGEST_MISMATCH (at acknowledgement). About 2% of the records stay
// unacknowledged; they become UNACKNOWLEDGED once the deadline passes.
//
// Access times are spread over the 20 hours before now_ms (within the default
// max_access_lag of 24 h). Subjects are the subject tags (contracts/sharing/subject_tag.h,
// under the logging department) of synthetic citizens, plus those of
// `extra_subject_keys` (e.g. a sample holder's subject key), each put in a few
// records so that the holder can find them with sharing_mySubjectAccesses.
//
// Pure and deterministic: the same input gives the same txs. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/base/bytes.h"
#include "crypto/signature.h"
#include "crypto/base/status.h"

namespace civic::samples {

struct SharingSampleInput {
  std::string chain_id = "mianyang-1";
  std::vector<crypto::KeyPair> org_keys;  // exactly kSampleOrgCount, in SampleOrgs() order
  int64_t now_ms = 0;                     // the tip's block time
  uint64_t valid_until_height = 100;
  std::string nonce_prefix = "sharing-sample-";
  uint32_t records = 3000;                // access records in all (at least 100, at most 1,000,000)
  uint32_t records_per_tx = 1000;         // at most the contract's max_batch_records
  std::vector<Bytes> extra_subject_keys;  // 32-byte subject keys
};

struct SharingSampleBlocks {
  // Commit each inner list as one block (or at least in this order, each list
  // committed before the next is sent): resources, grants, the revocation, the
  // logs, the acknowledgements.
  std::vector<std::vector<Bytes>> blocks;
  uint32_t records = 0;
  uint32_t violations_at_logging = 0;   // records the contract judges violations when logged
  uint32_t digest_mismatches = 0;       // acknowledgements whose digest differs
  uint32_t unacknowledged = 0;          // records left without acknowledgement
};

// Typed error SHARING_BAD_SAMPLE_INPUT.
Result<SharingSampleBlocks> SampleSharingBlocks(const SharingSampleInput& input);

}  // namespace civic::samples
