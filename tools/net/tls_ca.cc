#include "tools/net/tls_ca.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <memory>

#include "tools/common/errors.h"

namespace civic::tools {
namespace {

constexpr long kDay = 24 * 60 * 60;

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

Status Failed(const std::string& step) {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  char reason[256] = "unknown reason";
  if (code != 0) ERR_error_string_n(code, reason, sizeof(reason));
  return Status(Code::kInternal, err::TLS_CERT_CREATE_FAILED, "cannot " + step + ": " + reason);
}

Result<KeyPtr> NewKey() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Failed("generate a P-256 key");
  return key;
}

using PemWriter = int (*)(BIO*, const void*);

Result<std::string> Pem(PemWriter write, const void* object, const char* what) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get(), object) != 1) return Failed(std::string("encode the ") + what);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

Result<TlsCertificate> Encode(const X509* cert, const EVP_PKEY* key) {
  PemWriter write_cert = [](BIO* b, const void* c) { return PEM_write_bio_X509(b, static_cast<const X509*>(c)); };
  PemWriter write_key = [](BIO* b, const void* k) {
    return PEM_write_bio_PrivateKey(b, static_cast<const EVP_PKEY*>(k), nullptr, nullptr, 0, nullptr, nullptr);
  };
  TlsCertificate out;
  CIVIC_ASSIGN_OR_RETURN(out.cert_pem, Pem(write_cert, cert, "certificate"));
  CIVIC_ASSIGN_OR_RETURN(out.key_pem, Pem(write_key, key, "key"));
  return out;
}

// The CA's certificate and key from PEM (an encrypted key is refused, never prompted for).
Status Decode(const TlsCertificate& pem, CertPtr* cert, KeyPtr* key) {
  BioPtr cert_bio(BIO_new_mem_buf(pem.cert_pem.data(), static_cast<int>(pem.cert_pem.size())));
  cert->reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!*cert) return Failed("read the CA certificate");
  BioPtr key_bio(BIO_new_mem_buf(pem.key_pem.data(), static_cast<int>(pem.key_pem.size())));
  auto no_passphrase = [](char*, int, int, void*) { return 0; };
  key->reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, no_passphrase, nullptr));
  if (!*key) return Failed("read the CA key");
  return Status::Ok();
}

// A certificate for `key` named `common_name`, valid from now for `days`, with
// a random serial; issuer and extensions are the caller's.
Result<CertPtr> NewCertificate(const EVP_PKEY* key, const std::string& common_name, long days) {
  CertPtr cert(X509_new());
  unsigned char serial[16];
  if (!cert || RAND_bytes(serial, sizeof(serial)) != 1) return Failed("start a certificate");
  serial[0] &= 0x7f;  // a positive INTEGER
  std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>> bn(BN_bin2bn(serial, sizeof(serial), nullptr));
  bool ok = bn && X509_set_version(cert.get(), 2) == 1 &&
            BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) != nullptr &&
            X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300) != nullptr &&
            X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * kDay) != nullptr &&
            X509_set_pubkey(cert.get(), const_cast<EVP_PKEY*>(key)) == 1 &&
            X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0) == 1;
  if (!ok) return Failed("fill in a certificate");
  return cert;
}

Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return Failed("add the extension " + value);
  int added = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (added != 1) return Failed("add the extension " + value);
  return Status::Ok();
}

Status Sign(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, EVP_sha256()) == 0) return Failed("sign a certificate");
  return Status::Ok();
}

// A leaf certificate signed by `ca` with the given extensions.
Result<TlsCertificate> IssueLeaf(const TlsCertificate& ca_pem, const std::string& common_name,
                                 const std::vector<std::pair<int, std::string>>& extensions) {
  CertPtr ca_cert;
  KeyPtr ca_key;
  CIVIC_RETURN_IF_ERROR(Decode(ca_pem, &ca_cert, &ca_key));
  CIVIC_ASSIGN_OR_RETURN(KeyPtr key, NewKey());
  CIVIC_ASSIGN_OR_RETURN(CertPtr cert, NewCertificate(key.get(), common_name, 825));
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get())) != 1) return Failed("set the issuer");
  CIVIC_RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  CIVIC_RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert.get(), NID_subject_key_identifier, "hash"));
  CIVIC_RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid:always"));
  for (const auto& [nid, value] : extensions) {
    CIVIC_RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert.get(), nid, value));
  }
  CIVIC_RETURN_IF_ERROR(Sign(cert.get(), ca_key.get()));
  return Encode(cert.get(), key.get());
}

}  // namespace

Result<TlsCertificate> CreateTlsCa(const std::string& common_name) {
  CIVIC_ASSIGN_OR_RETURN(KeyPtr key, NewKey());
  CIVIC_ASSIGN_OR_RETURN(CertPtr cert, NewCertificate(key.get(), common_name, 3650));
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) != 1) return Failed("set the issuer");
  CIVIC_RETURN_IF_ERROR(AddExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
  CIVIC_RETURN_IF_ERROR(AddExtension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign"));
  CIVIC_RETURN_IF_ERROR(AddExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash"));
  CIVIC_RETURN_IF_ERROR(Sign(cert.get(), key.get()));
  return Encode(cert.get(), key.get());
}

Result<TlsCertificate> IssueTlsServerCertificate(const TlsCertificate& ca, const std::vector<std::string>& hosts) {
  if (hosts.empty()) return Status::InvalidArgument(err::TLS_CERT_CREATE_FAILED, "a server certificate names a host");
  std::string san;
  for (const std::string& host : hosts) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    san += (san.empty() ? "" : ",") + std::string(ec ? "DNS:" : "IP:") + host;
  }
  return IssueLeaf(ca, hosts.front(),
                   {{NID_key_usage, "critical,digitalSignature"},
                    {NID_ext_key_usage, "serverAuth"},
                    {NID_subject_alt_name, san}});
}

Result<TlsCertificate> IssueTlsClientCertificate(const TlsCertificate& ca, const std::string& common_name) {
  return IssueLeaf(ca, common_name, {{NID_key_usage, "critical,digitalSignature"}, {NID_ext_key_usage, "clientAuth"}});
}

}  // namespace civic::tools
