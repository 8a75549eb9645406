// Client side of the data-sharing contract: its call messages and signed txs.
// Arguments are taken as given; the contract validates them
// (contracts/sharing/contract.h, contracts/sharing/rules.h). The JSON form of
// access and acknowledgement lines is rpc/codec/sharing.h.
//
// Thread safety: pure functions apart from random nonces (thread-safe).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "contracts/base/tx_builder.h"
#include "contracts/sharing/sharing.pb.h"

namespace civic::contracts {

Bytes SharingTx(const TxParams& params, const pb::SharingCall& call, const crypto::KeyPair& key);

pb::SharingCall RegisterResourceCall(const pb::SharingResource& resource);
pb::SharingCall RequestGrantCall(const pb::SharingGrant& grant);
pb::SharingCall IssueGrantCall(const pb::SharingGrant& grant);
pb::SharingCall ApproveGrantCall(std::string_view grant_id, const std::vector<std::string>& fields = {},
                                 int64_t expires_at_ms = 0, std::string_view note = "");
pb::SharingCall RejectGrantCall(std::string_view grant_id, std::string_view reason);
pb::SharingCall RevokeGrantCall(std::string_view grant_id, std::string_view reason);
pb::SharingCall LogAccessCall(std::vector<pb::SharingAccess> accesses);
pb::SharingCall AcknowledgeCall(std::vector<pb::SharingAck> acks);
pb::SharingCall SetSharingParamsCall(const pb::SharingParams& params);

}  // namespace civic::contracts
