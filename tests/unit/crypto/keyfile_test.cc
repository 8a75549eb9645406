#include "crypto/keyfile.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace civic::crypto {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("civic-keyfile-test-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(rd()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string PathOf(const std::string& name) const { return (dir_ / name).string(); }

  static std::string ReadText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // Writes `text` as a private (0600) file, as a key file would be.
  static void WriteText(const std::string& path, const std::string& text) {
    { std::ofstream(path, std::ios::binary | std::ios::trunc) << text; }
    ::chmod(path.c_str(), 0600);
  }
  static unsigned Mode(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
  }
  // Rewrites one field of a key file's JSON.
  static void EditField(const std::string& path, const std::string& field, json::value value) {
    json::value doc = json::parse(ReadText(path));
    doc.as_object()[field] = std::move(value);
    WriteText(path, json::serialize(doc));
  }

  fs::path dir_;
};

TEST_F(KeyFileTest, PlainRoundTripForEveryAlgorithm) {
  for (Algo algo : {Algo::kEd25519, Algo::kSecp256k1, Algo::kSm2}) {
    SCOPED_TRACE(AlgoName(algo));
    const std::string path = PathOf(std::string("node-") + AlgoName(algo) + ".json");
    KeyPair key = KeyPair::Generate(algo);
    ASSERT_TRUE(WriteKeyFile(path, key).ok());
    EXPECT_EQ(Mode(path), 0600u);

    Result<KeyPair> read = ReadKeyFile(path);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_EQ(read->public_key(), key.public_key());
    EXPECT_EQ(read->secret(), key.secret());
    // A passphrase given for a plain file is ignored.
    EXPECT_TRUE(ReadKeyFile(path, "unused").ok());

    Result<PublicKey> pub = ReadPublicKey(path);
    ASSERT_TRUE(pub.ok());
    EXPECT_EQ(*pub, key.public_key());

    json::value doc = json::parse(ReadText(path));
    EXPECT_EQ(doc.at("algo").as_string(), AlgoName(algo));
    EXPECT_EQ(doc.at("public_key").as_string(), ToHex(key.public_key().key));
    EXPECT_EQ(doc.at("secret_key").as_string(), ToHex(key.secret()));
  }
}

TEST_F(KeyFileTest, EncryptedRoundTripHidesTheSecret) {
  const std::string path = PathOf("validator.json");
  KeyPair key = KeyPair::Generate(Algo::kEd25519);
  ASSERT_TRUE(WriteKeyFile(path, key, "correct horse battery staple").ok());
  EXPECT_EQ(Mode(path), 0600u);
  const std::string text = ReadText(path);
  EXPECT_EQ(text.find(ToHex(key.secret())), std::string::npos);
  EXPECT_EQ(text.find("secret_key"), std::string::npos);
  json::value doc = json::parse(text);
  EXPECT_EQ(doc.at("kdf").as_string(), "argon2id13");
  for (const char* field : {"salt", "opslimit", "memlimit", "nonce", "ciphertext", "public_key"}) {
    EXPECT_TRUE(doc.as_object().contains(field)) << field;
  }

  Result<KeyPair> read = ReadKeyFile(path, "correct horse battery staple");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->secret(), key.secret());
  EXPECT_EQ(read->public_key(), key.public_key());

  // The public key needs no passphrase.
  Result<PublicKey> pub = ReadPublicKey(path);
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(*pub, key.public_key());
}

TEST_F(KeyFileTest, WrongOrMissingPassphrase) {
  const std::string path = PathOf("k.json");
  KeyPair key = KeyPair::Generate(Algo::kSecp256k1);
  ASSERT_TRUE(WriteKeyFile(path, key, "right").ok());
  for (const char* wrong : {"wrong", "Right", "right ", ""}) {
    Result<KeyPair> read = ReadKeyFile(path, wrong);
    ASSERT_FALSE(read.ok()) << wrong;
    EXPECT_EQ(read.status().app_code(), "BAD_PASSPHRASE") << wrong;
  }
}

TEST_F(KeyFileTest, TamperedEncryptedFile) {
  const std::string path = PathOf("k.json");
  KeyPair key = KeyPair::Generate(Algo::kEd25519);
  ASSERT_TRUE(WriteKeyFile(path, key, "pw").ok());
  const std::string original = ReadText(path);
  json::value doc = json::parse(original);

  // A flipped bit in the ciphertext, nonce or salt fails authentication.
  for (const char* field : {"ciphertext", "nonce", "salt"}) {
    std::string hex(doc.at(field).as_string());
    hex[0] = hex[0] == '0' ? '1' : '0';
    EditField(path, field, json::string(hex));
    Result<KeyPair> read = ReadKeyFile(path, "pw");
    ASSERT_FALSE(read.ok()) << field;
    EXPECT_EQ(read.status().app_code(), "BAD_PASSPHRASE") << field;
    WriteText(path, original);
  }
  // Another (valid) public key: the secret decrypts but does not match it.
  EditField(path, "public_key", json::string(ToHex(KeyPair::Generate(Algo::kEd25519).public_key().key)));
  Result<KeyPair> read = ReadKeyFile(path, "pw");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().app_code(), "KEYFILE_MALFORMED");
  WriteText(path, original);
  // Another algorithm label: the public key no longer parses or matches.
  EditField(path, "algo", "secp256k1");
  read = ReadKeyFile(path, "pw");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().app_code(), "KEYFILE_MALFORMED");
  WriteText(path, original);
  // Limits that would make reading the file cost gigabytes or hours are refused.
  EditField(path, "memlimit", uint64_t{1} << 40);
  read = ReadKeyFile(path, "pw");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().app_code(), "KEYFILE_MALFORMED");
  WriteText(path, original);
  EditField(path, "opslimit", 1000000);
  read = ReadKeyFile(path, "pw");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().app_code(), "KEYFILE_MALFORMED");
  WriteText(path, original);
  EXPECT_TRUE(ReadKeyFile(path, "pw").ok());
}

TEST_F(KeyFileTest, TamperedPlainFile) {
  const std::string path = PathOf("k.json");
  KeyPair key = KeyPair::Generate(Algo::kEd25519);
  ASSERT_TRUE(WriteKeyFile(path, key).ok());
  EditField(path, "public_key", json::string(ToHex(KeyPair::Generate(Algo::kEd25519).public_key().key)));
  Result<KeyPair> read = ReadKeyFile(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().app_code(), "KEYFILE_MALFORMED");
}

TEST_F(KeyFileTest, MalformedFiles) {
  KeyPair key = KeyPair::Generate(Algo::kEd25519);
  const std::string pub = ToHex(key.public_key().key);
  const std::string sec = ToHex(key.secret());
  const std::string cases[] = {
      "",
      "not json",
      "{",
      "[]",
      "\"ed25519\"",
      "{}",
      R"({"public_key":")" + pub + R"(","secret_key":")" + sec + R"("})",
      R"({"algo":"rsa","public_key":")" + pub + R"(","secret_key":")" + sec + R"("})",
      R"({"algo":7,"public_key":")" + pub + R"(","secret_key":")" + sec + R"("})",
      R"({"algo":"ed25519","secret_key":")" + sec + R"("})",
      R"({"algo":"ed25519","public_key":"zz","secret_key":")" + sec + R"("})",
      R"({"algo":"ed25519","public_key":")" + pub + R"("})",
      R"({"algo":"ed25519","public_key":")" + pub + R"(","secret_key":"xyz"})",
      R"({"algo":"ed25519","public_key":")" + pub + R"(","secret_key":")" + sec.substr(2) + R"("})",
      R"({"algo":"ed25519","public_key":")" + pub + R"(","secret_key":[1,2]})",
      R"({"algo":"ed25519","public_key":")" + pub + R"(","secret_key":")" + sec + R"(","ciphertext":"00"})",
      std::string(70 * 1024, ' ') + "{}",
  };
  const std::string path = PathOf("bad.json");
  for (const std::string& text : cases) {
    WriteText(path, text);
    Result<KeyPair> read = ReadKeyFile(path, "pw");
    ASSERT_FALSE(read.ok()) << text.substr(0, 200);
    EXPECT_EQ(read.status().app_code(), "KEYFILE_MALFORMED") << text.substr(0, 200);
  }
  // Encrypted files with broken fields.
  ASSERT_TRUE(WriteKeyFile(path, key, "pw").ok());
  const std::string original = ReadText(path);
  const std::pair<const char*, json::value> edits[] = {
      {"kdf", "scrypt"}, {"salt", "00"},       {"nonce", "0011"},   {"ciphertext", ""},
      {"opslimit", -1},  {"opslimit", "2"},    {"memlimit", 1.5},   {"memlimit", 1024},
      {"ciphertext", "zz"},
  };
  for (const auto& [field, value] : edits) {
    WriteText(path, original);
    EditField(path, field, value);
    Result<KeyPair> read = ReadKeyFile(path, "pw");
    ASSERT_FALSE(read.ok()) << field << " = " << json::serialize(value);
    EXPECT_EQ(read.status().app_code(), "KEYFILE_MALFORMED") << field << " = " << json::serialize(value);
  }
  // A folder or a FIFO is not a key file (and reading a FIFO must not hang).
  Result<KeyPair> dir_read = ReadKeyFile(dir_.string());
  ASSERT_FALSE(dir_read.ok());
  EXPECT_EQ(dir_read.status().app_code(), "KEYFILE_MALFORMED");
  const std::string fifo = PathOf("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Result<KeyPair> fifo_read = ReadKeyFile(fifo);
  ASSERT_FALSE(fifo_read.ok());
  EXPECT_EQ(fifo_read.status().app_code(), "KEYFILE_MALFORMED");
}

TEST_F(KeyFileTest, ParsesTheTextOfAKeyFileAsReadingItDoes) {
  KeyPair key = KeyPair::Generate(Algo::kEd25519);
  const std::string path = PathOf("text.json");
  for (const std::string passphrase : {"", "pw"}) {
    ASSERT_TRUE(WriteKeyFile(path, key, passphrase).ok());
    const std::string text = ReadText(path);
    Result<KeyPair> parsed = ParseKeyFile(text, passphrase, "node.key");
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(parsed->public_key(), key.public_key());
    EXPECT_EQ(parsed->secret(), key.secret());
    Result<PublicKey> pub = ParsePublicKeyFile(text, "node.key");
    ASSERT_TRUE(pub.ok()) << pub.status().ToString();
    EXPECT_EQ(*pub, key.public_key());
  }
  Result<KeyPair> bad = ParseKeyFile("{", "", "node.key");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().app_code(), "KEYFILE_MALFORMED");
  EXPECT_NE(bad.status().message().find("node.key"), std::string::npos);
  Result<KeyPair> wrong = ParseKeyFile(ReadText(path), "other", "node.key");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().app_code(), "BAD_PASSPHRASE");
}

TEST_F(KeyFileTest, TextLargerThanAKeyFileIsRefused) {
  Result<PublicKey> pub = ParsePublicKeyFile(std::string(70 * 1024, ' ') + "{}", "node.key");
  ASSERT_FALSE(pub.ok());
  EXPECT_EQ(pub.status().app_code(), "KEYFILE_MALFORMED");
}

// The parsed JSON lives in a buffer that is wiped afterwards; a file whose values do
// not fit in it is refused rather than parsed partly into ordinary heap memory,
// where the secret would not be wiped.
TEST_F(KeyFileTest, ValuesBeyondTheWipedBufferAreRefused) {
  KeyPair key = KeyPair::Generate(Algo::kEd25519);
  std::string padding = "[0";
  while (padding.size() < 60 * 1024) padding += ",0";
  padding += "]";
  const std::string text = R"({"pad":)" + padding + R"(,"algo":"ed25519","public_key":")" +
                           ToHex(key.public_key().key) + R"(","secret_key":")" + ToHex(key.secret()) + R"("})";
  ASSERT_LE(text.size(), 64u * 1024);
  const std::string path = PathOf("padded.json");
  WriteText(path, text);
  for (const Status& st : {ParseKeyFile(text, "", "padded.json").status(), ReadKeyFile(path).status()}) {
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.app_code(), "KEYFILE_MALFORMED") << st.ToString();
  }
}

TEST_F(KeyFileTest, MissingFile) {
  for (const std::string& path : {PathOf("absent.json"), PathOf("no-such-dir/absent.json")}) {
    Result<KeyPair> read = ReadKeyFile(path);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.status().app_code(), "KEYFILE_NOT_FOUND");
    Result<PublicKey> pub = ReadPublicKey(path);
    ASSERT_FALSE(pub.ok());
    EXPECT_EQ(pub.status().app_code(), "KEYFILE_NOT_FOUND");
  }
}

TEST_F(KeyFileTest, FileReadableByOthersIsRefused) {
  const std::string path = PathOf("k.json");
  KeyPair key = KeyPair::Generate(Algo::kEd25519);
  for (const std::string& passphrase : {std::string(), std::string("pw")}) {
    ASSERT_TRUE(WriteKeyFile(path, key, passphrase).ok());
    for (unsigned mode : {0644u, 0640u, 0604u, 0620u, 0601u}) {
      ASSERT_EQ(::chmod(path.c_str(), mode), 0);
      Result<KeyPair> read = ReadKeyFile(path, passphrase);
      ASSERT_FALSE(read.ok()) << std::oct << mode;
      EXPECT_EQ(read.status().app_code(), "KEYFILE_PERMISSIONS") << std::oct << mode;
      EXPECT_NE(read.status().message().find("chmod 600"), std::string::npos);
      // The public part is not secret and stays readable.
      EXPECT_TRUE(ReadPublicKey(path).ok());
    }
    ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
    EXPECT_TRUE(ReadKeyFile(path, passphrase).ok()) << "owner-only read-only is fine";
    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  }
}

TEST_F(KeyFileTest, OverwriteIsAtomicAndAlways0600) {
  const std::string path = PathOf("k.json");
  KeyPair first = KeyPair::Generate(Algo::kEd25519);
  KeyPair second = KeyPair::Generate(Algo::kSecp256k1);
  ASSERT_TRUE(WriteKeyFile(path, first).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  // Even with a permissive umask the new file is 0600 from the start.
  mode_t old_umask = ::umask(0);
  Status st = WriteKeyFile(path, second);
  ::umask(old_umask);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Mode(path), 0600u);
  Result<KeyPair> read = ReadKeyFile(path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->public_key(), second.public_key());
  // No temporary files are left behind.
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    ++entries;
    EXPECT_EQ(entry.path().filename(), "k.json");
  }
  EXPECT_EQ(entries, 1);
}

TEST_F(KeyFileTest, WriteErrors) {
  KeyPair key = KeyPair::Generate(Algo::kEd25519);
  Status st = WriteKeyFile(PathOf("no-such-dir/k.json"), key);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Code::kIOError);
  const fs::path folder = dir_ / "folder";
  fs::create_directory(folder);
  st = WriteKeyFile(folder.string(), key);  // a folder cannot be replaced by a file
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Code::kIOError);
  EXPECT_TRUE(fs::is_directory(folder));
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 1) << "a failed write leaves no temporary file";
  fs::remove(folder);

  KeyFileKdf cheap{1, 8192};
  st = WriteKeyFile(PathOf("k.json"), key, "pw", cheap);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.app_code(), "BAD_KDF_LIMITS");
  KeyFileKdf huge = KeyFileKdf::Sensitive();
  huge.memlimit *= 2;
  st = WriteKeyFile(PathOf("k.json"), key, "pw", huge);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.app_code(), "BAD_KDF_LIMITS");
  EXPECT_FALSE(fs::exists(PathOf("k.json")));
}

TEST_F(KeyFileTest, ModerateKdfRoundTrip) {
  const std::string path = PathOf("k.json");
  KeyPair key = KeyPair::Generate(Algo::kSm2);
  ASSERT_TRUE(WriteKeyFile(path, key, "pw", KeyFileKdf::Moderate()).ok());
  json::value doc = json::parse(ReadText(path));
  EXPECT_EQ(doc.at("opslimit").to_number<uint64_t>(), KeyFileKdf::Moderate().opslimit);
  EXPECT_EQ(doc.at("memlimit").to_number<uint64_t>(), KeyFileKdf::Moderate().memlimit);
  Result<KeyPair> read = ReadKeyFile(path, "pw");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->secret(), key.secret());
}

}  // namespace
}  // namespace civic::crypto
