// The names of every contract enum value, as JSON, the CLI and the page show
// them. They are part of the RPC answers: a change here is a wire change.
#include "contracts/base/enum_names.h"

#include <gtest/gtest.h>

#include "contracts/certificate/certificate.pb.h"
#include "contracts/credit/credit.pb.h"
#include "contracts/governance/governance.pb.h"
#include "contracts/sharing/sharing.pb.h"

namespace civic::contracts {
namespace {

template <typename E>
std::vector<std::string> Names(bool upper = false) {
  std::vector<std::string> out;
  const auto* d = google::protobuf::GetEnumDescriptor<E>();
  for (int i = 0; i < d->value_count(); ++i) {
    auto v = static_cast<E>(d->value(i)->number());
    out.push_back(upper ? EnumUpperName(v) : EnumName(v));
  }
  return out;
}

using V = std::vector<std::string>;

TEST(EnumNamesTest, GovernanceAndCertificate) {
  EXPECT_EQ(Names<pb::OrgRole>(true), (V{"UNSPECIFIED", "VALIDATOR", "ISSUER", "CREDIT_AUTHORITY", "DATA_PROVIDER",
                                          "DATA_REQUESTER", "AUDITOR", "ADMIN"}));
  EXPECT_EQ(Names<pb::ProposalStatus>(), (V{"unspecified", "open", "executed", "failed", "rejected", "expired"}));
  EXPECT_EQ(Names<pb::CertStatus>(), (V{"unspecified", "active", "suspended", "revoked", "superseded"}));
  EXPECT_EQ(Names<pb::CertEventKind>(),
            (V{"unspecified", "issued", "renewed", "replaced", "suspended", "reinstated", "revoked", "superseded"}));
}

TEST(EnumNamesTest, Credit) {
  EXPECT_EQ(Names<pb::CreditList>(), (V{"unspecified", "red", "black"}));
  EXPECT_EQ(Names<pb::CreditSeverity>(), (V{"unspecified", "minor", "general", "serious"}));
  EXPECT_EQ(Names<pb::CreditSubjectType>(), (V{"unspecified", "enterprise", "person"}));
  EXPECT_EQ(Names<pb::CreditEntryState>(), (V{"unspecified", "listed", "repaired", "expired", "withdrawn"}));
  EXPECT_EQ(Names<pb::CreditEventKind>(),
            (V{"unspecified", "listed", "repair_filed", "repair_approved", "repair_rejected", "objection_filed",
               "objection_upheld", "objection_rejected", "withdrawn", "expired"}));
  EXPECT_EQ(Names<pb::CreditApplicationState>(), (V{"unspecified", "pending", "approved", "rejected", "closed"}));
  EXPECT_EQ(Names<pb::CreditCommitmentState>(), (V{"unspecified", "active", "broken"}));
}

TEST(EnumNamesTest, Sharing) {
  EXPECT_EQ(Names<pb::SharingShareType>(), (V{"unspecified", "unconditional", "conditional", "not_shared"}));
  EXPECT_EQ(Names<pb::SharingGrantStatus>(), (V{"unspecified", "requested", "active", "rejected", "revoked"}));
  EXPECT_EQ(Names<pb::SharingGrantEventKind>(),
            (V{"unspecified", "requested", "issued", "approved", "rejected", "revoked"}));
  EXPECT_EQ(Names<pb::SharingVerdict>(), (V{"unspecified", "authorized", "violation"}));
  EXPECT_EQ(Names<pb::SharingReason>(true),
            (V{"UNSPECIFIED", "RESOURCE_NOT_SHARED", "NO_GRANT", "GRANT_REVOKED", "GRANT_EXPIRED",
               "FIELDS_BEYOND_GRANT", "PURPOSE_MISMATCH", "DIGEST_MISMATCH", "UNACKNOWLEDGED"}));
}

TEST(EnumNamesTest, UnspecifiedAndUnknownValuesReadAsGiven) {
  EXPECT_STREQ(EnumName(pb::CERT_STATUS_UNSPECIFIED, "none"), "none");
  EXPECT_STREQ(EnumName(static_cast<pb::CertEventKind>(99), "unknown"), "unknown");
  EXPECT_STREQ(EnumUpperName(static_cast<pb::OrgRole>(-1)), "UNSPECIFIED");
}

TEST(EnumNamesTest, ParseTakesOnlyTheNamesOfNonZeroValuesInTheirCase) {
  EXPECT_EQ(ParseEnumName<pb::CreditList>("black"), pb::CREDIT_LIST_BLACK);
  EXPECT_EQ(ParseEnumName<pb::CreditList>("BLACK"), std::nullopt);
  EXPECT_EQ(ParseEnumName<pb::CreditList>("unspecified"), std::nullopt);
  EXPECT_EQ(ParseEnumName<pb::CreditList>(""), std::nullopt);
  EXPECT_EQ(ParseEnumUpperName<pb::OrgRole>("AUDITOR"), pb::ROLE_AUDITOR);
  EXPECT_EQ(ParseEnumUpperName<pb::OrgRole>("auditor"), std::nullopt);
  EXPECT_EQ(ParseEnumName<pb::SharingShareType>("not_shared"), pb::SHARING_NOT_SHARED);
  EXPECT_EQ(EnumNameList<pb::CreditList>(), "red, black");
  EXPECT_EQ(EnumNameList<pb::SharingVerdict>(true), "AUTHORIZED, VIOLATION");
}

}  // namespace
}  // namespace civic::contracts
