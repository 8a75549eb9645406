#include "contracts/credit/rules.h"

#include <set>
#include <string>

#include "contracts/base/enum_names.h"
#include "contracts/base/errors.h"
#include "contracts/base/identifiers.h"
#include "contracts/credit/keys.h"

namespace civic::contracts {
namespace {

constexpr int64_t kMaxPeriodMs = int64_t{100} * 366 * kDayMs;
constexpr size_t kMaxMeasureDescription = 500;
constexpr size_t kMaxMaskedName = 64;

template <typename E>
Result<E> ParseNamed(std::string_view name, const char* app_code, std::string_view what) {
  if (std::optional<E> value = ParseEnumName<E>(name)) return *value;
  return Status::InvalidArgument(app_code,
                                 std::string(what) + " '" + Shown(name) + "' is not one of " + EnumNameList<E>());
}

}  // namespace

pb::CreditEntryState EffectiveState(const pb::CreditEntry& entry, int64_t now_ms) {
  if (entry.state() == pb::CREDIT_LISTED && now_ms >= entry.publicity_end_ms()) return pb::CREDIT_EXPIRED;
  return entry.state();
}

Status CheckCategoryCode(std::string_view code) {
  if (IsCreditToken(code)) return Status::Ok();
  return Status::InvalidArgument(err::BAD_CATEGORY_CODE,
                                 "category code '" + Shown(code) + "' must match [A-Za-z0-9_.-]{1,64}");
}

Status CheckMatter(std::string_view matter) {
  if (IsCreditToken(matter)) return Status::Ok();
  return Status::InvalidArgument(err::BAD_MATTER, "matter '" + Shown(matter) + "' must match [A-Za-z0-9_.-]{1,64}");
}

Status ValidateCreditCategory(const pb::CreditCategory& c) {
  CIVIC_RETURN_IF_ERROR(CheckCategoryCode(c.code()));
  auto bad = [&](std::string why) {
    return Status::InvalidArgument(err::BAD_CATEGORY, "credit category " + c.code() + ": " + why);
  };
  if (c.name().empty() || c.name().size() > kMaxCreditShortText) return bad("name must be 1 to 200 bytes");
  CIVIC_RETURN_IF_ERROR(CheckNoIdNumber("name", c.name()));
  if (c.list() != pb::CREDIT_LIST_RED && c.list() != pb::CREDIT_LIST_BLACK) return bad("list must be red or black");
  if (c.severity() < pb::CREDIT_SEVERITY_MINOR || c.severity() > pb::CREDIT_SEVERITY_SERIOUS) {
    return bad("severity must be minor, general or serious");
  }
  if (c.deciding_orgs_size() == 0) return bad("a category needs at least one deciding org");
  std::set<std::string_view> orgs;
  for (const auto& org : c.deciding_orgs()) {
    if (Status st = ValidateUscc(org); !st.ok()) return bad("deciding org: " + st.message());
    if (!orgs.insert(org).second) return bad("deciding org " + org + " is listed twice");
  }
  if (c.min_publicity_ms() < 0) return bad("the minimum publicity period must not be negative");
  if (c.max_publicity_ms() <= 0 || c.max_publicity_ms() > kMaxPeriodMs) {
    return bad("the maximum publicity period must be more than 0 and at most 100 years");
  }
  if (c.min_publicity_ms() > c.max_publicity_ms()) {
    return bad("the minimum publicity period is longer than the maximum");
  }
  return Status::Ok();
}

Status ValidateCreditMeasure(const pb::CreditMeasure& m) {
  auto bad = [&](std::string why) {
    return Status::InvalidArgument(err::BAD_MEASURE,
                                   "measure '" + Shown(m.category()) + "/" + Shown(m.code()) + "': " + why);
  };
  if (!IsCreditToken(m.category())) return bad("the category code must match [A-Za-z0-9_.-]{1,64}");
  if (!IsCreditToken(m.code())) return bad("the code must match [A-Za-z0-9_.-]{1,64}");
  if (!IsCreditToken(m.matter())) return bad("the matter must match [A-Za-z0-9_.-]{1,64}");
  if (Status st = ValidateUscc(m.org()); !st.ok()) return bad("applying org: " + st.message());
  if (m.description().empty() || m.description().size() > kMaxMeasureDescription) {
    return bad("the description must be 1 to 500 bytes");
  }
  return CheckNoIdNumber("description", m.description());
}

bool MayShowInMaskedName(uint32_t cp) {
  bool digit = (cp >= '0' && cp <= '9') || (cp >= 0xFF10 && cp <= 0xFF19);
  bool space_or_control = cp <= 0x20 || cp == 0x7F || cp == 0x3000;
  return cp != '*' && !digit && !space_or_control;
}

Status ValidateMaskedName(std::string_view masked) {
  auto bad = [](std::string why) { return Status::InvalidArgument(err::BAD_MASKED_NAME, "masked name: " + why); };
  if (masked.empty()) return bad("a person needs a masked name such as \"张*\"");
  if (masked.size() > kMaxMaskedName) return bad("at most 64 bytes");
  auto cps = DecodeUtf8(masked);
  if (!cps) return bad("not valid UTF-8");
  size_t visible = 0;
  while (visible < cps->size() && (*cps)[visible] != '*') {
    if (!MayShowInMaskedName((*cps)[visible])) return bad("only the first one or two characters may show");
    ++visible;
  }
  size_t stars = cps->size() - visible;
  for (size_t i = visible; i < cps->size(); ++i) {
    if ((*cps)[i] != '*') return bad("after the visible characters only '*' may follow");
  }
  if (visible < 1 || visible > 2) return bad("show one or two leading characters, e.g. \"张*\"");
  if (stars < 1 || stars > 8) return bad("mask the rest with 1 to 8 '*'");
  return Status::Ok();
}

Status ValidateCreditSubject(const pb::CreditSubject& s) {
  switch (s.type()) {
    case pb::CREDIT_SUBJECT_ENTERPRISE:
      CIVIC_RETURN_IF_ERROR(ValidateUscc(s.uscc()));
      if (!s.commitment().empty() || !s.masked_name().empty()) {
        return Status::InvalidArgument(err::BAD_SUBJECT,
                                       "an enterprise is known by its USCC; commitment and "
                                       "masked_name are for persons");
      }
      if (s.name().size() > kMaxCreditShortText) {
        return Status::InvalidArgument(err::TEXT_TOO_LONG, "the enterprise name must be at most 200 bytes");
      }
      return CheckNoIdNumber("the enterprise name", s.name());
    case pb::CREDIT_SUBJECT_PERSON:
      if (!s.uscc().empty() || !s.name().empty()) {
        return Status::InvalidArgument(err::BAD_SUBJECT,
                                       "a person is known only by a commitment and a masked name; "
                                       "uscc and name must be empty");
      }
      if (s.commitment().empty()) {
        return Status::InvalidArgument(err::PERSON_COMMITMENT_REQUIRED,
                                       "a person is listed only by a 32-byte commitment (and a masked name)");
      }
      if (s.commitment().size() != kDigestSize) {
        return Status::InvalidArgument(
            err::BAD_COMMITMENT, "the person's commitment must be 32 bytes, got " + std::to_string(s.commitment().size()));
      }
      return ValidateMaskedName(s.masked_name());
    default:
      return Status::InvalidArgument(err::BAD_SUBJECT, "the subject type must be enterprise or person");
  }
}

bool SameCreditSubject(const pb::CreditSubject& a, const pb::CreditSubject& b) {
  return a.type() == b.type() && CreditSubjectKey(a) == CreditSubjectKey(b);
}

Result<pb::CreditList> ParseCreditList(std::string_view name) {
  return ParseNamed<pb::CreditList>(name, err::BAD_LIST, "list");
}

Result<pb::CreditSeverity> ParseCreditSeverity(std::string_view name) {
  return ParseNamed<pb::CreditSeverity>(name, err::BAD_SEVERITY, "severity");
}

}  // namespace civic::contracts
