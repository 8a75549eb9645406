// sharing_* JSON-RPC methods: the data resource catalogue and grants (public),
// the auditor queries over access records (signed requests of an org holding
// AUDITOR, rpc/request_auth.h), and the subject's own query, answered only for
// the commitment whose opening the caller proves.
//
// The subject query carries the opening (salt, holder code type, holder code) to
// the node: send it only to the node's loopback address or over HTTPS, and
// never log its params. The answer names only records of that commitment and
// nothing about other subjects of the same accesses.
//
// Queries read one chain snapshot, so a page and its total agree. Renderings come
// from rpc/codec/sharing.h. Handlers reply synchronously and never throw.
#include <google/protobuf/util/json_util.h>

#include "contracts/base/contract_names.h"
#include "contracts/base/time_format.h"
#include "contracts/certificate/holder.h"
#include "contracts/sharing/keys.h"
#include "contracts/sharing/query.h"
#include "contracts/sharing/rules.h"
#include "rpc/codec/sharing.h"
#include "rpc/methods.h"
#include "rpc/request_auth.h"

namespace civic::rpc {
namespace {

using contracts::AccessFilter;

Status InvalidParams(std::string message) { return Status::InvalidArgument("INVALID_PARAMS", std::move(message)); }

Status NotReady() { return Status::Unavailable("NOT_READY", "the node has no chain to answer from yet"); }

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
    return Status::InvalidArgument("BAD_LIMIT", "limit must be 1.." + std::to_string(contracts::kMaxAccessPageSize));
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
    return Status::InvalidArgument("BAD_CURSOR",
                                   "cursor must be a next_cursor from an earlier page (48 hex characters)");
  }
  return *raw;
}

// The filters shared by sharing_query, sharing_violations and sharing_stats.
Result<AccessFilter> Filter(const json::object& o) {
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
  CIVIC_ASSIGN_OR_RETURN(std::string subject, Str(o, "subject_commitment"));
  if (!subject.empty()) {
    auto raw = FromHex(subject);
    if (!raw || raw->size() != 32) {
      return Status::InvalidArgument("BAD_SUBJECT_COMMITMENT", "subject_commitment must be 64 hex characters");
    }
    f.subject = std::move(*raw);
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

const Names kQueryParams = {"org",   "org_role",           "resource", "purpose", "verdict", "reason",  "from_ms",
                            "to_ms", "subject_commitment", "cursor",   "limit",   "count",   "subjects"};

void Query(const CallContext& ctx, std::string_view method, const json::value& params, Reply reply,
           bool violations_only) {
  if (ctx.node == nullptr) return reply(NotReady());
  auto snapshot = ctx.node->chain().Snapshot();
  auto auth = Authenticate(ctx, method, params, *snapshot);
  if (!auth.ok()) return reply(auth.status());
  auto o = ObjectParams(auth->params, kQueryParams);
  if (!o.ok()) return reply(o.status());
  auto filter = Filter(**o);
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
        "BAD_LIMIT", "with \"subjects\": true, limit must be 1.." + std::to_string(kMaxPageWithSubjects)));
  }
  auto page = contracts::QueryAccesses(*snapshot, *filter, *cursor, static_cast<size_t>(*limit), *count);
  if (!page.ok()) return reply(page.status());
  reply(PageJson(*snapshot, *page, *subjects));
}

// sharing_query {request, auth}  (signed; the org must hold AUDITOR)
// Access records matching every filter given in `request`: org (USCC) with
// org_role "requester" | "provider" (default either side), resource, purpose,
// verdict ("authorized" | "violation"), reason (a violation reason code),
// from_ms / to_ms (block time, inclusive; ms or RFC 3339), subject_commitment
// (64 hex: who read data about this person or enterprise); cursor (next_cursor
// of the previous page), limit (1..1000, default 100), count (default true:
// compute total), subjects (default false: list the subject commitments; then
// limit is at most 100).
// Oldest first; pages neither skip nor repeat records while blocks arrive.
// Errors: AUTH_REQUIRED, AUTH_BAD_SIGNATURE, AUTH_STALE_TIMESTAMP,
// AUTH_REPLAYED_NONCE, AUTH_NOT_AUDITOR, AUTH_UNKNOWN_KEY, INVALID_PARAMS,
// BAD_CURSOR, BAD_LIMIT, BAD_USCC, BAD_ORG_ROLE, BAD_VERDICT, BAD_REASON,
// BAD_SUBJECT_COMMITMENT, BAD_TIME, BAD_TIME_RANGE.
// Example (signed by the sample auditor at 2026-01-01T00:00:00Z; docs/RPC.md has
// the answer in full):
// --> {"jsonrpc":"2.0","id":72,"method":"sharing_query","params":{
//      "request":"{\"org\":\"11510700008207313A\",\"org_role\":\"provider\",\"limit\":1}",
//      "auth":{"org":"11510700MB160296X2",
//        "key":"ed25519:6e7a1cdd29b0b78fd13af4c5598feff4ef2a97166e3ca6f2e4fbfccd80505bf1",
//        "timestamp_ms":1767225600000,"nonce":"3f1e9a0c5b7d2e4f6a8c0b1d3e5f7a9c",
//        "sig":"ed1b97a338b69e70b524a2cbe77cf5fa854112ea319aa4fee51de6049fd6bcd8
//               70716a17edad6f65ec317fe6c986d4578c5c1cfadd3a9cae1990e2fe1a0de009"}}}
// <-- {"jsonrpc":"2.0","id":72,"result":{"records":[
//      {"cursor":"800001941f2987b800000000000000030000000000000000","request_id":"hrss-2025-000001",
//       "requester":"11510700008207428G","provider":"11510700008207313A","resource":"psb.population",
//       "resource_name":"人口基础信息","grant":"G-2025-0001","purpose":"社保待遇资格认证",
//       "fields":["id_number","name"],"subject_count":1,"record_count":1,"response_digest":"169b662c...",
//       "accessed_at_ms":1735689603000,"accessed_at":"2025-01-01T00:00:03Z",
//       "time_ms":1735689603000,"time":"2025-01-01T00:00:03Z","height":3,"tx_id":"c57ce655...",
//       "verdict":"authorized","violation_reason":"","findings":[],
//       "ack":{"status":"acknowledged","deadline_ms":1735776003000,"deadline":"2025-01-02T00:00:03Z",
//              "provider_digest":"169b662c...","time_ms":1735689604000,"time":"2025-01-01T00:00:04Z",
//              "height":4,"tx_id":"a7af02f9..."}}],
//      "next_cursor":"800001941f2987b800000000000000030000000000000000","total":2}}
// Unsigned:
// --> {"jsonrpc":"2.0","id":73,"method":"sharing_query","params":{"org":"11510700008207313A"}}
// <-- {"jsonrpc":"2.0","id":73,"error":{"code":-32004,"message":"this method answers signed requests only ...",
//      "data":{"app_code":"AUTH_REQUIRED","code_name":"PERMISSION_DENIED"}}}
void SharingQuery(const CallContext& ctx, const json::value& params, Reply reply) {
  Query(ctx, "sharing_query", params, std::move(reply), /*violations_only=*/false);
}

// sharing_violations {request, auth}  (signed; the org must hold AUDITOR)
// As sharing_query with verdict "violation"; `reason` narrows to one rule.
// Errors: as sharing_query.
// Example:
// --> {"jsonrpc":"2.0","id":74,"method":"sharing_violations","params":{
//      "request":"{\"resource\":\"psb.population\"}",
//      "auth":{"org":"11510700MB160296X2",
//        "key":"ed25519:6e7a1cdd29b0b78fd13af4c5598feff4ef2a97166e3ca6f2e4fbfccd80505bf1",
//        "timestamp_ms":1767225600000,"nonce":"9b8a7c6d5e4f30211203f4e5d6c7b8a9",
//        "sig":"4595ec2029d78c5617a0cae0e10b564c07a273033491a3a143e6a18ec632a409
//               09e4962dec59ecc75b0a2b5c49ffabac47234cbb91737d726d40c01f2f1c0006"}}}
// <-- {"jsonrpc":"2.0","id":74,"result":{"records":[
//      {"cursor":"800001941f2987b800000000000000030000000000000001","request_id":"hrss-2025-000002",
//       ...as in sharing_query...,"fields":["address","name"],"verdict":"violation",
//       "violation_reason":"FIELDS_BEYOND_GRANT",
//       "findings":[{"reason":"FIELDS_BEYOND_GRANT","detail":"not granted: address"},
//                   {"reason":"DIGEST_MISMATCH",
//                    "detail":"the provider's digest 1958c62ec8e49e04... differs from the requester's 6dc610ef0e021165..."}],
//       "ack":{"status":"acknowledged",...}}],"next_cursor":"","total":1}}
void SharingViolations(const CallContext& ctx, const json::value& params, Reply reply) {
  Query(ctx, "sharing_violations", params, std::move(reply), /*violations_only=*/true);
}

// sharing_stats {request, auth}  (signed; the org must hold AUDITOR)
// Accesses and violations per day (China Standard Time), per org (as requester
// and as provider) and per resource, within from_ms..to_ms, optionally for one
// org (and org_role) and/or one resource: from write-time counters. With purpose,
// verdict, reason or subject_commitment they are counted from the matching
// records (STATS_TOO_BROAD beyond 200000).
// Errors: as sharing_query, and STATS_TOO_BROAD.
// Example:
// --> {"jsonrpc":"2.0","id":75,"method":"sharing_stats","params":{
//      "request":"{\"from_ms\":1735660800000,\"to_ms\":1735747199999}",
//      "auth":{"org":"11510700MB160296X2",
//        "key":"ed25519:6e7a1cdd29b0b78fd13af4c5598feff4ef2a97166e3ca6f2e4fbfccd80505bf1",
//        "timestamp_ms":1767225600000,"nonce":"0a1b2c3d4e5f60718293a4b5c6d7e8f9",
//        "sig":"c74556d01e6a0c4fb08131debf98eeae25c744c67db842f1e52699052de39da3
//               205cfdb6a409edabddce61ae5a468a79a344d1bd78b987a021d11277a0f0120f"}}}
// <-- {"jsonrpc":"2.0","id":75,"result":{"from_day":"2025-01-01","to_day":"2025-01-01","source":"counters",
//      "days":[{"day":"2025-01-01","total":3,"violations":1,"record_count":3}],
//      "by_org":[{"org":"11510700008207313A","as_requester":0,"as_provider":2,"violations":1},
//                {"org":"11510700008207428G","as_requester":3,"as_provider":0,"violations":1},
//                {"org":"11510700MB1537205J","as_requester":0,"as_provider":1,"violations":0}],
//      "by_resource":[{"resource":"amr.business","resource_name":"企业登记信息","total":1,"violations":0,"record_count":1},
//                     {"resource":"psb.population","resource_name":"人口基础信息","total":2,"violations":1,"record_count":2}]}}
// Signed by the public security bureau (not an auditor):
// <-- {"jsonrpc":"2.0","id":76,"error":{"code":-32004,
//      "message":"org 11510700008207313A (绵阳市公安局) does not hold the AUDITOR role",
//      "data":{"app_code":"AUTH_NOT_AUDITOR","code_name":"PERMISSION_DENIED"}}}
void SharingStats(const CallContext& ctx, const json::value& params, Reply reply) {
  if (ctx.node == nullptr) return reply(NotReady());
  auto snapshot = ctx.node->chain().Snapshot();
  auto auth = Authenticate(ctx, "sharing_stats", params, *snapshot);
  if (!auth.ok()) return reply(auth.status());
  auto o = ObjectParams(auth->params, {"org", "org_role", "resource", "purpose", "verdict", "reason", "from_ms",
                                       "to_ms", "subject_commitment"});
  if (!o.ok()) return reply(o.status());
  auto filter = Filter(**o);
  if (!filter.ok()) return reply(filter.status());
  auto stats = contracts::ComputeStats(*snapshot, *filter);
  if (!stats.ok()) return reply(stats.status());
  reply(json::value(StatsToJson(*stats)));
}

// sharing_catalogue {provider?, code?}
// The data resource catalogue (public): code, provider, name, fields, share type.
// Errors: INVALID_PARAMS, BAD_RESOURCE_CODE.
// Example:
// --> {"jsonrpc":"2.0","id":70,"method":"sharing_catalogue","params":{"provider":"11510700008207313A"}}
// <-- {"jsonrpc":"2.0","id":70,"result":{"resources":[
//      {"code":"psb.population","provider":"11510700008207313A","name":"人口基础信息",
//       "fields":["address","birth_date","id_number","name","sex"],"share_type":"conditional",
//       "description":"","registered_height":1,"updated_height":1,
//       "updated_at_ms":1735689601000,"updated_at":"2025-01-01T00:00:01Z"}]}}
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
// Grants (public) with their fields, purpose, legal basis, validity, status and
// history; every given filter must match. status: requested | active | rejected | revoked.
// Errors: INVALID_PARAMS, BAD_GRANT_ID, BAD_GRANT_STATUS.
// Example:
// --> {"jsonrpc":"2.0","id":71,"method":"sharing_grants","params":{"requester":"11510700008207428G"}}
// <-- {"jsonrpc":"2.0","id":71,"result":{"grants":[
//      {"id":"G-2025-0001","requester":"11510700008207428G","provider":"11510700008207313A",
//       "resource":"psb.population","fields":["id_number","name"],"purpose":"社保待遇资格认证",
//       "legal_basis":"《社会保险法》第七十四条",
//       "valid_from_ms":1735689602000,"valid_from":"2025-01-01T00:00:02Z",
//       "expires_at_ms":1767225600000,"expires_at":"2026-01-01T00:00:00Z",
//       "status":"active","status_reason":"","revoked_at_ms":0,"revoked_at":"",
//       "events":[{"kind":"issued","time_ms":1735689602000,"time":"2025-01-01T00:00:02Z","height":2,
//                  "tx_id":"4aef9f61b6e4b6e423c31db9ece46e07d82db2a1a91e681d186a11933c346341",
//                  "org":"11510700008207313A","note":""}]}]}}
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
// Which accesses touched the caller's own data: the caller proves the opening of
// its subject commitment (the salt and holder code its certificate wallet holds;
// commitment = HolderCommitment(salt, code_type, code) as for certificates), and
// gets only the records naming that commitment, without other subjects, counts
// or digests. No signature needed: knowing the opening is the proof. Send it to
// the node's loopback address or over HTTPS only.
// Errors: INVALID_PARAMS, HOLDER_CODE_TYPE_UNKNOWN, BAD_CITIZEN_ID, BAD_USCC,
// BAD_CURSOR, BAD_LIMIT.
// Example (the holder of the sample resident ID card):
// --> {"jsonrpc":"2.0","id":77,"method":"sharing_mySubjectAccesses",
//      "params":{"salt":"hS2fWq8sLr0xBv5nKc3pYa","code_type":"citizen_id","code":"11010519491231002X"}}
// <-- {"jsonrpc":"2.0","id":77,"result":{
//      "subject_commitment":"09624fb601d45a694fdc7eb6e5b2b3015b4eb5e7b7ca17fddc81d1c6fc6ff88e",
//      "records":[{"cursor":"800001941f2987b800000000000000030000000000000000",
//                  "requester":"11510700008207428G","provider":"11510700008207313A",
//                  "resource":"psb.population","resource_name":"人口基础信息","purpose":"社保待遇资格认证",
//                  "fields":["id_number","name"],"accessed_at_ms":1735689603000,"accessed_at":"2025-01-01T00:00:03Z",
//                  "time_ms":1735689603000,"time":"2025-01-01T00:00:03Z","verdict":"authorized",
//                  "violation_reason":""},
//                 {...,"fields":["address","name"],"verdict":"violation","violation_reason":"FIELDS_BEYOND_GRANT"}],
//      "next_cursor":"","total":2}}
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
  AccessFilter filter;
  filter.subject = contracts::HolderCommitment(*salt, *code_type, *code);
  auto snapshot = ctx.node->chain().Snapshot();
  auto page = contracts::QueryAccesses(*snapshot, filter, *cursor, static_cast<size_t>(*limit), true);
  if (!page.ok()) return reply(page.status());
  auto names = contracts::ResourceNames(*snapshot, page->records);
  json::array records;
  for (const auto& r : page->records) {
    std::string name;
    if (names.ok() && names->count(r.resource())) name = names->at(r.resource());
    records.push_back(SubjectAccessToJson(r, name));
  }
  json::object out;
  out["subject_commitment"] = ToHex(filter.subject);
  out["records"] = std::move(records);
  out["next_cursor"] = ToHex(page->next_cursor);
  out["total"] = page->total;
  reply(json::value(std::move(out)));
}

// The sharing contract's calls, for chain_getTx. Bytes are base64.
Result<json::value> DecodeSharingCall(std::string_view call) {
  pb::SharingCall m;
  if (!m.ParseFromArray(call.data(), static_cast<int>(call.size()))) {
    return Status::InvalidArgument("CALL_MALFORMED", "the sharing call does not decode");
  }
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(m, &text, options).ok()) {
    return Status::Internal("sharing call could not be rendered as JSON");
  }
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return Status::Internal("sharing call JSON does not parse");
  return v;
}

}  // namespace

void RegisterSharingMethods(MethodTable* table) {
  table->Add("sharing_catalogue", "The data resource catalogue.", SharingCatalogue);
  table->Add("sharing_grants", "Data-sharing grants, by id, requester, provider, resource or status.", SharingGrants);
  table->Add("sharing_query", "Access records by org, resource, purpose, verdict, time or subject (auditors, signed).",
             SharingQuery);
  table->Add("sharing_violations", "Access records judged violations (auditors, signed).", SharingViolations);
  table->Add("sharing_stats", "Accesses and violations per day, org and resource (auditors, signed).", SharingStats);
  table->Add("sharing_mySubjectAccesses", "Accesses to the caller's own data, proven by the commitment's opening.",
             SharingMySubjectAccesses);
  table->AddCallDecoder(std::string(contracts::kSharingContract), DecodeSharingCall);
}

}  // namespace civic::rpc
