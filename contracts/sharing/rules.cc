#include "contracts/sharing/rules.h"

#include <algorithm>

#include "contracts/base/enum_names.h"
#include "contracts/base/errors.h"
#include "contracts/base/state_io.h"
#include "contracts/base/time_format.h"
#include "contracts/sharing/keys.h"

namespace civic::contracts {

namespace {

// Parses the lower-case name of a value of E; otherwise `app` naming `what` and the names.
template <typename E>
Result<E> ParseName(std::string_view name, const char* app, std::string_view what) {
  if (auto value = ParseEnumName<E>(name)) return *value;
  return Status::InvalidArgument(app, std::string(what) + " '" + Shown(name) + "' is not one of " + EnumNameList<E>());
}

}  // namespace

pb::SharingParams DefaultSharingParams() {
  pb::SharingParams p;
  p.set_ack_deadline_ms(int64_t{24} * 3600 * 1000);
  p.set_max_access_lag_ms(int64_t{24} * 3600 * 1000);
  p.set_max_batch_records(10000);
  p.set_max_subjects_per_record(1000);
  return p;
}

Status ValidateSharingParams(const pb::SharingParams& p) {
  auto bad = [](std::string why) { return Status::InvalidArgument(err::BAD_PARAMS, "sharing parameters: " + why); };
  constexpr int64_t kYear = int64_t{366} * kDayMs;
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

Status CheckBatchSize(const pb::SharingParams& params, size_t items, std::string_view what) {
  if (items == 0) return Status::InvalidArgument(err::EMPTY_BATCH, "the call carries no " + std::string(what));
  if (items > params.max_batch_records()) {
    return Status::InvalidArgument(err::BATCH_TOO_LARGE,
                                   "a tx may carry at most " + std::to_string(params.max_batch_records()) + " " +
                                       std::string(what) + ", this one has " + std::to_string(items));
  }
  return Status::Ok();
}

Status ValidateResourceCode(std::string_view code) {
  if (!IsToken(code, "_.:/-")) {
    return Status::InvalidArgument(err::BAD_RESOURCE_CODE,
                                   "resource code '" + Shown(code) + "' must be 1 to 64 of A-Z a-z 0-9 _ . : / -");
  }
  return Status::Ok();
}

Status ValidateGrantId(std::string_view id) {
  if (!IsToken(id, "_.:-")) {
    return Status::InvalidArgument(err::BAD_GRANT_ID,
                                   "grant id '" + Shown(id) + "' must be 1 to 64 of A-Z a-z 0-9 _ . : -");
  }
  return Status::Ok();
}

Status ValidateRequestId(std::string_view id) {
  if (!IsToken(id, "_.:-")) {
    return Status::InvalidArgument(err::BAD_REQUEST_ID,
                                   "request id '" + Shown(id) + "' must be 1 to 64 of A-Z a-z 0-9 _ . : -");
  }
  return Status::Ok();
}

Status ValidateSharingFieldName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64 && name[0] >= 'a' && name[0] <= 'z';
  for (char c : name) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  if (!ok) {
    return Status::InvalidArgument(err::BAD_FIELD, "field name '" + Shown(name) + "' must match [a-z][a-z0-9_]{0,63}");
  }
  return Status::Ok();
}

Status CheckPurpose(std::string_view purpose) {
  return CheckText("the purpose", purpose, TextRule{kMaxSharingText, err::PURPOSE_REQUIRED});
}

Status NormalizeSharingFields(SharingFieldList* fields) {
  if (fields->empty()) return Status::InvalidArgument(err::BAD_FIELD, "at least one field is required");
  if (static_cast<size_t>(fields->size()) > kMaxSharingFields) {
    return Status::InvalidArgument(err::BAD_FIELD, "at most " + std::to_string(kMaxSharingFields) + " fields");
  }
  for (const auto& f : *fields) CIVIC_RETURN_IF_ERROR(ValidateSharingFieldName(f));
  if (!std::is_sorted(fields->begin(), fields->end())) std::sort(fields->begin(), fields->end());
  auto dup = std::adjacent_find(fields->begin(), fields->end());
  if (dup != fields->end()) return Status::InvalidArgument(err::BAD_FIELD, "field '" + *dup + "' is named twice");
  return Status::Ok();
}

std::string SharingFieldsOutside(const SharingFieldList& sub, const SharingFieldList& super) {
  std::string out;
  auto it = super.begin();
  for (const auto& f : sub) {
    while (it != super.end() && *it < f) ++it;
    if (it == super.end() || *it != f) out += (out.empty() ? "" : ", ") + f;
  }
  return out;
}

Result<pb::SharingShareType> ParseShareType(std::string_view name) {
  return ParseName<pb::SharingShareType>(name == "none" ? "not_shared" : name, err::BAD_SHARE_TYPE, "share type");
}

Result<pb::SharingGrantStatus> ParseGrantStatus(std::string_view name) {
  return ParseName<pb::SharingGrantStatus>(name, err::BAD_GRANT_STATUS, "grant status");
}

Result<pb::SharingVerdict> ParseVerdict(std::string_view name) {
  return ParseName<pb::SharingVerdict>(name, err::BAD_VERDICT, "verdict");
}

Result<pb::SharingReason> ParseReason(std::string_view name) {
  if (auto reason = ParseEnumUpperName<pb::SharingReason>(name)) return *reason;
  return Status::InvalidArgument(err::BAD_REASON, "violation reason '" + Shown(name) + "' is unknown");
}

int64_t SharingDay(int64_t time_ms) {
  int64_t t = time_ms + kSharingDayOffsetMs;
  return t >= 0 ? t / kDayMs : -((-t + kDayMs - 1) / kDayMs);
}

int64_t SharingDayStartMs(int64_t day) { return day * kDayMs - kSharingDayOffsetMs; }

std::string SharingDayText(int64_t day) {
  // FormatRfc3339 of the day's start in UTC gives the date of that civil day.
  return FormatRfc3339(day * kDayMs).substr(0, 10);
}

bool AddFinding(pb::SharingAccessRecord* r, pb::SharingReason reason, std::string detail) {
  for (const auto& f : r->findings()) {
    if (f.reason() == reason) return false;
  }
  bool was_authorized = r->verdict() == pb::SHARING_AUTHORIZED;
  pb::SharingFinding* f = r->add_findings();
  f->set_reason(reason);
  f->set_detail(std::move(detail));
  std::stable_sort(r->mutable_findings()->begin(), r->mutable_findings()->end(),
                   [](const auto& a, const auto& b) { return a.reason() < b.reason(); });
  r->set_verdict(pb::SHARING_VIOLATION);
  return was_authorized;
}

bool MarkOverdue(pb::SharingAccessRecord* r) {
  r->set_overdue(true);
  return AddFinding(r, pb::SHARING_REASON_UNACKNOWLEDGED,
                    "the provider did not acknowledge by " + FormatRfc3339(r->ack_deadline_ms()));
}

namespace {

// The rules of an access that names no grant: only the catalogue entry counts.
void JudgeWithoutGrant(const pb::SharingResource* res, pb::SharingAccessRecord* r) {
  if (res == nullptr) return;
  if (res->share_type() == pb::SHARING_CONDITIONAL) {
    AddFinding(r, pb::SHARING_REASON_NO_GRANT,
               "resource " + r->resource() + " is shared on conditions and the access names no grant");
  } else if (res->share_type() == pb::SHARING_UNCONDITIONAL) {
    std::string outside = SharingFieldsOutside(r->fields(), res->fields());
    if (!outside.empty()) {
      AddFinding(r, pb::SHARING_REASON_FIELDS_BEYOND_GRANT, "not in the catalogue entry: " + outside);
    }
  }
}

// The rules of an access under grant `g`: whose, for what, in force, and its terms.
void JudgeWithGrant(const pb::SharingGrant& g, pb::SharingAccessRecord* r) {
  const int64_t at = r->accessed_at_ms();
  if (g.requester_org() != r->requester_org()) {
    AddFinding(r, pb::SHARING_REASON_NO_GRANT, "grant " + g.id() + " was given to " + g.requester_org());
    return;
  }
  if (g.resource() != r->resource()) {
    AddFinding(r, pb::SHARING_REASON_NO_GRANT, "grant " + g.id() + " is for resource " + g.resource());
    return;
  }
  if (g.status() == pb::SHARING_GRANT_REQUESTED || g.status() == pb::SHARING_GRANT_REJECTED) {
    AddFinding(r, pb::SHARING_REASON_NO_GRANT, "grant " + g.id() + " is " + EnumName(g.status()) + ", not approved");
    return;
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
  std::string outside = SharingFieldsOutside(r->fields(), g.fields());
  if (!outside.empty()) AddFinding(r, pb::SHARING_REASON_FIELDS_BEYOND_GRANT, "not granted: " + outside);
  if (r->purpose() != g.purpose()) {
    AddFinding(r, pb::SHARING_REASON_PURPOSE_MISMATCH,
               "grant " + g.id() + " is for the purpose \"" + g.purpose() + "\"");
  }
}

}  // namespace

void JudgeAccess(const pb::SharingResource* resource, const pb::SharingGrant* grant, pb::SharingAccessRecord* r) {
  if (resource == nullptr) {
    AddFinding(r, pb::SHARING_REASON_RESOURCE_NOT_SHARED, "resource " + r->resource() + " is not in the catalogue");
  } else if (resource->share_type() == pb::SHARING_NOT_SHARED) {
    AddFinding(r, pb::SHARING_REASON_RESOURCE_NOT_SHARED,
               "resource " + r->resource() + " (" + resource->name() + ") is not shared");
  }
  if (r->grant_id().empty()) {
    JudgeWithoutGrant(resource, r);
  } else if (grant == nullptr) {
    AddFinding(r, pb::SHARING_REASON_NO_GRANT, "grant " + r->grant_id() + " does not exist");
  } else {
    JudgeWithGrant(*grant, r);
  }
}

const char* AckStatusName(const pb::SharingAccessRecord& r) {
  if (r.acknowledged()) return r.overdue() ? "acknowledged_late" : "acknowledged";
  return r.overdue() ? "overdue" : "pending";
}

}  // namespace civic::contracts
