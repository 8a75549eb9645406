// Native contracts: deterministic code that turns a tx's call into state writes.
//
// A contract reads and writes only through the StateView it is given, reads time
// only from the context's block time, uses no floating point and no unordered
// iteration that reaches state. On a non-OK Status the caller discards every
// write of the call, so a rejected tx changes nothing.
#pragma once

#include <string_view>

#include "ledger/chain.h"

namespace civic::contracts {

class Contract {
 public:
  virtual ~Contract() = default;
  // The TxBody.contract value routed here, e.g. "certificate".
  virtual std::string_view name() const = 0;
  // Executes `call` (the contract's serialized call message). The signer's key
  // has already been checked to be an active key of ctx.tx->body.org().
  virtual Status Execute(const ledger::TxContext& ctx, std::string_view call,
                         ledger::StateView* view) = 0;
  // Time-driven changes at the end of each block. Default: none.
  virtual Status EndBlock(const ledger::BlockContext& ctx, ledger::StateView* view) { return Status::Ok(); }
  // Cheap admission checks for the mempool; must not write. Default: decodes only.
  virtual Status Check(const ledger::TxContext& ctx, std::string_view call,
                       const ledger::KvReader& state) const { return Status::Ok(); }
};

// Finds a contract by the name a tx routes by. Governance runs the actions of
// passed proposals through this, without depending on the registry that owns
// the contracts.
class ContractLookup {
 public:
  virtual ~ContractLookup() = default;
  // The contract routed by `name`, or nullptr.
  virtual Contract* Find(std::string_view name) const = 0;
};

}  // namespace civic::contracts
