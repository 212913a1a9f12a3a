// The store contract, publications and account roles: every backend must pass these.
// Expected values are written out by hand from the calls.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/store_backends.h"

namespace rapporteur::store::testing {
namespace {

Publication publication(const std::string& slug, const std::string& date) {
  Publication p;
  p.slug = slug;
  p.title = "Titel " + slug;
  p.type = PublicationType::kMonitor;
  p.date = date;
  p.language = "nl";
  p.mandates = {Mandate::kHumanTrafficking, Mandate::kSexualViolenceAgainstChildren};
  p.summary = "Samenvatting";
  p.forms = {ExploitationForm::kSexual, ExploitationForm::kLabour};
  p.body = "De volledige tekst van " + slug + ", met ‘aanhalingstekens’ en é.";
  p.file_sha256 = std::string(64, 'b');
  p.file_name = slug + ".pdf";
  p.media_type = "application/pdf";
  p.source_sha256 = std::string(64, slug.front());
  p.tables = {"victims-form-sex-age", "suspects-chain"};
  return p;
}

std::vector<std::string> slugs_of(const std::vector<Publication>& publications) {
  std::vector<std::string> slugs;
  for (const auto& p : publications) slugs.push_back(p.slug);
  return slugs;
}

void expect_same(const Publication& got, const Publication& want) {
  EXPECT_EQ(got.slug, want.slug);
  EXPECT_EQ(got.title, want.title);
  EXPECT_EQ(got.type, want.type);
  EXPECT_EQ(got.date, want.date);
  EXPECT_EQ(got.language, want.language);
  EXPECT_EQ(got.mandates, want.mandates);
  EXPECT_EQ(got.summary, want.summary);
  EXPECT_EQ(got.forms, want.forms);
  EXPECT_EQ(got.body, want.body);
  EXPECT_EQ(got.file_sha256, want.file_sha256);
  EXPECT_EQ(got.file_name, want.file_name);
  EXPECT_EQ(got.media_type, want.media_type);
  EXPECT_EQ(got.source_sha256, want.source_sha256);
  EXPECT_EQ(got.tables, want.tables);
}

TEST_P(StoreContract, PublicationsRoundTripNewestFirstAndUpdateBySlug) {
  Publication b = publication("b-monitor", "2023-10-01");
  ASSERT_TRUE(store().put_publication(publication("c-study", "2021-05-01")));
  ASSERT_TRUE(store().put_publication(b));
  ASSERT_TRUE(store().put_publication(publication("a-letter", "2023-10-01")));
  b.title = "Nieuwe titel";
  b.forms = {};
  b.tables = {};
  b.language = "en";
  ASSERT_TRUE(store().put_publication(b));

  const auto all = store().publications().value();

  // Newest first; one date orders by slug.
  EXPECT_EQ(slugs_of(all), (std::vector<std::string>{"a-letter", "b-monitor", "c-study"}));
  expect_same(all[1], b);
  expect_same(store().publication("c-study").value(), publication("c-study", "2021-05-01"));
  EXPECT_EQ(store().publication("absent").error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, PublicationListLeavesOutOnlyTheBodies) {
  ASSERT_TRUE(store().put_publication(publication("a-letter", "2023-10-01")));

  const auto list = store().publication_list().value();

  ASSERT_EQ(list.size(), 1u);
  Publication want = publication("a-letter", "2023-10-01");
  want.body.clear();
  expect_same(list[0], want);
}

TEST_P(StoreContract, PublicationsAreCheckedAndFoundByTheirSourceFile) {
  Publication no_title = publication("x", "2023-01-01");
  no_title.title.clear();
  Publication bad_language = publication("y", "2023-01-01");
  bad_language.language = "de";
  ASSERT_TRUE(store().put_publication(publication("a-letter", "2023-10-01")));

  EXPECT_EQ(store().put_publication(no_title).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(store().put_publication(bad_language).error().code, ErrorCode::kInvalidArgument);
  for (const std::string& bad :
       std::vector<std::string>{"", "Victims", "victims form", "victims_form", std::string(65, 'a')}) {
    Publication bad_table = publication("z", "2023-01-01");
    bad_table.tables = {"victims-form-sex-age", bad};
    const auto put = store().put_publication(bad_table);
    ASSERT_FALSE(put.has_value()) << "table name '" << bad << "'";
    EXPECT_EQ(put.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(store().publication("z").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().publication_from_source(std::string(64, 'a')).value(), std::optional<std::string>("a-letter"));
  EXPECT_EQ(store().publication_from_source(std::string(64, 'z')).value(), std::nullopt);
}

Recommendation recommendation(const std::string& slug, int number, int year) {
  Recommendation r;
  r.publication_slug = slug;
  r.number = number;
  r.text = "Aanbeveling " + std::to_string(number);
  r.addressee = "Minister van Justitie en Veiligheid";
  r.year = year;
  return r;
}

TEST_P(StoreContract, RecommendationsNeedTheirPublicationAndAreOrderedByYearPublicationNumber) {
  ASSERT_TRUE(store().put_publication(publication("b-monitor", "2023-10-01")));
  ASSERT_TRUE(store().put_publication(publication("a-letter", "2021-10-01")));
  ASSERT_TRUE(store().put_recommendation(recommendation("b-monitor", 2, 2023)));
  ASSERT_TRUE(store().put_recommendation(recommendation("b-monitor", 1, 2023)));
  ASSERT_TRUE(store().put_recommendation(recommendation("a-letter", 3, 2023)));
  ASSERT_TRUE(store().put_recommendation(recommendation("a-letter", 1, 2021)));

  const auto missing = store().put_recommendation(recommendation("absent", 1, 2023));
  const auto all = store().recommendations().value();

  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].publication_slug, "a-letter");
  EXPECT_EQ(all[0].number, 1);
  EXPECT_EQ(all[1].publication_slug, "a-letter");
  EXPECT_EQ(all[1].number, 3);
  EXPECT_EQ(all[2].publication_slug, "b-monitor");
  EXPECT_EQ(all[2].number, 1);
  EXPECT_EQ(all[3].number, 2);
  EXPECT_EQ(all[3].text, "Aanbeveling 2");
  EXPECT_EQ(all[3].addressee, "Minister van Justitie en Veiligheid");
  EXPECT_EQ(all[3].status, ResponseStatus::kPending);
}

TEST_P(StoreContract, RecommendationFollowUpIsAppendedReplacedOrKept) {
  ASSERT_TRUE(store().put_publication(publication("a-letter", "2021-10-01")));
  Recommendation r = recommendation("a-letter", 1, 2021);
  r.history = {{"2021-12-01", std::nullopt, "Brief ontvangen"}};
  ASSERT_TRUE(store().put_recommendation(r));
  ASSERT_TRUE(store().add_recommendation_event("a-letter", 1, {"2022-03-01", ResponseStatus::kPartlyAdopted, "Deels"}));
  ASSERT_TRUE(store().add_recommendation_event("a-letter", 1, {"2022-01-15", std::nullopt, "Overleg"}));

  const auto appended = store().recommendations().value();
  Recommendation without_history = recommendation("a-letter", 1, 2021);
  without_history.text = "Herziene tekst";
  ASSERT_TRUE(store().put_recommendation(without_history));
  const auto kept = store().recommendations().value();
  Recommendation replacing = without_history;
  replacing.status = ResponseStatus::kAdopted;
  replacing.history = {{"2023-01-01", ResponseStatus::kAdopted, "Overgenomen"}};
  ASSERT_TRUE(store().put_recommendation(replacing));
  const auto replaced = store().recommendations().value();

  ASSERT_EQ(appended.size(), 1u);
  EXPECT_EQ(appended[0].status, ResponseStatus::kPartlyAdopted);
  ASSERT_EQ(appended[0].history.size(), 3u);
  EXPECT_EQ(appended[0].history[0].note, "Brief ontvangen");
  EXPECT_EQ(appended[0].history[1].note, "Overleg");  // By date.
  EXPECT_EQ(appended[0].history[2].status, ResponseStatus::kPartlyAdopted);
  EXPECT_EQ(appended[0].history[2].date, "2022-03-01");
  EXPECT_EQ(kept[0].text, "Herziene tekst");
  EXPECT_EQ(kept[0].history.size(), 3u);
  ASSERT_EQ(replaced[0].history.size(), 1u);
  EXPECT_EQ(replaced[0].history[0].note, "Overgenomen");
  EXPECT_EQ(replaced[0].status, ResponseStatus::kAdopted);
  EXPECT_EQ(store().add_recommendation_event("a-letter", 2, {"2022-01-01", std::nullopt, "x"}).error().code,
            ErrorCode::kNotFound);
}

TEST_P(StoreContract, ActivitiesAreKeyedByTheirNaturalKeyAndListedPerYear) {
  const Activity late{"2023-11-02", ActivityKind::kBriefing, "Tweede Kamer", "Rondetafel", "eerste"};
  ASSERT_TRUE(store().put_activity(late));
  ASSERT_TRUE(store().put_activity({"2023-02-01", ActivityKind::kExpertMeeting, "CBS", "Data", ""}));
  ASSERT_TRUE(store().put_activity({"2022-12-31", ActivityKind::kOther, "X", "Vorig jaar", ""}));
  ASSERT_TRUE(store().put_activity({"2023-11-02", ActivityKind::kBriefing, "Tweede Kamer", "Rondetafel", "herzien"}));

  const auto year = store().activities(2023).value();

  ASSERT_EQ(year.size(), 2u);
  EXPECT_EQ(year[0].organisation, "CBS");
  EXPECT_EQ(year[1].title, "Rondetafel");
  EXPECT_EQ(year[1].notes, "herzien");
  EXPECT_EQ(year[1].kind, ActivityKind::kBriefing);
  EXPECT_EQ(store().activities(2022).value().size(), 1u);
  EXPECT_EQ(store().put_activity({"2023-1-1", ActivityKind::kOther, "X", "Y", ""}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(store().put_activity({"2023-01-01", ActivityKind::kOther, "", "Y", ""}).error().code,
            ErrorCode::kInvalidArgument);

  ASSERT_TRUE(store().remove_activity(late));
  EXPECT_EQ(store().activities(2023).value().size(), 1u);
  EXPECT_EQ(store().remove_activity(late).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, MediaAppearancesAreKeyedByDateOutletAndTopic) {
  ASSERT_TRUE(store().put_media_appearance({"2023-05-01", "NOS", MediaKind::kTv, "Monitor", ""}));
  ASSERT_TRUE(store().put_media_appearance({"2023-03-01", "NRC", MediaKind::kNationalPaper, "Arbeid", "https://x"}));
  ASSERT_TRUE(store().put_media_appearance({"2023-05-01", "NOS", MediaKind::kOnline, "Monitor", "https://y"}));

  const auto year = store().media_appearances(2023).value();

  ASSERT_EQ(year.size(), 2u);
  EXPECT_EQ(year[0].outlet, "NRC");
  EXPECT_EQ(year[0].link, "https://x");
  EXPECT_EQ(year[1].kind, MediaKind::kOnline);
  EXPECT_EQ(year[1].link, "https://y");
  EXPECT_TRUE(store().media_appearances(2024).value().empty());
  EXPECT_EQ(store().put_media_appearance({"2023-05-01", "", MediaKind::kTv, "T", ""}).error().code,
            ErrorCode::kInvalidArgument);
  ASSERT_TRUE(store().remove_media_appearance({"2023-05-01", "NOS", MediaKind::kRadio, "Monitor", ""}));
  EXPECT_EQ(store().media_appearances(2023).value().size(), 1u);
  EXPECT_EQ(store().remove_media_appearance({"2023-05-01", "NOS", MediaKind::kTv, "Monitor", ""}).error().code,
            ErrorCode::kNotFound);
}

TEST_P(StoreContract, AccountYearsAreTheYearsWithAnyRecordNewestFirst) {
  EXPECT_TRUE(store().account_years().value().empty());
  ASSERT_TRUE(store().put_activity({"2021-03-01", ActivityKind::kOther, "X", "Een", ""}));
  ASSERT_TRUE(store().put_activity({"2021-09-01", ActivityKind::kOther, "X", "Twee", ""}));
  ASSERT_TRUE(store().put_media_appearance({"2019-05-01", "NOS", MediaKind::kTv, "Monitor", ""}));
  Finances f;
  f.year = 2024;
  ASSERT_TRUE(store().put_finances(f));

  EXPECT_EQ(store().account_years().value(), (std::vector<int>{2024, 2021, 2019}));
}

TEST_P(StoreContract, FinancesRoundTripAndAreReplacedWhole) {
  Finances f;
  f.year = 2023;
  f.budget_total_cents = 300'000'000'00;  // Past 2^31 cents: amounts are 64-bit.
  f.spending_total_cents = 299'999'999'99;
  f.result_cents = 1;
  f.notes = "Jaarrekening";
  f.budget = {{"JenV", "Structureel", FundingKind::kStructural, 250'000'000'00},
              {"VWS", "Onderzoek", FundingKind::kIncidental, 50'000'000'00}};
  f.spending = {{SpendingCategory::kStaff, "Personeel", 200'000'000'00},
                {SpendingCategory::kResearch, "Onderzoek", 99'999'999'99}};
  ASSERT_TRUE(store().put_finances(f));

  const Finances read = store().finances(2023).value();
  Finances smaller = f;
  smaller.budget.pop_back();
  smaller.spending = {};
  ASSERT_TRUE(store().put_finances(smaller));
  const Finances replaced = store().finances(2023).value();

  EXPECT_EQ(read.budget_total_cents, 300'000'000'00);
  EXPECT_EQ(read.spending_total_cents, 299'999'999'99);
  EXPECT_EQ(read.result_cents, 1);
  EXPECT_EQ(read.notes, "Jaarrekening");
  ASSERT_EQ(read.budget.size(), 2u);
  EXPECT_EQ(read.budget[0].funder, "JenV");
  EXPECT_EQ(read.budget[1].kind, FundingKind::kIncidental);
  EXPECT_EQ(read.budget[1].amount_cents, 50'000'000'00);
  ASSERT_EQ(read.spending.size(), 2u);
  EXPECT_EQ(read.spending[1].category, SpendingCategory::kResearch);
  EXPECT_EQ(read.spending[1].amount_cents, 99'999'999'99);
  EXPECT_EQ(replaced.budget.size(), 1u);
  EXPECT_TRUE(replaced.spending.empty());
  EXPECT_EQ(store().finances(2022).error().code, ErrorCode::kNotFound);
  Finances bad_year = f;
  bad_year.year = 1800;
  EXPECT_EQ(store().put_finances(bad_year).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace rapporteur::store::testing
