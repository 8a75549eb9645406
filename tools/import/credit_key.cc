#include "tools/import/credit_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "contracts/credit/subjects.h"
#include "tools/common/errors.h"
#include "tools/common/files.h"

namespace civic::tools {
namespace {

Status IoError(const std::string& path, const char* what) {
  return Status::IOError(path + ": " + what + ": " + std::strerror(errno));
}

std::string Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

}  // namespace

Result<Bytes> NewCreditKeyFile(const std::string& path) {
  Bytes key(contracts::kCreditKeySize, '\0');
  randombytes_buf(key.data(), key.size());
  const std::string text = ToHex(key) + "\n";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return Status::AlreadyExists(err::KEYFILE_EXISTS,
                                   path + " already exists; a credit key is never overwritten (move it away first)");
    }
    return IoError(path, "cannot create");
  }
  bool written = ::fchmod(fd, 0600) == 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                 ::fsync(fd) == 0;
  Status status = written ? Status::Ok() : IoError(path, "cannot write");
  if (::close(fd) != 0 && status.ok()) status = IoError(path, "cannot close");
  if (!status.ok()) {
    ::unlink(path.c_str());
    return status;
  }
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  CIVIC_RETURN_IF_ERROR(SyncDir(dir.empty() ? "." : dir.string()));
  return key;
}

Result<Bytes> ReadCreditKeyFile(const std::string& path) {
  CIVIC_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  CIVIC_ASSIGN_OR_RETURN(mode_t mode, FileMode(path));
  if ((mode & 077) != 0) {
    return Status::PermissionDenied(err::BAD_CREDIT_KEY_FILE,
                                    path + " may be read or written by others; the credit key file must be mode 0600 "
                                           "(chmod 600 " + path + ")");
  }
  auto key = FromHex(Trim(text));
  if (!key || key->size() != contracts::kCreditKeySize) {
    return Status::InvalidArgument(err::BAD_CREDIT_KEY_FILE,
                                   path + " does not hold a credit key (64 hex characters, from civic credit keygen)");
  }
  return *key;
}

}  // namespace civic::tools
