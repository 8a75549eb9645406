#include "rpc/cert_events.h"

#include <gtest/gtest.h>

#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "chain_fixture.h"
#include "contracts/certificate/calls.h"
#include "crypto/base/bytes.h"
#include "test_util.h"

namespace civic::rpc {
namespace {

using testing::FakeNode;

class CertEventsTest : public ::testing::Test {
 protected:
  FakeNode node{FakeNode::Mode::kSample};
  const std::string id = node.sample_cert_id();

  Bytes Submit(const std::string& nonce, const pb::CertificateCall& call) {
    Bytes raw = contracts::CertificateTx(node.SampleTxParams(nonce), call, node.org_keys()[0]);
    auto admitted = node.SubmitTx(raw);
    EXPECT_TRUE(admitted.ok()) << admitted.status().ToString();
    return raw;
  }
};

TEST_F(CertEventsTest, SuspendRevokeAndTheirOrder) {
  Submit("s", contracts::SuspendCall(id, "证件遗失挂失"));
  pb::Block block = node.CommitPending();
  auto events = CertificateEventsOf(block, node.chain());
  ASSERT_EQ(events.size(), 1u);
  const json::object& e = events[0];
  EXPECT_EQ(e.at("id").as_string(), id);
  EXPECT_EQ(e.at("status").as_string(), "suspended");
  EXPECT_EQ(e.at("event").at("kind").as_string(), "suspended");
  EXPECT_EQ(e.at("event").at("reason").as_string(), "证件遗失挂失");
  EXPECT_EQ(e.at("event").at("tx_id").as_string(), ToHex(ledger::TxId(block.txs(0))));
  EXPECT_EQ(e.at("issuer_org").as_string(), "11510700008207313A");
  // Public values only: no holder commitment, no claims.
  EXPECT_FALSE(e.contains("holder_commitment"));
  EXPECT_FALSE(e.contains("claims"));

  Submit("r1", contracts::ReinstateCall(id, "证件找回"));
  Submit("r2", contracts::RevokeCall(id, "持证人死亡"));
  events = CertificateEventsOf(node.CommitPending(), node.chain());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].at("status").as_string(), "active");
  EXPECT_EQ(events[1].at("status").as_string(), "revoked");
}

TEST_F(CertEventsTest, FailedTxsAndOtherContractsMakeNoEvent) {
  Submit("a", contracts::RevokeCall(id, "first"));
  Submit("b", contracts::RevokeCall(id, "a second revocation fails"));  // admitted, fails when applied
  pb::Block block = node.CommitPending();
  ASSERT_EQ(block.txs_size(), 2);
  auto events = CertificateEventsOf(block, node.chain());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].at("event").at("reason").as_string(), "first");
  // The same block read again later gives the same events (taken from history).
  Submit("d", contracts::ReinstateCall(id, "not allowed after revocation"));
  node.CommitPending();
  EXPECT_EQ(CertificateEventsOf(block, node.chain()), events);
  pb::Block empty;
  EXPECT_TRUE(CertificateEventsOf(empty, node.chain()).empty());
  pb::Block junk;
  junk.add_txs("not a tx");
  EXPECT_TRUE(CertificateEventsOf(junk, node.chain()).empty());
}

TEST_F(CertEventsTest, ReplacementNamesTheSuccessor) {
  Submit("rep", contracts::ReplaceCall(id, nullptr, "遗失"));
  auto events = CertificateEventsOf(node.CommitPending(), node.chain());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].at("id").as_string(), id);
  EXPECT_EQ(events[0].at("status").as_string(), "revoked");
  ASSERT_TRUE(events[0].contains("next_id"));
  EXPECT_NE(events[0].at("next_id").as_string(), id);
}

// A subscriber of one topic over a real WebSocket (reads time out after 5 s).
class Subscriber {
 public:
  Subscriber(uint16_t port, const std::string& topic) : ws_(ioc_) {
    auto& sock = boost::beast::get_lowest_layer(ws_);
    sock.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    timeval tv{5, 0};
    setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ws_.handshake("127.0.0.1:" + std::to_string(port), "/ws");
    Send(R"({"subscribe":")" + topic + R"("})");
  }
  void Send(const std::string& text) { ws_.write(boost::asio::buffer(text)); }
  json::value Read() {
    boost::beast::flat_buffer buffer;
    boost::beast::error_code ec;
    ws_.read(buffer, ec);
    return ec ? json::value() : json::parse(boost::beast::buffers_to_string(buffer.data()));
  }

 private:
  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
};

TEST_F(CertEventsTest, TopicsDeliverTheEventsOfPublishedBlocks) {
  testing::TestServer t(ServerOptions{}, &node, RegisterAllMethods);
  Subscriber all(t.server->port(), "certificates");
  Subscriber one(t.server->port(), "certificate:" + id);
  Subscriber other(t.server->port(),
                   "certificate:1.2.156.3005.2.11510700008207313A001.11510700008207313A.0000000099.001.C");
  EXPECT_EQ(all.Read().at("subscribed"), json::value("certificates"));
  EXPECT_EQ(one.Read().at("subscribed"), json::value("certificate:" + id));
  EXPECT_TRUE(other.Read().as_object().contains("subscribed"));
  Subscriber bad(t.server->port(), "certificate:not-an-id");
  EXPECT_EQ(bad.Read().at("error").at("app_code"), json::value("UNKNOWN_TOPIC"));

  Submit("s", contracts::SuspendCall(id, "核查"));
  t.server->PublishBlock(node.CommitPending());
  json::value from_all = all.Read();
  EXPECT_EQ(from_all.at("topic"), json::value("certificates"));
  EXPECT_EQ(from_all.at("data").at("status"), json::value("suspended"));
  json::value from_one = one.Read();
  EXPECT_EQ(from_one.at("topic"), json::value("certificate:" + id));
  EXPECT_EQ(from_one.at("data"), from_all.at("data"));
  // The other certificate's subscriber hears nothing: its next message is the
  // answer to its own unsubscribe.
  other.Send(R"({"unsubscribe":"certificates"})");
  EXPECT_TRUE(other.Read().as_object().contains("unsubscribed"));
}

}  // namespace
}  // namespace civic::rpc
