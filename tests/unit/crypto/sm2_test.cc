#include <gtest/gtest.h>

#include "crypto/signature.h"
#include "test_util.h"

namespace civic::crypto {
namespace {

using testing::Hex;

// GB/T 32918.5-2016 annex A (recommended curve), distinguishing ID "1234567812345678".
const char kSecret[] = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8";
const char kPublic[] =
    "0409F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13";
const char kMessage[] = "message digest";
const char kR[] = "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3";
const char kS[] = "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA";
const char kOrder[] = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123";

TEST(Sm2Test, StandardVectorPublicKeyAndSignature) {
  Result<KeyPair> key = KeyPair::FromSecret(Algo::kSm2, Hex(kSecret));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->public_key().key, Hex(kPublic));
  EXPECT_TRUE(key->public_key().Validate().ok());

  const Bytes sig = Hex(kR) + Hex(kS);
  EXPECT_TRUE(Verify(key->public_key(), kMessage, sig));
  EXPECT_FALSE(Verify(key->public_key(), "message digesT", sig));
  Bytes other_s = sig;
  other_s[63] ^= 1;
  EXPECT_FALSE(Verify(key->public_key(), kMessage, other_s));
  // Swapping r and s, r = 0 and s = n are all refused.
  EXPECT_FALSE(Verify(key->public_key(), kMessage, Hex(kS) + Hex(kR)));
  EXPECT_FALSE(Verify(key->public_key(), kMessage, Bytes(32, '\0') + Hex(kS)));
  EXPECT_FALSE(Verify(key->public_key(), kMessage, Hex(kR) + Hex(kOrder)));

  // Signing draws a fresh nonce, so signatures differ but all verify.
  Bytes a = key->Sign(kMessage), b = key->Sign(kMessage);
  EXPECT_NE(a, b);
  EXPECT_TRUE(Verify(key->public_key(), kMessage, a));
  EXPECT_TRUE(Verify(key->public_key(), kMessage, b));
}

TEST(Sm2Test, CompressedKeyIsNormalised) {
  const Bytes full = Hex(kPublic);
  // y ends in 0x13: odd, so the compressed prefix is 03.
  Bytes compressed_odd(1, '\x03'), compressed_even(1, '\x02');
  compressed_odd += full.substr(1, 32);
  compressed_even += full.substr(1, 32);
  Result<PublicKey> pub = PublicKey::FromBytes(Algo::kSm2, compressed_odd);
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_EQ(pub->key, full);
  // The other parity is the negated point: valid, but a different key.
  Result<PublicKey> negated = PublicKey::FromBytes(Algo::kSm2, compressed_even);
  ASSERT_TRUE(negated.ok());
  EXPECT_NE(negated->key, full);
  EXPECT_EQ(negated->key.substr(0, 33), full.substr(0, 33));
}

TEST(Sm2Test, SecretKeyRange) {
  const Bytes n = Hex(kOrder);
  Bytes n_minus_1 = n, n_minus_2 = n;
  n_minus_1[31] = static_cast<char>(0x22);
  n_minus_2[31] = static_cast<char>(0x21);
  EXPECT_FALSE(KeyPair::FromSecret(Algo::kSm2, Bytes(32, '\0')).ok());
  EXPECT_FALSE(KeyPair::FromSecret(Algo::kSm2, n).ok());
  EXPECT_FALSE(KeyPair::FromSecret(Algo::kSm2, n_minus_1).ok()) << "1 + d must be invertible";
  Result<KeyPair> top = KeyPair::FromSecret(Algo::kSm2, n_minus_2);
  ASSERT_TRUE(top.ok());
  EXPECT_TRUE(Verify(top->public_key(), "m", top->Sign("m")));
  Result<KeyPair> one = KeyPair::FromSecret(Algo::kSm2, Hex("0000000000000000000000000000000000000000000000000000000000000001"));
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(Verify(one->public_key(), "m", one->Sign("m")));
}

}  // namespace
}  // namespace civic::crypto
