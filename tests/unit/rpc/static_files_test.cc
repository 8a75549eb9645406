#include "rpc/static_files.h"

#include <gtest/gtest.h>

#include <fstream>

#include "test_util.h"

namespace civic::rpc {
namespace {

namespace fs = std::filesystem;

TEST(StaticFilesTest, ResolvesInsideTheRootOnly) {
  testing::TempDir dir;
  fs::path root = dir.path() / "web";
  fs::create_directories(root / "a");
  std::ofstream(root / "index.html") << "i";
  std::ofstream(root / "a" / "x.js") << "x";
  std::ofstream(dir.path() / "secret") << "s";
  root = fs::canonical(root);

  auto r = ResolveStaticFile(root, "/", false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->path, root / "index.html");
  EXPECT_EQ(r->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(ResolveStaticFile(root, "/a/x.js", false)->path, root / "a" / "x.js");
  EXPECT_EQ(ResolveStaticFile(root, "/a/./x.js", false)->path, root / "a" / "x.js");
  EXPECT_EQ(ResolveStaticFile(root, "//a//x.js", false)->path, root / "a" / "x.js");
  EXPECT_EQ(ResolveStaticFile(root, "/a/%78.js", false)->path, root / "a" / "x.js");

  for (std::string_view bad : {"/../secret", "/a/../../secret", "/%2e%2e/secret", "/a/..%2F..%2Fsecret", "/.hidden",
                               "/a%00", "/a%5c..%5csecret", "relative", "", "/%", "/%4"}) {
    auto res = ResolveStaticFile(root, bad, true);
    ASSERT_FALSE(res.ok()) << bad;
    EXPECT_EQ(res.status().code(), Code::kPermissionDenied) << bad;
  }
  EXPECT_EQ(ResolveStaticFile(root, "/nope.css", true).status().app_code(), "FILE_NOT_FOUND");
  EXPECT_EQ(ResolveStaticFile(root, "/a", false).status().app_code(), "FILE_NOT_FOUND");  // no a/index.html
  EXPECT_EQ(ResolveStaticFile(root, "/some/route", true)->path, root / "index.html");
  EXPECT_FALSE(ResolveStaticFile(root, "/some/route", false).ok());
}

TEST(StaticFilesTest, ContentTypes) {
  EXPECT_EQ(ContentTypeFor("a.JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("a.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeFor("a.png"), "image/png");
  EXPECT_EQ(ContentTypeFor("a.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeFor("a.wasm"), "application/wasm");
  EXPECT_EQ(ContentTypeFor("a.json"), "application/json");
  EXPECT_EQ(ContentTypeFor("noext"), "application/octet-stream");
}

TEST(StaticFilesTest, PercentDecode) {
  EXPECT_EQ(*PercentDecode("a%20b"), "a b");
  EXPECT_EQ(*PercentDecode("a+b"), "a+b");
  EXPECT_EQ(*PercentDecode("a+b", true), "a b");
  EXPECT_EQ(*PercentDecode("%E4%B8%AD"), "中");
  EXPECT_FALSE(PercentDecode("%").has_value());
  EXPECT_FALSE(PercentDecode("%2").has_value());
  EXPECT_FALSE(PercentDecode("%zz").has_value());
}

}  // namespace
}  // namespace civic::rpc
