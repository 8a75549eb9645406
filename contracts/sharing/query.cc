#include "contracts/sharing/query.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <set>

#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "contracts/base/state_io.h"
#include "contracts/sharing/indexes.h"
#include "contracts/sharing/keys.h"
#include "contracts/sharing/rules.h"
#include "contracts/sharing/subject_tag.h"
#include "contracts/governance/query.h"

namespace civic::contracts {

namespace sk = sharing_keys;

Result<AccessSide> ParseAccessSide(std::string_view name) {
  if (name.empty() || name == "either" || name == "any") return AccessSide::kEither;
  if (name == "requester") return AccessSide::kRequester;
  if (name == "provider") return AccessSide::kProvider;
  return Status::InvalidArgument(
      err::BAD_ORG_ROLE, "org_role '" + std::string(name.substr(0, 64)) + "' is not one of requester, provider, either");
}

Status ValidateAccessFilter(const AccessFilter& f) {
  if (!f.org.empty()) CIVIC_RETURN_IF_ERROR(ValidateUscc(f.org));
  if (!f.resource.empty()) CIVIC_RETURN_IF_ERROR(ValidateResourceCode(f.resource));
  if (f.subject_tags.size() > kMaxSubjectTagsPerQuery) {
    return Status::InvalidArgument(err::BAD_FILTER, "at most " + std::to_string(kMaxSubjectTagsPerQuery) +
                                                        " subject tags per query");
  }
  std::set<std::string_view> requesters;
  for (const SubjectTagMatch& m : f.subject_tags) {
    if (m.tag.size() != 32) {
      return Status::InvalidArgument(err::BAD_SUBJECT_COMMITMENT, "a subject tag is 32 bytes (64 hex characters)");
    }
    if (!m.requester_org.empty()) CIVIC_RETURN_IF_ERROR(ValidateUscc(m.requester_org));
    // Disjoint streams only, so that pages hold no record twice and counts add up.
    bool alone = m.requester_org.empty() && f.subject_tags.size() == 1;
    if (!alone && (m.requester_org.empty() || !requesters.insert(m.requester_org).second)) {
      return Status::InvalidArgument(err::BAD_FILTER,
                                     "several subject tags must each name a different requester");
    }
  }
  if (f.from_ms && f.to_ms && *f.from_ms > *f.to_ms) {
    return Status::InvalidArgument(err::BAD_TIME_RANGE, "from is later than to");
  }
  if (f.reason && f.verdict && *f.verdict != pb::SHARING_VIOLATION) {
    return Status::InvalidArgument(err::BAD_FILTER, "a violation reason goes with verdict \"violation\" only");
  }
  return Status::Ok();
}

Result<std::vector<SubjectTagMatch>> SubjectTagsOfEveryOrg(const ledger::KvReader& state, std::string_view subject_key) {
  if (subject_key.size() != 32) {
    return Status::InvalidArgument(err::BAD_SUBJECT_COMMITMENT, "a subject key is 32 bytes (64 hex characters)");
  }
  CIVIC_ASSIGN_OR_RETURN(std::vector<pb::Org> orgs, ListOrgs(state));
  if (orgs.size() > kMaxSubjectTagsPerQuery) {
    return Status::InvalidArgument(err::BAD_FILTER, "the chain has more orgs than one subject query may search");
  }
  std::vector<SubjectTagMatch> tags;
  tags.reserve(orgs.size());
  for (const pb::Org& org : orgs) tags.push_back(SubjectTagMatch{AccessSubjectTag(subject_key, org.code()), org.code()});
  return tags;
}

namespace {

// One secondary index scanned for a query, and the filters it already implies.
struct Stream {
  std::string prefix;
  std::string requester;  // the requester every entry must name; empty = any (subject tag streams)
  bool covers_org = false;
  bool covers_resource = false;
  bool covers_purpose = false;
  bool covers_verdict = false;
  bool covers_reason = false;
};

struct Plan {
  std::vector<Stream> streams;
  AccessFilter filter;
  uint64_t purpose_hash = 0;
  std::optional<pb::SharingVerdict> verdict;  // the effective verdict filter

  // True when an entry of `stream` matches the filters the stream does not imply.
  bool Needs(const Stream& s) const {
    return !s.requester.empty() || (!filter.org.empty() && !s.covers_org) ||
           (!filter.resource.empty() && !s.covers_resource) ||
           (filter.purpose && !s.covers_purpose) || (verdict && !s.covers_verdict) ||
           (filter.reason && !s.covers_reason);
  }
  bool Matches(const Stream& s, const pb::SharingIndexEntry& e) const {
    if (!s.requester.empty() && e.requester_org() != s.requester) return false;
    if (!filter.org.empty() && !s.covers_org) {
      bool as_requester = e.requester_org() == filter.org;
      bool as_provider = e.provider_org() == filter.org;
      if (filter.side == AccessSide::kRequester && !as_requester) return false;
      if (filter.side == AccessSide::kProvider && !as_provider) return false;
      if (filter.side == AccessSide::kEither && !as_requester && !as_provider) return false;
    }
    if (!filter.resource.empty() && !s.covers_resource && e.resource() != filter.resource) return false;
    if (filter.purpose && !s.covers_purpose && e.purpose_hash() != purpose_hash) return false;
    if (verdict && !s.covers_verdict && e.verdict() != *verdict) return false;
    if (filter.reason && !s.covers_reason &&
        (e.reasons() & (uint32_t{1} << static_cast<unsigned>(*filter.reason))) == 0) {
      return false;
    }
    return true;
  }
};

Plan MakePlan(const AccessFilter& f) {
  Plan plan;
  plan.filter = f;
  if (f.purpose) plan.purpose_hash = sk::PurposeHash(*f.purpose);
  plan.verdict = f.reason ? std::optional<pb::SharingVerdict>(pb::SHARING_VIOLATION) : f.verdict;
  Stream s;
  if (!f.subject_tags.empty()) {
    // One stream per tag. A tag names the subject only in the records of the
    // requester it was derived for, so with requesters given the streams are
    // disjoint and their counts add up.
    for (const SubjectTagMatch& m : f.subject_tags) {
      s.prefix = sk::SubjectIndex(m.tag);
      s.requester = m.requester_org;
      plan.streams.push_back(s);
    }
    return plan;
  } else if (f.reason) {
    s.prefix = sk::ReasonIndex(*f.reason);
    s.covers_reason = s.covers_verdict = true;
  } else if (plan.verdict == pb::SHARING_VIOLATION) {
    s.prefix = sk::VerdictIndex(pb::SHARING_VIOLATION);
    s.covers_verdict = true;
  } else if (!f.org.empty()) {
    s.covers_org = true;
    if (f.side != AccessSide::kProvider) {
      s.prefix = sk::RequesterIndex(f.org);
      plan.streams.push_back(s);
    }
    if (f.side != AccessSide::kRequester) {
      s.prefix = sk::ProviderIndex(f.org);
      plan.streams.push_back(s);
    }
    return plan;
  } else if (!f.resource.empty()) {
    s.prefix = sk::ResourceIndex(f.resource);
    s.covers_resource = true;
  } else if (f.purpose) {
    s.prefix = sk::PurposeIndex(plan.purpose_hash);
    s.covers_purpose = true;
  } else if (plan.verdict) {
    s.prefix = sk::VerdictIndex(*plan.verdict);
    s.covers_verdict = true;
  } else {
    s.prefix = std::string(sk::kByTime);
  }
  plan.streams.push_back(s);
  return plan;
}

struct Hit {
  std::string time_key;
  pb::SharingIndexEntry entry;
};

// Visits the matching entries of one stream with time key > `after` (empty =
// from the start) inside the plan's time range; `fn` returns false to stop.
Status ScanStream(const ledger::KvReader& state, const Plan& plan, const Stream& s, std::string_view after,
                  const std::function<bool(std::string_view tk, const pb::SharingIndexEntry* entry)>& fn,
                  bool need_entry) {
  std::string start = s.prefix + sk::TimeKeyFloor(plan.filter.from_ms.value_or(std::numeric_limits<int64_t>::min()));
  if (!after.empty()) {
    std::string resume = s.prefix + std::string(after);
    resume.push_back('\0');
    start = std::max(start, resume);
  }
  const bool check = plan.Needs(s);
  const std::optional<int64_t> to = plan.filter.to_ms;
  Status error;
  pb::SharingIndexEntry entry;
  Status st = state.Scan(ledger::Space::kIndex, s.prefix, start, [&](std::string_view key, std::string_view value) {
    std::string_view tk = key.substr(s.prefix.size());
    if (tk.size() != sk::kTimeKeySize) {
      error = Status::Corruption("sharing index key of " + std::to_string(key.size()) + " bytes under a " +
                                 std::to_string(s.prefix.size()) + "-byte prefix");
      return false;
    }
    if (to && sk::TimeOfKey(tk) > *to) return false;
    if (check || need_entry) {
      if (!entry.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
        error = Status::Corruption("sharing index entry does not parse");
        return false;
      }
      if (check && !plan.Matches(s, entry)) return true;
      return fn(tk, &entry);
    }
    return fn(tk, nullptr);
  });
  CIVIC_RETURN_IF_ERROR(st);
  return error;
}

// The number of matches of `plan` (defined with the statistics, whose counters it reads).
Result<uint64_t> CountMatches(const ledger::KvReader& state, const Plan& plan);

}  // namespace

Result<AccessPage> QueryAccesses(const ledger::KvReader& state, const AccessFilter& filter, std::string_view cursor,
                                 size_t limit, bool count_total) {
  CIVIC_RETURN_IF_ERROR(ValidateAccessFilter(filter));
  if (!cursor.empty() && cursor.size() != sk::kTimeKeySize) {
    return Status::InvalidArgument(err::BAD_CURSOR, "a cursor is a next_cursor from an earlier page (48 hex characters)");
  }
  if (limit < 1 || limit > kMaxAccessPageSize) {
    return Status::InvalidArgument(err::BAD_LIMIT, "limit must be 1.." + std::to_string(kMaxAccessPageSize));
  }
  Plan plan = MakePlan(filter);

  // Up to limit + 1 hits from each stream: the first `limit` of the union are
  // among them, and one more tells whether another page exists.
  std::vector<Hit> hits;
  for (const Stream& s : plan.streams) {
    size_t taken = 0;
    CIVIC_RETURN_IF_ERROR(ScanStream(
        state, plan, s, cursor,
        [&](std::string_view tk, const pb::SharingIndexEntry* e) {
          hits.push_back(Hit{std::string(tk), *e});
          return ++taken <= limit;
        },
        /*need_entry=*/true));
  }
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.time_key < b.time_key; });
  bool more = hits.size() > limit;
  if (more) hits.resize(limit);

  AccessPage page;
  page.records.reserve(hits.size());
  for (const Hit& h : hits) {
    std::string key = sk::Record(h.entry.requester_org(), h.entry.request_id());
    CIVIC_ASSIGN_OR_RETURN(auto record, ReadRecord<pb::SharingAccessRecord>(state, key));
    if (!record.has_value()) return Status::Corruption("sharing index names a missing record " + key);
    page.records.push_back(std::move(*record));
  }
  if (more) page.next_cursor = hits.back().time_key;

  if (count_total) {
    CIVIC_ASSIGN_OR_RETURN(page.total, CountMatches(state, plan));
  }
  return page;
}

Result<std::map<std::string, std::string>> ResourceNames(const ledger::KvReader& state,
                                                         const std::vector<pb::SharingAccessRecord>& records) {
  std::map<std::string, std::string> names;
  std::set<std::string> looked_up;
  for (const auto& r : records) {
    if (!looked_up.insert(r.resource()).second) continue;
    CIVIC_ASSIGN_OR_RETURN(auto res, ReadRecord<pb::SharingResource>(state, sk::Resource(r.resource())));
    if (res.has_value()) names[r.resource()] = res->name();
  }
  return names;
}

// ---------------------------------------------------------------------------
// Statistics

namespace {

struct DayRange {
  std::optional<int64_t> from;
  std::optional<int64_t> to;
  bool Contains(int64_t day) const { return (!from || day >= *from) && (!to || day <= *to); }
};

// The counter's figures for `side` (either side: both).
struct Figures {
  uint64_t total = 0, violations = 0, as_requester = 0, as_provider = 0, record_count = 0;
};

Figures SideFigures(const pb::SharingCounter& c, AccessSide side) {
  Figures f;
  f.as_requester = c.as_requester();
  f.as_provider = c.as_provider();
  f.record_count = c.records();
  switch (side) {
    case AccessSide::kRequester:
      f.total = c.as_requester();
      f.violations = c.violations_as_requester();
      f.record_count = c.records_as_requester();
      f.as_provider = 0;
      break;
    case AccessSide::kProvider:
      f.total = c.as_provider();
      f.violations = c.violations_as_provider();
      f.record_count = c.records_as_provider();
      f.as_requester = 0;
      break;
    case AccessSide::kEither:
      f.total = c.total();
      f.violations = c.violations();
      break;
  }
  return f;
}

// Visits the counters under `prefix` whose key ends in a day inside `range`;
// `rest` is the key part between the prefix and the day.
Status ScanCounters(const ledger::KvReader& state, const std::string& prefix, const DayRange& range,
                    const std::function<void(std::string_view rest, int64_t day, const pb::SharingCounter&)>& fn) {
  Status error;
  pb::SharingCounter c;
  Status st = state.Scan(ledger::Space::kIndex, prefix, "", [&](std::string_view key, std::string_view value) {
    std::string_view tail = key.substr(prefix.size());
    if (tail.size() < 8) {
      error = Status::Corruption("sharing counter key too short");
      return false;
    }
    int64_t day = sk::TimeOfKey(tail.substr(tail.size() - 8));
    if (!range.Contains(day)) return true;
    if (!c.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      error = Status::Corruption("sharing counter does not parse");
      return false;
    }
    fn(tail.substr(0, tail.size() - 8), day, c);
    return true;
  });
  CIVIC_RETURN_IF_ERROR(st);
  return error;
}

// Day counters of one key: scans from the first day in range and stops after the last.
Status ScanDays(const ledger::KvReader& state, const std::string& prefix, const DayRange& range,
                const std::function<void(int64_t day, const pb::SharingCounter&)>& fn) {
  std::string start = range.from ? prefix + sk::DayBytes(*range.from) : "";
  Status error;
  pb::SharingCounter c;
  Status st = state.Scan(ledger::Space::kIndex, prefix, start, [&](std::string_view key, std::string_view value) {
    std::string_view tail = key.substr(prefix.size());
    if (tail.size() != 8) return true;  // a longer key of another org or resource sharing the prefix
    int64_t day = sk::TimeOfKey(tail);
    if (range.to && day > *range.to) return false;
    if (!c.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      error = Status::Corruption("sharing counter does not parse");
      return false;
    }
    fn(day, c);
    return true;
  });
  CIVIC_RETURN_IF_ERROR(st);
  return error;
}

// Matches of `plan` inside [from_ms, to_ms] (unset = open), by scanning its streams.
Result<uint64_t> CountByScan(const ledger::KvReader& state, Plan plan, std::optional<int64_t> from_ms,
                             std::optional<int64_t> to_ms) {
  plan.filter.from_ms = from_ms;
  plan.filter.to_ms = to_ms;
  uint64_t total = 0;
  for (const Stream& s : plan.streams) {
    CIVIC_RETURN_IF_ERROR(ScanStream(
        state, plan, s, "",
        [&](std::string_view, const pb::SharingIndexEntry*) {
          ++total;
          return true;
        },
        /*need_entry=*/false));
  }
  return total;
}

// The write-time counters hold, per day, the records and violations by org
// (and side), by resource and by both: a filter of only those, a verdict and a
// time range is counted from the counters of its whole days plus a scan of the
// partial days at its edges - O(days) instead of O(matches).
bool CountersCover(const AccessFilter& f) {
  constexpr int64_t kLatest = int64_t{1} << 52;  // far past any block time; beyond it the day arithmetic is not used
  auto in_range = [&](const std::optional<int64_t>& t) { return !t || (*t >= 0 && *t < kLatest); };
  return !f.purpose && !f.reason && f.subject_tags.empty() && in_range(f.from_ms) && in_range(f.to_ms);
}

// The ordinal of the first time-index entry at or after block time `from_ms`
// (`total` when there is none); nullopt when that entry predates ordinals.
Result<std::optional<uint64_t>> OrdinalFrom(const ledger::KvReader& state, int64_t from_ms, uint64_t total) {
  std::optional<uint64_t> ordinal = total;
  Status error;
  Status st = state.Scan(ledger::Space::kIndex, sk::kByTime, std::string(sk::kByTime) + sk::TimeKeyFloor(from_ms),
                         [&](std::string_view, std::string_view value) {
                           pb::SharingIndexEntry entry;
                           if (!entry.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                             error = Status::Corruption("sharing index entry does not parse");
                           } else if (entry.has_ordinal()) {
                             ordinal = entry.ordinal();
                           } else {
                             ordinal.reset();
                           }
                           return false;
                         });
  CIVIC_RETURN_IF_ERROR(st);
  CIVIC_RETURN_IF_ERROR(error);
  return ordinal;
}

// The records of a time range from the ordinals of the time index: two seeks.
// nullopt when the chain holds records logged before ordinals existed there.
Result<std::optional<uint64_t>> CountByOrdinals(const ledger::KvReader& state, const AccessFilter& f) {
  CIVIC_ASSIGN_OR_RETURN(std::optional<uint64_t> stored_total, RecordTotal(state));
  if (!stored_total) return std::optional<uint64_t>();  // no record logged with an ordinal
  const uint64_t total = *stored_total;
  CIVIC_ASSIGN_OR_RETURN(auto first,
                         OrdinalFrom(state, f.from_ms.value_or(std::numeric_limits<int64_t>::min()), total));
  std::optional<uint64_t> end = total;
  if (f.to_ms && *f.to_ms < std::numeric_limits<int64_t>::max()) {
    CIVIC_ASSIGN_OR_RETURN(end, OrdinalFrom(state, *f.to_ms + 1, total));
  }
  if (!first || !end) return std::optional<uint64_t>();
  return std::optional<uint64_t>(*end > *first ? *end - *first : 0);
}

bool TimeOnly(const AccessFilter& f) {
  return f.org.empty() && f.resource.empty() && !f.purpose && !f.verdict && !f.reason && f.subject_tags.empty();
}

Result<uint64_t> CountMatches(const ledger::KvReader& state, const Plan& plan) {
  const AccessFilter& f = plan.filter;
  if (TimeOnly(f)) {
    CIVIC_ASSIGN_OR_RETURN(auto counted, CountByOrdinals(state, f));
    if (counted) return *counted;
  }
  if (!CountersCover(f)) return CountByScan(state, plan, f.from_ms, f.to_ms);
  uint64_t total = 0;
  DayRange whole;
  std::optional<int64_t> first_partial;  // the day scanned at the start, if any
  if (f.from_ms) {
    int64_t day = SharingDay(*f.from_ms);
    whole.from = day;
    if (*f.from_ms != SharingDayStartMs(day)) {
      whole.from = day + 1;
      first_partial = day;
      int64_t end = SharingDayStartMs(day + 1) - 1;
      CIVIC_ASSIGN_OR_RETURN(uint64_t n, CountByScan(state, plan, f.from_ms, f.to_ms ? std::min(*f.to_ms, end) : end));
      total += n;
    }
  }
  if (f.to_ms) {
    int64_t day = SharingDay(*f.to_ms);
    whole.to = day;
    if (*f.to_ms != SharingDayStartMs(day + 1) - 1) {
      whole.to = day - 1;
      if (first_partial != day) {
        CIVIC_ASSIGN_OR_RETURN(uint64_t n, CountByScan(state, plan, SharingDayStartMs(day), f.to_ms));
        total += n;
      }
    }
  }
  if (whole.from && whole.to && *whole.from > *whole.to) return total;

  const AccessSide side = f.org.empty() ? AccessSide::kEither : f.side;
  std::string prefix = !f.org.empty() && !f.resource.empty() ? sk::OrgResourceCounterPrefix(f.org, f.resource)
                       : !f.org.empty()                      ? sk::OrgCounterPrefix(f.org)
                       : !f.resource.empty()                 ? sk::ResourceCounterPrefix(f.resource)
                                                             : std::string(sk::kDayCounter);
  const std::optional<pb::SharingVerdict> verdict = plan.verdict;
  CIVIC_RETURN_IF_ERROR(ScanDays(state, prefix, whole, [&](int64_t, const pb::SharingCounter& c) {
    Figures fig = SideFigures(c, side);
    if (!verdict) {
      total += fig.total;
    } else if (*verdict == pb::SHARING_VIOLATION) {
      total += fig.violations;
    } else {
      total += fig.total - fig.violations;
    }
  }));
  return total;
}

Result<SharingStats> StatsFromCounters(const ledger::KvReader& state, const AccessFilter& f, const DayRange& range) {
  SharingStats out;
  const AccessSide side = f.org.empty() ? AccessSide::kEither : f.side;
  std::map<int64_t, DayStat> days;
  std::map<std::string, OrgStat> orgs;
  std::map<std::string, ResourceStat> resources;

  // A counter of the org's other side only adds nothing (and no empty entry).
  auto add_day = [&](int64_t day, const Figures& fig) {
    if (fig.total == 0) return;
    DayStat& d = days[day];
    d.day = day;
    d.total += fig.total;
    d.violations += fig.violations;
    d.record_count += fig.record_count;
  };
  auto add_org = [&](const std::string& org, const Figures& fig) {
    if (fig.total == 0) return;
    OrgStat& o = orgs[org];
    o.org = org;
    o.as_requester += fig.as_requester;
    o.as_provider += fig.as_provider;
    o.violations += fig.violations;
  };
  auto add_resource = [&](const std::string& res, const Figures& fig) {
    if (fig.total == 0) return;
    ResourceStat& r = resources[res];
    r.resource = res;
    r.total += fig.total;
    r.violations += fig.violations;
    r.record_count += fig.record_count;
  };

  // Days, and the single org / resource entries when those are fixed.
  std::string day_prefix;
  if (!f.org.empty() && !f.resource.empty()) {
    day_prefix = sk::OrgResourceCounterPrefix(f.org, f.resource);
  } else if (!f.org.empty()) {
    day_prefix = sk::OrgCounterPrefix(f.org);
  } else if (!f.resource.empty()) {
    day_prefix = sk::ResourceCounterPrefix(f.resource);
  } else {
    day_prefix = std::string(sk::kDayCounter);
  }
  CIVIC_RETURN_IF_ERROR(ScanDays(state, day_prefix, range, [&](int64_t day, const pb::SharingCounter& c) {
    Figures fig = SideFigures(c, side);
    add_day(day, fig);
    if (!f.org.empty()) add_org(f.org, fig);
    if (!f.resource.empty()) add_resource(f.resource, fig);
  }));

  // By org when no org is fixed.
  if (f.org.empty()) {
    std::string prefix =
        f.resource.empty() ? std::string(sk::kOrgCounter) : sk::ResourceOrgCounterPrefix(f.resource, "");
    CIVIC_RETURN_IF_ERROR(
        ScanCounters(state, prefix, range, [&](std::string_view org, int64_t, const pb::SharingCounter& c) {
          add_org(std::string(org), SideFigures(c, AccessSide::kEither));
        }));
  }
  // By resource when no resource is fixed.
  if (f.resource.empty()) {
    std::string prefix =
        f.org.empty() ? std::string(sk::kResourceCounter) : std::string(sk::kOrgResourceCounter) + f.org;
    CIVIC_RETURN_IF_ERROR(
        ScanCounters(state, prefix, range, [&](std::string_view rest, int64_t, const pb::SharingCounter& c) {
          // rest = "<resource>\0"
          if (rest.empty() || rest.back() != '\0') return;
          add_resource(std::string(rest.substr(0, rest.size() - 1)), SideFigures(c, side));
        }));
  }

  for (auto& [day, d] : days) out.days.push_back(d);
  for (auto& [org, o] : orgs) out.by_org.push_back(o);
  for (auto& [res, r] : resources) out.by_resource.push_back(r);
  return out;
}

Result<SharingStats> StatsFromRecords(const ledger::KvReader& state, const AccessFilter& f, size_t scan_limit) {
  Plan plan = MakePlan(f);
  std::map<int64_t, DayStat> days;
  std::map<std::string, OrgStat> orgs;
  std::map<std::string, ResourceStat> resources;
  size_t seen = 0;
  bool too_broad = false;
  for (const Stream& s : plan.streams) {
    CIVIC_RETURN_IF_ERROR(ScanStream(
        state, plan, s, "",
        [&](std::string_view tk, const pb::SharingIndexEntry* e) {
          if (++seen > scan_limit) {
            too_broad = true;
            return false;
          }
          bool violation = e->verdict() == pb::SHARING_VIOLATION;
          int64_t day = SharingDay(sk::TimeOfKey(tk));
          DayStat& d = days[day];
          d.day = day;
          d.total += 1;
          d.violations += violation ? 1 : 0;
          bool count_requester = f.org.empty() || (f.side != AccessSide::kProvider && e->requester_org() == f.org);
          bool count_provider = f.org.empty() || (f.side != AccessSide::kRequester && e->provider_org() == f.org);
          if (count_requester) {
            OrgStat& o = orgs[e->requester_org()];
            o.org = e->requester_org();
            o.as_requester += 1;
            o.violations += violation ? 1 : 0;
          }
          if (count_provider) {
            OrgStat& o = orgs[e->provider_org()];
            o.org = e->provider_org();
            o.as_provider += 1;
            o.violations += violation ? 1 : 0;
          }
          ResourceStat& r = resources[e->resource()];
          r.resource = e->resource();
          r.total += 1;
          r.violations += violation ? 1 : 0;
          return true;
        },
        /*need_entry=*/true));
    if (too_broad) break;
  }
  if (too_broad) {
    return Status::ResourceExhausted(err::STATS_TOO_BROAD,
                                     "statistics with a purpose, verdict or subject filter are "
                                     "counted from the records, at most " +
                                         std::to_string(scan_limit) + "; narrow the time range or the filters");
  }
  SharingStats out;
  out.from_counters = false;
  for (auto& [day, d] : days) out.days.push_back(d);
  for (auto& [org, o] : orgs) out.by_org.push_back(o);
  for (auto& [res, r] : resources) out.by_resource.push_back(r);
  return out;
}

}  // namespace

Result<SharingStats> ComputeStats(const ledger::KvReader& state, const AccessFilter& filter, size_t scan_limit) {
  CIVIC_RETURN_IF_ERROR(ValidateAccessFilter(filter));
  DayRange range;
  if (filter.from_ms) range.from = SharingDay(*filter.from_ms);
  if (filter.to_ms) range.to = SharingDay(*filter.to_ms);
  bool counters = !filter.purpose && !filter.verdict && !filter.reason && filter.subject_tags.empty();
  // Statistics are per whole day: widen the record scan to the days' bounds.
  AccessFilter by_days = filter;
  if (range.from) by_days.from_ms = SharingDayStartMs(*range.from);
  if (range.to) by_days.to_ms = SharingDayStartMs(*range.to + 1) - 1;
  Result<SharingStats> stats =
      counters ? StatsFromCounters(state, filter, range) : StatsFromRecords(state, by_days, scan_limit);
  if (!stats.ok()) return stats;
  stats->from_day = range.from;
  stats->to_day = range.to;
  for (ResourceStat& r : stats->by_resource) {
    CIVIC_ASSIGN_OR_RETURN(auto res, ReadRecord<pb::SharingResource>(state, sk::Resource(r.resource)));
    if (res.has_value()) r.name = res->name();
  }
  return stats;
}

// ---------------------------------------------------------------------------
// Catalogue and grants

Result<std::vector<pb::SharingResource>> ListResources(const ledger::KvReader& state, std::string_view provider,
                                                       std::string_view code) {
  std::vector<pb::SharingResource> out;
  if (!code.empty()) {
    CIVIC_RETURN_IF_ERROR(ValidateResourceCode(code));
    CIVIC_ASSIGN_OR_RETURN(auto r, ReadRecord<pb::SharingResource>(state, sk::Resource(code)));
    if (r.has_value() && (provider.empty() || r->provider_org() == provider)) out.push_back(std::move(*r));
    return out;
  }
  return RecordsUnder<pb::SharingResource>(state, sk::kResourcePrefix, [&](const pb::SharingResource& r) {
    return provider.empty() || r.provider_org() == provider;
  });
}

Result<std::vector<pb::SharingGrant>> ListGrants(const ledger::KvReader& state, const GrantFilter& f) {
  std::vector<pb::SharingGrant> out;
  auto keep = [&](const pb::SharingGrant& g) {
    return (f.requester.empty() || g.requester_org() == f.requester) &&
           (f.provider.empty() || g.provider_org() == f.provider) &&
           (f.resource.empty() || g.resource() == f.resource) && (!f.status || g.status() == *f.status);
  };
  if (!f.id.empty()) {
    CIVIC_RETURN_IF_ERROR(ValidateGrantId(f.id));
    CIVIC_ASSIGN_OR_RETURN(auto g, ReadRecord<pb::SharingGrant>(state, sk::Grant(f.id)));
    if (g.has_value() && keep(*g)) out.push_back(std::move(*g));
    return out;
  }
  return RecordsUnder<pb::SharingGrant>(state, sk::kGrantPrefix, keep);
}

}  // namespace civic::contracts
