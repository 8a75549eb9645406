// Key files: JSON on disk, written with mode 0600.
//
// Plain:     {"algo":"ed25519","public_key":"<hex>","secret_key":"<hex>"}
// Encrypted: {"algo":..,"public_key":..,"kdf":"argon2id13","salt":..,"opslimit":..,
//             "memlimit":..,"nonce":..,"ciphertext":..}  (libsodium pwhash + secretbox)
// A wrong passphrase, a tampered file or a malformed file gives a typed error.
//
// Writing is atomic: the file is written to a fresh temporary file in the same folder,
// created with mode 0600 (never readable by others, not even for a moment), synced,
// then renamed over `path`. Reading a key file whose mode grants any access to group
// or others is refused, as ssh does. Error app codes: KEYFILE_NOT_FOUND,
// KEYFILE_MALFORMED, KEYFILE_PERMISSIONS, BAD_PASSPHRASE (wrong passphrase, missing
// passphrase for an encrypted file, or a modified ciphertext), BAD_KDF_LIMITS,
// KDF_FAILED (not enough memory for the passphrase hash), IO_ERROR.
// The functions are thread-safe; concurrent writers to one path leave one whole file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/signature.h"

namespace civic::crypto {

// Cost of the passphrase hash (libsodium crypto_pwhash, Argon2id).
struct KeyFileKdf {
  uint64_t opslimit = 0;
  size_t memlimit = 0;
  static KeyFileKdf Interactive();  // libsodium INTERACTIVE: 2 passes, 64 MiB (the default)
  static KeyFileKdf Moderate();     // libsodium MODERATE: 3 passes, 256 MiB
  static KeyFileKdf Sensitive();    // libsodium SENSITIVE: 4 passes, 1 GiB
};

// Writes `data` to a new 0600 file next to `path`, syncs it and renames it over
// `path` (then syncs the folder): how key files are written, for any file only the
// owner may read (e.g. the issuer API's tokens file). Typed error IO_ERROR.
Status WritePrivateFileAtomically(const std::string& path, std::string_view data);

// Writes `key` to `path` (created or truncated, mode 0600). Empty passphrase = plain.
Status WriteKeyFile(const std::string& path, const KeyPair& key, const std::string& passphrase = "");
// The same with a chosen passphrase-hash cost: opslimit in [2, 16] and memlimit in
// [64 MiB, 1 GiB] (else BAD_KDF_LIMITS; a file outside them does not read either).
// Ignored for plain files.
Status WriteKeyFile(const std::string& path, const KeyPair& key, const std::string& passphrase,
                    const KeyFileKdf& kdf);
// Reads a key file; `passphrase` is needed only for encrypted files (ignored for plain).
Result<KeyPair> ReadKeyFile(const std::string& path, const std::string& passphrase = "");
// Reads only the public key of a key file (no passphrase needed, any file mode).
Result<PublicKey> ReadPublicKey(const std::string& path);
// The same two from the text of a key file (no file access, no mode check); `name`
// only names the source in error messages. Same errors, less the file ones.
Result<KeyPair> ParseKeyFile(std::string_view text, const std::string& passphrase, const std::string& name);
Result<PublicKey> ParsePublicKeyFile(std::string_view text, const std::string& name);

}  // namespace civic::crypto
