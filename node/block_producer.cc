#include "node/block_producer.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "crypto/base/log_text.h"
#include "ledger/tx.h"
#include "node/config.h"
#include "node/mempool.h"

namespace civic::node {

BlockProducer::BlockProducer(const EngineHost& host, std::function<int64_t()> wall_clock_ms)
    : host_(host), wall_clock_ms_(std::move(wall_clock_ms)) {}

Status BlockProducer::LoadLastCommit() {
  const uint64_t height = host_.chain->tip().height;
  if (height == 0) return Status::Ok();
  auto stored = host_.chain->GetBlock(height);
  if (!stored.ok()) return stored.status();
  last_commit_ = stored->commit();
  return Status::Ok();
}

pb::Block BlockProducer::Build(size_t max_tx_bytes, std::vector<pb::Evidence> evidence) const {
  std::vector<Bytes> txs = host_.mempool->ReapForBlock(host_.config->max_block_txs, max_tx_bytes);
  return host_.chain->BuildBlock(std::move(txs), WallClockMs(), host_.node_key->public_key(), last_commit_,
                                 std::move(evidence));
}

Status BlockProducer::Commit(const pb::Block& block, const pb::Commit& commit) {
  const Mempool* mempool = host_.mempool;
  const auto started = std::chrono::steady_clock::now();
  CIVIC_RETURN_IF_ERROR(
      host_.chain->ApplyBlock(block, commit, [mempool](const Bytes& id) { return mempool->IsVerified(id); }));
  CommittedBlock committed;
  committed.height = commit.height();
  committed.block = &block;
  committed.commit = &commit;
  committed.apply_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  committed.tx_ids.reserve(block.txs_size());
  for (const Bytes& raw : block.txs()) committed.tx_ids.push_back(ledger::TxId(raw));
  last_commit_ = commit;
  if (host_.on_committed) host_.on_committed(committed);
  return Status::Ok();
}

size_t BlockProducer::EvictFailingTxs(const pb::Block& block) {
  const ledger::Chain& chain = *host_.chain;
  std::vector<Bytes> failing;
  for (const Bytes& raw : block.txs()) {
    auto tx = ledger::DecodeTx(raw, chain.options().chain_id, /*verify_signature=*/true);
    Status st = tx.ok() ? chain.CheckTx(*tx) : tx.status();
    if (!st.ok()) {
      spdlog::warn("event=mempool_evict tx={} code={} reason=\"{}\"", ToHex(ledger::TxId(raw)), st.app_code(),
                   LogText(st.message()));
      failing.push_back(ledger::TxId(raw));
    }
  }
  host_.mempool->Remove(failing);
  return failing.size();
}

int64_t BlockProducer::WallClockMs() const {
  if (wall_clock_ms_) return wall_clock_ms_();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace civic::node
