// The resume state of a bulk import (`civic import --state F.state`).
//
// What it guarantees: after an interruption at any point (kill -9 included) a
// rerun with the same input and arguments neither loses nor duplicates a
// certificate. It records
//   - what the import is bound to (input file digest, type, issuing org, signer,
//     chain id, batch size, digest of the accepted row list): a rerun with
//     anything else is refused rather than guessed at;
//   - a random import secret (CSPRNG) from which every salt, serial and tx nonce
//     is derived, so a rebuilt batch tx is byte-identical (same tx id);
//   - per batch: its rows, the tx id and valid_until_height it was sent with
//     (written BEFORE the tx is sent), and whether it is committed or failed;
//   - how much of the holders' output file is complete.
// The file is JSON with a SHA-256 over its content, written with
// WriteFileAtomic (temp + fsync + rename + folder fsync) and mode 0600, since
// the secret lets one recompute holder commitments.
//
// Errors: STATE_CORRUPT (unparsable, checksum mismatch, impossible values),
// FILE_NOT_FOUND, IO_ERROR. Not thread-safe: the importer serialises access.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/base/bytes.h"
#include "crypto/base/status.h"

namespace civic::tools {

enum class BatchStatus { kPending, kCommitted, kFailed };
const char* BatchStatusName(BatchStatus status);

struct BatchRecord {
  uint64_t index = 0;
  uint64_t first_row = 0;  // index into the accepted rows
  uint64_t row_count = 0;
  uint64_t first_line = 0;  // input lines, for people
  uint64_t last_line = 0;
  uint32_t attempt = 0;     // bumps when an expired tx has to be rebuilt
  std::string tx_id;        // hex
  uint64_t valid_until_height = 0;
  BatchStatus status = BatchStatus::kPending;
  uint64_t height = 0;      // when committed (or failed in a block)
  std::string app_code;     // when failed
  std::string message;
  bool operator==(const BatchRecord&) const = default;
};

struct ImportState {
  static constexpr int kVersion = 1;
  std::string input_sha256;     // hex
  std::string type_code;
  std::string org;
  std::string signer;           // "ed25519:<hex>"
  std::string chain_id;
  uint64_t batch_size = 0;
  std::string accepted_digest;  // hex, see AcceptedDigest()
  uint64_t accepted_rows = 0;
  Bytes secret;                 // 32 bytes
  std::string holders_file;
  uint64_t holders_batches = 0;  // batches 0..n-1 have their holder copies in the file
  uint64_t holders_bytes = 0;    // the file's size after them
  std::vector<BatchRecord> batches;  // by index; a batch appears once it was prepared

  bool operator==(const ImportState&) const = default;

  BatchRecord* Find(uint64_t index);
  uint64_t CommittedRows() const;
};

std::string SerializeImportState(const ImportState& state);
// Typed error STATE_CORRUPT naming what is wrong.
Result<ImportState> ParseImportState(std::string_view text);

Status SaveImportState(const std::string& path, const ImportState& state);
Result<ImportState> LoadImportState(const std::string& path);

}  // namespace civic::tools
