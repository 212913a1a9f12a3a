#include "intake/comparison.h"

#include <gtest/gtest.h>

namespace rapporteur::intake {
namespace {

PseudonymKey test_key() {
  std::array<std::uint8_t, 32> bytes{};
  bytes[0] = 42;
  return PseudonymKey::from_bytes(bytes);
}

TEST(TransliterateName, FoldsScriptsAndDiacriticsWithIcu) {
  // Expected forms: ICU's Any-Latin; Latin-ASCII rules (CLDR transliteration data).
  EXPECT_EQ(transliterate_name("Nguyễn Văn"), "nguyen van");
  EXPECT_EQ(transliterate_name("Şahin Yılmaz"), "sahin yilmaz");
  EXPECT_EQ(transliterate_name("Łukasz Wiśniewski"), "lukasz wisniewski");
  EXPECT_EQ(transliterate_name("Ștefan Țurcanu"), "stefan turcanu");
  EXPECT_EQ(transliterate_name("Иванов"), "ivanov");
  EXPECT_EQ(transliterate_name("O'Brien-Smith"), "obrien smith");
  const std::string arabic = transliterate_name("محمد");
  EXPECT_FALSE(arabic.empty());
  EXPECT_EQ(arabic.find_first_not_of("abcdefghijklmnopqrstuvwxyz "), std::string::npos);
}

TEST(ComparisonName, DropsParticlesButKeepsNamesThatAreOnlyParticles) {
  EXPECT_EQ(comparison_name("van der Berg"), "berg");
  EXPECT_EQ(comparison_name("Berg, van der"), "berg");
  EXPECT_EQ(comparison_name("ter Horst"), "horst");
  EXPECT_EQ(comparison_name("Al-Hassan"), "hassan");
  EXPECT_EQ(comparison_name("Le"), "le");
  EXPECT_EQ(comparison_name("De la Cruz"), "cruz");
}

TEST(ComparisonEncoder, KeysDatePartsSeparatelyAndMonthDayAlike) {
  ComparisonEncoder encoder(test_key());
  const Identifiers a{.first_name = "Anna", .last_name = "de Vries", .birth_date = "1990-04-07"};
  const Identifiers b{.first_name = "Anna", .last_name = "Vries", .birth_date = "1990-07-04"};

  const auto x = encoder.encode(a);
  const auto y = encoder.encode(b);

  ASSERT_TRUE(x.has_value());
  ASSERT_TRUE(y.has_value());
  EXPECT_EQ(x->last_name_key, y->last_name_key);
  EXPECT_EQ(x->last_name_bloom, y->last_name_bloom);
  EXPECT_EQ(x->birth_year_key, y->birth_year_key);
  EXPECT_EQ(x->birth_month_key, y->birth_day_key);
  EXPECT_NE(x->birth_month_key, x->birth_day_key);
  EXPECT_EQ(x->birth_year_key.size(), 16u);
  EXPECT_EQ(x->first_name_bloom.size(), static_cast<std::size_t>(kBloomBits / 8));
  EXPECT_FALSE(x->birth_first_of_january);
}

TEST(ComparisonEncoder, KeepsARowWithANameOnly) {
  ComparisonEncoder encoder(test_key());

  const auto fields = encoder.encode({.last_name = "Öztürk"});

  ASSERT_TRUE(fields.has_value());
  EXPECT_FALSE(fields->last_name_key.empty());
  EXPECT_TRUE(fields->first_name_key.empty());
  EXPECT_TRUE(fields->birth_year_key.empty());
}

TEST(ComparisonEncoder, RejectsAMalformedDate) {
  ComparisonEncoder encoder(test_key());

  const auto fields = encoder.encode({.last_name = "Jansen", .birth_date = "1990-13-01"});

  ASSERT_FALSE(fields.has_value());
  EXPECT_EQ(fields.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace rapporteur::intake
