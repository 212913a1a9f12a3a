#include "mse/model_average.h"
#include "mse/published_tables.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace rapporteur::mse {
namespace {

using test_support::read_table;

// A fit as the search would return it, with the log-normal interval of an unobserved count
// `unobserved` whose log has standard error `se` (observed 50).
FitResult made_up_fit(int pair, double aic, double unobserved, double se) {
  FitResult fitted;
  fitted.model.interactions = {{0, pair}};
  fitted.aic = aic;
  fitted.bic = aic;
  fitted.unobserved = unobserved;
  fitted.total = 50 + unobserved;
  fitted.ci_low = 50 + unobserved * std::exp(-1.959963984540054 * se);
  fitted.ci_high = 50 + unobserved * std::exp(1.959963984540054 * se);
  return fitted;
}

CaptureTable fifty_observed() {
  CaptureTable table;
  table.lists = {"A", "B", "C", "D"};
  table.counts.assign(16, 0);
  table.counts[1] = 50;
  return table;
}

// Hand-computed: AIC 10, 12, 16 give weights exp(0), exp(-1), exp(-3) over their sum,
// 0.705384512698, 0.259496460342, 0.035119026959, and the averaged total 119.9986284090. The
// mixture interval's limits come from scipy (norm.cdf, brentq): 84.833202 and 271.974058.
TEST(AverageModels, WeightsByTheCriterionAsComputedByHand) {
  SearchResult search;
  search.models = {made_up_fit(1, 10, 50, 0.2), made_up_fit(2, 12, 100, 0.3), made_up_fit(3, 16, 250, 0.25)};
  FitResult not_estimable = made_up_fit(3, 5, 1e12, 1);
  not_estimable.status = FitStatus::kNoMle;
  search.models.push_back(not_estimable);

  const auto average = average_models(fifty_observed(), search, Criterion::kAic);

  ASSERT_TRUE(average.has_value()) << average.error().message;
  ASSERT_EQ(average->models.size(), 3U) << "the model without an estimate carries no weight";
  EXPECT_NEAR(average->models[0].weight, 0.705384512698, 1e-12);
  EXPECT_NEAR(average->models[1].weight, 0.259496460342, 1e-12);
  EXPECT_NEAR(average->models[2].weight, 0.035119026959, 1e-12);
  EXPECT_NEAR(average->total, 119.9986284090, 1e-9);
  EXPECT_NEAR(average->low, 84.833202, 1e-5);
  EXPECT_NEAR(average->high, 271.974058, 1e-5);
  EXPECT_EQ(average->effective_models, 3);
}

TEST(AverageModels, ReducesToTheModelsOwnIntervalWhenOneModelCarriesAllWeight) {
  SearchResult search;
  search.models = {made_up_fit(1, 10, 80, 0.3)};

  const auto average = average_models(fifty_observed(), search, Criterion::kBic);

  ASSERT_TRUE(average.has_value());
  EXPECT_NEAR(average->total, 130, 1e-9);
  EXPECT_NEAR(average->low, search.models[0].ci_low, 1e-6);
  EXPECT_NEAR(average->high, search.models[0].ci_high, 1e-6);
}

TEST(AverageModels, FailsWithoutAnEstimableModelOrWithABadLevel) {
  SearchResult search;
  search.models = {made_up_fit(1, 10, 80, 0.3)};
  search.models[0].status = FitStatus::kNotIdentifiable;

  const auto nothing = average_models(fifty_observed(), search, Criterion::kAic);
  const auto bad_level = average_models(fifty_observed(), SearchResult{}, Criterion::kAic, 1.5);

  ASSERT_FALSE(nothing.has_value());
  EXPECT_EQ(nothing.error().code, ErrorCode::kNotFound);
  ASSERT_FALSE(bad_level.has_value());
  EXPECT_EQ(bad_level.error().code, ErrorCode::kInvalidArgument);
}

// On Korea's exhaustive search the weights follow the fits' own AIC values.
TEST(AverageModels, AveragesTheExhaustiveSearchOnKorea) {
  const CaptureTable table = read_table("Korea.csv");
  const auto search = exhaustive_search(table, Criterion::kAic, 1);
  ASSERT_TRUE(search.has_value());

  const auto average = average_models(table, *search, Criterion::kAic);

  ASSERT_TRUE(average.has_value());
  double sum = 0;
  double lowest = INFINITY;
  double highest = 0;
  for (const auto& m : average->models) {
    sum += m.weight;
    lowest = std::min(lowest, m.total);
    highest = std::max(highest, m.total);
  }
  EXPECT_NEAR(sum, 1, 1e-12);
  EXPECT_GE(average->total, lowest);
  EXPECT_LE(average->total, highest);
  const auto& top = average->models.front();
  const auto& second = average->models[1];
  EXPECT_NEAR(second.weight / top.weight, std::exp(-(second.criterion - top.criterion) / 2), 1e-12);
  EXPECT_LT(average->low, average->total);
  EXPECT_GT(average->high, average->total);
}

TEST(TopModelsSelection, ChoosesTheBestOfTheTopModelsAndBootstraps) {
  const CaptureTable table = read_table("Korea.csv");
  const auto search = exhaustive_search(table, Criterion::kBic, 1);
  ASSERT_TRUE(search.has_value());
  const Selection select = top_models_selection(*search, Criterion::kBic, 3);

  const auto chosen = select(table);
  ASSERT_TRUE(chosen.has_value());
  const auto result = bootstrap(table, select, *chosen, {.replicates = 200, .seed = 1, .threads = 2});

  EXPECT_EQ(chosen->model, search->models.front().model) << "the original data's best model";
  ASSERT_TRUE(result.has_value());
  EXPECT_LT(result->percentile_low, chosen->total);
  EXPECT_GT(result->percentile_high, chosen->total);
}

}  // namespace
}  // namespace rapporteur::mse
