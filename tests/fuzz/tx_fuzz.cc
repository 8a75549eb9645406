// Fuzz target: a serialized SignedTx as a client or a peer sends it (tx_submit,
// mempool gossip, a block's txs). Runs what the node runs on it: the stateless
// checks (ledger::DecodeTx, with and without the signature check, as the mempool
// does for preverified txs), the stateful admission check against the sample
// chain (Chain::CheckTx, which runs the contract's own CheckTx) and the rendering
// chain_getTx gives it.
// Properties: an error has a stable app code; an accepted tx keeps its raw bytes,
// its id is their hash, and its messages survive an encode/decode round trip.
#include <google/protobuf/util/message_differencer.h>

#include "ledger/tx.h"
#include "rpc/codec/chain.h"
#include "rpc/methods.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/sample_chain.h"

namespace civic::fuzz {
namespace {

using google::protobuf::util::MessageDifferencer;

template <typename Message>
void CheckRoundTrip(const Message& message) {
  Message again;
  FUZZ_CHECK(again.ParseFromString(message.SerializeAsString()));
  FUZZ_CHECK(MessageDifferencer::Equals(again, message));
}

const rpc::MethodTable& Methods() {
  static const rpc::MethodTable* table = [] {
    auto* t = new rpc::MethodTable();
    rpc::RegisterAllMethods(t);
    return t;
  }();
  return *table;
}

}  // namespace
}  // namespace civic::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace civic;
  using namespace civic::fuzz;
  const std::string_view raw = AsText(data, size);
  SampleChain& sample = SampleChain::Get();
  for (bool verify : {true, false}) {
    Result<ledger::DecodedTx> tx = ledger::DecodeTx(raw, SampleChain::kChainId, verify);
    if (!tx.ok()) {
      FUZZ_CHECK(!tx.status().app_code().empty());
      continue;
    }
    FUZZ_CHECK(tx->raw == raw);
    FUZZ_CHECK(tx->id == ledger::TxId(raw));
    FUZZ_CHECK(tx->body.chain_id() == SampleChain::kChainId);
    CheckRoundTrip(tx->signed_tx);
    CheckRoundTrip(tx->body);
    Status checked = sample.chain().CheckTx(*tx);
    FUZZ_CHECK(checked.ok() || !checked.app_code().empty());
  }
  pb::TxLocation location;
  location.set_height(1);
  for (contracts::Viewer viewer : {contracts::Viewer::kPublic, contracts::Viewer::kAuditor}) {
    (void)rpc::TxJson(raw, location, &Methods(), /*include_raw=*/true, viewer);
  }
  return 0;
}
