// The data set and the query shapes of `civic bench audit`: a deterministic
// generator of data-sharing access records with a realistic spread, the rows
// the same records become in PostgreSQL, and each auditor query shape as a
// signed JSON-RPC request and as the equivalent SQL.
//
// Data set (all a pure function of AuditSpec):
//   - orgs: the requester/provider departments (AuditSpec::orgs, at least 2);
//   - resources: three per provider, mostly conditional, one unconditional per
//     provider for the first two providers and one "not shared" resource;
//   - grants: one per (requester, conditional resource of another org), fields
//     {id_number, name, status}, a purpose per pair, no expiry in the run;
//   - records: tx t holds records [t*batch, (t+1)*batch) of requester t % orgs,
//     on resources of the other orgs (a few hot ones), with about 5% violations
//     (fields beyond the grant, purpose mismatch, no grant, not shared
//     resource), one subject commitment per record (some records several), 30%
//     of them drawn from a small pool of hot subjects that then have many
//     records each, and access times spread over the 20 hours before the run.
// The expected verdict and first reason of each record follow the contract's
// rules (contracts/sharing/rules.h); the bench checks them against the node's totals.
//
// PostgreSQL mirror (AuditSchemaSql): table access(seq, ...) where seq orders
// records as the contract's time key does (block time, height, tx index,
// position), table access_subject(subject, seq), table resources(code, name),
// and one B-tree per contract index: (requester, seq), (provider, seq),
// (resource, seq), (verdict, seq), (time_ms, seq), access_subject(subject, seq).
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "contracts/sharing/sharing.pb.h"
#include "crypto/base/bytes.h"
#include "crypto/base/status.h"

namespace civic::tools::bench {

struct AuditSpec {
  uint64_t records = 1'000'000;
  uint32_t batch = 2000;            // records per tx
  uint64_t seed = 1;
  int64_t base_time_ms = 0;         // access times lie in (base - 20 h, base]
  std::vector<std::string> orgs;    // USCCs of the data departments (>= 2)
  uint32_t hot_subjects = 200;
};
// BENCH_BAD_ARGUMENT for fewer than 2 orgs, 0 records or a batch outside 1..10000.
Status ValidateAuditSpec(const AuditSpec& spec);

struct AuditResource {
  std::string code;
  std::string name;
  size_t provider = 0;  // index into AuditSpec::orgs
  pb::SharingShareType share_type = pb::SHARING_CONDITIONAL;
  std::vector<std::string> fields;  // sorted
};
std::vector<AuditResource> AuditResources(size_t org_count);

struct AuditGrant {
  std::string id;
  size_t requester = 0;
  size_t resource = 0;  // index into AuditResources
  std::vector<std::string> fields;
  std::string purpose;
};
std::vector<AuditGrant> AuditGrants(size_t org_count);

struct GeneratedAccess {
  uint64_t number = 0;  // global record number
  size_t requester = 0;
  size_t provider = 0;
  size_t resource = 0;
  pb::SharingAccess access;
  pb::SharingVerdict verdict = pb::SHARING_AUTHORIZED;
  pb::SharingReason reason = pb::SHARING_REASON_UNSPECIFIED;
};

uint64_t AuditTxCount(const AuditSpec& spec);
size_t AuditTxRequester(const AuditSpec& spec, uint64_t tx);
// The records of tx `tx` (0-based), in position order.
std::vector<GeneratedAccess> AuditTxRecords(const AuditSpec& spec, uint64_t tx);
// The commitment of subject n of the hot pool (n < hot_subjects) or of the cold pool.
Bytes AuditSubject(uint64_t seed, bool hot, uint64_t n);

// ---- PostgreSQL

// Orders records as the contract's time key (block time is non-decreasing in height).
uint64_t AuditSeq(uint64_t height, uint32_t tx_index, uint32_t position);
// CREATE TABLE statements (run before COPY) and the index statements (after).
std::string AuditSchemaSql();
std::string AuditIndexSql();
// COPY text-format lines ("\n"-terminated), escaped.
struct AuditRowPlace {
  uint64_t height = 0;
  uint32_t tx_index = 0;
  int64_t time_ms = 0;
  Bytes tx_id;
};
std::string AuditAccessCopyLine(const AuditSpec& spec, const GeneratedAccess& g, const AuditRowPlace& place);
std::string AuditSubjectCopyLines(const AuditSpec& spec, const GeneratedAccess& g, const AuditRowPlace& place);
// A value for COPY text format: backslash, tab, newline and carriage return escaped.
std::string CopyEscape(std::string_view text);

// ---- Query shapes

enum class AuditShape { kRequester, kProvider, kResource, kVerdict, kTime, kSubject, kCombined, kViolations, kStats };
const std::vector<AuditShape>& AllAuditShapes();
const char* AuditShapeName(AuditShape shape);  // "by requester", ...

struct AuditQueryContext {
  std::vector<std::string> orgs;       // requester/provider USCCs
  std::vector<std::string> resources;  // codes
  std::vector<std::string> subjects;   // hot subject commitments (raw 32 bytes)
  int64_t min_time_ms = 0;             // block times of the records
  int64_t max_time_ms = 0;
  uint32_t page = 100;
};

struct AuditQuery {
  std::string method;        // sharing_query | sharing_violations | sharing_stats
  std::string request_json;  // the method's own params (signed as text)
  std::string sql;           // one statement with $n params, or several without params
  std::vector<std::string> sql_params;
};
// Variant `variant` of `shape` (variants rotate orgs, resources, subjects and windows).
AuditQuery MakeAuditQuery(AuditShape shape, const AuditQueryContext& ctx, uint64_t variant);

}  // namespace civic::tools::bench
