#include "tools/import/csv.h"

#include <gtest/gtest.h>

#include <sstream>

namespace civic::tools {
namespace {

std::vector<CsvRecord> ReadAllRecords(const std::string& text, std::vector<Status>* errors = nullptr) {
  std::istringstream in(text);
  CsvReader reader(in);
  std::vector<CsvRecord> out;
  for (int guard = 0; guard < 1000; ++guard) {
    auto r = reader.Next();
    if (!r.ok()) {
      if (errors) errors->push_back(r.status());
      continue;
    }
    if (!r->has_value()) break;
    out.push_back(std::move(**r));
  }
  return out;
}

TEST(CsvTest, PlainAndQuotedFields) {
  auto recs = ReadAllRecords("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",,end\n");
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].fields, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(recs[1].fields, (std::vector<std::string>{"1", "x, y", "say \"hi\""}));
  EXPECT_EQ(recs[2].fields, (std::vector<std::string>{"multi\nline", "", "end"}));
  EXPECT_EQ(recs[0].line, 1u);
  EXPECT_EQ(recs[1].line, 2u);
  EXPECT_EQ(recs[2].line, 3u);
}

TEST(CsvTest, SkipsBomAndBlankLinesAndKeepsLineNumbers) {
  auto recs = ReadAllRecords("\xEF\xBB\xBFh1,h2\n\n\r\nv1,v2\nlast,row");
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].fields[0], "h1");
  EXPECT_EQ(recs[1].line, 4u);
  EXPECT_EQ(recs[2].fields, (std::vector<std::string>{"last", "row"}));
  EXPECT_EQ(recs[2].line, 5u);
}

TEST(CsvTest, MalformedRecordsAreTypedAndTheReaderResynchronises) {
  std::vector<Status> errors;
  auto recs = ReadAllRecords("a,b\nx\"y,z\n\"ok\",1\n\"bad\"tail,2\ngood,3\n\"never closed,4\n", &errors);
  ASSERT_EQ(errors.size(), 3u);
  for (const auto& e : errors) EXPECT_EQ(e.app_code(), "CSV_MALFORMED");
  EXPECT_NE(errors[0].message().find("line 2"), std::string::npos);
  EXPECT_NE(errors[1].message().find("line 4"), std::string::npos);
  EXPECT_NE(errors[2].message().find("line 6"), std::string::npos);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[1].fields, (std::vector<std::string>{"ok", "1"}));
  EXPECT_EQ(recs[2].fields, (std::vector<std::string>{"good", "3"}));
  EXPECT_EQ(recs[2].line, 5u);
}

TEST(CsvTest, EscapeRoundTrips) {
  std::vector<std::string> fields = {"plain", "with,comma", "with \"quote\"", "line\nbreak", " padded ", ""};
  auto recs = ReadAllRecords(CsvLine(fields));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].fields, fields);
  EXPECT_EQ(CsvEscape("plain"), "plain");
}

}  // namespace
}  // namespace civic::tools
