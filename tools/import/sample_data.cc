#include "tools/import/sample_data.h"

#include <boost/json.hpp>
#include <cstdio>

#include "contracts/certificate/holder.h"
#include "contracts/certificate/rules.h"
#include "contracts/base/identifiers.h"
#include "tools/import/csv.h"

namespace civic::tools {
namespace {

// County-level divisions of Mianyang (绵阳): 涪城区, 游仙区, 安州区, 三台县, 盐亭县,
// 梓潼县, 北川羌族自治县, 平武县, 江油市.
const char* const kAreaCodes[] = {"510703", "510704", "510705", "510722", "510723",
                                  "510725", "510726", "510727", "510781"};
const char* const kDistricts[] = {"涪城区", "游仙区", "安州区", "三台县", "盐亭县",
                                  "梓潼县", "北川羌族自治县", "平武县", "江油市"};
const char* const kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                 "徐", "孙", "马", "朱", "胡", "郭", "何", "罗", "高", "林"};
const char* const kGiven[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
                              "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平",
                              "刚", "桂英", "建华", "晓东", "雨欣", "子涵", "浩然", "思远"};
const char* const kStreets[] = {"临园路", "长虹大道", "剑南路", "涪城路", "绵兴路", "九洲大道",
                                "科创园路", "花园路", "警钟街", "跃进路"};
const char* const kTrades[] = {"科技", "电子", "食品", "建材", "物流", "农业", "医药", "文化"};
const char* const kBrands[] = {"九洲", "涪江", "富乐", "越王", "仙海", "科学城", "子云", "李白"};
const char* const kVehicleTypes[] = {"小型轿车", "小型普通客车", "轻型厢式货车", "二轮摩托车"};
const char* const kModels[] = {"长安牌SC7164", "吉利牌MR7153", "比亚迪牌BYD7152", "五菱牌LZW6447",
                               "大众牌SVW7152", "长城牌CC6460"};
const char* const kLicenceClasses[] = {"C1", "C2", "B2", "A1", "D"};
const char* const kPlateLetters = "ABCDEFGHJKLMNPQRSTUVWXYZ";

template <size_t N>
const char* Pick(SampleRng& rng, const char* const (&options)[N]) {
  return options[rng.Below(N)];
}

std::string Digits(SampleRng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + rng.Below(10)));
  return s;
}

std::string Date(int64_t y, unsigned m, unsigned d) {
  char buf[48];  // room for any unsigned month and day, so the compiler can prove no truncation
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::string PersonName(SampleRng& rng) { return std::string(Pick(rng, kSurnames)) + Pick(rng, kGiven); }

bool Has(const std::string& name, const char* part) { return name.find(part) != std::string::npos; }

// A value for field `name`; `citizen` is the holder when it is a person.
std::string FieldValue(const std::string& name, SampleRng& rng, const SampleCitizen* citizen,
                       const std::string& holder_name, const std::string& holder_code,
                       const std::string& valid_from) {
  size_t district = rng.Below(9);
  // Exact names first (the sample types of contracts/genesis.h), then by pattern.
  if (name == "name" || name == "full_name" || name == "holder_name" || name == "owner") return holder_name;
  if (name == "id_number") return citizen ? citizen->id : "5107" + Digits(rng, 14);
  if (name == "uscc" || name == "credit_code") return holder_code;
  if (name == "nationality") return "中国";
  if (name == "use_character") return rng.Below(5) == 0 ? "营运" : "非营运";
  if (name == "model") return std::string(Pick(rng, kModels));
  if (name == "vehicle_class") return Pick(rng, kLicenceClasses);
  if (name == "first_issue_date") {
    return std::to_string(std::stoi(valid_from.substr(0, 4)) - 6) + valid_from.substr(4);
  }
  if (Has(name, "authority") || Has(name, "issued_by") || Has(name, "office")) {
    return std::string("绵阳市公安局") + kDistricts[district] + "分局";
  }
  if (Has(name, "type") && (Has(name, "enterprise") || Has(name, "company"))) return "有限责任公司";
  if (Has(name, "enterprise") || Has(name, "company") || name == "entity_name") return holder_name;
  if (Has(name, "gender") || name == "sex") return citizen ? (citizen->male ? "男" : "女") : "男";
  if (Has(name, "birth")) return citizen ? citizen->birth_date : "1980-01-01";
  if (Has(name, "ethnic") || Has(name, "nation")) return rng.Below(10) == 0 ? "羌族" : "汉族";
  if (Has(name, "address") || Has(name, "residence") || Has(name, "domicile")) {
    return std::string("四川省绵阳市") + kDistricts[district] + Pick(rng, kStreets) +
           std::to_string(1 + rng.Below(300)) + "号";
  }
  if (Has(name, "legal") || Has(name, "representative") || Has(name, "owner")) return PersonName(rng);
  if (Has(name, "capital")) return std::to_string(10 * (1 + rng.Below(500))) + "万元人民币";
  if (Has(name, "scope")) return std::string("一般项目：") + Pick(rng, kTrades) + "技术开发、技术服务";
  if (Has(name, "plate")) {
    std::string plate = "川B";
    for (int i = 0; i < 5; ++i) {
      plate += i == 0 || rng.Below(3) == 0 ? std::string(1, kPlateLetters[rng.Below(24)]) : Digits(rng, 1);
    }
    return plate;
  }
  if (Has(name, "vin")) {
    std::string vin = "LSV";
    const char* alphabet = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ";
    for (int i = 0; i < 14; ++i) vin.push_back(alphabet[rng.Below(33)]);
    return vin;
  }
  if (Has(name, "vehicle") || Has(name, "model")) return Pick(rng, kVehicleTypes);
  if (Has(name, "class") || Has(name, "category")) return Pick(rng, kLicenceClasses);
  if (Has(name, "engine")) return Digits(rng, 8);
  if (Has(name, "card") || Has(name, "number") || Has(name, "no")) return "5107" + Digits(rng, 10);
  if (Has(name, "date") || Has(name, "established") || Has(name, "first_issue")) return valid_from;
  if (Has(name, "bank")) return "绵阳市商业银行";
  return name + "-" + Digits(rng, 6);
}

SampleRow MakeRow(const CertTypeInfo& type, SampleRng& rng) {
  SampleRow row;
  bool enterprise = type.holder_code_type == contracts::kHolderUscc;
  SampleCitizen citizen;
  std::string holder_name;
  if (enterprise) {
    row.holder_type = "enterprise";
    row.holder = SampleUscc(rng);
    holder_name = std::string("绵阳") + Pick(rng, kBrands) + Pick(rng, kTrades) + "有限公司";
  } else {
    row.holder_type = "citizen";
    citizen = SampleCitizenId(rng);
    row.holder = citizen.id;
    holder_name = PersonName(rng);
  }
  int64_t year = 2014 + static_cast<int64_t>(rng.Below(11));
  unsigned month = 1 + static_cast<unsigned>(rng.Below(12));
  unsigned day = 1 + static_cast<unsigned>(rng.Below(28));
  row.valid_from = Date(year, month, day);
  row.valid_until = Date(year + 10, month, day);
  for (const auto& f : type.fields) {
    row.fields.emplace_back(f.name, FieldValue(f.name, rng, enterprise ? nullptr : &citizen, holder_name,
                                               row.holder, row.valid_from));
  }
  return row;
}

// Makes `row` wrong in one of four ways, by `kind`.
void Spoil(SampleRow& row, const CertTypeInfo& type, uint64_t kind) {
  switch (kind % 4) {
    case 0: {  // wrong check character
      char& last = row.holder.back();
      last = last == '1' ? '2' : '1';
      break;
    }
    case 1: {  // a required field left empty
      for (size_t i = 0; i < type.fields.size(); ++i) {
        if (type.fields[i].required) {
          row.fields[i].second.clear();
          return;
        }
      }
      row.valid_from = "2020-13-45";
      break;
    }
    case 2:
      row.valid_until = "2020-02-30";
      break;
    case 3:
      row.holder_type = row.holder_type == "citizen" ? "enterprise" : "citizen";
      break;
  }
}

std::vector<SampleRow> MakeRows(const CertTypeInfo& type, const SampleFileOptions& options) {
  SampleRng rng(options.seed);
  std::vector<SampleRow> rows;
  rows.reserve(options.count);
  uint64_t spoil_every = options.invalid == 0 ? 0 : std::max<uint64_t>(1, options.count / options.invalid);
  uint64_t spoiled = 0;
  for (uint64_t i = 0; i < options.count; ++i) {
    SampleRow row = MakeRow(type, rng);
    if (options.with_serial) {
      std::string n = std::to_string(i + 1);
      row.serial = "S" + std::string(10 - std::min<size_t>(10, n.size()), '0') + n;
    }
    if (spoil_every && spoiled < options.invalid && i % spoil_every == spoil_every / 2) {
      Spoil(row, type, spoiled++);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

uint64_t SampleRng::Next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

SampleCitizen SampleCitizenId(SampleRng& rng) {
  static const unsigned kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  SampleCitizen c;
  int64_t year = 1950 + static_cast<int64_t>(rng.Below(56));
  unsigned month = 1 + static_cast<unsigned>(rng.Below(12));
  unsigned day = 1 + static_cast<unsigned>(rng.Below(kMonthDays[month - 1]));
  c.birth_date = Date(year, month, day);
  unsigned seq = static_cast<unsigned>(rng.Below(1000));
  c.male = seq % 2 == 1;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%04lld%02u%02u%03u", kAreaCodes[rng.Below(9)],
                static_cast<long long>(year), month, day, seq);
  std::string first17 = buf;
  auto check = contracts::CitizenIdCheckChar(first17);
  c.id = first17 + (check.ok() ? *check : '0');
  return c;
}

std::string SampleUscc(SampleRng& rng) {
  // "9" registered by market regulation, "1" enterprise, the area code, then a
  // GB 11714 organisation code (8 digits + its own check character).
  static const int kOrgWeights[] = {3, 7, 9, 10, 5, 8, 4, 2};
  std::string org = Digits(rng, 8);
  int sum = 0;
  for (int i = 0; i < 8; ++i) sum += (org[i] - '0') * kOrgWeights[i];
  int c = 11 - sum % 11;
  org.push_back(c == 10 ? 'X' : c == 11 ? '0' : static_cast<char>('0' + c));
  std::string first17 = std::string("91") + kAreaCodes[rng.Below(9)] + org;
  auto check = contracts::UsccCheckChar(first17);
  return first17 + (check.ok() ? *check : '0');
}

SampleRow SampleCertificateRow(const CertTypeInfo& type, SampleRng& rng) { return MakeRow(type, rng); }

std::string SampleCertificatesCsv(const CertTypeInfo& type, const SampleFileOptions& options) {
  std::vector<std::string> header = {"holder_type", "holder"};
  for (const auto& f : type.fields) header.push_back(f.name);
  header.push_back("valid_from");
  header.push_back("valid_until");
  if (options.with_serial) header.push_back("serial");
  std::string out = CsvLine(header);
  for (const SampleRow& row : MakeRows(type, options)) {
    std::vector<std::string> rec = {row.holder_type, row.holder};
    for (const auto& [name, value] : row.fields) rec.push_back(value);
    rec.push_back(row.valid_from);
    rec.push_back(row.valid_until);
    if (options.with_serial) rec.push_back(row.serial);
    out += CsvLine(rec);
  }
  return out;
}

std::string SampleCertificatesJsonl(const CertTypeInfo& type, const SampleFileOptions& options) {
  std::string out;
  for (const SampleRow& row : MakeRows(type, options)) {
    boost::json::object o;
    o["holder_type"] = row.holder_type;
    o["holder"] = row.holder;
    boost::json::object fields;
    for (const auto& [name, value] : row.fields) {
      if (!value.empty()) fields[name] = value;
    }
    o["fields"] = std::move(fields);
    o["valid_from"] = row.valid_from;
    o["valid_until"] = row.valid_until;
    if (options.with_serial) o["serial"] = row.serial;
    out += boost::json::serialize(o);
    out.push_back('\n');
  }
  return out;
}

}  // namespace civic::tools
