// Coverage of the estimation procedure against known truth: the demo world's generator makes
// many populations, the registrations are turned into capture tables by the generator's own
// person identifiers (perfect linkage), and the 95% intervals are checked against the true
// number of victims.
#include <cmath>
#include <cstdio>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "demo/demo.h"
#include "mse/model_average.h"
#include "mse/mse.h"

namespace rapporteur {
namespace {

struct Trial {
  double truth = 0;
  double estimate = 0;
  double low = 0;
  double high = 0;
};

// One population: trafficking victims of one form in one year, stratified by minor/adult as
// the estimation procedure prescribes; the estimate is the sum over the two strata.
enum class Procedure { kSparseStepwiseProfile, kAicModelAverage };

Trial run_trial(std::uint64_t seed, double sigma, const std::string& form, const std::string& age,
                Procedure procedure = Procedure::kSparseStepwiseProfile) {
  const auto world =
      demo::generate_world({.seed = seed, .first_year = 2021, .last_year = 2021, .visibility_sigma = sigma});
  EXPECT_TRUE(world.has_value());
  Trial trial;
  for (const auto& cell : world->truth) {
    if (cell.mandate == Mandate::kHumanTrafficking && cell.classification == form &&
        (age == "all" || cell.age_group == age))
      trial.truth += static_cast<double>(cell.true_count);
  }
  std::vector<std::string> sources;
  for (const auto& s : world->sources) sources.push_back(s.code);
  std::map<std::string, std::pair<std::size_t, bool>> persons;  // key -> (pattern, minor)
  for (const auto& r : world->registrations) {
    if (r.mandate != Mandate::kHumanTrafficking || r.role != Role::kVictim || !r.exploitation_form ||
        to_code(*r.exploitation_form) != form)
      continue;
    const auto s = static_cast<std::size_t>(std::find(sources.begin(), sources.end(), r.source_code) - sources.begin());
    auto& [pattern, minor] = persons[r.person_key];
    pattern |= std::size_t{1} << s;
    if (r.age) minor = *r.age < 18;
  }
  for (auto it = persons.begin(); it != persons.end();) {
    const bool keep = age == "all" || (age == "minor") == it->second.second;
    it = keep ? std::next(it) : persons.erase(it);
  }
  mse::CaptureTable table;
  std::vector<int> kept;
  for (std::size_t s = 0; s < sources.size(); ++s) {
    bool any = false;
    for (const auto& [key, value] : persons) any = any || ((value.first >> s) & 1);
    if (any) {
      kept.push_back(static_cast<int>(s));
      table.lists.push_back(sources[s]);
    }
  }
  table.counts.assign(std::size_t{1} << kept.size(), 0);
  for (const auto& [key, value] : persons) {
    std::size_t pattern = 0;
    for (std::size_t i = 0; i < kept.size(); ++i) pattern |= ((value.first >> kept[i]) & 1) << i;
    ++table.counts[pattern];
  }
  if (procedure == Procedure::kAicModelAverage) {
    const auto all = mse::exhaustive_search(table, mse::Criterion::kAic, 2);
    EXPECT_TRUE(all.has_value());
    const auto average = mse::average_models(table, *all, mse::Criterion::kAic);
    EXPECT_TRUE(average.has_value());
    trial.estimate = average->total;
    trial.low = average->low;
    trial.high = average->high;
    return trial;
  }
  const auto search = mse::sparse_stepwise_search(table, 0.02);
  EXPECT_TRUE(search.has_value());
  const auto& best = search->models.front();
  trial.estimate = best.total;
  const auto profile = mse::profile_interval(table, best);
  EXPECT_TRUE(profile.has_value());
  trial.low = profile->low;
  trial.high = profile->high;
  return trial;
}

struct Coverage {
  int trials = 0;
  int covered = 0;
  int below = 0;  // Interval entirely below the truth.
  double mean_relative_error = 0;
};

Coverage measure(double sigma, const std::string& form, int trials,
                 Procedure procedure = Procedure::kSparseStepwiseProfile) {
  Coverage c;
  c.trials = trials;
  for (int i = 0; i < trials; ++i) {
    const Trial t = run_trial(1000 + static_cast<std::uint64_t>(i), sigma, form, "all", procedure);
    c.covered += t.low <= t.truth && t.truth <= t.high ? 1 : 0;
    c.below += t.high < t.truth ? 1 : 0;
    c.mean_relative_error += (t.estimate - t.truth) / t.truth / trials;
  }
  std::printf(
      "visibility sigma %.1f, %s exploitation: %d of %d intervals cover the truth (%.1f%%), %d lie below it; "
      "mean relative error %+.3f\n",
      sigma, form.c_str(), c.covered, trials, 100.0 * c.covered / trials, c.below, c.mean_relative_error);
  return c;
}

// The demo world with heterogeneity between observable groups (minors, Dutch and foreign
// victims, residence status: each source's chance depends on them) and direct dependence
// between lists (the prosecution service sees victims mostly through the police), but no
// unobserved person-level visibility. The procedure: sparse stepwise selection (Chan,
// Silverman and Vincent 2021) and the multinomial profile-likelihood interval.
TEST(Coverage, IntervalsCoverTheTrueTotalInNinetyToNinetyEightPercentOfPopulations) {
  for (const std::string form : {"sexual", "labour"}) {
    const Coverage c = measure(0.0, form, 200);
    const double share = static_cast<double>(c.covered) / c.trials;
    EXPECT_GE(share, 0.90) << form;
    EXPECT_LE(share, 0.98) << form;
    EXPECT_LT(std::abs(c.mean_relative_error), 0.10) << form;
  }
}

// Unobserved heterogeneity shared by all sources (the demo's default visibility spread of
// 0.7) makes every pair of lists positively dependent in a way two-way interactions cannot
// absorb: the estimates fall short and the intervals miss from below. This pins down the
// known limitation that docs/estimation.md warns about.
TEST(Coverage, SharedUnobservedVisibilityBiasesEstimatesDownward) {
  const Coverage c = measure(0.7, "sexual", 50);
  EXPECT_LT(c.mean_relative_error, -0.10);
  EXPECT_LT(c.covered, 40);
  EXPECT_GT(c.below, c.trials - c.covered - 3) << "misses are below the truth";
}

// The same shared visibility, estimated by averaging every two-list model with AIC weights
// (mse::average_models): the evidence behind recommending it. bench/latent_class_bench over
// 200 populations: 86% coverage, mean relative error -12%; here 50 populations, so the bounds
// leave room for sampling (a binomial(50, 0.86) falls below 37 with probability about 0.04).
TEST(Coverage, AicModelAveragingCoversMostPopulationsUnderSharedVisibility) {
  const Coverage c = measure(0.7, "sexual", 50, Procedure::kAicModelAverage);
  EXPECT_GE(c.covered, 36);
  EXPECT_GT(c.mean_relative_error, -0.2);
}

}  // namespace
}  // namespace rapporteur
