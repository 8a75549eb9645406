// credit_* JSON-RPC methods: credit red/black list queries over the node's
// committed state. Each call reads one snapshot, so the state and the tip's block
// time (the "now" that decides expiry) agree. Renderings come from
// rpc/codec/credit.h so that REST (GET /v1/credit/{uscc}) and JSON-RPC answer
// alike. Answers are the public view (see contracts/credit/query.h): requests
// carry no caller identity. Handlers reply synchronously and never throw.
#include <google/protobuf/util/json_util.h>

#include "contracts/base/contract_names.h"
#include "contracts/credit/query.h"
#include "contracts/credit/rules.h"
#include "rpc/codec/credit.h"
#include "rpc/methods.h"

namespace civic::rpc {
namespace {

Status InvalidParams(std::string message) { return Status::InvalidArgument("INVALID_PARAMS", std::move(message)); }

Result<pb::CreditSubject> SubjectParam(const json::value& params) {
  CIVIC_ASSIGN_OR_RETURN(std::string text, StringParam(params, "subject", 0));
  return contracts::ParseCreditSubject(text);
}

// credit_report {subject}
// The subject's credit status now and the history a public caller may see:
// current_list ("black" wins over "red"; "none"), every entry newest first
// (published entries in full; repaired, expired and withdrawn ones as the fact
// only), approved repairs, the joint measures that apply now for any matter, and
// the subject's credit commitments. subject: an 18-character USCC, or the 64 hex
// characters of a person's commitment. An unknown subject has an empty report.
// Errors: BAD_SUBJECT, BAD_USCC, INVALID_PARAMS.
// Example (entries, measures and commitments shortened):
// --> {"jsonrpc":"2.0","id":21,"method":"credit_report","params":{"subject":"91510703MA6ATB0F16"}}
// <-- {"jsonrpc":"2.0","id":21,"result":{
//      "subject":{"type":"enterprise","uscc":"91510703MA6ATB0F16","name":"绵阳市涪城区示例食品有限公司"},
//      "at_ms":1735689608000,"at":"2025-01-01T00:00:08Z",
//      "current_list":"black","on_black_list":true,"on_red_list":false,"entries_total":1,
//      "entries":[{"id":1,
//        "subject":{"type":"enterprise","uscc":"91510703MA6ATB0F16","name":"绵阳市涪城区示例食品有限公司"},
//        "list":"black","category":"FOOD_DRUG","category_name":"食品药品安全严重失信主体",
//        "deciding_org":"11510700MB1537205J","listed_at_ms":1735689604000,"listed_at":"2025-01-01T00:00:04Z",
//        "listed_tx_id":"c804f740d49a...","height":4,"state":"listed","published":true,"severity":"serious",
//        "reason":"生产经营不符合食品安全标准的食品，情节严重",
//        "legal_basis":"《中华人民共和国食品安全法》第一百二十三条","decision_doc_no":"绵市监罚〔2025〕12号",
//        "decision_doc_digest":"84689461a77d...","decided_at_ms":1735689604000,"decided_at":"2025-01-01T00:00:04Z",
//        "publicity_end_ms":1830297604000,"publicity_end":"2028-01-01T00:00:04Z",
//        "earliest_repair_ms":1767225604000,"earliest_repair":"2026-01-01T00:00:04Z","repairable":true,
//        "basis_commitment_id":1}],
//      "repairs":[],
//      "measures":[{"category":"FOOD_DRUG","code":"licensing_review","org":"11510700MB1537205J",
//        "matter":"administrative_licensing","description":"从严审核行政许可申请，列为重点监管对象",
//        "registered_height":1,"list":"black","entries":[1]},...],
//      "commitments":[{"id":1,...,"state":"broken",...}]}}
void CreditReport(const CallContext& ctx, const json::value& params, Reply reply) {
  auto subject = SubjectParam(params);
  if (!subject.ok()) return reply(subject.status());
  auto snapshot = ctx.node->chain().Snapshot();
  auto report = contracts::BuildCreditReport(*snapshot, *subject, snapshot->tip().time_ms);
  if (!report.ok()) return reply(report.status());
  reply(json::value(CreditReportToJson(*report, contracts::CreditView::kPublic)));
}

// credit_list {list, category?, cursor?, limit?}
// The published entries of the red or black list, optionally of one category,
// in (category, id) order, `limit` (1..1000, default 100) at a time; pass
// next_cursor back as cursor (null: no more). Entries whose publicity period has
// ended are not published, whether or not a block has recorded the expiry yet.
// Errors: BAD_LIST, BAD_CATEGORY_CODE, UNKNOWN_CATEGORY, BAD_CURSOR, BAD_LIMIT, INVALID_PARAMS.
// Example:
// --> {"jsonrpc":"2.0","id":22,"method":"credit_list","params":{"list":"red","limit":10}}
// <-- {"jsonrpc":"2.0","id":22,"result":{"list":"red","category":"",
//      "at_ms":1735689608000,"at":"2025-01-01T00:00:08Z",
//      "entries":[{"id":2,"subject":{...},"list":"red","category":"MARKET",...,"state":"listed",...}],
//      "next_cursor":null}}
void CreditList(const CallContext& ctx, const json::value& params, Reply reply) {
  auto list_name = StringParam(params, "list", 0);
  if (!list_name.ok()) return reply(list_name.status());
  auto category = StringParam(params, "category", 1, false);
  if (!category.ok()) return reply(category.status());
  auto cursor = StringParam(params, "cursor", 2, false);
  if (!cursor.ok()) return reply(cursor.status());
  auto limit = IntParam(params, "limit", 3, false, 100);
  if (!limit.ok()) return reply(limit.status());
  auto list = contracts::ParseCreditList(*list_name);
  if (!list.ok()) return reply(list.status());
  if (*limit < 1 || *limit > static_cast<int64_t>(contracts::kMaxCreditPage)) {
    return reply(Status::InvalidArgument("BAD_LIMIT", "limit must be 1.." + std::to_string(contracts::kMaxCreditPage)));
  }
  auto snapshot = ctx.node->chain().Snapshot();
  auto page = contracts::ListPublished(*snapshot, *list, *category, *cursor, static_cast<size_t>(*limit),
                                       snapshot->tip().time_ms);
  if (!page.ok()) return reply(page.status());
  reply(json::value(CreditPageToJson(*page)));
}

// credit_get {entry}
// One entry by id, in the public view: in full while published, otherwise the
// fact (state, when publication ended).
// Errors: ENTRY_NOT_FOUND, INVALID_PARAMS.
// Example:
// --> {"jsonrpc":"2.0","id":23,"method":"credit_get","params":{"entry":3}}
// <-- {"jsonrpc":"2.0","id":23,"result":{"id":3,
//      "subject":{"type":"enterprise","uscc":"91510704MA6BXK3H2E","name":"绵阳示例建筑劳务有限公司"},
//      "list":"black","category":"LABOUR","category_name":"拖欠农民工工资失信联合惩戒对象",
//      "deciding_org":"11510700008207428G","listed_at_ms":1735689605000,"listed_at":"2025-01-01T00:00:05Z",
//      "listed_tx_id":"4a6f9b523a74...","height":5,
//      "state":"repaired","published":false,"ended_at_ms":1735689608000,"ended_at":"2025-01-01T00:00:08Z"}}
void CreditGet(const CallContext& ctx, const json::value& params, Reply reply) {
  auto id = IntParam(params, "entry", 0);
  if (!id.ok()) return reply(id.status());
  if (*id < 1) return reply(InvalidParams("parameter \"entry\" must be an entry id (1 or more)"));
  auto snapshot = ctx.node->chain().Snapshot();
  auto entry = contracts::GetCreditEntry(*snapshot, static_cast<uint64_t>(*id));
  if (!entry.ok()) return reply(entry.status());
  std::string name;
  if (auto category = contracts::GetCreditCategory(*snapshot, entry->category()); category.ok()) {
    name = category->name();
  }
  reply(json::value(CreditEntryToJson(*entry, snapshot->tip().time_ms, contracts::CreditView::kPublic, name)));
}

// credit_check {subject, matter?}
// What an org handling the subject's affairs must apply now: the joint measures
// of the categories the subject is published under, for a matter of kind
// `matter` (e.g. "government_procurement"; absent: any), and the entries that
// trigger them. "applies" is false when no measure applies.
// Errors: BAD_SUBJECT, BAD_USCC, BAD_MATTER, INVALID_PARAMS.
// Example:
// --> {"jsonrpc":"2.0","id":24,"method":"credit_check",
//      "params":{"subject":"91510703MA6ATB0F16","matter":"government_procurement"}}
// <-- {"jsonrpc":"2.0","id":24,"result":{
//      "subject":{"type":"enterprise","uscc":"91510703MA6ATB0F16","name":"绵阳市涪城区示例食品有限公司"},
//      "matter":"government_procurement","at_ms":1735689608000,"at":"2025-01-01T00:00:08Z","applies":true,
//      "measures":[{"category":"FOOD_DRUG","code":"no_procurement","org":"11510700008207188M",
//        "matter":"government_procurement","description":"限制参加政府采购活动","registered_height":1,
//        "list":"black","entries":[1]}],
//      "entries":[{"id":1,...,"state":"listed","published":true,...}]}}
void CreditCheck(const CallContext& ctx, const json::value& params, Reply reply) {
  auto subject = SubjectParam(params);
  if (!subject.ok()) return reply(subject.status());
  auto matter = StringParam(params, "matter", 1, false);
  if (!matter.ok()) return reply(matter.status());
  auto snapshot = ctx.node->chain().Snapshot();
  auto check = contracts::CheckCredit(*snapshot, *subject, *matter, snapshot->tip().time_ms);
  if (!check.ok()) return reply(check.status());
  reply(json::value(CreditCheckToJson(*check)));
}

// credit_categories {}
// The registered credit categories (list, deciding orgs, severity, publicity
// periods, repairable) with their joint measures.
// Example (first of four categories shown):
// --> {"jsonrpc":"2.0","id":25,"method":"credit_categories","params":{}}
// <-- {"jsonrpc":"2.0","id":25,"result":{"categories":[
//      {"code":"FOOD_DRUG","name":"食品药品安全严重失信主体","list":"black","severity":"serious",
//       "deciding_orgs":["11510700MB1537205J"],"min_publicity_ms":31536000000,"min_publicity_days":365,
//       "max_publicity_ms":94608000000,"max_publicity_days":1095,"repairable":true,"retired":false,
//       "registered_height":1,"updated_height":1,
//       "measures":[{"category":"FOOD_DRUG","code":"licensing_review","org":"11510700MB1537205J",
//                    "matter":"administrative_licensing","description":"从严审核行政许可申请，列为重点监管对象",
//                    "registered_height":1},...]},...]}}
void CreditCategories(const CallContext& ctx, const json::value& params, Reply reply) {
  auto snapshot = ctx.node->chain().Snapshot();
  auto categories = contracts::ListCreditCategories(*snapshot);
  if (!categories.ok()) return reply(categories.status());
  auto measures = contracts::ListCreditMeasures(*snapshot);
  if (!measures.ok()) return reply(measures.status());
  json::array list;
  for (const auto& c : *categories) list.push_back(CreditCategoryToJson(c, *measures));
  reply(json::value(json::object{{"categories", std::move(list)}}));
}

// The credit contract's calls, for chain_getTx. Bytes are base64.
Result<json::value> DecodeCreditCall(std::string_view call) {
  pb::CreditCall m;
  if (!m.ParseFromArray(call.data(), static_cast<int>(call.size()))) {
    return Status::InvalidArgument("CALL_MALFORMED", "the credit call does not decode");
  }
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(m, &text, options).ok()) {
    return Status::Internal("credit call could not be rendered as JSON");
  }
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return Status::Internal("credit call JSON does not parse");
  return v;
}

}  // namespace

void RegisterCreditMethods(MethodTable* table) {
  table->Add("credit_report", "A subject's credit status now and its visible history.", CreditReport);
  table->Add("credit_list", "Published entries of the red or black list, paged.", CreditList);
  table->Add("credit_get", "One credit list entry by id.", CreditGet);
  table->Add("credit_check", "The joint measures that apply to a subject now, and why.", CreditCheck);
  table->Add("credit_categories", "The credit categories and their joint measures.", CreditCategories);
  table->AddCallDecoder(std::string(contracts::kCreditContract), DecodeCreditCall);
}

}  // namespace civic::rpc
