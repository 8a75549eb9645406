// Node configuration: one TOML file per node.
//
//   [node]       moniker, data_dir, key_file, key_passphrase_env, genesis_file,
//                log_level, log_file
//   [rpc]        listen, threads, max_body_bytes, max_inflight_body_bytes, max_batch, max_connections_per_ip,
//                header_timeout_ms, ws_allowed_origins, ws_max_subscriptions_per_ip, rate_limit_per_sec,
//                rate_limit_burst, trusted_proxies,
//                commit_timeout_ms, auth_window_ms, web_root, cors_origins,
//                tls_cert_file, tls_key_file, tls_client_ca_file
//   [mempool]    max_txs, max_bytes, verify_threads
//   [consensus]  block_interval_ms, max_block_txs, max_block_bytes, timeout_*_ms
//   [p2p]        listen, peers = ["ed25519:<hex>@host:port", ...],
//                observers = ["ed25519:<hex>", ...]
//   [webhooks]   targets = ["https://host/path", ...], secret_file, issuers, timeout_ms
//   [issuer]     enabled, org, org_key_file, org_key_passphrase_env, tokens_file,
//                allowed_clients (the issuer API, rpc/issuer/issuer_api.h)
//
// Engine choice (node/bft_engine.h WantsBftEngine): a node runs the BFT engine
// when the genesis (or the chain tip) names more than one validator or [p2p]
// lists any peer; observers always list peers, so they run it too. A chain of
// one validator with no peers runs the one-validator engine (node/solo_engine.h),
// which commits without any network round trip; that node must hold the
// validator's key (else NOT_SOLE_VALIDATOR). To grow such a chain into a
// network, add [p2p] peers and restart it before governance adds validators.
//
// Only [node] data_dir, key_file and genesis_file are required; every other key
// has the default shown by FormatConfig(Config{}). Relative paths resolve against
// the folder of the config file. Unknown sections and keys are errors (a typo must
// not silently fall back to a default).
//
// Every bad value gives a typed error whose message names the file, the line and
// the key: CONFIG_UNREADABLE, CONFIG_SYNTAX, CONFIG_UNKNOWN_KEY, CONFIG_MISSING_KEY,
// CONFIG_BAD_TYPE, CONFIG_BAD_VALUE. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/signature.h"
#include "crypto/base/status.h"

namespace civic::node {

// "host:port" or "[ipv6]:port". The host is kept as written (a name or a literal).
struct HostPort {
  std::string host;
  uint16_t port = 0;
  bool operator==(const HostPort&) const = default;
  // "127.0.0.1:26657", "[::1]:26657"
  std::string ToString() const;
};
// Typed error CONFIG_BAD_VALUE (message without location; callers add it).
Result<HostPort> ParseHostPort(std::string_view text);

// A persistent peer: "<node key>@host:port", e.g. "ed25519:ab12..@10.1.2.3:26656".
struct PeerAddress {
  crypto::PublicKey node_id;
  HostPort address;
  bool operator==(const PeerAddress&) const = default;
  std::string ToString() const;
};
Result<PeerAddress> ParsePeerAddress(std::string_view text);

struct NodeSection {
  std::string moniker = "civicd";
  std::string data_dir;       // absolute after loading
  std::string key_file;       // absolute after loading; ed25519 node key
  std::string key_passphrase_env;  // name of an environment variable; empty = plain key file
  std::string genesis_file;   // absolute after loading
  std::string log_level = "info";  // trace | debug | info | warn | error | critical | off
  std::string log_file;       // empty = stderr; absolute after loading
};

struct RpcSection {
  HostPort listen{"127.0.0.1", 26657};
  int threads = 4;
  size_t max_body_bytes = 1u << 20;  // clients split bulk work into txs that fit
  // Request bodies in flight, all clients together (rpc/body_budget.h); at least max_body_bytes.
  size_t max_inflight_body_bytes = 64u << 20;
  size_t max_batch = 100;
  size_t max_connections_per_ip = 32;  // 0 = no cap
  uint32_t header_timeout_ms = 10000;  // to send a whole request header
  // Origins whose pages may open /ws; empty = the node's own origin only.
  std::vector<std::string> ws_allowed_origins;
  size_t ws_max_subscriptions_per_ip = 16;  // WebSocket subscriptions one client address holds; 0 = no cap
  // Calls per second per client address (0 = unlimited) and the bucket size
  // (a client may spend that many at once).
  uint32_t rate_limit_per_sec = 100;
  uint32_t rate_limit_burst = 400;
  // Reverse proxies in front of the node ("10.0.0.5", "10.0.0.0/8", "fd00::/8"):
  // requests from them count against the client X-Forwarded-For names.
  std::vector<std::string> trusted_proxies;
  uint32_t commit_timeout_ms = 30000; // longest tx_commit wait a client may ask for
  // Signed (auditor) requests: how far their timestamp may be from the node's
  // clock, and so how long their nonces are kept (rpc/request_auth.h).
  uint32_t auth_window_ms = 60000;
  std::string web_root;               // empty = no static files; absolute after loading
  // Browser origins whose pages may call /rpc and /v1 (exact "https://host[:port]"); empty = none.
  std::vector<std::string> cors_origins;
  // TLS on the RPC port: PEM certificate (chain) and key, both or neither
  // (empty = plain HTTP); absolute after loading. With tls_client_ca_file, a
  // client must present a certificate that CA signed (mutual TLS).
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
};

struct MempoolSection {
  size_t max_txs = 20000;
  size_t max_bytes = 256u << 20;
  int verify_threads = 2;
};

// The largest max_block_bytes: a proposal (block plus its envelope) must fit in
// one WAL record (consensus/wal.h kMaxWalRecordBytes).
constexpr size_t kMaxBlockBytesForWal = 63u << 20;

struct ConsensusSection {
  uint32_t block_interval_ms = 1000;  // an empty block after this much idle time
  size_t max_block_txs = 5000;
  size_t max_block_bytes = 32u << 20;
  // Used by the BFT engine (rounds of propose / prevote / precommit).
  uint32_t timeout_propose_ms = 3000;
  uint32_t timeout_propose_delta_ms = 500;
  uint32_t timeout_prevote_ms = 1000;
  uint32_t timeout_prevote_delta_ms = 500;
  uint32_t timeout_precommit_ms = 1000;
  uint32_t timeout_precommit_delta_ms = 500;
  uint32_t timeout_commit_ms = 0;
};

struct P2pSection {
  HostPort listen{"127.0.0.1", 26656};
  // Nodes dialed and redialed with backoff. Dialing does not admit: a peer's
  // key must also be a validator of the last, current or next height, or be
  // listed in `observers`.
  std::vector<PeerAddress> peers;
  // Node keys of observers (nodes that follow the chain without voting) this
  // node admits. Validators list the observers that connect to them.
  std::vector<crypto::PublicKey> observers;
};

// Certificate status changes POSTed to the departments' systems (node/webhooks.h).
constexpr size_t kMaxWebhookTargets = 16;
struct WebhooksSection {
  std::vector<std::string> targets;   // http:// or https:// URLs, at most kMaxWebhookTargets
  std::string secret_file;            // the HMAC key (>= 32 bytes, mode 0600); required with targets
  std::vector<std::string> issuers;   // USCCs: only their certificates' events; empty = all
  uint32_t timeout_ms = 5000;         // per delivery attempt
};

// The issuer API for the department's business systems: off unless enabled.
// When enabled, org and org_key_file are required.
struct IssuerSection {
  bool enabled = false;
  std::string org;                     // the department's USCC (the org the key signs for)
  std::string org_key_file;            // absolute after loading; crypto/keyfile.h, encrypted or plain
  std::string org_key_passphrase_env;  // name of an environment variable; empty = plain key file
  // The API tokens (hashes only, rpc/issuer/token_store.h); absolute after
  // loading; default <data_dir>/issuer_tokens.json.
  std::string tokens_file;
  // Addresses or CIDRs that may call the API; default loopback only.
  std::vector<std::string> allowed_clients = {"127.0.0.1", "::1"};
};

struct Config {
  std::string path;  // the file it was loaded from (absolute); empty if parsed from text
  NodeSection node;
  RpcSection rpc;
  MempoolSection mempool;
  ConsensusSection consensus;
  P2pSection p2p;
  WebhooksSection webhooks;
  IssuerSection issuer;
};

// Reads and checks `path`.
Result<Config> LoadConfig(const std::string& path);
// Parses TOML text. `base_dir` resolves relative paths; `source_name` prefixes
// error messages ("node.toml:12: rpc.threads: ...").
Result<Config> ParseConfig(std::string_view toml_text, const std::string& base_dir,
                           const std::string& source_name);
// Renders `config` as TOML that ParseConfig reads back to the same values.
std::string FormatConfig(const Config& config);

}  // namespace civic::node
