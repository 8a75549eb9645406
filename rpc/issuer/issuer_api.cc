#include "rpc/issuer/issuer_api.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>

#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "contracts/certificate/calls.h"
#include "contracts/certificate/query.h"
#include "crypto/base/log_text.h"
#include "crypto/hash.h"
#include "ledger/errors.h"
#include "ledger/tx.h"
#include "rpc/codec/holder_certificate.h"
#include "rpc/error_codes.h"
#include "rpc/issuer/request.h"
#include "rpc/rest_routes.h"

namespace civic::rpc {
namespace json = boost::json;

struct IssuerApi::Call {
  IssuerAction action = IssuerAction::kIssue;
  bool batch = false;
  std::string cert_id;    // the certificate a non-issue action is about
  std::string type_code;  // what the scope is checked against
  bool wait = false;
  IssuerToken token;
  std::string idempotency_key;
  std::string client;
  Bytes request_hash;
  IssueBody issue;
  NewVersionBody version;
  StatusChangeBody change;
};

struct IssuerApi::Prepared {
  Bytes raw_tx;
  Bytes tx_id;
  std::vector<contracts::HolderCertificate> copies;  // the holders' material (issue, renew, replace)
  std::string next_id;                               // renew, replace
  bool replayed = false;
  std::optional<pb::TxLocation> location;            // set once committed
};

namespace {

constexpr std::string_view kRoot = "/v1/issuer/certificates";
constexpr size_t kMaxIdempotencyKeyBytes = 128;

int64_t SystemClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The action and certificate a path names. NO_SUCH_ROUTE for anything else.
Status RouteOf(std::string_view path, IssuerAction* action, bool* batch, std::string* cert_id) {
  auto none = [&] {
    return Status::NotFound(err::NO_SUCH_ROUTE, "no issuer API route " + std::string(path.substr(0, 200)));
  };
  if (path == kRoot) {
    *action = IssuerAction::kIssue;
    return Status::Ok();
  }
  if (!path.starts_with(std::string(kRoot) + "/")) return none();
  std::string_view rest = path.substr(kRoot.size() + 1);
  if (rest == "batch") {
    *action = IssuerAction::kIssue;
    *batch = true;
    return Status::Ok();
  }
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return none();
  std::string_view verb = rest.substr(slash + 1);
  static constexpr std::pair<std::string_view, IssuerAction> kVerbs[] = {
      {"renew", IssuerAction::kRenew},     {"replace", IssuerAction::kReplace},
      {"suspend", IssuerAction::kSuspend}, {"reinstate", IssuerAction::kReinstate},
      {"revoke", IssuerAction::kRevoke}};
  for (const auto& [name, a] : kVerbs) {
    if (verb != name) continue;
    *action = a;
    *cert_id = std::string(rest.substr(0, slash));
    return Status::Ok();
  }
  return none();
}

Result<bool> WaitParam(std::string_view query) {
  if (query.empty() || query == "wait=false") return false;
  if (query == "wait=true") return true;
  return Status::InvalidArgument(err::INVALID_PARAMS, "the only query parameter is wait=true or wait=false");
}

Status CheckIdempotencyKey(const IssuerHttpRequest& request) {
  if (!request.has_idempotency_key) {
    return Status::InvalidArgument(err::IDEMPOTENCY_KEY_MISSING,
                                   "send an Idempotency-Key header (1-128 printable characters) with every call, "
                                   "the same one when you retry");
  }
  const std::string& key = request.idempotency_key;
  bool printable = !key.empty() && key.size() <= kMaxIdempotencyKeyBytes;
  for (char c : key) printable = printable && c >= 0x20 && c <= 0x7e;
  if (!printable) {
    return Status::InvalidArgument(err::IDEMPOTENCY_KEY_MALFORMED,
                                   "the Idempotency-Key must be 1-128 printable ASCII characters");
  }
  return Status::Ok();
}

Bytes RequestHash(const std::string& token_id, const IssuerHttpRequest& request) {
  static constexpr std::string_view kSep("\0", 1);
  return crypto::Sha256Concat(
      {"civicledger/issuer-request/v1", kSep, token_id, kSep, request.method, kSep, request.path, kSep, request.body});
}

// Salts from a seed: the i-th is 16 bytes of SHA-256(seed || be32(i)), as NewSalt's 16 random bytes.
contracts::SaltSource DerivedSalts(const std::string& seed) {
  auto counter = std::make_shared<uint32_t>(0);
  return [seed, counter] {
    Bytes input = seed;
    PutBigEndian32(&input, (*counter)++);
    return Base64UrlEncode(crypto::Sha256(input).substr(0, 16));
  };
}

std::string StatusUrl(const Bytes& tx_id) { return "/v1/txs/" + ToHex(tx_id); }

// Takes what the chain settled on into a committed copy: its id (for a
// chain-assigned serial, found by holder commitment and issuing tx) and validity.
void SettleCopy(const ledger::KvReader& state, const Bytes& tx_id, contracts::HolderCertificate* copy) {
  if (copy->id.empty()) {
    auto page = contracts::ListByHolder(state, copy->Commitment(), "", contracts::kMaxPageSize);
    if (!page.ok()) return;
    for (const pb::Certificate& c : page->items) {
      if (c.type_code() == copy->type_code && c.issuing_tx_id() == tx_id) copy->id = c.id();
    }
  }
  if (copy->id.empty()) return;
  auto record = contracts::GetCertificate(state, copy->id);
  if (!record.ok()) return;
  copy->valid_from_ms = record->valid_from_ms();
  copy->valid_until_ms = record->valid_until_ms();
}

std::string IdsForLog(const std::string& cert_id, const std::vector<contracts::HolderCertificate>& copies) {
  if (!cert_id.empty()) return cert_id;
  if (copies.size() == 1) return copies[0].id.empty() ? "-" : copies[0].id;
  return copies.empty() ? "-" : copies.front().id + "..";
}

}  // namespace

int IssuerHttpStatus(const Status& status) {
  const std::string& code = status.app_code();
  if (code == err::ISSUER_TOKEN_MISSING || code == err::ISSUER_TOKEN_UNKNOWN || code == err::ISSUER_TOKEN_EXPIRED ||
      code == err::ISSUER_TOKEN_REVOKED) {
    return 401;
  }
  if (code == err::METHOD_NOT_ALLOWED) return 405;
  return RestErrorHttpStatus(status);
}

IssuerApi::IssuerApi(IssuerApiOptions options, crypto::KeyPair org_key, NodeBackend* node, TrustedProxies allowed,
                     std::unique_ptr<IdempotencyStore> store)
    : options_(std::move(options)),
      org_key_(std::move(org_key)),
      node_(node),
      allowed_(std::move(allowed)),
      tokens_(options_.tokens_file),
      store_(std::move(store)) {}

IssuerApi::~IssuerApi() = default;

Result<std::unique_ptr<IssuerApi>> IssuerApi::Create(IssuerApiOptions options, crypto::KeyPair org_key,
                                                     NodeBackend* node) {
  CIVIC_ASSIGN_OR_RETURN(TrustedProxies allowed, TrustedProxies::Parse(options.allowed_clients));
  CIVIC_ASSIGN_OR_RETURN(std::unique_ptr<IdempotencyStore> store,
                         IdempotencyStore::Open(options.store_dir, options.idempotency));
  if (!options.clock) options.clock = SystemClockMs;
  return std::unique_ptr<IssuerApi>(
      new IssuerApi(std::move(options), std::move(org_key), node, std::move(allowed), std::move(store)));
}

Status IssuerApi::Admit(const IssuerHttpRequest& request, Call* out) {
  Call& call = *out;
  CIVIC_RETURN_IF_ERROR(RouteOf(request.path, &call.action, &call.batch, &call.cert_id));
  if (request.method != "POST") {
    return Status::InvalidArgument(err::METHOD_NOT_ALLOWED, "issuer API calls are POST requests");
  }
  CIVIC_ASSIGN_OR_RETURN(call.wait, WaitParam(request.query));
  CIVIC_ASSIGN_OR_RETURN(call.token, tokens_.Authenticate(request.authorization, options_.clock()));
  CIVIC_RETURN_IF_ERROR(CheckIdempotencyKey(request));
  call.idempotency_key = request.idempotency_key;
  switch (call.action) {
    case IssuerAction::kIssue: {
      CIVIC_ASSIGN_OR_RETURN(call.issue,
                             call.batch ? DecodeIssueBatchBody(request.body) : DecodeIssueBody(request.body));
      call.type_code = call.issue.type_code;
      break;
    }
    case IssuerAction::kRenew:
    case IssuerAction::kReplace: {
      CIVIC_ASSIGN_OR_RETURN(call.version, DecodeNewVersionBody(request.body, call.action == IssuerAction::kReplace));
      break;
    }
    default: {
      CIVIC_ASSIGN_OR_RETURN(call.change, DecodeStatusChangeBody(request.body));
    }
  }
  if (!call.cert_id.empty()) {
    CIVIC_ASSIGN_OR_RETURN(contracts::CertId id, contracts::ParseCertId(call.cert_id));
    call.type_code = id.type_code;
  }
  if (!ScopeAllows(call.token.scopes, call.action, call.type_code)) {
    return Status::PermissionDenied(err::ISSUER_SCOPE_DENIED, std::string("token ") + call.token.id + " may not " +
                                                                  IssuerActionName(call.action) + " type " +
                                                                  call.type_code);
  }
  call.request_hash = RequestHash(call.token.id, request);
  return Status::Ok();
}

Result<IssuerApi::Prepared> IssuerApi::Prepare(const Call& call, const std::string& salt_seed) {
  const ledger::Chain& chain = node_->chain();
  const ledger::KvReader& state = chain.state();
  contracts::SaltSource salts = DerivedSalts(salt_seed);
  contracts::TxParams params;
  params.chain_id = chain.options().chain_id;
  params.org = options_.org;
  params.valid_until_height = chain.tip().height + std::min(options_.valid_blocks, chain.options().replay_window);
  Prepared out;
  pb::CertificateCall cert_call;
  switch (call.action) {
    case IssuerAction::kIssue: {
      CIVIC_ASSIGN_OR_RETURN(pb::CertType type, contracts::GetCertType(state, call.type_code));
      std::vector<pb::CertIssueItem> items;
      for (size_t i = 0; i < call.issue.certificates.size(); ++i) {
        auto prepared = contracts::PrepareIssue(type, options_.org, call.issue.certificates[i], salts);
        if (!prepared.ok()) {
          const Status& st = prepared.status();
          if (!call.batch) return st;
          return Status(st.code(), st.app_code(), "certificates[" + std::to_string(i) + "]: " + st.message());
        }
        out.copies.push_back(std::move(prepared->copy));
        items.push_back(std::move(prepared->item));
      }
      cert_call = contracts::IssueCall(std::move(items));
      break;
    }
    case IssuerAction::kRenew:
    case IssuerAction::kReplace: {
      CIVIC_ASSIGN_OR_RETURN(out.next_id, contracts::NextVersionId(call.cert_id));
      const NewVersionBody& v = call.version;
      std::optional<contracts::HolderCertificate> updated;
      if (v.holder_certificate) {
        const contracts::HolderCertificate& copy = *v.holder_certificate;
        if (!copy.id.empty() && copy.id != call.cert_id) {
          return Status::InvalidArgument(err::ISSUER_BODY_MALFORMED, "holder_certificate is the copy of " + copy.id +
                                                                         ", not of " + call.cert_id);
        }
        CIVIC_RETURN_IF_ERROR(contracts::ValidateHolderCertificate(copy));
        if (!v.fields.empty()) {
          CIVIC_ASSIGN_OR_RETURN(pb::CertType type, contracts::GetCertType(state, copy.type_code));
          CIVIC_RETURN_IF_ERROR(contracts::CheckFieldsAgainstType(v.fields, type, false));
          std::map<std::string, std::string> merged;
          for (const auto& f : copy.fields) merged[f.name] = f.value;
          for (const auto& [n, value] : v.fields) merged[n] = value;
          // Fresh salts: the new version's digests must not be linkable to the old ones.
          updated = contracts::NewHolderCertificate(copy.type_code, copy.issuer_org, copy.holder_code_type,
                                                    copy.holder_code, merged, salts);
        }
        contracts::HolderCertificate next = updated ? *updated : copy;
        next.id = out.next_id;
        next.valid_from_ms = v.valid_from_ms;
        next.valid_until_ms = v.valid_until_ms;
        out.copies.push_back(std::move(next));
      }
      const contracts::HolderCertificate* change = updated ? &*updated : nullptr;
      cert_call = call.action == IssuerAction::kReplace
                      ? contracts::ReplaceCall(call.cert_id, change, v.reason, v.valid_from_ms, v.valid_until_ms)
                      : contracts::RenewCall(call.cert_id, change, v.valid_from_ms, v.valid_until_ms);
      break;
    }
    case IssuerAction::kSuspend:
      cert_call = contracts::SuspendCall(call.cert_id, call.change.reason);
      break;
    case IssuerAction::kReinstate:
      cert_call = contracts::ReinstateCall(call.cert_id, call.change.reason);
      break;
    case IssuerAction::kRevoke:
      cert_call = contracts::RevokeCall(call.cert_id, call.change.reason);
      break;
  }
  out.raw_tx = contracts::CertificateTx(params, cert_call, org_key_);
  out.tx_id = ledger::TxId(out.raw_tx);
  return out;
}

Result<IssuerApi::Prepared> IssuerApi::Record(const Call& call) {
  static constexpr std::string_view kSep("\0", 1);
  const std::string seed = crypto::Sha256Concat({"civicledger/issuer-salts/v1", kSep, org_key_.secret(), kSep,
                                                 call.token.id, kSep, call.idempotency_key, kSep, call.request_hash});
  const int64_t now = options_.clock();
  std::lock_guard<std::mutex> lock(mutate_mu_);
  CIVIC_ASSIGN_OR_RETURN(std::optional<IdempotencyRecord> seen, store_->Find(call.token.id, call.idempotency_key, now));
  if (seen) {
    if (seen->request_hash != call.request_hash) {
      return Status::AlreadyExists(err::IDEMPOTENCY_KEY_REUSED,
                                   "this Idempotency-Key was used with another request (tx " + ToHex(seen->tx_id) +
                                       "); use a new key for a new request");
    }
    // The same request again: the same tx and the same holder material (the salts are derived).
    CIVIC_ASSIGN_OR_RETURN(Prepared again, Prepare(call, seed));
    again.raw_tx = seen->raw_tx;
    again.tx_id = seen->tx_id;
    again.replayed = true;
    if (!node_->chain().GetTx(again.tx_id).ok()) {
      // Not committed: send it again in case the node lost it (a restart empties the mempool).
      auto sent = node_->SubmitTx(again.raw_tx);
      if (!sent.ok() && sent.status().app_code() != err::TX_IN_MEMPOOL) {
        spdlog::warn("event=issuer_resend tx={} code={}", ToHex(again.tx_id), sent.status().app_code());
      }
    }
    return again;
  }
  CIVIC_ASSIGN_OR_RETURN(Prepared fresh, Prepare(call, seed));
  IdempotencyRecord record;
  record.request_hash = call.request_hash;
  record.tx_id = fresh.tx_id;
  record.raw_tx = fresh.raw_tx;
  record.answer =
      json::serialize(json::object{{"tx_id", ToHex(fresh.tx_id)}, {"action", IssuerActionName(call.action)}});
  record.created_ms = now;
  // Recorded before it is sent: a crash after the send cannot make a retry issue again.
  CIVIC_RETURN_IF_ERROR(store_->Put(call.token.id, call.idempotency_key, record));
  auto sent = node_->SubmitTx(fresh.raw_tx);
  if (!sent.ok() && sent.status().app_code() != err::TX_IN_MEMPOOL) {
    // Refused at admission: nothing was issued, so the key is free for a corrected retry.
    Status erased = store_->Erase(call.token.id, call.idempotency_key);
    if (!erased.ok()) spdlog::warn("event=issuer_store_error code={}", erased.app_code());
    return sent.status();
  }
  return fresh;
}

void IssuerApi::Handle(IssuerHttpRequest request, std::function<void(IssuerHttpAnswer)> done) {
  auto call = std::make_shared<Call>();
  call->client = request.identity.client_address;
  // Only the department's own systems: refused before anything of the request is read.
  if (!allowed_.Contains(request.identity.client_address)) {
    return Answer(*call, Prepared{},
                  Status::PermissionDenied(err::ISSUER_CLIENT_NOT_ALLOWED,
                                           "this node's issuer API does not accept calls from this address"),
                  done);
  }
  // What is known of a refused call (the token once authenticated) goes to the log.
  Status admitted = Admit(request, call.get());
  if (!admitted.ok()) return Answer(*call, Prepared{}, admitted, done);
  auto prepared = Record(*call);
  if (!prepared.ok()) return Answer(*call, Prepared{}, prepared.status(), done);
  Finish(call, std::move(prepared).value(), std::move(done));
}

void IssuerApi::Finish(std::shared_ptr<Call> call, Prepared prepared, std::function<void(IssuerHttpAnswer)> done) {
  if (!call->wait) return Answer(*call, prepared, Status::Ok(), done);
  Bytes tx_id = prepared.tx_id;
  auto shared = std::make_shared<Prepared>(std::move(prepared));
  node_->AwaitCommit(tx_id, std::chrono::milliseconds(options_.commit_timeout_ms),
                     [this, call, shared, done](Result<pb::TxLocation> location) {
                       if (!location.ok()) {
                         Status st = location.status();
                         if (st.code() == Code::kDeadlineExceeded) {
                           st = Status::DeadlineExceeded(err::COMMIT_TIMEOUT,
                                                         "the tx was not committed within the wait; it may still "
                                                         "commit (see status_url), and a retry with the same "
                                                         "Idempotency-Key answers for the same tx");
                         }
                         return Answer(*call, *shared, st, done);
                       }
                       const pb::TxResult& result = location->result();
                       if (result.code() != 0) {
                         return Answer(*call, *shared,
                                       Status(static_cast<Code>(result.code()), result.app_code(),
                                              "the tx is in block " + std::to_string(location->height()) +
                                                  " and changed nothing: " + result.message()),
                                       done);
                       }
                       shared->location = *location;
                       const ledger::KvReader& state = node_->chain().state();
                       for (auto& copy : shared->copies) SettleCopy(state, shared->tx_id, &copy);
                       Answer(*call, *shared, Status::Ok(), done);
                     });
}

void IssuerApi::Answer(const Call& call, const Prepared& prepared, const Status& status,
                       const std::function<void(IssuerHttpAnswer)>& done) {
  const bool has_tx = !prepared.tx_id.empty();
  spdlog::info(
      "event=issuer_call client={} token={} label=\"{}\" action={} ids={} count={} tx={} replayed={} "
      "committed={} result={}",
      LogText(call.client, 64), call.token.id.empty() ? "-" : call.token.id, LogText(call.token.label, 100),
      call.token.id.empty() ? "-" : IssuerActionName(call.action),
      LogText(IdsForLog(call.cert_id, prepared.copies), 160),
      call.issue.certificates.size(), has_tx ? ToHex(prepared.tx_id) : "-", prepared.replayed,
      prepared.location.has_value(), status.ok() ? "OK" : status.app_code());

  IssuerHttpAnswer answer;
  if (!status.ok()) {
    json::value body = json::parse(RestErrorBody(status));
    if (has_tx) {
      body.as_object()["tx_id"] = ToHex(prepared.tx_id);
      body.as_object()["status_url"] = StatusUrl(prepared.tx_id);
    }
    answer.status = IssuerHttpStatus(status);
    answer.body = json::serialize(body);
    return done(std::move(answer));
  }
  json::object body{{"tx_id", ToHex(prepared.tx_id)},
                    {"status_url", StatusUrl(prepared.tx_id)},
                    {"action", IssuerActionName(call.action)},
                    {"replayed", prepared.replayed},
                    {"committed", prepared.location.has_value()}};
  if (prepared.location) body["height"] = prepared.location->height();
  if (call.action == IssuerAction::kIssue) {
    json::array certificates;
    for (const auto& copy : prepared.copies) {
      certificates.push_back(json::object{{"id", copy.id}, {"holder_certificate", HolderCertificateToJson(copy)}});
    }
    body["certificates"] = std::move(certificates);
  } else {
    body["id"] = prepared.next_id.empty() ? call.cert_id : prepared.next_id;
    if (!prepared.next_id.empty()) body["previous_id"] = call.cert_id;
    if (!prepared.copies.empty()) body["holder_certificate"] = HolderCertificateToJson(prepared.copies.front());
  }
  answer.status = prepared.location ? 200 : 202;
  answer.body = json::serialize(body);
  done(std::move(answer));
}

}  // namespace civic::rpc
