// The certificate contract: e-certificate (电子证照) types and the life cycle of
// certificates, with no personal data on chain.
//
// Types (RegisterType, governance action only): code, name, issuing orgs, field
// schema, default validity, holder code type. Registering grants ISSUER scoped to
// the type code to each listed issuing org. Re-registering updates the type.
//
// Permission: an org may issue a type when it is listed among the type's issuing
// orgs AND holds ISSUER with the type code as a scope. Only the org that issued a
// certificate acts on it afterwards, and only while it still holds that role.
//
// Identifiers (GB/T 36904): 1.2.156.3005.2.<type>.<issuer USCC>.<serial>.<version>.<check>.
// The serial is the issuer's own (e.g. the paper certificate's number, for bulk
// import) or, when absent, the next running number of (type, issuer), kept in state
// and zero-padded to 10 digits; a running number whose id is taken is skipped. So
// ids are deterministic (execution order) and globally unique (issuer code in the
// id; duplicates are rejected with CERT_EXISTS). Renew and replace keep type,
// issuer and serial and increment the version (001..999), so the version chain is
// visible in the ids themselves, and previous_id/next_id link the records.
//
// Life cycle:
//   issue (single or batch) -> ACTIVE
//   suspend: ACTIVE -> SUSPENDED; reinstate: SUSPENDED -> ACTIVE
//   revoke: ACTIVE|SUSPENDED -> REVOKED (final)
//   renew: ACTIVE -> SUPERSEDED (final) + a new ACTIVE version. The old version
//     stays valid up to the renewal's block time, so verification at an earlier
//     time still succeeds; afterwards it points to the new version.
//   replace (lost/damaged): ACTIVE -> REVOKED with reason "replaced" + a new version.
// Reasons are public (every node replicates them): issuers must not put personal
// data in them. Every status change is appended to the certificate's event list with block time,
// height, tx id and org, so verification can replay the status at any time T.
//
// Electronic seal: the issuer's signature is the tx signature over the body that
// carries the certificate (one signature seals a whole batch). Each record keeps
// the issuing tx id and issuer key so a verifier can fetch and check the signed tx.
//
// Batches: one org lookup per tx and one type lookup per distinct type per tx; per
// certificate the work is a digest check, an existence read and three writes.
//
// The pure rules (type definitions, holder codes, reasons, digests, the status at
// a time) are in rules.h; the state layout in keys.h; queries in query.h.
//
// Typed errors: CALL_MALFORMED, EMPTY_CALL, GOVERNANCE_REQUIRED, EMPTY_BATCH,
// BATCH_TOO_LARGE, UNKNOWN_TYPE, TYPE_RETIRED, NOT_ISSUER, NOT_CERT_ISSUER,
// BAD_HOLDER_COMMITMENT, BAD_CLAIM_DIGEST, UNKNOWN_FIELD, DUPLICATE_FIELD,
// MISSING_FIELD, BAD_VALIDITY, BAD_SERIAL, BAD_CERT_ID, CERT_EXISTS, CERT_NOT_FOUND,
// CERT_REVOKED, CERT_SUPERSEDED, CERT_SUSPENDED, CERT_ALREADY_SUSPENDED,
// CERT_NOT_SUSPENDED, CERT_ALREADY_REVOKED, VERSION_LIMIT, REASON_REQUIRED,
// REASON_TOO_LONG, BAD_TYPE_CODE, BAD_TYPE, UNKNOWN_ORG, ORG_REMOVED.
//
// Not thread-safe: executed by the chain's single applying thread.
#pragma once

#include "contracts/base/contract.h"
#include "contracts/certificate/certificate.pb.h"

namespace civic::contracts {

class CertificateContract final : public Contract {
 public:
  std::string_view name() const override { return "certificate"; }
  Status Execute(const ledger::TxContext& ctx, std::string_view call, ledger::StateView* view) override;
  Status Check(const ledger::TxContext& ctx, std::string_view call, const ledger::KvReader& state) const override;
};

}  // namespace civic::contracts
