// sharing_* JSON-RPC methods: the data resource catalogue and grants (public),
// the auditor queries over access records (signed requests of an org holding
// AUDITOR, rpc/request_auth.h), and the subject's own query, answered only for
// the commitment whose opening the caller proves.
//
// The subject query carries the opening (salt, holder code type, holder code) to
// the node: send it only to the node's loopback address or over HTTPS, and
// never log its params. The node derives the subject key and the subject's tag
// under every org of the chain (contracts/sharing/subject_tag.h); the answer
// names only records carrying the tag of their own requester, and nothing about
// other subjects of the same accesses.
//
// Queries read one chain snapshot, so a page and its total agree. Renderings come
// from rpc/codec/sharing.h. Handlers reply synchronously and never throw.

#include "contracts/base/contract_names.h"
#include "contracts/base/errors.h"
#include "contracts/base/time_format.h"
#include "contracts/certificate/rules.h"
#include "contracts/sharing/keys.h"
#include "contracts/sharing/query.h"
#include "contracts/sharing/rules.h"
#include "contracts/sharing/subject_tag.h"
#include "rpc/codec/chain.h"
#include "rpc/codec/sharing.h"
#include "rpc/error_codes.h"
#include "rpc/methods.h"
#include "rpc/request_auth.h"

namespace civic::rpc {
namespace {

using contracts::AccessFilter;

Status InvalidParams(std::string message) { return Status::InvalidArgument(err::INVALID_PARAMS, std::move(message)); }

Status NotReady() { return Status::Unavailable(err::NOT_READY, "the node has no chain to answer from yet"); }

using Names = std::vector<std::string_view>;

// The params as an object whose members are all among `allowed`.
Result<const json::object*> ObjectParams(const json::value& params, const Names& allowed) {
  static const json::object kEmpty;
  if (params.is_null()) return &kEmpty;
  const json::object* o = params.if_object();
  if (o == nullptr) return InvalidParams("params must be an object");
  for (const auto& kv : *o) {
    bool known = false;
    for (auto a : allowed) known = known || kv.key() == a;
    if (!known) {
      std::string names;
      for (auto a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
      return InvalidParams("unknown parameter \"" + std::string(kv.key()).substr(0, 64) + "\"; known: " + names);
    }
  }
  return o;
}

Result<std::string> Str(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string()) return InvalidParams("parameter \"" + std::string(name) + "\" must be a string");
  return std::string(v->get_string());
}

Result<std::optional<int64_t>> Time(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) return std::optional<int64_t>();
  if (v->is_string()) {
    CIVIC_ASSIGN_OR_RETURN(int64_t ms, contracts::ParseTime(v->get_string()));
    return std::optional<int64_t>(ms);
  }
  json::value wrapped = json::object{{std::string(name), *v}};
  CIVIC_ASSIGN_OR_RETURN(int64_t ms, IntParam(wrapped, name, 0));
  return std::optional<int64_t>(ms);
}

Result<int64_t> Limit(const json::object& o) {
  json::value wrapped = o;
  CIVIC_ASSIGN_OR_RETURN(int64_t limit, IntParam(wrapped, "limit", 0, false, 100));
  if (limit < 1 || limit > static_cast<int64_t>(contracts::kMaxAccessPageSize)) {
    return Status::InvalidArgument(err::BAD_LIMIT, "limit must be 1.." + std::to_string(contracts::kMaxAccessPageSize));
  }
  return limit;
}

Result<bool> Flag(const json::object& o, std::string_view name, bool def) {
  json::value wrapped = o;
  return BoolParam(wrapped, name, 0, false, def);
}

Result<Bytes> Cursor(const json::object& o) {
  CIVIC_ASSIGN_OR_RETURN(std::string hex, Str(o, "cursor"));
  if (hex.empty()) return Bytes();
  auto raw = FromHex(hex);
  if (!raw || raw->size() != contracts::sharing_keys::kTimeKeySize) {
    return Status::InvalidArgument(err::BAD_CURSOR,
                                   "cursor must be a next_cursor from an earlier page (48 hex characters)");
  }
  return *raw;
}

// The filters shared by sharing_query, sharing_violations and sharing_stats.
Result<AccessFilter> Filter(const json::object& o, const ledger::KvReader& state) {
  AccessFilter f;
  CIVIC_ASSIGN_OR_RETURN(f.org, Str(o, "org"));
  CIVIC_ASSIGN_OR_RETURN(std::string side, Str(o, "org_role"));
  CIVIC_ASSIGN_OR_RETURN(f.side, contracts::ParseAccessSide(side));
  if (f.org.empty() && f.side != contracts::AccessSide::kEither) {
    return InvalidParams("org_role needs an org");
  }
  CIVIC_ASSIGN_OR_RETURN(f.resource, Str(o, "resource"));
  if (o.contains("purpose") && !o.at("purpose").is_null()) {
    CIVIC_ASSIGN_OR_RETURN(std::string purpose, Str(o, "purpose"));
    f.purpose = std::move(purpose);
  }
  CIVIC_ASSIGN_OR_RETURN(std::string verdict, Str(o, "verdict"));
  if (!verdict.empty()) {
    CIVIC_ASSIGN_OR_RETURN(f.verdict, contracts::ParseVerdict(verdict));
  }
  CIVIC_ASSIGN_OR_RETURN(std::string reason, Str(o, "reason"));
  if (!reason.empty()) {
    CIVIC_ASSIGN_OR_RETURN(f.reason, contracts::ParseReason(reason));
  }
  CIVIC_ASSIGN_OR_RETURN(f.from_ms, Time(o, "from_ms"));
  CIVIC_ASSIGN_OR_RETURN(f.to_ms, Time(o, "to_ms"));
  CIVIC_ASSIGN_OR_RETURN(std::string tag, Str(o, "subject_tag"));
  if (!tag.empty()) {
    auto raw = FromHex(tag);
    if (!raw || raw->size() != 32) {
      return Status::InvalidArgument(err::BAD_SUBJECT_COMMITMENT, "subject_tag must be 64 hex characters");
    }
    f.subject_tags.push_back(contracts::SubjectTagMatch{std::move(*raw), ""});
  }
  CIVIC_ASSIGN_OR_RETURN(std::string key, Str(o, "subject_key"));
  if (!key.empty()) {
    auto raw = FromHex(key);
    if (!raw || raw->size() != 32) {
      return Status::InvalidArgument(err::BAD_SUBJECT_COMMITMENT, "subject_key must be 64 hex characters");
    }
    if (!f.subject_tags.empty()) return InvalidParams("give subject_tag or subject_key, not both");
    CIVIC_ASSIGN_OR_RETURN(f.subject_tags, contracts::SubjectTagsOfEveryOrg(state, *raw));
  }
  CIVIC_RETURN_IF_ERROR(contracts::ValidateAccessFilter(f));
  return f;
}

// Checks the signed envelope; the method's own parameters on success.
Result<AuthenticatedRequest> Authenticate(const CallContext& ctx, std::string_view method, const json::value& params,
                                          const ledger::KvReader& state) {
  return SharedRequestAuthenticator().Authenticate(ctx.node->chain().options().chain_id, method, params, state);
}

json::value PageJson(const ledger::KvReader& state, const contracts::AccessPage& page, bool with_subjects) {
  auto names = contracts::ResourceNames(state, page.records);
  json::array records;
  for (const auto& r : page.records) {
    std::string name;
    if (names.ok()) {
      auto it = names->find(r.resource());
      if (it != names->end()) name = it->second;
    }
    records.push_back(AccessRecordToJson(r, name, with_subjects));
  }
  json::object out;
  out["records"] = std::move(records);
  out["next_cursor"] = ToHex(page.next_cursor);
  out["total"] = page.total;
  return out;
}

// A record may name up to max_subjects_per_record subjects: pages that list them are smaller.
constexpr int64_t kMaxPageWithSubjects = 100;

const Names kQueryParams = {"org",   "org_role",    "resource",    "purpose", "verdict", "reason", "from_ms",
                            "to_ms", "subject_tag", "subject_key", "cursor",  "limit",   "count",  "subjects"};

void Query(const CallContext& ctx, std::string_view method, const json::value& params, Reply reply,
           bool violations_only) {
  if (ctx.node == nullptr) return reply(NotReady());
  auto snapshot = ctx.node->chain().Snapshot();
  auto auth = Authenticate(ctx, method, params, *snapshot);
  if (!auth.ok()) return reply(auth.status());
  auto o = ObjectParams(auth->params, kQueryParams);
  if (!o.ok()) return reply(o.status());
  auto filter = Filter(**o, *snapshot);
  if (!filter.ok()) return reply(filter.status());
  if (violations_only) {
    if (filter->verdict && *filter->verdict != pb::SHARING_VIOLATION) {
      return reply(InvalidParams("sharing_violations lists violations only; drop \"verdict\""));
    }
    filter->verdict = pb::SHARING_VIOLATION;
  }
  auto cursor = Cursor(**o);
  if (!cursor.ok()) return reply(cursor.status());
  auto limit = Limit(**o);
  if (!limit.ok()) return reply(limit.status());
  auto count = Flag(**o, "count", true);
  if (!count.ok()) return reply(count.status());
  auto subjects = Flag(**o, "subjects", false);
  if (!subjects.ok()) return reply(subjects.status());
  if (*subjects && *limit > kMaxPageWithSubjects) {
    return reply(Status::InvalidArgument(
        err::BAD_LIMIT, "with \"subjects\": true, limit must be 1.." + std::to_string(kMaxPageWithSubjects)));
  }
  auto page = contracts::QueryAccesses(*snapshot, *filter, *cursor, static_cast<size_t>(*limit), *count);
  if (!page.ok()) return reply(page.status());
  reply(PageJson(*snapshot, *page, *subjects));
}

// sharing_query {request, auth}  (signed; the org must hold AUDITOR)
void SharingQuery(const CallContext& ctx, const json::value& params, Reply reply) {
  Query(ctx, "sharing_query", params, std::move(reply), /*violations_only=*/false);
}

// sharing_violations {request, auth}  (signed; the org must hold AUDITOR)
void SharingViolations(const CallContext& ctx, const json::value& params, Reply reply) {
  Query(ctx, "sharing_violations", params, std::move(reply), /*violations_only=*/true);
}

// sharing_stats {request, auth}  (signed; the org must hold AUDITOR)
void SharingStats(const CallContext& ctx, const json::value& params, Reply reply) {
  if (ctx.node == nullptr) return reply(NotReady());
  auto snapshot = ctx.node->chain().Snapshot();
  auto auth = Authenticate(ctx, "sharing_stats", params, *snapshot);
  if (!auth.ok()) return reply(auth.status());
  auto o = ObjectParams(auth->params, {"org", "org_role", "resource", "purpose", "verdict", "reason", "from_ms",
                                       "to_ms", "subject_tag", "subject_key"});
  if (!o.ok()) return reply(o.status());
  auto filter = Filter(**o, *snapshot);
  if (!filter.ok()) return reply(filter.status());
  auto stats = contracts::ComputeStats(*snapshot, *filter);
  if (!stats.ok()) return reply(stats.status());
  reply(json::value(StatsToJson(*stats)));
}

// sharing_catalogue {provider?, code?}
void SharingCatalogue(const CallContext& ctx, const json::value& params, Reply reply) {
  if (ctx.node == nullptr) return reply(NotReady());
  auto o = ObjectParams(params, {"provider", "code"});
  if (!o.ok()) return reply(o.status());
  auto provider = Str(**o, "provider");
  if (!provider.ok()) return reply(provider.status());
  auto code = Str(**o, "code");
  if (!code.ok()) return reply(code.status());
  auto list = contracts::ListResources(ctx.node->chain().state(), *provider, *code);
  if (!list.ok()) return reply(list.status());
  json::array resources;
  for (const auto& r : *list) resources.push_back(ResourceToJson(r));
  reply(json::value(json::object{{"resources", std::move(resources)}}));
}

// sharing_grants {id?, requester?, provider?, resource?, status?}
void SharingGrants(const CallContext& ctx, const json::value& params, Reply reply) {
  if (ctx.node == nullptr) return reply(NotReady());
  auto o = ObjectParams(params, {"id", "requester", "provider", "resource", "status"});
  if (!o.ok()) return reply(o.status());
  contracts::GrantFilter f;
  for (auto [name, target] : {std::pair{"id", &f.id}, std::pair{"requester", &f.requester},
                              std::pair{"provider", &f.provider}, std::pair{"resource", &f.resource}}) {
    auto v = Str(**o, name);
    if (!v.ok()) return reply(v.status());
    *target = std::move(*v);
  }
  auto status = Str(**o, "status");
  if (!status.ok()) return reply(status.status());
  if (!status->empty()) {
    auto parsed = contracts::ParseGrantStatus(*status);
    if (!parsed.ok()) return reply(parsed.status());
    f.status = *parsed;
  }
  auto list = contracts::ListGrants(ctx.node->chain().state(), f);
  if (!list.ok()) return reply(list.status());
  json::array grants;
  for (const auto& g : *list) grants.push_back(GrantToJson(g));
  reply(json::value(json::object{{"grants", std::move(grants)}}));
}

// sharing_mySubjectAccesses {salt, code_type, code, cursor?, limit?}
void SharingMySubjectAccesses(const CallContext& ctx, const json::value& params, Reply reply) {
  if (ctx.node == nullptr) return reply(NotReady());
  auto o = ObjectParams(params, {"salt", "code_type", "code", "cursor", "limit"});
  if (!o.ok()) return reply(o.status());
  auto salt = Str(**o, "salt");
  if (!salt.ok()) return reply(salt.status());
  auto code_type = Str(**o, "code_type");
  if (!code_type.ok()) return reply(code_type.status());
  auto code = Str(**o, "code");
  if (!code.ok()) return reply(code.status());
  if (salt->empty() || code_type->empty() || code->empty()) {
    return reply(InvalidParams("salt, code_type and code are required (the opening of the subject commitment)"));
  }
  Status valid = contracts::ValidateHolderCode(*code_type, *code);
  if (!valid.ok()) return reply(valid);
  auto cursor = Cursor(**o);
  if (!cursor.ok()) return reply(cursor.status());
  auto limit = Limit(**o);
  if (!limit.ok()) return reply(limit.status());
  auto snapshot = ctx.node->chain().Snapshot();
  AccessFilter filter;
  auto tags = contracts::SubjectTagsOfEveryOrg(*snapshot, contracts::SubjectKey(*salt, *code_type, *code));
  if (!tags.ok()) return reply(tags.status());
  filter.subject_tags = std::move(*tags);
  contracts::AccessPage none;  // no org, no tag: an empty filter would match every record
  auto page = filter.subject_tags.empty()
                  ? Result<contracts::AccessPage>(std::move(none))
                  : contracts::QueryAccesses(*snapshot, filter, *cursor, static_cast<size_t>(*limit), true);
  if (!page.ok()) return reply(page.status());
  auto names = contracts::ResourceNames(*snapshot, page->records);
  json::array records;
  for (const auto& r : page->records) {
    std::string name;
    if (names.ok() && names->count(r.resource())) name = names->at(r.resource());
    records.push_back(SubjectAccessToJson(r, name));
  }
  json::object out;
  out["orgs_searched"] = filter.subject_tags.size();
  out["records"] = std::move(records);
  out["next_cursor"] = ToHex(page->next_cursor);
  out["total"] = page->total;
  reply(json::value(std::move(out)));
}

}  // namespace

void RegisterSharingMethods(MethodTable* table) {
  table->Add("sharing_catalogue", SharingCatalogue);
  table->Add("sharing_grants", SharingGrants);
  table->Add("sharing_query", SharingQuery);
  table->Add("sharing_violations", SharingViolations);
  table->Add("sharing_stats", SharingStats);
  table->Add("sharing_mySubjectAccesses", SharingMySubjectAccesses);
  table->AddCallDecoder(std::string(contracts::kSharingContract),
                        ProtoCallDecoder(pb::SharingCall::default_instance()));
}

}  // namespace civic::rpc
