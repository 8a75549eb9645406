#include "contracts/base/enum_names.h"

#include <google/protobuf/descriptor.h>

#include <cctype>

namespace civic::contracts::internal {
namespace {

// The words ("CERT_", "CERT_EVENT_") every name shares, at a word boundary, so
// that each name keeps at least one word.
size_t SharedPrefixLength(const std::vector<std::string>& names) {
  if (names.empty()) return 0;
  size_t shared = names[0].size();
  for (const auto& name : names) {
    size_t i = 0;
    while (i < shared && i < name.size() && name[i] == names[0][i]) ++i;
    shared = i;
  }
  for (const auto& name : names) {
    if (shared >= name.size()) shared = name.size() - 1;  // keep a word
  }
  while (shared > 0 && names[0][shared - 1] != '_') --shared;
  return shared;
}

}  // namespace

EnumNames BuildEnumNames(const google::protobuf::EnumDescriptor* descriptor) {
  EnumNames out;
  std::vector<std::string> full;
  for (int i = 0; i < descriptor->value_count(); ++i) {
    const auto* value = descriptor->value(i);
    if (value->number() == 0) continue;
    out.numbers.push_back(value->number());
    full.push_back(value->name());
  }
  size_t prefix = SharedPrefixLength(full);
  for (const auto& name : full) {
    std::string upper = name.substr(prefix);
    std::string lower = upper;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.upper.push_back(std::move(upper));
    out.lower.push_back(std::move(lower));
  }
  return out;
}

const char* Lookup(const EnumNames& names, const std::vector<std::string>& column, int number,
                   const char* unspecified) {
  for (size_t i = 0; i < names.numbers.size(); ++i) {
    if (names.numbers[i] == number) return column[i].c_str();
  }
  return unspecified;
}

}  // namespace civic::contracts::internal
