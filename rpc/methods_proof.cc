// Proof methods for light clients: cert_proof, state_proof and light_headers.
// They answer with what light/ builds (light/builder.h) in the renderings of
// rpc/codec/proof.h; the node is not trusted for any of it: the client checks
// headers, commits and state proofs from its own trust root (civic verify, or
// light/ in an app). Only keys under public prefixes are proven: a state value
// the other methods redact for some viewers is never handed out here.
// Handlers reply synchronously and never throw.

#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "contracts/base/time_format.h"
#include "contracts/certificate/keys.h"
#include "contracts/certificate/query.h"
#include "light/builder.h"
#include "light/errors.h"
#include "rpc/codec/chain.h"
#include "rpc/codec/proof.h"
#include "rpc/error_codes.h"
#include "rpc/methods.h"

namespace civic::rpc {
namespace {

// State whose every value any client may read through the other methods
// (certificates and their types, governance, credit catalogue, sharing
// resources): proofs of these reveal nothing new.
constexpr std::string_view kPublicPrefixes[] = {"cert/c/", "cert/type/", "gov/org/", "gov/validators",
                                                "gov/params", "gov/proposal/", "credit/cat/", "credit/m/",
                                                "share/res/", "share/params"};

bool IsPublicKey(std::string_view key) {
  for (std::string_view prefix : kPublicPrefixes) {
    if (key.starts_with(prefix)) return true;
  }
  return false;
}

// "height": the state version to prove; absent = the newest provable.
Result<std::optional<uint64_t>> HeightParam(const json::value& params, size_t pos) {
  CIVIC_ASSIGN_OR_RETURN(const json::value* given, ValueParam(params, "height", pos, false));
  if (given == nullptr) return std::optional<uint64_t>();
  CIVIC_ASSIGN_OR_RETURN(int64_t height, IntParam(params, "height", pos));
  if (height < 0) return Status::InvalidArgument(err::INVALID_PARAMS, "\"height\" must not be negative");
  return std::optional<uint64_t>(static_cast<uint64_t>(height));
}

// The certificate and the other versions of its chain (older first, then newer),
// as keys; at most light::kMaxProofKeys.
std::vector<std::string> CertificateKeys(const ledger::KvReader& state, std::string_view id) {
  std::vector<std::string> keys = {contracts::keys::Cert(id)};
  auto cert = contracts::GetCertificate(state, id);
  if (!cert.ok()) return keys;
  auto history = contracts::History(state, id);
  if (!history.ok()) return keys;
  for (const std::string& version : history->versions) {
    if (version != id && keys.size() < light::kMaxProofKeys) keys.push_back(contracts::keys::Cert(version));
  }
  return keys;
}

// cert_proof {id, at?, height?}
void CertProof(const CallContext& ctx, const json::value& params, Reply reply) {
  auto id = StringParam(params, "id", 0);
  if (!id.ok()) return reply(id.status());
  if (auto parsed = contracts::ParseCertId(*id); !parsed.ok()) return reply(parsed.status());
  auto at_param = ValueParam(params, "at", 1, false);
  if (!at_param.ok()) return reply(at_param.status());
  int64_t at_ms = ctx.node->chain().tip().time_ms;
  if (*at_param != nullptr && (*at_param)->is_string()) {
    const json::string& text = (*at_param)->get_string();
    auto parsed = contracts::ParseTime(std::string_view(text.data(), text.size()));
    if (!parsed.ok()) return reply(parsed.status());
    at_ms = *parsed;
  } else if (*at_param != nullptr) {
    auto ms = IntParam(params, "at", 1);
    if (!ms.ok()) return reply(ms.status());
    at_ms = *ms;
  }
  auto height = HeightParam(params, 2);
  if (!height.ok()) return reply(height.status());
  auto proof = light::BuildProof(ctx.node->chain(), CertificateKeys(ctx.node->chain().state(), *id), *height);
  if (!proof.ok()) return reply(proof.status());
  proof->set_at_ms(at_ms);
  json::object out;
  out["id"] = *id;
  out["key"] = contracts::keys::Cert(*id);
  out["at_ms"] = at_ms;
  out["at"] = TimeString(at_ms);
  out["proof"] = LightProofJson(*proof);
  reply(json::value(std::move(out)));
}

// state_proof {key? | key_hex?, height?}
void StateProof(const CallContext& ctx, const json::value& params, Reply reply) {
  auto text = StringParam(params, "key", 0, false);
  if (!text.ok()) return reply(text.status());
  auto hex = StringParam(params, "key_hex", 2, false);
  if (!hex.ok()) return reply(hex.status());
  if (text->empty() == hex->empty()) {
    return reply(Status::InvalidArgument(err::INVALID_PARAMS, "give exactly one of \"key\" and \"key_hex\""));
  }
  std::string key = *text;
  if (!hex->empty()) {
    auto decoded = DecodeBinary(*hex, "key_hex", err::INVALID_PARAMS);
    if (!decoded.ok()) return reply(decoded.status());
    key = std::move(*decoded);
  }
  if (!IsPublicKey(key)) {
    return reply(Status::PermissionDenied(err::PROOF_KEY_NOT_PUBLIC,
                                          "state_proof proves public records only (cert/, gov/, credit catalogue, "
                                          "sharing resources); use the record's own method"));
  }
  auto height = HeightParam(params, 1);
  if (!height.ok()) return reply(height.status());
  auto proof = light::BuildProof(ctx.node->chain(), {key}, *height);
  if (!proof.ok()) return reply(proof.status());
  json::object out;
  out["key"] = ToHex(key);
  out["proof"] = LightProofJson(*proof);
  reply(json::value(std::move(out)));
}

// light_headers {from, to}
void LightHeaders(const CallContext& ctx, const json::value& params, Reply reply) {
  auto from = IntParam(params, "from", 0);
  if (!from.ok()) return reply(from.status());
  auto to = IntParam(params, "to", 1);
  if (!to.ok()) return reply(to.status());
  if (*from < 1 || *to < 1) {
    return reply(Status::InvalidArgument(err::BAD_HEADER_RANGE, "\"from\" and \"to\" are heights from 1"));
  }
  auto headers = light::BuildHeaders(ctx.node->chain(), static_cast<uint64_t>(*from), static_cast<uint64_t>(*to));
  if (!headers.ok()) return reply(headers.status());
  json::object out = LightHeadersJson(*headers);
  out["from"] = *from;
  out["to"] = *to;
  reply(json::value(std::move(out)));
}

}  // namespace

void RegisterProofMethods(MethodTable* table) {
  table->Add("cert_proof", CertProof);
  table->Add("state_proof", StateProof);
  table->Add("light_headers", LightHeaders);
}

}  // namespace civic::rpc
