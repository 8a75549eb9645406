// [p2p] observers (node/config.h) and the engine choice a config leads to
// (node/bft_engine.h WantsBftEngine).
#include <gtest/gtest.h>

#include "crypto/signature.h"
#include "node/bft_engine.h"
#include "node/config.h"

namespace civic::node {
namespace {

const char* kMinimal = R"([node]
data_dir = "data"
key_file = "node.json"
genesis_file = "genesis.json"
[p2p]
)";

Result<Config> Parse(const std::string& p2p_lines) {
  return ParseConfig(std::string(kMinimal) + p2p_lines + "\n", "/srv/civic", "node.toml");
}

std::string NewKey(crypto::Algo algo = crypto::Algo::kEd25519) {
  return crypto::KeyPair::Generate(algo).public_key().ToString();
}

TEST(ConfigP2p, ObserversParseAndRoundTrip) {
  const std::string a = NewKey();
  const std::string b = NewKey();
  auto c = Parse("observers = [\"" + a + "\", \"" + b + "\"]");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->p2p.observers.size(), 2u);
  EXPECT_EQ(c->p2p.observers[0].ToString(), a);
  EXPECT_EQ(c->p2p.observers[1].ToString(), b);

  auto again = ParseConfig(FormatConfig(*c), "/srv/civic", "again.toml");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->p2p.observers, c->p2p.observers);
  // The engine options carry them to p2p admission.
  EXPECT_EQ(BftOptionsFromConfig(*c).observers, c->p2p.observers);

  auto none = Parse("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->p2p.observers.empty());
}

TEST(ConfigP2p, BadObserversAreTypedErrorsNamingTheEntry) {
  const std::string key = NewKey();
  struct Case {
    std::string line;
    std::string code;
    std::string where;
  };
  const std::vector<Case> cases = {
      {"observers = \"" + key + "\"", "CONFIG_BAD_TYPE", "p2p.observers"},
      {"observers = [1]", "CONFIG_BAD_TYPE", "p2p.observers[0]"},
      {"observers = [\"ed25519:zz\"]", "CONFIG_BAD_VALUE", "p2p.observers[0]"},
      {"observers = [\"" + key + "@127.0.0.1:1\"]", "CONFIG_BAD_VALUE", "p2p.observers[0]"},
      {"observers = [\"" + key + "\", \"" + key + "\"]", "CONFIG_BAD_VALUE", "p2p.observers[1]"},
      {"observers = [\"" + NewKey(crypto::Algo::kSecp256k1) + "\"]", "CONFIG_BAD_VALUE", "p2p.observers[0]"},
  };
  for (const Case& c : cases) {
    auto parsed = Parse(c.line);
    ASSERT_FALSE(parsed.ok()) << c.line;
    EXPECT_EQ(parsed.status().app_code(), c.code) << c.line;
    EXPECT_NE(parsed.status().message().find(c.where), std::string::npos) << parsed.status().message();
  }
}

TEST(ConfigP2p, EngineChoice) {
  auto cfg = Parse("");
  ASSERT_TRUE(cfg.ok());
  ledger::Tip tip;
  tip.validators.add_validators();
  // One validator, no peers: the one-validator engine.
  EXPECT_FALSE(WantsBftEngine(*cfg, tip));
  // Several validators: BFT.
  tip.validators.add_validators();
  EXPECT_TRUE(WantsBftEngine(*cfg, tip));
  // One validator with peers (e.g. an observer of it): BFT.
  tip.validators.mutable_validators()->RemoveLast();
  auto with_peer = Parse("peers = [\"" + NewKey() + "@127.0.0.1:26656\"]");
  ASSERT_TRUE(with_peer.ok()) << with_peer.status().ToString();
  EXPECT_TRUE(WantsBftEngine(*with_peer, tip));
}

}  // namespace
}  // namespace civic::node
