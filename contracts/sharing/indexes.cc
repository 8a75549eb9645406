#include "contracts/sharing/indexes.h"

#include "contracts/base/state_io.h"
#include "contracts/sharing/keys.h"
#include "contracts/sharing/rules.h"

namespace civic::contracts {

namespace sk = sharing_keys;

Result<std::optional<uint64_t>> RecordTotal(const ledger::KvReader& state) {
  CIVIC_ASSIGN_OR_RETURN(auto raw, state.Get(ledger::Space::kIndex, sk::kRecordTotal));
  if (!raw.has_value()) return std::optional<uint64_t>();
  if (raw->size() != 8) return Status::Corruption("sharing record total is not 8 bytes");
  return std::optional<uint64_t>(GetBigEndian64(*raw));
}

void PutRecordTotal(ledger::StateView* view, uint64_t total) {
  Bytes value;
  PutBigEndian64(&value, total);
  view->Put(ledger::Space::kIndex, sk::kRecordTotal, value);
}

namespace {

uint32_t ReasonBits(const pb::SharingAccessRecord& r) {
  uint32_t bits = 0;
  for (const auto& f : r.findings()) bits |= uint32_t{1} << static_cast<unsigned>(f.reason());
  return bits;
}

// Writes every index entry of `record` (the time entry with `ordinal` when
// given); `before` (when the record existed) removes the entries that no longer
// apply.
void PutIndexes(ledger::StateView* view, const pb::SharingAccessRecord& record, uint64_t purpose_hash,
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
  for (const auto& s : record.subject_tags()) put(sk::SubjectIndex(s));
  if (before != nullptr && before->verdict() != record.verdict()) {
    view->Delete(ledger::Space::kIndex, sk::VerdictIndex(before->verdict()) + tk);
  }
}

}  // namespace

void WriteIndexes(ledger::StateView* view, const pb::SharingAccessRecord& record, uint64_t purpose_hash,
                  uint64_t ordinal) {
  PutIndexes(view, record, purpose_hash, ordinal, nullptr);
}

Status RewriteIndexes(ledger::StateView* view, const pb::SharingAccessRecord& record,
                      const pb::SharingAccessRecord& before) {
  const std::string time_key = std::string(sk::kByTime) + sk::TimeKeyOf(before);
  CIVIC_ASSIGN_OR_RETURN(auto stored, ReadRecord<pb::SharingIndexEntry>(*view, time_key, ledger::Space::kIndex));
  std::optional<uint64_t> ordinal;
  if (stored.has_value() && stored->has_ordinal()) ordinal = stored->ordinal();
  PutIndexes(view, record, sk::PurposeHash(record.purpose()), ordinal, &before);
  return Status::Ok();
}

void CounterBook::AddRecord(const pb::SharingAccessRecord& r) {
  Delta& d = Of(r);
  d.records += 1;
  d.violations += r.verdict() == pb::SHARING_VIOLATION ? 1 : 0;
  d.rows += r.record_count();
}

void CounterBook::AddViolation(const pb::SharingAccessRecord& r) { Of(r).violations += 1; }

Status CounterBook::Flush(ledger::StateView* view) {
  std::map<std::string, pb::SharingCounter> deltas;
  for (const auto& entry : groups_) {
    const auto& group = entry.first;
    const auto& d = entry.second;  // captured below: clang 14 cannot capture structured bindings
    const auto& [requester, provider, resource, day_number] = group;
    const std::string day = sk::DayBytes(day_number);
    auto plain = [&](const std::string& key) {
      pb::SharingCounter& c = deltas[key];
      c.set_total(c.total() + d.records);
      c.set_violations(c.violations() + d.violations);
      c.set_records(c.records() + d.rows);
    };
    auto sided = [&](const std::string& key, bool as_requester) {
      plain(key);
      pb::SharingCounter& c = deltas[key];
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
    plain(sk::DayCounter(day_number));
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

CounterBook::Delta& CounterBook::Of(const pb::SharingAccessRecord& r) {
  int64_t day = SharingDay(r.time_ms());
  if (last_ != nullptr) {
    const auto& [requester, provider, resource, last_day] = last_->first;
    if (last_day == day && requester == r.requester_org() && provider == r.provider_org() && resource == r.resource()) {
      return last_->second;
    }
  }
  auto [it, inserted] = groups_.try_emplace(Group{r.requester_org(), r.provider_org(), r.resource(), day});
  last_ = &*it;
  return it->second;
}

}  // namespace civic::contracts
