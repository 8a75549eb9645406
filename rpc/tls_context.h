// TLS contexts of the RPC server and client (OpenSSL 3 through boost::asio::ssl).
//
// Both sides speak TLS 1.2 and 1.3 only; TLS 1.2 is limited to ECDHE key
// exchange with AES-GCM or ChaCha20-Poly1305 (forward secrecy, AEAD only), and
// renegotiation and compression are off. Files are PEM.
//
// Server: the certificate file may hold a chain (leaf first); the key must
// belong to the leaf. With a client CA file the server requires a client
// certificate that chains to one of its certificates (mutual TLS), and names
// those CAs in its certificate request.
// Client: the server's certificate must chain to the CA file's certificates, or
// to the system roots when there is no CA file, and name the host the client
// dialed (a DNS name in the SAN, or an IP address in the SAN for an IP literal).
//
// Typed errors (INVALID_ARGUMENT): TLS_CERT_UNREADABLE, TLS_KEY_UNREADABLE,
// TLS_KEY_MISMATCH, TLS_CA_UNREADABLE; each message names the file.
// Thread safety: the functions are thread-safe; a context, once made, is only
// read (OpenSSL allows many connections on one SSL_CTX at once).
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "crypto/base/status.h"
#include "rpc/client_identity.h"

namespace civic::rpc {

using TlsContext = boost::asio::ssl::context;

struct TlsServerFiles {
  std::string cert_file;       // empty = plain HTTP
  std::string key_file;
  std::string client_ca_file;  // empty = no client certificate asked for
  bool enabled() const { return !cert_file.empty(); }
};

struct TlsClientFiles {
  std::string ca_file;    // empty = the system's trusted roots
  std::string cert_file;  // client certificate for mutual TLS; empty = none
  std::string key_file;
};

Result<std::shared_ptr<TlsContext>> MakeServerTlsContext(const TlsServerFiles& files);
Result<std::shared_ptr<TlsContext>> MakeClientTlsContext(const TlsClientFiles& files);

// Makes `ssl` (a client connection) check that the server's certificate names
// `host` (DNS name or IP literal) and sends `host` as SNI when it is a name.
void ExpectServerName(SSL* ssl, const std::string& host);

// The verified peer certificate of a completed server-side handshake; empty
// when the client presented none.
ClientIdentity PeerIdentity(SSL* ssl);

// OpenSSL's reason for a failed certificate verification of `ssl` ("" when the
// verification passed), e.g. "certificate has expired".
std::string VerifyFailure(SSL* ssl);

}  // namespace civic::rpc
