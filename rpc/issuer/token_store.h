// The issuer API's bearer tokens: created and revoked by `civic issuer token`,
// checked by the node on every call.
//
// A token is "civic_it_<id>_<secret>": <id> is 16 hex characters (shown in lists
// and logs, used to revoke), <secret> 32 random bytes in base64url. It is shown
// once, when created; the tokens file keeps only its SHA-256, with the id,
// label, scope (rpc/issuer/scope.h), creation, expiry and revocation times:
//
//   {"version":1,"tokens":[{"id":..,"sha256":..,"label":..,"scope":..,
//                           "created_ms":..,"expires_ms":..,"revoked_ms":0}, ..]}
//
// The file (written atomically, mode 0600) is the store rather than a table in
// the node's LevelDB because LevelDB admits one process at a time: the CLI must
// create and revoke tokens while the node runs, and the node sees a change on
// the next call (TokenStore re-reads the file when its size, time or inode
// changes). Writers (CreateToken, RevokeToken) hold an exclusive lock on
// "<file>.lock" so that two at once do not lose an entry.
//
// Errors: ISSUER_TOKENS_UNREADABLE (a file that is not a tokens file),
// ISSUER_BAD_SCOPE, BAD_TOKEN_LIFETIME, BAD_ARGUMENT (label), ISSUER_TOKEN_UNKNOWN,
// IO_ERROR; Authenticate: ISSUER_TOKEN_MISSING, ISSUER_TOKEN_UNKNOWN,
// ISSUER_TOKEN_EXPIRED, ISSUER_TOKEN_REVOKED (all answered 401).
// Thread safety: the free functions are safe for different files; TokenStore
// is thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/base/bytes.h"
#include "crypto/base/status.h"
#include "rpc/issuer/scope.h"

namespace civic::rpc {

struct IssuerToken {
  std::string id;  // 16 hex characters
  Bytes sha256;    // of the whole token text
  std::string label;
  std::vector<ScopeEntry> scopes;
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
  int64_t revoked_ms = 0;  // 0 = not revoked
};

constexpr int64_t kMaxTokenLifetimeMs = int64_t{3650} * 86400000;
constexpr size_t kMaxTokenLabelBytes = 100;

// "30d" or "12h": a lifetime of 1 hour up to 3650 days.
Result<int64_t> ParseTokenLifetime(std::string_view text);

// The tokens of `path`; a file that does not exist holds none.
Result<std::vector<IssuerToken>> ReadTokensFile(const std::string& path);

struct NewToken {
  std::string secret;  // the token text: give it to the business system, it is not kept
  IssuerToken token;
};
// Adds a token to `path` (creating the file). `label`: 1-100 printable
// characters that name the system the token is for.
Result<NewToken> CreateToken(const std::string& path, const std::vector<ScopeEntry>& scopes, int64_t lifetime_ms,
                             std::string_view label, int64_t now_ms);
// Marks token `id` revoked at `now_ms` (revoking twice keeps the first time).
Status RevokeToken(const std::string& path, std::string_view id, int64_t now_ms);

class TokenStore {
 public:
  explicit TokenStore(std::string path) : path_(std::move(path)) {}

  // The token an "Authorization: Bearer <token>" header value names, if it is
  // known, not revoked and not expired at `now_ms`.
  Result<IssuerToken> Authenticate(std::string_view authorization, int64_t now_ms);

 private:
  Status ReloadIfChanged();

  const std::string path_;
  std::mutex mu_;
  std::vector<IssuerToken> tokens_;
  bool loaded_ = false;
  int64_t mtime_ns_ = 0;
  int64_t size_ = -1;
  ino_t inode_ = 0;
};

}  // namespace civic::rpc
