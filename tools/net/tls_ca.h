// A local certificate authority for the RPC port's TLS (`civic net init --tls`,
// and tests): a self-signed CA, server certificates naming a node's hosts, and
// client certificates for mutual TLS, made with OpenSSL's API.
//
// Keys are ECDSA P-256 (every TLS client supports them); certificates are X.509
// v3 signed with SHA-256, with random 128-bit serials: the CA (CA:TRUE,
// keyCertSign, 10 years), servers (serverAuth, the hosts as SAN DNS or IP
// entries, 825 days: the longest browsers accept) and clients (clientAuth, the
// name as CN, 825 days). PEM text in, PEM text out; writing the files (keys
// 0600) is the caller's.
// Typed error: TLS_CERT_CREATE_FAILED (OpenSSL refused a step; the message says which).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "crypto/base/status.h"

namespace civic::tools {

struct TlsCertificate {
  std::string cert_pem;
  std::string key_pem;  // PKCS#8, unencrypted
};

Result<TlsCertificate> CreateTlsCa(const std::string& common_name);
// `hosts`: DNS names and IP literals ("localhost", "127.0.0.1", "::1"); the
// first is also the CN. At least one.
Result<TlsCertificate> IssueTlsServerCertificate(const TlsCertificate& ca, const std::vector<std::string>& hosts);
Result<TlsCertificate> IssueTlsClientCertificate(const TlsCertificate& ca, const std::string& common_name);

}  // namespace civic::tools
