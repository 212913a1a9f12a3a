// The yearly account: finance checks against hand-computed sums, the year file's errors,
// idempotent import, report figures equal to the registers, and the PDF printed by Chromium
// with its seven sections (read back with pdftotext).
#include "account/account.h"

#include <cstdio>
#include <fstream>
#include <memory>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/store.h"
#include "test_support.h"

namespace rapporteur::account {
namespace {

using rapporteur::testing::TempDir;
using ::testing::HasSubstr;

Finances balanced() {
  Finances f;
  f.year = 2023;
  f.budget = {{"Ministerie", "Structureel", FundingKind::kStructural, 380'000'000},
              {"EU", "Project", FundingKind::kIncidental, 2'500'050}};
  f.spending = {{SpendingCategory::kStaff, "Personeel", 300'000'000},
                {SpendingCategory::kOperations, "ICT", 70'000'025}};
  f.budget_total_cents = 382'500'050;    // 3.800.000,00 + 25.000,50 by hand.
  f.spending_total_cents = 370'000'025;  // 3.000.000,00 + 700.000,25.
  f.result_cents = 12'500'025;           // 3.825.000,50 - 3.700.000,25 = 125.000,25.
  return f;
}

TEST(CheckFinances, BalancedYearHasNoMismatch) { EXPECT_TRUE(check_finances(balanced()).empty()); }

TEST(CheckFinances, ReportsTheExactDifferenceOfALineThatIsOff) {
  Finances f = balanced();
  f.budget[1].amount_cents += 234'567;  // 2.345,67 euro too much on one line.

  const auto mismatches = check_finances(f);

  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].stated_cents, 382'500'050);
  EXPECT_EQ(mismatches[0].computed_cents, 382'734'617);
  EXPECT_EQ(mismatches[0].difference_cents, -234'567);
}

TEST(CheckFinances, ReportsAWrongResultAndOverflowWithoutWrapping) {
  Finances f = balanced();
  f.result_cents = 12'500'000;
  Finances huge = balanced();
  huge.budget = {{"a", "", FundingKind::kStructural, INT64_MAX}, {"b", "", FundingKind::kStructural, 1}};

  const auto result = check_finances(f);
  const auto overflow = check_finances(huge);

  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result[0].difference_cents, -25);
  ASSERT_FALSE(overflow.empty());
  EXPECT_THAT(overflow[0].what, HasSubstr("overflows"));
}

constexpr const char* kYear = R"(year: 2023
activities:
  - {date: 2023-02-01, kind: advisory_board, organisation: WODC, title: Adviesraad}
  - {date: 2023-05-10, kind: briefing, organisation: Tweede Kamer, title: Briefing monitor, notes: technisch}
  - {date: 2023-06-01, kind: cooperation, organisation: CBS, title: Datapartnerschap}
media:
  - {date: 2023-03-04, outlet: NOS Journaal, kind: tv, topic: Schatting}
  - {date: 2023-03-05, outlet: NRC, kind: national_paper, topic: Monitor}
  - {date: 2023-11-20, outlet: NRC, kind: national_paper, topic: Uitbuiting}
finances:
  budget_total: "3.825.000,50"
  spending_total: "3.700.000,25"
  result: "125.000,25"
  budget:
    - {funder: Ministerie, description: Structureel, kind: structural, amount: "3800000"}
    - {funder: EU, description: Project, kind: incidental, amount: "25.000,50"}
  spending:
    - {category: staff, description: Personeel, amount: "3.000.000"}
    - {category: operations, description: ICT, amount: "700000.25"}
)";

class AccountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::open_sqlite_store(dir_ / "r.db"));
    std::ofstream(dir_ / "2023.yaml") << kYear;
  }
  TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(AccountTest, ReadsAYearFileAndImportsItTwiceWithoutDuplicates) {
  const auto file = read_year_file(dir_ / "2023.yaml");
  ASSERT_TRUE(file.has_value()) << file.error().message;

  ASSERT_TRUE(import_year(*store_, *file).has_value());
  ASSERT_TRUE(import_year(*store_, *file).has_value());

  EXPECT_EQ(store_->activities(2023)->size(), 3u);
  EXPECT_EQ(store_->media_appearances(2023)->size(), 3u);
  const auto finances = store_->finances(2023);
  ASSERT_TRUE(finances.has_value());
  EXPECT_EQ(finances->budget_total_cents, balanced().budget_total_cents);
  EXPECT_EQ(finances->spending[1].amount_cents, 70'000'025);
  EXPECT_TRUE(check_finances(*finances).empty());
}

TEST_F(AccountTest, RemovesExactlyTheEntryWithTheNaturalKey) {
  ASSERT_TRUE(import_year(*store_, read_year_file(dir_ / "2023.yaml").value()).has_value());
  Activity briefing{"2023-05-10", ActivityKind::kBriefing, "Tweede Kamer", "Briefing monitor", ""};
  Activity other_kind = briefing;
  other_kind.kind = ActivityKind::kPresentation;

  const auto wrong_kind = store_->remove_activity(other_kind);
  const auto removed = store_->remove_activity(briefing);
  const auto again = store_->remove_activity(briefing);
  const auto media = store_->remove_media_appearance({"2023-03-05", "NRC", MediaKind::kTv, "Monitor", ""});

  ASSERT_FALSE(wrong_kind.has_value());
  EXPECT_EQ(wrong_kind.error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(removed.has_value()) << removed.error().message;
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(media.has_value()) << "the kind is not part of a media appearance's key";
  const auto activities = store_->activities(2023).value();
  ASSERT_EQ(activities.size(), 2u);
  EXPECT_EQ(activities[0].title, "Adviesraad");
  EXPECT_EQ(activities[1].title, "Datapartnerschap");
  const auto appearances = store_->media_appearances(2023).value();
  ASSERT_EQ(appearances.size(), 2u);
  EXPECT_EQ(appearances[0].topic, "Schatting");
  EXPECT_EQ(appearances[1].topic, "Uitbuiting");
}

TEST_F(AccountTest, YearFileErrorsNameTheEntryAndReason) {
  std::string text = kYear;
  text.replace(text.find("kind: national_paper"), 20, "kind: krant");
  std::ofstream(dir_ / "bad.yaml") << text;
  std::string dates = kYear;
  dates.replace(dates.find("2023-11-20"), 10, "2024-01-02");
  std::ofstream(dir_ / "dates.yaml") << dates;
  std::string cents = kYear;
  cents.replace(cents.find("\"700000.25\""), 11, "\"700000.255\"");
  std::ofstream(dir_ / "cents.yaml") << cents;

  const auto bad = read_year_file(dir_ / "bad.yaml");
  const auto wrong_year = read_year_file(dir_ / "dates.yaml");
  const auto sub_cent = read_year_file(dir_ / "cents.yaml");

  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message, HasSubstr("media[2].kind"));
  EXPECT_THAT(bad.error().message, HasSubstr("krant"));
  ASSERT_FALSE(wrong_year.has_value());
  EXPECT_THAT(wrong_year.error().message, HasSubstr("media[3].date"));
  ASSERT_FALSE(sub_cent.has_value());
  EXPECT_THAT(sub_cent.error().message, HasSubstr("finances.spending[2].amount"));
}

void add_publications(store::Store& store) {
  const auto publication = [&](const char* slug, PublicationType type, const char* date) {
    Publication p;
    p.slug = slug;
    p.title = std::string("Titel ") + slug;
    p.type = type;
    p.date = date;
    p.language = "nl";
    ASSERT_TRUE(store.put_publication(p).has_value());
  };
  publication("monitor", PublicationType::kMonitor, "2023-11-15");
  publication("brief", PublicationType::kLetter, "2023-02-01");
  publication("oud", PublicationType::kStudy, "2022-06-01");
  ASSERT_TRUE(store.put_recommendation({"monitor", 1, "Doe a", "Minister", 2023, ResponseStatus::kAdopted, {}}));
  ASSERT_TRUE(store.put_recommendation({"monitor", 2, "Doe b", "Minister", 2023, ResponseStatus::kRejected, {}}));
  ASSERT_TRUE(store.put_recommendation({"oud", 1, "Doe c", "Minister", 2022, ResponseStatus::kAdopted, {}}));
}

TEST_F(AccountTest, ReportCountsEqualTheRegistersAndMarksAnOffLine) {
  add_publications(*store_);
  auto file = *read_year_file(dir_ / "2023.yaml");
  file.finances->budget[1].amount_cents += 300'000;  // 3.000,00 euro off.
  ASSERT_TRUE(import_year(*store_, file).has_value());

  const auto report = build_annual_report(*store_, 2023, {});

  ASSERT_TRUE(report.has_value()) << report.error().message;
  const auto& f = report->figures;
  EXPECT_EQ(f.publications, 2);  // "oud" is from 2022.
  EXPECT_EQ(f.recommendations, 2);
  EXPECT_EQ(f.recommendations_adopted, 1);
  EXPECT_EQ(f.activities, 2);  // Cooperation is its own section.
  EXPECT_EQ(f.activities_by_kind.at("cooperation"), 1);
  EXPECT_EQ(f.media, 3);
  EXPECT_EQ(f.media_by_kind.at("national_paper"), 2);
  EXPECT_EQ(f.media_by_month[2], 2);   // March.
  EXPECT_EQ(f.media_by_month[10], 1);  // November.
  ASSERT_EQ(f.mismatches.size(), 1u);
  EXPECT_EQ(f.mismatches[0].difference_cents, -300'000);
  EXPECT_THAT(report->html, HasSubstr("class=\"mismatch\""));
  EXPECT_THAT(report->html, HasSubstr("verschil -€ 3.000,00"));
  EXPECT_THAT(report->html, HasSubstr("2 publicaties"));
  EXPECT_THAT(report->html, HasSubstr("waarvan 1 overgenomen (50%)"));
}

TEST_F(AccountTest, PrintsThePdfWithItsSevenSections) {
  add_publications(*store_);
  ASSERT_TRUE(import_year(*store_, *read_year_file(dir_ / "2023.yaml")).has_value());
  const auto report = build_annual_report(*store_, 2023, {});
  ASSERT_TRUE(report.has_value());
  std::ofstream(dir_ / "report.html") << report->html;

  const auto printed = print_pdf(dir_ / "report.html", dir_ / "report.pdf");

  ASSERT_TRUE(printed.has_value()) << printed.error().message;
  const std::string command =
      "pdftotext -layout " + (dir_ / "report.pdf").string() + " " + (dir_ / "report.txt").string();
  ASSERT_EQ(std::system(command.c_str()), 0) << "pdftotext (Debian package poppler-utils)";
  std::ifstream in(dir_ / "report.txt");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  int sections = 0;
  for (const char* heading : {"1. Overzicht", "2. Publicaties", "3. Aanbevelingen", "4. Advieswerk", "5. Media",
                              "6. Samenwerking", "7. Financiën"}) {
    sections += text.find(heading) != std::string::npos ? 1 : 0;
    EXPECT_THAT(text, HasSubstr(heading));
  }
  EXPECT_EQ(sections, 7);
  EXPECT_THAT(text, HasSubstr("€ 125.000,25"));
}

}  // namespace
}  // namespace rapporteur::account
