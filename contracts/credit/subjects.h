// Client side of credit subjects: building an enterprise or a person subject
// from what a department knows, and checking its free texts before they are
// published. A person's citizen identity number and name stay here: what goes
// on chain is a salted commitment and a masked name (contracts/credit/rules.h
// checks the shape the contract accepts).
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "contracts/credit/credit.pb.h"
#include "crypto/base/bytes.h"
#include "crypto/base/status.h"

namespace civic::contracts {

// A person's subject commitment:
//   SHA-256( "civicledger/credit-person/v1" 0x00 salt 0x00 citizen identity number )
// The salt is the city's credit subject salt, a secret the credit authorities
// share off chain: one person has one commitment across departments, and nobody
// can test identity numbers against the ledger. A distinct domain from the
// certificate holder commitment keeps credit entries unlinkable to certificates.
Bytes PersonCommitment(std::string_view salt, std::string_view citizen_id);
// The first character followed by '*' for each further one (at least one, at
// most four): "张三" -> "张*", "欧阳娜娜" -> "欧***". Typed error BAD_NAME (empty,
// not UTF-8, or starting with '*', a digit or a space).
Result<std::string> MaskName(std::string_view full_name);
// Typed errors: BAD_USCC, TEXT_TOO_LONG, PERSONAL_DATA_IN_TEXT.
Result<pb::CreditSubject> EnterpriseSubject(std::string_view uscc, std::string_view name = "");
// Validates the identity number (BAD_CITIZEN_ID) and a non-empty salt
// (SALT_REQUIRED); the name is only masked.
Result<pb::CreditSubject> PersonSubject(std::string_view salt, std::string_view citizen_id, std::string_view full_name);
// NAME_IN_TEXT when a free text of `listing` (reason, legal basis, document
// number, enterprise name) contains `full_name` or, for names of 3 or more
// characters, the given name after the first character. An empty name passes.
Status CheckNameNotInListing(const pb::CreditListing& listing, std::string_view full_name);

}  // namespace civic::contracts
