// Routes each tx to its contract after checking that the signing key is an
// active key of the org named in the tx body (governance state).
// Typed errors: UNKNOWN_CONTRACT, UNKNOWN_ORG, KEY_NOT_ADMITTED, KEY_REVOKED.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "contracts/base/contract.h"

namespace civic::contracts {

class Registry final : public ledger::TxExecutor, public ContractLookup {
 public:
  // A registry with every native contract: governance, certificate, credit, sharing.
  static std::unique_ptr<Registry> CreateDefault();

  void Add(std::unique_ptr<Contract> contract);
  // The contract routed by `name`, or nullptr.
  Contract* Find(std::string_view name) const override;

  Status Execute(const ledger::TxContext& ctx, ledger::StateView* view) override;
  Status EndBlock(const ledger::BlockContext& ctx, ledger::StateView* view) override;
  Result<pb::ValidatorSet> Validators(const ledger::KvReader& state) const override;
  Status CheckTx(const ledger::TxContext& ctx, const ledger::KvReader& state) const override;

 private:
  std::map<std::string, std::unique_ptr<Contract>, std::less<>> contracts_;
};

}  // namespace civic::contracts
