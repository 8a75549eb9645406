// Client side of `civic credit`: naming a subject from command-line arguments,
// digests of files, finding what a committed tx created, and the bulk import of
// existing credit lists (existing red/black lists of the departments).
//
// Import file. CSV with a header row (columns in any order) or JSONL (one JSON
// object per line, same member names; numbers may be JSON numbers):
//   category             the credit category code                         required
//   list                 red | black; must match the category              optional
//   uscc                 an enterprise subject's USCC          } one subject per row:
//   name                 the enterprise's name (optional)      } an enterprise (uscc),
//   person_id            a person's citizen identity number    } a person by identity
//   person_name          the person's full name                } number and name (needs
//   commitment           a person's commitment (64 hex)        } --key-file), or a
//   masked_name          e.g. 张*                               } person by commitment
//   reason, legal_basis, decision_doc_no                                  required
//   decision_doc_digest  SHA-256 of the decision document (64 hex)        required
//   decided_at           date or time (tools/common/timefmt.h); empty = now       optional
//   publicity_end        date (end of that day) or time; empty = the category's maximum
//   basis_commitment_id  a broken credit commitment of the subject         optional
// A person's identity number and name never leave this process: the number
// becomes a keyed commitment (contracts::PersonCommitment with the importing
// department's credit key, tools/import/credit_key.h) and the name a masked
// name; a row whose texts contain the
// name is refused (NAME_IN_TEXT).
//
// A file-level problem fails the whole file: IMPORT_BAD_HEADER,
// IMPORT_UNKNOWN_COLUMN, FILE_NOT_FOUND, IO_ERROR, IMPORT_UNKNOWN_FORMAT. A bad
// row is rejected with a typed reason and the rest go on: CSV_MALFORMED,
// WRONG_COLUMN_COUNT, JSON_MALFORMED, BAD_SUBJECT, BAD_USCC, BAD_CITIZEN_ID,
// CREDIT_KEY_REQUIRED, BAD_NAME, BAD_MASKED_NAME, BAD_COMMITMENT, NAME_IN_TEXT,
// UNKNOWN_CATEGORY, BAD_LIST, LIST_MISMATCH, REASON_REQUIRED,
// LEGAL_BASIS_REQUIRED, DOC_NO_REQUIRED, BAD_DIGEST, BAD_DATE, BAD_NUMBER,
// TEXT_TOO_LONG, PERSONAL_DATA_IN_TEXT, DUPLICATE_ROW (the same subject and
// category twice in the file); and, from the chain, any listing error of the
// credit contract (e.g. DUPLICATE_LISTING, DUPLICATE_DECISION: a rerun of the
// same file lists nothing twice).
//
// Thread safety: functions of their input (and the node they call); one import
// per NodeApi at a time.
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "contracts/credit/credit.pb.h"
#include "crypto/signature.h"
#include "crypto/base/status.h"
#include "tools/common/node_api.h"
#include "tools/samples/network.h"
#include "tools/samples/credit_sample.h"

namespace civic::tools {

// ---- Subjects and digests from arguments

struct SubjectArgs {
  std::string uscc, name;                 // an enterprise
  std::string person_id, person_name;     // a person, with key_file
  std::string person_id_file, person_name_file;  // where the CLI reads them ("-" = stdin)
  std::string key_file;                   // the department's credit key file
  std::string salt_file;                  // no longer accepted: SALT_FILE_REPLACED
  std::string commitment, masked_name;    // a person by commitment
};
// Exactly one way of naming the subject. Typed errors: SUBJECT_REQUIRED,
// BAD_SUBJECT (two ways at once or an incomplete one), CREDIT_KEY_REQUIRED,
// SALT_FILE_REPLACED, those of ReadCreditKeyFile, and those
// of contracts::EnterpriseSubject / PersonSubject / ValidateCreditSubject.
Result<pb::CreditSubject> SubjectFromArgs(const SubjectArgs& args);
// SALT_FILE_REPLACED when `salt_file` is set (the option that --key-file replaced), naming what to do instead.
Status RefuseSaltFile(const std::string& salt_file);
// The subject as credit_report takes it: the USCC, or the commitment in hex.
std::string SubjectText(const pb::CreditSubject& subject);
// 64 hex characters, or the SHA-256 of a file's content; exactly one of them.
// Typed errors: DIGEST_REQUIRED, BAD_DIGEST, FILE_NOT_FOUND, IO_ERROR.
Result<Bytes> DigestArg(const std::string& hex, const std::string& file, std::string_view what);

// ---- Sending

// True for an admission refusal about the tx's content or permissions (as
// opposed to an unreachable, busy or failing node).
bool IsTxRefusal(const Status& status);

// ---- What a committed tx created

// Entry ids of `subjects`' entries whose listed_tx_id is `tx_id` (hex), ascending.
Result<std::vector<uint64_t>> EntriesOfTx(NodeApi& api, const std::vector<pb::CreditSubject>& subjects,
                                          const std::string& tx_id);
// (The proposal a tx created: ProposalOfTx in tools/common/node_api.h.)
// The categories registered on chain: code -> list.
Result<std::map<std::string, pb::CreditList>> FetchCreditCategories(NodeApi& api);

// ---- Bulk import

struct CreditImportRow {
  uint64_t line = 0;
  pb::CreditListing listing;
  std::vector<std::string> record;  // the row as read, for the rejected-rows file
};

struct CreditRejectedRow {
  uint64_t line = 0;
  Status reason;
  std::vector<std::string> record;
};

struct CreditImportFile {
  std::vector<std::string> header;  // CSV header; {"record"} for JSONL
  std::vector<CreditImportRow> accepted;
  std::vector<CreditRejectedRow> rejected;
  uint64_t rows = 0;
};

struct CreditImportSchema {
  std::map<std::string, pb::CreditList> categories;  // from FetchCreditCategories
  Bytes person_key;                                  // the credit key; empty: person_id rows are rejected
  int64_t now_ms = 0;                                // "today" for dates; 0 = the wall clock
};

enum class CreditImportFormat { kCsv, kJsonl };
// .csv -> CSV; .jsonl / .ndjson / .json -> JSONL. Error IMPORT_UNKNOWN_FORMAT.
Result<CreditImportFormat> CreditImportFormatOf(const std::string& path);

Result<CreditImportFile> ReadCreditCsv(std::istream& in, const CreditImportSchema& schema);
Result<CreditImportFile> ReadCreditJsonl(std::istream& in, const CreditImportSchema& schema);
Result<CreditImportFile> ReadCreditImportFile(const std::string& path, CreditImportFormat format,
                                              const CreditImportSchema& schema);

struct CreditImportOptions {
  size_t batch_size = 200;  // listings per tx (1..kMaxCreditBatch)
  uint64_t valid_blocks = 300;
  uint32_t commit_timeout_ms = 30000;
};

struct CreditImportSummary {
  uint64_t rows = 0;
  uint64_t listed = 0;
  uint64_t txs = 0;
  std::vector<uint64_t> entry_ids;           // of the listed rows, in file order
  std::vector<CreditRejectedRow> rejected;   // file and chain rejections, by line
  std::map<std::string, uint64_t> rejected_by_code;
};

// Lists the accepted rows of `file`, signed by `key` for org `org`: batches of
// options.batch_size committed one after the other (tx_commit); a batch the
// chain refuses is retried row by row, so only the rows at fault are rejected,
// with the chain's code. A node or transport error stops the import with that
// error; running it again is safe (DUPLICATE_DECISION for rows already listed).
Result<CreditImportSummary> ImportCreditRows(NodeApi& api, const crypto::KeyPair& key, const std::string& org,
                                             const CreditImportFile& file, const CreditImportOptions& options);

// ---- Sample data on a running network

struct CreditSampleSummary {
  uint64_t txs = 0;
  uint64_t proposal_id = 0;
};
// Commits samples::SampleCreditBlocks on the node's chain, tx by tx in order
// (tx_commit), signed by the sample departments' keys (`org_keys` in
// samples::SampleOrgs() order). Refuses a chain that already has credit
// entries (CREDIT_SAMPLE_EXISTS); stops at the first tx the chain refuses, with
// its error.
Result<CreditSampleSummary> CommitCreditSample(NodeApi& api, const std::vector<crypto::KeyPair>& org_keys,
                                               uint32_t commit_timeout_ms = 30000);

// The rejected rows as CSV: line,app_code,message followed by the original record.
std::string CreditRejectedCsv(const std::vector<std::string>& header, const std::vector<CreditRejectedRow>& rows);

}  // namespace civic::tools
