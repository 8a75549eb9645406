// Rules of the data-sharing contract that do not depend on who runs them: the
// syntax of codes, ids and field names, the texts a call may carry, the
// parameters and their defaults, the names of share types, grant states,
// verdicts and violation reasons, statistics days, and the verdict on an access.
// Shared by the contract (contracts/sharing/contract.h), its queries, the RPC
// layer and the CLI, so a value refused by one is refused by all.
//
// Verdict rules, applied in this order at the access time (accessed_at_ms):
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
// A record keeps its findings in this order; its verdict is "violation" as soon
// as it has one.
//
// Pure functions (GetSharingParams reads the given state); thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "contracts/base/checks.h"
#include "contracts/base/errors.h"
#include "contracts/sharing/sharing.pb.h"
#include "ledger/kv.h"

namespace civic::contracts {

// Fixed limits (the adjustable ones are SharingParams).
constexpr size_t kMaxSharingText = 256;  // purpose, legal basis, reasons, notes (bytes)
constexpr size_t kMaxResourceName = 200;
constexpr size_t kMaxResourceDescription = 2000;
constexpr size_t kMaxSharingFields = 128;
constexpr int64_t kMaxAccessFutureMs = 60'000;  // accessed_at may be this far past the block time
constexpr size_t kMaxOverduePerBlock = 100'000;

// Free texts of grants and decisions (purpose, legal basis, reasons, notes).
constexpr TextRule kOptionalSharingText{kMaxSharingText, nullptr};
constexpr TextRule kRequiredSharingText{kMaxSharingText, err::BAD_TEXT};

pb::SharingParams DefaultSharingParams();
// Typed error: BAD_PARAMS.
Status ValidateSharingParams(const pb::SharingParams& params);
// The parameters set by governance, or the defaults.
Result<pb::SharingParams> GetSharingParams(const ledger::KvReader& state);

// A call carries 1 to max_batch_records accesses or acknowledgements (`what`).
// Typed errors: EMPTY_BATCH, BATCH_TOO_LARGE.
Status CheckBatchSize(const pb::SharingParams& params, size_t items, std::string_view what);

// Typed errors: BAD_RESOURCE_CODE, BAD_GRANT_ID, BAD_REQUEST_ID, BAD_FIELD.
Status ValidateResourceCode(std::string_view code);
Status ValidateGrantId(std::string_view id);
Status ValidateRequestId(std::string_view id);
Status ValidateSharingFieldName(std::string_view name);

// Typed errors: PURPOSE_REQUIRED, TEXT_TOO_LONG, PERSONAL_DATA_IN_TEXT.
Status CheckPurpose(std::string_view purpose);

using SharingFieldList = google::protobuf::RepeatedPtrField<std::string>;
// Validates `fields` (at least one), sorts them and refuses duplicates.
// Typed error: BAD_FIELD.
Status NormalizeSharingFields(SharingFieldList* fields);
// The fields of sorted `sub` that are not in sorted `super`, comma-separated
// ("" when `sub` is a subset).
std::string SharingFieldsOutside(const SharingFieldList& sub, const SharingFieldList& super);

// Names as JSON, the CLI and the web page show them are EnumName (share types,
// grant states and events, verdicts) and EnumUpperName (reasons) of
// contracts/base/enum_names.h. Parsing them, with the typed errors
// BAD_SHARE_TYPE ("none" is an alias of "not_shared"), BAD_GRANT_STATUS,
// BAD_VERDICT and BAD_REASON:
Result<pb::SharingShareType> ParseShareType(std::string_view name);
Result<pb::SharingGrantStatus> ParseGrantStatus(std::string_view name);
Result<pb::SharingVerdict> ParseVerdict(std::string_view name);
Result<pb::SharingReason> ParseReason(std::string_view name);

// Statistics days are days of China Standard Time.
constexpr int64_t kSharingDayOffsetMs = 8 * 3600 * 1000;
// The day number (days since 1970-01-01 in UTC+08:00) of a time, the time its
// day starts, and the "YYYY-MM-DD" text of a day number.
int64_t SharingDay(int64_t time_ms);
int64_t SharingDayStartMs(int64_t day);
std::string SharingDayText(int64_t day);

// Judges a new record (verdict AUTHORIZED, no findings) against the catalogue
// entry of its resource and the grant it names (null when absent from state; a
// record that names no grant is judged without one). Adds the findings of
// every rule above up to PURPOSE_MISMATCH.
void JudgeAccess(const pb::SharingResource* resource, const pb::SharingGrant* grant, pb::SharingAccessRecord* record);
// Adds `reason` to the record's findings (once, in rule order) and makes its
// verdict a violation. Returns true when the record turned from authorized into
// a violation.
bool AddFinding(pb::SharingAccessRecord* record, pb::SharingReason reason, std::string detail);
// Marks an unacknowledged record overdue (UNACKNOWLEDGED). Returns as AddFinding.
bool MarkOverdue(pb::SharingAccessRecord* record);

// "ack" status of a record: "pending" | "acknowledged" | "acknowledged_late" | "overdue".
const char* AckStatusName(const pb::SharingAccessRecord& record);

}  // namespace civic::contracts
