// Runs the built civic binary (CIVIC_CLI_PATH) to check exit codes, messages,
// --help of every command, and the files it writes.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "crypto/keyfile.h"
#include "test_util.h"
#include "tools/common/files.h"

namespace civic::tools {
namespace {

using testing::Run;
using testing::RunResult;
using testing::TempDir;

RunResult Civic(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
  return Run(CIVIC_CLI_PATH, args, env);
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const char* kGoodCitizen = "11010519491231002X";  // GB 11643 example
const char* kOrg = "11510700008207313A";
// A valid ed25519 public key (RFC 8032 test 1).
const std::string kPub = "ed25519:d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

TEST(CliTest, EveryCommandHasHelp) {
  const std::vector<std::vector<std::string>> commands = {
      {},
      {"keygen"},
      {"key", "show"},
      {"genesis"},
      {"net"},
      {"net", "init"},
      {"net", "up"},
      {"net", "down"},
      {"net", "status"},
      {"cert"},
      {"cert", "types"},
      {"cert", "type", "register"},
      {"cert", "issue"},
      {"cert", "renew"},
      {"cert", "replace"},
      {"cert", "suspend"},
      {"cert", "reinstate"},
      {"cert", "revoke"},
      {"cert", "show"},
      {"cert", "verify"},
      {"verify"},
      {"cert", "list"},
      {"gov", "orgs"},
      {"gov", "params"},
      {"gov", "proposals"},
      {"gov", "vote"},
      {"gov", "propose"},
      {"gov", "propose", "add-org"},
      {"gov", "propose", "remove-org"},
      {"gov", "propose", "grant-role"},
      {"gov", "propose", "revoke-role"},
      {"gov", "propose", "add-key"},
      {"gov", "propose", "revoke-key"},
      {"gov", "propose", "rotate-key"},
      {"gov", "propose", "set-validator"},
      {"gov", "propose", "set-params"},
      {"chain", "status"},
      {"chain", "block"},
      {"chain", "tx"},
      {"import"},
      {"sample", "certificates"},
      {"issuer", "token", "create"},
      {"issuer", "token", "revoke"},
      {"issuer", "token", "list"},
  };
  for (auto args : commands) {
    args.push_back("--help");
    RunResult r = Civic(args);
    std::string name;
    for (const auto& a : args) name += a + " ";
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.out;
    EXPECT_TRUE(Contains(r.out, "Usage")) << name << "\n" << r.out;
  }
  RunResult v = Civic({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_TRUE(Contains(v.out, "civic"));
}

TEST(CliTest, BadArgumentsExitWithTwo) {
  TempDir tmp;
  struct Case {
    std::vector<std::string> args;
    std::string expect;  // a part of the message
  };
  // Personal values go in files: the holder's id number and the fields.
  auto secret = [&](const std::string& name, const std::string& text) {
    EXPECT_TRUE(WriteFileWithMode(tmp.File(name), text, 0600).ok());
    return tmp.File(name);
  };
  const std::string good_holder = secret("good-holder", std::string(kGoodCitizen) + "\n");
  const std::string name_x = secret("name-x", "name=x\n");
  const std::vector<Case> cases = {
      {{}, "subcommand"},
      {{"frobnicate"}, ""},
      {{"keygen"}, "--out"},
      {{"keygen", "--out", tmp.File("k"), "--algo", "rsa"}, "rsa"},
      {{"keygen", "--out", tmp.File("k"), "--org", "not-a-uscc"}, "BAD_USCC"},
      {{"keygen", "--out", tmp.File("k"), "--passphrase-env", "CIVIC_TEST_UNSET_VAR"}, "PASSPHRASE_ENV_UNSET"},
      {{"net"}, ""},
      {{"net", "init", "0", "--dir", tmp.File("n")}, ""},
      {{"net", "init", "two", "--dir", tmp.File("n")}, ""},
      {{"net", "init", "1", "--dir", tmp.File("n"), "--base-port", "80"}, ""},
      {{"net", "init", "1", "--dir", tmp.File("n"), "--base-port", "automatic"}, ""},
      {{"cert", "show", "not-an-id"}, "BAD_CERT_ID"},
      {{"cert", "verify", "1.2.3", "--at", "someday"}, "BAD_DATE"},
      {{"cert", "verify", "--disclose", "name"}, "HOLDER_FILE_REQUIRED"},
      {{"cert", "issue", "--type", "T", "--holder-type", "citizen", "--holder-id-file", secret("h1", "110105194912310021"),
        "--fields-file", name_x, "--out", tmp.File("h.json"), "--key", tmp.File("k"), "--org", kOrg},
       "BAD_CITIZEN_ID"},
      {{"cert", "issue", "--type", "T", "--holder-type", "enterprise", "--holder-id-file", secret("h2", "91510700MA00000000"),
        "--fields-file", name_x, "--out", tmp.File("h.json"), "--key", tmp.File("k"), "--org", kOrg},
       "BAD_USCC"},
      {{"cert", "issue", "--type", "T", "--holder-type", "martian", "--holder-id-file", good_holder, "--fields-file", name_x,
        "--out", tmp.File("h.json"), "--key", tmp.File("k")},
       "martian"},
      {{"cert", "issue", "--type", "T", "--holder-type", "citizen", "--holder-id-file", good_holder, "--fields-file", secret("bad-fields", "noequals"),
        "--out", tmp.File("h.json"), "--key", tmp.File("k"), "--org", kOrg},
       "BAD_FIELD_ARG"},
      {{"cert", "issue", "--type", "T", "--holder-type", "citizen", "--holder-id-file", good_holder, "--fields-file", name_x,
        "--out", tmp.File("h.json"), "--key", tmp.File("k"), "--org", kOrg, "--valid-from", "2024-02-31"},
       "BAD_DATE"},
      {{"cert", "issue", "--type", "T", "--holder-type", "citizen", "--holder-id-file", good_holder, "--fields-file", name_x,
        "--out", tmp.File("h.json"), "--key", tmp.File("k"), "--org", kOrg, "--serial", "bad serial!"},
       "BAD_SERIAL"},
      {{"cert", "issue", "--type", "T", "--holder-type", "citizen", "--holder-id-file", good_holder, "--fields-file", name_x,
        "--out", tmp.File("h.json"), "--key", tmp.File("k")},
       "ORG_REQUIRED"},
      // The old options that took personal values on the command line are refused.
      {{"cert", "issue", "--type", "T", "--holder-type", "citizen", "--holder", kGoodCitizen, "--fields-file", name_x,
        "--out", tmp.File("h.json"), "--key", tmp.File("k"), "--org", kOrg},
       "SECRET_ON_COMMAND_LINE: --holder would put a personal value on the command line"},
      {{"cert", "issue", "--type", "T", "--holder-type", "citizen", "--holder-id-file", good_holder, "--field",
        "name=x", "--out", tmp.File("h.json"), "--key", tmp.File("k"), "--org", kOrg},
       "use --fields-file FILE"},
      {{"cert", "renew", "1.2.156.3005.2.x", "--field", "name=x", "--key", tmp.File("k")}, "SECRET_ON_COMMAND_LINE"},
      {{"cert", "issue", "--type", "T", "--holder-type", "citizen", "--holder-id-file", "-", "--fields-file", "-",
        "--out", tmp.File("h.json"), "--key", tmp.File("k"), "--org", kOrg},
       "both read standard input"},
      {{"cert", "issue", "--type", "T", "--holder-type", "citizen", "--holder-id-file", secret("empty", "\n"),
        "--fields-file", name_x, "--out", tmp.File("h.json"), "--key", tmp.File("k"), "--org", kOrg},
       "EMPTY_FIELD"},
      {{"cert", "issue", "--type", "T", "--holder-type", "citizen", "--holder-id-file", tmp.File("absent"),
        "--fields-file", name_x, "--out", tmp.File("h.json"), "--key", tmp.File("k"), "--org", kOrg},
       "FILE_NOT_FOUND"},
      {{"cert", "issue", "--type", "T", "--holder-type", "citizen", "--holder-id-file", good_holder, "--fields-file",
        secret("twice", "name=x\n# a comment\n\nname=y\n"), "--out", tmp.File("h.json"), "--key", tmp.File("k"),
        "--org", kOrg},
       "DUPLICATE_FIELD"},
      {{"cert", "revoke", "1.2.156.3005.2.x"}, "--reason"},
      {{"cert", "renew", "not-an-id", "--key", tmp.File("k"), "--org", kOrg}, "BAD_CERT_ID"},
      {{"chain", "tx", "zz"}, "64 hex"},
      {{"chain", "block", "-1"}, ""},
      {{"import", "--type", "T", "--file", tmp.File("missing.csv"), "--key", tmp.File("k")}, "missing.csv"},
      {{"import", "--type", "T", "--file", tmp.File("k"), "--key", tmp.File("k"), "--batch", "0"}, ""},
      {{"sample", "certificates", "--type", "T", "--out", tmp.File("x.xlsx"), "--count", "5"}, "IMPORT_UNKNOWN_FORMAT"},
      {{"gov", "vote", "--proposal", "x", "--key", tmp.File("k")}, ""},
      {{"gov", "vote", "--proposal", "-3", "--key", tmp.File("k")}, ""},
      // gov propose: arguments are checked before the key is read (the key file "k" is not a key).
      {{"gov", "propose"}, "subcommand"},
      {{"gov", "propose", "grant-role", "--code", kOrg, "--key", tmp.File("k")}, "--role is required"},
      {{"gov", "propose", "grant-role", "--role", "ADMIN", "--key", tmp.File("k")}, "--code is required"},
      {{"gov", "propose", "grant-role", "--code", kOrg, "--role", "ADMIN"}, "--key is required"},
      {{"gov", "propose", "grant-role", "--code", "91510700MA00000000", "--role", "ADMIN", "--key", tmp.File("k")},
       "BAD_USCC"},
      {{"gov", "propose", "grant-role", "--code", kOrg, "--role", "KING", "--key", tmp.File("k")}, "BAD_ROLE"},
      {{"gov", "propose", "grant-role", "--code", kOrg, "--role", "admin", "--key", tmp.File("k")}, "BAD_ROLE"},
      {{"gov", "propose", "grant-role", "--code", kOrg, "--role", "CREDIT_AUTHORITY", "--scope", "no spaces", "--key",
        tmp.File("k")},
       "BAD_SCOPE"},
      {{"gov", "propose", "revoke-role", "--code", "123", "--role", "ADMIN", "--key", tmp.File("k")}, "BAD_USCC"},
      {{"gov", "propose", "revoke-role", "--code", kOrg, "--role", "OWNER", "--key", tmp.File("k")}, "BAD_ROLE"},
      {{"gov", "propose", "set-params", "--key", tmp.File("k")}, "PARAMS_REQUIRED"},
      {{"gov", "propose", "set-params", "--max-batch-certificates", "0", "--key", tmp.File("k")}, "not in range"},
      {{"gov", "propose", "set-params", "--max-batch-certificates", "100001", "--key", tmp.File("k")}, "not in range"},
      {{"gov", "propose", "set-params", "--max-batch-certificates", "4294967297", "--key", tmp.File("k")},
       "not in range"},
      {{"gov", "propose", "set-params", "--proposal-ttl-blocks", "-1", "--key", tmp.File("k")}, ""},
      {{"gov", "propose", "set-params", "--proposal-ttl-blocks", "ten", "--key", tmp.File("k")}, ""},
      {{"gov", "propose", "set-params", "--proposal-ttl-blocks", "100"}, "--key is required"},
      {{"gov", "propose", "remove-org", "--key", tmp.File("k")}, "--code is required"},
      {{"gov", "propose", "remove-org", "--code", "not-a-uscc", "--key", tmp.File("k")}, "BAD_USCC"},
      {{"gov", "propose", "remove-org", "--code", kOrg, "--title", std::string(201, 't'), "--key", tmp.File("k")},
       "BAD_PROPOSAL"},
      {{"gov", "propose", "add-org", "--code", kOrg, "--pub-key", kPub, "--key", tmp.File("k")}, "--name is required"},
      {{"gov", "propose", "add-org", "--code", kOrg, "--name", "n", "--key", tmp.File("k")}, "KEY_REQUIRED"},
      {{"gov", "propose", "add-org", "--code", "11510700008207313B", "--name", "n", "--pub-key", kPub, "--key",
        tmp.File("k")},
       "BAD_USCC"},
      {{"gov", "propose", "add-org", "--code", kOrg, "--name", "n", "--pub-key", "ed25519:1234", "--key",
        tmp.File("k")},
       "BAD_PUBLIC_KEY"},
      {{"gov", "propose", "add-org", "--code", kOrg, "--name", "n", "--pub-key", kPub, "--pub-key", kPub, "--key",
        tmp.File("k")},
       "DUPLICATE_KEY"},
      {{"gov", "propose", "add-org", "--code", kOrg, "--name", "n", "--pub-key", kPub, "--role", "ADMIN", "--role",
        "EMPEROR", "--key", tmp.File("k")},
       "BAD_ROLE"},
      {{"gov", "propose", "add-org", "--code", kOrg, "--name", "n", "--pub-key", kPub, "--role", "ISSUER:bad type",
        "--key", tmp.File("k")},
       "BAD_SCOPE"},
      {{"gov", "propose", "add-key", "--code", kOrg, "--key", tmp.File("k")}, "KEY_REQUIRED"},
      {{"gov", "propose", "add-key", "--code", kOrg, "--pub-key", "rsa:00ff", "--key", tmp.File("k")},
       "BAD_PUBLIC_KEY"},
      {{"gov", "propose", "add-key", "--code", kOrg, "--pub-key", "ed25519:" + std::string(64, 'z'), "--key",
        tmp.File("k")},
       "BAD_PUBLIC_KEY"},
      {{"gov", "propose", "add-key", "--code", kOrg, "--pub-key", kPub, "--pub-key-file", tmp.File("k"), "--key",
        tmp.File("k")},
       "KEY_CONFLICT"},
      {{"gov", "propose", "revoke-key", "--code", "x", "--pub-key", kPub, "--key", tmp.File("k")}, "BAD_USCC"},
      {{"gov", "propose", "revoke-key", "--code", kOrg, "--pub-key", "secp256k1:02", "--key", tmp.File("k")},
       "BAD_PUBLIC_KEY"},
      {{"gov", "propose", "rotate-key", "--code", kOrg, "--new-key", kPub, "--key", tmp.File("k")}, "KEY_REQUIRED"},
      {{"gov", "propose", "rotate-key", "--code", kOrg, "--old-key", kPub, "--old-key-file", tmp.File("k"), "--new-key",
        kPub, "--key", tmp.File("k")},
       "KEY_CONFLICT"},
      {{"gov", "propose", "rotate-key", "--code", kOrg, "--old-key", kPub, "--new-key", "ed25519:00", "--key",
        tmp.File("k")},
       "BAD_PUBLIC_KEY"},
      {{"gov", "propose", "rotate-key", "--code", kOrg, "--old-key", kPub, "--new-key", kPub, "--key", tmp.File("k")},
       "SAME_KEY"},
      {{"gov", "propose", "set-validator", "--code", kOrg, "--node-key", kPub, "--key", tmp.File("k")},
       "--power is required"},
      {{"gov", "propose", "set-validator", "--code", kOrg, "--node-key", kPub, "--power", "-1", "--key", tmp.File("k")},
       "--power"},
      {{"gov", "propose", "set-validator", "--code", kOrg, "--node-key", kPub, "--power", "2000000000000", "--key",
        tmp.File("k")},
       "--power"},
      {{"gov", "propose", "set-validator", "--code", kOrg, "--power", "10", "--key", tmp.File("k")}, "KEY_REQUIRED"},
      {{"gov", "propose", "set-validator", "--code", kOrg, "--node-key", "ed25519:xyz", "--power", "10", "--key",
        tmp.File("k")},
       "BAD_PUBLIC_KEY"},
      {{"gov", "propose", "set-validator", "--code", "bad", "--node-key", kPub, "--power", "10", "--key",
        tmp.File("k")},
       "BAD_USCC"},
  };
  testing::WriteAll(tmp.File("k"), "not a key");
  for (const auto& c : cases) {
    RunResult r = Civic(c.args);
    std::string name;
    for (const auto& a : c.args) name += a + " ";
    EXPECT_EQ(r.exit_code, 2) << name << "\n" << r.out;
    EXPECT_TRUE(Contains(r.out, c.expect)) << name << "\nwanted: " << c.expect << "\n" << r.out;
    EXPECT_TRUE(Contains(r.out, "--help")) << name << "\n" << r.out;
    // A citizen ID given on the command line is not echoed back in errors.
    if (c.expect == "BAD_CITIZEN_ID") {
      EXPECT_FALSE(Contains(r.out, "110105194912310021")) << r.out;
    }
  }
}

TEST(CliTest, RuntimeErrorsExitWithOneAndATypedCode) {
  TempDir tmp;
  RunResult r = Civic({"chain", "status", "--node", "http://127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(Contains(r.out, "civic: error: CONNECTION_REFUSED")) << r.out;

  r = Civic({"key", "show", tmp.File("absent.key")});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(Contains(r.out, "KEYFILE_NOT_FOUND")) << r.out;

  r = Civic({"net", "status", "--dir", tmp.File("nonet")});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(Contains(r.out, "NET_NOT_FOUND")) << r.out;

  r = Civic({"chain", "status", "--node", "http://127.0.0.1:1", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.out, "\"app_code\": \"CONNECTION_REFUSED\"")) << r.out;
}

// `civic verify`: a trust root and one proof source are required (exit 2); a
// proof file that is not a proof is refused (exit 3, before the trust root is
// read), a missing one is an I/O error (exit 1). Real proofs: tests/integration_bft/proof_network_test.cc.
TEST(CliTest, VerifyNeedsATrustRootAndAProofAndRefusesNonProofs) {
  TempDir tmp;
  RunResult r = Civic({"verify", "--offline", tmp.File("p.json")});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_TRUE(Contains(r.out, "PROOF_SOURCE_REQUIRED")) << r.out;
  r = Civic({"verify", "--genesis", tmp.File("g.json"), "--trusted-header", tmp.File("h.json"), "--offline", "x"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  r = Civic({"verify", "--genesis", tmp.File("g.json"), "--node", "http://127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 2) << r.out;  // neither --id nor --key

  ASSERT_TRUE(WriteFileWithMode(tmp.File("not-a-proof.json"), R"({"result":{"proof":{"proto":"AAAA"}}})", 0644).ok());
  r = Civic({"verify", "--offline", tmp.File("not-a-proof.json"), "--genesis", tmp.File("genesis.json")});
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_TRUE(Contains(r.out, "LIGHT_")) << r.out;
  r = Civic({"verify", "--offline", tmp.File("absent.json"), "--genesis", tmp.File("genesis.json")});
  EXPECT_EQ(r.exit_code, 1) << r.out;
}

// `civic bench` runs the civic-bench next to civic; without one it says so.
TEST(CliTest, BenchWithoutCivicBenchNextToItIsATypedError) {
  TempDir tmp;
  std::filesystem::copy_file(CIVIC_CLI_PATH, tmp.File("civic"));
  std::filesystem::permissions(tmp.File("civic"), std::filesystem::perms::owner_all);
  RunResult r = testing::Run(tmp.File("civic"), {"bench", "issue", "--certs", "10"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(Contains(r.out, "civic: error: PROGRAM_NOT_FOUND: civic-bench is not installed next to civic (" +
                                  tmp.File("civic-bench") + ")"))
      << r.out;
  RunResult help = Civic({"--help"});
  EXPECT_TRUE(Contains(help.out, "bench")) << help.out;
  EXPECT_TRUE(Contains(help.out, "runs civic-bench")) << help.out;
}

TEST(CliTest, KeygenWritesPrivateKeyFiles) {
  TempDir tmp;
  std::string key = tmp.File("org.key");
  RunResult r = Civic({"keygen", "--out", key, "--org", kOrg});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(*FileMode(key), 0600u);
  auto pub = crypto::ReadPublicKey(key);
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(Contains(r.out, pub->ToString()));
  EXPECT_EQ(testing::ReadAll(key + ".org"), std::string(kOrg) + "\n");

  RunResult show = Civic({"key", "show", key});
  EXPECT_EQ(show.exit_code, 0);
  EXPECT_TRUE(Contains(show.out, pub->ToString()));
  EXPECT_TRUE(Contains(show.out, kOrg));

  // No silent overwrite.
  RunResult again = Civic({"keygen", "--out", key});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_TRUE(Contains(again.out, "KEYFILE_EXISTS"));
  EXPECT_EQ(crypto::ReadPublicKey(key)->ToString(), pub->ToString());

  // An encrypted secp256k1 key.
  std::string enc = tmp.File("enc.key");
  r = Civic({"keygen", "--out", enc, "--algo", "secp256k1", "--passphrase-env", "CIVIC_TEST_PASS", "--json"},
            {"CIVIC_TEST_PASS=correct horse"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(*FileMode(enc), 0600u);
  EXPECT_TRUE(Contains(r.out, "\"encrypted\": true"));
  EXPECT_TRUE(crypto::ReadKeyFile(enc, "correct horse").ok());
  EXPECT_FALSE(crypto::ReadKeyFile(enc, "wrong").ok());
  EXPECT_EQ(crypto::ReadPublicKey(enc)->algo, crypto::Algo::kSecp256k1);
}

TEST(CliTest, IssuerTokensAreCreatedListedAndRevoked) {
  TempDir tmp;
  std::string file = tmp.File("tokens.json");
  RunResult made = Civic({"issuer", "token", "create", "--tokens-file", file, "--scope",
                          "cert.issue:11510700008207313A001,cert.revoke:*", "--expires", "30d", "--label",
                          "hr-system", "--json"});
  ASSERT_EQ(made.exit_code, 0) << made.out;
  auto v = boost::json::parse(made.out);
  const std::string token(v.at("token").as_string());
  const std::string id(v.at("id").as_string());
  EXPECT_TRUE(token.starts_with("civic_it_" + id + "_"));
  EXPECT_EQ(*FileMode(file), 0600u);
  EXPECT_FALSE(Contains(testing::ReadAll(file), token.substr(token.rfind('_') + 1)));  // only its hash

  RunResult list = Civic({"issuer", "token", "list", "--tokens-file", file});
  ASSERT_EQ(list.exit_code, 0) << list.out;
  EXPECT_TRUE(Contains(list.out, id + "  active  hr-system  cert.issue:11510700008207313A001,cert.revoke:*"));
  EXPECT_FALSE(Contains(list.out, token));

  RunResult revoked = Civic({"issuer", "token", "revoke", id, "--tokens-file", file});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.out;
  EXPECT_TRUE(Contains(Civic({"issuer", "token", "list", "--tokens-file", file}).out, id + "  revoked"));
  RunResult unknown = Civic({"issuer", "token", "revoke", "0000000000000000", "--tokens-file", file});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_TRUE(Contains(unknown.out, "ISSUER_TOKEN_UNKNOWN"));

  // Bad arguments: a scope, a lifetime, no file named.
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--tokens-file", file, "--scope", "cert.delete:*", "--expires", "30d", "--label", "x"},
           {"--tokens-file", file, "--scope", "cert.revoke:*", "--expires", "30 days", "--label", "x"},
           {"--scope", "cert.revoke:*", "--expires", "30d", "--label", "x"}}) {
    std::vector<std::string> all = {"issuer", "token", "create"};
    all.insert(all.end(), args.begin(), args.end());
    RunResult r = Civic(all);
    EXPECT_EQ(r.exit_code, 2) << r.out;
  }
}

TEST(CliTest, NetInitWithBasePortAutoPicksFreePortsBelowTheEphemeralRange) {
  TempDir tmp;
  RunResult r = Civic({"net", "init", "3", "--dir", tmp.File("net"), "--base-port", "auto"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto net = LoadNetwork(tmp.File("net"));
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  EXPECT_GE(net->base_port, 20000);
  EXPECT_LE(net->base_port + 5, 32767);
  ASSERT_EQ(net->nodes.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(net->nodes[i].p2p_port, net->base_port + 2 * i);
    EXPECT_EQ(net->nodes[i].rpc_port, net->base_port + 2 * i + 1);
  }
  EXPECT_TRUE(Contains(r.out, "http://127.0.0.1:" + std::to_string(net->base_port + 1))) << r.out;
}

TEST(CliTest, GenesisAndNetInitFromTheCommandLine) {
  TempDir tmp;
  std::filesystem::create_directories(tmp.File("orgs"));
  for (const char* name : {"psb", "hrss", "amr", "ndrc", "gss"}) {
    ASSERT_EQ(Civic({"keygen", "--out", tmp.File(std::string("orgs/") + name + ".key")}).exit_code, 0);
  }
  ASSERT_EQ(Civic({"keygen", "--out", tmp.File("node0.key")}).exit_code, 0);
  RunResult g = Civic({"genesis", "--out", tmp.File("genesis.json"), "--chain-id", "cli-test", "--org-keys",
                       tmp.File("orgs"), "--node-keys", tmp.File("node0.key")});
  ASSERT_EQ(g.exit_code, 0) << g.out;
  EXPECT_TRUE(Contains(g.out, "6 certificate types"));

  std::filesystem::remove(tmp.File("orgs/gss.key"));
  g = Civic({"genesis", "--out", tmp.File("genesis2.json"), "--org-keys", tmp.File("orgs"), "--node-keys",
             tmp.File("node0.key")});
  EXPECT_EQ(g.exit_code, 1);
  EXPECT_TRUE(Contains(g.out, "gss.key")) << g.out;

  RunResult n = Civic({"net", "init", "4", "--dir", tmp.File("net"), "--base-port", "32000"});
  ASSERT_EQ(n.exit_code, 0) << n.out;
  EXPECT_TRUE(Contains(n.out, "http://127.0.0.1:32001"));
  EXPECT_TRUE(Contains(n.out, "绵阳市公安局"));
  RunResult again = Civic({"net", "init", "1", "--dir", tmp.File("net")});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_TRUE(Contains(again.out, "NET_EXISTS"));

  RunResult sample = Civic({"sample", "certificates", "--type", "11510700008207313A001", "--count", "20",
                            "--invalid", "2", "--out", tmp.File("s.csv"), "--genesis", tmp.File("net/genesis.json")});
  ASSERT_EQ(sample.exit_code, 0) << sample.out;
  EXPECT_EQ(testing::Lines(testing::ReadAll(tmp.File("s.csv"))).size(), 21u);
}

}  // namespace
}  // namespace civic::tools
