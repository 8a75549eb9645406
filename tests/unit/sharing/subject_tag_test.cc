// The subject tag of access records (contracts/sharing/subject_tag.h): its exact
// bytes (the worked example of docs/RPC.md, "Subject tags"), and that it links
// neither to the public holder commitment nor across requesting departments.
#include <gtest/gtest.h>

#include "contracts/certificate/holder.h"
#include "contracts/sharing/subject_tag.h"
#include "crypto/hash.h"

namespace civic::contracts {
namespace {

constexpr std::string_view kSalt = "hS2fWq8sLr0xBv5nKc3pYa";
constexpr std::string_view kCode = "11010519491231002X";
constexpr std::string_view kPsb = "11510700008207313A";
constexpr std::string_view kHrss = "11510700008207428G";

TEST(SubjectTagTest, ExactBytesAreTheDocumentedExample) {
  Bytes key = SubjectKey(kSalt, "citizen_id", kCode);
  EXPECT_EQ(key, crypto::Sha256(std::string("civicledger/subject-key/v1\0", 27) + std::string(kSalt) + '\0' +
                                "citizen_id" + '\0' + std::string(kCode)));
  EXPECT_EQ(ToHex(key), "1ca11088a269255949d9cbe3129fef11fc71f430bddc8bee7bd46954298bb882");
  Bytes tag = AccessSubjectTag(key, kHrss);
  EXPECT_EQ(tag, crypto::Sha256(std::string("civicledger/access-subject/v1\0", 30) + key + '\0' + std::string(kHrss)));
  EXPECT_EQ(ToHex(tag), "1fb5fd3a53900c34d5b69ebf8fa13f66ad60c4ef83ebf94796eaf51816dd74a9");
  EXPECT_EQ(ToHex(AccessSubjectTag(key, kPsb)), "b75132ad10723cbff3efaddd31c4114331ad3b3031dcb147ec659e32b8b39a6c");
  EXPECT_EQ(ToHex(HolderCommitment(kSalt, "citizen_id", kCode)),
            "09624fb601d45a694fdc7eb6e5b2b3015b4eb5e7b7ca17fddc81d1c6fc6ff88e");
}

TEST(SubjectTagTest, UnlinkableAcrossRequestersAndToTheHolderCommitment) {
  Bytes key = SubjectKey(kSalt, "citizen_id", kCode);
  Bytes holder = HolderCommitment(kSalt, "citizen_id", kCode);
  Bytes psb = AccessSubjectTag(key, kPsb), hrss = AccessSubjectTag(key, kHrss);
  EXPECT_EQ(psb.size(), 32u);
  EXPECT_NE(psb, hrss);
  for (const Bytes& value : {key, psb, hrss}) EXPECT_NE(value, holder);
  // Nor is the tag the requester's tag of the public commitment (what anyone could compute).
  EXPECT_NE(AccessSubjectTag(holder, kHrss), hrss);
  // Every part of the opening counts.
  EXPECT_NE(SubjectKey("other-salt", "citizen_id", kCode), key);
  EXPECT_NE(SubjectKey(kSalt, "uscc", kCode), key);
  EXPECT_NE(SubjectKey(kSalt, "citizen_id", "110105194912310021"), key);
  // The separators keep the parts apart.
  EXPECT_NE(SubjectKey("ab", "c", "d"), SubjectKey("a", "bc", "d"));
}

}  // namespace
}  // namespace civic::contracts
