// Write-ahead log of this node's own signed proposals and votes (a precommit for
// a block also carries the block and the prevotes that locked it).
//
// The driver appends every WriteWal entry the core emits and must not send the
// matching message until Append returned OK (Append returns only once the
// record is durable). At boot it reads all entries and hands them to the core
// (StartHeight::wal), so a restarted node never signs a different message for a
// (height, round, step) it already signed. After a decided block is durably
// stored, Reset() empties the log.
//
// File format: a sequence of records
//   length (u32 LE) | CRC-32C of the 4 length bytes (u32 LE) |
//   CRC-32C of the payload (u32 LE) | payload (serialized civic.pb.ConsensusWalEntry)
// The last record may be torn by a crash during Append (incomplete, zero-filled
// or with a bad payload checksum and nothing after it): Open truncates it away.
// Damage anywhere before the last record is an error (CORRUPTION): the log can no
// longer prove what was signed, so the node must not guess.
//
// Thread safety: none; one driver thread uses a Wal.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "consensus/consensus.pb.h"
#include "crypto/base/bytes.h"
#include "crypto/base/status.h"

namespace civic::consensus {

// Largest record accepted (a proposal carries a whole block).
constexpr size_t kMaxWalRecordBytes = 64 * 1024 * 1024;

class Wal {
 public:
  virtual ~Wal() = default;
  // All entries, in append order.
  virtual Result<std::vector<pb::ConsensusWalEntry>> ReadAll() = 0;
  // Appends one entry; durable when OK is returned. Errors: IO_ERROR, WAL_RECORD_TOO_LARGE.
  virtual Status Append(const pb::ConsensusWalEntry& entry) = 0;
  // Drops every entry, durably. Errors: IO_ERROR.
  virtual Status Reset() = 0;
};

// A Wal in one file, fsync'ed (fdatasync) on every Append and Reset.
class FileWal final : public Wal {
 public:
  // Opens or creates the file and checks it; a torn last record is cut off.
  // Errors: IO_ERROR, CORRUPTION.
  static Result<std::unique_ptr<FileWal>> Open(const std::string& path);
  ~FileWal() override;
  FileWal(const FileWal&) = delete;
  FileWal& operator=(const FileWal&) = delete;

  Result<std::vector<pb::ConsensusWalEntry>> ReadAll() override;
  Status Append(const pb::ConsensusWalEntry& entry) override;
  Status Reset() override;

  // Bytes cut off by Open (a torn last record); 0 when the file was whole.
  uint64_t truncated_bytes() const { return truncated_bytes_; }

 private:
  FileWal(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
  uint64_t truncated_bytes_ = 0;
};

// A Wal in memory that survives a simulated crash (the simulator keeps it while
// it throws the node's core away). Never fails.
class MemoryWal final : public Wal {
 public:
  Result<std::vector<pb::ConsensusWalEntry>> ReadAll() override { return entries_; }
  Status Append(const pb::ConsensusWalEntry& entry) override {
    entries_.push_back(entry);
    return Status::Ok();
  }
  Status Reset() override {
    entries_.clear();
    return Status::Ok();
  }
  size_t size() const { return entries_.size(); }

 private:
  std::vector<pb::ConsensusWalEntry> entries_;
};

}  // namespace civic::consensus
