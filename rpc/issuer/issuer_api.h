// The issuer API: an authenticated REST API on a department's own node through
// which its business systems issue and manage certificates (docs/RPC.md "Issuer
// API"). The node turns the holder and fields given in clear into the holder's
// copy, commitment and salted digests exactly as `civic cert issue` does
// (contracts::PrepareIssue), signs the tx with the department's org key and
// submits it to its own mempool.
//
//   POST /v1/issuer/certificates                  issue one         (cert.issue)
//   POST /v1/issuer/certificates/batch            issue 1..1000     (cert.issue)
//   POST /v1/issuer/certificates/{id}/renew       new version       (cert.renew)
//   POST /v1/issuer/certificates/{id}/replace     replacement       (cert.replace)
//   POST /v1/issuer/certificates/{id}/suspend     (cert.suspend)
//   POST /v1/issuer/certificates/{id}/reinstate   (cert.reinstate)
//   POST /v1/issuer/certificates/{id}/revoke      (cert.revoke)
//   ?wait=true waits for the commit (at most commit_timeout_ms).
//
// Every call, in this order: the caller's address must be in allowed_clients
// (403 ISSUER_CLIENT_NOT_ALLOWED, before anything of the request is read); the
// route; the bearer token (rpc/issuer/token_store.h; 401); the Idempotency-Key
// header (400); the body (rpc/issuer/request.h; 400); the token's scope for the
// action and the certificate type (rpc/issuer/scope.h; 403). Then, one call at a
// time, the idempotency record (rpc/issuer/idempotency_store.h): a key seen
// with another request is 409 IDEMPOTENCY_KEY_REUSED; a key seen with the same
// request gets the same tx id and the same holder material, and the tx is sent
// again if the node lost it; a new key gets a new tx, recorded durably BEFORE it
// is submitted, so a crash in between cannot lead to a second issuance.
//
// Salts are derived, not stored: SHA-256 over the org's secret key, the token,
// the idempotency key and the request, so a retried request rebuilds the same
// holder's copy and the node keeps no personal value on disk. The org key never
// leaves this object and is never logged.
//
// Each call is logged as one line (event=issuer_call) with the client address,
// token id and label, action, certificate ids, count, tx id, replayed and the
// result code; never a holder code or a field value.
//
// Thread safety: Handle from any thread; the node must outlive the object.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "crypto/signature.h"
#include "rpc/backend.h"
#include "rpc/client_address.h"
#include "rpc/issuer/idempotency_store.h"
#include "rpc/issuer/token_store.h"
#include "rpc/issuer_gateway.h"

namespace civic::rpc {

struct IssuerApiOptions {
  std::string org;  // the department's USCC: the org whose key signs
  // Addresses or CIDRs allowed to call (rpc/client_address.h syntax).
  std::vector<std::string> allowed_clients = {"127.0.0.1", "::1"};
  std::string tokens_file;
  std::string store_dir;  // the idempotency records' LevelDB folder
  uint32_t commit_timeout_ms = 30000;
  uint64_t valid_blocks = 300;  // a tx stays valid this many blocks after the tip
  IdempotencyOptions idempotency;
  // Milliseconds since the epoch (token expiry, idempotency ttl); tests set it.
  std::function<int64_t()> clock;
};

class IssuerApi final : public IssuerGateway {
 public:
  // Typed errors: BAD_TRUSTED_PROXY (an allowed_clients entry), IO_ERROR (store).
  static Result<std::unique_ptr<IssuerApi>> Create(IssuerApiOptions options, crypto::KeyPair org_key,
                                                   NodeBackend* node);
  ~IssuerApi() override;

  void Handle(IssuerHttpRequest request, std::function<void(IssuerHttpAnswer)> done) override;

 private:
  struct Call;
  struct Prepared;
  IssuerApi(IssuerApiOptions options, crypto::KeyPair org_key, NodeBackend* node, TrustedProxies allowed,
            std::unique_ptr<IdempotencyStore> store);

  Status Admit(const IssuerHttpRequest& request, Call* call);
  Result<Prepared> Prepare(const Call& call, const std::string& salt_seed);
  Result<Prepared> Record(const Call& call);
  void Finish(std::shared_ptr<Call> call, Prepared prepared, std::function<void(IssuerHttpAnswer)> done);
  void Answer(const Call& call, const Prepared& prepared, const Status& status,
              const std::function<void(IssuerHttpAnswer)>& done);

  const IssuerApiOptions options_;
  const crypto::KeyPair org_key_;
  NodeBackend* const node_;
  const TrustedProxies allowed_;
  TokenStore tokens_;
  std::unique_ptr<IdempotencyStore> store_;
  std::mutex mutate_mu_;  // one mutating call at a time: idempotency check, record, submit
};

// The HTTP status of an issuer API error: 401 for the token errors, 405 for
// METHOD_NOT_ALLOWED, else as REST.
int IssuerHttpStatus(const Status& status);

}  // namespace civic::rpc
