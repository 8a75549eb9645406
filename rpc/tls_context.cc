#include "rpc/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <fstream>
#include <sstream>
#include <vector>

#include "rpc/error_codes.h"

namespace civic::rpc {
namespace {

namespace ssl = boost::asio::ssl;

// Mozilla's "intermediate" TLS 1.2 list: ECDHE only, AEAD only. TLS 1.3 keeps
// OpenSSL's default suites, which are all of that kind.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using CertPtr = std::unique_ptr<X509, X509Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// The last OpenSSL error as text (and the error queue emptied), for messages.
std::string OpenSslReason() {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "no usable PEM data";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

Result<std::string> ReadFile(const std::string& path, const char* code, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(code, std::string(what) + " " + path + " cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) return Status::InvalidArgument(code, std::string(what) + " " + path + " cannot be read");
  return text.str();
}

// Every certificate of a PEM file, in file order; at least one.
Result<std::vector<CertPtr>> ReadCertificates(const std::string& path, const char* code, const char* what) {
  CIVIC_ASSIGN_OR_RETURN(std::string pem, ReadFile(path, code, what));
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::vector<CertPtr> certs;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) certs.emplace_back(cert);
  ERR_clear_error();  // the loop ends on "no start line"
  if (certs.empty()) {
    return Status::InvalidArgument(code, std::string(what) + " " + path + " holds no PEM certificate");
  }
  return certs;
}

Result<KeyPtr> ReadPrivateKey(const std::string& path) {
  CIVIC_ASSIGN_OR_RETURN(std::string pem, ReadFile(path, err::TLS_KEY_UNREADABLE, "the TLS key file"));
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  // No passphrase callback may prompt on a terminal: an encrypted key is refused.
  auto no_passphrase = [](char*, int, int, void*) { return 0; };
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    return Status::InvalidArgument(err::TLS_KEY_UNREADABLE, "the TLS key file " + path +
                                                                " holds no unencrypted PEM private key (" +
                                                                OpenSslReason() + ")");
  }
  return key;
}

std::shared_ptr<TlsContext> NewContext(TlsContext::method method) {
  auto ctx = std::make_shared<TlsContext>(method);
  ctx->set_options(TlsContext::default_workarounds | TlsContext::no_sslv2 | TlsContext::no_sslv3 |
                   TlsContext::no_tlsv1 | TlsContext::no_tlsv1_1 | TlsContext::no_compression |
                   TlsContext::single_dh_use);
  SSL_CTX* handle = ctx->native_handle();
  SSL_CTX_set_min_proto_version(handle, TLS1_2_VERSION);
  SSL_CTX_set_options(handle, SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_cipher_list(handle, kTls12Ciphers);
  return ctx;
}

// The certificate chain and its key into `ctx`.
Status UseCertificateAndKey(SSL_CTX* ctx, const std::string& cert_file, const std::string& key_file) {
  CIVIC_ASSIGN_OR_RETURN(std::vector<CertPtr> chain,
                         ReadCertificates(cert_file, err::TLS_CERT_UNREADABLE, "the TLS certificate file"));
  CIVIC_ASSIGN_OR_RETURN(KeyPtr key, ReadPrivateKey(key_file));
  if (X509_check_private_key(chain.front().get(), key.get()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument(err::TLS_KEY_MISMATCH, "the TLS key " + key_file +
                                                              " does not belong to the certificate " + cert_file);
  }
  bool ok = SSL_CTX_use_certificate(ctx, chain.front().get()) == 1;
  for (size_t i = 1; ok && i < chain.size(); ++i) ok = SSL_CTX_add1_chain_cert(ctx, chain[i].get()) == 1;
  ok = ok && SSL_CTX_use_PrivateKey(ctx, key.get()) == 1;
  if (!ok) {
    return Status::InvalidArgument(err::TLS_CERT_UNREADABLE,
                                   "the TLS certificate " + cert_file + " cannot be used: " + OpenSslReason());
  }
  return Status::Ok();
}

// The CA certificates of `ca_file` as the trust anchors of `ctx`.
Status TrustCaFile(SSL_CTX* ctx, const std::string& ca_file) {
  CIVIC_RETURN_IF_ERROR(ReadCertificates(ca_file, err::TLS_CA_UNREADABLE, "the TLS CA file").status());
  if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1) {
    return Status::InvalidArgument(err::TLS_CA_UNREADABLE,
                                   "the TLS CA file " + ca_file + " cannot be used: " + OpenSslReason());
  }
  return Status::Ok();
}

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0xf];
  }
  return out;
}

std::string CommonName(X509* cert) {
  X509_NAME* subject = X509_get_subject_name(cert);
  int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return "";
  ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  unsigned char* utf8 = nullptr;
  int length = ASN1_STRING_to_UTF8(&utf8, value);
  if (length < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return out;
}

}  // namespace

Result<std::shared_ptr<TlsContext>> MakeServerTlsContext(const TlsServerFiles& files) {
  auto ctx = NewContext(TlsContext::tls_server);
  SSL_CTX* handle = ctx->native_handle();
  CIVIC_RETURN_IF_ERROR(UseCertificateAndKey(handle, files.cert_file, files.key_file));
  if (!files.client_ca_file.empty()) {
    CIVIC_RETURN_IF_ERROR(TrustCaFile(handle, files.client_ca_file));
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.client_ca_file.c_str());
    if (names != nullptr) SSL_CTX_set_client_CA_list(handle, names);
    SSL_CTX_set_verify(handle, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    // Resumed sessions keep the verified client; OpenSSL refuses resumption
    // with client verification unless the context names its sessions.
    static constexpr unsigned char kSessionContext[] = "civicd-rpc";
    SSL_CTX_set_session_id_context(handle, kSessionContext, sizeof(kSessionContext) - 1);
  }
  ERR_clear_error();
  return ctx;
}

Result<std::shared_ptr<TlsContext>> MakeClientTlsContext(const TlsClientFiles& files) {
  auto ctx = NewContext(TlsContext::tls_client);
  SSL_CTX* handle = ctx->native_handle();
  if (files.ca_file.empty()) {
    SSL_CTX_set_default_verify_paths(handle);
  } else {
    CIVIC_RETURN_IF_ERROR(TrustCaFile(handle, files.ca_file));
  }
  if (!files.cert_file.empty() || !files.key_file.empty()) {
    CIVIC_RETURN_IF_ERROR(UseCertificateAndKey(handle, files.cert_file, files.key_file));
  }
  SSL_CTX_set_verify(handle, SSL_VERIFY_PEER, nullptr);
  ERR_clear_error();
  return ctx;
}

void ExpectServerName(SSL* ssl, const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (!ec) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    return;
  }
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  SSL_set_tlsext_host_name(ssl, host.c_str());
}

ClientIdentity PeerIdentity(SSL* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return {};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &size) != 1) return {};
  return ClientIdentity{Hex(digest, size), CommonName(cert)};
}

std::string VerifyFailure(SSL* ssl) {
  long result = SSL_get_verify_result(ssl);
  if (result == X509_V_OK) return "";
  return X509_verify_cert_error_string(result);
}

}  // namespace civic::rpc
