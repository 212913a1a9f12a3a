#include "intake/profile.h"

#include <fstream>

#include <gtest/gtest.h>

#include "test_support.h"

namespace rapporteur::intake {
namespace {

using rapporteur::testing::TempDir;

std::filesystem::path write_profile(const TempDir& dir, const std::string& text) {
  const auto path = dir / "profile.toml";
  std::ofstream file(path);
  file << text;
  return path;
}

constexpr const char* kMinimal = R"(
[source]
code = "politie"
kind = "police"
[record]
mandate = "human_trafficking"
role = "victim"
[columns]
national_id = "BSN"
exploitation_form = "Vorm uitbuiting"
[labels.exploitation_form]
"Seksuele uitbuiting" = "sexual"
)";

TEST(LoadProfile, EveryShippedProfileIsValid) {
  for (const auto& entry : std::filesystem::directory_iterator(RAPPORTEUR_SOURCE_DIR "/profiles")) {
    const auto profile = load_profile(entry.path());

    EXPECT_TRUE(profile.has_value()) << entry.path() << ": " << profile.error().message;
  }
}

TEST(LoadProfile, ReadsColumnsAndLowerCasesLabels) {
  TempDir dir;

  const auto profile = load_profile(write_profile(dir, kMinimal));

  ASSERT_TRUE(profile.has_value()) << profile.error().message;
  EXPECT_EQ(profile->source.code, "politie");
  EXPECT_EQ(profile->columns.at(Field::kNationalId), "BSN");
  EXPECT_EQ(profile->labels.at(Field::kExploitationForm).at("seksuele uitbuiting"), "sexual");
}

TEST(LoadProfile, MarkedColumnsMakeTheirFieldIdentifying) {
  TempDir dir;
  std::string text = kMinimal;
  text.replace(text.find("role = \"victim\""), 15, "role = \"victim\"\nidentifying = [\"Adres\", \"Vorm Uitbuiting\"]");

  const auto profile = load_profile(write_profile(dir, text));

  ASSERT_TRUE(profile.has_value()) << profile.error().message;
  EXPECT_EQ(profile->identifying_columns, (std::vector<std::string>{"adres", "vorm uitbuiting"}));
  EXPECT_TRUE(is_identifying(*profile, Field::kExploitationForm)) << "its column is marked (in another case)";
  EXPECT_TRUE(is_identifying(*profile, Field::kNationalId)) << "always identifying";
  EXPECT_FALSE(is_identifying(*profile, Field::kSex));
  EXPECT_FALSE(is_identifying(Field::kExploitationForm)) << "without a profile, as before";
}

TEST(LoadProfile, RefusesAnIdentifyingListThatIsNotAListOfHeaders) {
  TempDir dir;
  std::string text = kMinimal;
  text.replace(text.find("role = \"victim\""), 15, "role = \"victim\"\nidentifying = \"Adres\"");

  const auto profile = load_profile(write_profile(dir, text));

  ASSERT_FALSE(profile.has_value());
  EXPECT_EQ(profile.error().code, ErrorCode::kInvalidArgument);
}

TEST(LoadProfile, RefusesAProfileThatCannotIdentifyAPerson) {
  TempDir dir;
  std::string text = kMinimal;
  text.replace(text.find("national_id = \"BSN\""), 19, "first_name = \"Voornaam\"");

  const auto profile = load_profile(write_profile(dir, text));

  ASSERT_FALSE(profile.has_value());
  EXPECT_NE(profile.error().message.find("cannot identify a person"), std::string::npos);
}

TEST(LoadProfile, NamesAnUnknownFieldAndAnUnknownCode) {
  TempDir dir;
  const auto unknown_field = load_profile(write_profile(dir, std::string(kMinimal) + "[labels.hair_colour]\n"));
  std::string bad_code = kMinimal;
  bad_code.replace(bad_code.find("\"sexual\""), 8, "\"sexy\"");
  const auto unknown_code = load_profile(write_profile(dir, bad_code));

  ASSERT_FALSE(unknown_field.has_value());
  EXPECT_NE(unknown_field.error().message.find("hair_colour"), std::string::npos);
  ASSERT_FALSE(unknown_code.has_value());
  EXPECT_NE(unknown_code.error().message.find("sexy"), std::string::npos);
}

TEST(LoadProfile, ReportsTomlSyntaxErrorsWithTheFile) {
  TempDir dir;

  const auto profile = load_profile(write_profile(dir, "[source\ncode = "));

  ASSERT_FALSE(profile.has_value());
  EXPECT_NE(profile.error().message.find("profile.toml"), std::string::npos);
}

}  // namespace
}  // namespace rapporteur::intake
