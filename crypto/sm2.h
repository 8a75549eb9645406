// SM2 signatures (GB/T 32918.2) over OpenSSL 3, used by signature.cc for Algo::kSm2.
//
// Signatures are SM2 with SM3 and the distinguishing ID kSm2DistinguishingId (the
// value GB/T 35276 recommends; OpenSSL's own default is empty, so it is always set
// explicitly). Keys: secret = 32-byte big-endian d, 1 <= d <= n-2; public = 65-byte
// uncompressed point 04||x||y. Signatures: 64-byte r||s. All functions are thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "crypto/base/bytes.h"

namespace civic::crypto::sm2 {

inline constexpr std::string_view kSm2DistinguishingId = "1234567812345678";

// The canonical 65-byte form of a 65-byte uncompressed or 33-byte compressed point
// on the SM2 curve; nullopt for anything else (including the point at infinity).
std::optional<Bytes> NormalizePublicKey(std::string_view key);
// The public key of secret `d`; nullopt if `d` is not 32 bytes in [1, n-2].
std::optional<Bytes> PublicKeyFromSecret(std::string_view d);
// Signs `message`; `public_key` must belong to `d`. Empty on failure.
Bytes Sign(std::string_view d, std::string_view public_key, std::string_view message);
bool Verify(std::string_view public_key, std::string_view message, std::string_view sig);

}  // namespace civic::crypto::sm2
