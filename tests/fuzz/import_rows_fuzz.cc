// Fuzz target: the rows of a bulk import file, which departments export from
// their old systems: certificate rows (tools/import/import_rows.h) and credit
// list rows (tools/import/credit_import.h), each as CSV or JSONL. The first byte
// picks which of the four readers gets the rest.
// Schemas: a citizen certificate type with two required fields and one optional;
// two credit categories (one red, one black) and a person salt; a fixed "today".
// Properties: a file-level error has a stable app code; every row is either
// accepted or rejected with one, and the counts add up.
#include <sstream>

#include "tests/fuzz/fuzz_check.h"
#include "tools/import/credit_import.h"
#include "tools/import/import_rows.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace civic;
  using namespace civic::fuzz;
  std::string_view in = AsText(data, size);
  const uint8_t reader = TakeByte(&in);
  std::istringstream stream{std::string(in)};
  if (reader % 4 < 2) {
    tools::ImportSchema schema;
    schema.type_code = "115107000082073130001";
    schema.holder_code_type = "citizen_id";
    schema.fields = {{"name", true}, {"address", true}, {"remark", false}};
    Result<tools::ImportFileContent> content =
        reader % 4 == 0 ? tools::ReadImportCsv(stream, schema) : tools::ReadImportJsonl(stream, schema);
    if (!content.ok()) {
      FUZZ_CHECK(!content.status().app_code().empty());
      return 0;
    }
    FUZZ_CHECK(content->rows == content->accepted.size() + content->rejected.size());
    for (const tools::RejectedRow& row : content->rejected) FUZZ_CHECK(!row.reason.app_code().empty());
    (void)tools::RejectedCsv(*content);
  } else {
    tools::CreditImportSchema schema;
    schema.categories = {{"tax_arrears", pb::CREDIT_LIST_BLACK}, {"model_taxpayer", pb::CREDIT_LIST_RED}};
    schema.person_key = std::string(32, 's');
    schema.now_ms = 1767225600000;  // 2026-01-01T00:00:00Z
    Result<tools::CreditImportFile> content =
        reader % 4 == 2 ? tools::ReadCreditCsv(stream, schema) : tools::ReadCreditJsonl(stream, schema);
    if (!content.ok()) {
      FUZZ_CHECK(!content.status().app_code().empty());
      return 0;
    }
    FUZZ_CHECK(content->rows == content->accepted.size() + content->rejected.size());
    for (const tools::CreditRejectedRow& row : content->rejected) FUZZ_CHECK(!row.reason.app_code().empty());
    (void)tools::CreditRejectedCsv(content->header, content->rejected);
  }
  return 0;
}
