#include "node/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "crypto/signature.h"

namespace civic::node {
namespace {

namespace fs = std::filesystem;

const char* kMinimal = R"([node]
data_dir = "data"
key_file = "keys/node.json"
genesis_file = "/etc/civic/genesis.json"
)";

Result<Config> Parse(const std::string& text) { return ParseConfig(text, "/srv/civic", "node.toml"); }

// The minimal config with `extra` appended (a section and a key).
std::string With(const std::string& section, const std::string& line) {
  if (section == "node") return std::string(kMinimal) + line + "\n";
  return std::string(kMinimal) + "[" + section + "]\n" + line + "\n";
}

TEST(ConfigTest, MinimalConfigGetsDefaultsAndResolvesPaths) {
  auto c = Parse(kMinimal);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->node.data_dir, "/srv/civic/data");
  EXPECT_EQ(c->node.key_file, "/srv/civic/keys/node.json");
  EXPECT_EQ(c->node.genesis_file, "/etc/civic/genesis.json");
  EXPECT_EQ(c->node.log_level, "info");
  EXPECT_EQ(c->rpc.listen, (HostPort{"127.0.0.1", 26657}));
  EXPECT_EQ(c->rpc.threads, 4);
  // The server limits hold by default (docs/OPERATIONS.md).
  EXPECT_EQ(c->rpc.max_body_bytes, size_t{1} << 20);
  EXPECT_EQ(c->rpc.max_inflight_body_bytes, size_t{64} << 20);
  EXPECT_EQ(c->rpc.rate_limit_per_sec, 100u);  // on by default
  EXPECT_EQ(c->rpc.rate_limit_burst, 400u);
  EXPECT_TRUE(c->rpc.trusted_proxies.empty());
  EXPECT_EQ(c->rpc.ws_max_subscriptions_per_ip, 16u);
  EXPECT_EQ(c->rpc.max_connections_per_ip, 32u);
  EXPECT_EQ(c->rpc.header_timeout_ms, 10000u);
  EXPECT_TRUE(c->rpc.ws_allowed_origins.empty());
  EXPECT_EQ(c->rpc.auth_window_ms, 60000u);
  EXPECT_EQ(c->mempool.verify_threads, 2);
  EXPECT_EQ(c->consensus.block_interval_ms, 1000u);
  EXPECT_TRUE(c->p2p.peers.empty());
}

TEST(ConfigTest, FullConfigParses) {
  auto peer_key = crypto::KeyPair::Generate(crypto::Algo::kEd25519).public_key();
  std::string text = std::string(kMinimal) +
                     "moniker = \"psb-1\"\nlog_level = \"debug\"\nlog_file = \"logs/civicd.log\"\n"
                     "key_passphrase_env = \"CIVIC_KEY_PASS\"\n"
                     "[rpc]\nlisten = \"[::1]:8080\"\nthreads = 8\nmax_body_bytes = 1048576\n"
                     "max_batch = 10\nrate_limit_per_sec = 50\ncommit_timeout_ms = 5000\n"
                     "max_connections_per_ip = 4\nheader_timeout_ms = 2000\nauth_window_ms = 30000\n"
                     "ws_allowed_origins = [\"https://civic.example.gov.cn\", \"http://10.0.0.5:8080\"]\n"
                     "web_root = \"../web\"\n"
                     "[mempool]\nmax_txs = 100\nmax_bytes = 10000000\nverify_threads = 0\n"
                     "[consensus]\nblock_interval_ms = 50\nmax_block_txs = 10\nmax_block_bytes = 2000000\n"
                     "timeout_propose_ms = 100\ntimeout_commit_ms = 10\n"
                     "[p2p]\nlisten = \"0.0.0.0:26656\"\npeers = [\"" +
                     peer_key.ToString() + "@10.0.0.2:26656\"]\n";
  auto c = Parse(text);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->node.moniker, "psb-1");
  EXPECT_EQ(c->node.log_file, "/srv/civic/logs/civicd.log");
  EXPECT_EQ(c->node.key_passphrase_env, "CIVIC_KEY_PASS");
  EXPECT_EQ(c->rpc.listen, (HostPort{"::1", 8080}));
  EXPECT_EQ(c->rpc.listen.ToString(), "[::1]:8080");
  EXPECT_EQ(c->rpc.web_root, "/srv/web");
  EXPECT_EQ(c->rpc.rate_limit_per_sec, 50u);
  EXPECT_EQ(c->rpc.max_connections_per_ip, 4u);
  EXPECT_EQ(c->rpc.header_timeout_ms, 2000u);
  EXPECT_EQ(c->rpc.auth_window_ms, 30000u);
  EXPECT_EQ(c->rpc.ws_allowed_origins,
            (std::vector<std::string>{"https://civic.example.gov.cn", "http://10.0.0.5:8080"}));
  EXPECT_EQ(c->mempool.verify_threads, 0);
  EXPECT_EQ(c->consensus.block_interval_ms, 50u);
  EXPECT_EQ(c->consensus.timeout_propose_ms, 100u);
  ASSERT_EQ(c->p2p.peers.size(), 1u);
  EXPECT_EQ(c->p2p.peers[0].node_id, peer_key);
  EXPECT_EQ(c->p2p.peers[0].address, (HostPort{"10.0.0.2", 26656}));
}

TEST(ConfigTest, FormatConfigRoundTrips) {
  auto c = Parse(With("consensus", "block_interval_ms = 77"));
  ASSERT_TRUE(c.ok());
  c->p2p.peers.push_back(
      PeerAddress{crypto::KeyPair::Generate(crypto::Algo::kEd25519).public_key(), {"peer.local", 1}});
  c->node.moniker = "quote\" and \\ backslash";
  auto again = ParseConfig(FormatConfig(*c), "/elsewhere", "x.toml");
  ASSERT_TRUE(again.ok()) << again.status().ToString() << "\n" << FormatConfig(*c);
  EXPECT_EQ(FormatConfig(*again), FormatConfig(*c));
  EXPECT_EQ(again->node.moniker, c->node.moniker);
  EXPECT_EQ(again->p2p.peers, c->p2p.peers);
}

TEST(ConfigTest, LoadConfigResolvesAgainstTheFilesFolder) {
  fs::path dir = fs::temp_directory_path() / ("civic_config_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "node.toml") << kMinimal;
  auto c = LoadConfig((dir / "node.toml").string());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->node.data_dir, (dir / "data").string());
  EXPECT_EQ(c->path, (dir / "node.toml").string());
  fs::remove_all(dir);
}

TEST(ConfigTest, IssuerSectionIsOffByDefaultAndLoopbackOnly) {
  auto c = Parse(kMinimal);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->issuer.enabled);
  EXPECT_EQ(c->issuer.allowed_clients, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(c->issuer.tokens_file, "/srv/civic/data/issuer_tokens.json");
  auto on = Parse(std::string(kMinimal) +
                  "[issuer]\nenabled = true\norg = \"11510700008207313A\"\norg_key_file = \"keys/psb.key\"\n"
                  "org_key_passphrase_env = \"PSB_PASS\"\nallowed_clients = [\"10.0.0.0/8\"]\n"
                  "tokens_file = \"tokens.json\"\n");
  ASSERT_TRUE(on.ok()) << on.status().ToString();
  EXPECT_TRUE(on->issuer.enabled);
  EXPECT_EQ(on->issuer.org_key_file, "/srv/civic/keys/psb.key");
  EXPECT_EQ(on->issuer.tokens_file, "/srv/civic/tokens.json");
  EXPECT_EQ(on->issuer.allowed_clients, (std::vector<std::string>{"10.0.0.0/8"}));
  auto again = ParseConfig(FormatConfig(*on), "/elsewhere", "x.toml");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(FormatConfig(*again), FormatConfig(*on));
}

TEST(ConfigTest, IssuerSectionBadValues) {
  auto code = [](const std::string& lines) { return Parse(std::string(kMinimal) + "[issuer]\n" + lines).status(); };
  EXPECT_EQ(code("enabled = true\norg_key_file = \"k\"\n").app_code(), "CONFIG_MISSING_KEY");
  EXPECT_EQ(code("enabled = true\norg = \"11510700008207313A\"\n").app_code(), "CONFIG_MISSING_KEY");
  EXPECT_EQ(code("enabled = \"yes\"\n").app_code(), "CONFIG_BAD_TYPE");
  EXPECT_EQ(code("org = \"123\"\n").app_code(), "CONFIG_BAD_VALUE");
  EXPECT_EQ(code("allowed_clients = [\"10.0.0.0/99\"]\n").app_code(), "CONFIG_BAD_VALUE");
  EXPECT_EQ(code("api_key = \"x\"\n").app_code(), "CONFIG_UNKNOWN_KEY");
}

TEST(ConfigTest, MissingFileIsUnreadable) {
  auto c = LoadConfig("/nonexistent/civic/node.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().app_code(), "CONFIG_UNREADABLE");
  EXPECT_NE(c.status().message().find("/nonexistent/civic/node.toml"), std::string::npos);
}

TEST(ConfigTest, SyntaxErrorNamesTheLine) {
  auto c = Parse("[node]\ndata_dir = \"x\"\nkey_file = \n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().app_code(), "CONFIG_SYNTAX");
  EXPECT_NE(c.status().message().find("node.toml:3"), std::string::npos) << c.status().message();
}

TEST(ConfigTest, MissingRequiredKeys) {
  for (const char* key : {"data_dir", "key_file", "genesis_file"}) {
    std::string text = "[node]\n";
    for (const char* other : {"data_dir", "key_file", "genesis_file"}) {
      if (std::string(other) != key) text += std::string(other) + " = \"x\"\n";
    }
    auto c = Parse(text);
    ASSERT_FALSE(c.ok()) << key;
    EXPECT_EQ(c.status().app_code(), "CONFIG_MISSING_KEY") << key;
    EXPECT_NE(c.status().message().find(std::string("node.") + key), std::string::npos)
        << c.status().message();
  }
  auto empty = Parse("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().app_code(), "CONFIG_MISSING_KEY");
}

TEST(ConfigTest, UnknownSectionsAndKeys) {
  auto section = Parse(std::string(kMinimal) + "[rcp]\nthreads = 2\n");
  ASSERT_FALSE(section.ok());
  EXPECT_EQ(section.status().app_code(), "CONFIG_UNKNOWN_KEY");
  EXPECT_NE(section.status().message().find("rcp"), std::string::npos);

  auto key = Parse(With("rpc", "thread = 2"));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().app_code(), "CONFIG_UNKNOWN_KEY");
  EXPECT_NE(key.status().message().find("node.toml:6: unknown key rpc.thread"), std::string::npos)
      << key.status().message();

  auto top = Parse(std::string("threads = 2\n") + kMinimal);
  ASSERT_FALSE(top.ok());
  EXPECT_EQ(top.status().app_code(), "CONFIG_UNKNOWN_KEY");

}

TEST(ConfigTest, SectionThatIsNotATable) {
  auto c = Parse(std::string(kMinimal) + "mempool = 5\n");
  // A bare key after [node] belongs to [node]: an unknown key there.
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().app_code(), "CONFIG_UNKNOWN_KEY");
  auto top = Parse("mempool = 5\n" + std::string(kMinimal));
  ASSERT_FALSE(top.ok());
  EXPECT_EQ(top.status().app_code(), "CONFIG_BAD_TYPE") << top.status().ToString();
}

struct BadCase {
  std::string section;
  std::string line;
  std::string app_code;
  std::string key;  // must appear in the message
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << "[" << c.section << "] " << c.line; }

class BadValueTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadValueTest, IsTypedAndNamesKeyAndLine) {
  const BadCase& bad = GetParam();
  auto c = Parse(With(bad.section, bad.line));
  ASSERT_FALSE(c.ok()) << bad.line;
  EXPECT_EQ(c.status().app_code(), bad.app_code) << c.status().ToString();
  EXPECT_EQ(c.status().code(), Code::kInvalidArgument);
  EXPECT_NE(c.status().message().find(bad.key), std::string::npos) << c.status().message();
  // The offending line: after the 4 lines of kMinimal (and a section header, if any).
  std::string line = bad.section == "node" ? "node.toml:5" : "node.toml:6";
  if (bad.key.find('[') == std::string::npos) {
    EXPECT_NE(c.status().message().find(line), std::string::npos) << c.status().message();
  }
}

const BadCase kBadCases[] = {
    // [node]
    {"node", "moniker = 5", "CONFIG_BAD_TYPE", "node.moniker"},
    {"node", "log_level = \"loud\"", "CONFIG_BAD_VALUE", "node.log_level"},
    {"node", "log_level = 3", "CONFIG_BAD_TYPE", "node.log_level"},
    {"node", "log_file = true", "CONFIG_BAD_TYPE", "node.log_file"},
    {"node", "key_passphrase_env = []", "CONFIG_BAD_TYPE", "node.key_passphrase_env"},
    // [rpc]
    {"rpc", "listen = \"localhost\"", "CONFIG_BAD_VALUE", "rpc.listen"},
    {"rpc", "listen = \"127.0.0.1:70000\"", "CONFIG_BAD_VALUE", "rpc.listen"},
    {"rpc", "listen = \"127.0.0.1:\"", "CONFIG_BAD_VALUE", "rpc.listen"},
    {"rpc", "listen = \":80\"", "CONFIG_BAD_VALUE", "rpc.listen"},
    {"rpc", "listen = \"::1:80\"", "CONFIG_BAD_VALUE", "rpc.listen"},
    {"rpc", "listen = \"[::1:80\"", "CONFIG_BAD_VALUE", "rpc.listen"},
    {"rpc", "listen = \"a b:80\"", "CONFIG_BAD_VALUE", "rpc.listen"},
    {"rpc", "listen = 26657", "CONFIG_BAD_TYPE", "rpc.listen"},
    {"rpc", "threads = 0", "CONFIG_BAD_VALUE", "rpc.threads"},
    {"rpc", "threads = \"four\"", "CONFIG_BAD_TYPE", "rpc.threads"},
    {"rpc", "threads = 2.5", "CONFIG_BAD_TYPE", "rpc.threads"},
    {"rpc", "max_body_bytes = 10", "CONFIG_BAD_VALUE", "rpc.max_body_bytes"},
    {"rpc", "max_body_bytes = -1", "CONFIG_BAD_VALUE", "rpc.max_body_bytes"},
    {"rpc", "max_batch = 0", "CONFIG_BAD_VALUE", "rpc.max_batch"},
    {"rpc", "rate_limit_per_sec = -5", "CONFIG_BAD_VALUE", "rpc.rate_limit_per_sec"},
    {"rpc", "commit_timeout_ms = 0", "CONFIG_BAD_VALUE", "rpc.commit_timeout_ms"},
    {"rpc", "web_root = 1", "CONFIG_BAD_TYPE", "rpc.web_root"},
    {"rpc", "max_connections_per_ip = -1", "CONFIG_BAD_VALUE", "rpc.max_connections_per_ip"},
    {"rpc", "header_timeout_ms = 0", "CONFIG_BAD_VALUE", "rpc.header_timeout_ms"},
    {"rpc", "auth_window_ms = 100", "CONFIG_BAD_VALUE", "rpc.auth_window_ms"},
    {"rpc", "auth_window_ms = 3600000", "CONFIG_BAD_VALUE", "rpc.auth_window_ms"},
    {"rpc", "ws_allowed_origins = \"https://a\"", "CONFIG_BAD_TYPE", "rpc.ws_allowed_origins"},
    {"rpc", "ws_allowed_origins = [\"civic.example.gov.cn\"]", "CONFIG_BAD_VALUE", "rpc.ws_allowed_origins[0]"},
    {"rpc", "ws_allowed_origins = [\"https://a/page\"]", "CONFIG_BAD_VALUE", "rpc.ws_allowed_origins[0]"},
    {"rpc", "ws_allowed_origins = [\"https://\"]", "CONFIG_BAD_VALUE", "rpc.ws_allowed_origins[0]"},
    // [mempool]
    {"mempool", "max_txs = 0", "CONFIG_BAD_VALUE", "mempool.max_txs"},
    {"mempool", "max_txs = \"many\"", "CONFIG_BAD_TYPE", "mempool.max_txs"},
    {"mempool", "max_bytes = 5", "CONFIG_BAD_VALUE", "mempool.max_bytes"},
    {"mempool", "verify_threads = -1", "CONFIG_BAD_VALUE", "mempool.verify_threads"},
    {"mempool", "verify_threads = 1000", "CONFIG_BAD_VALUE", "mempool.verify_threads"},
    // [consensus]
    {"consensus", "block_interval_ms = 0", "CONFIG_BAD_VALUE", "consensus.block_interval_ms"},
    {"consensus", "block_interval_ms = \"1s\"", "CONFIG_BAD_TYPE", "consensus.block_interval_ms"},
    {"consensus", "max_block_txs = 0", "CONFIG_BAD_VALUE", "consensus.max_block_txs"},
    {"consensus", "max_block_bytes = 100", "CONFIG_BAD_VALUE", "consensus.max_block_bytes"},
    {"consensus", "timeout_propose_ms = 0", "CONFIG_BAD_VALUE", "consensus.timeout_propose_ms"},
    {"consensus", "timeout_prevote_ms = -1", "CONFIG_BAD_VALUE", "consensus.timeout_prevote_ms"},
    {"consensus", "timeout_precommit_delta_ms = 99999999", "CONFIG_BAD_VALUE",
     "consensus.timeout_precommit_delta_ms"},
    {"consensus", "timeout_commit_ms = false", "CONFIG_BAD_TYPE", "consensus.timeout_commit_ms"},
    // [p2p]
    {"p2p", "listen = \"nowhere\"", "CONFIG_BAD_VALUE", "p2p.listen"},
    {"p2p", "peers = \"a@b:1\"", "CONFIG_BAD_TYPE", "p2p.peers"},
    {"p2p", "peers = [1]", "CONFIG_BAD_TYPE", "p2p.peers[0]"},
    {"p2p", "peers = [\"127.0.0.1:26656\"]", "CONFIG_BAD_VALUE", "p2p.peers[0]"},
    {"p2p", "peers = [\"ed25519:zz@127.0.0.1:26656\"]", "CONFIG_BAD_VALUE", "p2p.peers[0]"},
};

INSTANTIATE_TEST_SUITE_P(EveryKey, BadValueTest, ::testing::ValuesIn(kBadCases),
                         [](const ::testing::TestParamInfo<BadCase>& info) {
                           std::string name = info.param.key + "_" + std::to_string(info.index);
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(ConfigTest, EmptyRequiredPathIsBadValue) {
  auto c = Parse("[node]\ndata_dir = \"\"\nkey_file = \"k\"\ngenesis_file = \"g\"\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().app_code(), "CONFIG_BAD_VALUE");
  EXPECT_NE(c.status().message().find("node.toml:2: node.data_dir"), std::string::npos)
      << c.status().message();
}

TEST(ConfigTest, PeerErrors) {
  auto key = crypto::KeyPair::Generate(crypto::Algo::kEd25519).public_key().ToString();
  auto dup = Parse(With("p2p", "peers = [\"" + key + "@a:1\", \"" + key + "@b:2\"]"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().app_code(), "CONFIG_BAD_VALUE");
  EXPECT_NE(dup.status().message().find("p2p.peers[1]"), std::string::npos);

  auto secp = crypto::KeyPair::Generate(crypto::Algo::kSecp256k1).public_key().ToString();
  auto wrong_algo = Parse(With("p2p", "peers = [\"" + secp + "@a:1\"]"));
  ASSERT_FALSE(wrong_algo.ok());
  EXPECT_EQ(wrong_algo.status().app_code(), "CONFIG_BAD_VALUE");

  auto port0 = ParsePeerAddress(key + "@a:0");
  ASSERT_FALSE(port0.ok());
  auto good = ParsePeerAddress(key + "@[fe80::1]:26656");
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->address.host, "fe80::1");
  EXPECT_EQ(good->ToString(), key + "@[fe80::1]:26656");
}

TEST(ConfigTest, BlockBytesMustFitAWalRecord) {
  // 64 MiB would pass the mempool check but a proposal of that size could not
  // be logged: refused at load, not at the first big block.
  const std::string big = std::to_string(size_t{64} << 20);
  auto c = Parse(std::string(kMinimal) + "[consensus]\nmax_block_bytes = " + big + "\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().app_code(), "CONFIG_BAD_VALUE");
  EXPECT_NE(c.status().message().find("WAL record limit"), std::string::npos) << c.status().message();
  auto fits = Parse(std::string(kMinimal) + "[consensus]\nmax_block_bytes = " + std::to_string(kMaxBlockBytesForWal) +
                    "\n");
  EXPECT_TRUE(fits.ok()) << fits.status().ToString();
}

TEST(ConfigTest, TheBodyBudgetHoldsAtLeastOneBody) {
  auto c = Parse(std::string(kMinimal) + "[rpc]\nmax_body_bytes = 4096\nmax_inflight_body_bytes = 4095\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().app_code(), "CONFIG_BAD_VALUE");
  EXPECT_NE(c.status().message().find("rpc.max_inflight_body_bytes"), std::string::npos) << c.status().message();
  auto fits = Parse(std::string(kMinimal) + "[rpc]\nmax_body_bytes = 4096\nmax_inflight_body_bytes = 4096\n");
  ASSERT_TRUE(fits.ok()) << fits.status().ToString();
  EXPECT_EQ(fits->rpc.max_inflight_body_bytes, 4096u);
}

TEST(ConfigTest, TrustedProxiesAreAddressesOrCidrs) {
  auto c = Parse(std::string(kMinimal) + "[rpc]\ntrusted_proxies = [\"10.0.0.0/8\", \"::1\", \"fd00::/8\"]\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->rpc.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "::1", "fd00::/8"}));
  auto again = ParseConfig(FormatConfig(*c), "/elsewhere", "x.toml");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->rpc.trusted_proxies, c->rpc.trusted_proxies);
  for (const char* bad : {"[\"proxy.example\"]", "[\"10.0.0.0/33\"]", "[\"::1\", \"\"]"}) {
    auto r = Parse(std::string(kMinimal) + "[rpc]\ntrusted_proxies = " + bad + "\n");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().app_code(), "CONFIG_BAD_VALUE") << bad;
    EXPECT_NE(r.status().message().find("rpc.trusted_proxies["), std::string::npos) << r.status().message();
  }
  auto typed = Parse(std::string(kMinimal) + "[rpc]\ntrusted_proxies = \"10.0.0.1\"\n");
  EXPECT_EQ(typed.status().app_code(), "CONFIG_BAD_TYPE");
  typed = Parse(std::string(kMinimal) + "[rpc]\ntrusted_proxies = [7]\n");
  EXPECT_EQ(typed.status().app_code(), "CONFIG_BAD_TYPE");
}

TEST(ConfigTest, TlsFilesResolveAndGoTogether) {
  auto c = Parse(std::string(kMinimal) +
                 "[rpc]\ntls_cert_file = \"tls/node.crt\"\ntls_key_file = \"/etc/civic/node.key\"\n"
                 "tls_client_ca_file = \"tls/clients.crt\"\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->rpc.tls_cert_file, "/srv/civic/tls/node.crt");
  EXPECT_EQ(c->rpc.tls_key_file, "/etc/civic/node.key");
  EXPECT_EQ(c->rpc.tls_client_ca_file, "/srv/civic/tls/clients.crt");
  auto again = ParseConfig(FormatConfig(*c), "/elsewhere", "x.toml");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->rpc.tls_cert_file, c->rpc.tls_cert_file);
  EXPECT_EQ(again->rpc.tls_client_ca_file, c->rpc.tls_client_ca_file);
  EXPECT_TRUE(Parse(kMinimal)->rpc.tls_cert_file.empty());  // plain HTTP by default

  // One without the other, or a client CA without TLS: refused, naming the key.
  struct Case {
    const char* lines;
    const char* names;
  };
  for (const Case& bad : {Case{"tls_cert_file = \"a.crt\"", "rpc.tls_key_file"},
                          Case{"tls_key_file = \"a.key\"", "rpc.tls_cert_file"},
                          Case{"tls_client_ca_file = \"ca.crt\"", "rpc.tls_client_ca_file"}}) {
    auto r = Parse(std::string(kMinimal) + "[rpc]\n" + bad.lines + "\n");
    ASSERT_FALSE(r.ok()) << bad.lines;
    EXPECT_EQ(r.status().app_code(), "CONFIG_BAD_VALUE") << bad.lines;
    EXPECT_NE(r.status().message().find(bad.names), std::string::npos) << r.status().message();
  }
  EXPECT_EQ(Parse(std::string(kMinimal) + "[rpc]\ntls_cert_file = 1\n").status().app_code(), "CONFIG_BAD_TYPE");
}

TEST(ConfigTest, CorsOriginsAreExactOrigins) {
  EXPECT_TRUE(Parse(kMinimal)->rpc.cors_origins.empty());  // no origin by default
  auto c =
      Parse(std::string(kMinimal) + "[rpc]\ncors_origins = [\"https://app.example\", \"http://localhost:5173\"]\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->rpc.cors_origins, (std::vector<std::string>{"https://app.example", "http://localhost:5173"}));
  auto again = ParseConfig(FormatConfig(*c), "/elsewhere", "x.toml");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->rpc.cors_origins, c->rpc.cors_origins);
  for (const char* bad : {"[\"*\"]", "[\"https://app.example/\"]", "[\"app.example\"]", "[\"https://a.example/x\"]"}) {
    auto r = Parse(std::string(kMinimal) + "[rpc]\ncors_origins = " + bad + "\n");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().app_code(), "CONFIG_BAD_VALUE") << bad;
    EXPECT_NE(r.status().message().find("rpc.cors_origins[0]"), std::string::npos) << r.status().message();
  }
  EXPECT_EQ(Parse(std::string(kMinimal) + "[rpc]\ncors_origins = \"https://app.example\"\n").status().app_code(),
            "CONFIG_BAD_TYPE");
}

TEST(ConfigTest, BlockBytesMustFitTheMempool) {
  auto c = Parse(std::string(kMinimal) + "[mempool]\nmax_bytes = 2000\n[consensus]\nmax_block_bytes = 3000\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().app_code(), "CONFIG_BAD_VALUE");
  EXPECT_NE(c.status().message().find("consensus.max_block_bytes"), std::string::npos);
}

TEST(ConfigTest, Webhooks) {
  auto c = Parse(std::string(kMinimal) +
                 "[webhooks]\ntargets = [\"https://hr.example/hooks/civic\", \"http://10.0.0.5:8080/h\"]\n"
                 "secret_file = \"webhook.secret\"\nissuers = [\"11510700008207313A\"]\ntimeout_ms = 2000\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->webhooks.targets.size(), 2u);
  EXPECT_EQ(c->webhooks.secret_file, "/srv/civic/webhook.secret");
  EXPECT_EQ(c->webhooks.issuers, std::vector<std::string>{"11510700008207313A"});
  EXPECT_EQ(c->webhooks.timeout_ms, 2000u);
  auto again = Parse(FormatConfig(*c));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->webhooks.targets, c->webhooks.targets);
  EXPECT_TRUE(Parse(kMinimal)->webhooks.targets.empty());

  auto code = [](const std::string& text) { return Parse(std::string(kMinimal) + "[webhooks]\n" + text).status(); };
  EXPECT_EQ(code("targets = [\"https://a.example/h\"]\n").app_code(), "CONFIG_MISSING_KEY");  // no secret
  EXPECT_EQ(code("targets = [\"ftp://a.example/h\"]\nsecret_file = \"s\"\n").app_code(), "CONFIG_BAD_VALUE");
  EXPECT_EQ(code("targets = [\"https://a/h\", \"https://a/h\"]\nsecret_file = \"s\"\n").app_code(),
            "CONFIG_BAD_VALUE");
  EXPECT_EQ(code("issuers = [\"not-a-uscc\"]\n").app_code(), "CONFIG_BAD_VALUE");
  EXPECT_EQ(code("timeout_ms = 5\n").app_code(), "CONFIG_BAD_VALUE");
  EXPECT_EQ(code("target = []\n").app_code(), "CONFIG_UNKNOWN_KEY");
  std::string many = "targets = [";
  for (int i = 0; i < 17; ++i) many += (i ? ", " : "") + std::string("\"https://h/") + std::to_string(i) + "\"";
  EXPECT_EQ(code(many + "]\nsecret_file = \"s\"\n").app_code(), "CONFIG_BAD_VALUE");
}

}  // namespace
}  // namespace civic::node
