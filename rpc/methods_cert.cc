// cert_* JSON-RPC methods: certificate queries and verification over the node's
// committed state. Renderings come from rpc/codec/certificate.h so that REST and
// JSON-RPC answer alike. Handlers reply synchronously and never throw.

#include "contracts/base/contract_names.h"
#include "contracts/base/errors.h"
#include "contracts/base/time_format.h"
#include "contracts/certificate/certificate.pb.h"
#include "contracts/certificate/query.h"
#include "rpc/codec/chain.h"
#include "rpc/codec/certificate.h"
#include "rpc/codec/holder_certificate.h"
#include "rpc/error_codes.h"
#include "rpc/methods.h"

namespace civic::rpc {
namespace {

using contracts::PresentedField;

Status InvalidParams(std::string message) { return Status::InvalidArgument(err::INVALID_PARAMS, std::move(message)); }

const ledger::KvReader& State(const CallContext& ctx) { return ctx.node->chain().state(); }

// "at": RFC 3339 text, decimal text or an integer of ms; absent = latest block time.
Result<int64_t> AtParam(const CallContext& ctx, const json::value& params, size_t pos) {
  CIVIC_ASSIGN_OR_RETURN(const json::value* at, ValueParam(params, "at", pos, false));
  if (at == nullptr) return ctx.node->chain().tip().time_ms;
  if (at->is_string()) return contracts::ParseTime(std::string_view(at->get_string().data(), at->get_string().size()));
  CIVIC_ASSIGN_OR_RETURN(int64_t ms, IntParam(params, "at", pos));
  return ms;
}

// "fields": {"name": {"salt": "...", "value": "..."}, ...}
Result<std::map<std::string, PresentedField>> FieldsParam(const json::value& params, size_t pos) {
  std::map<std::string, PresentedField> out;
  CIVIC_ASSIGN_OR_RETURN(const json::value* fields, ValueParam(params, "fields", pos, false));
  if (fields == nullptr) return out;
  if (!fields->is_object()) return InvalidParams("parameter \"fields\" must be an object {name: {salt, value}}");
  for (const auto& member : fields->get_object()) {
    std::string name(member.key());
    const json::object* f = member.value().if_object();
    const json::value* salt = f ? f->if_contains("salt") : nullptr;
    const json::value* value = f ? f->if_contains("value") : nullptr;
    if (!salt || !value || !salt->is_string() || !value->is_string()) {
      return InvalidParams("field \"" + name.substr(0, 64) + "\" must be {\"salt\": string, \"value\": string}");
    }
    out[name] = PresentedField{std::string(salt->get_string()), std::string(value->get_string())};
  }
  return out;
}

// cert_get {id}
void CertGet(const CallContext& ctx, const json::value& params, Reply reply) {
  auto id = StringParam(params, "id", 0);
  if (!id.ok()) return reply(id.status());
  auto cert = contracts::GetCertificate(State(ctx), *id);
  if (!cert.ok()) return reply(cert.status());
  reply(json::value(CertificateToJson(*cert)));
}

// cert_verify {id, at?, fields?, holder_certificate?}
void CertVerify(const CallContext& ctx, const json::value& params, Reply reply) {
  auto id = StringParam(params, "id", 0, false);
  if (!id.ok()) return reply(id.status());
  auto at = AtParam(ctx, params, 1);
  if (!at.ok()) return reply(at.status());
  auto fields = FieldsParam(params, 2);
  if (!fields.ok()) return reply(fields.status());
  auto holder = ValueParam(params, "holder_certificate", 3, false);
  if (!holder.ok()) return reply(holder.status());

  if (*holder != nullptr) {
    if (!fields->empty()) return reply(InvalidParams("give either \"fields\" or \"holder_certificate\", not both"));
    auto copy = HolderCertificateFromJson(**holder);
    if (!copy.ok()) return reply(copy.status());
    if (id->empty()) {
      *id = copy->id;
    } else if (copy->id.empty()) {
      copy->id = *id;
    } else if (copy->id != *id) {
      return reply(InvalidParams("\"id\" differs from the id of \"holder_certificate\""));
    }
    if (id->empty()) return reply(InvalidParams("missing parameter \"id\" (position 0)"));
    auto v = contracts::VerifyHolderCertificate(State(ctx), *copy, *at);
    if (!v.ok()) return reply(v.status());
    return reply(json::value(VerificationToJson(*v)));
  }
  if (id->empty()) return reply(InvalidParams("missing parameter \"id\" (position 0)"));
  auto v = contracts::VerifyCertificate(State(ctx), *id, *at, *fields);
  if (!v.ok()) return reply(v.status());
  reply(json::value(VerificationToJson(*v)));
}

// cert_history {id}
void CertHistory(const CallContext& ctx, const json::value& params, Reply reply) {
  auto id = StringParam(params, "id", 0);
  if (!id.ok()) return reply(id.status());
  auto h = contracts::History(State(ctx), *id);
  if (!h.ok()) return reply(h.status());
  reply(json::value(HistoryToJson(*h)));
}

// cert_listByHolder {holder_commitment, cursor?, limit?}
void CertListByHolder(const CallContext& ctx, const json::value& params, Reply reply) {
  auto hex = StringParam(params, "holder_commitment", 0);
  if (!hex.ok()) return reply(hex.status());
  auto cursor = StringParam(params, "cursor", 1, false);
  if (!cursor.ok()) return reply(cursor.status());
  auto limit = IntParam(params, "limit", 2, false, 100);
  if (!limit.ok()) return reply(limit.status());
  auto commitment = FromHex(*hex);
  if (!commitment || commitment->size() != 32) {
    return reply(Status::InvalidArgument(err::BAD_HOLDER_COMMITMENT, "holder_commitment must be 64 hex characters"));
  }
  if (*limit < 1 || *limit > static_cast<int64_t>(contracts::kMaxPageSize)) {
    return reply(Status::InvalidArgument(err::BAD_LIMIT, "limit must be 1.." + std::to_string(contracts::kMaxPageSize)));
  }
  auto page = contracts::ListByHolder(State(ctx), *commitment, *cursor, static_cast<size_t>(*limit));
  if (!page.ok()) return reply(page.status());
  reply(json::value(CertPageToJson(*page)));
}

// cert_types {}
void CertTypes(const CallContext& ctx, const json::value& params, Reply reply) {
  auto types = contracts::ListTypes(State(ctx));
  if (!types.ok()) return reply(types.status());
  json::object out;
  out["types"] = CertTypesToJson(*types);
  reply(json::value(std::move(out)));
}

}  // namespace

void RegisterCertificateMethods(MethodTable* table) {
  table->Add("cert_get", CertGet);
  table->Add("cert_verify", CertVerify);
  table->Add("cert_history", CertHistory);
  table->Add("cert_listByHolder", CertListByHolder);
  table->Add("cert_types", CertTypes);
  table->AddCallDecoder(std::string(contracts::kCertificateContract),
                        ProtoCallDecoder(pb::CertificateCall::default_instance()));
}

}  // namespace civic::rpc
