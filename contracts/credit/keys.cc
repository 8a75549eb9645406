#include "contracts/credit/keys.h"

#include <algorithm>

#include "contracts/base/key_format.h"
#include "crypto/hash.h"

namespace civic::contracts {

std::string CreditSubjectKey(const pb::CreditSubject& s) {
  if (s.type() == pb::CREDIT_SUBJECT_PERSON) return "p" + s.commitment();
  return "e" + s.uscc();
}

namespace credit_keys {
namespace {

std::string WithId(std::string out, uint64_t id) {
  PutBigEndian64(&out, id);
  return out;
}

}  // namespace

std::string Category(std::string_view code) { return Cat(kCategoryPrefix, code); }

std::string MeasurePrefix(std::string_view category) {
  std::string out = Cat(kMeasurePrefix, category);
  out.push_back('/');
  return out;
}

std::string Measure(std::string_view category, std::string_view code) { return Cat(MeasurePrefix(category), code); }

std::string Entry(uint64_t id) { return WithId(std::string(kEntryPrefix), id); }

std::string Open(std::string_view subject_key, std::string_view category) {
  std::string out = Cat(kOpenPrefix, subject_key);
  out.push_back('/');
  out.append(category);
  return out;
}

std::string Decision(std::string_view org, std::string_view doc_no, std::string_view subject_key,
                     std::string_view category) {
  static constexpr std::string_view kSep("\0", 1);
  return Cat(kDecisionPrefix, crypto::Sha256Concat({org, kSep, doc_no, kSep, subject_key, kSep, category}));
}

std::string Expiry(int64_t publicity_end_ms, uint64_t id) {
  std::string out(kExpiryPrefix);
  PutBigEndian64(&out, static_cast<uint64_t>(std::max<int64_t>(publicity_end_ms, 0)));
  PutBigEndian64(&out, id);
  return out;
}

std::string Commitment(uint64_t id) { return WithId(std::string(kCommitmentPrefix), id); }

std::string SubjectIndexPrefix(std::string_view subject_key) { return Cat(kSubjectIndexPrefix, subject_key); }
std::string SubjectIndex(std::string_view subject_key, uint64_t id) {
  return WithId(SubjectIndexPrefix(subject_key), id);
}

std::string ListIndexPrefix(pb::CreditList list, std::string_view category) {
  std::string out(kListIndexPrefix);
  out.push_back(list == pb::CREDIT_LIST_RED ? 'r' : 'b');
  out.push_back('/');
  if (!category.empty()) {
    out.append(category);
    out.push_back('/');
  }
  return out;
}

std::string ListIndex(pb::CreditList list, std::string_view category, uint64_t id) {
  return WithId(ListIndexPrefix(list, category), id);
}

std::string CommitmentIndexPrefix(std::string_view subject_key) { return Cat(kCommitmentIndexPrefix, subject_key); }
std::string CommitmentIndex(std::string_view subject_key, uint64_t id) {
  return WithId(CommitmentIndexPrefix(subject_key), id);
}

}  // namespace credit_keys
}  // namespace civic::contracts
