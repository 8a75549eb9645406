#include "crypto/keyfile.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <boost/json/null_resource.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include "crypto/base/errors.h"

namespace civic::crypto {
namespace {

namespace json = boost::json;

constexpr size_t kMaxKeyFileSize = 64 * 1024;
constexpr std::string_view kKdfName = "argon2id13";
constexpr size_t kMaxSecretSize = 64;

constexpr uint64_t kMinOpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr uint64_t kMaxOpsLimit = 16;
constexpr size_t kMinMemLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
constexpr size_t kMaxMemLimit = crypto_pwhash_MEMLIMIT_SENSITIVE;

void EnsureSodium() {
  static const int kInit = sodium_init();
  if (kInit < 0) {
    std::fputs("civic crypto: libsodium failed to initialise\n", stderr);
    std::abort();
  }
}

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

Status Malformed(const std::string& path, const std::string& why) {
  return Status::InvalidArgument(err::KEYFILE_MALFORMED, "key file " + path + ": " + why);
}
Status BadPassphrase(const std::string& path, const std::string& why) {
  return Status::PermissionDenied(err::BAD_PASSPHRASE, "key file " + path + ": " + why);
}

// A string that holds secret material and is wiped, spare capacity included, when it dies.
struct WipedString {
  std::string s;
  WipedString() = default;
  explicit WipedString(std::string v) : s(std::move(v)) {}
  WipedString(const WipedString&) = delete;
  WipedString& operator=(const WipedString&) = delete;
  ~WipedString() {
    s.resize(s.capacity());
    sodium_memzero(s.data(), s.size());
  }
};

// Memory for JSON values that hold secrets (boost::json allocates strings itself); the
// buffer is wiped after the values built in it are gone. Values must not outlive it.
class WipedArena {
 public:
  // No upstream: a value that does not fit throws std::bad_alloc instead of landing,
  // unwiped, on the heap (ParseObject turns that into KEYFILE_MALFORMED).
  WipedArena()
      : buffer_(4 * kMaxKeyFileSize), resource_(buffer_.data(), buffer_.size(), json::get_null_resource()) {}
  WipedArena(const WipedArena&) = delete;
  WipedArena& operator=(const WipedArena&) = delete;
  ~WipedArena() {
    resource_.release();
    sodium_memzero(buffer_.data(), buffer_.size());
  }
  json::storage_ptr storage() { return json::storage_ptr(&resource_); }

 private:
  std::vector<unsigned char> buffer_;
  json::monotonic_resource resource_;
};

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads a whole key file. With `private_mode`, a file that group or others may access
// is refused. The mode is checked on the open descriptor, so it is the file read.
Result<Bytes> ReadKeyFileText(const std::string& path, bool private_mode) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; regular files ignore it.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      return Status::NotFound(err::KEYFILE_NOT_FOUND, "key file " + path + " does not exist");
    }
    return Status::IOError("cannot open key file " + path + ": " + ErrnoText(err));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Status::IOError("cannot stat key file " + path + ": " + ErrnoText(errno));
  if (!S_ISREG(st.st_mode)) return Malformed(path, "not a regular file");
  if (private_mode && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::FailedPrecondition(
        err::KEYFILE_PERMISSIONS, "key file " + path + " has mode " + mode +
                                   ", which lets others access it; run: chmod 600 " + path);
  }
  if (st.st_size > static_cast<off_t>(kMaxKeyFileSize)) return Malformed(path, "file too large for a key file");
  Bytes text(static_cast<size_t>(st.st_size) + 1, '\0');  // one spare byte detects growth
  size_t len = 0;
  while (len < text.size()) {
    ssize_t n = ::read(fd, text.data() + len, text.size() - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      sodium_memzero(text.data(), text.size());
      return Status::IOError("cannot read key file " + path + ": " + ErrnoText(err));
    }
    if (n == 0) break;
    len += static_cast<size_t>(n);
  }
  if (len > kMaxKeyFileSize) {
    sodium_memzero(text.data(), text.size());
    return Malformed(path, "file too large for a key file");
  }
  text.resize(len);
  return text;
}

const json::string* GetString(const json::object& obj, std::string_view name) {
  const json::value* v = obj.if_contains(name);
  return v ? v->if_string() : nullptr;
}

// The hex field `name` decoded, with its size checked against [min_size, max_size].
Result<Bytes> GetHexField(const std::string& path, const json::object& obj, std::string_view name,
                          size_t min_size, size_t max_size) {
  const json::string* s = GetString(obj, name);
  if (s == nullptr) return Malformed(path, "missing or non-string field '" + std::string(name) + "'");
  std::optional<Bytes> raw = FromHex(std::string_view(s->data(), s->size()));
  if (!raw) return Malformed(path, "field '" + std::string(name) + "' is not hex");
  if (raw->size() < min_size || raw->size() > max_size) {
    sodium_memzero(raw->data(), raw->size());
    return Malformed(path, "field '" + std::string(name) + "' has the wrong length");
  }
  return std::move(*raw);
}

Result<uint64_t> GetUintField(const std::string& path, const json::object& obj, std::string_view name) {
  const json::value* v = obj.if_contains(name);
  if (v != nullptr && v->is_uint64()) return v->get_uint64();
  if (v != nullptr && v->is_int64() && v->get_int64() >= 0) return static_cast<uint64_t>(v->get_int64());
  return Malformed(path, "missing or non-integer field '" + std::string(name) + "'");
}

Result<PublicKey> ParsePublicPart(const std::string& path, const json::object& obj) {
  const json::string* algo_name = GetString(obj, "algo");
  if (algo_name == nullptr) return Malformed(path, "missing or non-string field 'algo'");
  Result<Algo> algo = ParseAlgo(std::string_view(algo_name->data(), algo_name->size()));
  if (!algo.ok()) return Malformed(path, algo.status().message());
  const json::string* pub_hex = GetString(obj, "public_key");
  if (pub_hex == nullptr) return Malformed(path, "missing or non-string field 'public_key'");
  std::optional<Bytes> raw = FromHex(std::string_view(pub_hex->data(), pub_hex->size()));
  if (!raw) return Malformed(path, "field 'public_key' is not hex");
  Result<PublicKey> pub = PublicKey::FromBytes(*algo, *raw);
  if (!pub.ok()) return Malformed(path, pub.status().message());
  return pub;
}

// Parses `text` as a JSON object into `arena`'s memory.
Result<json::value> ParseObject(const std::string& path, std::string_view text, WipedArena& arena) {
  if (text.size() > kMaxKeyFileSize) return Malformed(path, "file too large for a key file");
  std::error_code ec;
  json::value v;
  try {
    v = json::parse(text, ec, arena.storage());
  } catch (const std::bad_alloc&) {
    return Malformed(path, "too many values for a key file");
  }
  if (ec) return Malformed(path, "not valid JSON (" + ec.message() + ")");
  if (!v.is_object()) return Malformed(path, "not a JSON object");
  return v;
}

Status CheckKdfLimits(uint64_t opslimit, uint64_t memlimit) {
  if (opslimit < kMinOpsLimit || opslimit > kMaxOpsLimit || memlimit < kMinMemLimit ||
      memlimit > kMaxMemLimit) {
    return Status::InvalidArgument(err::BAD_KDF_LIMITS,
                                   "passphrase hash limits out of range: opslimit " +
                                       std::to_string(opslimit) + " (2..16), memlimit " +
                                       std::to_string(memlimit) + " (64 MiB..1 GiB)");
  }
  return Status::Ok();
}

// Argon2id key for secretbox; false when the system cannot give the memory it needs.
bool DeriveKey(unsigned char (&key)[crypto_secretbox_KEYBYTES], const std::string& passphrase,
               std::string_view salt, uint64_t opslimit, size_t memlimit) {
  return crypto_pwhash(key, sizeof key, passphrase.data(), passphrase.size(),
                       reinterpret_cast<const unsigned char*>(salt.data()), opslimit, memlimit,
                       crypto_pwhash_ALG_ARGON2ID13) == 0;
}

Status FillEncrypted(json::object& obj, const KeyPair& key, const std::string& passphrase,
                     const KeyFileKdf& kdf) {
  Bytes salt(crypto_pwhash_SALTBYTES, '\0');
  Bytes nonce(crypto_secretbox_NONCEBYTES, '\0');
  randombytes_buf(salt.data(), salt.size());
  randombytes_buf(nonce.data(), nonce.size());
  unsigned char box_key[crypto_secretbox_KEYBYTES];
  if (!DeriveKey(box_key, passphrase, salt, kdf.opslimit, kdf.memlimit)) {
    return Status::ResourceExhausted(err::KDF_FAILED, "passphrase hashing failed: not enough memory");
  }
  const Bytes& secret = key.secret();
  Bytes ciphertext(crypto_secretbox_MACBYTES + secret.size(), '\0');
  crypto_secretbox_easy(reinterpret_cast<unsigned char*>(ciphertext.data()),
                        reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                        reinterpret_cast<const unsigned char*>(nonce.data()), box_key);
  sodium_memzero(box_key, sizeof box_key);
  obj["kdf"] = kKdfName;
  obj["salt"] = ToHex(salt);
  obj["opslimit"] = kdf.opslimit;
  obj["memlimit"] = static_cast<uint64_t>(kdf.memlimit);
  obj["nonce"] = ToHex(nonce);
  obj["ciphertext"] = ToHex(ciphertext);
  return Status::Ok();
}

Status WriteKeyFileImpl(const std::string& path, const KeyPair& key, const std::string& passphrase,
                        const KeyFileKdf& kdf) {
  EnsureSodium();
  if (!passphrase.empty()) CIVIC_RETURN_IF_ERROR(CheckKdfLimits(kdf.opslimit, kdf.memlimit));
  WipedArena arena;
  WipedString text;
  {
    json::object obj(arena.storage());
    obj["algo"] = AlgoName(key.public_key().algo);
    obj["public_key"] = ToHex(key.public_key().key);
    if (passphrase.empty()) {
      WipedString secret_hex(ToHex(key.secret()));
      obj["secret_key"] = secret_hex.s;
    } else {
      CIVIC_RETURN_IF_ERROR(FillEncrypted(obj, key, passphrase, kdf));
    }
    text.s = json::serialize(obj);
  }
  text.s.push_back('\n');
  return WritePrivateFileAtomically(path, text.s);
}

// The secret of an encrypted key file.
Result<Bytes> DecryptSecret(const std::string& path, const json::object& obj, const std::string& passphrase) {
  if (passphrase.empty()) return BadPassphrase(path, "the key file is encrypted; a passphrase is needed");
  const json::string* kdf_name = GetString(obj, "kdf");
  if (kdf_name == nullptr || std::string_view(kdf_name->data(), kdf_name->size()) != kKdfName) {
    return Malformed(path, "field 'kdf' must be \"argon2id13\"");
  }
  CIVIC_ASSIGN_OR_RETURN(Bytes salt, GetHexField(path, obj, "salt", crypto_pwhash_SALTBYTES, crypto_pwhash_SALTBYTES));
  CIVIC_ASSIGN_OR_RETURN(Bytes nonce,
                         GetHexField(path, obj, "nonce", crypto_secretbox_NONCEBYTES, crypto_secretbox_NONCEBYTES));
  CIVIC_ASSIGN_OR_RETURN(Bytes ciphertext, GetHexField(path, obj, "ciphertext", crypto_secretbox_MACBYTES + 1,
                                                       crypto_secretbox_MACBYTES + kMaxSecretSize));
  CIVIC_ASSIGN_OR_RETURN(uint64_t opslimit, GetUintField(path, obj, "opslimit"));
  CIVIC_ASSIGN_OR_RETURN(uint64_t memlimit, GetUintField(path, obj, "memlimit"));
  Status limits = CheckKdfLimits(opslimit, memlimit);
  if (!limits.ok()) return Malformed(path, limits.message());

  unsigned char box_key[crypto_secretbox_KEYBYTES];
  if (!DeriveKey(box_key, passphrase, salt, opslimit, static_cast<size_t>(memlimit))) {
    return Status::ResourceExhausted(err::KDF_FAILED, "passphrase hashing failed: not enough memory");
  }
  Bytes secret(ciphertext.size() - crypto_secretbox_MACBYTES, '\0');
  int rc = crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(secret.data()),
                                      reinterpret_cast<const unsigned char*>(ciphertext.data()),
                                      ciphertext.size(), reinterpret_cast<const unsigned char*>(nonce.data()),
                                      box_key);
  sodium_memzero(box_key, sizeof box_key);
  if (rc != 0) return BadPassphrase(path, "wrong passphrase, or the encrypted key was modified");
  return secret;
}

// `path` only names the file in error messages.
Result<KeyPair> ParseKeyFileImpl(std::string_view text, const std::string& passphrase, const std::string& path) {
  EnsureSodium();
  WipedArena arena;
  CIVIC_ASSIGN_OR_RETURN(json::value doc, ParseObject(path, text, arena));
  const json::object& obj = doc.get_object();
  CIVIC_ASSIGN_OR_RETURN(PublicKey pub, ParsePublicPart(path, obj));

  bool plain = obj.contains("secret_key");
  bool encrypted = obj.contains("ciphertext");
  if (plain == encrypted) return Malformed(path, "needs exactly one of 'secret_key' or 'ciphertext'");
  WipedString secret;
  if (plain) {
    CIVIC_ASSIGN_OR_RETURN(secret.s, GetHexField(path, obj, "secret_key", 1, kMaxSecretSize));
  } else {
    CIVIC_ASSIGN_OR_RETURN(secret.s, DecryptSecret(path, obj, passphrase));
  }
  Result<KeyPair> key = KeyPair::FromSecret(pub.algo, secret.s);
  if (!key.ok()) return Malformed(path, key.status().message());
  if (key->public_key() != pub) return Malformed(path, "'public_key' does not belong to the secret key");
  return key;
}

Result<PublicKey> ParsePublicKeyFileImpl(std::string_view text, const std::string& path) {
  WipedArena arena;
  CIVIC_ASSIGN_OR_RETURN(json::value doc, ParseObject(path, text, arena));
  return ParsePublicPart(path, doc.get_object());
}

template <typename Fn>
auto AtTheEdge(const std::string& path, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    // Only allocation failures can get here; keep them inside the module boundary.
    return Status::Internal("key file " + path + ": " + e.what());
  }
}

}  // namespace

KeyFileKdf KeyFileKdf::Interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}
KeyFileKdf KeyFileKdf::Moderate() { return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE}; }
KeyFileKdf KeyFileKdf::Sensitive() {
  return {crypto_pwhash_OPSLIMIT_SENSITIVE, crypto_pwhash_MEMLIMIT_SENSITIVE};
}

Status WriteKeyFile(const std::string& path, const KeyPair& key, const std::string& passphrase) {
  return WriteKeyFile(path, key, passphrase, KeyFileKdf::Interactive());
}

Status WriteKeyFile(const std::string& path, const KeyPair& key, const std::string& passphrase,
                    const KeyFileKdf& kdf) {
  return AtTheEdge(path, [&]() -> Status { return WriteKeyFileImpl(path, key, passphrase, kdf); });
}

Result<KeyPair> ReadKeyFile(const std::string& path, const std::string& passphrase) {
  return AtTheEdge(path, [&]() -> Result<KeyPair> {
    CIVIC_ASSIGN_OR_RETURN(Bytes raw_text, ReadKeyFileText(path, /*private_mode=*/true));
    WipedString text(std::move(raw_text));
    return ParseKeyFileImpl(text.s, passphrase, path);
  });
}

Result<PublicKey> ReadPublicKey(const std::string& path) {
  return AtTheEdge(path, [&]() -> Result<PublicKey> {
    CIVIC_ASSIGN_OR_RETURN(Bytes text, ReadKeyFileText(path, /*private_mode=*/false));
    WipedString wiped(std::move(text));
    return ParsePublicKeyFileImpl(wiped.s, path);
  });
}

Result<KeyPair> ParseKeyFile(std::string_view text, const std::string& passphrase, const std::string& name) {
  return AtTheEdge(name, [&]() -> Result<KeyPair> { return ParseKeyFileImpl(text, passphrase, name); });
}

Result<PublicKey> ParsePublicKeyFile(std::string_view text, const std::string& name) {
  return AtTheEdge(name, [&]() -> Result<PublicKey> { return ParsePublicKeyFileImpl(text, name); });
}

Status WritePrivateFileAtomically(const std::string& path, std::string_view data) {
  unsigned char suffix[8];
  randombytes_buf(suffix, sizeof suffix);
  const std::string tmp =
      path + ".tmp-" + ToHex(std::string_view(reinterpret_cast<const char*>(suffix), sizeof suffix));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::IOError("cannot create " + tmp + ": " + ErrnoText(errno));
  // The umask can only remove bits from 0600; fchmod states the mode exactly anyway.
  bool ok = ::fchmod(fd, 0600) == 0 && WriteAll(fd, data) && ::fsync(fd) == 0;
  int err = errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    return Status::IOError("cannot write " + tmp + ": " + ErrnoText(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    err = errno;
    ::unlink(tmp.c_str());
    return Status::IOError("cannot rename a new file into " + path + ": " + ErrnoText(err));
  }
  // Sync the folder so the rename itself survives a crash.
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return Status::Ok();
}

}  // namespace civic::crypto
