#include "tools/samples/sharing_sample.h"

#include <fmt/format.h>

#include <map>

#include "contracts/certificate/rules.h"
#include "contracts/base/tx_builder.h"
#include "contracts/base/identifiers.h"
#include "tools/common/errors.h"
#include "tools/samples/network.h"
#include "contracts/sharing/calls.h"
#include "contracts/sharing/rules.h"
#include "contracts/sharing/subject_tag.h"
#include "crypto/hash.h"

namespace civic::samples {

using namespace civic::contracts;

namespace {

constexpr int64_t kHourMs = int64_t{3600} * 1000;
constexpr int64_t kDayMs = 24 * kHourMs;
constexpr uint32_t kCitizens = 500;
constexpr uint32_t kRevokedGrantRecords = 10;

enum Org : size_t { kPsb = 0, kHrss = 1, kAmr = 2, kNdrc = 3 };

const char* const kPopulation = "psb.population";
const char* const kInsurance = "hrss.insurance";
const char* const kBusiness = "amr.business";
const char* const kCriminal = "psb.criminal";

struct SampleGrant {
  const char* id;
  Org provider;
  Org requester;
  const char* resource;
  std::vector<std::string> fields;
  const char* purpose;
  const char* legal_basis;
};

const std::vector<SampleGrant>& Grants() {
  static const std::vector<SampleGrant> grants = {
      {"G-HRSS-POP", kPsb, kHrss, kPopulation, {"birth_date", "id_number", "name"}, "社会保险参保登记身份核验",
       "《中华人民共和国社会保险法》第五十八条"},
      {"G-AMR-POP", kPsb, kAmr, kPopulation, {"id_number", "name"}, "企业登记法定代表人身份核验",
       "《中华人民共和国市场主体登记管理条例》第十七条"},
      {"G-PSB-INS", kHrss, kPsb, kInsurance, {"insured_status", "name"}, "流动人口居住登记核查",
       "《居住证暂行条例》第九条"},
      {"G-NDRC-INS", kHrss, kNdrc, kInsurance, {"insured_status", "name"}, "公共信用综合评价",
       "《四川省社会信用条例》第二十一条"},
  };
  return grants;
}

pb::SharingResource Resource(const char* code, const char* name, std::vector<std::string> fields,
                             pb::SharingShareType type, const char* description) {
  pb::SharingResource r;
  r.set_code(code);
  r.set_name(name);
  for (auto& f : fields) r.add_fields(std::move(f));
  r.set_share_type(type);
  r.set_description(description);
  return r;
}

// A valid synthetic citizen identity number (Mianyang Fucheng district).
std::string CitizenId(uint32_t k) {
  std::string first17 = fmt::format("510703{:04}{:02}{:02}{:03}", 1960 + k % 40, 1 + k % 12, 1 + k % 28, k % 1000);
  return first17 + CitizenIdCheckChar(first17).value();
}

// One access to log, with what the contract will make of it.
struct PlannedAccess {
  Org requester;
  Org provider;
  pb::SharingAccess access;
  bool violation = false;
};

PlannedAccess Plan(uint32_t i, uint32_t total, int64_t now_ms, const std::vector<Bytes>& citizens,
                   const std::vector<Bytes>& extra) {
  PlannedAccess p;
  pb::SharingAccess& a = p.access;
  auto use = [&](Org requester, Org provider, const char* resource, const char* grant, const char* purpose,
                 std::vector<std::string> fields) {
    p.requester = requester;
    p.provider = provider;
    a.set_resource(resource);
    a.set_grant_id(grant);
    a.set_purpose(purpose);
    for (auto& f : fields) a.add_fields(std::move(f));
  };
  const auto& g = Grants();
  uint32_t kind = i % 100;
  if (kind == 0) {  // FIELDS_BEYOND_GRANT: the address is not in the grant
    use(kHrss, kPsb, kPopulation, g[0].id, g[0].purpose, {"address", "id_number", "name"});
    p.violation = true;
  } else if (kind == 1) {  // PURPOSE_MISMATCH
    use(kAmr, kPsb, kPopulation, g[1].id, "企业年报抽查", {"id_number", "name"});
    p.violation = true;
  } else if (kind == 2) {  // NO_GRANT for a conditional resource
    use(kNdrc, kPsb, kPopulation, "", "公共信用综合评价", {"name"});
    p.violation = true;
  } else if (kind == 3) {  // RESOURCE_NOT_SHARED
    use(kHrss, kPsb, kCriminal, "", "社会保险待遇资格认证", {"record"});
    p.violation = true;
  } else if (kind < 40) {
    use(kHrss, kPsb, kPopulation, g[0].id, g[0].purpose, {"birth_date", "id_number", "name"});
  } else if (kind < 65) {
    use(kAmr, kPsb, kPopulation, g[1].id, g[1].purpose, {"id_number", "name"});
  } else if (kind < 85) {
    use(kPsb, kHrss, kInsurance, g[2].id, g[2].purpose, {"insured_status", "name"});
  } else {  // unconditional: no grant needed
    use(kNdrc, kAmr, kBusiness, "", "公共信用信息归集", {"legal_representative", "name", "uscc"});
  }
  a.set_request_id(fmt::format("{}-{:07}", SampleOrgs()[p.requester].short_name, i + 1));
  a.set_provider_org(SampleOrgs()[p.provider].code);
  const std::string& requester = SampleOrgs()[p.requester].code;
  uint32_t subjects = 1 + i % 3;
  for (uint32_t s = 0; s < subjects; ++s) {
    const Bytes& key = citizens[(i * 7 + s * 131) % citizens.size()];
    a.add_subject_tags(AccessSubjectTag(key, requester));
  }
  if (!extra.empty() && i % 500 == 5) {
    const Bytes& key = extra[(i / 500) % extra.size()];
    a.add_subject_tags(AccessSubjectTag(key, requester));
  }
  a.set_record_count(subjects);
  a.set_response_digest(crypto::Sha256(fmt::format("sample response {}", a.request_id())));
  // Spread over the 20 hours before now, oldest first.
  a.set_accessed_at_ms(now_ms - 20 * kHourMs + static_cast<int64_t>(i) * (20 * kHourMs) / total);
  return p;
}

}  // namespace

Result<SharingSampleBlocks> SampleSharingBlocks(const SharingSampleInput& in) {
  const auto& orgs = SampleOrgs();
  auto bad = [](const std::string& why) { return Status::InvalidArgument(err::SHARING_BAD_SAMPLE_INPUT, why); };
  if (in.org_keys.size() != orgs.size()) {
    return bad(fmt::format("the sample needs exactly {} org keys, got {}", orgs.size(), in.org_keys.size()));
  }
  if (in.now_ms < 365 * kDayMs) return bad("now_ms must be a real time");
  if (in.records < 100 || in.records > 1'000'000) return bad("records must be 100 .. 1,000,000");
  if (in.records_per_tx == 0 || in.records_per_tx > DefaultSharingParams().max_batch_records()) {
    return bad(fmt::format("records_per_tx must be 1 .. {}", DefaultSharingParams().max_batch_records()));
  }
  for (const Bytes& key : in.extra_subject_keys) {
    if (key.size() != 32) return bad("a subject key has 32 bytes");
  }

  uint64_t nonce = 0;
  auto tx = [&](size_t org, const pb::SharingCall& call) {
    TxParams p;
    p.chain_id = in.chain_id;
    p.org = orgs[org].code;
    p.valid_until_height = in.valid_until_height;
    p.nonce = in.nonce_prefix + std::to_string(++nonce);
    return SharingTx(p, call, in.org_keys[org]);
  };

  SharingSampleBlocks out;
  // 1. The catalogue, each resource registered by its provider.
  out.blocks.push_back({
      tx(kPsb, RegisterResourceCall(Resource(kPopulation, "人口基础信息",
                                             {"address", "birth_date", "id_number", "name", "sex"},
                                             pb::SHARING_CONDITIONAL, "户籍人口基础信息，按日更新；依申请共享"))),
      tx(kPsb, RegisterResourceCall(Resource(kCriminal, "违法犯罪记录", {"case_no", "record"},
                                             pb::SHARING_NOT_SHARED, "不予共享"))),
      tx(kHrss, RegisterResourceCall(Resource(kInsurance, "社会保险参保信息",
                                              {"contribution_base", "insured_status", "name", "ssn"},
                                              pb::SHARING_CONDITIONAL, "参保状态与缴费基数，按月更新；依申请共享"))),
      tx(kAmr, RegisterResourceCall(Resource(kBusiness, "企业登记信息",
                                             {"address", "legal_representative", "name", "uscc"},
                                             pb::SHARING_UNCONDITIONAL, "市场主体登记信息，实时更新；无条件共享"))),
  });
  // 2. Grants, in force since 30 days ago, for a year.
  std::vector<Bytes> grants;
  for (const SampleGrant& g : Grants()) {
    pb::SharingGrant grant;
    grant.set_id(g.id);
    grant.set_requester_org(orgs[g.requester].code);
    grant.set_resource(g.resource);
    for (const auto& f : g.fields) grant.add_fields(f);
    grant.set_purpose(g.purpose);
    grant.set_legal_basis(g.legal_basis);
    grant.set_valid_from_ms(in.now_ms - 30 * kDayMs);
    grant.set_expires_at_ms(in.now_ms + 365 * kDayMs);
    grants.push_back(tx(g.provider, IssueGrantCall(grant)));
  }
  out.blocks.push_back(std::move(grants));

  // 3. The accesses, batched per requester, in request order.
  std::vector<Bytes> citizens;
  for (uint32_t k = 0; k < kCitizens; ++k) {
    citizens.push_back(SubjectKey(fmt::format("sample-citizen-{}", k), kHolderCitizenId, CitizenId(k)));
  }
  std::map<size_t, std::vector<pb::SharingAccess>> by_requester;
  std::map<size_t, std::vector<pb::SharingAck>> acks_by_provider;
  auto add_ack = [&](const PlannedAccess& p, uint32_t i) {
    if (i % 50 == 7) {
      ++out.unacknowledged;
      return;
    }
    pb::SharingAck ack;
    ack.set_requester_org(orgs[p.requester].code);
    ack.set_request_id(p.access.request_id());
    ack.set_provider_digest(p.access.response_digest());
    if (i % 250 == 11) {  // the provider sent something else than the requester logged
      ack.set_provider_digest(crypto::Sha256(fmt::format("sample response as sent {}", p.access.request_id())));
      ++out.digest_mismatches;
    }
    acks_by_provider[p.provider].push_back(std::move(ack));
  };
  uint32_t planned = in.records - kRevokedGrantRecords;
  for (uint32_t i = 0; i < planned; ++i) {
    PlannedAccess p = Plan(i, planned, in.now_ms, citizens, in.extra_subject_keys);
    if (p.violation) ++out.violations_at_logging;
    add_ack(p, i);
    by_requester[p.requester].push_back(std::move(p.access));
  }
  std::vector<Bytes> logs;
  for (auto& [org, accesses] : by_requester) {
    for (size_t from = 0; from < accesses.size(); from += in.records_per_tx) {
      size_t to = std::min(accesses.size(), from + in.records_per_tx);
      logs.push_back(tx(org, LogAccessCall({accesses.begin() + static_cast<ptrdiff_t>(from),
                                            accesses.begin() + static_cast<ptrdiff_t>(to)})));
    }
  }
  out.blocks.push_back(std::move(logs));

  // 4. HR & social security revokes the credit office's grant; the credit
  //    office's accesses under it afterwards are violations.
  out.blocks.push_back({tx(kHrss, RevokeGrantCall("G-NDRC-INS", "公共信用综合评价工作已结束"))});
  std::vector<pb::SharingAccess> late;
  for (uint32_t j = 0; j < kRevokedGrantRecords; ++j) {
    uint32_t i = planned + j;
    PlannedAccess p;
    p.requester = kNdrc;
    p.provider = kHrss;
    pb::SharingAccess& a = p.access;
    a.set_request_id(fmt::format("ndrc-{:07}", i + 1));
    a.set_provider_org(orgs[kHrss].code);
    a.set_resource(kInsurance);
    a.set_grant_id("G-NDRC-INS");
    a.set_purpose(Grants()[3].purpose);
    a.add_fields("insured_status");
    a.add_fields("name");
    a.add_subject_tags(AccessSubjectTag(citizens[i % citizens.size()], orgs[kNdrc].code));
    a.set_record_count(1);
    a.set_response_digest(crypto::Sha256(fmt::format("sample response {}", a.request_id())));
    // accessed_at 0: the block time, after the revocation.
    ++out.violations_at_logging;
    add_ack(p, i);
    late.push_back(std::move(p.access));
  }
  out.blocks.push_back({tx(kNdrc, LogAccessCall(std::move(late)))});

  // 5. The providers' acknowledgements.
  std::vector<Bytes> acks;
  for (auto& [org, list] : acks_by_provider) {
    for (size_t from = 0; from < list.size(); from += in.records_per_tx) {
      size_t to = std::min(list.size(), from + in.records_per_tx);
      acks.push_back(tx(org, AcknowledgeCall({list.begin() + static_cast<ptrdiff_t>(from),
                                              list.begin() + static_cast<ptrdiff_t>(to)})));
    }
  }
  out.blocks.push_back(std::move(acks));
  out.records = in.records;
  return out;
}

}  // namespace civic::samples
