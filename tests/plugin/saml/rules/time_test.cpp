// common/time is owned with the SAML rules that use it; its tests live here.
#include "common/time.hpp"

#include <gtest/gtest.h>

namespace vsso::time {
namespace {

TEST(TimeTest, ParsesUtcWithAndWithoutFraction) {
  EXPECT_EQ(ParseXsDateTime("1970-01-01T00:00:00Z").value(), 0);
  EXPECT_EQ(ParseXsDateTime("2027-01-15T08:00:00Z").value(), 1'800'000'000);
  EXPECT_EQ(ParseXsDateTime("2027-01-15T08:00:00.999Z").value(), 1'800'000'000);
  EXPECT_EQ(ParseXsDateTime("2027-01-15T08:00:00").value(), 1'800'000'000);
}

TEST(TimeTest, ConvertsNumericOffsetsToUtc) {
  EXPECT_EQ(ParseXsDateTime("2027-01-15T10:00:00+02:00").value(), 1'800'000'000);
  EXPECT_EQ(ParseXsDateTime("2027-01-15T03:30:00-04:30").value(), 1'800'000'000);
}

TEST(TimeTest, HandlesLeapYears) {
  EXPECT_TRUE(ParseXsDateTime("2024-02-29T00:00:00Z"));
  EXPECT_FALSE(ParseXsDateTime("2023-02-29T00:00:00Z"));
  EXPECT_EQ(FormatUtc(ParseXsDateTime("2000-02-29T23:59:59Z").value()), "2000-02-29T23:59:59Z");
}

TEST(TimeTest, RefusesMalformedTextPrecisely) {
  auto bad = ParseXsDateTime("2027-01-15 08:00:00Z");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "time.invalid");
  EXPECT_NE(bad.error().message.find("expected 'T' at position 11"), std::string::npos)
      << bad.error().message;
  EXPECT_FALSE(ParseXsDateTime("2027-13-01T00:00:00Z"));
  EXPECT_FALSE(ParseXsDateTime("2027-01-15T24:00:00Z"));
  EXPECT_FALSE(ParseXsDateTime("2016-12-31T23:59:60Z"));
  EXPECT_FALSE(ParseXsDateTime("2027-01-15T08:00:00Zjunk"));
  EXPECT_FALSE(ParseXsDateTime("2027-01-15T08:00:00+15:00"));
  EXPECT_FALSE(ParseXsDateTime("2027-01-15T08:00:00."));
}

TEST(TimeTest, Rfc3339RequiresAZone) {
  EXPECT_EQ(ParseRfc3339("2027-01-15t08:00:00z").value(), 1'800'000'000);
  EXPECT_EQ(ParseRfc3339("2027-01-15T09:00:00+01:00").value(), 1'800'000'000);
  EXPECT_FALSE(ParseRfc3339("2027-01-15T08:00:00"));
}

TEST(TimeTest, FormatsUtcRoundTrip) {
  EXPECT_EQ(FormatUtc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatUtc(1'800'000'000), "2027-01-15T08:00:00Z");
  EXPECT_EQ(FormatUtc(-1), "1969-12-31T23:59:59Z");
  for (UnixSeconds t : {951'782'400LL, 4'102'444'800LL, 1'234'567'890LL}) {
    EXPECT_EQ(ParseXsDateTime(FormatUtc(t)).value(), t);
  }
}

}  // namespace
}  // namespace vsso::time
