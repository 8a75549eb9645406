// Project Wycheproof vectors: every "valid" verifies, every "invalid" is rejected.
// A missing vector file fails the test rather than skipping it.
#include <gtest/gtest.h>
#include <secp256k1.h>

#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "crypto/signature.h"
#include "test_util.h"

namespace civic::crypto {
namespace {

namespace json = boost::json;
using testing::Hex;

const std::string kDir = std::string(CIVIC_TESTVECTORS_DIR) + "/wycheproof/";

// Loads a vector file; fails the calling test (via ASSERT in the caller) when absent.
json::value LoadVectors(const std::string& name) {
  std::ifstream in(kDir + name, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "missing test vector file " << kDir + name;
    return nullptr;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::error_code ec;
  json::value doc = json::parse(text.str(), ec);
  if (ec || !doc.is_object() || !doc.as_object().contains("testGroups")) {
    ADD_FAILURE() << "cannot parse " << name << ": " << ec.message();
    return nullptr;
  }
  return doc;
}

std::string Str(const json::value& v, std::string_view key) {
  return std::string(v.as_object().at(key).as_string());
}

std::string Describe(const json::value& test) {
  return "tcId " + std::to_string(test.at("tcId").to_number<int64_t>()) + " (" + Str(test, "comment") + ")";
}

struct Counts {
  int valid = 0, invalid = 0, acceptable = 0, high_s_valid_rejected = 0;
};

TEST(WycheproofTest, Ed25519) {
  json::value doc = LoadVectors("ed25519_test.json");
  ASSERT_FALSE(doc.is_null());
  Counts counts;
  int groups = 0;
  for (const json::value& group : doc.at("testGroups").as_array()) {
    ++groups;
    const PublicKey pub{Algo::kEd25519, Hex(Str(group.at("publicKey"), "pk"))};
    bool any_valid = false;
    for (const json::value& test : group.at("tests").as_array()) {
      const std::string result = Str(test, "result");
      const bool ok = Verify(pub, Hex(Str(test, "msg")), Hex(Str(test, "sig")));
      if (result == "valid") {
        EXPECT_TRUE(ok) << "valid vector rejected: " << Describe(test);
        ++counts.valid;
        any_valid = true;
      } else if (result == "invalid") {
        EXPECT_FALSE(ok) << "invalid vector accepted: " << Describe(test);
        ++counts.invalid;
      } else {
        ++counts.acceptable;
      }
    }
    // Keys that sign valid vectors are ordinary keys, so registration accepts them.
    if (any_valid) {
      EXPECT_TRUE(pub.Validate().ok()) << "key of a valid vector fails Validate: " << ToHex(pub.key);
    }
  }
  std::cout << "[wycheproof] ed25519_test.json: " << groups << " groups; checked " << counts.valid
            << " valid (must verify), " << counts.invalid << " invalid (must be rejected), "
            << counts.acceptable << " acceptable (not asserted)\n";
  EXPECT_EQ(counts.valid + counts.invalid + counts.acceptable, doc.at("numberOfTests").to_number<int>());
  EXPECT_GT(counts.valid, 0);
  EXPECT_GT(counts.invalid, 0);
}

TEST(WycheproofTest, Rfc8032Section71Tests1To3) {
  // RFC 8032 section 7.1, TEST 1..3: secret seed, public key, message, signature. The
  // Wycheproof file carries the same vectors; check both agree with ours.
  struct Vector {
    const char* seed;
    const char* pk;
    const char* msg;
    const char* sig;
  };
  const Vector kVectors[] = {
      {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
       "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46b"
       "d25bf5f0595bbe24655141438e7a100b"},
      {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
       "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c"
       "387b2eaeb4302aeeb00d291612bb0c00"},
      {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
       "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
       "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc659"
       "4a7c15e9716ed28dc027beceea1ec40a"},
  };
  json::value doc = LoadVectors("ed25519_test.json");
  ASSERT_FALSE(doc.is_null());
  for (const Vector& v : kVectors) {
    SCOPED_TRACE(v.pk);
    Result<KeyPair> key = KeyPair::FromSecret(Algo::kEd25519, Hex(v.seed));
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(ToHex(key->public_key().key), v.pk);
    EXPECT_EQ(ToHex(key->Sign(Hex(v.msg))), v.sig);
    EXPECT_TRUE(Verify(key->public_key(), Hex(v.msg), Hex(v.sig)));

    int found = 0;
    for (const json::value& group : doc.at("testGroups").as_array()) {
      if (Str(group.at("publicKey"), "pk") != v.pk) continue;
      for (const json::value& test : group.at("tests").as_array()) {
        if (Str(test, "msg") == v.msg && Str(test, "sig") == v.sig && Str(test, "result") == "valid") ++found;
      }
    }
    EXPECT_EQ(found, 1) << "RFC 8032 vector not found in the Wycheproof file";
  }
}

// DER -> 64-byte compact r||s, or empty when libsecp256k1 cannot parse it.
Bytes DerToCompact(const Bytes& der, bool* high_s) {
  const secp256k1_context* ctx = secp256k1_context_static;
  secp256k1_ecdsa_signature sig;
  if (secp256k1_ecdsa_signature_parse_der(ctx, &sig, reinterpret_cast<const unsigned char*>(der.data()),
                                          der.size()) != 1) {
    return {};
  }
  *high_s = secp256k1_ecdsa_signature_normalize(ctx, nullptr, &sig) == 1;
  Bytes out(64, '\0');
  secp256k1_ecdsa_signature_serialize_compact(ctx, reinterpret_cast<unsigned char*>(out.data()), &sig);
  return out;
}

// The low-S DER twin of a DER signature.
Bytes NormalizedDer(const Bytes& der) {
  const secp256k1_context* ctx = secp256k1_context_static;
  secp256k1_ecdsa_signature sig;
  EXPECT_EQ(secp256k1_ecdsa_signature_parse_der(ctx, &sig, reinterpret_cast<const unsigned char*>(der.data()),
                                                der.size()),
            1);
  secp256k1_ecdsa_signature_normalize(ctx, &sig, &sig);
  unsigned char out[72];
  size_t len = sizeof out;
  secp256k1_ecdsa_signature_serialize_der(ctx, out, &len, &sig);
  return Bytes(reinterpret_cast<const char*>(out), len);
}

TEST(WycheproofTest, EcdsaSecp256k1Sha256Bitcoin) {
  json::value doc = LoadVectors("ecdsa_secp256k1_sha256_bitcoin_test.json");
  ASSERT_FALSE(doc.is_null());
  Counts counts;
  int compact_checked = 0;
  for (const json::value& group : doc.at("testGroups").as_array()) {
    const Bytes key = Hex(Str(group.at("publicKey"), "uncompressed"));
    Result<PublicKey> pub = PublicKey::FromBytes(Algo::kSecp256k1, key);
    ASSERT_TRUE(pub.ok()) << pub.status().ToString();
    for (const json::value& test : group.at("tests").as_array()) {
      const std::string result = Str(test, "result");
      const Bytes msg = Hex(Str(test, "msg"));
      const Bytes der = Hex(Str(test, "sig"));
      const bool ok = VerifySecp256k1Der(key, msg, der);
      if (result == "valid") {
        EXPECT_TRUE(ok) << "valid vector rejected: " << Describe(test);
        // The same signature in compact form through Verify, with the compressed key.
        bool high_s = false;
        Bytes compact = DerToCompact(der, &high_s);
        ASSERT_EQ(compact.size(), 64u) << Describe(test);
        EXPECT_FALSE(high_s) << Describe(test);
        EXPECT_TRUE(Verify(*pub, msg, compact)) << "compact form rejected: " << Describe(test);
        EXPECT_TRUE(VerifySecp256k1Der(pub->key, msg, der)) << "compressed key: " << Describe(test);
        ++compact_checked;
        ++counts.valid;
      } else if (result == "invalid") {
        EXPECT_FALSE(ok) << "invalid vector accepted: " << Describe(test);
        ++counts.invalid;
      } else {
        ++counts.acceptable;
      }
    }
  }
  std::cout << "[wycheproof] ecdsa_secp256k1_sha256_bitcoin_test.json: checked " << counts.valid
            << " valid (must verify; " << compact_checked << " also in compact form), " << counts.invalid
            << " invalid (must be rejected), " << counts.acceptable << " acceptable (not asserted)\n";
  EXPECT_EQ(counts.valid + counts.invalid + counts.acceptable, doc.at("numberOfTests").to_number<int>());
  EXPECT_GT(counts.valid, 0);
  EXPECT_GT(counts.invalid, 0);
}

TEST(WycheproofTest, EcdsaSecp256k1Sha256HighSPolicy) {
  // This file follows plain ECDSA, where (r, s) and (r, n - s) are both valid. Our
  // policy rejects the high-S half: valid low-S vectors verify, valid high-S vectors
  // are rejected (and their low-S twin verifies), every invalid vector is rejected.
  json::value doc = LoadVectors("ecdsa_secp256k1_sha256_test.json");
  ASSERT_FALSE(doc.is_null());
  Counts counts;
  for (const json::value& group : doc.at("testGroups").as_array()) {
    const Bytes key = Hex(Str(group.at("publicKey"), "uncompressed"));
    for (const json::value& test : group.at("tests").as_array()) {
      const std::string result = Str(test, "result");
      const Bytes msg = Hex(Str(test, "msg"));
      const Bytes der = Hex(Str(test, "sig"));
      const bool ok = VerifySecp256k1Der(key, msg, der);
      if (result == "valid") {
        bool high_s = false;
        ASSERT_EQ(DerToCompact(der, &high_s).size(), 64u) << Describe(test);
        if (high_s) {
          EXPECT_FALSE(ok) << "high-S signature accepted: " << Describe(test);
          EXPECT_TRUE(VerifySecp256k1Der(key, msg, NormalizedDer(der))) << "low-S twin: " << Describe(test);
          ++counts.high_s_valid_rejected;
        } else {
          EXPECT_TRUE(ok) << "valid low-S vector rejected: " << Describe(test);
          ++counts.valid;
        }
      } else if (result == "invalid") {
        EXPECT_FALSE(ok) << "invalid vector accepted: " << Describe(test);
        ++counts.invalid;
      } else {
        ++counts.acceptable;
      }
    }
  }
  std::cout << "[wycheproof] ecdsa_secp256k1_sha256_test.json: checked " << counts.valid
            << " valid low-S (must verify), " << counts.high_s_valid_rejected
            << " valid high-S (must be rejected by policy), " << counts.invalid
            << " invalid (must be rejected), " << counts.acceptable << " acceptable (not asserted)\n";
  EXPECT_EQ(counts.valid + counts.high_s_valid_rejected + counts.invalid + counts.acceptable,
            doc.at("numberOfTests").to_number<int>());
  EXPECT_GT(counts.valid, 0);
  EXPECT_GT(counts.high_s_valid_rejected, 0);
}

}  // namespace
}  // namespace civic::crypto
