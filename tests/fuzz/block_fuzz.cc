// Fuzz target: a proposed block (pb::Block bytes, as a proposer sends it in a
// BlockProposal) checked as the BFT engine checks it before prevoting: decode,
// header decode, Chain::ValidateBlock against the sample chain's tip (height 1),
// and the JSON the block stream renders of it.
// Properties: a refusal has a stable app code; a block that passes validation is
// for height 2 and links to block 1.
#include "ledger/block.h"
#include "ledger/chain.h"
#include "rpc/codec/chain.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/sample_chain.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace civic;
  using namespace civic::fuzz;
  SampleChain& sample = SampleChain::Get();
  pb::Block block;
  if (!block.ParseFromArray(data, static_cast<int>(size))) return 0;
  pb::BlockHeader header;
  const bool header_decodes = header.ParseFromString(block.header());
  Status valid = sample.chain().ValidateBlock(block);
  if (valid.ok()) {
    FUZZ_CHECK(header_decodes);
    FUZZ_CHECK(header.height() == 2);
    FUZZ_CHECK(header.prev_block_hash() == ledger::BlockHash(sample.block1()));
  } else {
    FUZZ_CHECK(!valid.app_code().empty());
  }
  Result<boost::json::object> shown = rpc::BlockEventJson(block);
  FUZZ_CHECK(shown.ok() || !shown.status().app_code().empty() || !header_decodes);
  return 0;
}
