// The estimate's linkage spread: the demo world of 2023 with a planted population, once of
// people whose records agree exactly across two sources and once of record pairs whose
// agreement is partial (namesakes with another first name, first-name typos, full names with
// another birth date), where the linkage cannot be sure.
#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <gtest/gtest.h>

#include "app/estimate.h"
#include "demo/demo.h"
#include "intake/comparison.h"
#include "test_support.h"

namespace rapporteur::app {
namespace {

using rapporteur::testing::TempDir;

intake::PseudonymKey test_key() {
  std::array<std::uint8_t, 32> bytes{};
  bytes[0] = 16;
  return intake::PseudonymKey::from_bytes(bytes);
}

enum class Plant { kClean, kAmbiguous };

// A name no other planted person shares: three syllables picked by the digits of `i`.
std::string name_of(int i, int salt) {
  static const std::array<const char*, 12> kSyllables = {"ka",  "lo",  "mi", "ren",  "tu", "vas",
                                                         "dor", "bel", "sa", "quin", "jo", "fe"};
  std::string name;
  for (int d = 0, v = i * 7 + salt; d < 3; ++d, v /= 12) name += kSyllables[static_cast<std::size_t>(v % 12)];
  name[0] = static_cast<char>(name[0] - 'a' + 'A');
  return name;
}

// The demo world of 2023 loaded through intake, plus 60 planted people registered by two
// sources (each a registration of the first source's first victim with new identifiers).
std::unique_ptr<store::Store> demo_with(const TempDir& dir, Plant plant) {
  const auto world = demo::generate_world({.first_year = 2023, .last_year = 2023}).value();
  auto store = std::move(store::open_sqlite_store(dir / "demo.db").value());
  EXPECT_TRUE(
      demo::load_world(world, *store, test_key(),
                       {.extracts_folder = dir / "extracts", .profiles_folder = RAPPORTEUR_SOURCE_DIR "/profiles"})
          .has_value());
  const auto registrations =
      store->registrations({.year = 2023, .mandate = Mandate::kHumanTrafficking, .role = Role::kVictim}).value();
  const Registration& base = registrations.front();
  std::string other;
  for (const auto& r : registrations) {
    if (r.source_code != base.source_code) other = r.source_code;
  }
  intake::ComparisonEncoder encoder(test_key());
  std::vector<Registration> batch;
  const auto add = [&](const std::string& source, const std::string& key, const std::string& first,
                       const std::string& last, const std::string& birth) {
    Registration r = base;
    r.source_code = source;
    r.person_key = key;
    r.name_key.reset();
    r.name_bloom.clear();
    r.birth_bloom.clear();
    r.comparison = encoder.encode({.first_name = first, .last_name = last, .birth_date = birth}).value();
    batch.push_back(std::move(r));
  };
  for (int i = 0; i < 60; ++i) {
    const std::string first = name_of(i, 1);
    const std::string last = name_of(i, 5) + "ski";
    const std::string birth = fmt::format("{}-{:02}-{:02}", 1960 + i % 40, 1 + i % 12, 1 + i % 28);
    add(base.source_code, fmt::format("plant-a-{}", i), first, last, birth);
    if (plant == Plant::kClean) {
      add(other, fmt::format("plant-b-{}", i), first, last, birth);
    } else if (i % 3 == 0) {  // A namesake: same surname and birth year, another first name and day.
      add(other, fmt::format("plant-b-{}", i), name_of(i + 500, 3), last,
          fmt::format("{}-{:02}-{:02}", 1960 + i % 40, 1 + (i + 5) % 12, 1 + (i + 11) % 28));
    } else if (i % 3 == 1) {  // A typo in the first name, and another day and month.
      add(other, fmt::format("plant-b-{}", i), first.substr(0, first.size() - 1) + "x", last,
          fmt::format("{}-{:02}-{:02}", 1960 + i % 40, 1 + (i + 5) % 12, 1 + (i + 11) % 28));
    } else {  // The full name, born in another decade.
      add(other, fmt::format("plant-b-{}", i), first, last,
          fmt::format("{}-{:02}-{:02}", 1960 + (i + 13) % 40, 1 + (i + 3) % 12, 1 + (i + 7) % 28));
    }
  }
  EXPECT_TRUE(store->add_registrations(batch).has_value());
  return store;
}

EstimateReport estimate_2023(store::Store& store) {
  EstimateRequest request;
  request.year = 2023;
  request.selection.sensitivity = mse::Sensitivity::kSkip;
  auto report = estimate(&store, request);
  EXPECT_TRUE(report.has_value()) << report.error().message;
  return report.value_or(EstimateReport{});
}

TEST(LinkageSpread, AnAmbiguousPopulationSpreadsTheEstimateWiderThanACleanOne) {
  TempDir clean_dir;
  TempDir ambiguous_dir;
  const auto clean_store = demo_with(clean_dir, Plant::kClean);
  const auto ambiguous_store = demo_with(ambiguous_dir, Plant::kAmbiguous);

  const auto clean = estimate_2023(*clean_store);
  const auto ambiguous = estimate_2023(*ambiguous_store);

  ASSERT_TRUE(clean.linkage_spread.has_value() && ambiguous.linkage_spread.has_value());
  for (const auto* report : {&clean, &ambiguous}) {
    const auto& spread = *report->linkage_spread;
    ASSERT_EQ(spread.variants.size(), 3u) << "stricter, as used, looser";
    EXPECT_EQ(spread.variants[0].thresholds.match, kStricterLinkage.match);
    EXPECT_EQ(spread.variants[2].thresholds.match, kLooserLinkage.match);
    ASSERT_EQ(report->strata.size(), 1u);
    // The linkage used is the estimate's own: its total is the reported point estimate.
    EXPECT_EQ(spread.variants[1].total, report->strata.front().estimate->search.models.front().total);
    EXPECT_LE(spread.low, spread.variants[1].total);
    EXPECT_GE(spread.high, spread.variants[1].total);
    // More links, fewer persons: the looser linkage never finds more persons than the stricter.
    EXPECT_GE(spread.variants[0].persons, spread.variants[2].persons);
  }
  const auto& c = *clean.linkage_spread;
  const auto& a = *ambiguous.linkage_spread;
  const auto persons_moved = [](const LinkageSpread& s) { return s.variants[0].persons - s.variants[2].persons; };
  std::printf("clean: spread %.0f to %.0f, persons %lld / %lld / %lld\n", c.low, c.high,
              static_cast<long long>(c.variants[0].persons), static_cast<long long>(c.variants[1].persons),
              static_cast<long long>(c.variants[2].persons));
  std::printf("ambiguous: spread %.0f to %.0f, persons %lld / %lld / %lld\n", a.low, a.high,
              static_cast<long long>(a.variants[0].persons), static_cast<long long>(a.variants[1].persons),
              static_cast<long long>(a.variants[2].persons));
  EXPECT_GE(persons_moved(a), persons_moved(c) + 5) << "planted pairs the two thresholds decide differently";
  EXPECT_GT(a.high - a.low, c.high - c.low);
}

TEST(LinkageSpread, IsReportedInTextJsonAndCsvAndCanBeSkipped) {
  TempDir dir;
  const auto store = demo_with(dir, Plant::kClean);
  EstimateRequest request;
  request.year = 2023;
  request.selection.sensitivity = mse::Sensitivity::kSkip;

  const auto report = estimate(store.get(), request);
  request.linkage_spread = LinkageSpreadRun::kSkip;
  const auto skipped = estimate(store.get(), request);
  request.linkage_spread = LinkageSpreadRun::kThresholds;
  request.linkage = LinkageMethod::kDeterministic;
  const auto exact = estimate(store.get(), request);

  ASSERT_TRUE(report.has_value() && skipped.has_value() && exact.has_value());
  ASSERT_TRUE(report->linkage_spread.has_value());
  EXPECT_FALSE(skipped->linkage_spread.has_value());
  EXPECT_FALSE(exact->linkage_spread.has_value()) << "exact keys have no thresholds to move";
  const auto& spread = *report->linkage_spread;
  EXPECT_NE(to_text(*report).find(fmt::format("Linkage spread: {:.0f} to {:.0f}", spread.low, spread.high)),
            std::string::npos)
      << to_text(*report);
  EXPECT_NE(to_json(*report).find("\"linkage_spread\""), std::string::npos);
  const std::string csv = to_csv(*report);
  EXPECT_NE(csv.find("recommended_high,linkage_low,linkage_high\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find(fmt::format(",{:.2f},{:.2f}\n", spread.low, spread.high)), std::string::npos) << csv;
  EXPECT_NE(to_csv(*skipped).find(",,\n"), std::string::npos) << "empty columns when not reported";
}

}  // namespace
}  // namespace rapporteur::app
