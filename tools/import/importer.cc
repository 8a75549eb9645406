#include "tools/import/importer.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "crypto/hash.h"
#include "ledger/errors.h"
#include "ledger/tx.h"
#include "rpc/codec/holder_certificate.h"
#include "rpc/error_codes.h"
#include "tools/common/errors.h"
#include "tools/common/files.h"
#include "tools/common/progress.h"
#include "contracts/certificate/calls.h"
#include "contracts/base/tx_builder.h"

namespace civic::tools {
namespace {

using Clock = std::chrono::steady_clock;

Bytes Hmac(const Bytes& secret, std::string_view message) {
  unsigned char out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  crypto_auth_hmacsha256_final(&st, out);
  return Bytes(reinterpret_cast<const char*>(out), sizeof out);
}

std::string Label(std::string_view kind, uint64_t a, std::string_view extra = "") {
  std::string s = "civic/import/";
  s += kind;
  s.push_back('\0');
  s += std::to_string(a);
  s.push_back('\0');
  s += extra;
  return s;
}

Status ImportError(Code code, std::string app, std::string msg) { return Status(code, std::move(app), std::move(msg)); }

// Errors after which no further batch can succeed: stop the import.
bool IsFatal(const Status& st) {
  switch (st.code()) {
    case Code::kPermissionDenied:
    case Code::kInternal:
    case Code::kCorruption:
      return true;
    default:
      break;
  }
  return st.app_code() == err::WRONG_CHAIN_ID || st.app_code() == err::BAD_SIGNATURE ||
         st.app_code() == err::UNKNOWN_ORG || st.app_code() == err::TX_TOO_LARGE;
}

// The node (or the path to it) is down or busy: retry later with the same bytes.
bool IsTransient(const Status& st) {
  return st.code() == Code::kUnavailable || st.code() == Code::kIOError ||
         st.code() == Code::kResourceExhausted;
}

std::string FileSha256Hex(const std::string& path, Status* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = Status::NotFound(err::FILE_NOT_FOUND, "cannot open " + path);
    return "";
  }
  crypto::Sha256Hasher hasher;
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) hasher.Update(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
  }
  if (in.bad()) {
    *error = Status::IOError("cannot read " + path);
    return "";
  }
  return ToHex(hasher.Finish());
}

}  // namespace

std::string Importer::RowSalt(const Bytes& secret, uint64_t line, std::string_view field) {
  return Base64UrlEncode(Hmac(secret, Label("salt", line, field)).substr(0, 16));
}

std::string Importer::HolderSalt(const Bytes& secret, uint64_t line) {
  return Base64UrlEncode(Hmac(secret, Label("holder", line)).substr(0, 16));
}

std::string Importer::RowSerial(const Bytes& secret, uint64_t line) {
  // "IM" + 8 base-36 characters naming this import + the line number (10 digits):
  // readable, unique per row, never of the chain's all-digit running-number form.
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  Bytes tag = Hmac(secret, Label("serial-tag", 0));
  std::string serial = "IM";
  for (int i = 0; i < 8; ++i) serial.push_back(kAlphabet[static_cast<unsigned char>(tag[i]) % 36]);
  std::string digits = std::to_string(line % 10000000000ULL);
  serial += std::string(10 - digits.size(), '0') + digits;
  return serial;
}

Bytes Importer::BatchNonce(const Bytes& secret, uint64_t batch, uint32_t attempt) {
  return Hmac(secret, Label("nonce", batch, std::to_string(attempt))).substr(0, 12);
}

contracts::HolderCertificate HolderCopyForRow(const ImportRow& row, const Bytes& secret,
                                              const std::string& type_code, const std::string& org) {
  contracts::HolderCertificate cert;
  std::string serial = row.serial.empty() ? Importer::RowSerial(secret, row.line) : row.serial;
  auto id = contracts::MakeCertId(type_code, org, serial, 1);
  cert.id = id.ok() ? *id : "";
  cert.type_code = type_code;
  cert.issuer_org = org;
  cert.holder_code_type = row.holder_code_type;
  cert.holder_code = row.holder;
  cert.holder_salt = Importer::HolderSalt(secret, row.line);
  for (const auto& [name, value] : row.fields) {
    cert.fields.push_back({name, value, Importer::RowSalt(secret, row.line, name)});
  }
  cert.valid_from_ms = row.valid_from_ms;
  cert.valid_until_ms = row.valid_until_ms;
  return cert;
}

std::string AcceptedDigest(const std::vector<ImportRow>& rows) {
  crypto::Sha256Hasher hasher;
  for (const auto& r : rows) {
    Bytes b;
    PutBigEndian64(&b, r.line);
    hasher.Update(b);
  }
  return ToHex(hasher.Finish());
}

// ---------------------------------------------------------------------------

struct Importer::Impl {
  Impl(NodeApi* a, const crypto::KeyPair* k, ImportOptions o) : api(a), key(k), opt(std::move(o)) {}

  NodeApi* api;
  const crypto::KeyPair* key;
  ImportOptions opt;

  // Fixed once Prepare() has run; read by the workers without the lock.
  ImportFileContent content;
  CertTypeInfo type;
  uint64_t batch_count = 0;
  Bytes secret;
  std::string chain_id;

  std::mutex mu;  // guards everything below
  ImportState state;
  uint64_t next_dispatch = 0;
  uint64_t cached_height = 0;
  Status fatal;
  bool stop = false;
  uint64_t outcomes_this_run = 0;
  int holders_fd = -1;
  std::unique_ptr<Progress> progress;
  ImportSummary summary;

  ~Impl() {
    if (holders_fd >= 0) ::close(holders_fd);
  }

  // ---- deterministic tx building

  struct BuiltTx {
    Bytes raw;
    std::string id_hex;
  };

  Result<BuiltTx> BuildBatchTx(const BatchRecord& rec) const {
    std::vector<pb::CertIssueItem> items;
    items.reserve(rec.row_count);
    for (uint64_t i = rec.first_row; i < rec.first_row + rec.row_count; ++i) {
      const ImportRow& row = content.accepted[i];
      contracts::HolderCertificate copy = HolderCopyForRow(row, secret, opt.type_code, opt.org);
      std::string serial = row.serial.empty() ? Importer::RowSerial(secret, row.line) : row.serial;
      auto item = contracts::MakeIssueItem(copy, serial);
      if (!item.ok()) {
        return Status(item.status().code(), item.status().app_code(),
                      "line " + std::to_string(row.line) + ": " + item.status().message());
      }
      item->set_issued_at_ms(row.issued_at_ms);
      items.push_back(std::move(*item));
    }
    contracts::TxParams params;
    params.chain_id = chain_id;
    params.org = opt.org;
    params.valid_until_height = rec.valid_until_height;
    params.nonce = Importer::BatchNonce(secret, rec.index, rec.attempt);
    BuiltTx tx;
    tx.raw = contracts::IssueTx(params, std::move(items), *key);
    tx.id_hex = ToHex(ledger::TxId(tx.raw));
    return tx;
  }

  // ---- state

  Status SaveLocked() { return SaveImportState(opt.state_path, state); }

  // Appends the holder copies of the batches that are next in order and done.
  Status WriteHoldersLocked() {
    bool wrote = false;
    while (state.holders_batches < state.batches.size()) {
      const BatchRecord& b = state.batches[state.holders_batches];
      if (b.status == BatchStatus::kPending) break;
      if (b.status == BatchStatus::kCommitted) {
        std::string text;
        for (uint64_t i = b.first_row; i < b.first_row + b.row_count; ++i) {
          text += rpc::SerializeHolderCertificate(
              HolderCopyForRow(content.accepted[i], secret, opt.type_code, opt.org));
          text.push_back('\n');
        }
        size_t done = 0;
        while (done < text.size()) {
          ssize_t n = ::write(holders_fd, text.data() + done, text.size() - done);
          if (n < 0) {
            if (errno == EINTR) continue;
            return Status::IOError("cannot write " + opt.holders_path + ": " + std::strerror(errno));
          }
          done += static_cast<size_t>(n);
        }
        state.holders_bytes += text.size();
        wrote = true;
      }
      ++state.holders_batches;
    }
    if (wrote && ::fdatasync(holders_fd) != 0) {
      return Status::IOError("cannot sync " + opt.holders_path + ": " + std::strerror(errno));
    }
    return Status::Ok();
  }

  // Opens the holders' file and makes it hold exactly the recorded prefix. If it
  // is shorter than recorded (lost or replaced), it is rebuilt from scratch: the
  // copies are derived from the secret, so they come out identical.
  Status OpenHoldersFile() {
    holders_fd = ::open(opt.holders_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (holders_fd < 0) {
      return Status::IOError("cannot open " + opt.holders_path + ": " + std::strerror(errno));
    }
    ::fchmod(holders_fd, 0600);
    struct stat st {};
    if (::fstat(holders_fd, &st) != 0) return Status::IOError("cannot stat " + opt.holders_path);
    if (static_cast<uint64_t>(st.st_size) < state.holders_bytes) {
      state.holders_bytes = 0;
      state.holders_batches = 0;
    }
    if (::ftruncate(holders_fd, static_cast<off_t>(state.holders_bytes)) != 0 ||
        ::lseek(holders_fd, 0, SEEK_END) < 0) {
      return Status::IOError("cannot truncate " + opt.holders_path + ": " + std::strerror(errno));
    }
    return WriteHoldersLocked();
  }

  // Records a batch's final outcome (under mu).
  Status RecordOutcomeLocked(uint64_t index, const TxOutcome& outcome) {
    BatchRecord& b = state.batches[index];
    if (b.status != BatchStatus::kPending) return Status::Ok();
    b.height = outcome.height;
    if (outcome.height > cached_height) cached_height = outcome.height;
    if (outcome.result.ok()) {
      b.status = BatchStatus::kCommitted;
      summary.committed_rows_this_run += b.row_count;
    } else {
      b.status = BatchStatus::kFailed;
      b.app_code = outcome.result.app_code();
      b.message = outcome.result.message();
    }
    CIVIC_RETURN_IF_ERROR(WriteHoldersLocked());
    CIVIC_RETURN_IF_ERROR(SaveLocked());
    if (progress) progress->Add(b.row_count);
    ++outcomes_this_run;
    if (opt.stop_after_batches != 0 && outcomes_this_run >= opt.stop_after_batches) stop = true;
    return Status::Ok();
  }

  Status RecordRejectedAtAdmissionLocked(uint64_t index, const Status& why) {
    TxOutcome o;
    o.result = why;
    return RecordOutcomeLocked(index, o);
  }

  // ---- node calls with retry of transient failures

  template <typename F>
  auto WithRetry(F call) -> decltype(call()) {
    auto deadline = Clock::now() + std::chrono::milliseconds(opt.node_retry_ms);
    int delay_ms = 200;
    for (;;) {
      auto r = call();
      if (r.ok() || !IsTransient(r.status()) || Clock::now() >= deadline) return r;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (!fatal.ok()) return r;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      delay_ms = std::min(delay_ms * 2, 5000);
    }
  }

  Result<ChainStatusInfo> TipStatus() {
    auto r = WithRetry([&] { return GetChainStatus(*api); });
    if (r.ok()) {
      std::lock_guard<std::mutex> lock(mu);
      cached_height = std::max(cached_height, r->height);
    }
    return r;
  }

  // Is the tx `id` committed, and if not, can it still be? Reads the tip first:
  // a tx valid until height v can only be in blocks <= v, so if the tip had
  // reached v before the lookup, a miss is final.
  struct Lookup {
    std::optional<TxOutcome> outcome;
    bool expired = false;
  };
  Result<Lookup> LookUp(const std::string& id_hex, uint64_t valid_until) {
    CIVIC_ASSIGN_OR_RETURN(ChainStatusInfo tip, TipStatus());
    CIVIC_ASSIGN_OR_RETURN(std::optional<TxOutcome> found,
                           WithRetry([&] { return GetTxOutcome(*api, id_hex); }));
    Lookup l;
    l.outcome = std::move(found);
    l.expired = !l.outcome && tip.height >= valid_until;
    return l;
  }

  // Polls until the tx is committed or can no longer be.
  Result<Lookup> WaitForTx(const std::string& id_hex, uint64_t valid_until) {
    for (;;) {
      CIVIC_ASSIGN_OR_RETURN(Lookup l, LookUp(id_hex, valid_until));
      if (l.outcome || l.expired) return l;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (!fatal.ok() || stop) return Status::Unavailable(err::IMPORT_STOPPED, "import stopped");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  }

  // ---- one batch, until it has an outcome

  Status ProcessBatch(uint64_t index) {
    for (int round = 0; round < 100; ++round) {
      BatchRecord rec;
      {
        std::lock_guard<std::mutex> lock(mu);
        rec = state.batches[index];
        if (rec.status != BatchStatus::kPending) return Status::Ok();
      }
      CIVIC_ASSIGN_OR_RETURN(BuiltTx tx, BuildBatchTx(rec));
      if (tx.id_hex != rec.tx_id) {
        // The recorded tx was built differently (another version of the tool):
        // it may still commit, so wait until it has or cannot any more.
        CIVIC_ASSIGN_OR_RETURN(Lookup l, WaitForTx(rec.tx_id, rec.valid_until_height));
        if (l.outcome) {
          std::lock_guard<std::mutex> lock(mu);
          return RecordOutcomeLocked(index, *l.outcome);
        }
        CIVIC_RETURN_IF_ERROR(Rebuild(index));
        continue;
      }
      auto committed = WithRetry([&] { return CommitTx(*api, tx.raw, opt.commit_timeout_ms); });
      if (committed.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        return RecordOutcomeLocked(index, *committed);
      }
      const Status& err = committed.status();
      if (IsFatal(err) || IsTransient(err)) return err;
      // Timed out, already known (in the mempool or committed), expired, or
      // refused for its content: the chain decides which.
      CIVIC_ASSIGN_OR_RETURN(Lookup l, LookUp(rec.tx_id, rec.valid_until_height));
      if (l.outcome) {
        std::lock_guard<std::mutex> lock(mu);
        return RecordOutcomeLocked(index, *l.outcome);
      }
      if (l.expired) {
        CIVIC_RETURN_IF_ERROR(Rebuild(index));
        continue;
      }
      if (err.code() == Code::kDeadlineExceeded || err.code() == Code::kAlreadyExists) {
        CIVIC_ASSIGN_OR_RETURN(Lookup w, WaitForTx(rec.tx_id, rec.valid_until_height));
        if (w.outcome) {
          std::lock_guard<std::mutex> lock(mu);
          return RecordOutcomeLocked(index, *w.outcome);
        }
        CIVIC_RETURN_IF_ERROR(Rebuild(index));
        continue;
      }
      // Refused at admission for its content; it is not on chain and never will be.
      std::lock_guard<std::mutex> lock(mu);
      return RecordRejectedAtAdmissionLocked(index, err);
    }
    return Status::Internal("batch " + std::to_string(index) + " did not settle after 100 attempts");
  }

  // The batch's tx can never be committed: give it a new attempt number and
  // validity window, recorded before it is sent.
  Status Rebuild(uint64_t index) {
    CIVIC_ASSIGN_OR_RETURN(ChainStatusInfo tip, TipStatus());
    std::lock_guard<std::mutex> lock(mu);
    BatchRecord& b = state.batches[index];
    b.attempt += 1;
    b.valid_until_height = tip.height + opt.valid_blocks;
    auto tx = BuildBatchTx(b);
    if (!tx.ok()) return tx.status();
    b.tx_id = tx->id_hex;
    ++summary.batches_rebuilt;
    return SaveLocked();
  }

  // Creates the record of the next batch (and saves it) before anything is sent.
  Result<std::optional<uint64_t>> DispatchNext() {
    std::lock_guard<std::mutex> lock(mu);
    for (;;) {
      if (stop || !fatal.ok() || next_dispatch >= batch_count) return std::optional<uint64_t>();
      uint64_t index = next_dispatch++;
      if (index < state.batches.size()) {
        if (state.batches[index].status != BatchStatus::kPending) continue;
        ++summary.batches_resent;
        return std::optional<uint64_t>(index);
      }
      BatchRecord b;
      b.index = index;
      b.first_row = index * opt.batch_size;
      b.row_count = std::min<uint64_t>(opt.batch_size, content.accepted.size() - b.first_row);
      b.first_line = content.accepted[b.first_row].line;
      b.last_line = content.accepted[b.first_row + b.row_count - 1].line;
      b.valid_until_height = cached_height + opt.valid_blocks;
      auto tx = BuildBatchTx(b);
      if (!tx.ok()) return tx.status();
      b.tx_id = tx->id_hex;
      state.batches.push_back(b);
      CIVIC_RETURN_IF_ERROR(SaveLocked());
      return std::optional<uint64_t>(index);
    }
  }

  void Worker() {
    for (;;) {
      auto next = DispatchNext();
      Status st = next.ok() ? Status::Ok() : next.status();
      if (st.ok()) {
        if (!next->has_value()) return;
        st = ProcessBatch(**next);
      }
      if (!st.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (fatal.ok() && st.app_code() != err::IMPORT_STOPPED) fatal = st;
        return;
      }
    }
  }

  // ---- the run

  Status Prepare(ChainStatusInfo* tip) {
    CIVIC_ASSIGN_OR_RETURN(*tip, TipStatus());
    auto type_r = WithRetry([&] { return GetCertType(*api, opt.type_code); });
    if (!type_r.ok()) return type_r.status();
    type = std::move(*type_r);
    if (type.retired) {
      return ImportError(Code::kFailedPrecondition, err::CERT_TYPE_RETIRED,
                         "certificate type " + opt.type_code + " is retired; nothing can be issued under it");
    }
    if (std::find(type.issuer_orgs.begin(), type.issuer_orgs.end(), opt.org) == type.issuer_orgs.end()) {
      return ImportError(Code::kPermissionDenied, err::NOT_ISSUER,
                         "organisation " + opt.org + " is not an issuer of type " + opt.type_code);
    }
    ImportSchema schema;
    schema.type_code = type.code;
    schema.holder_code_type = type.holder_code_type;
    for (const auto& f : type.fields) schema.fields.push_back({f.name, f.required});

    Status read_error;
    std::string sha = FileSha256Hex(opt.input_path, &read_error);
    CIVIC_RETURN_IF_ERROR(read_error);
    CIVIC_ASSIGN_OR_RETURN(content, ReadImportFile(opt.input_path, opt.format, schema));
    batch_count = (content.accepted.size() + opt.batch_size - 1) / opt.batch_size;

    ImportState fresh;
    fresh.input_sha256 = sha;
    fresh.type_code = opt.type_code;
    fresh.org = opt.org;
    fresh.signer = key->public_key().ToString();
    fresh.chain_id = tip->chain_id;
    fresh.batch_size = opt.batch_size;
    fresh.accepted_digest = AcceptedDigest(content.accepted);
    fresh.accepted_rows = content.accepted.size();
    fresh.holders_file = opt.holders_path;

    auto loaded = LoadImportState(opt.state_path);
    if (loaded.ok()) {
      ImportState& s = *loaded;
      auto mismatch = [&](const char* what, const std::string& was, const std::string& now) {
        return ImportError(Code::kFailedPrecondition, err::STATE_MISMATCH,
                           opt.state_path + " belongs to another import (" + what + " was " + was +
                               ", now " + now + "); rerun with the original input and options, or "
                               "give a new --state file");
      };
      if (s.input_sha256 != fresh.input_sha256) return mismatch("input SHA-256", s.input_sha256, fresh.input_sha256);
      if (s.type_code != fresh.type_code) return mismatch("type", s.type_code, fresh.type_code);
      if (s.org != fresh.org) return mismatch("org", s.org, fresh.org);
      if (s.signer != fresh.signer) return mismatch("signing key", s.signer, fresh.signer);
      if (s.chain_id != fresh.chain_id) return mismatch("chain", s.chain_id, fresh.chain_id);
      if (s.batch_size != fresh.batch_size) {
        return mismatch("--batch", std::to_string(s.batch_size), std::to_string(fresh.batch_size));
      }
      if (s.accepted_digest != fresh.accepted_digest || s.accepted_rows != fresh.accepted_rows) {
        return mismatch("set of accepted rows (the type's schema changed?)", std::to_string(s.accepted_rows) + " rows",
                        std::to_string(fresh.accepted_rows) + " rows");
      }
      s.holders_file = opt.holders_path;
      state = std::move(s);
      summary.resumed = true;
    } else if (loaded.status().app_code() == err::FILE_NOT_FOUND) {
      state = std::move(fresh);
      state.secret.resize(32);
      randombytes_buf(state.secret.data(), state.secret.size());
      // The secret must be durable before any tx derived from it exists.
      CIVIC_RETURN_IF_ERROR(SaveLocked());
    } else {
      const Status& e = loaded.status();
      return Status(e.code(), e.app_code(),
                    e.message() + ". It cannot be trusted to resume; if no batch of this import "
                                  "was ever sent, delete it and start again");
    }
    return Status::Ok();
  }

  // Settles batches left pending by an earlier run whose tx is on chain.
  Status Recover() {
    for (uint64_t i = 0; i < state.batches.size(); ++i) {
      BatchRecord rec = state.batches[i];
      if (rec.status != BatchStatus::kPending) {
        ++summary.batches_already_done;
        continue;
      }
      CIVIC_ASSIGN_OR_RETURN(std::optional<TxOutcome> found,
                             WithRetry([&] { return GetTxOutcome(*api, rec.tx_id); }));
      if (found) {
        std::lock_guard<std::mutex> lock(mu);
        CIVIC_RETURN_IF_ERROR(RecordOutcomeLocked(i, *found));
        --outcomes_this_run;  // settling old work does not count toward the stop hook
      }
    }
    return Status::Ok();
  }

  Result<ImportSummary> Run() {
    if (opt.batch_size == 0) {
      return ImportError(Code::kInvalidArgument, err::BAD_BATCH_SIZE, "--batch must be at least 1");
    }
    ChainStatusInfo tip;
    CIVIC_RETURN_IF_ERROR(Prepare(&tip));
    cached_height = tip.height;
    secret = state.secret;
    chain_id = state.chain_id;
    summary.rows = content.rows;
    summary.accepted = content.accepted.size();
    summary.batches = batch_count;
    summary.state_path = opt.state_path;
    summary.holders_path = opt.holders_path;
    summary.rejected_path = opt.rejected_path;

    {
      std::lock_guard<std::mutex> lock(mu);
      CIVIC_RETURN_IF_ERROR(OpenHoldersFile());
      CIVIC_RETURN_IF_ERROR(SaveLocked());
    }
    CIVIC_RETURN_IF_ERROR(Recover());

    uint64_t settled_rows = 0;
    for (const auto& b : state.batches) {
      if (b.status != BatchStatus::kPending) settled_rows += b.row_count;
    }
    if (opt.show_progress && settled_rows < content.accepted.size()) {
      progress = std::make_unique<Progress>(content.accepted.size(), settled_rows, "rows");
    }

    std::vector<std::thread> workers;
    int n = std::max(1, std::min<int>(opt.in_flight, 64));
    for (int i = 0; i < n; ++i) workers.emplace_back([this] { Worker(); });
    for (auto& t : workers) t.join();
    if (progress) progress->Finish();

    // Rows of failed batches join the rejected rows.
    summary.rejected = content.rejected;
    for (const auto& b : state.batches) {
      if (b.status == BatchStatus::kCommitted) summary.committed_rows += b.row_count;
      if (b.status != BatchStatus::kFailed) continue;
      ++summary.failed_batches;
      for (uint64_t i = b.first_row; i < b.first_row + b.row_count; ++i) {
        const ImportRow& row = content.accepted[i];
        summary.rejected.push_back(
            {row.line,
             Status(Code::kFailedPrecondition, b.app_code,
                    "batch " + std::to_string(b.index) + " was refused by the chain: " + b.message),
             row.record});
      }
    }
    std::sort(summary.rejected.begin(), summary.rejected.end(),
              [](const RejectedRow& a, const RejectedRow& b) { return a.line < b.line; });
    ImportFileContent report;
    report.header = content.header;
    report.rejected = summary.rejected;
    CIVIC_RETURN_IF_ERROR(WriteFileAtomic(opt.rejected_path, RejectedCsv(report), 0600));

    if (!fatal.ok()) return fatal;
    summary.stopped_early = stop;
    return summary;
  }
};

Importer::Importer(NodeApi* api, const crypto::KeyPair* key, ImportOptions options)
    : api_(api), key_(key), options_(std::move(options)) {
  if (options_.state_path.empty()) options_.state_path = options_.input_path + ".state";
  if (options_.holders_path.empty()) options_.holders_path = options_.input_path + ".holders.jsonl";
  if (options_.rejected_path.empty()) options_.rejected_path = RejectedPathFor(options_.input_path);
}

Result<ImportSummary> Importer::Run() {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  Impl impl(api_, key_, options_);
  return impl.Run();
}

}  // namespace civic::tools
