#include "rpc/issuer/token_store.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <charconv>
#include <fstream>
#include <sstream>

#include "crypto/hash.h"
#include "crypto/keyfile.h"
#include "rpc/error_codes.h"

namespace civic::rpc {
namespace {

namespace json = boost::json;

constexpr std::string_view kTokenPrefix = "civic_it_";
constexpr size_t kIdHexChars = 16;
constexpr size_t kSecretBytes = 32;
constexpr size_t kMaxTokensFileBytes = 16u << 20;

Status Unreadable(const std::string& path, std::string_view why) {
  return Status::Unavailable(err::ISSUER_TOKENS_UNREADABLE, path + ": " + std::string(why));
}

Result<std::string> ReadWhole(const std::string& path, bool* exists) {
  struct stat st{};
  *exists = ::stat(path.c_str(), &st) == 0;
  if (!*exists) return std::string();
  if (!S_ISREG(st.st_mode)) return Unreadable(path, "is not a regular file");
  if (static_cast<uint64_t>(st.st_size) > kMaxTokensFileBytes) return Unreadable(path, "is larger than 16 MiB");
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) return Unreadable(path, "cannot be read");
  return text.str();
}

const json::value* Member(const json::object& o, std::string_view key) { return o.if_contains(key); }

Result<IssuerToken> TokenFromJson(const std::string& path, const json::value& v) {
  const json::object* o = v.if_object();
  if (!o) return Unreadable(path, "a token entry is not an object");
  IssuerToken t;
  auto str = [&](std::string_view key, std::string* out) -> Status {
    const json::value* m = Member(*o, key);
    if (!m || !m->is_string()) return Unreadable(path, "a token entry lacks the string \"" + std::string(key) + "\"");
    *out = std::string(m->get_string());
    return Status::Ok();
  };
  auto num = [&](std::string_view key, int64_t* out) -> Status {
    const json::value* m = Member(*o, key);
    if (!m || !m->is_int64()) return Unreadable(path, "a token entry lacks the integer \"" + std::string(key) + "\"");
    *out = m->get_int64();
    return Status::Ok();
  };
  std::string hash_hex, scope;
  CIVIC_RETURN_IF_ERROR(str("id", &t.id));
  CIVIC_RETURN_IF_ERROR(str("sha256", &hash_hex));
  CIVIC_RETURN_IF_ERROR(str("label", &t.label));
  CIVIC_RETURN_IF_ERROR(str("scope", &scope));
  CIVIC_RETURN_IF_ERROR(num("created_ms", &t.created_ms));
  CIVIC_RETURN_IF_ERROR(num("expires_ms", &t.expires_ms));
  CIVIC_RETURN_IF_ERROR(num("revoked_ms", &t.revoked_ms));
  auto hash = FromHex(hash_hex);
  if (!hash || hash->size() != 32) return Unreadable(path, "token " + t.id + " has a malformed sha256");
  t.sha256 = std::move(*hash);
  auto scopes = ParseScopes(scope);
  if (!scopes.ok()) return Unreadable(path, "token " + t.id + ": " + scopes.status().message());
  t.scopes = std::move(scopes).value();
  return t;
}

json::object TokenToJson(const IssuerToken& t) {
  return json::object{{"id", t.id},
                      {"sha256", ToHex(t.sha256)},
                      {"label", t.label},
                      {"scope", FormatScopes(t.scopes)},
                      {"created_ms", t.created_ms},
                      {"expires_ms", t.expires_ms},
                      {"revoked_ms", t.revoked_ms}};
}

Result<std::vector<IssuerToken>> ParseTokens(const std::string& path, std::string_view text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  const json::object* root = ec ? nullptr : v.if_object();
  if (!root) return Unreadable(path, "is not a JSON object");
  const json::value* version = Member(*root, "version");
  if (!version || !version->is_int64() || version->get_int64() != 1) return Unreadable(path, "is not version 1");
  const json::value* list = Member(*root, "tokens");
  if (!list || !list->is_array()) return Unreadable(path, "has no \"tokens\" array");
  std::vector<IssuerToken> out;
  for (const json::value& item : list->get_array()) {
    CIVIC_ASSIGN_OR_RETURN(IssuerToken t, TokenFromJson(path, item));
    out.push_back(std::move(t));
  }
  return out;
}

Status WriteTokens(const std::string& path, const std::vector<IssuerToken>& tokens) {
  json::array list;
  for (const IssuerToken& t : tokens) list.push_back(TokenToJson(t));
  return crypto::WritePrivateFileAtomically(path,
                                            json::serialize(json::object{{"version", 1}, {"tokens", list}}) + "\n");
}

// Holds an exclusive lock on "<path>.lock" for a read-modify-write of the file.
class WriterLock {
 public:
  explicit WriterLock(const std::string& path) {
    fd_ = ::open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~WriterLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  randombytes_buf(out.data(), out.size());
  return out;
}

bool PrintableLabel(std::string_view label) {
  if (label.empty() || label.size() > kMaxTokenLabelBytes) return false;
  for (char c : label) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '"' || c == '\\') return false;
  }
  return true;
}

}  // namespace

Result<int64_t> ParseTokenLifetime(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument(err::BAD_TOKEN_LIFETIME, "token lifetime \"" + std::string(text.substr(0, 40)) +
                                                                "\" is not <n>d or <n>h from 1h to 3650d");
  };
  if (text.size() < 2) return bad();
  char unit = text.back();
  int64_t n = 0;
  std::string_view digits = text.substr(0, text.size() - 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || n < 1) return bad();
  if (n > 3650 * 24) return bad();
  int64_t ms = unit == 'd' ? n * 86400000 : unit == 'h' ? n * 3600000 : -1;
  if (ms < 0 || ms > kMaxTokenLifetimeMs) return bad();
  return ms;
}

Result<std::vector<IssuerToken>> ReadTokensFile(const std::string& path) {
  bool exists = false;
  CIVIC_ASSIGN_OR_RETURN(std::string text, ReadWhole(path, &exists));
  if (!exists) return std::vector<IssuerToken>();
  return ParseTokens(path, text);
}

Result<NewToken> CreateToken(const std::string& path, const std::vector<ScopeEntry>& scopes, int64_t lifetime_ms,
                             std::string_view label, int64_t now_ms) {
  if (scopes.empty()) return Status::InvalidArgument(err::ISSUER_BAD_SCOPE, "a token needs at least one scope entry");
  if (lifetime_ms < 1 || lifetime_ms > kMaxTokenLifetimeMs) {
    return Status::InvalidArgument(err::BAD_TOKEN_LIFETIME, "a token lives from 1 hour to 3650 days");
  }
  if (!PrintableLabel(label)) {
    return Status::InvalidArgument(err::BAD_ARGUMENT,
                                   "a token label is 1-100 printable characters without quotes or backslashes");
  }
  WriterLock lock(path);
  if (!lock.ok()) return Status::IOError("cannot lock " + path + ".lock");
  CIVIC_ASSIGN_OR_RETURN(std::vector<IssuerToken> tokens, ReadTokensFile(path));
  NewToken out;
  out.token.id = ToHex(RandomBytes(kIdHexChars / 2));
  out.secret = std::string(kTokenPrefix) + out.token.id + "_" + Base64UrlEncode(RandomBytes(kSecretBytes));
  out.token.sha256 = crypto::Sha256(out.secret);
  out.token.label = std::string(label);
  out.token.scopes = scopes;
  out.token.created_ms = now_ms;
  out.token.expires_ms = now_ms + lifetime_ms;
  tokens.push_back(out.token);
  CIVIC_RETURN_IF_ERROR(WriteTokens(path, tokens));
  return out;
}

Status RevokeToken(const std::string& path, std::string_view id, int64_t now_ms) {
  WriterLock lock(path);
  if (!lock.ok()) return Status::IOError("cannot lock " + path + ".lock");
  CIVIC_ASSIGN_OR_RETURN(std::vector<IssuerToken> tokens, ReadTokensFile(path));
  for (IssuerToken& t : tokens) {
    if (t.id != id) continue;
    if (t.revoked_ms == 0) t.revoked_ms = now_ms;
    return WriteTokens(path, tokens);
  }
  return Status::NotFound(err::ISSUER_TOKEN_UNKNOWN, "no token with id " + std::string(id.substr(0, 40)));
}

Status TokenStore::ReloadIfChanged() {
  struct stat st{};
  if (::stat(path_.c_str(), &st) != 0) {
    tokens_.clear();
    loaded_ = true;
    size_ = -1;
    return Status::Ok();
  }
  int64_t mtime_ns = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
  if (loaded_ && mtime_ns == mtime_ns_ && st.st_size == size_ && st.st_ino == inode_) return Status::Ok();
  auto tokens = ReadTokensFile(path_);
  // Fail closed: a tokens file that does not read admits nobody, not the old list.
  loaded_ = false;
  tokens_.clear();
  if (!tokens.ok()) return tokens.status();
  tokens_ = std::move(tokens).value();
  loaded_ = true;
  mtime_ns_ = mtime_ns;
  size_ = st.st_size;
  inode_ = st.st_ino;
  return Status::Ok();
}

Result<IssuerToken> TokenStore::Authenticate(std::string_view authorization, int64_t now_ms) {
  constexpr std::string_view kBearer = "Bearer ";
  if (!authorization.starts_with(kBearer) || authorization.size() == kBearer.size()) {
    return Status(Code::kPermissionDenied, err::ISSUER_TOKEN_MISSING,
                  "send the token as \"Authorization: Bearer <token>\"");
  }
  std::string_view secret = authorization.substr(kBearer.size());
  Bytes hash = crypto::Sha256(secret);
  std::lock_guard<std::mutex> lock(mu_);
  CIVIC_RETURN_IF_ERROR(ReloadIfChanged());
  for (const IssuerToken& t : tokens_) {
    if (t.sha256.size() != hash.size() || sodium_memcmp(t.sha256.data(), hash.data(), hash.size()) != 0) continue;
    if (t.revoked_ms != 0) {
      return Status(Code::kPermissionDenied, err::ISSUER_TOKEN_REVOKED, "token " + t.id + " was revoked");
    }
    if (now_ms >= t.expires_ms) {
      return Status(Code::kPermissionDenied, err::ISSUER_TOKEN_EXPIRED, "token " + t.id + " has expired");
    }
    return t;
  }
  return Status(Code::kPermissionDenied, err::ISSUER_TOKEN_UNKNOWN, "the bearer token is not one this node issued");
}

}  // namespace civic::rpc
