// The call builders and signed txs of the certificate and governance contracts
// (contracts/certificate/calls.h, contracts/governance/calls.h).
#include "contracts/certificate/calls.h"

#include <gtest/gtest.h>

#include "contracts/base/tx_builder.h"
#include "contracts/governance/calls.h"
#include "ledger/tx.h"

namespace civic::contracts {
namespace {

TEST(TxBuilderTest, BuildsSignedTxsThatDecode) {
  auto key = crypto::KeyPair::FromSecret(crypto::Algo::kEd25519, Bytes(32, '\x07')).value();
  TxParams params{"chain-x", "11510700008207313A", 42, "nonce"};
  Bytes raw = CertificateTx(params, RevokeCall("id", "reason"), key);
  auto tx = ledger::DecodeTx(raw, "chain-x");
  ASSERT_TRUE(tx.ok()) << tx.status().ToString();
  EXPECT_EQ(tx->body.contract(), "certificate");
  EXPECT_EQ(tx->body.org(), "11510700008207313A");
  EXPECT_EQ(tx->body.valid_until_height(), 42u);
  pb::CertificateCall call;
  ASSERT_TRUE(call.ParseFromString(tx->body.call()));
  EXPECT_EQ(call.revoke().reason(), "reason");
  // Same inputs, same bytes; an empty nonce is filled at random.
  EXPECT_EQ(raw, CertificateTx(params, RevokeCall("id", "reason"), key));
  params.nonce.clear();
  EXPECT_NE(CertificateTx(params, RevokeCall("id", "reason"), key),
            CertificateTx(params, RevokeCall("id", "reason"), key));
  Bytes vote = VoteTx(params, 3, true, key);
  auto vtx = ledger::DecodeTx(vote, "chain-x");
  ASSERT_TRUE(vtx.ok());
  pb::GovernanceCall g;
  ASSERT_TRUE(g.ParseFromString(vtx->body.call()));
  EXPECT_EQ(g.vote().proposal_id(), 3u);
}

}  // namespace
}  // namespace civic::contracts
