// chain_* and tx_* JSON-RPC methods: chain status, blocks and txs from the
// committed chain, and tx submission through the node's mempool. Renderings
// come from rpc/codec/chain.h. Handlers never throw; all but tx_commit reply
// before returning.
#include <atomic>
#include <memory>

#include "crypto/base/bytes.h"
#include "ledger/tx.h"
#include "rpc/codec/chain.h"
#include "rpc/methods.h"

namespace civic::rpc {
namespace {

constexpr int64_t kDefaultCommitTimeoutMs = 10000;
constexpr int64_t kMaxCommitTimeoutMs = 60000;

Status InvalidParams(std::string message) { return Status::InvalidArgument("INVALID_PARAMS", std::move(message)); }

Status NodeUnavailable() { return Status::Unavailable("NODE_UNAVAILABLE", "the node is not running"); }

Result<Bytes> TxIdParam(const json::value& params) {
  CIVIC_ASSIGN_OR_RETURN(std::string text, StringParam(params, "id", 0));
  auto id = FromHex(text);
  if (!id || id->size() != 32) return Status::InvalidArgument("BAD_TX_ID", "a tx id is 64 hex characters");
  return *id;
}

Result<Bytes> RawTxParam(const json::value& params) {
  CIVIC_ASSIGN_OR_RETURN(std::string text, StringParam(params, "tx", 0));
  CIVIC_ASSIGN_OR_RETURN(Bytes raw, DecodeBinary(text, "tx", "BAD_TX_ENCODING"));
  if (raw.empty()) return Status::InvalidArgument("BAD_TX_ENCODING", "parameter \"tx\" is empty");
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
// Where the chain stands: chain id, latest block (height, hash, time), the state
// root after it, the validators that sign the next block, this node and its
// mempool. At height 0 (genesis only) the block hash is "".
// Example:
// --> {"jsonrpc":"2.0","id":1,"method":"chain_status","params":{}}
// <-- {"jsonrpc":"2.0","id":1,"result":{"chain_id":"mianyang-1","height":42,
//      "latest_block_hash":"5f1c...9a0e","latest_block_time_ms":1735689642000,
//      "latest_block_time":"2025-01-01T00:00:42Z","app_state_root":"c0ff...ee11",
//      "validators":[{"pub_key":"ed25519:6c3d...3e21","power":10,"org":"11510700008207313A"}],
//      "total_power":10,"node":{"node_id":"ed25519:6c3d...3e21","moniker":"psb",
//      "validator":true,"peers":0,"ready":true},"mempool_size":0}}
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
// A committed block by height (1..tip) or block hash (hex); without either, the
// latest block. Decoded header, the txs with their ids and results, the commit
// of the previous block carried in this block (last_commit) and the commit that
// finalised this block (commit).
// Errors: INVALID_PARAMS, BAD_HASH, BLOCK_NOT_FOUND.
// Example:
// --> {"jsonrpc":"2.0","id":2,"method":"chain_getBlock","params":{"height":1}}
// <-- {"jsonrpc":"2.0","id":2,"result":{"height":1,"hash":"5f1c...9a0e",
//      "header":{"chain_id":"mianyang-1","height":1,"time_ms":1735689601000,
//       "time":"2025-01-01T00:00:01Z","prev_block_hash":"","tx_root":"a1b2...",
//       "state_root":"c0ff...","last_results_hash":"e3b0...","validators_hash":"77aa...",
//       "next_validators_hash":"77aa...","proposer":"ed25519:6c3d...3e21",
//       "last_commit_hash":"e3b0...","tx_count":1,"evidence_hash":"e3b0..."},
//      "txs":[{"id":"9d4c...0b1e","index":0,"contract":"certificate","org":"11510700008207313A",
//       "size":412,"result":{"ok":true,"code":0,"code_name":"OK","app_code":"OK","message":""}}],
//      "last_commit":{"height":0,"round":0,"block_hash":"","signatures":[]},
//      "commit":{"height":1,"round":0,"block_hash":"5f1c...9a0e",
//       "signatures":[{"validator":"ed25519:6c3d...3e21","sig":"8e0f..."}]},"evidence_count":0}}
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
    if (!bytes || bytes->size() != 32) return reply(Status::InvalidArgument("BAD_HASH", "a block hash is 64 hex characters"));
    auto found = chain.GetHeightByHash(*bytes);
    if (!found.ok()) return reply(found.status());
    h = *found;
  } else {
    h = chain.tip().height;
  }
  if (h == 0) {
    return reply(Status::NotFound("BLOCK_NOT_FOUND", "height 0 is the genesis state; blocks start at height 1"));
  }
  auto stored = chain.GetBlock(h);
  if (!stored.ok()) return reply(stored.status());
  auto out = BlockJson(chain, *stored);
  if (!out.ok()) return reply(out.status());
  reply(json::value(std::move(out).value()));
}

// chain_getTx {id, raw?}
// A committed tx by id (64 hex): its location (height, index) and result, the
// signer and signature, and the decoded body. body.call_hex is the contract's
// call message; body.call is that message as JSON when the contract provides a
// decoder (certificate, governance). raw: true adds raw_hex, the SignedTx bytes.
// Errors: BAD_TX_ID, TX_NOT_FOUND.
// Example:
// --> {"jsonrpc":"2.0","id":3,"method":"chain_getTx","params":{"id":"9d4c...0b1e"}}
// <-- {"jsonrpc":"2.0","id":3,"result":{"id":"9d4c...0b1e","height":1,"index":0,
//      "result":{"ok":true,"code":0,"code_name":"OK","app_code":"OK","message":""},"size":412,
//      "signer":"ed25519:8a88...6f5c","signature":"51d0...",
//      "body":{"chain_id":"mianyang-1","valid_until_height":1000,"org":"11510700008207313A",
//       "nonce":"0f1e2d3c","contract":"certificate","call_hex":"0a8c03...",
//       "call":{"issue":{"certificates":[{"type_code":"11510700008207313A001","serial":"0000000001"}]}}}}}
void ChainGetTx(const CallContext& ctx, const json::value& params, Reply reply) {
  if (!ctx.node) return reply(NodeUnavailable());
  auto id = TxIdParam(params);
  if (!id.ok()) return reply(id.status());
  auto raw = BoolParam(params, "raw", 1, false);
  if (!raw.ok()) return reply(raw.status());
  auto record = ctx.node->chain().GetTx(*id);
  if (!record.ok()) return reply(record.status());
  reply(json::value(TxJson(record->raw, record->location, ctx.methods, *raw)));
}

// tx_submit {tx}
// Admits a signed tx (a serialized SignedTx as hex or base64) to the mempool
// and answers with its id at once; it is committed later (see tx_commit,
// chain_getTx). The node's checks decide: a bad encoding, signature, chain id,
// expired valid_until_height, duplicate, a full mempool or a signer without the
// role each gets its typed error and the tx is not admitted.
// Errors: BAD_TX_ENCODING, TX_MALFORMED, TX_TOO_LARGE, BAD_SIGNATURE,
// WRONG_CHAIN_ID, and the node's mempool and contract check errors.
// Example:
// --> {"jsonrpc":"2.0","id":4,"method":"tx_submit","params":{"tx":"0a9e020a0a6d69616e79616e672d31..."}}
// <-- {"jsonrpc":"2.0","id":4,"result":{"id":"9d4c...0b1e"}}
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
// Submits like tx_submit, then waits until the tx is committed (timeout_ms:
// 1..60000, default 10000) and answers with its location and result. A tx that
// fails inside its block is still committed: result.ok is false and result
// carries its error. Submitting a tx that is already waiting in the mempool
// waits for it; one already committed answers at once.
// Errors: those of tx_submit; COMMIT_TIMEOUT (DEADLINE_EXCEEDED) when the wait
// ends first (the tx may still commit later: ask chain_getTx).
// Example:
// --> {"jsonrpc":"2.0","id":5,"method":"tx_commit","params":{"tx":"0a9e020a0a6d69616e79616e672d31...","timeout_ms":10000}}
// <-- {"jsonrpc":"2.0","id":5,"result":{"id":"9d4c...0b1e","height":7,"index":0,
//      "result":{"ok":true,"code":0,"code_name":"OK","app_code":"OK","message":""}}}
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
    if (submitted.status().app_code() != "TX_IN_MEMPOOL") return reply(submitted.status());
  }
  int64_t ms = *timeout_ms;
  node->AwaitCommit(id, std::chrono::milliseconds(ms), [reply, id, ms](Result<pb::TxLocation> location) {
    if (location.ok()) return reply(json::value(LocationJson(id, *location)));
    if (location.status().code() == Code::kDeadlineExceeded) {
      return reply(Status::DeadlineExceeded("COMMIT_TIMEOUT", "tx " + ToHex(id) + " was not committed within " +
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
  table->Add("chain_status", "Chain id, latest block, state root, validators, node and mempool.", ChainStatus);
  table->Add("chain_getBlock", "A committed block by height or hash (default: the latest).", ChainGetBlock);
  table->Add("chain_getTx", "A committed tx by id: location, result, decoded body.", ChainGetTx);
  table->Add("tx_submit", "Admit a signed tx to the mempool; answers its id at once.", TxSubmit);
  table->Add("tx_commit", "Submit a signed tx and wait until it is committed.", TxCommit);
}

}  // namespace civic::rpc
