// The certificate verdict from proven state alone: absence, validity windows,
// the status history at T, T beyond the proven state, and records that are
// not what their key names.
#include <gtest/gtest.h>

#include "contracts/certificate/keys.h"
#include "light/cert_verdict.h"
#include "light/errors.h"

namespace civic::light {
namespace {

constexpr char kId[] = "CERT-1";

ProvenState StateWith(std::optional<Bytes> record, int64_t proven_until_ms = 10'000) {
  ProvenState state;
  state.height = 7;
  state.proven_until_ms = proven_until_ms;
  state.entries.push_back(ProvenEntry{contracts::keys::Cert(kId), record.has_value(), record.value_or("")});
  return state;
}

pb::Certificate Cert() {
  pb::Certificate c;
  c.set_id(kId);
  c.set_issued_at_ms(1000);
  c.set_valid_from_ms(1000);
  c.set_valid_until_ms(9000);
  c.set_status(pb::CERT_REVOKED);
  pb::CertEvent* revoked = c.add_events();
  revoked->set_kind(pb::CERT_EVENT_REVOKED);
  revoked->set_time_ms(5000);
  revoked->set_status_after(pb::CERT_REVOKED);
  return c;
}

TEST(CertVerdictTest, AbsentRecordIsNoSuchCertificate) {
  auto v = DecideCertificate(StateWith(std::nullopt), kId, 2000);
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->exists);
  EXPECT_FALSE(v->valid);
  EXPECT_EQ(v->invalid_reason, "CERT_NOT_FOUND");
}

TEST(CertVerdictTest, StatusAtTComesFromTheProvenHistory) {
  const Bytes record = Cert().SerializeAsString();
  struct Row {
    int64_t at;
    bool valid;
    std::string reason;
  };
  for (const Row& row : {Row{500, false, "NOT_YET_ISSUED"}, Row{2000, true, ""}, Row{4999, true, ""},
                         Row{5000, false, "REVOKED"}, Row{9500, false, "EXPIRED"}}) {
    auto v = DecideCertificate(StateWith(record), kId, row.at);
    ASSERT_TRUE(v.ok());
    EXPECT_TRUE(v->exists);
    EXPECT_EQ(v->valid, row.valid) << row.at;
    EXPECT_EQ(v->invalid_reason, row.reason) << row.at;
    EXPECT_EQ(v->evaluated_at_ms, row.at);
  }
}

TEST(CertVerdictTest, TimeAfterTheProvenStateIsAnsweredAsOfItsEnd) {
  auto v = DecideCertificate(StateWith(Cert().SerializeAsString(), 3000), kId, 7000);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->asked_at_ms, 7000);
  EXPECT_EQ(v->evaluated_at_ms, 3000);
  EXPECT_TRUE(v->valid);  // the revocation at 5000 is not proven by this state
}

TEST(CertVerdictTest, RecordsThatAreNotTheCertificateAreRefused) {
  EXPECT_EQ(DecideCertificate(StateWith(Bytes("\xff\xff\xff", 3)), kId, 2000).status().app_code(),
            err::LIGHT_RECORD_MALFORMED);
  pb::Certificate other = Cert();
  other.set_id("CERT-2");
  EXPECT_EQ(DecideCertificate(StateWith(other.SerializeAsString()), kId, 2000).status().app_code(),
            err::LIGHT_RECORD_MALFORMED);
  EXPECT_EQ(DecideCertificate(StateWith(Cert().SerializeAsString()), "CERT-2", 2000).status().app_code(),
            err::LIGHT_KEY_MISMATCH);
}

}  // namespace
}  // namespace civic::light
