// The holder's copy and its digests (contracts/certificate/holder.h), and the
// holder code rule it applies (contracts/certificate/rules.h).
#include "contracts/certificate/holder.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "contracts/certificate/rules.h"
#include "crypto/hash.h"

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

// Digests on chain were computed over Boost.JSON's serialization of the array:
// the disclosure must stay byte for byte the same, for every byte value.
TEST(FieldDigestTest, DisclosureJsonIsBoostJsonsForEveryByte) {
  auto boost_json = [](std::string_view salt, std::string_view name, std::string_view value) {
    boost::json::array array;
    for (std::string_view s : {salt, name, value}) array.emplace_back(boost::json::string_view(s.data(), s.size()));
    return boost::json::serialize(array);
  };
  std::string every_byte;
  for (int b = 0; b < 256; ++b) {
    std::string one(1, static_cast<char>(b));
    every_byte += one;
    EXPECT_EQ(*Base64UrlDecode(FieldDisclosure(one, "n", "v")), boost_json(one, "n", "v")) << "byte " << b;
  }
  EXPECT_EQ(*Base64UrlDecode(FieldDisclosure("s", every_byte, "张三 \"\\/")),
            boost_json("s", every_byte, "张三 \"\\/"));
  EXPECT_EQ(*Base64UrlDecode(FieldDisclosure("\x01\x1f\x7f", "\b\f\n\r\t", "")),
            "[\"\\u0001\\u001f\x7f\",\"\\b\\f\\n\\r\\t\",\"\"]");
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

// The one preparation `civic cert issue` and the issuer API share.
pb::CertType IdCardType() {
  pb::CertType type;
  type.set_code("11510700008207313A001");
  type.set_holder_code_type("citizen_id");
  for (auto [name, required] : {std::pair{"name", true}, {"address", true}, {"note", false}}) {
    pb::CertFieldSpec* f = type.add_fields();
    f->set_name(name);
    f->set_required(required);
  }
  return type;
}

SaltSource CountingSalts() {
  auto n = std::make_shared<int>(0);
  return [n] { return "salt-" + std::to_string((*n)++); };
}

TEST(PrepareIssueTest, BuildsTheCopyAndItemFromClearValues) {
  IssueRequest r{"citizen_id", "11010519491231002X", {{"name", "张三"}, {"address", "绵阳"}}, "A1", 1000, 2000};
  auto a = PrepareIssue(IdCardType(), "11510700008207313A", r, CountingSalts());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->copy.holder_salt, "salt-0");
  EXPECT_EQ(a->copy.fields.at(0).salt, "salt-1");  // "address": name order
  EXPECT_FALSE(a->copy.id.empty());
  EXPECT_EQ(a->item.holder_commitment(), a->copy.Commitment());
  EXPECT_EQ(a->item.valid_until_ms(), 2000);
  // The same salts give the same copy: what lets the issuer API answer a retry alike.
  auto b = PrepareIssue(IdCardType(), "11510700008207313A", r, CountingSalts());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->item.SerializeAsString(), b->item.SerializeAsString());
}

TEST(PrepareIssueTest, RefusesWhatDoesNotFitTheType) {
  const std::string org = "11510700008207313A";
  auto code = [&](IssueRequest r, pb::CertType type = IdCardType()) {
    return PrepareIssue(type, org, r).status().app_code();
  };
  std::map<std::string, std::string> good = {{"name", "张三"}, {"address", "绵阳"}};
  EXPECT_EQ(code({"uscc", "91510700MA6281234X", good}), "HOLDER_TYPE_MISMATCH");
  EXPECT_EQ(code({"citizen_id", "110105194912310021", good}), "BAD_CITIZEN_ID");
  auto extra = good;
  extra["nickname"] = "x";
  EXPECT_EQ(code({"citizen_id", "11010519491231002X", extra}), "UNKNOWN_FIELD");
  auto empty = good;
  empty["name"] = "";
  EXPECT_EQ(code({"citizen_id", "11010519491231002X", empty}), "EMPTY_FIELD");
  EXPECT_EQ(code({"citizen_id", "11010519491231002X", {{"name", "张三"}}}), "MISSING_FIELD");
  EXPECT_EQ(code({"citizen_id", "11010519491231002X", good, "", 2000, 1000}), "BAD_VALIDITY");
  EXPECT_EQ(code({"citizen_id", "11010519491231002X", good, "a-1"}), "BAD_SERIAL");
  pb::CertType retired = IdCardType();
  retired.set_retired(true);
  EXPECT_EQ(code({"citizen_id", "11010519491231002X", good}, retired), "TYPE_RETIRED");
}

}  // namespace
}  // namespace civic::contracts
