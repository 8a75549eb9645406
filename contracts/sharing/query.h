// Read-only queries of the data-sharing contract over committed state: the
// catalogue, grants, access records by any combination of filters with cursor
// pagination and a total count, and statistics per day, org and resource. Their
// JSON form is rpc/codec/sharing.h.
//
// Access queries scan ONE secondary index (contracts/sharing/keys.h), chosen by the
// most selective filter present: subject tags (one stream per tag, merged),
// then violation reason or
// verdict "violation", then org (requester index, provider index, or both merged
// for "either side"), then resource, purpose, verdict "authorized", and the time
// index otherwise. The other filters are checked on the index entries, which
// carry requester, provider, resource, purpose hash, verdict and reasons, so no
// record is read except those returned. Time filters (from_ms, to_ms, both
// inclusive) apply to the record's block time, which every index key starts
// with: a time range is one key range.
//
// Pagination: records come in time-key order (oldest first). next_cursor is the
// time key of the last record returned (hex in JSON); passing it back resumes
// strictly after that record, so pages neither skip nor repeat records while
// blocks are appended (new records have larger keys). A record whose verdict
// changes after a page passed it is not revisited. The total counts every
// match regardless of the cursor: from the write-time day counters when the
// filters are only org (with side), resource, verdict and time (whole days; the
// partial days at the edges of a time range are scanned), by scanning the chosen
// index otherwise.
//
// Statistics come from the write-time counters when the filters are org (with
// side), resource and time only (cost: one counter per day and key in range);
// with a purpose, verdict, reason or subject filter they are counted from the
// matching index entries, at most `scan_limit` (STATS_TOO_BROAD beyond).
// Days are days of China Standard Time (contracts/sharing/rules.h); from_ms and to_ms
// select the whole days that contain them.
//
// Thread safety: pure functions of the reader; safe when the reader is. Pass a
// chain snapshot so that the page and the total agree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "contracts/sharing/sharing.pb.h"
#include "ledger/kv.h"

namespace civic::contracts {

enum class AccessSide { kEither, kRequester, kProvider };
// "requester" | "provider" | "either" ("" and "any" also mean either). Typed error: BAD_ORG_ROLE.
Result<AccessSide> ParseAccessSide(std::string_view name);

// A subject tag (contracts/sharing/subject_tag.h) and the requester whose
// records it is looked up in (empty = any requester's).
struct SubjectTagMatch {
  Bytes tag;  // 32 bytes
  std::string requester_org;
};
// Bounds the index streams one query merges (a subject asks one per org).
constexpr size_t kMaxSubjectTagsPerQuery = 1024;

struct AccessFilter {
  std::string org;  // empty = any org
  AccessSide side = AccessSide::kEither;
  std::string resource;
  std::optional<std::string> purpose;
  std::optional<pb::SharingVerdict> verdict;
  std::optional<pb::SharingReason> reason;  // implies verdict "violation"
  std::optional<int64_t> from_ms;           // inclusive, block time
  std::optional<int64_t> to_ms;             // inclusive, block time
  std::vector<SubjectTagMatch> subject_tags;  // matches a record carrying any of them; empty = any subject
};
// Typed errors: BAD_USCC, BAD_RESOURCE_CODE, BAD_SUBJECT_COMMITMENT, BAD_TIME_RANGE,
// BAD_FILTER (a reason together with verdict "authorized"; more than
// kMaxSubjectTagsPerQuery subject tags; several tags not each bound to a
// different requester).
Status ValidateAccessFilter(const AccessFilter& filter);

// The subject's tag under every org of the chain, each to be looked up in that
// org's records only (subject_key: contracts/sharing/subject_tag.h). Typed
// errors: BAD_SUBJECT_COMMITMENT (not 32 bytes), BAD_FILTER (more orgs than
// kMaxSubjectTagsPerQuery), CORRUPTION.
Result<std::vector<SubjectTagMatch>> SubjectTagsOfEveryOrg(const ledger::KvReader& state, std::string_view subject_key);

constexpr size_t kMaxAccessPageSize = 1000;

struct AccessPage {
  std::vector<pb::SharingAccessRecord> records;
  std::string next_cursor;  // binary time key of the last record; empty when no more match now
  uint64_t total = 0;       // matches regardless of the cursor (0 when not counted)
};

// `cursor`: empty or a 24-byte time key from an earlier page. Typed errors:
// those of ValidateAccessFilter, BAD_CURSOR, BAD_LIMIT, CORRUPTION.
Result<AccessPage> QueryAccesses(const ledger::KvReader& state, const AccessFilter& filter, std::string_view cursor,
                                 size_t limit, bool count_total = true);

// Resource names by code for the records' resources (absent codes omitted).
Result<std::map<std::string, std::string>> ResourceNames(const ledger::KvReader& state,
                                                         const std::vector<pb::SharingAccessRecord>& records);

struct DayStat {
  int64_t day = 0;  // SharingDay
  uint64_t total = 0;
  uint64_t violations = 0;
  uint64_t record_count = 0;
};
struct OrgStat {
  std::string org;
  uint64_t as_requester = 0;
  uint64_t as_provider = 0;
  uint64_t violations = 0;
};
struct ResourceStat {
  std::string resource;
  std::string name;
  uint64_t total = 0;
  uint64_t violations = 0;
  uint64_t record_count = 0;
};
struct SharingStats {
  std::optional<int64_t> from_day;
  std::optional<int64_t> to_day;
  std::vector<DayStat> days;              // ascending
  std::vector<OrgStat> by_org;            // org code order
  std::vector<ResourceStat> by_resource;  // code order
  bool from_counters = true;
};
constexpr size_t kDefaultStatsScanLimit = 200000;
// Typed errors: those of ValidateAccessFilter, STATS_TOO_BROAD.
Result<SharingStats> ComputeStats(const ledger::KvReader& state, const AccessFilter& filter,
                                  size_t scan_limit = kDefaultStatsScanLimit);

// Catalogue, in code order; `provider` / `code` filter when non-empty.
Result<std::vector<pb::SharingResource>> ListResources(const ledger::KvReader& state, std::string_view provider,
                                                       std::string_view code);

struct GrantFilter {
  std::string id;
  std::string requester;
  std::string provider;
  std::string resource;
  std::optional<pb::SharingGrantStatus> status;
};
// Grants in id order that match every non-empty filter.
Result<std::vector<pb::SharingGrant>> ListGrants(const ledger::KvReader& state, const GrantFilter& filter);

}  // namespace civic::contracts
