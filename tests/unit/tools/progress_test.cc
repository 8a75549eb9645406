#include "tools/common/progress.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace civic::tools {
namespace {

TEST(ProgressTest, FormatsCountsRateAndEta) {
  EXPECT_EQ(FormatProgress(500, 1000, 2000, 10, "rows"), "[#####     ] 500/1000 rows (50%)  250.0 rows/s  ETA 2s");
  EXPECT_EQ(FormatProgress(1000, 1000, 4000, 0, "rows"), "1000/1000 rows (100%)  250.0 rows/s");
  EXPECT_EQ(FormatProgress(0, 0, 0, 4, "rows"), "[####] 0/0 rows (100%)");
  EXPECT_EQ(FormatDuration(3725), "1h02m");
  EXPECT_EQ(FormatDuration(185), "3m05s");
  EXPECT_EQ(FormatDuration(-5), "0s");
}

TEST(ProgressTest, PlainLinesWhenNotATerminal) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    Progress p(f, /*terminal=*/false, 100, 20, "rows");
    for (int i = 0; i < 80; ++i) p.Add(1);
    p.Finish();
    p.Finish();  // idempotent
  }
  std::rewind(f);
  std::string text;
  char buf[256];
  while (std::fgets(buf, sizeof buf, f)) text += buf;
  std::fclose(f);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_NE(text.find("progress: 100/100 rows (100%)"), std::string::npos);
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_GE(lines, 2u);
  EXPECT_LE(lines, 10u);  // one per 10% at most, plus the final line
}

}  // namespace
}  // namespace civic::tools
