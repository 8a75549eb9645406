#include "contracts/base/identifiers.h"

#include <gtest/gtest.h>

#include "contracts/base/time_format.h"

namespace civic::contracts {
namespace {

TEST(UsccTest, PublishedCodeIsValid) {
  EXPECT_TRUE(ValidateUscc("914403001922038216").ok());
  EXPECT_TRUE(ValidateUscc("11100000000013338W").ok());
  EXPECT_TRUE(ValidateUscc("11330105002500287C").ok());
  EXPECT_EQ(*UsccCheckChar("91440300192203821"), '6');
}

TEST(UsccTest, RejectsBadCodes) {
  auto app = [](std::string_view code) { return ValidateUscc(code).app_code(); };
  EXPECT_EQ(app("914403001922038217"), "BAD_USCC");  // wrong check character
  EXPECT_EQ(app("91440300192203821"), "BAD_USCC");   // 17 characters
  EXPECT_EQ(app("9144030019220382166"), "BAD_USCC"); // 19 characters
  EXPECT_EQ(app(""), "BAD_USCC");
  EXPECT_EQ(app("91440300I922038216"), "BAD_USCC");  // I is not in the alphabet
  EXPECT_EQ(app("91440300O922038216"), "BAD_USCC");  // O neither
  EXPECT_EQ(app("914403001922038z16"), "BAD_USCC");  // lower case
  Status st = ValidateUscc("914403001922038217");
  EXPECT_NE(st.message().find("should be '6'"), std::string::npos) << st.message();
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
}

TEST(UsccTest, CheckCharacterThirtyOneBecomesZero) {
  // Find a 17-character prefix whose weighted sum is a multiple of 31 and check '0'.
  std::string prefix = "9144030019220382";
  for (char c : std::string("0123456789ABCDEFGHJKLMNPQRTUWXY")) {
    auto check = UsccCheckChar(prefix + c);
    ASSERT_TRUE(check.ok());
    EXPECT_TRUE(ValidateUscc(prefix + c + *check).ok());
  }
  bool saw_zero = false;
  for (char c : std::string("0123456789ABCDEFGHJKLMNPQRTUWXY")) saw_zero |= *UsccCheckChar(prefix + c) == '0';
  EXPECT_TRUE(saw_zero);
}

TEST(CitizenIdTest, PublishedExamplesAreValid) {
  EXPECT_TRUE(ValidateCitizenId("11010519491231002X").ok());
  EXPECT_TRUE(ValidateCitizenId("440524188001010014").ok());
  EXPECT_EQ(*CitizenIdCheckChar("11010519491231002"), 'X');
  EXPECT_EQ(*CitizenIdCheckChar("44052418800101001"), '4');
}

TEST(CitizenIdTest, RejectsBadNumbers) {
  auto app = [](std::string_view id) { return ValidateCitizenId(id).app_code(); };
  EXPECT_EQ(app("110105194912310021"), "BAD_CITIZEN_ID");  // wrong check
  EXPECT_EQ(app("11010519491231002x"), "BAD_CITIZEN_ID");  // lower-case x
  EXPECT_EQ(app("11010519491231002"), "BAD_CITIZEN_ID");   // short
  EXPECT_EQ(app("1101051949123100A2"), "BAD_CITIZEN_ID");  // letter in body
  EXPECT_EQ(app(""), "BAD_CITIZEN_ID");
  EXPECT_NE(ValidateCitizenId("11010519491231002x").message().find("upper-case"), std::string::npos);
  std::string zero_area = "01010519491231002";
  EXPECT_EQ(app(zero_area + *CitizenIdCheckChar(zero_area)), "BAD_CITIZEN_ID");
}

TEST(CitizenIdTest, BirthDateMustBeReal) {
  auto with_date = [](std::string date) {
    std::string first17 = "110105" + date + "002";
    return first17 + *CitizenIdCheckChar(first17);
  };
  EXPECT_TRUE(ValidateCitizenId(with_date("20000229")).ok());   // leap year
  EXPECT_FALSE(ValidateCitizenId(with_date("19000229")).ok());  // 1900 is not a leap year
  EXPECT_FALSE(ValidateCitizenId(with_date("19490230")).ok());
  EXPECT_FALSE(ValidateCitizenId(with_date("19491301")).ok());
  EXPECT_FALSE(ValidateCitizenId(with_date("19490100")).ok());
  EXPECT_FALSE(ValidateCitizenId(with_date("17991231")).ok());
  EXPECT_NE(ValidateCitizenId(with_date("19490230")).message().find("birth date"), std::string::npos);
}

constexpr std::string_view kPublishedId =
    "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0";

TEST(CertIdTest, PublishedExampleValidates) {
  auto id = ParseCertId(kPublishedId);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->type_code, "11100000000013338W009");
  EXPECT_EQ(id->issuer_code, "11330105002500287C");
  EXPECT_EQ(id->serial, "2025052201");
  EXPECT_EQ(id->version, 2u);
  EXPECT_EQ(*Mod3736CheckChar("11100000000013338W00911330105002500287C2025052201002"), '0');
  EXPECT_EQ(FormatCertId(*id), kPublishedId);
  auto made = MakeCertId("11100000000013338W009", "11330105002500287C", "2025052201", 2);
  ASSERT_TRUE(made.ok());
  EXPECT_EQ(*made, kPublishedId);
}

TEST(CertIdTest, RejectsBadIdentifiers) {
  auto app = [](std::string_view id) { return ParseCertId(id).status().app_code(); };
  EXPECT_EQ(app("1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.1"), "BAD_CERT_ID");
  EXPECT_EQ(app("1.2.156.3005.3.11100000000013338W009.11330105002500287C.2025052201.002.0"), "BAD_CERT_ID");
  EXPECT_EQ(app("1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.0"), "BAD_CERT_ID");
  EXPECT_EQ(app("1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0.0"), "BAD_CERT_ID");
  EXPECT_EQ(app("1.2.156.3005.2.11100000000013338X009.11330105002500287C.2025052201.002.0"), "BAD_CERT_ID");
  EXPECT_EQ(app("1.2.156.3005.2.11100000000013338W009.11330105002500287D.2025052201.002.0"), "BAD_CERT_ID");
  EXPECT_EQ(app("1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025-05.002.0"), "BAD_CERT_ID");
  EXPECT_EQ(app("1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.000.0"), "BAD_CERT_ID");
  EXPECT_EQ(app("1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.02.0"), "BAD_CERT_ID");
  EXPECT_EQ(app(""), "BAD_CERT_ID");
  EXPECT_EQ(app(std::string(500, '1')), "BAD_CERT_ID");
  // Any single-character change in the body is caught by the check character.
  std::string id(kPublishedId);
  for (size_t pos = kCertIdPrefix.size(); pos + 2 < id.size(); ++pos) {
    if (id[pos] == '.') continue;
    std::string changed = id;
    changed[pos] = id[pos] == '1' ? '2' : '1';
    EXPECT_FALSE(ParseCertId(changed).ok()) << changed;
  }
}

TEST(CertIdTest, PartsAreValidated) {
  EXPECT_EQ(MakeCertId("11100000000013338W00", "11330105002500287C", "1", 1).status().app_code(), "BAD_TYPE_CODE");
  EXPECT_EQ(MakeCertId("11100000000013338W009", "11330105002500287X", "1", 1).status().app_code(), "BAD_USCC");
  EXPECT_EQ(MakeCertId("11100000000013338W009", "11330105002500287C", "", 1).status().app_code(), "BAD_SERIAL");
  EXPECT_EQ(MakeCertId("11100000000013338W009", "11330105002500287C", std::string(21, '1'), 1).status().app_code(),
            "BAD_SERIAL");
  EXPECT_EQ(MakeCertId("11100000000013338W009", "11330105002500287C", "ab", 1).status().app_code(), "BAD_SERIAL");
  EXPECT_EQ(MakeCertId("11100000000013338W009", "11330105002500287C", "1", 0).status().app_code(), "BAD_VERSION");
  EXPECT_EQ(MakeCertId("11100000000013338W009", "11330105002500287C", "1", 1000).status().app_code(), "BAD_VERSION");
  auto ok = MakeCertId("11100000000013338W009", "11330105002500287C", "A1", 999);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ParseCertId(*ok).ok());
  EXPECT_EQ(ValidateTypeCode("11100000000013338W0A9").app_code(), "BAD_TYPE_CODE");
  EXPECT_TRUE(ValidateTypeCode("11100000000013338W009").ok());
  EXPECT_EQ(FormatRunningSerial(7), "0000000007");
  EXPECT_EQ(FormatRunningSerial(12345678901), "12345678901");
}

TEST(TimeFormatTest, RoundTrips) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(1'735'689'600'000), "2025-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(1'735'689'600'123), "2025-01-01T00:00:00.123Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(*ParseRfc3339("2025-01-01T00:00:00Z"), 1'735'689'600'000);
  EXPECT_EQ(*ParseRfc3339("2025-01-01T08:00:00+08:00"), 1'735'689'600'000);
  EXPECT_EQ(*ParseRfc3339("2024-12-31T19:00:00.5-05:00"), 1'735'689'600'500);
  EXPECT_EQ(*ParseRfc3339("2000-02-29T12:34:56.789123Z"), 951'827'696'789);
  for (int64_t ms : {int64_t{0}, int64_t{951'827'696'789}, int64_t{4'102'444'800'000}, int64_t{-86'400'001}}) {
    EXPECT_EQ(*ParseRfc3339(FormatRfc3339(ms)), ms);
  }
  EXPECT_EQ(*ParseTime("1735689600000"), 1'735'689'600'000);
  EXPECT_EQ(*ParseTime("2025-01-01T00:00:00Z"), 1'735'689'600'000);
}

TEST(TimeFormatTest, YearsBeyondFourDigitsAndEveryFieldWidth) {
  EXPECT_EQ(FormatRfc3339(253'402'300'799'999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339(253'402'300'800'000), "10000-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(253'402'300'800'007), "10000-01-01T00:00:00.007Z");
  EXPECT_EQ(FormatRfc3339(-62'135'596'800'000), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(-62'167'219'200'001), "-001-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339(1'709'251'199'010), "2024-02-29T23:59:59.010Z");
  // Every millisecond offset within a day and many days round-trip.
  for (int64_t ms = -4'000'000'000'000; ms < 4'000'000'000'000; ms += 7'919'999'917) {
    EXPECT_EQ(*ParseRfc3339(FormatRfc3339(ms)), ms) << FormatRfc3339(ms);
  }
}

TEST(TimeFormatTest, RejectsBadTimes) {
  for (std::string_view bad : {"", "2025-01-01", "2025-02-30T00:00:00Z", "2025-01-01T24:00:00Z",
                               "2025-01-01T00:00:00", "2025-01-01T00:00:00Zjunk", "2025-01-01T00:00:00.Z",
                               "2025-1-01T00:00:00Z", "-", "12345678901234567890", "2025-01-01T00:00:00+8"}) {
    auto r = ParseTime(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().app_code(), "BAD_TIME") << bad;
    }
  }
}

}  // namespace
}  // namespace civic::contracts
