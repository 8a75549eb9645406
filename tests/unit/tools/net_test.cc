#include "tools/net/net.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>

#include "contracts/genesis.h"
#include "crypto/keyfile.h"
#include "node/config.h"
#include "test_util.h"
#include "tools/common/files.h"
#include "tools/samples/network.h"

namespace civic::tools {
namespace {

using testing::TempDir;

TEST(NetInitTest, WritesAConsistentNetwork) {
  TempDir tmp;
  NetInitOptions o;
  o.nodes = 4;
  o.dir = tmp.File("net");
  o.base_port = 31000;
  o.chain_id = "test-net";
  auto net = InitNetwork(o);
  ASSERT_TRUE(net.ok()) << net.status().ToString();

  auto loaded = LoadNetwork(o.dir);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->nodes.size(), 4u);
  EXPECT_EQ(loaded->chain_id, "test-net");

  auto genesis = contracts::LoadGenesisFile(loaded->Path("genesis.json"));
  ASSERT_TRUE(genesis.ok()) << genesis.status().ToString();
  EXPECT_EQ(genesis->chain_id, "test-net");
  EXPECT_EQ(genesis->validators.validators_size(), 4);
  EXPECT_EQ(genesis->orgs.size(), samples::kSampleOrgCount);
  EXPECT_EQ(genesis->cert_types.size(), 6u);

  // The first four departments: public security, HR & social security, market
  // regulation, the credit office.
  const auto& orgs = samples::SampleOrgs();
  std::set<std::string> validator_keys;
  for (const auto& v : genesis->validators.validators()) validator_keys.insert(ToHex(v.pub_key().key()));
  std::set<uint16_t> ports;
  for (size_t i = 0; i < 4; ++i) {
    const NetNode& n = loaded->nodes[i];
    EXPECT_EQ(n.org, orgs[i].code);
    EXPECT_EQ(n.rpc_port, 31000 + 2 * i + 1);
    EXPECT_EQ(n.p2p_port, 31000 + 2 * i);
    ports.insert(n.rpc_port);
    ports.insert(n.p2p_port);

    auto cfg = node::LoadConfig(loaded->Path(n.dir + "/config.toml"));
    ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
    EXPECT_EQ(cfg->rpc.listen.port, n.rpc_port);
    EXPECT_EQ(cfg->p2p.listen.port, n.p2p_port);
    EXPECT_EQ(cfg->p2p.peers.size(), 3u);
    EXPECT_EQ(cfg->node.moniker, n.moniker);
    auto gen_from_cfg = contracts::LoadGenesisFile(cfg->node.genesis_file);
    ASSERT_TRUE(gen_from_cfg.ok());
    EXPECT_EQ(gen_from_cfg->hash, genesis->hash);

    auto node_key = crypto::ReadKeyFile(cfg->node.key_file);
    ASSERT_TRUE(node_key.ok()) << node_key.status().ToString();
    EXPECT_EQ(node_key->public_key().ToString(), n.node_id);
    EXPECT_TRUE(validator_keys.count(ToHex(node_key->public_key().key)));
    EXPECT_EQ(*FileMode(cfg->node.key_file), 0600u);
  }
  EXPECT_EQ(ports.size(), 8u);

  // Each department's signing key is the org key in genesis, with its sidecar.
  for (size_t i = 0; i < loaded->orgs.size(); ++i) {
    const NetOrg& org = loaded->orgs[i];
    std::string path = loaded->Path(org.key_file);
    EXPECT_EQ(*FileMode(path), 0600u);
    auto pub = crypto::ReadPublicKey(path);
    ASSERT_TRUE(pub.ok());
    const pb::Org* in_genesis = nullptr;
    for (const auto& g : genesis->orgs) {
      if (g.code() == org.code) in_genesis = &g;
    }
    ASSERT_NE(in_genesis, nullptr) << org.code;
    ASSERT_EQ(in_genesis->keys_size(), 1);
    EXPECT_EQ(in_genesis->keys(0).key(), pub->key);
    EXPECT_EQ(testing::ReadAll(path + ".org"), org.code + "\n");
  }
}

TEST(NetInitTest, RefusesToOverwriteUnlessForcedAndNeverWipesOtherFolders) {
  TempDir tmp;
  NetInitOptions o;
  o.dir = tmp.File("net");
  o.base_port = 31100;
  ASSERT_TRUE(InitNetwork(o).ok());
  auto again = InitNetwork(o);
  EXPECT_EQ(again.status().app_code(), "NET_EXISTS");
  std::string old_genesis = testing::ReadAll(tmp.File("net/genesis.json"));
  o.force = true;
  ASSERT_TRUE(InitNetwork(o).ok());
  EXPECT_NE(testing::ReadAll(tmp.File("net/genesis.json")), old_genesis);  // new keys

  // A folder that is not a network is never wiped, even with --force.
  std::filesystem::create_directories(tmp.File("precious"));
  testing::WriteAll(tmp.File("precious/notes.txt"), "keep me");
  NetInitOptions p;
  p.dir = tmp.File("precious");
  p.force = true;
  EXPECT_EQ(InitNetwork(p).status().app_code(), "NET_EXISTS");
  EXPECT_EQ(testing::ReadAll(tmp.File("precious/notes.txt")), "keep me");
}

TEST(NetInitTest, BadSizesAndPorts) {
  TempDir tmp;
  NetInitOptions o;
  o.dir = tmp.File("net");
  o.nodes = 0;
  EXPECT_EQ(InitNetwork(o).status().app_code(), "NET_BAD_SIZE");
  o.nodes = kMaxNetworkNodes + 1;
  EXPECT_EQ(InitNetwork(o).status().app_code(), "NET_BAD_SIZE");
  o.nodes = 4;
  o.base_port = 65530;
  EXPECT_EQ(InitNetwork(o).status().app_code(), "NET_BAD_PORT");
  o.base_port = 80;
  EXPECT_EQ(InitNetwork(o).status().app_code(), "NET_BAD_PORT");
  EXPECT_EQ(LoadNetwork(tmp.File("nothing")).status().app_code(), "NET_NOT_FOUND");
  std::filesystem::create_directories(tmp.File("broken"));
  testing::WriteAll(tmp.File("broken/network.json"), "{\"chain_id\": 5}");
  EXPECT_EQ(LoadNetwork(tmp.File("broken")).status().app_code(), "NET_MALFORMED");
}

TEST(FreePortsTest, ConsecutiveFreePortsBelowTheEphemeralRange) {
  for (size_t count : {size_t{1}, size_t{12}, size_t{128}}) {
    auto base = FindFreePorts(count);
    ASSERT_TRUE(base.ok()) << base.status().ToString();
    EXPECT_GE(*base, 20000);
    EXPECT_LE(*base + count - 1, 32767u);
    for (size_t i = 0; i < count; ++i) EXPECT_TRUE(PortFree(static_cast<uint16_t>(*base + i))) << *base + i;
  }
  EXPECT_EQ(FindFreePorts(0).status().app_code(), "BAD_PORT_COUNT");
  EXPECT_EQ(FindFreePorts(129).status().app_code(), "BAD_PORT_COUNT");
}

// The reservation is what keeps tests that run at once off each other's ports:
// a plain bind (as another process's FindFreePorts does) fails, while a
// listener with address reuse (as civicd's) binds, is closed and binds again.
TEST(FreePortsTest, PickedPortsStayReservedForThisProcessYetCivicdCanListen) {
  auto base = FindFreePorts(2);
  ASSERT_TRUE(base.ok()) << base.status().ToString();
  auto bind_to = [](uint16_t port, bool reuse) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    if (reuse) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 1) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  };
  for (uint16_t port : {*base, static_cast<uint16_t>(*base + 1)}) {
    EXPECT_EQ(bind_to(port, false), -1) << port;
    for (int round = 0; round < 2; ++round) {
      const int listener = bind_to(port, true);
      EXPECT_GE(listener, 0) << port;
      EXPECT_FALSE(PortFree(port));
      ::close(listener);
    }
    EXPECT_TRUE(PortFree(port));
  }
  auto next = FindFreePorts(64);
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(*next + 63 < *base || *next > *base + 1) << *next << " overlaps " << *base;
}

TEST(NetInitTest, StatusOfAStoppedNetwork) {
  TempDir tmp;
  NetInitOptions o;
  o.dir = tmp.File("net");
  auto base = FindFreePorts(2);  // no other test's node answers on them
  ASSERT_TRUE(base.ok());
  o.base_port = *base;
  auto net = InitNetwork(o);
  ASSERT_TRUE(net.ok());
  auto states = NetworkStatus(*net);
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].pid, 0);
  EXPECT_FALSE(states[0].healthy);
  // A stale pid file of a process that is not civicd is ignored.
  testing::WriteAll(tmp.File("net/node0/civicd.pid"), std::to_string(::getpid()) + "\n");
  EXPECT_EQ(LiveCivicdPid(tmp.File("net/node0/civicd.pid")), 0);
  auto stopped = StopNetwork(*net, 1);
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ((*stopped)[0].detail, "was not running");
}

}  // namespace
}  // namespace civic::tools
