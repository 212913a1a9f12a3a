#include "linkage/linkage.h"

#include <gtest/gtest.h>

namespace rapporteur::linkage {
namespace {

Registration reg(std::string source, std::string key, ExploitationForm form, Sex sex, std::optional<int> age,
                 std::optional<std::string> name_key = std::nullopt) {
  Registration r;
  r.source_code = std::move(source);
  r.person_key = std::move(key);
  r.name_key = std::move(name_key);
  r.year = 2022;
  r.exploitation_form = form;
  r.sex = sex;
  r.age = age;
  return r;
}

const std::vector<std::string> kSources{"politie", "om", "comensha", "kmar"};

TEST(CaptureHistories, LinksThroughNameKeysAndCountsPatterns) {
  // Person 1: police and prosecution know the id (key A, name key N); CoMensha has no id, so
  // its primary key is N. Person 2: police only. Person 3: KMar only.
  const std::vector<Registration> registrations{
      reg("politie", "A", ExploitationForm::kSexual, Sex::kFemale, 17, "N"),
      reg("om", "A", ExploitationForm::kSexual, Sex::kFemale, 17, "N"),
      reg("comensha", "N", ExploitationForm::kLabour, Sex::kUnknown, 18),
      reg("politie", "B", ExploitationForm::kLabour, Sex::kMale, 30),
      reg("kmar", "C", ExploitationForm::kUnknown, Sex::kFemale, std::nullopt),
  };

  const auto histories = capture_histories(registrations, kSources);

  ASSERT_TRUE(histories.has_value());
  EXPECT_EQ(histories->persons, 3);
  ASSERT_EQ(histories->rows.size(), 3u);
  // Rows are ordered by pattern (false < true, source by source).
  const auto& kmar_only = histories->rows[0];
  EXPECT_EQ(kmar_only.seen, (std::vector<bool>{false, false, false, true}));
  EXPECT_EQ(kmar_only.classification, "unknown");
  EXPECT_EQ(kmar_only.age_group, "unknown");
  const auto& police_only = histories->rows[1];
  EXPECT_EQ(police_only.seen, (std::vector<bool>{true, false, false, false}));
  EXPECT_EQ(police_only.sex, Sex::kMale);
  const auto& three = histories->rows[2];
  EXPECT_EQ(three.seen, (std::vector<bool>{true, true, true, false}));
  EXPECT_EQ(three.classification, "sexual") << "two sources against one";
  EXPECT_EQ(three.sex, Sex::kFemale) << "unknown does not count";
  EXPECT_EQ(three.age_group, "minor") << "two minors against one adult";
  EXPECT_EQ(three.count, 1);
}

TEST(CaptureHistories, TiesGoToTheFirstListedSource) {
  const std::vector<Registration> registrations{
      reg("kmar", "A", ExploitationForm::kLabour, Sex::kFemale, 20),
      reg("politie", "A", ExploitationForm::kCriminal, Sex::kFemale, 20),
  };

  const auto histories = capture_histories(registrations, kSources);

  ASSERT_TRUE(histories.has_value());
  ASSERT_EQ(histories->rows.size(), 1u);
  EXPECT_EQ(histories->rows[0].classification, "criminal");
}

TEST(CaptureHistories, AggregatesPeopleWithTheSameHistoryAndStratum) {
  std::vector<Registration> registrations;
  for (int i = 0; i < 5; ++i) {
    registrations.push_back(reg("politie", "p" + std::to_string(i), ExploitationForm::kSexual, Sex::kFemale, 25));
    if (i < 2) registrations.push_back(reg("om", "p" + std::to_string(i), ExploitationForm::kSexual, Sex::kFemale, 25));
  }

  const auto histories = capture_histories(registrations, kSources);

  ASSERT_TRUE(histories.has_value());
  ASSERT_EQ(histories->rows.size(), 2u);
  EXPECT_EQ(histories->rows[0].count, 3);  // Police only.
  EXPECT_EQ(histories->rows[1].count, 2);  // Police and prosecution.
  EXPECT_EQ(to_csv(*histories),
            "politie,om,comensha,kmar,classification,sex,age_group,region,count\n"
            "1,0,0,0,sexual,female,adult,unknown,3\n"
            "1,1,0,0,sexual,female,adult,unknown,2\n");
}

TEST(CaptureHistories, TakesTheRegionMostSourcesRecorded) {
  std::vector<Registration> registrations{
      reg("politie", "A", ExploitationForm::kSexual, Sex::kFemale, 25),
      reg("om", "A", ExploitationForm::kSexual, Sex::kFemale, 25),
      reg("comensha", "A", ExploitationForm::kSexual, Sex::kFemale, 25),
      reg("kmar", "A", ExploitationForm::kSexual, Sex::kFemale, 25),
  };
  registrations[0].region_code = "GM0363";
  registrations[1].region_code = "GM0599";
  registrations[2].region_code = "GM0599";  // Two against one; KMar's unknown does not count.

  const auto histories = capture_histories(registrations, kSources);

  ASSERT_TRUE(histories.has_value());
  ASSERT_EQ(histories->rows.size(), 1u);
  EXPECT_EQ(histories->rows[0].region, "GM0599");
}

TEST(CaptureHistories, RefusesUnlistedAndDuplicateSources) {
  const std::vector<Registration> registrations{reg("fiod", "A", ExploitationForm::kLabour, Sex::kMale, 40)};

  EXPECT_FALSE(capture_histories(registrations, kSources).has_value());
  EXPECT_FALSE(capture_histories({}, {"politie", "politie"}).has_value());
}

}  // namespace
}  // namespace rapporteur::linkage
