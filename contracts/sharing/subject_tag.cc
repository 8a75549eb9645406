#include "contracts/sharing/subject_tag.h"

#include "crypto/hash.h"

namespace civic::contracts {
namespace {
constexpr std::string_view kSep("\0", 1);
}  // namespace

Bytes SubjectKey(std::string_view salt, std::string_view code_type, std::string_view code) {
  return crypto::Sha256Concat({kSubjectKeyDomain, kSep, salt, kSep, code_type, kSep, code});
}

Bytes AccessSubjectTag(std::string_view subject_key, std::string_view requester_org) {
  return crypto::Sha256Concat({kAccessSubjectDomain, kSep, subject_key, kSep, requester_org});
}

}  // namespace civic::contracts
