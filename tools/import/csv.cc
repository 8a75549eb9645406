#include "tools/import/csv.h"

#include "tools/common/errors.h"

namespace civic::tools {

int CsvReader::Get() {
  int c = in_.get();
  if (c == '\n') ++line_;
  return c;
}

int CsvReader::Peek() { return in_.peek(); }

void CsvReader::SkipToLineEnd() {
  for (int c = Get(); c != EOF && c != '\n'; c = Get()) {
  }
}

Result<std::optional<CsvRecord>> CsvReader::Next() {
  if (!started_) {
    started_ = true;
    // Skip a UTF-8 byte order mark.
    if (Peek() == 0xEF) {
      char bom[3];
      in_.read(bom, 3);
      if (in_.gcount() != 3 || static_cast<unsigned char>(bom[1]) != 0xBB ||
          static_cast<unsigned char>(bom[2]) != 0xBF) {
        in_.clear();
        in_.seekg(0);
      }
    }
  }
  // Skip blank lines (LF or CRLF only).
  for (;;) {
    int c = Peek();
    if (c == EOF) return std::optional<CsvRecord>();
    if (c == '\n') {
      Get();
      continue;
    }
    if (c == '\r') {
      Get();
      if (Peek() == '\n') Get();
      continue;
    }
    break;
  }

  CsvRecord record;
  record.line = line_;
  last_line_ = line_;
  auto malformed = [&](const std::string& what) -> Status {
    return Status::InvalidArgument(err::CSV_MALFORMED,
                                   "line " + std::to_string(record.line) + ": " + what);
  };

  std::string field;
  for (;;) {
    int c = Get();
    if (c == '"' && field.empty()) {
      // Quoted field.
      for (;;) {
        int q = Get();
        if (q == EOF) return malformed("a quoted field is not closed before the end of the file");
        if (q == '"') {
          if (Peek() == '"') {
            Get();
            field.push_back('"');
            continue;
          }
          break;
        }
        field.push_back(static_cast<char>(q));
      }
      int after = Peek();
      if (after != ',' && after != '\n' && after != '\r' && after != EOF) {
        SkipToLineEnd();
        return malformed("unexpected text after a closing quote");
      }
      continue;
    }
    if (c == ',') {
      record.fields.push_back(std::move(field));
      field.clear();
      continue;
    }
    if (c == '\r' && (Peek() == '\n' || Peek() == EOF)) {
      if (Peek() == '\n') Get();
      record.fields.push_back(std::move(field));
      return std::optional<CsvRecord>(std::move(record));
    }
    if (c == '\n' || c == EOF) {
      record.fields.push_back(std::move(field));
      return std::optional<CsvRecord>(std::move(record));
    }
    if (c == '"') {
      SkipToLineEnd();
      return malformed("a quote inside an unquoted field (quote the whole field and double the quote)");
    }
    field.push_back(static_cast<char>(c));
  }
}

std::string CsvEscape(const std::string& field) {
  bool needs = !field.empty() && (field.front() == ' ' || field.back() == ' ');
  for (char c : field) {
    if (c == ',' || c == '"' || c == '\n' || c == '\r') needs = true;
  }
  if (!needs) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out.push_back(',');
    out += CsvEscape(fields[i]);
  }
  out.push_back('\n');
  return out;
}

}  // namespace civic::tools
