#include "tools/import/import_rows.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "tools/import/sample_data.h"

namespace civic::tools {
namespace {

ImportSchema IdCardSchema() {
  return {"11510700008207313A001", "citizen_id", {{"name", true}, {"sex", true}, {"address", false}}};
}

// Valid codes from the sample generator (its check characters are tested below).
std::string ValidCitizen(uint64_t seed) {
  SampleRng rng(seed);
  return SampleCitizenId(rng).id;
}

std::string ValidUscc(uint64_t seed) {
  SampleRng rng(seed);
  return SampleUscc(rng);
}

std::map<uint64_t, std::string> ReasonsByLine(const ImportFileContent& c) {
  std::map<uint64_t, std::string> out;
  for (const auto& r : c.rejected) out[r.line] = r.reason.app_code();
  return out;
}

TEST(ImportRowsTest, CsvEveryTypedReason) {
  std::string a = ValidCitizen(1), b = ValidCitizen(2), c = ValidCitizen(3);
  std::string bad_check = a;
  bad_check.back() = bad_check.back() == '1' ? '2' : '1';
  std::ostringstream csv;
  csv << "holder_type,holder,name,sex,address,valid_from,valid_until,serial\n"                    // 1
      << "citizen," << a << ",张三,男,绵阳,2020-01-01,2030-01-01,A1\n"                            // 2 ok
      << "citizen," << bad_check << ",李四,女,,2020-01-01,2030-01-01,\n"                          // 3 BAD_CITIZEN_ID
      << "person," << b << ",王五,男,,,,\n"                                                       // 4 BAD_HOLDER_TYPE
      << "enterprise," << ValidUscc(4) << ",某公司,男,,,,\n"                                      // 5 HOLDER_TYPE_MISMATCH
      << "citizen," << b << ",,男,,,,\n"                                                          // 6 MISSING_FIELD
      << "citizen," << b << ",赵六,男,,2020-02-30,,\n"                                            // 7 BAD_DATE
      << "citizen," << b << ",赵六,男,,2020-01-01,2019-01-01,\n"                                  // 8 BAD_VALIDITY
      << "citizen," << b << ",赵六,男,,,,bad-serial\n"                                            // 9 BAD_SERIAL
      << "citizen," << b << ",赵六,男,,,,A1\n"                                                    // 10 DUPLICATE_SERIAL
      << "citizen," << b << ",钱七\n"                                                             // 11 WRONG_COLUMN_COUNT
      << "citizen," << b << ",\"un\"closed,男,,,,\n"                                              // 12 CSV_MALFORMED
      << "citizen," << c << ",孙八,女,,,,\n"                                                      // 13 ok
      << "citizen," << c << ",孙八,女,,,,\n"                                                      // 14 DUPLICATE_ROW
      << "citizen," << c << ",\"bad\x01value\",女,,,,\n"                                          // 15 BAD_FIELD_VALUE
      << "citizen," << b << ",\"ok, quoted\",男,,2021-06-01T08:00:00+08:00,2031-06-01,\n";        // 16 ok
  std::istringstream in(csv.str());
  auto content = ReadImportCsv(in, IdCardSchema());
  ASSERT_TRUE(content.ok()) << content.status().ToString();
  EXPECT_EQ(content->rows, 15u);
  auto reasons = ReasonsByLine(*content);
  std::map<uint64_t, std::string> want = {
      {3, "BAD_CITIZEN_ID"}, {4, "BAD_HOLDER_TYPE"}, {5, "HOLDER_TYPE_MISMATCH"}, {6, "MISSING_FIELD"},
      {7, "BAD_DATE"},       {8, "BAD_VALIDITY"},    {9, "BAD_SERIAL"},           {10, "DUPLICATE_SERIAL"},
      {11, "WRONG_COLUMN_COUNT"}, {12, "CSV_MALFORMED"}, {14, "DUPLICATE_ROW"},   {15, "BAD_FIELD_VALUE"}};
  EXPECT_EQ(reasons, want);
  ASSERT_EQ(content->accepted.size(), 3u);
  const ImportRow& first = content->accepted[0];
  EXPECT_EQ(first.line, 2u);
  EXPECT_EQ(first.holder_code_type, "citizen_id");
  EXPECT_EQ(first.serial, "A1");
  EXPECT_EQ(first.fields.at("name"), "张三");
  EXPECT_EQ(first.fields.count("address"), 1u);
  EXPECT_EQ(first.issued_at_ms, first.valid_from_ms);
  EXPECT_EQ(content->accepted[1].line, 13u);
  EXPECT_EQ(content->accepted[1].fields.count("address"), 0u);  // empty optional field left out
  EXPECT_EQ(content->accepted[2].fields.at("name"), "ok, quoted");
  // The rejected file names each line and reason, with the original record.
  std::string rejected = RejectedCsv(*content);
  EXPECT_NE(rejected.find("3,BAD_CITIZEN_ID,"), std::string::npos);
  EXPECT_NE(rejected.find("line,app_code,message,holder_type,holder"), std::string::npos);
  // A citizen ID is personal data: the reason text does not repeat it.
  for (const auto& r : content->rejected) {
    if (r.reason.app_code() == "BAD_CITIZEN_ID") {
      EXPECT_EQ(r.reason.message().find(bad_check), std::string::npos);
    }
  }
}

TEST(ImportRowsTest, CsvHeaderProblemsFailTheFile) {
  auto read = [](const std::string& text) {
    std::istringstream in(text);
    return ReadImportCsv(in, IdCardSchema());
  };
  EXPECT_EQ(read("").status().app_code(), "IMPORT_BAD_HEADER");
  EXPECT_EQ(read("holder,name,sex\n").status().app_code(), "IMPORT_BAD_HEADER");
  EXPECT_EQ(read("holder_type,holder,name,sex,colour\n").status().app_code(), "IMPORT_UNKNOWN_COLUMN");
  EXPECT_EQ(read("holder_type,holder,name,name\n").status().app_code(), "IMPORT_BAD_HEADER");
  EXPECT_EQ(read("holder_type,holder,,sex\n").status().app_code(), "IMPORT_BAD_HEADER");
  EXPECT_TRUE(read("holder_type,holder,name,sex\n").ok());
}

TEST(ImportRowsTest, JsonlRowsAndReasons) {
  std::string a = ValidCitizen(11), b = ValidCitizen(12);
  std::ostringstream jsonl;
  jsonl << R"({"holder_type":"citizen","holder":")" << a
        << R"(","fields":{"name":"张三","sex":"男"},"valid_from":"2020-01-01","valid_until":1900000000000})" << "\n"  // 1 ok
        << "not json\n"                                                                                          // 2
        << "[1,2]\n"                                                                                             // 3
        << R"({"holder_type":"citizen","holder":")" << b << R"(","name":"李四","sex":"女","colour":"red"})" << "\n"  // 4
        << R"({"holder_type":"citizen","holder":")" << b << R"(","name":{"x":1},"sex":"女"})" << "\n"            // 5
        << "\n"                                                                                                  // 6 blank
        << R"({"holder_type":"citizen","holder":")" << b << R"(","name":"李四","sex":"女"})" << "\r\n";          // 7 ok
  std::istringstream in(jsonl.str());
  auto content = ReadImportJsonl(in, IdCardSchema());
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(content->rows, 6u);
  auto reasons = ReasonsByLine(*content);
  std::map<uint64_t, std::string> want = {
      {2, "JSON_MALFORMED"}, {3, "JSON_MALFORMED"}, {4, "UNKNOWN_FIELD"}, {5, "BAD_FIELD_VALUE"}};
  EXPECT_EQ(reasons, want);
  ASSERT_EQ(content->accepted.size(), 2u);
  EXPECT_EQ(content->accepted[0].valid_until_ms, 1900000000000);
  EXPECT_EQ(content->accepted[1].line, 7u);
  EXPECT_EQ(content->accepted[1].fields.at("name"), "李四");
}

TEST(ImportRowsTest, EnterpriseHoldersAndFormats) {
  ImportSchema schema{"11510700MB1537205J001", "uscc", {{"name", true}}};
  std::string good = ValidUscc(5);
  std::string bad = good;
  bad[17] = bad[17] == '1' ? '2' : '1';
  std::istringstream in("holder_type,holder,name\nenterprise," + good + ",绵阳某某公司\nuscc," + bad +
                        ",某公司\n");
  auto content = ReadImportCsv(in, schema);
  ASSERT_TRUE(content.ok());
  ASSERT_EQ(content->accepted.size(), 1u);
  EXPECT_EQ(content->accepted[0].holder_code_type, "uscc");
  ASSERT_EQ(content->rejected.size(), 1u);
  EXPECT_EQ(content->rejected[0].reason.app_code(), "BAD_USCC");

  EXPECT_EQ(*ImportFormatFromPath("x/stock.csv"), ImportFormat::kCsv);
  EXPECT_EQ(*ImportFormatFromPath("stock.jsonl"), ImportFormat::kJsonl);
  EXPECT_EQ(ImportFormatFromPath("stock.xlsx").status().app_code(), "IMPORT_UNKNOWN_FORMAT");
  EXPECT_EQ(RejectedPathFor("dir.v2/stock.csv"), "dir.v2/stock.rejected.csv");
  EXPECT_EQ(RejectedPathFor("dir.v2/stock"), "dir.v2/stock.rejected.csv");
}

}  // namespace
}  // namespace civic::tools
