// Deterministic sample data for demos, tests and benchmarks: valid citizen
// identity numbers (GB 11643) and unified social credit codes (GB 32100) of the
// Mianyang area, and import files of sample certificates for a certificate type.
//
// The same seed gives the same output on every machine (SplitMix64 and integer
// arithmetic only). Field values are chosen by field name (name, gender, birth
// date, address, plate number, ...) and agree with the holder code where they
// can (gender and birth date follow the identity number). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/common/node_api.h"

namespace civic::tools {

class SampleRng {
 public:
  explicit SampleRng(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  // Uniform in [0, n) (n > 0); the tiny modulo bias does not matter for samples.
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

struct SampleCitizen {
  std::string id;          // 18 characters, valid
  std::string birth_date;  // YYYY-MM-DD
  bool male = true;
};
SampleCitizen SampleCitizenId(SampleRng& rng);
std::string SampleUscc(SampleRng& rng);

struct SampleFileOptions {
  uint64_t count = 100;
  uint64_t seed = 1;
  // Rows made deliberately wrong (bad check character, missing required field,
  // bad date, wrong holder type), spread through the file, so a demo import
  // shows its rejection summary. Counted within `count`.
  uint64_t invalid = 0;
  bool with_serial = false;  // add a serial column ("S" + 10 digits)
};

// A CSV import file (header + rows) for `type` (tools/import/import_rows.h format).
std::string SampleCertificatesCsv(const CertTypeInfo& type, const SampleFileOptions& options);
// The same rows as JSONL.
std::string SampleCertificatesJsonl(const CertTypeInfo& type, const SampleFileOptions& options);

// One row's field values for `type` (name -> value), e.g. for `civic cert issue` demos.
struct SampleRow {
  std::string holder_type;  // "citizen" | "enterprise"
  std::string holder;
  std::vector<std::pair<std::string, std::string>> fields;  // in schema order
  std::string valid_from;   // YYYY-MM-DD
  std::string valid_until;  // YYYY-MM-DD
  std::string serial;
};
SampleRow SampleCertificateRow(const CertTypeInfo& type, SampleRng& rng);

}  // namespace civic::tools
