#include "core/money.h"

#include <limits>

#include <gtest/gtest.h>

namespace rapporteur {
namespace {

TEST(FormatEuro, GroupsThousandsWithDotsAndCentsWithComma) {
  EXPECT_EQ(format_euro({123456789}), "€ 1.234.567,89");
  EXPECT_EQ(format_euro({5}), "€ 0,05");
  EXPECT_EQ(format_euro({-100000}), "-€ 1.000,00");
}

TEST(FormatEuro, HandlesTheMostNegativeAmountWithoutOverflow) {
  // -9223372036854775808 cents = -92233720368547758.08 euros.
  EXPECT_EQ(format_euro({std::numeric_limits<std::int64_t>::min()}), "-€ 92.233.720.368.547.758,08");
}

TEST(ParseEuro, ReadsDutchAndInternationalNotation) {
  EXPECT_EQ(parse_euro("1.234,56").value(), Cents{123456});
  EXPECT_EQ(parse_euro("1234.56").value(), Cents{123456});
  EXPECT_EQ(parse_euro("1,234.5").value(), Cents{123450});
  EXPECT_EQ(parse_euro("€ 12").value(), Cents{1200});
  EXPECT_EQ(parse_euro("-3,07").value(), Cents{-307});
  EXPECT_EQ(parse_euro("1.000.000").value(), Cents{100000000});
}

TEST(ParseEuro, RefusesAmbiguousAndInexactInput) {
  EXPECT_FALSE(parse_euro("1.234").has_value());   // Thousands or decimals?
  EXPECT_FALSE(parse_euro("12,345").has_value());  // Three decimals: not exact in cents.
  EXPECT_FALSE(parse_euro("12x").has_value());
  EXPECT_FALSE(parse_euro("").has_value());
  EXPECT_FALSE(parse_euro("99999999999999999999").has_value());
}

TEST(ParseEuro, RoundTripsFormattedAmounts) {
  for (const std::int64_t cents : {0LL, 1LL, 99LL, 100LL, 123456789LL, -4200LL}) {
    EXPECT_EQ(parse_euro(format_euro({cents})).value(), Cents{cents}) << cents;
  }
}

}  // namespace
}  // namespace rapporteur
