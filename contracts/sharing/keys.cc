#include "contracts/sharing/keys.h"

#include <algorithm>

#include "contracts/base/key_format.h"
#include "crypto/hash.h"

namespace civic::contracts::sharing_keys {

namespace {

// Time keys and days store the value + 2^63 so that the byte order is the
// numeric order for every int64 (block times are positive, but nothing here
// relies on it).
uint64_t Biased(int64_t t) { return static_cast<uint64_t>(t) ^ (uint64_t{1} << 63); }

}  // namespace

std::string Resource(std::string_view code) { return Cat(kResourcePrefix, code); }
std::string Grant(std::string_view id) { return Cat(kGrantPrefix, id); }
std::string Record(std::string_view requester, std::string_view request_id) {
  std::string out = Cat(kRecordPrefix, requester);
  out.push_back('/');
  out.append(request_id);
  return out;
}

std::string PendingSuffix(int64_t deadline_ms, uint64_t height, uint32_t tx_index) {
  // Deadlines are positive block times plus a positive duration.
  std::string out;
  PutBigEndian64(&out, static_cast<uint64_t>(std::max<int64_t>(deadline_ms, 0)));
  PutBigEndian64(&out, height);
  PutBigEndian32(&out, tx_index);
  return out;
}

std::string PendingSuffixOf(const pb::SharingAccessRecord& r) {
  return PendingSuffix(r.ack_deadline_ms(), r.height(), r.tx_index());
}

std::string Pending(std::string_view suffix) { return Cat(kPendingPrefix, suffix); }
std::string PendingList(std::string_view suffix) { return Cat(kPendingListPrefix, suffix); }

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
std::string SubjectIndex(std::string_view subject_tag) { return Cat(kBySubject, subject_tag); }

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

}  // namespace civic::contracts::sharing_keys
