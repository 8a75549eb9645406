// JSON renderings of certificate records and query results (rpc/codec/certificate.h)
// over a chain the contracts ran. docs/RPC.md pins the complete answers
// (RpcDocTest); these check the parts that vary with state.
#include <gtest/gtest.h>

#include "contracts/base/identifiers.h"
#include "contracts/certificate/calls.h"
#include "contracts/certificate/holder.h"
#include "contracts/certificate/query.h"
#include "rpc/codec/certificate.h"
#include "tests/unit/contracts/test_chain.h"

namespace civic::rpc {
namespace {

using contracts::HolderCertificate;
using contracts::testing::kPsb;
using contracts::testing::TestChain;

class CertificateCodecTest : public ::testing::Test {
 protected:
  CertificateCodecTest() {
    for (const auto& t : chain.genesis.cert_types) {
      if (t.name() == "居民身份证") id_card = t;
    }
  }

  // Issues a resident ID card with `serial`; returns the holder's copy with its id.
  HolderCertificate IssueIdCard(const std::string& serial) {
    HolderCertificate copy =
        contracts::NewHolderCertificate(id_card.code(), chain.code(kPsb), "citizen_id", "11010519491231002X",
                                        {{"name", "张三"},
                                         {"sex", "男"},
                                         {"ethnicity", "汉"},
                                         {"birth_date", "1949-12-31"},
                                         {"address", "四川省绵阳市涪城区测试路1号"},
                                         {"id_number", "11010519491231002X"}});
    auto item = contracts::MakeIssueItem(copy, serial);
    EXPECT_TRUE(item.ok()) << item.status().ToString();
    Status st = Exec(contracts::IssueCall({*item}));
    EXPECT_TRUE(st.ok()) << st.ToString();
    copy.id = contracts::MakeCertId(id_card.code(), chain.code(kPsb), serial, 1).value();
    return copy;
  }

  Status Exec(const pb::CertificateCall& call) {
    return chain.Exec(contracts::CertificateTx(chain.Params(kPsb), call, chain.org_keys[kPsb]));
  }

  TestChain chain;
  pb::CertType id_card;
};

TEST_F(CertificateCodecTest, JsonRendering) {
  HolderCertificate copy = IssueIdCard("J1");
  const std::string& id = copy.id;
  std::map<std::string, contracts::PresentedField> shown;
  for (const auto& f : copy.fields)
    if (f.name == "name") shown[f.name] = {f.salt, f.value};
  auto v = contracts::VerifyCertificate(chain.state, id, chain.time_ms, shown).value();
  auto j = VerificationToJson(v);
  EXPECT_TRUE(j["genuine"].as_bool());
  EXPECT_TRUE(j["valid_at_time"].as_bool());
  EXPECT_EQ(j["status"].as_string(), "active");
  EXPECT_EQ(j["issuer"].as_object()["name"].as_string(), "绵阳市公安局");
  EXPECT_EQ(j["fields"].as_object()["name"].as_string(), "match");
  EXPECT_TRUE(j["fields_match"].as_bool());
  auto c = CertificateToJson(contracts::GetCertificate(chain.state, id).value());
  EXPECT_EQ(c["id"].as_string(), id);
  EXPECT_EQ(c["holder_commitment"].as_string(), ToHex(copy.Commitment()));
  EXPECT_EQ(c["valid_until"].as_string().size(), 20u);
  auto missing = VerificationToJson(contracts::VerifyCertificate(chain.state, "bad", chain.time_ms).value());
  EXPECT_FALSE(missing["genuine"].as_bool());
  EXPECT_EQ(missing["not_genuine_reason"].as_string(), "BAD_CERT_ID");
  auto types = CertTypesToJson(contracts::ListTypes(chain.state).value());
  EXPECT_EQ(types.size(), 6u);
  auto page = CertPageToJson(contracts::ListByHolder(chain.state, copy.Commitment(), "", 5).value());
  EXPECT_EQ(page["certificates"].as_array().size(), 1u);
  EXPECT_TRUE(page["next_cursor"].is_null());
}

TEST_F(CertificateCodecTest, HistoryOfARenewedVersionShowsItSuperseded) {
  std::string id = IssueIdCard("H1").id;
  ASSERT_TRUE(Exec(contracts::RenewCall(id, nullptr)).ok());
  auto json = boost::json::serialize(HistoryToJson(contracts::History(chain.state, id).value()));
  EXPECT_NE(json.find("\"superseded\""), std::string::npos);
}

TEST(CertificateCodecNamesTest, UnknownValuesReadAsTheyAlwaysHave) {
  pb::CertEvent event;
  auto e = CertEventToJson(event);
  EXPECT_EQ(e["kind"].as_string(), "unknown");
  EXPECT_EQ(e["status_after"].as_string(), "none");
  event.set_kind(static_cast<pb::CertEventKind>(99));
  EXPECT_EQ(CertEventToJson(event)["kind"].as_string(), "unknown");

  pb::Certificate cert;
  cert.set_issuer_key_algo(9);
  cert.set_issuer_key("\x01\x02");
  auto c = CertificateToJson(cert);
  EXPECT_EQ(c["issuer_key"].as_string(), "unknown:0102");
  EXPECT_EQ(c["status"].as_string(), "none");
  cert.set_issuer_key_algo(0);
  EXPECT_EQ(CertificateToJson(cert)["issuer_key"].as_string(), "unknown:0102");
}

}  // namespace
}  // namespace civic::rpc
