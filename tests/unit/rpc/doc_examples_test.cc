#include "rpc/doc_examples.h"

#include <gtest/gtest.h>

namespace civic::rpc {
namespace {

TEST(DocExamplesTest, ParsesRequestResponsePairsUnderHeadings) {
  const char* md = R"(# Title
### chain_status
Text.
```json request
{"jsonrpc":"2.0","id":1,"method":"chain_status","params":{}}
```
```json response
{"jsonrpc":"2.0","id":1,"result":{"height":3}}
```
```sh
ignored block
```
### GET /v1/blocks/{height}
```http request
GET /v1/blocks/1
```
```text response
anything
```
)";
  auto examples = ParseDocExamples(md);
  ASSERT_TRUE(examples.ok()) << examples.status().ToString();
  ASSERT_EQ(examples->size(), 2u);
  const DocExample& a = (*examples)[0];
  EXPECT_EQ(a.heading, "chain_status");
  EXPECT_EQ(a.line, 4u);
  EXPECT_TRUE(a.is_jsonrpc());
  EXPECT_EQ(a.method(), "chain_status");
  EXPECT_TRUE(CheckJsonRpcExample(a).ok()) << CheckJsonRpcExample(a).ToString();
  const DocExample& b = (*examples)[1];
  EXPECT_EQ(b.heading, "GET /v1/blocks/{height}");
  EXPECT_EQ(b.request_lang, "http");
  EXPECT_EQ(b.request_text, "GET /v1/blocks/1\n");
  EXPECT_EQ(b.response_lang, "text");
  EXPECT_FALSE(b.is_jsonrpc());
  EXPECT_EQ(DocumentedMethods(*examples), std::set<std::string>{"chain_status"});
}

TEST(DocExamplesTest, RejectsBrokenDocs) {
  auto code = [](const char* md) { return ParseDocExamples(md).status().app_code(); };
  EXPECT_EQ(code("### a\n```json request\n{\"x\":\n```\n```json response\n{}\n```\n"), "BAD_DOC");
  EXPECT_EQ(code("### a\n```json request\n{}\n```\n### b\n"), "BAD_DOC");
  EXPECT_EQ(code("### a\n```json response\n{}\n```\n"), "BAD_DOC");
  EXPECT_EQ(code("### a\n```json request\n{}\n"), "BAD_DOC");
  EXPECT_EQ(code("### a\n```json request\n{}\n```\n```json request\n{}\n```\n"), "BAD_DOC");
}

}  // namespace
}  // namespace civic::rpc

// ---- docs/RPC.md itself

#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "chain_fixture.h"
#include "crypto/base/bytes.h"
#include "rpc/codec/holder_certificate.h"
#include "rpc/jsonrpc.h"
#include "rpc/request_auth.h"
#include "contracts/certificate/calls.h"

namespace civic::rpc {
namespace {

// The sections this test runs: the protocol, chain/tx, certificates, governance,
// their REST routes, /healthz, /metrics and /ws. The credit_* and sharing_*
// sections need their modules' sample data; tests/unit/credit and
// tests/unit/sharing run those examples with the same parser.
bool OwnMethod(std::string_view method) {
  for (std::string_view prefix : {"chain_", "tx_", "cert_", "gov_", "state_", "light_"}) {
    if (method.starts_with(prefix)) return true;
  }
  return false;
}

bool RunHere(const DocExample& ex) {
  if (ex.is_jsonrpc() && !ex.heading.starts_with("POST /rpc")) return OwnMethod(ex.method());
  if (ex.heading.starts_with("GET /v1/credit") || ex.heading.starts_with("GET /v1/sharing")) return false;
  return !ex.heading.starts_with("credit_") && !ex.heading.starts_with("sharing_");
}

std::vector<DocExample> LoadRpcDoc() {
  std::ifstream in(CIVIC_RPC_DOC);
  EXPECT_TRUE(in.good()) << "cannot read " << CIVIC_RPC_DOC;
  std::stringstream text;
  text << in.rdbuf();
  auto examples = ParseDocExamples(text.str());
  EXPECT_TRUE(examples.ok()) << examples.status().ToString();
  return examples.ok() ? *examples : std::vector<DocExample>();
}

TEST(RpcDocTest, EveryRegisteredMethodHasAnExample) {
  MethodTable table;
  RegisterAllMethods(&table);
  ASSERT_GE(table.all().size(), 5u);
  std::set<std::string> documented = DocumentedMethods(LoadRpcDoc());
  std::string missing;
  for (const auto& [name, method] : table.all()) {
    if (!documented.contains(name)) missing += " " + name;
  }
  EXPECT_EQ(missing, "") << "methods without an example in docs/RPC.md:" << missing;
  std::string stale;
  for (const std::string& name : documented) {
    if (OwnMethod(name) && !table.Find(name)) stale += " " + name;
  }
  EXPECT_EQ(stale, "") << "docs/RPC.md documents methods this build does not have:" << stale;
}

TEST(RpcDocTest, JsonRpcExamplesAreWellFormed) {
  size_t checked = 0;
  for (const DocExample& ex : LoadRpcDoc()) {
    if (!ex.is_jsonrpc() || ex.heading.starts_with("POST /rpc")) continue;
    Status st = CheckJsonRpcExample(ex);
    EXPECT_TRUE(st.ok()) << st.ToString();
    ++checked;
  }
  EXPECT_GT(checked, 10u);
}

// Every example runs against a node on the sample network (fixed keys and
// salts, so the documented ids exist) and the answer has the documented form.
// CIVIC_RPC_PRINT_EXAMPLES=1 prints every real answer (to refresh the docs).
TEST(RpcDocTest, ExamplesHoldAgainstTheSampleChain) {
  // Signed examples carry a fixed timestamp (2026-01-01T00:00:00Z).
  RequestAuthOptions pinned;
  pinned.clock = [] { return int64_t{1767225600000}; };
  ASSERT_TRUE(SharedRequestAuthenticator().Configure(pinned).ok());
  testing::FakeNode node(testing::FakeNode::Mode::kSample);
  node.auto_commit_ = true;
  testing::TestServer t(ServerOptions{}, &node, RegisterAllMethods);
  Client client = t.MakeClient();
  bool print = std::getenv("CIVIC_RPC_PRINT_EXAMPLES") != nullptr;
  if (print) {
    // The txs the tx_submit and tx_commit examples send, and the sample values.
    const std::string& id = node.sample_cert_id();
    auto tx = [&](const char* nonce, const pb::CertificateCall& call) {
      return ToHex(contracts::CertificateTx(node.SampleTxParams(nonce), call, node.org_keys()[0]));
    };
    std::cout << "sample certificate id: " << id << "\n"
              << "holder commitment: " << ToHex(node.sample_cert().Commitment()) << "\n"
              << "issuing tx id: " << ToHex(node.sample_tx_id()) << "\n"
              << "suspend tx: " << tx("doc-suspend", contracts::SuspendCall(id, "证件遗失挂失")) << "\n"
              << "reinstate tx: " << tx("doc-reinstate", contracts::ReinstateCall(id, "证件找回")) << "\n"
              << "holder certificate: " << rpc::SerializeHolderCertificate(node.sample_cert()) << "\n";
    for (const auto& f : node.sample_cert().fields) {
      std::cout << "field " << f.name << " salt " << f.salt << " value " << f.value << "\n";
    }
  }

  namespace beast = boost::beast;
  namespace websocket = beast::websocket;
  boost::asio::io_context ioc;
  std::optional<websocket::stream<boost::asio::ip::tcp::socket>> ws;

  size_t ran = 0;
  for (const DocExample& ex : LoadRpcDoc()) {
    if (!RunHere(ex)) continue;
    std::string answer;
    Status st;
    if (ex.heading.starts_with("WebSocket")) {
      if (!ws) {
        ws.emplace(ioc);
        beast::get_lowest_layer(*ws).connect({boost::asio::ip::make_address("127.0.0.1"), t.server->port()});
        ws->handshake("127.0.0.1", "/ws");
      }
      if (ex.request_lang == "json") {
        ws->write(boost::asio::buffer(ex.request_text));
      } else {
        auto stored = node.chain().GetBlock(node.chain().tip().height);
        ASSERT_TRUE(stored.ok());
        t.server->PublishBlock(stored->block());
      }
      beast::flat_buffer buffer;
      ws->read(buffer);
      answer = beast::buffers_to_string(buffer.data());
      json::error_code ec;
      json::value actual = json::parse(answer, ec);
      st = ec ? Status::InvalidArgument("ANSWER_MISMATCH", "not JSON: " + answer)
              : MatchShape(*ex.response_json, actual);
    } else {
      auto req = HttpRequestOf(ex);
      ASSERT_TRUE(req.ok()) << req.status().ToString();
      auto res = client.Request(req->method, req->target, req->body);
      ASSERT_TRUE(res.ok()) << res.status().ToString();
      answer = res->body;
      st = CheckAnswer(ex, res->status, res->body);
    }
    if (print) std::cout << "=== " << ex.heading << " (line " << ex.line << ")\n" << answer << "\n";
    EXPECT_TRUE(st.ok()) << st.ToString() << "\nanswer: " << answer.substr(0, 2000);
    ++ran;
  }
  EXPECT_GT(ran, 20u);
}

}  // namespace
}  // namespace civic::rpc
