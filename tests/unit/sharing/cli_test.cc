// The `civic sharing` commands, run in this process against a node served over
// HTTP (rpc::Server) on a real chain: catalogue and grant management, single and
// JSONL batch logging, acknowledgements, auditor queries (signed with the
// auditor's key file), the subject's own query, and bad arguments.
#include <gtest/gtest.h>

#include <fstream>

#include "crypto/keyfile.h"
#include "rpc/codec/holder_certificate.h"
#include "rpc/methods.h"
#include "rpc/request_auth.h"
#include "rpc/server.h"
#include "sharing_fixture.h"
#include "tools/common/cli_common.h"
#include "tools/import/credit_import.h"

namespace civic::tools {
void AddSharingCommands(CLI::App* app, CliContext* ctx);
void AddChainCommands(CLI::App* app, CliContext* ctx);
}  // namespace civic::tools

namespace civic::sharing_testing {
namespace {

namespace json = boost::json;

struct CliResult {
  int exit = 0;
  std::string out;
  std::string err;
};

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class SharingCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rpc::RequestAuthOptions auth;
    auth.audience = node_.info().node_id;
    ASSERT_TRUE(rpc::SharedRequestAuthenticator().Configure(auth).ok());
    rpc::RegisterChainMethods(&table_);
    rpc::RegisterSharingMethods(&table_);
    rpc::ServerOptions options;
    options.port = 0;
    server_ = std::make_unique<rpc::Server>(options, &table_, &node_);
    ASSERT_TRUE(server_->Start().ok());
    for (size_t org : {kPsb, kHrss, kAmr, kGss}) {
      std::string path = (dir_.path() / (node_.code(org) + ".key")).string();
      ASSERT_TRUE(crypto::WriteKeyFile(path, node_.org_keys[org]).ok());
      std::ofstream(path + ".org") << node_.code(org) << "\n";
      keys_[org] = path;
    }
  }
  void TearDown() override { server_->Stop(); }

  // `with_node`: the command talks to the test node (offline commands have no --node).
  CliResult Civic(std::vector<std::string> args, bool with_node = true) {
    args.insert(args.begin(), "civic");
    if (with_node) {
      args.push_back("--node");
      args.push_back(server_->url());
    }
    CLI::App app{"civic"};
    app.require_subcommand(1);
    tools::CliContext ctx;
    tools::AddSharingCommands(&app, &ctx);
    tools::AddChainCommands(&app, &ctx);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    CliResult r;
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    try {
      app.parse(static_cast<int>(argv.size()), argv.data());
      tools::CmdStatus st = ctx.selected ? ctx.selected() : tools::CmdStatus::Usage("NO_COMMAND", "no command");
      r.exit = st.exit_code();
      if (!st.ok()) r.err = st.status().ToString();
    } catch (const CLI::ParseError& e) {
      r.exit = tools::kExitUsage;
      r.err = e.what();
    }
    r.out = ::testing::internal::GetCapturedStdout();
    r.err += ::testing::internal::GetCapturedStderr();
    return r;
  }

  std::string Key(size_t org) { return keys_.at(org); }
  std::string File(const std::string& name, const std::string& content) {
    std::string path = (dir_.path() / name).string();
    std::ofstream(path) << content;
    return path;
  }

  TempDir dir_;
  TestNode node_;
  rpc::MethodTable table_;
  std::unique_ptr<rpc::Server> server_;
  std::map<size_t, std::string> keys_;
};

TEST_F(SharingCliTest, CatalogueGrantsLoggingAndAuditorQueries) {
  const std::string psb = node_.code(kPsb), hrss = node_.code(kHrss);
  auto r = Civic({"sharing", "resource", "register", "--code", "psb.population", "--name", "人口基础信息", "--field",
                  "name,id_number,address", "--share-type", "conditional", "--key", Key(kPsb), "--wait"});
  ASSERT_EQ(r.exit, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "committed in block")) << r.out;
  r = Civic({"sharing", "resource", "register", "--code", "amr.business", "--name", "企业登记信息", "--field", "name",
             "--field", "uscc", "--share-type", "unconditional", "--key", Key(kAmr), "--wait"});
  ASSERT_EQ(r.exit, 0) << r.err;
  r = Civic({"sharing", "catalogue"});
  ASSERT_EQ(r.exit, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "psb.population")) << r.out;
  EXPECT_TRUE(Contains(r.out, "address,id_number,name")) << r.out;

  // Request, approve (narrowed), list.
  r = Civic({"sharing", "grant", "request", "--id", "G-CLI-1", "--resource", "psb.population", "--field",
             "name,id_number,address", "--purpose", "社保待遇资格认证", "--legal-basis", "《社会保险法》", "--expires",
             "2099-12-31", "--key", Key(kHrss), "--wait"});
  ASSERT_EQ(r.exit, 0) << r.err;
  r = Civic({"sharing", "grant", "approve", "G-CLI-1", "--field", "name,id_number", "--key", Key(kPsb), "--wait"});
  ASSERT_EQ(r.exit, 0) << r.err;
  r = Civic({"sharing", "grants", "--requester", hrss, "--json"});
  ASSERT_EQ(r.exit, 0) << r.err;
  json::value grants = json::parse(r.out);
  ASSERT_EQ(grants.at("grants").as_array().size(), 1u);
  EXPECT_EQ(grants.at("grants").as_array()[0].at("status").as_string(), "active");
  EXPECT_EQ(grants.at("grants").as_array()[0].at("fields").as_array().size(), 2u);

  // One access, with the subject taken from a holder's certificate copy and
  // the digest from the response file.
  contracts::HolderCertificate holder = contracts::NewHolderCertificate("11510700008207313A001", psb, "citizen_id",
                                                                        "11010519491231002X", {{"name", "张三"}});
  std::string holder_file = File("holder.json", rpc::SerializeHolderCertificate(holder));
  std::string response = File("response.json", R"({"name":"张三"})");
  r = Civic({"sharing", "log", "--request-id", "cli-1", "--resource", "psb.population", "--grant", "G-CLI-1",
             "--purpose", "社保待遇资格认证", "--field", "name", "--subject-holder", holder_file, "--response-file",
             response, "--key", Key(kHrss), "--wait", "--json"});
  ASSERT_EQ(r.exit, 0) << r.err;
  // The public view of the log tx says plainly that its body is redacted.
  std::string log_tx(json::parse(r.out).at("tx_id").as_string());
  r = Civic({"chain", "tx", log_tx});
  ASSERT_EQ(r.exit, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "body: redacted: this call's details are for auditors only")) << r.out;
  EXPECT_FALSE(Contains(r.out, "cli-1")) << r.out;

  // A JSONL batch of 2500 accesses (every 100th reads a field beyond the grant),
  // sent in txs of 1000.
  std::string lines;
  for (int i = 0; i < 2500; ++i) {
    json::object a{{"request_id", "cli-b-" + std::to_string(i)},
                   {"resource", "psb.population"},
                   {"grant", "G-CLI-1"},
                   {"purpose", "社保待遇资格认证"},
                   {"fields", i % 100 == 0 ? json::array{"name", "address"} : json::array{"name"}},
                   {"subject_keys", json::array{json::value(ToHex(Subject(i)))}},
                   {"response_digest", ToHex(Digest("r" + std::to_string(i)))}};
    lines += json::serialize(a) + "\n";
  }
  std::string batch = File("accesses.jsonl", lines);
  r = Civic({"sharing", "log", "--batch", batch, "--batch-size", "1000", "--key", Key(kHrss)});
  ASSERT_EQ(r.exit, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "2500 accesses recorded in 3 txs")) << r.out;
  // Sent again: refused at the first batch, naming the lines.
  r = Civic({"sharing", "log", "--batch", batch, "--batch-size", "1000", "--key", Key(kHrss)});
  EXPECT_EQ(r.exit, 1);
  EXPECT_TRUE(Contains(r.err, "RECORD_EXISTS")) << r.err;
  EXPECT_TRUE(Contains(r.err, "lines 1..1000 were not recorded")) << r.err;
  // A malformed line is named before anything is sent.
  std::string bad = File("bad.jsonl", lines.substr(0, lines.find('\n') + 1) + "{\"request_id\":\"x\"}\n");
  r = Civic({"sharing", "log", "--batch", bad, "--key", Key(kHrss)});
  EXPECT_EQ(r.exit, 2);
  EXPECT_TRUE(Contains(r.err, "line 2")) << r.err;

  // The provider acknowledges the single access (matching) and a batch (one differs).
  r = Civic({"sharing", "ack", "--requester", hrss, "--request-id", "cli-1", "--response-file", response, "--key",
             Key(kPsb), "--wait"});
  ASSERT_EQ(r.exit, 0) << r.err;
  std::string acks;
  for (int i = 0; i < 3; ++i) {
    acks +=
        json::serialize(json::object{{"requester", hrss},
                                     {"request_id", "cli-b-" + std::to_string(i)},
                                     {"provider_digest", ToHex(Digest(i == 2 ? "other" : "r" + std::to_string(i)))}}) +
        "\n";
  }
  r = Civic({"sharing", "ack", "--batch", File("acks.jsonl", acks), "--key", Key(kPsb)});
  ASSERT_EQ(r.exit, 0) << r.err;

  // Auditor queries, as JSON and as a table.
  r = Civic({"sharing", "query", "--dept", hrss, "--side", "requester", "--limit", "1000", "--all", "--json", "--key",
             Key(kGss)});
  ASSERT_EQ(r.exit, 0) << r.err;
  json::value all = json::parse(r.out);
  EXPECT_EQ(all.at("total").to_number<uint64_t>(), 2501u);
  EXPECT_EQ(all.at("records").as_array().size(), 2501u);
  r = Civic({"sharing", "violations", "--key", Key(kGss), "--limit", "100"});
  ASSERT_EQ(r.exit, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "FIELDS_BEYOND_GRANT")) << r.out;
  EXPECT_TRUE(Contains(r.out, "26 records match")) << r.out;  // 25 beyond the grant + 1 digest mismatch
  r = Civic({"sharing", "violations", "--reason", "DIGEST_MISMATCH", "--json", "--key", Key(kGss)});
  ASSERT_EQ(r.exit, 0) << r.err;
  EXPECT_EQ(json::parse(r.out).at("total").to_number<uint64_t>(), 1u);
  r = Civic({"sharing", "query", "--subject-holder", holder_file, "--key", Key(kGss)});
  ASSERT_EQ(r.exit, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "1 record match")) << r.out;
  EXPECT_TRUE(Contains(r.out, "acknowledged")) << r.out;
  r = Civic({"sharing", "stats", "--key", Key(kGss)});
  ASSERT_EQ(r.exit, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "2501")) << r.out;

  // Not an auditor: refused by the node.
  r = Civic({"sharing", "query", "--key", Key(kPsb)});
  EXPECT_EQ(r.exit, 1);
  EXPECT_TRUE(Contains(r.err, "AUTH_NOT_AUDITOR")) << r.err;

  // The citizen's own query, from the holder's copy.
  r = Civic({"sharing", "mine", "--holder-file", holder_file});
  ASSERT_EQ(r.exit, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "1 access to your data, searched under ")) << r.out;
  EXPECT_FALSE(Contains(r.out, ToHex(holder.Commitment()))) << r.out;
  EXPECT_TRUE(Contains(r.out, "人口基础信息")) << r.out;
  // The same from files holding the salt and the identity number (never the command line).
  r = Civic({"sharing", "mine", "--salt-file", File("salt", holder.holder_salt + "\n"), "--code-file",
             File("code", holder.holder_code + "\n")});
  ASSERT_EQ(r.exit, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "1 access to your data, searched under ")) << r.out;

  // The subject key and a department's tag, offline.
  r = Civic({"sharing", "subject-key", "--holder-file", holder_file, "--org", node_.code(kHrss), "--json"}, false);
  ASSERT_EQ(r.exit, 0) << r.err;
  json::value keys = json::parse(r.out);
  Bytes key = contracts::SubjectKey(holder.holder_salt, holder.holder_code_type, holder.holder_code);
  EXPECT_EQ(keys.at("subject_key").as_string(), ToHex(key));
  EXPECT_EQ(keys.at("subject_tag").as_string(), ToHex(contracts::AccessSubjectTag(key, node_.code(kHrss))));
}

// Sending a tx again (to wait for it, or after a timeout) gives its outcome; it
// is neither refused nor applied twice.
TEST_F(SharingCliTest, ATxSentAgainGivesItsOutcome) {
  tools::CommonOptions options;
  options.node_url = server_->url();
  auto api = tools::Connect(options);
  ASSERT_TRUE(api.ok()) << api.status().ToString();
  Bytes tx = node_.Tx(kAmr, contracts::RegisterResourceCall(MakeResource("amr.business", "企业登记信息", {"name", "uscc"},
                                                                         pb::SHARING_UNCONDITIONAL)));
  auto first = tools::SendSignedTx(**api, tx, /*wait=*/true, 5000);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE((*first)->result.ok()) << (*first)->result.ToString();
  uint64_t height = node_.chain().tip().height;
  auto again = tools::SendSignedTx(**api, tx, /*wait=*/true, 5000);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->id, (*first)->id);
  EXPECT_EQ((*again)->height, (*first)->height);
  EXPECT_TRUE((*again)->result.ok());
  EXPECT_TRUE(tools::SendSignedTx(**api, tx, /*wait=*/false, 5000).ok());
  EXPECT_EQ(node_.chain().tip().height, height);
}

TEST_F(SharingCliTest, BadArgumentsAreUsageErrors) {
  auto r = Civic(
      {"sharing", "resource", "register", "--code", "bad code", "--name", "x", "--field", "a", "--key", Key(kPsb)});
  EXPECT_EQ(r.exit, 2);
  EXPECT_TRUE(Contains(r.err, "BAD_RESOURCE_CODE")) << r.err;
  r = Civic({"sharing", "log", "--request-id", "x", "--resource", "r", "--purpose", "p", "--field", "a",
             "--response-digest", "abc", "--key", Key(kHrss)});
  EXPECT_EQ(r.exit, 2);
  EXPECT_TRUE(Contains(r.err, "BAD_DIGEST")) << r.err;
  r = Civic({"sharing", "log", "--request-id", "x", "--key", Key(kHrss)});
  EXPECT_EQ(r.exit, 2);
  EXPECT_TRUE(Contains(r.err, "ACCESS_INCOMPLETE")) << r.err;
  r = Civic({"sharing", "log", "--request-id", "x", "--resource", "r", "--purpose", "p", "--field", "a",
             "--response-digest", std::string(64, 'a'), "--subject-key", "12", "--key", Key(kHrss)});
  EXPECT_EQ(r.exit, 2);
  EXPECT_TRUE(Contains(r.err, "BAD_SUBJECT_COMMITMENT")) << r.err;
  r = Civic({"sharing", "subject-key", "--holder-file", "/nonexistent/holder.json"}, false);
  EXPECT_EQ(r.exit, 2);
  EXPECT_TRUE(Contains(r.err, "FILE_NOT_FOUND")) << r.err;
  r = Civic({"sharing", "query", "--side", "requester", "--key", Key(kGss)});
  EXPECT_EQ(r.exit, 2);
  EXPECT_TRUE(Contains(r.err, "SIDE_NEEDS_DEPT")) << r.err;
  r = Civic({"sharing", "query", "--from", "yesterday", "--key", Key(kGss)});
  EXPECT_EQ(r.exit, 2);
  r = Civic({"sharing", "grant", "issue", "--id", "G-1", "--requester", "nope", "--resource", "r", "--field", "a",
             "--purpose", "p", "--legal-basis", "l", "--expires", "2099-01-01", "--key", Key(kPsb)});
  EXPECT_EQ(r.exit, 2);
  EXPECT_TRUE(Contains(r.err, "BAD_USCC")) << r.err;
  r = Civic({"sharing", "mine", "--salt-file", File("s", "s"), "--code-file", File("c", "123")});
  EXPECT_EQ(r.exit, 2);
  EXPECT_TRUE(Contains(r.err, "BAD_CITIZEN_ID")) << r.err;
  for (const char* option : {"--salt", "--code"}) {
    r = Civic({"sharing", "mine", option, "secret"});
    EXPECT_EQ(r.exit, 2);
    EXPECT_TRUE(Contains(r.err, "SECRET_ON_COMMAND_LINE")) << r.err;
    EXPECT_TRUE(Contains(r.err, std::string(option) + "-file FILE")) << r.err;
  }
  r = Civic({"sharing", "mine", "--salt-file", "-", "--code-file", "-"});
  EXPECT_EQ(r.exit, 2);
  EXPECT_TRUE(Contains(r.err, "both read standard input")) << r.err;
  r = Civic({"sharing", "query"});  // --key is required
  EXPECT_EQ(r.exit, 2);
}

}  // namespace
}  // namespace civic::sharing_testing
