// CSV (RFC 4180) reading and writing for the import tool.
//
// Reader: fields separated by commas, records by LF or CRLF; a field may be
// quoted with '"' and then contain commas, line breaks and doubled quotes. Each
// record remembers the physical line it starts on, so errors can name it. A
// UTF-8 byte order mark at the start of the input is skipped. Malformed quoting
// (a quote inside an unquoted field, text after a closing quote, an unterminated
// quoted field) gives a typed error CSV_MALFORMED for that record only; the
// reader resynchronises at the next line break and keeps going.
//
// Writer: quotes a field only when it needs to (comma, quote, CR, LF, leading
// or trailing space).
//
// Not thread-safe; one reader per stream.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "crypto/base/status.h"

namespace civic::tools {

struct CsvRecord {
  uint64_t line = 0;  // 1-based physical line where the record starts
  std::vector<std::string> fields;
};

class CsvReader {
 public:
  explicit CsvReader(std::istream& in) : in_(in) {}

  // The next record, nullopt at the end of input, or CSV_MALFORMED (the record's
  // line is in the message and in last_line()). Blank lines are skipped.
  Result<std::optional<CsvRecord>> Next();
  // The line on which the record returned last (or the failed one) starts.
  uint64_t last_line() const { return last_line_; }

 private:
  int Get();
  int Peek();
  void SkipToLineEnd();

  std::istream& in_;
  uint64_t line_ = 1;
  uint64_t last_line_ = 0;
  bool started_ = false;
};

// One field, quoted if needed.
std::string CsvEscape(const std::string& field);
// A whole record with a trailing "\n".
std::string CsvLine(const std::vector<std::string>& fields);

}  // namespace civic::tools
