// Keeps the error code lists of every layer, the "Error codes" table of docs/RPC.md and the sources in step:
// the table holds exactly the (code, layer, meaning) rows of the lists, sorted by code, and production code
// names app codes through the lists (civic::err::CODE), never as string literals.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "consensus/errors.h"
#include "contracts/base/errors.h"
#include "crypto/base/errors.h"
#include "crypto/base/status.h"
#include "ledger/errors.h"
#include "light/errors.h"
#include "node/errors.h"
#include "rpc/error_codes.h"
#include "tools/common/errors.h"

namespace civic {
namespace {

using Row = std::tuple<std::string, std::string, std::string>;  // code, layer, meaning

std::vector<Row> ListedRows() {
  std::vector<Row> rows;
  std::string layer;
#define CIVIC_ERR_ROW(code, meaning) rows.emplace_back(#code, layer, meaning);
  layer = "crypto";
  CIVIC_CRYPTO_ERRORS(CIVIC_ERR_ROW)
  layer = "ledger";
  CIVIC_LEDGER_ERRORS(CIVIC_ERR_ROW)
  layer = "light";
  CIVIC_LIGHT_ERRORS(CIVIC_ERR_ROW)
  layer = "contracts";
  CIVIC_CONTRACTS_ERRORS(CIVIC_ERR_ROW)
  layer = "consensus";
  CIVIC_CONSENSUS_ERRORS(CIVIC_ERR_ROW)
  layer = "rpc";
  CIVIC_RPC_ERRORS(CIVIC_ERR_ROW)
  layer = "node";
  CIVIC_NODE_ERRORS(CIVIC_ERR_ROW)
  layer = "tools";
  CIVIC_TOOLS_ERRORS(CIVIC_ERR_ROW)
#undef CIVIC_ERR_ROW
  return rows;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(' ');
  size_t e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// The rows of the table under "### Error codes": "| `CODE` | layer | meaning |", in document order.
std::vector<Row> DocumentedRows(const std::string& doc) {
  std::vector<Row> rows;
  std::istringstream lines(doc);
  std::string line;
  bool in_section = false;
  while (std::getline(lines, line)) {
    if (line.starts_with("#")) {
      in_section = line == "### Error codes";
      continue;
    }
    if (!in_section || !line.starts_with("| `")) continue;
    std::vector<std::string> cells;
    std::istringstream row(line.substr(1));
    std::string cell;
    while (std::getline(row, cell, '|')) cells.push_back(Trim(cell));
    if (cells.size() != 3 || cells[0].size() < 3 || cells[0].back() != '`') {
      ADD_FAILURE() << "malformed row in the Error codes table: " << line;
      continue;
    }
    rows.emplace_back(cells[0].substr(1, cells[0].size() - 2), cells[1], cells[2]);
  }
  return rows;
}

std::string Describe(const Row& row) {
  return std::get<0>(row) + " | " + std::get<1>(row) + " | " + std::get<2>(row);
}

TEST(ErrorsTableTest, ListsHoldEachCodeOnceWithAMeaning) {
  std::set<std::string> codes;
  for (const Row& row : ListedRows()) {
    EXPECT_TRUE(codes.insert(std::get<0>(row)).second) << std::get<0>(row) << " is listed twice";
    EXPECT_TRUE(std::regex_match(std::get<0>(row), std::regex("[A-Z][A-Z0-9_]+"))) << std::get<0>(row);
    EXPECT_FALSE(std::get<2>(row).empty()) << std::get<0>(row) << " has no meaning";
    EXPECT_EQ(std::get<2>(row).find('|'), std::string::npos) << std::get<0>(row) << ": '|' breaks the table";
  }
  EXPECT_EQ(std::string(err::BAD_SIGNATURE), "BAD_SIGNATURE");  // a constant's value is its own name
}

// status.h writes the codes of its three code-only classes as literals, so that it does not depend on a list;
// these must stay the listed codes.
TEST(ErrorsTableTest, StatusClassCodesAreListed) {
  EXPECT_EQ(Status::Corruption("m").app_code(), err::CORRUPTION);
  EXPECT_EQ(Status::IOError("m").app_code(), err::IO_ERROR);
  EXPECT_EQ(Status::Internal("m").app_code(), err::INTERNAL);
}

TEST(ErrorsTableTest, RpcDocTableEqualsTheLists) {
  const std::string doc = ReadFile(CIVIC_RPC_DOC);
  ASSERT_FALSE(doc.empty()) << "cannot read " << CIVIC_RPC_DOC;
  const std::vector<Row> documented = DocumentedRows(doc);
  const std::set<Row> in_doc(documented.begin(), documented.end());
  const std::vector<Row> listed = ListedRows();
  const std::set<Row> in_code(listed.begin(), listed.end());
  for (const Row& row : in_code) {
    EXPECT_TRUE(in_doc.count(row)) << "docs/RPC.md lacks the row: " << Describe(row);
  }
  for (const Row& row : in_doc) {
    EXPECT_TRUE(in_code.count(row)) << "docs/RPC.md has a row no list holds: " << Describe(row);
  }
  EXPECT_EQ(documented.size(), in_doc.size()) << "docs/RPC.md repeats a row";
  EXPECT_TRUE(std::is_sorted(documented.begin(), documented.end())) << "the Error codes table is not sorted by code";
}

// Places where production code writes an app code as a string literal instead of naming its constant.
std::vector<std::string> LiteralAppCodes(const std::string& source) {
  // A Status (or CmdStatus::Usage) built from a literal, a code beside a Code, a comparison with app_code(),
  // and the helpers whose first argument is an app code.
  static const std::regex kLiteral(
      R"((Status::[A-Za-z]+\(\s*"[A-Z][A-Z0-9_]+")|(Code::k[A-Za-z]+,\s*"[A-Z][A-Z0-9_]+")|)"
      R"((app_code\(\)\s*[!=]=\s*"[A-Z][A-Z0-9_]+")|)"
      R"((\b(Err|Denied|RowError|Malformed|SendError)\(\s*"[A-Z][A-Z0-9_]+"))");
  std::vector<std::string> found;
  for (auto it = std::sregex_iterator(source.begin(), source.end(), kLiteral); it != std::sregex_iterator(); ++it) {
    found.push_back(it->str());
  }
  return found;
}

TEST(ErrorsTableTest, ScanFindsLiteralAppCodes) {
  EXPECT_EQ(LiteralAppCodes("return Status::NotFound(\"CERT_NOT_FOUND\", \"no certificate\");").size(), 1u);
  EXPECT_EQ(LiteralAppCodes("return CmdStatus::Usage(\n    \"BAD_ENTRY\", \"an entry id is 1 or more\");").size(), 1u);
  EXPECT_EQ(LiteralAppCodes("return Status(Code::kIOError, \"DATA_DIR_UNUSABLE\", msg);").size(), 1u);
  EXPECT_EQ(LiteralAppCodes("if (st.app_code() == \"TX_IN_MEMPOOL\") return;").size(), 1u);
  EXPECT_EQ(LiteralAppCodes("return RowError(\"BAD_DATE\", \"decided_at is in the future\");").size(), 1u);
  EXPECT_TRUE(LiteralAppCodes("return Status::NotFound(err::CERT_NOT_FOUND, \"no certificate \" + id);").empty());
  EXPECT_TRUE(LiteralAppCodes("if (st.app_code() == err::TX_IN_MEMPOOL) return;").empty());
  EXPECT_TRUE(LiteralAppCodes("return Status::InvalidArgument(err::BAD_TIME, \"time \\\"X\\\" is bad\");").empty());
}

TEST(ErrorsTableTest, ProductionCodeNamesAppCodesThroughTheLists) {
  const std::filesystem::path root = CIVIC_SOURCE_DIR;
  size_t files = 0;
  for (const char* layer : {"crypto", "ledger", "light", "contracts", "consensus", "rpc", "node", "tools"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root / layer)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".h" && ext != ".cc")) continue;
      if (entry.path() == root / "crypto/base/status.h") continue;  // see StatusClassCodesAreListed
      ++files;
      for (const std::string& literal : LiteralAppCodes(ReadFile(entry.path()))) {
        ADD_FAILURE() << std::filesystem::relative(entry.path(), root).string() << ": " << literal
                      << " (name the code through its layer's errors.h list)";
      }
    }
  }
  EXPECT_GT(files, 100u);
}

}  // namespace
}  // namespace civic
