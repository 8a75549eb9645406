// Client side of the certificate contract: its call messages and signed txs.
// Arguments are taken as given; the contract validates them
// (contracts/certificate/contract.h). The holder's copy and its digests are in
// contracts/certificate/holder.h.
//
// Thread safety: pure functions apart from random nonces (thread-safe).
#pragma once

#include <string_view>
#include <vector>

#include "contracts/base/tx_builder.h"
#include "contracts/certificate/certificate.pb.h"
#include "contracts/certificate/holder.h"
#include "contracts/governance/governance.pb.h"

namespace civic::contracts {

Bytes CertificateTx(const TxParams& params, const pb::CertificateCall& call, const crypto::KeyPair& key);

pb::CertificateCall IssueCall(std::vector<pb::CertIssueItem> items);
pb::CertificateCall RenewCall(std::string_view previous_id, const HolderCertificate* updated,
                              int64_t valid_from_ms = 0, int64_t valid_until_ms = 0);
pb::CertificateCall ReplaceCall(std::string_view previous_id, const HolderCertificate* updated,
                                std::string_view reason, int64_t valid_from_ms = 0,
                                int64_t valid_until_ms = 0);
pb::CertificateCall SuspendCall(std::string_view id, std::string_view reason);
pb::CertificateCall ReinstateCall(std::string_view id, std::string_view reason);
pb::CertificateCall RevokeCall(std::string_view id, std::string_view reason);
pb::CertificateCall RegisterTypeCall(const pb::CertType& type);

// A governance proposal whose action is `action` on the certificate contract.
pb::GovernanceCall ProposeCall(std::string_view title, const pb::CertificateCall& action);

// Shorthands: one signed tx.
Bytes IssueTx(const TxParams& params, std::vector<pb::CertIssueItem> items, const crypto::KeyPair& key);
Bytes ProposeTx(const TxParams& params, std::string_view title, const pb::CertificateCall& action,
                const crypto::KeyPair& key);

}  // namespace civic::contracts
