// Key layout of the credit contract's state. One place, so the contract and its
// queries agree.
//
// Authenticated state (Space::kState):
//   credit/cat/<code>                          -> pb::CreditCategory
//   credit/m/<category>/<code>                 -> pb::CreditMeasure
//   credit/next_entry                          -> 8-byte big-endian next entry id
//   credit/e/<id be64>                         -> pb::CreditEntry
//   credit/open/<subject key>/<category>       -> entry id be64 (latest listing; duplicate check)
//   credit/doc/<SHA-256(org,doc no,subject,category)> -> entry id be64 (decision uniqueness)
//   credit/exp/<publicity end be64><id be64>   -> "" (expiry queue, LISTED entries only)
//   credit/next_commitment                     -> 8-byte big-endian next commitment id
//   credit/c/<id be64>                         -> pb::CreditCommitment
// Secondary indexes (Space::kIndex):
//   credit/s/<subject key><id be64>            -> "" (entries by subject)
//   credit/l/<r|b>/<category>/<id be64>        -> "" (LISTED entries by list and category)
//   credit/cs/<subject key><id be64>           -> "" (commitments by subject)
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "contracts/credit/credit.pb.h"

namespace civic::contracts {

// The subject's fixed-length key fragment: 'e' + USCC, or 'p' + 32-byte commitment.
std::string CreditSubjectKey(const pb::CreditSubject& subject);

namespace credit_keys {

constexpr std::string_view kCategoryPrefix = "credit/cat/";
constexpr std::string_view kMeasurePrefix = "credit/m/";
constexpr std::string_view kNextEntry = "credit/next_entry";
constexpr std::string_view kEntryPrefix = "credit/e/";
constexpr std::string_view kOpenPrefix = "credit/open/";
constexpr std::string_view kDecisionPrefix = "credit/doc/";
constexpr std::string_view kExpiryPrefix = "credit/exp/";
constexpr std::string_view kNextCommitment = "credit/next_commitment";
constexpr std::string_view kCommitmentPrefix = "credit/c/";
constexpr std::string_view kSubjectIndexPrefix = "credit/s/";
constexpr std::string_view kListIndexPrefix = "credit/l/";
constexpr std::string_view kCommitmentIndexPrefix = "credit/cs/";

std::string Category(std::string_view code);
std::string MeasurePrefix(std::string_view category);  // "credit/m/<category>/"
std::string Measure(std::string_view category, std::string_view code);
std::string Entry(uint64_t id);
std::string Open(std::string_view subject_key, std::string_view category);
std::string Decision(std::string_view org, std::string_view doc_no, std::string_view subject_key,
                     std::string_view category);
std::string Expiry(int64_t publicity_end_ms, uint64_t id);
std::string Commitment(uint64_t id);
std::string SubjectIndexPrefix(std::string_view subject_key);
std::string SubjectIndex(std::string_view subject_key, uint64_t id);
// "credit/l/b/" for a list, "credit/l/b/<category>/" with a category.
std::string ListIndexPrefix(pb::CreditList list, std::string_view category = "");
std::string ListIndex(pb::CreditList list, std::string_view category, uint64_t id);
std::string CommitmentIndexPrefix(std::string_view subject_key);
std::string CommitmentIndex(std::string_view subject_key, uint64_t id);

}  // namespace credit_keys
}  // namespace civic::contracts
