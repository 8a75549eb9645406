#include "rpc/nonce_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <optional>

#include "crypto/base/bytes.h"
#include "rpc/error_codes.h"

namespace civic::rpc {
namespace {

Status LogError(const char* what, const std::string& path) {
  return Status::Unavailable(err::AUTH_NONCE_LOG, std::string(what) + " " + path + ": " + std::strerror(errno));
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return LogError("cannot write", path);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

std::string Line(const NonceEntry& e) { return std::to_string(e.forget_after_ms) + " " + ToHex(e.org) + " " + e.nonce + "\n"; }

// One line without its newline; nullopt when it is not a whole entry.
std::optional<NonceEntry> ParseLine(std::string_view line) {
  size_t a = line.find(' ');
  size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  NonceEntry e;
  auto [end, ec] = std::from_chars(line.data(), line.data() + a, e.forget_after_ms);
  if (ec != std::errc() || end != line.data() + a) return std::nullopt;
  auto org = FromHex(line.substr(a + 1, b - a - 1));
  if (!org) return std::nullopt;
  e.org = std::move(*org);
  e.nonce = std::string(line.substr(b + 1));
  if (e.nonce.size() != 32) return std::nullopt;
  return e;
}

Status SyncDir(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return LogError("cannot open the folder of", path);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : LogError("cannot sync the folder of", path);
}

// Writes `entries` to a temporary file renamed over `path`; returns the new
// file opened for appending.
Result<int> Rewrite(const std::string& path, const std::vector<NonceEntry>& entries) {
  std::string text;
  for (const NonceEntry& e : entries) text += Line(e);
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return LogError("cannot create", tmp);
  Status st = WriteAll(fd, text, tmp);
  if (st.ok() && ::fchmod(fd, 0600) != 0) st = LogError("cannot set the mode of", tmp);
  if (st.ok() && ::fsync(fd) != 0) st = LogError("cannot sync", tmp);
  ::close(fd);
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) st = LogError("cannot rename onto", path);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  CIVIC_RETURN_IF_ERROR(SyncDir(path));
  fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return LogError("cannot open", path);
  return fd;
}

}  // namespace

Result<std::unique_ptr<NonceLog>> NonceLog::Open(const std::string& path, int64_t now_ms,
                                                 std::vector<NonceEntry>* live) {
  live->clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return LogError("cannot open", path);
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = LogError("cannot read", path);
      ::close(fd);
      return st;
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    auto entry = ParseLine(std::string_view(text).substr(start, nl - start));
    if (entry && entry->forget_after_ms >= now_ms) live->push_back(std::move(*entry));
  }
  CIVIC_ASSIGN_OR_RETURN(int append_fd, Rewrite(path, *live));
  return std::unique_ptr<NonceLog>(new NonceLog(path, append_fd));
}

NonceLog::~NonceLog() {
  if (fd_ >= 0) ::close(fd_);
}

Status NonceLog::Append(const NonceEntry& entry) {
  CIVIC_RETURN_IF_ERROR(WriteAll(fd_, Line(entry), path_));
  if (::fdatasync(fd_) != 0) return LogError("cannot sync", path_);
  ++appended_;
  return Status::Ok();
}

Status NonceLog::Compact(const std::vector<NonceEntry>& live) {
  CIVIC_ASSIGN_OR_RETURN(int fd, Rewrite(path_, live));
  ::close(fd_);
  fd_ = fd;
  appended_ = 0;
  return Status::Ok();
}

}  // namespace civic::rpc
