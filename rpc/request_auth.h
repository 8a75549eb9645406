// Signed JSON-RPC requests: the caller proves that it holds an active signing key
// of an organisation, and the node checks that organisation's role in chain state
// before answering (auditor queries, and any other method that needs it).
//
// The scheme is the web console's (web/src/lib/auth.js, web/README.md), version 2:
//   params = {"request": "<the method's own parameters as JSON text>",
//             "auth": {"version": 2, "org": "<USCC>", "key": "<algo>:<hex public key>",
//                      "audience": "<the node's id>", "timestamp_ms": <integer>,
//                      "nonce": "<32 lower-case hex>", "sig": "<hex signature>"}}
//   signed bytes = "civicledger/rpc-auth/v2" 0x00 chain_id 0x00 audience 0x00
//                  method 0x00 decimal(timestamp_ms) 0x00 nonce 0x00 request
// The audience is what the node calls itself (chain_status node.node_id, its
// node key "ed25519:<hex>"), so a request signed for one node is refused by every
// other; the chain id keeps it off other chains. `request` is signed as the exact
// text sent (nothing is re-serialised); the signature is crypto::Verify(key,
// signed bytes, sig).
//
// Checks, in order (the first failure is returned, all PERMISSION_DENIED):
//   AUTH_REQUIRED         no envelope, or a malformed one (the message says what)
//   AUTH_OLD_VERSION      an envelope without "version": 2 (version 1 named
//                         neither the node nor a durable window, so it is refused)
//   AUTH_WRONG_AUDIENCE   signed for another node (or for no node)
//   AUTH_STALE_TIMESTAMP  timestamp_ms more than max_clock_skew from the node's clock
//   AUTH_UNKNOWN_KEY      the key is not an active key of `org` (unknown org, other
//                         org's key, revoked key, removed org)
//   AUTH_BAD_SIGNATURE    the signature does not verify (also: another chain id)
//   AUTH_NOT_AUDITOR      the org lacks the required role (AUDITOR by default)
//   AUTH_REPLAYED_NONCE   the org's nonce was accepted before within the window
// then `request` must parse as a JSON object or array (INVALID_PARAMS otherwise).
// A nonce is remembered only when a request passed every check, until its
// timestamp + skew (after which the timestamp check refuses a replay). With a
// nonce file it is written and synced there before the answer (NonceLog), and
// read back at start, so a restart does not reopen the window; if the file cannot
// be written the request is refused (AUTH_NONCE_LOG, UNAVAILABLE). The cache
// holds at most max_nonces, and at most max_nonces_per_org for one org: beyond
// that a new request gets AUTH_BUSY (RESOURCE_EXHAUSTED) and may retry, rather
// than the node forgetting a nonce that could then be replayed.
//
// RPC auth is outside consensus: the node's wall clock is the reference (a clock
// can be injected for tests and documentation examples).
// Thread safety: Authenticate and Configure may be called from any thread.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <memory>
#include <unordered_map>

#include "contracts/governance/governance.pb.h"
#include "crypto/signature.h"
#include "ledger/kv.h"
#include "rpc/nonce_log.h"

namespace civic::rpc {

constexpr std::string_view kAuthDomain = "civicledger/rpc-auth/v2";
constexpr int64_t kAuthVersion = 2;

struct RequestAuthOptions {
  // What this node calls itself; requests must be signed for it. Empty = every
  // request is refused with AUTH_WRONG_AUDIENCE.
  std::string audience;
  std::chrono::milliseconds max_clock_skew{60'000};
  size_t max_nonces = 100'000;         // ~1600 signed requests a second over a 60 s window
  size_t max_nonces_per_org = 20'000;  // one org cannot fill the whole cache
  // Where accepted nonces are kept across restarts (NonceLog); empty = memory only.
  std::string nonce_file;
  // Milliseconds since the Unix epoch; empty = the system clock.
  std::function<int64_t()> clock;
};

struct AuthenticatedRequest {
  std::string org;
  crypto::PublicKey key;
  pb::Org org_record;
  std::string request_text;
  boost::json::value params;  // `request` parsed
};

// The bytes a caller signs.
Bytes AuthSignBytes(std::string_view chain_id, std::string_view audience, std::string_view method,
                    int64_t timestamp_ms, std::string_view nonce, std::string_view request);

// Client side: the signed params for `method` on the node `audience` with
// `request_text` as the method's parameters. An empty nonce is replaced by 16
// random bytes (hex).
boost::json::object SignRequest(const crypto::KeyPair& key, std::string_view org, std::string_view chain_id,
                                std::string_view audience, std::string_view method, std::string_view request_text,
                                int64_t timestamp_ms, std::string nonce = "");

class RequestAuthenticator {
 public:
  // Memory only: options.nonce_file is ignored here (Configure opens it).
  explicit RequestAuthenticator(RequestAuthOptions options = {});

  // Replaces the options. With a nonce_file the remembered nonces become that
  // file's live entries (AUTH_NONCE_LOG if it cannot be opened; the old options
  // stay); without one the nonces seen so far are kept.
  Status Configure(RequestAuthOptions options);

  // Checks the signed `params` of a call to `method` on chain `chain_id` against
  // `state`, requiring `role` of the signing org.
  Result<AuthenticatedRequest> Authenticate(std::string_view chain_id, std::string_view method,
                                            const boost::json::value& params, const ledger::KvReader& state,
                                            pb::OrgRole role = pb::ROLE_AUDITOR);

  size_t remembered_nonces() const;

 private:
  int64_t Now() const;
  // Records `org`'s `nonce` if it is new; false if it was seen within the window.
  Result<bool> Remember(const std::string& org, const std::string& nonce, int64_t forget_after);
  void Forget(int64_t now);
  void Insert(NonceEntry entry);
  std::vector<NonceEntry> LiveEntries() const;

  mutable std::mutex mu_;
  RequestAuthOptions options_;
  std::unique_ptr<NonceLog> log_;
  // Key: org 0x00 nonce.
  std::unordered_map<std::string, int64_t> nonces_;  // key -> forget after (ms)
  std::multimap<int64_t, std::string> expiry_;       // forget after (ms) -> key
  std::map<std::string, size_t> per_org_;            // org -> remembered nonces
};

// The node-wide authenticator the sharing_* methods use (and the node
// configures at start-up).
RequestAuthenticator& SharedRequestAuthenticator();

}  // namespace civic::rpc
