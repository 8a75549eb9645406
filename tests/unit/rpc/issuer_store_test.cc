// The issuer API's pieces that keep state or parse input: scopes, tokens (the
// tokens file and its check), idempotency records (incl. a restart), request bodies.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "contracts/base/errors.h"
#include "rpc/error_codes.h"
#include "rpc/issuer/idempotency_store.h"
#include "rpc/issuer/request.h"
#include "rpc/issuer/scope.h"
#include "rpc/issuer/token_store.h"
#include "test_util.h"

namespace civic::rpc {
namespace {

using testing::TempDir;

constexpr const char* kType = "11510700008207313A001";
constexpr int64_t kNow = 1750000000000;
constexpr int64_t kDay = 86400000;

std::vector<ScopeEntry> Scopes(const std::string& text) {
  auto s = ParseScopes(text);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : std::vector<ScopeEntry>{};
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- scopes

TEST(IssuerScopeTest, ParsesAndFormatsEntries) {
  auto scopes = Scopes(std::string("cert.issue:") + kType + ", cert.revoke:*");
  ASSERT_EQ(scopes.size(), 2u);
  EXPECT_EQ(scopes[0], (ScopeEntry{"cert.issue", kType}));
  EXPECT_EQ(scopes[1], (ScopeEntry{"cert.revoke", "*"}));
  EXPECT_EQ(FormatScopes(scopes), std::string("cert.issue:") + kType + ",cert.revoke:*");
}

TEST(IssuerScopeTest, RefusesMalformedEntries) {
  for (const char* bad : {"", "cert.issue", "cert.delete:*", "cert.issue:NOT_A_TYPE", "cert.issue:*,", ":*",
                          "cert.issue:11510700008207313A00"}) {
    auto s = ParseScopes(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().app_code(), err::ISSUER_BAD_SCOPE) << bad;
  }
}

TEST(IssuerScopeTest, AllowsOnlyTheNamedActionAndType) {
  auto scopes = Scopes(std::string("cert.issue:") + kType + ",cert.revoke:*");
  EXPECT_TRUE(ScopeAllows(scopes, IssuerAction::kIssue, kType));
  EXPECT_FALSE(ScopeAllows(scopes, IssuerAction::kIssue, "11510700008207313A002"));
  EXPECT_TRUE(ScopeAllows(scopes, IssuerAction::kRevoke, "11510700008207313A002"));
  EXPECT_FALSE(ScopeAllows(scopes, IssuerAction::kSuspend, kType));
  EXPECT_FALSE(ScopeAllows(scopes, IssuerAction::kRenew, kType));
  auto all = Scopes(std::string("cert.*:") + kType);
  for (IssuerAction a : {IssuerAction::kIssue, IssuerAction::kRenew, IssuerAction::kReplace, IssuerAction::kSuspend,
                         IssuerAction::kReinstate, IssuerAction::kRevoke}) {
    EXPECT_TRUE(ScopeAllows(all, a, kType));
    EXPECT_FALSE(ScopeAllows(all, a, "11510700008207313A002"));
  }
}

// ---- tokens

TEST(IssuerTokenTest, LifetimeIsDaysOrHoursWithinBounds) {
  EXPECT_EQ(ParseTokenLifetime("30d").value(), 30 * kDay);
  EXPECT_EQ(ParseTokenLifetime("12h").value(), 12 * 3600000);
  for (const char* bad : {"", "d", "0d", "-1d", "30", "30m", "3651d", "1.5d", "30dd", "87601h"}) {
    auto l = ParseTokenLifetime(bad);
    ASSERT_FALSE(l.ok()) << bad;
    EXPECT_EQ(l.status().app_code(), err::BAD_TOKEN_LIFETIME) << bad;
  }
}

TEST(IssuerTokenTest, FileKeepsOnlyTheHashAndIsPrivate) {
  TempDir dir;
  std::string path = (dir.path() / "tokens.json").string();
  auto made = CreateToken(path, Scopes("cert.revoke:*"), 30 * kDay, "hr-system", kNow);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_TRUE(made->secret.starts_with("civic_it_" + made->token.id + "_"));
  std::string text = ReadText(path);
  EXPECT_EQ(text.find(made->secret.substr(made->secret.rfind('_') + 1)), std::string::npos);
  EXPECT_NE(text.find(ToHex(made->token.sha256)), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto listed = ReadTokensFile(path);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].label, "hr-system");
  EXPECT_EQ((*listed)[0].expires_ms, kNow + 30 * kDay);
}

TEST(IssuerTokenTest, AuthenticateTellsMissingUnknownExpiredAndRevokedApart) {
  TempDir dir;
  std::string path = (dir.path() / "tokens.json").string();
  auto a = CreateToken(path, Scopes("cert.revoke:*"), kDay, "a", kNow);
  auto b = CreateToken(path, Scopes("cert.revoke:*"), kDay, "b", kNow);
  ASSERT_TRUE(a.ok() && b.ok());
  TokenStore store(path);
  auto ok = store.Authenticate("Bearer " + a->secret, kNow);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->id, a->token.id);
  EXPECT_EQ(store.Authenticate("", kNow).status().app_code(), err::ISSUER_TOKEN_MISSING);
  EXPECT_EQ(store.Authenticate("Basic abc", kNow).status().app_code(), err::ISSUER_TOKEN_MISSING);
  EXPECT_EQ(store.Authenticate("Bearer " + a->secret + "x", kNow).status().app_code(), err::ISSUER_TOKEN_UNKNOWN);
  EXPECT_EQ(store.Authenticate("Bearer " + a->secret, kNow + kDay).status().app_code(), err::ISSUER_TOKEN_EXPIRED);
  // Revoked by another process (the CLI) while the store is in use: seen on the next call.
  ASSERT_TRUE(RevokeToken(path, a->token.id, kNow + 1).ok());
  EXPECT_EQ(store.Authenticate("Bearer " + a->secret, kNow + 2).status().app_code(), err::ISSUER_TOKEN_REVOKED);
  EXPECT_TRUE(store.Authenticate("Bearer " + b->secret, kNow + 2).ok());
  EXPECT_EQ(RevokeToken(path, "0000000000000000", kNow).app_code(), err::ISSUER_TOKEN_UNKNOWN);
}

TEST(IssuerTokenTest, AMalformedFileAdmitsNobody) {
  TempDir dir;
  std::string path = (dir.path() / "tokens.json").string();
  auto a = CreateToken(path, Scopes("cert.revoke:*"), kDay, "a", kNow);
  ASSERT_TRUE(a.ok());
  TokenStore store(path);
  ASSERT_TRUE(store.Authenticate("Bearer " + a->secret, kNow).ok());
  std::ofstream(path) << "{\"version\":1,\"tokens\":[{\"id\":1}]}   ";
  EXPECT_EQ(store.Authenticate("Bearer " + a->secret, kNow).status().app_code(), err::ISSUER_TOKENS_UNREADABLE);
  EXPECT_EQ(ReadTokensFile(path).status().app_code(), err::ISSUER_TOKENS_UNREADABLE);
}

TEST(IssuerTokenTest, CreateRefusesBadLabelsAndScopes) {
  TempDir dir;
  std::string path = (dir.path() / "tokens.json").string();
  EXPECT_EQ(CreateToken(path, Scopes("cert.revoke:*"), kDay, "", kNow).status().app_code(), err::BAD_ARGUMENT);
  EXPECT_EQ(CreateToken(path, Scopes("cert.revoke:*"), kDay, "a\nb", kNow).status().app_code(), err::BAD_ARGUMENT);
  EXPECT_EQ(CreateToken(path, {}, kDay, "a", kNow).status().app_code(), err::ISSUER_BAD_SCOPE);
  EXPECT_EQ(ReadTokensFile(path)->size(), 0u);
}

// ---- idempotency records

IdempotencyRecord Record(const std::string& tag, int64_t at) {
  return IdempotencyRecord{Bytes(32, 'h'), Bytes(32, tag[0]), "raw-" + tag, "{\"tx\":\"" + tag + "\"}", at};
}

TEST(IdempotencyStoreTest, KeepsRecordsAcrossARestart) {
  TempDir dir;
  std::string path = (dir.path() / "store").string();
  {
    auto store = IdempotencyStore::Open(path, {});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->Put("tok1", "key-1", Record("a", kNow)).ok());
    EXPECT_FALSE((*store)->Find("tok2", "key-1", kNow).value().has_value());  // per token
  }
  auto again = IdempotencyStore::Open(path, {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto found = (*again)->Find("tok1", "key-1", kNow + 1000);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->tx_id, Bytes(32, 'a'));
  EXPECT_EQ((*found)->raw_tx, "raw-a");
  EXPECT_EQ((*found)->answer, "{\"tx\":\"a\"}");
  EXPECT_EQ((*again)->RecordsOf("tok1"), 1u);
}

TEST(IdempotencyStoreTest, RecordsExpireAfterTheirTtl) {
  TempDir dir;
  auto store = IdempotencyStore::Open((dir.path() / "store").string(), {/*ttl_ms=*/kDay, /*per_token_cap=*/10});
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Put("tok1", "old", Record("a", kNow)).ok());
  ASSERT_TRUE((*store)->Put("tok1", "new", Record("b", kNow + kDay / 2)).ok());
  EXPECT_TRUE((*store)->Find("tok1", "old", kNow + kDay - 1).value().has_value());
  EXPECT_FALSE((*store)->Find("tok1", "old", kNow + kDay).value().has_value());
  auto pruned = (*store)->Prune(kNow + kDay);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 1u);
  EXPECT_EQ((*store)->RecordsOf("tok1"), 1u);
  EXPECT_TRUE((*store)->Find("tok1", "new", kNow + kDay).value().has_value());
}

TEST(IdempotencyStoreTest, CapsLiveRecordsPerToken) {
  TempDir dir;
  auto store = IdempotencyStore::Open((dir.path() / "store").string(), {/*ttl_ms=*/kDay, /*per_token_cap=*/3});
  ASSERT_TRUE(store.ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE((*store)->Put("tok1", "k" + std::to_string(i), Record("a", kNow)).ok());
  Status full = (*store)->Put("tok1", "k3", Record("a", kNow));
  EXPECT_EQ(full.app_code(), err::IDEMPOTENCY_CAP_REACHED);
  EXPECT_TRUE((*store)->Put("tok2", "k3", Record("a", kNow)).ok());  // another token has its own cap
  ASSERT_TRUE((*store)->Erase("tok1", "k0").ok());
  EXPECT_TRUE((*store)->Put("tok1", "k3", Record("a", kNow)).ok());
  // A day later the old ones have expired and make room.
  EXPECT_TRUE((*store)->Put("tok1", "k4", Record("a", kNow + kDay)).ok());
  EXPECT_EQ((*store)->RecordsOf("tok1"), 1u);
}

// ---- request bodies

const char* kIssue =
    R"({"type_code":"11510700008207313A001","holder_code_type":"citizen_id","holder_code":"11010519491231002X",)"
    R"("fields":{"name":"张三"},"serial":"A1","valid_from":"2025-01-01T00:00:00Z","valid_until":1800000000000})";

TEST(IssuerRequestTest, DecodesAnIssue) {
  auto body = DecodeIssueBody(kIssue);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ(body->type_code, "11510700008207313A001");
  ASSERT_EQ(body->certificates.size(), 1u);
  const contracts::IssueRequest& r = body->certificates[0];
  EXPECT_EQ(r.holder_code, "11010519491231002X");
  EXPECT_EQ(r.fields.at("name"), "张三");
  EXPECT_EQ(r.serial, "A1");
  EXPECT_EQ(r.valid_from_ms, 1735689600000);
  EXPECT_EQ(r.valid_until_ms, 1800000000000);
}

void ExpectMalformed(const Result<IssueBody>& r, const std::string& where) {
  ASSERT_FALSE(r.ok()) << where;
  EXPECT_EQ(r.status().app_code(), err::ISSUER_BODY_MALFORMED) << r.status().ToString();
  EXPECT_NE(r.status().message().find(where), std::string::npos) << r.status().message();
}

TEST(IssuerRequestTest, NamesTheMemberThatIsWrong) {
  ExpectMalformed(DecodeIssueBody("not json"), "body");
  ExpectMalformed(DecodeIssueBody("[]"), "body");
  ExpectMalformed(DecodeIssueBody(R"({"holder_code_type":"citizen_id","holder_code":"x","fields":{}})"), "type_code");
  ExpectMalformed(DecodeIssueBody(R"({"type_code":"T","holder_code_type":"citizen_id","fields":{}})"), "holder_code");
  ExpectMalformed(DecodeIssueBody(R"({"type_code":"T","holder_code_type":"citizen_id","holder_code":"x"})"), "fields");
  ExpectMalformed(DecodeIssueBody(R"({"type_code":1,"holder_code_type":"c","holder_code":"x","fields":{}})"),
                  "type_code");
  ExpectMalformed(DecodeIssueBody(R"({"type_code":"T","holder_code_type":"c","holder_code":"x","fields":{"a":1}})"),
                  "fields.a");
  ExpectMalformed(DecodeIssueBody(R"({"type_code":"T","holder_code_type":"c","holder_code":"x","fields":[]})"),
                  "fields");
  ExpectMalformed(
      DecodeIssueBody(R"({"type_code":"T","holder_code_type":"c","holder_code":"x","fields":{},"holder":"y"})"),
      "holder");
  ExpectMalformed(
      DecodeIssueBody(R"({"type_code":"T","holder_code_type":"c","holder_code":"x","fields":{},"valid_from":true})"),
      "valid_from");
  auto bad_time =
      DecodeIssueBody(R"({"type_code":"T","holder_code_type":"c","holder_code":"x","fields":{},"valid_from":"May"})");
  EXPECT_EQ(bad_time.status().app_code(), err::BAD_TIME);
}

std::string Batch(size_t n, const std::string& item) {
  std::string out = R"({"type_code":"11510700008207313A001","certificates":[)";
  for (size_t i = 0; i < n; ++i) out += (i ? "," : "") + item;
  return out + "]}";
}

TEST(IssuerRequestTest, BatchIsBoundedAndNamesTheRow) {
  const std::string good = R"({"holder_code_type":"citizen_id","holder_code":"11010519491231002X","fields":{"a":"b"}})";
  auto ok = DecodeIssueBatchBody(Batch(kMaxIssuerBatch, good));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->certificates.size(), kMaxIssuerBatch);
  auto big = DecodeIssueBatchBody(Batch(kMaxIssuerBatch + 1, good));
  EXPECT_EQ(big.status().app_code(), err::ISSUER_BATCH_TOO_LARGE);
  ExpectMalformed(DecodeIssueBatchBody(Batch(0, good)), "certificates");
  ExpectMalformed(DecodeIssueBatchBody(Batch(2, good).insert(Batch(2, good).size() - 2, ",7")), "certificates[2]");
  std::string with_bad_row = Batch(3, good);
  with_bad_row.replace(with_bad_row.rfind("\"fields\""), 8, "\"fieldz\"");
  ExpectMalformed(DecodeIssueBatchBody(with_bad_row), "certificates[2].fieldz");
  ExpectMalformed(DecodeIssueBatchBody(R"({"type_code":"T","certificates":{}})"), "certificates");
}

TEST(IssuerRequestTest, StatusChangesAndNewVersions) {
  EXPECT_EQ(DecodeStatusChangeBody(R"({"reason":"lost"})")->reason, "lost");
  EXPECT_EQ(DecodeStatusChangeBody(R"({})").status().app_code(), err::ISSUER_BODY_MALFORMED);
  EXPECT_EQ(DecodeStatusChangeBody(R"({"reason":"x","id":"y"})").status().app_code(), err::ISSUER_BODY_MALFORMED);
  EXPECT_TRUE(DecodeNewVersionBody(R"({"valid_until":"2030-01-01T00:00:00Z"})", false).ok());
  EXPECT_EQ(DecodeNewVersionBody(R"({})", true).status().app_code(), err::ISSUER_BODY_MALFORMED);  // reason
  EXPECT_EQ(DecodeNewVersionBody(R"({"reason":"x"})", false).status().app_code(), err::ISSUER_BODY_MALFORMED);
  // Changed fields need the holder's copy.
  EXPECT_EQ(DecodeNewVersionBody(R"({"fields":{"name":"李四"}})", false).status().app_code(),
            err::ISSUER_BODY_MALFORMED);
  EXPECT_EQ(DecodeNewVersionBody(R"({"holder_certificate":{"id":3}})", false).status().app_code(),
            err::HOLDER_CERT_MALFORMED);
}

}  // namespace
}  // namespace civic::rpc
