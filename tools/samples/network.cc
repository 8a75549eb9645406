#include "tools/samples/network.h"

#include "contracts/base/identifiers.h"
#include "contracts/certificate/holder.h"
#include "contracts/genesis.h"
#include "contracts/governance/rules.h"
#include "rpc/codec/json_text.h"
#include "contracts/base/time_format.h"
#include "tools/common/errors.h"

namespace civic::samples {

using namespace civic::contracts;

namespace json = boost::json;

const std::vector<SampleOrg>& SampleOrgs() {
  static const std::vector<SampleOrg> kOrgs = {
      {"11510700008207313A", "绵阳市公安局", "psb"},
      {"11510700008207428G", "绵阳市人力资源和社会保障局", "hrss"},
      {"11510700MB1537205J", "绵阳市市场监督管理局", "amr"},
      {"11510700008207188M", "绵阳市发展和改革委员会（信用绵阳）", "ndrc"},
      {"11510700MB160296X2", "绵阳市政务服务监督管理局", "gss"},
  };
  return kOrgs;
}

namespace {

struct SampleField {
  const char* name;
  const char* label;
  bool required;
};

struct SampleType {
  size_t issuer;  // index into SampleOrgs()
  const char* suffix;
  const char* name;
  const char* holder_code_type;
  uint64_t validity_days;
  std::vector<SampleField> fields;
};

const std::vector<SampleType>& SampleTypes() {
  static const std::vector<SampleType> kTypes = {
      {0, "001", "居民身份证", "citizen_id", 7305,
       {{"name", "姓名", true}, {"sex", "性别", true}, {"ethnicity", "民族", true},
        {"birth_date", "出生", true}, {"address", "住址", true}, {"id_number", "公民身份号码", true},
        {"issuing_authority", "签发机关", false}}},
      {0, "002", "居住证", "citizen_id", 365,
       {{"name", "姓名", true}, {"sex", "性别", true}, {"id_number", "公民身份号码", true},
        {"address", "居住地址", true}, {"issuing_authority", "签发机关", false}}},
      {0, "003", "机动车驾驶证", "citizen_id", 2191,
       {{"name", "姓名", true}, {"sex", "性别", true}, {"nationality", "国籍", true},
        {"address", "住址", true}, {"birth_date", "出生日期", true}, {"id_number", "证号", true},
        {"first_issue_date", "初次领证日期", true}, {"vehicle_class", "准驾车型", true}}},
      {0, "004", "机动车行驶证", "citizen_id", 0,
       {{"plate_number", "号牌号码", true}, {"vehicle_type", "车辆类型", true}, {"owner", "所有人", true},
        {"address", "住址", true}, {"use_character", "使用性质", true}, {"model", "品牌型号", true},
        {"vin", "车辆识别代号", true}, {"engine_number", "发动机号码", true},
        {"register_date", "注册日期", true}, {"issue_date", "发证日期", true}}},
      {1, "001", "社会保障卡", "citizen_id", 3652,
       {{"name", "姓名", true}, {"sex", "性别", true}, {"id_number", "社会保障号码", true},
        {"card_number", "卡号", true}, {"issue_date", "发卡日期", false}}},
      {2, "001", "营业执照", "uscc", 0,
       {{"name", "名称", true}, {"uscc", "统一社会信用代码", true}, {"company_type", "类型", false},
        {"legal_representative", "法定代表人", true}, {"registered_capital", "注册资本", true},
        {"business_scope", "经营范围", true}, {"address", "住所", true}, {"established", "成立日期", true}}},
  };
  return kTypes;
}

json::array Strings(std::initializer_list<std::string> items) {
  json::array out;
  for (const auto& s : items) out.emplace_back(s);
  return out;
}

}  // namespace

Result<json::object> SampleGenesis(const SampleGenesisInput& input) {
  const auto& orgs = SampleOrgs();
  if (input.org_keys.size() != orgs.size()) {
    return Status::InvalidArgument(err::GENESIS_BAD_SAMPLE_INPUT, "the sample network needs exactly " +
                                                                   std::to_string(orgs.size()) + " org keys, got " +
                                                                   std::to_string(input.org_keys.size()));
  }
  if (input.node_keys.empty()) {
    return Status::InvalidArgument(err::GENESIS_BAD_SAMPLE_INPUT, "the sample network needs at least one node key");
  }
  // Type codes: the defining department's USCC and a 3-digit number.
  std::vector<std::vector<std::string>> issued_by(orgs.size());
  json::array types;
  for (const auto& t : SampleTypes()) {
    std::string code = orgs[t.issuer].code + t.suffix;
    issued_by[t.issuer].push_back(code);
    json::object o;
    o["code"] = code;
    o["name"] = t.name;
    o["issuer_orgs"] = Strings({orgs[t.issuer].code});
    o["holder_code_type"] = t.holder_code_type;
    o["default_validity_days"] = t.validity_days;
    json::array fields;
    for (const auto& f : t.fields) {
      json::object fo;
      fo["name"] = f.name;
      fo["label"] = f.label;
      fo["required"] = f.required;
      fields.push_back(std::move(fo));
    }
    o["fields"] = std::move(fields);
    types.push_back(std::move(o));
  }

  json::array org_list;
  for (size_t i = 0; i < orgs.size(); ++i) {
    json::object o;
    o["code"] = orgs[i].code;
    o["name"] = orgs[i].name;
    o["short_name"] = orgs[i].short_name;
    o["keys"] = Strings({input.org_keys[i].ToString()});
    json::array roles = Strings({"ADMIN", "VALIDATOR"});
    if (!issued_by[i].empty()) {
      json::object issuer;
      issuer["role"] = "ISSUER";
      json::array scopes;
      for (const auto& code : issued_by[i]) scopes.emplace_back(code);
      issuer["scopes"] = std::move(scopes);
      roles.push_back(std::move(issuer));
    }
    if (orgs[i].short_name == "ndrc") {
      json::object credit;
      credit["role"] = "CREDIT_AUTHORITY";
      credit["scopes"] = Strings({"FINANCE", "FOOD_DRUG", "LABOUR", "MARKET", "TAX"});
      roles.push_back(std::move(credit));
    }
    if (orgs[i].short_name == "gss") {
      roles.emplace_back("AUDITOR");
    } else {
      roles.emplace_back("DATA_PROVIDER");
      roles.emplace_back("DATA_REQUESTER");
    }
    o["roles"] = std::move(roles);
    org_list.push_back(std::move(o));
  }

  json::array validators;
  for (size_t i = 0; i < input.node_keys.size(); ++i) {
    json::object v;
    v["org"] = orgs[i % orgs.size()].code;
    v["pub_key"] = input.node_keys[i].ToString();
    v["power"] = input.validator_power;
    validators.push_back(std::move(v));
  }

  json::object g;
  g["chain_id"] = input.chain_id;
  g["genesis_time"] = FormatRfc3339(input.genesis_time_ms);
  json::object params;
  params["proposal_ttl_blocks"] = DefaultParams().proposal_ttl_blocks();
  params["max_batch_certificates"] = DefaultParams().max_batch_certificates();
  g["params"] = std::move(params);
  g["orgs"] = std::move(org_list);
  g["validators"] = std::move(validators);
  g["cert_types"] = std::move(types);
  return g;
}

Result<std::string> SampleGenesisText(const SampleGenesisInput& input) {
  CIVIC_ASSIGN_OR_RETURN(json::object g, SampleGenesis(input));
  return rpc::PrettyJson(g) + "\n";
}

}  // namespace civic::samples
