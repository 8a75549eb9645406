#include "tools/samples/credit_sample.h"

#include "contracts/base/identifiers.h"
#include "contracts/credit/calls.h"
#include "contracts/credit/subjects.h"
#include "contracts/governance/calls.h"
#include "tools/common/errors.h"
#include "tools/samples/network.h"
#include "contracts/base/tx_builder.h"
#include "crypto/hash.h"

namespace civic::samples {

using namespace civic::contracts;

namespace {

constexpr int64_t kDayMs = 86'400'000;

std::string ValidUscc(std::string_view first17) { return std::string(first17) + UsccCheckChar(first17).value(); }

std::string ValidCitizenId(std::string_view first17) {
  return std::string(first17) + CitizenIdCheckChar(first17).value();
}

pb::CreditCategory SampleCategory(std::string code, std::string name, pb::CreditList list, std::string decider,
                                  pb::CreditSeverity severity, int64_t min_days, int64_t max_days, bool repairable) {
  pb::CreditCategory c;
  c.set_code(std::move(code));
  c.set_name(std::move(name));
  c.set_list(list);
  c.add_deciding_orgs(std::move(decider));
  c.set_severity(severity);
  c.set_min_publicity_ms(min_days * kDayMs);
  c.set_max_publicity_ms(max_days * kDayMs);
  c.set_repairable(repairable);
  return c;
}

pb::CreditMeasure SampleMeasure(std::string category, std::string code, std::string org, std::string matter,
                                std::string description) {
  pb::CreditMeasure m;
  m.set_category(std::move(category));
  m.set_code(std::move(code));
  m.set_org(std::move(org));
  m.set_matter(std::move(matter));
  m.set_description(std::move(description));
  return m;
}

pb::CreditListing SampleListing(pb::CreditSubject subject, std::string category, std::string reason,
                                std::string legal_basis, std::string doc_no, int64_t decided_at, int64_t end = 0,
                                uint64_t basis = 0) {
  pb::CreditListing l;
  *l.mutable_subject() = std::move(subject);
  l.set_category(std::move(category));
  l.set_reason(std::move(reason));
  l.set_legal_basis(std::move(legal_basis));
  l.set_decision_doc_digest(crypto::Sha256("decision document " + doc_no));
  l.set_decision_doc_no(std::move(doc_no));
  l.set_decided_at_ms(decided_at);
  l.set_publicity_end_ms(end);
  l.set_basis_commitment_id(basis);
  return l;
}

}  // namespace

Bytes SampleCreditKey(size_t org) {
  return crypto::Sha256("civicledger/sample-credit-key/" + std::string(SampleOrgs().at(org).short_name));
}

std::vector<std::string> SampleCreditEnterprises() {
  return {ValidUscc("91510703MA6ATB0F1"), ValidUscc("91510704MA6BXK3H2"), ValidUscc("91510723MA68YL5P8"),
          ValidUscc("91510700MA6CWN7E6")};
}

Result<std::vector<std::vector<Bytes>>> SampleCreditBlocks(const CreditSampleInput& in) {
  const auto& orgs = SampleOrgs();
  if (in.org_keys.size() != orgs.size()) {
    return Status::InvalidArgument(err::CREDIT_BAD_SAMPLE_INPUT, "the sample needs exactly " +
                                                                  std::to_string(orgs.size()) + " org keys, got " +
                                                                  std::to_string(in.org_keys.size()));
  }
  if (in.now_ms < int64_t{5} * 366 * kDayMs) {
    return Status::InvalidArgument(err::CREDIT_BAD_SAMPLE_INPUT, "now_ms must be a real time (sample dates lie years back)");
  }
  enum : size_t { kPsb = 0, kHrss = 1, kAmr = 2, kNdrc = 3, kGss = 4 };
  uint64_t nonce = 0;
  auto tx = [&](size_t org, const pb::CreditCall& call) {
    TxParams p;
    p.chain_id = in.chain_id;
    p.org = orgs[org].code;
    p.valid_until_height = in.valid_until_height;
    p.nonce = in.nonce_prefix + std::to_string(++nonce);
    return CreditTx(p, call, in.org_keys[org]);
  };
  auto gov = [&](size_t org, const pb::GovernanceCall& call) {
    TxParams p;
    p.chain_id = in.chain_id;
    p.org = orgs[org].code;
    p.valid_until_height = in.valid_until_height;
    p.nonce = in.nonce_prefix + std::to_string(++nonce);
    return GovernanceTx(p, call, in.org_keys[org]);
  };
  const std::string& hrss = orgs[kHrss].code;
  const std::string& amr = orgs[kAmr].code;
  const std::string& ndrc = orgs[kNdrc].code;

  std::vector<std::vector<Bytes>> blocks;
  // 1. Categories and measures, proposed by the supervision bureau and passed by
  //    four of the five ADMIN departments.
  pb::CreditCall registration = RegisterCreditCall(
      {SampleCategory("FOOD_DRUG", "食品药品安全严重失信主体", pb::CREDIT_LIST_BLACK, amr, pb::CREDIT_SEVERITY_SERIOUS,
                      365, 3 * 365, true),
       SampleCategory("LABOUR", "拖欠农民工工资失信联合惩戒对象", pb::CREDIT_LIST_BLACK, hrss,
                      pb::CREDIT_SEVERITY_GENERAL, 90, 365, true),
       SampleCategory("TAX", "重大税收违法失信主体", pb::CREDIT_LIST_BLACK, ndrc, pb::CREDIT_SEVERITY_SERIOUS, 365,
                      3 * 365, false),
       SampleCategory("MARKET", "守合同重信用企业", pb::CREDIT_LIST_RED, amr, pb::CREDIT_SEVERITY_GENERAL, 0, 2 * 365,
                      false)},
      {SampleMeasure("FOOD_DRUG", "licensing_review", amr, "administrative_licensing",
                     "从严审核行政许可申请，列为重点监管对象"),
       SampleMeasure("FOOD_DRUG", "no_procurement", ndrc, "government_procurement", "限制参加政府采购活动"),
       SampleMeasure("LABOUR", "no_procurement", ndrc, "government_procurement", "限制参加政府采购活动"),
       SampleMeasure("LABOUR", "no_subsidy", hrss, "financial_subsidy", "限制申请就业补贴等财政性资金"),
       SampleMeasure("TAX", "no_procurement", ndrc, "government_procurement", "限制参加政府采购活动"),
       SampleMeasure("MARKET", "fast_track", amr, "administrative_licensing", "行政许可容缺受理，开辟绿色通道")});
  uint64_t proposal = in.first_proposal_id;
  blocks.push_back({gov(kGss, ProposeCreditCall("register credit categories and joint measures", registration)),
                    gov(kPsb, VoteCall(proposal, true)), gov(kHrss, VoteCall(proposal, true)),
                    gov(kAmr, VoteCall(proposal, true))});

  const std::vector<std::string> uscc = SampleCreditEnterprises();
  CIVIC_ASSIGN_OR_RETURN(pb::CreditSubject food, EnterpriseSubject(uscc[0], "绵阳市涪城区示例食品有限公司"));
  CIVIC_ASSIGN_OR_RETURN(pb::CreditSubject builder, EnterpriseSubject(uscc[1], "绵阳示例建筑劳务有限公司"));
  CIVIC_ASSIGN_OR_RETURN(pb::CreditSubject trader, EnterpriseSubject(uscc[2], "绵阳示例商贸有限公司"));
  CIVIC_ASSIGN_OR_RETURN(pb::CreditSubject tech, EnterpriseSubject(uscc[3], "绵阳示例科技股份有限公司"));
  CIVIC_ASSIGN_OR_RETURN(pb::CreditSubject person,
                         PersonSubject(SampleCreditKey(kHrss), ValidCitizenId("51070319800101001"), "王小明"));

  // 2. Commitments made to market regulation (commitments 1 and 2).
  blocks.push_back({tx(kAmr, CommitCall(food, "administrative_licensing", crypto::Sha256("sample commitment letter 1"),
                                        "承诺符合食品经营许可条件")),
                    tx(kAmr, CommitCall(tech, "administrative_licensing", crypto::Sha256("sample commitment letter 2"),
                                        "承诺诚信经营、守合同重信用"))});
  // 3. The food company broke its commitment.
  blocks.push_back({tx(kAmr, BreakCommitmentCall(1, "现场核查不符合承诺的食品经营条件"))});
  // 4. Listings: entries 1 and 2 (market regulation), 3 and 4 (HR), 5 (credit office).
  const int64_t now = in.now_ms;
  blocks.push_back({tx(kAmr, ListCreditCall({SampleListing(food, "FOOD_DRUG", "生产经营不符合食品安全标准的食品，情节严重",
                                                           "《中华人民共和国食品安全法》第一百二十三条",
                                                           "绵市监罚〔2025〕12号", 0, 0, 1),
                                             SampleListing(tech, "MARKET", "连续三年守合同重信用",
                                                           "《绵阳市守合同重信用企业公示办法》",
                                                           "绵市监信〔2025〕3号", now - 30 * kDayMs)}))});
  blocks.push_back({tx(kHrss, ListCreditCall({SampleListing(builder, "LABOUR", "拖欠农民工工资，经责令限期支付逾期未付",
                                                            "《保障农民工工资支付条例》第四十八条",
                                                            "绵人社监〔2024〕41号", now - 200 * kDayMs),
                                              SampleListing(person, "LABOUR", "作为实际控制人拖欠农民工工资",
                                                            "《保障农民工工资支付条例》第四十八条",
                                                            "绵人社监〔2025〕7号", now - 10 * kDayMs)}))});
  int64_t tax_decided = now - 4 * 365 * kDayMs;
  blocks.push_back({tx(kNdrc, ListCreditCall({SampleListing(trader, "TAX", "虚开增值税专用发票",
                                                            "《重大税收违法失信主体信息公布管理办法》第六条",
                                                            "绵税稽罚〔2021〕5号", tax_decided,
                                                            tax_decided + 3 * 365 * kDayMs)}))});
  // 5. The builder paid the wages: the credit office files a repair on its behalf
  //    and HR & social security, which decided the listing, approves it.
  blocks.push_back({tx(kNdrc, RepairApplyCall(3, crypto::Sha256("sample repair evidence 3"),
                                              "已足额支付拖欠工资并作出信用承诺"))});
  blocks.push_back({tx(kHrss, RepairDecideCall(3, true, "核实已全额支付，准予信用修复"))});
  return blocks;
}

}  // namespace civic::samples
