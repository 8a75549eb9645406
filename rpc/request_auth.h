// Signed JSON-RPC requests: the caller proves that it holds an active signing key
// of an organisation, and the node checks that organisation's role in chain state
// before answering (auditor queries, and any other method that needs it).
//
// The scheme is the web console's (web/src/lib/auth.js, web/README.md):
//   params = {"request": "<the method's own parameters as JSON text>",
//             "auth": {"org": "<USCC>", "key": "<algo>:<hex public key>",
//                      "timestamp_ms": <integer>, "nonce": "<32 lower-case hex>",
//                      "sig": "<hex signature>"}}
//   signed bytes = "civicledger/rpc-auth/v1" 0x00 chain_id 0x00 method 0x00
//                  decimal(timestamp_ms) 0x00 nonce 0x00 request
// `request` is signed as the exact text sent (nothing is re-serialised); the
// signature is crypto::Verify(key, signed bytes, sig).
//
// Checks, in order (the first failure is returned, all PERMISSION_DENIED):
//   AUTH_REQUIRED         no envelope, or a malformed one (the message says what)
//   AUTH_STALE_TIMESTAMP  timestamp_ms more than max_clock_skew from the node's clock
//   AUTH_UNKNOWN_KEY      the key is not an active key of `org` (unknown org, other
//                         org's key, revoked key, removed org)
//   AUTH_BAD_SIGNATURE    the signature does not verify
//   AUTH_NOT_AUDITOR      the org lacks the required role (AUDITOR by default)
//   AUTH_REPLAYED_NONCE   the nonce was accepted before within the skew window
// then `request` must parse as a JSON object or array (INVALID_PARAMS otherwise).
// A nonce is remembered only when a request passed every check, until its
// timestamp + skew (after which the timestamp check refuses a replay). The cache
// holds at most max_nonces: when it is full of live nonces a new request gets
// AUTH_BUSY (RESOURCE_EXHAUSTED) and may retry, rather than the node forgetting
// a nonce that could then be replayed.
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
#include <unordered_map>

#include "contracts/governance/governance.pb.h"
#include "crypto/signature.h"
#include "ledger/kv.h"

namespace civic::rpc {

constexpr std::string_view kAuthDomain = "civicledger/rpc-auth/v1";

struct RequestAuthOptions {
  std::chrono::milliseconds max_clock_skew{300'000};
  size_t max_nonces = 100'000;  // ~330 signed requests a second over a 300 s window
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
Bytes AuthSignBytes(std::string_view chain_id, std::string_view method, int64_t timestamp_ms, std::string_view nonce,
                    std::string_view request);

// Client side: the signed params for `method` with `request_text` as the
// method's parameters. An empty nonce is replaced by 16 random bytes (hex).
boost::json::object SignRequest(const crypto::KeyPair& key, std::string_view org, std::string_view chain_id,
                                std::string_view method, std::string_view request_text, int64_t timestamp_ms,
                                std::string nonce = "");

class RequestAuthenticator {
 public:
  explicit RequestAuthenticator(RequestAuthOptions options = {});

  // Replaces the options (the nonces seen so far are kept).
  void Configure(RequestAuthOptions options);

  // Checks the signed `params` of a call to `method` on chain `chain_id` against
  // `state`, requiring `role` of the signing org.
  Result<AuthenticatedRequest> Authenticate(std::string_view chain_id, std::string_view method,
                                            const boost::json::value& params, const ledger::KvReader& state,
                                            pb::OrgRole role = pb::ROLE_AUDITOR);

  size_t remembered_nonces() const;

 private:
  int64_t Now() const;
  // Records `nonce` if it is new; false if it was seen within the window.
  Result<bool> Remember(const std::string& nonce, int64_t now_ms);

  mutable std::mutex mu_;
  RequestAuthOptions options_;
  std::unordered_map<std::string, int64_t> nonces_;  // nonce -> forget after (ms)
  std::multimap<int64_t, std::string> expiry_;       // forget after (ms) -> nonce
};

// The node-wide authenticator the sharing_* methods use (and the node
// configures at start-up).
RequestAuthenticator& SharedRequestAuthenticator();

}  // namespace civic::rpc
