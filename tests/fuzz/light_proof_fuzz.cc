// Fuzz target: a LightProof (light/light.proto) as `civic verify --offline`, an
// app or the C++ light client reads it from an untrusted node or file. The trust
// root is the proof's own block validator set at the genesis (time 0), so a
// well-formed seed verifies and mutations reach every check: header decoding,
// set hashes, commit signatures, the validator path, state proofs and the
// certificate verdict.
// Properties: a refusal has a stable app code; a verified proof holds an entry
// for each key it carries, and deciding a certificate from it never crashes.
#include "light/cert_verdict.h"
#include "light/proof.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace civic;
  pb::LightProof proof;
  if (!proof.ParseFromArray(data, static_cast<int>(size))) return 0;
  auto root = light::TrustGenesis(proof.chain_id(), 0, proof.block().validators());
  if (!root.ok()) {
    FUZZ_CHECK(!root.status().app_code().empty());
    return 0;
  }
  light::VerifyOptions options;
  options.now_ms = 0;
  auto proven = light::VerifyProof(*root, options, proof);
  if (!proven.ok()) {
    FUZZ_CHECK(!proven.status().app_code().empty());
    return 0;
  }
  for (const pb::StateProof& entry : proof.entries()) FUZZ_CHECK(light::FindEntry(*proven, entry.key()) != nullptr);
  const std::string& key = proof.entries(0).key();
  if (key.starts_with("cert/c/")) {
    auto verdict = light::DecideCertificate(*proven, std::string_view(key).substr(7), proof.at_ms());
    if (!verdict.ok()) FUZZ_CHECK(!verdict.status().app_code().empty());
  }
  return 0;
}
