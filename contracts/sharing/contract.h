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
// Rules, applied in this order at the access time (accessed_at_ms, which must lie
// in [block time - max_access_lag, block time + 1 min]; 0 = block time):
//   resource not in the catalogue or "not shared"      RESOURCE_NOT_SHARED
//   no grant named for a conditional resource; grant unknown, of another
//   requester or resource, not approved, or not yet in force   NO_GRANT
//   grant revoked at or before the access time          GRANT_REVOKED
//   access time at or after the grant's expiry          GRANT_EXPIRED
//   fields outside the grant (without a grant: outside the catalogue entry)
//                                                       FIELDS_BEYOND_GRANT
//   purpose differs from the grant's                    PURPOSE_MISMATCH
//   provider's digest differs (at acknowledgement)      DIGEST_MISMATCH
//   no acknowledgement by the deadline                  UNACKNOWLEDGED
//
// Batches: resources and grants are read once per tx (cached by code/id), and the
// statistics counters are summed per tx and written once per key. Per record:
// one authenticated write (the record), one index entry per index below and per
// subject, and no other state read than the duplicate check.
//
// Subjects (whose data was read) appear only as holder commitments
// (contracts/certificate/holder.h HolderCommitment: salt, holder code type, holder code), the
// ones the subjects' certificate wallets can open; sharing_mySubjectAccesses
// answers the subject who proves such an opening.
//
// Authenticated state (Space::kState):
//   share/res/<code> -> SharingResource      share/grant/<id> -> SharingGrant
//   share/rec/<requester>/<request id> -> SharingAccessRecord
//   share/params -> SharingParams
//   share/pend/<deadline be64><height be64><tx index be32> -> records of that
//     logging tx still unacknowledged (8-byte count); share/plist/<same> ->
//     SharingPendingList. EndBlock takes them in key (deadline) order.
//
// Indexes (Space::kIndex, written through the StateView, so in the block's batch).
// Every key ends in the record's 24-byte time key
//   TK = block time be64 (+2^63) || height be64 || tx index be32 || position be32,
// unique and increasing with the chain, so a time range inside any index is one
// key range and a cursor (the last TK returned) resumes exactly where a page
// ended, however many blocks were appended meanwhile. The value of every entry is
// a SharingIndexEntry, so filters need no state read.
//   share/i/t/TK                           all records (entries carry the ordinal)
//   share/i/rq/<requester>TK   share/i/pv/<provider>TK
//   share/i/rs/<resource>\0TK  share/i/pu/<purpose hash 8>TK
//   share/i/vd/<verdict byte>TK  share/i/rn/<reason byte>TK (one per finding)
//   share/i/sb/<subject commitment 32>TK
// Counters (Space::kIndex), per day in China Standard Time (UTC+08:00, the day of
// the block time), kept at write time so statistics cost O(result):
//   share/c/d/<day be64>  share/c/o/<org><day>  share/c/r/<resource>\0<day>
//   share/c/or/<org><resource>\0<day>  share/c/ro/<resource>\0<org><day>
//   share/c/n -> records logged so far (8-byte count), the next record's ordinal:
//     the records of a time range are the ordinal of the first entry after it
//     minus that of its first entry (two seeks instead of a scan).
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
// Not thread-safe: executed by the chain's single applying thread. The key and
// client helpers at the end are pure functions (thread-safe).
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "contracts/certificate/holder.h"
#include "contracts/base/tx_builder.h"
#include "contracts/base/contract_names.h"
#include "contracts/base/contract.h"
#include "contracts/sharing/sharing.pb.h"

namespace civic::contracts {


// Fixed limits (the adjustable ones are SharingParams).
constexpr size_t kMaxSharingText = 256;  // purpose, legal basis, reasons, notes (bytes)
constexpr size_t kMaxResourceName = 200;
constexpr size_t kMaxResourceDescription = 2000;
constexpr size_t kMaxSharingFields = 128;
constexpr int64_t kMaxAccessFutureMs = 60'000;  // accessed_at may be this far past the block time
constexpr size_t kMaxOverduePerBlock = 100'000;
// Statistics days are days of China Standard Time.
constexpr int64_t kSharingDayOffsetMs = 8 * 3600 * 1000;

class SharingContract final : public Contract {
 public:
  std::string_view name() const override { return kSharingContract; }
  Status Execute(const ledger::TxContext& ctx, std::string_view call, ledger::StateView* view) override;
  Status EndBlock(const ledger::BlockContext& ctx, ledger::StateView* view) override;
  Status Check(const ledger::TxContext& ctx, std::string_view call, const ledger::KvReader& state) const override;
};

pb::SharingParams DefaultSharingParams();
// Typed error: BAD_PARAMS.
Status ValidateSharingParams(const pb::SharingParams& params);
Result<pb::SharingParams> GetSharingParams(const ledger::KvReader& state);

// Syntax checks shared by the contract, the RPC layer and the CLI.
// Typed errors: BAD_RESOURCE_CODE, BAD_GRANT_ID, BAD_REQUEST_ID, BAD_FIELD.
Status ValidateResourceCode(std::string_view code);
Status ValidateGrantId(std::string_view id);
Status ValidateRequestId(std::string_view id);
Status ValidateSharingFieldName(std::string_view name);

const char* ShareTypeName(pb::SharingShareType type);  // "unconditional" | "conditional" | "not_shared"
Result<pb::SharingShareType> ParseShareType(std::string_view name);
const char* GrantStatusName(pb::SharingGrantStatus status);  // "requested" | "active" | ...
Result<pb::SharingGrantStatus> ParseGrantStatus(std::string_view name);
const char* GrantEventKindName(pb::SharingGrantEventKind kind);
const char* VerdictName(pb::SharingVerdict verdict);  // "authorized" | "violation"
Result<pb::SharingVerdict> ParseVerdict(std::string_view name);
const char* ReasonName(pb::SharingReason reason);  // "NO_GRANT", ... (as the web console shows them)
Result<pb::SharingReason> ParseReason(std::string_view name);

// The day number (days since 1970-01-01 in UTC+08:00) of a time, and the
// "YYYY-MM-DD" text of a day number.
int64_t SharingDay(int64_t time_ms);
std::string SharingDayText(int64_t day);

// ---------------------------------------------------------------------------
// Key layout (see the header comment), for the contract and its queries.
namespace sharing_keys {

constexpr std::string_view kResourcePrefix = "share/res/";
constexpr std::string_view kGrantPrefix = "share/grant/";
constexpr std::string_view kRecordPrefix = "share/rec/";
constexpr std::string_view kPendingPrefix = "share/pend/";
constexpr std::string_view kPendingListPrefix = "share/plist/";
constexpr std::string_view kParams = "share/params";

constexpr std::string_view kByTime = "share/i/t/";
constexpr std::string_view kByRequester = "share/i/rq/";
constexpr std::string_view kByProvider = "share/i/pv/";
constexpr std::string_view kByResource = "share/i/rs/";
constexpr std::string_view kByPurpose = "share/i/pu/";
constexpr std::string_view kByVerdict = "share/i/vd/";
constexpr std::string_view kByReason = "share/i/rn/";
constexpr std::string_view kBySubject = "share/i/sb/";

constexpr std::string_view kDayCounter = "share/c/d/";
constexpr std::string_view kOrgCounter = "share/c/o/";
constexpr std::string_view kResourceCounter = "share/c/r/";
constexpr std::string_view kOrgResourceCounter = "share/c/or/";
constexpr std::string_view kResourceOrgCounter = "share/c/ro/";
constexpr std::string_view kRecordTotal = "share/c/n";

constexpr size_t kTimeKeySize = 24;

std::string Resource(std::string_view code);
std::string Grant(std::string_view id);
std::string Record(std::string_view requester, std::string_view request_id);
std::string TimeKey(int64_t time_ms, uint64_t height, uint32_t tx_index, uint32_t position);
std::string TimeKeyOf(const pb::SharingAccessRecord& record);
// The smallest time key at `time_ms` (for range starts).
std::string TimeKeyFloor(int64_t time_ms);
int64_t TimeOfKey(std::string_view time_key);  // requires kTimeKeySize bytes
// 8 bytes: the first 8 bytes of SHA-256(purpose), as stored in SharingIndexEntry.
uint64_t PurposeHash(std::string_view purpose);
std::string PurposeHashBytes(uint64_t hash);

// Index prefixes; an entry's key is prefix + TK.
std::string RequesterIndex(std::string_view org);
std::string ProviderIndex(std::string_view org);
std::string ResourceIndex(std::string_view resource);
std::string PurposeIndex(uint64_t purpose_hash);
std::string VerdictIndex(pb::SharingVerdict verdict);
std::string ReasonIndex(pb::SharingReason reason);
std::string SubjectIndex(std::string_view commitment);

std::string DayBytes(int64_t day);
std::string DayCounter(int64_t day);
std::string OrgCounterPrefix(std::string_view org);
std::string ResourceCounterPrefix(std::string_view resource);
std::string OrgResourceCounterPrefix(std::string_view org, std::string_view resource);
std::string ResourceOrgCounterPrefix(std::string_view resource, std::string_view org);

}  // namespace sharing_keys

// ---------------------------------------------------------------------------
// Client side: call builders and the JSON form of access and acknowledgement
// lines (the CLI's JSONL batches).

Bytes SharingTx(const TxParams& params, const pb::SharingCall& call, const crypto::KeyPair& key);

pb::SharingCall RegisterResourceCall(const pb::SharingResource& resource);
pb::SharingCall RequestGrantCall(const pb::SharingGrant& grant);
pb::SharingCall IssueGrantCall(const pb::SharingGrant& grant);
pb::SharingCall ApproveGrantCall(std::string_view grant_id, const std::vector<std::string>& fields = {},
                                 int64_t expires_at_ms = 0, std::string_view note = "");
pb::SharingCall RejectGrantCall(std::string_view grant_id, std::string_view reason);
pb::SharingCall RevokeGrantCall(std::string_view grant_id, std::string_view reason);
pb::SharingCall LogAccessCall(std::vector<pb::SharingAccess> accesses);
pb::SharingCall AcknowledgeCall(std::vector<pb::SharingAck> acks);
pb::SharingCall SetSharingParamsCall(const pb::SharingParams& params);

// One access as a JSON object:
//   {"request_id": "...", "resource": "...", "provider": "<USCC>"?, "grant": "..."?,
//    "purpose": "...", "fields": ["name", ...], "subjects": ["<64 hex>", ...]?,
//    "record_count": 12, "response_digest": "<64 hex>", "accessed_at": ms | "RFC 3339"?}
// Unknown members are refused. Typed error: ACCESS_MALFORMED (naming the member);
// syntax errors of the values keep their own codes (BAD_REQUEST_ID, ...).
Result<pb::SharingAccess> AccessFromJson(const boost::json::value& json);
boost::json::object AccessToJson(const pb::SharingAccess& access);
// {"requester": "<USCC>", "request_id": "...", "provider_digest": "<64 hex>"}.
// Typed error: ACK_MALFORMED.
Result<pb::SharingAck> AckFromJson(const boost::json::value& json);

}  // namespace civic::contracts
