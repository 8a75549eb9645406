#include "node/solo_engine.h"

#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ledger/block.h"
#include "ledger/tx.h"
#include "node/config.h"
#include "node/errors.h"
#include "node/mempool.h"

namespace civic::node {
namespace {

bool IsTxLevelRefusal(const Status& st) {
  switch (st.code()) {
    case Code::kInvalidArgument:
    case Code::kAlreadyExists:
    case Code::kPermissionDenied:
    case Code::kFailedPrecondition:
    case Code::kResourceExhausted:
      return true;
    default:
      return false;
  }
}

}  // namespace

SoloEngine::SoloEngine(EngineHost host)
    : host_(std::move(host)),
      producer_(host_, nullptr),
      blocks_produced_(NewCounter(*host_.metrics, "civic_engine_blocks_produced_total",
                                  "Blocks this node produced since start.", {{"engine", "solo"}})),
      empty_blocks_(NewCounter(*host_.metrics, "civic_engine_empty_blocks_total",
                               "Empty heartbeat blocks produced since start.", {{"engine", "solo"}})) {}

SoloEngine::~SoloEngine() { Stop(); }

Status SoloEngine::CheckSoleValidator(const ledger::Tip& tip) const {
  const auto& set = tip.validators.validators();
  const crypto::PublicKey& me = host_.node_key->public_key();
  if (set.size() == 1 && ledger::FromProto(set[0].pub_key()) == me) return Status::Ok();
  std::string members;
  for (const auto& v : set) {
    members += (members.empty() ? "" : ", ") + ledger::FromProto(v.pub_key()).ToString();
  }
  return Status::FailedPrecondition(
      err::NOT_SOLE_VALIDATOR,
      fmt::format("the one-validator engine needs a validator set of exactly this node's key {}; "
                  "the set for height {} is [{}]",
                  me.ToString(), tip.height + 1, members));
}

Status SoloEngine::Start() {
  if (thread_.joinable()) return Status::Ok();
  ledger::Tip tip = host_.chain->tip();
  CIVIC_RETURN_IF_ERROR(CheckSoleValidator(tip));
  CIVIC_RETURN_IF_ERROR(producer_.LoadLastCommit());
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Run(); });
  spdlog::info("event=engine_started engine=solo height={} block_interval_ms={}", tip.height,
               host_.config->block_interval_ms);
  return Status::Ok();
}

void SoloEngine::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
    spdlog::info("event=engine_stopped engine=solo height={}", host_.chain->tip().height);
  }
}

void SoloEngine::OnTxsAvailable() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

void SoloEngine::Run() {
  const auto interval = std::chrono::milliseconds(host_.config->block_interval_ms);
  auto last_block = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      // Waiting txs are checked in the predicate too: a block may leave txs
      // behind (block limits), and those must not wait for the heartbeat.
      cv_.wait_until(lock, last_block + interval,
                     [&] { return stop_ || wake_ || host_.mempool->size() > 0; });
      if (stop_) return;
      wake_ = false;
    }
    if (host_.mempool->size() == 0 && std::chrono::steady_clock::now() < last_block + interval) {
      continue;
    }
    Status st = ProduceBlock();
    if (!st.ok()) {
      spdlog::critical("event=block_production_failed error=\"{}\"", st.ToString());
      if (host_.on_fatal) host_.on_fatal(st);
      return;
    }
    last_block = std::chrono::steady_clock::now();
  }
}

Status SoloEngine::ProduceBlock() {
  ledger::Chain& chain = *host_.chain;
  const crypto::KeyPair& key = *host_.node_key;
  ledger::Tip tip = chain.tip();
  CIVIC_RETURN_IF_ERROR(CheckSoleValidator(tip));

  pb::Block block = producer_.Build(host_.config->max_block_bytes);
  const bool empty = block.txs_size() == 0;
  const uint64_t height = tip.height + 1;
  const Bytes hash = ledger::BlockHash(block);

  pb::Commit commit;
  commit.set_height(height);
  commit.set_round(0);
  commit.set_block_hash(hash);
  pb::CommitSig* sig = commit.add_sigs();
  *sig->mutable_validator() = ledger::ToProto(key.public_key());
  sig->set_sig(key.Sign(
      ledger::VoteSignBytes(chain.options().chain_id, ledger::kPrecommit, height, 0, hash)));

  Status applied = producer_.Commit(block, commit);
  if (!applied.ok()) {
    // A block built from admitted txs is refused only if a tx went stale in a
    // way the mempool's re-check did not see. Evict the txs that fail on their
    // own and go on; anything else (storage, corruption) is fatal.
    if (IsTxLevelRefusal(applied) && producer_.EvictFailingTxs(block) > 0) {
      spdlog::error("event=block_refused height={} error=\"{}\" action=evicted_failing_txs", height,
                    applied.ToString());
      return Status::Ok();
    }
    return Status(applied.code(), applied.app_code(),
                  fmt::format("applying block {} failed: {}", height, applied.message()));
  }
  blocks_produced_.Increment();
  if (empty) empty_blocks_.Increment();
  return Status::Ok();
}

}  // namespace civic::node
