#include "crypto/sm2.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include <memory>

namespace civic::crypto::sm2 {
namespace {

constexpr size_t kScalarSize = 32;
constexpr size_t kUncompressedSize = 1 + 2 * kScalarSize;
constexpr size_t kCompressedSize = 1 + kScalarSize;

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_clear_free>>;
using BnCtxPtr = std::unique_ptr<BN_CTX, Deleter<BN_CTX, BN_CTX_free>>;
using PointPtr = std::unique_ptr<EC_POINT, Deleter<EC_POINT, EC_POINT_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

const unsigned char* U8(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// The curve is read-only after creation, so one instance serves every thread.
const EC_GROUP* Group() {
  static const EC_GROUP* const group = EC_GROUP_new_by_curve_name(NID_sm2);
  return group;
}

BnPtr ToBn(std::string_view big_endian) {
  return BnPtr(BN_bin2bn(U8(big_endian), static_cast<int>(big_endian.size()), nullptr));
}

std::optional<Bytes> EncodePoint(const EC_POINT* point, BN_CTX* ctx) {
  Bytes out(kUncompressedSize, '\0');
  size_t n = EC_POINT_point2oct(Group(), point, POINT_CONVERSION_UNCOMPRESSED,
                                reinterpret_cast<unsigned char*>(out.data()), out.size(), ctx);
  if (n != kUncompressedSize) return std::nullopt;
  return out;
}

// An EVP_PKEY for the SM2 key with public point `public_key` (canonical 65 bytes) and,
// when `d` is not empty, its secret scalar.
PkeyPtr MakePkey(std::string_view public_key, std::string_view d) {
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld) return nullptr;
  BnPtr priv;
  if (!d.empty()) {
    priv = ToBn(d);
    if (!priv || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get()) != 1) {
      return nullptr;
    }
  }
  if (OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, SN_sm2, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, public_key.data(),
                                       public_key.size()) != 1) {
    return nullptr;
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "SM2", nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
  EVP_PKEY* pkey = nullptr;
  int selection = d.empty() ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEYPAIR;
  if (EVP_PKEY_fromdata(ctx.get(), &pkey, selection, params.get()) != 1) return nullptr;
  return PkeyPtr(pkey);
}

// Starts a SM3-with-SM2 sign or verify operation with the distinguishing ID set. The ID
// must be set before the first update: that is when OpenSSL hashes it into Z.
MdCtxPtr StartOperation(EVP_PKEY* pkey, bool sign) {
  MdCtxPtr md_ctx(EVP_MD_CTX_new());
  if (!md_ctx) return nullptr;
  EVP_PKEY_CTX* pkey_ctx = nullptr;  // owned by md_ctx
  int ok = sign ? EVP_DigestSignInit_ex(md_ctx.get(), &pkey_ctx, "SM3", nullptr, nullptr, pkey, nullptr)
                : EVP_DigestVerifyInit_ex(md_ctx.get(), &pkey_ctx, "SM3", nullptr, nullptr, pkey, nullptr);
  if (ok != 1 || pkey_ctx == nullptr ||
      EVP_PKEY_CTX_set1_id(pkey_ctx, kSm2DistinguishingId.data(),
                           static_cast<int>(kSm2DistinguishingId.size())) != 1) {
    return nullptr;
  }
  return md_ctx;
}

std::optional<Bytes> NormalizePublicKeyImpl(std::string_view key) {
  bool uncompressed = key.size() == kUncompressedSize && key[0] == 0x04;
  bool compressed = key.size() == kCompressedSize && (key[0] == 0x02 || key[0] == 0x03);
  if (!uncompressed && !compressed) return std::nullopt;
  const EC_GROUP* group = Group();
  BnCtxPtr ctx(BN_CTX_new());
  PointPtr point(group ? EC_POINT_new(group) : nullptr);
  if (!ctx || !point) return std::nullopt;
  if (EC_POINT_oct2point(group, point.get(), U8(key), key.size(), ctx.get()) != 1 ||
      EC_POINT_is_at_infinity(group, point.get()) ||
      EC_POINT_is_on_curve(group, point.get(), ctx.get()) != 1) {
    return std::nullopt;
  }
  return EncodePoint(point.get(), ctx.get());
}

std::optional<Bytes> PublicKeyFromSecretImpl(std::string_view d) {
  if (d.size() != kScalarSize) return std::nullopt;
  const EC_GROUP* group = Group();
  BnCtxPtr ctx(BN_CTX_new());
  BnPtr scalar = ToBn(d);
  BnPtr max(group ? BN_dup(EC_GROUP_get0_order(group)) : nullptr);
  if (!ctx || !scalar || !max || BN_sub_word(max.get(), 2) != 1) return std::nullopt;
  // SM2 needs 1 + d invertible mod n, hence d <= n - 2 (GB/T 32918.1 section 6.1).
  if (BN_is_zero(scalar.get()) || BN_cmp(scalar.get(), max.get()) > 0) return std::nullopt;
  PointPtr point(EC_POINT_new(group));
  if (!point || EC_POINT_mul(group, point.get(), scalar.get(), nullptr, nullptr, ctx.get()) != 1) {
    return std::nullopt;
  }
  return EncodePoint(point.get(), ctx.get());
}

Bytes SignImpl(std::string_view d, std::string_view public_key, std::string_view message) {
  PkeyPtr pkey = MakePkey(public_key, d);
  if (!pkey) return {};
  MdCtxPtr md_ctx = StartOperation(pkey.get(), /*sign=*/true);
  if (!md_ctx) return {};
  size_t der_len = 0;
  if (EVP_DigestSign(md_ctx.get(), nullptr, &der_len, U8(message), message.size()) != 1) return {};
  Bytes der(der_len, '\0');
  if (EVP_DigestSign(md_ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &der_len,
                     U8(message), message.size()) != 1) {
    return {};
  }
  const unsigned char* p = U8(der);
  SigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  if (!sig) return {};
  Bytes out(2 * kScalarSize, '\0');
  auto* raw = reinterpret_cast<unsigned char*>(out.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw, kScalarSize) != kScalarSize ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw + kScalarSize, kScalarSize) != kScalarSize) {
    return {};
  }
  return out;
}

bool VerifyImpl(std::string_view public_key, std::string_view message, std::string_view sig) {
  if (public_key.size() != kUncompressedSize || sig.size() != 2 * kScalarSize) return false;
  // OpenSSL verifies DER; r and s outside [1, n-1] are rejected by its SM2 verifier.
  SigPtr ecdsa_sig(ECDSA_SIG_new());
  BnPtr r = ToBn(sig.substr(0, kScalarSize));
  BnPtr s = ToBn(sig.substr(kScalarSize));
  if (!ecdsa_sig || !r || !s || ECDSA_SIG_set0(ecdsa_sig.get(), r.get(), s.get()) != 1) return false;
  r.release();  // now owned by ecdsa_sig
  s.release();
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(ecdsa_sig.get(), &der);
  if (der_len <= 0) return false;
  std::unique_ptr<unsigned char, void (*)(unsigned char*)> der_owner(
      der, [](unsigned char* p) { OPENSSL_free(p); });
  PkeyPtr pkey = MakePkey(public_key, {});
  if (!pkey) return false;
  MdCtxPtr md_ctx = StartOperation(pkey.get(), /*sign=*/false);
  if (!md_ctx) return false;
  return EVP_DigestVerify(md_ctx.get(), der, static_cast<size_t>(der_len), U8(message),
                          message.size()) == 1;
}

// A failed OpenSSL call leaves entries on the thread's error queue; callers get a
// plain answer instead, so the queue is emptied rather than left for unrelated code.
template <typename T>
T ClearErrorsIfFailed(T result) {
  if (!result) ERR_clear_error();
  return result;
}

}  // namespace

std::optional<Bytes> NormalizePublicKey(std::string_view key) {
  return ClearErrorsIfFailed(NormalizePublicKeyImpl(key));
}

std::optional<Bytes> PublicKeyFromSecret(std::string_view d) {
  return ClearErrorsIfFailed(PublicKeyFromSecretImpl(d));
}

Bytes Sign(std::string_view d, std::string_view public_key, std::string_view message) {
  Bytes sig = SignImpl(d, public_key, message);
  if (sig.empty()) ERR_clear_error();
  return sig;
}

bool Verify(std::string_view public_key, std::string_view message, std::string_view sig) {
  return ClearErrorsIfFailed(VerifyImpl(public_key, message, sig));
}

}  // namespace civic::crypto::sm2
