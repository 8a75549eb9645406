#include "node/node.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>

#include "contracts/genesis.h"
#include "contracts/registry.h"
#include "crypto/base/log_text.h"
#include "crypto/keyfile.h"
#include "ledger/errors.h"
#include "ledger/tx.h"
#include "node/bft_engine.h"
#include "node/errors.h"
#include "node/solo_engine.h"
#include "rpc/issuer/issuer_api.h"
#include "rpc/methods.h"
#include "rpc/request_auth.h"
#include "rpc/server.h"

namespace civic::node {
namespace {

namespace fs = std::filesystem;

// A key file whose passphrase (if any) is in the environment variable `passphrase_env`,
// which config key `env_key` names.
Result<crypto::KeyPair> ReadKeyWithPassphraseEnv(const std::string &file, const std::string &passphrase_env,
                                                 std::string_view env_key, std::string_view what) {
  std::string passphrase;
  if (!passphrase_env.empty()) {
    const char *value = std::getenv(passphrase_env.c_str());
    if (value == nullptr) {
      return Status::InvalidArgument(err::NODE_KEY_PASSPHRASE_MISSING,
                                     fmt::format("{} names {}, but that environment "
                                                 "variable is not set",
                                                 env_key, passphrase_env));
    }
    passphrase = value;
  }
  auto key = crypto::ReadKeyFile(file, passphrase);
  if (!key.ok()) {
    const Status &st = key.status();
    return Status(st.code(), st.app_code(), fmt::format("{} {}: {}", what, file, st.message()));
  }
  return key;
}

Result<crypto::KeyPair> ReadNodeKey(const NodeSection &cfg) {
  auto key = ReadKeyWithPassphraseEnv(cfg.key_file, cfg.key_passphrase_env, "node.key_passphrase_env", "node key");
  if (!key.ok()) return key.status();
  if (key->public_key().algo != crypto::Algo::kEd25519) {
    return Status::InvalidArgument(err::NODE_KEY_NOT_ED25519,
                                   fmt::format("node key {} is a {} key; node keys are ed25519", cfg.key_file,
                                               crypto::AlgoName(key->public_key().algo)));
  }
  return key;
}

// The data dir holds the chain, the WAL and the auth nonces: only the node's
// user may read it. Files made later get 0600 from civicd's umask; this also
// tightens a data dir made by an older version.
Status RestrictDataDir(const std::string &data_dir) {
  std::error_code ec;
  fs::permissions(data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  for (fs::recursive_directory_iterator it(data_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_symlink(type_ec)) continue;
    const bool dir = it->is_directory(type_ec);
    fs::permissions(it->path(), dir ? fs::perms::owner_all : fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace, ec);
    if (ec) break;
  }
  if (ec) {
    return Status(Code::kIOError, err::DATA_DIR_UNUSABLE,
                  fmt::format("cannot restrict data dir {} to its owner: {}", data_dir, ec.message()));
  }
  return Status::Ok();
}

}  // namespace

Node::Node(Config config, crypto::KeyPair key)
    : config_(std::move(config)),
      key_(std::move(key)),
      metrics_(std::make_shared<prometheus::Registry>()),
      blocks_committed_(NewCounter(*metrics_, "civic_blocks_committed_total", "Blocks committed since start.")),
      txs_committed_(NewCounter(*metrics_, "civic_txs_committed_total", "Txs committed since start.")),
      last_apply_ms_(NewGauge(*metrics_, "civic_last_block_apply_ms", "Time spent applying the last block (ms).")),
      commit_waiters_(NewGauge(*metrics_, "civic_commit_waiters", "tx_commit calls waiting for their tx.")) {}

Node::~Node() { Stop(); }

Result<std::unique_ptr<Node>> Node::Open(const Config &config) {
  CIVIC_ASSIGN_OR_RETURN(crypto::KeyPair key, ReadNodeKey(config.node));
  auto genesis = contracts::LoadGenesisFile(config.node.genesis_file);
  if (!genesis.ok()) {
    const Status &st = genesis.status();
    return Status(st.code(), st.app_code(), fmt::format("genesis file {}: {}", config.node.genesis_file, st.message()));
  }

  std::error_code ec;
  fs::create_directories(config.node.data_dir, ec);
  if (ec || !fs::is_directory(config.node.data_dir)) {
    return Status(
        Code::kIOError, err::DATA_DIR_UNUSABLE,
        fmt::format("cannot create data dir {}: {}", config.node.data_dir, ec ? ec.message() : "not a directory"));
  }

  std::unique_ptr<Node> node(new Node(config, std::move(key)));
  node->chain_id_ = genesis->chain_id;
  node->executor_ = contracts::Registry::CreateDefault();

  ledger::ChainOptions options;
  options.chain_id = genesis->chain_id;
  std::string chain_dir = (fs::path(config.node.data_dir) / "chain").string();
  auto chain = ledger::Chain::Open(chain_dir, options, node->executor_.get());
  if (!chain.ok()) {
    const Status &st = chain.status();
    return Status(st.code(), st.app_code(), fmt::format("chain {}: {}", chain_dir, st.message()));
  }
  node->chain_ = std::move(chain).value();

  const bool fresh = !node->chain_->initialised();
  Status init = node->chain_->InitGenesis(genesis->genesis_time_ms, genesis->state, genesis->hash);
  if (!init.ok()) {
    if (init.app_code() == err::ALREADY_INITIALISED) {
      return Status::FailedPrecondition(
          err::GENESIS_MISMATCH,
          fmt::format("data dir {} holds a chain made from another genesis "
                      "than {} (chain id {}, "
                      "genesis hash {}); use the genesis this data dir was "
                      "made with, or a new "
                      "data dir",
                      config.node.data_dir, config.node.genesis_file, genesis->chain_id, ToHex(genesis->hash)));
    }
    return init;
  }
  ledger::Tip tip = node->chain_->tip();
  spdlog::info(
      "event=chain_opened dir={} chain_id={} genesis_hash={} fresh={} "
      "height={} app_hash={}",
      chain_dir, genesis->chain_id, ToHex(genesis->hash), fresh, tip.height, ToHex(tip.app_state_root));

  MempoolOptions mempool_options;
  mempool_options.max_txs = config.mempool.max_txs;
  mempool_options.max_bytes = config.mempool.max_bytes;
  mempool_options.max_tx_bytes = std::min(config.consensus.max_block_bytes, ledger::kMaxTxBytes);
  mempool_options.verify_threads = config.mempool.verify_threads;
  node->mempool_ = std::make_unique<Mempool>(node->chain_.get(), mempool_options, *node->metrics_);
  node->waiters_ = std::make_unique<CommitWaiters>();

  Node *self = node.get();
  EngineHost host;
  host.chain = node->chain_.get();
  host.mempool = node->mempool_.get();
  host.node_key = &node->key_;
  host.config = &node->config_.consensus;
  host.metrics = node->metrics_.get();
  host.on_committed = [self](const CommittedBlock &b) { self->OnCommitted(b); };
  host.on_fatal = [self](const Status &st) { self->OnFatal(st); };
  // The engine: BFT for a network (several validators, or peers to follow),
  // the one-validator engine for a lone node (no network round trip per block).
  const bool bft = WantsBftEngine(config, tip);
  if (bft) {
    node->engine_ = std::make_unique<BftEngine>(std::move(host), BftOptionsFromConfig(config));
  } else {
    node->engine_ = std::make_unique<SoloEngine>(std::move(host));
  }
  spdlog::info("event=engine_selected engine={} validators={} peers={}", bft ? "bft" : "solo",
               tip.validators.validators_size(), config.p2p.peers.size());
  node->mempool_->Subscribe([self](const AdmittedTxs &) { self->engine_->OnTxsAvailable(); });

  node->methods_ = std::make_unique<rpc::MethodTable>();
  // chain_* and tx_*, cert_*, gov_*: every method this build has.
  rpc::RegisterAllMethods(node->methods_.get());

  rpc::ServerOptions server_options;
  server_options.address = config.rpc.listen.host;
  server_options.port = config.rpc.listen.port;
  server_options.threads = static_cast<size_t>(config.rpc.threads);
  server_options.max_body_bytes = config.rpc.max_body_bytes;
  server_options.max_inflight_body_bytes = config.rpc.max_inflight_body_bytes;
  server_options.max_batch = config.rpc.max_batch;
  server_options.max_connections_per_ip = config.rpc.max_connections_per_ip;
  server_options.header_timeout = std::chrono::milliseconds(config.rpc.header_timeout_ms);
  server_options.ws_allowed_origins = config.rpc.ws_allowed_origins;
  server_options.ws_max_subscriptions_per_ip = config.rpc.ws_max_subscriptions_per_ip;
  server_options.rate_limit_per_sec = config.rpc.rate_limit_per_sec;
  server_options.rate_limit_burst = config.rpc.rate_limit_burst;
  server_options.trusted_proxies = config.rpc.trusted_proxies;
  server_options.web_root = config.rpc.web_root;
  server_options.cors_origins = config.rpc.cors_origins;
  server_options.tls.cert_file = config.rpc.tls_cert_file;
  server_options.tls.key_file = config.rpc.tls_key_file;
  server_options.tls.client_ca_file = config.rpc.tls_client_ca_file;
  server_options.genesis_json = genesis->text;
  if (config.issuer.enabled) {
    CIVIC_ASSIGN_OR_RETURN(crypto::KeyPair org_key,
                           ReadKeyWithPassphraseEnv(config.issuer.org_key_file, config.issuer.org_key_passphrase_env,
                                                    "issuer.org_key_passphrase_env", "issuer org key"));
    rpc::IssuerApiOptions issuer;
    issuer.org = config.issuer.org;
    issuer.allowed_clients = config.issuer.allowed_clients;
    issuer.tokens_file = config.issuer.tokens_file;
    issuer.store_dir = (fs::path(config.node.data_dir) / "issuer").string();
    issuer.commit_timeout_ms = config.rpc.commit_timeout_ms;
    std::string org_key_id = org_key.public_key().ToString();
    auto api = rpc::IssuerApi::Create(std::move(issuer), std::move(org_key), self);
    if (!api.ok()) {
      const Status &st = api.status();
      return Status(st.code(), st.app_code(), fmt::format("issuer API: {}", st.message()));
    }
    node->issuer_ = std::move(api).value();
    server_options.issuer = node->issuer_.get();
    // The public key only: the org key itself is never logged.
    spdlog::info("event=issuer_api_enabled org={} org_key={} tokens_file={} allowed_clients={}", config.issuer.org,
                 org_key_id, config.issuer.tokens_file, fmt::join(config.issuer.allowed_clients, ","));
  }
  node->server_ = std::make_unique<rpc::Server>(server_options, node->methods_.get(), self);

  // Signed requests name this node (its key) and their nonces outlive a restart.
  rpc::RequestAuthOptions auth;
  auth.audience = node->key_.public_key().ToString();
  auth.max_clock_skew = std::chrono::milliseconds(config.rpc.auth_window_ms);
  auth.nonce_file = (fs::path(config.node.data_dir) / "rpc_auth_nonces").string();
  CIVIC_RETURN_IF_ERROR(rpc::SharedRequestAuthenticator().Configure(std::move(auth)));

  if (!config.webhooks.targets.empty()) {
    WebhookOptions hooks;
    hooks.targets = config.webhooks.targets;
    CIVIC_ASSIGN_OR_RETURN(hooks.secret, ReadWebhookSecret(config.webhooks.secret_file));
    hooks.issuers = config.webhooks.issuers;
    hooks.chain_id = node->chain_id_;
    hooks.cursor_dir = (fs::path(config.node.data_dir) / "webhooks").string();
    hooks.now_ms = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
    node->webhooks_ = std::make_unique<Webhooks>(
        std::move(hooks), node->chain_.get(), HttpWebhookPoster(std::chrono::milliseconds(config.webhooks.timeout_ms)));
  }
  CIVIC_RETURN_IF_ERROR(RestrictDataDir(config.node.data_dir));
  return node;
}

Status Node::Start() {
  if (started_) return Status::Ok();
  CIVIC_RETURN_IF_ERROR(engine_->Start());
  Status st = server_->Start();
  if (!st.ok()) {
    engine_->Stop();
    return Status(st.code(), st.app_code(),
                  fmt::format("RPC server on {}: {}", config_.rpc.listen.ToString(), st.message()));
  }
  if (webhooks_) {
    if (Status hooks = webhooks_->Start(); !hooks.ok()) {
      server_->Stop();
      engine_->Stop();
      return hooks;
    }
  }
  started_ = true;
  spdlog::info("event=node_started moniker={} node_id={} chain_id={} height={} rpc={}", config_.node.moniker,
               key_.public_key().ToString(), chain_id_, chain_->tip().height, server_->url());
  return Status::Ok();
}

void Node::Stop() {
  if (stopped_.exchange(true)) return;
  if (started_) spdlog::info("event=node_stopping height={}", chain_->tip().height);
  // Order matters. The server stops accepting first and lets the requests in
  // flight finish while blocks are still produced, so a tx_commit waiting for
  // the next block gets its answer. Then the engine finishes the block it is
  // applying and stops; waiters still pending are answered; the database is
  // closed when the Node is destroyed.
  if (webhooks_) webhooks_->Stop();
  if (server_) server_->Stop();
  if (engine_) engine_->Stop();
  if (waiters_) waiters_->Close(Status::Unavailable(err::SHUTTING_DOWN, "the node is shutting down"));
  if (started_) spdlog::info("event=node_stopped height={}", chain_->tip().height);
}

Status Node::ReloadRpcTls() { return server_->ReloadTls(); }

std::optional<Status> Node::fatal_error() const {
  std::lock_guard<std::mutex> lock(fatal_mu_);
  return fatal_;
}

bool Node::WaitForFatal(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(fatal_mu_);
  return fatal_cv_.wait_for(lock, timeout, [this] { return fatal_.has_value(); });
}

void Node::OnFatal(const Status &status) {
  {
    std::lock_guard<std::mutex> lock(fatal_mu_);
    if (!fatal_) fatal_ = status;
  }
  fatal_cv_.notify_all();
}

bool Node::ready() const {
  if (!started_ || stopped_) return false;
  std::lock_guard<std::mutex> lock(fatal_mu_);
  return !fatal_.has_value();
}

uint16_t Node::rpc_port() const { return server_ ? server_->port() : 0; }
std::string Node::rpc_url() const { return server_ ? server_->url() : ""; }

void Node::OnCommitted(const CommittedBlock &block) {
  blocks_committed_.Increment();
  txs_committed_.Increment(static_cast<double>(block.tx_ids.size()));
  last_apply_ms_.Set(block.apply_ms);

  std::vector<DroppedTx> dropped = mempool_->Update(block.height, block.tx_ids);

  for (const Bytes &id : block.tx_ids) {
    if (!waiters_->HasWaiters(id)) continue;
    auto record = chain_->GetTx(id);
    if (record.ok()) {
      waiters_->Complete(id, record->location);
    } else {
      waiters_->Complete(id, record.status());
    }
  }
  for (const DroppedTx &d : dropped) {
    spdlog::info("event=mempool_drop tx={} code={} reason=\"{}\"", ToHex(d.id), d.reason.app_code(),
                 LogText(d.reason.message()));
    if (waiters_->HasWaiters(d.id)) waiters_->Complete(d.id, d.reason);
  }

  server_->PublishBlock(*block.block);
  if (webhooks_) webhooks_->OnBlockCommitted();
  spdlog::log(block.tx_ids.empty() ? spdlog::level::debug : spdlog::level::info,
              "event=block_committed height={} txs={} apply_ms={:.2f} "
              "mempool_txs={} dropped={}",
              block.height, block.tx_ids.size(), block.apply_ms, mempool_->size(), dropped.size());
}

rpc::NodeInfo Node::info() const {
  rpc::NodeInfo info;
  info.chain_id = chain_id_;
  info.node_id = key_.public_key().ToString();
  info.moniker = config_.node.moniker;
  info.validator = engine_ && engine_->is_validator();
  info.mempool_size = mempool_->size();
  info.peers = engine_ ? engine_->peer_count() : 0;
  return info;
}

Result<Bytes> Node::SubmitTx(Bytes raw) {
  if (stopped_) return Status::Unavailable(err::SHUTTING_DOWN, "the node is shutting down");
  return mempool_->Add(std::move(raw));
}

void Node::AwaitCommit(const Bytes &tx_id, std::chrono::milliseconds timeout,
                       std::function<void(Result<pb::TxLocation>)> done) {
  timeout = std::clamp(timeout, std::chrono::milliseconds(0), std::chrono::milliseconds(config_.rpc.commit_timeout_ms));
  // Register first, then look: a commit between the two is seen by one of them,
  // and CompleteOne makes sure only one answers.
  commit_waiters_.Increment();
  uint64_t token = waiters_->Add(tx_id, timeout, [this, done = std::move(done)](Result<pb::TxLocation> result) {
    commit_waiters_.Decrement();
    done(std::move(result));
  });
  auto record = chain_->GetTx(tx_id);
  if (record.ok()) waiters_->CompleteOne(token, record->location);
}

}  // namespace civic::node
