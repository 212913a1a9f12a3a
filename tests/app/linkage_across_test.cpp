// Linking victims and suspects over several years (app::link_across), against the demo
// world's record-level truth: demo::stored_record_persons names the demo's own person behind
// every stored registration, so the true counts of people found again are computed here
// without any linkage.
#include "app/linkage_across.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

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

// Lasting person ids: a store holding 2021-2022 is linked with kept ids; then the 2023
// registrations arrive, and the next run must keep every earlier person's id and give the
// victims of 2023 who were registered before (by the demo's own truth) the id they had.
TEST_F(LinkAcross, ANewYearsRegistrationsJoinThePersonsAlreadyKnownUnderTheirLastingIds) {
  TempDir dir;
  auto growing = store::open_sqlite_store(dir / "growing.db").value();
  const auto sources = store_->sources().value();
  const auto regions = store_->regions().value();
  for (const Source& s : sources) ASSERT_TRUE(growing->put_source(s));
  // Parents first: a region whose parent is not stored yet waits for the next pass.
  std::vector<Region> waiting = regions;
  for (int pass = 0; pass < 4 && !waiting.empty(); ++pass) {
    std::vector<Region> later;
    for (const Region& r : waiting) {
      if (!growing->put_region(r)) later.push_back(r);
    }
    waiting = std::move(later);
  }
  ASSERT_TRUE(waiting.empty()) << waiting.size() << " regions could not be stored";
  // The demo's person behind each stored registration, by source, year, role and reference.
  using Key = std::tuple<std::string, int, Role, std::string>;
  std::map<Key, std::string> truth;
  const auto copy_year = [&](int year) {
    for (const Role role : {Role::kVictim, Role::kSuspect}) {
      const store::RegistrationFilter filter{.year = year, .mandate = Mandate::kHumanTrafficking, .role = role};
      const auto registrations = store_->registrations(filter).value();
      const auto persons = demo::stored_record_persons(*world_, *store_, filter).value();
      ASSERT_EQ(registrations.size(), persons.size());
      for (std::size_t i = 0; i < registrations.size(); ++i) {
        if (registrations[i].record_id) {
          truth[{registrations[i].source_code, year, role, *registrations[i].record_id}] = persons[i];
        }
      }
      ASSERT_TRUE(growing->add_registrations(registrations).has_value());
    }
  };
  copy_year(2021);
  copy_year(2022);
  const CrossLinkRequest request{.first_year = 2021, .last_year = 2022, .person_ids = PersonIdUse::kKeep};

  const auto first = link_across(*growing, request);
  copy_year(2023);
  const auto second = link_across(*growing, {.first_year = 2023, .last_year = 2023, .person_ids = PersonIdUse::kKeep});

  ASSERT_TRUE(first.has_value()) << first.error().message;
  ASSERT_TRUE(second.has_value()) << second.error().message;
  ASSERT_TRUE(first->person_ids && second->person_ids);
  EXPECT_EQ(first->person_ids->kept, 0);
  EXPECT_EQ(first->person_ids->added, first->persons);
  EXPECT_EQ(second->years.size(), 1u) << "the counts cover the range asked for";
  // Every record of the mandate carries its id, whatever the range.
  EXPECT_EQ(static_cast<std::int64_t>(second->records.size()), first->registrations + second->registrations);
  std::map<Key, std::int64_t> id_before;
  std::map<std::string, std::set<std::int64_t>> ids_of_person;  // Earlier ids of each true person.
  std::int64_t highest_before = 0;
  for (const CrossLinkRecord& r : first->records) {
    if (r.record_id.empty()) continue;
    id_before[{r.source, r.year, r.role, r.record_id}] = r.person_id;
    ids_of_person[truth.at({r.source, r.year, r.role, r.record_id})].insert(r.person_id);
    highest_before = std::max(highest_before, r.person_id);
  }
  std::int64_t earlier = 0;
  std::int64_t same_id = 0;
  std::int64_t returning = 0;
  std::int64_t found_under_their_id = 0;
  std::int64_t new_people = 0;
  std::int64_t new_people_with_a_new_id = 0;
  for (const CrossLinkRecord& r : second->records) {
    if (r.record_id.empty()) continue;
    const Key key{r.source, r.year, r.role, r.record_id};
    if (r.year < 2023) {
      ++earlier;
      same_id += id_before.at(key) == r.person_id ? 1 : 0;
      continue;
    }
    if (r.role != Role::kVictim) continue;
    const auto known = ids_of_person.find(truth.at(key));
    if (known != ids_of_person.end()) {
      ++returning;
      found_under_their_id += known->second.contains(r.person_id) ? 1 : 0;
    } else {
      ++new_people;
      new_people_with_a_new_id += r.person_id > highest_before ? 1 : 0;
    }
  }
  std::printf(
      "earlier records keeping their id %lld/%lld; 2023 victim records of returning people under their "
      "earlier id %lld/%lld; of new people with a new id %lld/%lld\n",
      static_cast<long long>(same_id), static_cast<long long>(earlier), static_cast<long long>(found_under_their_id),
      static_cast<long long>(returning), static_cast<long long>(new_people_with_a_new_id),
      static_cast<long long>(new_people));
  EXPECT_GE(static_cast<double>(same_id), 0.99 * static_cast<double>(earlier));
  EXPECT_GT(returning, 20) << "the demo has returning victims";
  EXPECT_GE(static_cast<double>(found_under_their_id), 0.9 * static_cast<double>(returning));
  EXPECT_GE(static_cast<double>(new_people_with_a_new_id), 0.98 * static_cast<double>(new_people));
  EXPECT_GE(second->person_ids->kept, first->persons - first->persons / 100);

  // The CSV lists every record once with its id.
  const std::string csv = records_csv(*second);
  EXPECT_EQ(csv.rfind("source,year,role,record_id,person_id\n", 0), 0u);
  EXPECT_EQ(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')), second->records.size() + 1);
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
