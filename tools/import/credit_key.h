// A department's credit key: the 32-byte secret that keys its person
// commitments (contracts/credit/subjects.h PersonCommitment), kept in a file of
// its own.
//
// File form: 64 lower-case hex characters and a newline, mode 0600. The key is
// only ever read from such a file (--key-file), never from the command line,
// so it appears in no process list or shell history.
//
// NewCreditKeyFile creates the file exclusively: an existing file (another
// department key, a backup) is never overwritten. ReadCreditKeyFile refuses a
// file that others than its owner may read or write.
//
// Thread-safe for distinct paths.
#pragma once

#include <string>

#include "crypto/base/bytes.h"
#include "crypto/base/status.h"

namespace civic::tools {

// Creates `path` (mode 0600) with a fresh random key and returns the key.
// Typed errors: KEYFILE_EXISTS, IO_ERROR.
Result<Bytes> NewCreditKeyFile(const std::string& path);
// The key in `path`. Typed errors: FILE_NOT_FOUND, IO_ERROR, BAD_CREDIT_KEY_FILE
// (not 64 hex characters, or readable or writable by group or others).
Result<Bytes> ReadCreditKeyFile(const std::string& path);

}  // namespace civic::tools
