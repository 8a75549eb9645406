#include "tools/import/sample_data.h"

#include <gtest/gtest.h>

#include <sstream>

#include "contracts/base/identifiers.h"
#include "tools/import/import_rows.h"

namespace civic::tools {
namespace {

CertTypeInfo BusinessLicence() {
  CertTypeInfo t;
  t.code = "11510700MB1537205J001";
  t.name = "营业执照";
  t.holder_code_type = "uscc";
  t.fields = {{"name", true, ""}, {"uscc", true, ""}, {"company_type", false, ""},
              {"legal_representative", true, ""}, {"established", true, ""}};
  return t;
}

CertTypeInfo IdCard() {
  CertTypeInfo t;
  t.code = "11510700008207313A001";
  t.name = "居民身份证";
  t.holder_code_type = "citizen_id";
  t.fields = {{"name", true, ""}, {"sex", true, ""}, {"birth_date", true, ""}, {"id_number", true, ""}};
  return t;
}

ImportSchema SchemaOf(const CertTypeInfo& t) {
  ImportSchema s{t.code, t.holder_code_type, {}};
  for (const auto& f : t.fields) s.fields.push_back({f.name, f.required});
  return s;
}

TEST(SampleDataTest, CodesAreValid) {
  SampleRng rng(7);
  for (int i = 0; i < 2000; ++i) {
    SampleCitizen c = SampleCitizenId(rng);
    ASSERT_TRUE(contracts::ValidateCitizenId(c.id).ok()) << c.id;
    EXPECT_EQ(c.id.substr(6, 4) + "-" + c.id.substr(10, 2) + "-" + c.id.substr(12, 2), c.birth_date);
    EXPECT_EQ((c.id[16] - '0') % 2 == 1, c.male);
    std::string uscc = SampleUscc(rng);
    ASSERT_TRUE(contracts::ValidateUscc(uscc).ok()) << uscc;
  }
}

TEST(SampleDataTest, SameSeedSameFileAndRowsPassTheChecks) {
  SampleFileOptions o;
  o.count = 300;
  o.seed = 9;
  std::string a = SampleCertificatesCsv(IdCard(), o);
  EXPECT_EQ(a, SampleCertificatesCsv(IdCard(), o));
  o.seed = 10;
  EXPECT_NE(a, SampleCertificatesCsv(IdCard(), o));

  std::istringstream in(a);
  auto content = ReadImportCsv(in, SchemaOf(IdCard()));
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(content->accepted.size(), 300u);
  for (const auto& row : content->accepted) {
    EXPECT_EQ(row.fields.at("id_number"), row.holder);  // the ID card's number is the holder's
  }
}

TEST(SampleDataTest, InvalidRowsAreRejectedAndEnterpriseTypesWork) {
  SampleFileOptions o;
  o.count = 200;
  o.invalid = 8;
  o.with_serial = true;
  std::istringstream in(SampleCertificatesCsv(BusinessLicence(), o));
  auto content = ReadImportCsv(in, SchemaOf(BusinessLicence()));
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(content->accepted.size(), 192u);
  EXPECT_EQ(content->rejected.size(), 8u);
  for (const auto& row : content->accepted) {
    EXPECT_EQ(row.fields.at("uscc"), row.holder);
    EXPECT_FALSE(row.serial.empty());
  }
  std::istringstream jsonl(SampleCertificatesJsonl(BusinessLicence(), o));
  auto from_jsonl = ReadImportJsonl(jsonl, SchemaOf(BusinessLicence()));
  ASSERT_TRUE(from_jsonl.ok());
  EXPECT_EQ(from_jsonl->accepted.size(), 192u);
  EXPECT_EQ(from_jsonl->rejected.size(), 8u);
}

}  // namespace
}  // namespace civic::tools
