// Fuzz target: a stored block (pb::StoredBlock bytes) as block sync receives it
// from a peer (BftSyncBlocks.stored_blocks): decode, header decode, the commit
// checked against the sample chain's validators (ledger::VerifyCommit), the block
// checked against the tip when it is the next one, and the JSON chain_getBlock
// renders of a stored block.
// Properties: a commit that verifies is for the block's own height and hash and
// is signed by the sample validator; refusals have stable app codes.
#include "ledger/block.h"
#include "ledger/chain.h"
#include "rpc/codec/chain.h"
#include "rpc/methods.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/sample_chain.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace civic;
  using namespace civic::fuzz;
  SampleChain& sample = SampleChain::Get();
  pb::StoredBlock stored;
  pb::BlockHeader header;
  if (!stored.ParseFromArray(data, static_cast<int>(size)) || !header.ParseFromString(stored.block().header())) {
    return 0;
  }
  const Bytes hash = ledger::BlockHash(stored.block());
  const ledger::Tip tip = sample.chain().tip();
  const pb::ValidatorSet& set = header.height() == tip.height ? tip.last_validators : tip.validators;
  Status committed = ledger::VerifyCommit(SampleChain::kChainId, set, stored.commit(), header.height(), hash);
  if (committed.ok()) {
    FUZZ_CHECK(stored.commit().block_hash() == hash);
    FUZZ_CHECK(stored.commit().sigs_size() > 0);
  } else {
    FUZZ_CHECK(!committed.app_code().empty());
  }
  if (header.height() == tip.height + 1) {
    Status valid = sample.chain().ValidateBlock(stored.block());
    FUZZ_CHECK(valid.ok() || !valid.app_code().empty());
  }
  static const rpc::MethodTable* methods = [] {
    auto* table = new rpc::MethodTable();
    rpc::RegisterAllMethods(table);
    return table;
  }();
  Result<boost::json::object> shown = rpc::BlockJson(sample.chain(), stored, methods);
  (void)shown;
  return 0;
}
