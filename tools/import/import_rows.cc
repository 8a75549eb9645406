#include "tools/import/import_rows.h"

#include <boost/json.hpp>
#include <fstream>
#include <set>

#include "contracts/base/errors.h"
#include "contracts/certificate/rules.h"
#include "contracts/base/identifiers.h"
#include "rpc/error_codes.h"
#include "tools/common/errors.h"
#include "tools/import/csv.h"
#include "tools/common/timefmt.h"

namespace civic::tools {
namespace json = boost::json;
namespace {

constexpr size_t kMaxFieldBytes = 4096;
const std::set<std::string, std::less<>> kReservedColumns = {
    "holder_type", "holder", "valid_from", "valid_until", "issued_at", "serial", "fields"};

Status RowError(std::string app, std::string msg) {
  return Status::InvalidArgument(std::move(app), std::move(msg));
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n;
    if (c < 0x80) n = 0;
    else if ((c >> 5) == 0x6) n = 1;
    else if ((c >> 4) == 0xE) n = 2;
    else if ((c >> 3) == 0x1E) n = 3;
    else return false;
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n + 1;
  }
  return true;
}

bool HasControlChars(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') return true;
  }
  return false;
}

// What every format hands over for one row before checking.
struct RawRow {
  uint64_t line = 0;
  std::string holder_type;
  std::string holder;
  std::map<std::string, std::string> fields;  // as given, empty values included
  std::string valid_from, valid_until, issued_at, serial;
};

// Cross-row checks (duplicates) live in this object.
class RowChecker {
 public:
  explicit RowChecker(const ImportSchema& schema) : schema_(schema), now_ms_(NowMs()) {
    for (const auto& f : schema.fields) known_.insert(f.name);
  }

  Result<ImportRow> Check(const RawRow& raw) {
    ImportRow row;
    row.line = raw.line;
    auto type = HolderCodeType(raw.holder_type);
    if (!type.ok()) return type.status();
    row.holder_code_type = *type;
    if (!schema_.holder_code_type.empty() && row.holder_code_type != schema_.holder_code_type) {
      return RowError(err::HOLDER_TYPE_MISMATCH,
                      "certificate type " + schema_.type_code + " is held by " +
                          (schema_.holder_code_type == "uscc" ? "enterprises" : "citizens") +
                          ", but this row names a" +
                          (row.holder_code_type == "uscc" ? "n enterprise" : " citizen"));
    }
    row.holder = raw.holder;
    CIVIC_RETURN_IF_ERROR(contracts::ValidateHolderCode(row.holder_code_type, row.holder));

    for (const auto& [name, value] : raw.fields) {
      if (!known_.count(name)) {
        return RowError(err::UNKNOWN_FIELD, "field \"" + name + "\" is not in the schema of type " +
                                             schema_.type_code);
      }
      if (value.size() > kMaxFieldBytes || !ValidUtf8(value) || HasControlChars(value)) {
        return RowError(err::BAD_FIELD_VALUE, "field \"" + name +
                                               "\" is not valid UTF-8 text of at most 4096 bytes "
                                               "without control characters");
      }
      if (!value.empty()) row.fields[name] = value;
    }
    for (const auto& f : schema_.fields) {
      if (f.required && !row.fields.count(f.name)) {
        return RowError(err::MISSING_FIELD, "required field \"" + f.name + "\" is empty or missing");
      }
    }
    if (row.fields.empty()) return RowError(err::MISSING_FIELD, "the row has no field values");

    auto date = [](const std::string& text, DateEdge edge, const char* what) -> Result<int64_t> {
      if (text.empty()) return int64_t{0};
      auto ms = ParseTimeMs(text, edge);
      if (!ms.ok()) return RowError(err::BAD_DATE, std::string(what) + ": " + ms.status().message());
      return *ms;
    };
    CIVIC_ASSIGN_OR_RETURN(row.valid_from_ms, date(raw.valid_from, DateEdge::kStartOfDay, "valid_from"));
    CIVIC_ASSIGN_OR_RETURN(row.valid_until_ms, date(raw.valid_until, DateEdge::kEndOfDay, "valid_until"));
    CIVIC_ASSIGN_OR_RETURN(row.issued_at_ms, date(raw.issued_at, DateEdge::kStartOfDay, "issued_at"));
    // The chain refuses an issue date after the block time: an explicit one in the
    // future is an error; a certificate that only becomes valid later is issued now.
    if (row.issued_at_ms > now_ms_) {
      return RowError(err::BAD_VALIDITY, "issued_at is in the future");
    }
    if (row.issued_at_ms == 0 && row.valid_from_ms <= now_ms_) row.issued_at_ms = row.valid_from_ms;
    if (row.valid_until_ms != 0 && row.valid_from_ms != 0 && row.valid_until_ms <= row.valid_from_ms) {
      return RowError(err::BAD_VALIDITY, "valid_until is not after valid_from");
    }
    if (row.issued_at_ms != 0 && row.valid_until_ms != 0 && row.issued_at_ms > row.valid_until_ms) {
      return RowError(err::BAD_VALIDITY, "issued_at is after valid_until");
    }

    if (!raw.serial.empty()) {
      CIVIC_RETURN_IF_ERROR(contracts::ValidateSerial(raw.serial));
      row.serial = raw.serial;
    }

    // Duplicates are checked last so that only well-formed rows claim a serial.
    if (!row.serial.empty() && serials_.count(row.serial)) {
      return RowError(err::DUPLICATE_SERIAL, "serial " + row.serial + " already appears on line " +
                                              std::to_string(serials_[row.serial]));
    }
    std::string key = row.holder_code_type + '\0' + row.holder + '\0' +
                      std::to_string(row.valid_from_ms) + '\0' + std::to_string(row.valid_until_ms);
    for (const auto& [n, v] : row.fields) key += '\0' + n + '\0' + v;
    auto dup = rows_.find(key);
    if (dup != rows_.end()) {
      return RowError(err::DUPLICATE_ROW, "the same certificate already appears on line " +
                                           std::to_string(dup->second));
    }
    rows_.emplace(std::move(key), row.line);
    if (!row.serial.empty()) serials_[row.serial] = row.line;
    return row;
  }

 private:
  const ImportSchema& schema_;
  int64_t now_ms_;
  std::set<std::string, std::less<>> known_;
  std::map<std::string, uint64_t> serials_;
  std::map<std::string, uint64_t> rows_;
};

Status BadHeader(std::string msg) {
  return Status::InvalidArgument(err::IMPORT_BAD_HEADER, std::move(msg));
}

std::string Trim(std::string s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Sets the column of `raw` that has a member of its own (holder, validity,
// issue time, serial); false for a certificate field.
bool SetNamedColumn(RawRow& raw, const std::string& name, const std::string& value) {
  if (name == "holder_type") raw.holder_type = value;
  else if (name == "holder") raw.holder = value;
  else if (name == "valid_from") raw.valid_from = value;
  else if (name == "valid_until") raw.valid_until = value;
  else if (name == "issued_at") raw.issued_at = value;
  else if (name == "serial") raw.serial = value;
  else return false;
  return true;
}

}  // namespace

Result<std::string> HolderCodeType(std::string_view holder_type) {
  if (holder_type == "citizen" || holder_type == contracts::kHolderCitizenId) {
    return std::string(contracts::kHolderCitizenId);
  }
  if (holder_type == "enterprise" || holder_type == contracts::kHolderUscc) {
    return std::string(contracts::kHolderUscc);
  }
  return RowError(err::BAD_HOLDER_TYPE, "holder type \"" + std::string(holder_type) +
                                         "\" is not citizen or enterprise");
}

Result<ImportFormat> ParseImportFormat(std::string_view name) {
  if (name == "csv") return ImportFormat::kCsv;
  if (name == "jsonl" || name == "ndjson") return ImportFormat::kJsonl;
  return Status::InvalidArgument(err::IMPORT_UNKNOWN_FORMAT,
                                 "format \"" + std::string(name) + "\" is not csv or jsonl");
}

Result<ImportFormat> ImportFormatFromPath(const std::string& path) {
  auto ends = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends(".csv") || ends(".CSV")) return ImportFormat::kCsv;
  if (ends(".jsonl") || ends(".ndjson") || ends(".json") || ends(".JSONL")) return ImportFormat::kJsonl;
  return Status::InvalidArgument(err::IMPORT_UNKNOWN_FORMAT,
                                 path + ": cannot tell the format from the name; use .csv or .jsonl, "
                                        "or give --format");
}

Result<ImportFileContent> ReadImportCsv(std::istream& in, const ImportSchema& schema) {
  ImportFileContent out;
  CsvReader reader(in);
  auto first = reader.Next();
  if (!first.ok()) return BadHeader("the header row is malformed: " + first.status().message());
  if (!first->has_value()) return BadHeader("the file is empty; expected a header row");
  for (auto& h : (*first)->fields) out.header.push_back(Trim(h));

  std::set<std::string, std::less<>> known;
  for (const auto& f : schema.fields) known.insert(f.name);
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < out.header.size(); ++i) {
    const std::string& name = out.header[i];
    if (name.empty()) return BadHeader("column " + std::to_string(i + 1) + " has no name");
    if (name == "fields" || (!kReservedColumns.count(name) && !known.count(name))) {
      std::string names;
      for (const auto& f : schema.fields) names += (names.empty() ? "" : ", ") + f.name;
      return Status::InvalidArgument(err::IMPORT_UNKNOWN_COLUMN,
                                     "column \"" + name + "\" is neither a field of type " +
                                         schema.type_code + " (" + names +
                                         ") nor one of holder_type, holder, valid_from, "
                                         "valid_until, issued_at, serial");
    }
    if (!column.emplace(name, i).second) return BadHeader("column \"" + name + "\" appears twice");
  }
  if (!column.count("holder_type") || !column.count("holder")) {
    return BadHeader("the header must name the columns holder_type and holder");
  }

  RowChecker checker(schema);
  for (;;) {
    auto rec = reader.Next();
    if (!rec.ok()) {
      out.rejected.push_back({reader.last_line(), rec.status(), {}});
      ++out.rows;
      continue;
    }
    if (!rec->has_value()) break;
    CsvRecord& r = **rec;
    ++out.rows;
    if (r.fields.size() != out.header.size()) {
      out.rejected.push_back({r.line,
                              RowError(err::WRONG_COLUMN_COUNT, "expected " + std::to_string(out.header.size()) +
                                                                 " columns, found " + std::to_string(r.fields.size())),
                              r.fields});
      continue;
    }
    RawRow raw;
    raw.line = r.line;
    for (size_t i = 0; i < r.fields.size(); ++i) {
      const std::string& name = out.header[i];
      std::string value = Trim(r.fields[i]);
      if (!SetNamedColumn(raw, name, value)) raw.fields[name] = value;
    }
    auto row = checker.Check(raw);
    if (row.ok()) {
      row->record = std::move(r.fields);
      out.accepted.push_back(std::move(*row));
    } else {
      out.rejected.push_back({r.line, row.status(), std::move(r.fields)});
    }
  }
  return out;
}

namespace {

// A JSON member as text: strings as they are, integers in decimal.
Result<std::string> JsonText(const json::value& v, const std::string& name) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_null()) return std::string();
  return RowError(err::BAD_FIELD_VALUE, "\"" + name + "\" must be a string");
}

Result<RawRow> RawFromJson(const json::object& o, uint64_t line) {
  RawRow raw;
  raw.line = line;
  for (const auto& kv : o) {
    std::string name(kv.key());
    if (name == "fields") {
      if (!kv.value().is_object()) return RowError(err::BAD_FIELD_VALUE, "\"fields\" must be an object");
      for (const auto& f : kv.value().get_object()) {
        std::string fname(f.key());
        CIVIC_ASSIGN_OR_RETURN(std::string value, JsonText(f.value(), fname));
        if (!raw.fields.emplace(fname, std::move(value)).second) {
          return RowError(err::BAD_FIELD_VALUE, "field \"" + fname + "\" is given twice");
        }
      }
      continue;
    }
    CIVIC_ASSIGN_OR_RETURN(std::string value, JsonText(kv.value(), name));
    if (SetNamedColumn(raw, name, value)) continue;
    if (!raw.fields.emplace(name, std::move(value)).second) {
      return RowError(err::BAD_FIELD_VALUE, "field \"" + name + "\" is given twice");
    }
  }
  return raw;
}

}  // namespace

Result<ImportFileContent> ReadImportJsonl(std::istream& in, const ImportSchema& schema) {
  ImportFileContent out;
  out.header = {"record"};
  RowChecker checker(schema);
  std::string line;
  uint64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1 && line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ++out.rows;
    json::error_code ec;
    json::value v = json::parse(line, ec);
    if (ec || !v.is_object()) {
      out.rejected.push_back(
          {line_no, RowError(err::JSON_MALFORMED, ec ? "not valid JSON: " + ec.message() : "not a JSON object"), {line}});
      continue;
    }
    auto raw = RawFromJson(v.get_object(), line_no);
    if (!raw.ok()) {
      out.rejected.push_back({line_no, raw.status(), {line}});
      continue;
    }
    auto row = checker.Check(*raw);
    if (row.ok()) {
      row->record = {line};
      out.accepted.push_back(std::move(*row));
    } else {
      out.rejected.push_back({line_no, row.status(), {line}});
    }
  }
  if (in.bad()) return Status::IOError("cannot read the import file");
  return out;
}

Result<ImportFileContent> ReadImportFile(const std::string& path, ImportFormat format,
                                         const ImportSchema& schema) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(err::FILE_NOT_FOUND, "cannot open " + path);
  auto content = format == ImportFormat::kCsv ? ReadImportCsv(in, schema) : ReadImportJsonl(in, schema);
  if (!content.ok()) {
    const Status& st = content.status();
    return Status(st.code(), st.app_code(), path + ": " + st.message());
  }
  return content;
}

std::string RejectedCsv(const ImportFileContent& content) {
  std::vector<std::string> header = {"line", "app_code", "message"};
  header.insert(header.end(), content.header.begin(), content.header.end());
  std::string out = CsvLine(header);
  for (const auto& r : content.rejected) {
    std::vector<std::string> row = {std::to_string(r.line), r.reason.app_code(), r.reason.message()};
    row.insert(row.end(), r.record.begin(), r.record.end());
    out += CsvLine(row);
  }
  return out;
}

std::string RejectedPathFor(const std::string& input_path) {
  size_t slash = input_path.find_last_of('/');
  size_t dot = input_path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) {
    return input_path + ".rejected.csv";
  }
  return input_path.substr(0, dot) + ".rejected.csv";
}

}  // namespace civic::tools
