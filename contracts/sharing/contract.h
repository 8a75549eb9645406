// The data-sharing contract (数据共享审计): the data resource catalogue, grants
// between departments, and the evidence of every cross-department data access
// with the contract's verdict on it. Records: contracts/sharing/sharing.proto.
//
// Catalogue: a provider department holding DATA_PROVIDER registers and updates
// its own resources (code, name, fields, share type, description); the code is
// unique on the chain and stays with its provider. A governance action may
// register a resource for any member org (e.g. the initial catalogue).
//
// Grants, two ways: (a) the requester (DATA_REQUESTER) files a request for a
// conditional or unconditional resource (REQUESTED); the resource's provider
// approves it, possibly narrowing fields and expiry (ACTIVE), or rejects it; (b)
// the provider (DATA_PROVIDER) issues an ACTIVE grant directly. The provider (or
// a governance action) revokes an active grant; accesses after the revocation's
// block time are then violations. Grant ids are chosen by their creator.
//
// Access records: the requester (DATA_REQUESTER) logs one access or a batch in a
// tx it signs; the provider acknowledges each record with its own digest of the
// response, in a tx it signs. The contract judges every record at once and
// stores the verdict (authorized, or violation with findings) with the record;
// the acknowledgement can add DIGEST_MISMATCH, and a record still unacknowledged
// when a block's time reaches its deadline (block time of the log + the
// ack_deadline parameter) becomes UNACKNOWLEDGED in that block's EndBlock, from a
// queue in authenticated state (deadline order; at most kMaxOverduePerBlock
// records per block, the rest in the next blocks). An acknowledgement in a block
// whose time is at or past the deadline is recorded as late (UNACKNOWLEDGED too).
// A violation is evidence: it is stored, never dropped; a tx is rejected only for
// malformed input, a wrong signer or a missing role.
//
// The access time (accessed_at_ms; 0 = block time) must lie in [block time -
// max_access_lag, block time + 1 min]; the verdict rules, applied at that time,
// are listed in contracts/sharing/rules.h.
//
// Batches: resources and grants are read once per tx (cached by code/id), and the
// statistics counters are summed per tx and written once per key. Per record:
// one authenticated write (the record), one entry per secondary index and per
// subject, and no other state read than the duplicate check.
//
// Subjects (whose data was read) appear only as subject tags, derived by the
// logging department from the opening of the subject's holder commitment and its
// own USCC (contracts/sharing/subject_tag.h); the contract checks only their size.
// sharing_mySubjectAccesses answers the subject who proves such an opening.
//
// State layout: contracts/sharing/keys.h; the indexes and counters written with
// every record: contracts/sharing/indexes.h; queries: contracts/sharing/query.h;
// call builders: contracts/sharing/calls.h.
//
// Typed errors: CALL_MALFORMED, EMPTY_CALL, GOVERNANCE_REQUIRED,
// NOT_A_GOVERNANCE_ACTION, UNKNOWN_ORG, ORG_REMOVED, MISSING_ROLE, BAD_USCC,
// BAD_RESOURCE_CODE, BAD_RESOURCE, RESOURCE_NOT_FOUND, RESOURCE_OF_OTHER_PROVIDER,
// RESOURCE_NOT_SHARED, BAD_GRANT_ID, BAD_GRANT, GRANT_EXISTS, GRANT_NOT_FOUND,
// NOT_GRANT_PROVIDER, GRANT_NOT_REQUESTED, GRANT_NOT_ACTIVE, UNKNOWN_FIELD,
// BAD_FIELD, BAD_TIME, BAD_TEXT, TEXT_TOO_LONG, PURPOSE_REQUIRED,
// PERSONAL_DATA_IN_TEXT (a citizen identity number in a public text), EMPTY_BATCH,
// BATCH_TOO_LARGE, BAD_REQUEST_ID, DUPLICATE_REQUEST_ID, RECORD_EXISTS,
// PROVIDER_REQUIRED, PROVIDER_MISMATCH, SELF_ACCESS, BAD_SUBJECT_COMMITMENT,
// TOO_MANY_SUBJECTS, BAD_DIGEST, BAD_ACCESS_TIME, RECORD_NOT_FOUND,
// NOT_RECORD_PROVIDER, ALREADY_ACKNOWLEDGED, BAD_PARAMS. In a batch the message
// names the item ("access #12: ..."), and one bad item rejects the whole tx.
//
// Not thread-safe: executed by the chain's single applying thread.
#pragma once

#include <string_view>

#include "contracts/base/contract.h"
#include "contracts/base/contract_names.h"
#include "contracts/governance/governance.pb.h"
#include "contracts/sharing/sharing.pb.h"

namespace civic::contracts {

class SharingContract final : public Contract {
 public:
  std::string_view name() const override { return kSharingContract; }
  Status Execute(const ledger::TxContext& ctx, std::string_view call, ledger::StateView* view) override;
  // Turns the records whose acknowledgement deadline has come into UNACKNOWLEDGED
  // violations (contract_access.cc).
  Status EndBlock(const ledger::BlockContext& ctx, ledger::StateView* view) override;
  Status Check(const ledger::TxContext& ctx, std::string_view call, const ledger::KvReader& state) const override;

 private:
  // One call of each area with what it keeps during the tx; Execute has decoded
  // the call and refused a governance tx whose call is no governance action.
  class GrantCall;    // catalogue, grants and parameters: contract_grants.cc
  class AccessBatch;  // access records and acknowledgements: contract_access.cc
  static Status ExecuteGrantCall(const ledger::TxContext& ctx, pb::SharingCall* call, ledger::StateView* view);
  static Status ExecuteAccessCall(const ledger::TxContext& ctx, pb::SharingCall* call, ledger::StateView* view);

  // The org with `code`, refused when removed. Typed errors: UNKNOWN_ORG, ORG_REMOVED.
  static Result<pb::Org> ActiveOrg(const ledger::KvReader& state, std::string_view code);
  // Typed error: MISSING_ROLE.
  static Status RequireRole(const pb::Org& org, pb::OrgRole role);
};

}  // namespace civic::contracts
