#include "tools/common/node_api.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include "ledger/errors.h"
#include "rpc/client.h"
#include "rpc/error_codes.h"
#include "rpc/errors.h"
#include "tools/common/errors.h"
#include "tools/common/json_view.h"

namespace civic::tools {
namespace json = boost::json;
namespace {

// One rpc::Client per calling thread (a Client serves one thread at a time).
class RpcNodeApi final : public NodeApi {
 public:
  explicit RpcNodeApi(rpc::ClientOptions options) : options_(std::move(options)) {}

  Result<json::value> Call(std::string_view method, json::value params) override {
    rpc::Client* client;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto& slot = clients_[std::this_thread::get_id()];
      if (!slot) slot = std::make_unique<rpc::Client>(options_);
      client = slot.get();
    }
    return client->Call(method, std::move(params));
  }

 private:
  rpc::ClientOptions options_;
  std::mutex mu_;
  std::map<std::thread::id, std::unique_ptr<rpc::Client>> clients_;
};

Status Malformed(std::string_view what) {
  return Status(Code::kInternal, err::BAD_RESPONSE, "the node's answer is not as expected: " + std::string(what));
}

const json::value* Member(const json::value& v, std::string_view key) {
  if (!v.is_object()) return nullptr;
  auto it = v.get_object().find(key);
  return it == v.get_object().end() ? nullptr : &it->value();
}

std::optional<uint64_t> U64(const json::value* v) {
  if (!v) return std::nullopt;
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<uint64_t>(v->get_int64());
  return std::nullopt;
}

std::optional<int64_t> I64(const json::value* v) {
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(v->get_uint64());
  return std::nullopt;
}

std::string Str(const json::value* v) { return v && v->is_string() ? std::string(v->get_string()) : ""; }

}  // namespace

rpc::TlsClientFiles TlsFilesFromEnvironment() {
  auto env = [](const char* name) {
    const char* value = std::getenv(name);
    return std::string(value ? value : "");
  };
  return {env("CIVIC_CA_FILE"), env("CIVIC_CLIENT_CERT"), env("CIVIC_CLIENT_KEY")};
}

Result<std::unique_ptr<NodeApi>> ConnectNode(const std::string& url, const rpc::TlsClientFiles& tls) {
  auto options = rpc::Client::ParseUrl(url);
  if (!options.ok()) {
    return Status::InvalidArgument(err::BAD_NODE_URL, "--node " + url + ": " + options.status().message());
  }
  options->tls_files = tls;
  options->timeout = std::chrono::milliseconds(660000);  // longer than any tx_commit wait
  return std::unique_ptr<NodeApi>(std::make_unique<RpcNodeApi>(*options));
}

Result<ChainStatusInfo> ParseChainStatus(const json::value& v) {
  ChainStatusInfo s;
  s.chain_id = Str(Member(v, "chain_id"));
  auto height = U64(Member(v, "height"));
  if (s.chain_id.empty() || !height) return Malformed("chain_status lacks chain_id or height");
  s.height = *height;
  if (const json::value* node = Member(v, "node")) s.node_id = Str(Member(*node, "node_id"));
  if (auto t = I64(Member(v, "latest_block_time_ms"))) s.time_ms = *t;
  return s;
}

Result<TxOutcome> ParseTxOutcome(const json::value& v) {
  TxOutcome o;
  o.id = Str(Member(v, "id"));
  if (o.id.empty()) o.id = Str(Member(v, "tx_id"));
  auto height = U64(Member(v, "height"));
  if (o.id.empty() || !height) return Malformed("a tx answer lacks id or height");
  o.height = *height;
  if (auto index = U64(Member(v, "index"))) o.index = static_cast<uint32_t>(*index);
  const json::value* result = Member(v, "result");
  const json::value* src = result && result->is_object() ? result : &v;
  std::string app = Str(Member(*src, "app_code"));
  auto code_num = U64(Member(*src, "code"));
  std::string code_name = Str(Member(*src, "code_name"));
  if (code_name.empty()) code_name = Str(Member(*src, "code"));
  bool ok = Member(*src, "ok") && Member(*src, "ok")->is_bool() ? Member(*src, "ok")->get_bool()
                                                                 : (app.empty() || app == "OK");
  if (!ok) {
    Code code = Code::kFailedPrecondition;
    if (auto named = rpc::CodeFromName(code_name)) {
      code = *named;
    } else if (code_num && *code_num > 0 && *code_num <= static_cast<uint64_t>(Code::kInternal)) {
      code = static_cast<Code>(*code_num);
    }
    if (code == Code::kOk) code = Code::kFailedPrecondition;
    o.result = Status(code, app, Str(Member(*src, "message")));
  }
  return o;
}

Result<CertTypeInfo> ParseCertType(const json::value& v) {
  CertTypeInfo t;
  t.code = Str(Member(v, "code"));
  t.name = Str(Member(v, "name"));
  t.holder_code_type = Str(Member(v, "holder_code_type"));
  if (t.code.empty()) return Malformed("a certificate type lacks its code");
  if (const json::value* issuers = Member(v, "issuer_orgs"); issuers && issuers->is_array()) {
    for (const auto& i : issuers->get_array()) {
      if (i.is_string()) t.issuer_orgs.emplace_back(i.get_string());
    }
  }
  if (const json::value* fields = Member(v, "fields"); fields && fields->is_array()) {
    for (const auto& f : fields->get_array()) {
      CertTypeInfo::Field field;
      field.name = Str(Member(f, "name"));
      field.label = Str(Member(f, "label"));
      const json::value* req = Member(f, "required");
      field.required = req && req->is_bool() && req->get_bool();
      if (field.name.empty()) return Malformed("a field of type " + t.code + " has no name");
      t.fields.push_back(std::move(field));
    }
  }
  const json::value* retired = Member(v, "retired");
  t.retired = retired && retired->is_bool() && retired->get_bool();
  return t;
}

Result<ChainStatusInfo> GetChainStatus(NodeApi& api) {
  CIVIC_ASSIGN_OR_RETURN(json::value v, api.Call("chain_status", json::object()));
  return ParseChainStatus(v);
}

Result<std::optional<TxOutcome>> GetTxOutcome(NodeApi& api, std::string_view id_hex) {
  auto v = api.Call("chain_getTx", json::object{{"id", id_hex}});
  if (!v.ok()) {
    if (v.status().code() == Code::kNotFound) return std::optional<TxOutcome>();
    return v.status();
  }
  CIVIC_ASSIGN_OR_RETURN(TxOutcome o, ParseTxOutcome(*v));
  return std::optional<TxOutcome>(std::move(o));
}

Result<std::string> SubmitTx(NodeApi& api, const Bytes& raw) {
  CIVIC_ASSIGN_OR_RETURN(json::value v, api.Call("tx_submit", json::object{{"tx", ToHex(raw)}}));
  if (v.is_string()) return std::string(v.get_string());
  std::string id = Str(Member(v, "id"));
  if (id.empty()) return Malformed("tx_submit did not return an id");
  return id;
}

Result<TxOutcome> CommitTx(NodeApi& api, const Bytes& raw, uint32_t timeout_ms) {
  CIVIC_ASSIGN_OR_RETURN(json::value v,
                         api.Call("tx_commit", json::object{{"tx", ToHex(raw)}, {"timeout_ms", timeout_ms}}));
  return ParseTxOutcome(v);
}

Result<std::optional<TxOutcome>> SendSignedTx(NodeApi& api, const Bytes& raw, bool wait, uint32_t timeout_ms) {
  auto submitted = SubmitTx(api, raw);
  // A tx already waiting or already committed (sent again, e.g. after a timeout
  // or to wait for it) is not a refusal: tx_commit answers its outcome.
  const std::string& code = submitted.status().app_code();
  if (!submitted.ok() && code != err::TX_IN_MEMPOOL && code != err::TX_ALREADY_COMMITTED) return submitted.status();
  if (!wait) return std::optional<TxOutcome>();
  CIVIC_ASSIGN_OR_RETURN(TxOutcome outcome, CommitTx(api, raw, timeout_ms));
  return std::optional<TxOutcome>(std::move(outcome));
}

Result<std::vector<CertTypeInfo>> GetCertTypes(NodeApi& api) {
  CIVIC_ASSIGN_OR_RETURN(json::value v, api.Call("cert_types", json::object()));
  const json::value* list = v.is_array() ? &v : Member(v, "types");
  if (!list || !list->is_array()) return Malformed("cert_types did not return a list");
  std::vector<CertTypeInfo> out;
  for (const auto& t : list->get_array()) {
    CIVIC_ASSIGN_OR_RETURN(CertTypeInfo info, ParseCertType(t));
    out.push_back(std::move(info));
  }
  return out;
}

Result<CertTypeInfo> GetCertType(NodeApi& api, std::string_view code) {
  CIVIC_ASSIGN_OR_RETURN(std::vector<CertTypeInfo> types, GetCertTypes(api));
  std::string known;
  for (auto& t : types) {
    if (t.code == code) return std::move(t);
    known += "\n  " + t.code + "  " + t.name;
  }
  return Status::NotFound(err::CERT_TYPE_NOT_FOUND, "no certificate type " + std::string(code) +
                                                     " on this chain; the registered types are:" + known);
}

Result<std::optional<ProposalInfo>> ProposalOfTx(NodeApi& api, const std::string& tx_id) {
  uint64_t from = 1;
  // Pages of 1000; the bound only stops a node that keeps answering next_from.
  for (int page = 0; page < 100000 && from != 0; ++page) {
    CIVIC_ASSIGN_OR_RETURN(json::value v, api.Call("gov_proposals", json::object{{"from", from}, {"limit", 1000}}));
    const json::value* list = Member(v, "proposals");
    if (!list || !list->is_array()) return Malformed("gov_proposals did not return a proposal list");
    for (const JsonView p : JsonView(*list).Items()) {
      if (p["created_tx_id"].Str() != tx_id) continue;
      return std::optional<ProposalInfo>(
          ProposalInfo{p["id"].U64(), p["status"].Str(), p["result_code"].Str(), p["result_message"].Str()});
    }
    from = JsonView(v)["next_from"].U64();
  }
  return std::optional<ProposalInfo>();
}

}  // namespace civic::tools
