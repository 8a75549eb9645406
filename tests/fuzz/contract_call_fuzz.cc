// Fuzz target: the call bytes of a tx (TxBody.call), which any client may fill
// and which every node executes once the tx is in a block. The first byte picks
// the contract (governance, certificate, credit, sharing) and the signing org of
// the sample network; the rest is the call. The tx runs through the registry
// (CheckTx, then Execute in a throw-away view over the sample chain's state, as
// block execution would at height 2) and through the contract's call decoder for
// chain_getTx.
// Properties: a refusal has a stable app code; execution never throws; writes of
// a refused call are discarded by the caller (not checked here).
#include "contracts/base/contract_names.h"
#include "ledger/kv.h"
#include "ledger/tx.h"
#include "rpc/methods.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/sample_chain.h"
#include "tools/samples/network.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace civic;
  using namespace civic::fuzz;
  static const rpc::MethodTable* methods = [] {
    auto* t = new rpc::MethodTable();
    rpc::RegisterAllMethods(t);
    return t;
  }();
  static const std::string_view kContracts[] = {contracts::kGovernanceContract, contracts::kCertificateContract,
                                                contracts::kCreditContract, contracts::kSharingContract};
  std::string_view in = AsText(data, size);
  const uint8_t selector = TakeByte(&in);
  SampleChain& sample = SampleChain::Get();
  const size_t org = (selector >> 2) % sample.org_keys().size();

  ledger::DecodedTx tx;
  tx.body.set_chain_id(SampleChain::kChainId);
  tx.body.set_valid_until_height(50);
  tx.body.set_org(samples::SampleOrgs()[org].code);
  tx.body.set_nonce("fuzz");
  tx.body.set_contract(std::string(kContracts[selector % 4]));
  tx.body.set_call(std::string(in));
  tx.signer = sample.org_keys()[org].public_key();
  tx.signed_tx.set_body(tx.body.SerializeAsString());
  tx.raw = tx.signed_tx.SerializeAsString();
  tx.id = ledger::TxId(tx.raw);

  ledger::TxContext ctx;
  ctx.chain_id = SampleChain::kChainId;
  ctx.height = 2;
  ctx.block_time_ms = SampleChain::kGenesisTimeMs + 2000;
  ctx.tx = &tx;
  Status checked = sample.registry().CheckTx(ctx, sample.chain().state());
  FUZZ_CHECK(checked.ok() || !checked.app_code().empty());
  ledger::StateView view(&sample.chain().state());
  Status executed = sample.registry().Execute(ctx, &view);
  FUZZ_CHECK(executed.ok() || !executed.app_code().empty());

  if (const rpc::CallDecoder* decoder = methods->FindCallDecoder(tx.body.contract())) {
    for (contracts::Viewer viewer : {contracts::Viewer::kPublic, contracts::Viewer::kAuditor}) {
      Result<rpc::DecodedCall> shown = (*decoder)(tx.body.call(), viewer);
      FUZZ_CHECK(shown.ok() || !shown.status().app_code().empty());
    }
  }
  return 0;
}
