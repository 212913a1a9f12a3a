#include "core/domain.h"

#include <gtest/gtest.h>

namespace rapporteur {
namespace {

Registration valid_victim() {
  Registration r;
  r.source_code = "politie";
  r.person_key = "ab12";
  r.year = 2021;
  r.mandate = Mandate::kHumanTrafficking;
  r.exploitation_form = ExploitationForm::kLabour;
  r.age = 17;
  r.nationality = "PL";
  return r;
}

TEST(EnumCodes, RoundTripEveryExploitationForm) {
  for (const auto form : {ExploitationForm::kSexual, ExploitationForm::kLabour, ExploitationForm::kCriminal,
                          ExploitationForm::kOther, ExploitationForm::kUnknown}) {
    const auto parsed = parse_exploitation_form(to_code(form));

    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, form);
  }
}

TEST(EnumCodes, UnknownCodeNamesTheValueAndTheAcceptedOnes) {
  const auto parsed = parse_sex("vrouw");

  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(parsed.error().message.find("'vrouw'"), std::string::npos);
  EXPECT_NE(parsed.error().message.find("female"), std::string::npos);
}

TEST(ValidateRegistration, AcceptsAConsistentVictim) { EXPECT_TRUE(validate(valid_victim()).has_value()); }

TEST(ValidateRegistration, RejectsTraffickingWithoutExploitationForm) {
  Registration r = valid_victim();
  r.exploitation_form.reset();

  const auto result = validate(r);

  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("exploitation form"), std::string::npos);
}

TEST(ValidateRegistration, RejectsTheOtherMandatesClassification) {
  Registration r = valid_victim();
  r.offence_type = OffenceType::kGrooming;

  EXPECT_FALSE(validate(r).has_value());
}

TEST(ValidateRegistration, RejectsChainStageForVictims) {
  Registration r = valid_victim();
  r.chain_stage = ChainStage::kConvicted;

  EXPECT_FALSE(validate(r).has_value());
}

TEST(ValidateRegistration, RejectsAgeOutOfRangeNamingIt) {
  Registration r = valid_victim();
  r.age = 121;

  const auto result = validate(r);

  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("121"), std::string::npos);
}

TEST(ValidateRegistration, RejectsLowerCaseNationality) {
  Registration r = valid_victim();
  r.nationality = "pl";

  EXPECT_FALSE(validate(r).has_value());
}

}  // namespace
}  // namespace rapporteur
