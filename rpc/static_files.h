// Maps URL paths to files under a web root without ever leaving it.
//
// A path is split on '/', each segment percent-decoded; a segment that is ".."
// or that decodes to something holding '/', '\\' or NUL is refused, as are
// dot-files. The file found is resolved through symlinks and must still lie
// inside the (canonical) root. "/" and directories serve their index.html.
// With `spa_fallback`, a missing path whose last segment has no extension
// serves the root's index.html (client-side routes of the web page).
// Pure functions over the file system; thread-safe.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/base/status.h"

namespace civic::rpc {

struct StaticFile {
  std::filesystem::path path;  // canonical, inside the root
  std::string content_type;
};

// NOT_FOUND (FILE_NOT_FOUND) or PERMISSION_DENIED (PATH_FORBIDDEN).
Result<StaticFile> ResolveStaticFile(const std::filesystem::path& canonical_root,
                                     std::string_view url_path, bool spa_fallback);

// Content type for a file name by its extension ("application/octet-stream" if unknown).
std::string ContentTypeFor(const std::filesystem::path& file);

// Decodes %XX escapes (and '+' as a space when `plus_is_space`); nullopt on a
// malformed escape.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space = false);

}  // namespace civic::rpc
