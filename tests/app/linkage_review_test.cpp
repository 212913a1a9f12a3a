// The clerical review on the demo world of 2023: a perfect clerk decides every pair in the
// band from the world's record-level truth (demo::stored_record_persons, the demo's own person
// identifiers behind each stored registration), and the next run is scored against the same
// truth with the existing pairwise measure (linkage::score_clusters).
#include "app/linkage_review.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include <gtest/gtest.h>

#include "app/linkage.h"
#include "app/publish.h"
#include "demo/demo.h"
#include "intake/intake.h"
#include "intake/profile.h"
#include "linkage/evaluation.h"
#include "test_support.h"

namespace rapporteur::app {
namespace {

using rapporteur::testing::TempDir;

intake::PseudonymKey test_key() {
  std::array<std::uint8_t, 32> bytes{};
  bytes[0] = 16;
  return intake::PseudonymKey::from_bytes(bytes);
}

struct Scope {
  int year = 0;
  Mandate mandate = Mandate::kHumanTrafficking;
  Role role = Role::kVictim;
};

// The demo world (2019-2023 or 2023 alone) loaded through intake.
class ReviewDemo : public ::testing::Test {
 protected:
  void load(int first_year) {
    world_ = demo::generate_world({.first_year = first_year, .last_year = 2023}).value();
    store_ = std::move(store::open_sqlite_store(dir_ / "demo.db").value());
    ASSERT_TRUE(
        demo::load_world(world_, *store_, test_key(),
                         {.extracts_folder = dir_ / "extracts", .profiles_folder = RAPPORTEUR_SOURCE_DIR "/profiles"})
            .has_value());
  }
  void SetUp() override { load(2023); }

  // The demo's person behind each stored registration of `scope`, as numbers.
  std::vector<std::uint64_t> entities(const Scope& scope) {
    const auto truth = demo::stored_record_persons(world_, *store_,
                                                   {.year = scope.year, .mandate = scope.mandate, .role = scope.role});
    EXPECT_TRUE(truth.has_value()) << truth.error().message;
    std::map<std::string, std::uint64_t> number;
    std::vector<std::uint64_t> entity;
    for (const auto& person : truth.value_or(std::vector<std::string>{})) {
      entity.push_back(number.emplace(person, number.size()).first->second);
    }
    return entity;
  }

  LinkageRun run(const Scope& scope, ReviewDecisionUse decisions = ReviewDecisionUse::kApply) {
    auto linked = run_linkage(*store_, {.year = scope.year,
                                        .mandate = std::string(to_code(scope.mandate)),
                                        .role = std::string(to_code(scope.role)),
                                        .person_ids = PersonIdUse::kKeep,
                                        .decisions = decisions});
    EXPECT_TRUE(linked.has_value()) << linked.error().message;
    return linked.value_or(LinkageRun{});
  }

  TempDir dir_;
  demo::World world_;
  std::unique_ptr<store::Store> store_;
};

class ReviewDemoYears : public ReviewDemo {
 protected:
  void SetUp() override { load(2019); }
};

double f1_of(std::int64_t tp, std::int64_t fp, std::int64_t fn) {
  const double p = tp + fp == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(tp + fp);
  const double r = tp + fn == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(tp + fn);
  return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
}

// Every year, mandate and role of 2019-2023: the pairs in the default band (posterior 0.1 to
// 0.9) decided as a perfect clerk would, then the next run scored against the truth.
TEST_F(ReviewDemoYears, APerfectClerksDecisionsAreFollowedAndRaiseF1) {
  std::int64_t in_band = 0;
  std::int64_t wrong = 0;
  std::int64_t tp[2] = {0, 0};
  std::int64_t fp[2] = {0, 0};
  std::int64_t fn[2] = {0, 0};
  std::int64_t stable = 0;
  for (int year = 2019; year <= 2023; ++year) {
    for (const auto mandate : {Mandate::kHumanTrafficking, Mandate::kSexualViolenceAgainstChildren}) {
      for (const auto role : {Role::kVictim, Role::kSuspect}) {
        const Scope scope{year, mandate, role};
        SCOPED_TRACE(fmt::format("{} {} {}", year, to_code(mandate), to_code(role)));
        const auto entity = entities(scope);
        const LinkageRun before = run(scope);
        ASSERT_EQ(before.cluster.size(), entity.size());
        const auto list = list_review_pairs(
            *store_, {.year = year, .mandate = std::string(to_code(mandate)), .role = std::string(to_code(role))});
        ASSERT_TRUE(list.has_value()) << list.error().message;
        ASSERT_EQ(static_cast<std::int64_t>(list->pairs.size()), list->in_band);
        std::map<std::int64_t, std::size_t> index_of;
        for (std::size_t i = 0; i < before.record_ids.size(); ++i) index_of.emplace(before.record_ids[i], i);
        std::vector<std::tuple<std::size_t, std::size_t, bool>> decided;
        std::set<std::size_t> touched;
        int errors = 0;

        for (const auto& pair : list->pairs) {
          const auto ref = parse_pair_reference(pair.reference).value();
          const std::size_t a = index_of.at(ref.first);
          const std::size_t b = index_of.at(ref.second);
          const bool same = entity[a] == entity[b];
          if (same != (before.cluster[a] == before.cluster[b])) ++errors;
          decided.emplace_back(a, b, same);
          touched.insert({a, b});
          const auto stored = decide_pair(*store_, {.year = year,
                                                    .mandate = std::string(to_code(mandate)),
                                                    .role = std::string(to_code(role)),
                                                    .pair = pair.reference,
                                                    .decision = same ? "match" : "non-match",
                                                    .user = "clerk"});
          ASSERT_TRUE(stored.has_value()) << stored.error().message;
        }
        const LinkageRun after = run(scope);
        const auto score_before = linkage::score_clusters(before.cluster, entity);
        const auto score_after = linkage::score_clusters(after.cluster, entity);

        EXPECT_EQ(after.decisions_applied, list->in_band);
        EXPECT_EQ(after.decisions_ignored, 0);
        EXPECT_GE(score_after.f1, score_before.f1);
        if (errors > 0) {
          EXPECT_GT(score_after.f1, score_before.f1) << errors << " errors in the band were corrected";
        }
        for (const auto& [a, b, match] : decided) {
          if (match) {
            EXPECT_EQ(after.cluster[a], after.cluster[b]) << "a must-link ends up together";
          } else {
            EXPECT_NE(after.cluster[a], after.cluster[b]) << "a cannot-link ends up apart";
          }
        }
        // Persons no decision touched whose records stay together keep their id.
        std::map<std::uint32_t, std::set<std::size_t>> members_before;
        std::map<std::uint32_t, std::set<std::size_t>> members_after;
        for (std::size_t i = 0; i < before.cluster.size(); ++i) members_before[before.cluster[i]].insert(i);
        for (std::size_t i = 0; i < after.cluster.size(); ++i) members_after[after.cluster[i]].insert(i);
        for (const auto& [cluster, members] : members_before) {
          const std::size_t first = *members.begin();
          const bool untouched =
              std::none_of(members.begin(), members.end(), [&](std::size_t i) { return touched.contains(i); });
          if (!untouched || members_after[after.cluster[first]] != members) continue;
          EXPECT_EQ(after.person_id[first], before.person_id[first]);
          ++stable;
        }
        const auto report = report_linkage(after);
        EXPECT_EQ(report.decisions_applied, list->in_band);
        EXPECT_NE(to_text(report).find(fmt::format("{} decisions applied", list->in_band)), std::string::npos);
        in_band += list->in_band;
        wrong += errors;
        tp[0] += score_before.true_positives;
        fp[0] += score_before.false_positives;
        fn[0] += score_before.false_negatives;
        tp[1] += score_after.true_positives;
        fp[1] += score_after.false_positives;
        fn[1] += score_after.false_negatives;
        std::printf("%d %s %s: %lld pairs in the band, %d the run had wrong; F1 %.5f -> %.5f\n", year,
                    std::string(to_code(mandate)).c_str(), std::string(to_code(role)).c_str(),
                    static_cast<long long>(list->in_band), errors, score_before.f1, score_after.f1);
      }
    }
  }

  std::printf(
      "all 20 scopes: %lld pairs in the band, %lld wrong before; pairs TP/FP/FN %lld/%lld/%lld -> "
      "%lld/%lld/%lld; F1 %.5f -> %.5f\n",
      static_cast<long long>(in_band), static_cast<long long>(wrong), static_cast<long long>(tp[0]),
      static_cast<long long>(fp[0]), static_cast<long long>(fn[0]), static_cast<long long>(tp[1]),
      static_cast<long long>(fp[1]), static_cast<long long>(fn[1]), f1_of(tp[0], fp[0], fn[0]),
      f1_of(tp[1], fp[1], fn[1]));
  EXPECT_GT(in_band, 0) << "the demo world has pairs near the threshold";
  EXPECT_GE(f1_of(tp[1], fp[1], fn[1]), f1_of(tp[0], fp[0], fn[0]));
  if (wrong > 0) {
    EXPECT_GT(f1_of(tp[1], fp[1], fn[1]), f1_of(tp[0], fp[0], fn[0]));
  }
  EXPECT_GT(stable, 1000);
}

// The whole range of posteriors, so that the 2023 victims have pairs to list.
constexpr linkage::ProbabilityBand kAll{.from = 0.0, .to = 1.0};
const Scope kVictims2023{.year = 2023};

TEST_F(ReviewDemo, IgnoringTheDecisionsGivesTheModelsRunBack) {
  const LinkageRun before = run(kVictims2023, ReviewDecisionUse::kIgnore);
  const auto list = list_review_pairs(*store_, {.year = 2023, .band = kAll, .limit = 3}).value();
  ASSERT_FALSE(list.pairs.empty());
  for (const auto& pair : list.pairs) {
    ASSERT_TRUE(decide_pair(*store_, {.year = 2023, .pair = pair.reference, .decision = "non-match", .user = "clerk"}));
  }

  const LinkageRun ignored = run(kVictims2023, ReviewDecisionUse::kIgnore);

  EXPECT_EQ(ignored.cluster, before.cluster);
  EXPECT_EQ(ignored.decisions_applied, 0);
  EXPECT_EQ(list.pairs.size(), 3u);
  EXPECT_GE(list.in_band, 3);
}

TEST_F(ReviewDemo, TheReviewShowsNoNameDateIdOrHash) {
  const auto list = list_review_pairs(*store_, {.year = 2023, .band = kAll, .limit = 300});
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->pairs.size(), 300u);

  const std::string text = to_text(*list) + to_csv(*list);
  const std::string all = text + to_json(*list);

  // The synthetic identities written to the extracts (demo::World::identities).
  int checked = 0;
  for (std::size_t i = 0; i < world_.identities.size(); ++i) {
    const auto& id = world_.identities[i];
    for (const std::string& value : {id.first_name, id.last_name, id.birth_date, id.national_id}) {
      if (value.size() < 4) continue;
      ++checked;
      EXPECT_EQ(all.find(value), std::string::npos) << "an identifying value of record " << i;
    }
  }
  EXPECT_GT(checked, 1000);
  // Text and CSV write numbers with fixed decimals, so a long hex run would be a keyed value
  // (JSON's numbers may have long digit runs, and its strings are the same as the text's).
  EXPECT_FALSE(std::regex_search(text, std::regex("[0-9a-fA-F]{12}"))) << "no keyed hash or Bloom filter";
  EXPECT_FALSE(std::regex_search(all, std::regex("(19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}"))) << "no date";
  for (const auto& pair : list->pairs) {
    EXPECT_TRUE(std::regex_match(pair.reference, std::regex("r[0-9]+-r[0-9]+")));
    EXPECT_EQ(pair.fields.size(), 7u);
  }
}

TEST_F(ReviewDemo, ADecisionWhoseRecordHasGoneIsIgnoredAndCounted) {
  const auto ids = store_->registration_ids({}).value();
  const std::int64_t gone = ids.back() + 1000;
  ASSERT_TRUE(store_->put_linkage_decision(
      {.year = 2023}, {ids.front(), gone, store::ReviewDecision::kMatch, "clerk", "2026-01-01T00:00:00Z"}));
  const auto refused = decide_pair(
      *store_, {.year = 2023, .pair = fmt::format("r{}-r{}", ids.front(), gone), .decision = "match", .user = "clerk"});

  const LinkageRun linked = run(kVictims2023);

  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(linked.decisions_ignored, 1);
  EXPECT_EQ(linked.decisions_applied, 0);
}

// The monitor tables count the persons the estimate's run finds (app::table_persons), decisions
// included: a non-match on the most certain link splits it in both.
TEST_F(ReviewDemo, TheTablesFollowTheDecisionsAsTheRunDoes) {
  const auto list = list_review_pairs(*store_, {.year = 2023, .band = {.from = 0.5, .to = 1.0}}).value();
  ASSERT_FALSE(list.pairs.empty());
  const std::string last = list.pairs.back().reference;  // The most certain, at the band's top.
  ASSERT_TRUE(decide_pair(*store_, {.year = 2023, .pair = last, .decision = "non-match", .user = "clerk"}));
  const LinkageRun linked = run(kVictims2023);
  std::vector<std::string> sources;
  const auto stored_sources = store_->sources().value();
  for (const auto& s : stored_sources) sources.push_back(s.code);
  const auto registrations =
      store_->registrations({.year = 2023, .mandate = Mandate::kHumanTrafficking, .role = Role::kVictim}).value();

  const auto counted = table_persons(*store_, LinkageMethod::kProbabilistic)(registrations, sources);

  ASSERT_TRUE(counted.has_value()) << counted.error().message;
  EXPECT_EQ(*counted, linked.cluster);
  EXPECT_EQ(linked.decisions_applied, 1);
  const auto ref = parse_pair_reference(last).value();
  std::size_t a = 0;
  std::size_t b = 0;
  for (std::size_t i = 0; i < linked.record_ids.size(); ++i) {
    if (linked.record_ids[i] == ref.first) a = i;
    if (linked.record_ids[i] == ref.second) b = i;
  }
  EXPECT_NE((*counted)[a], (*counted)[b]);
}

// A source's batch loaded again with --replace gets new rows: a decision on its old records is
// ignored by the next run and counted in its report.
TEST_F(ReviewDemo, AReplacedBatchLeavesItsDecisionsIgnoredAndCounted) {
  const auto list = list_review_pairs(*store_, {.year = 2023, .band = kAll}).value();
  const auto pair = std::find_if(list.pairs.begin(), list.pairs.end(), [](const ReviewPair& p) {
    return p.first_source == "comensha" || p.second_source == "comensha";
  });
  ASSERT_NE(pair, list.pairs.end());
  ASSERT_TRUE(decide_pair(*store_, {.year = 2023, .pair = pair->reference, .decision = "match", .user = "clerk"}));
  ASSERT_EQ(run(kVictims2023).decisions_applied, 1);
  const auto profile = intake::load_profile(RAPPORTEUR_SOURCE_DIR "/profiles/comensha.toml");
  ASSERT_TRUE(profile.has_value()) << profile.error().message;
  // The same rows in another file (a line end added: the same file would be recognised and skipped).
  std::filesystem::copy_file(dir_ / "extracts" / "comensha-2023.csv", dir_ / "comensha-2023-again.csv");
  std::ofstream(dir_ / "comensha-2023-again.csv", std::ios::app) << "\r\n";
  const auto reloaded = intake::load_extract(
      *store_, test_key(), *profile,
      {.file = dir_ / "comensha-2023-again.csv", .year = 2023, .replace = intake::ReplaceMode::kReplace});
  ASSERT_TRUE(reloaded.has_value()) << reloaded.error().message;
  ASSERT_FALSE(reloaded->already_loaded);

  const LinkageRun linked = run(kVictims2023);

  EXPECT_EQ(linked.decisions_applied, 0);
  EXPECT_EQ(linked.decisions_ignored, 1);
  EXPECT_NE(to_text(report_linkage(linked)).find("0 decisions applied, 1 ignored"), std::string::npos);
}

TEST(PairReference, ReadsEitherOrderAndRefusesOthers) {
  const auto ref = parse_pair_reference("r40-r12");

  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->first, 12);
  EXPECT_EQ(ref->second, 40);
  EXPECT_EQ(to_reference(*ref), "r12-r40");
  for (const char* bad : {"", "r12", "12-40", "r12-r12", "r-1-r3", "r12-r40x", "r0-r4"}) {
    EXPECT_FALSE(parse_pair_reference(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace rapporteur::app
