// The durable record of the signed-request nonces a node has accepted, so a
// restart does not reopen the replay window (rpc/request_auth.h).
//
// One file, append-only, mode 0600: a line per accepted request,
//   "<forget_after_ms> <hex(org)> <nonce>\n"
// Append writes the line and fdatasyncs before returning, so an accepted
// request's nonce survives kill -9 and power loss. Open reads the file back,
// keeps the entries still live at `now_ms` (a torn or malformed line, as a crash
// mid-append leaves, is skipped) and rewrites the file with only those
// (temporary file, fsync, rename, folder fsync); Compact does the same while
// running, so the file stays proportional to the live window.
// Errors: AUTH_NONCE_LOG (UNAVAILABLE) with the path and the system reason.
// Thread safety: none; the owner (RequestAuthenticator) serialises calls.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "crypto/base/status.h"

namespace civic::rpc {

struct NonceEntry {
  int64_t forget_after_ms = 0;
  std::string org;
  std::string nonce;
};

class NonceLog {
 public:
  // Opens (creating) `path`; `live` receives the entries with forget_after_ms >= now_ms.
  static Result<std::unique_ptr<NonceLog>> Open(const std::string& path, int64_t now_ms,
                                                std::vector<NonceEntry>* live);
  ~NonceLog();
  NonceLog(const NonceLog&) = delete;
  NonceLog& operator=(const NonceLog&) = delete;

  Status Append(const NonceEntry& entry);
  // Rewrites the file with `live` only.
  Status Compact(const std::vector<NonceEntry>& live);
  // Lines appended since the file was last rewritten.
  size_t appended() const { return appended_; }
  const std::string& path() const { return path_; }

 private:
  NonceLog(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  std::string path_;
  int fd_ = -1;
  size_t appended_ = 0;
};

}  // namespace civic::rpc
