// The derived data of the access records: the secondary index entries and the
// per-day statistics counters (layout: contracts/sharing/keys.h), written by the
// contract in the same block batch as the records they describe, and the count of
// records logged so far. Queries read what is written here
// (contracts/sharing/query.h).
//
// Requires: the view of the block being applied. Not thread-safe: used by the
// chain's single applying thread (RecordTotal is safe on any thread-safe reader).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "contracts/sharing/sharing.pb.h"
#include "ledger/kv.h"

namespace civic::contracts {

// The records logged so far, which is the next record's ordinal; nullopt when no
// record was logged with an ordinal. Typed error: CORRUPTION.
Result<std::optional<uint64_t>> RecordTotal(const ledger::KvReader& state);
void PutRecordTotal(ledger::StateView* view, uint64_t total);

// Writes every index entry of a new record; its time entry carries `ordinal`.
// `purpose_hash` is sharing_keys::PurposeHash(record.purpose()).
void WriteIndexes(ledger::StateView* view, const pb::SharingAccessRecord& record, uint64_t purpose_hash,
                  uint64_t ordinal);
// Rewrites the entries of a changed record (`before` is the stored one): every
// entry takes the new verdict and reasons, the verdict entry moves, and the time
// entry keeps its ordinal (none if it had none).
Status RewriteIndexes(ledger::StateView* view, const pb::SharingAccessRecord& record,
                      const pb::SharingAccessRecord& before);

// Statistics deltas of one tx (or one EndBlock), written once per key.
class CounterBook {
 public:
  void AddRecord(const pb::SharingAccessRecord& record);
  // A stored record turned from authorized into a violation.
  void AddViolation(const pb::SharingAccessRecord& record);

  // Adds the deltas to the stored counters (one read and one write per key) and
  // empties the book.
  Status Flush(ledger::StateView* view);

 private:
  struct Delta {
    uint64_t records = 0;
    uint64_t violations = 0;
    uint64_t rows = 0;
  };
  using Group = std::tuple<std::string, std::string, std::string, int64_t>;  // requester, provider, resource, day

  // The group of `r`; consecutive records of a batch mostly share it, so the last
  // one is checked before the map.
  Delta& Of(const pb::SharingAccessRecord& r);

  std::map<Group, Delta> groups_;
  std::pair<const Group, Delta>* last_ = nullptr;
};

}  // namespace civic::contracts
