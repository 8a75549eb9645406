// The names of the contracts' protobuf enum values as JSON, the CLI and the web
// page show them, taken from the enum descriptors instead of hand-written tables.
//
// A value's name is its protobuf name without the words that all non-zero values
// of the enum share: CERT_ACTIVE, CERT_SUSPENDED, ... -> "active", "suspended";
// SHARING_REASON_NO_GRANT -> "NO_GRANT" (upper case); ROLE_ADMIN -> "ADMIN". The
// zero value and values the enum does not define read "unspecified".
//
// Thread-safe: each enum's table is built once, on first use.
#pragma once

#include <google/protobuf/generated_enum_reflection.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace civic::contracts {

namespace internal {

struct EnumNames {
  std::vector<int> numbers;        // the non-zero values, in declaration order
  std::vector<std::string> lower;  // their names, lower case
  std::vector<std::string> upper;  // their names, upper case
};
EnumNames BuildEnumNames(const google::protobuf::EnumDescriptor* descriptor);

template <typename E>
const EnumNames& NamesOf() {
  static const EnumNames names = BuildEnumNames(google::protobuf::GetEnumDescriptor<E>());
  return names;
}

const char* Lookup(const EnumNames& names, const std::vector<std::string>& column, int number,
                   const char* unspecified);

}  // namespace internal

// "active", "violation", "not_shared", ...; `unspecified` for the zero value.
template <typename E>
const char* EnumName(E value, const char* unspecified = "unspecified") {
  const auto& n = internal::NamesOf<E>();
  return internal::Lookup(n, n.lower, static_cast<int>(value), unspecified);
}

// "NO_GRANT", "ADMIN", ...
template <typename E>
const char* EnumUpperName(E value, const char* unspecified = "UNSPECIFIED") {
  const auto& n = internal::NamesOf<E>();
  return internal::Lookup(n, n.upper, static_cast<int>(value), unspecified);
}

// The non-zero value whose lower-case name is `name`; nullopt otherwise.
template <typename E>
std::optional<E> ParseEnumName(std::string_view name) {
  const auto& n = internal::NamesOf<E>();
  for (size_t i = 0; i < n.numbers.size(); ++i) {
    if (name == n.lower[i]) return static_cast<E>(n.numbers[i]);
  }
  return std::nullopt;
}

// The non-zero value whose upper-case name is `name`; nullopt otherwise.
template <typename E>
std::optional<E> ParseEnumUpperName(std::string_view name) {
  const auto& n = internal::NamesOf<E>();
  for (size_t i = 0; i < n.numbers.size(); ++i) {
    if (name == n.upper[i]) return static_cast<E>(n.numbers[i]);
  }
  return std::nullopt;
}

// The names of the non-zero values, comma-separated ("red, black"), for messages.
template <typename E>
std::string EnumNameList(bool upper = false) {
  std::string out;
  const auto& n = internal::NamesOf<E>();
  for (const auto& name : upper ? n.upper : n.lower) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace civic::contracts
