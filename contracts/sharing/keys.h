// Key layout of the data-sharing contract's state, its secondary indexes and its
// statistics counters. One place, so the contract, its queries and the tests agree.
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
//   share/i/sb/<subject tag 32>TK (contracts/sharing/subject_tag.h)
// Counters (Space::kIndex), per day in China Standard Time (UTC+08:00, the day of
// the block time, contracts/sharing/rules.h SharingDay), kept at write time so
// statistics cost O(result):
//   share/c/d/<day be64>  share/c/o/<org><day>  share/c/r/<resource>\0<day>
//   share/c/or/<org><resource>\0<day>  share/c/ro/<resource>\0<org><day>
//   share/c/n -> records logged so far (8-byte count), the next record's ordinal:
//     the records of a time range are the ordinal of the first entry after it
//     minus that of its first entry (two seeks instead of a scan).
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "contracts/sharing/sharing.pb.h"

namespace civic::contracts::sharing_keys {

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

// The pending queue: one entry per logging tx, keyed by its records' deadline.
// The suffix is the part after kPendingPrefix (and kPendingListPrefix).
std::string PendingSuffix(int64_t deadline_ms, uint64_t height, uint32_t tx_index);
std::string PendingSuffixOf(const pb::SharingAccessRecord& record);
std::string Pending(std::string_view suffix);
std::string PendingList(std::string_view suffix);

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
std::string SubjectIndex(std::string_view subject_tag);

std::string DayBytes(int64_t day);
std::string DayCounter(int64_t day);
std::string OrgCounterPrefix(std::string_view org);
std::string ResourceCounterPrefix(std::string_view resource);
std::string OrgResourceCounterPrefix(std::string_view org, std::string_view resource);
std::string ResourceOrgCounterPrefix(std::string_view resource, std::string_view org);

}  // namespace civic::contracts::sharing_keys
