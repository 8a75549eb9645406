// The confidentiality sweep over a real civicd: with the sample data of the
// credit and sharing contracts committed (access records with subject tags,
// acknowledgements, a credit repair and an objection with their statements,
// and governance proposals whose actions are such calls),
// every JSON-RPC method of the method table (params from the docs/RPC.md
// examples and from the sample data), every REST route and the /ws block
// stream must answer without any value the contracts' .proto files mark
// non-public (collected by reflection from the sample txs, with
// contracts/base/visibility.h) and without any personal value: identity
// numbers, names in clear, credit keys, subject keys, holder commitments and
// subject tags. The authenticated auditor (chain_getTxFull) does get them.
//
// SweepTest.CatchesAnUnredactedRender runs the same check over the auditor's
// (unredacted) rendering of the sample txs, in process, to show that the check
// finds what it looks for.
#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "contracts/base/identifiers.h"
#include "contracts/base/tx_builder.h"
#include "contracts/base/visibility.h"
#include "contracts/certificate/holder.h"
#include "contracts/credit/calls.h"
#include "contracts/credit/credit.pb.h"
#include "contracts/credit/subjects.h"
#include "contracts/governance/calls.h"
#include "contracts/governance/governance.pb.h"
#include "contracts/sharing/calls.h"
#include "contracts/sharing/sharing.pb.h"
#include "contracts/sharing/subject_tag.h"
#include "crypto/hash.h"
#include "ledger/ledger.pb.h"
#include "ledger/tx.h"
#include "rpc/codec/chain.h"
#include "rpc/doc_examples.h"
#include "rpc/methods.h"
#include "rpc/request_auth.h"
#include "tests/integration/civicd_harness.h"
#include "tools/samples/credit_sample.h"
#include "tools/samples/network.h"
#include "tools/samples/sharing_sample.h"

namespace civic::testing {
namespace {

namespace json = boost::json;
namespace beast = boost::beast;
namespace net = boost::asio;
using namespace std::chrono_literals;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);
  return out;
}

// A value no public answer may hold, in every form an answer could carry it.
struct Secret {
  std::vector<std::string> forms;
  std::string what;
};

Secret BytesSecret(std::string_view value, std::string what) {
  return Secret{{ToHex(value), Base64(value)}, std::move(what)};
}
Secret TextSecret(std::string_view value, std::string what) {
  return Secret{{std::string(value), ToHex(value)}, std::move(what)};
}

// The values of the string and bytes fields of `message`, recursively: those
// the public may not see (a field hidden itself or inside a hidden field) into
// `hidden` (value -> field path), the others into `shown`. Values too short to
// be told apart from other text are left out.
void CollectValues(const Message& message, bool inside_hidden, const std::string& path,
                   std::map<std::string, std::pair<std::string, bool>>* hidden, std::set<std::string>* shown) {
  const auto* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* f : fields) {
    const bool is_hidden =
        inside_hidden || !contracts::MaySee(contracts::FieldVisibility(*f), contracts::Viewer::kPublic);
    const std::string where = path + "." + f->name();
    const int count = f->is_repeated() ? reflection->FieldSize(message, f) : 1;
    for (int i = 0; i < count; ++i) {
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        const Message& sub = f->is_repeated() ? reflection->GetRepeatedMessage(message, f, i)
                                              : reflection->GetMessage(message, f);
        CollectValues(sub, is_hidden, where, hidden, shown);
        continue;
      }
      if (f->cpp_type() != FieldDescriptor::CPPTYPE_STRING) continue;
      std::string value =
          f->is_repeated() ? reflection->GetRepeatedString(message, f, i) : reflection->GetString(message, f);
      const bool is_bytes = f->type() == FieldDescriptor::TYPE_BYTES;
      if (value.size() < (is_bytes ? 8u : 6u)) continue;
      if (is_hidden) {
        hidden->emplace(std::move(value), std::make_pair(where, is_bytes));
      } else {
        shown->insert(std::move(value));
      }
    }
  }
}

// A call of `contract` as that contract's message (nullptr for other contracts).
std::unique_ptr<Message> ParseCall(std::string_view contract, const std::string& bytes) {
  std::unique_ptr<Message> call;
  if (contract == "sharing") call = std::make_unique<pb::SharingCall>();
  if (contract == "credit") call = std::make_unique<pb::CreditCall>();
  if (contract == "governance") call = std::make_unique<pb::GovernanceCall>();
  if (call == nullptr || !call->ParseFromString(bytes)) return nullptr;
  return call;
}

// The call of a sample tx as its contract's message (nullptr for other contracts).
std::unique_ptr<Message> DecodeCall(const Bytes& raw, pb::TxBody* body) {
  pb::SignedTx signed_tx;
  if (!signed_tx.ParseFromString(raw) || !body->ParseFromString(signed_tx.body())) return nullptr;
  return ParseCall(body->contract(), body->call());
}

// The action of a proposal the call makes, as its contract's message (nullptr if none).
std::unique_ptr<Message> ProposedCall(const Message& call) {
  const auto* gov = dynamic_cast<const pb::GovernanceCall*>(&call);
  if (gov == nullptr || !gov->has_propose()) return nullptr;
  return ParseCall(gov->propose().action().contract(), gov->propose().action().call());
}

// Every non-public value of the sample txs that no public field of them (nor
// an org's code or name) also holds.
std::vector<Secret> NonPublicValues(const std::vector<Bytes>& txs) {
  std::map<std::string, std::pair<std::string, bool>> hidden;
  std::set<std::string> shown;
  for (const auto& org : samples::SampleOrgs()) {
    shown.insert(org.code);
    shown.insert(org.name);
  }
  for (const Bytes& raw : txs) {
    pb::TxBody body;
    std::unique_ptr<Message> call = DecodeCall(raw, &body);
    if (call == nullptr) continue;
    CollectValues(*call, false, body.contract(), &hidden, &shown);
    // A proposal's action is a call of its contract, under that contract's rule.
    if (std::unique_ptr<Message> action = ProposedCall(*call)) {
      CollectValues(*action, false, body.contract() + ".propose.action", &hidden, &shown);
    }
  }
  std::vector<Secret> out;
  for (const auto& [value, origin] : hidden) {
    if (shown.count(value)) continue;
    out.push_back(origin.second ? BytesSecret(value, origin.first) : TextSecret(value, origin.first));
  }
  return out;
}

// What of `secrets` `answer` holds ("" when nothing).
std::string Leak(std::string_view answer, const std::vector<Secret>& secrets) {
  for (const Secret& s : secrets) {
    for (const std::string& form : s.forms) {
      if (answer.find(form) != std::string_view::npos) return s.what + " (" + form + ")";
    }
  }
  return "";
}

// The sample data: certificates, the credit sample, an objection to the
// person's entry, and the sharing sample whose records also name the sweep's
// own holder.
struct SampleData {
  std::vector<std::vector<Bytes>> blocks;  // commit in order, each block's txs before the next block
  std::vector<Bytes> all;
  std::vector<contracts::HolderCertificate> certificates;  // the holders' copies
  std::string person_id;
  Bytes person_commitment;
};

constexpr std::string_view kHolderSalt = "sweep-holder-salt-0001";
constexpr std::string_view kHolderName = "王小明";

std::string SweepCitizenId() {
  return std::string("51070319800101001") + contracts::CitizenIdCheckChar("51070319800101001").value();
}

Result<SampleData> MakeSampleData(const SampleNetwork& net, uint64_t valid_until_height) {
  enum : size_t { kHrss = 1, kNdrc = 3 };
  SampleData data;
  data.person_id = SweepCitizenId();
  data.blocks.push_back({MakeIssueTx(net, FindIssuer(net), 3, 1, valid_until_height, &data.certificates)});
  samples::CreditSampleInput credit;
  credit.chain_id = net.chain_id;
  credit.org_keys = net.org_keys;
  credit.now_ms = NowMs() - 1000;
  credit.valid_until_height = valid_until_height;
  CIVIC_ASSIGN_OR_RETURN(auto credit_blocks, samples::SampleCreditBlocks(credit));
  for (auto& block : credit_blocks) {  // one tx per block: votes follow their proposal
    for (Bytes& raw : block) data.blocks.push_back({std::move(raw)});
  }
  CIVIC_ASSIGN_OR_RETURN(pb::CreditSubject person,
                         contracts::PersonSubject(samples::SampleCreditKey(kHrss), data.person_id, kHolderName));
  data.person_commitment = person.commitment();
  auto credit_tx = [&](size_t org, const pb::CreditCall& call, const char* nonce) {
    contracts::TxParams p;
    p.chain_id = net.chain_id;
    p.org = samples::SampleOrgs()[org].code;
    p.valid_until_height = valid_until_height;
    p.nonce = nonce;
    return contracts::CreditTx(p, call, net.org_keys[org]);
  };
  // Entry 4 is the sample person's (listed by HR & social security).
  data.blocks.push_back({credit_tx(kNdrc, contracts::ObjectionFileCall(4, crypto::Sha256("sweep objection evidence"),
                                                                       "对欠薪金额有异议，已提交工资支付凭证"),
                                   "sweep-objection")});
  data.blocks.push_back({credit_tx(kHrss, contracts::ObjectionDecideCall(4, false, "经核实工资支付凭证不完整，异议不成立"),
                                   "sweep-objection-decision")});

  // Proposals whose actions are such calls: a repair decision with its note and
  // an access record naming whose data was read. They stay open (nobody votes).
  enum : size_t { kGss = 4 };
  const Bytes holder_key = contracts::SubjectKey(kHolderSalt, "citizen_id", data.person_id);
  pb::SharingAccess access;
  access.set_request_id("sweep-proposed-access-1");
  access.set_resource("household_registry");
  access.set_purpose("proposal sweep");
  access.add_subject_tags(contracts::AccessSubjectTag(holder_key, samples::SampleOrgs()[kGss].code));
  access.set_record_count(1);
  auto propose_tx = [&](std::string_view contract, const std::string& call, const char* nonce) {
    contracts::TxParams p;
    p.chain_id = net.chain_id;
    p.org = samples::SampleOrgs()[kGss].code;
    p.valid_until_height = valid_until_height;
    p.nonce = nonce;
    return contracts::GovernanceTx(p, contracts::ProposeCall("sweep: a proposal with a non-public action", contract, call),
                                   net.org_keys[kGss]);
  };
  data.blocks.push_back(
      {propose_tx("credit", contracts::RepairDecideCall(4, true, "提案中的修复决定说明：欠薪已结清").SerializeAsString(),
                  "sweep-propose-credit"),
       propose_tx("sharing", contracts::LogAccessCall({access}).SerializeAsString(), "sweep-propose-sharing")});

  samples::SharingSampleInput sharing;
  sharing.chain_id = net.chain_id;
  sharing.org_keys = net.org_keys;
  sharing.now_ms = NowMs() - 1000;
  sharing.valid_until_height = valid_until_height;
  sharing.records = 600;
  sharing.records_per_tx = 200;
  sharing.extra_subject_keys = {contracts::SubjectKey(kHolderSalt, "citizen_id", data.person_id)};
  CIVIC_ASSIGN_OR_RETURN(auto shared, samples::SampleSharingBlocks(sharing));
  for (auto& block : shared.blocks) data.blocks.push_back(std::move(block));
  for (const auto& block : data.blocks) data.all.insert(data.all.end(), block.begin(), block.end());
  return data;
}

// The personal values of the sample: none may appear in any public answer.
std::vector<Secret> PersonalValues(const SampleData& data) {
  std::vector<Secret> out = {TextSecret(data.person_id, "the person's identity number"),
                             TextSecret(kHolderName, "the person's name"), TextSecret("小明", "the given name")};
  const Bytes key = contracts::SubjectKey(kHolderSalt, "citizen_id", data.person_id);
  out.push_back(BytesSecret(key, "the holder's subject key"));
  out.push_back(BytesSecret(contracts::HolderCommitment(kHolderSalt, "citizen_id", data.person_id),
                            "the holder commitment"));
  out.push_back(TextSecret(kHolderSalt, "the holder's salt"));
  for (const contracts::HolderCertificate& c : data.certificates) {  // the chain holds their digests only
    out.push_back(TextSecret(c.holder_code, "a certificate holder's code"));
    out.push_back(TextSecret(c.holder_salt, "a certificate holder's salt"));
    for (const contracts::HolderField& f : c.fields) out.push_back(TextSecret(f.salt, "a certificate field's salt"));
  }
  for (size_t i = 0; i < samples::SampleOrgs().size(); ++i) {
    out.push_back(BytesSecret(samples::SampleCreditKey(i), "the credit key of " + samples::SampleOrgs()[i].short_name));
    out.push_back(BytesSecret(contracts::AccessSubjectTag(key, samples::SampleOrgs()[i].code),
                              "the holder's subject tag under " + samples::SampleOrgs()[i].short_name));
  }
  return out;
}

TEST(SweepTest, CatchesAnUnredactedRender) {
  SampleNetwork net = MakeSampleNetwork("sweep-unit");
  auto data = MakeSampleData(net, 100);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  std::vector<Secret> secrets = NonPublicValues(data->all);
  std::vector<Secret> personal = PersonalValues(*data);
  secrets.insert(secrets.end(), personal.begin(), personal.end());
  ASSERT_GT(secrets.size(), 600u) << "request ids, subject tags and digests of 600 records at least";
  rpc::MethodTable table;
  rpc::RegisterAllMethods(&table);
  size_t caught = 0, txs = 0;
  for (const Bytes& raw : data->all) {
    pb::TxLocation location;
    json::object full = rpc::TxJson(raw, location, &table, true, contracts::Viewer::kAuditor);
    json::object shown = rpc::TxJson(raw, location, &table, true, contracts::Viewer::kPublic);
    pb::TxBody body;
    if (DecodeCall(raw, &body) == nullptr) continue;
    ++txs;
    caught += Leak(json::serialize(full), secrets).empty() ? 0 : 1;
    EXPECT_EQ(Leak(json::serialize(shown), secrets), "") << body.contract();
  }
  // Every access log, acknowledgement, repair and objection tx shows its secrets to an auditor.
  EXPECT_GE(caught, 8u) << "of " << txs;
}

// A WebSocket subscriber of the blocks stream that keeps every message.
class BlockStream {
 public:
  explicit BlockStream(uint16_t port) : ws_(ioc_) {
    beast::get_lowest_layer(ws_).connect({net::ip::make_address("127.0.0.1"), port});
    ws_.handshake("127.0.0.1:" + std::to_string(port), "/ws");
    ws_.write(net::buffer(std::string(R"({"subscribe":"blocks"})")));
    reader_ = std::thread([this] {
      for (;;) {  // until Stop() shuts the socket down
        beast::flat_buffer buffer;
        beast::error_code ec;
        ws_.read(buffer, ec);
        if (ec) break;
        std::lock_guard<std::mutex> lock(mu_);
        messages_.push_back(beast::buffers_to_string(buffer.data()));
      }
    });
  }
  ~BlockStream() { Stop(); }
  void Stop() {
    if (!reader_.joinable()) return;
    ::shutdown(beast::get_lowest_layer(ws_).native_handle(), SHUT_RDWR);
    reader_.join();
  }
  std::vector<std::string> messages() {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_;
  }

 private:
  net::io_context ioc_;
  beast::websocket::stream<net::ip::tcp::socket> ws_;
  std::thread reader_;
  std::mutex mu_;
  std::vector<std::string> messages_;
};

std::vector<rpc::DocExample> DocExamples() {
  std::ifstream in(CIVIC_RPC_DOC);
  std::stringstream text;
  text << in.rdbuf();
  auto examples = rpc::ParseDocExamples(text.str());
  EXPECT_TRUE(examples.ok()) << examples.status().ToString();
  return examples.ok() ? *examples : std::vector<rpc::DocExample>{};
}

TEST(SweepTest, NoPublicAnswerOfARunningNodeHoldsANonPublicValue) {
  NodeFiles files = WriteNodeFiles("it-sweep");
  CivicdProcess proc(&files);
  proc.Start();
  ASSERT_TRUE(proc.WaitHealthy()) << proc.LogTail();
  rpc::Client client = proc.NewClient(60s);
  BlockStream stream(files.config.rpc.listen.port);

  auto data = MakeSampleData(files.net, 400);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  std::vector<std::string> tx_ids;
  for (const auto& block : data->blocks) {
    for (const Bytes& raw : block) {
      auto sent = TxSubmit(client, raw);
      ASSERT_TRUE(sent.ok()) << sent.status().ToString();
    }
    for (const Bytes& raw : block) {
      auto r = TxCommit(client, raw, 60000);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ASSERT_TRUE(r->ok) << "sample tx refused: " << r->app_code;
      tx_ids.push_back(ToHex(ledger::TxId(raw)));
    }
  }
  auto height = ChainHeight(client);
  ASSERT_TRUE(height.ok());

  std::vector<Secret> secrets = NonPublicValues(data->all);
  std::vector<Secret> personal = PersonalValues(*data);
  secrets.insert(secrets.end(), personal.begin(), personal.end());
  size_t answers = 0;
  auto check = [&](const std::string& what, const std::string& answer) {
    ++answers;
    std::string leak = Leak(answer, secrets);
    EXPECT_EQ(leak, "") << what << " answered " << answer.substr(0, 600);
  };
  auto rpc_call = [&](const std::string& method, const json::value& params) {
    json::object request{{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}};
    auto r = client.Request("POST", "/rpc", json::serialize(request), "application/json");
    EXPECT_TRUE(r.ok()) << method << ": " << r.status().ToString();
    if (r.ok()) check(method + " " + json::serialize(params), r->body);
  };
  auto get = [&](const std::string& path) {  // an error answer (404, 400) is an answer too
    auto r = client.Request("GET", path);
    EXPECT_TRUE(r.ok()) << path << ": " << r.status().ToString();
    if (r.ok()) check("GET " + path, r->body);
  };

  // Params from the sample data for the methods that show it.
  std::map<std::string, std::vector<json::value>> params;
  for (uint64_t h = 1; h <= *height; ++h) {
    params["chain_getBlock"].push_back(json::object{{"height", h}});
    get("/v1/blocks/" + std::to_string(h));
  }
  get("/v1/blocks/latest");
  for (const std::string& id : tx_ids) {
    params["chain_getTx"].push_back(json::object{{"id", id}, {"raw", true}});
    params["chain_getTxFull"].push_back(json::object{{"id", id}});
    get("/v1/txs/" + id);
  }
  std::vector<std::string> subjects = samples::SampleCreditEnterprises();
  subjects.push_back(ToHex(data->person_commitment));
  for (const std::string& s : subjects) {
    params["credit_report"].push_back(json::object{{"subject", s}});
    params["credit_check"].push_back(json::object{{"subject", s}, {"matter", "government_procurement"}});
    get("/v1/credit/" + s);
  }
  for (uint64_t entry = 1; entry <= 6; ++entry) params["credit_get"].push_back(json::object{{"entry", entry}});
  uint64_t proposals = 0;
  for (const Bytes& raw : data->all) {
    pb::TxBody body;
    std::unique_ptr<Message> call = DecodeCall(raw, &body);
    const auto* gov = dynamic_cast<const pb::GovernanceCall*>(call.get());
    if (gov != nullptr && gov->has_propose()) params["gov_proposal"].push_back(json::object{{"id", ++proposals}});
  }
  EXPECT_GE(proposals, 3u) << "the credit sample's and the sweep's own proposals";
  params["gov_proposals"].push_back(json::object{{"from", 1}, {"limit", 1000}});
  for (const char* list : {"red", "black"}) params["credit_list"].push_back(json::object{{"list", list}});
  params["sharing_mySubjectAccesses"].push_back(
      json::object{{"salt", "a wrong salt"}, {"code_type", "citizen_id"}, {"code", data->person_id}});

  // Params from the documentation's examples (unsigned ones: a signed one is not public).
  for (const rpc::DocExample& ex : DocExamples()) {
    if (ex.is_jsonrpc()) {
      const json::value* p = ex.request_json->as_object().if_contains("params");
      if (p != nullptr && p->is_object() && p->as_object().contains("auth")) continue;
      params[ex.method()].push_back(p != nullptr ? *p : json::value());
    } else if (ex.request_lang == "http" && ex.request_text.starts_with("GET /v1/")) {
      std::string line = ex.request_text.substr(4, ex.request_text.find_first_of(" \n", 4) - 4);
      get(line);
    }
  }

  rpc::MethodTable table;
  rpc::RegisterAllMethods(&table);
  size_t methods = 0;
  for (const auto& [name, method] : table.all()) {
    if (name == "tx_submit" || name == "tx_commit") continue;  // writes: the sample data went through them
    ++methods;
    std::vector<json::value>& list = params[name];
    if (list.empty()) list.push_back(json::object{});
    for (const json::value& p : list) rpc_call(name, p);
  }

  // The stream saw every block, and nothing else.
  ASSERT_TRUE(WaitUntil(
      [&] {
        // Blocks go on being made: the one at the height the sample ended at is enough.
        for (const std::string& m : stream.messages()) {
          if (m.find("\"height\":" + std::to_string(*height) + ",") != std::string::npos) return true;
        }
        return false;
      },
      20s, 50ms))
      << stream.messages().size() << " stream messages";
  stream.Stop();
  for (const std::string& m : stream.messages()) check("/ws", m);

  std::cout << "sweep: " << methods << " methods, " << answers << " answers, " << secrets.size()
            << " values looked for, " << *height << " blocks\n";
  EXPECT_GE(methods, 20u);
  EXPECT_GT(answers, 200u);

  // The authenticated auditor gets the values.
  const auto& orgs = samples::SampleOrgs();
  size_t gss = 0;
  for (size_t i = 0; i < orgs.size(); ++i) gss = orgs[i].short_name == "gss" ? i : gss;
  auto status = client.Call("chain_status", json::object{});
  ASSERT_TRUE(status.ok());
  std::string audience(status->at("node").at("node_id").as_string());
  size_t revealed = 0;
  for (const std::string& id : tx_ids) {
    json::object request{{"id", id}, {"raw", true}};
    auto full = client.Call("chain_getTxFull", rpc::SignRequest(files.net.org_keys[gss], orgs[gss].code,
                                                                files.net.chain_id, audience, "chain_getTxFull",
                                                                json::serialize(request), NowMs()));
    ASSERT_TRUE(full.ok()) << full.status().ToString();
    revealed += Leak(json::serialize(*full), secrets).empty() ? 0 : 1;
  }
  EXPECT_GE(revealed, 8u) << "access logs, acknowledgements, the repair and the objection";
  client.Close();
  EXPECT_EQ(proc.Terminate(), 0) << proc.LogTail();
}

}  // namespace
}  // namespace civic::testing
