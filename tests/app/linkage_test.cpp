#include "app/linkage.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include <fmt/format.h>

#include <gtest/gtest.h>

#include "app/linkage_evaluation.h"
#include "app/publish.h"
#include "demo/demo.h"
#include "intake/comparison.h"
#include "tables/tables.h"
#include "test_support.h"

namespace rapporteur::app {
namespace {

using rapporteur::testing::TempDir;

intake::PseudonymKey test_key() {
  std::array<std::uint8_t, 32> bytes{};
  bytes[0] = 16;
  return intake::PseudonymKey::from_bytes(bytes);
}

// The demo world of 2023 (default seed) loaded through intake; its record-level truth
// (demo::stored_record_persons, the demo's own person identifiers) is the independent truth.
class DemoLinkage : public ::testing::Test {
 protected:
  void SetUp() override {
    world_ = demo::generate_world({.first_year = 2023, .last_year = 2023}).value();
    store_ = std::move(store::open_sqlite_store(dir_ / "demo.db").value());
    ASSERT_TRUE(
        demo::load_world(world_, *store_, test_key(),
                         {.extracts_folder = dir_ / "extracts", .profiles_folder = RAPPORTEUR_SOURCE_DIR "/profiles"})
            .has_value());
  }

  DemoLinkageScore score(LinkageMethod method) {
    auto s =
        score_demo_linkage(world_, *store_, {.year = 2023, .method = method}, {.sensitivity = mse::Sensitivity::kSkip});
    EXPECT_TRUE(s.has_value()) << s.error().message;
    return s.value_or(DemoLinkageScore{});
  }

  TempDir dir_;
  demo::World world_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(DemoLinkage, ProbabilisticBeatsExactKeysOnTheDemoTruth) {
  const auto exact = score(LinkageMethod::kDeterministic);
  const auto fuzzy = score(LinkageMethod::kProbabilistic);

  EXPECT_EQ(fuzzy.method, LinkageMethod::kProbabilistic) << "intake stored comparison fields for every row";
  EXPECT_GE(fuzzy.pairs.f1, 0.95);
  EXPECT_GT(fuzzy.pairs.f1, exact.pairs.f1);
  EXPECT_NEAR(static_cast<double>(fuzzy.persons), static_cast<double>(fuzzy.true_persons),
              0.02 * static_cast<double>(fuzzy.true_persons));
  // The estimate on the linked table against the estimate on the true overlap table: missed
  // links inflate it, false links deflate it. Issue 16 asks for 5% (measured 0.0% since EM
  // estimates u within each training rule; -7.1% before, from five namesake links).
  EXPECT_NEAR(fuzzy.estimate_linked, fuzzy.estimate_true_table, 0.05 * fuzzy.estimate_true_table);
  EXPECT_LT(std::abs(fuzzy.estimate_linked - fuzzy.estimate_true_table),
            std::abs(exact.estimate_linked - exact.estimate_true_table));
  EXPECT_GT(fuzzy.true_population, 0);
}

// The monitor tables count the persons the estimate's linkage finds (app::table_persons), which
// on the demo world are within 2% of the true persons behind the registrations (the demo's
// record-level truth, demo::stored_record_persons), where exact keys count far more.
TEST_F(DemoLinkage, TablesCountTheEstimatesPersonsNearTheTruth) {
  const auto spec =
      tables::parse_spec("name = \"v\"\ntitle = \"V\"\ndimensions = [\"year\"]\nyears = [2023, 2023]\n", "v.toml");
  ASSERT_TRUE(spec.has_value()) << spec.error().message;
  const auto truth = demo::stored_record_persons(
      world_, *store_, {.year = 2023, .mandate = Mandate::kHumanTrafficking, .role = Role::kVictim});
  ASSERT_TRUE(truth.has_value()) << truth.error().message;
  const auto true_persons = static_cast<double>(std::set<std::string>(truth->begin(), truth->end()).size());
  const auto run = run_linkage(*store_, {.year = 2023});
  ASSERT_TRUE(run.has_value()) << run.error().message;

  const auto linked = tables::build(*store_, *spec, table_persons(*store_, LinkageMethod::kProbabilistic));
  const auto deterministic = tables::build(*store_, *spec, table_persons(*store_, LinkageMethod::kDeterministic));
  const auto exact = tables::build(*store_, *spec, tables::exact_keys());

  ASSERT_TRUE(linked.has_value()) << linked.error().message;
  ASSERT_TRUE(deterministic.has_value() && exact.has_value());
  const auto linked_total = static_cast<double>(linked->table.values.front());
  const auto exact_total = static_cast<double>(exact->table.values.front());
  EXPECT_EQ(linked->table.values.front(), static_cast<std::int64_t>(run->persons.size())) << "the estimate's persons";
  EXPECT_EQ(deterministic->table.values, exact->table.values) << "deterministic linkage is exact-key counting";
  EXPECT_NEAR(linked_total, true_persons, 0.02 * true_persons);
  EXPECT_LT(std::abs(linked_total - true_persons), std::abs(exact_total - true_persons));
  std::printf("2023 victims: true persons %.0f, table (linked) %.0f, table (exact keys) %.0f\n", true_persons,
              linked_total, exact_total);
}

TEST_F(DemoLinkage, ReportCountsPersonsOverlapsAndBlocking) {
  const auto run = run_linkage(*store_, {.year = 2023});
  ASSERT_TRUE(run.has_value()) << run.error().message;

  const auto report = report_linkage(*run);

  EXPECT_EQ(report.persons, static_cast<std::int64_t>(run->persons.size()));
  EXPECT_EQ(report.overlaps.size(), run->sources.size() * (run->sources.size() - 1) / 2);
  EXPECT_EQ(report.blocking.size(), 5u);
  std::int64_t in_bands = 0;
  for (const auto& band : report.bands) in_bands += band.links;
  EXPECT_EQ(in_bands, report.links);
  std::int64_t registrations = 0;
  for (const auto& [size, clusters] : report.clusters_by_size) registrations += size * clusters;
  EXPECT_EQ(registrations, report.registrations);
  EXPECT_NE(to_text(report).find("Links per weight band"), std::string::npos);
}

// Person id sets of a run: per id, the fingerprints of its registrations.
std::map<std::int64_t, std::set<std::uint64_t>> records_per_person(const LinkageRun& run) {
  const auto fingerprints = record_fingerprints(run.registrations);
  std::map<std::int64_t, std::set<std::uint64_t>> result;
  for (std::size_t i = 0; i < fingerprints.size(); ++i) result[run.person_id[i]].insert(fingerprints[i]);
  return result;
}

TEST_F(DemoLinkage, ANewBatchKeepsTheIdOfEveryPersonWhoseRecordsDidNotChange) {
  const auto first = run_linkage(*store_, {.year = 2023, .person_ids = PersonIdUse::kKeep});
  ASSERT_TRUE(first.has_value()) << first.error().message;
  ASSERT_EQ(first->person_id.size(), first->registrations.size());
  // A new batch from another source: 30 people already registered (their records copied
  // under that source) and 10 people never seen before (new names, encoded as intake does).
  std::vector<Registration> batch;
  const std::string other = first->registrations.front().source_code == first->sources.back() ? first->sources.front()
                                                                                              : first->sources.back();
  for (std::size_t i = 0; batch.size() < 30 && i < first->registrations.size(); i += 7) {
    if (first->registrations[i].source_code == other) continue;
    Registration again = first->registrations[i];
    again.source_code = other;
    batch.push_back(again);
  }
  intake::ComparisonEncoder encoder(test_key());
  for (int i = 0; i < 10; ++i) {
    Registration fresh = first->registrations[static_cast<std::size_t>(i)];
    fresh.source_code = other;
    fresh.person_key = fmt::format("new-person-{}", i);
    fresh.name_key.reset();
    const std::string first_name = fmt::format("Quirijn{}", std::string(static_cast<std::size_t>(i + 1), 'x'));
    const std::string birth = fmt::format("19{}-0{}-1{}", 70 + i, 1 + i % 9, i);
    fresh.comparison =
        encoder.encode({.first_name = first_name, .last_name = "Zwaneveldt", .birth_date = birth}).value();
    batch.push_back(fresh);
  }
  ASSERT_TRUE(store_->add_registrations(batch).has_value());

  const auto second = run_linkage(*store_, {.year = 2023, .person_ids = PersonIdUse::kKeep});

  ASSERT_TRUE(second.has_value()) << second.error().message;
  ASSERT_EQ(second->registrations.size(), first->registrations.size() + batch.size());
  // Independent truth: the record sets of the two runs, compared as sets. Every person of the
  // first run whose records form a person of the second run exactly keeps its id.
  const auto before = records_per_person(*first);
  const auto after = records_per_person(*second);
  std::map<std::set<std::uint64_t>, std::int64_t> id_after;
  for (const auto& [id, records] : after) id_after[records] = id;
  std::int64_t unchanged = 0;
  for (const auto& [id, records] : before) {
    const auto it = id_after.find(records);
    if (it == id_after.end()) continue;
    EXPECT_EQ(it->second, id) << "a person with the same records got another id";
    ++unchanged;
  }
  EXPECT_GE(unchanged, static_cast<std::int64_t>(before.size()) - 40) << "at most the 30 re-registered people change";
  ASSERT_TRUE(second->person_id_changes.has_value());
  EXPECT_EQ(second->person_id_changes->unchanged, unchanged);
  // The new people get ids never given before.
  const std::int64_t largest_before = before.rbegin()->first;
  const auto fingerprints = record_fingerprints(second->registrations);
  for (std::size_t i = 0; i < second->registrations.size(); ++i) {
    if (second->registrations[i].person_key.starts_with("new-person-")) {
      EXPECT_GT(second->person_id[i], largest_before);
    }
  }
  EXPECT_GE(second->person_id_changes->added, 10);
}

TEST(LinkRegistrations, FallsBackToExactKeysWithoutComparisonFields) {
  Registration r;
  r.source_code = "politie";
  r.person_key = "p1";
  r.year = 2023;
  r.exploitation_form = ExploitationForm::kSexual;

  const auto run = link_registrations({r, r}, {"politie"}, LinkageMethod::kProbabilistic);

  ASSERT_TRUE(run.has_value()) << run.error().message;
  EXPECT_EQ(run->method, LinkageMethod::kDeterministic);
  EXPECT_NE(run->note.find("no comparison fields"), std::string::npos);
  EXPECT_EQ(run->persons.size(), 1u);
}

}  // namespace
}  // namespace rapporteur::app
