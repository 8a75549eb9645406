// Client side of credit subjects: building an enterprise or a person subject
// from what a department knows, and checking its free texts before they are
// published. A person's citizen identity number and name stay here: what goes
// on chain is a keyed commitment and a masked name (contracts/credit/rules.h
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

constexpr size_t kCreditKeySize = 32;
constexpr std::string_view kCreditPersonDomain = "civicledger/credit-person/v2";

// A person's subject commitment, keyed by the department that lists the person:
//   HMAC-SHA256( key = the department's 32-byte credit key,
//                message = "civicledger/credit-person/v2" 0x00 citizen identity number )
// Only the holder of the key can compute it, or test identity numbers (a space
// of about 10^9 per birth date) against the ledger: another department, an
// auditor or a reader of the chain cannot. The same person therefore has one
// commitment per listing department; whoever looks a person up by identity
// number finds the entries its own key made, and others' entries only by the
// commitment they are handed (docs/RPC.md, "Credit"). The domain keeps it
// apart from every other value of the person (certificate holder commitments,
// subject tags). `credit_key` must be kCreditKeySize bytes.
Bytes PersonCommitment(std::string_view credit_key, std::string_view citizen_id);
// The first character followed by '*' for each further one (at least one, at
// most four): "张三" -> "张*", "欧阳娜娜" -> "欧***". Typed error BAD_NAME (empty,
// not UTF-8, or starting with '*', a digit or a space).
Result<std::string> MaskName(std::string_view full_name);
// Typed errors: BAD_USCC, TEXT_TOO_LONG, PERSONAL_DATA_IN_TEXT.
Result<pb::CreditSubject> EnterpriseSubject(std::string_view uscc, std::string_view name = "");
// Validates the identity number (BAD_CITIZEN_ID) and the key's size
// (SALT_REQUIRED, the code of the keying secret); the name is only masked.
Result<pb::CreditSubject> PersonSubject(std::string_view credit_key, std::string_view citizen_id,
                                        std::string_view full_name);
// NAME_IN_TEXT when a free text of `listing` (reason, legal basis, document
// number, enterprise name) contains `full_name` or, for names of 3 or more
// characters, the given name after the first character. An empty name passes.
Status CheckNameNotInListing(const pb::CreditListing& listing, std::string_view full_name);

}  // namespace civic::contracts
