// Fuzz target: a holder certificate file (rpc/codec/holder_certificate.h), the
// JSON copy a citizen or enterprise keeps and presents to a verifier.
// Properties: an error has a stable app code; an accepted file serializes to
// text that parses back to the same certificate (same commitment and digest).
#include "rpc/codec/holder_certificate.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace civic;
  using namespace civic::fuzz;
  Result<contracts::HolderCertificate> cert = rpc::ParseHolderCertificate(AsText(data, size));
  if (!cert.ok()) {
    FUZZ_CHECK(!cert.status().app_code().empty());
    return 0;
  }
  const std::string text = rpc::SerializeHolderCertificate(*cert);
  Result<contracts::HolderCertificate> again = rpc::ParseHolderCertificate(text);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->Commitment() == cert->Commitment());
  FUZZ_CHECK(again->Digest() == cert->Digest());
  FUZZ_CHECK(rpc::SerializeHolderCertificate(*again) == text);
  return 0;
}
