// Field visibility (contracts/base/visibility.h): redaction by viewer over the
// real contract messages, unknown fields and levels, and the visibility table
// of docs/security/confid.md, which must equal what the .proto files say.
#include "contracts/base/visibility.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "contracts/certificate/certificate.pb.h"
#include "contracts/credit/credit.pb.h"
#include "contracts/governance/governance.pb.h"
#include "contracts/sharing/sharing.pb.h"

namespace civic::contracts {
namespace {

pb::SharingCall LogAccess() {
  pb::SharingCall call;
  pb::SharingAccess* access = call.mutable_log_access()->add_accesses();
  access->set_request_id("hrss-2025-000001");
  access->set_resource("psb.population");
  access->add_subject_tags(std::string(32, '\x07'));
  return call;
}

TEST(VisibilityTest, AccessLogsAreAuditorOnly) {
  pb::SharingCall call = LogAccess();
  EXPECT_EQ(Redact(&call, Viewer::kPublic), 1u);
  EXPECT_TRUE(call.has_log_access());  // which call it is stays public
  EXPECT_EQ(call.log_access().accesses_size(), 0);

  pb::SharingCall full = LogAccess();
  EXPECT_EQ(Redact(&full, Viewer::kAuditor), 0u);
  EXPECT_EQ(full.SerializeAsString(), LogAccess().SerializeAsString());
}

TEST(VisibilityTest, SubjectSeesItsRecordButNotTheOtherSubjects) {
  pb::SharingAccessRecord record;
  record.set_request_id("r-1");
  record.set_requester_org("11510700008207428G");
  record.set_purpose("社保待遇资格认证");
  record.add_subject_tags(std::string(32, '\x01'));
  record.set_record_count(3);
  record.set_verdict(pb::SHARING_AUTHORIZED);
  pb::SharingAccessRecord as_subject = record;
  EXPECT_EQ(Redact(&as_subject, Viewer::kSubject), 3u);
  EXPECT_EQ(as_subject.requester_org(), "11510700008207428G");
  EXPECT_EQ(as_subject.purpose(), "社保待遇资格认证");
  EXPECT_EQ(as_subject.verdict(), pb::SHARING_AUTHORIZED);
  EXPECT_EQ(as_subject.subject_tags_size(), 0);
  EXPECT_EQ(as_subject.record_count(), 0u);
  EXPECT_TRUE(as_subject.request_id().empty());

  pb::SharingAccessRecord as_public = record;
  Redact(&as_public, Viewer::kPublic);
  EXPECT_EQ(as_public.ByteSizeLong(), 0u);
}

TEST(VisibilityTest, RepairStatementsAreForTheDecidingOrgRecursively) {
  pb::CreditEntry entry;
  entry.set_id(5);
  entry.set_reason("拖欠税款");
  pb::CreditApplication* repair = entry.add_repairs();
  repair->set_seq(1);
  repair->set_statement("已补缴全部税款");
  repair->set_evidence_digest(std::string(32, '\x02'));
  repair->set_state(pb::CREDIT_APPLICATION_APPROVED);
  entry.add_objections()->set_statement("异议");

  pb::CreditEntry as_public = entry;
  EXPECT_EQ(Redact(&as_public, Viewer::kPublic), 3u);
  EXPECT_EQ(as_public.reason(), "拖欠税款");
  ASSERT_EQ(as_public.repairs_size(), 1);
  EXPECT_EQ(as_public.repairs(0).seq(), 1u);
  EXPECT_EQ(as_public.repairs(0).state(), pb::CREDIT_APPLICATION_APPROVED);
  EXPECT_TRUE(as_public.repairs(0).statement().empty());
  EXPECT_TRUE(as_public.repairs(0).evidence_digest().empty());
  EXPECT_EQ(as_public.objections_size(), 0);

  pb::CreditEntry as_issuer = entry;
  EXPECT_EQ(Redact(&as_issuer, Viewer::kIssuer), 0u);
  pb::CreditEntry as_subject = entry;
  EXPECT_EQ(Redact(&as_subject, Viewer::kSubject), 3u);  // SUBJECT does not open ISSUER fields

  pb::CreditCall file;
  file.mutable_repair_apply()->set_entry_id(5);
  file.mutable_repair_apply()->set_statement("已补缴全部税款");
  EXPECT_EQ(Redact(&file, Viewer::kPublic), 2u);
  EXPECT_TRUE(file.has_repair_apply());
  EXPECT_EQ(file.repair_apply().ByteSizeLong(), 0u);
}

TEST(VisibilityTest, UnknownFieldsAreDroppedForAllButAuditors) {
  pb::CertificateCall call;
  call.mutable_revoke()->set_id("cert-1");
  std::string bytes = call.SerializeAsString() + std::string("\xf8\x07\x01", 3);  // field 127, varint 1
  pb::CertificateCall parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  pb::CertificateCall for_auditor = parsed;
  EXPECT_EQ(Redact(&for_auditor, Viewer::kAuditor), 0u);
  EXPECT_EQ(for_auditor.SerializeAsString(), bytes);
  EXPECT_EQ(Redact(&parsed, Viewer::kPublic), 1u);
  EXPECT_EQ(parsed.SerializeAsString(), call.SerializeAsString());
}

TEST(VisibilityTest, LevelsAndLookups) {
  EXPECT_TRUE(MaySee(pb::VISIBILITY_PUBLIC, Viewer::kPublic));
  EXPECT_FALSE(MaySee(pb::VISIBILITY_SUBJECT, Viewer::kIssuer));
  EXPECT_FALSE(MaySee(pb::VISIBILITY_ISSUER, Viewer::kSubject));
  EXPECT_TRUE(MaySee(pb::VISIBILITY_ISSUER, Viewer::kAuditor));
  EXPECT_FALSE(MaySee(static_cast<pb::Visibility>(9), Viewer::kIssuer));  // unknown level: auditors only
  EXPECT_TRUE(MaySee(static_cast<pb::Visibility>(9), Viewer::kAuditor));
  const auto& application = *pb::CreditApplication::descriptor();
  EXPECT_TRUE(FieldVisible(application, "seq", Viewer::kPublic));
  EXPECT_FALSE(FieldVisible(application, "statement", Viewer::kPublic));
  EXPECT_TRUE(FieldVisible(application, "statement", Viewer::kIssuer));
  EXPECT_FALSE(FieldVisible(application, "no_such_field", Viewer::kAuditor));
}

// docs/security/confid.md holds the table between these markers, as generated.
TEST(VisibilityTest, DocumentedTableIsTheProtoFiles) {
  std::string table;
  for (const auto* file : {pb::CertificateCall::descriptor()->file(), pb::GovernanceCall::descriptor()->file(),
                           pb::CreditCall::descriptor()->file(), pb::SharingCall::descriptor()->file()}) {
    table += "\n" + file->name() + ":\n\n| Message | Field | Visibility |\n|---|---|---|\n";
    auto rows = VisibilityTable(*file);
    if (rows.empty()) table += "| (every message) | (every field) | public |\n";
    for (const std::string& row : rows) table += row + "\n";
  }
  std::ifstream in(CIVIC_SECURITY_DOC);
  ASSERT_TRUE(in.good()) << "cannot read " << CIVIC_SECURITY_DOC;
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const std::string begin = "<!-- visibility table: begin -->\n", end = "<!-- visibility table: end -->";
  size_t from = doc.find(begin), to = doc.find(end);
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  from += begin.size();
  EXPECT_EQ(doc.substr(from, to - from), table + "\n") << "the table as the .proto files say:\n" << table;
}

}  // namespace
}  // namespace civic::contracts
