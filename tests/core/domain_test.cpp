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

namespace rapporteur {
namespace {

TEST(TableNames, AreReadAsTypedAndCheckedOneByOne) {
  EXPECT_EQ(parse_table_names("victims-form-sex-age, suspects-chain").value(),
            (std::vector<std::string>{"victims-form-sex-age", "suspects-chain"}));
  EXPECT_EQ(parse_table_names(" a-1\tb,,c \n a-1").value(), (std::vector<std::string>{"a-1", "b", "c"}));
  EXPECT_TRUE(parse_table_names("").value().empty());
  EXPECT_TRUE(parse_table_names(" , ").value().empty());
  const auto bad = parse_table_names("victims-5d, Slachtoffers");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("'Slachtoffers' is not a table name"), std::string::npos) << bad.error().message;
  EXPECT_TRUE(valid_table_name(std::string(64, 'a')));
  EXPECT_FALSE(valid_table_name(std::string(65, 'a')));
  EXPECT_FALSE(valid_table_name("victims_form"));
}

}  // namespace
}  // namespace rapporteur
