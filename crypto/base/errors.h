// Application error codes of civic_base and crypto (crypto/base, crypto): the stable app codes a Status of this layer
// carries and clients match on. Each X(CODE, meaning) entry defines civic::err::CODE, whose value is the wire string
// "CODE". A code is listed once, in the lowest layer that produces or matches it; higher layers include that layer's
// list. docs/RPC.md "Error codes" shows every list as one table and errors_table_test keeps the two equal. Constants
// only; thread-safe.
#pragma once

// Defines the constant of one list entry; every list expands its entries with it.
#define CIVIC_ERR_CONSTANT(code, meaning) inline constexpr char code[] = #code;

#define CIVIC_CRYPTO_ERRORS(X) \
  X(ALREADY_STARTED, "the component was started already; it starts once") \
  X(BAD_KDF_LIMITS, "a key file's passphrase hash limits are out of range") \
  X(BAD_PASSPHRASE, "the passphrase does not open the key file") \
  X(BAD_PUBLIC_KEY, "a public key does not decode for its algorithm") \
  X(BAD_SECRET_KEY, "a secret key does not decode for its algorithm") \
  X(CORRUPTION, "stored data failed a check") \
  X(INTERNAL, "a bug") \
  X(IO_ERROR, "a disk or socket failure") \
  X(KDF_FAILED, "the passphrase hash could not be computed") \
  X(KEYFILE_MALFORMED, "a key file is malformed") \
  X(KEYFILE_NOT_FOUND, "a key file does not exist") \
  X(KEYFILE_PERMISSIONS, "a key file is readable by others") \
  X(UNSUPPORTED_ALGORITHM, "the signature algorithm is not ed25519, secp256k1 or sm2")

namespace civic::err {
CIVIC_CRYPTO_ERRORS(CIVIC_ERR_CONSTANT)
}  // namespace civic::err
