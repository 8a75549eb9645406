#include "consensus/wal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/crc.hpp>
#include <cerrno>
#include <cstring>

#include "consensus/errors.h"

namespace civic::consensus {

namespace {

constexpr size_t kHeaderBytes = 12;

uint32_t Crc32c(std::string_view data) {
  boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> crc;
  crc.process_bytes(data.data(), data.size());
  return crc.checksum();
}

void PutLe32(Bytes* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint32_t GetLe32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

// Result of scanning a log image.
struct Scan {
  std::vector<pb::ConsensusWalEntry> entries;
  size_t good_bytes = 0;  // length of the whole records; the rest is a torn tail
};

Result<Scan> ScanLog(std::string_view data) {
  Scan scan;
  size_t off = 0;
  const auto all_zero = [&](size_t from) {
    return std::all_of(data.begin() + from, data.end(), [](char c) { return c == 0; });
  };
  while (off < data.size()) {
    const size_t rem = data.size() - off;
    if (rem < kHeaderBytes) break;  // torn header
    const char* h = data.data() + off;
    const uint32_t len = GetLe32(h);
    if (Crc32c(std::string_view(h, 4)) != GetLe32(h + 4)) {
      if (all_zero(off)) break;  // zero-filled tail of a torn append
      return Status::Corruption("WAL record header at offset " + std::to_string(off) + " is damaged");
    }
    if (len > kMaxWalRecordBytes) {
      return Status::Corruption("WAL record at offset " + std::to_string(off) + " claims " +
                                std::to_string(len) + " bytes");
    }
    if (rem - kHeaderBytes < len) break;  // torn payload
    std::string_view payload(h + kHeaderBytes, len);
    const bool last = off + kHeaderBytes + len == data.size();
    if (Crc32c(payload) != GetLe32(h + 8)) {
      if (last) break;  // torn payload of the last append
      return Status::Corruption("WAL record at offset " + std::to_string(off) + " fails its checksum");
    }
    pb::ConsensusWalEntry entry;
    if (!entry.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      return Status::Corruption("WAL record at offset " + std::to_string(off) + " does not decode");
    }
    scan.entries.push_back(std::move(entry));
    off += kHeaderBytes + len;
    scan.good_bytes = off;
  }
  return scan;
}

Result<Bytes> ReadFile(int fd, const std::string& path) {
  struct stat st;
  if (fstat(fd, &st) != 0) return Errno("cannot stat", path);
  Bytes data(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = pread(fd, data.data() + done, data.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("cannot read", path);
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  data.resize(done);
  return data;
}

Status SyncParentDir(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Errno("cannot open directory", dir);
  const int rc = fsync(dfd);
  ::close(dfd);
  if (rc != 0) return Errno("cannot sync directory", dir);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<FileWal>> FileWal::Open(const std::string& path) {
  const bool existed = ::access(path.c_str(), F_OK) == 0;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot open WAL", path);
  std::unique_ptr<FileWal> wal(new FileWal(path, fd));
  if (!existed) CIVIC_RETURN_IF_ERROR(SyncParentDir(path));
  CIVIC_ASSIGN_OR_RETURN(Bytes data, ReadFile(fd, path));
  CIVIC_ASSIGN_OR_RETURN(Scan scan, ScanLog(data));
  if (scan.good_bytes < data.size()) {
    if (ftruncate(fd, static_cast<off_t>(scan.good_bytes)) != 0 || fdatasync(fd) != 0) {
      return Errno("cannot cut the torn tail of WAL", path);
    }
    wal->truncated_bytes_ = data.size() - scan.good_bytes;
  }
  return wal;
}

FileWal::~FileWal() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::vector<pb::ConsensusWalEntry>> FileWal::ReadAll() {
  CIVIC_ASSIGN_OR_RETURN(Bytes data, ReadFile(fd_, path_));
  CIVIC_ASSIGN_OR_RETURN(Scan scan, ScanLog(data));
  return std::move(scan.entries);
}

Status FileWal::Append(const pb::ConsensusWalEntry& entry) {
  Bytes payload;
  if (!entry.SerializeToString(&payload)) return Status::Internal("WAL entry does not serialize");
  if (payload.size() > kMaxWalRecordBytes) {
    return Status::ResourceExhausted(err::WAL_RECORD_TOO_LARGE, "WAL entry exceeds the record limit");
  }
  Bytes record;
  record.reserve(kHeaderBytes + payload.size());
  Bytes len;
  PutLe32(&len, static_cast<uint32_t>(payload.size()));
  record.append(len);
  PutLe32(&record, Crc32c(len));
  PutLe32(&record, Crc32c(payload));
  record.append(payload);
  size_t done = 0;
  while (done < record.size()) {
    ssize_t n = ::write(fd_, record.data() + done, record.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("cannot append to WAL", path_);
    done += static_cast<size_t>(n);
  }
  if (fdatasync(fd_) != 0) return Errno("cannot sync WAL", path_);
  return Status::Ok();
}

Status FileWal::Reset() {
  if (ftruncate(fd_, 0) != 0 || fdatasync(fd_) != 0) return Errno("cannot reset WAL", path_);
  return Status::Ok();
}

}  // namespace civic::consensus
