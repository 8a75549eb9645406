#include "contracts/sharing/contract.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "contracts/base/identifiers.h"
#include "contracts/governance/query.h"
#include "contracts/base/state_io.h"
#include "contracts/base/time_format.h"
#include "crypto/hash.h"
#include "ledger/tx.h"
#include "contracts/base/tx_builder.h"
#include "contracts/base/contract_names.h"

namespace civic::contracts {

namespace json = boost::json;
using StringList = google::protobuf::RepeatedPtrField<std::string>;

// ---------------------------------------------------------------------------
// Names, syntax and parameters

namespace {

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool TokenOk(std::string_view s, std::string_view extra) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!IsAlnum(c) && extra.find(c) == std::string_view::npos) return false;
  }
  return true;
}

std::string Shown(std::string_view s) { return std::string(s.substr(0, 64)); }

}  // namespace

Status ValidateResourceCode(std::string_view code) {
  if (!TokenOk(code, "_.:/-")) {
    return Status::InvalidArgument("BAD_RESOURCE_CODE",
                                   "resource code '" + Shown(code) + "' must be 1 to 64 of A-Z a-z 0-9 _ . : / -");
  }
  return Status::Ok();
}

Status ValidateGrantId(std::string_view id) {
  if (!TokenOk(id, "_.:-")) {
    return Status::InvalidArgument("BAD_GRANT_ID",
                                   "grant id '" + Shown(id) + "' must be 1 to 64 of A-Z a-z 0-9 _ . : -");
  }
  return Status::Ok();
}

Status ValidateRequestId(std::string_view id) {
  if (!TokenOk(id, "_.:-")) {
    return Status::InvalidArgument("BAD_REQUEST_ID",
                                   "request id '" + Shown(id) + "' must be 1 to 64 of A-Z a-z 0-9 _ . : -");
  }
  return Status::Ok();
}

Status ValidateSharingFieldName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64 && name[0] >= 'a' && name[0] <= 'z';
  for (char c : name) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  if (!ok) {
    return Status::InvalidArgument("BAD_FIELD", "field name '" + Shown(name) + "' must match [a-z][a-z0-9_]{0,63}");
  }
  return Status::Ok();
}

pb::SharingParams DefaultSharingParams() {
  pb::SharingParams p;
  p.set_ack_deadline_ms(int64_t{24} * 3600 * 1000);
  p.set_max_access_lag_ms(int64_t{24} * 3600 * 1000);
  p.set_max_batch_records(10000);
  p.set_max_subjects_per_record(1000);
  return p;
}

Status ValidateSharingParams(const pb::SharingParams& p) {
  auto bad = [](std::string why) { return Status::InvalidArgument("BAD_PARAMS", "sharing parameters: " + why); };
  constexpr int64_t kYear = int64_t{366} * 24 * 3600 * 1000;
  if (p.ack_deadline_ms() < 1000 || p.ack_deadline_ms() > kYear) return bad("ack_deadline_ms must be 1 s .. 1 year");
  if (p.max_access_lag_ms() < 0 || p.max_access_lag_ms() > kYear) {
    return bad("max_access_lag_ms must be 0 .. 1 year");
  }
  if (p.max_batch_records() < 1 || p.max_batch_records() > 50000) return bad("max_batch_records must be 1 .. 50000");
  if (p.max_subjects_per_record() < 1 || p.max_subjects_per_record() > 100000) {
    return bad("max_subjects_per_record must be 1 .. 100000");
  }
  return Status::Ok();
}

Result<pb::SharingParams> GetSharingParams(const ledger::KvReader& state) {
  auto params = ReadRecord<pb::SharingParams>(state, sharing_keys::kParams);
  if (!params.ok()) return params.status();
  return params->value_or(DefaultSharingParams());
}

const char* ShareTypeName(pb::SharingShareType type) {
  switch (type) {
    case pb::SHARING_UNCONDITIONAL:
      return "unconditional";
    case pb::SHARING_CONDITIONAL:
      return "conditional";
    case pb::SHARING_NOT_SHARED:
      return "not_shared";
    default:
      return "unspecified";
  }
}

Result<pb::SharingShareType> ParseShareType(std::string_view name) {
  if (name == "unconditional") return pb::SHARING_UNCONDITIONAL;
  if (name == "conditional") return pb::SHARING_CONDITIONAL;
  if (name == "not_shared" || name == "none") return pb::SHARING_NOT_SHARED;
  return Status::InvalidArgument(
      "BAD_SHARE_TYPE", "share type '" + Shown(name) + "' is not one of unconditional, conditional, not_shared");
}

const char* GrantStatusName(pb::SharingGrantStatus status) {
  switch (status) {
    case pb::SHARING_GRANT_REQUESTED:
      return "requested";
    case pb::SHARING_GRANT_ACTIVE:
      return "active";
    case pb::SHARING_GRANT_REJECTED:
      return "rejected";
    case pb::SHARING_GRANT_REVOKED:
      return "revoked";
    default:
      return "unspecified";
  }
}

Result<pb::SharingGrantStatus> ParseGrantStatus(std::string_view name) {
  for (auto s :
       {pb::SHARING_GRANT_REQUESTED, pb::SHARING_GRANT_ACTIVE, pb::SHARING_GRANT_REJECTED, pb::SHARING_GRANT_REVOKED}) {
    if (name == GrantStatusName(s)) return s;
  }
  return Status::InvalidArgument(
      "BAD_GRANT_STATUS", "grant status '" + Shown(name) + "' is not one of requested, active, rejected, revoked");
}

const char* GrantEventKindName(pb::SharingGrantEventKind kind) {
  switch (kind) {
    case pb::SHARING_GRANT_EVENT_REQUESTED:
      return "requested";
    case pb::SHARING_GRANT_EVENT_ISSUED:
      return "issued";
    case pb::SHARING_GRANT_EVENT_APPROVED:
      return "approved";
    case pb::SHARING_GRANT_EVENT_REJECTED:
      return "rejected";
    case pb::SHARING_GRANT_EVENT_REVOKED:
      return "revoked";
    default:
      return "unspecified";
  }
}

const char* VerdictName(pb::SharingVerdict verdict) {
  switch (verdict) {
    case pb::SHARING_AUTHORIZED:
      return "authorized";
    case pb::SHARING_VIOLATION:
      return "violation";
    default:
      return "unspecified";
  }
}

Result<pb::SharingVerdict> ParseVerdict(std::string_view name) {
  if (name == "authorized") return pb::SHARING_AUTHORIZED;
  if (name == "violation") return pb::SHARING_VIOLATION;
  return Status::InvalidArgument("BAD_VERDICT", "verdict '" + Shown(name) + "' is not one of authorized, violation");
}

const char* ReasonName(pb::SharingReason reason) {
  switch (reason) {
    case pb::SHARING_REASON_RESOURCE_NOT_SHARED:
      return "RESOURCE_NOT_SHARED";
    case pb::SHARING_REASON_NO_GRANT:
      return "NO_GRANT";
    case pb::SHARING_REASON_GRANT_REVOKED:
      return "GRANT_REVOKED";
    case pb::SHARING_REASON_GRANT_EXPIRED:
      return "GRANT_EXPIRED";
    case pb::SHARING_REASON_FIELDS_BEYOND_GRANT:
      return "FIELDS_BEYOND_GRANT";
    case pb::SHARING_REASON_PURPOSE_MISMATCH:
      return "PURPOSE_MISMATCH";
    case pb::SHARING_REASON_DIGEST_MISMATCH:
      return "DIGEST_MISMATCH";
    case pb::SHARING_REASON_UNACKNOWLEDGED:
      return "UNACKNOWLEDGED";
    default:
      return "UNSPECIFIED";
  }
}

Result<pb::SharingReason> ParseReason(std::string_view name) {
  for (int r = pb::SHARING_REASON_RESOURCE_NOT_SHARED; r <= pb::SHARING_REASON_UNACKNOWLEDGED; ++r) {
    auto reason = static_cast<pb::SharingReason>(r);
    if (name == ReasonName(reason)) return reason;
  }
  return Status::InvalidArgument("BAD_REASON", "violation reason '" + Shown(name) + "' is unknown");
}

int64_t SharingDay(int64_t time_ms) {
  constexpr int64_t kDay = 86'400'000;
  int64_t t = time_ms + kSharingDayOffsetMs;
  return t >= 0 ? t / kDay : -((-t + kDay - 1) / kDay);
}

std::string SharingDayText(int64_t day) {
  // FormatRfc3339 of the day's start in UTC gives the date of that civil day.
  return FormatRfc3339(day * 86'400'000).substr(0, 10);
}

// ---------------------------------------------------------------------------
// Keys

namespace sharing_keys {

namespace {
std::string Cat(std::string_view a, std::string_view b) {
  std::string out;
  out.reserve(a.size() + b.size() + 24);
  out.append(a).append(b);
  return out;
}
// Time keys store block time + 2^63 so that the byte order is the numeric order
// for every int64 (block times are positive, but nothing here relies on it).
uint64_t Biased(int64_t t) { return static_cast<uint64_t>(t) ^ (uint64_t{1} << 63); }
void PutBigEndian32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}
}  // namespace

std::string Resource(std::string_view code) { return Cat(kResourcePrefix, code); }
std::string Grant(std::string_view id) { return Cat(kGrantPrefix, id); }
std::string Record(std::string_view requester, std::string_view request_id) {
  std::string out = Cat(kRecordPrefix, requester);
  out.push_back('/');
  out.append(request_id);
  return out;
}

std::string TimeKey(int64_t time_ms, uint64_t height, uint32_t tx_index, uint32_t position) {
  std::string out;
  out.reserve(kTimeKeySize);
  PutBigEndian64(&out, Biased(time_ms));
  PutBigEndian64(&out, height);
  PutBigEndian32(&out, tx_index);
  PutBigEndian32(&out, position);
  return out;
}

std::string TimeKeyOf(const pb::SharingAccessRecord& r) {
  return TimeKey(r.time_ms(), r.height(), r.tx_index(), r.index());
}

std::string TimeKeyFloor(int64_t time_ms) {
  std::string out;
  PutBigEndian64(&out, Biased(time_ms));
  return out;
}

int64_t TimeOfKey(std::string_view time_key) {
  return static_cast<int64_t>(GetBigEndian64(time_key) ^ (uint64_t{1} << 63));
}

uint64_t PurposeHash(std::string_view purpose) { return GetBigEndian64(crypto::Sha256(purpose)); }

std::string PurposeHashBytes(uint64_t hash) {
  std::string out;
  PutBigEndian64(&out, hash);
  return out;
}

std::string RequesterIndex(std::string_view org) { return Cat(kByRequester, org); }
std::string ProviderIndex(std::string_view org) { return Cat(kByProvider, org); }
std::string ResourceIndex(std::string_view resource) {
  std::string out = Cat(kByResource, resource);
  out.push_back('\0');
  return out;
}
std::string PurposeIndex(uint64_t purpose_hash) { return Cat(kByPurpose, PurposeHashBytes(purpose_hash)); }
std::string VerdictIndex(pb::SharingVerdict verdict) {
  std::string out(kByVerdict);
  out.push_back(static_cast<char>(verdict));
  return out;
}
std::string ReasonIndex(pb::SharingReason reason) {
  std::string out(kByReason);
  out.push_back(static_cast<char>(reason));
  return out;
}
std::string SubjectIndex(std::string_view commitment) { return Cat(kBySubject, commitment); }

std::string DayBytes(int64_t day) {
  std::string out;
  PutBigEndian64(&out, Biased(day));
  return out;
}
std::string DayCounter(int64_t day) { return Cat(kDayCounter, DayBytes(day)); }
std::string OrgCounterPrefix(std::string_view org) { return Cat(kOrgCounter, org); }
std::string ResourceCounterPrefix(std::string_view resource) {
  std::string out = Cat(kResourceCounter, resource);
  out.push_back('\0');
  return out;
}
std::string OrgResourceCounterPrefix(std::string_view org, std::string_view resource) {
  std::string out = Cat(kOrgResourceCounter, org);
  out.append(resource).push_back('\0');
  return out;
}
std::string ResourceOrgCounterPrefix(std::string_view resource, std::string_view org) {
  std::string out = Cat(kResourceOrgCounter, resource);
  out.push_back('\0');
  out.append(org);
  return out;
}

}  // namespace sharing_keys

// ---------------------------------------------------------------------------
// The contract

namespace {

namespace sk = sharing_keys;

constexpr size_t kDigestSize = 32;

Result<pb::SharingCall> DecodeCall(std::string_view call) {
  pb::SharingCall m;
  if (!m.ParseFromArray(call.data(), static_cast<int>(call.size()))) {
    return Status::InvalidArgument("CALL_MALFORMED", "the sharing call does not decode");
  }
  if (m.call_case() == pb::SharingCall::CALL_NOT_SET) {
    return Status::InvalidArgument("EMPTY_CALL", "the sharing call names no operation");
  }
  return m;
}

bool AllowedAsGovernance(pb::SharingCall::CallCase kind) {
  return kind == pb::SharingCall::kRegisterResource || kind == pb::SharingCall::kRevokeGrant ||
         kind == pb::SharingCall::kSetParams;
}

// A valid citizen identity number anywhere in `text` (personal data on a public ledger).
bool ContainsCitizenId(std::string_view text) {
  size_t run = 0;  // digits ending at i
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool digit = c >= '0' && c <= '9';
    if ((digit || c == 'X' || c == 'x') && run >= 17) {
      std::string candidate(text.substr(i - 17, 18));
      if (candidate.back() == 'x') candidate.back() = 'X';
      if (ValidateCitizenId(candidate).ok()) return true;
    }
    run = digit ? run + 1 : 0;
  }
  return false;
}

Status CheckText(std::string_view what, std::string_view text, bool required, size_t max = kMaxSharingText) {
  if (required && text.empty()) return Status::InvalidArgument("BAD_TEXT", std::string(what) + " is required");
  if (text.size() > max) {
    return Status::InvalidArgument("TEXT_TOO_LONG",
                                   std::string(what) + " must be at most " + std::to_string(max) + " bytes");
  }
  if (ContainsCitizenId(text)) {
    return Status::InvalidArgument("PERSONAL_DATA_IN_TEXT", std::string(what) +
                                                                " contains a citizen identity number; the ledger is "
                                                                "public to every department");
  }
  return Status::Ok();
}

Status CheckPurpose(std::string_view purpose) {
  if (purpose.empty()) return Status::InvalidArgument("PURPOSE_REQUIRED", "a purpose is required");
  return CheckText("the purpose", purpose, true);
}

// Validates, sorts and checks `fields` for duplicates.
Status NormalizeFields(StringList* fields, bool required) {
  if (required && fields->empty()) return Status::InvalidArgument("BAD_FIELD", "at least one field is required");
  if (static_cast<size_t>(fields->size()) > kMaxSharingFields) {
    return Status::InvalidArgument("BAD_FIELD", "at most " + std::to_string(kMaxSharingFields) + " fields");
  }
  for (const auto& f : *fields) CIVIC_RETURN_IF_ERROR(ValidateSharingFieldName(f));
  if (!std::is_sorted(fields->begin(), fields->end())) std::sort(fields->begin(), fields->end());
  auto dup = std::adjacent_find(fields->begin(), fields->end());
  if (dup != fields->end()) return Status::InvalidArgument("BAD_FIELD", "field '" + *dup + "' is named twice");
  return Status::Ok();
}

// Fields of sorted `sub` that are not in sorted `super`, comma-separated ("" = subset).
std::string FieldsOutside(const StringList& sub, const StringList& super) {
  std::string out;
  auto it = super.begin();
  for (const auto& f : sub) {
    while (it != super.end() && *it < f) ++it;
    if (it == super.end() || *it != f) out += (out.empty() ? "" : ", ") + f;
  }
  return out;
}

Status CheckDigest(std::string_view digest, std::string_view what) {
  if (digest.size() != kDigestSize) {
    return Status::InvalidArgument("BAD_DIGEST", std::string(what) + " must be 32 bytes (SHA-256)");
  }
  return Status::Ok();
}

Result<pb::Org> ActiveOrg(const ledger::KvReader& state, std::string_view code) {
  CIVIC_ASSIGN_OR_RETURN(pb::Org org, GetOrg(state, code));
  if (org.removed()) return Status::PermissionDenied("ORG_REMOVED", "org " + org.code() + " has been removed");
  return org;
}

Status RequireRole(const pb::Org& org, pb::OrgRole role) {
  if (!HasRole(org, role)) {
    return Status::PermissionDenied(
        "MISSING_ROLE", "org " + org.code() + " (" + org.name() + ") does not hold the " + RoleName(role) + " role");
  }
  return Status::Ok();
}

Status NotAGovernanceAction() {
  return Status::InvalidArgument("NOT_A_GOVERNANCE_ACTION",
                                 "this sharing call is signed by a department; only resource registration, grant "
                                 "revocation and parameters can be governance actions");
}

Result<pb::SharingResource> LoadResource(const ledger::KvReader& state, std::string_view code) {
  CIVIC_RETURN_IF_ERROR(ValidateResourceCode(code));
  auto r = ReadRecord<pb::SharingResource>(state, sk::Resource(code));
  if (!r.ok()) return r.status();
  if (!r->has_value())
    return Status::NotFound("RESOURCE_NOT_FOUND", "no data resource with code '" + std::string(code) + "'");
  return std::move(**r);
}

Result<pb::SharingGrant> LoadGrant(const ledger::KvReader& state, std::string_view id) {
  CIVIC_RETURN_IF_ERROR(ValidateGrantId(id));
  auto g = ReadRecord<pb::SharingGrant>(state, sk::Grant(id));
  if (!g.ok()) return g.status();
  if (!g->has_value()) return Status::NotFound("GRANT_NOT_FOUND", "no grant with id '" + std::string(id) + "'");
  return std::move(**g);
}

uint32_t ReasonBits(const pb::SharingAccessRecord& r) {
  uint32_t bits = 0;
  for (const auto& f : r.findings()) bits |= uint32_t{1} << static_cast<unsigned>(f.reason());
  return bits;
}

// The records logged so far: the next record's ordinal (0 before the first).
Result<uint64_t> RecordTotal(const ledger::KvReader& view) {
  CIVIC_ASSIGN_OR_RETURN(auto raw, view.Get(ledger::Space::kIndex, sk::kRecordTotal));
  if (!raw.has_value()) return uint64_t{0};
  if (raw->size() != 8) return Status::Corruption("sharing record total is not 8 bytes");
  return GetBigEndian64(*raw);
}

// Writes every index entry of `record` (the time entry with `ordinal` when
// given); `before` (when the record existed) removes the entries that no longer
// apply.
void WriteIndexes(ledger::StateView* view, const pb::SharingAccessRecord& record, uint64_t purpose_hash,
                  std::optional<uint64_t> ordinal, const pb::SharingAccessRecord* before) {
  const std::string tk = sk::TimeKeyOf(record);
  pb::SharingIndexEntry entry;
  entry.set_requester_org(record.requester_org());
  entry.set_request_id(record.request_id());
  entry.set_provider_org(record.provider_org());
  entry.set_resource(record.resource());
  entry.set_purpose_hash(purpose_hash);
  entry.set_verdict(record.verdict());
  entry.set_reasons(ReasonBits(record));
  const std::string value = SerializeRecord(entry);
  auto put = [&](std::string prefix) {
    prefix.append(tk);
    view->Put(ledger::Space::kIndex, prefix, value);
  };
  if (ordinal) entry.set_ordinal(*ordinal);
  view->Put(ledger::Space::kIndex, std::string(sk::kByTime) + tk, ordinal ? SerializeRecord(entry) : value);
  put(sk::RequesterIndex(record.requester_org()));
  put(sk::ProviderIndex(record.provider_org()));
  put(sk::ResourceIndex(record.resource()));
  put(sk::PurposeIndex(purpose_hash));
  put(sk::VerdictIndex(record.verdict()));
  for (const auto& f : record.findings()) put(sk::ReasonIndex(f.reason()));
  for (const auto& s : record.subject_commitments()) put(sk::SubjectIndex(s));
  if (before != nullptr && before->verdict() != record.verdict()) {
    view->Delete(ledger::Space::kIndex, sk::VerdictIndex(before->verdict()) + tk);
  }
}

// A new record, the next in logging order.
void WriteIndexes(ledger::StateView* view, const pb::SharingAccessRecord& record, uint64_t purpose_hash,
                  uint64_t ordinal) {
  WriteIndexes(view, record, purpose_hash, std::optional<uint64_t>(ordinal), nullptr);
}

// A changed record (`before` is the stored one): the verdict entry moves, the
// time entry keeps its ordinal (none if the entry has none).
Status RewriteIndexes(ledger::StateView* view, const pb::SharingAccessRecord& record, uint64_t purpose_hash,
                      const pb::SharingAccessRecord& before) {
  const std::string time_key = std::string(sk::kByTime) + sk::TimeKeyOf(before);
  CIVIC_ASSIGN_OR_RETURN(auto stored, ReadRecord<pb::SharingIndexEntry>(*view, time_key, ledger::Space::kIndex));
  std::optional<uint64_t> ordinal;
  if (stored.has_value() && stored->has_ordinal()) ordinal = stored->ordinal();
  WriteIndexes(view, record, purpose_hash, ordinal, &before);
  return Status::Ok();
}

// Statistics deltas of one tx (or one EndBlock), written once per key.
class CounterBook {
 public:
  void AddRecord(const pb::SharingAccessRecord& r) {
    Delta& d = Of(r);
    d.records += 1;
    d.violations += r.verdict() == pb::SHARING_VIOLATION ? 1 : 0;
    d.rows += r.record_count();
  }
  // A stored record turned from authorized into a violation.
  void AddViolation(const pb::SharingAccessRecord& r) { Of(r).violations += 1; }

  // Adds the deltas to the stored counters (one read and one write per key).
  Status Flush(ledger::StateView* view) {
    std::map<std::string, pb::SharingCounter> deltas;
    for (const auto& [group, d] : groups_) {
      const auto& [requester, provider, resource, day_number] = group;
      const std::string day = sk::DayBytes(day_number);
      auto plain = [&](const std::string& key) {
        pb::SharingCounter& c = deltas[key];
        c.set_total(c.total() + d.records);
        c.set_violations(c.violations() + d.violations);
        c.set_records(c.records() + d.rows);
      };
      auto sided = [&](const std::string& key, bool as_requester) {
        pb::SharingCounter& c = deltas[key];
        c.set_total(c.total() + d.records);
        c.set_violations(c.violations() + d.violations);
        c.set_records(c.records() + d.rows);
        if (as_requester) {
          c.set_as_requester(c.as_requester() + d.records);
          c.set_violations_as_requester(c.violations_as_requester() + d.violations);
          c.set_records_as_requester(c.records_as_requester() + d.rows);
        } else {
          c.set_as_provider(c.as_provider() + d.records);
          c.set_violations_as_provider(c.violations_as_provider() + d.violations);
          c.set_records_as_provider(c.records_as_provider() + d.rows);
        }
      };
      plain(std::string(sk::kDayCounter) + day);
      plain(sk::ResourceCounterPrefix(resource) + day);
      sided(sk::OrgCounterPrefix(requester) + day, true);
      sided(sk::OrgCounterPrefix(provider) + day, false);
      sided(sk::OrgResourceCounterPrefix(requester, resource) + day, true);
      sided(sk::OrgResourceCounterPrefix(provider, resource) + day, false);
      sided(sk::ResourceOrgCounterPrefix(resource, requester) + day, true);
      sided(sk::ResourceOrgCounterPrefix(resource, provider) + day, false);
    }
    for (const auto& [key, delta] : deltas) {
      CIVIC_ASSIGN_OR_RETURN(auto existing, ReadRecord<pb::SharingCounter>(*view, key, ledger::Space::kIndex));
      pb::SharingCounter c = existing.value_or(pb::SharingCounter());
      c.set_total(c.total() + delta.total());
      c.set_violations(c.violations() + delta.violations());
      c.set_as_requester(c.as_requester() + delta.as_requester());
      c.set_as_provider(c.as_provider() + delta.as_provider());
      c.set_violations_as_requester(c.violations_as_requester() + delta.violations_as_requester());
      c.set_violations_as_provider(c.violations_as_provider() + delta.violations_as_provider());
      c.set_records(c.records() + delta.records());
      c.set_records_as_requester(c.records_as_requester() + delta.records_as_requester());
      c.set_records_as_provider(c.records_as_provider() + delta.records_as_provider());
      view->Put(ledger::Space::kIndex, key, SerializeRecord(c));
    }
    groups_.clear();
    last_ = nullptr;
    return Status::Ok();
  }

 private:
  struct Delta {
    uint64_t records = 0;
    uint64_t violations = 0;
    uint64_t rows = 0;
  };
  using Group = std::tuple<std::string, std::string, std::string, int64_t>;  // requester, provider, resource, day

  // The group of `r`; consecutive records of a batch mostly share it, so the last
  // one is checked before the map.
  Delta& Of(const pb::SharingAccessRecord& r) {
    int64_t day = SharingDay(r.time_ms());
    if (last_ != nullptr) {
      const auto& [requester, provider, resource, last_day] = last_->first;
      if (last_day == day && requester == r.requester_org() && provider == r.provider_org() &&
          resource == r.resource()) {
        return last_->second;
      }
    }
    auto [it, inserted] = groups_.try_emplace(Group{r.requester_org(), r.provider_org(), r.resource(), day});
    last_ = &*it;
    return it->second;
  }

  std::map<Group, Delta> groups_;
  std::pair<const Group, Delta>* last_ = nullptr;
};

// Adds `reason` to the record's findings (once) and updates its verdict.
// Returns true when the record turned from authorized into a violation.
bool AddFinding(pb::SharingAccessRecord* r, pb::SharingReason reason, std::string detail) {
  for (const auto& f : r->findings())
    if (f.reason() == reason) return false;
  bool was_authorized = r->verdict() == pb::SHARING_AUTHORIZED;
  pb::SharingFinding* f = r->add_findings();
  f->set_reason(reason);
  f->set_detail(std::move(detail));
  // Keep findings in rule order.
  std::stable_sort(r->mutable_findings()->begin(), r->mutable_findings()->end(),
                   [](const auto& a, const auto& b) { return a.reason() < b.reason(); });
  r->set_verdict(pb::SHARING_VIOLATION);
  return was_authorized;
}

std::string PendingSuffix(int64_t deadline_ms, uint64_t height, uint32_t tx_index) {
  // Deadlines are positive block times plus a positive duration.
  std::string out;
  PutBigEndian64(&out, static_cast<uint64_t>(std::max<int64_t>(deadline_ms, 0)));
  PutBigEndian64(&out, height);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((tx_index >> shift) & 0xff));
  return out;
}

std::string PendingSuffixOf(const pb::SharingAccessRecord& r) {
  return PendingSuffix(r.ack_deadline_ms(), r.height(), r.tx_index());
}

// Marks an unacknowledged record overdue.
bool MarkOverdue(pb::SharingAccessRecord* r) {
  r->set_overdue(true);
  return AddFinding(r, pb::SHARING_REASON_UNACKNOWLEDGED,
                    "the provider did not acknowledge by " + FormatRfc3339(r->ack_deadline_ms()));
}

// A grant as used during one tx.
struct GrantEntry {
  bool found = false;
  pb::SharingGrant grant;
};

struct ResourceEntry {
  bool found = false;
  pb::SharingResource resource;
};

struct PurposeEntry {
  Status valid;
  uint64_t hash = 0;
};

class Executor {
 public:
  Executor(const ledger::TxContext& ctx, ledger::StateView* view) : ctx_(ctx), view_(view) {}

  Status Run(pb::SharingCall* call) {
    if (ctx_.governance && !AllowedAsGovernance(call->call_case())) return NotAGovernanceAction();
    switch (call->call_case()) {
      case pb::SharingCall::kRegisterResource:
        return RegisterResource(call->mutable_register_resource()->mutable_resource());
      case pb::SharingCall::kRequestGrant:
        return RequestGrant(call->mutable_request_grant()->mutable_grant());
      case pb::SharingCall::kIssueGrant:
        return IssueGrant(call->mutable_issue_grant()->mutable_grant());
      case pb::SharingCall::kApproveGrant:
        return ApproveGrant(call->mutable_approve_grant());
      case pb::SharingCall::kRejectGrant:
        return RejectGrant(call->reject_grant());
      case pb::SharingCall::kRevokeGrant:
        return RevokeGrant(call->revoke_grant());
      case pb::SharingCall::kLogAccess:
        return LogAccess(call->mutable_log_access());
      case pb::SharingCall::kAcknowledge:
        return Acknowledge(call->acknowledge());
      case pb::SharingCall::kSetParams:
        return SetParams(call->set_params().params());
      default:
        return Status::InvalidArgument("EMPTY_CALL", "the sharing call names no operation");
    }
  }

 private:
  Status LoadSigner() {
    CIVIC_ASSIGN_OR_RETURN(org_, ActiveOrg(*view_, ctx_.tx->body.org()));
    return Status::Ok();
  }

  // ---- catalogue

  Status RegisterResource(pb::SharingResource* r) {
    if (ctx_.governance) {
      if (r->provider_org().empty()) {
        return Status::InvalidArgument("BAD_RESOURCE", "a governance registration names the provider_org");
      }
      CIVIC_ASSIGN_OR_RETURN(pb::Org provider, ActiveOrg(*view_, r->provider_org()));
      CIVIC_RETURN_IF_ERROR(RequireRole(provider, pb::ROLE_DATA_PROVIDER));
    } else {
      CIVIC_RETURN_IF_ERROR(LoadSigner());
      CIVIC_RETURN_IF_ERROR(RequireRole(org_, pb::ROLE_DATA_PROVIDER));
      if (!r->provider_org().empty() && r->provider_org() != org_.code()) {
        return Status::PermissionDenied(
            "RESOURCE_OF_OTHER_PROVIDER",
            "org " + org_.code() + " registers its own resources only, not those of " + Shown(r->provider_org()));
      }
      r->set_provider_org(org_.code());
    }
    CIVIC_RETURN_IF_ERROR(ValidateResourceCode(r->code()));
    auto bad = [&](std::string why) {
      return Status::InvalidArgument("BAD_RESOURCE", "resource " + r->code() + ": " + why);
    };
    if (r->name().empty()) return bad("a name is required");
    CIVIC_RETURN_IF_ERROR(CheckText("the resource name", r->name(), true, kMaxResourceName));
    CIVIC_RETURN_IF_ERROR(CheckText("the resource description", r->description(), false, kMaxResourceDescription));
    CIVIC_RETURN_IF_ERROR(NormalizeFields(r->mutable_fields(), true));
    if (r->share_type() != pb::SHARING_UNCONDITIONAL && r->share_type() != pb::SHARING_CONDITIONAL &&
        r->share_type() != pb::SHARING_NOT_SHARED) {
      return bad("share_type must be unconditional, conditional or not_shared");
    }
    auto existing = ReadRecord<pb::SharingResource>(*view_, sk::Resource(r->code()));
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) {
      if ((*existing)->provider_org() != r->provider_org()) {
        return Status::PermissionDenied(
            "RESOURCE_OF_OTHER_PROVIDER",
            "resource " + r->code() + " belongs to provider " + (*existing)->provider_org());
      }
      r->set_registered_height((*existing)->registered_height());
      r->set_registered_time_ms((*existing)->registered_time_ms());
    } else {
      r->set_registered_height(ctx_.height);
      r->set_registered_time_ms(ctx_.block_time_ms);
    }
    r->set_updated_height(ctx_.height);
    r->set_updated_time_ms(ctx_.block_time_ms);
    WriteRecord(view_, sk::Resource(r->code()), *r);
    return Status::Ok();
  }

  // ---- grants

  void AddEvent(pb::SharingGrant* g, pb::SharingGrantEventKind kind, std::string_view note) {
    pb::SharingGrantEvent* e = g->add_events();
    e->set_kind(kind);
    e->set_time_ms(ctx_.block_time_ms);
    e->set_height(ctx_.height);
    e->set_tx_id(ctx_.tx->id);
    e->set_org(ctx_.governance ? "" : org_.code());
    e->set_note(std::string(note));
  }

  // Checks a new grant's content against its resource; fills provider_org.
  Status CheckNewGrant(pb::SharingGrant* g) {
    CIVIC_RETURN_IF_ERROR(ValidateGrantId(g->id()));
    auto existing = view_->Get(sk::Grant(g->id()));
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) return Status::AlreadyExists("GRANT_EXISTS", "grant " + g->id() + " already exists");
    CIVIC_ASSIGN_OR_RETURN(pb::SharingResource resource, LoadResource(*view_, g->resource()));
    if (resource.share_type() == pb::SHARING_NOT_SHARED) {
      return Status::FailedPrecondition("RESOURCE_NOT_SHARED", "resource " + resource.code() + " (" + resource.name() +
                                                                   ") is not shared, so it cannot be granted");
    }
    g->set_provider_org(resource.provider_org());
    if (g->requester_org() == g->provider_org()) {
      return Status::InvalidArgument("SELF_ACCESS", "a department needs no grant for its own resource");
    }
    CIVIC_RETURN_IF_ERROR(NormalizeFields(g->mutable_fields(), true));
    std::string outside = FieldsOutside(g->fields(), resource.fields());
    if (!outside.empty()) {
      return Status::InvalidArgument("UNKNOWN_FIELD", "resource " + resource.code() + " has no field(s) " + outside);
    }
    CIVIC_RETURN_IF_ERROR(CheckPurpose(g->purpose()));
    if (g->legal_basis().empty()) {
      return Status::InvalidArgument("BAD_GRANT", "grant " + g->id() + ": a legal basis is required");
    }
    CIVIC_RETURN_IF_ERROR(CheckText("the legal basis", g->legal_basis(), true));
    if (g->valid_from_ms() < 0) return Status::InvalidArgument("BAD_TIME", "valid_from must not be negative");
    if (g->expires_at_ms() <= ctx_.block_time_ms) {
      return Status::InvalidArgument("BAD_TIME", "grant " + g->id() + ": expires_at must be after the block time " +
                                                     FormatRfc3339(ctx_.block_time_ms));
    }
    if (g->valid_from_ms() >= g->expires_at_ms()) {
      return Status::InvalidArgument("BAD_TIME", "grant " + g->id() + ": valid_from must be before expires_at");
    }
    g->clear_status_reason();
    g->clear_revoked_time_ms();
    g->clear_events();
    return Status::Ok();
  }

  Status RequestGrant(pb::SharingGrant* g) {
    CIVIC_RETURN_IF_ERROR(LoadSigner());
    CIVIC_RETURN_IF_ERROR(RequireRole(org_, pb::ROLE_DATA_REQUESTER));
    if (!g->requester_org().empty() && g->requester_org() != org_.code()) {
      return Status::InvalidArgument(
          "BAD_GRANT", "a grant request is filed by its requester; requester_org must be " + org_.code() + " or empty");
    }
    g->set_requester_org(org_.code());
    CIVIC_RETURN_IF_ERROR(CheckNewGrant(g));
    g->set_status(pb::SHARING_GRANT_REQUESTED);
    AddEvent(g, pb::SHARING_GRANT_EVENT_REQUESTED, "");
    WriteRecord(view_, sk::Grant(g->id()), *g);
    return Status::Ok();
  }

  Status IssueGrant(pb::SharingGrant* g) {
    CIVIC_RETURN_IF_ERROR(LoadSigner());
    CIVIC_RETURN_IF_ERROR(RequireRole(org_, pb::ROLE_DATA_PROVIDER));
    CIVIC_RETURN_IF_ERROR(ValidateUscc(g->requester_org()));
    CIVIC_ASSIGN_OR_RETURN(pb::Org requester, ActiveOrg(*view_, g->requester_org()));
    CIVIC_RETURN_IF_ERROR(RequireRole(requester, pb::ROLE_DATA_REQUESTER));
    CIVIC_RETURN_IF_ERROR(CheckNewGrant(g));
    if (g->provider_org() != org_.code()) {
      return Status::PermissionDenied("RESOURCE_OF_OTHER_PROVIDER", "resource " + g->resource() + " is provided by " +
                                                                        g->provider_org() + ", not by " + org_.code());
    }
    if (g->valid_from_ms() == 0) g->set_valid_from_ms(ctx_.block_time_ms);
    g->set_status(pb::SHARING_GRANT_ACTIVE);
    AddEvent(g, pb::SHARING_GRANT_EVENT_ISSUED, "");
    WriteRecord(view_, sk::Grant(g->id()), *g);
    return Status::Ok();
  }

  // The grant, checked to be the signer's (as provider) with the signer still a provider.
  Result<pb::SharingGrant> OwnGrant(std::string_view id) {
    CIVIC_ASSIGN_OR_RETURN(pb::SharingGrant g, LoadGrant(*view_, id));
    if (ctx_.governance) return g;
    CIVIC_RETURN_IF_ERROR(LoadSigner());
    if (g.provider_org() != org_.code()) {
      return Status::PermissionDenied("NOT_GRANT_PROVIDER", "grant " + g.id() + " is decided by its provider " +
                                                                g.provider_org() + ", not by " + org_.code());
    }
    CIVIC_RETURN_IF_ERROR(RequireRole(org_, pb::ROLE_DATA_PROVIDER));
    return g;
  }

  Status ApproveGrant(pb::SharingApproveGrant* m) {
    CIVIC_ASSIGN_OR_RETURN(pb::SharingGrant g, OwnGrant(m->grant_id()));
    if (g.status() != pb::SHARING_GRANT_REQUESTED) {
      return Status::FailedPrecondition(
          "GRANT_NOT_REQUESTED", "grant " + g.id() + " is " + GrantStatusName(g.status()) + ", not awaiting approval");
    }
    CIVIC_RETURN_IF_ERROR(CheckText("the note", m->note(), false));
    if (!m->fields().empty()) {
      CIVIC_RETURN_IF_ERROR(NormalizeFields(m->mutable_fields(), true));
      std::string outside = FieldsOutside(m->fields(), g.fields());
      if (!outside.empty()) {
        return Status::InvalidArgument("BAD_GRANT",
                                       "approval may only narrow the requested fields; not requested: " + outside);
      }
      *g.mutable_fields() = m->fields();
    }
    if (m->expires_at_ms() != 0) {
      if (m->expires_at_ms() > g.expires_at_ms()) {
        return Status::InvalidArgument(
            "BAD_TIME", "approval may only shorten the requested expiry " + FormatRfc3339(g.expires_at_ms()));
      }
      g.set_expires_at_ms(m->expires_at_ms());
    }
    // No retroactive authorization: in force from the approval at the earliest.
    g.set_valid_from_ms(std::max(g.valid_from_ms(), ctx_.block_time_ms));
    if (g.expires_at_ms() <= g.valid_from_ms()) {
      return Status::InvalidArgument("BAD_TIME", "grant " + g.id() + " would expire at " +
                                                     FormatRfc3339(g.expires_at_ms()) + ", before it comes into force");
    }
    g.set_status(pb::SHARING_GRANT_ACTIVE);
    AddEvent(&g, pb::SHARING_GRANT_EVENT_APPROVED, m->note());
    WriteRecord(view_, sk::Grant(g.id()), g);
    return Status::Ok();
  }

  Status RejectGrant(const pb::SharingRejectGrant& m) {
    CIVIC_ASSIGN_OR_RETURN(pb::SharingGrant g, OwnGrant(m.grant_id()));
    if (g.status() != pb::SHARING_GRANT_REQUESTED) {
      return Status::FailedPrecondition(
          "GRANT_NOT_REQUESTED", "grant " + g.id() + " is " + GrantStatusName(g.status()) + ", not awaiting approval");
    }
    CIVIC_RETURN_IF_ERROR(CheckText("the reason", m.reason(), true));
    g.set_status(pb::SHARING_GRANT_REJECTED);
    g.set_status_reason(m.reason());
    AddEvent(&g, pb::SHARING_GRANT_EVENT_REJECTED, m.reason());
    WriteRecord(view_, sk::Grant(g.id()), g);
    return Status::Ok();
  }

  Status RevokeGrant(const pb::SharingRevokeGrant& m) {
    CIVIC_ASSIGN_OR_RETURN(pb::SharingGrant g, OwnGrant(m.grant_id()));
    if (g.status() != pb::SHARING_GRANT_ACTIVE) {
      return Status::FailedPrecondition(
          "GRANT_NOT_ACTIVE", "grant " + g.id() + " is " + GrantStatusName(g.status()) + ", so it cannot be revoked");
    }
    CIVIC_RETURN_IF_ERROR(CheckText("the reason", m.reason(), true));
    g.set_status(pb::SHARING_GRANT_REVOKED);
    g.set_status_reason(m.reason());
    g.set_revoked_time_ms(ctx_.block_time_ms);
    AddEvent(&g, pb::SHARING_GRANT_EVENT_REVOKED, m.reason());
    WriteRecord(view_, sk::Grant(g.id()), g);
    return Status::Ok();
  }

  Status SetParams(const pb::SharingParams& p) {
    if (!ctx_.governance) {
      return Status::PermissionDenied("GOVERNANCE_REQUIRED", "sharing parameters are set by governance: propose it");
    }
    CIVIC_RETURN_IF_ERROR(ValidateSharingParams(p));
    WriteRecord(view_, sk::kParams, p);
    return Status::Ok();
  }

  // ---- access records

  Result<const ResourceEntry*> Resource(const std::string& code) {
    auto it = resources_.find(code);
    if (it == resources_.end()) {
      CIVIC_RETURN_IF_ERROR(ValidateResourceCode(code));
      ResourceEntry entry;
      auto r = ReadRecord<pb::SharingResource>(*view_, sk::Resource(code));
      if (!r.ok()) return r.status();
      if (r->has_value()) {
        entry.found = true;
        entry.resource = std::move(**r);
      }
      it = resources_.emplace(code, std::move(entry)).first;
    }
    return &it->second;
  }

  Result<const GrantEntry*> Grant(const std::string& id) {
    auto it = grants_.find(id);
    if (it == grants_.end()) {
      CIVIC_RETURN_IF_ERROR(ValidateGrantId(id));
      GrantEntry entry;
      auto g = ReadRecord<pb::SharingGrant>(*view_, sk::Grant(id));
      if (!g.ok()) return g.status();
      if (g->has_value()) {
        entry.found = true;
        entry.grant = std::move(**g);
      }
      it = grants_.emplace(id, std::move(entry)).first;
    }
    return &it->second;
  }

  const PurposeEntry& Purpose(const std::string& purpose) {
    auto it = purposes_.find(purpose);
    if (it == purposes_.end()) {
      PurposeEntry entry;
      entry.valid = CheckPurpose(purpose);
      entry.hash = sk::PurposeHash(purpose);
      it = purposes_.emplace(purpose, std::move(entry)).first;
    }
    return it->second;
  }

  // A provider named by a record whose resource is not in the catalogue.
  Status CheckProviderOrg(const std::string& code) {
    if (known_orgs_.count(code)) return Status::Ok();
    CIVIC_RETURN_IF_ERROR(ValidateUscc(code));
    CIVIC_RETURN_IF_ERROR(GetOrg(*view_, code).status());
    known_orgs_.insert(code);
    return Status::Ok();
  }

  Status CheckBatchSize(size_t n, std::string_view what) {
    if (n == 0) return Status::InvalidArgument("EMPTY_BATCH", "the call carries no " + std::string(what));
    if (n > params_.max_batch_records()) {
      return Status::InvalidArgument("BATCH_TOO_LARGE", "a tx may carry at most " +
                                                            std::to_string(params_.max_batch_records()) + " " +
                                                            std::string(what) + ", this one has " + std::to_string(n));
    }
    return Status::Ok();
  }

  Status LogAccess(pb::SharingLogAccess* m) {
    CIVIC_RETURN_IF_ERROR(LoadSigner());
    CIVIC_RETURN_IF_ERROR(RequireRole(org_, pb::ROLE_DATA_REQUESTER));
    CIVIC_ASSIGN_OR_RETURN(params_, GetSharingParams(*view_));
    size_t n = static_cast<size_t>(m->accesses_size());
    CIVIC_RETURN_IF_ERROR(CheckBatchSize(n, "accesses"));
    pending_.set_requester_org(org_.code());
    CIVIC_ASSIGN_OR_RETURN(next_ordinal_, RecordTotal(*view_));
    for (size_t i = 0; i < n; ++i) {
      Status st = LogOne(static_cast<uint32_t>(i), m->mutable_accesses(static_cast<int>(i)));
      if (!st.ok()) {
        if (n == 1) return st;
        return Status(st.code(), st.app_code(), "access #" + std::to_string(i) + ": " + st.message());
      }
    }
    std::string suffix = PendingSuffix(ctx_.block_time_ms + params_.ack_deadline_ms(), ctx_.height, ctx_.tx_index);
    Bytes count;
    PutBigEndian64(&count, static_cast<uint64_t>(pending_.request_ids_size()));
    view_->Put(std::string(sk::kPendingPrefix) + suffix, count);
    WriteRecord(view_, std::string(sk::kPendingListPrefix) + suffix, pending_);
    Bytes total;
    PutBigEndian64(&total, next_ordinal_);
    view_->Put(ledger::Space::kIndex, sk::kRecordTotal, total);
    return counters_.Flush(view_);
  }

  Status LogOne(uint32_t position, pb::SharingAccess* a) {
    CIVIC_RETURN_IF_ERROR(ValidateRequestId(a->request_id()));
    if (!ids_in_tx_.insert(a->request_id()).second) {
      return Status::InvalidArgument("DUPLICATE_REQUEST_ID",
                                     "request id " + a->request_id() + " appears twice in this tx");
    }
    std::string record_key = sk::Record(org_.code(), a->request_id());
    auto existing = view_->Get(record_key);
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) {
      return Status::AlreadyExists("RECORD_EXISTS", "an access with request id " + a->request_id() + " of org " +
                                                        org_.code() + " is already recorded");
    }
    CIVIC_ASSIGN_OR_RETURN(const ResourceEntry* res, Resource(a->resource()));
    std::string provider = a->provider_org();
    if (res->found) {
      if (!provider.empty() && provider != res->resource.provider_org()) {
        return Status::InvalidArgument("PROVIDER_MISMATCH", "resource " + a->resource() + " is provided by " +
                                                                res->resource.provider_org() + ", not by " +
                                                                Shown(provider));
      }
      provider = res->resource.provider_org();
    } else {
      if (provider.empty()) {
        return Status::InvalidArgument("PROVIDER_REQUIRED", "resource " + a->resource() +
                                                                " is not in the catalogue, so the record must name "
                                                                "its provider");
      }
      CIVIC_RETURN_IF_ERROR(CheckProviderOrg(provider));
    }
    if (provider == org_.code()) {
      return Status::InvalidArgument("SELF_ACCESS", "org " + provider + " is both requester and provider");
    }
    if (!a->grant_id().empty()) CIVIC_RETURN_IF_ERROR(ValidateGrantId(a->grant_id()));
    const PurposeEntry& purpose = Purpose(a->purpose());
    CIVIC_RETURN_IF_ERROR(purpose.valid);
    CIVIC_RETURN_IF_ERROR(NormalizeFields(a->mutable_fields(), true));
    auto* subjects = a->mutable_subject_commitments();
    if (static_cast<size_t>(subjects->size()) > params_.max_subjects_per_record()) {
      return Status::InvalidArgument(
          "TOO_MANY_SUBJECTS",
          "a record may name at most " + std::to_string(params_.max_subjects_per_record()) + " subjects");
    }
    for (const auto& s : *subjects) {
      if (s.size() != kDigestSize) {
        return Status::InvalidArgument("BAD_SUBJECT_COMMITMENT", "a subject commitment must be 32 bytes");
      }
    }
    if (!std::is_sorted(subjects->begin(), subjects->end())) std::sort(subjects->begin(), subjects->end());
    subjects->erase(std::unique(subjects->begin(), subjects->end()), subjects->end());
    CIVIC_RETURN_IF_ERROR(CheckDigest(a->response_digest(), "the response digest"));
    int64_t at = a->accessed_at_ms() == 0 ? ctx_.block_time_ms : a->accessed_at_ms();
    if (at > ctx_.block_time_ms + kMaxAccessFutureMs || at < ctx_.block_time_ms - params_.max_access_lag_ms()) {
      return Status::InvalidArgument("BAD_ACCESS_TIME",
                                     "accessed_at " + FormatRfc3339(at) + " must lie between the block time " +
                                         FormatRfc3339(ctx_.block_time_ms) + " minus " +
                                         std::to_string(params_.max_access_lag_ms() / 1000) + " s and plus 60 s");
    }

    pb::SharingAccessRecord r;
    r.set_request_id(a->request_id());
    r.set_requester_org(org_.code());
    r.set_provider_org(provider);
    r.set_resource(a->resource());
    r.set_grant_id(a->grant_id());
    r.set_purpose(a->purpose());
    r.mutable_fields()->Swap(a->mutable_fields());
    r.mutable_subject_commitments()->Swap(subjects);
    r.set_record_count(a->record_count());
    r.set_response_digest(a->response_digest());
    r.set_accessed_at_ms(at);
    r.set_time_ms(ctx_.block_time_ms);
    r.set_height(ctx_.height);
    r.set_tx_index(ctx_.tx_index);
    r.set_index(position);
    r.set_tx_id(ctx_.tx->id);
    r.set_ack_deadline_ms(ctx_.block_time_ms + params_.ack_deadline_ms());
    r.set_verdict(pb::SHARING_AUTHORIZED);
    CIVIC_RETURN_IF_ERROR(Judge(*res, &r));

    WriteRecord(view_, record_key, r);
    WriteIndexes(view_, r, purpose.hash, next_ordinal_++);
    counters_.AddRecord(r);
    pending_.add_request_ids(r.request_id());
    return Status::Ok();
  }

  // Applies the catalogue and grant rules to a new record.
  Status Judge(const ResourceEntry& res, pb::SharingAccessRecord* r) {
    int64_t at = r->accessed_at_ms();
    if (!res.found) {
      AddFinding(r, pb::SHARING_REASON_RESOURCE_NOT_SHARED, "resource " + r->resource() + " is not in the catalogue");
    } else if (res.resource.share_type() == pb::SHARING_NOT_SHARED) {
      AddFinding(r, pb::SHARING_REASON_RESOURCE_NOT_SHARED,
                 "resource " + r->resource() + " (" + res.resource.name() + ") is not shared");
    }
    if (r->grant_id().empty()) {
      if (res.found && res.resource.share_type() == pb::SHARING_CONDITIONAL) {
        AddFinding(r, pb::SHARING_REASON_NO_GRANT,
                   "resource " + r->resource() + " is shared on conditions and the access names no grant");
      } else if (res.found && res.resource.share_type() == pb::SHARING_UNCONDITIONAL) {
        std::string outside = FieldsOutside(r->fields(), res.resource.fields());
        if (!outside.empty()) {
          AddFinding(r, pb::SHARING_REASON_FIELDS_BEYOND_GRANT, "not in the catalogue entry: " + outside);
        }
      }
      return Status::Ok();
    }
    CIVIC_ASSIGN_OR_RETURN(const GrantEntry* ge, Grant(r->grant_id()));
    if (!ge->found) {
      AddFinding(r, pb::SHARING_REASON_NO_GRANT, "grant " + r->grant_id() + " does not exist");
      return Status::Ok();
    }
    const pb::SharingGrant& g = ge->grant;
    if (g.requester_org() != r->requester_org()) {
      AddFinding(r, pb::SHARING_REASON_NO_GRANT, "grant " + g.id() + " was given to " + g.requester_org());
      return Status::Ok();
    }
    if (g.resource() != r->resource()) {
      AddFinding(r, pb::SHARING_REASON_NO_GRANT, "grant " + g.id() + " is for resource " + g.resource());
      return Status::Ok();
    }
    if (g.status() == pb::SHARING_GRANT_REQUESTED || g.status() == pb::SHARING_GRANT_REJECTED) {
      AddFinding(r, pb::SHARING_REASON_NO_GRANT,
                 "grant " + g.id() + " is " + GrantStatusName(g.status()) + ", not approved");
      return Status::Ok();
    }
    if (at < g.valid_from_ms()) {
      AddFinding(r, pb::SHARING_REASON_NO_GRANT,
                 "grant " + g.id() + " is in force from " + FormatRfc3339(g.valid_from_ms()));
    }
    if (g.status() == pb::SHARING_GRANT_REVOKED && g.revoked_time_ms() <= at) {
      AddFinding(r, pb::SHARING_REASON_GRANT_REVOKED,
                 "grant " + g.id() + " was revoked at " + FormatRfc3339(g.revoked_time_ms()) +
                     (g.status_reason().empty() ? "" : " (" + g.status_reason() + ")"));
    }
    if (at >= g.expires_at_ms()) {
      AddFinding(r, pb::SHARING_REASON_GRANT_EXPIRED,
                 "grant " + g.id() + " expired at " + FormatRfc3339(g.expires_at_ms()));
    }
    std::string outside = FieldsOutside(r->fields(), g.fields());
    if (!outside.empty()) AddFinding(r, pb::SHARING_REASON_FIELDS_BEYOND_GRANT, "not granted: " + outside);
    if (r->purpose() != g.purpose()) {
      AddFinding(r, pb::SHARING_REASON_PURPOSE_MISMATCH,
                 "grant " + g.id() + " is for the purpose \"" + g.purpose() + "\"");
    }
    return Status::Ok();
  }

  Status Acknowledge(const pb::SharingAcknowledge& m) {
    CIVIC_RETURN_IF_ERROR(LoadSigner());
    CIVIC_ASSIGN_OR_RETURN(params_, GetSharingParams(*view_));
    size_t n = static_cast<size_t>(m.acks_size());
    CIVIC_RETURN_IF_ERROR(CheckBatchSize(n, "acknowledgements"));
    std::map<std::string, uint64_t> settled;  // pending suffix -> records acknowledged here
    for (size_t i = 0; i < n; ++i) {
      Status st = AckOne(m.acks(static_cast<int>(i)), &settled);
      if (!st.ok()) {
        if (n == 1) return st;
        return Status(st.code(), st.app_code(), "acknowledgement #" + std::to_string(i) + ": " + st.message());
      }
    }
    for (const auto& [suffix, count] : settled) {
      std::string key = std::string(sk::kPendingPrefix) + suffix;
      auto raw = view_->Get(key);
      if (!raw.ok()) return raw.status();
      if (!raw->has_value()) continue;  // already settled by EndBlock
      if ((*raw)->size() != 8) return Status::Corruption("pending counter " + ToHex(key) + " is not 8 bytes");
      uint64_t left = GetBigEndian64(**raw);
      left = left > count ? left - count : 0;
      if (left == 0) {
        view_->Delete(key);
        view_->Delete(std::string(sk::kPendingListPrefix) + suffix);
      } else {
        Bytes value;
        PutBigEndian64(&value, left);
        view_->Put(key, value);
      }
    }
    return counters_.Flush(view_);
  }

  Status AckOne(const pb::SharingAck& ack, std::map<std::string, uint64_t>* settled) {
    CIVIC_RETURN_IF_ERROR(ValidateRequestId(ack.request_id()));
    if (Status st = ValidateUscc(ack.requester_org()); !st.ok()) return st;
    std::string key = sk::Record(ack.requester_org(), ack.request_id());
    if (!ids_in_tx_.insert(key).second) {
      return Status::AlreadyExists("ALREADY_ACKNOWLEDGED", "record " + ack.requester_org() + "/" + ack.request_id() +
                                                               " is acknowledged twice in this tx");
    }
    CIVIC_RETURN_IF_ERROR(CheckDigest(ack.provider_digest(), "the provider digest"));
    auto stored = ReadRecord<pb::SharingAccessRecord>(*view_, key);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) {
      return Status::NotFound("RECORD_NOT_FOUND", "no access record " + ack.requester_org() + "/" + ack.request_id());
    }
    const pb::SharingAccessRecord before = **stored;
    pb::SharingAccessRecord r = before;
    if (r.provider_org() != org_.code()) {
      return Status::PermissionDenied("NOT_RECORD_PROVIDER", "record " + ack.requester_org() + "/" + ack.request_id() +
                                                                 " is acknowledged by its provider " +
                                                                 r.provider_org() + ", not by " + org_.code());
    }
    if (r.acknowledged()) {
      return Status::AlreadyExists("ALREADY_ACKNOWLEDGED", "record " + ack.requester_org() + "/" + ack.request_id() +
                                                               " was acknowledged at height " +
                                                               std::to_string(r.ack_height()));
    }
    r.set_acknowledged(true);
    r.set_provider_digest(ack.provider_digest());
    r.set_ack_time_ms(ctx_.block_time_ms);
    r.set_ack_height(ctx_.height);
    r.set_ack_tx_id(ctx_.tx->id);
    bool turned = false;
    if (!before.overdue()) {
      (*settled)[PendingSuffixOf(r)] += 1;
      if (ctx_.block_time_ms >= r.ack_deadline_ms()) turned = MarkOverdue(&r) || turned;
    }
    if (r.provider_digest() != r.response_digest()) {
      turned = AddFinding(&r, pb::SHARING_REASON_DIGEST_MISMATCH,
                          "the provider's digest " + ToHex(r.provider_digest()).substr(0, 16) +
                              "... differs from the requester's " + ToHex(r.response_digest()).substr(0, 16) + "...") ||
               turned;
    }
    WriteRecord(view_, key, r);
    if (r.findings_size() != before.findings_size()) {
      CIVIC_RETURN_IF_ERROR(RewriteIndexes(view_, r, sk::PurposeHash(r.purpose()), before));
      if (turned) counters_.AddViolation(r);
    }
    return Status::Ok();
  }

  const ledger::TxContext& ctx_;
  ledger::StateView* view_;
  pb::Org org_;
  pb::SharingParams params_;
  std::map<std::string, ResourceEntry, std::less<>> resources_;
  std::map<std::string, GrantEntry, std::less<>> grants_;
  std::map<std::string, PurposeEntry, std::less<>> purposes_;
  std::set<std::string, std::less<>> known_orgs_;
  std::set<std::string, std::less<>> ids_in_tx_;
  pb::SharingPendingList pending_;
  CounterBook counters_;
  uint64_t next_ordinal_ = 0;  // LogAccess: the ordinal of the next record
};

}  // namespace

Status SharingContract::Execute(const ledger::TxContext& ctx, std::string_view call, ledger::StateView* view) {
  if (ctx.tx == nullptr) return Status::Internal("sharing call without a tx");
  CIVIC_ASSIGN_OR_RETURN(pb::SharingCall m, DecodeCall(call));
  Executor executor(ctx, view);
  return executor.Run(&m);
}

// Records whose acknowledgement deadline has come: every pending list whose
// deadline is at or before the block time, in (deadline, height, tx) order.
Status SharingContract::EndBlock(const ledger::BlockContext& ctx, ledger::StateView* view) {
  std::vector<std::string> due;
  Status scan_error;
  Status st = view->Scan(ledger::Space::kState, sk::kPendingPrefix, "", [&](std::string_view key, std::string_view) {
    std::string_view suffix = key.substr(sk::kPendingPrefix.size());
    if (suffix.size() < 8) {
      scan_error = Status::Corruption("pending key " + ToHex(key) + " is too short");
      return false;
    }
    if (static_cast<int64_t>(GetBigEndian64(suffix)) > ctx.block_time_ms) return false;
    due.emplace_back(suffix);
    return true;
  });
  CIVIC_RETURN_IF_ERROR(st);
  CIVIC_RETURN_IF_ERROR(scan_error);
  if (due.empty()) return Status::Ok();

  CounterBook counters;
  size_t processed = 0;
  for (const std::string& suffix : due) {
    if (processed >= kMaxOverduePerBlock) break;
    std::string list_key = std::string(sk::kPendingListPrefix) + suffix;
    CIVIC_ASSIGN_OR_RETURN(auto list, ReadRecord<pb::SharingPendingList>(*view, list_key));
    if (list.has_value()) {
      for (const std::string& id : list->request_ids()) {
        ++processed;
        std::string key = sk::Record(list->requester_org(), id);
        CIVIC_ASSIGN_OR_RETURN(auto stored, ReadRecord<pb::SharingAccessRecord>(*view, key));
        if (!stored.has_value()) return Status::Corruption("pending record " + key + " is missing");
        if (stored->acknowledged() || stored->overdue()) continue;
        const pb::SharingAccessRecord before = *stored;
        pb::SharingAccessRecord r = before;
        bool turned = MarkOverdue(&r);
        WriteRecord(view, key, r);
        CIVIC_RETURN_IF_ERROR(RewriteIndexes(view, r, sk::PurposeHash(r.purpose()), before));
        if (turned) counters.AddViolation(r);
      }
    }
    view->Delete(list_key);
    view->Delete(std::string(sk::kPendingPrefix) + suffix);
  }
  return counters.Flush(view);
}

Status SharingContract::Check(const ledger::TxContext& ctx, std::string_view call,
                              const ledger::KvReader& state) const {
  CIVIC_ASSIGN_OR_RETURN(pb::SharingCall m, DecodeCall(call));
  if (ctx.governance) return AllowedAsGovernance(m.call_case()) ? Status::Ok() : NotAGovernanceAction();
  if (m.call_case() == pb::SharingCall::kSetParams) {
    return Status::PermissionDenied("GOVERNANCE_REQUIRED", "sharing parameters are set by governance: propose it");
  }
  if (ctx.tx == nullptr) return Status::Internal("sharing call without a tx");
  CIVIC_ASSIGN_OR_RETURN(pb::Org org, ActiveOrg(state, ctx.tx->body.org()));
  switch (m.call_case()) {
    case pb::SharingCall::kRegisterResource:
    case pb::SharingCall::kIssueGrant:
      return RequireRole(org, pb::ROLE_DATA_PROVIDER);
    case pb::SharingCall::kRequestGrant:
      return RequireRole(org, pb::ROLE_DATA_REQUESTER);
    case pb::SharingCall::kLogAccess: {
      CIVIC_RETURN_IF_ERROR(RequireRole(org, pb::ROLE_DATA_REQUESTER));
      CIVIC_ASSIGN_OR_RETURN(pb::SharingParams params, GetSharingParams(state));
      size_t n = static_cast<size_t>(m.log_access().accesses_size());
      if (n == 0) return Status::InvalidArgument("EMPTY_BATCH", "the call carries no accesses");
      if (n > params.max_batch_records()) {
        return Status::InvalidArgument(
            "BATCH_TOO_LARGE", "a tx may carry at most " + std::to_string(params.max_batch_records()) + " accesses");
      }
      return Status::Ok();
    }
    case pb::SharingCall::kAcknowledge: {
      CIVIC_ASSIGN_OR_RETURN(pb::SharingParams params, GetSharingParams(state));
      size_t n = static_cast<size_t>(m.acknowledge().acks_size());
      if (n == 0) return Status::InvalidArgument("EMPTY_BATCH", "the call carries no acknowledgements");
      if (n > params.max_batch_records()) {
        return Status::InvalidArgument(
            "BATCH_TOO_LARGE",
            "a tx may carry at most " + std::to_string(params.max_batch_records()) + " acknowledgements");
      }
      return Status::Ok();
    }
    default:
      return Status::Ok();  // approve / reject / revoke: decided against the grant at execution
  }
}

// ---------------------------------------------------------------------------
// Client side

Bytes SharingTx(const TxParams& params, const pb::SharingCall& call, const crypto::KeyPair& key) {
  return ledger::SignTx(MakeBody(params, kSharingContract, call.SerializeAsString()), key);
}

pb::SharingCall RegisterResourceCall(const pb::SharingResource& resource) {
  pb::SharingCall c;
  *c.mutable_register_resource()->mutable_resource() = resource;
  return c;
}

pb::SharingCall RequestGrantCall(const pb::SharingGrant& grant) {
  pb::SharingCall c;
  *c.mutable_request_grant()->mutable_grant() = grant;
  return c;
}

pb::SharingCall IssueGrantCall(const pb::SharingGrant& grant) {
  pb::SharingCall c;
  *c.mutable_issue_grant()->mutable_grant() = grant;
  return c;
}

pb::SharingCall ApproveGrantCall(std::string_view grant_id, const std::vector<std::string>& fields,
                                 int64_t expires_at_ms, std::string_view note) {
  pb::SharingCall c;
  auto* m = c.mutable_approve_grant();
  m->set_grant_id(std::string(grant_id));
  for (const auto& f : fields) m->add_fields(f);
  m->set_expires_at_ms(expires_at_ms);
  m->set_note(std::string(note));
  return c;
}

pb::SharingCall RejectGrantCall(std::string_view grant_id, std::string_view reason) {
  pb::SharingCall c;
  c.mutable_reject_grant()->set_grant_id(std::string(grant_id));
  c.mutable_reject_grant()->set_reason(std::string(reason));
  return c;
}

pb::SharingCall RevokeGrantCall(std::string_view grant_id, std::string_view reason) {
  pb::SharingCall c;
  c.mutable_revoke_grant()->set_grant_id(std::string(grant_id));
  c.mutable_revoke_grant()->set_reason(std::string(reason));
  return c;
}

pb::SharingCall LogAccessCall(std::vector<pb::SharingAccess> accesses) {
  pb::SharingCall c;
  auto* list = c.mutable_log_access()->mutable_accesses();
  list->Reserve(static_cast<int>(accesses.size()));
  for (auto& a : accesses) *list->Add() = std::move(a);
  return c;
}

pb::SharingCall AcknowledgeCall(std::vector<pb::SharingAck> acks) {
  pb::SharingCall c;
  auto* list = c.mutable_acknowledge()->mutable_acks();
  list->Reserve(static_cast<int>(acks.size()));
  for (auto& a : acks) *list->Add() = std::move(a);
  return c;
}

pb::SharingCall SetSharingParamsCall(const pb::SharingParams& params) {
  pb::SharingCall c;
  *c.mutable_set_params()->mutable_params() = params;
  return c;
}

namespace {

Status Malformed(std::string_view app, std::string what) { return Status::InvalidArgument(std::string(app), what); }

Result<std::string> JsonString(const json::object& o, std::string_view key, bool required, std::string_view app) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) return Malformed(app, "\"" + std::string(key) + "\" is missing");
    return std::string();
  }
  if (!v->is_string()) return Malformed(app, "\"" + std::string(key) + "\" must be a string");
  return std::string(v->get_string());
}

Result<Bytes> JsonDigest(const json::object& o, std::string_view key, bool required, std::string_view app) {
  CIVIC_ASSIGN_OR_RETURN(std::string hex, JsonString(o, key, required, app));
  if (hex.empty() && !required) return Bytes();
  auto raw = FromHex(hex);
  if (!raw || raw->size() != kDigestSize) {
    return Status::InvalidArgument("BAD_DIGEST", "\"" + std::string(key) + "\" must be 64 hex characters");
  }
  return *raw;
}

Status OnlyMembers(const json::object& o, std::initializer_list<std::string_view> allowed, std::string_view app) {
  for (const auto& kv : o) {
    bool known = false;
    for (auto a : allowed) known = known || kv.key() == a;
    if (!known) return Malformed(app, "unknown member \"" + std::string(kv.key()).substr(0, 64) + "\"");
  }
  return Status::Ok();
}

}  // namespace

Result<pb::SharingAccess> AccessFromJson(const json::value& v) {
  constexpr std::string_view kApp = "ACCESS_MALFORMED";
  const json::object* o = v.if_object();
  if (o == nullptr) return Malformed(kApp, "an access must be a JSON object");
  CIVIC_RETURN_IF_ERROR(OnlyMembers(*o,
                                    {"request_id", "resource", "provider", "grant", "purpose", "fields", "subjects",
                                     "record_count", "response_digest", "accessed_at"},
                                    kApp));
  pb::SharingAccess a;
  CIVIC_ASSIGN_OR_RETURN(std::string request_id, JsonString(*o, "request_id", true, kApp));
  CIVIC_RETURN_IF_ERROR(ValidateRequestId(request_id));
  a.set_request_id(request_id);
  CIVIC_ASSIGN_OR_RETURN(std::string resource, JsonString(*o, "resource", true, kApp));
  CIVIC_RETURN_IF_ERROR(ValidateResourceCode(resource));
  a.set_resource(resource);
  CIVIC_ASSIGN_OR_RETURN(std::string provider, JsonString(*o, "provider", false, kApp));
  if (!provider.empty()) CIVIC_RETURN_IF_ERROR(ValidateUscc(provider));
  a.set_provider_org(provider);
  CIVIC_ASSIGN_OR_RETURN(std::string grant, JsonString(*o, "grant", false, kApp));
  if (!grant.empty()) CIVIC_RETURN_IF_ERROR(ValidateGrantId(grant));
  a.set_grant_id(grant);
  CIVIC_ASSIGN_OR_RETURN(std::string purpose, JsonString(*o, "purpose", true, kApp));
  a.set_purpose(purpose);
  const json::value* fields = o->if_contains("fields");
  if (fields == nullptr || !fields->is_array()) return Malformed(kApp, "\"fields\" must be an array of field names");
  for (const auto& f : fields->get_array()) {
    if (!f.is_string()) return Malformed(kApp, "\"fields\" must be an array of field names");
    CIVIC_RETURN_IF_ERROR(ValidateSharingFieldName(f.get_string()));
    a.add_fields(std::string(f.get_string()));
  }
  if (const json::value* subjects = o->if_contains("subjects"); subjects != nullptr && !subjects->is_null()) {
    if (!subjects->is_array()) return Malformed(kApp, "\"subjects\" must be an array of 64-hex commitments");
    for (const auto& s : subjects->get_array()) {
      auto raw = s.is_string() ? FromHex(s.get_string()) : std::nullopt;
      if (!raw || raw->size() != kDigestSize) {
        return Status::InvalidArgument("BAD_SUBJECT_COMMITMENT", "a subject commitment must be 64 hex characters");
      }
      a.add_subject_commitments(*raw);
    }
  }
  const json::value* count = o->if_contains("record_count");
  if (count == nullptr || count->is_null()) {
    a.set_record_count(static_cast<uint64_t>(a.subject_commitments_size()));
  } else if (count->is_uint64() || (count->is_int64() && count->get_int64() >= 0)) {
    a.set_record_count(count->is_uint64() ? count->get_uint64() : static_cast<uint64_t>(count->get_int64()));
  } else {
    return Malformed(kApp, "\"record_count\" must be a non-negative integer");
  }
  CIVIC_ASSIGN_OR_RETURN(Bytes digest, JsonDigest(*o, "response_digest", true, "ACCESS_MALFORMED"));
  a.set_response_digest(digest);
  if (const json::value* at = o->if_contains("accessed_at"); at != nullptr && !at->is_null()) {
    if (at->is_string()) {
      CIVIC_ASSIGN_OR_RETURN(int64_t ms, ParseTime(at->get_string()));
      a.set_accessed_at_ms(ms);
    } else if (at->is_int64() || at->is_uint64()) {
      int64_t ms = at->is_int64() ? at->get_int64() : static_cast<int64_t>(at->get_uint64());
      if (ms < 0) return Status::InvalidArgument("BAD_TIME", "\"accessed_at\" must not be negative");
      a.set_accessed_at_ms(ms);
    } else {
      return Malformed(kApp, "\"accessed_at\" must be ms since the epoch or RFC 3339 text");
    }
  }
  return a;
}

json::object AccessToJson(const pb::SharingAccess& a) {
  json::object o;
  o["request_id"] = a.request_id();
  o["resource"] = a.resource();
  if (!a.provider_org().empty()) o["provider"] = a.provider_org();
  if (!a.grant_id().empty()) o["grant"] = a.grant_id();
  o["purpose"] = a.purpose();
  json::array fields;
  for (const auto& f : a.fields()) fields.emplace_back(f);
  o["fields"] = std::move(fields);
  json::array subjects;
  for (const auto& s : a.subject_commitments()) subjects.emplace_back(ToHex(s));
  o["subjects"] = std::move(subjects);
  o["record_count"] = a.record_count();
  o["response_digest"] = ToHex(a.response_digest());
  if (a.accessed_at_ms() != 0) o["accessed_at"] = a.accessed_at_ms();
  return o;
}

Result<pb::SharingAck> AckFromJson(const json::value& v) {
  constexpr std::string_view kApp = "ACK_MALFORMED";
  const json::object* o = v.if_object();
  if (o == nullptr) return Malformed(kApp, "an acknowledgement must be a JSON object");
  CIVIC_RETURN_IF_ERROR(OnlyMembers(*o, {"requester", "request_id", "provider_digest"}, kApp));
  pb::SharingAck ack;
  CIVIC_ASSIGN_OR_RETURN(std::string requester, JsonString(*o, "requester", true, kApp));
  CIVIC_RETURN_IF_ERROR(ValidateUscc(requester));
  ack.set_requester_org(requester);
  CIVIC_ASSIGN_OR_RETURN(std::string id, JsonString(*o, "request_id", true, kApp));
  CIVIC_RETURN_IF_ERROR(ValidateRequestId(id));
  ack.set_request_id(id);
  CIVIC_ASSIGN_OR_RETURN(Bytes digest, JsonDigest(*o, "provider_digest", true, kApp));
  ack.set_provider_digest(digest);
  return ack;
}

}  // namespace civic::contracts
