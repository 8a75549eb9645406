// chain_* and tx_* methods against a real ledger::Chain, directly and through
// the server (REST routes, /healthz, /metrics, /ws block events).
#include <gtest/gtest.h>

#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <future>

#include "chain_fixture.h"
#include "crypto/base/bytes.h"
#include "ledger/block.h"
#include "rpc/codec/chain.h"
#include "rpc/jsonrpc.h"

namespace civic::rpc {
namespace {

using testing::FakeNode;
using testing::ParseJson;

class ChainMethodsTest : public ::testing::Test {
 protected:
  ChainMethodsTest() : dispatcher_(&methods_, 100) {
    RegisterChainMethods(&methods_);
    // Text calls; a call starting "secret" is shown whole only to auditors.
    methods_.AddCallDecoder("test", [](std::string_view call, contracts::Viewer viewer) -> Result<DecodedCall> {
      if (call.starts_with("fail")) return Status::InvalidArgument("CALL_MALFORMED", "cannot decode");
      DecodedCall out;
      out.method = std::string(call.substr(0, call.find(' ')));
      out.redacted = call.starts_with("secret") && viewer != contracts::Viewer::kAuditor;
      out.call = json::object{{"text", out.redacted ? std::string() : std::string(call)}};
      return out;
    });
  }

  Result<json::value> Call(std::string_view method, json::value params,
                           std::chrono::seconds wait = std::chrono::seconds(10)) {
    auto promise = std::make_shared<std::promise<Result<json::value>>>();
    auto future = promise->get_future();
    CallContext ctx{&node_, "127.0.0.1", &methods_};
    dispatcher_.Call(method, params, ctx, [promise](Result<json::value> r) { promise->set_value(std::move(r)); });
    if (future.wait_for(wait) != std::future_status::ready) return Status::Internal("no reply");
    return future.get();
  }

  FakeNode node_;
  MethodTable methods_;
  Dispatcher dispatcher_;
};

TEST_F(ChainMethodsTest, StatusAtGenesisAndAfterBlocks) {
  auto r = Call("chain_status", json::object());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const json::object& s = r->as_object();
  EXPECT_EQ(s.at("chain_id"), json::value(FakeNode::kChainId));
  EXPECT_EQ(s.at("height"), json::value(0));
  EXPECT_EQ(s.at("latest_block_hash"), json::value(""));
  EXPECT_EQ(s.at("latest_block_time"), json::value("2025-01-01T00:00:00Z"));
  EXPECT_EQ(s.at("validators").as_array().size(), 1u);
  EXPECT_EQ(s.at("total_power"), json::value(10));
  EXPECT_EQ(s.at("node").at("moniker"), json::value("psb"));

  ASSERT_TRUE(node_.SubmitTx(node_.MakeTx("put a 1")).ok());
  pb::Block block = node_.CommitPending();
  r = Call("chain_status", json::array());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at("height"), json::value(1));
  EXPECT_EQ(r->at("latest_block_hash"), json::value(ToHex(ledger::BlockHash(block))));
  EXPECT_EQ(r->at("mempool_size"), json::value(0));
}

TEST_F(ChainMethodsTest, GetBlockByHeightHashAndLatest) {
  Bytes ok_tx = node_.MakeTx("put a 1");
  Bytes failing_tx = node_.MakeTx("fail");
  ASSERT_TRUE(node_.SubmitTx(ok_tx).ok());
  ASSERT_TRUE(node_.SubmitTx(failing_tx).ok());
  pb::Block b1 = node_.CommitPending();
  node_.CommitPending();  // an empty block 2

  auto r = Call("chain_getBlock", ParseJson(R"({"height":1})"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at("height"), json::value(1));
  std::string hash = ToHex(ledger::BlockHash(b1));
  EXPECT_EQ(r->at("hash"), json::value(hash));
  EXPECT_EQ(r->at("header").at("chain_id"), json::value(FakeNode::kChainId));
  EXPECT_EQ(r->at("header").at("tx_count"), json::value(2));
  const json::array& txs = r->at("txs").as_array();
  ASSERT_EQ(txs.size(), 2u);
  EXPECT_EQ(txs[0].at("id"), json::value(ToHex(ledger::TxId(ok_tx))));
  EXPECT_EQ(txs[0].at("contract"), json::value("test"));
  EXPECT_EQ(txs[0].at("result").at("ok"), json::value(true));
  EXPECT_EQ(txs[1].at("result").at("ok"), json::value(false));
  EXPECT_EQ(txs[1].at("result").at("app_code"), json::value("TEST_FAIL"));
  EXPECT_EQ(txs[1].at("result").at("code_name"), json::value("FAILED_PRECONDITION"));
  EXPECT_EQ(r->at("commit").at("signatures").as_array().size(), 1u);
  EXPECT_EQ(r->at("commit").at("block_hash"), json::value(hash));

  auto by_hash = Call("chain_getBlock", json::object{{"hash", hash}});
  ASSERT_TRUE(by_hash.ok());
  EXPECT_EQ(by_hash->at("height"), json::value(1));
  auto latest = Call("chain_getBlock", json::object());
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->at("height"), json::value(2));
  EXPECT_EQ(latest->at("last_commit").at("block_hash"), json::value(hash));
  EXPECT_EQ(Call("chain_getBlock", json::array{2})->at("height"), json::value(2));
}

TEST_F(ChainMethodsTest, GetBlockErrors) {
  EXPECT_EQ(Call("chain_getBlock", json::object()).status().app_code(), "BLOCK_NOT_FOUND");  // only genesis
  node_.CommitPending();
  EXPECT_EQ(Call("chain_getBlock", ParseJson(R"({"height":0})")).status().app_code(), "BLOCK_NOT_FOUND");
  auto r = Call("chain_getBlock", ParseJson(R"({"height":99})"));
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().app_code(), "BLOCK_NOT_FOUND");
  EXPECT_EQ(Call("chain_getBlock", ParseJson(R"({"height":-1})")).status().app_code(), "INVALID_PARAMS");
  EXPECT_EQ(Call("chain_getBlock", ParseJson(R"({"height":"1"})")).status().app_code(), "INVALID_PARAMS");
  EXPECT_EQ(Call("chain_getBlock", ParseJson(R"({"hash":"zz"})")).status().app_code(), "BAD_HASH");
  EXPECT_EQ(Call("chain_getBlock", json::object{{"hash", std::string(64, 'a')}}).status().app_code(),
            "BLOCK_NOT_FOUND");
  EXPECT_EQ(Call("chain_getBlock", json::object{{"height", 1}, {"hash", std::string(64, 'a')}}).status().app_code(),
            "INVALID_PARAMS");
}

TEST_F(ChainMethodsTest, GetTxDecodesBodyAndCall) {
  Bytes tx = node_.MakeTx("put greeting hello");
  Bytes undecodable = node_.MakeTx("fail here");
  ASSERT_TRUE(node_.SubmitTx(tx).ok());
  ASSERT_TRUE(node_.SubmitTx(undecodable).ok());
  node_.CommitPending();
  std::string id = ToHex(ledger::TxId(tx));
  auto r = Call("chain_getTx", json::object{{"id", id}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at("id"), json::value(id));
  EXPECT_EQ(r->at("height"), json::value(1));
  EXPECT_EQ(r->at("index"), json::value(0));
  EXPECT_EQ(r->at("result").at("ok"), json::value(true));
  EXPECT_TRUE(r->at("signer").as_string().starts_with("ed25519:"));
  const json::value& body = r->at("body");
  EXPECT_EQ(body.at("contract"), json::value("test"));
  EXPECT_EQ(body.at("org"), json::value("11510700008207313A"));
  EXPECT_EQ(body.at("call_hex"), json::value(ToHex("put greeting hello")));
  EXPECT_EQ(body.at("call").at("text"), json::value("put greeting hello"));
  EXPECT_FALSE(r->as_object().contains("raw_hex"));

  auto with_raw = Call("chain_getTx", json::object{{"id", id}, {"raw", true}});
  EXPECT_EQ(with_raw->at("raw_hex"), json::value(ToHex(tx)));
  EXPECT_EQ(r->at("redacted"), json::value(false));
  EXPECT_EQ(body.at("method"), json::value("put"));
  // A known contract's call that does not decode cannot be judged: its bytes are not shown.
  auto bad_call = Call("chain_getTx", json::object{{"id", ToHex(ledger::TxId(undecodable))}, {"raw", true}});
  ASSERT_TRUE(bad_call.ok());
  EXPECT_FALSE(bad_call->at("body").as_object().contains("call"));
  EXPECT_FALSE(bad_call->at("body").as_object().contains("call_hex"));
  EXPECT_FALSE(bad_call->as_object().contains("raw_hex"));
  EXPECT_EQ(bad_call->at("redacted"), json::value(true));
  EXPECT_NE(bad_call->at("body").at("call_error").as_string().find("CALL_MALFORMED"), json::string::npos);

  EXPECT_EQ(Call("chain_getTx", json::object{{"id", "abc"}}).status().app_code(), "BAD_TX_ID");
  EXPECT_EQ(Call("chain_getTx", json::object()).status().app_code(), "INVALID_PARAMS");
  auto missing = Call("chain_getTx", json::object{{"id", std::string(64, '0')}});
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().app_code(), "TX_NOT_FOUND");
}

TEST_F(ChainMethodsTest, NonPublicCallsShowOnlyWhatTheyMayReveal) {
  Bytes tx = node_.MakeTx("secret 11010519491231002X");
  ASSERT_TRUE(node_.SubmitTx(tx).ok());
  node_.CommitPending();
  std::string id = ToHex(ledger::TxId(tx));
  auto r = Call("chain_getTx", json::object{{"id", id}, {"raw", true}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::string text = json::serialize(*r);
  EXPECT_EQ(text.find("11010519491231002X"), std::string::npos) << text;
  EXPECT_EQ(text.find(ToHex("11010519491231002X")), std::string::npos) << text;
  EXPECT_EQ(r->at("redacted"), json::value(true));
  EXPECT_EQ(r->at("body").at("method"), json::value("secret"));
  EXPECT_EQ(r->at("body").at("contract"), json::value("test"));
  EXPECT_EQ(r->at("result").at("ok"), json::value(true));

  auto block = Call("chain_getBlock", json::object{{"height", 1}});
  ASSERT_TRUE(block.ok());
  EXPECT_EQ(block->at("txs").as_array()[0].at("method"), json::value("secret"));
  EXPECT_EQ(json::serialize(*block).find("11010519491231002X"), std::string::npos);

  // The full view needs a signed request of an auditor.
  EXPECT_EQ(Call("chain_getTxFull", json::object{{"id", id}}).status().app_code(), "AUTH_REQUIRED");
}

TEST_F(ChainMethodsTest, SubmitAcceptsHexAndBase64AndMapsNodeErrors) {
  Bytes a = node_.MakeTx("put a 1"), b = node_.MakeTx("put b 2"), c = node_.MakeTx("put c 3");
  auto r = Call("tx_submit", json::object{{"tx", ToHex(a)}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at("id"), json::value(ToHex(ledger::TxId(a))));
  EXPECT_TRUE(Call("tx_submit", json::object{{"tx", "0x" + ToHex(b)}}).ok());
  EXPECT_TRUE(Call("tx_submit", json::array{Base64UrlEncode(c)}).ok());
  Bytes d = node_.MakeTx("put d 4");
  // Standard base64 with padding.
  std::string b64(sodium_base64_encoded_len(d.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(d.data()), d.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  b64.pop_back();
  EXPECT_TRUE(Call("tx_submit", json::object{{"tx", b64}}).ok());

  auto dup = Call("tx_submit", json::object{{"tx", ToHex(a)}});
  EXPECT_EQ(dup.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(dup.status().app_code(), "TX_IN_MEMPOOL");
  EXPECT_EQ(Call("tx_submit", json::object{{"tx", "not a tx!"}}).status().app_code(), "BAD_TX_ENCODING");
  EXPECT_EQ(Call("tx_submit", json::object{{"tx", ""}}).status().app_code(), "BAD_TX_ENCODING");
  EXPECT_EQ(Call("tx_submit", json::object{{"tx", "00ff00ff"}}).status().app_code(), "TX_MALFORMED");
  EXPECT_EQ(Call("tx_submit", json::object{{"tx", ToHex(node_.MakeTx("x", "", "other-chain"))}}).status().app_code(),
            "WRONG_CHAIN_ID");
  Bytes tampered = node_.MakeTx("put e 5");
  tampered[tampered.size() - 1] ^= 1;
  EXPECT_EQ(Call("tx_submit", json::object{{"tx", ToHex(tampered)}}).status().app_code(), "BAD_SIGNATURE");
  EXPECT_EQ(Call("tx_submit", json::object{{"tx", 5}}).status().app_code(), "INVALID_PARAMS");
}

TEST_F(ChainMethodsTest, CommitWaitsForTheBlock) {
  Bytes tx = node_.MakeTx("put k v");
  auto pending = std::async(std::launch::async, [&] { return Call("tx_commit", json::object{{"tx", ToHex(tx)}}); });
  // Commit once the tx has reached the mempool and the wait is registered.
  for (int i = 0; i < 500 && node_.await_calls() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ASSERT_EQ(node_.await_calls(), 1u);
  node_.CommitPending();
  auto r = pending.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at("id"), json::value(ToHex(ledger::TxId(tx))));
  EXPECT_EQ(r->at("height"), json::value(1));
  EXPECT_EQ(r->at("index"), json::value(0));
  EXPECT_EQ(r->at("result").at("ok"), json::value(true));

  // Already committed: answered at once (a resubmission is a replay).
  auto again = Call("tx_commit", json::object{{"tx", ToHex(tx)}});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->at("height"), json::value(1));
}

TEST_F(ChainMethodsTest, CommitOfAFailingTxReportsItsResult) {
  Bytes tx = node_.MakeTx("fail");
  auto pending = std::async(std::launch::async, [&] { return Call("tx_commit", json::array{ToHex(tx), 5000}); });
  for (int i = 0; i < 500 && node_.await_calls() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  node_.CommitPending();
  auto r = pending.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at("result").at("ok"), json::value(false));
  EXPECT_EQ(r->at("result").at("app_code"), json::value("TEST_FAIL"));
}

TEST_F(ChainMethodsTest, CommitTimesOutAndValidatesItsTimeout) {
  Bytes tx = node_.MakeTx("put k v");
  auto r = Call("tx_commit", json::object{{"tx", ToHex(tx)}, {"timeout_ms", 50}});
  EXPECT_EQ(r.status().code(), Code::kDeadlineExceeded);
  EXPECT_EQ(r.status().app_code(), "COMMIT_TIMEOUT");
  // The tx is still in the mempool: a second tx_commit waits for it instead of failing.
  auto pending = std::async(std::launch::async, [&] {
    return Call("tx_commit", json::object{{"tx", ToHex(tx)}, {"timeout_ms", 5000}});
  });
  for (int i = 0; i < 500 && node_.await_calls() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  node_.CommitPending();
  auto later = pending.get();
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  EXPECT_EQ(later->at("height"), json::value(1));

  for (int64_t bad : {0, -5, 60001}) {
    EXPECT_EQ(Call("tx_commit", json::object{{"tx", ToHex(node_.MakeTx("x"))}, {"timeout_ms", bad}}).status().app_code(),
              "INVALID_PARAMS");
  }
  EXPECT_EQ(Call("tx_commit", json::object{{"tx", "00"}}).status().app_code(), "TX_MALFORMED");
}

TEST_F(ChainMethodsTest, MethodsWithoutANodeAreUnavailable) {
  CallContext ctx{nullptr, "", &methods_};
  for (const char* m : {"chain_status", "chain_getBlock", "chain_getTx", "tx_submit", "tx_commit"}) {
    std::promise<Result<json::value>> p;
    dispatcher_.Call(m, json::object(), ctx, [&](Result<json::value> r) { p.set_value(std::move(r)); });
    EXPECT_EQ(p.get_future().get().status().app_code(), "NODE_UNAVAILABLE") << m;
  }
}

TEST(JsonCodecTest, BlockEventAndDecodeBinary) {
  FakeNode node;
  ASSERT_TRUE(node.SubmitTx(node.MakeTx("put a 1")).ok());
  pb::Block block = node.CommitPending(1735689601000);
  auto event = BlockEventJson(block);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->at("height"), json::value(1));
  EXPECT_EQ(event->at("tx_count"), json::value(1));
  EXPECT_EQ(event->at("time"), json::value("2025-01-01T00:00:01Z"));
  EXPECT_EQ(event->at("hash"), json::value(ToHex(ledger::BlockHash(block))));
  EXPECT_TRUE(event->at("proposer").as_string().starts_with("ed25519:"));
  pb::Block broken;
  broken.set_header("\xff\xff");
  EXPECT_EQ(BlockEventJson(broken).status().code(), Code::kCorruption);

  EXPECT_EQ(*DecodeBinary("00ff", "x", "BAD"), std::string("\x00\xff", 2));
  EXPECT_EQ(*DecodeBinary("0x00FF", "x", "BAD"), std::string("\x00\xff", 2));
  EXPECT_EQ(*DecodeBinary("aGVsbG8=", "x", "BAD"), "hello");
  EXPECT_EQ(*DecodeBinary("aGVsbG8", "x", "BAD"), "hello");
  EXPECT_EQ(*DecodeBinary("-_8", "x", "BAD"), "\xfb\xff");
  EXPECT_EQ(DecodeBinary("a b", "x", "BAD").status().app_code(), "BAD");
  pb::PublicKey odd;
  odd.set_algo(static_cast<pb::SigAlgo>(9));
  odd.set_key("\x01");
  EXPECT_EQ(KeyString(odd), "unknown:01");
  pb::TxResult result;
  result.set_code(99);
  EXPECT_EQ(TxResultJson(result).at("code_name"), json::value("INTERNAL"));
}

// The same methods through the HTTP server: REST routes, health, metrics, /ws.
TEST(ChainServerTest, RestHealthMetricsAndBlockEvents) {
  FakeNode node;
  testing::TestServer t(ServerOptions{}, &node, RegisterChainMethods);
  Client client = t.MakeClient();

  auto health = client.GetJson("/healthz");
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_EQ(health->at("status"), json::value("ok"));
  EXPECT_EQ(health->at("height"), json::value(0));
  node.ready_ = false;
  EXPECT_EQ(client.Request("GET", "/healthz")->status, 503);
  node.ready_ = true;

  // A /ws subscriber, then a block published the way the node does it.
  namespace beast = boost::beast;
  namespace websocket = beast::websocket;
  boost::asio::io_context ioc;
  websocket::stream<boost::asio::ip::tcp::socket> ws(ioc);
  beast::get_lowest_layer(ws).connect({boost::asio::ip::make_address("127.0.0.1"), t.server->port()});
  ws.handshake("127.0.0.1", "/ws");
  ws.write(boost::asio::buffer(std::string(R"({"subscribe":"blocks"})")));
  beast::flat_buffer buffer;
  ws.read(buffer);
  buffer.consume(buffer.size());

  Bytes tx = node.MakeTx("put a 1");
  auto submitted = client.Call("tx_submit", json::object{{"tx", ToHex(tx)}});
  ASSERT_TRUE(submitted.ok()) << submitted.status().ToString();
  pb::Block block = node.CommitPending();
  t.server->PublishBlock(block);
  ws.read(buffer);
  json::value event = ParseJson(beast::buffers_to_string(buffer.data()));
  EXPECT_EQ(event.at("topic"), json::value("blocks"));
  EXPECT_EQ(event.at("data").at("height"), json::value(1));
  EXPECT_EQ(event.at("data").at("hash"), json::value(ToHex(ledger::BlockHash(block))));

  auto b = client.GetJson("/v1/blocks/1");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->at("txs").at(0).at("id"), json::value(ToHex(ledger::TxId(tx))));
  EXPECT_EQ(client.GetJson("/v1/blocks/latest")->at("height"), json::value(1));
  EXPECT_EQ(client.GetJson("/v1/blocks/" + ToHex(ledger::BlockHash(block)))->at("height"), json::value(1));
  auto got = client.GetJson("/v1/txs/" + ToHex(ledger::TxId(tx)));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->at("body").at("contract"), json::value("test"));
  auto missing = client.Request("GET", "/v1/blocks/7");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(ParseJson(missing->body).at("error").at("app_code"), json::value("BLOCK_NOT_FOUND"));
  EXPECT_EQ(client.Request("GET", "/v1/txs/xyz")->status, 400);

  std::string metrics = client.Get("/metrics")->body;
  EXPECT_NE(metrics.find("civic_chain_height 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("civic_test_node_metric 7\n"), std::string::npos);
  EXPECT_NE(metrics.find("civic_rpc_calls_total{code=\"OK\",method=\"chain_getBlock\"} 3"), std::string::npos);
  EXPECT_NE(metrics.find("civic_rpc_http_requests_total{route=\"/v1/blocks/{height}\",status=\"404\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("civic_rpc_ws_subscribers 1"), std::string::npos);
}

}  // namespace
}  // namespace civic::rpc
