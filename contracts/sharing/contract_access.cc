// The access records of the data-sharing contract (contracts/sharing/contract.h):
// logging and judging accesses, their acknowledgement by the provider, and the
// EndBlock pass that turns unacknowledged records overdue.
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "contracts/base/state_io.h"
#include "contracts/base/time_format.h"
#include "contracts/governance/query.h"
#include "contracts/sharing/contract.h"
#include "contracts/sharing/indexes.h"
#include "contracts/sharing/keys.h"
#include "contracts/sharing/rules.h"

namespace civic::contracts {

namespace {

namespace sk = sharing_keys;

template <typename T>
using ReadCache = std::map<std::string, std::optional<T>, std::less<>>;

// The record of `id` (checked by `validate`) at key(id), read once per cache.
template <typename T>
Result<const std::optional<T>*> ReadOnce(const ledger::KvReader& state, ReadCache<T>* cache, const std::string& id,
                                         Status (*validate)(std::string_view), std::string (*key)(std::string_view)) {
  auto it = cache->find(id);
  if (it == cache->end()) {
    CIVIC_RETURN_IF_ERROR(validate(id));
    CIVIC_ASSIGN_OR_RETURN(std::optional<T> record, ReadRecord<T>(state, key(id)));
    it = cache->emplace(id, std::move(record)).first;
  }
  return &it->second;
}

template <typename T>
const T* Found(const std::optional<T>& record) {
  return record.has_value() ? &*record : nullptr;
}

// The error of item `i` of a batch of `n`, naming the item ("access #12: ...").
Status OfItem(Status st, std::string_view item, size_t i, size_t n) {
  if (st.ok() || n == 1) return st;
  return Status(st.code(), st.app_code(), std::string(item) + " #" + std::to_string(i) + ": " + st.message());
}

struct PurposeEntry {
  Status valid;
  uint64_t hash = 0;
};

}  // namespace

class SharingContract::AccessBatch {
 public:
  AccessBatch(const ledger::TxContext& ctx, ledger::StateView* view) : ctx_(ctx), view_(view) {}

  Status LogAccess(pb::SharingLogAccess* m) {
    CIVIC_ASSIGN_OR_RETURN(org_, ActiveOrg(*view_, ctx_.tx->body.org()));
    CIVIC_RETURN_IF_ERROR(RequireRole(org_, pb::ROLE_DATA_REQUESTER));
    CIVIC_ASSIGN_OR_RETURN(params_, GetSharingParams(*view_));
    size_t n = static_cast<size_t>(m->accesses_size());
    CIVIC_RETURN_IF_ERROR(CheckBatchSize(params_, n, "accesses"));
    pending_.set_requester_org(org_.code());
    CIVIC_ASSIGN_OR_RETURN(std::optional<uint64_t> total, RecordTotal(*view_));
    next_ordinal_ = total.value_or(0);
    for (size_t i = 0; i < n; ++i) {
      CIVIC_RETURN_IF_ERROR(
          OfItem(LogOne(static_cast<uint32_t>(i), m->mutable_accesses(static_cast<int>(i))), "access", i, n));
    }
    std::string suffix = sk::PendingSuffix(ctx_.block_time_ms + params_.ack_deadline_ms(), ctx_.height, ctx_.tx_index);
    Bytes count;
    PutBigEndian64(&count, static_cast<uint64_t>(pending_.request_ids_size()));
    view_->Put(sk::Pending(suffix), count);
    WriteRecord(view_, sk::PendingList(suffix), pending_);
    PutRecordTotal(view_, next_ordinal_);
    return counters_.Flush(view_);
  }

  Status Acknowledge(const pb::SharingAcknowledge& m) {
    CIVIC_ASSIGN_OR_RETURN(org_, ActiveOrg(*view_, ctx_.tx->body.org()));
    CIVIC_ASSIGN_OR_RETURN(params_, GetSharingParams(*view_));
    size_t n = static_cast<size_t>(m.acks_size());
    CIVIC_RETURN_IF_ERROR(CheckBatchSize(params_, n, "acknowledgements"));
    std::map<std::string, uint64_t> settled;  // pending suffix -> records acknowledged here
    for (size_t i = 0; i < n; ++i) {
      CIVIC_RETURN_IF_ERROR(OfItem(AckOne(m.acks(static_cast<int>(i)), &settled), "acknowledgement", i, n));
    }
    for (const auto& [suffix, count] : settled) CIVIC_RETURN_IF_ERROR(Settle(suffix, count));
    return counters_.Flush(view_);
  }

 private:
  // ---- logging

  // A provider named by a record whose resource is not in the catalogue.
  Status CheckProviderOrg(const std::string& code) {
    if (known_orgs_.count(code)) return Status::Ok();
    CIVIC_RETURN_IF_ERROR(ValidateUscc(code));
    CIVIC_RETURN_IF_ERROR(GetOrg(*view_, code).status());
    known_orgs_.insert(code);
    return Status::Ok();
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

  // The provider of an access: the catalogue's, or the one the record names.
  Result<std::string> Provider(const pb::SharingAccess& a, const pb::SharingResource* resource) {
    const std::string& named = a.provider_org();
    if (resource == nullptr) {
      if (named.empty()) {
        return Status::InvalidArgument(err::PROVIDER_REQUIRED, "resource " + a.resource() +
                                                                " is not in the catalogue, so the record must name "
                                                                "its provider");
      }
      CIVIC_RETURN_IF_ERROR(CheckProviderOrg(named));
      return named;
    }
    if (!named.empty() && named != resource->provider_org()) {
      return Status::InvalidArgument(err::PROVIDER_MISMATCH, "resource " + a.resource() + " is provided by " +
                                                              resource->provider_org() + ", not by " + Shown(named));
    }
    return resource->provider_org();
  }

  // Checks the subject tags and sorts them without duplicates.
  Status NormalizeSubjects(google::protobuf::RepeatedPtrField<std::string>* subjects) {
    if (static_cast<size_t>(subjects->size()) > params_.max_subjects_per_record()) {
      return Status::InvalidArgument(
          err::TOO_MANY_SUBJECTS,
          "a record may name at most " + std::to_string(params_.max_subjects_per_record()) + " subjects");
    }
    for (const auto& s : *subjects) {
      if (s.size() != kDigestSize) {
        return Status::InvalidArgument(err::BAD_SUBJECT_COMMITMENT, "a subject tag must be 32 bytes");
      }
    }
    if (!std::is_sorted(subjects->begin(), subjects->end())) std::sort(subjects->begin(), subjects->end());
    subjects->erase(std::unique(subjects->begin(), subjects->end()), subjects->end());
    return Status::Ok();
  }

  // The access time: accessed_at_ms (0 = the block time) within the allowed lag.
  Result<int64_t> AccessTime(const pb::SharingAccess& a) {
    int64_t at = a.accessed_at_ms() == 0 ? ctx_.block_time_ms : a.accessed_at_ms();
    if (at > ctx_.block_time_ms + kMaxAccessFutureMs || at < ctx_.block_time_ms - params_.max_access_lag_ms()) {
      return Status::InvalidArgument(err::BAD_ACCESS_TIME,
                                     "accessed_at " + FormatRfc3339(at) + " must lie between the block time " +
                                         FormatRfc3339(ctx_.block_time_ms) + " minus " +
                                         std::to_string(params_.max_access_lag_ms() / 1000) + " s and plus 60 s");
    }
    return at;
  }

  Status LogOne(uint32_t position, pb::SharingAccess* a) {
    CIVIC_RETURN_IF_ERROR(ValidateRequestId(a->request_id()));
    if (!ids_in_tx_.insert(a->request_id()).second) {
      return Status::InvalidArgument(err::DUPLICATE_REQUEST_ID,
                                     "request id " + a->request_id() + " appears twice in this tx");
    }
    std::string record_key = sk::Record(org_.code(), a->request_id());
    auto existing = view_->Get(record_key);
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) {
      return Status::AlreadyExists(err::RECORD_EXISTS, "an access with request id " + a->request_id() + " of org " +
                                                        org_.code() + " is already recorded");
    }
    CIVIC_ASSIGN_OR_RETURN(auto cached_resource,
                           ReadOnce(*view_, &resources_, a->resource(), ValidateResourceCode, sk::Resource));
    const pb::SharingResource* resource = Found(*cached_resource);
    CIVIC_ASSIGN_OR_RETURN(std::string provider, Provider(*a, resource));
    if (provider == org_.code()) {
      return Status::InvalidArgument(err::SELF_ACCESS, "org " + provider + " is both requester and provider");
    }
    if (!a->grant_id().empty()) CIVIC_RETURN_IF_ERROR(ValidateGrantId(a->grant_id()));
    const PurposeEntry& purpose = Purpose(a->purpose());
    CIVIC_RETURN_IF_ERROR(purpose.valid);
    CIVIC_RETURN_IF_ERROR(NormalizeSharingFields(a->mutable_fields()));
    CIVIC_RETURN_IF_ERROR(NormalizeSubjects(a->mutable_subject_tags()));
    CIVIC_RETURN_IF_ERROR(CheckDigest("the response digest", a->response_digest()));
    CIVIC_ASSIGN_OR_RETURN(int64_t at, AccessTime(*a));

    pb::SharingAccessRecord r;
    r.set_request_id(a->request_id());
    r.set_requester_org(org_.code());
    r.set_provider_org(provider);
    r.set_resource(a->resource());
    r.set_grant_id(a->grant_id());
    r.set_purpose(a->purpose());
    r.mutable_fields()->Swap(a->mutable_fields());
    r.mutable_subject_tags()->Swap(a->mutable_subject_tags());
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
    const pb::SharingGrant* grant = nullptr;
    if (!r.grant_id().empty()) {
      CIVIC_ASSIGN_OR_RETURN(auto cached_grant, ReadOnce(*view_, &grants_, r.grant_id(), ValidateGrantId, sk::Grant));
      grant = Found(*cached_grant);
    }
    JudgeAccess(resource, grant, &r);

    WriteRecord(view_, record_key, r);
    WriteIndexes(view_, r, purpose.hash, next_ordinal_++);
    counters_.AddRecord(r);
    pending_.add_request_ids(r.request_id());
    return Status::Ok();
  }

  // ---- acknowledgements

  Status AckOne(const pb::SharingAck& ack, std::map<std::string, uint64_t>* settled) {
    CIVIC_RETURN_IF_ERROR(ValidateRequestId(ack.request_id()));
    CIVIC_RETURN_IF_ERROR(ValidateUscc(ack.requester_org()));
    std::string key = sk::Record(ack.requester_org(), ack.request_id());
    const std::string name = ack.requester_org() + "/" + ack.request_id();
    if (!ids_in_tx_.insert(key).second) {
      return Status::AlreadyExists(err::ALREADY_ACKNOWLEDGED, "record " + name + " is acknowledged twice in this tx");
    }
    CIVIC_RETURN_IF_ERROR(CheckDigest("the provider digest", ack.provider_digest()));
    CIVIC_ASSIGN_OR_RETURN(auto stored, ReadRecord<pb::SharingAccessRecord>(*view_, key));
    if (!stored.has_value()) return Status::NotFound(err::RECORD_NOT_FOUND, "no access record " + name);
    const pb::SharingAccessRecord before = *stored;
    pb::SharingAccessRecord r = before;
    if (r.provider_org() != org_.code()) {
      return Status::PermissionDenied(err::NOT_RECORD_PROVIDER, "record " + name + " is acknowledged by its provider " +
                                                                 r.provider_org() + ", not by " + org_.code());
    }
    if (r.acknowledged()) {
      return Status::AlreadyExists(err::ALREADY_ACKNOWLEDGED,
                                   "record " + name + " was acknowledged at height " + std::to_string(r.ack_height()));
    }
    r.set_acknowledged(true);
    r.set_provider_digest(ack.provider_digest());
    r.set_ack_time_ms(ctx_.block_time_ms);
    r.set_ack_height(ctx_.height);
    r.set_ack_tx_id(ctx_.tx->id);
    bool turned = false;
    if (!before.overdue()) {
      (*settled)[sk::PendingSuffixOf(r)] += 1;
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
      CIVIC_RETURN_IF_ERROR(RewriteIndexes(view_, r, before));
      if (turned) counters_.AddViolation(r);
    }
    return Status::Ok();
  }

  // `count` records of the logging tx with pending `suffix` were acknowledged:
  // the queue entry goes when none is left.
  Status Settle(const std::string& suffix, uint64_t count) {
    std::string key = sk::Pending(suffix);
    CIVIC_ASSIGN_OR_RETURN(auto raw, view_->Get(key));
    if (!raw.has_value()) return Status::Ok();  // already settled by EndBlock
    if (raw->size() != 8) return Status::Corruption("pending counter " + ToHex(key) + " is not 8 bytes");
    uint64_t left = GetBigEndian64(*raw);
    left = left > count ? left - count : 0;
    if (left == 0) {
      view_->Delete(key);
      view_->Delete(sk::PendingList(suffix));
    } else {
      Bytes value;
      PutBigEndian64(&value, left);
      view_->Put(key, value);
    }
    return Status::Ok();
  }

  const ledger::TxContext& ctx_;
  ledger::StateView* view_;
  pb::Org org_;  // the signer
  pb::SharingParams params_;
  ReadCache<pb::SharingResource> resources_;
  ReadCache<pb::SharingGrant> grants_;
  std::map<std::string, PurposeEntry, std::less<>> purposes_;
  std::set<std::string, std::less<>> known_orgs_;
  std::set<std::string, std::less<>> ids_in_tx_;
  pb::SharingPendingList pending_;
  CounterBook counters_;
  uint64_t next_ordinal_ = 0;  // LogAccess: the ordinal of the next record
};

Status SharingContract::ExecuteAccessCall(const ledger::TxContext& ctx, pb::SharingCall* call,
                                          ledger::StateView* view) {
  AccessBatch batch(ctx, view);
  if (call->call_case() == pb::SharingCall::kLogAccess) return batch.LogAccess(call->mutable_log_access());
  return batch.Acknowledge(call->acknowledge());
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
    if (static_cast<int64_t>(GetBigEndian64(suffix)) > ctx.block_time_ms) return false;  // the deadline
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
    std::string list_key = sk::PendingList(suffix);
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
        CIVIC_RETURN_IF_ERROR(RewriteIndexes(view, r, before));
        if (turned) counters.AddViolation(r);
      }
    }
    view->Delete(list_key);
    view->Delete(sk::Pending(suffix));
  }
  return counters.Flush(view);
}

}  // namespace civic::contracts
