// The subject tag of an access record: who a record is about, in a form that
// neither links records of different requesting departments nor links a record
// to the certificate holder commitment that cert_get shows publicly.
//
//   subject key  S   = SHA-256( "civicledger/subject-key/v1" 0x00 salt 0x00 code_type 0x00 code )
//   subject tag      = SHA-256( "civicledger/access-subject/v1" 0x00 S 0x00 requester_org )
//
// (salt, code_type, code) is the opening of the holder commitment
// (contracts/certificate/holder.h): the subject and the department holding the
// certificate's holder copy can compute S; the public commitment does not give
// it (a different domain over the same secret salt). The requester org is the
// USCC of the department that logs the access. A subject finds its records by
// deriving S and one tag per department of the chain.
//
// Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "crypto/base/bytes.h"

namespace civic::contracts {

constexpr std::string_view kSubjectKeyDomain = "civicledger/subject-key/v1";
constexpr std::string_view kAccessSubjectDomain = "civicledger/access-subject/v1";

// 32 bytes.
Bytes SubjectKey(std::string_view salt, std::string_view code_type, std::string_view code);
// 32 bytes; `subject_key` as SubjectKey returns it.
Bytes AccessSubjectTag(std::string_view subject_key, std::string_view requester_org);

}  // namespace civic::contracts
