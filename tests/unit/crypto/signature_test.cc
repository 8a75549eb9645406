#include "crypto/signature.h"

#include <gtest/gtest.h>
#include <secp256k1.h>
#include <sodium.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "crypto/hash.h"
#include "test_util.h"

namespace civic::crypto {
namespace {

using testing::Hex;
using testing::Sub256;

const Bytes kSecp256k1Order = Hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");

const Algo kAllAlgos[] = {Algo::kEd25519, Algo::kSecp256k1, Algo::kSm2};

std::string Name(Algo algo) { return AlgoName(algo); }

TEST(AlgoTest, NamesRoundTrip) {
  for (Algo algo : kAllAlgos) {
    Result<Algo> parsed = ParseAlgo(AlgoName(algo));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, algo);
  }
  for (const char* bad : {"", "Ed25519", "ed25519 ", "rsa", "secp256r1"}) {
    Result<Algo> parsed = ParseAlgo(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().app_code(), "UNSUPPORTED_ALGORITHM");
  }
}

class SignVerifyTest : public ::testing::TestWithParam<Algo> {};

TEST_P(SignVerifyTest, RoundTripAndRejections) {
  const Algo algo = GetParam();
  KeyPair key = KeyPair::Generate(algo);
  KeyPair other = KeyPair::Generate(algo);
  ASSERT_TRUE(key.public_key().Validate().ok());
  EXPECT_EQ(key.public_key().algo, algo);
  EXPECT_NE(key.public_key(), other.public_key());

  const std::string message = "issue certificate 1.2.156.3005.2.11100000000013338W009";
  Bytes sig = key.Sign(message);
  ASSERT_EQ(sig.size(), kSignatureSize);
  EXPECT_TRUE(Verify(key.public_key(), message, sig));
  EXPECT_TRUE(Verify(key.public_key(), "", key.Sign("")));

  EXPECT_FALSE(Verify(key.public_key(), message + ".", sig)) << "wrong message";
  EXPECT_FALSE(Verify(key.public_key(), "", sig)) << "empty message";
  EXPECT_FALSE(Verify(other.public_key(), message, sig)) << "wrong key";
  EXPECT_FALSE(Verify(key.public_key(), message, sig.substr(0, kSignatureSize - 1))) << "truncated";
  EXPECT_FALSE(Verify(key.public_key(), message, sig + '\0')) << "trailing byte";
  EXPECT_FALSE(Verify(key.public_key(), message, "")) << "empty signature";
  EXPECT_FALSE(Verify(key.public_key(), message, Bytes(kSignatureSize, '\0'))) << "zero signature";
  for (size_t byte : {size_t{0}, size_t{31}, size_t{32}, size_t{63}}) {
    Bytes flipped = sig;
    flipped[byte] ^= 0x01;
    EXPECT_FALSE(Verify(key.public_key(), message, flipped)) << "bit flipped in byte " << byte;
  }
  PublicKey truncated_key = key.public_key();
  truncated_key.key.pop_back();
  EXPECT_FALSE(Verify(truncated_key, message, sig));
  PublicKey empty_key{algo, ""};
  EXPECT_FALSE(Verify(empty_key, message, sig));
}

TEST_P(SignVerifyTest, AlgorithmMismatchRejects) {
  const Algo algo = GetParam();
  KeyPair key = KeyPair::Generate(algo);
  Bytes sig = key.Sign("m");
  for (Algo other : kAllAlgos) {
    if (other == algo) continue;
    PublicKey relabelled{other, key.public_key().key};
    EXPECT_FALSE(Verify(relabelled, "m", sig)) << Name(algo) << " key relabelled " << Name(other);
    EXPECT_FALSE(relabelled.Validate().ok());
    KeyPair other_key = KeyPair::Generate(other);
    EXPECT_FALSE(Verify(key.public_key(), "m", other_key.Sign("m")));
  }
  PublicKey unknown{static_cast<Algo>(99), key.public_key().key};
  EXPECT_FALSE(Verify(unknown, "m", sig));
  EXPECT_FALSE(unknown.Validate().ok());
}

TEST_P(SignVerifyTest, SecretRoundTripsThroughFromSecret) {
  const Algo algo = GetParam();
  KeyPair key = KeyPair::Generate(algo);
  EXPECT_EQ(key.secret().size(), 32u);
  Result<KeyPair> again = KeyPair::FromSecret(algo, key.secret());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->public_key(), key.public_key());
  EXPECT_TRUE(Verify(key.public_key(), "x", again->Sign("x")));

  for (size_t size : {size_t{0}, size_t{31}, size_t{33}, size_t{65}}) {
    Result<KeyPair> bad = KeyPair::FromSecret(algo, Bytes(size, '\x01'));
    ASSERT_FALSE(bad.ok()) << size;
    EXPECT_EQ(bad.status().app_code(), "BAD_SECRET_KEY");
  }
}

TEST_P(SignVerifyTest, CopiesAndAssignmentsKeepTheKey) {
  const Algo algo = GetParam();
  KeyPair key = KeyPair::Generate(algo);
  KeyPair copy = key;
  KeyPair assigned = KeyPair::Generate(algo);
  assigned = key;
  EXPECT_EQ(copy.public_key(), key.public_key());
  EXPECT_EQ(assigned.secret(), key.secret());
  EXPECT_TRUE(Verify(key.public_key(), "m", assigned.Sign("m")));
}

TEST_P(SignVerifyTest, SignsAndVerifiesFromSeveralThreads) {
  const Algo algo = GetParam();
  const KeyPair key = KeyPair::Generate(algo);
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        std::string msg = "thread " + std::to_string(t) + " message " + std::to_string(i);
        Bytes sig = key.Sign(msg);
        if (!Verify(key.public_key(), msg, sig) || Verify(key.public_key(), msg + "!", sig)) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

INSTANTIATE_TEST_SUITE_P(AllAlgos, SignVerifyTest, ::testing::ValuesIn(kAllAlgos),
                         [](const ::testing::TestParamInfo<Algo>& info) { return Name(info.param); });

TEST(Ed25519Test, DeterministicAndAccepts64ByteSecret) {
  KeyPair key = KeyPair::Generate(Algo::kEd25519);
  EXPECT_EQ(key.Sign("m"), key.Sign("m"));
  Bytes sk = key.secret() + key.public_key().key;  // libsodium's seed || pk layout
  Result<KeyPair> from_sk = KeyPair::FromSecret(Algo::kEd25519, sk);
  ASSERT_TRUE(from_sk.ok());
  EXPECT_EQ(from_sk->secret(), key.secret()) << "secret() is the 32-byte seed";
  EXPECT_EQ(from_sk->public_key(), key.public_key());

  Bytes mismatched = sk;
  mismatched[40] ^= 1;
  Result<KeyPair> bad = KeyPair::FromSecret(Algo::kEd25519, mismatched);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().app_code(), "BAD_SECRET_KEY");
}

TEST(Ed25519Test, NonCanonicalSIsRejected) {
  // S + L has the same value mod L; strict verification must refuse it (RFC 8032 5.1.7).
  KeyPair key = KeyPair::Generate(Algo::kEd25519);
  Bytes sig = key.Sign("m");
  // L = 2^252 + 27742317777372353535851937790883648493, little-endian.
  const Bytes l = Hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  Bytes s_plus_l(32, '\0');
  int carry = 0;
  for (int i = 0; i < 32; ++i) {
    int v = static_cast<unsigned char>(sig[32 + i]) + static_cast<unsigned char>(l[i]) + carry;
    s_plus_l[i] = static_cast<char>(v & 0xff);
    carry = v >> 8;
  }
  ASSERT_EQ(carry, 0);  // S < L < 2^253, so S + L fits in 32 bytes
  EXPECT_FALSE(Verify(key.public_key(), "m", sig.substr(0, 32) + s_plus_l));
}

TEST(Ed25519Test, IdentityKeyAndIdentitySignatureAreRejected) {
  // With A = R = identity and S = 0, the cofactorless equation [S]B = R + [k]A holds
  // for every message; a strict verifier refuses the small-order key and R.
  const Bytes identity = Hex("0100000000000000000000000000000000000000000000000000000000000000");
  const PublicKey pub{Algo::kEd25519, identity};
  for (const char* msg : {"", "anything", "transfer everything"}) {
    EXPECT_FALSE(Verify(pub, msg, identity + Bytes(32, '\0'))) << msg;
  }
  // A genuine key with R = identity and S = 0 is rejected too.
  KeyPair key = KeyPair::Generate(Algo::kEd25519);
  EXPECT_FALSE(Verify(key.public_key(), "m", identity + Bytes(32, '\0')));
}

TEST(Secp256k1Test, SignaturesAreLowSAndHighSIsRejected) {
  const secp256k1_context* ctx = secp256k1_context_static;
  for (int i = 0; i < 8; ++i) {
    KeyPair key = KeyPair::Generate(Algo::kSecp256k1);
    const std::string msg = "message " + std::to_string(i);
    Bytes sig = key.Sign(msg);
    ASSERT_EQ(sig.size(), 64u);
    secp256k1_ecdsa_signature parsed;
    ASSERT_EQ(secp256k1_ecdsa_signature_parse_compact(
                  ctx, &parsed, reinterpret_cast<const unsigned char*>(sig.data())),
              1);
    EXPECT_EQ(secp256k1_ecdsa_signature_normalize(ctx, nullptr, &parsed), 0) << "signature is high-S";
    // (r, n - s) is the same signature mathematically; the policy refuses it.
    Bytes high_s = sig.substr(0, 32) + Sub256(kSecp256k1Order, sig.substr(32));
    EXPECT_FALSE(Verify(key.public_key(), msg, high_s));
    // s = n overflows and must not parse as 0 or verify.
    EXPECT_FALSE(Verify(key.public_key(), msg, sig.substr(0, 32) + kSecp256k1Order));
  }
}

TEST(Secp256k1Test, Rfc6979DeterministicNonce) {
  // A widely published RFC 6979 secp256k1/SHA-256 vector: secret key 1, message
  // "Satoshi Nakamoto".
  Result<KeyPair> key = KeyPair::FromSecret(
      Algo::kSecp256k1, Hex("0000000000000000000000000000000000000000000000000000000000000001"));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(ToHex(key->public_key().key),
            "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
  EXPECT_EQ(ToHex(key->Sign("Satoshi Nakamoto")),
            "934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8"
            "2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5");
}

TEST(Secp256k1Test, SecretKeyRange) {
  EXPECT_FALSE(KeyPair::FromSecret(Algo::kSecp256k1, Bytes(32, '\0')).ok());
  EXPECT_FALSE(KeyPair::FromSecret(Algo::kSecp256k1, kSecp256k1Order).ok());
  Bytes n_minus_1 = kSecp256k1Order;
  n_minus_1[31] -= 1;
  EXPECT_TRUE(KeyPair::FromSecret(Algo::kSecp256k1, n_minus_1).ok());
}

TEST(Secp256k1Test, DerVerificationAcceptsBothKeyEncodingsAndIsStrict) {
  KeyPair key = KeyPair::Generate(Algo::kSecp256k1);
  const secp256k1_context* ctx = secp256k1_context_static;
  Bytes compact = key.Sign("m");
  secp256k1_ecdsa_signature parsed;
  ASSERT_EQ(secp256k1_ecdsa_signature_parse_compact(
                ctx, &parsed, reinterpret_cast<const unsigned char*>(compact.data())),
            1);
  unsigned char der[72];
  size_t der_len = sizeof der;
  ASSERT_EQ(secp256k1_ecdsa_signature_serialize_der(ctx, der, &der_len, &parsed), 1);
  const Bytes der_sig(reinterpret_cast<const char*>(der), der_len);

  secp256k1_pubkey pub;
  ASSERT_EQ(secp256k1_ec_pubkey_parse(ctx, &pub,
                                      reinterpret_cast<const unsigned char*>(key.public_key().key.data()), 33),
            1);
  unsigned char full[65];
  size_t full_len = sizeof full;
  secp256k1_ec_pubkey_serialize(ctx, full, &full_len, &pub, SECP256K1_EC_UNCOMPRESSED);
  const Bytes uncompressed(reinterpret_cast<const char*>(full), full_len);

  EXPECT_TRUE(VerifySecp256k1Der(key.public_key().key, "m", der_sig));
  EXPECT_TRUE(VerifySecp256k1Der(uncompressed, "m", der_sig));
  EXPECT_FALSE(VerifySecp256k1Der(uncompressed, "n", der_sig));
  EXPECT_FALSE(VerifySecp256k1Der(key.public_key().key, "m", der_sig + '\0')) << "trailing garbage";
  EXPECT_FALSE(VerifySecp256k1Der(key.public_key().key, "m", der_sig.substr(0, der_sig.size() - 1)));
  EXPECT_FALSE(VerifySecp256k1Der(key.public_key().key, "m", compact)) << "compact is not DER";
  EXPECT_FALSE(VerifySecp256k1Der(key.public_key().key, "m", ""));
  Bytes hybrid = uncompressed;
  hybrid[0] = static_cast<char>(0x06 | (full[64] & 1));
  EXPECT_FALSE(VerifySecp256k1Der(hybrid, "m", der_sig)) << "hybrid key encoding";
  EXPECT_FALSE(VerifySecp256k1Der(key.public_key().key.substr(1), "m", der_sig));
}

TEST(PublicKeyTest, ToStringParseRoundTrip) {
  for (Algo algo : kAllAlgos) {
    KeyPair key = KeyPair::Generate(algo);
    std::string text = key.public_key().ToString();
    EXPECT_EQ(text.rfind(Name(algo) + ":", 0), 0u) << text;
    Result<PublicKey> parsed = PublicKey::Parse(text);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(*parsed, key.public_key());
    // Upper-case hex parses to the same key.
    std::string upper = Name(algo) + ":" + ToHex(key.public_key().key);
    for (size_t i = Name(algo).size() + 1; i < upper.size(); ++i) upper[i] = static_cast<char>(toupper(upper[i]));
    Result<PublicKey> parsed_upper = PublicKey::Parse(upper);
    ASSERT_TRUE(parsed_upper.ok());
    EXPECT_EQ(*parsed_upper, key.public_key());
  }
}

TEST(PublicKeyTest, KnownEd25519KeyToString) {
  PublicKey pub{Algo::kEd25519, Hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")};
  EXPECT_EQ(pub.ToString(), "ed25519:d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  EXPECT_TRUE(pub.Validate().ok());
}

TEST(PublicKeyTest, Secp256k1UncompressedIsNormalisedToCompressed) {
  // The generator point G.
  const std::string g_uncompressed =
      "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
      "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8";
  Result<PublicKey> pub = PublicKey::Parse("secp256k1:" + g_uncompressed);
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_EQ(ToHex(pub->key), "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
  Result<PublicKey> from_bytes = PublicKey::FromBytes(Algo::kSecp256k1, Hex(g_uncompressed));
  ASSERT_TRUE(from_bytes.ok());
  EXPECT_EQ(*from_bytes, *pub);
  // The struct itself holds only the compressed form.
  PublicKey raw{Algo::kSecp256k1, Hex(g_uncompressed)};
  EXPECT_FALSE(raw.Validate().ok());
}

TEST(PublicKeyTest, BadInputsGiveBadPublicKey) {
  KeyPair secp = KeyPair::Generate(Algo::kSecp256k1);
  Bytes off_curve = secp.public_key().key;  // flip x until it leaves the curve
  PublicKey probe{Algo::kSecp256k1, off_curve};
  for (int i = 0; i < 256 && probe.Validate().ok(); ++i) probe.key[32] = static_cast<char>(i);
  ASSERT_FALSE(probe.Validate().ok());

  const std::string bad[] = {
      "",
      "ed25519",
      "ed25519:",
      ":d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
      "rsa:d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
      "ED25519:d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
      "ed25519:d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511",    // odd
      "ed25519:d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f70751",     // 31 bytes
      "ed25519:d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a00", // 33 bytes
      "ed25519:z75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
      "ed25519: d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
      // Small-order points: the identity, a point of order 4, and y = p (non-canonical).
      "ed25519:0100000000000000000000000000000000000000000000000000000000000000",
      "ed25519:0000000000000000000000000000000000000000000000000000000000000000",
      "ed25519:edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      // y >= p: non-canonical encoding.
      "ed25519:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "secp256k1:" + ToHex(probe.key),
      "secp256k1:04" + ToHex(probe.key.substr(1)) + ToHex(probe.key.substr(1)),
      "secp256k1:05" + ToHex(secp.public_key().key.substr(1)),
      "secp256k1:" + ToHex(secp.public_key().key.substr(0, 32)),
      "secp256k1:" + ToHex(Bytes(33, '\0')),
      "sm2:" + ToHex(Bytes(65, '\0')),
      "sm2:04" + ToHex(Bytes(64, '\x01')),
      "sm2:" + ToHex(secp.public_key().key) + "00",
  };
  for (const std::string& text : bad) {
    Result<PublicKey> parsed = PublicKey::Parse(text);
    ASSERT_FALSE(parsed.ok()) << "accepted: " << text;
    EXPECT_EQ(parsed.status().app_code(), "BAD_PUBLIC_KEY") << text;
    EXPECT_FALSE(parsed.status().message().empty());
  }
}

TEST(PublicKeyTest, Ed25519MixedOrderKeyFailsValidation) {
  // A point of order 8 (listed in libsodium's small-order blacklist).
  const Bytes torsion = Hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
  EXPECT_FALSE(PublicKey({Algo::kEd25519, torsion}).Validate().ok());
  // An honest key plus that point is on the curve and not of small order, but lies
  // outside the prime-order subgroup: Validate must refuse it.
  const Bytes honest = Hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  ASSERT_TRUE(PublicKey({Algo::kEd25519, honest}).Validate().ok());
  Bytes mixed(32, '\0');
  ASSERT_EQ(crypto_core_ed25519_add(reinterpret_cast<unsigned char*>(mixed.data()),
                                    reinterpret_cast<const unsigned char*>(honest.data()),
                                    reinterpret_cast<const unsigned char*>(torsion.data())),
            0);
  Result<PublicKey> parsed = PublicKey::FromBytes(Algo::kEd25519, mixed);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().app_code(), "BAD_PUBLIC_KEY");

  // Validate remembers valid keys only: asked again, from many threads and
  // interleaved with the honest key, the answers stay the same.
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (!PublicKey({Algo::kEd25519, honest}).Validate().ok()) ++wrong;
        if (PublicKey({Algo::kEd25519, mixed}).Validate().ok()) ++wrong;
        if (PublicKey({Algo::kEd25519, torsion}).Validate().ok()) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace civic::crypto
