// The catalogue, grant and parameter calls of the data-sharing contract
// (contracts/sharing/contract.h).
#include <algorithm>

#include "contracts/base/enum_names.h"
#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "contracts/base/state_io.h"
#include "contracts/base/time_format.h"
#include "contracts/sharing/contract.h"
#include "contracts/sharing/keys.h"
#include "contracts/sharing/rules.h"

namespace civic::contracts {

namespace {

namespace sk = sharing_keys;

Result<pb::SharingResource> LoadResource(const ledger::KvReader& state, std::string_view code) {
  CIVIC_RETURN_IF_ERROR(ValidateResourceCode(code));
  auto r = ReadRecord<pb::SharingResource>(state, sk::Resource(code));
  if (!r.ok()) return r.status();
  if (!r->has_value()) {
    return Status::NotFound(err::RESOURCE_NOT_FOUND, "no data resource with code '" + std::string(code) + "'");
  }
  return std::move(**r);
}

Result<pb::SharingGrant> LoadGrant(const ledger::KvReader& state, std::string_view id) {
  CIVIC_RETURN_IF_ERROR(ValidateGrantId(id));
  auto g = ReadRecord<pb::SharingGrant>(state, sk::Grant(id));
  if (!g.ok()) return g.status();
  if (!g->has_value()) return Status::NotFound(err::GRANT_NOT_FOUND, "no grant with id '" + std::string(id) + "'");
  return std::move(**g);
}

Status NotAwaitingApproval(const pb::SharingGrant& g) {
  return Status::FailedPrecondition(err::GRANT_NOT_REQUESTED,
                                    "grant " + g.id() + " is " + EnumName(g.status()) + ", not awaiting approval");
}

}  // namespace

class SharingContract::GrantCall {
 public:
  GrantCall(const ledger::TxContext& ctx, ledger::StateView* view) : ctx_(ctx), view_(view) {}

  Status Run(pb::SharingCall* call) {
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
      case pb::SharingCall::kSetParams:
        return SetParams(call->set_params().params());
      default:
        return Status::InvalidArgument(err::EMPTY_CALL, "the sharing call names no operation");
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
        return Status::InvalidArgument(err::BAD_RESOURCE, "a governance registration names the provider_org");
      }
      CIVIC_ASSIGN_OR_RETURN(pb::Org provider, ActiveOrg(*view_, r->provider_org()));
      CIVIC_RETURN_IF_ERROR(RequireRole(provider, pb::ROLE_DATA_PROVIDER));
    } else {
      CIVIC_RETURN_IF_ERROR(LoadSigner());
      CIVIC_RETURN_IF_ERROR(RequireRole(org_, pb::ROLE_DATA_PROVIDER));
      if (!r->provider_org().empty() && r->provider_org() != org_.code()) {
        return Status::PermissionDenied(
            err::RESOURCE_OF_OTHER_PROVIDER,
            "org " + org_.code() + " registers its own resources only, not those of " + Shown(r->provider_org()));
      }
      r->set_provider_org(org_.code());
    }
    CIVIC_RETURN_IF_ERROR(ValidateResourceCode(r->code()));
    auto bad = [&](std::string why) {
      return Status::InvalidArgument(err::BAD_RESOURCE, "resource " + r->code() + ": " + why);
    };
    if (r->name().empty()) return bad("a name is required");
    CIVIC_RETURN_IF_ERROR(CheckText("the resource name", r->name(), TextRule{kMaxResourceName, err::BAD_TEXT}));
    CIVIC_RETURN_IF_ERROR(
        CheckText("the resource description", r->description(), TextRule{kMaxResourceDescription, nullptr}));
    CIVIC_RETURN_IF_ERROR(NormalizeSharingFields(r->mutable_fields()));
    if (r->share_type() != pb::SHARING_UNCONDITIONAL && r->share_type() != pb::SHARING_CONDITIONAL &&
        r->share_type() != pb::SHARING_NOT_SHARED) {
      return bad("share_type must be unconditional, conditional or not_shared");
    }
    auto existing = ReadRecord<pb::SharingResource>(*view_, sk::Resource(r->code()));
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) {
      if ((*existing)->provider_org() != r->provider_org()) {
        return Status::PermissionDenied(
            err::RESOURCE_OF_OTHER_PROVIDER,
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
    if (existing->has_value()) return Status::AlreadyExists(err::GRANT_EXISTS, "grant " + g->id() + " already exists");
    CIVIC_ASSIGN_OR_RETURN(pb::SharingResource resource, LoadResource(*view_, g->resource()));
    if (resource.share_type() == pb::SHARING_NOT_SHARED) {
      return Status::FailedPrecondition(err::RESOURCE_NOT_SHARED, "resource " + resource.code() + " (" + resource.name() +
                                                                   ") is not shared, so it cannot be granted");
    }
    g->set_provider_org(resource.provider_org());
    if (g->requester_org() == g->provider_org()) {
      return Status::InvalidArgument(err::SELF_ACCESS, "a department needs no grant for its own resource");
    }
    CIVIC_RETURN_IF_ERROR(NormalizeSharingFields(g->mutable_fields()));
    std::string outside = SharingFieldsOutside(g->fields(), resource.fields());
    if (!outside.empty()) {
      return Status::InvalidArgument(err::UNKNOWN_FIELD, "resource " + resource.code() + " has no field(s) " + outside);
    }
    CIVIC_RETURN_IF_ERROR(CheckPurpose(g->purpose()));
    if (g->legal_basis().empty()) {
      return Status::InvalidArgument(err::BAD_GRANT, "grant " + g->id() + ": a legal basis is required");
    }
    CIVIC_RETURN_IF_ERROR(CheckText("the legal basis", g->legal_basis(), kRequiredSharingText));
    if (g->valid_from_ms() < 0) return Status::InvalidArgument(err::BAD_TIME, "valid_from must not be negative");
    if (g->expires_at_ms() <= ctx_.block_time_ms) {
      return Status::InvalidArgument(err::BAD_TIME, "grant " + g->id() + ": expires_at must be after the block time " +
                                                     FormatRfc3339(ctx_.block_time_ms));
    }
    if (g->valid_from_ms() >= g->expires_at_ms()) {
      return Status::InvalidArgument(err::BAD_TIME, "grant " + g->id() + ": valid_from must be before expires_at");
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
          err::BAD_GRANT, "a grant request is filed by its requester; requester_org must be " + org_.code() + " or empty");
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
      return Status::PermissionDenied(err::RESOURCE_OF_OTHER_PROVIDER, "resource " + g->resource() + " is provided by " +
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
      return Status::PermissionDenied(err::NOT_GRANT_PROVIDER, "grant " + g.id() + " is decided by its provider " +
                                                                g.provider_org() + ", not by " + org_.code());
    }
    CIVIC_RETURN_IF_ERROR(RequireRole(org_, pb::ROLE_DATA_PROVIDER));
    return g;
  }

  Status ApproveGrant(pb::SharingApproveGrant* m) {
    CIVIC_ASSIGN_OR_RETURN(pb::SharingGrant g, OwnGrant(m->grant_id()));
    if (g.status() != pb::SHARING_GRANT_REQUESTED) return NotAwaitingApproval(g);
    CIVIC_RETURN_IF_ERROR(CheckText("the note", m->note(), kOptionalSharingText));
    if (!m->fields().empty()) {
      CIVIC_RETURN_IF_ERROR(NormalizeSharingFields(m->mutable_fields()));
      std::string outside = SharingFieldsOutside(m->fields(), g.fields());
      if (!outside.empty()) {
        return Status::InvalidArgument(err::BAD_GRANT,
                                       "approval may only narrow the requested fields; not requested: " + outside);
      }
      *g.mutable_fields() = m->fields();
    }
    if (m->expires_at_ms() != 0) {
      if (m->expires_at_ms() > g.expires_at_ms()) {
        return Status::InvalidArgument(
            err::BAD_TIME, "approval may only shorten the requested expiry " + FormatRfc3339(g.expires_at_ms()));
      }
      g.set_expires_at_ms(m->expires_at_ms());
    }
    // No retroactive authorization: in force from the approval at the earliest.
    g.set_valid_from_ms(std::max(g.valid_from_ms(), ctx_.block_time_ms));
    if (g.expires_at_ms() <= g.valid_from_ms()) {
      return Status::InvalidArgument(err::BAD_TIME, "grant " + g.id() + " would expire at " +
                                                     FormatRfc3339(g.expires_at_ms()) + ", before it comes into force");
    }
    g.set_status(pb::SHARING_GRANT_ACTIVE);
    AddEvent(&g, pb::SHARING_GRANT_EVENT_APPROVED, m->note());
    WriteRecord(view_, sk::Grant(g.id()), g);
    return Status::Ok();
  }

  Status RejectGrant(const pb::SharingRejectGrant& m) {
    CIVIC_ASSIGN_OR_RETURN(pb::SharingGrant g, OwnGrant(m.grant_id()));
    if (g.status() != pb::SHARING_GRANT_REQUESTED) return NotAwaitingApproval(g);
    CIVIC_RETURN_IF_ERROR(CheckText("the reason", m.reason(), kRequiredSharingText));
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
          err::GRANT_NOT_ACTIVE, "grant " + g.id() + " is " + EnumName(g.status()) + ", so it cannot be revoked");
    }
    CIVIC_RETURN_IF_ERROR(CheckText("the reason", m.reason(), kRequiredSharingText));
    g.set_status(pb::SHARING_GRANT_REVOKED);
    g.set_status_reason(m.reason());
    g.set_revoked_time_ms(ctx_.block_time_ms);
    AddEvent(&g, pb::SHARING_GRANT_EVENT_REVOKED, m.reason());
    WriteRecord(view_, sk::Grant(g.id()), g);
    return Status::Ok();
  }

  Status SetParams(const pb::SharingParams& p) {
    if (!ctx_.governance) {
      return Status::PermissionDenied(err::GOVERNANCE_REQUIRED, "sharing parameters are set by governance: propose it");
    }
    CIVIC_RETURN_IF_ERROR(ValidateSharingParams(p));
    WriteRecord(view_, sk::kParams, p);
    return Status::Ok();
  }

  const ledger::TxContext& ctx_;
  ledger::StateView* view_;
  pb::Org org_;  // the signer, once loaded (none for a governance action)
};

Status SharingContract::ExecuteGrantCall(const ledger::TxContext& ctx, pb::SharingCall* call, ledger::StateView* view) {
  return GrantCall(ctx, view).Run(call);
}

}  // namespace civic::contracts
