// A proof fetched from a live network of four real civicd validators verifies
// offline with only the genesis: through the light library, and through
// `civic verify --offline` (exit codes), for a certificate that exists, one
// that does not, and a tampered answer; online, the answers of two nodes are
// cross-checked.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>

#include "crypto/base/bytes.h"
#include "light/cert_verdict.h"
#include "light/errors.h"
#include "tests/integration/civicd_network.h"

namespace civic::testing {
namespace {

using namespace std::chrono_literals;

class ProofNetworkTest : public ::testing::Test {
 protected:
  static constexpr size_t kValidators = 4;

  void SetUp() override {
    files_ = WriteNetwork(kValidators, "civic-proof-it");
    for (auto& f : files_) procs_.push_back(std::make_unique<CivicdProcess>(f.get()));
    for (auto& p : procs_) p->Start();
    for (size_t i = 0; i < kValidators; ++i) {
      if (!procs_[i]->WaitHealthy(30s)) {
        const std::string log = procs_[i]->LogTail();
        if (log.find("NOT_SOLE_VALIDATOR") != std::string::npos) GTEST_SKIP() << "one-validator engine only";
        FAIL() << "node " << i << " not healthy:\n" << log;
      }
    }
  }
  void TearDown() override {
    if (HasFailure()) {
      for (size_t i = 0; i < procs_.size(); ++i) std::cerr << "---- node " << i << "\n" << procs_[i]->LogTail(2000);
    }
    for (auto& p : procs_) p->Kill();
  }

  std::string Url(size_t i) const { return "http://127.0.0.1:" + std::to_string(files_[i]->config.rpc.listen.port); }
  std::string GenesisPath() const { return (files_[0]->dir->path() / "genesis.json").string(); }

  // `civic` with `args`; its exit code.
  int Civic(const std::string& args) const {
    const std::string out = (files_[0]->dir->path() / "civic.out").string();
    int status = std::system((std::string(CIVIC_CLI_PATH) + " " + args + " >" + out + " 2>&1").c_str());
    std::ifstream in(out);
    last_output_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string Save(const std::string& name, const boost::json::value& v) const {
    const std::string path = (files_[0]->dir->path() / name).string();
    std::ofstream(path) << boost::json::serialize(v);
    return path;
  }

  std::vector<std::unique_ptr<NodeFiles>> files_;
  std::vector<std::unique_ptr<CivicdProcess>> procs_;
  mutable std::string last_output_;
};

TEST_F(ProofNetworkTest, ProofFromTheLiveNetworkVerifiesOfflineWithOnlyTheGenesis) {
  const SampleNetwork& net = files_[0]->net;
  Issuer issuer = FindIssuer(net);
  rpc::Client client = procs_[0]->NewClient(30s);
  auto committed = TxCommit(client, MakeIssueTx(net, issuer, 1, 1, 900, nullptr, true));
  ASSERT_TRUE(committed.ok() && committed->ok) << committed.status().ToString();
  const std::string id = CertIdFor(issuer, 1);
  // The state after the issuing block is carried by the next block's header.
  ASSERT_TRUE(WaitUntil([&] {
    auto height = ChainHeight(client);
    return height.ok() && *height >= committed->height + 2;
  }, 30s, 50ms));

  auto root = light::TrustGenesis(net.genesis.chain_id, net.genesis.genesis_time_ms, net.genesis.validators);
  ASSERT_TRUE(root.ok());
  for (size_t i = 0; i < kValidators; ++i) {
    rpc::Client c = procs_[i]->NewClient(10s);
    auto answer = c.Call("cert_proof", boost::json::object{{"id", id}});
    ASSERT_TRUE(answer.ok()) << answer.status().ToString();
    auto bytes = Base64UrlDecode(std::string_view(answer->at("proof").at("proto").as_string()));
    ASSERT_TRUE(bytes.has_value());
    pb::LightProof proof;
    ASSERT_TRUE(proof.ParseFromString(*bytes));
    light::VerifyOptions options;
    auto proven = light::VerifyProof(*root, options, proof);
    ASSERT_TRUE(proven.ok()) << "node " << i << ": " << proven.status().ToString();
    auto verdict = light::DecideCertificate(*proven, id, proven->proven_until_ms);
    ASSERT_TRUE(verdict.ok());
    EXPECT_TRUE(verdict->exists);
    EXPECT_TRUE(verdict->valid) << verdict->invalid_reason;
  }

  // The CLI: the saved answer verifies offline (exit 0) ...
  auto answer = client.Call("cert_proof", boost::json::object{{"id", id}});
  ASSERT_TRUE(answer.ok());
  const std::string good = Save("proof.json", *answer);
  EXPECT_EQ(Civic("verify --offline " + good + " --genesis " + GenesisPath() + " --json"), 0) << last_output_;
  EXPECT_NE(last_output_.find("\"valid\": true"), std::string::npos) << last_output_;

  // ... an unknown id is proven absent (exit 5) ...
  const std::string unknown_id = CertIdFor(issuer, 999);
  auto absent = client.Call("cert_proof", boost::json::object{{"id", unknown_id}});
  ASSERT_TRUE(absent.ok()) << absent.status().ToString();
  EXPECT_EQ(Civic("verify --offline " + Save("absent.json", *absent) + " --genesis " + GenesisPath()), 5)
      << last_output_;
  EXPECT_NE(last_output_.find("CERT_NOT_FOUND"), std::string::npos) << last_output_;

  // ... a tampered answer is refused with its reason (exit 3) ...
  pb::LightProof proof;
  ASSERT_TRUE(proof.ParseFromString(*Base64UrlDecode(std::string_view(answer->at("proof").at("proto").as_string()))));
  proof.mutable_entries(0)->mutable_value()->back() ^= 1;
  boost::json::value tampered = *answer;
  tampered.at("proof").as_object()["proto"] = Base64UrlEncode(proof.SerializeAsString());
  EXPECT_EQ(Civic("verify --offline " + Save("tampered.json", tampered) + " --genesis " + GenesisPath()), 3)
      << last_output_;
  EXPECT_NE(last_output_.find(err::LIGHT_STATE_PROOF_INVALID), std::string::npos) << last_output_;

  // ... and online, two nodes' answers agree.
  EXPECT_EQ(Civic("verify --id " + id + " --node " + Url(1) + " --node " + Url(2) + " --genesis " + GenesisPath()), 0)
      << last_output_;
}

}  // namespace
}  // namespace civic::testing
