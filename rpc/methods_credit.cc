// credit_* JSON-RPC methods: credit red/black list queries over the node's
// committed state. Each call reads one snapshot, so the state and the tip's block
// time (the "now" that decides expiry) agree. Renderings come from
// rpc/codec/credit.h so that REST (GET /v1/credit/{uscc}) and JSON-RPC answer
// alike. Answers are the public view (see contracts/credit/query.h): requests
// carry no caller identity. Handlers reply synchronously and never throw.

#include "contracts/base/contract_names.h"
#include "contracts/base/errors.h"
#include "contracts/credit/query.h"
#include "contracts/credit/rules.h"
#include "rpc/codec/chain.h"
#include "rpc/codec/credit.h"
#include "rpc/error_codes.h"
#include "rpc/methods.h"

namespace civic::rpc {
namespace {

Status InvalidParams(std::string message) { return Status::InvalidArgument(err::INVALID_PARAMS, std::move(message)); }

Result<pb::CreditSubject> SubjectParam(const json::value& params) {
  CIVIC_ASSIGN_OR_RETURN(std::string text, StringParam(params, "subject", 0));
  return contracts::ParseCreditSubject(text);
}

// credit_report {subject}
void CreditReport(const CallContext& ctx, const json::value& params, Reply reply) {
  auto subject = SubjectParam(params);
  if (!subject.ok()) return reply(subject.status());
  auto snapshot = ctx.node->chain().Snapshot();
  auto report = contracts::BuildCreditReport(*snapshot, *subject, snapshot->tip().time_ms);
  if (!report.ok()) return reply(report.status());
  reply(json::value(CreditReportToJson(*report, contracts::CreditView::kPublic)));
}

// credit_list {list, category?, cursor?, limit?}
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
    return reply(Status::InvalidArgument(err::BAD_LIMIT, "limit must be 1.." + std::to_string(contracts::kMaxCreditPage)));
  }
  auto snapshot = ctx.node->chain().Snapshot();
  auto page = contracts::ListPublished(*snapshot, *list, *category, *cursor, static_cast<size_t>(*limit),
                                       snapshot->tip().time_ms);
  if (!page.ok()) return reply(page.status());
  reply(json::value(CreditPageToJson(*page)));
}

// credit_get {entry}
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

}  // namespace

void RegisterCreditMethods(MethodTable* table) {
  table->Add("credit_report", CreditReport);
  table->Add("credit_list", CreditList);
  table->Add("credit_get", CreditGet);
  table->Add("credit_check", CreditCheck);
  table->Add("credit_categories", CreditCategories);
  table->AddCallDecoder(std::string(contracts::kCreditContract),
                        ProtoCallDecoder(pb::CreditCall::default_instance()));
}

}  // namespace civic::rpc
