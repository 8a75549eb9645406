#include "contracts/certificate/holder.h"
#include "contracts/certificate/calls.h"
#include "contracts/governance/calls.h"
#include "contracts/base/tx_builder.h"

#include <gtest/gtest.h>

#include "crypto/hash.h"
#include "ledger/tx.h"

namespace civic::contracts {
namespace {

TEST(FieldDigestTest, DigestsTheAsciiOfTheDisclosureLikeSdJwt) {
  // SD-JWT (RFC 9901) example disclosure and its digest: SHA-256 over the ASCII
  // of the base64url string.
  std::string spec_disclosure = "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0";
  EXPECT_EQ(Base64UrlEncode(crypto::Sha256(spec_disclosure)), "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0");

  // Ours serializes the same array compactly.
  std::string disclosure = FieldDisclosure("_26bc4LT-ac6q2KI6cBW5es", "family_name", "Möbius");
  EXPECT_EQ(*Base64UrlDecode(disclosure), "[\"_26bc4LT-ac6q2KI6cBW5es\",\"family_name\",\"Möbius\"]");
  EXPECT_EQ(FieldDigest("_26bc4LT-ac6q2KI6cBW5es", "family_name", "Möbius"), crypto::Sha256(disclosure));
  // Quotes and control characters are escaped, so no two triples collide.
  EXPECT_EQ(*Base64UrlDecode(FieldDisclosure("s", "n", "a\"b\n")), "[\"s\",\"n\",\"a\\\"b\\n\"]");
  EXPECT_NE(FieldDigest("s", "n", "v1"), FieldDigest("s", "n", "v2"));
  EXPECT_NE(FieldDigest("s1", "n", "v"), FieldDigest("s2", "n", "v"));
}

TEST(FieldDigestTest, ClaimsDigestIsOrderIndependent) {
  google::protobuf::RepeatedPtrField<pb::ClaimDigest> a, b;
  for (const char* name : {"b", "a", "c"}) {
    auto* c = a.Add();
    c->set_name(name);
    c->set_digest(crypto::Sha256(name));
  }
  for (const char* name : {"a", "b", "c"}) {
    auto* c = b.Add();
    c->set_name(name);
    c->set_digest(crypto::Sha256(name));
  }
  EXPECT_EQ(ClaimsDigest(a), ClaimsDigest(b));
  EXPECT_EQ(ClaimsDigest(b),
            crypto::Sha256(crypto::Sha256("a") + crypto::Sha256("b") + crypto::Sha256("c")));
}

TEST(HolderCodeTest, ValidatesByType) {
  EXPECT_TRUE(ValidateHolderCode("citizen_id", "11010519491231002X").ok());
  EXPECT_TRUE(ValidateHolderCode("uscc", "914403001922038216").ok());
  EXPECT_EQ(ValidateHolderCode("citizen_id", "110105194912310021").app_code(), "BAD_CITIZEN_ID");
  EXPECT_EQ(ValidateHolderCode("uscc", "914403001922038217").app_code(), "BAD_USCC");
  EXPECT_EQ(ValidateHolderCode("uscc", "11010519491231002X").app_code(), "BAD_USCC");
  EXPECT_EQ(ValidateHolderCode("passport", "E12345678").app_code(), "HOLDER_CODE_TYPE_UNKNOWN");
}

TEST(HolderCommitmentTest, BindsSaltTypeAndCode) {
  Bytes c = HolderCommitment("salt", "citizen_id", "11010519491231002X");
  EXPECT_EQ(c.size(), 32u);
  EXPECT_NE(c, HolderCommitment("salt2", "citizen_id", "11010519491231002X"));
  EXPECT_NE(c, HolderCommitment("salt", "uscc", "11010519491231002X"));
  EXPECT_NE(c, HolderCommitment("salt", "citizen_id", "440524188001010014"));
  // Field boundaries are unambiguous.
  EXPECT_NE(HolderCommitment("ab", "c", "d"), HolderCommitment("a", "bc", "d"));
}

HolderCertificate SampleCopy() {
  HolderCertificate c = NewHolderCertificate("11510700008207313A001", "11510700008207313A", "citizen_id",
                                             "11010519491231002X",
                                             {{"name", "张三"}, {"sex", "男"}, {"id_number", "11010519491231002X"}});
  c.id = "1.2.156.3005.2.x";
  c.valid_from_ms = 10;
  c.valid_until_ms = 20;
  return c;
}

TEST(HolderCertificateTest, JsonRoundTrip) {
  HolderCertificate c = SampleCopy();
  EXPECT_EQ(c.holder_salt.size(), 22u);
  auto parsed = ParseHolderCertificate(SerializeHolderCertificate(c));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->id, c.id);
  EXPECT_EQ(parsed->holder_code, c.holder_code);
  EXPECT_EQ(parsed->holder_salt, c.holder_salt);
  ASSERT_EQ(parsed->fields.size(), 3u);
  EXPECT_EQ(parsed->valid_until_ms, 20);
  EXPECT_EQ(parsed->Commitment(), c.Commitment());
  EXPECT_EQ(parsed->Digest(), c.Digest());
  auto claims = c.Claims();
  ASSERT_EQ(claims.size(), 3u);
  EXPECT_EQ(claims[0].name(), "id_number");  // sorted by name
}

TEST(HolderCertificateTest, MalformedJsonIsATypedError) {
  for (std::string_view bad : {"", "{", "[]", "{\"type_code\":1}", "{\"type_code\":\"t\",\"issuer_org\":\"o\"}",
                               "{\"type_code\":\"t\",\"issuer_org\":\"o\",\"holder\":{\"code_type\":\"uscc\"},"
                               "\"fields\":[]}",
                               "{\"type_code\":\"t\",\"issuer_org\":\"o\",\"holder\":{\"code_type\":\"c\",\"code\":\"c\","
                               "\"salt\":\"s\"},\"fields\":[1]}",
                               "{\"type_code\":\"t\",\"issuer_org\":\"o\",\"holder\":{\"code_type\":\"c\",\"code\":\"c\","
                               "\"salt\":\"s\"},\"fields\":[],\"valid_from_ms\":\"x\"}"}) {
    auto r = ParseHolderCertificate(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().app_code(), "HOLDER_CERT_MALFORMED") << bad;
    }
  }
}

TEST(HolderCertificateTest, ValidationBeforeBuildingATx) {
  HolderCertificate c = SampleCopy();
  EXPECT_TRUE(ValidateHolderCertificate(c).ok());
  auto item = MakeIssueItem(c, "A123");
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->holder_commitment(), c.Commitment());
  EXPECT_EQ(item->claims_size(), 3);
  EXPECT_EQ(item->serial(), "A123");
  // The item carries no personal data.
  std::string wire = item->SerializeAsString();
  EXPECT_EQ(wire.find("11010519491231002X"), std::string::npos);
  EXPECT_EQ(wire.find("张三"), std::string::npos);

  HolderCertificate bad = c;
  bad.holder_code = "110105194912310021";
  EXPECT_EQ(MakeIssueItem(bad).status().app_code(), "BAD_CITIZEN_ID");
  bad = c;
  bad.holder_code_type = "passport";
  EXPECT_EQ(MakeIssueItem(bad).status().app_code(), "HOLDER_CODE_TYPE_UNKNOWN");
  bad = c;
  bad.holder_salt.clear();
  EXPECT_EQ(MakeIssueItem(bad).status().app_code(), "EMPTY_SALT");
  bad = c;
  bad.fields[0].name = "Name";
  EXPECT_EQ(MakeIssueItem(bad).status().app_code(), "BAD_FIELD_NAME");
  bad = c;
  bad.fields[1].name = bad.fields[0].name;
  EXPECT_EQ(MakeIssueItem(bad).status().app_code(), "DUPLICATE_FIELD");
  bad = c;
  bad.fields[2].salt.clear();
  EXPECT_EQ(MakeIssueItem(bad).status().app_code(), "EMPTY_SALT");
  EXPECT_EQ(MakeIssueItem(c, "a-1").status().app_code(), "BAD_SERIAL");
}

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
