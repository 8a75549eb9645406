#include "ledger/tx.h"

#include <gtest/gtest.h>

#include "crypto/hash.h"
#include "test_util.h"

namespace civic::ledger {
namespace {

using testing::KeyFromSeed;

pb::TxBody Body(const std::string& chain_id = "c1") {
  pb::TxBody body;
  body.set_chain_id(chain_id);
  body.set_valid_until_height(10);
  body.set_org("91510700MA62A0XXXX");
  body.set_nonce("n");
  body.set_contract("certificate");
  body.set_call("call-bytes");
  return body;
}

pb::SignedTx Parse(const Bytes& raw) {
  pb::SignedTx tx;
  EXPECT_TRUE(tx.ParseFromString(raw));
  return tx;
}

void ExpectError(const Result<DecodedTx>& r, const std::string& app_code) {
  ASSERT_FALSE(r.ok()) << "expected " << app_code;
  EXPECT_EQ(r.status().app_code(), app_code) << r.status().ToString();
  EXPECT_FALSE(r.status().message().empty());
}

TEST(TxTest, SignBytesLayout) {
  Bytes expected("civicledger/tx/v1\0c1\0body", 25);
  EXPECT_EQ(TxSignBytes("c1", "body"), expected);
}

TEST(TxTest, IdIsSha256OfRawBytes) {
  Bytes raw = SignTx(Body(), KeyFromSeed(1));
  EXPECT_EQ(TxId(raw), crypto::Sha256(raw));
}

TEST(TxTest, KeyProtoRoundTrip) {
  for (auto algo : {crypto::Algo::kEd25519, crypto::Algo::kSecp256k1, crypto::Algo::kSm2}) {
    auto key = KeyFromSeed(3, algo).public_key();
    EXPECT_EQ(FromProto(ToProto(key)), key);
    EXPECT_EQ(static_cast<int>(ToProto(key).algo()), static_cast<int>(algo));
  }
}

TEST(TxTest, DecodesValidTxOfEveryAlgorithm) {
  for (auto algo : {crypto::Algo::kEd25519, crypto::Algo::kSecp256k1, crypto::Algo::kSm2}) {
    auto key = KeyFromSeed(2, algo);
    Bytes raw = SignTx(Body(), key);
    auto tx = DecodeTx(raw, "c1");
    ASSERT_TRUE(tx.ok()) << tx.status().ToString();
    EXPECT_EQ(tx->raw, raw);
    EXPECT_EQ(tx->id, TxId(raw));
    EXPECT_EQ(tx->signer, key.public_key());
    EXPECT_EQ(tx->body.contract(), "certificate");
    EXPECT_EQ(tx->body.call(), "call-bytes");
  }
}

TEST(TxTest, OversizedTxIsTooLarge) {
  Bytes raw(kMaxTxBytes + 1, 'x');
  auto r = DecodeTx(raw, "c1");
  ExpectError(r, "TX_TOO_LARGE");
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
}

TEST(TxTest, GarbageIsMalformed) {
  ExpectError(DecodeTx("", "c1"), "TX_MALFORMED");
  ExpectError(DecodeTx("\xff\xff\xff\xff garbage", "c1"), "TX_MALFORMED");
  ExpectError(DecodeTx(Bytes("\x0a\x05\x01", 3), "c1"), "TX_MALFORMED");  // truncated field
  // A SignedTx whose body is not a TxBody.
  pb::SignedTx tx = Parse(SignTx(Body(), KeyFromSeed(1)));
  tx.set_body("\xff\xff\xff");
  ExpectError(DecodeTx(tx.SerializeAsString(), "c1"), "TX_MALFORMED");
}

TEST(TxTest, NonCanonicalEncodingIsMalformed) {
  Bytes raw = SignTx(Body(), KeyFromSeed(1));
  // An unknown field appended keeps the signature valid but would change the id.
  Bytes extra = raw + Bytes("\x78\x01", 2);
  ExpectError(DecodeTx(extra, "c1"), "TX_MALFORMED");
  // The body field repeated: parsers keep the last one.
  Bytes twice = raw + Bytes("\x0a\x00", 2);
  ExpectError(DecodeTx(twice, "c1"), "TX_MALFORMED");
}

TEST(TxTest, EmptyContractIsMalformed) {
  pb::TxBody body = Body();
  body.clear_contract();
  ExpectError(DecodeTx(SignTx(body, KeyFromSeed(1)), "c1"), "TX_MALFORMED");
}

TEST(TxTest, WrongChainId) {
  ExpectError(DecodeTx(SignTx(Body("other-chain"), KeyFromSeed(1)), "c1"), "WRONG_CHAIN_ID");
}

TEST(TxTest, BadSignatures) {
  Bytes raw = SignTx(Body(), KeyFromSeed(1));
  pb::SignedTx tx = Parse(raw);

  pb::SignedTx flipped = tx;
  flipped.mutable_sig()->mutable_sig()->at(5) ^= 1;
  ExpectError(DecodeTx(flipped.SerializeAsString(), "c1"), "BAD_SIGNATURE");

  pb::SignedTx other_signer = tx;
  *other_signer.mutable_sig()->mutable_signer() = ToProto(KeyFromSeed(2).public_key());
  ExpectError(DecodeTx(other_signer.SerializeAsString(), "c1"), "BAD_SIGNATURE");

  pb::SignedTx changed_body = tx;
  pb::TxBody body = Body();
  body.set_call("something else");
  changed_body.set_body(body.SerializeAsString());
  ExpectError(DecodeTx(changed_body.SerializeAsString(), "c1"), "BAD_SIGNATURE");

  pb::SignedTx unsigned_tx = tx;
  unsigned_tx.clear_sig();
  ExpectError(DecodeTx(unsigned_tx.SerializeAsString(), "c1"), "BAD_SIGNATURE");

  pb::SignedTx bad_key = tx;
  bad_key.mutable_sig()->mutable_signer()->set_key("short");
  ExpectError(DecodeTx(bad_key.SerializeAsString(), "c1"), "BAD_SIGNATURE");

  // An ed25519 signature presented as secp256k1.
  pb::SignedTx wrong_suite = tx;
  wrong_suite.mutable_sig()->mutable_signer()->set_algo(pb::SECP256K1);
  ExpectError(DecodeTx(wrong_suite.SerializeAsString(), "c1"), "BAD_SIGNATURE");
}

TEST(TxTest, UnknownAlgorithmIsUnsupported) {
  pb::SignedTx tx = Parse(SignTx(Body(), KeyFromSeed(1)));
  tx.mutable_sig()->mutable_signer()->set_algo(static_cast<pb::SigAlgo>(42));
  ExpectError(DecodeTx(tx.SerializeAsString(), "c1"), "UNSUPPORTED_ALGORITHM");
  tx.mutable_sig()->mutable_signer()->set_algo(pb::SIG_ALGO_UNSPECIFIED);
  ExpectError(DecodeTx(tx.SerializeAsString(), "c1"), "UNSUPPORTED_ALGORITHM");
}

TEST(TxTest, SkippingSignatureCheckStillChecksEverythingElse) {
  pb::SignedTx tx = Parse(SignTx(Body(), KeyFromSeed(1)));
  tx.mutable_sig()->mutable_sig()->at(0) ^= 1;
  EXPECT_TRUE(DecodeTx(tx.SerializeAsString(), "c1", /*verify_signature=*/false).ok());
  ExpectError(DecodeTx(tx.SerializeAsString(), "c2", false), "WRONG_CHAIN_ID");
  tx.mutable_sig()->mutable_signer()->set_algo(static_cast<pb::SigAlgo>(9));
  ExpectError(DecodeTx(tx.SerializeAsString(), "c1", false), "UNSUPPORTED_ALGORITHM");
}

}  // namespace
}  // namespace civic::ledger
