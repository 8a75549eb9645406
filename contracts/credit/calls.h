// Client side of the credit contract: its call messages and signed txs.
// Arguments are taken as given; the contract validates them
// (contracts/credit/rules.h, contracts/credit/contract.h). Subjects are built
// with contracts/credit/subjects.h.
//
// Thread safety: pure functions apart from random nonces (thread-safe).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "contracts/base/tx_builder.h"
#include "contracts/credit/credit.pb.h"
#include "contracts/governance/governance.pb.h"

namespace civic::contracts {

Bytes CreditTx(const TxParams& params, const pb::CreditCall& call, const crypto::KeyPair& key);

pb::CreditCall RegisterCreditCall(std::vector<pb::CreditCategory> categories,
                                  std::vector<pb::CreditMeasure> measures = {},
                                  std::vector<pb::CreditMeasureRef> remove_measures = {});
pb::CreditCall ListCreditCall(std::vector<pb::CreditListing> listings);
pb::CreditCall DelistCall(uint64_t entry_id, std::string_view reason);
pb::CreditCall RepairApplyCall(uint64_t entry_id, std::string_view evidence_digest, std::string_view statement);
pb::CreditCall RepairDecideCall(uint64_t entry_id, bool approve, std::string_view note);
pb::CreditCall ObjectionFileCall(uint64_t entry_id, std::string_view evidence_digest, std::string_view statement);
pb::CreditCall ObjectionDecideCall(uint64_t entry_id, bool uphold, std::string_view note);
pb::CreditCall CommitCall(const pb::CreditSubject& subject, std::string_view matter, std::string_view content_digest,
                          std::string_view summary, int64_t valid_until_ms = 0);
pb::CreditCall BreakCommitmentCall(uint64_t commitment_id, std::string_view note);
// A governance proposal whose action is `action` on the credit contract.
pb::GovernanceCall ProposeCreditCall(std::string_view title, const pb::CreditCall& action,
                                     std::string_view description = "");

}  // namespace civic::contracts
