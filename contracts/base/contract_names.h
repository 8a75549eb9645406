// The names a TxBody.contract routes by, one per native contract.
#pragma once

#include <string_view>

namespace civic::contracts {

constexpr std::string_view kGovernanceContract = "governance";
constexpr std::string_view kCertificateContract = "certificate";
constexpr std::string_view kCreditContract = "credit";
constexpr std::string_view kSharingContract = "sharing";

}  // namespace civic::contracts
