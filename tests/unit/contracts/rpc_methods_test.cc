// cert_* and gov_* JSON-RPC handlers against a real ledger::Chain (LevelDB in a
// temp dir) driven by the default Registry and the sample genesis.
#include <gtest/gtest.h>

#include <filesystem>

#include "contracts/certificate/query.h"
#include "contracts/base/identifiers.h"
#include "ledger/block.h"
#include "rpc/codec/holder_certificate.h"
#include "rpc/methods.h"
#include "test_chain.h"
#include "contracts/certificate/calls.h"
#include "contracts/governance/calls.h"
#include "contracts/base/tx_builder.h"
#include "contracts/credit/calls.h"
#include "ledger/tx.h"

namespace civic::contracts {
namespace {

namespace json = boost::json;
using testing::kPsb;

class FakeNode final : public rpc::NodeBackend {
 public:
  explicit FakeNode(const ledger::Chain* chain) : chain_(chain) {}
  const ledger::Chain& chain() const override { return *chain_; }
  rpc::NodeInfo info() const override { return rpc::NodeInfo{"test-chain", "", "test", true, 0, 0}; }
  Result<Bytes> SubmitTx(Bytes) override { return Status::Unavailable("NOT_READY", "not in this test"); }
  void AwaitCommit(const Bytes&, std::chrono::milliseconds, std::function<void(Result<pb::TxLocation>)> done) override {
    done(Status::Unavailable("NOT_READY", "not in this test"));
  }

 private:
  const ledger::Chain* chain_;
};

class RpcMethodsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() /
            ("civic-contracts-rpc-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    std::filesystem::remove_all(dir_);
    registry_ = Registry::CreateDefault();
    ledger::ChainOptions options;
    options.chain_id = "test-chain";
    options.sync_writes = false;
    auto chain = ledger::Chain::Open(dir_, options, registry_.get());
    ASSERT_TRUE(chain.ok()) << chain.status().ToString();
    chain_ = std::move(*chain);
    ASSERT_TRUE(chain_->InitGenesis(sample_.genesis.genesis_time_ms, sample_.genesis.state, sample_.genesis.hash).ok());
    node_ = std::make_unique<FakeNode>(chain_.get());
    rpc::RegisterCertificateMethods(&table_);
    rpc::RegisterGovernanceMethods(&table_);
  }
  void TearDown() override {
    chain_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Commits `txs` as the next block, signed by the single validator.
  void Commit(std::vector<Bytes> txs) {
    auto node_key = crypto::KeyPair::FromSecret(crypto::Algo::kEd25519, testing::TestChain::Seed(100)).value();
    int64_t time = chain_->tip().time_ms + 1000;
    pb::Block block = chain_->BuildBlock(std::move(txs), time, node_key.public_key(), last_commit_);
    Bytes hash = ledger::BlockHash(block);
    uint64_t height = chain_->tip().height + 1;
    pb::Commit commit;
    commit.set_height(height);
    commit.set_block_hash(hash);
    auto* sig = commit.add_sigs();
    *sig->mutable_validator() = ledger::ToProto(node_key.public_key());
    sig->set_sig(node_key.Sign(ledger::VoteSignBytes("test-chain", ledger::kPrecommit, height, 0, hash)));
    Status st = chain_->ApplyBlock(block, commit);
    ASSERT_TRUE(st.ok()) << st.ToString();
    last_commit_ = commit;
  }

  TxParams Params(size_t org) {
    TxParams p = sample_.Params(org);
    p.valid_until_height = chain_->tip().height + 10;
    return p;
  }

  Result<json::value> Call(std::string_view method, json::value params) {
    const rpc::Method* m = table_.Find(method);
    EXPECT_NE(m, nullptr) << method;
    if (m == nullptr) return Status::Internal("no method");
    rpc::CallContext ctx;
    ctx.node = node_.get();
    ctx.methods = &table_;
    std::optional<Result<json::value>> answer;
    m->handler(ctx, params, [&](Result<json::value> r) {
      EXPECT_FALSE(answer.has_value()) << "replied twice";
      answer.emplace(std::move(r));
    });
    EXPECT_TRUE(answer.has_value()) << "no reply";
    return answer.has_value() ? std::move(*answer) : Result<json::value>(Status::Internal("no reply"));
  }

  // Issues an ID card with a chain-assigned serial; returns the holder copy with its id.
  HolderCertificate IssueIdCard() {
    const pb::CertType& type = sample_.genesis.cert_types[0];
    std::string code = "11010519491231002X";
    HolderCertificate copy = NewHolderCertificate(
        type.code(), sample_.code(kPsb), "citizen_id", code,
        {{"name", "张三"}, {"sex", "男"}, {"ethnicity", "汉"}, {"birth_date", "1949-12-31"},
         {"address", "四川省绵阳市涪城区临园路东段1号"}, {"id_number", code}});
    Commit({IssueTx(Params(kPsb), {MakeIssueItem(copy).value()}, sample_.org_keys[kPsb])});
    copy.id = MakeCertId(type.code(), sample_.code(kPsb), "0000000001", 1).value();
    return copy;
  }

  testing::TestChain sample_;  // keys and genesis
  std::string dir_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<ledger::Chain> chain_;
  std::unique_ptr<FakeNode> node_;
  rpc::MethodTable table_;
  pb::Commit last_commit_;
};

// A committed proposal whose action is a credit repair decision (its note is
// for the deciding org and auditors): no public path shows the note, in any form.
TEST_F(RpcMethodsTest, ProposalsWithNonPublicActionsShowThemRedactedOnEveryPath) {
  rpc::RegisterChainMethods(&table_);
  rpc::RegisterCreditMethods(&table_);
  const std::string note = "经核实已全额支付 proposal note 5521";
  Bytes propose = GovernanceTx(Params(testing::kGss),
                               ProposeCreditCall("repair by governance", RepairDecideCall(3, true, note)),
                               sample_.org_keys[testing::kGss]);
  Commit({propose});
  const std::string id = ToHex(ledger::TxId(propose));
  auto leaks = [&](const json::value& answer) {
    const std::string text = json::serialize(answer);
    return text.find(note) != std::string::npos || text.find(ToHex(note)) != std::string::npos;
  };
  for (auto [method, params] : {std::pair<std::string, json::value>{"gov_proposal", json::object{{"id", 1}}},
                                {"gov_proposals", json::object{}},
                                {"chain_getTx", json::object{{"id", id}, {"raw", true}}},
                                {"chain_getBlock", json::object{{"height", chain_->tip().height}}}}) {
    auto answer = Call(method, params);
    ASSERT_TRUE(answer.ok()) << method << ": " << answer.status().ToString();
    EXPECT_FALSE(leaks(*answer)) << method << " answered " << json::serialize(*answer);
  }
  auto p = Call("gov_proposal", json::object{{"id", 1}});
  EXPECT_EQ(p->at("redacted"), json::value(true));
  EXPECT_EQ(p->at("action").at("method"), json::value("repair_decide"));
  EXPECT_EQ(p->at("action").at("call"), json::parse(R"({"repair_decide":{}})"));
  auto tx = Call("chain_getTx", json::object{{"id", id}, {"raw", true}});
  EXPECT_EQ(tx->at("redacted"), json::value(true));
  EXPECT_EQ(tx->at("body").at("call").at("propose").at("action").at("call"), p->at("action").at("call"));
}

TEST_F(RpcMethodsTest, CertGetHistoryAndTypes) {
  HolderCertificate copy = IssueIdCard();
  auto got = Call("cert_get", json::object{{"id", copy.id}});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->at("id").as_string(), copy.id);
  EXPECT_EQ(got->at("status").as_string(), "active");
  EXPECT_EQ(got->at("holder_commitment").as_string(), ToHex(copy.Commitment()));
  // Positional params work too.
  EXPECT_TRUE(Call("cert_get", json::array{json::value(copy.id)}).ok());

  auto missing = Call("cert_get", json::object{});
  EXPECT_EQ(missing.status().app_code(), "INVALID_PARAMS");
  EXPECT_EQ(Call("cert_get", json::object{{"id", 5}}).status().app_code(), "INVALID_PARAMS");
  EXPECT_EQ(Call("cert_get", json::object{{"id", "nope"}}).status().app_code(), "BAD_CERT_ID");
  std::string unknown = MakeCertId(copy.type_code, copy.issuer_org, "X1", 1).value();
  auto nf = Call("cert_get", json::object{{"id", unknown}});
  EXPECT_EQ(nf.status().app_code(), "CERT_NOT_FOUND");
  EXPECT_EQ(nf.status().code(), Code::kNotFound);

  Commit({CertificateTx(Params(kPsb), RenewCall(copy.id, nullptr), sample_.org_keys[kPsb])});
  auto history = Call("cert_history", json::object{{"id", copy.id}});
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->at("versions").as_array().size(), 2u);
  EXPECT_EQ(history->at("events").as_array().size(), 2u);
  EXPECT_EQ(history->at("events").as_array()[1].at("kind").as_string(), "superseded");

  auto types = Call("cert_types", json::object{});
  ASSERT_TRUE(types.ok());
  EXPECT_EQ(types->at("types").as_array().size(), 6u);
}

TEST_F(RpcMethodsTest, CertVerify) {
  HolderCertificate copy = IssueIdCard();
  int64_t issued = chain_->tip().time_ms;
  const HolderField* name = nullptr;
  for (const auto& f : copy.fields)
    if (f.name == "name") name = &f;
  json::object fields{{"name", json::object{{"salt", name->salt}, {"value", name->value}}}};
  auto v = Call("cert_verify", json::object{{"id", copy.id}, {"fields", fields}});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->at("verdict").as_string(), "valid");
  EXPECT_FALSE(v->as_object().contains("verdict_reason"));
  EXPECT_TRUE(v->at("genuine").as_bool());
  EXPECT_TRUE(v->at("valid_at_time").as_bool());
  EXPECT_EQ(v->at("at_ms").as_int64(), issued);  // default: latest block time
  EXPECT_EQ(v->at("fields").at("name").as_string(), "match");
  EXPECT_EQ(v->at("issuer").at("name").as_string(), "绵阳市公安局");

  // At a time before issuance, as RFC 3339 and as ms.
  v = Call("cert_verify", json::object{{"id", copy.id}, {"at", "2024-01-01T00:00:00Z"}});
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->at("valid_at_time").as_bool());
  EXPECT_EQ(v->at("invalid_reason").as_string(), "NOT_YET_ISSUED");
  EXPECT_EQ(v->at("verdict").as_string(), "invalid");
  EXPECT_EQ(v->at("verdict_reason").as_string(), "NOT_YET_ISSUED");
  v = Call("cert_verify", json::object{{"id", copy.id}, {"at", issued + 100LL * 365 * 86'400'000}});
  EXPECT_EQ(v->at("invalid_reason").as_string(), "EXPIRED");
  EXPECT_EQ(Call("cert_verify", json::object{{"id", copy.id}, {"at", "soon"}}).status().app_code(), "BAD_TIME");

  // Wrong value.
  fields["name"].as_object()["value"] = "李四";
  v = Call("cert_verify", json::object{{"id", copy.id}, {"fields", fields}});
  EXPECT_EQ(v->at("fields").at("name").as_string(), "mismatch");
  EXPECT_FALSE(v->at("fields_match").as_bool());
  // A forged field is a forgery, whether disclosed as fields or in the holder's copy.
  EXPECT_EQ(v->at("verdict").as_string(), "not_genuine");
  EXPECT_EQ(v->at("verdict_reason").as_string(), "FIELD_MISMATCH");
  EXPECT_FALSE(v->at("genuine").as_bool());
  HolderCertificate edited = copy;
  for (auto& f : edited.fields)
    if (f.name == "name") f.value = "李四";
  auto as_copy = Call("cert_verify", json::object{{"holder_certificate", rpc::HolderCertificateToJson(edited)}});
  ASSERT_TRUE(as_copy.ok());
  EXPECT_EQ(as_copy->at("verdict"), v->at("verdict"));
  EXPECT_EQ(as_copy->at("verdict_reason"), v->at("verdict_reason"));
  EXPECT_EQ(Call("cert_verify", json::object{{"id", copy.id}, {"fields", json::object{{"name", 1}}}}).status().app_code(),
            "INVALID_PARAMS");

  // The holder's whole copy, with or without id.
  v = Call("cert_verify", json::object{{"holder_certificate", rpc::HolderCertificateToJson(copy)}});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->at("genuine").as_bool());
  EXPECT_TRUE(v->at("holder_match").as_bool());
  HolderCertificate forged = copy;
  forged.holder_code = "440524188001010014";
  v = Call("cert_verify", json::object{{"holder_certificate", rpc::HolderCertificateToJson(forged)}});
  EXPECT_FALSE(v->at("genuine").as_bool());
  EXPECT_EQ(v->at("not_genuine_reason").as_string(), "HOLDER_MISMATCH");
  EXPECT_EQ(Call("cert_verify", json::object{{"holder_certificate", "x"}}).status().app_code(),
            "HOLDER_CERT_MALFORMED");
  EXPECT_EQ(Call("cert_verify", json::object{}).status().app_code(), "INVALID_PARAMS");

  // Unknown id: an answer, not an error.
  v = Call("cert_verify", json::object{{"id", "1.2.156.3005.2.bogus"}});
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->at("genuine").as_bool());
  EXPECT_EQ(v->at("verdict").as_string(), "unknown_id");
  EXPECT_EQ(v->at("verdict_reason").as_string(), "BAD_CERT_ID");
}

TEST_F(RpcMethodsTest, CertListByHolder) {
  HolderCertificate copy = IssueIdCard();
  std::string hex = ToHex(copy.Commitment());
  auto page = Call("cert_listByHolder", json::object{{"holder_commitment", hex}});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->at("certificates").as_array().size(), 1u);
  EXPECT_TRUE(page->at("next_cursor").is_null());
  // Replace it so that the holder has two versions; page through them.
  Commit({CertificateTx(Params(kPsb), ReplaceCall(copy.id, nullptr, "lost"), sample_.org_keys[kPsb])});
  page = Call("cert_listByHolder", json::object{{"holder_commitment", hex}, {"limit", 1}});
  ASSERT_EQ(page->at("certificates").as_array().size(), 1u);
  std::string cursor(page->at("next_cursor").as_string());
  EXPECT_EQ(cursor, copy.id);
  page = Call("cert_listByHolder", json::object{{"holder_commitment", hex}, {"cursor", cursor}, {"limit", 1}});
  ASSERT_EQ(page->at("certificates").as_array().size(), 1u);
  EXPECT_NE(page->at("certificates").as_array()[0].at("id").as_string(), copy.id);
  EXPECT_TRUE(page->at("next_cursor").is_null());

  EXPECT_EQ(Call("cert_listByHolder", json::object{{"holder_commitment", "abc"}}).status().app_code(),
            "BAD_HOLDER_COMMITMENT");
  EXPECT_EQ(Call("cert_listByHolder", json::object{{"holder_commitment", hex}, {"limit", 0}}).status().app_code(),
            "BAD_LIMIT");
  EXPECT_EQ(Call("cert_listByHolder", json::object{{"holder_commitment", hex}, {"limit", "x"}}).status().app_code(),
            "INVALID_PARAMS");
}

TEST_F(RpcMethodsTest, GovMethodsAndCallDecoders) {
  auto orgs = Call("gov_orgs", json::object{});
  ASSERT_TRUE(orgs.ok());
  EXPECT_EQ(orgs->at("orgs").as_array().size(), 5u);
  auto validators = Call("gov_validators", json::object{});
  ASSERT_TRUE(validators.ok());
  EXPECT_EQ(validators->at("validators").as_array().size(), 1u);
  auto gov_params = Call("gov_params", json::object{});
  ASSERT_TRUE(gov_params.ok()) << gov_params.status().ToString();
  const pb::GovParams& genesis_params = sample_.genesis.params;
  EXPECT_EQ(gov_params->at("proposal_ttl_blocks").to_number<uint64_t>(), genesis_params.proposal_ttl_blocks());
  EXPECT_EQ(gov_params->at("max_batch_certificates").to_number<uint64_t>(), genesis_params.max_batch_certificates());
  EXPECT_EQ(Call("gov_proposal", json::object{{"id", 1}}).status().app_code(), "UNKNOWN_PROPOSAL");
  EXPECT_EQ(Call("gov_proposal", json::object{{"id", 0}}).status().app_code(), "INVALID_PARAMS");

  pb::GovernanceCall params;
  params.mutable_set_params()->mutable_params()->set_proposal_ttl_blocks(500);
  params.mutable_set_params()->mutable_params()->set_max_batch_certificates(500);
  Commit({ProposeTx(Params(testing::kGss), "smaller batches", params, sample_.org_keys[testing::kGss])});
  auto p = Call("gov_proposal", json::object{{"id", 1}});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->at("status").as_string(), "open");
  auto list = Call("gov_proposals", json::object{});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->at("proposals").as_array().size(), 1u);
  EXPECT_TRUE(list->at("next_from").is_null());

  const rpc::CallDecoder* cert = table_.FindCallDecoder("certificate");
  const rpc::CallDecoder* gov = table_.FindCallDecoder("governance");
  ASSERT_NE(cert, nullptr);
  ASSERT_NE(gov, nullptr);
  auto decoded = (*cert)(RevokeCall("some-id", "fraud").SerializeAsString(), Viewer::kPublic);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->method, "revoke");
  EXPECT_EQ(decoded->call.at("revoke").at("reason").as_string(), "fraud");
  EXPECT_EQ((*gov)("\xff\xff", Viewer::kPublic).status().app_code(), "CALL_MALFORMED");
  auto gdecoded = (*gov)(VoteCall(3, true).SerializeAsString(), Viewer::kPublic);
  ASSERT_TRUE(gdecoded.ok());
  EXPECT_TRUE(gdecoded->call.at("vote").at("yes").as_bool());
}

}  // namespace
}  // namespace civic::contracts
