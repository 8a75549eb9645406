#include "contracts/credit/subjects.h"

#include <algorithm>
#include <vector>

#include "contracts/base/checks.h"
#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "contracts/credit/rules.h"
#include "crypto/hash.h"

namespace civic::contracts {

Bytes PersonCommitment(std::string_view credit_key, std::string_view citizen_id) {
  return crypto::HmacSha256(credit_key, {kCreditPersonDomain, std::string_view("\0", 1), citizen_id});
}

Result<std::string> MaskName(std::string_view full_name) {
  auto cps = DecodeUtf8(full_name);
  if (!cps || cps->empty()) return Status::InvalidArgument(err::BAD_NAME, "the name is empty or not valid UTF-8");
  uint32_t first = cps->front();
  if (!MayShowInMaskedName(first)) {
    return Status::InvalidArgument(err::BAD_NAME, "the name must start with a letter or character");
  }
  size_t stars = std::clamp<size_t>(cps->size() - 1, 1, 4);
  return EncodeUtf8(first) + std::string(stars, '*');
}

Result<pb::CreditSubject> EnterpriseSubject(std::string_view uscc, std::string_view name) {
  pb::CreditSubject s;
  s.set_type(pb::CREDIT_SUBJECT_ENTERPRISE);
  s.set_uscc(std::string(uscc));
  s.set_name(std::string(name));
  CIVIC_RETURN_IF_ERROR(ValidateCreditSubject(s));
  return s;
}

Result<pb::CreditSubject> PersonSubject(std::string_view credit_key, std::string_view citizen_id,
                                        std::string_view full_name) {
  if (credit_key.size() != kCreditKeySize) {
    return Status::InvalidArgument(err::SALT_REQUIRED,
                                   "a person's commitment needs the department's 32-byte credit key");
  }
  CIVIC_RETURN_IF_ERROR(ValidateCitizenId(citizen_id));
  CIVIC_ASSIGN_OR_RETURN(std::string masked, MaskName(full_name));
  pb::CreditSubject s;
  s.set_type(pb::CREDIT_SUBJECT_PERSON);
  s.set_commitment(PersonCommitment(credit_key, citizen_id));
  s.set_masked_name(masked);
  CIVIC_RETURN_IF_ERROR(ValidateCreditSubject(s));
  return s;
}

Status CheckNameNotInListing(const pb::CreditListing& listing, std::string_view full_name) {
  if (full_name.empty()) return Status::Ok();
  std::vector<std::string> needles{std::string(full_name)};
  auto cps = DecodeUtf8(full_name);
  if (cps && cps->size() >= 3) {
    std::string given;
    for (size_t i = 1; i < cps->size(); ++i) given += EncodeUtf8((*cps)[i]);
    needles.push_back(given);
  }
  for (std::string_view text :
       {std::string_view(listing.reason()), std::string_view(listing.legal_basis()),
        std::string_view(listing.decision_doc_no()), std::string_view(listing.subject().name())}) {
    for (const auto& needle : needles) {
      if (text.find(needle) != std::string_view::npos) {
        return Status::InvalidArgument(err::NAME_IN_TEXT,
                                       "a free text of the listing contains the person's name; "
                                       "texts are published and must not name the person");
      }
    }
  }
  return Status::Ok();
}

}  // namespace civic::contracts
