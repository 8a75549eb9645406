// Who is on the other end of an RPC connection, as far as TLS proves it.
//
// With mutual TLS (node config [rpc] tls_client_ca_file), a connection is only
// served once the client presented a certificate that chains to that CA; the
// session then records the certificate's identity here and every request on the
// connection carries it in CallContext::client_identity (rpc/methods.h). Without
// mutual TLS, or over plain HTTP, the identity is empty (present() is false): a
// handler that needs a client certificate refuses the call.
//
// `fingerprint_sha256` identifies the exact certificate (a CN is only a name the
// CA chose; two certificates may carry the same one), so authorisation decisions
// should key on the fingerprint and log both.
// A plain value; thread-safe as any const struct.
#pragma once

#include <string>

namespace civic::rpc {

struct ClientIdentity {
  // SHA-256 of the client certificate's DER encoding, 64 lower-case hex
  // characters; empty when no verified client certificate was presented.
  std::string fingerprint_sha256;
  // The certificate subject's commonName (UTF-8; empty when it has none).
  std::string subject_cn;

  bool present() const { return !fingerprint_sha256.empty(); }
  bool operator==(const ClientIdentity&) const = default;
};

}  // namespace civic::rpc
