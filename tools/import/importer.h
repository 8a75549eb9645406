// Bulk import of existing certificates (存量证照归集): `civic import`.
//
// Reads and checks a CSV/JSONL file (tools/import/import_rows.h) against the type's
// schema fetched from the node, batches the accepted rows into issue txs signed
// by the issuer key, and commits them with at most `in_flight` txs waiting at
// once. Rejected rows, with their typed reasons, end up in the summary and in
// the rejected-rows CSV. Holders' copies (with their salts) go to a JSONL file
// (mode 0600), one line per committed certificate, in batch order.
//
// Resumable (tools/import/import_state.h): the state file is written before a batch
// tx is first sent and after every outcome. Every salt, serial and nonce is
// derived from a CSPRNG import secret kept in the state file, so a batch rebuilt
// on a rerun is byte-identical and has the same tx id. On a rerun a pending
// batch is looked up on chain first (chain status, then chain_getTx): committed
// -> recorded; not committed and still within its valid_until_height -> the
// same bytes are sent again (the node dedups them); past it -> it can never be
// committed, so the batch is rebuilt with the next attempt number. Serials
// make a certificate id unique, so even a mistaken resend cannot duplicate one.
//
// Errors that concern the whole import (node unreachable for too long, key not
// admitted, wrong chain, state mismatch) stop it with the typed Status; the
// state stays consistent and a rerun continues. A batch the chain rejects for
// its content is recorded as failed and its rows are reported as rejected.
//
// Thread safety: one Run() per Importer; it uses `in_flight` threads internally.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "contracts/certificate/holder.h"
#include "crypto/signature.h"
#include "tools/import/import_rows.h"
#include "tools/import/import_state.h"
#include "tools/common/node_api.h"

namespace civic::tools {

struct ImportOptions {
  std::string input_path;
  ImportFormat format = ImportFormat::kCsv;
  std::string type_code;
  std::string org;             // issuing org (USCC)
  uint64_t batch_size = 1000;  // certificates per tx
  std::string state_path;      // default: <input>.state
  std::string holders_path;    // default: <input>.holders.jsonl
  std::string rejected_path;   // default: RejectedPathFor(input)
  int in_flight = 4;
  uint64_t valid_blocks = 300;        // a tx stays valid this many blocks after the tip
  uint32_t commit_timeout_ms = 30000;
  int64_t node_retry_ms = 60000;      // how long to keep retrying an unreachable node
  bool show_progress = true;
  // Test hook: stop (as if killed) after this many batch outcomes in this run; 0 = never.
  uint64_t stop_after_batches = 0;
};

struct ImportSummary {
  uint64_t rows = 0;
  uint64_t accepted = 0;
  uint64_t batches = 0;
  uint64_t committed_rows = 0;         // all runs
  uint64_t committed_rows_this_run = 0;
  uint64_t batches_already_done = 0;   // found committed/failed at start
  uint64_t batches_resent = 0;         // pending batches sent again this run
  uint64_t batches_rebuilt = 0;        // expired batches rebuilt
  uint64_t failed_batches = 0;
  bool resumed = false;
  bool stopped_early = false;
  std::vector<RejectedRow> rejected;   // file rejections + rows of failed batches, by line
  std::string state_path, holders_path, rejected_path;
};

class Importer {
 public:
  Importer(NodeApi* api, const crypto::KeyPair* key, ImportOptions options);
  Result<ImportSummary> Run();

  // Deterministic derivations from the import secret (exposed for tests).
  static std::string RowSalt(const Bytes& secret, uint64_t line, std::string_view field);
  static std::string HolderSalt(const Bytes& secret, uint64_t line);
  static std::string RowSerial(const Bytes& secret, uint64_t line);
  static Bytes BatchNonce(const Bytes& secret, uint64_t batch, uint32_t attempt);

 private:
  struct Impl;
  NodeApi* api_;
  const crypto::KeyPair* key_;
  ImportOptions options_;
};

// The holder's copy of an accepted row, built from the import secret.
contracts::HolderCertificate HolderCopyForRow(const ImportRow& row, const Bytes& secret,
                                              const std::string& type_code, const std::string& org);
// SHA-256 over the accepted rows' line numbers (binds a state file to a result of checking).
std::string AcceptedDigest(const std::vector<ImportRow>& rows);

}  // namespace civic::tools
