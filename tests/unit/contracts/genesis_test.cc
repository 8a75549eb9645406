#include "contracts/genesis.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "contracts/certificate/query.h"
#include "contracts/base/identifiers.h"
#include "contracts/governance/query.h"
#include "contracts/governance/rules.h"
#include "test_chain.h"
#include "tools/samples/network.h"

namespace civic::contracts {
namespace {

namespace json = boost::json;
using testing::MemState;

samples::SampleGenesisInput SampleInput(size_t nodes = 4) {
  samples::SampleGenesisInput in;
  in.chain_id = "mianyang-test";
  in.genesis_time_ms = 1'735'689'600'000;
  for (size_t i = 0; i < samples::kSampleOrgCount; ++i) {
    in.org_keys.push_back(crypto::KeyPair::FromSecret(crypto::Algo::kEd25519, Bytes(32, char(i + 1))).value().public_key());
  }
  for (size_t i = 0; i < nodes; ++i) {
    in.node_keys.push_back(
        crypto::KeyPair::FromSecret(crypto::Algo::kEd25519, Bytes(32, char(50 + i))).value().public_key());
  }
  return in;
}

TEST(GenesisTest, SampleOrgCodesAreValidUsccs) {
  for (const auto& org : samples::SampleOrgs()) EXPECT_TRUE(ValidateUscc(org.code).ok()) << org.code;
}

TEST(GenesisTest, SampleGenesisParses) {
  auto text = samples::SampleGenesisText(SampleInput());
  ASSERT_TRUE(text.ok());
  auto g = ParseGenesis(*text);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->chain_id, "mianyang-test");
  EXPECT_EQ(g->genesis_time_ms, 1'735'689'600'000);
  EXPECT_EQ(g->orgs.size(), 5u);
  EXPECT_EQ(g->cert_types.size(), 6u);
  EXPECT_EQ(g->validators.validators_size(), 4);
  EXPECT_EQ(g->hash.size(), 32u);
  for (int i = 1; i < g->validators.validators_size(); ++i) {
    EXPECT_LT(g->validators.validators(i - 1).pub_key().key(), g->validators.validators(i).pub_key().key());
  }
  MemState state;
  state.Apply(g->state);
  auto orgs = ListOrgs(state);
  ASSERT_TRUE(orgs.ok());
  ASSERT_EQ(orgs->size(), 5u);
  auto types = ListTypes(state);
  ASSERT_TRUE(types.ok());
  ASSERT_EQ(types->size(), 6u);
  std::set<std::string> names;
  for (const auto& t : *types) {
    EXPECT_TRUE(ValidateTypeCode(t.code()).ok());
    names.insert(t.name());
    for (const auto& issuer : t.issuer_orgs()) {
      auto org = GetOrg(state, issuer);
      ASSERT_TRUE(org.ok());
      EXPECT_TRUE(HasRole(*org, pb::ROLE_ISSUER, t.code()));
    }
  }
  EXPECT_TRUE(names.count("居民身份证"));
  EXPECT_TRUE(names.count("营业执照"));
  EXPECT_TRUE(names.count("社会保障卡"));
  auto psb = GetOrg(state, samples::SampleOrgs()[0].code);
  ASSERT_TRUE(psb.ok());
  EXPECT_TRUE(HasRole(*psb, pb::ROLE_ADMIN));
  auto gss = GetOrg(state, samples::SampleOrgs()[4].code);
  EXPECT_TRUE(HasRole(*gss, pb::ROLE_AUDITOR));
  auto ndrc = GetOrg(state, samples::SampleOrgs()[3].code);
  EXPECT_TRUE(HasRole(*ndrc, pb::ROLE_CREDIT_AUTHORITY, "FOOD_DRUG"));
  auto validators = GetValidators(state);
  ASSERT_TRUE(validators.ok());
  EXPECT_EQ(validators->validators_size(), 4);
}

TEST(GenesisTest, HashIgnoresFormattingButNotContent) {
  auto obj = samples::SampleGenesis(SampleInput());
  ASSERT_TRUE(obj.ok());
  auto pretty = ParseGenesis(*samples::SampleGenesisText(SampleInput()));
  auto compact = ParseGenesis(json::serialize(*obj));
  ASSERT_TRUE(pretty.ok() && compact.ok());
  EXPECT_EQ(pretty->hash, compact->hash);
  json::object changed = *obj;
  changed["chain_id"] = "other";
  EXPECT_NE(ParseGenesis(json::serialize(changed))->hash, pretty->hash);
  changed = *obj;
  changed["genesis_time"] = "2025-01-01T00:00:01Z";
  EXPECT_NE(ParseGenesis(json::serialize(changed))->hash, pretty->hash);
  // Time as integer ms is the same genesis.
  changed = *obj;
  changed["genesis_time"] = 1'735'689'600'000;
  EXPECT_EQ(ParseGenesis(json::serialize(changed))->hash, pretty->hash);
}

TEST(GenesisTest, SampleInputChecked) {
  samples::SampleGenesisInput in = SampleInput();
  in.org_keys.pop_back();
  EXPECT_EQ(samples::SampleGenesis(in).status().app_code(), "GENESIS_BAD_SAMPLE_INPUT");
  in = SampleInput(0);
  EXPECT_EQ(samples::SampleGenesis(in).status().app_code(), "GENESIS_BAD_SAMPLE_INPUT");
}

// Applies `edit` to the sample genesis and expects `app_code`.
void ExpectError(const std::function<void(json::object&)>& edit, const std::string& app_code) {
  json::object g = samples::SampleGenesis(SampleInput()).value();
  edit(g);
  auto r = ParseGenesis(json::serialize(g));
  ASSERT_FALSE(r.ok()) << "expected " << app_code;
  EXPECT_EQ(r.status().app_code(), app_code) << r.status().message();
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("genesis: "), std::string::npos);
}

json::object& Org(json::object& g, size_t i) { return g["orgs"].as_array()[i].as_object(); }

TEST(GenesisTest, EveryBadFieldHasATypedError) {
  EXPECT_EQ(ParseGenesis("{").status().app_code(), "GENESIS_MALFORMED");
  EXPECT_EQ(ParseGenesis("[]").status().app_code(), "GENESIS_MALFORMED");
  ExpectError([](auto& g) { g["extra"] = 1; }, "GENESIS_MALFORMED");
  ExpectError([](auto& g) { g.erase("chain_id"); }, "GENESIS_BAD_CHAIN_ID");
  ExpectError([](auto& g) { g["chain_id"] = "has space"; }, "GENESIS_BAD_CHAIN_ID");
  ExpectError([](auto& g) { g["chain_id"] = 5; }, "GENESIS_BAD_CHAIN_ID");
  ExpectError([](auto& g) { g.erase("genesis_time"); }, "GENESIS_BAD_TIME");
  ExpectError([](auto& g) { g["genesis_time"] = "yesterday"; }, "GENESIS_BAD_TIME");
  ExpectError([](auto& g) { g["genesis_time"] = -5; }, "GENESIS_BAD_TIME");
  ExpectError([](auto& g) { g["params"] = 3; }, "GENESIS_BAD_PARAMS");
  ExpectError([](auto& g) { g["params"].as_object()["proposal_ttl_blocks"] = 0; }, "GENESIS_BAD_PARAMS");
  ExpectError([](auto& g) { g["params"].as_object()["max_batch_certificates"] = -1; }, "GENESIS_BAD_PARAMS");
  ExpectError([](auto& g) { g["params"].as_object()["bogus"] = 1; }, "GENESIS_MALFORMED");
  ExpectError([](auto& g) { g["orgs"] = json::array(); }, "GENESIS_BAD_ORG");
  ExpectError([](auto& g) { Org(g, 1)["code"] = "914403001922038217"; }, "GENESIS_BAD_ORG");
  ExpectError([](auto& g) { Org(g, 1)["name"] = ""; }, "GENESIS_BAD_ORG");
  ExpectError([](auto& g) { Org(g, 1).erase("name"); }, "GENESIS_BAD_ORG");
  ExpectError([](auto& g) { Org(g, 1)["code"] = Org(g, 0)["code"]; }, "GENESIS_DUPLICATE_ORG");
  ExpectError([](auto& g) { Org(g, 1)["keys"] = json::array(); }, "GENESIS_BAD_KEY");
  ExpectError([](auto& g) { Org(g, 1)["keys"] = json::array({"ed25519:zz"}); }, "GENESIS_BAD_KEY");
  ExpectError([](auto& g) { Org(g, 1)["keys"] = json::array({"ed25519:" + std::string(62, '0')}); },
              "GENESIS_BAD_KEY");
  ExpectError([](auto& g) { Org(g, 1)["keys"] = Org(g, 0)["keys"]; }, "GENESIS_DUPLICATE_KEY");
  ExpectError([](auto& g) { Org(g, 1)["roles"] = json::array({"KING"}); }, "GENESIS_BAD_ROLE");
  ExpectError([](auto& g) { Org(g, 1)["roles"] = json::array({7}); }, "GENESIS_BAD_ROLE");
  ExpectError(
      [](auto& g) {
        json::object r;
        r["role"] = "ISSUER";
        r["scopes"] = json::array({"not-a-type-code"});
        Org(g, 1)["roles"].as_array().push_back(r);
      },
      "GENESIS_BAD_ROLE");
  ExpectError(
      [](auto& g) {
        for (size_t i = 0; i < 5; ++i) {
          json::array kept;
          for (auto& r : Org(g, i)["roles"].as_array())
            if (!(r.is_string() && r.as_string() == "ADMIN")) kept.push_back(r);
          Org(g, i)["roles"] = kept;
        }
      },
      "GENESIS_NO_ADMIN");
  ExpectError([](auto& g) { g["validators"] = json::array(); }, "GENESIS_NO_VALIDATORS");
  ExpectError([](auto& g) { g["validators"].as_array()[0].as_object()["org"] = "914403001922038216"; },
              "GENESIS_BAD_VALIDATOR");
  ExpectError([](auto& g) { g["validators"].as_array()[0].as_object()["power"] = 0; }, "GENESIS_BAD_VALIDATOR");
  ExpectError([](auto& g) { g["validators"].as_array()[0].as_object().erase("power"); }, "GENESIS_BAD_VALIDATOR");
  ExpectError([](auto& g) { g["validators"].as_array()[1] = g["validators"].as_array()[0]; },
              "GENESIS_DUPLICATE_KEY");
  ExpectError([](auto& g) { g["validators"].as_array()[0].as_object()["pub_key"] = Org(g, 0)["keys"].as_array()[0]; },
              "GENESIS_DUPLICATE_KEY");
  ExpectError(
      [](auto& g) {
        auto k = crypto::KeyPair::FromSecret(crypto::Algo::kSecp256k1, Bytes(32, '\x09')).value().public_key();
        g["validators"].as_array()[0].as_object()["pub_key"] = k.ToString();
      },
      "GENESIS_BAD_VALIDATOR");
  ExpectError(
      [](auto& g) {
        json::array kept;
        for (auto& r : Org(g, 0)["roles"].as_array())
          if (!(r.is_string() && r.as_string() == "VALIDATOR")) kept.push_back(r);
        Org(g, 0)["roles"] = kept;
      },
      "GENESIS_BAD_VALIDATOR");
  auto type = [](json::object& g, size_t i) -> json::object& { return g["cert_types"].as_array()[i].as_object(); };
  ExpectError([&](auto& g) { type(g, 0)["code"] = "123"; }, "GENESIS_BAD_CERT_TYPE");
  ExpectError([&](auto& g) { type(g, 0)["holder_code_type"] = "passport"; }, "GENESIS_BAD_CERT_TYPE");
  ExpectError([&](auto& g) { type(g, 0)["fields"] = json::array(); }, "GENESIS_BAD_CERT_TYPE");
  ExpectError([&](auto& g) { type(g, 0)["fields"].as_array()[0].as_object()["name"] = "Bad Name"; },
              "GENESIS_BAD_CERT_TYPE");
  ExpectError([&](auto& g) { type(g, 0)["fields"].as_array()[1] = type(g, 0)["fields"].as_array()[0]; },
              "GENESIS_BAD_CERT_TYPE");
  ExpectError([&](auto& g) { type(g, 0)["issuer_orgs"] = json::array({samples::SampleOrgs()[1].code}); },
              "GENESIS_BAD_CERT_TYPE");  // hrss is no ISSUER of the ID card
  ExpectError([&](auto& g) { type(g, 0)["issuer_orgs"] = json::array({"914403001922038216"}); },
              "GENESIS_BAD_CERT_TYPE");  // not an org
  ExpectError([&](auto& g) { type(g, 0)["default_validity_days"] = -1; }, "GENESIS_BAD_CERT_TYPE");
  ExpectError([&](auto& g) { type(g, 0)["default_validity_ms"] = 5; }, "GENESIS_BAD_CERT_TYPE");  // both given
  ExpectError([&](auto& g) { g["cert_types"].as_array()[1] = g["cert_types"].as_array()[0]; },
              "GENESIS_BAD_CERT_TYPE");
}

TEST(GenesisTest, LoadsFromFile) {
  auto dir = std::filesystem::temp_directory_path() / ("civic-genesis-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "genesis.json").string();
  {
    std::ofstream out(path);
    out << *samples::SampleGenesisText(SampleInput());
  }
  auto g = LoadGenesisFile(path);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(LoadGenesisFile((dir / "missing.json").string()).status().app_code(), "GENESIS_IO");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace civic::contracts
