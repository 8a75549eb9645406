// cert_* JSON-RPC methods: certificate queries and verification over the node's
// committed state. Renderings come from contracts/certificate/query.h so that
// REST and JSON-RPC answer alike. Handlers reply synchronously and never throw.
#include <google/protobuf/util/json_util.h>

#include "contracts/certificate/query.h"
#include "contracts/certificate/holder.h"
#include "contracts/base/contract_names.h"
#include "contracts/certificate/certificate.pb.h"
#include "contracts/base/time_format.h"
#include "rpc/methods.h"

namespace civic::rpc {
namespace {

using contracts::PresentedField;

Status InvalidParams(std::string message) { return Status::InvalidArgument("INVALID_PARAMS", std::move(message)); }

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
// The certificate record as stored on chain: type, issuer org and sealing key,
// holder commitment, claim digests, validity, status, version chain, events.
// Errors: BAD_CERT_ID, CERT_NOT_FOUND.
// Example:
// --> {"jsonrpc":"2.0","id":1,"method":"cert_get",
//      "params":{"id":"1.2.156.3005.2.11510700008207313A001.11510700008207313A.0000000001.001.G"}}
// <-- {"jsonrpc":"2.0","id":1,"result":{
//      "id":"1.2.156.3005.2.11510700008207313A001.11510700008207313A.0000000001.001.G",
//      "type_code":"11510700008207313A001","issuer_org":"11510700008207313A",
//      "issuer_key":"ed25519:8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c",
//      "serial":"0000000001","version":1,
//      "holder_commitment":"83b92482a303cc259aa2e900bee1c29f142b3dbaf6168ac1decd52c072c67c53",
//      "claims_digest":"158a00fc633ce540abf90ea6ccdeeff7a08476c7bd66f3f3dee300617c8d2431",
//      "claims":[{"name":"address","digest":"8043a7b59926880d2bdf5afe7a6bbf4bed41b12fa1d32b484c8a96a3c9003b3c"},
//                {"name":"birth_date","digest":"c67057dd608cb3651e96583145e6e4bed1e51d064417697c17016f02cdff841f"},
//                {"name":"ethnicity","digest":"cd24e004c0af50ad297d74a1889e23ce146c5ecab149c58d622cb1fe8481e2cf"},
//                {"name":"id_number","digest":"846ed3a3f278bad8af50bbfae6b5b6136dc180f64cab5962e2ea74c3bdea94dd"},
//                {"name":"name","digest":"e926c9eea06aa27f266b76520b0233d3463a83c2ab0eb8bc1705c231bd1f3ae0"},
//                {"name":"sex","digest":"dfbe006fa51c4dddb62544cb12ef4b71c62b4932850fbad3ed28b85f700cc2da"}],
//      "issued_at_ms":1735689601000,"issued_at":"2025-01-01T00:00:01Z",
//      "valid_from_ms":1735689601000,"valid_from":"2025-01-01T00:00:01Z",
//      "valid_until_ms":2366841601000,"valid_until":"2045-01-01T00:00:01Z",
//      "status":"active",
//      "issuing_tx_id":"5e5e99e2b25509679144243ab039afa873b45cc908e8e348a08b24ae5b8c56ec",
//      "height":1,"events":[]}}
void CertGet(const CallContext& ctx, const json::value& params, Reply reply) {
  auto id = StringParam(params, "id", 0);
  if (!id.ok()) return reply(id.status());
  auto cert = contracts::GetCertificate(State(ctx), *id);
  if (!cert.ok()) return reply(cert.status());
  reply(json::value(contracts::CertificateToJson(*cert)));
}

// cert_verify {id, at?, fields?, holder_certificate?}
// Is the certificate genuine, who issued it, is it valid at `at` (RFC 3339 or
// ms; default: the latest block time), with its status at that time and now,
// and which presented fields ({name: {salt, value}}) match the digests on chain.
// Instead of fields, the holder's whole copy may be given as holder_certificate
// (its id is used when id is absent); then the holder commitment is checked too.
// An unknown or malformed id is an answer with "genuine": false.
// Errors: INVALID_PARAMS, BAD_TIME, HOLDER_CERT_MALFORMED.
// Example:
// --> {"jsonrpc":"2.0","id":2,"method":"cert_verify",
//      "params":{"id":"1.2.156.3005.2.11510700008207313A001.11510700008207313A.0000000001.001.G",
//                "at":"2025-06-01T00:00:00Z",
//                "fields":{"name":{"salt":"salt4Q3mXbJ1xZ0cHfPq2Lr8v","value":"张三"}}}}
// <-- {"jsonrpc":"2.0","id":2,"result":{
//      "id":"1.2.156.3005.2.11510700008207313A001.11510700008207313A.0000000001.001.G",
//      "at_ms":1748736000000,"at":"2025-06-01T00:00:00Z","genuine":true,
//      "type_code":"11510700008207313A001","type_name":"居民身份证",
//      "issuer":{"code":"11510700008207313A","name":"绵阳市公安局"},
//      "status":"active","status_at_time":"active","valid_at_time":true,
//      "valid_from_ms":1735689601000,"valid_from":"2025-01-01T00:00:01Z",
//      "valid_until_ms":2366841601000,"valid_until":"2045-01-01T00:00:01Z",
//      "issuing_tx_id":"5e5e99e2b25509679144243ab039afa873b45cc908e8e348a08b24ae5b8c56ec",
//      "issuer_key":"ed25519:8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c",
//      "fields":{"name":"match"},"fields_match":true}}
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
    auto copy = contracts::HolderCertificateFromJson(**holder);
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
    return reply(json::value(contracts::VerificationToJson(*v)));
  }
  if (id->empty()) return reply(InvalidParams("missing parameter \"id\" (position 0)"));
  auto v = contracts::VerifyCertificate(State(ctx), *id, *at, *fields);
  if (!v.ok()) return reply(v.status());
  reply(json::value(contracts::VerificationToJson(*v)));
}

// cert_history {id}
// The version chain (oldest first) and this version's events: issuance, then
// every status change with block time, height, tx id, org and reason.
// Errors: BAD_CERT_ID, CERT_NOT_FOUND.
// Example:
// --> {"jsonrpc":"2.0","id":3,"method":"cert_history",
//      "params":{"id":"1.2.156.3005.2.11510700008207313A001.11510700008207313A.0000000001.001.G"}}
// <-- {"jsonrpc":"2.0","id":3,"result":{
//      "id":"1.2.156.3005.2.11510700008207313A001.11510700008207313A.0000000001.001.G",
//      "versions":["1.2.156.3005.2.11510700008207313A001.11510700008207313A.0000000001.001.G",
//                  "1.2.156.3005.2.11510700008207313A001.11510700008207313A.0000000001.002.E"],
//      "events":[
//       {"kind":"issued","time_ms":1735689601000,"time":"2025-01-01T00:00:01Z","height":1,
//        "tx_id":"5e5e99e2b25509679144243ab039afa873b45cc908e8e348a08b24ae5b8c56ec",
//        "org":"11510700008207313A","status_after":"active"},
//       {"kind":"superseded","time_ms":1735689602000,"time":"2025-01-01T00:00:02Z","height":2,
//        "tx_id":"7fa86124436e9b9238c45026ae5faf6873217c1850ba7e34301294c4325af23e",
//        "org":"11510700008207313A","reason":"renewed","status_after":"superseded",
//        "related_id":"1.2.156.3005.2.11510700008207313A001.11510700008207313A.0000000001.002.E"}]}}
void CertHistory(const CallContext& ctx, const json::value& params, Reply reply) {
  auto id = StringParam(params, "id", 0);
  if (!id.ok()) return reply(id.status());
  auto h = contracts::History(State(ctx), *id);
  if (!h.ok()) return reply(h.status());
  reply(json::value(contracts::HistoryToJson(*h)));
}

// cert_listByHolder {holder_commitment, cursor?, limit?}
// Certificates whose holder commitment (64 hex characters) matches, in id order,
// `limit` (1..1000, default 100) at a time; pass next_cursor back as cursor.
// Errors: BAD_HOLDER_COMMITMENT, BAD_LIMIT, INVALID_PARAMS.
// Example (certificate objects as in cert_get, shortened here):
// --> {"jsonrpc":"2.0","id":4,"method":"cert_listByHolder",
//      "params":{"holder_commitment":"83b92482a303cc259aa2e900bee1c29f142b3dbaf6168ac1decd52c072c67c53","limit":1}}
// <-- {"jsonrpc":"2.0","id":4,"result":{
//      "certificates":[{"id":"1.2.156.3005.2.11510700008207313A001.11510700008207313A.0000000001.001.G",
//                       "type_code":"11510700008207313A001",...,"status":"superseded",
//                       "status_reason":"renewed","next_id":"1.2.156.3005.2.11510700008207313A001.11510700008207313A.0000000001.002.E",...}],
//      "next_cursor":"1.2.156.3005.2.11510700008207313A001.11510700008207313A.0000000001.001.G"}}
void CertListByHolder(const CallContext& ctx, const json::value& params, Reply reply) {
  auto hex = StringParam(params, "holder_commitment", 0);
  if (!hex.ok()) return reply(hex.status());
  auto cursor = StringParam(params, "cursor", 1, false);
  if (!cursor.ok()) return reply(cursor.status());
  auto limit = IntParam(params, "limit", 2, false, 100);
  if (!limit.ok()) return reply(limit.status());
  auto commitment = FromHex(*hex);
  if (!commitment || commitment->size() != 32) {
    return reply(Status::InvalidArgument("BAD_HOLDER_COMMITMENT", "holder_commitment must be 64 hex characters"));
  }
  if (*limit < 1 || *limit > static_cast<int64_t>(contracts::kMaxPageSize)) {
    return reply(Status::InvalidArgument("BAD_LIMIT", "limit must be 1.." + std::to_string(contracts::kMaxPageSize)));
  }
  auto page = contracts::ListByHolder(State(ctx), *commitment, *cursor, static_cast<size_t>(*limit));
  if (!page.ok()) return reply(page.status());
  reply(json::value(contracts::CertPageToJson(*page)));
}

// cert_types {}
// The registered certificate types with their issuing orgs, field schema and
// default validity.
// Example (first of six types shown):
// --> {"jsonrpc":"2.0","id":5,"method":"cert_types","params":{}}
// <-- {"jsonrpc":"2.0","id":5,"result":{"types":[
//      {"code":"11510700008207313A001","name":"居民身份证","issuer_orgs":["11510700008207313A"],
//       "fields":[{"name":"name","label":"姓名","required":true},{"name":"sex","label":"性别","required":true},
//                 {"name":"ethnicity","label":"民族","required":true},{"name":"birth_date","label":"出生","required":true},
//                 {"name":"address","label":"住址","required":true},
//                 {"name":"id_number","label":"公民身份号码","required":true},
//                 {"name":"issuing_authority","label":"签发机关","required":false}],
//       "holder_code_type":"citizen_id","default_validity_ms":631152000000,
//       "registered_height":0,"retired":false},...]}}
void CertTypes(const CallContext& ctx, const json::value& params, Reply reply) {
  auto types = contracts::ListTypes(State(ctx));
  if (!types.ok()) return reply(types.status());
  json::object out;
  out["types"] = contracts::CertTypesToJson(*types);
  reply(json::value(std::move(out)));
}

// The certificate contract's calls, for chain_getTx. Bytes are base64.
Result<json::value> DecodeCertificateCall(std::string_view call) {
  pb::CertificateCall m;
  if (!m.ParseFromArray(call.data(), static_cast<int>(call.size()))) {
    return Status::InvalidArgument("CALL_MALFORMED", "the certificate call does not decode");
  }
  std::string text;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(m, &text, options).ok()) {
    return Status::Internal("certificate call could not be rendered as JSON");
  }
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return Status::Internal("certificate call JSON does not parse");
  return v;
}

}  // namespace

void RegisterCertificateMethods(MethodTable* table) {
  table->Add("cert_get", "A certificate record by id.", CertGet);
  table->Add("cert_verify", "Verify a certificate: genuine, issuer, valid at a time, matching fields.", CertVerify);
  table->Add("cert_history", "A certificate's version chain and status history.", CertHistory);
  table->Add("cert_listByHolder", "Certificates of a holder commitment, paged.", CertListByHolder);
  table->Add("cert_types", "The registered certificate types.", CertTypes);
  table->AddCallDecoder(std::string(contracts::kCertificateContract), DecodeCertificateCall);
}

}  // namespace civic::rpc
