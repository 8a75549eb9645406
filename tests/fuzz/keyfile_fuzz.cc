// Fuzz target: a key file's text (crypto/keyfile.h), as civicd and the tools read
// node and org keys. The passphrase is empty, so an encrypted file stops before
// the passphrase hash (which costs 64 MiB and a good fraction of a second by
// design) with BAD_PASSPHRASE; everything before it is parsed.
// Properties: errors have stable app codes; when both the key pair and the
// public key parse, they name the same key, and the pair signs and verifies.
#include "crypto/keyfile.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace civic;
  using namespace civic::fuzz;
  const std::string_view text = AsText(data, size);
  Result<crypto::KeyPair> pair = crypto::ParseKeyFile(text, "", "fuzz.key");
  Result<crypto::PublicKey> pub = crypto::ParsePublicKeyFile(text, "fuzz.key");
  if (!pair.ok()) FUZZ_CHECK(!pair.status().app_code().empty());
  if (!pub.ok()) FUZZ_CHECK(!pub.status().app_code().empty());
  if (pair.ok()) {
    FUZZ_CHECK(pub.ok() && *pub == pair->public_key());
    const Bytes sig = pair->Sign("fuzz");
    FUZZ_CHECK(crypto::Verify(pair->public_key(), "fuzz", sig));
  }
  return 0;
}
