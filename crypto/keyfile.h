// Key files: JSON on disk, written with mode 0600.
//
// Plain:     {"algo":"ed25519","public_key":"<hex>","secret_key":"<hex>"}
// Encrypted: {"algo":..,"public_key":..,"kdf":"argon2id13","salt":..,"opslimit":..,
//             "memlimit":..,"nonce":..,"ciphertext":..}  (libsodium pwhash + secretbox)
// A wrong passphrase, a tampered file or a malformed file gives a typed error.
#pragma once

#include <string>

#include "crypto/signature.h"

namespace civic::crypto {

// Writes `key` to `path` (created or truncated, mode 0600). Empty passphrase = plain.
Status WriteKeyFile(const std::string& path, const KeyPair& key, const std::string& passphrase = "");
// Reads a key file; `passphrase` is needed only for encrypted files.
Result<KeyPair> ReadKeyFile(const std::string& path, const std::string& passphrase = "");
// Reads only the public key of a key file (no passphrase needed).
Result<PublicKey> ReadPublicKey(const std::string& path);

}  // namespace civic::crypto
