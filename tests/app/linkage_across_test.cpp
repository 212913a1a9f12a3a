// Linking victims and suspects over several years (app::link_across), against the demo
// world's record-level truth: demo::stored_record_persons names the demo's own person behind
// every stored registration, so the true counts of people found again are computed here
// without any linkage.
#include "app/linkage_across.h"

#include <cmath>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "demo/demo.h"
#include "test_support.h"

namespace rapporteur::app {
namespace {

using rapporteur::testing::TempDir;

constexpr int kFirst = 2021;
constexpr int kLast = 2023;

intake::PseudonymKey test_key() {
  std::array<std::uint8_t, 32> bytes{};
  bytes[0] = 23;
  return intake::PseudonymKey::from_bytes(bytes);
}

// The true report: the demo's person identifiers of every stored registration, per year and
// role, counted as link_across counts linked persons.
struct Truth {
  std::vector<CrossLinkYear> years;
  std::int64_t persons = 0;
  std::int64_t victims_in_several_years = 0;
  std::int64_t victims_and_suspects = 0;
};

Truth true_counts(const demo::World& world, store::Store& store) {
  std::map<std::string, std::set<int>> victim_years;
  std::map<std::string, std::set<int>> suspect_years;
  for (int year = kFirst; year <= kLast; ++year) {
    for (const Role role : {Role::kVictim, Role::kSuspect}) {
      const auto persons = demo::stored_record_persons(
          world, store, {.year = year, .mandate = Mandate::kHumanTrafficking, .role = role});
      EXPECT_TRUE(persons.has_value()) << persons.error().message;
      for (const auto& p : persons.value_or(std::vector<std::string>{})) {
        (role == Role::kVictim ? victim_years : suspect_years)[p].insert(year);
      }
    }
  }
  Truth truth;
  std::set<std::string> everyone;
  for (const auto& [p, years] : victim_years) everyone.insert(p);
  for (const auto& [p, years] : suspect_years) everyone.insert(p);
  truth.persons = static_cast<std::int64_t>(everyone.size());
  for (int year = kFirst; year <= kLast; ++year) {
    CrossLinkYear row{.year = year};
    for (const auto& p : everyone) {
      const auto v = victim_years.find(p);
      const auto s = suspect_years.find(p);
      const bool victim_now = v != victim_years.end() && v->second.contains(year);
      const bool victim_before = v != victim_years.end() && *v->second.begin() < year;
      if (victim_now) {
        ++row.victims;
        row.victims_seen_before += victim_before ? 1 : 0;
      }
      if (s != suspect_years.end() && s->second.contains(year)) {
        ++row.suspects;
        row.suspects_seen_before += *s->second.begin() < year ? 1 : 0;
        row.suspects_also_victims += victim_now || victim_before ? 1 : 0;
      }
    }
    truth.years.push_back(row);
  }
  for (const auto& p : everyone) {
    const auto v = victim_years.find(p);
    const bool victim = v != victim_years.end();
    truth.victims_in_several_years += victim && v->second.size() > 1 ? 1 : 0;
    truth.victims_and_suspects += victim && suspect_years.contains(p) ? 1 : 0;
  }
  return truth;
}

class LinkAcross : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    world_ = new demo::World(demo::generate_world({.first_year = kFirst, .last_year = kLast}).value());
    store_ = store::open_sqlite_store(*dir_ / "demo.db").value().release();
    ASSERT_TRUE(
        demo::load_world(*world_, *store_, test_key(),
                         {.extracts_folder = *dir_ / "extracts", .profiles_folder = RAPPORTEUR_SOURCE_DIR "/profiles"})
            .has_value());
  }
  static void TearDownTestSuite() {
    delete store_;
    delete world_;
    delete dir_;
  }

  static TempDir* dir_;
  static demo::World* world_;
  static store::Store* store_;
};

TempDir* LinkAcross::dir_ = nullptr;
demo::World* LinkAcross::world_ = nullptr;
store::Store* LinkAcross::store_ = nullptr;

// |got - want| within `share` of `want`, or within `floor` for small counts.
void expect_close(std::int64_t got, std::int64_t want, double share, std::int64_t floor, const std::string& what) {
  const double allowed = std::max(static_cast<double>(floor), share * static_cast<double>(want));
  EXPECT_LE(std::abs(static_cast<double>(got - want)), allowed)
      << what << ": " << got << " linked, " << want << " true";
}

TEST_F(LinkAcross, TheDemoWorldHasPeopleFoundAgainAcrossYearsAndRoles) {
  const Truth truth = true_counts(*world_, *store_);
  // The demo draws 5% of each year's victims from the year before and 6% of trafficking
  // suspects from the year's victims; only the registered ones show.
  EXPECT_GT(truth.years[1].victims_seen_before, 20);
  EXPECT_GT(truth.years[2].victims_seen_before, 20);
  EXPECT_GT(truth.victims_and_suspects, 20);
  EXPECT_EQ(truth.years[0].victims_seen_before, 0) << "nothing before the first year of the range";
}

TEST_F(LinkAcross, ProbabilisticLinkageFindsThePeopleFoundAgainAsTheTruthCountsThem) {
  const Truth truth = true_counts(*world_, *store_);

  const auto report = link_across(*store_, {.first_year = kFirst, .last_year = kLast});

  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->method, LinkageMethod::kProbabilistic);
  ASSERT_EQ(report->years.size(), 3u);
  expect_close(report->persons, truth.persons, 0.02, 0, "persons");
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& got = report->years[i];
    const auto& want = truth.years[i];
    const std::string year = std::to_string(want.year);
    EXPECT_EQ(got.year, want.year);
    expect_close(got.victims, want.victims, 0.02, 0, year + " victims");
    expect_close(got.suspects, want.suspects, 0.02, 0, year + " suspects");
    expect_close(got.victims_seen_before, want.victims_seen_before, 0.15, 3, year + " victims seen before");
    expect_close(got.suspects_also_victims, want.suspects_also_victims, 0.15, 3, year + " suspects also victims");
  }
  expect_close(report->victims_in_several_years, truth.victims_in_several_years, 0.15, 3, "victims in several years");
  expect_close(report->victims_and_suspects, truth.victims_and_suspects, 0.15, 3, "victims and suspects");
  std::int64_t by_form = 0;
  for (const auto& [form, count] : report->victims_and_suspects_by_form) by_form += count;
  EXPECT_EQ(by_form, report->victims_and_suspects);
  std::printf("victims seen before %lld/%lld linked/true (2023); victims and suspects %lld/%lld\n",
              static_cast<long long>(report->years[2].victims_seen_before),
              static_cast<long long>(truth.years[2].victims_seen_before),
              static_cast<long long>(report->victims_and_suspects), static_cast<long long>(truth.victims_and_suspects));
}

TEST_F(LinkAcross, OneSourcesRecordsOfAPersonInTwoYearsJoinWithoutBeingCalledDuplicates) {
  const auto report = link_across(*store_, {.first_year = kFirst, .last_year = kLast});
  const auto single = link_across(*store_, {.first_year = kLast, .last_year = kLast});

  ASSERT_TRUE(report.has_value() && single.has_value());
  // A year linked alone finds the same victims as that year's row of the joint run, give or
  // take what the extra years' evidence changes.
  expect_close(report->years[2].victims, single->years[0].victims, 0.01, 2, "2023 victims, joint against alone");
  EXPECT_EQ(single->years[0].victims_seen_before, 0);
}

TEST_F(LinkAcross, RefusesABadRangeAndAnEmptyOne) {
  const auto reversed = link_across(*store_, {.first_year = 2023, .last_year = 2021});
  const auto empty = link_across(*store_, {.first_year = 2010, .last_year = 2012});
  const auto mandate = link_across(*store_, {.mandate = "piracy", .first_year = 2021, .last_year = 2023});

  ASSERT_FALSE(reversed.has_value());
  EXPECT_EQ(reversed.error().code, ErrorCode::kInvalidArgument);
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, ErrorCode::kNotFound);
  ASSERT_FALSE(mandate.has_value());
  EXPECT_EQ(mandate.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace rapporteur::app
