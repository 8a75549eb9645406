// Fuzz target: the other BFT channels a peer fills (node/bft.proto): block sync
// (BftSyncMessage), mempool gossip (BftTxs) and evidence (BftEvidence). The first
// byte picks the channel; the rest is the payload. Each is decoded as its reactor
// decodes it, and what the reactor then checks without its threads is run too:
// every synced stored block and its header decode, every gossiped tx through
// ledger::DecodeTx, every evidence item through ledger::VerifyEvidence against
// the sample chain's validators (which a forged item never passes).
#include "ledger/block.h"
#include "ledger/tx.h"
#include "node/bft.pb.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/sample_chain.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace civic;
  using namespace civic::fuzz;
  std::string_view in = AsText(data, size);
  const uint8_t channel = TakeByte(&in);
  SampleChain& sample = SampleChain::Get();
  const ledger::Tip tip = sample.chain().tip();
  switch (channel % 3) {
    case 0: {
      pb::BftSyncMessage message;
      if (!message.ParseFromArray(in.data(), static_cast<int>(in.size()))) return 0;
      if (message.has_blocks()) {
        for (const std::string& raw : message.blocks().stored_blocks()) {
          pb::StoredBlock stored;
          pb::BlockHeader header;
          if (!stored.ParseFromString(raw) || !header.ParseFromString(stored.block().header())) continue;
          Status committed = ledger::VerifyCommit(SampleChain::kChainId, tip.validators, stored.commit(),
                                                  header.height(), ledger::BlockHash(stored.block()));
          FUZZ_CHECK(committed.ok() || committed.app_code() == "BAD_COMMIT");
        }
      }
      break;
    }
    case 1: {
      pb::BftTxs message;
      if (!message.ParseFromArray(in.data(), static_cast<int>(in.size()))) return 0;
      for (const std::string& raw : message.txs()) {
        Result<ledger::DecodedTx> tx = ledger::DecodeTx(raw, SampleChain::kChainId);
        FUZZ_CHECK(tx.ok() || !tx.status().app_code().empty());
        if (tx.ok()) FUZZ_CHECK(tx->id == ledger::TxId(raw));
      }
      break;
    }
    case 2: {
      pb::BftEvidence message;
      if (!message.ParseFromArray(in.data(), static_cast<int>(in.size()))) return 0;
      for (const std::string& raw : message.evidence()) {
        pb::Evidence evidence;
        if (!evidence.ParseFromString(raw)) continue;
        Status verified = ledger::VerifyEvidence(SampleChain::kChainId, tip.validators, evidence);
        FUZZ_CHECK(verified.ok() || verified.app_code() == "BAD_EVIDENCE");
      }
      break;
    }
  }
  return 0;
}
