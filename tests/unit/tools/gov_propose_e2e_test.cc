// Integration (label "integration"): `civic gov propose ...` against a real
// civicd. A one-node sample network (`civic net init 1` + `civic net up`) has
// five ADMIN departments, so a proposal passes with the proposer's yes and three
// more votes (4 of 5 > 2/3). Every step runs the civic binary (CIVIC_CLI_PATH)
// as the ops engineer would.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>

#include "contracts/base/identifiers.h"
#include "contracts/genesis.h"
#include "crypto/keyfile.h"
#include "test_util.h"
#include "tools/common/json_view.h"
#include "tools/samples/network.h"

namespace civic::tools {
namespace {

namespace json = boost::json;
using testing::RunResult;
using testing::TempDir;

// A department outside the sample network.
constexpr const char* kNewOrg = "914403001922038216";

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The JSON object a --json command printed (stdout and stderr are captured together).
json::value JsonOf(const std::string& out) {
  size_t start = out.find('{');
  if (start == std::string::npos) return json::value();
  boost::system::error_code ec;
  json::value v = json::parse(std::string_view(out).substr(start, out.rfind('}') + 1 - start), ec);
  return ec ? json::value() : v;
}

class GovProposeE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    net_dir_ = tmp_.File("net");
    RunResult r = testing::StartOneNodeNet(CIVIC_CLI_PATH, CIVICD_PATH, net_dir_, &url_);
    started_ = true;
    ASSERT_EQ(r.exit_code, 0) << r.out;
    for (const auto& org : samples::SampleOrgs()) codes_[org.short_name] = org.code;
  }

  // Runs before the members are destroyed, so the network folder still exists.
  void TearDown() override {
    if (started_) Civic({"net", "down", "--dir", net_dir_, "--timeout", "10"});
  }

  static RunResult Civic(const std::vector<std::string>& args) { return testing::Run(CIVIC_CLI_PATH, args); }

  std::string KeyOf(const std::string& short_name) const { return net_dir_ + "/orgs/" + short_name + ".key"; }

  // `civic gov propose <args> --key <key> --json`; the created proposal's id (0 on failure).
  uint64_t Propose(std::vector<std::string> args, const std::string& key, std::string* status = nullptr) {
    args.insert(args.begin(), {"gov", "propose"});
    for (const char* a : {"--key", key.c_str(), "--node", url_.c_str(), "--json"}) args.emplace_back(a);
    RunResult r = Civic(args);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    json::value v = JsonOf(r.out);
    EXPECT_TRUE(JsonView(v)["committed"].Bool()) << r.out;
    if (status) *status = JsonView(v)["proposal_status"].Str();
    return JsonView(v)["proposal_id"].U64();
  }

  // `civic gov vote --proposal id` as `short_name`; the proposal's status after the vote.
  std::string Vote(uint64_t id, const std::string& short_name) {
    RunResult r = Civic({"gov", "vote", "--proposal", std::to_string(id), "--key", KeyOf(short_name), "--node", url_,
                         "--wait", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return JsonView(JsonOf(r.out))["proposal_status"].Str();
  }

  // Votes yes as hrss, amr and ndrc: with the proposer psb that is 4 of 5 ADMIN
  // departments; the proposal is still open after the first two votes.
  void PassWithVotes(uint64_t id) {
    ASSERT_GT(id, 0u);
    EXPECT_EQ(Vote(id, "hrss"), "open");
    EXPECT_EQ(Vote(id, "amr"), "open");  // 3 of 5 is not more than 2/3
    EXPECT_EQ(Vote(id, "ndrc"), "executed");
  }

  // The department `code` as `civic gov orgs --json` shows it (null if absent).
  json::value Org(const std::string& code) {
    RunResult r = Civic({"gov", "orgs", "--node", url_, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    json::value all = JsonOf(r.out);
    for (const JsonView o : JsonView(all)["orgs"].Items()) {
      if (o["code"].Str() == code) return *o.raw();
    }
    return json::value();
  }

  // The scopes of `role` held by `code`, or nullopt if it does not hold the role.
  std::optional<std::vector<std::string>> RoleScopes(const std::string& code, const std::string& role) {
    json::value org = Org(code);
    for (const JsonView r : JsonView(org)["roles"].Items()) {
      if (r["role"].Str() != role) continue;
      std::vector<std::string> scopes;
      for (const JsonView s : r["scopes"].Items()) scopes.push_back(s.Str());
      return scopes;
    }
    return std::nullopt;
  }

  TempDir tmp_;
  std::string net_dir_, url_;
  bool started_ = false;
  std::map<std::string, std::string> codes_;  // short name -> USCC
};

TEST_F(GovProposeE2ETest, GrantRolePassesWithMoreThanTwoThirdsOfAdminVotesAndRevokeRoleUndoesIt) {
  const std::string gss = codes_["gss"];
  ASSERT_FALSE(RoleScopes(gss, "CREDIT_AUTHORITY").has_value());

  std::string status;
  uint64_t id =
      Propose({"grant-role", "--code", gss, "--role", "CREDIT_AUTHORITY", "--scope", "TAX", "--scope", "LABOUR"},
              KeyOf("psb"), &status);
  EXPECT_EQ(status, "open");
  // Proposed but not passed: nothing changed yet.
  EXPECT_FALSE(RoleScopes(gss, "CREDIT_AUTHORITY").has_value());
  PassWithVotes(id);
  EXPECT_EQ(RoleScopes(gss, "CREDIT_AUTHORITY"), (std::vector<std::string>{"LABOUR", "TAX"}));

  // The plain-text form names the proposal and how to vote on it.
  RunResult r = Civic({"gov", "propose", "revoke-role", "--code", gss, "--role", "CREDIT_AUTHORITY", "--scope", "TAX",
                       "--title", "TAX back to ndrc", "--key", KeyOf("psb"), "--node", url_});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(Contains(r.out, "proposal: committed in block")) << r.out;
  EXPECT_TRUE(Contains(r.out, "  action: revoke_role\n  title: TAX back to ndrc\n  code: " + gss)) << r.out;
  EXPECT_TRUE(
      Contains(r.out, "(open); other ADMIN departments vote with: civic gov vote --proposal " + std::to_string(id + 1)))
      << r.out;
  PassWithVotes(id + 1);
  EXPECT_EQ(RoleScopes(gss, "CREDIT_AUTHORITY"), (std::vector<std::string>{"LABOUR"}));

  // The proposal list shows both, executed, with the given title.
  r = Civic({"gov", "proposals", "--status", "executed", "--node", url_});
  EXPECT_TRUE(Contains(r.out, "#" + std::to_string(id) + "  executed  Grant CREDIT_AUTHORITY(TAX,LABOUR) to " + gss))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "#" + std::to_string(id + 1) + "  executed  TAX back to ndrc")) << r.out;
}

TEST_F(GovProposeE2ETest, RotateKeyRevokesTheOldKeyAndTheNewOneSigns) {
  const std::string hrss = codes_["hrss"];
  const std::string new_key = tmp_.File("hrss-new.key");
  RunResult r = Civic({"keygen", "--out", new_key, "--org", hrss});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto old_pub = crypto::ReadPublicKey(KeyOf("hrss"));
  auto new_pub = crypto::ReadPublicKey(new_key);
  ASSERT_TRUE(old_pub.ok() && new_pub.ok());

  // The old key by file, the new one as text.
  uint64_t id = Propose(
      {"rotate-key", "--code", hrss, "--old-key-file", KeyOf("hrss"), "--new-key", new_pub->ToString()}, KeyOf("psb"));
  PassWithVotes(id);  // hrss votes with its old key: the rotation runs only with the deciding vote (ndrc)

  json::value org = Org(hrss);
  std::map<std::string, bool> keys;  // pub_key -> revoked
  for (const JsonView k : JsonView(org)["keys"].Items()) keys[k["pub_key"].Str()] = k["revoked"].Bool();
  ASSERT_EQ(keys.size(), 2u) << json::serialize(org);
  EXPECT_TRUE(keys.at(old_pub->ToString()));
  EXPECT_FALSE(keys.at(new_pub->ToString()));

  // A tx signed with the old key is refused; the same with the new key passes.
  r = Civic(
      {"gov", "propose", "grant-role", "--code", hrss, "--role", "AUDITOR", "--key", KeyOf("hrss"), "--node", url_});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(Contains(r.out, "civic: error: KEY_REVOKED")) << r.out;
  std::string status;
  uint64_t next = Propose({"grant-role", "--code", hrss, "--role", "AUDITOR"}, new_key, &status);
  EXPECT_EQ(next, id + 1);
  EXPECT_EQ(status, "open");
}

TEST_F(GovProposeE2ETest, SetParamsChangesOnlyTheGivenParameterAndNewProposalsExpireByIt) {
  auto params = [&] {
    RunResult r = Civic({"gov", "params", "--node", url_, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return JsonOf(r.out);
  };
  const json::value before = params();
  const uint64_t batch = JsonView(before)["max_batch_certificates"].U64();
  ASSERT_GT(batch, 0u) << json::serialize(before);
  ASSERT_NE(JsonView(before)["proposal_ttl_blocks"].U64(), 50u);

  uint64_t id = Propose({"set-params", "--proposal-ttl-blocks", "50"}, KeyOf("psb"));
  EXPECT_EQ(JsonView(before)["proposal_ttl_blocks"].U64(), JsonView(params())["proposal_ttl_blocks"].U64())
      << "changed before the vote passed";
  PassWithVotes(id);
  const json::value after = params();
  EXPECT_EQ(JsonView(after)["proposal_ttl_blocks"].U64(), 50u) << json::serialize(after);
  EXPECT_EQ(JsonView(after)["max_batch_certificates"].U64(), batch) << json::serialize(after);

  // The next proposal expires 50 blocks after it was made.
  const uint64_t next = Propose({"remove-org", "--code", codes_["gss"]}, KeyOf("psb"));
  RunResult r = Civic({"gov", "proposals", "--node", url_, "--json"});
  const json::value list = JsonOf(r.out);
  bool seen = false;
  for (const JsonView p : JsonView(list)["proposals"].Items()) {
    if (p["id"].U64() != next) continue;
    seen = true;
    EXPECT_EQ(p["expires_height"].U64(), p["created_height"].U64() + 50) << r.out;
  }
  EXPECT_TRUE(seen) << r.out;

  // A value the contract refuses never gets signed.
  r = Civic({"gov", "propose", "set-params", "--max-batch-certificates", "0", "--key", KeyOf("psb"), "--node", url_});
  EXPECT_EQ(r.exit_code, 2) << r.out;
}

TEST_F(GovProposeE2ETest, LongDefaultTitleIsCutAtACharacterBoundary) {
  // 66 three-byte characters: the default title "Add department <code> <name>"
  // is 232 bytes, over the 200 a proposal title holds.
  std::string name;
  for (int i = 0; i < 66; ++i) name += "测";
  const std::string key = tmp_.File("long.key");
  ASSERT_EQ(Civic({"keygen", "--out", key, "--org", kNewOrg}).exit_code, 0);
  RunResult r = Civic({"gov", "propose", "add-org", "--code", kNewOrg, "--name", name, "--pub-key-file", key, "--key",
                       KeyOf("psb"), "--node", url_, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const std::string title = JsonView(JsonOf(r.out))["title"].Str();
  EXPECT_LE(title.size(), 200u);
  ASSERT_GE(title.size(), 3u);
  EXPECT_EQ(title.substr(title.size() - 3), "...");
  // What is left of the name is whole characters.
  const std::string prefix = std::string("Add department ") + kNewOrg + " ";
  ASSERT_EQ(title.compare(0, prefix.size(), prefix), 0) << title;
  EXPECT_EQ((title.size() - prefix.size() - 3) % 3, 0u) << title;
  EXPECT_TRUE(JsonView(JsonOf(r.out))["committed"].Bool()) << r.out;
}

TEST_F(GovProposeE2ETest, AddOrgThenItsProposalsAreRefusedWithoutAdmin) {
  ASSERT_TRUE(contracts::ValidateUscc(kNewOrg).ok());
  const std::string key = tmp_.File("new.key");
  RunResult r = Civic({"keygen", "--out", key, "--org", kNewOrg});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  uint64_t id = Propose({"add-org", "--code", kNewOrg, "--name", "绵阳市测试数据公司", "--short-name", "test",
                         "--pub-key-file", key, "--role", "DATA_REQUESTER"},
                        KeyOf("psb"));
  PassWithVotes(id);
  json::value org = Org(kNewOrg);
  ASSERT_TRUE(org.is_object()) << "the new department is not listed";
  EXPECT_EQ(JsonView(org)["name"].Str(), "绵阳市测试数据公司");
  EXPECT_EQ(JsonView(org)["short_name"].Str(), "test");
  EXPECT_EQ(JsonView(org)["keys"].Items().size(), 1u);
  EXPECT_TRUE(RoleScopes(kNewOrg, "DATA_REQUESTER").has_value());
  EXPECT_FALSE(RoleScopes(kNewOrg, "ADMIN").has_value());

  // The new department may sign, but not propose: the contract's NOT_ADMIN.
  r = Civic({"gov", "propose", "grant-role", "--code", kNewOrg, "--role", "ADMIN", "--key", key, "--node", url_});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(Contains(r.out, "civic: error: NOT_ADMIN")) << r.out;
  r = Civic({"gov", "propose", "remove-org", "--code", codes_["psb"], "--key", key, "--node", url_, "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_EQ(JsonView(JsonOf(r.out))["error"]["app_code"].Str(), "NOT_ADMIN") << r.out;
  // No proposal was created by the refused txs.
  r = Civic({"gov", "proposals", "--node", url_, "--json"});
  EXPECT_EQ(JsonView(JsonOf(r.out))["proposals"].Items().size(), id) << r.out;

  // A proposal whose action the contract refuses when it runs is reported as failed.
  auto node_key = crypto::ReadPublicKey(net_dir_ + "/node0/node_key.json");
  ASSERT_TRUE(node_key.ok());
  uint64_t last = Propose(
      {"set-validator", "--code", codes_["psb"], "--node-key", node_key->ToString(), "--power", "0"}, KeyOf("psb"));
  ASSERT_EQ(last, id + 1);
  EXPECT_EQ(Vote(last, "hrss"), "open");
  EXPECT_EQ(Vote(last, "amr"), "open");
  EXPECT_EQ(Vote(last, "ndrc"), "failed");  // the only validator cannot go
  r = Civic({"gov", "proposals", "--status", "failed", "--node", url_});
  EXPECT_TRUE(Contains(r.out, "action failed: VALIDATOR_SET_EMPTY")) << r.out;
}

}  // namespace
}  // namespace civic::tools
