// chain_* and tx_* JSON-RPC methods: chain status, blocks and txs from the
// committed chain, and tx submission through the node's mempool. Renderings
// come from rpc/codec/chain.h. Handlers never throw; all but tx_commit reply
// before returning.
#include <atomic>
#include <memory>

#include "crypto/base/bytes.h"
#include "ledger/errors.h"
#include "ledger/tx.h"
#include "rpc/codec/chain.h"
#include "rpc/error_codes.h"
#include "rpc/methods.h"
#include "rpc/request_auth.h"

namespace civic::rpc {
namespace {

constexpr int64_t kDefaultCommitTimeoutMs = 10000;
constexpr int64_t kMaxCommitTimeoutMs = 60000;

Status InvalidParams(std::string message) { return Status::InvalidArgument(err::INVALID_PARAMS, std::move(message)); }

Status NodeUnavailable() { return Status::Unavailable(err::NODE_UNAVAILABLE, "the node is not running"); }

Result<Bytes> TxIdParam(const json::value& params) {
  CIVIC_ASSIGN_OR_RETURN(std::string text, StringParam(params, "id", 0));
  auto id = FromHex(text);
  if (!id || id->size() != 32) return Status::InvalidArgument(err::BAD_TX_ID, "a tx id is 64 hex characters");
  return *id;
}

Result<Bytes> RawTxParam(const json::value& params) {
  CIVIC_ASSIGN_OR_RETURN(std::string text, StringParam(params, "tx", 0));
  CIVIC_ASSIGN_OR_RETURN(Bytes raw, DecodeBinary(text, "tx", err::BAD_TX_ENCODING));
  if (raw.empty()) return Status::InvalidArgument(err::BAD_TX_ENCODING, "parameter \"tx\" is empty");
  return raw;
}

json::object LocationJson(const Bytes& id, const pb::TxLocation& location) {
  json::object out;
  out["id"] = ToHex(id);
  out["height"] = location.height();
  out["index"] = location.index();
  out["result"] = TxResultJson(location.result());
  return out;
}

// chain_status {}
void ChainStatus(const CallContext& ctx, const json::value& params, Reply reply) {
  if (!ctx.node) return reply(NodeUnavailable());
  const ledger::Chain& chain = ctx.node->chain();
  ledger::Tip tip = chain.tip();
  NodeInfo info = ctx.node->info();
  json::object out;
  out["chain_id"] = chain.options().chain_id;
  out["height"] = tip.height;
  out["latest_block_hash"] = ToHex(tip.block_hash);
  out["latest_block_time_ms"] = tip.time_ms;
  out["latest_block_time"] = TimeString(tip.time_ms);
  out["app_state_root"] = ToHex(tip.app_state_root);
  out["validators"] = ValidatorsJson(tip.validators);
  uint64_t total = 0;
  for (const pb::Validator& v : tip.validators.validators()) total += v.power();
  out["total_power"] = total;
  json::object node;
  node["node_id"] = info.node_id;
  node["moniker"] = info.moniker;
  node["validator"] = info.validator;
  node["peers"] = info.peers;
  node["ready"] = ctx.node->ready();
  out["node"] = std::move(node);
  out["mempool_size"] = info.mempool_size;
  reply(json::value(std::move(out)));
}

// chain_getBlock {height} | {hash} | {}
void ChainGetBlock(const CallContext& ctx, const json::value& params, Reply reply) {
  if (!ctx.node) return reply(NodeUnavailable());
  const ledger::Chain& chain = ctx.node->chain();
  auto height = ValueParam(params, "height", 0, false);
  if (!height.ok()) return reply(height.status());
  auto hash = StringParam(params, "hash", 1, false);
  if (!hash.ok()) return reply(hash.status());
  if (*height && !hash->empty()) return reply(InvalidParams("give \"height\" or \"hash\", not both"));

  uint64_t h = 0;
  if (*height) {
    auto n = IntParam(params, "height", 0);
    if (!n.ok()) return reply(n.status());
    if (*n < 0) return reply(InvalidParams("parameter \"height\" must not be negative"));
    h = static_cast<uint64_t>(*n);
  } else if (!hash->empty()) {
    auto bytes = FromHex(*hash);
    if (!bytes || bytes->size() != 32) return reply(Status::InvalidArgument(err::BAD_HASH, "a block hash is 64 hex characters"));
    auto found = chain.GetHeightByHash(*bytes);
    if (!found.ok()) return reply(found.status());
    h = *found;
  } else {
    h = chain.tip().height;
  }
  if (h == 0) {
    return reply(Status::NotFound(err::BLOCK_NOT_FOUND, "height 0 is the genesis state; blocks start at height 1"));
  }
  auto stored = chain.GetBlock(h);
  if (!stored.ok()) return reply(stored.status());
  auto out = BlockJson(chain, *stored, ctx.methods);
  if (!out.ok()) return reply(out.status());
  reply(json::value(std::move(out).value()));
}

void ReplyTx(const CallContext& ctx, const json::value& params, contracts::Viewer viewer, Reply reply) {
  auto id = TxIdParam(params);
  if (!id.ok()) return reply(id.status());
  auto raw = BoolParam(params, "raw", 1, false);
  if (!raw.ok()) return reply(raw.status());
  auto record = ctx.node->chain().GetTx(*id);
  if (!record.ok()) return reply(record.status());
  reply(json::value(TxJson(record->raw, record->location, ctx.methods, *raw, viewer)));
}

// chain_getTx {id, raw?}: the public view.
void ChainGetTx(const CallContext& ctx, const json::value& params, Reply reply) {
  if (!ctx.node) return reply(NodeUnavailable());
  ReplyTx(ctx, params, contracts::Viewer::kPublic, std::move(reply));
}

// chain_getTxFull {request: {id, raw?}, auth}: signed by an org holding AUDITOR
// (rpc/request_auth.h); the whole tx.
void ChainGetTxFull(const CallContext& ctx, const json::value& params, Reply reply) {
  if (!ctx.node) return reply(NodeUnavailable());
  const ledger::Chain& chain = ctx.node->chain();
  auto snapshot = chain.Snapshot();
  auto auth = SharedRequestAuthenticator().Authenticate(chain.options().chain_id, "chain_getTxFull", params, *snapshot);
  if (!auth.ok()) return reply(auth.status());
  ReplyTx(ctx, auth->params, contracts::Viewer::kAuditor, std::move(reply));
}

// tx_submit {tx}
void TxSubmit(const CallContext& ctx, const json::value& params, Reply reply) {
  if (!ctx.node) return reply(NodeUnavailable());
  auto raw = RawTxParam(params);
  if (!raw.ok()) return reply(raw.status());
  auto id = ctx.node->SubmitTx(std::move(raw).value());
  if (!id.ok()) return reply(id.status());
  json::object out;
  out["id"] = ToHex(*id);
  reply(json::value(std::move(out)));
}

// tx_commit {tx, timeout_ms?}
void TxCommit(const CallContext& ctx, const json::value& params, Reply reply) {
  NodeBackend* node = ctx.node;
  if (!node) return reply(NodeUnavailable());
  auto raw = RawTxParam(params);
  if (!raw.ok()) return reply(raw.status());
  auto timeout_ms = IntParam(params, "timeout_ms", 1, false, kDefaultCommitTimeoutMs);
  if (!timeout_ms.ok()) return reply(timeout_ms.status());
  if (*timeout_ms < 1 || *timeout_ms > kMaxCommitTimeoutMs) {
    return reply(InvalidParams("timeout_ms must be 1.." + std::to_string(kMaxCommitTimeoutMs)));
  }
  Bytes id = ledger::TxId(*raw);
  const ledger::Chain& chain = node->chain();
  // Two paths may answer (the wait and the committed check below): first one wins.
  auto answered = std::make_shared<std::atomic<bool>>(false);
  reply = [answered, inner = std::move(reply)](Result<json::value> result) {
    if (!answered->exchange(true)) inner(std::move(result));
  };
  auto committed = [&]() -> bool {
    auto record = chain.GetTx(id);
    if (!record.ok()) return false;
    reply(json::value(LocationJson(id, record->location)));
    return true;
  };

  auto submitted = node->SubmitTx(std::move(raw).value());
  if (!submitted.ok()) {
    if (committed()) return;
    // Already waiting in the mempool: wait for it like for a new one.
    if (submitted.status().app_code() != err::TX_IN_MEMPOOL) return reply(submitted.status());
  }
  int64_t ms = *timeout_ms;
  node->AwaitCommit(id, std::chrono::milliseconds(ms), [reply, id, ms](Result<pb::TxLocation> location) {
    if (location.ok()) return reply(json::value(LocationJson(id, *location)));
    if (location.status().code() == Code::kDeadlineExceeded) {
      return reply(Status::DeadlineExceeded(err::COMMIT_TIMEOUT, "tx " + ToHex(id) + " was not committed within " +
                                                                  std::to_string(ms) +
                                                                  " ms; it may still commit (see chain_getTx)"));
    }
    reply(location.status());
  });
  // It may have been committed before the wait was registered.
  if (!answered->load()) committed();
}

}  // namespace

void RegisterChainMethods(MethodTable* table) {
  table->Add("chain_status", ChainStatus);
  table->Add("chain_getBlock", ChainGetBlock);
  table->Add("chain_getTx", ChainGetTx);
  table->Add("chain_getTxFull", ChainGetTxFull);
  table->Add("tx_submit", TxSubmit);
  table->Add("tx_commit", TxCommit);
}

}  // namespace civic::rpc
