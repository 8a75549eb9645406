#include "rpc/request_auth.h"

#include <sodium.h>

#include <chrono>

#include "contracts/base/enum_names.h"
#include "contracts/base/errors.h"
#include "contracts/governance/query.h"
#include "contracts/governance/rules.h"
#include "rpc/error_codes.h"

namespace civic::rpc {

namespace json = boost::json;

Bytes AuthSignBytes(std::string_view chain_id, std::string_view audience, std::string_view method,
                    int64_t timestamp_ms, std::string_view nonce, std::string_view request) {
  std::string ts = std::to_string(timestamp_ms);
  Bytes out;
  out.reserve(kAuthDomain.size() + chain_id.size() + audience.size() + method.size() + ts.size() + nonce.size() +
              request.size() + 6);
  out.append(kAuthDomain).push_back('\0');
  out.append(chain_id).push_back('\0');
  out.append(audience).push_back('\0');
  out.append(method).push_back('\0');
  out.append(ts).push_back('\0');
  out.append(nonce).push_back('\0');
  out.append(request);
  return out;
}

json::object SignRequest(const crypto::KeyPair& key, std::string_view org, std::string_view chain_id,
                         std::string_view audience, std::string_view method, std::string_view request_text,
                         int64_t timestamp_ms, std::string nonce) {
  if (nonce.empty()) {
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    nonce = ToHex(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
  }
  Bytes sig = key.Sign(AuthSignBytes(chain_id, audience, method, timestamp_ms, nonce, request_text));
  json::object auth;
  auth["version"] = kAuthVersion;
  auth["org"] = org;
  auth["key"] = key.public_key().ToString();
  auth["audience"] = audience;
  auth["timestamp_ms"] = timestamp_ms;
  auth["nonce"] = nonce;
  auth["sig"] = ToHex(sig);
  json::object params;
  params["request"] = request_text;
  params["auth"] = std::move(auth);
  return params;
}

namespace {

Status Denied(const char* app, std::string message) { return Status::PermissionDenied(app, std::move(message)); }

Status AuthRequired(std::string why) {
  return Denied(err::AUTH_REQUIRED,
                "this method answers signed requests only ({\"request\": ..., \"auth\": {version, org, key, "
                "audience, timestamp_ms, nonce, sig}}): " +
                    why);
}

bool IsLowerHex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Result<std::string> AuthString(const json::object& auth, std::string_view name) {
  const json::value* v = auth.if_contains(name);
  if (v == nullptr || !v->is_string()) return AuthRequired("auth." + std::string(name) + " must be a string");
  return std::string(v->get_string());
}

}  // namespace

RequestAuthenticator::RequestAuthenticator(RequestAuthOptions options) : options_(std::move(options)) {
  options_.nonce_file.clear();  // only Configure opens one (it can fail)
}

Status RequestAuthenticator::Configure(RequestAuthOptions options) {
  std::lock_guard<std::mutex> lock(mu_);
  if (options.nonce_file.empty()) {
    log_.reset();
    options_ = std::move(options);
    return Status::Ok();
  }
  RequestAuthOptions previous = std::move(options_);
  options_ = std::move(options);
  std::vector<NonceEntry> live;
  auto log = NonceLog::Open(options_.nonce_file, Now(), &live);
  if (!log.ok()) {
    options_ = std::move(previous);
    return log.status();
  }
  log_ = std::move(log).value();
  nonces_.clear();
  expiry_.clear();
  per_org_.clear();
  for (NonceEntry& e : live) Insert(std::move(e));
  return Status::Ok();
}

int64_t RequestAuthenticator::Now() const {
  if (options_.clock) return options_.clock();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

size_t RequestAuthenticator::remembered_nonces() const {
  std::lock_guard<std::mutex> lock(mu_);
  return nonces_.size();
}

namespace {

std::string NonceKey(std::string_view org, std::string_view nonce) {
  std::string key(org);
  key.push_back('\0');
  key.append(nonce);
  return key;
}

}  // namespace

void RequestAuthenticator::Insert(NonceEntry entry) {
  std::string key = NonceKey(entry.org, entry.nonce);
  if (!nonces_.emplace(key, entry.forget_after_ms).second) return;
  expiry_.emplace(entry.forget_after_ms, std::move(key));
  ++per_org_[entry.org];
}

void RequestAuthenticator::Forget(int64_t now) {
  while (!expiry_.empty() && expiry_.begin()->first < now) {
    const std::string& key = expiry_.begin()->second;
    auto it = nonces_.find(key);
    if (it != nonces_.end() && it->second == expiry_.begin()->first) {
      std::string org = key.substr(0, key.find('\0'));
      if (--per_org_[org] == 0) per_org_.erase(org);
      nonces_.erase(it);
    }
    expiry_.erase(expiry_.begin());
  }
}

std::vector<NonceEntry> RequestAuthenticator::LiveEntries() const {
  std::vector<NonceEntry> out;
  out.reserve(expiry_.size());
  for (const auto& [forget_after, key] : expiry_) {
    size_t sep = key.find('\0');
    out.push_back({forget_after, key.substr(0, sep), key.substr(sep + 1)});
  }
  return out;
}

Result<bool> RequestAuthenticator::Remember(const std::string& org, const std::string& nonce, int64_t forget_after) {
  Forget(Now());
  if (nonces_.count(NonceKey(org, nonce))) return false;
  auto busy = [&](const std::string& who) {
    return Status::ResourceExhausted(err::AUTH_BUSY, "too many signed requests " + who + "in the last " +
                                                     std::to_string(options_.max_clock_skew.count() / 1000) +
                                                     " s; retry shortly");
  };
  if (nonces_.size() >= options_.max_nonces) return busy("");
  auto count = per_org_.find(org);
  if (count != per_org_.end() && count->second >= options_.max_nonces_per_org) return busy("from org " + org + " ");
  NonceEntry entry{forget_after, org, nonce};
  if (log_) {
    // Written and synced before the answer: a nonce the node forgot in a crash
    // could be replayed after the restart.
    CIVIC_RETURN_IF_ERROR(log_->Append(entry));
  }
  Insert(std::move(entry));
  // Keep the file proportional to the window: rewrite it once it holds more
  // dead lines than live ones.
  if (log_ && log_->appended() > 1024 && log_->appended() > 2 * nonces_.size()) {
    CIVIC_RETURN_IF_ERROR(log_->Compact(LiveEntries()));
  }
  return true;
}

Result<AuthenticatedRequest> RequestAuthenticator::Authenticate(std::string_view chain_id, std::string_view method,
                                                                const json::value& params,
                                                                const ledger::KvReader& state, pb::OrgRole role) {
  const json::object* envelope = params.if_object();
  if (envelope == nullptr || !envelope->contains("auth")) return AuthRequired("the params carry no \"auth\"");
  const json::value* request = envelope->if_contains("request");
  if (request == nullptr || !request->is_string()) {
    return AuthRequired("\"request\" must be the method's parameters as JSON text");
  }
  const json::object* auth = envelope->at("auth").if_object();
  if (auth == nullptr) return AuthRequired("\"auth\" must be an object");
  const json::value* version = auth->if_contains("version");
  if (version == nullptr || !version->is_int64() || version->get_int64() != kAuthVersion) {
    return Denied(err::AUTH_OLD_VERSION,
                  "only version 2 signed requests are accepted (\"version\": 2, signed over " + std::string(kAuthDomain) +
                      " with the chain id and the node's id as audience: chain_status node.node_id)");
  }
  CIVIC_ASSIGN_OR_RETURN(std::string org, AuthString(*auth, "org"));
  CIVIC_ASSIGN_OR_RETURN(std::string key_text, AuthString(*auth, "key"));
  CIVIC_ASSIGN_OR_RETURN(std::string audience, AuthString(*auth, "audience"));
  CIVIC_ASSIGN_OR_RETURN(std::string nonce, AuthString(*auth, "nonce"));
  CIVIC_ASSIGN_OR_RETURN(std::string sig_hex, AuthString(*auth, "sig"));
  const json::value* ts = auth->if_contains("timestamp_ms");
  if (ts == nullptr || !(ts->is_int64() || (ts->is_uint64() && ts->get_uint64() <= INT64_MAX))) {
    return AuthRequired("auth.timestamp_ms must be an integer (ms since the epoch)");
  }
  const int64_t timestamp = ts->is_int64() ? ts->get_int64() : static_cast<int64_t>(ts->get_uint64());
  if (nonce.size() != 32 || !IsLowerHex(nonce)) {
    return AuthRequired("auth.nonce must be 32 lower-case hex characters");
  }

  std::chrono::milliseconds skew;
  int64_t now;
  std::string own_audience;
  {
    std::lock_guard<std::mutex> lock(mu_);
    skew = options_.max_clock_skew;
    now = Now();
    own_audience = options_.audience;
  }
  if (own_audience.empty() || audience != own_audience) {
    return Denied(err::AUTH_WRONG_AUDIENCE, "the request was signed for node \"" + audience.substr(0, 80) +
                                             "\"; this node is \"" + own_audience +
                                             "\" (chain_status node.node_id): sign it for this node");
  }
  if (timestamp < now - skew.count() || timestamp > now + skew.count()) {
    return Denied(err::AUTH_STALE_TIMESTAMP, "the request was signed at " + std::to_string(timestamp) + " ms, more than " +
                                              std::to_string(skew.count() / 1000) + " s from the node's clock (" +
                                              std::to_string(now) + " ms); sign it again");
  }

  auto key = crypto::PublicKey::Parse(key_text);
  if (!key.ok()) return Denied(err::AUTH_UNKNOWN_KEY, "auth.key is not a public key: " + key.status().message());
  auto record = contracts::GetOrg(state, org);
  if (!record.ok()) {
    if (record.status().app_code() == err::UNKNOWN_ORG) {
      return Denied(err::AUTH_UNKNOWN_KEY, "no organisation " + org.substr(0, 64) + " on this chain");
    }
    return record.status();
  }
  bool active = false;
  for (const auto& k : record->keys()) {
    if (k.algo() == static_cast<uint32_t>(key->algo) && k.key() == key->key) active = !k.revoked();
  }
  if (!active || record->removed()) {
    return Denied(err::AUTH_UNKNOWN_KEY, "key " + key->ToString() + " is not an active signing key of org " + org +
                                          (record->removed() ? " (the org was removed)" : ""));
  }
  auto sig = FromHex(sig_hex);
  Bytes message = AuthSignBytes(chain_id, audience, method, timestamp, nonce, request->get_string());
  if (!sig || !crypto::Verify(*key, message, *sig)) {
    return Denied(err::AUTH_BAD_SIGNATURE, "the signature does not verify for key " + key->ToString() + " over method " +
                                            std::string(method) + " on chain " + std::string(chain_id));
  }
  if (!contracts::HasRole(*record, role)) {
    return Denied(err::AUTH_NOT_AUDITOR,
                  "org " + org + " (" + record->name() + ") does not hold the " + contracts::EnumUpperName(role) + " role");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    CIVIC_ASSIGN_OR_RETURN(bool fresh, Remember(org, nonce, timestamp + skew.count()));
    if (!fresh) return Denied(err::AUTH_REPLAYED_NONCE, "nonce " + nonce + " was used before; sign a new request");
  }

  AuthenticatedRequest out;
  boost::system::error_code ec;
  out.params = json::parse(std::string_view(request->get_string()), ec);
  if (ec || !(out.params.is_object() || out.params.is_array())) {
    return Status::InvalidArgument(err::INVALID_PARAMS, "\"request\" must be a JSON object (the method's parameters)");
  }
  out.org = std::move(org);
  out.key = std::move(*key);
  out.org_record = std::move(*record);
  out.request_text = std::string(request->get_string());
  return out;
}

RequestAuthenticator& SharedRequestAuthenticator() {
  static RequestAuthenticator authenticator;
  return authenticator;
}

}  // namespace civic::rpc
