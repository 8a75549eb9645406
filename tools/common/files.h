// Small file helpers with the durability the CLI promises.
//
// WriteFileAtomic: the file at `path` holds either its old content or all of
// `data`, even after a crash or kill -9: data goes to a temporary file in the
// same folder (created with `mode`), which is fsynced, renamed over `path`, and
// the folder is fsynced. Errors: IO_ERROR with the path and the system reason.
// Thread-safe for distinct paths.
#pragma once

#include <string>
#include <string_view>
#include <sys/types.h>

#include "crypto/base/status.h"

namespace civic::tools {

Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode = 0644);
// Creates or truncates `path` with `mode` (the mode is applied even if the file
// existed) and writes `data`.
Status WriteFileWithMode(const std::string& path, std::string_view data, mode_t mode);
// Whole file. Errors: FILE_NOT_FOUND, IO_ERROR.
Result<std::string> ReadFile(const std::string& path);
// fsync of a folder (makes a rename or a new file in it durable).
Status SyncDir(const std::string& dir);
// The permission bits of `path` (e.g. 0600).
Result<mode_t> FileMode(const std::string& path);

}  // namespace civic::tools
