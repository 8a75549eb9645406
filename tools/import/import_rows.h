// Reading and checking the rows of a bulk import file (existing stock, 存量证照归集).
//
// CSV: a header row, then one certificate per row. Columns (any order):
//   holder_type   citizen | enterprise (also citizen_id | uscc)        required
//   holder        the citizen identity number or the USCC              required
//   <field>       one column per field of the type's schema (the type's field names)
//   valid_from    date or time (tools/common/timefmt.h); empty = block time    optional
//   valid_until   date or time; a plain date means the end of that day  optional
//                 empty = valid_from + the type's default validity
//   issued_at     the original issue date; empty = valid_from, or the    optional
//                 block time when valid_from is in the future
//   serial        1-20 characters 0-9 A-Z; empty = assigned by the tool optional
// JSONL: one JSON object per line with the same members; fields either under
// "fields": {"name": "value", ...} or as top-level members. Dates may be strings
// or integer milliseconds.
//
// A file-level problem (no header, a missing holder column, a column that is not
// in the schema) fails the whole file: IMPORT_BAD_HEADER, IMPORT_UNKNOWN_COLUMN,
// FILE_NOT_FOUND, IO_ERROR. A bad row is rejected with a typed reason and the
// rest go on:
//   CSV_MALFORMED, WRONG_COLUMN_COUNT, JSON_MALFORMED, BAD_HOLDER_TYPE,
//   HOLDER_TYPE_MISMATCH, BAD_CITIZEN_ID, BAD_USCC, MISSING_FIELD, UNKNOWN_FIELD,
//   BAD_FIELD_VALUE, BAD_DATE, BAD_VALIDITY, BAD_SERIAL, DUPLICATE_SERIAL,
//   DUPLICATE_ROW.
// Functions of their input and, for "issued in the future", the wall clock;
// thread-safe.
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <string>
#include <vector>

#include "crypto/base/status.h"

namespace civic::tools {

struct ImportField {
  std::string name;
  bool required = false;
};

// What a row is checked against: the certificate type as registered on chain.
struct ImportSchema {
  std::string type_code;
  std::string holder_code_type;  // "citizen_id" | "uscc"
  std::vector<ImportField> fields;
};

struct ImportRow {
  uint64_t line = 0;  // 1-based line in the file (CSV: where the record starts)
  std::string holder_code_type;  // "citizen_id" | "uscc"
  std::string holder;
  std::map<std::string, std::string> fields;  // non-empty values only
  int64_t valid_from_ms = 0;   // 0 = block time
  int64_t valid_until_ms = 0;  // 0 = type default
  int64_t issued_at_ms = 0;    // 0 = block time
  std::string serial;          // empty = the tool assigns one
  std::vector<std::string> record;  // the row as read (for the rejected-rows file)
};

struct RejectedRow {
  uint64_t line = 0;
  Status reason;
  std::vector<std::string> record;  // CSV: the row's fields; JSONL: the line
};

struct ImportFileContent {
  std::vector<std::string> header;  // CSV header; {"record"} for JSONL
  std::vector<ImportRow> accepted;
  std::vector<RejectedRow> rejected;
  uint64_t rows = 0;  // accepted + rejected
};

enum class ImportFormat { kCsv, kJsonl };
// From the file name: .csv -> CSV; .jsonl / .ndjson / .json -> JSONL.
// Error IMPORT_UNKNOWN_FORMAT.
Result<ImportFormat> ImportFormatFromPath(const std::string& path);
Result<ImportFormat> ParseImportFormat(std::string_view name);

Result<ImportFileContent> ReadImportCsv(std::istream& in, const ImportSchema& schema);
Result<ImportFileContent> ReadImportJsonl(std::istream& in, const ImportSchema& schema);
Result<ImportFileContent> ReadImportFile(const std::string& path, ImportFormat format,
                                         const ImportSchema& schema);

// "citizen" / "citizen_id" -> "citizen_id"; "enterprise" / "uscc" -> "uscc".
// Error BAD_HOLDER_TYPE.
Result<std::string> HolderCodeType(std::string_view holder_type);

// The rejected rows as CSV: line,app_code,message followed by the original record.
std::string RejectedCsv(const ImportFileContent& content);
// "F.csv" -> "F.rejected.csv".
std::string RejectedPathFor(const std::string& input_path);

}  // namespace civic::tools
