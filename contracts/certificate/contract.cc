#include "contracts/certificate/contract.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "contracts/base/state_io.h"
#include "contracts/certificate/holder.h"
#include "contracts/certificate/keys.h"
#include "contracts/certificate/rules.h"
#include "contracts/governance/contract.h"
#include "contracts/governance/query.h"
#include "contracts/governance/rules.h"

namespace civic::contracts {
namespace {

using ClaimList = google::protobuf::RepeatedPtrField<pb::ClaimDigest>;

Result<pb::CertificateCall> DecodeCall(std::string_view call) {
  pb::CertificateCall m;
  if (!m.ParseFromArray(call.data(), static_cast<int>(call.size()))) {
    return Status::InvalidArgument(err::CALL_MALFORMED, "the certificate call does not decode");
  }
  if (m.call_case() == pb::CertificateCall::CALL_NOT_SET) {
    return Status::InvalidArgument(err::EMPTY_CALL, "the certificate call names no operation");
  }
  return m;
}

// A type as used during one tx: parsed once, with its schema sorted by name and
// the signer's permission decided once.
struct TypeEntry {
  pb::CertType type;
  std::vector<std::pair<std::string, bool>> schema;  // (name, required), sorted
  Status permission;                                 // OK if the signer org may issue
  bool serial_loaded = false;
  uint64_t last_serial = 0;
  bool serial_dirty = false;
};

Result<TypeEntry> LoadType(const ledger::KvReader& state, std::string_view code, const pb::Org& org) {
  auto type = ReadRecord<pb::CertType>(state, keys::CertType(code));
  if (!type.ok()) return type.status();
  if (!type->has_value()) {
    if (Status st = ValidateTypeCode(code); !st.ok()) return st;
    return Status::NotFound(err::UNKNOWN_TYPE, "no certificate type with code '" + std::string(code) + "'");
  }
  TypeEntry entry;
  entry.type = std::move(**type);
  for (const auto& f : entry.type.fields()) entry.schema.emplace_back(f.name(), f.required());
  std::sort(entry.schema.begin(), entry.schema.end());
  const auto& issuers = entry.type.issuer_orgs();
  bool listed = std::find(issuers.begin(), issuers.end(), org.code()) != issuers.end();
  if (!listed || !HasRole(org, pb::ROLE_ISSUER, code)) {
    entry.permission = Status::PermissionDenied(
        err::NOT_ISSUER, "org " + org.code() + " is not an issuer of certificate type " + std::string(code) + " (" +
                          entry.type.name() + ")");
  }
  return entry;
}

// Sorts `claims` by name if needed and checks them against the schema: every
// name known, none twice, every required field present, 32-byte digests.
Status CheckClaims(const TypeEntry& t, ClaimList* claims) {
  auto by_name = [](const pb::ClaimDigest& a, const pb::ClaimDigest& b) { return a.name() < b.name(); };
  if (!std::is_sorted(claims->begin(), claims->end(), by_name)) std::sort(claims->begin(), claims->end(), by_name);
  size_t j = 0;
  const std::string* previous = nullptr;
  for (const auto& c : *claims) {
    if (previous != nullptr && *previous == c.name()) {
      return Status::InvalidArgument(err::DUPLICATE_FIELD, "field '" + c.name().substr(0, 64) + "' appears twice");
    }
    previous = &c.name();
    while (j < t.schema.size() && t.schema[j].first < c.name()) {
      if (t.schema[j].second) {
        return Status::InvalidArgument(err::MISSING_FIELD, "required field '" + t.schema[j].first + "' of type " +
                                                            t.type.code() + " is missing");
      }
      ++j;
    }
    if (j == t.schema.size() || t.schema[j].first != c.name()) {
      return Status::InvalidArgument(err::UNKNOWN_FIELD, "field '" + c.name().substr(0, 64) +
                                                          "' is not in the schema of type " + t.type.code());
    }
    CIVIC_RETURN_IF_ERROR(CheckClaimDigest(c.name(), c.digest()));
    ++j;
  }
  for (; j < t.schema.size(); ++j) {
    if (t.schema[j].second) {
      return Status::InvalidArgument(err::MISSING_FIELD, "required field '" + t.schema[j].first + "' of type " +
                                                          t.type.code() + " is missing");
    }
  }
  return Status::Ok();
}

Status BadValidity(std::string why) { return Status::InvalidArgument(err::BAD_VALIDITY, why); }

// Fills issued_at, valid_from and valid_until; zero inputs take the defaults.
Status ResolveValidity(const pb::CertType& type, int64_t block_time, int64_t issued_at, int64_t valid_from,
                       int64_t valid_until, pb::Certificate* cert) {
  if (issued_at < 0 || valid_from < 0 || valid_until < 0) return BadValidity("times must not be negative");
  if (issued_at == 0) issued_at = block_time;
  if (issued_at > block_time) return BadValidity("issued_at is later than the block time");
  if (valid_from == 0) valid_from = issued_at;
  if (valid_until == 0 && type.default_validity_ms() > 0) {
    if (valid_from > std::numeric_limits<int64_t>::max() - type.default_validity_ms()) {
      return BadValidity("valid_from is too large");
    }
    valid_until = valid_from + type.default_validity_ms();
  }
  if (valid_until != 0 && valid_until <= valid_from) return BadValidity("valid_until must be after valid_from");
  cert->set_issued_at_ms(issued_at);
  cert->set_valid_from_ms(valid_from);
  cert->set_valid_until_ms(valid_until);
  return Status::Ok();
}

void SealWith(const ledger::TxContext& ctx, pb::Certificate* cert) {
  cert->set_issuer_key_algo(static_cast<uint32_t>(ctx.tx->signer.algo));
  cert->set_issuer_key(ctx.tx->signer.key);
  cert->set_issuing_tx_id(ctx.tx->id);
  cert->set_height(ctx.height);
}

void AddEvent(const ledger::TxContext& ctx, pb::Certificate* cert, pb::CertEventKind kind, std::string_view reason,
              pb::CertStatus status_after, std::string_view related_id) {
  pb::CertEvent* e = cert->add_events();
  e->set_kind(kind);
  e->set_time_ms(ctx.block_time_ms);
  e->set_height(ctx.height);
  e->set_tx_id(ctx.tx->id);
  e->set_org(ctx.tx->body.org());
  e->set_reason(std::string(reason));
  e->set_status_after(status_after);
  e->set_related_id(std::string(related_id));
}

void StoreNew(ledger::StateView* view, const pb::Certificate& cert) {
  WriteRecord(view, keys::Cert(cert.id()), cert);
  view->Put(ledger::Space::kIndex, keys::HolderIndex(cert.holder_commitment(), cert.id()), "");
  view->Put(ledger::Space::kIndex, keys::IssuerIndex(cert.issuer_org(), cert.id()), "");
}

Result<bool> Exists(const ledger::KvReader& state, std::string_view id) {
  auto raw = state.Get(ledger::Space::kState, keys::Cert(id));
  if (!raw.ok()) return raw.status();
  return raw->has_value();
}

Status CertExists(std::string_view id) {
  return Status::AlreadyExists(err::CERT_EXISTS, "certificate " + std::string(id) + " already exists");
}

Result<pb::Org> SignerOrg(const ledger::TxContext& ctx, const ledger::KvReader& state) {
  CIVIC_ASSIGN_OR_RETURN(pb::Org org, GetOrg(state, ctx.tx->body.org()));
  if (org.removed()) return Status::PermissionDenied(err::ORG_REMOVED, "org " + org.code() + " has been removed");
  return org;
}

// Loads a certificate that the signer org issued and may still act on.
Result<pb::Certificate> LoadOwned(const ledger::KvReader& state, const pb::Org& org, std::string_view id) {
  CIVIC_RETURN_IF_ERROR(ParseCertId(id).status());
  auto cert = ReadRecord<pb::Certificate>(state, keys::Cert(id));
  if (!cert.ok()) return cert.status();
  if (!cert->has_value()) return Status::NotFound(err::CERT_NOT_FOUND, "no certificate " + std::string(id));
  if ((*cert)->issuer_org() != org.code()) {
    return Status::PermissionDenied(err::NOT_CERT_ISSUER, "certificate " + std::string(id) + " was issued by org " +
                                                           (*cert)->issuer_org() + ", not by " + org.code());
  }
  if (!HasRole(org, pb::ROLE_ISSUER, (*cert)->type_code())) {
    return Status::PermissionDenied(err::NOT_ISSUER, "org " + org.code() + " no longer holds ISSUER for type " +
                                                      (*cert)->type_code());
  }
  return std::move(**cert);
}

Status StatusError(const pb::Certificate& cert) {
  switch (cert.status()) {
    case pb::CERT_REVOKED:
      return Status::FailedPrecondition(err::CERT_REVOKED, "certificate " + cert.id() + " is revoked (" +
                                                            cert.status_reason() + ")");
    case pb::CERT_SUPERSEDED:
      return Status::FailedPrecondition(err::CERT_SUPERSEDED, "certificate " + cert.id() +
                                                               " was superseded by " + cert.next_id());
    case pb::CERT_SUSPENDED:
      return Status::FailedPrecondition(err::CERT_SUSPENDED, "certificate " + cert.id() + " is suspended (" +
                                                              cert.status_reason() + ")");
    default: return Status::Corruption("certificate " + cert.id() + " has no valid status");
  }
}

class Executor {
 public:
  Executor(const ledger::TxContext& ctx, ledger::StateView* view) : ctx_(ctx), view_(view) {}

  Status Run(pb::CertificateCall* call) {
    if (call->call_case() == pb::CertificateCall::kRegisterType) return RegisterType(call->register_type().type());
    CIVIC_ASSIGN_OR_RETURN(org_, SignerOrg(ctx_, *view_));
    switch (call->call_case()) {
      case pb::CertificateCall::kIssue: return Issue(call->mutable_issue());
      case pb::CertificateCall::kRenew: {
        auto* m = call->mutable_renew();
        return NewVersion(m->previous_id(), m->mutable_holder_commitment(), m->mutable_claims(), m->valid_from_ms(),
                          m->valid_until_ms(), /*replace=*/false, "");
      }
      case pb::CertificateCall::kReplace: {
        auto* m = call->mutable_replace();
        CIVIC_RETURN_IF_ERROR(CheckReason(m->reason(), false));
        return NewVersion(m->previous_id(), m->mutable_holder_commitment(), m->mutable_claims(), m->valid_from_ms(),
                          m->valid_until_ms(), /*replace=*/true, m->reason());
      }
      case pb::CertificateCall::kSuspend: return Suspend(call->suspend());
      case pb::CertificateCall::kReinstate: return Reinstate(call->reinstate());
      case pb::CertificateCall::kRevoke: return Revoke(call->revoke());
      default: return Status::InvalidArgument(err::EMPTY_CALL, "the certificate call names no operation");
    }
  }

 private:
  Result<TypeEntry*> Type(const std::string& code) {
    auto it = types_.find(code);
    if (it == types_.end()) {
      CIVIC_ASSIGN_OR_RETURN(TypeEntry entry, LoadType(*view_, code, org_));
      it = types_.emplace(code, std::move(entry)).first;
    }
    return &it->second;
  }

  Status RegisterType(const pb::CertType& input) {
    if (!ctx_.governance) {
      return Status::PermissionDenied(err::GOVERNANCE_REQUIRED,
                                      "registering a certificate type is a governance action: propose it");
    }
    CIVIC_RETURN_IF_ERROR(ValidateCertType(input));
    pb::CertType type = input;
    auto existing = ReadRecord<pb::CertType>(*view_, keys::CertType(type.code()));
    if (!existing.ok()) return existing.status();
    type.set_registered_height(existing->has_value() ? (*existing)->registered_height() : ctx_.height);
    for (const auto& org : type.issuer_orgs()) {
      CIVIC_RETURN_IF_ERROR(GrantRoleScopes(view_, org, pb::ROLE_ISSUER, {type.code()}));
    }
    WriteRecord(view_, keys::CertType(type.code()), type);
    return Status::Ok();
  }

  Status Issue(pb::CertIssue* issue) {
    CIVIC_ASSIGN_OR_RETURN(pb::GovParams params, GetParams(*view_));
    size_t n = static_cast<size_t>(issue->certificates_size());
    if (n == 0) return Status::InvalidArgument(err::EMPTY_BATCH, "the issue call carries no certificate");
    if (n > params.max_batch_certificates()) {
      return Status::InvalidArgument(err::BATCH_TOO_LARGE, "a batch may carry at most " +
                                                            std::to_string(params.max_batch_certificates()) +
                                                            " certificates, this one has " + std::to_string(n));
    }
    for (size_t i = 0; i < n; ++i) {
      Status st = IssueOne(issue->mutable_certificates(static_cast<int>(i)));
      if (!st.ok()) {
        if (n == 1) return st;
        return Status(st.code(), st.app_code(), "certificate #" + std::to_string(i) + ": " + st.message());
      }
    }
    for (auto& [code, entry] : types_) {
      if (!entry.serial_dirty) continue;
      Bytes value;
      PutBigEndian64(&value, entry.last_serial);
      view_->Put(keys::Serial(code, org_.code()), value);
    }
    return Status::Ok();
  }

  Result<std::string> NextRunningId(TypeEntry* t) {
    if (!t->serial_loaded) {
      auto raw = view_->Get(keys::Serial(t->type.code(), org_.code()));
      if (!raw.ok()) return raw.status();
      if (raw->has_value()) {
        if ((*raw)->size() != 8) return Status::Corruption("serial counter is not 8 bytes");
        t->last_serial = GetBigEndian64(**raw);
      }
      t->serial_loaded = true;
    }
    while (true) {
      ++t->last_serial;
      t->serial_dirty = true;
      std::string id = FormatCertId(CertId{t->type.code(), org_.code(), FormatRunningSerial(t->last_serial), 1});
      CIVIC_ASSIGN_OR_RETURN(bool taken, Exists(*view_, id));
      if (!taken) return id;
    }
  }

  Status IssueOne(pb::CertIssueItem* item) {
    CIVIC_ASSIGN_OR_RETURN(TypeEntry * t, Type(item->type_code()));
    CIVIC_RETURN_IF_ERROR(t->permission);
    if (t->type.retired()) {
      return Status::FailedPrecondition(err::TYPE_RETIRED, "certificate type " + t->type.code() + " is retired");
    }
    CIVIC_RETURN_IF_ERROR(CheckHolderCommitment(item->holder_commitment()));
    CIVIC_RETURN_IF_ERROR(CheckClaims(*t, item->mutable_claims()));

    pb::Certificate cert;
    CIVIC_RETURN_IF_ERROR(ResolveValidity(t->type, ctx_.block_time_ms, item->issued_at_ms(), item->valid_from_ms(),
                                          item->valid_until_ms(), &cert));
    std::string id;
    if (item->serial().empty()) {
      CIVIC_ASSIGN_OR_RETURN(id, NextRunningId(t));
      cert.set_serial(FormatRunningSerial(t->last_serial));
    } else {
      CIVIC_RETURN_IF_ERROR(ValidateSerial(item->serial()));
      id = FormatCertId(CertId{t->type.code(), org_.code(), item->serial(), 1});
      CIVIC_ASSIGN_OR_RETURN(bool taken, Exists(*view_, id));
      if (taken) return CertExists(id);
      cert.set_serial(item->serial());
    }
    cert.set_id(id);
    cert.set_type_code(t->type.code());
    cert.set_issuer_org(org_.code());
    SealWith(ctx_, &cert);
    cert.set_holder_commitment(std::move(*item->mutable_holder_commitment()));
    cert.set_claims_digest(ClaimsDigest(item->claims()));
    cert.mutable_claims()->Swap(item->mutable_claims());
    cert.set_status(pb::CERT_ACTIVE);
    cert.set_version(1);
    StoreNew(view_, cert);
    return Status::Ok();
  }

  Status NewVersion(const std::string& previous_id, std::string* commitment, ClaimList* claims, int64_t valid_from,
                    int64_t valid_until, bool replace, std::string_view reason) {
    CIVIC_ASSIGN_OR_RETURN(pb::Certificate prev, LoadOwned(*view_, org_, previous_id));
    if (prev.status() != pb::CERT_ACTIVE) return StatusError(prev);
    CIVIC_ASSIGN_OR_RETURN(TypeEntry * t, Type(prev.type_code()));
    CIVIC_RETURN_IF_ERROR(t->permission);
    if (prev.version() >= kMaxCertVersion) {
      return Status::FailedPrecondition(err::VERSION_LIMIT, "certificate " + prev.id() + " is at the last version 999");
    }
    pb::Certificate next;
    if (!commitment->empty()) CIVIC_RETURN_IF_ERROR(CheckHolderCommitment(*commitment));
    if (!claims->empty()) CIVIC_RETURN_IF_ERROR(CheckClaims(*t, claims));
    CIVIC_RETURN_IF_ERROR(ResolveValidity(t->type, ctx_.block_time_ms, 0,
                                          valid_from == 0 ? ctx_.block_time_ms : valid_from, valid_until, &next));
    std::string id = FormatCertId(CertId{prev.type_code(), prev.issuer_org(), prev.serial(), prev.version() + 1});
    CIVIC_ASSIGN_OR_RETURN(bool taken, Exists(*view_, id));
    if (taken) return CertExists(id);

    next.set_id(id);
    next.set_type_code(prev.type_code());
    next.set_issuer_org(prev.issuer_org());
    SealWith(ctx_, &next);
    next.set_holder_commitment(commitment->empty() ? prev.holder_commitment() : std::move(*commitment));
    if (claims->empty()) {
      *next.mutable_claims() = prev.claims();
      next.set_claims_digest(prev.claims_digest());
    } else {
      next.set_claims_digest(ClaimsDigest(*claims));
      next.mutable_claims()->Swap(claims);
    }
    next.set_status(pb::CERT_ACTIVE);
    next.set_previous_id(prev.id());
    next.set_version(prev.version() + 1);
    next.set_serial(prev.serial());
    AddEvent(ctx_, &next, replace ? pb::CERT_EVENT_REPLACED : pb::CERT_EVENT_RENEWED, reason, pb::CERT_ACTIVE,
             prev.id());
    StoreNew(view_, next);

    if (replace) {
      prev.set_status(pb::CERT_REVOKED);
      prev.set_status_reason("replaced");
      AddEvent(ctx_, &prev, pb::CERT_EVENT_REVOKED, reason.empty() ? "replaced" : "replaced: " + std::string(reason),
               pb::CERT_REVOKED, id);
    } else {
      prev.set_status(pb::CERT_SUPERSEDED);
      prev.set_status_reason("renewed");
      AddEvent(ctx_, &prev, pb::CERT_EVENT_SUPERSEDED, "renewed", pb::CERT_SUPERSEDED, id);
    }
    prev.set_next_id(id);
    WriteRecord(view_, keys::Cert(prev.id()), prev);
    return Status::Ok();
  }

  Status Suspend(const pb::CertSuspend& m) {
    CIVIC_RETURN_IF_ERROR(CheckReason(m.reason(), true));
    CIVIC_ASSIGN_OR_RETURN(pb::Certificate cert, LoadOwned(*view_, org_, m.id()));
    if (cert.status() == pb::CERT_SUSPENDED) {
      return Status::FailedPrecondition(err::CERT_ALREADY_SUSPENDED, "certificate " + cert.id() + " is already suspended");
    }
    if (cert.status() != pb::CERT_ACTIVE) return StatusError(cert);
    return Transition(&cert, pb::CERT_SUSPENDED, pb::CERT_EVENT_SUSPENDED, m.reason());
  }

  Status Reinstate(const pb::CertReinstate& m) {
    CIVIC_RETURN_IF_ERROR(CheckReason(m.reason(), false));
    CIVIC_ASSIGN_OR_RETURN(pb::Certificate cert, LoadOwned(*view_, org_, m.id()));
    if (cert.status() != pb::CERT_SUSPENDED) {
      return Status::FailedPrecondition(err::CERT_NOT_SUSPENDED, "certificate " + cert.id() +
                                                                  " is not suspended, so it cannot be reinstated");
    }
    return Transition(&cert, pb::CERT_ACTIVE, pb::CERT_EVENT_REINSTATED, m.reason());
  }

  Status Revoke(const pb::CertRevoke& m) {
    CIVIC_RETURN_IF_ERROR(CheckReason(m.reason(), true));
    CIVIC_ASSIGN_OR_RETURN(pb::Certificate cert, LoadOwned(*view_, org_, m.id()));
    if (cert.status() == pb::CERT_REVOKED) {
      return Status::FailedPrecondition(err::CERT_ALREADY_REVOKED, "certificate " + cert.id() + " is already revoked");
    }
    if (cert.status() == pb::CERT_SUPERSEDED) return StatusError(cert);
    return Transition(&cert, pb::CERT_REVOKED, pb::CERT_EVENT_REVOKED, m.reason());
  }

  Status Transition(pb::Certificate* cert, pb::CertStatus status, pb::CertEventKind kind, std::string_view reason) {
    cert->set_status(status);
    cert->set_status_reason(status == pb::CERT_ACTIVE ? "" : std::string(reason));
    AddEvent(ctx_, cert, kind, reason, status, "");
    WriteRecord(view_, keys::Cert(cert->id()), *cert);
    return Status::Ok();
  }

  const ledger::TxContext& ctx_;
  ledger::StateView* view_;
  pb::Org org_;
  std::map<std::string, TypeEntry, std::less<>> types_;
};

}  // namespace

Status CertificateContract::Execute(const ledger::TxContext& ctx, std::string_view call, ledger::StateView* view) {
  CIVIC_ASSIGN_OR_RETURN(pb::CertificateCall m, DecodeCall(call));
  Executor executor(ctx, view);
  return executor.Run(&m);
}

Status CertificateContract::Check(const ledger::TxContext& ctx, std::string_view call,
                                  const ledger::KvReader& state) const {
  CIVIC_ASSIGN_OR_RETURN(pb::CertificateCall m, DecodeCall(call));
  if (m.call_case() == pb::CertificateCall::kRegisterType) {
    if (!ctx.governance) {
      return Status::PermissionDenied(err::GOVERNANCE_REQUIRED,
                                      "registering a certificate type is a governance action: propose it");
    }
    return ValidateCertType(m.register_type().type());
  }
  CIVIC_ASSIGN_OR_RETURN(pb::Org org, SignerOrg(ctx, state));
  switch (m.call_case()) {
    case pb::CertificateCall::kIssue: {
      CIVIC_ASSIGN_OR_RETURN(pb::GovParams params, GetParams(state));
      size_t n = static_cast<size_t>(m.issue().certificates_size());
      if (n == 0) return Status::InvalidArgument(err::EMPTY_BATCH, "the issue call carries no certificate");
      if (n > params.max_batch_certificates()) {
        return Status::InvalidArgument(err::BATCH_TOO_LARGE, "a batch may carry at most " +
                                                              std::to_string(params.max_batch_certificates()) +
                                                              " certificates");
      }
      std::set<std::string_view> checked;
      for (const auto& item : m.issue().certificates()) {
        if (!checked.insert(item.type_code()).second) continue;
        CIVIC_ASSIGN_OR_RETURN(TypeEntry entry, LoadType(state, item.type_code(), org));
        CIVIC_RETURN_IF_ERROR(entry.permission);
      }
      return Status::Ok();
    }
    case pb::CertificateCall::kRenew: return LoadOwned(state, org, m.renew().previous_id()).status();
    case pb::CertificateCall::kReplace: return LoadOwned(state, org, m.replace().previous_id()).status();
    case pb::CertificateCall::kSuspend: return LoadOwned(state, org, m.suspend().id()).status();
    case pb::CertificateCall::kReinstate: return LoadOwned(state, org, m.reinstate().id()).status();
    case pb::CertificateCall::kRevoke: return LoadOwned(state, org, m.revoke().id()).status();
    default: return Status::InvalidArgument(err::EMPTY_CALL, "the certificate call names no operation");
  }
}

}  // namespace civic::contracts
